"""A director's request for more time: a reason and a date after the due date, one
pending request at a time, only for a report not yet submitted, only by the director."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports.choices import ExtensionStatus, ObligationStatus
from reports.models import ExtensionRequest, Obligation, Review
from reports.services import extension_request_create, submission_submit
from tests.reports.helpers_submission import good_values, today

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def ask(obligation, user, until, reason="Giám đốc đi công tác, kế toán nghỉ ốm."):
    return extension_request_create(obligation=obligation, user=user, reason=reason, requested_until=until)


def test_a_director_asks_for_more_time(obligation, director):
    request = ask(obligation, director, obligation.effective_due_date + 7 * DAY)
    assert (request.status, request.requested_by, request.obligation) == (ExtensionStatus.PENDING, director, obligation)
    assert request.reason == "Giám đốc đi công tác, kế toán nghỉ ốm."


@pytest.mark.parametrize(
    ("days_after_due", "message"),
    [(0, "Ngày xin gia hạn phải sau hạn nộp"), (-3, "Ngày xin gia hạn phải sau hạn nộp")],
)
def test_the_date_must_be_after_the_due_date(obligation, director, days_after_due, message):
    with pytest.raises(ValidationError) as caught:
        ask(obligation, director, obligation.effective_due_date + days_after_due * DAY)
    assert message in caught.value.message_dict["requested_until"][0]
    assert obligation.effective_due_date.strftime("%d/%m/%Y") in caught.value.message_dict["requested_until"][0]
    assert not ExtensionRequest.objects.exists()


def test_the_date_must_not_be_in_the_past(locked_obligation, director):
    # After the due date but already gone by.
    with pytest.raises(ValidationError) as caught:
        ask(locked_obligation, director, today() - 2 * DAY)
    assert "không được trước hôm nay" in caught.value.message_dict["requested_until"][0]


def test_a_reason_is_required(obligation, director):
    with pytest.raises(ValidationError) as caught:
        ask(obligation, director, obligation.effective_due_date + 5 * DAY, reason="   ")
    assert caught.value.message_dict["reason"] == ["Cần ghi lý do xin gia hạn."]


def test_one_pending_request_at_a_time(obligation, director):
    ask(obligation, director, obligation.effective_due_date + 5 * DAY)
    with pytest.raises(ValidationError, match="đang chờ Sở xem xét"):
        ask(obligation, director, obligation.effective_due_date + 9 * DAY)
    assert ExtensionRequest.objects.count() == 1


def test_a_submitted_report_needs_no_extension(obligation, director):
    submission_submit(obligation=obligation, user=director, values=good_values(), idempotency_key=uuid.uuid4())
    obligation.refresh_from_db()
    with pytest.raises(ValidationError, match="Báo cáo đã nộp, không cần xin gia hạn"):
        ask(obligation, director, obligation.effective_due_date + 5 * DAY)


@pytest.mark.parametrize("user_key", ["local_officer", "inspector", "department_user", "other_director"])
def test_only_the_centers_director_asks(obligation, request, user_key):
    with pytest.raises(PermissionDenied):
        ask(obligation, request.getfixturevalue(user_key), obligation.effective_due_date + 5 * DAY)


# The page


def test_the_page_sends_the_request_and_returns_to_the_report(client, director, locked_obligation):
    client.force_login(director)
    url = reverse("reports:extension_request_create", args=[locked_obligation.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'placeholder="dd/mm/yyyy"' in page.content.decode()
    until = today() + 5 * DAY
    response = client.post(url, {"requested_until": until.strftime("%d/%m/%Y"), "reason": "Mất điện kéo dài."},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:obligation_detail", args=[locked_obligation.pk])
    body = response.content.decode()
    assert "Đã gửi đề nghị gia hạn" in body
    assert f"Xin đến {until:%d/%m/%Y}" in body and "Chờ xem xét" in body
    assert ExtensionRequest.objects.get().requested_until == until


def test_the_page_shows_each_error_in_vietnamese(client, director, obligation):
    client.force_login(director)
    url = reverse("reports:extension_request_create", args=[obligation.pk])
    response = client.post(url, {"requested_until": "31/02/2026", "reason": ""})
    body = response.content.decode()
    assert "Ngày không hợp lệ, nhập theo dạng ngày/tháng/năm" in body
    assert "Cần ghi lý do xin gia hạn." in body
    response = client.post(url, {"requested_until": obligation.effective_due_date.strftime("%d/%m/%Y"),
                                 "reason": "Lý do"})
    assert "Ngày xin gia hạn phải sau hạn nộp" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


@pytest.mark.parametrize(("user_key", "status"), [
    # Only a director may: the others are refused before the lookup (403).
    ("local_officer", 403), ("inspector", 403), ("department_user", 403),
    ("other_director", 404), ("other_local_officer", 403), ("foreign_department_user", 403),
])
def test_the_page_is_the_directors_only(client, request, obligation, user_key, status):
    client.force_login(request.getfixturevalue(user_key))
    url = reverse("reports:extension_request_create", args=[obligation.pk])
    assert client.get(url).status_code == status
    until = (obligation.effective_due_date + 5 * DAY).strftime("%d/%m/%Y")
    assert client.post(url, {"requested_until": until, "reason": "x"}).status_code == status
    assert not ExtensionRequest.objects.exists()


def test_a_returned_report_needs_no_extension(obligation, director, department_user):
    version = submission_submit(obligation=obligation, user=director, values=good_values(),
                                idempotency_key=uuid.uuid4())
    Review.objects.create(version=version, decision=Review.Decision.RETURNED, reviewer=department_user, reason="Sai")
    Obligation.objects.filter(pk=obligation.pk).update(status=ObligationStatus.RETURNED)
    obligation.refresh_from_db()
    with pytest.raises(ValidationError, match="không cần xin gia hạn"):
        ask(obligation, director, obligation.effective_due_date + 5 * DAY)


def test_the_page_says_when_no_request_can_be_made(client, director, obligation):
    ask(obligation, director, obligation.effective_due_date + 5 * DAY)
    client.force_login(director)
    body = client.get(reverse("reports:extension_request_create", args=[obligation.pk])).content.decode()
    assert "Sở đang xem xét" in body
    assert 'name="reason"' not in body
