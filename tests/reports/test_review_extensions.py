"""Requests for more time: staff grant (to the date asked or another) or refuse with an
answer; a granted extension moves the due date that timeliness is counted against."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports.choices import ExtensionStatus
from reports.models import ExtensionRequest
from reports.selectors import completeness, obligation_timeliness
from reports.services import ReviewConflict, extension_decide
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


@pytest.fixture
def period(province):
    return make_period(make_report_type(province), due_date=DUE)


@pytest.fixture
def obligation(period, center):
    return make_obligation(period, center)


@pytest.fixture
def extension(obligation, director):
    return ExtensionRequest.objects.create(
        obligation=obligation, reason="Kế toán nghỉ ốm, chưa chốt được doanh thu.",
        requested_until=DUE + datetime.timedelta(days=10), requested_by=director,
    )


def test_grant_extends_to_the_date_asked(extension, obligation, department_user):
    extension_decide(request=extension, decided_by=department_user, grant=True)
    extension.refresh_from_db()
    obligation.refresh_from_db()
    assert extension.status == ExtensionStatus.GRANTED
    assert extension.decided_by == department_user and extension.decided_at is not None
    assert obligation.extended_until == DUE + datetime.timedelta(days=10)


def test_staff_may_grant_another_date(extension, obligation, department_user):
    extension_decide(request=extension, decided_by=department_user, grant=True, until=DUE + datetime.timedelta(days=5),
                     answer="Gia hạn 5 ngày.")
    obligation.refresh_from_db()
    assert obligation.extended_until == DUE + datetime.timedelta(days=5)


def test_an_extension_must_end_after_the_due_date(extension, department_user):
    with pytest.raises(ValidationError):
        extension_decide(request=extension, decided_by=department_user, grant=True, until=DUE)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_refusal_needs_an_answer(extension, obligation, department_user):
    with pytest.raises(ValidationError) as error:
        extension_decide(request=extension, decided_by=department_user, grant=False, answer=" ")
    assert "Cần ghi lý do không chấp thuận" in error.value.messages[0]
    extension_decide(request=extension, decided_by=department_user, grant=False, answer="Đã quá hạn khóa sổ.")
    extension.refresh_from_db()
    obligation.refresh_from_db()
    assert extension.status == ExtensionStatus.REFUSED
    assert extension.answer == "Đã quá hạn khóa sổ."
    assert obligation.extended_until is None


def test_a_request_is_decided_once(extension, department_user):
    stale = ExtensionRequest.objects.get(pk=extension.pk)
    extension_decide(request=extension, decided_by=department_user, grant=True)
    with pytest.raises(ReviewConflict):
        extension_decide(request=stale, decided_by=department_user, grant=False, answer="Không")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.GRANTED


@pytest.mark.parametrize("user_key", ["inspector", "director", "foreign_department_user"])
def test_only_the_provinces_staff_decide(request, extension, user_key):
    with pytest.raises(PermissionDenied):
        extension_decide(request=extension, decided_by=request.getfixturevalue(user_key), grant=True)


def test_a_granted_extension_turns_a_late_submission_on_time(extension, obligation, department_user, director):
    submit_version(obligation, values(), by=director, at=local_time(DUE + datetime.timedelta(days=3)))
    obligation.refresh_from_db()
    assert obligation_timeliness(obligation) == "late"
    summary = completeness(obligation.period, department_user)
    assert (summary.total.on_time, summary.total.late) == (0, 1)

    extension_decide(request=extension, decided_by=department_user, grant=True)
    obligation.refresh_from_db()
    assert obligation_timeliness(obligation) == "on_time"
    summary = completeness(obligation.period, department_user)
    assert (summary.total.on_time, summary.total.late) == (1, 0)


def test_submitting_after_the_extension_is_still_late(extension, obligation, department_user, director):
    extension_decide(request=extension, decided_by=department_user, grant=True, until=DUE + datetime.timedelta(days=2))
    submit_version(obligation, values(), by=director, at=local_time(DUE + datetime.timedelta(days=3)))
    summary = completeness(obligation.period, department_user)
    assert (summary.total.on_time, summary.total.late) == (0, 1)


# Pages


def test_staff_see_pending_requests_and_grant_them(client, department_user, extension, obligation):
    client.force_login(department_user)
    response = client.get(reverse("reports:extension_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kế toán nghỉ ốm" in body
    assert 'value="grant"' in body
    response = client.post(reverse("reports:extension_decide", args=[extension.pk]),
                           {"decision": "grant", "until": "25/06/2026", "answer": ""}, follow=True)
    assert "gia hạn đến 25/06/2026" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.extended_until == datetime.date(2026, 6, 25)


def test_refusing_without_an_answer_on_the_page_says_why(client, department_user, extension):
    client.force_login(department_user)
    response = client.post(reverse("reports:extension_decide", args=[extension.pk]),
                           {"decision": "refuse", "answer": ""}, follow=True)
    assert "Cần ghi lý do không chấp thuận" in response.content.decode()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


@pytest.mark.parametrize(("user_key", "list_status", "decide_status"), [
    ("inspector", 200, 403),
    ("director", 403, 403),
    ("local_officer", 403, 403),
    ("foreign_department_user", 200, 404),
])
def test_extension_pages_answer_what_scope_and_role_allow(client, request, extension, user_key, list_status,
                                                          decide_status):
    client.force_login(request.getfixturevalue(user_key))
    response = client.get(reverse("reports:extension_list"))
    assert response.status_code == list_status
    if list_status == 200:
        assert "Kế toán nghỉ ốm" not in response.content.decode() or user_key == "inspector"
    response = client.post(reverse("reports:extension_decide", args=[extension.pk]), {"decision": "grant"})
    assert response.status_code == decide_status
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING
