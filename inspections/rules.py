"""The compliance rules: what each checks, why (legal basis), for which kinds of center,
from which data, and how the database evaluates it.

Every rule is a filter on Center built from joins and EXISTS/COUNT subqueries, so a
list of flagged centers is one SQL query whatever its size; nothing loops over centers
in Python. `detail` is a value annotated for the "why" column (a date or a count).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from centers.choices import CenterKind, CenterStatus, DocumentKind
from centers.models import Director, LicenceDocument, Staff
from centers.selectors import EXPIRING_WITHIN_DAYS
from conferences.choices import DirectiveStatus
from conferences.models import TaskAssignment
from reports.choices import ObligationStatus
from reports.models import Obligation

from .choices import OPEN_COMPLAINT_STATUSES, InspectionStatus
from .models import Complaint, Inspection, Violation

# Centers that hold (or must hold) a licence from the Department: private language, IT
# and inclusive-education centers. Community learning and GDNN-GDTX centers are public
# bodies set up by a decision of the commune or the province, with no licence to expire.
LICENSED_KINDS = (CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT, CenterKind.INCLUSIVE)
LANGUAGE_IT_KINDS = (CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT)
ALL_KINDS = tuple(CenterKind.values)
ACTIVE = (CenterStatus.OPERATING, CenterStatus.UNLICENSED)
LATE_REPORTS_LIMIT = 2
NO_ACTIVITY_DAYS = 365
LOCATION_COMPLAINT_DAYS = 365


def _count(queryset, field: str = "center") -> Subquery:
    """COUNT(*) of a correlated subquery, 0 when there is none (for the "why" column:
    evaluated only for the rows shown)."""
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _ids(queryset, field: str = "center_id"):
    """The centers a condition holds for, as one uncorrelated subquery: the database
    computes the set once (a hashed subplan) and probes it for each center."""
    return queryset.order_by().values(field)


def _in(queryset, field: str = "center_id") -> Q:
    return Q(pk__in=_ids(queryset, field))


def _days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _none(today):
    return {}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    explanation: str
    legal_basis: str
    source: str
    kinds: tuple[str, ...]
    default_weight: int
    # (today, province_id) -> Q over Center (and the `pre` annotations): the flag.
    condition: Callable[[datetime.date, int | None], Q]
    # (center, today) -> the plain-language reason shown on a row (reads `details`).
    why: Callable[[object, datetime.date], str]
    todo: str  # what a director does about it
    # today -> annotations the condition needs (cheap, per center).
    pre: Callable[[datetime.date], dict] = _none
    # today -> annotations the reason shows (counts, dates), for the rows displayed.
    details: Callable[[datetime.date], dict] = _none

    @property
    def field(self) -> str:
        return f"flag_{self.code}"

    def q(self, today: datetime.date, province_id: int | None = None) -> Q:
        kinds = Q() if self.kinds == ALL_KINDS else Q(kind__in=self.kinds)
        return kinds & self.condition(today, province_id)

    def kinds_text(self) -> str:
        if self.kinds == ALL_KINDS:
            return str(_("Mọi loại hình"))
        return ", ".join(str(CenterKind(k).label) for k in self.kinds)


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "?"


# 1. Operating without a licence

def _unlicensed_q(today, province_id):
    return Q(status=CenterStatus.UNLICENSED) | Q(status=CenterStatus.OPERATING, current_licence__isnull=True)


def _unlicensed_why(center, today):
    if center.status == CenterStatus.UNLICENSED:
        return str(_("Đang hoạt động nhưng chưa được cấp phép (trạng thái trong sổ đăng ký)."))
    return str(_("Đang hoạt động nhưng sổ đăng ký không có quyết định cho phép hoạt động nào."))


# 2. Licence expired or expiring within 60 days

def _licence_q(today, province_id):
    return Q(status=CenterStatus.OPERATING, current_licence__valid_until__isnull=False,
             current_licence__valid_until__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS))


def _licence_why(center, today):
    until = center.c_licence_until
    if until and until < today:
        return str(_("Giấy phép hết hạn ngày %(date)s.")) % {"date": _date(until)}
    return str(_("Giấy phép sắp hết hạn: ngày %(date)s.")) % {"date": _date(until)}


# 3. No recognised director, or the term ended

def _director_details(today):
    current = Director.objects.filter(center=OuterRef("pk"), ended_on__isnull=True)
    return {
        "c_director_term_end": Subquery(current.values("term_end")[:1], output_field=DateField()),
        "c_has_director": Exists(current),
    }


def _director_q(today, province_id):
    recognised = Director.objects.filter(ended_on__isnull=True).exclude(recognition_number="") \
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
    return Q(status__in=ACTIVE) & ~_in(recognised)


def _director_why(center, today):
    if not center.c_has_director:
        return str(_("Không có giám đốc đương nhiệm trong sổ đăng ký."))
    if center.c_director_term_end and center.c_director_term_end < today:
        return str(_("Nhiệm kỳ giám đốc đã hết ngày %(date)s.")) % {"date": _date(center.c_director_term_end)}
    return str(_("Giám đốc chưa có quyết định công nhận."))


# 4. Foreign teacher without a valid work permit or exemption

def _unpermitted_staff(today):
    return Staff.objects.filter(is_foreign=True, is_active=True, work_permit_exempt=False) \
        .filter(Q(work_permit_valid_until__isnull=True) | Q(work_permit_valid_until__lt=today))


def _work_permit_why(center, today):
    return str(_("%(n)s giáo viên nước ngoài không có giấy phép lao động còn hạn hoặc xác nhận miễn.")) % {
        "n": center.c_foreign_unpermitted}


# 5. A report overdue, or two or more late in twelve months

def _obligations(province_id):
    queryset = Obligation.objects.all()
    if province_id:  # a hint that keeps the subqueries to one province's obligations
        queryset = queryset.filter(period__report_type__province_id=province_id)
    return queryset


def _overdue_reports(today, province_id=None):
    # Few rows nationwide (the partial index of unsubmitted obligations): no hint needed.
    return Obligation.objects.filter(
        first_submitted_at__isnull=True, status__in=(ObligationStatus.OPEN, ObligationStatus.DRAFT),
    ).annotate(due=Coalesce("extended_until", "period__due_date")).filter(due__lt=today)


def _late_reports(today, province_id=None):
    return _obligations(province_id).filter(
        first_submitted_at__isnull=False, period__due_date__gte=_days_ago(today, 365),
    ).annotate(
        due=Coalesce("extended_until", "period__due_date"),
        submitted_on=ExpressionWrapper(F("first_submitted_at__date"), output_field=DateField()),
    ).filter(submitted_on__gt=F("due"))


def _reports_q(today, province_id):
    twice_late = _late_reports(today, province_id).order_by().values("center_id") \
        .annotate(n=Count("pk")).filter(n__gte=LATE_REPORTS_LIMIT).values("center_id")
    return _in(_overdue_reports(today, province_id)) | Q(pk__in=twice_late)


def _reports_details(today):
    return {
        "c_reports_overdue": _count(_overdue_reports(today).filter(center=OuterRef("pk"))),
        "c_reports_late": _count(_late_reports(today).filter(center=OuterRef("pk"))),
    }


def _reports_why(center, today):
    parts = []
    if center.c_reports_overdue:
        parts.append(str(_("%(n)s báo cáo quá hạn chưa nộp")) % {"n": center.c_reports_overdue})
    if center.c_reports_late >= LATE_REPORTS_LIMIT:
        parts.append(str(_("%(n)s báo cáo nộp muộn trong 12 tháng")) % {"n": center.c_reports_late})
    return "; ".join(parts) + "."


# 6. A directive task overdue

def _overdue_tasks(today):
    return TaskAssignment.objects.filter(completed_on__isnull=True, task__deadline__lt=today,
                                         task__directive__status=DirectiveStatus.ISSUED, center__isnull=False)


def _tasks_why(center, today):
    return str(_("%(n)s nhiệm vụ được giao đã quá hạn chưa hoàn thành.")) % {"n": center.c_tasks_overdue}


# 7. A violation past its remedy deadline

def _overdue_violations(today):
    return Violation.objects.filter(remedied_on__isnull=True, remedy_deadline__lt=today)


def _remedy_why(center, today):
    return str(_("%(n)s vi phạm đã quá thời hạn khắc phục.")) % {"n": center.c_remedy_overdue}


# 8. No activity reported within a year of establishment

def _no_activity_pre(today):
    established = LicenceDocument.objects.filter(
        center=OuterRef("pk"), kind__in=(DocumentKind.ESTABLISHMENT, DocumentKind.ESTABLISHMENT_OPERATION),
    ).order_by("signed_on").values("signed_on")[:1]
    # The center's first submission of any report (an index walk on (center, first_submitted_at)).
    first = Obligation.objects.filter(center=OuterRef("pk"), first_submitted_at__isnull=False) \
        .order_by("first_submitted_at").values("first_submitted_at")[:1]
    return {
        "c_established_on": Subquery(established, output_field=DateField()),
        "c_first_submission": Subquery(first),
    }


def _no_activity_q(today, province_id):
    # A first submission of any report in the year after the decision counts as activity.
    # Only a year the portal covered can tell: the center must have owed a report due in
    # it (a center set up before the portal's first periods is not flagged for want of data).
    year_end = ExpressionWrapper(F("c_established_on") + datetime.timedelta(days=NO_ACTIVITY_DAYS + 1),
                                 output_field=DateField())
    owed_in_first_year = Obligation.objects.filter(
        center=OuterRef("pk"), period__due_date__gte=OuterRef("c_established_on"),
        period__due_date__lte=ExpressionWrapper(
            OuterRef("c_established_on") + datetime.timedelta(days=NO_ACTIVITY_DAYS), output_field=DateField(),
        ),
    )
    return Q(status=CenterStatus.OPERATING, c_established_on__lte=_days_ago(today, NO_ACTIVITY_DAYS)) & (
        Q(c_first_submission__isnull=True) | Q(c_first_submission__date__gte=year_end)
    ) & Q(Exists(owed_in_first_year))


def _no_activity_why(center, today):
    return str(_("Quyết định thành lập ngày %(date)s; không có báo cáo nào nộp trong 12 tháng sau đó.")) % {
        "date": _date(center.c_established_on)}


# 9. Teaching at a location that is not permitted

def _location_found(today):
    return Inspection.objects.filter(unpermitted_location=True).exclude(status=InspectionStatus.CLOSED)


def _location_upheld(today):
    return Complaint.objects.filter(about_location=True, upheld=True,
                                    received_on__gte=_days_ago(today, LOCATION_COMPLAINT_DAYS))


def _location_q(today, province_id):
    return _in(_location_found(today)) | _in(_location_upheld(today))


def _location_details(today):
    return {"c_location_inspection": Exists(_location_found(today).filter(center=OuterRef("pk")))}


def _location_why(center, today):
    if center.c_location_inspection:
        return str(_("Đoàn kiểm tra phát hiện dạy học tại địa điểm chưa được cấp phép (chưa kết thúc khắc phục)."))
    return str(_("Đơn thư phản ánh dạy học tại địa điểm chưa được phép đã được kết luận là đúng."))


# 10. An open complaint past its handling deadline

def _overdue_complaints(today):
    return Complaint.objects.filter(status__in=OPEN_COMPLAINT_STATUSES, handling_deadline__lt=today)


def _complaint_why(center, today):
    return str(_("%(n)s đơn thư đã quá hạn giải quyết.")) % {"n": center.c_complaints_overdue}


def _flagged_by(rows: Callable, field: str = "center_id"):
    """A condition: the center is among those `rows(today)` name."""
    return lambda today, province_id: _in(rows(today), field)


def _counted(name: str, rows: Callable, field: str = "center"):
    return lambda today: {name: _count(rows(today).filter(**{field: OuterRef("pk")}), field)}


RULES: tuple[Rule, ...] = (
    Rule(
        code="unlicensed", name=_("Hoạt động không có giấy phép"),
        explanation=_("Trung tâm đang hoạt động nhưng chưa được cấp quyết định cho phép hoạt động."),
        legal_basis=_("Nghị định 125/2024/NĐ-CP, Điều 44; Nghị định 04/2021/NĐ-CP (sửa đổi bởi 127/2021), Điều 5, 6"),
        source=_("Sổ đăng ký: trạng thái và giấy phép hiện hành của trung tâm"),
        kinds=LICENSED_KINDS, default_weight=10, condition=_unlicensed_q, why=_unlicensed_why,
        todo=_("Dừng tuyển sinh và hoàn thiện hồ sơ đề nghị cho phép hoạt động gửi Sở GDĐT."),
    ),
    Rule(
        code="licence", name=_("Giấy phép hết hạn hoặc sắp hết hạn"),
        explanation=_("Giấy phép hoạt động đã hết hiệu lực hoặc sẽ hết trong 60 ngày tới."),
        legal_basis=_("Nghị định 125/2024/NĐ-CP, Điều 44 (thời hạn ghi trên giấy phép)"),
        source=_("Sổ đăng ký: ngày hết hiệu lực của giấy phép hiện hành"),
        kinds=LICENSED_KINDS, default_weight=6,
        details=lambda today: {"c_licence_until": F("current_licence__valid_until")},
        condition=_licence_q, why=_licence_why,
        todo=_("Nộp hồ sơ đề nghị gia hạn hoặc cấp lại giấy phép trước ngày hết hạn."),
    ),
    Rule(
        code="director", name=_("Không có giám đốc được công nhận"),
        explanation=_("Trung tâm không có giám đốc đương nhiệm có quyết định công nhận, hoặc nhiệm kỳ 5 năm đã hết."),
        legal_basis=_("Thông tư 21/2018/TT-BGDĐT, Điều 6 (nhiệm kỳ 5 năm)"),
        source=_("Sổ đăng ký: giám đốc và quyết định công nhận"),
        kinds=LICENSED_KINDS, default_weight=4, details=_director_details, condition=_director_q,
        why=_director_why,
        todo=_("Gửi hồ sơ đề nghị công nhận (hoặc công nhận lại) giám đốc trung tâm."),
    ),
    Rule(
        code="work_permit", name=_("Giáo viên nước ngoài thiếu giấy phép lao động"),
        explanation=_("Có giáo viên người nước ngoài đang làm việc mà không có giấy phép lao động còn hạn "
                      "hoặc xác nhận miễn."),
        legal_basis=_("Nghị định 219/2025/NĐ-CP; Nghị định 12/2022/NĐ-CP, Điều 32 khoản 4"),
        source=_("Sổ đăng ký: danh sách nhân sự, giấy phép lao động"),
        kinds=ALL_KINDS, default_weight=5,
        details=_counted("c_foreign_unpermitted", _unpermitted_staff),
        condition=_flagged_by(_unpermitted_staff), why=_work_permit_why,
        todo=_("Làm thủ tục cấp, gia hạn giấy phép lao động (hoặc xác nhận miễn) và cập nhật hồ sơ nhân sự."),
    ),
    Rule(
        code="reports", name=_("Không thực hiện chế độ báo cáo"),
        explanation=_("Có báo cáo quá hạn chưa nộp, hoặc từ 2 báo cáo nộp muộn trở lên trong 12 tháng."),
        legal_basis=_("Nghị định 09/2019/NĐ-CP; Thông tư 21/2018/TT-BGDĐT (chế độ báo cáo)"),
        source=_("Báo cáo định kỳ: nghĩa vụ, hạn nộp và thời điểm nộp"),
        kinds=ALL_KINDS, default_weight=3, details=_reports_details, condition=_reports_q,
        why=_reports_why,
        todo=_("Nộp ngay các báo cáo quá hạn tại mục Báo cáo; nộp đúng hạn các kỳ tiếp theo."),
    ),
    Rule(
        code="tasks", name=_("Nhiệm vụ chỉ đạo quá hạn"),
        explanation=_("Có nhiệm vụ trong văn bản chỉ đạo của Sở giao cho trung tâm đã quá hạn mà chưa báo hoàn thành."),
        legal_basis=_("Văn bản chỉ đạo của Sở GDĐT giao nhiệm vụ"),
        source=_("Văn bản chỉ đạo: nhiệm vụ giao cho trung tâm"),
        kinds=ALL_KINDS, default_weight=2, details=_counted("c_tasks_overdue", _overdue_tasks),
        condition=_flagged_by(_overdue_tasks),
        why=_tasks_why,
        todo=_("Báo cáo tiến độ, kết quả thực hiện nhiệm vụ tại mục Nhiệm vụ."),
    ),
    Rule(
        code="remedy", name=_("Vi phạm quá hạn khắc phục"),
        explanation=_("Vi phạm ghi trong biên bản kiểm tra đã quá thời hạn khắc phục mà chưa khắc phục xong."),
        legal_basis=_("Nghị định 04/2021/NĐ-CP (sửa đổi bởi 127/2021), Điều 4 (biện pháp khắc phục hậu quả)"),
        source=_("Biên bản kiểm tra: vi phạm và thời hạn khắc phục"),
        kinds=ALL_KINDS, default_weight=8,
        details=_counted("c_remedy_overdue", _overdue_violations, "inspection__center"),
        condition=_flagged_by(_overdue_violations, "inspection__center_id"),
        why=_remedy_why,
        todo=_("Hoàn thành biện pháp khắc phục và gửi báo cáo kết quả khắc phục cho đoàn kiểm tra."),
    ),
    Rule(
        code="no_activity", name=_("Không hoạt động sau 1 năm thành lập"),
        explanation=_("Đã quá 1 năm kể từ quyết định thành lập mà trung tâm không nộp báo cáo nào trong năm đầu, "
                      "dù đã có kỳ báo cáo phải nộp (dấu hiệu không tổ chức hoạt động giáo dục)."),
        legal_basis=_("Nghị định 125/2024/NĐ-CP, Điều 45 khoản 1 điểm c"),
        source=_("Sổ đăng ký (quyết định thành lập) và báo cáo định kỳ của năm đầu trên cổng"),
        kinds=LANGUAGE_IT_KINDS, default_weight=4, pre=_no_activity_pre,
        condition=_no_activity_q, why=_no_activity_why,
        todo=_("Báo cáo Sở GDĐT tình hình hoạt động thực tế kèm minh chứng."),
    ),
    Rule(
        code="location", name=_("Dạy học tại địa điểm chưa được phép"),
        explanation=_("Đoàn kiểm tra phát hiện, hoặc đơn thư đã được kết luận, trung tâm dạy học tại địa điểm "
                      "không có trong giấy phép."),
        legal_basis=_("Nghị định 04/2021/NĐ-CP (sửa đổi bởi 127/2021), Điều 6"),
        source=_("Biên bản kiểm tra; đơn thư đã kết luận đúng"),
        kinds=ALL_KINDS, default_weight=7, details=_location_details, condition=_location_q,
        why=_location_why,
        todo=_("Chuyển học viên về địa điểm được phép hoặc đề nghị bổ sung địa điểm trong giấy phép."),
    ),
    Rule(
        code="complaints", name=_("Đơn thư quá hạn giải quyết"),
        explanation=_("Có đơn thư phản ánh trung tâm chưa được giải quyết xong khi đã quá hạn."),
        legal_basis=_("Luật Khiếu nại 2011, Điều 28; Luật Tố cáo 2018, Điều 30 (thời hạn giải quyết)"),
        source=_("Sổ theo dõi đơn thư"),
        kinds=ALL_KINDS, default_weight=3, details=_counted("c_complaints_overdue", _overdue_complaints),
        condition=_flagged_by(_overdue_complaints),
        why=_complaint_why,
        todo=_("Phối hợp cung cấp thông tin, giải trình nội dung đơn thư với cơ quan giải quyết."),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def annotate_rules(queryset, today: datetime.date, rules=RULES, *, province_id: int | None = None,
                   details: bool = True):
    """Annotate each rule's flag_<code> boolean (and, with `details`, what its reason
    shows) on a Center queryset. `province_id` narrows the report subqueries to one
    province's obligations when the queryset is scoped to it."""
    # One annotate() per stage: each call copies the whole query, so forty calls cost
    # more than the database takes to run it.
    pre = {name: value for rule in rules for name, value in rule.pre(today).items()}
    if pre:
        queryset = queryset.annotate(**pre)
    queryset = queryset.annotate(**{
        rule.field: ExpressionWrapper(rule.q(today, province_id), output_field=BooleanField()) for rule in rules
    })
    if details:
        queryset = queryset.annotate(**{name: value for rule in rules for name, value in rule.details(today).items()})
    return queryset


def annotate_details(queryset, today: datetime.date, rules=RULES):
    """Only what the reasons show (for rows whose flags are already known)."""
    pre = {name: value for rule in rules for name, value in rule.pre(today).items()}
    details = {name: value for rule in rules for name, value in rule.details(today).items()}
    return queryset.annotate(**pre).annotate(**details)


def rule_choices() -> list[tuple[str, str]]:
    return [(rule.code, rule.name) for rule in RULES]
