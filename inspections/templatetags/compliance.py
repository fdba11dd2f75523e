from django import template
from django.utils.html import format_html

from geo.text import vi_number

from ..choices import ComplaintStatus, InspectionStatus

register = template.Library()


@register.filter
def inspection_badge(value: str) -> str:
    return InspectionStatus.badge(value)


@register.filter
def complaint_badge(value: str) -> str:
    return ComplaintStatus.badge(value)


@register.filter
def money(value) -> str:
    """10000000 -> "10.000.000"."""
    return vi_number(value)


@register.filter
def score_badge(score) -> str:
    """The colour of a risk score: heavy (a licence-level breach) red, then orange."""
    score = score or 0
    if score >= 10:
        return "danger"
    if score >= 5:
        return "warning"
    return "secondary"


@register.simple_tag(takes_context=True)
def order_link(context, field: str, label: str, first: str = "asc"):
    """A column header sorting by `field`; the first click sorts `first` ("desc" for a
    score), the next one the other way. Without ?ordering= the page is sorted by
    `default` (the column marked with its arrow)."""
    request = context["request"]
    query = request.GET.copy()
    current = query.get("ordering", "") or context.get("default_ordering", "")
    if current == field:
        query["ordering"] = f"-{field}"
    elif current == f"-{field}":
        query["ordering"] = field
    else:
        query["ordering"] = f"-{field}" if first == "desc" else field
    query.pop("page", None)
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}">{}{}</a>', query.urlencode(), label, arrow)
