"""Demo report types for the demo Department: three realistic types under the national
reporting regime, their periods and the centers' obligations, and a story for the past
periods (on time, late, returned, accepted, missing) so that a fresh `make run` has
something to submit, review and remind about.

Deterministic: what happens to each obligation is drawn from a hash of the center's code
and the period, and every time is derived from the period's dates and `today`."""

import datetime
import hashlib
import random
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from centers.choices import CenterKind
from centers.models import Center
from geo.models import AdministrativeUnit
from notifications.demo import notices_backdate

from .choices import PENDING_STATUSES, Frequency, ObligationStatus
from .models import ExtensionRequest, Obligation, ReportField, ReportPeriod, ReportType, Review, SubmissionVersion
from .services import (
    extension_decide,
    extension_request_create,
    obligations_generate,
    period_create,
    periods_generate,
    report_schema,
    submission_accept,
    submission_return,
    submission_submit,
)
from .services.notices import extension_notice_key, review_notice_key

DEMO_TYPES_START = datetime.date(2026, 1, 1)

# (code, label, kind, required, min, max, help text / choices)
LANGUAGE_FIELDS = [
    ("so_hoc_vien", "Số học viên trong kỳ", "integer", True, 0, 100000, "Tổng số lượt học viên theo học trong kỳ."),
    ("so_lop", "Số lớp đang hoạt động", "integer", True, 0, 5000, ""),
    ("so_khoa_hoc_mo", "Số khóa học đã mở", "integer", True, 0, 5000, ""),
    ("so_giao_vien_viet_nam", "Số giáo viên Việt Nam", "integer", True, 0, 1000, ""),
    ("so_giao_vien_nuoc_ngoai", "Số giáo viên người nước ngoài", "integer", True, 0, 1000, ""),
    ("so_gvnn_co_gpld", "Số giáo viên nước ngoài có giấy phép lao động còn hạn", "integer", True, 0, 1000,
     "Kể cả người được miễn giấy phép lao động."),
    ("doanh_thu", "Doanh thu trong kỳ (triệu đồng)", "decimal", True, 0, 1000000, ""),
    ("su_co", "Sự cố, vụ việc phát sinh (nếu có)", "text", False, None, None,
     "Ghi rõ thời gian, nội dung, cách xử lý."),
]
COMMUNITY_FIELDS = [
    ("so_lop_chuyen_de", "Số lớp chuyên đề đã tổ chức", "integer", True, 0, 1000, ""),
    ("so_luot_nguoi_hoc", "Số lượt người học", "integer", True, 0, 100000, ""),
    ("so_bao_cao_vien", "Số báo cáo viên, hướng dẫn viên", "integer", True, 0, 500, ""),
    ("kinh_phi", "Kinh phí hoạt động (triệu đồng)", "decimal", False, 0, 100000, ""),
    ("de_xuat", "Khó khăn, đề xuất", "text", False, None, None, ""),
]
DISCLOSURE_FIELDS = [
    ("cong_khai_chuong_trinh", "Đã công khai chương trình, tài liệu giảng dạy", "boolean", True, None, None, ""),
    ("cong_khai_hoc_phi", "Đã công khai học phí và các khoản thu", "boolean", True, None, None, ""),
    ("hinh_thuc", "Hình thức công khai", "choice", True, None, None,
     "Trang thông tin điện tử\nNiêm yết tại trụ sở\nCả hai hình thức"),
    ("ngay_cong_khai", "Ngày công khai", "date", True, None, None, ""),
    ("dia_chi_cong_khai", "Địa chỉ trang công khai (nếu có)", "text", False, None, None, ""),
]

DEMO_TYPES = [
    {
        "code": "NNTH-6T", "title": "Báo cáo tình hình hoạt động 6 tháng của trung tâm ngoại ngữ, tin học",
        "center_kinds": [CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT],
        "frequency": Frequency.SIX_MONTHLY, "fields": LANGUAGE_FIELDS,
    },
    {
        "code": "TTHTCD-NAM", "title": "Báo cáo năm của trung tâm học tập cộng đồng",
        "center_kinds": [CenterKind.COMMUNITY], "frequency": Frequency.ANNUAL, "fields": COMMUNITY_FIELDS,
    },
    {
        "code": "CONG-KHAI", "title": "Báo cáo thực hiện công khai hằng năm",
        "center_kinds": [CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT, CenterKind.INCLUSIVE,
                         CenterKind.VOCATIONAL],
        "frequency": Frequency.SCHOOL_YEAR, "fields": DISCLOSURE_FIELDS,
    },
]


