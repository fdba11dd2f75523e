"""Demo inspections and complaints for `seed_demo`: a few of the demo centers inspected
(one planned, one followed up with a violation still to remedy, one closed, one where
teaching at an unpermitted place was found), complaints in every state, and the flag
history recorded for today. Idempotent: a second run finds its rows by their content."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Division, User
from centers.choices import CenterKind, CenterStatus
from centers.models import Center
from geo.models import AdministrativeUnit

from .choices import CheckResult, ComplaintStatus, Condition, InspectionStatus
from .models import Complaint, Inspection, InspectionCheck, SanctionArticle, Violation
from .services import flags_record

# A Department's checking team: since 1/7/2025 there is no Department inspectorate (Law on
# Inspection 84/2025/QH15), so no "Thanh tra viên" of the Department either.
TEAM = ("Trịnh Văn Kiên, Phó Trưởng phòng Giáo dục thường xuyên (trưởng đoàn)\n"
        "Vũ Đức Long, chuyên viên Phòng Giáo dục thường xuyên")
SCOPE = "Điều kiện hoạt động; hồ sơ giáo viên, người nước ngoài; công khai thông tin và thu học phí"


def _article(text: str) -> SanctionArticle | None:
    return SanctionArticle.objects.filter(version__in_force_to__isnull=True, description__icontains=text).first()


def _inspection(center: Center, *, key: str, **fields) -> tuple[Inspection, bool]:
    """Found again by its center and decision number (the demo's key)."""
    return Inspection.objects.get_or_create(
        center=center, decision_number=key,
        defaults={"province_id": center.province_id, "team": TEAM, "scope": SCOPE, **fields},
    )


@transaction.atomic
def inspections_seed(*, province: AdministrativeUnit, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    centers = Center.objects.filter(province=province)
    director_center = User.objects.filter(username="giamdoc").values_list("center_id", flat=True).first()
    inspector = User.objects.filter(username="thanhtra").first()
    if inspector and not inspector.division_id:
        # Thanh tra Sở is a division: its inspector answers the tasks given to it.
        inspector.division = Division.objects.filter(province=province, code="TTr").first()
        inspector.save(update_fields=["division"])
    language = centers.filter(kind=CenterKind.LANGUAGE, status=CenterStatus.OPERATING).exclude(pk=director_center)
    counts = {"inspections": 0, "complaints": 0}
    day = lambda offset: today + datetime.timedelta(days=offset)  # noqa: E731

    if director_center:
        center = Center.objects.get(pk=director_center)
        inspection, created = _inspection(
            center, key="45/QĐ-SGDĐT", status=InspectionStatus.DONE, planned_on=day(-40), carried_out_on=day(-35),
            findings="Trung tâm chưa niêm yết công khai học phí của các khóa học đang tuyển sinh.",
            remedy_deadline=day(25), created_by=inspector,
        )
        if created:
            counts["inspections"] += 1
            for condition in Condition.values:
                result = CheckResult.NOT_MET if condition == Condition.DISCLOSURE else CheckResult.MET
                InspectionCheck.objects.create(inspection=inspection, condition=condition, result=result)
            article = _article("công khai")
            if article:
                Violation.objects.create(inspection=inspection, article=article, remedy_deadline=day(25),
                                         description="Không niêm yết học phí tại trụ sở và trên trang thông tin.",
                                         remedy="Niêm yết công khai học phí theo quy định.")
    plans = list(language.order_by("code")[:4])
    if len(plans) == 4:
        overdue, closed, location, planned = plans
        inspection, created = _inspection(
            overdue, key="38/QĐ-SGDĐT", status=InspectionStatus.DONE, planned_on=day(-95), carried_out_on=day(-90),
            findings="02 giáo viên người nước ngoài chưa có giấy phép lao động.", remedy_deadline=day(-30),
            created_by=inspector,
        )
        if created:
            counts["inspections"] += 1
            article = _article("giấy phép lao động, không có xác nhận miễn")
            if article:
                Violation.objects.create(inspection=inspection, article=article, remedy_deadline=day(-30),
                                         fine_amount=30_000_000,
                                         description="Sử dụng 02 giáo viên người nước ngoài "
                                                     "không có giấy phép lao động.")
        inspection, created = _inspection(
            closed, key="12/QĐ-SGDĐT", status=InspectionStatus.CLOSED, planned_on=day(-210), carried_out_on=day(-200),
            findings="Cơ bản đáp ứng điều kiện hoạt động.", remedy_deadline=day(-170), closed_on=day(-160),
            follow_up="Trung tâm đã bổ sung quy chế tổ chức và hoạt động.", created_by=inspector,
        )
        counts["inspections"] += int(created)
        _inspection_location, created = _inspection(
            location, key="52/QĐ-SGDĐT", status=InspectionStatus.DONE, planned_on=day(-20), carried_out_on=day(-18),
            findings="Trung tâm tổ chức 03 lớp tại nhà văn hóa khu phố, địa điểm không có trong quyết định cho phép "
                     "hoạt động.",
            unpermitted_location=True, remedy_deadline=day(12), created_by=inspector,
        )
        counts["inspections"] += int(created)
        _planned, created = _inspection(planned, key="60/QĐ-SGDĐT", planned_on=day(7), created_by=inspector)
        counts["inspections"] += int(created)

        complaints = [
            (location, day(-40), "learner", "Phụ huynh phản ánh trung tâm mở lớp tại nhà văn hóa khu phố.",
             {"about_location": True, "status": ComplaintStatus.RESOLVED, "upheld": True, "closed_on": day(-15),
              "outcome": "Kết luận nội dung phản ánh là đúng; chuyển đoàn kiểm tra xử lý."}),
            (overdue, day(-50), "teacher", "Giáo viên phản ánh trung tâm chậm trả lương ba tháng.",
             {"status": ComplaintStatus.HANDLING}),
            (closed, day(-5), "citizen", "Người dân phản ánh trung tâm thu học phí cao hơn mức niêm yết.",
             {"status": ComplaintStatus.RECEIVED}),
        ]
        for center, received, source, content, fields in complaints:
            _complaint, created = Complaint.objects.get_or_create(
                center=center, content=content,
                defaults={"province_id": province.pk, "received_on": received, "source": source,
                          "handling_deadline": received + datetime.timedelta(days=30), "created_by": inspector,
                          **fields},
            )
            counts["complaints"] += int(created)
    flags_record(today=today)
    return counts
