"""Tasks of a draft directive: add, edit, delete, assign (divisions, communes, centers one
by one or a selection by kinds and commune), remove an assignee; and the centers'
autocomplete of the assign form. Every step is refused once the directive is issued
(conferences.services), with the service's message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from accounts.permissions import ActionRequiredMixin, action_required
from centers.selectors import centers_visible_to, search_q
from edu_portal.concurrency import edit_conflict_response
from edu_portal.params import parse_int
from edu_portal.views import add_errors

from ..forms import TaskAssignForm, TaskForm
from ..models import Directive, Task
from ..selectors import (
    assignment_list,
    assignments_visible_to,
    directive_get,
    directives_visible_to,
)
from ..services import task_assign, task_save
from ..services.directives import refuse_if_issued, require_editor
from ..services.tasks import ACTIVE_STATUSES, assignment_remove, task_delete

AUTOCOMPLETE_LIMIT = 20


def _task(user, pk: int) -> Task:
    """A task of a directive the user sees, or 404."""
    return get_object_or_404(
        Task.objects.select_related("directive", "report_type").filter(directive__in=directives_visible_to(user)),
        pk=pk,
    )


def _editable(request: HttpRequest, directive: Directive) -> HttpResponse | None:
    """403 for anyone but the directive's Department; the issued-directive message and a
    redirect when it is issued; None when the draft may be changed."""
    require_editor(request.user, directive)
    try:
        refuse_if_issued(directive)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(directive)
    return None


def _tasks_url(directive: Directive) -> str:
    return directive.get_absolute_url() + "#tasks"


class TaskEditMixin(ActionRequiredMixin, View):
    action = "directives.edit"
    template_name = "conferences/task_form.html"

    def load_objects(self, request, *args, **kwargs):
        self.load(request, **kwargs)
        refused = _editable(request, self.directive)
        if refused is not None:
            return refused

    def render(self, form):
        return render(self.request, self.template_name, {"form": form, "directive": self.directive,
                                                         "task": self.task})

    def get(self, request, *args, **kwargs):
        return self.render(TaskForm(instance=self.task, directive=self.directive))

    def post(self, request, *args, **kwargs):
        form = TaskForm(request.POST, instance=self.task, directive=self.directive)
        if form.is_valid():
            try:
                task = task_save(task=form.instance, user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu nhiệm vụ %(number)s.") % {"number": task.number})
                if "assign" in request.POST:
                    return redirect("conferences:task_assign", pk=task.pk)
                return redirect(_tasks_url(self.directive))
        if form.edit_conflict is not None:
            return edit_conflict_response(self.render(form.conflict_form()))
        return self.render(form)


class TaskCreateView(TaskEditMixin):
    def load(self, request, pk):
        self.directive = directive_get(request.user, pk)
        self.task = Task(directive=self.directive)


class TaskUpdateView(TaskEditMixin):
    def load(self, request, pk):
        self.task = _task(request.user, pk)
        self.directive = self.task.directive


@action_required("directives.edit")
@require_POST
def task_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request.user, pk)
    refused = _editable(request, task.directive)
    if refused is not None:
        return refused
    task_delete(task=task, user=request.user)
    messages.success(request, _("Đã xóa nhiệm vụ %(number)s.") % {"number": task.number})
    return redirect(_tasks_url(task.directive))


class TaskAssignView(ActionRequiredMixin, View):
    """Who the task goes to, with the assignees already chosen (each removable)."""
    action = "directives.edit"

    template_name = "conferences/task_assign.html"

    def load_objects(self, request, *args, **kwargs):
        self.task = _task(request.user, kwargs["pk"])
        self.directive = self.task.directive
        refused = _editable(request, self.directive)
        if refused is not None:
            return refused

    def get_form(self, data=None):
        url = reverse("conferences:center_autocomplete") + f"?directive={self.directive.pk}"
        return TaskAssignForm(data, directive=self.directive, autocomplete_url=url)

    def render(self, form):
        assignments = assignment_list(assignments_visible_to(self.request.user).filter(task=self.task))
        return render(self.request, self.template_name, {
            "form": form, "task": self.task, "directive": self.directive, "assignments": assignments,
        })

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = task_assign(task=self.task, user=request.user, divisions=list(data["divisions"]),
                                    communes=list(data["communes"]), centers=list(data["centers"]),
                                    selection=data["selection"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                if added:
                    messages.success(request, _("Đã giao nhiệm vụ cho %(n)s đơn vị.") % {"n": added})
                else:
                    messages.info(request, _("Các đơn vị đã chọn đều đã được giao nhiệm vụ này."))
                return redirect("conferences:task_assign", pk=self.task.pk)
        return self.render(form)


@action_required("directives.edit")
@require_POST
def assignment_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        assignments_visible_to(request.user).select_related("task__directive", "center", "commune", "division"),
        pk=pk,
    )
    refused = _editable(request, assignment.task.directive)
    if refused is not None:
        return refused
    assignment_remove(assignment=assignment, user=request.user)
    messages.success(request, _("Đã bỏ giao nhiệm vụ cho %(unit)s.") % {"unit": assignment.assignee_name})
    return redirect("conferences:task_assign", pk=assignment.task_id)


@action_required("directives.edit")
def center_autocomplete(request: HttpRequest) -> JsonResponse:
    """Centers of the user's province for the assign form: folded search on name, code,
    address; active ones only (the others cannot act on a task)."""
    term = request.GET.get("q", "").strip()
    directive_id = parse_int(request.GET.get("directive"))
    centers = centers_visible_to(request.user)
    if directive_id is not None:
        # The directive's province (a superuser sees every province's centers).
        directive = get_object_or_404(directives_visible_to(request.user), pk=directive_id)
        centers = centers.filter(province_id=directive.province_id)
    results = []
    if term:
        centers = (
            centers.filter(search_q(term), status__in=ACTIVE_STATUSES)
            .select_related("commune").order_by("name")[:AUTOCOMPLETE_LIMIT]
        )
        results = [{"id": c.pk, "text": f"{c.name} ({c.code})", "commune": c.commune.name if c.commune else ""}
                   for c in centers]
    return JsonResponse({"results": results})