@transaction.atomic
def report_types_seed(*, province: AdministrativeUnit) -> int:
    """Create the three demo report types of the province; existing ones are left alone."""
    created = 0
    for spec in DEMO_TYPES:
        report_type, is_new = ReportType.objects.get_or_create(
            province=province, code=spec["code"],
            defaults={
                "title": spec["title"], "center_kinds": [str(k) for k in spec["center_kinds"]],
                "frequency": spec["frequency"], "starts_on": DEMO_TYPES_START,
                "due_days_after_window": 5, "lock_days_after_due": 15,
            },
        )
        if not is_new:
            continue
        created += 1
        for order, (code, label, kind, required, low, high, extra) in enumerate(spec["fields"]):
            ReportField.objects.create(
                report_type=report_type, code=code, label=label, kind=kind, required=required, order=order,
                min_value=low, max_value=high,
                choices=extra if kind == "choice" else "", help_text="" if kind == "choice" else extra,
            )
    return created


# A one-off type, used when the director's center would otherwise have nothing due within
# the next 60 days (the regular due dates leave gaps of up to 100 days), and by the demo
# directive whose task asks the language centers for this report (conferences.demo).
ONE_OFF_SPEC = {
    "code": "DX-GVNN", "title": "Báo cáo nhanh tình hình giáo viên người nước ngoài",
    "center_kinds": [CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT],
    "fields": [
        ("so_giao_vien_nuoc_ngoai", "Số giáo viên người nước ngoài đang giảng dạy", "integer", True, 0, 1000, ""),
        ("so_gvnn_co_gpld", "Số giáo viên nước ngoài có giấy phép lao động còn hạn", "integer", True, 0, 1000,
         "Kể cả người được miễn giấy phép lao động."),
        ("ghi_chu", "Ghi chú", "text", False, None, None, ""),
    ],
}
UPCOMING_WITHIN_DAYS = 60
ONE_OFF_DUE_IN_DAYS = 30

# What happened to each past obligation, drawn per (center, period) from a stable hash so
# that every run plans the same story: (outcome, weight out of 100).
OUTCOMES = [
    ("accepted", 38), ("submitted", 14), ("late_accepted", 10), ("late", 8),
    ("returned", 9), ("resubmitted", 6), ("missing", 15),
]
RETURN_REASON = "Số liệu chưa khớp với hồ sơ lưu tại trung tâm, đề nghị kiểm tra lại và nộp lại."
# The reviewer's comment, on the first of these fields the type asks.
RETURN_COMMENTS = {
    "so_hoc_vien": "Số học viên chưa khớp với số lớp đang hoạt động, đề nghị rà soát.",
    "so_luot_nguoi_hoc": "Số lượt người học chưa khớp với số lớp chuyên đề đã tổ chức, đề nghị rà soát.",
    "ngay_cong_khai": "Ngày công khai phải nằm trong năm học báo cáo, đề nghị kiểm tra lại.",
    "so_giao_vien_nuoc_ngoai": "Số giáo viên nước ngoài chưa khớp với hồ sơ nhân sự của trung tâm.",
}
RETURN_COMMENT = "Đề nghị kiểm tra lại chỉ tiêu này."
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c1f0e-4d55-4a54-9c43-2a0e8a8b2026")
# Plausible figures for the demo's fields: (low, high); others fall back to the bounds.
FIGURES = {
    "so_hoc_vien": (60, 900), "so_lop": (4, 60), "so_khoa_hoc_mo": (2, 30), "so_giao_vien_viet_nam": (3, 40),
    "so_giao_vien_nuoc_ngoai": (0, 6), "so_gvnn_co_gpld": (0, 6), "doanh_thu": (150, 4500),
    "so_lop_chuyen_de": (2, 40), "so_luot_nguoi_hoc": (80, 2500), "so_bao_cao_vien": (2, 25), "kinh_phi": (10, 300),
}


