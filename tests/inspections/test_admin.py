"""The inspections app in the web admin: the national catalogue (superusers change it,
staff read it), inspections, complaints and weights scoped to the user's province."""

import datetime

import pytest
from django.urls import reverse

from inspections.models import Complaint, Inspection, LegalVersion, RiskWeight
from tests.admin_forms import admin_form_data
from tests.factories import CenterFactory, CommuneFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser(db):
    return make_user("", province=None, username="root", is_superuser=True, is_staff=True)


def test_staff_read_the_catalogue_and_only_superusers_change_it(client, department_user, superuser):
    version = LegalVersion.objects.get(code="ND04-2021-127-2021")
    client.force_login(department_user)
    assert "Nghị định 04/2021" in client.get(changelist_url(LegalVersion)).content.decode()
    page = client.get(change_url(version))
    assert page.status_code == 200 and "Tổ chức hoạt động giáo dục tại địa điểm" in page.content.decode()
    assert client.post(change_url(version), {"title": "Đổi"}).status_code == 403
    assert client.get(reverse("admin:inspections_legalversion_add")).status_code == 403

    client.force_login(superuser)
    data = admin_form_data(client.get(change_url(version)))
    data["in_force_to"] = "2030-12-31"
    assert client.post(change_url(version), data).status_code == 302
    version.refresh_from_db()
    assert version.in_force_to == datetime.date(2030, 12, 31)


@pytest.fixture
def foreign_inspection(foreign_center):
    return Inspection.objects.create(province=foreign_center.province, center=foreign_center, status="planned",
                                     planned_on=datetime.date(2026, 12, 1), team="A", scope="B")


def test_inspections_are_scoped_to_the_province(client, department_user, recorded_inspection, foreign_inspection):
    client.force_login(department_user)
    listed = client.get(changelist_url(Inspection)).context["cl"].result_list
    assert list(listed) == [recorded_inspection]
    assert client.get(change_url(foreign_inspection)).status_code == 404


def test_an_inspection_saved_in_the_admin_goes_through_the_services_rules(client, department_user,
                                                                          recorded_inspection):
    client.force_login(department_user)
    url = change_url(recorded_inspection)
    data = admin_form_data(client.get(url))
    data["remedy_deadline"] = "2026-11-01"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "trước ngày kiểm tra" in " ".join(response.context["adminform"].form.errors["remedy_deadline"])
    data["remedy_deadline"] = "2026-12-20"
    assert client.post(url, data).status_code == 302
    recorded_inspection.refresh_from_db()
    assert recorded_inspection.remedy_deadline == datetime.date(2026, 12, 20)


def test_complaints_are_scoped_to_the_province(client, department_user, center, foreign_center):
    mine = Complaint.objects.create(province=center.province, center=center, received_on=datetime.date(2026, 11, 1),
                                    source="learner", content="A", handling_deadline=datetime.date(2026, 12, 1))
    theirs = Complaint.objects.create(province=foreign_center.province, center=foreign_center,
                                      received_on=datetime.date(2026, 11, 1), source="learner", content="B",
                                      handling_deadline=datetime.date(2026, 12, 1))
    client.force_login(department_user)
    assert list(client.get(changelist_url(Complaint)).context["cl"].result_list) == [mine]
    assert client.get(change_url(theirs)).status_code == 404


def test_risk_weights_are_the_provinces_own(client, department_user, province, other_province):
    theirs = RiskWeight.objects.create(province=other_province, rule="tasks", weight=9)
    client.force_login(department_user)
    response = client.post(reverse("admin:inspections_riskweight_add"), {"rule": "reports", "weight": 7})
    assert response.status_code == 302
    assert RiskWeight.objects.get(rule="reports").province == province
    assert list(client.get(changelist_url(RiskWeight)).context["cl"].result_list) == [
        RiskWeight.objects.get(rule="reports")]
    assert client.get(change_url(theirs)).status_code == 404
    assert client.post(reverse("admin:inspections_riskweight_add"), {"rule": "tasks", "weight": 700}).status_code == 200


def test_center_choices_in_the_inspection_form_are_the_provinces(client, department_user, center, foreign_center):
    CenterFactory(commune=CommuneFactory(parent=foreign_center.province))
    client.force_login(department_user)
    form = client.get(reverse("admin:inspections_inspection_add")).context["adminform"].form
    assert set(form.fields["center"].queryset) == {center}


@pytest.fixture
def flags_run(center, foreign_center):
    from django.utils import timezone

    from inspections.models import FlagsCheck

    now = timezone.now()
    return FlagsCheck.objects.create(
        as_of=datetime.date(2026, 11, 20), started_at=now, finished_at=now, centers=2, dated=1, differences=2,
        sample=[[center.pk, "flag_licence", False, True], [foreign_center.pk, "flag_reports", True, False]],
    )


def test_staff_read_the_nightly_checks_with_their_provinces_part_of_the_sample(
        client, department_user, superuser, inspector, flags_run, center, foreign_center):
    from inspections.models import FlagsCheck

    client.force_login(department_user)
    listing = client.get(changelist_url(FlagsCheck))
    assert listing.status_code == 200 and "20/11/2026" in listing.content.decode()
    page = client.get(change_url(flags_run)).content.decode()
    assert f"{center.code}: Giấy phép hết hạn hoặc sắp hết hạn — False → True" in page
    assert "Không thực hiện chế độ báo cáo" not in page  # the other province's center
    # Written by the check only: nobody adds, changes or deletes a run.
    for user in (department_user, superuser):
        client.force_login(user)
        assert client.get(reverse("admin:inspections_flagscheck_add")).status_code == 403
        assert client.post(change_url(flags_run), {"differences": "0"}).status_code == 403
        assert client.post(reverse("admin:inspections_flagscheck_delete", args=[flags_run.pk]),
                           {"post": "yes"}).status_code == 403
    assert FlagsCheck.objects.get().differences == 2
    page = client.get(change_url(flags_run)).content.decode()  # the superuser's
    assert "Giấy phép hết hạn hoặc sắp hết hạn" in page and "Không thực hiện chế độ báo cáo" in page
    client.force_login(inspector)
    assert client.get(changelist_url(FlagsCheck)).status_code == 302  # the admin's login
