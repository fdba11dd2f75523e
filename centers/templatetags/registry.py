import functools

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string

from ..choices import CenterKind, CenterStatus, LicenceState

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label: str):
    """A column header that sorts by `field`, toggling the direction on a second click."""
    request = context["request"]
    query = request.GET.copy()
    current = query.get("ordering", "")
    descending = current == field
    query["ordering"] = f"-{field}" if descending else field
    query.pop("page", None)
    arrow = ""
    if current == field:
        arrow = " ▲"
    elif current == f"-{field}":
        arrow = " ▼"
    return format_html('<a href="?{}">{}{}</a>', query.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def page_url(context, page: int) -> str:
    query = context["request"].GET.copy()
    query["page"] = page
    return "?" + query.urlencode()


@register.filter
def status_badge(value: str) -> str:
    return CenterStatus.badge(value)


@register.filter
def licence_badge(value: str) -> str:
    return LicenceState.badge(value)


@functools.cache
def _labels(choices, language: str) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


@register.filter
def kind_label(value: str) -> str:
    """center.get_kind_display() without rebuilding the choices per call (50 rows a page)."""
    return _labels(CenterKind, translation.get_language() or "vi").get(value, value)


@register.filter
def status_label(value: str) -> str:
    return _labels(CenterStatus, translation.get_language() or "vi").get(value, value)


@register.filter
def with_pk(url_of_zero: str, pk) -> str:
    """The URL reversed once for pk 0, made the URL of `pk`: a list of 50 rows then
    reverses one URL instead of a hundred ({% url '...' 0 as zero %}{{ zero|with_pk:row.pk }})."""
    head, _zero, tail = url_of_zero.rpartition("/0/")
    return f"{head}/{pk}/{tail}"


@register.filter
def licence_label(value: str) -> str:
    return LicenceState(value).label if value in LicenceState.values else ""


@register.simple_tag(takes_context=True)
def center_panels(context, center):
    """The panels other apps hang on a center's page (settings.CENTER_PAGE_PANELS): each
    is a function (request, center) -> HTML, scoped to the user by its own app."""
    request = context["request"]
    panels = [import_string(path)(request, center) for path in getattr(settings, "CENTER_PAGE_PANELS", [])]
    return format_html_join("\n", "{}", ((panel,) for panel in panels if panel))