def one_off_type(province: AdministrativeUnit) -> ReportType:
    spec = ONE_OFF_SPEC
    report_type, created = ReportType.objects.get_or_create(
        province=province, code=spec["code"],
        defaults={
            "title": spec["title"], "center_kinds": [str(k) for k in spec["center_kinds"]],
            "frequency": Frequency.ONE_OFF, "starts_on": DEMO_TYPES_START, "attachment_types": ["pdf"],
        },
    )
    if created:
        for order, (code, label, kind, required, low, high, extra) in enumerate(spec["fields"]):
            ReportField.objects.create(
                report_type=report_type, code=code, label=label, kind=kind, required=required, order=order,
                min_value=low, max_value=high, help_text=extra,
            )
    return report_type


def upcoming_seed(*, province: AdministrativeUnit, center: Center, today: datetime.date) -> int:
    """Make sure the demo director has something open due within 60 days: when the regular
    periods leave a gap, open a one-off request due in 30 days (for every language center).
    Returns the number of obligations created."""
    horizon = today + datetime.timedelta(days=UPCOMING_WITHIN_DAYS)
    if Obligation.objects.filter(
        center=center, status__in=PENDING_STATUSES, period__due_date__gte=today, period__due_date__lte=horizon,
    ).exists():
        return 0
    due = today + datetime.timedelta(days=ONE_OFF_DUE_IN_DAYS)
    period, _created = period_create(
        report_type=one_off_type(province), label=f"Đợt tháng {today:%m/%Y}",
        data_from=today.replace(day=1), data_to=today, due_date=due,
    )
    return obligations_generate(period=period)


def _outcome(center: Center, period: ReportPeriod) -> str:
    digest = hashlib.sha256(f"{center.code}|{period.report_type.code}|{period.data_from}".encode()).hexdigest()
    point = int(digest, 16) % 100
    for outcome, weight in OUTCOMES:
        if point < weight:
            return outcome
        point -= weight
    return "missing"


def _demo_values(schema: list[dict], center: Center, period: ReportPeriod) -> dict:
    """Plausible answers, the same on every run for the same center and period."""
    rng = random.Random(f"{center.code}|{period.report_type.code}|{period.data_from}")
    values: dict = {}
    for spec in schema:
        code, kind = spec["code"], spec["kind"]
        if kind in ("integer", "decimal"):
            bounds = (int(Decimal(spec["min_value"] or 0)), int(Decimal(spec["max_value"] or 100)))
            low, high = FIGURES.get(code, bounds)
            if code == "so_gvnn_co_gpld":
                # Never more permits than foreign teachers.
                high = min(high, values.get("so_giao_vien_nuoc_ngoai", high))
                low = min(low, high)
            number = rng.randint(low, high)
            values[code] = number if kind == "integer" else f"{number},{rng.randint(0, 9)}"
        elif kind == "date":
            values[code] = (period.data_to - datetime.timedelta(days=rng.randint(10, 90))).strftime("%d/%m/%Y")
        elif kind == "choice":
            values[code] = rng.choice(spec["choices"])
        elif kind == "boolean":
            values[code] = "yes"
        elif spec.get("required"):
            values[code] = "Không có."
        else:
            values[code] = ""
    return values


