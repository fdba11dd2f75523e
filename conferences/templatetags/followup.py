from django import template
from django.urls import reverse

from ..choices import FollowUp

register = template.Library()


@register.filter
def follow_up_badge(value: str) -> str:
    return FollowUp.badge(value)


@register.filter
def follow_up_label(value: str) -> str:
    return FollowUp(value).label if value in FollowUp.values else ""


@register.filter
def unit_url(assignment) -> str:
    """The page of the unit a task is assigned to (its follow-up across directives)."""
    if assignment.center_id:
        return reverse("conferences:unit_center", args=[assignment.center_id])
    if assignment.commune_id:
        return reverse("conferences:unit_commune", args=[assignment.commune_id])
    return reverse("conferences:unit_division", args=[assignment.division_id])


@register.filter
def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a text, each shown as its own paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def follow_up_counts(assignments) -> list[tuple[str, str, int]]:
    """(badge, label, count) of each follow-up state present among annotated assignments."""
    from ..choices import FollowUp

    counts: dict[str, int] = {}
    for assignment in assignments:
        counts[assignment.follow_up] = counts.get(assignment.follow_up, 0) + 1
    return [(FollowUp.badge(state), state.label, counts[state.value]) for state in FollowUp if state.value in counts]
