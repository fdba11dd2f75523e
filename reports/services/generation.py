"""Write paths of periodic reporting, with their rules."""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from centers.choices import CenterStatus
from centers.models import Center, StatusChange
from centers.signals import centers_changed_send

from ..models import Obligation, ReportPeriod, ReportType
from ..periods import windows_between

# Periods are created this many days before their due date.
GENERATE_AHEAD_DAYS = 60
# A center not yet licensed does not operate yet: it owes reports from its licence on.
INACTIVE_STATUSES = (
    CenterStatus.SUSPENDED, CenterStatus.DISSOLVED, CenterStatus.STOPPED, CenterStatus.NOT_YET_LICENSED,
)


def centers_owing(period: ReportPeriod):
    """Centers of the type's province and kinds that owe this period.

    A suspended, stopped or dissolved center owes nothing due after its decision date;
    a center whose status changed only after the due date still owes the period."""
    report_type = period.report_type
    changed_after_due = StatusChange.objects.filter(
        center=OuterRef("pk"), new_status__in=INACTIVE_STATUSES, effective_on__gt=period.due_date,
    )
    return Center.objects.filter(province_id=report_type.province_id, kind__in=report_type.center_kinds).exclude(
        Q(status__in=INACTIVE_STATUSES) & ~Q(Exists(changed_after_due))
    )


@transaction.atomic
def obligations_generate(*, period: ReportPeriod) -> int:
    """One obligation per owing center; running it again adds only what is missing."""
    owing = centers_owing(period).exclude(report_obligations__period=period)
    # ignore_conflicts: a concurrent run may have created some of them in the meantime.
    created = Obligation.objects.bulk_create(
        [Obligation(period=period, center_id=pk) for pk in owing.values_list("pk", flat=True)],
        ignore_conflicts=True, batch_size=1000,
    )
    # Written in bulk, past the model signals: the compliance flags are told (a new
    # obligation can be overdue at once when a period is created late).
    centers_changed_send(sender=Obligation, center_ids=[obligation.center_id for obligation in created])
    return len(created)


def period_create(*, report_type: ReportType, label: str, data_from: datetime.date, data_to: datetime.date,
                  due_date: datetime.date | None = None) -> tuple[ReportPeriod, bool]:
    """Get or create a period of the type with the type's due-date and lock rules."""
    due = due_date or data_to + datetime.timedelta(days=report_type.due_days_after_window)
    period, created = ReportPeriod.objects.get_or_create(
        report_type=report_type, data_from=data_from, data_to=data_to,
        defaults={
            "label": label, "due_date": due,
            "lock_date": due + datetime.timedelta(days=report_type.lock_days_after_due),
        },
    )
    return period, created


def periods_generate(*, today: datetime.date | None = None, ahead_days: int = GENERATE_AHEAD_DAYS) -> dict:
    """Create the periods due within `ahead_days` (and any missed since the type began),
    with their obligations. Idempotent: the daily beat task and the command both call it."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=ahead_days)
    summary = {"periods": 0, "obligations": 0}
    for report_type in ReportType.objects.filter(is_active=True).exclude(frequency="one_off"):
        # A window ends `due_days_after_window` days before its due date.
        last_end = horizon - datetime.timedelta(days=report_type.due_days_after_window)
        for window in windows_between(report_type, report_type.starts_on, last_end):
            period, created = period_create(
                report_type=report_type, label=window.label, data_from=window.data_from, data_to=window.data_to,
            )
            summary["periods"] += int(created)
            summary["obligations"] += obligations_generate(period=period)
    return summary
