"""A period with submissions keeps its report type and dates (issue 9 item 4): read-only in
the admin, a save that changes them refused with the reason, and the due and lock dates
moved only by a correction with a reason, recorded in the period's history and never
turning a report submitted on time into a late one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from reports.models import ReportPeriod
from reports.services import period_correct, period_save
from tests.admin_forms import admin_form_data
from tests.factories import UserFactory
from tests.reports.helpers_review import (
    local_time,
    make_obligation,
    make_period,
    make_report_type,
    submit_version,
    values,
)

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 6, 19)
LOCK = DUE + datetime.timedelta(days=15)


def change_url(period):
    return reverse("admin:reports_reportperiod_change", args=[period.pk])


def correct_url(period):
    return reverse("admin:reports_reportperiod_correct", args=[period.pk])


@pytest.fixture
def report_type(province):
    return make_report_type(province, title="Báo cáo 6 tháng Bắc Ninh")


@pytest.fixture
def period(report_type, center, other_center, director, other_director):
    """Due 19/06/2026: `center` submitted two days early (on time), `other_center` three
    days late."""
    period = make_period(report_type, due_date=DUE)
    on_time = make_obligation(period, center)
    late = make_obligation(period, other_center)
    submit_version(on_time, values(), by=director, at=local_time(DUE - datetime.timedelta(days=2)))
    submit_version(late, values(), by=other_director, at=local_time(DUE + datetime.timedelta(days=3)))
    return period


@pytest.fixture
def staff(client, department_user):
    client.force_login(department_user)
    return department_user


def timeliness(period) -> dict:
    return {o.center.code: o.is_on_time for o in period.obligations.select_related("center", "period")}


# Read-only in the admin, refused by any path


def test_the_type_and_dates_of_a_period_with_submissions_are_read_only(client, staff, period):
    response = client.get(change_url(period))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"label"}
    body = response.content.decode()
    assert "Điều chỉnh kỳ báo cáo" in body and correct_url(period) in body
    assert "Kỳ này đã có báo cáo nộp" in body


@pytest.mark.parametrize("field, value", [
    ("due_date", "2026-06-10"), ("lock_date", "2026-06-20"), ("data_from", "2026-01-01"), ("data_to", "2026-06-30"),
])
def test_changing_a_date_of_a_period_with_submissions_is_refused_with_a_clear_message(
    client, staff, period, field, value,
):
    before = ReportPeriod.objects.values().get(pk=period.pk)
    history = period.history.count()
    data = admin_form_data(client.get(change_url(period)))
    data.update({field: value, "label": "6 tháng đầu năm 2026 (sửa)"})
    response = client.post(change_url(period), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "đã có báo cáo nộp nên không được đổi" in errors
    assert "Điều chỉnh kỳ báo cáo" in errors
    assert str(ReportPeriod._meta.get_field(field).verbose_name) in errors
    assert ReportPeriod.objects.values().get(pk=period.pk) == before
    assert period.history.count() == history
    assert timeliness(period) == {"NN001": True, "NN002": False}


def test_moving_a_period_with_submissions_to_another_report_type_is_refused(client, staff, period, province):
    other_type = make_report_type(province, code="NN-NAM", title="Báo cáo năm")
    data = admin_form_data(client.get(change_url(period)))
    data["report_type"] = other_type.pk
    response = client.post(change_url(period), data)
    assert response.status_code == 200
    assert "loại báo cáo" in " ".join(response.context["adminform"].form.non_field_errors())
    assert ReportPeriod.objects.get(pk=period.pk).report_type_id == period.report_type_id


def test_the_label_of_a_period_with_submissions_can_still_be_changed(client, staff, period):
    data = admin_form_data(client.get(change_url(period)))
    data["label"] = "6 tháng đầu năm 2026 (đã chốt)"
    assert client.post(change_url(period), data).status_code == 302
    period.refresh_from_db()
    assert period.label == "6 tháng đầu năm 2026 (đã chốt)"
    assert period.due_date == DUE
    assert period.history.first().history_user == staff


def test_a_period_without_submissions_is_edited_freely(client, staff, report_type, center):
    period = make_period(report_type, due_date=DUE)
    make_obligation(period, center)
    data = admin_form_data(client.get(change_url(period)))
    assert "due_date" in client.get(change_url(period)).context["adminform"].form.fields
    data["due_date"] = "2026-06-25"
    assert client.post(change_url(period), data).status_code == 302
    period.refresh_from_db()
    assert period.due_date == datetime.date(2026, 6, 25)
    assert period.history.first().history_user == staff


def test_the_service_refuses_a_changed_due_date_whatever_the_path(period, department_user):
    period.due_date = DUE - datetime.timedelta(days=10)
    with pytest.raises(ValidationError, match="đã có báo cáo nộp"):
        period_save(period=period, by=department_user)
    assert ReportPeriod.objects.get(pk=period.pk).due_date == DUE


def test_a_period_with_submissions_cannot_be_deleted(client, period):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:reports_reportperiod_delete", args=[period.pk])).status_code == 403
    response = client.post(reverse("admin:reports_reportperiod_delete", args=[period.pk]), {"post": "yes"})
    assert response.status_code == 403
    with pytest.raises(ProtectedError):
        period.delete()
    assert ReportPeriod.objects.filter(pk=period.pk).exists()


# Corrections


def test_a_correction_with_a_reason_is_recorded(client, staff, period):
    page = client.get(correct_url(period))
    assert page.status_code == 200
    assert page.context["form"].initial == {"due_date": DUE, "lock_date": LOCK}
    reason = "Công văn số 45/SGDĐT-GDTX ngày 10/6/2026 cho lùi hạn nộp do hệ thống gián đoạn."
    response = client.post(correct_url(period), {"due_date": "2026-06-23", "lock_date": "2026-07-10", "reason": reason})
    assert response.status_code == 302 and response.url == change_url(period)
    period.refresh_from_db()
    assert (period.due_date, period.lock_date) == (datetime.date(2026, 6, 23), datetime.date(2026, 7, 10))
    record = period.history.first()
    assert record.history_change_reason == reason
    assert record.history_user == staff
    assert (record.prev_record.due_date, record.prev_record.lock_date) == (DUE, LOCK)
    # Timeliness is read from the period: the report sent on 22/06 is now on time.
    assert timeliness(period) == {"NN001": True, "NN002": True}
    # The correction is listed, with its reason, on the period's history page.
    history_page = client.get(reverse("admin:reports_reportperiod_history", args=[period.pk]))
    assert reason in history_page.content.decode()


def test_a_correction_without_a_reason_is_refused(client, staff, period):
    history = period.history.count()
    response = client.post(correct_url(period), {"due_date": "2026-06-23", "lock_date": "2026-07-10", "reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert ReportPeriod.objects.get(pk=period.pk).due_date == DUE
    assert period.history.count() == history
    with pytest.raises(ValidationError) as error:
        period_correct(period=period, due_date=datetime.date(2026, 6, 23), lock_date=LOCK, reason="", by=staff)
    assert "reason" in error.value.error_dict


def test_a_correction_that_makes_an_on_time_report_late_is_refused(client, staff, period):
    response = client.post(correct_url(period), {
        "due_date": "2026-06-12", "lock_date": "2026-07-04", "reason": "Nhập nhầm hạn nộp",
    })
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["due_date"])
    assert "1 báo cáo đã nộp đúng hạn sẽ thành trễ hạn" in message
    assert "17/06/2026" in message  # the on-time report's date: the earliest due date possible
    assert ReportPeriod.objects.get(pk=period.pk).due_date == DUE
    assert timeliness(period) == {"NN001": True, "NN002": False}


def test_a_correction_may_bring_the_due_date_forward_to_the_last_on_time_report(staff, period):
    period_correct(period=period, due_date=datetime.date(2026, 6, 17), lock_date=LOCK, reason="Theo kế hoạch", by=staff)
    period.refresh_from_db()
    assert period.due_date == datetime.date(2026, 6, 17)
    assert timeliness(period) == {"NN001": True, "NN002": False}


def test_a_correction_keeps_reports_on_time_within_their_extension(staff, period, other_center):
    late = period.obligations.get(center=other_center)
    late.extended_until = DUE + datetime.timedelta(days=5)
    late.save()
    assert late.is_on_time
    period_correct(period=period, due_date=datetime.date(2026, 6, 17), lock_date=LOCK, reason="Theo kế hoạch", by=staff)
    assert timeliness(period) == {"NN001": True, "NN002": True}


def test_a_correction_with_the_lock_before_the_due_date_is_refused(staff, period):
    with pytest.raises(ValidationError) as error:
        period_correct(period=period, due_date=datetime.date(2026, 6, 25), lock_date=datetime.date(2026, 6, 24),
                       reason="Lùi hạn", by=staff)
    assert "lock_date" in error.value.error_dict


def test_only_staff_of_the_province_correct_a_period(client, period, inspector, foreign_department_user):
    with pytest.raises(PermissionDenied):
        period_correct(period=period, due_date=datetime.date(2026, 6, 25), lock_date=LOCK, reason="Lùi hạn",
                       by=inspector)
    with pytest.raises(PermissionDenied):
        period_correct(period=period, due_date=datetime.date(2026, 6, 25), lock_date=LOCK, reason="Lùi hạn",
                       by=foreign_department_user)
    client.force_login(foreign_department_user)
    assert client.get(correct_url(period)).status_code == 404
    assert client.post(correct_url(period), {"due_date": "2026-06-25", "lock_date": "2026-07-10",
                                             "reason": "Lùi hạn"}).status_code == 404
    assert ReportPeriod.objects.get(pk=period.pk).due_date == DUE


def test_the_correction_action_opens_the_correction_page(client, staff, period):
    response = client.post(reverse("admin:reports_reportperiod_changelist"), {
        "action": "correct_period", "_selected_action": [period.pk],
    })
    assert response.status_code == 302 and response.url == correct_url(period)