def director_account(center: Center) -> User:
    """The center's director account: the demo's giamdoc for its center, otherwise one
    without a usable password (the demo needs someone to have submitted the report, or
    reported on a directive's task: conferences.demo)."""
    account = User.objects.filter(role=User.Role.DIRECTOR, center=center).order_by("pk").first()
    if account is not None:
        return account
    director = center.directors.filter(ended_on__isnull=True).first()
    username = f"gd.{center.code.lower()}"
    account = User(
        username=username, role=User.Role.DIRECTOR, center=center, province_id=center.province_id,
        full_name=director.full_name if director else "",
        # Every demo account has an address at a reserved domain (RFC 2606).
        email=f"{username}@bacninh.example.org",
    )
    account.set_unusable_password()
    account.save()
    return account


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _review(version: SubmissionVersion, *, decision: str, reviewer: User, at: datetime.datetime) -> None:
    """The Department's decision through the review services (so the director's bell
    gets the real notice), then dated when the demo says it was made."""
    obligation = Obligation.objects.get(pk=version.obligation_id)
    if decision == Review.Decision.RETURNED:
        codes = [spec["code"] for spec in version.schema]
        code = next((c for c in RETURN_COMMENTS if c in codes), codes[0]) if codes else None
        review = submission_return(
            obligation=obligation, version=version, reviewer=reviewer, expected_revision=obligation.revision,
            reason=RETURN_REASON, field_comments={code: RETURN_COMMENTS.get(code, RETURN_COMMENT)} if code else {},
        )
    else:
        review = submission_accept(obligation=obligation, version=version, reviewer=reviewer,
                                   expected_revision=obligation.revision)
    Review.objects.filter(pk=review.pk).update(reviewed_at=at)  # auto_now_add: set after
    notices_backdate([review_notice_key(review)], at)


def _play(obligation: Obligation, outcome: str, *, reviewer: User, now: datetime.datetime) -> bool:
    """Submit (and review) one past obligation as `outcome` says; False for "missing"."""
    if outcome == "missing":
        return False
    center, period = obligation.center, obligation.period
    rng = random.Random(f"time|{center.code}|{period.report_type.code}|{period.data_from}")
    late_day = period.due_date + datetime.timedelta(days=rng.randint(1, 12))
    late = outcome in ("late", "late_accepted") and _at(late_day, 17, 0) < now
    day = late_day if late else period.due_date - datetime.timedelta(days=rng.randint(0, 4))
    submitted_at = min(_at(day, rng.randint(7, 16), rng.randint(0, 59)), now - datetime.timedelta(hours=6))
    schema = report_schema(period.report_type)
    values = _demo_values(schema, center, period)
    director = director_account(center)

    def submit(number: int, at: datetime.datetime, answers: dict) -> SubmissionVersion:
        key = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{center.code}|{period.report_type.code}|{period.data_from}|{number}")
        return submission_submit(obligation=obligation, user=director, values=answers, idempotency_key=key, now=at)

    version = submit(1, submitted_at, values)
    reviewed_at = min(submitted_at + datetime.timedelta(days=rng.randint(1, 4)), now - datetime.timedelta(hours=3))
    if outcome in ("accepted", "late_accepted"):
        _review(version, decision=Review.Decision.ACCEPTED, reviewer=reviewer, at=reviewed_at)
    elif outcome in ("returned", "resubmitted"):
        _review(version, decision=Review.Decision.RETURNED, reviewer=reviewer, at=reviewed_at)
        obligation.refresh_from_db()
        resubmitted_at = reviewed_at + datetime.timedelta(days=2)
        if outcome == "resubmitted" and resubmitted_at < now:
            corrected = dict(values)
            first = schema[0]
            if first["kind"] == "integer":
                corrected[first["code"]] = max(int(values[first["code"]]) - rng.randint(1, 5), 0)
            submit(2, resubmitted_at, corrected)
    return True


@transaction.atomic
def submissions_seed(*, province: AdministrativeUnit, today: datetime.date) -> int:
    """Give the past obligations of the demo province a story: submitted on time or late,
    accepted, returned with a reason, resubmitted, or still missing (overdue); the demo
    director's center always has its latest past report returned. Only obligations never
    touched are played, so a re-run (or a director's own work since) changes nothing.
    Returns the number of obligations submitted."""
    reviewer = User.objects.filter(username="sogd").first() or User.objects.filter(
        role=User.Role.DEPARTMENT, province=province,
    ).order_by("pk").first()
    if reviewer is None:
        return 0
    # The demo's "now": early on `today`, so every run on the same day plans the same times.
    now = _at(today, 7, 0)
    giamdoc = User.objects.filter(username="giamdoc").select_related("center").first()
    directors_center_id = giamdoc.center_id if giamdoc else None
    past = (
        Obligation.objects.filter(center__province=province, period__due_date__lt=today)
        .select_related("center", "period__report_type")
        .order_by("period__due_date", "center__code", "pk")
    )
    latest_past_of_director = past.filter(center_id=directors_center_id).order_by("-period__due_date", "-pk").first()
    played = 0
    for obligation in list(past.filter(status=ObligationStatus.OPEN, versions__isnull=True)):
        if obligation.center_id == directors_center_id:
            outcome = "returned" if obligation.pk == getattr(latest_past_of_director, "pk", None) else "accepted"
        else:
            outcome = _outcome(obligation.center, obligation.period)
        played += _play(obligation, outcome, reviewer=reviewer, now=now)
    return played


