"""Notices to the assignees of directive tasks: a task assigned (when its directive is
issued: every assignment of every task at once, in a fixed number of queries) and a
task's progress reopened by the issuer. Recipients: a center's director accounts and
its registered address, a commune's officers, a division's staff; once each, through
notifications.notices_send, in the service's transaction (the e-mails leave on commit)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.selectors import unit_people
from notifications.services import Notice, notices_send

from ..choices import AssigneeKind
from ..models import Directive, TaskAssignment


def assigned_notice_key(assignment_id: int) -> str:
    return f"notice:task-assigned:{assignment_id}"


def reopened_notice_key(assignment_id: int, occasion: int) -> str:
    return f"notice:task-reopened:{assignment_id}:{occasion}"


def _recipients(assignments: list[TaskAssignment]):
    """For each assignment, (accounts, extra addresses), loaded for all in three queries."""
    people = unit_people(
        center_ids={a.center_id for a in assignments if a.center_id},
        commune_ids={a.commune_id for a in assignments if a.commune_id},
        division_ids={a.division_id for a in assignments if a.division_id},
    )

    def of(assignment: TaskAssignment):
        if assignment.kind == AssigneeKind.CENTER:
            return people.centers[assignment.center_id], [assignment.center.email] if assignment.center.email else []
        if assignment.kind == AssigneeKind.COMMUNE:
            return people.communes[assignment.commune_id], []
        return people.divisions[assignment.division_id], []

    return of


def _task_lines(assignment: TaskAssignment) -> list[str]:
    task = assignment.task
    directive = task.directive
    return [
        _("Đơn vị: %(unit)s") % {"unit": assignment.assignee_name},
        _("Văn bản: %(directive)s ngày %(date)s - %(subject)s") % {
            "directive": directive.number_text, "date": directive.issued_on.strftime("%d/%m/%Y"),
            "subject": directive.subject,
        },
        _("Nhiệm vụ %(number)s: %(text)s") % {"number": task.number, "text": task.text[:500]},
        _("Thời hạn: %(deadline)s") % {"deadline": task.deadline.strftime("%d/%m/%Y")},
    ]


def _link(assignment: TaskAssignment) -> str:
    return reverse("conferences:assignment_detail", args=[assignment.pk])


def notices_tasks_assigned(*, directive: Directive) -> int:
    """Tell every assignee of an issued directive's tasks what it has to do and by when.
    Returns how many notices were recorded (none twice)."""
    assignments = list(
        TaskAssignment.objects.filter(task__directive=directive)
        .select_related("task__directive", "center", "commune", "division").order_by("pk")
    )
    recipients = _recipients(assignments)
    notices = []
    with translation.override(settings.LANGUAGE_CODE):
        for assignment in assignments:
            users, addresses = recipients(assignment)
            task = assignment.task
            notices.append(Notice(
                key=assigned_notice_key(assignment.pk), users=users, addresses=addresses,
                subject=_("[Nhiệm vụ mới] Nhiệm vụ %(number)s theo %(directive)s, hạn %(deadline)s") % {
                    "number": task.number, "directive": task.directive.number_text,
                    "deadline": task.deadline.strftime("%d/%m/%Y"),
                },
                body="\n".join([
                    *_task_lines(assignment),
                    _("Vui lòng đăng nhập cổng thông tin để xem nhiệm vụ và báo cáo tiến độ."),
                ]),
                link=_link(assignment),
            ))
    return notices_send(notices)


def notice_task_reopened(*, assignment: TaskAssignment, occasion: int) -> bool:
    """The issuer sent a reported completion back, with why. `occasion` tells one
    reopening from the next (the completion report sent back)."""
    assignment = TaskAssignment.objects.select_related("task__directive", "center", "commune", "division").get(
        pk=assignment.pk,
    )
    users, addresses = _recipients([assignment])(assignment)
    task = assignment.task
    with translation.override(settings.LANGUAGE_CODE):
        notice = Notice(
            key=reopened_notice_key(assignment.pk, occasion), users=users, addresses=addresses,
            subject=_("[Yêu cầu thực hiện lại] Nhiệm vụ %(number)s theo %(directive)s") % {
                "number": task.number, "directive": task.directive.number_text,
            },
            body="\n".join([
                *_task_lines(assignment),
                _("Sở GDĐT chưa xác nhận hoàn thành và yêu cầu thực hiện lại."),
                _("Lý do: %(note)s") % {"note": assignment.reopen_note},
                _("Vui lòng đăng nhập cổng thông tin để xem và báo cáo lại tiến độ."),
            ]),
            link=_link(assignment),
        )
    return notices_send([notice]) == 1
