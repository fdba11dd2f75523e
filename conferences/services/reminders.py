"""Deadline reminders for directive tasks, on the reports' machinery and steps: 7 and 3
days before the deadline, on it, 1 day after and 7 days after; at that last step
whoever issued the directive gets one digest per day listing the units still late, not
one copy per assignment. One notifications.Dispatch row per (assignment, step) makes
each step go out once, whatever the sweeps, worker restarts or broker outages."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import users_with_access
from geo.text import vi_number, vi_sort_key
from notifications.models import Dispatch
from notifications.services import (
    ESCALATION_STEP,
    STEPS,
    Digest,
    Outgoing,
    SweepResult,
    dispatches_deliver,
    portal_link,
    reminders_claim,
)

from ..choices import AssigneeKind, AssignmentStatus, DirectiveStatus
from ..models import TaskAssignment

KEY_PREFIX = "assignment"
# Units listed per task in a digest: in the bell, and in the e-mail (the rest are on the
# directive's page, linked from both).
DIGEST_NOTICE_LINES = 10
DIGEST_MAIL_LINES = 500


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
    return reminders_claim(candidates, today=today, key=reminder_key, queue=_queue, dry_run=dry_run,
                           kind=KEY_PREFIX, escalate=escalation_digests)


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
    return people


def _when(step: str) -> str:
    days = -dict(STEPS)[step]
    if days > 0:
        return _("còn %(days)d ngày nữa đến hạn") % {"days": days}
    if days == 0:
        return _("hôm nay là hạn hoàn thành")
    return _("đã quá hạn %(days)d ngày") % {"days": -days}


def _message(assignment: TaskAssignment, step: str) -> tuple[str, str, str]:
    task = assignment.task
    subject = _("[Nhắc việc] Nhiệm vụ %(number)s theo %(directive)s: %(when)s") % {
        "number": task.number, "directive": task.directive.number_text, "when": _when(step),
    }
    body = _(
        "Đơn vị: %(unit)s\nVăn bản: %(directive)s - %(subject)s\n"
        "Nhiệm vụ %(number)s: %(text)s\nThời hạn: %(deadline)s\n"
        "Vui lòng đăng nhập cổng thông tin để báo cáo tiến độ."
    ) % {
        "unit": assignment.assignee_name, "directive": task.directive.number_text, "subject": task.directive.subject,
        "number": task.number, "text": task.text[:300], "deadline": task.deadline.strftime("%d/%m/%Y"),
    }
    # A portal path: the bell keeps it relative, the e-mail gets PORTAL_URL in front.
    link = reverse("conferences:assignment_detail", args=[assignment.pk])
    return subject, body, link


def _build(dispatches: list[Dispatch]) -> dict[int, Outgoing | str]:
    """Each claimed step's reminder to the assignee's people (the issuer's copy of the
    escalation is a digest, recorded by the sweep)."""
    by_assignment = {parse_key(d.key)[0]: d for d in dispatches}
    assignments = list(
        TaskAssignment.objects.filter(pk__in=by_assignment).select_related("task__directive", "center", "commune",
                                                                          "division")
    )
    people = _recipients(assignments)
    built: dict[int, Outgoing | str] = {}
    for assignment in assignments:
        dispatch = by_assignment[assignment.pk]
        if assignment.status != AssignmentStatus.OPEN:
            built[dispatch.pk] = "reported done before delivery"
            continue
        kind = assignment.kind
        unit_id = {AssigneeKind.CENTER: assignment.center_id, AssigneeKind.COMMUNE: assignment.commune_id,
                   AssigneeKind.DIVISION: assignment.division_id}[kind]
        subject, body, link = _message(assignment, parse_key(dispatch.key)[1])
        # A center's registered address too (it may have no account yet).
        addresses = [assignment.center.email] if kind == AssigneeKind.CENTER else []
        built[dispatch.pk] = Outgoing(recipients=people[kind][unit_id], subject=subject, body=body, link=link,
                                      addresses=addresses)
    return built


def task_reminders_deliver(dispatch_ids: list[int]) -> int:
    """Deliver a batch of claimed steps over one SMTP connection; returns how many went out."""
    return dispatches_deliver(dispatch_ids, build=_build)


# Digests of the escalation step



def escalation_digests(assignments: list[TaskAssignment], today: datetime.date) -> list[Digest]:
    """One digest per issuer of the directives whose assignments reached the escalation
    step, listing those assignees by task."""
    issuers = {u.pk: u for u in users_with_access(today).filter(
        pk__in={a.task.directive.issued_by_id for a in assignments})}
    readers: dict[int, list[TaskAssignment]] = defaultdict(list)
    for assignment in assignments:
        if assignment.task.directive.issued_by_id in issuers:
            readers[assignment.task.directive.issued_by_id].append(assignment)
    return [_digest(issuers[pk], items, today) for pk, items in readers.items()]


def _digest(user: User, assignments: list[TaskAssignment], today: datetime.date) -> Digest:
    days = dict(STEPS)[ESCALATION_STEP]
    tasks = defaultdict(list)
    for assignment in assignments:
        tasks[assignment.task].append(assignment)
    ordered = sorted(tasks.items(), key=lambda pair: (pair[0].deadline, pair[0].directive_id, pair[0].number,
                                                       pair[0].pk))
    subject = _("[Nhắc việc] %(count)s đơn vị chưa hoàn thành nhiệm vụ đã quá hạn %(days)d ngày (%(day)s)") % {
        "count": vi_number(len(assignments)), "days": days, "day": today.strftime("%d/%m/%Y"),
    }
    intro = _(
        "Đến ngày %(day)s, các đơn vị dưới đây vẫn chưa hoàn thành nhiệm vụ của văn bản do anh/chị ban hành "
        "dù đã quá hạn %(days)d ngày (mỗi đơn vị đã được nhắc riêng):"
    ) % {"day": today.strftime("%d/%m/%Y"), "days": days}
    bell, mail = [intro], [intro]
    for task, items in ordered:
        heading = _("Nhiệm vụ %(number)s theo %(directive)s, thời hạn %(deadline)s: %(count)s đơn vị") % {
            "number": task.number, "directive": task.directive.number_text,
            "deadline": task.deadline.strftime("%d/%m/%Y"), "count": vi_number(len(items)),
        }
        lines = [f"- {a.assignee_name}" for a in sorted(items, key=lambda a: (vi_sort_key(a.assignee_name), a.pk))]
        bell += ["", heading, *_capped(lines, DIGEST_NOTICE_LINES)]
        mail += ["", heading, *_capped(lines, DIGEST_MAIL_LINES),
                 _("Theo dõi: %(url)s") % {
                     "url": portal_link(reverse("conferences:directive_detail", args=[task.directive_id]))}]
    directives = {task.directive_id for task in tasks}
    link = reverse("conferences:directive_detail", args=[directives.pop()]) if len(directives) == 1 \
        else reverse("conferences:assignment_list")
    return Digest(user=user, subject=subject, body="\n".join(bell), mail_body="\n".join(mail), link=link)


def _capped(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], _("… và %(more)s đơn vị khác") % {"more": vi_number(len(lines) - limit)}]
