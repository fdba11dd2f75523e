"""Test data for the review, extension and dashboard tests: a report type with a few
fields, its periods, obligations, and submitted versions written straight to the model
(the same rows the submission service writes: values, frozen schema, content hash,
idempotency key, who and when; the obligation's status, first submission and revision)."""

import datetime
import hashlib
import json
import uuid

from django.utils import timezone

from reports.choices import FieldKind, Frequency, ObligationStatus
from reports.models import Obligation, ReportField, ReportPeriod, ReportType, SubmissionVersion

LANGUAGE_KINDS = ["language", "language_it", "it"]

FIELDS = [
    ("so_hoc_vien", "Số học viên trong kỳ", FieldKind.INTEGER),
    ("so_giao_vien_nuoc_ngoai", "Số giáo viên người nước ngoài", FieldKind.INTEGER),
    ("doanh_thu", "Doanh thu trong kỳ (triệu đồng)", FieldKind.DECIMAL),
    ("su_co", "Sự cố, vụ việc phát sinh", FieldKind.TEXT),
]


def make_report_type(province, *, code="NNTH-6T", kinds=None, **overrides) -> ReportType:
    report_type = ReportType.objects.create(
        province=province, code=code, title=overrides.pop("title", "Báo cáo hoạt động 6 tháng"),
        center_kinds=kinds or LANGUAGE_KINDS, frequency=Frequency.SIX_MONTHLY,
        starts_on=datetime.date(2026, 1, 1), **overrides,
    )
    for order, (field_code, label, kind) in enumerate(FIELDS):
        ReportField.objects.create(
            report_type=report_type, code=field_code, label=label, kind=kind, order=order,
            required=kind != FieldKind.TEXT,
        )
    return report_type


def make_period(report_type, *, due_date: datetime.date, label="6 tháng đầu năm 2026") -> ReportPeriod:
    return ReportPeriod.objects.create(
        report_type=report_type, label=label,
        data_from=due_date - datetime.timedelta(days=186), data_to=due_date - datetime.timedelta(days=5),
        due_date=due_date, lock_date=due_date + datetime.timedelta(days=15),
    )


def make_obligation(period, center, **fields) -> Obligation:
    return Obligation.objects.create(period=period, center=center, **fields)


def local_time(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime at that wall-clock time in Hà Nội."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def submit_version(obligation, values: dict, *, by, at: datetime.datetime | None = None) -> SubmissionVersion:
    """A submitted version, as the submission service freezes it."""
    at = at or timezone.now()
    schema = [field.as_schema() for field in obligation.period.report_type.fields.filter(is_active=True)]
    number = obligation.versions.count() + 1
    payload = json.dumps({"values": values, "schema": schema}, sort_keys=True, ensure_ascii=False)
    version = SubmissionVersion.objects.create(
        obligation=obligation, number=number, values=values, schema=schema, submitted_by=by, submitted_at=at,
        content_hash=hashlib.sha256(payload.encode()).hexdigest(), idempotency_key=uuid.uuid4(),
    )
    obligation.status = ObligationStatus.SUBMITTED if number == 1 else ObligationStatus.RESUBMITTED
    obligation.first_submitted_at = obligation.first_submitted_at or at
    obligation.revision += 1
    obligation.save(update_fields=["status", "first_submitted_at", "revision"])
    return version


def values(learners=120, foreign=3, revenue="450.50", incident="") -> dict:
    return {"so_hoc_vien": learners, "so_giao_vien_nuoc_ngoai": foreign, "doanh_thu": revenue, "su_co": incident}
