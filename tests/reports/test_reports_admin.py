"""Report types, periods, obligations and extension requests in the web admin: scoped to
the department's province (404 outside), the type form with its field inline, and the
grant / refuse actions going through the service."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from reports.choices import ExtensionStatus
from reports.models import ExtensionRequest, Obligation, ReportPeriod, ReportType
from tests.factories import CenterFactory
from tests.reports.helpers_review import make_obligation, make_period, make_report_type

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 6, 19)


def changelist_url(model):
    return reverse(f"admin:reports_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:reports_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def world(province, center, foreign_center, director):
    mine = make_report_type(province, title="Báo cáo 6 tháng Bắc Ninh")
    theirs = make_report_type(foreign_center.province, code="HN-6T", title="Báo cáo 6 tháng Hà Nội")
    period, foreign_period = make_period(mine, due_date=DUE), make_period(theirs, due_date=DUE)
    obligation = make_obligation(period, center)
    foreign_obligation = make_obligation(foreign_period, foreign_center)
    extension = ExtensionRequest.objects.create(
        obligation=obligation, reason="Chưa chốt doanh thu", requested_until=DUE + datetime.timedelta(days=10),
        requested_by=director,
    )
    foreign_extension = ExtensionRequest.objects.create(
        obligation=foreign_obligation, reason="Hà Nội xin gia hạn", requested_until=DUE + datetime.timedelta(days=10),
        requested_by=director,
    )
    return {
        "type": mine, "foreign_type": theirs, "period": period, "foreign_period": foreign_period,
        "obligation": obligation, "foreign_obligation": foreign_obligation,
        "extension": extension, "foreign_extension": foreign_extension,
    }


@pytest.mark.parametrize(("model", "own", "foreign", "own_text", "foreign_text"), [
    (ReportType, "type", "foreign_type", "Báo cáo 6 tháng Bắc Ninh", "Báo cáo 6 tháng Hà Nội"),
    (ReportPeriod, "period", "foreign_period", "Báo cáo 6 tháng Bắc Ninh", "Báo cáo 6 tháng Hà Nội"),
    (Obligation, "obligation", "foreign_obligation", "Ngoại ngữ Đông Á", "Ngoại ngữ Hà Thành"),
    (ExtensionRequest, "extension", "foreign_extension", "Ngoại ngữ Đông Á", "Ngoại ngữ Hà Thành"),
])
def test_staff_see_their_province_only(client, department_user, world, model, own, foreign, own_text, foreign_text):
    client.force_login(department_user)
    response = client.get(changelist_url(model))
    assert response.status_code == 200
    body = response.content.decode()
    assert own_text in body
    assert foreign_text not in body
    assert client.get(change_url(world[own])).status_code == 200
    assert client.get(change_url(world[foreign])).status_code == 404


def test_report_type_form_has_checkboxes_and_the_unverified_label(client, department_user):
    client.force_login(department_user)
    body = client.get(reverse("admin:reports_reporttype_add")).content.decode()
    assert 'type="checkbox" name="center_kinds" value="community"' in body
    assert 'type="checkbox" name="attachment_types" value="xlsx"' in body
    assert "Chưa xác minh" in body


def test_staff_add_a_report_type_with_its_fields(client, department_user, province):
    client.force_login(department_user)
    data = {
        "code": "TTHTCD-NAM", "title": "Báo cáo năm của trung tâm học tập cộng đồng", "description": "",
        "center_kinds": ["community"], "frequency": "annual", "starts_on": "2026-01-01", "is_active": "on",
        "window_start_day": 15, "due_days_after_window": 10, "lock_days_after_due": 15,
        "school_year_start_month": 9, "school_year_start_day": 1,
        "attachment_types": ["pdf", "xlsx"], "attachment_max_mb": 5,
        "fields-TOTAL_FORMS": 3, "fields-INITIAL_FORMS": 0, "fields-MIN_NUM_FORMS": 0, "fields-MAX_NUM_FORMS": 1000,
        "fields-0-order": 0, "fields-0-code": "so_luot_nguoi_hoc", "fields-0-label": "Số lượt người học",
        "fields-0-kind": "integer", "fields-0-required": "on", "fields-0-is_active": "on", "fields-0-min_value": "0",
    }
    # The two blank rows as a browser sends them back: their initial values, unchanged.
    for index in (1, 2):
        data.update({f"fields-{index}-order": 0, f"fields-{index}-required": "on", f"fields-{index}-is_active": "on"})
    response = client.post(reverse("admin:reports_reporttype_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    report_type = ReportType.objects.get(code="TTHTCD-NAM")
    assert report_type.province == province
    assert report_type.center_kinds == ["community"]
    assert report_type.attachment_types == ["pdf", "xlsx"]
    assert list(report_type.fields.values_list("code", "label")) == [("so_luot_nguoi_hoc", "Số lượt người học")]


def test_period_choices_offer_only_the_provinces_types(client, department_user, world):
    client.force_login(department_user)
    response = client.get(reverse("admin:reports_reportperiod_add"))
    choices = response.context["adminform"].form.fields["report_type"].queryset
    assert list(choices) == [world["type"]]


def test_saving_a_period_creates_its_obligations(client, department_user, world, commune):
    CenterFactory(commune=commune, kind="it")
    client.force_login(department_user)
    response = client.post(reverse("admin:reports_reportperiod_add"), {
        "report_type": world["type"].pk, "label": "Đột xuất tháng 9/2026", "data_from": "2026-08-15",
        "data_to": "2026-09-14", "due_date": "2026-09-25", "lock_date": "2026-10-10",
    })
    assert response.status_code == 302
    period = ReportPeriod.objects.get(label="Đột xuất tháng 9/2026")
    # The language center and the IT center of the province; not Hà Nội's.
    assert period.obligations.count() == 2


def test_obligations_are_searched_without_diacritics(client, department_user, world):
    client.force_login(department_user)
    response = client.get(changelist_url(Obligation), {"q": "dong a"})
    assert list(response.context["cl"].result_list) == [world["obligation"]]
    response = client.get(changelist_url(Obligation), {"q": "ha thanh"})
    assert list(response.context["cl"].result_list) == []


def test_obligations_are_read_only(client, department_user, world):
    client.force_login(department_user)
    response = client.get(change_url(world["obligation"]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.post(change_url(world["obligation"]), {"status": "accepted"}).status_code == 403


def test_obligation_changelist_filters(client, department_user, world, commune):
    client.force_login(department_user)
    for params in ({"status__exact": "open"}, {"report_type": world["type"].pk}, {"kind": "language"},
                   {"commune": commune.pk}):
        response = client.get(changelist_url(Obligation), params)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [world["obligation"]], params


def test_grant_action_asks_for_the_date_then_calls_the_service(client, department_user, world):
    client.force_login(department_user)
    selected = {"action": "grant_requests", helpers.ACTION_CHECKBOX_NAME: [world["extension"].pk]}
    page = client.post(changelist_url(ExtensionRequest), selected)
    assert page.status_code == 200
    assert "Gia hạn đến ngày" in page.content.decode()
    response = client.post(changelist_url(ExtensionRequest), {**selected, "apply": "1", "until": "2026-06-26"})
    assert response.status_code == 302
    world["extension"].refresh_from_db()
    world["obligation"].refresh_from_db()
    assert world["extension"].status == ExtensionStatus.GRANTED
    assert world["extension"].decided_by == department_user
    assert world["obligation"].extended_until == datetime.date(2026, 6, 26)


def test_refuse_action_requires_an_answer(client, department_user, world):
    client.force_login(department_user)
    selected = {"action": "refuse_requests", helpers.ACTION_CHECKBOX_NAME: [world["extension"].pk], "apply": "1"}
    page = client.post(changelist_url(ExtensionRequest), {**selected, "answer": ""})
    assert page.status_code == 200  # the form again, with its error
    world["extension"].refresh_from_db()
    assert world["extension"].status == ExtensionStatus.PENDING
    client.post(changelist_url(ExtensionRequest), {**selected, "answer": "Đã quá thời hạn khóa sổ."})
    world["extension"].refresh_from_db()
    assert world["extension"].status == ExtensionStatus.REFUSED
    assert world["extension"].answer == "Đã quá thời hạn khóa sổ."


def test_an_action_cannot_reach_another_provinces_request(client, department_user, world):
    client.force_login(department_user)
    client.post(changelist_url(ExtensionRequest), {
        "action": "grant_requests", helpers.ACTION_CHECKBOX_NAME: [world["foreign_extension"].pk], "apply": "1",
    })
    world["foreign_extension"].refresh_from_db()
    assert world["foreign_extension"].status == ExtensionStatus.PENDING


def test_extension_requests_cannot_be_added_or_edited_by_hand(client, department_user, world):
    client.force_login(department_user)
    assert client.get(reverse("admin:reports_extensionrequest_add")).status_code == 403
    response = client.get(change_url(world["extension"]))
    assert response.status_code == 200
    assert "answer" not in response.context["adminform"].form.fields


@pytest.mark.parametrize("user_key", ["inspector", "director", "local_officer"])
def test_other_roles_never_reach_the_reports_admin(client, request, world, user_key):
    client.force_login(request.getfixturevalue(user_key))
    response = client.get(changelist_url(ReportType))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_superuser_sees_every_province(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    body = client.get(changelist_url(ReportType)).content.decode()
    assert "Báo cáo 6 tháng Bắc Ninh" in body and "Báo cáo 6 tháng Hà Nội" in body
