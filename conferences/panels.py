"""What the conferences app shows on a center's page (settings.CENTER_PAGE_PANELS): the
tasks given to the center, as the user may see them. The registry knows nothing of it."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .selectors import center_tasks


def center_tasks_panel(request, center) -> SafeString:
    """Follow-up counts and the first open or overdue tasks of the center (two queries)."""
    tasks = center_tasks(request.user, center)
    return render_to_string("conferences/center_tasks_panel.html", {"center": center, "tasks": tasks},
                            request=request)
