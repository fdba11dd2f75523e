"""The demo (issue 10, item 5): every demo account and center has an address at a reserved
domain; seed_demo leaves real notices in each demo account's bell and sends no e-mail;
send_reminders for a date a week before a demo deadline sends e-mails."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from accounts.models import User
from centers.models import Center
from notifications.demo import DEMO_DETAIL
from notifications.models import Dispatch, Notification
from reports.choices import PENDING_STATUSES
from reports.models import Obligation

pytestmark = pytest.mark.django_db

DEMO_USERS = ("sogd", "thanhtra", "giamdoc", "canboxa")
RESERVED = ("example.com", "example.org", "example.net")  # RFC 2606, and the .test top-level domain


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module, rolled back at the end; the callbacks it leaves for
    after commit are run, as they would be outside a test, with mail kept in memory."""
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        mail.outbox = []
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            call_command("seed_demo", "--force", stdout=out)
        # The lists' fragment cache is told once that the data changed (edu_portal.fragments).
        tasks = [c for c in callbacks if not hasattr(c, "fragment_generation")]
        yield {"out": out.getvalue(), "callbacks": len(tasks), "mails": len(mail.outbox)}
        transaction.set_rollback(True)


def _reserved(address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    return domain.endswith(".test") or any(domain == r or domain.endswith("." + r) for r in RESERVED)


def test_every_demo_account_and_center_has_an_address_at_a_reserved_domain(seeded):
    addresses = [*User.objects.values_list("email", flat=True), *Center.objects.values_list("email", flat=True)]
    assert addresses and all(address and _reserved(address) for address in addresses), [
        a for a in addresses if not (a and _reserved(a))
    ]


def test_seed_demo_leaves_real_notices_in_each_demo_accounts_bell(seeded):
    for username in DEMO_USERS:
        notices = Notification.objects.filter(recipient__username=username)
        assert notices.exists(), username
        # Links inside the portal are paths, so they work under any host name.
        assert all(link.startswith("/") and "://" not in link for link in notices.values_list("link", flat=True))
    subjects = list(Notification.objects.filter(recipient__username="giamdoc").values_list("subject", flat=True))
    for kind in ("[Trả lại báo cáo]", "[Báo cáo đã được chấp nhận]", "[Gia hạn nộp báo cáo]", "[Nhiệm vụ mới]",
                 "[Yêu cầu thực hiện lại]"):
        assert any(subject.startswith(kind) for subject in subjects), kind
    assert re.search(r"Thông báo trong chuông của các tài khoản demo \(không gửi thư\): sogd \d+, thanhtra \d+, "
                     r"giamdoc \d+, canboxa \d+\.", seeded["out"])


def test_the_demo_notices_are_dated_when_their_events_happened(seeded):
    returned = Notification.objects.get(recipient__username="giamdoc", subject__startswith="[Trả lại báo cáo]")
    assert returned.created_at.date() < datetime.date.today() - datetime.timedelta(days=7)
    assert "Lý do: " in returned.body


def test_seed_demo_sends_no_mail_and_never_will(seeded):
    """The demo tells past events: their notices are in the bell, their e-mails are
    recorded as never to be sent (notifications.demo says why)."""
    assert seeded["mails"] == 0 and seeded["callbacks"] == 0
    notices = Dispatch.objects.filter(key__startswith="notice:")
    assert notices.exists()
    assert set(notices.values_list("status", "detail").distinct()) == {(Dispatch.Status.PASSED, DEMO_DETAIL)}


def test_running_seed_demo_again_adds_no_notice(seeded):
    before = Notification.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Notification.objects.count() == before and mail.outbox == []


def test_send_reminders_a_week_before_a_demo_deadline_sends_mail(seeded, django_capture_on_commit_callbacks):
    giamdoc = User.objects.get(username="giamdoc")
    upcoming = (
        Obligation.objects.filter(center=giamdoc.center, status__in=PENDING_STATUSES,
                                  period__due_date__gte=datetime.date.today())
        .select_related("period").order_by("period__due_date").first()
    )
    day = upcoming.effective_due_date - datetime.timedelta(days=7)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", day.isoformat(), stdout=out)
    assert len(mail.outbox) > 1
    mine = [m for m in mail.outbox if "giamdoc@bacninh.example.org" in m.to + m.bcc]
    assert len(mine) == 1
    assert giamdoc.center.email in mine[0].to + mine[0].bcc
    assert "[Nhắc việc]" in mine[0].subject and "còn 7 ngày nữa đến hạn" in mine[0].subject
    assert all(_reserved(address) for m in mail.outbox for address in m.to + m.bcc)
    # Again the same day: nothing more.
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", day.isoformat(), stdout=io.StringIO())
    assert len(mail.outbox) == sent
