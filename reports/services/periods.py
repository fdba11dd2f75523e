"""Periods that reports have been submitted for: what may still change, and the recorded
correction of their dates.

Timeliness is never stored: an obligation is on time when its first submission's local
date is no later than the period's due date (or the granted extension), read from the
period every time (Obligation.is_on_time, reports.selectors.timeliness_counts). So the
type and the dates of a period with submissions are what its figures stand on. Changing
the type or the data window would move submissions into another report; only the due
and lock dates may move, through period_correct, with a reason, and never so that a
report submitted on time becomes late.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from accounts.permissions import may

from ..models import Obligation, ReportPeriod, SubmissionVersion
from .generation import obligations_generate

# What a period with submissions keeps (in this order in messages).
PERIOD_LOCKED_FIELDS = ("report_type", "data_from", "data_to", "due_date", "lock_date")


def period_has_submissions(period: ReportPeriod) -> bool:
    """Any obligation of the period with a submitted version (or a first submission)."""
    if period.pk is None:
        return False
    versions = SubmissionVersion.objects.filter(obligation=OuterRef("pk"))
    return Obligation.objects.filter(period_id=period.pk).filter(
        Q(first_submitted_at__isnull=False) | Exists(versions)
    ).exists()


def period_locked_changes(period: ReportPeriod) -> list[str]:
    """The fields of PERIOD_LOCKED_FIELDS that `period` (as changed in memory) differs in
    from its stored row, when it has submissions; [] otherwise."""
    if period.pk is None or not period_has_submissions(period):
        return []
    attnames = {name: ReportPeriod._meta.get_field(name).attname for name in PERIOD_LOCKED_FIELDS}
    stored = ReportPeriod.objects.filter(pk=period.pk).values(*attnames.values()).get()
    return [name for name, attname in attnames.items() if getattr(period, attname) != stored[attname]]


def period_locked_message(fields: list[str]) -> str:
    labels = ", ".join(str(ReportPeriod._meta.get_field(name).verbose_name) for name in fields)
    return _(
        "Kỳ báo cáo này đã có báo cáo nộp nên không được đổi %(fields)s: số liệu đúng hạn, trễ hạn "
        "của các báo cáo đã nộp tính theo các thông tin này. Muốn dời hạn nộp hoặc ngày khóa nộp, "
        "hãy dùng “Điều chỉnh kỳ báo cáo” và ghi rõ lý do."
    ) % {"fields": labels}


def period_check_change(period: ReportPeriod) -> None:
    """Refuse (ValidationError) a save that would change what a period with submissions keeps."""
    changed = period_locked_changes(period)
    if changed:
        raise ValidationError(period_locked_message(changed), code="period_locked")


@transaction.atomic
def period_save(*, period: ReportPeriod, by) -> int:
    """Save a period edited in the admin (a new one, or the label of one with submissions)
    and create the obligations it still misses. Returns how many were created."""
    period_check_change(period)
    period._history_user = by
    period.save()
    # Idempotent: only the centers that owe the period and have no obligation yet.
    return obligations_generate(period=period)


def _on_time_made_late(period: ReportPeriod, due_date: datetime.date) -> dict:
    """Submitted obligations on time under the period's due date that would be late under
    `due_date`, as reports.selectors.timeliness_counts counts them: the local date of the
    first submission against the due date, or the granted extension when later."""
    submitted = Obligation.objects.filter(period_id=period.pk, first_submitted_at__isnull=False).annotate(
        submitted_on=TruncDate("first_submitted_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
    )
    after_extension = Q(extended_until__isnull=True) | Q(submitted_on__gt=F("extended_until"))
    made_late = Q(submitted_on__lte=period.due_date, submitted_on__gt=due_date) & after_extension
    return submitted.filter(made_late).aggregate(count=Count("pk"), latest=Max("submitted_on"))


def period_correct(*, period: ReportPeriod, due_date: datetime.date, lock_date: datetime.date, reason: str,
                   by) -> ReportPeriod:
    """Move a period's due date and lock date (the report type and the data window never
    change), recorded in the period's history with who, when, old → new and why.

    Refused (ValidationError by field) without a reason, with a lock date before the due
    date, with nothing changed, or when a report submitted on time would become late
    (a due date earlier than its submission). Moving the due date later re-derives every
    obligation's timeliness from it, as all figures are read from the period."""
    if not (may(by, "registry.manage") and (by.is_superuser or period.report_type.province_id == by.province_id)):
        raise PermissionDenied
    with transaction.atomic():
        period = ReportPeriod.objects.select_for_update().get(pk=period.pk)
        reason = (reason or "").strip()
        errors: dict[str, list[str]] = {}
        if not reason:
            errors["reason"] = [_("Hãy ghi lý do điều chỉnh: lý do được lưu cùng lịch sử của kỳ báo cáo.")]
        if lock_date < due_date:
            errors["lock_date"] = [_("Ngày khóa nộp không được trước hạn nộp.")]
        if due_date == period.due_date and lock_date == period.lock_date:
            errors[NON_FIELD_ERRORS] = [_("Hạn nộp và ngày khóa nộp không thay đổi.")]
        made_late = _on_time_made_late(period, due_date) if due_date < period.due_date else {"count": 0}
        if made_late["count"]:
            errors["due_date"] = [_(
                "Không được dời hạn nộp về ngày %(date)s: %(count)d báo cáo đã nộp đúng hạn sẽ thành trễ hạn. "
                "Hạn nộp sớm nhất có thể là ngày %(earliest)s."
            ) % {
                "date": due_date.strftime("%d/%m/%Y"), "count": made_late["count"],
                "earliest": made_late["latest"].strftime("%d/%m/%Y"),
            }]
        if errors:
            raise ValidationError(errors)
        period.due_date, period.lock_date = due_date, lock_date
        period._change_reason = reason
        period._history_user = by
        period.save(update_fields=["due_date", "lock_date"])
    return period


def period_corrections(period: ReportPeriod):
    """The period's recorded changes that carry a reason (its corrections), newest first."""
    return period.history.filter(history_change_reason__isnull=False).exclude(history_change_reason="") \
        .select_related("history_user").order_by("-history_date", "-history_id")
