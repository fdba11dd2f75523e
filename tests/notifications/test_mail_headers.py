"""What every e-mail of the portal says about itself: the sender from settings, a
Message-ID at the portal's domain, the sending time with the portal's UTC offset and a
tidy subject (edu_portal.mail)."""

import datetime
import email
import email.policy
import zoneinfo
from email.utils import parseaddr, parsedate_to_datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from edu_portal.mail import SUBJECT_MAX, EmailMessage, message_id_domain, subject_line, templated_message
from notifications.models import Dispatch, Notification
from notifications.services import notice_send

SENDER = "Sở GDĐT Bắc Ninh <thongbao@sogd.bacninh.example.org>"


def _parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=email.policy.default)


def test_the_date_is_the_sending_time_with_the_portal_offset(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    before = timezone.now().replace(microsecond=0)
    parsed = _parsed(EmailMessage("S", "B", to=["a@example.org"]))
    sent = parsedate_to_datetime(parsed["Date"])
    assert parsed["Date"].endswith("+0700")
    assert sent.utcoffset() == datetime.timedelta(hours=7)
    assert before <= sent <= timezone.now()
    assert sent.astimezone(zoneinfo.ZoneInfo("UTC")).hour == (sent.hour - 7) % 24


def test_the_message_id_uses_the_configured_domain_else_the_portal_host(settings):
    settings.PORTAL_URL = "https://congtt.sogd-bacninh.example.org/cong/"
    settings.MAIL_MESSAGE_ID_DOMAIN = ""
    assert _parsed(EmailMessage("S", "B", to=["a@example.org"]))["Message-ID"].endswith(
        "@congtt.sogd-bacninh.example.org>")
    settings.MAIL_MESSAGE_ID_DOMAIN = "mail.sogd.example.gov.vn"
    assert _parsed(EmailMessage("S", "B", to=["a@example.org"]))["Message-ID"].endswith(
        "@mail.sogd.example.gov.vn>")
    # An address literal (development) never names the machine.
    settings.MAIL_MESSAGE_ID_DOMAIN = ""
    settings.PORTAL_URL = "http://127.0.0.1:8000"
    assert message_id_domain() == "localhost"


def test_templated_mail_of_accounts_gets_the_same_headers(settings):
    settings.PORTAL_URL = "https://congtt.sogd-bacninh.example.org"
    settings.DEFAULT_FROM_EMAIL = SENDER
    message = templated_message("accounts/password_reset", {
        "email": "a@example.org", "domain": "congtt.sogd-bacninh.example.org", "site_name": "x", "protocol": "https",
        "uid": "MQ", "token": "t", "user": SimpleNamespace(full_name="Nguyễn Văn A", username="a"),
        "sent_by": "", "valid_for": "3 ngày",
    }, to=["a@example.org"])
    parsed = _parsed(message)
    assert parseaddr(str(parsed["From"]))[1] == "thongbao@sogd.bacninh.example.org"
    assert parsed["Message-ID"].endswith("@congtt.sogd-bacninh.example.org>")
    assert parsed["Date"].endswith("+0700")
    assert not str(parsed["Subject"]).startswith(" ")


@pytest.mark.django_db
def test_a_notice_mail_comes_from_the_configured_sender(settings, department_user, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = SENDER
    department_user.email = "so@example.vn"
    department_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(key="notice:test:sender", users=[department_user], subject="S", body="B", link="/")
    parsed = _parsed(mail.outbox[0])
    assert str(parsed["From"]) == SENDER
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_subjects_are_one_trimmed_line_capped_with_an_ellipsis():
    assert subject_line("  [Nhắc việc]   Báo cáo 6 tháng\n - quá hạn\t ") == "[Nhắc việc] Báo cáo 6 tháng - quá hạn"
    long = subject_line("Trung tâm Ngoại ngữ " * 20)
    assert len(long) == SUBJECT_MAX and long.endswith("…")
    assert not long[:-1].endswith(" ")
    parsed = _parsed(EmailMessage("  Báo cáo\n   đã nhận  ", "B", to=["a@example.org"]))
    assert str(parsed["Subject"]) == "Báo cáo đã nhận"


@pytest.mark.django_db
def test_a_long_notice_subject_is_cut_with_an_ellipsis_in_the_bell_and_the_mail(
    department_user, django_capture_on_commit_callbacks,
):
    department_user.email = "so@example.vn"
    department_user.save()
    subject = "  [Trả lại báo cáo] " + "Báo cáo hoạt động 6 tháng của Trung tâm Ngoại ngữ Đông Á " * 6
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(key="notice:test:long", users=[department_user], subject=subject, body="B", link="/")
    notice = Notification.objects.get()
    assert notice.subject.startswith("[Trả lại báo cáo] Báo cáo") and notice.subject.endswith("…")
    assert len(notice.subject) <= 255
    sent = str(_parsed(mail.outbox[0])["Subject"])
    assert len(sent) == SUBJECT_MAX and sent.endswith("…") and sent.startswith("[Trả lại báo cáo]")
    assert Dispatch.objects.get().status == Dispatch.Status.SENT
