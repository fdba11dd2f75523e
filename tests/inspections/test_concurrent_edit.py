"""Two inspectors editing the same inspection or complaint at once: the second save is
refused (409) with what changed since it was opened; nothing of the first is reverted,
the checklist included (edu_portal.concurrency)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from inspections.models import Complaint, Inspection, InspectionCheck
from tests.admin_forms import admin_form_data
from tests.edit_versions import CONFLICT, colleagues, conflict_row, page_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
CONDITIONS = ("premises", "programmes", "staff", "statutes", "disclosure", "fees", "fire_safety")


@pytest.fixture
def clients(inspector):
    return colleagues(inspector)


def inspection_page(client, url) -> dict:
    return page_data(client, url, forms=("checklist",))


def test_the_second_of_two_concurrent_inspection_edits_is_refused_and_nothing_reverted(clients, recorded_inspection):
    first, second = clients
    url = reverse("inspections:inspection_update", args=[recorded_inspection.pk])
    first_data, second_data = inspection_page(first, url), inspection_page(second, url)

    first_data["findings"] = "Chưa niêm yết học phí; thiếu bình chữa cháy."
    first_data["check-fire_safety_result"] = "not_met"
    assert first.post(url, first_data).status_code == 302

    second_data["decision_number"] = "86/QĐ-SGDĐT"
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    row = conflict_row(response, "findings")
    assert "Trung tâm chưa niêm yết công khai mức học phí." in row and "thiếu bình chữa cháy" in row
    inspection = Inspection.objects.get(pk=recorded_inspection.pk)
    assert inspection.findings == "Chưa niêm yết học phí; thiếu bình chữa cháy."
    assert inspection.decision_number == "85/QĐ-SGDĐT"
    assert InspectionCheck.objects.get(inspection=inspection, condition="fire_safety").result == "not_met"
    # The checklist shown with the conflict is the saved one.
    assert response.context["checklist"]["fire_safety_result"].value() == "not_met"

    again = inspection_page(second, url)
    again["decision_number"] = "86/QĐ-SGDĐT"
    assert second.post(url, again).status_code == 302
    inspection.refresh_from_db()
    assert inspection.decision_number == "86/QĐ-SGDĐT"
    assert InspectionCheck.objects.get(inspection=inspection, condition="fire_safety").result == "not_met"


def test_a_follow_up_note_makes_an_open_inspection_page_stale(clients, recorded_inspection):
    first, second = clients
    url = reverse("inspections:inspection_update", args=[recorded_inspection.pk])
    stale = inspection_page(second, url)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 5), tick=False):  # the clock moves on
        response = first.post(reverse("inspections:follow_up_add", args=[recorded_inspection.pk]),
                              {"note": "Đã nhắc trung tâm niêm yết học phí."})
    assert response.status_code == 302
    stale["scope"] = "Phạm vi khác"
    assert second.post(url, stale).status_code == 409
    inspection = Inspection.objects.get(pk=recorded_inspection.pk)
    assert "Đã nhắc trung tâm" in inspection.follow_up and inspection.scope.startswith("Điều kiện hoạt động")


@pytest.fixture
def complaint(center, province):
    return Complaint.objects.create(
        province=province, center=center, received_on=datetime.date(2026, 11, 1), source="citizen",
        content="Thu học phí không hoàn trả khi học viên nghỉ", handling_deadline=datetime.date(2026, 12, 1),
    )


def test_the_second_of_two_concurrent_complaint_edits_is_refused_and_nothing_reverted(clients, complaint):
    first, second = clients
    url = reverse("inspections:complaint_update", args=[complaint.pk])
    first_data, second_data = page_data(first, url), page_data(second, url)
    first_data["status"] = "handling"
    assert first.post(url, first_data).status_code == 302
    second_data["content"] = "Thu học phí không hoàn trả; không cấp biên lai."
    response = second.post(url, second_data)
    assert response.status_code == 409
    row = conflict_row(response, "status")
    assert "Mới tiếp nhận" in row and "Đang giải quyết" in row  # labels, not codes
    assert "không rõ người sửa" in row  # complaints keep no history: the time only
    complaint.refresh_from_db()
    assert complaint.status == "handling"
    assert complaint.content == "Thu học phí không hoàn trả khi học viên nghỉ"

    again = page_data(second, url)
    again["content"] = "Thu học phí không hoàn trả; không cấp biên lai."
    assert second.post(url, again).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.content) == ("handling", "Thu học phí không hoàn trả; không cấp biên lai.")


def test_the_second_of_two_concurrent_saves_in_the_inspection_admin_is_refused(
    department_user, recorded_inspection,
):
    first, second = colleagues(department_user)
    url = reverse("admin:inspections_inspection_change", args=[recorded_inspection.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    first_data["team"] = "Đoàn kiểm tra liên ngành"
    assert first.post(url, first_data).status_code == 302
    second_data["scope"] = "Phạm vi khác"
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert CONFLICT in " ".join(response.context["adminform"].form.non_field_errors())
    inspection = Inspection.objects.get(pk=recorded_inspection.pk)
    assert inspection.team == "Đoàn kiểm tra liên ngành" and inspection.scope.startswith("Điều kiện hoạt động")
