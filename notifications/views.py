from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from accounts.permissions import ActionRequiredMixin, action_required
from edu_portal.views import ClampedPaginationMixin

from .models import Notification
from .services import notification_mark_read


class NotificationListView(ActionRequiredMixin, ClampedPaginationMixin, ListView):
    action = "portal.use"
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)


@action_required("portal.use")
@require_POST
def notification_open(request, pk: int):
    """Mark a notice as read and follow its link (a notice of another user is a 404)."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, pk=notice.pk)
    link = notice.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:notification_list")


@action_required("portal.use")
@require_POST
def notification_read_all(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:notification_list")
