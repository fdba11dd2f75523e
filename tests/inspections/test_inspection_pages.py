"""Inspections through their pages: planned then carried out with the checklist,
violations from the catalogue in force, remedies and follow-up; bad input refused with a
clear message and nothing stored; who may read and who may write."""

import datetime

import pytest
from django.urls import reverse

from inspections.models import Inspection, InspectionCheck, LegalVersion, SanctionArticle, Violation
from tests.edit_versions import edit_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
D = datetime.date
CREATE = reverse("inspections:inspection_create")


def form_data(**changes) -> dict:
    data = {
        "status": "planned", "planned_on": "10/11/2026", "carried_out_on": "", "decision_number": "85/QĐ-SGDĐT",
        "team": "Nguyễn Văn An, Trưởng phòng Giáo dục thường xuyên - Trưởng đoàn", "scope": "Điều kiện hoạt động",
        "findings": "", "remedy_deadline": "", "closed_on": "",
    }
    for condition in ("premises", "programmes", "staff", "statutes", "disclosure", "fees", "fire_safety"):
        data[f"check-{condition}_result"] = "not_checked"
        data[f"check-{condition}_note"] = ""
    data.update(changes)
    return data


def test_an_inspector_plans_an_inspection_for_a_center_then_records_it(client, inspector, center):
    client.force_login(inspector)
    page = client.get(CREATE, {"center": center.pk})
    assert page.status_code == 200 and center.name in page.content.decode()
    response = client.post(f"{CREATE}?center={center.pk}", form_data())
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == inspection.get_absolute_url()
    assert (inspection.center, inspection.status, inspection.created_by) == (center, "planned", inspector)

    edit = reverse("inspections:inspection_update", args=[inspection.pk])
    response = client.post(edit, form_data(
        status="done", carried_out_on="12/11/2026", remedy_deadline="12/12/2026", findings="Thiếu bình chữa cháy.",
        **{"check-fire_safety_result": "not_met", "check-fire_safety_note": "Thiếu bình chữa cháy tầng 3",
           "check-premises_result": "met"},
        **edit_version(client, edit),
    ))
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "done" and inspection.carried_out_on == D(2026, 11, 12)
    checks = dict(InspectionCheck.objects.values_list("condition", "result"))
    assert checks["fire_safety"] == "not_met" and checks["premises"] == "met" and len(checks) == 7
    detail = client.get(inspection.get_absolute_url()).content.decode()
    assert "Thiếu bình chữa cháy tầng 3" in detail


def test_the_center_is_chosen_among_the_users_scope(client, inspector, center, foreign_center):
    client.force_login(inspector)
    assert client.get(CREATE, {"center": foreign_center.pk}).status_code == 404
    form = client.get(CREATE).context["form"]
    assert list(form.fields["center"].queryset) == [center]
    response = client.post(CREATE, form_data(center=foreign_center.pk))
    assert response.status_code == 200 and "center" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_a_remedy_deadline_before_the_inspection_is_refused_and_nothing_stored(client, inspector, center):
    client.force_login(inspector)
    response = client.post(f"{CREATE}?center={center.pk}", form_data(
        status="done", carried_out_on="12/11/2026", remedy_deadline="11/11/2026",
        **{"check-fees_result": "not_met"},
    ))
    assert response.status_code == 200
    errors = response.context["form"].errors["remedy_deadline"]
    assert errors == ["Thời hạn khắc phục (11/11/2026) trước ngày kiểm tra (12/11/2026)."]
    assert "Thời hạn khắc phục (11/11/2026) trước ngày kiểm tra (12/11/2026)." in response.content.decode()
    assert not Inspection.objects.exists() and not InspectionCheck.objects.exists()


def test_closing_needs_its_date(client, inspector, recorded_inspection):
    client.force_login(inspector)
    edit = reverse("inspections:inspection_update", args=[recorded_inspection.pk])
    response = client.post(edit, form_data(status="closed", carried_out_on="12/11/2026", **edit_version(client, edit)))
    assert "Cần ngày kết thúc" in " ".join(response.context["form"].errors["closed_on"])
    recorded_inspection.refresh_from_db()
    assert recorded_inspection.status == "done"


@pytest.fixture
def versions():
    old = LegalVersion.objects.create(code="ND138-2013", title="Nghị định 138/2013/NĐ-CP",
                                      in_force_from=D(2014, 1, 1), in_force_to=D(2021, 3, 9))
    current = LegalVersion.objects.get(code="ND04-2021-127-2021")  # the migration's catalogue
    make = lambda version, **fields: SanctionArticle.objects.create(  # noqa: E731
        version=version, article="6", clause="3", description="Dạy học tại địa điểm chưa được cho phép",
        fine_min=10_000_000, fine_max=20_000_000, **fields)
    return make(old), make(current, remedy="Buộc chuyển người học đến địa điểm đã được cho phép")


def test_the_violation_form_offers_the_catalogue_in_force_on_the_inspection_date(
        client, inspector, recorded_inspection, versions):
    old, current = versions
    client.force_login(inspector)
    form = client.get(reverse("inspections:violation_create", args=[recorded_inspection.pk])).context["form"]
    offered = [value for _group, options in form.fields["article"].widget.choices[1:] for value, _label in options]
    assert current.pk in offered and old.pk not in offered


