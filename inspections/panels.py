"""What the inspections app shows on a center's page (settings.CENTER_PAGE_PANELS): the
center's current compliance flags with why, their history, and its last inspections, as
the user may see them. A center's own director also reads what to do about each flag.
The registry knows nothing of it."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.models import User
from accounts.permissions import may

from .selectors import center_compliance, inspections_visible_to

LAST_INSPECTIONS = 5


def center_flags_panel(request, center) -> SafeString:
    """Current flags as the maintained table holds them (inspections.flags, as on the
    compliance page), with the rule's `todo` for the center's director, the flag history
    and the last inspections (four queries)."""
    user = request.user
    flags, history = center_compliance(user, center)
    inspections = list(inspections_visible_to(user).filter(center=center)
                       .order_by("-planned_on", "-id")[:LAST_INSPECTIONS])
    is_director = user.role == User.Role.DIRECTOR and user.center_id == center.pk
    return render_to_string("inspections/center_flags_panel.html", {
        "center": center,
        "flags": flags,
        "history": history,
        "inspections": inspections,
        "is_director": is_director,
        "can_record": may(user, "inspections.record"),
        "can_search": not is_director,
    }, request=request)
