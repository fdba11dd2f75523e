"""Inspections, violations and complaints through their services: who may record them,
and bad input refused with a clear message and nothing stored."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from inspections.models import Complaint, Inspection, InspectionCheck, LegalVersion, SanctionArticle, Violation
from inspections.services import complaint_save, inspection_save, risk_weights_set, violation_add

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0), tick=False):
        yield


def planned(center, **fields) -> Inspection:
    values = {"center": center, "planned_on": D(2026, 11, 10), "team": "Nguyễn Văn An, Thanh tra viên",
              "scope": "Điều kiện hoạt động"}
    values.update(fields)
    return Inspection(**values)


def test_an_inspector_plans_then_records_an_inspection_with_its_checklist(inspector, center):
    inspection = inspection_save(inspection=planned(center), user=inspector)
    assert inspection.status == "planned" and inspection.province == center.province
    inspection.status, inspection.carried_out_on = "done", D(2026, 11, 12)
    inspection.findings, inspection.remedy_deadline = "Thiếu hồ sơ giáo viên", D(2026, 12, 12)
    inspection_save(inspection=inspection, user=inspector,
                    checks={"premises": ("met", ""), "fire_safety": ("not_met", "Thiếu bình chữa cháy")})
    assert InspectionCheck.objects.get(condition="fire_safety").note == "Thiếu bình chữa cháy"


@pytest.mark.parametrize("fields, field, message", [
    ({"status": "done", "carried_out_on": D(2026, 11, 12), "remedy_deadline": D(2026, 11, 11)},
     "remedy_deadline", "Thời hạn khắc phục (11/11/2026) trước ngày kiểm tra (12/11/2026)."),
    ({"status": "done"}, "carried_out_on", "Cần ngày kiểm tra"),
    ({"status": "done", "carried_out_on": D(2026, 11, 21)}, "carried_out_on", "tương lai"),
    ({"status": "closed", "carried_out_on": D(2026, 11, 12)}, "closed_on", "Cần ngày kết thúc"),
])
def test_bad_inspection_dates_are_refused_and_nothing_is_stored(inspector, center, fields, field, message):
    with pytest.raises(ValidationError) as error:
        inspection_save(inspection=planned(center, **fields), user=inspector)
    assert message in " ".join(error.value.message_dict[field])
    assert not Inspection.objects.exists()


def test_inspectors_cannot_record_outside_their_province_and_directors_not_at_all(
        foreign_inspector, director, local_officer, center):
    for user in (foreign_inspector, director, local_officer):
        with pytest.raises(PermissionDenied):
            inspection_save(inspection=planned(center), user=user)
    assert not Inspection.objects.exists()


@pytest.fixture
def versions():
    old = LegalVersion.objects.create(code="ND138-2013", title="Nghị định 138/2013/NĐ-CP",
                                      in_force_from=D(2014, 1, 1), in_force_to=D(2021, 3, 9))
    current = LegalVersion.objects.create(code="ND04-2021", title="Nghị định 04/2021/NĐ-CP",
                                          in_force_from=D(2021, 3, 10))
    make = lambda version: SanctionArticle.objects.create(  # noqa: E731
        version=version, article="6", clause="3", description="Dạy học tại địa điểm chưa được cho phép",
        fine_min=10_000_000, fine_max=20_000_000)
    return make(old), make(current)


@pytest.fixture
def done_inspection(inspector, center):
    return inspection_save(inspection=planned(center, status="done", carried_out_on=D(2026, 11, 12),
                                              remedy_deadline=D(2026, 12, 12)), user=inspector)


def test_a_violation_cites_the_catalogue_in_force_on_the_inspection_date(done_inspection, inspector, versions):
    old, current = versions
    with pytest.raises(ValidationError) as error:
        violation_add(inspection=done_inspection, user=inspector, article=old, fine_amount=15_000_000)
    assert "Nghị định 138/2013/NĐ-CP, không có hiệu lực vào ngày kiểm tra 12/11/2026" in str(error.value)
    assert not Violation.objects.exists()
    violation = violation_add(inspection=done_inspection, user=inspector, article=current, fine_amount=15_000_000)
    assert violation.remedy_deadline == D(2026, 12, 12)  # the inspection's, by default


def test_a_violation_with_a_remedy_before_the_inspection_or_a_fine_outside_the_range_is_refused(
        done_inspection, inspector, versions):
    _old, current = versions
    with pytest.raises(ValidationError, match="trước ngày kiểm tra"):
        violation_add(inspection=done_inspection, user=inspector, article=current, remedy_deadline=D(2026, 11, 1))
    with pytest.raises(ValidationError, match="ngoài khung"):
        violation_add(inspection=done_inspection, user=inspector, article=current, fine_amount=50_000_000)
    assert not Violation.objects.exists()


def test_complaints_are_checked_and_scoped(inspector, foreign_inspector, center):
    complaint = Complaint(center=center, received_on=D(2026, 11, 1), source="learner", content="Không hoàn học phí",
                          handling_deadline=D(2026, 10, 1))
    with pytest.raises(ValidationError, match="Hạn giải quyết trước ngày nhận đơn"):
        complaint_save(complaint=complaint, user=inspector)
    complaint.handling_deadline = D(2026, 12, 1)
    with pytest.raises(PermissionDenied):
        complaint_save(complaint=complaint, user=foreign_inspector)
    assert not Complaint.objects.exists()
    assert complaint_save(complaint=complaint, user=inspector).province == center.province


def test_only_department_staff_set_risk_weights(department_user, inspector, province):
    with pytest.raises(PermissionDenied):
        risk_weights_set(user=inspector, province_id=province.pk, weights={"tasks": 9})
    with pytest.raises(ValidationError):
        risk_weights_set(user=department_user, province_id=province.pk, weights={"tasks": 500})
    risk_weights_set(user=department_user, province_id=province.pk, weights={"tasks": 9, "unknown": 3})
    from inspections.selectors import weights_for

    assert weights_for(province.pk)["tasks"] == 9


def test_the_demo_records_inspections_complaints_and_flags_once(db):
    from django.core.management import call_command

    import io

    from geo.services import units_load
    from inspections.models import FlagPeriod

    units_load(province_codes=[24])
    call_command("seed_demo", "--force", stdout=io.StringIO())
    counts = (Inspection.objects.count(), Complaint.objects.count(), Violation.objects.count())
    assert counts[0] >= 5 and counts[1] == 3 and counts[2] >= 2
    assert Inspection.objects.filter(status="planned").exists() and Inspection.objects.filter(status="closed").exists()
    assert FlagPeriod.objects.filter(rule="location").exists()
    assert FlagPeriod.objects.filter(rule="complaints").exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert (Inspection.objects.count(), Complaint.objects.count(), Violation.objects.count()) == counts
