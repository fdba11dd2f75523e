"""The PDFs that documents.PdfJob can build, registered by the apps that own their data.

An app registers each kind in its own pdf.py and imports that module from its
AppConfig.ready(). This app never imports them:

    # reports/pdf.py
    from documents.registry import register

    register(
        "reports.completeness_summary",
        prepare=summary_prepare,    # (user, data) -> Prepared; PermissionDenied (403) or Http404
        build=summary_build,        # (job, user, progress) -> (filename, pdf bytes)
    )

- `prepare(user, data)` runs in the request that asks for the PDF. `data` is the POST
  (or any mapping of strings). It checks the role (403) and the scope (404), and it
  returns the JSON parameters the job keeps plus the title shown on the status page.
- `build(job, user, progress)` runs in the Celery task. `user` is the job's creator: the
  builder reads through the same scoped selectors as the page the request came from.
  `progress(percent, message="")` may be called as often as wanted. Raise PdfBuildError
  for a failure the user should read (it becomes the job's error). Anything else is
  logged and shown as a system error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import PdfJob

Progress = Callable[..., None]


class PdfBuildError(Exception):
    """A builder's failure in words for the user (e.g. nothing to print)."""


@dataclass(frozen=True)
class Prepared:
    """What `prepare` hands back: the job's parameters (JSON) and its title."""

    params: dict[str, Any]
    title: str


@dataclass(frozen=True)
class PdfKind:
    name: str
    prepare: Callable[[Any, Mapping[str, str]], Prepared]
    build: Callable[[PdfJob, Any, Progress], tuple[str, bytes]]


_kinds: dict[str, PdfKind] = {}


def register(name: str, *, prepare, build) -> PdfKind:
    """Register (or, on a re-import, replace) the builder of a kind of PDF."""
    kind = PdfKind(name=name, prepare=prepare, build=build)
    _kinds[name] = kind
    return kind


def get(name: str) -> PdfKind | None:
    return _kinds.get(name)


def names() -> list[str]:
    return sorted(_kinds)
