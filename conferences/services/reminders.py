"""Deadline reminders for directive tasks, on the reports' machinery and steps: 7 and 3
days before the deadline, on it, 1 day after and 7 days after (with a copy to whoever
issued the directive). One notifications.Dispatch row per (assignment, step) makes each
step go out once, whatever the sweeps, worker restarts or broker outages."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.core.mail import get_connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import users_with_access
from notifications.models import Dispatch
from notifications.services import (
    ESCALATION_STEP,
    MARK_SENT_EVERY,
    STEPS,
    SweepResult,
    dispatch_cancel,
    dispatch_deliver,
    dispatches_mark_sent,
    reminders_claim,
)

from ..choices import AssigneeKind, AssignmentStatus, DirectiveStatus
from ..models import TaskAssignment

KEY_PREFIX = "assignment"


def reminder_key(assignment_id: int, step: str) -> str:
    return f"{KEY_PREFIX}:{assignment_id}:{step}"


def parse_key(key: str) -> tuple[int, str]:
    _prefix, assignment_id, step = key.split(":")
    return int(assignment_id), step


def _candidates(today: datetime.date):
    # Open assignments of issued directives whose deadline is within the steps' span.
    low, high = today - datetime.timedelta(days=7), today + datetime.timedelta(days=7)
    return (
        TaskAssignment.objects.filter(
            status=AssignmentStatus.OPEN, task__directive__status=DirectiveStatus.ISSUED,
            task__deadline__range=(low, high),
        )
        .select_related("task__directive", "center", "commune", "division")
        .order_by("pk")
    )


def task_reminders_sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> SweepResult:
    """Claim the latest due step of every open assignment that needs one; queue delivery."""
    today = today or timezone.localdate()
    candidates = ((a, a.task.deadline) for a in _candidates(today).iterator(chunk_size=2000))
    return reminders_claim(candidates, today=today, key=reminder_key, queue=_queue, dry_run=dry_run)


def _queue(dispatch_ids: list[int]) -> None:
    from ..tasks import task_reminders_send_task

    try:
        task_reminders_send_task.delay(dispatch_ids)
    except Exception:
        # Redis is down: the claims' leases run out and the next sweep takes them again.
        logging.getLogger(__name__).exception("Could not queue %d task reminders", len(dispatch_ids))


def _recipients(assignments: list[TaskAssignment]) -> dict[str, dict]:
    """The assignee's people, loaded once per batch: a center's director, a commune's
    officers, a division's staff."""
    active = users_with_access()
    people: dict[str, dict] = {"center": defaultdict(list), "commune": defaultdict(list),
                               "division": defaultdict(list)}
    centers = {a.center_id for a in assignments if a.center_id}
    communes = {a.commune_id for a in assignments if a.commune_id}
    divisions = {a.division_id for a in assignments if a.division_id}
    for user in active.filter(role=User.Role.DIRECTOR, center_id__in=centers):
        people["center"][user.center_id].append(user)
    for user in active.filter(role=User.Role.LOCAL_OFFICER, commune_id__in=communes):
        people["commune"][user.commune_id].append(user)
    for user in active.filter(role__in=(User.Role.DEPARTMENT, User.Role.INSPECTOR), division_id__in=divisions):
        people["division"][user.division_id].append(user)
    issuers = {a.task.directive.issued_by_id for a in assignments}
    people["issuer"] = {u.pk: u for u in active.filter(pk__in=issuers)}
    return people


def _message(assignment: TaskAssignment, step: str) -> tuple[str, str, str]:
    task = assignment.task
    days = -dict(STEPS)[step]
    if days > 0:
        when = _("còn %(days)d ngày nữa đến hạn") % {"days": days}
    elif days == 0:
        when = _("hôm nay là hạn hoàn thành")
    else:
        when = _("đã quá hạn %(days)d ngày") % {"days": -days}
    subject = _("[Nhắc việc] Nhiệm vụ %(number)s theo %(directive)s: %(when)s") % {
        "number": task.number, "directive": task.directive.number_text, "when": when,
    }
    body = _(
        "Đơn vị: %(unit)s\nVăn bản: %(directive)s - %(subject)s\nNhiệm vụ %(number)s: %(text)s\nThời hạn: %(deadline)s\n"
        "Vui lòng đăng nhập cổng thông tin để báo cáo tiến độ."
    ) % {
        "unit": assignment.assignee_name, "directive": task.directive.number_text, "subject": task.directive.subject,
        "number": task.number, "text": task.text[:300], "deadline": task.deadline.strftime("%d/%m/%Y"),
    }
    # A portal path: the bell keeps it relative, the e-mail gets PORTAL_URL in front.
    link = reverse("conferences:assignment_detail", args=[assignment.pk])
    return subject, body, link


def task_reminders_deliver(dispatch_ids: list[int]) -> int:
    """Deliver a batch of claimed steps over one SMTP connection; returns how many went out."""
    dispatches = list(Dispatch.objects.filter(pk__in=dispatch_ids, status=Dispatch.Status.CLAIMED))
    by_assignment = {parse_key(d.key)[0]: d for d in dispatches}
    assignments = list(
        TaskAssignment.objects.filter(pk__in=by_assignment).select_related("task__directive", "center", "commune",
                                                                          "division")
    )
    people = _recipients(assignments)
    delivered, sent = 0, []
    with get_connection() as connection:
        try:
            for assignment in assignments:
                dispatch = by_assignment[assignment.pk]
                _id, step = parse_key(dispatch.key)
                if assignment.status != AssignmentStatus.OPEN:
                    dispatch_cancel(dispatch, detail="reported done before delivery")
                    continue
                kind = assignment.kind
                unit_id = {AssigneeKind.CENTER: assignment.center_id, AssigneeKind.COMMUNE: assignment.commune_id,
                           AssigneeKind.DIVISION: assignment.division_id}[kind]
                recipients = list(people[kind][unit_id])
                if step == ESCALATION_STEP:
                    recipients.append(people["issuer"].get(assignment.task.directive.issued_by_id))
                subject, body, link = _message(assignment, step)
                # A center's registered address too (it may have no account yet).
                addresses = [assignment.center.email] if kind == AssigneeKind.CENTER else []
                delivered += dispatch_deliver(dispatch, recipients=recipients, subject=subject, body=body, link=link,
                                              addresses=addresses, connection=connection, sent=sent)
                if len(sent) >= MARK_SENT_EVERY:
                    dispatches_mark_sent(sent)
                    sent.clear()
        finally:
            dispatches_mark_sent(sent)
    return delivered
