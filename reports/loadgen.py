"""Bulk report obligations for benchmarks (`manage.py generate_load`): one quarterly
report type per province and an obligation per center and quarter over the years asked,
mostly submitted on time, some late, some returned, the recent ones partly missing."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from centers.models import Center

from .choices import Frequency, ObligationStatus
from .models import Obligation, ReportPeriod, ReportType
from .periods import windows_between

LOAD_TYPE_CODE = "LG-QUY"
INSERT_BATCH = 5000


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), rng.randint(0, 59))))


def obligations_load(*, province_ids: list[int], years: int, today: datetime.date | None = None, seed: int = 1,
                     progress: Callable[[str], None] | None = None) -> int:
    """Create the quarterly periods of the last `years` years in each province and one
    obligation per center of the province; returns how many obligations were created."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    first = today.replace(year=today.year - years)
    created = 0
    for province_id in province_ids:
        report_type, _ = ReportType.objects.get_or_create(
            province_id=province_id, code=LOAD_TYPE_CODE,
            defaults={"title": "Báo cáo hoạt động hằng quý (dữ liệu đo hiệu năng)", "frequency": Frequency.QUARTERLY,
                      "center_kinds": [k for k, _label in Center._meta.get_field("kind").choices],
                      "starts_on": first},
        )
        centers = list(Center.objects.filter(province_id=province_id).values_list("pk", flat=True))
        with transaction.atomic():
            rows: list[Obligation] = []
            for window in windows_between(report_type, first, today):
                due = window.data_to + datetime.timedelta(days=report_type.due_days_after_window)
                period, _ = ReportPeriod.objects.get_or_create(
                    report_type=report_type, data_from=window.data_from, data_to=window.data_to,
                    defaults={"label": window.label, "due_date": due,
                              "lock_date": due + datetime.timedelta(days=report_type.lock_days_after_due)},
                )
                if period.obligations.exists():
                    continue
                for center_id in centers:
                    roll = rng.random()
                    if due >= today - datetime.timedelta(days=90) and roll < 0.08:
                        rows.append(Obligation(period=period, center_id=center_id))  # still owed
                        continue
                    late = roll > 0.9
                    submitted = due + datetime.timedelta(days=rng.randint(1, 20) if late else -rng.randint(0, 10))
                    status = ObligationStatus.RETURNED if roll > 0.985 else ObligationStatus.ACCEPTED
                    rows.append(Obligation(period=period, center_id=center_id, status=status,
                                           first_submitted_at=_at(min(submitted, today), rng)))
                if len(rows) >= INSERT_BATCH:
                    Obligation.objects.bulk_create(rows, batch_size=INSERT_BATCH)
                    created += len(rows)
                    rows = []
            Obligation.objects.bulk_create(rows, batch_size=INSERT_BATCH)
            created += len(rows)
        if progress:
            progress(f"{created}")
    return created
