"""Complaints (đơn thư) about centers: received, handled by a deadline, concluded. They
feed the compliance rules (an overdue one; an upheld one about an unpermitted location).

They name their senders: inspectors and the Department's staff write them, the commune's
officer reads those of its centers, a director sees none (403 on the list, 404 on one).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ActionRequiredMixin, may
from centers.selectors import centers_visible_to
from edu_portal.concurrency import edit_conflict_response
from edu_portal.params import parse_int
from edu_portal.views import ScopedFilterView, add_errors

from ..choices import OPEN_COMPLAINT_STATUSES
from ..filters import ComplaintFilterSet
from ..forms import ComplaintForm
from ..models import Complaint
from ..selectors import (
    complaint_get,
    complaints_visible_to,
)
from ..services import complaint_save

# Thirty days is the usual time limit for handling a complaint (Luật Khiếu nại 2011,
# Điều 28); the officer may change it.
DEFAULT_HANDLING_DAYS = 30


class ComplaintListView(ActionRequiredMixin, ScopedFilterView):
    action = "compliance.view"
    filterset_class = ComplaintFilterSet
    template_name = "inspections/complaint_list.html"
    paginate_by = 30
    context_object_name = "complaints"


    def get_queryset(self):
        return complaints_visible_to(self.request.user).select_related("center__commune")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(can_edit=may(self.request.user, "inspections.record"), **kwargs)
        today = timezone.localdate()
        for complaint in context["complaints"]:
            complaint.overdue = complaint.status in OPEN_COMPLAINT_STATUSES and complaint.handling_deadline < today
        return context


class ComplaintDetailView(ActionRequiredMixin, View):
    action = "compliance.view"
    def get(self, request, pk):
        complaint = complaint_get(request.user, pk)
        today = timezone.localdate()
        return render(request, "inspections/complaint_detail.html", {
            "complaint": complaint,
            "overdue": complaint.status in OPEN_COMPLAINT_STATUSES and complaint.handling_deadline < today,
            "can_edit": may(request.user, "inspections.record"),
        })


class ComplaintEditView(ActionRequiredMixin, View):
    action = "inspections.record"
    template_name = "inspections/complaint_form.html"

    def load_objects(self, request, *args, **kwargs):
        self.fixed_center = None
        pk = kwargs.get("pk")
        if pk is not None:
            self.complaint = complaint_get(request.user, pk)
        else:
            today = timezone.localdate()
            self.complaint = Complaint(received_on=today,
                                       handling_deadline=today + datetime.timedelta(days=DEFAULT_HANDLING_DAYS))
            center_id = parse_int(request.GET.get("center"))
            if center_id is not None:
                self.fixed_center = get_object_or_404(centers_visible_to(request.user), pk=center_id)

    def form(self, data=None):
        return ComplaintForm(data, instance=self.complaint, centers=centers_visible_to(self.request.user),
                             fixed_center=self.fixed_center)

    def render(self, form):
        return render(self.request, self.template_name, {"form": form, "complaint": self.complaint})

    def get(self, request, *args, **kwargs):
        return self.render(self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                complaint = complaint_save(complaint=form.instance, user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu đơn thư."))
                return redirect(complaint)
        if form.edit_conflict is not None:
            return edit_conflict_response(self.render(form.conflict_form()))
        return self.render(form)
