from django import template
from django.utils.html import format_html

from ..choices import CenterStatus, LicenceState

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


@register.filter
def licence_label(value: str) -> str:
    return LicenceState(value).label if value in LicenceState.values else ""
