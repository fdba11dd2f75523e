import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from notifications.models import Dispatch, Notification
from reports.choices import Frequency
from reports.models import ReportType
from reports.services import obligations_generate, period_create, reminders_sweep
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
DUE = D(2026, 12, 19)


@pytest.fixture
def obligation(province, center, director, django_capture_on_commit_callbacks):
    director.email = "giamdoc@example.edu.vn"
    director.save()
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1),
    )
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=D(2026, 6, 15), data_to=D(2026, 12, 14), due_date=DUE)
    obligations_generate(period=period)
    return period.obligations.get(center=center)


def sweep(day, callbacks):
    with callbacks(execute=True):
        return reminders_sweep(today=day)


def test_nothing_is_sent_before_the_first_step(obligation, django_capture_on_commit_callbacks):
    result = sweep(DUE - datetime.timedelta(days=8), django_capture_on_commit_callbacks)
    assert result.claimed == [] and mail.outbox == []


def test_each_step_is_delivered_once_by_mail_and_in_app(obligation, director, django_capture_on_commit_callbacks):
    day = DUE - datetime.timedelta(days=7)
    sweep(day, django_capture_on_commit_callbacks)
    sweep(day, django_capture_on_commit_callbacks)  # the beat ticks again: nothing new
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["giamdoc@example.edu.vn"]
    assert "Báo cáo 6 tháng" in message.subject and "19/12/2026" in message.body and "/reports/" in message.body
    assert Notification.objects.filter(recipient=director).count() == 1
    assert Dispatch.objects.get().status == Dispatch.Status.SENT

    sweep(DUE - datetime.timedelta(days=3), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert sorted(Dispatch.objects.values_list("key", flat=True)) == [
        f"obligation:{obligation.pk}:before-3", f"obligation:{obligation.pk}:before-7",
    ]


def test_a_late_sweep_sends_only_the_latest_step(obligation, django_capture_on_commit_callbacks):
    result = sweep(DUE + datetime.timedelta(days=2), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and "quá hạn" in mail.outbox[0].subject
    statuses = dict(Dispatch.objects.values_list("key", "status"))
    assert statuses == {
        f"obligation:{obligation.pk}:before-7": "passed", f"obligation:{obligation.pk}:before-3": "passed",
        f"obligation:{obligation.pk}:due": "passed", f"obligation:{obligation.pk}:after-1": "sent",
    }
    assert result.passed == 3


def test_nothing_goes_to_a_center_that_has_submitted(obligation, django_capture_on_commit_callbacks):
    obligation.first_submitted_at = timezone.now()
    obligation.status = "submitted"
    obligation.save()
    sweep(DUE, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not Dispatch.objects.exists()


def test_the_last_step_sends_the_officer_and_the_department_a_digest_and_the_director_a_reminder(
    obligation, director, local_officer, department_user, other_local_officer, django_capture_on_commit_callbacks,
):
    for user, address in ((local_officer, "xa@example.vn"), (department_user, "so@example.vn"),
                          (other_local_officer, "xakhac@example.vn")):
        user.email = address
        user.save()
    result = sweep(DUE + datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert result.digests == 2
    by_address = {(m.to + m.bcc)[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["giamdoc@example.edu.vn", "so@example.vn", "xa@example.vn"]
    assert all(len(m.to + m.bcc) == 1 for m in mail.outbox)  # nobody is copied on another's mail
    assert "đã quá hạn 7 ngày" in by_address["giamdoc@example.edu.vn"].subject
    digest = by_address["so@example.vn"]
    assert digest.subject == "[Nhắc việc] 1 báo cáo đã quá hạn 7 ngày chưa nộp (26/12/2026)"
    assert "- NN001 Trung tâm Ngoại ngữ Đông Á, Phường Kinh Bắc" in digest.body
    assert f"/reports/dashboard/{obligation.period_id}/missing/" in digest.body
    notices = dict(Notification.objects.values_list("recipient__username", "key"))
    assert notices == {
        "giamdoc": f"obligation:{obligation.pk}:after-7",
        "canboxa": f"digest:obligation:after-7:2026-12-26:{local_officer.pk}",
        "sogd": f"digest:obligation:after-7:2026-12-26:{department_user.pk}",
    }


def test_a_broker_outage_loses_nothing_and_the_next_sweep_delivers(obligation, django_capture_on_commit_callbacks):
    day = DUE - datetime.timedelta(days=3)
    with mock.patch("reports.tasks.reminders_send_task.delay", side_effect=OSError("Redis down")):
        sweep(day, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    claimed = Dispatch.objects.get(key=f"obligation:{obligation.pk}:before-3")
    assert claimed.status == Dispatch.Status.CLAIMED
    # Within the lease nobody takes it again; after it, the next sweep does.
    sweep(day, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    Dispatch.objects.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    sweep(day, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == (Dispatch.Status.SENT, 2)


def test_a_step_interrupted_mid_send_is_never_sent_twice(obligation, director, django_capture_on_commit_callbacks):
    day = DUE
    with mock.patch("notifications.services.EmailMessage.send", side_effect=SystemExit("worker killed")):
        with pytest.raises(SystemExit):
            sweep(day, django_capture_on_commit_callbacks)
    dispatch = Dispatch.objects.get(key=f"obligation:{obligation.pk}:due")
    assert dispatch.status == Dispatch.Status.SENDING
    Dispatch.objects.update(lease_until=timezone.now() - datetime.timedelta(hours=1))
    sweep(day, django_capture_on_commit_callbacks)
    # The in-app notice exists exactly once; the e-mail was lost, not duplicated.
    assert Notification.objects.filter(recipient=director).count() == 1
    assert mail.outbox == []


def test_send_reminders_dry_run_lists_and_sends_nothing(obligation, capsys):
    call_command("send_reminders", "--date", "2026-12-19", "--dry-run")
    out = capsys.readouterr().out
    assert "NN001" in out and "due" in out and "Sẽ gửi 1 lượt nhắc" in out
    assert mail.outbox == [] and not Dispatch.objects.exists()


def test_send_reminders_refuses_a_wrong_date(obligation):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("send_reminders", "--date", "19/12/2026")


def test_reminders_have_no_users_outside_the_center(obligation, other_director, django_capture_on_commit_callbacks):
    other_director.email = "khac@example.vn"
    other_director.save()
    sweep(DUE, django_capture_on_commit_callbacks)
    assert "khac@example.vn" not in mail.outbox[0].to + mail.outbox[0].bcc
    assert not Notification.objects.filter(recipient=other_director).exists()
    assert User.objects.filter(notifications__isnull=False).distinct().count() == 1
    _ = make_user  # factories stay importable for new roles
