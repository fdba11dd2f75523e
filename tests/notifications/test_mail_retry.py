"""An SMTP server that says "later" (4xx, greylisting) or cannot be reached: the e-mail is
retried with backoff under the same Dispatch row, delivered once, never dropped without
a record. Delivered in-process to the loopback SMTP server (aiosmtpd) through the
portal's SMTP backend, as the worker does."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import User
from notifications.models import Dispatch, Notification
from notifications.services import (
    RETRY_DELAYS,
    Notice,
    dispatches_retry,
    notice_send,
    notices_send,
    smtp_failure,
)
from reports.choices import Frequency
from reports.models import ReportType
from reports.services import obligations_generate, period_create, reminders_sweep
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
DUE = D(2026, 12, 19)
DIRECTOR = "giamdoc@example.edu.vn"
CENTER = "lienhe.nn001@example.com"
GREYLISTED = "451 4.7.1 Greylisted, please try again later"


@pytest.fixture
def obligation(province, center, director):
    director.email = DIRECTOR
    director.save()
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1),
    )
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=D(2026, 6, 15), data_to=D(2026, 12, 14), due_date=DUE)
    obligations_generate(period=period)
    return period.obligations.get(center=center)


def _retry(capture, now):
    with capture(execute=True):
        return dispatches_retry(now=now)


def test_a_greylisted_reminder_is_retried_a_minute_later_and_arrives_once(
    smtp, obligation, director, django_capture_on_commit_callbacks,
):
    smtp.refuse(DIRECTOR, GREYLISTED)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=DUE)
    assert smtp.messages == [] and smtp.refused == [(DIRECTOR, GREYLISTED)]
    dispatch = Dispatch.objects.get(key=f"obligation:{obligation.pk}:due")
    assert (dispatch.status, dispatch.failures) == (Dispatch.Status.RETRY, 1)
    assert "451 4.7.1 Greylisted" in dispatch.detail
    assert before + RETRY_DELAYS[0] <= dispatch.retry_at <= timezone.now() + RETRY_DELAYS[0]
    assert dispatch.payload["to"] == [DIRECTOR] and "hôm nay là hạn nộp" in dispatch.payload["subject"]
    # The bell has the reminder once, from the first attempt.
    assert Notification.objects.filter(recipient=director).count() == 1

    # Not before its time; the same day's sweep does not take it either.
    assert _retry(django_capture_on_commit_callbacks, timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep(today=DUE).claimed == []
    assert smtp.messages == []

    assert _retry(django_capture_on_commit_callbacks, dispatch.retry_at) == 1
    assert smtp.recipients() == [DIRECTOR]
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.failures, dispatch.retry_at) == (Dispatch.Status.SENT, 1, None)
    assert Notification.objects.filter(recipient=director).count() == 1

    # Nothing is left to send, however often the sweeps run.
    assert _retry(django_capture_on_commit_callbacks, timezone.now() + datetime.timedelta(days=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep(today=DUE).claimed == []
    assert smtp.recipients() == [DIRECTOR]


def test_an_address_refused_for_now_among_others_is_retried_alone(
    smtp, center, director, django_capture_on_commit_callbacks,
):
    director.email = DIRECTOR
    director.save()
    smtp.refuse(CENTER, GREYLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(key="notice:test:greylist", users=[director], addresses=[CENTER], subject="Báo cáo bị trả lại",
                    body="Lý do: thiếu số liệu.", link="/reports/1/")
    # The server took the message for the director and said "later" for the center.
    assert smtp.recipients() == [DIRECTOR]
    dispatch = Dispatch.objects.get(key="notice:test:greylist")
    assert dispatch.status == Dispatch.Status.RETRY and dispatch.payload["to"] == [CENTER]

    _retry(django_capture_on_commit_callbacks, dispatch.retry_at)
    assert smtp.recipients() == [DIRECTOR, CENTER]
    retried = smtp.messages[1].content.decode()
    assert "Subject: Báo cáo bị trả lại" in retried or "=?utf-8?" in retried
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.SENT
    assert Notification.objects.filter(key="notice:test:greylist").count() == 1


def test_a_permanent_refusal_is_recorded_as_failed_with_the_reason_and_never_retried(
    smtp, obligation, django_capture_on_commit_callbacks,
):
    smtp.refuse(DIRECTOR, "550 5.1.1 No such user here")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=DUE)
    dispatch = Dispatch.objects.get(key=f"obligation:{obligation.pk}:due")
    assert dispatch.status == Dispatch.Status.FAILED and dispatch.retry_at is None
    assert "550 5.1.1 No such user here" in dispatch.detail
    assert _retry(django_capture_on_commit_callbacks, timezone.now() + datetime.timedelta(days=1)) == 0
    assert smtp.messages == []


def test_a_server_that_keeps_answering_later_is_retried_with_backoff_then_given_up_with_the_reason(
    smtp, obligation, director, django_capture_on_commit_callbacks,
):
    smtp.refuse_data(*["452 4.3.1 Insufficient system storage"] * (len(RETRY_DELAYS) + 1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=DUE)
    dispatch = Dispatch.objects.get(key=f"obligation:{obligation.pk}:due")
    waits = []
    while dispatch.status == Dispatch.Status.RETRY:
        failed_at = timezone.now()
        waits.append(round((dispatch.retry_at - failed_at).total_seconds() / 60))
        _retry(django_capture_on_commit_callbacks, dispatch.retry_at)
        dispatch.refresh_from_db()
    assert waits == [1, 5, 15, 60, 240]
    assert dispatch.status == Dispatch.Status.FAILED and dispatch.failures == 6
    assert dispatch.detail.startswith("bỏ sau 6 lần: 452 4.3.1 Insufficient system storage")
    assert len(smtp.refused) == 6 and smtp.messages == []
    assert Notification.objects.filter(recipient=director).count() == 1


def test_an_unreachable_server_costs_one_connection_attempt_per_batch_and_everything_is_retried(
    smtp, province, commune, django_capture_on_commit_callbacks,
):
    users = [make_user(User.Role.DEPARTMENT, province=province, username=f"so{n}", email=f"so{n}@example.vn")
             for n in range(3)]
    refused = ConnectionRefusedError(111, "Connection refused")
    with mock.patch("smtplib.SMTP.connect", side_effect=refused) as connect:
        with django_capture_on_commit_callbacks(execute=True):
            notices_send([Notice(key=f"notice:test:down:{n}", users=[user], subject="S", body="B", link="/")
                          for n, user in enumerate(users)])
    assert connect.call_count == 1
    rows = list(Dispatch.objects.order_by("key"))
    assert [r.status for r in rows] == [Dispatch.Status.RETRY] * 3
    assert all("Connection refused" in r.detail for r in rows)
    assert Notification.objects.count() == 3

    # One batch for the three retries: one connection attempt, then nothing tried.
    with mock.patch("smtplib.SMTP.connect", side_effect=refused) as connect:
        _retry(django_capture_on_commit_callbacks, timezone.now() + datetime.timedelta(minutes=1))
    assert connect.call_count == 1
    rows = list(Dispatch.objects.order_by("key"))
    assert [(r.status, r.failures) for r in rows] == [(Dispatch.Status.RETRY, 2)] * 3

    # The server is back: each arrives once.
    _retry(django_capture_on_commit_callbacks, timezone.now() + datetime.timedelta(minutes=5))
    assert sorted(smtp.recipients()) == ["so0@example.vn", "so1@example.vn", "so2@example.vn"]
    assert set(Dispatch.objects.values_list("status", flat=True)) == {Dispatch.Status.SENT}
    assert Notification.objects.count() == 3


@pytest.mark.parametrize(("error", "temporary", "lost"), [
    (smtplib.SMTPDataError(451, b"4.7.1 Try again later"), True, False),
    (smtplib.SMTPSenderRefused(452, b"4.3.1 Out of memory", "no-reply@example.org"), True, False),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"4.2.0 Mailbox busy")}), True, False),
    (smtplib.SMTPResponseException(421, b"4.3.2 Shutting down"), True, True),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True, True),
    (ConnectionRefusedError(111, "Connection refused"), True, True),
    (TimeoutError("timed out"), True, True),
    (smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"), False, False),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 Unknown user")}), False, False),
    (ValueError("Header values can't contain newlines"), False, False),
])
def test_smtp_failures_are_told_apart_temporary_from_permanent(error, temporary, lost):
    failure = smtp_failure(error)
    assert (failure.temporary, failure.connection_lost) == (temporary, lost)
    assert failure.reason


def test_any_failure_while_connecting_is_about_the_server_and_retried():
    failure = smtp_failure(smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), connecting=True)
    assert failure.temporary and failure.connection_lost and "535" in failure.reason
