"""Write paths of conferences: recording one (with its search text) and its files."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.permissions import may
from geo.text import fold

from ..choices import DirectiveStatus
from ..models import Conference, ConferenceAttachment, Directive
from ..validators import CONFERENCE_FILE_MAX_MB, CONFERENCE_FILE_TYPES, check_file


def _require(user, conference: Conference) -> None:
    if not may(user, "conferences.record"):
        raise PermissionDenied
    if not user.is_superuser and conference.province_id != user.province_id:
        raise PermissionDenied


def conference_search_text(conference: Conference) -> str:
    """Everything a user may search a conference by, folded (no diacritics, lower case)."""
    questions = [f"{q.question} {q.answer}" for q in conference.questions.all()] if conference.pk else []
    groups = [g.unit for g in conference.participant_groups.all()] if conference.pk else []
    return fold(" ".join([
        conference.title, conference.place, conference.host_unit, conference.chair_name, conference.chair_position,
        conference.assessment, conference.topics, conference.difficulties, conference.conclusions,
        *questions, *groups,
    ]))


def conference_refresh_search(conference: Conference) -> None:
    Conference.objects.filter(pk=conference.pk).update(search_text=conference_search_text(conference))


@transaction.atomic
def conference_save(*, conference: Conference, user) -> Conference:
    if conference.pk is None and not conference.province_id:
        conference.province_id = user.province_id
    _require(user, conference)
    if conference.pk is None:
        conference.created_by = user
    conference.full_clean(exclude=["province", "created_by"])
    conference._history_user = user  # the history's author, with or without a request
    conference.save()
    conference_refresh_search(conference)
    return conference


@transaction.atomic
def conference_attachment_add(
    *, conference: Conference, user, upload, kind: str, caption: str = ""
) -> ConferenceAttachment:
    _require(user, conference)
    info = check_file(upload, name=upload.name, size=upload.size, allowed=CONFERENCE_FILE_TYPES,
                      max_mb=CONFERENCE_FILE_MAX_MB)
    attachment = ConferenceAttachment(
        conference=conference, kind=kind, original_name=info.name, file_type=info.file_type, size=info.size,
        sha256=info.sha256, caption=caption, uploaded_by=user,
    )
    attachment.file.save(info.name, upload, save=False)
    attachment.full_clean(exclude=["file", "uploaded_by"])
    attachment.save()
    return attachment


def conference_citing_directives(conference: Conference) -> QuerySet[Directive]:
    """The issued directives that cite the conference as their source (drafts do not
    count: they can still be changed)."""
    return conference.directives.exclude(status=DirectiveStatus.DRAFT).order_by("issued_on", "number", "pk")


def conference_delete_refusal(conference: Conference) -> str | None:
    """Why the conference may not be deleted (it is cited by issued directives), or None."""
    cited_by = [directive.number_text or directive.subject for directive in conference_citing_directives(conference)]
    if not cited_by:
        return None
    return _(
        "Không xoá được hội nghị “%(title)s”: văn bản chỉ đạo đã ban hành %(directives)s dẫn chiếu hội nghị này. "
        "Văn bản đã ban hành không được sửa, nên hội nghị phải được giữ lại."
    ) % {"title": conference.title, "directives": ", ".join(cited_by)}


@transaction.atomic
def conference_delete(*, conference: Conference, user) -> None:
    """Delete a conference nobody's issued directive cites (drafts lose the link); the
    deletion stays in the conference's history. The model refuses it too (the
    on_delete of Directive.conference), whatever the path."""
    _require(user, conference)
    refusal = conference_delete_refusal(conference)
    if refusal:
        raise ValidationError(refusal, code="cited")
    conference._history_user = user
    conference.delete()
