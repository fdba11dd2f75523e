"""Reminders claimed and recorded in groups, delivered over one SMTP connection per
batch (bench/reminders_bench.py measures the speed): a second sweep claims and sends
nothing, two concurrent claims never hold the same row, and a batch with a greylisted
and a refused address delivers the others and records each outcome."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection

from notifications.models import Dispatch, Notification
from notifications.services import dispatches_claim
from reports.choices import Frequency
from reports.models import ReportType
from reports.services import obligations_generate, period_create, reminders_sweep
from tests.factories import CenterFactory, make_user

D = datetime.date
DUE = D(2026, 12, 19)
CENTERS = 30


@pytest.fixture
def obligations(province, commune):
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1),
    )
    for n in range(CENTERS):
        center = CenterFactory(commune=commune, code=f"B{n:03d}", email="")
        make_user("director", center=center, username=f"gd{n}", email=f"gd{n}@example.edu.vn")
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=D(2026, 6, 15), data_to=D(2026, 12, 14), due_date=DUE)
    obligations_generate(period=period)
    return list(period.obligations.order_by("pk"))


def _sweep(capture, day=DUE - datetime.timedelta(days=3)):
    with capture(execute=True):
        return reminders_sweep(today=day)


@pytest.mark.django_db
def test_a_second_sweep_claims_writes_and_sends_nothing(smtp, obligations, django_capture_on_commit_callbacks):
    first = _sweep(django_capture_on_commit_callbacks)
    assert len(first.claimed) == CENTERS and first.passed == CENTERS  # before-7 overtaken by before-3
    assert sorted(smtp.recipients()) == sorted(f"gd{n}@example.edu.vn" for n in range(CENTERS))
    rows = list(Dispatch.objects.order_by("pk").values_list("pk", "key", "status", "attempts"))
    assert {status for _pk, _key, status, _attempts in rows} == {Dispatch.Status.SENT, Dispatch.Status.PASSED}
    assert Notification.objects.count() == CENTERS

    again = _sweep(django_capture_on_commit_callbacks)
    assert (again.claimed, again.passed) == ([], 0)
    assert len(smtp.messages) == CENTERS
    assert list(Dispatch.objects.order_by("pk").values_list("pk", "key", "status", "attempts")) == rows
    assert Notification.objects.count() == CENTERS


@pytest.mark.django_db
def test_each_batch_is_delivered_over_one_smtp_connection(smtp, obligations, django_capture_on_commit_callbacks):
    with mock.patch("notifications.services.SEND_BATCH", 12):
        _sweep(django_capture_on_commit_callbacks)
    assert len(smtp.messages) == CENTERS
    # Batches of 12, 12 and 6 steps, in claim order: one client port (connection) each.
    ports = [peer[1] for peer in smtp.peers]
    assert len(set(ports)) == 3
    assert [ports.count(port) for port in dict.fromkeys(ports)] == [12, 12, 6]


@pytest.mark.django_db
def test_a_batch_with_a_greylisted_and_a_refused_address_delivers_the_others(
    smtp, obligations, django_capture_on_commit_callbacks,
):
    smtp.refuse("gd3@example.edu.vn", "451 4.7.1 Greylisted, please try again later")
    smtp.refuse("gd7@example.edu.vn", "550 5.1.1 No such user here")
    _sweep(django_capture_on_commit_callbacks)

    assert len(smtp.messages) == CENTERS - 2 and len(set(smtp.peers)) == 1  # the batch's one connection went on
    by_center = {d.key: d for d in Dispatch.objects.filter(key__endswith=":before-3")}
    greylisted = by_center[f"obligation:{obligations[3].pk}:before-3"]
    refused = by_center[f"obligation:{obligations[7].pk}:before-3"]
    assert (greylisted.status, greylisted.failures) == (Dispatch.Status.RETRY, 1)
    assert greylisted.payload["to"] == ["gd3@example.edu.vn"] and "451 4.7.1" in greylisted.detail
    assert refused.status == Dispatch.Status.FAILED and "550 5.1.1 No such user here" in refused.detail
    assert refused.retry_at is None
    others = [d for d in by_center.values() if d not in (greylisted, refused)]
    assert {d.status for d in others} == {Dispatch.Status.SENT} and all(d.sent_at for d in others)
    # Every director has the reminder in the bell once, whatever became of the e-mail.
    assert Notification.objects.count() == CENTERS
    assert Notification.objects.filter(recipient__username="gd3").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_never_hold_the_same_row(obligations):
    assert connection.vendor == "postgresql"
    keys = [f"obligation:{o.pk}:due" for o in obligations]
    barrier = threading.Barrier(2)
    held: dict[str, list[int]] = {}

    def claim(name, now=None):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            held[name] = [d.pk for d in dispatches_claim(keys, now=now)]
        finally:
            connections.close_all()

    for now in (None, datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)):
        # First new keys, then (an hour later, every lease run out) the same claims taken again.
        held.clear()
        threads = [threading.Thread(target=claim, args=(name, now)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not set(held["a"]) & set(held["b"])
        assert sorted(held["a"] + held["b"]) == sorted(Dispatch.objects.values_list("pk", flat=True))
        assert Dispatch.objects.count() == CENTERS
    # A third claim, leases still running: nothing.
    assert dispatches_claim(keys) == []
