"""Read paths of conferences, directives and tasks, with who may see what.

- Department staff: everything of their province, drafts included.
- Inspectors: their province's conferences and issued directives.
- Local officers: issued directives with a task for their commune or one of its centers.
- Directors: issued directives with a task for their center, and only those tasks.
Drafts are the Department's own: nobody else sees one (404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from centers.selectors import search_q
from geo.collation import vi

from .choices import DirectiveStatus, FollowUp
from .models import Conference, Directive, TaskAssignment


def _province_role(user) -> bool:
    return user.role in (User.Role.DEPARTMENT, User.Role.INSPECTOR) and bool(user.province_id)


def assignment_scope_q(user, prefix: str = "") -> Q:
    """Assignments the user may see, as a filter on TaskAssignment (or through `prefix`)."""
    nothing = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return nothing
    issued = Q(**{f"{prefix}task__directive__status": DirectiveStatus.ISSUED})
    if user.is_superuser:
        return Q()
    # As centers.selectors.scope_q: an account whose access ended sees nothing.
    if user.access_ended():
        return nothing
    if user.role == User.Role.DEPARTMENT and user.province_id:
        return Q(**{f"{prefix}task__directive__province_id": user.province_id})
    if user.role == User.Role.INSPECTOR and user.province_id:
        return issued & Q(**{f"{prefix}task__directive__province_id": user.province_id})
    if user.role == User.Role.LOCAL_OFFICER and user.commune_id:
        return issued & (Q(**{f"{prefix}commune_id": user.commune_id})
                         | Q(**{f"{prefix}center__commune_id": user.commune_id}))
    if user.role == User.Role.DIRECTOR and user.center_id:
        return issued & Q(**{f"{prefix}center_id": user.center_id})
    return nothing


def assignments_visible_to(user) -> QuerySet[TaskAssignment]:
    return TaskAssignment.objects.filter(assignment_scope_q(user))


def directives_visible_to(user) -> QuerySet[Directive]:
    if not getattr(user, "is_authenticated", False):
        return Directive.objects.none()
    if user.is_superuser:
        return Directive.objects.all()
    if user.role == User.Role.DEPARTMENT and user.province_id:
        return Directive.objects.filter(province_id=user.province_id)
    if user.role == User.Role.INSPECTOR and user.province_id:
        return Directive.objects.filter(province_id=user.province_id, status=DirectiveStatus.ISSUED)
    if user.role in (User.Role.LOCAL_OFFICER, User.Role.DIRECTOR):
        mine = TaskAssignment.objects.filter(assignment_scope_q(user), task__directive=OuterRef("pk"))
        return Directive.objects.filter(Exists(mine), status=DirectiveStatus.ISSUED)
    return Directive.objects.none()


def directive_list(user, *, today: datetime.date | None = None) -> QuerySet[Directive]:
    """The list: follow-up counts of the assignments the user sees, in one query."""
    # Meta.ordering is not applied to a query with GROUP BY: ordered explicitly.
    return with_follow_up_counts(
        directives_visible_to(user).select_related("conference", "replaces"), user, today=today,
    ).order_by(*Directive._meta.ordering)


def directive_get(user, pk: int) -> Directive:
    return get_object_or_404(
        directives_visible_to(user).select_related("conference", "drafting_division", "replaces", "province"), pk=pk,
    )


def conferences_visible_to(user) -> QuerySet[Conference]:
    """Conferences are the Department's record: its staff and inspectors see them."""
    if not getattr(user, "is_authenticated", False):
        return Conference.objects.none()
    if user.is_superuser:
        return Conference.objects.all()
    if _province_role(user):
        return Conference.objects.filter(province_id=user.province_id)
    return Conference.objects.none()


def conference_get(user, pk: int) -> Conference:
    return get_object_or_404(conferences_visible_to(user).select_related("province"), pk=pk)


def conference_search(queryset: QuerySet[Conference], text: str) -> QuerySet[Conference]:
    return queryset.filter(search_q(text)) if text.strip() else queryset


# Follow-up: done on time, done late, open, overdue (derived from dates, never stored).

def follow_up_q(state: str, today: datetime.date, prefix: str = "") -> Q:
    completed = Q(**{f"{prefix}completed_on__isnull": False})
    deadline = f"{prefix}task__deadline"
    on_time = completed & Q(**{f"{prefix}completed_on__lte": F(deadline)})
    return {
        FollowUp.DONE_ON_TIME: on_time,
        FollowUp.DONE_LATE: completed & ~on_time,
        FollowUp.OVERDUE: ~completed & Q(**{f"{deadline}__lt": today}),
        FollowUp.OPEN: ~completed & Q(**{f"{deadline}__gte": today}),
    }[state]


def with_follow_up(queryset: QuerySet[TaskAssignment], today: datetime.date | None = None) -> QuerySet[TaskAssignment]:
    today = today or timezone.localdate()
    return queryset.annotate(
        follow_up=Case(*(When(follow_up_q(s, today), then=Value(s.value)) for s in FollowUp),
                       default=Value(FollowUp.OPEN.value)),
    )


