"""Following the tasks: "Nhiệm vụ" (every role's list of the assignments it sees), one
assignment with its progress history, the assignee's progress reports with evidence, the
issuer's acceptance or reopening, the evidence files, and a unit's page (a center, a
commune with its centers, a division) with its follow-up summary.

Every object comes from conferences.selectors (another center's assignment, a draft's,
another province's: 404); who may report or review is conferences.services (403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from accounts.models import User
from accounts.permissions import ActionRequiredMixin, action_required, may, require
from centers.selectors import center_get
from edu_portal.files import UploadLimit, content_type_for, private_download
from edu_portal.views import ScopedFilterView, add_errors
from reports.models import Obligation

from ..choices import AssignmentStatus, FollowUp
from ..filters import AssignmentFilterSet
from ..forms import ProgressForm, ReopenForm
from ..models import Evidence, TaskAssignment
from ..selectors import (
    assignment_get,
    assignment_list,
    assignment_scope_q,
    commune_get,
    division_get,
    follow_up_summary,
    issued_assignments_visible_to,
    unit_assignments,
)
from ..services import assignment_accept, assignment_reopen, progress_report
from ..validators import EVIDENCE_MAX_MB, PHOTO_TYPES

# Lists


class AssignmentListBase(ActionRequiredMixin, ScopedFilterView):
    action = "assignments.view"
    filterset_class = AssignmentFilterSet
    paginate_by = 50
    context_object_name = "assignments"

    def assignments(self):
        raise NotImplementedError

    def get_queryset(self):
        return assignment_list(self.assignments())

    def hide_assignee(self) -> bool:
        """A director's tasks are all their center's: no assignee column."""
        user = self.request.user
        return user.role == User.Role.DIRECTOR and not user.is_superuser

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            summary=follow_up_summary(self.assignments()), hide_assignee=self.hide_assignee(), **kwargs,
        )


class AssignmentListView(AssignmentListBase):
    """"Nhiệm vụ": a director's tasks, a local officer's commune and centers', the
    Department's and inspectors' whole province; issued directives only."""

    template_name = "conferences/assignment_list.html"

    def assignments(self):
        return issued_assignments_visible_to(self.request.user)


class UnitAssignmentsView(AssignmentListBase):
    """One unit's tasks and follow-up; the unit comes from the user's scope (404)."""

    template_name = "conferences/unit_detail.html"
    unit_kind = ""

    def load_objects(self, request, *args, **kwargs):
        self.unit = self.get_unit(request.user, kwargs["pk"])

    def assignments(self):
        return unit_assignments(self.request.user, **{self.unit_kind: self.unit})

    def hide_assignee(self) -> bool:
        return self.unit_kind != "commune"

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, unit_kind=self.unit_kind, **kwargs)


class CenterAssignmentsView(UnitAssignmentsView):
    unit_kind = "center"

    def get_unit(self, user, pk):
        return center_get(user, pk)


class CommuneAssignmentsView(UnitAssignmentsView):
    unit_kind = "commune"

    def get_unit(self, user, pk):
        return commune_get(user, pk)


class DivisionAssignmentsView(UnitAssignmentsView):
    action = "assignments.division"
    unit_kind = "division"

    def get_unit(self, user, pk):
        return division_get(user, pk)


# One assignment


def _detail_context(request: HttpRequest, assignment: TaskAssignment, *, progress_form=None, reopen_form=None):
    user = request.user
    task = assignment.task
    can_report = may(user, "assignments.report", assignment) and assignment.status != AssignmentStatus.ACCEPTED
    can_review = may(user, "assignments.review", assignment)
    obligation = None
    if task.report_period_id and assignment.center_id:
        obligation = Obligation.objects.filter(period_id=task.report_period_id, center_id=assignment.center_id).first()
    return {
        "assignment": assignment,
        "task": task,
        "directive": task.directive,
        "progress_reports": assignment.progress_reports.select_related("author").prefetch_related("evidence"),
        "can_report": can_report,
        "can_review": can_review,
        "progress_form": (progress_form or ProgressForm()) if can_report else None,
        "reopen_form": (reopen_form or ReopenForm()) if can_review else None,
        "obligation": obligation,
        "follow_up_badge": FollowUp.badge(assignment.follow_up),
        "follow_up_label": FollowUp(assignment.follow_up).label,
    }


class AssignmentDetailView(ActionRequiredMixin, DetailView):
    action = "assignments.view"
    template_name = "conferences/assignment_detail.html"
    context_object_name = "assignment"

    def get_object(self, queryset=None):
        return assignment_get(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_detail_context(self.request, self.object)}


def _render_detail(request, assignment, **forms) -> HttpResponse:
    return render(request, "conferences/assignment_detail.html", _detail_context(request, assignment, **forms))


@action_required("assignments.report")
@csrf_exempt
@require_POST
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A progress report with evidence. The size limit is installed before anything reads
    the body, so the CSRF check (which reads it) runs right after, as for reports."""
    assignment = assignment_get(request.user, pk)
    require(request.user, "assignments.report", assignment)
    limit = UploadLimit(request, EVIDENCE_MAX_MB * 1024 * 1024)
    request.upload_handlers.insert(0, limit)
    return csrf_protect(_progress_create)(request, assignment, limit)


def _progress_create(request: HttpRequest, assignment: TaskAssignment, limit: UploadLimit) -> HttpResponse:
    form = ProgressForm(request.POST, request.FILES)
    if limit.exceeded:
        form.add_error("files", _("Có tệp lớn hơn giới hạn %(limit)s MB: không tệp nào được lưu.") % {
            "limit": EVIDENCE_MAX_MB,
        })
    elif form.is_valid():
        data = form.cleaned_data
        try:
            progress = progress_report(
                assignment=assignment, user=request.user, note=data["note"], files=data["files"],
                marks_done=data["marks_done"], idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if progress.marks_done:
                messages.success(request, _("Đã báo hoàn thành nhiệm vụ; Sở sẽ xác nhận."))
            else:
                messages.success(request, _("Đã gửi báo cáo tiến độ."))
            return redirect("conferences:assignment_detail", pk=assignment.pk)
    return _render_detail(request, assignment, progress_form=form)


@action_required("assignments.review")
@require_POST
def assignment_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_get(request.user, pk)
    try:
        assignment_accept(assignment=assignment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xác nhận hoàn thành: %(unit)s.") % {"unit": assignment.assignee_name})
    return redirect("conferences:assignment_detail", pk=assignment.pk)


@action_required("assignments.review")
@require_POST
def assignment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_get(request.user, pk)
    require(request.user, "assignments.review", assignment)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            assignment_reopen(assignment=assignment, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("conferences:assignment_detail", pk=assignment.pk)
        else:
            messages.success(request, _("Đã yêu cầu %(unit)s thực hiện lại.") % {"unit": assignment.assignee_name})
            return redirect("conferences:assignment_detail", pk=assignment.pk)
    return _render_detail(request, assignment, reopen_form=form)


@action_required("assignments.view")
def evidence_download(request: HttpRequest, pk: int):
    """An evidence file, for those who see its assignment (served from private MEDIA_ROOT)."""
    evidence = get_object_or_404(Evidence.objects.filter(assignment_scope_q(request.user, "progress__assignment__")),
                                 pk=pk)
    # ?inline=1 shows a photo in the page (its thumbnail); other types stay downloads.
    return private_download(evidence.file, evidence.original_name, content_type=content_type_for(evidence.file_type),
                            inline=evidence.file_type in PHOTO_TYPES and request.GET.get("inline") == "1")
