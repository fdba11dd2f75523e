"""Reminders against the real Redis, a real Celery worker and a real SMTP server (CI's
second pass). transaction=True: the worker reads committed rows from another process."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Dispatch, Notification
from notifications.services import RETRY_DELAYS, SEND_GROUP, dispatches_retry
from reports.choices import Frequency
from reports.models import ReportType
from reports.services import obligations_generate, period_create, reminders_sweep
from tests.factories import CenterFactory, make_user
from tests.services import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
D = datetime.date
DUE = D(2026, 12, 19)


@pytest.fixture
def obligations(province, commune):
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1),
    )
    for n in range(12):
        center = CenterFactory(commune=commune, code=f"W{n:03d}")
        make_user("director", center=center, username=f"gd{n}", email=f"gd{n}@example.edu.vn")
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=D(2026, 6, 15), data_to=D(2026, 12, 14), due_date=DUE)
    obligations_generate(period=period)
    return list(period.obligations.all())


def _all_delivered():
    return not Dispatch.objects.filter(status=Dispatch.Status.CLAIMED).exists()


def test_the_worker_delivers_each_reminder_once(celery_worker_process, smtp_server, obligations):
    smtp_server.reset()
    result = reminders_sweep(today=DUE - datetime.timedelta(days=7))
    assert len(result.claimed) == 12
    assert wait_until(lambda: len(smtp_server.messages) == 12 and _all_delivered(), timeout=60)
    assert sorted(smtp_server.recipients()) == sorted(f"gd{n}@example.edu.vn" for n in range(12))
    assert Notification.objects.count() == 12

    again = reminders_sweep(today=DUE - datetime.timedelta(days=7))
    assert again.claimed == []
    assert not wait_until(lambda: len(smtp_server.messages) > 12, timeout=3)


def test_a_worker_killed_mid_batch_loses_at_most_its_group_and_duplicates_nothing(
    celery_worker_process, smtp_server, obligations,
):
    smtp_server.reset()
    smtp_server.delay = 0.4  # slow SMTP: the batch is still running when the worker dies
    try:
        reminders_sweep(today=DUE)
        assert wait_until(lambda: len(smtp_server.messages) >= 3, timeout=60)
        celery_worker_process.kill()
        delivered_before = len(smtp_server.messages)
        assert delivered_before < 12
        celery_worker_process.start()
        # The leases of the claims the dead worker never reached run out; the next sweep
        # takes them again.
        Dispatch.objects.filter(status=Dispatch.Status.CLAIMED).update(
            lease_until=timezone.now() - datetime.timedelta(seconds=1),
        )
        smtp_server.delay = 0
        reminders_sweep(today=DUE)
        assert wait_until(_all_delivered, timeout=60)
    finally:
        smtp_server.delay = 0
    # Every director got exactly one in-app notice; no e-mail went out twice; what is lost
    # is at most the group in flight when the worker died (left `sending`, never resent).
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == sorted(
        f"gd{n}" for n in range(12)
    )
    recipients = smtp_server.recipients()
    sent = Dispatch.objects.filter(status=Dispatch.Status.SENT).count()
    in_flight = Dispatch.objects.filter(status=Dispatch.Status.SENDING).count()
    assert len(recipients) == len(set(recipients)) >= max(sent, delivered_before)
    assert sent + in_flight == 12 and 0 < in_flight <= SEND_GROUP
    assert not Dispatch.objects.filter(status=Dispatch.Status.CLAIMED).exists()


def test_a_reminder_greylisted_at_the_first_attempt_is_retried_and_arrives_once(
    celery_worker_process, smtp_server, obligations,
):
    smtp_server.reset()
    greylisted = "gd3@example.edu.vn"
    smtp_server.refuse(greylisted, "451 4.7.1 Greylisted, please try again later")
    day = DUE - datetime.timedelta(days=3)
    assert len(reminders_sweep(today=day).claimed) == 12
    # The eleven others arrive; the refused one waits in the database, not in the broker.
    assert wait_until(lambda: len(smtp_server.messages) == 11
                      and Dispatch.objects.filter(status=Dispatch.Status.SENT).count() == 11
                      and Dispatch.objects.filter(status=Dispatch.Status.RETRY).count() == 1, timeout=60)
    retry = Dispatch.objects.get(status=Dispatch.Status.RETRY)
    assert retry.failures == 1 and "451 4.7.1" in retry.detail and retry.payload["to"] == [greylisted]
    assert retry.retry_at - timezone.now() <= RETRY_DELAYS[0]
    assert greylisted not in smtp_server.recipients()
    assert Notification.objects.count() == 12  # the bell had it at the first attempt

    assert dispatches_retry() == 0  # its minute is not over
    # The beat task's call once the minute is over (a test does not wait for it).
    assert dispatches_retry(now=retry.retry_at) == 1
    assert wait_until(lambda: len(smtp_server.messages) == 12 and Dispatch.objects.filter(
        status=Dispatch.Status.SENT).count() == 12, timeout=60)
    assert sorted(smtp_server.recipients()) == sorted(f"gd{n}@example.edu.vn" for n in range(12))
    assert Notification.objects.count() == 12

    # The sweeps again, the retry sweep a day later: nothing more.
    assert reminders_sweep(today=day).claimed == []
    assert dispatches_retry(now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert not wait_until(lambda: len(smtp_server.messages) > 12, timeout=3)