def follow_up_aggregates(today: datetime.date, prefix: str = "", extra: Q | None = None) -> dict:
    """Count() expressions of each follow-up state (and the total), for annotate/aggregate."""
    lookup = f"{prefix}pk" if prefix else "pk"
    extra = extra if extra is not None else Q()
    counts = {
        f"n_{state.value}": Count(lookup, filter=follow_up_q(state, today, prefix) & extra, distinct=bool(prefix))
        for state in FollowUp
    }
    counts["n_total"] = Count(lookup, filter=extra, distinct=bool(prefix)) if prefix else Count(lookup, filter=extra)
    counts["n_waiting"] = Count(lookup, filter=Q(**{f"{prefix}status": "done"}) & extra, distinct=bool(prefix))
    return counts


def with_follow_up_counts(queryset: QuerySet[Directive], user, today: datetime.date | None = None) -> QuerySet:
    """Annotate each directive with the follow-up counts of the assignments the user sees."""
    today = today or timezone.localdate()
    return queryset.annotate(**follow_up_aggregates(
        today, prefix="tasks__assignments__", extra=assignment_scope_q(user, "tasks__assignments__"),
    ))


@dataclass
class FollowUpSummary:
    total: int
    done_on_time: int
    done_late: int
    open: int
    overdue: int
    waiting: int

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def done_percent(self) -> float | None:
        return round(100 * self.done / self.total, 1) if self.total else None


def follow_up_summary(assignments: QuerySet[TaskAssignment], today: datetime.date | None = None) -> FollowUpSummary:
    today = today or timezone.localdate()
    row = assignments.aggregate(**follow_up_aggregates(today))
    return FollowUpSummary(
        total=row["n_total"], done_on_time=row["n_done_on_time"], done_late=row["n_done_late"], open=row["n_open"],
        overdue=row["n_overdue"], waiting=row["n_waiting"],
    )


def assignment_list(queryset: QuerySet[TaskAssignment], today: datetime.date | None = None) -> QuerySet[TaskAssignment]:
    """Assignments with what a row shows: the task, its directive and the assignee."""
    return with_follow_up(
        queryset.select_related("task__directive", "center__commune", "commune", "division"), today,
    ).order_by(
        "task__deadline", "task__directive_id", "task__number", "kind",
        # Within a task, its assignees in Vietnamese order of their names.
        vi(Coalesce("center__name", "commune__name", "division__name")), "id",
    )


def assignment_get(user, pk: int) -> TaskAssignment:
    return get_object_or_404(
        assignment_list(assignments_visible_to(user)).select_related("task__report_type", "task__report_period",
                                                                     "accepted_by"),
        pk=pk,
    )


# Pages of the web UI: the tasks to follow, a unit's tasks, the center page's panel.

def issued_assignments_visible_to(user) -> QuerySet[TaskAssignment]:
    """The tasks to follow: assignments of issued directives (a draft's are not tasks yet)."""
    return assignments_visible_to(user).filter(task__directive__status=DirectiveStatus.ISSUED)


def commune_get(user, pk: int):
    """A commune's task page: the province's staff and inspectors, or the commune's own
    officer; anyone else (and another province) gets a 404."""
    from geo.models import AdministrativeUnit

    communes = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
    if not getattr(user, "is_authenticated", False):
        communes = communes.none()
    elif user.is_superuser:
        pass
    elif _province_role(user):
        communes = communes.filter(parent_id=user.province_id)
    elif user.role == User.Role.LOCAL_OFFICER and user.commune_id:
        communes = communes.filter(pk=user.commune_id)
    else:
        communes = communes.none()
    return get_object_or_404(communes.select_related("parent"), pk=pk)


def division_get(user, pk: int):
    """A division's task page: the province's staff and inspectors only."""
    from accounts.models import Division

    divisions = Division.objects.all()
    if not getattr(user, "is_authenticated", False):
        divisions = divisions.none()
    elif not user.is_superuser:
        divisions = divisions.filter(province_id=user.province_id) if _province_role(user) else divisions.none()
    return get_object_or_404(divisions, pk=pk)


def unit_assignments(user, *, center=None, commune=None, division=None) -> QuerySet[TaskAssignment]:
    """A unit's tasks as the user may see them; a commune's include its centers'."""
    assignments = issued_assignments_visible_to(user)
    if center is not None:
        return assignments.filter(center=center)
    if commune is not None:
        return assignments.filter(Q(commune=commune) | Q(center__commune=commune))
    return assignments.filter(division=division)


@dataclass
class CenterTasks:
    summary: FollowUpSummary
    pending: list


def center_tasks(user, center, *, limit: int = 5, today: datetime.date | None = None) -> CenterTasks:
    """The center page's panel: follow-up counts and the first open or overdue tasks
    (earliest deadline first), in two queries."""
    assignments = unit_assignments(user, center=center)
    return CenterTasks(
        summary=follow_up_summary(assignments, today),
        pending=list(assignment_list(assignments.filter(completed_on__isnull=True), today)[:limit]),
    )
