"""Write paths of tasks: defining them in a draft, assigning them (a selection of centers
expands to one assignment per center, in a fixed number of queries), the assignees'
progress reports with evidence, and the issuer's acceptance or reopening."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Division
from accounts.permissions import may
from centers.choices import CenterKind, CenterStatus
from centers.models import Center
from centers.signals import centers_changed_send
from geo.models import AdministrativeUnit
from reports.models import Obligation, ReportPeriod

from ..choices import AssigneeKind, AssignmentStatus
from ..models import Directive, Evidence, Task, TaskAssignment, TaskProgress
from ..validators import EVIDENCE_MAX_MB, EVIDENCE_TYPES, check_file
from .directives import refuse_if_issued, require_editor
from .notices import notice_task_reopened

# Centers that can act on a task: operating, or operating without a licence (they are
# exactly the ones a directive most often targets).
ACTIVE_STATUSES = (CenterStatus.OPERATING, CenterStatus.UNLICENSED)
MAX_EVIDENCE_FILES = 10


def check_deadline(directive: Directive, deadline: datetime.date) -> None:
    start = directive.issued_on or timezone.localdate()
    if deadline < start:
        which = _("ngày của văn bản") if directive.issued_on else _("hôm nay")
        raise ValidationError(
            {"deadline": _("Thời hạn %(deadline)s trước %(which)s (%(start)s).") % {
                "deadline": deadline.strftime("%d/%m/%Y"), "which": which, "start": start.strftime("%d/%m/%Y"),
            }},
            code="deadline",
        )


def task_save(*, task: Task, user) -> Task:
    """Create or change a task of a draft directive."""
    directive = task.directive
    require_editor(user, directive)
    refuse_if_issued(directive)
    if task.number is None:
        last = directive.tasks.order_by("-number").values_list("number", flat=True).first()
        task.number = (last or 0) + 1
    task.full_clean(exclude=["directive"])
    check_deadline(directive, task.deadline)
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        raise ValidationError({"number": _("Văn bản đã có nhiệm vụ số %(n)s.") % {"n": task.number}}) from None
    return task


def task_delete(*, task: Task, user) -> None:
    require_editor(user, task.directive)
    refuse_if_issued(task.directive)
    task.delete()


@dataclass
class CenterSelection:
    """A set of centers of the directive's province: by kinds, optionally in one commune."""

    kinds: list[str] = field(default_factory=list)
    commune: AdministrativeUnit | None = None

    def label(self) -> str:
        kinds = ", ".join(str(CenterKind(k).label).lower() for k in self.kinds) if self.kinds else _("mọi loại hình")
        where = self.commune.full_name if self.commune else _("toàn tỉnh")
        return _("Tất cả %(kinds)s, %(where)s") % {"kinds": kinds, "where": where}

    def centers(self, province_id: int) -> QuerySet[Center]:
        queryset = Center.objects.filter(province_id=province_id, status__in=ACTIVE_STATUSES)
        if self.kinds:
            queryset = queryset.filter(kind__in=self.kinds)
        if self.commune is not None:
            queryset = queryset.filter(commune=self.commune)
        return queryset


@transaction.atomic
def task_assign(*, task: Task, user, divisions: list[Division] = (), communes: list[AdministrativeUnit] = (),
                centers: list[Center] = (), selection: CenterSelection | None = None) -> int:
    """Add assignees to a task of a draft; returns how many were added (existing ones are
    kept). A selection becomes one row per center, whatever its size, in one INSERT."""
    directive = task.directive
    require_editor(user, directive)
    refuse_if_issued(directive)
    province_id = directive.province_id
    if any(d.province_id != province_id for d in divisions) or any(c.parent_id != province_id for c in communes) \
            or any(c.province_id != province_id for c in centers):
        raise ValidationError(_("Chỉ giao được cho đơn vị thuộc tỉnh của Sở."))
    rows = [TaskAssignment(task=task, kind=AssigneeKind.DIVISION, division=d) for d in divisions]
    rows += [TaskAssignment(task=task, kind=AssigneeKind.COMMUNE, commune=c) for c in communes]
    rows += [TaskAssignment(task=task, kind=AssigneeKind.CENTER, center=c) for c in centers]
    if not rows and selection is None:
        raise ValidationError(_("Chưa chọn đơn vị nào để giao."))
    added = 0
    if rows:
        added += _insert_ignoring_existing(rows)
    if selection is not None:
        selected = _insert_selection(task, selection.centers(province_id), selection.label()[:255])
        if not selected and not rows:
            raise ValidationError(_("Lựa chọn không có trung tâm nào đang hoạt động (hoặc tất cả đã được giao)."))
        added += selected
    return added


def _insert_ignoring_existing(rows: list[TaskAssignment]) -> int:
    before = TaskAssignment.objects.filter(task=rows[0].task).count()
    TaskAssignment.objects.bulk_create(rows, ignore_conflicts=True)
    return TaskAssignment.objects.filter(task=rows[0].task).count() - before


