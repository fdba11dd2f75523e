"""Directive pages: the list, one directive with its tasks and their follow-up, the draft
form, and the one-way steps: issue (a number from the register), correct (a new draft
that replaces it), delete a draft.

Scope first (conferences.selectors: a draft is the Department's own, 404 for anyone
else), then the role (conferences.services: only the Department's staff write, 403),
then the rule (an issued directive is never changed: a message, nothing stored).
"""

from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from accounts.permissions import ActionRequiredMixin, action_required, may
from edu_portal.concurrency import edit_conflict_response
from edu_portal.params import parse_int
from edu_portal.views import ScopedFilterView, add_errors

from ..choices import DirectiveStatus, DirectiveType
from ..filters import DirectiveFilterSet
from ..forms import ArticleFormSet, DirectiveForm, DirectiveIssueForm
from ..lines import entries
from ..models import Directive, DirectiveRegister
from ..selectors import (
    assignment_list,
    assignments_visible_to,
    conferences_visible_to,
    directive_get,
    directive_list,
    directives_visible_to,
    follow_up_summary,
)
from ..services import directive_correct, directive_issue, directive_save
from ..services.directives import (
    directive_articles_save,
    directive_delete,
    refuse_if_issued,
    require_editor,
)
from ..services.registers import register_latest


def _refused(request: HttpRequest, directive: Directive) -> HttpResponse | None:
    """The issued-directive rule of the service, as a message and a way back."""
    try:
        refuse_if_issued(directive)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(directive)
    return None


class DirectiveListView(ActionRequiredMixin, ScopedFilterView):
    """Every directive the user sees with the follow-up of the assignments they see, in a
    fixed number of queries."""
    action = "directives.view"

    filterset_class = DirectiveFilterSet
    template_name = "conferences/directive_list.html"
    paginate_by = 30
    context_object_name = "directives"

    def get_queryset(self):
        return directive_list(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=may(self.request.user, "directives.edit"),
                                         can_read_registers=may(self.request.user, "registers.view"), **kwargs)


def task_groups(tasks, assignments, *, all_tasks: bool) -> list[dict]:
    """Tasks under their group headings, in number order, each with the assignments the
    user sees (already annotated with their follow-up state). Without `all_tasks` (a
    director, a local officer) only the tasks with one of theirs are shown."""
    by_task: dict[int, list] = {}
    for assignment in assignments:
        by_task.setdefault(assignment.task_id, []).append(assignment)
    groups: OrderedDict[str, list] = OrderedDict()
    for task in tasks:
        task.visible_assignments = by_task.get(task.pk, [])
        if all_tasks or task.visible_assignments:
            groups.setdefault(task.group, []).append(task)
    return [{"name": name, "tasks": items} for name, items in groups.items()]