EXTENSION_REASON = ("Kế toán của trung tâm nghỉ ốm dài ngày, chưa chốt được số liệu doanh thu; "
                    "đề nghị Sở cho gia hạn thêm 10 ngày.")
EXTENSION_ANSWER = ("Hạn nộp đã được thông báo từ đầu kỳ và số liệu doanh thu có thể tạm tính; đề nghị trung tâm "
                    "nộp đúng hạn và bổ sung khi có số liệu chính thức.")


def extension_seed(*, province: AdministrativeUnit, today: datetime.date) -> bool:
    """The demo director asked for more time on the report due next and the Department
    refused, with its answer (through the services: the request, the decision and the
    director's notice), three and one days ago. Once per database: a re-run, even
    weeks later, asks nothing more."""
    giamdoc = User.objects.filter(username="giamdoc", center__isnull=False).first()
    staff = User.objects.filter(username="sogd", province=province).first()
    if giamdoc is None or staff is None or ExtensionRequest.objects.filter(requested_by=giamdoc).exists():
        return False
    obligation = (
        Obligation.objects.filter(center_id=giamdoc.center_id, status__in=PENDING_STATUSES,
                                  first_submitted_at__isnull=True, period__due_date__gte=today)
        .select_related("period").order_by("period__due_date", "pk").first()
    )
    if obligation is None:
        return False
    request = extension_request_create(
        obligation=obligation, user=giamdoc, reason=EXTENSION_REASON, today=today,
        requested_until=obligation.effective_due_date + datetime.timedelta(days=10),
    )
    request = extension_decide(request=request, decided_by=staff, grant=False, answer=EXTENSION_ANSWER)
    asked, decided = _at(today - datetime.timedelta(days=3), 9, 15), _at(today - datetime.timedelta(days=1), 14, 30)
    ExtensionRequest.objects.filter(pk=request.pk).update(requested_at=asked, decided_at=decided)
    notices_backdate([extension_notice_key(request)], decided)
    return True


def reports_seed(*, province: AdministrativeUnit, today: datetime.date | None = None) -> dict:
    """Types, periods and obligations of the demo province, then a story for the past
    ones (see submissions_seed) and something due soon for the demo director; idempotent."""
    today = today or timezone.localdate()
    types = report_types_seed(province=province)
    summary = periods_generate(today=today)
    giamdoc = User.objects.filter(username="giamdoc", center__isnull=False).select_related("center").first()
    if giamdoc is not None:
        summary["obligations"] += upcoming_seed(province=province, center=giamdoc.center, today=today)
    submitted = submissions_seed(province=province, today=today)
    correction_seed(province=province, today=today)
    extension_seed(province=province, today=today)
    return {"types": types, **summary, "submitted": submitted}


def correction_seed(*, province: AdministrativeUnit, today: datetime.date) -> bool:
    """One recorded correction, so the period's history shows what one looks like: the
    latest closed period with submissions had its lock date moved a week later (the due
    date, and so every on-time count, stays). Idempotent: done once per database."""
    from .services.periods import period_corrections, period_correct

    staff = User.objects.filter(username="sogd", province=province).first()
    period = (
        ReportPeriod.objects.filter(report_type__province=province, lock_date__lt=today - datetime.timedelta(days=7),
                                    obligations__first_submitted_at__isnull=False)
        .order_by("-lock_date").distinct().first()
    )
    if staff is None or period is None or period_corrections(period).exists():
        return False
    period_correct(
        period=period, due_date=period.due_date, lock_date=period.lock_date + datetime.timedelta(days=7), by=staff,
        reason="Nhận thêm báo cáo bổ sung sau khi hệ thống mạng của một số xã gián đoạn (Công văn của Sở).",
    )
    return True