def _insert_selection(task: Task, centers: QuerySet[Center], label: str) -> int:
    """One INSERT ... SELECT over the selected centers, skipping those already assigned:
    a single statement whether the selection holds 3 centers or 3,000."""
    rows = centers.order_by().annotate(
        a_task=Value(task.pk), a_kind=Value(AssigneeKind.CENTER.value), a_center=F("pk"),
        a_selection=Value(label), a_status=Value(AssignmentStatus.OPEN.value), a_note=Value(""),
        a_created=Value(timezone.now(), output_field=DateTimeField()),
    ).values_list("a_task", "a_kind", "a_center", "a_selection", "a_status", "a_note", "a_created")
    select_sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(TaskAssignment._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(TaskAssignment._meta.get_field(name).column) for name in (
        "task", "kind", "center", "selection", "status", "reopen_note", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select_sql} ON CONFLICT DO NOTHING", params)
        return cursor.rowcount


def assignment_remove(*, assignment: TaskAssignment, user) -> None:
    require_editor(user, assignment.task.directive)
    refuse_if_issued(assignment.task.directive)
    assignment.delete()


def task_reports_open(*, task: Task, directive: Directive) -> ReportPeriod:
    """The one-off report a task asks of each assigned center: a period due on the task's
    deadline and an obligation per center, shown among the center's reports."""
    # Two tasks asking the same report by the same deadline share one period.
    period, _created = ReportPeriod.objects.get_or_create(
        report_type=task.report_type, data_from=directive.issued_on, data_to=task.deadline,
        defaults={
            "label": _("Theo %(number)s, nhiệm vụ %(task)s") % {"number": directive.number_text, "task": task.number},
            "due_date": task.deadline,
            "lock_date": task.deadline + datetime.timedelta(days=task.report_type.lock_days_after_due),
        },
    )
    Obligation.objects.bulk_create(
        [Obligation(period=period, center_id=pk)
         for pk in task.assignments.filter(center__isnull=False).values_list("center_id", flat=True)],
        ignore_conflicts=True, batch_size=1000,
    )
    task.report_period = period
    task.save(update_fields=["report_period"])
    return period


# Assignees' side

@transaction.atomic
def progress_report(*, assignment: TaskAssignment, user, note: str, files=(), marks_done: bool = False,
                    idempotency_key=None) -> TaskProgress:
    """Record a progress report; with marks_done the assignment waits for the issuer.

    Every file is checked before anything is stored: one bad file refuses the whole
    report. The same form sent twice (same key) returns the first report."""
    assignment = TaskAssignment.objects.select_related("task__directive").get(pk=assignment.pk)
    if not may(user, "assignments.report", assignment):
        raise PermissionDenied
    if idempotency_key:
        existing = TaskProgress.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.assignment_id != assignment.pk:
                raise PermissionDenied
            return existing
    assignment = TaskAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == AssignmentStatus.ACCEPTED:
        raise ValidationError(_("Nhiệm vụ đã được xác nhận hoàn thành; không cần báo cáo thêm."), code="accepted")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Hãy ghi nội dung đã thực hiện.")})
    files = list(files)
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(_("Mỗi lần báo cáo gửi tối đa %(n)s tệp.") % {"n": MAX_EVIDENCE_FILES})
    checked = [
        (upload, check_file(upload, name=upload.name, size=upload.size, allowed=EVIDENCE_TYPES,
                            max_mb=EVIDENCE_MAX_MB))
        for upload in files
    ]
    progress = TaskProgress(assignment=assignment, author=user, note=note, marks_done=marks_done)
    if idempotency_key:
        progress.idempotency_key = idempotency_key
    progress.save()
    for upload, info in checked:
        evidence = Evidence(progress=progress, original_name=info.name, file_type=info.file_type, size=info.size,
                            sha256=info.sha256)
        evidence.file.save(info.name, upload, save=False)
        evidence.save()
    if marks_done and assignment.status == AssignmentStatus.OPEN:
        now = timezone.now()
        assignment.status = AssignmentStatus.DONE
        assignment.completed_at = now
        assignment.completed_on = timezone.localdate(now)
        assignment.save(update_fields=["status", "completed_at", "completed_on"])
    return progress


def assignment_accept(*, assignment: TaskAssignment, user) -> None:
    """The issuer confirms a reported completion; the first of two reviewers wins."""
    assignment = TaskAssignment.objects.select_related("task__directive").get(pk=assignment.pk)
    if not may(user, "assignments.review", assignment):
        raise PermissionDenied
    changed = TaskAssignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.DONE).update(
        status=AssignmentStatus.ACCEPTED, accepted_at=timezone.now(), accepted_by=user, reopen_note="",
    )
    if not changed:
        raise ValidationError(_("Nhiệm vụ chưa được báo hoàn thành hoặc đã được xử lý."), code="state")


@transaction.atomic
def assignment_reopen(*, assignment: TaskAssignment, user, note: str) -> None:
    """The issuer sends the task back: it is open again (and overdue if past its deadline),
    and the assignee is told why."""
    assignment = TaskAssignment.objects.select_related("task__directive").get(pk=assignment.pk)
    if not may(user, "assignments.review", assignment):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Hãy ghi lý do yêu cầu thực hiện lại.")})
    changed = TaskAssignment.objects.filter(
        pk=assignment.pk, status__in=(AssignmentStatus.DONE, AssignmentStatus.ACCEPTED),
    ).update(status=AssignmentStatus.OPEN, completed_at=None, completed_on=None, accepted_at=None, accepted_by=None,
             reopen_note=note)
    if not changed:
        raise ValidationError(_("Nhiệm vụ đang thực hiện, không có gì để mở lại."), code="state")
    # Open again, past its deadline it is overdue: the compliance flags are told (an update
    # is past the model signals).
    centers_changed_send(sender=TaskAssignment, center_ids=[assignment.center_id])
    # The completion report sent back tells this reopening from a later one.
    occasion = assignment.progress_reports.order_by("-pk").values_list("pk", flat=True).first() or 0
    notice_task_reopened(assignment=assignment, occasion=occasion)