def test_a_violation_from_a_version_not_in_force_is_refused_and_nothing_stored(
        client, inspector, recorded_inspection, versions):
    old, current = versions
    client.force_login(inspector)
    url = reverse("inspections:violation_create", args=[recorded_inspection.pk])
    response = client.post(url, {"article": old.pk, "fine_amount": 15_000_000})
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["article"])
    assert "Nghị định 138/2013/NĐ-CP, không có hiệu lực vào ngày kiểm tra 12/11/2026" in error
    assert not Violation.objects.exists()

    response = client.post(url, {"article": current.pk, "fine_amount": 15_000_000, "remedy_deadline": "01/11/2026"})
    assert "trước ngày kiểm tra" in " ".join(response.context["form"].errors["remedy_deadline"])
    response = client.post(url, {"article": current.pk, "fine_amount": 50_000_000})
    assert "ngoài khung" in " ".join(response.context["form"].errors["fine_amount"])
    assert not Violation.objects.exists()

    response = client.post(url, {"article": current.pk, "fine_amount": 15_000_000,
                                 "description": "Lớp tại nhà văn hóa"})
    assert response.status_code == 302
    violation = Violation.objects.get()
    assert violation.remedy_deadline == D(2026, 12, 12)  # the inspection's


def test_a_planned_inspection_takes_no_violation(client, inspector, center, versions):
    planned = Inspection.objects.create(province=center.province, center=center, planned_on=D(2026, 12, 1),
                                        team="A", scope="B")
    client.force_login(inspector)
    response = client.get(reverse("inspections:violation_create", args=[planned.pk]))
    assert response.status_code == 302
    assert not Violation.objects.exists()


def test_a_violation_is_marked_remedied_and_followed_up(client, inspector, recorded_inspection, versions):
    _old, current = versions
    violation = Violation.objects.create(inspection=recorded_inspection, article=current,
                                         remedy_deadline=D(2026, 12, 12))
    client.force_login(inspector)
    url = reverse("inspections:violation_remedied", args=[recorded_inspection.pk, violation.pk])
    client.post(url, {"remedied_on": "21/11/2026"})  # tomorrow: refused
    violation.refresh_from_db()
    assert violation.remedied_on is None
    client.post(url, {"remedied_on": "19/11/2026"})
    violation.refresh_from_db()
    assert violation.remedied_on == D(2026, 11, 19)

    follow = reverse("inspections:follow_up_add", args=[recorded_inspection.pk])
    client.post(follow, {"note": "Trung tâm gửi báo cáo khắc phục kèm ảnh niêm yết học phí."})
    client.post(follow, {"note": "Kiểm tra lại: đã niêm yết."})
    recorded_inspection.refresh_from_db()
    lines = recorded_inspection.follow_up.splitlines()
    assert lines == [f"20/11/2026 ({inspector}): Trung tâm gửi báo cáo khắc phục kèm ảnh niêm yết học phí.",
                     f"20/11/2026 ({inspector}): Kiểm tra lại: đã niêm yết."]
    detail = client.get(recorded_inspection.get_absolute_url()).content.decode()
    assert "Kiểm tra lại: đã niêm yết." in detail and "Đã khắc phục 19/11/2026" in detail


def test_the_list_filters_by_status_year_and_center(client, inspector, recorded_inspection, other_center):
    other = Inspection.objects.create(province=other_center.province, center=other_center, planned_on=D(2025, 5, 1),
                                      team="A", scope="B")
    client.force_login(inspector)
    url = reverse("inspections:inspection_list")

    def listed(**params):
        return {i.pk for i in client.get(url, params).context["inspections"]}

    assert listed() == {recorded_inspection.pk, other.pk}
    assert listed(status="planned") == {other.pk}
    assert listed(year=2025) == {other.pk}
    assert listed(year=2026) == {recorded_inspection.pk}
    assert listed(center=other_center.pk) == {other.pk}
    assert listed(q="sao mai") == {other.pk}


def test_a_director_reads_their_own_centers_inspections_only(client, director, other_director, recorded_inspection):
    client.force_login(director)
    detail = client.get(recorded_inspection.get_absolute_url())
    assert detail.status_code == 200
    content = detail.content.decode()
    assert reverse("inspections:inspection_update", args=[recorded_inspection.pk]) not in content
    assert client.get(reverse("inspections:inspection_update", args=[recorded_inspection.pk])).status_code == 403
    assert client.get(reverse("inspections:inspection_list")).status_code == 403
    assert client.get(reverse("inspections:inspection_pdf", args=[recorded_inspection.pk])).status_code == 200
    client.force_login(other_director)
    assert client.get(recorded_inspection.get_absolute_url()).status_code == 404


def test_a_local_officer_reads_but_does_not_write(client, local_officer, other_local_officer, recorded_inspection):
    client.force_login(local_officer)
    assert client.get(recorded_inspection.get_absolute_url()).status_code == 200
    assert client.get(reverse("inspections:inspection_list")).context["inspections"][0] == recorded_inspection
    assert client.get(reverse("inspections:inspection_update", args=[recorded_inspection.pk])).status_code == 403
    assert client.post(reverse("inspections:follow_up_add", args=[recorded_inspection.pk]),
                       {"note": "x"}).status_code == 403
    client.force_login(other_local_officer)
    assert client.get(recorded_inspection.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("inspections:inspection_list")).context["inspections"]) == []


def test_a_foreign_inspector_gets_404(client, foreign_inspector, recorded_inspection):
    client.force_login(foreign_inspector)
    for name in ("inspection_detail", "inspection_update", "inspection_pdf", "violation_create"):
        assert client.get(reverse(f"inspections:{name}", args=[recorded_inspection.pk])).status_code == 404
