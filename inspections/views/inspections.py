"""Inspection pages: the list, the form (with the checklist of the seven conditions),
one inspection with its violations and follow-up, and its record as a PDF.

Inspectors and the Department's staff of the province write (inspections.services
checks it again); local officers read those of their commune's centers; a director reads
the inspections of their own center only (403 on the list, 404 on any other center's).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from accounts.permissions import ActionRequiredMixin, action_required, may
from centers.selectors import centers_visible_to
from edu_portal.concurrency import edit_conflict_response
from edu_portal.params import parse_int
from edu_portal.files import PDF_CONTENT_TYPE, private_download
from edu_portal.pdf import render_pdf
from edu_portal.views import ScopedFilterView, add_errors

from ..choices import CheckResult, Condition, InspectionStatus
from ..filters import InspectionFilterSet
from ..forms import (
    ChecklistForm,
    FollowUpForm,
    InspectionForm,
    RemediedForm,
    ViolationForm,
)
from ..models import Inspection, Violation
from ..pdf import inspection_record_context, inspection_record_filename
from ..selectors import inspection_get, inspections_visible_to
from ..services import (
    inspection_follow_up_add,
    inspection_save,
    violation_add,
    violation_remedied,
)


class InspectionListView(ActionRequiredMixin, ScopedFilterView):
    action = "compliance.view"
    filterset_class = InspectionFilterSet
    template_name = "inspections/inspection_list.html"
    paginate_by = 30
    context_object_name = "inspections"


    def get_queryset(self):
        return inspections_visible_to(self.request.user).select_related("center__commune").annotate(
            n_violations=Count("violations"),
            n_open=Count("violations", filter=Q(violations__remedied_on__isnull=True)),
        ).order_by(*Inspection._meta.ordering)  # GROUP BY drops the default ordering

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=may(self.request.user, "inspections.record"), **kwargs)


class InspectionEditView(ActionRequiredMixin, View):
    """The inspection form and its checklist, saved together by inspection_save."""
    action = "inspections.record"

    template_name = "inspections/inspection_form.html"

    def load_objects(self, request, *args, **kwargs):
        self.inspection = self.get_inspection()

    def get_inspection(self) -> Inspection:
        pk = self.kwargs.get("pk")
        if pk is not None:
            return inspection_get(self.request.user, pk)
        inspection = Inspection(planned_on=timezone.localdate())
        center_id = parse_int(self.request.GET.get("center"))
        self.fixed_center = None
        if center_id is not None:
            # Another scope's center is a 404, as on its own page.
            self.fixed_center = get_object_or_404(centers_visible_to(self.request.user), pk=center_id)
        return inspection

    def forms(self, data=None):
        inspection = self.inspection
        fixed = getattr(self, "fixed_center", None)
        return (
            InspectionForm(data, instance=inspection, centers=centers_visible_to(self.request.user),
                           fixed_center=fixed),
            ChecklistForm(data, inspection=inspection, prefix="check"),
        )

    def render(self, form, checklist):
        return render(self.request, self.template_name,
                      {"form": form, "checklist": checklist, "inspection": self.inspection})

    def get(self, request, *args, **kwargs):
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        form, checklist = self.forms(request.POST)
        if form.is_valid() and checklist.is_valid():
            try:
                inspection = inspection_save(inspection=form.instance, user=request.user, checks=checklist.checks())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu cuộc kiểm tra."))
                return redirect(inspection)
        if form.edit_conflict is not None:
            # Saved by someone else since it was opened: the record and its checklist as
            # saved, with the user's entries where nobody else changed a field.
            return edit_conflict_response(self.render(form.conflict_form(), self.forms()[1]))
        return self.render(form, checklist)


class InspectionDetailView(ActionRequiredMixin, View):
    action = "inspections.view"
    def get(self, request, pk):
        inspection = inspection_get(request.user, pk)
        can_edit = may(request.user, "inspections.record")
        checks = {check.condition: check for check in inspection.checks.all()}
        checklist = [(condition, checks.get(condition.value)) for condition in Condition]
        violations = list(inspection.violations.select_related("article__version"))
        today = timezone.localdate()
        for violation in violations:
            violation.overdue = violation.remedied_on is None and violation.remedy_deadline < today
        return render(request, "inspections/inspection_detail.html", {
            "inspection": inspection,
            "center": inspection.center,
            "checklist": checklist,
            "CheckResult": CheckResult,
            "violations": violations,
            "can_edit": can_edit,
            "can_add_violation": can_edit and inspection.carried_out_on is not None
            and inspection.status != InspectionStatus.CLOSED,
            "follow_up_form": FollowUpForm() if can_edit and inspection.status != InspectionStatus.PLANNED else None,
            "remedied_form": RemediedForm(initial={"remedied_on": today}) if can_edit else None,
            "follow_up": [line for line in inspection.follow_up.splitlines() if line.strip()],
        })


@action_required("inspections.record")
def violation_create(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_get(request.user, pk)
    if not inspection.carried_out_on:
        messages.error(request, _("Chỉ ghi vi phạm sau khi đã có ngày kiểm tra."))
        return redirect(inspection)
    form = ViolationForm(request.POST or None, day=inspection.carried_out_on)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name]
                  for name in ("article", "description", "fine_amount", "remedy", "remedy_deadline")}
        try:
            violation_add(inspection=inspection, user=request.user, **fields)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã ghi vi phạm."))
            return redirect(inspection.get_absolute_url() + "#violations")
    return render(request, "inspections/violation_form.html", {"form": form, "inspection": inspection})


@action_required("inspections.record")
@require_POST
def violation_remedied_view(request: HttpRequest, pk: int, violation_pk: int) -> HttpResponse:
    inspection = inspection_get(request.user, pk)
    violation = get_object_or_404(Violation.objects.select_related("inspection__center"), pk=violation_pk,
                                  inspection=inspection)
    form = RemediedForm(request.POST)
    if form.is_valid():
        try:
            violation_remedied(violation=violation, user=request.user, on=form.cleaned_data["remedied_on"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi nhận vi phạm được khắc phục."))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect(inspection.get_absolute_url() + "#violations")


@action_required("inspections.record")
@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_get(request.user, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            inspection_follow_up_add(inspection=inspection, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi nội dung theo dõi."))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect(inspection.get_absolute_url() + "#follow-up")


@action_required("inspections.view")
def inspection_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspection record (biên bản kiểm tra) in the state format."""
    inspection = inspection_get(request.user, pk)
    content = render_pdf("pdf/inspection_record.html", inspection_record_context(inspection))
    return private_download(content, inspection_record_filename(inspection), content_type=PDF_CONTENT_TYPE, inline=True)