class DirectiveDetailView(ActionRequiredMixin, DetailView):
    action = "directives.view"
    template_name = "conferences/directive_detail.html"
    context_object_name = "directive"

    def get_object(self, queryset=None):
        return directive_get(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        directive = self.object
        user = self.request.user
        visible = assignments_visible_to(user).filter(task__directive=directive)
        tasks = list(directive.tasks.select_related("report_type", "report_period"))
        editable = not directive.is_issued and may(user, "directives.edit")
        replaced_by = directives_visible_to(user).filter(replaces=directive).first()
        return super().get_context_data(
            task_groups=task_groups(tasks, assignment_list(visible), all_tasks=may(user, "directives.all_tasks")),
            summary=follow_up_summary(visible) if directive.is_issued else None,
            editable=editable,
            can_correct=directive.is_issued and may(user, "directives.edit") and replaced_by is None,
            replaced_by=replaced_by,
            replaces_visible=directive.replaces_id
            and directives_visible_to(user).filter(pk=directive.replaces_id).exists(),
            directive_query=f"directive={directive.pk}",
            can_see_conference=may(user, "conferences.view"),
            status_badge=DirectiveStatus.badge(directive.status),
            can_attach_appendix=may(user, "directives.all_tasks"),
            articles=list(directive.articles.all()) if directive.doc_type == DirectiveType.DECISION else [],
            legal_bases=entries(directive.legal_bases),
            **kwargs,
        )


class DirectiveEditMixin(ActionRequiredMixin, View):
    """The draft form; a quyết định also has its articles as rows (ArticleFormSet),
    saved with it in one transaction. Other types leave the rows alone."""
    action = "directives.edit"

    template_name = "conferences/directive_form.html"

    def render(self, form, articles):
        return render(self.request, self.template_name, {
            "form": form, "articles": articles, "directive": self.directive,
            "decision_type": DirectiveType.DECISION,
        })

    def get_articles(self, data=None):
        initial = [{"text": a.text} for a in self.directive.articles.all()] if self.directive.pk else []
        return ArticleFormSet(data, initial=initial, prefix="articles")

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form(), self.get_articles())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        articles = self.get_articles(request.POST)
        decision = request.POST.get("doc_type") == DirectiveType.DECISION
        # Both validated (a quyết định's rows only): every error shows at once.
        valid = form.is_valid()
        valid = (articles.is_valid() if decision else True) and valid
        if valid:
            try:
                with transaction.atomic():
                    directive = directive_save(directive=form.instance, user=request.user)
                    if decision:
                        directive_articles_save(directive=directive, texts=articles.texts(), user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu dự thảo văn bản."))
                return redirect(directive)
        if form.edit_conflict is not None:
            return edit_conflict_response(self.render(form.conflict_form(), self.get_articles()))
        return self.render(form, articles)


class DirectiveCreateView(DirectiveEditMixin):
    action = "directives.create"
    def load_objects(self, request, *args, **kwargs):
        self.directive = Directive(province_id=request.user.province_id)

    def get_form(self, data=None):
        initial = {}
        conference_id = parse_int(self.request.GET.get("conference"))
        if conference_id is not None:
            conference = conferences_visible_to(self.request.user).filter(pk=conference_id).first()
            if conference is not None:
                initial = {"conference": conference, "doc_type": "thong_bao_ket_luan",
                           "subject": _("Kết luận của %(title)s") % {"title": conference.title}}
        return DirectiveForm(data, instance=self.directive, initial=initial, user=self.request.user)


class DraftMixin:
    """A draft of the user's Department only: an issued directive gets the service's
    refusal and nothing changes; a role that may not edit gets 403."""

    def load_objects(self, request, *args, **kwargs):
        self.directive = directive_get(request.user, kwargs["pk"])
        require_editor(request.user, self.directive)
        refused = _refused(request, self.directive)
        if refused is not None:
            return refused


class DirectiveUpdateView(DraftMixin, DirectiveEditMixin):
    """Edit a draft."""

    def get_form(self, data=None):
        return DirectiveForm(data, instance=self.directive, user=self.request.user)


class DirectiveIssueView(DraftMixin, ActionRequiredMixin, View):
    action = "directives.edit"
    """Confirm, with the date, then issue: the number is taken from the register."""

    template_name = "conferences/directive_issue.html"

    def render(self, form):
        directive = self.directive
        tasks = list(directive.tasks.annotate(n_assignments=Count("assignments")))
        register = DirectiveRegister.objects.filter(province_id=directive.province_id, year=timezone.localdate().year,
                                                    doc_type=directive.doc_type).first()
        return render(self.request, self.template_name, {
            "directive": directive, "form": form, "tasks": tasks,
            "unassigned": [t for t in tasks if not t.n_assignments],
            "register": register, "latest": register_latest(register) if register else None,
        })

    def get(self, request, *args, **kwargs):
        return self.render(DirectiveIssueForm(initial={"issued_on": timezone.localdate()}))

    def post(self, request, *args, **kwargs):
        form = DirectiveIssueForm(request.POST)
        if form.is_valid():
            try:
                directive = directive_issue(directive=self.directive, user=request.user,
                                            issued_on=form.cleaned_data["issued_on"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã ban hành văn bản số %(number)s.") % {"number": directive.number_text})
                return redirect(directive)
        return self.render(form)


@action_required("directives.edit")
@require_POST
def directive_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft that replaces the issued directive (same content, tasks, assignees)."""
    directive = directive_get(request.user, pk)
    require_editor(request.user, directive)
    try:
        copy = directive_correct(directive=directive, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(directive)
    messages.success(request, _("Đã tạo dự thảo văn bản thay thế %(number)s: sửa nội dung rồi ban hành.") % {
        "number": directive.number_text,
    })
    return redirect("conferences:directive_update", pk=copy.pk)


@action_required("directives.edit")
@require_POST
def directive_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    directive = directive_get(request.user, pk)
    require_editor(request.user, directive)
    try:
        directive_delete(directive=directive, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(directive)
    messages.success(request, _("Đã xóa dự thảo «%(subject)s».") % {"subject": directive.subject})
    return redirect(reverse("conferences:directive_list"))
