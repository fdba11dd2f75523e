""""Quên mật khẩu?": a person gets a one-time link by e-mail, asked for by username or
address, with the same answer whether or not an account matches; the link lands on a
Vietnamese page where they choose their password, and expires after PASSWORD_RESET_TIMEOUT."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://([^/\s]+)(/accounts/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def person(inspector):
    inspector.email = "Thanh.Tra@example.vn"
    inspector.full_name = "Lê Văn Hùng"
    inspector.save()
    return inspector


def ask(client, login: str, **extra):
    # The request only queues the work; the worker (eager here) sends once it commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("password_reset"), {"email": login}, **extra)


def link_of(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def test_the_login_page_links_to_the_forgotten_password_page(client):
    body = client.get(reverse("login")).content.decode()
    assert "Quên mật khẩu?" in body and reverse("password_reset") in body
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert "Tên đăng nhập hoặc địa chỉ e-mail" in page.content.decode()


@pytest.mark.parametrize("login", ["thanhtra", "thanh.tra@EXAMPLE.vn"])
def test_a_link_is_sent_for_a_username_or_an_address(client, person, login):
    response = ask(client, login)
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [["Thanh.Tra@example.vn"]]
    message = mail.outbox[0]
    assert message.subject == "Đặt lại mật khẩu trên Cổng quản lý trung tâm"
    assert "Lê Văn Hùng" in message.body and "3 ngày" in message.body


@pytest.mark.parametrize("login", ["khong-co-ai", "nobody@example.vn", "giamdoc"])
def test_the_answer_is_the_same_when_no_account_matches(client, person, director, login):
    # (giamdoc exists but has no address: nothing can be sent, and nothing says so.)
    known = ask(client, "thanhtra")
    mail.outbox.clear()
    unknown = ask(client, login)
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert mail.outbox == []


def test_an_inactive_account_gets_no_link(client, person):
    person.is_active = False
    person.save()
    ask(client, "thanhtra")
    assert mail.outbox == []


def test_the_link_uses_the_host_of_the_request(client, person, settings):
    settings.ALLOWED_HOSTS = ["cong.sogd.example.vn"]
    ask(client, "thanhtra", HTTP_HOST="cong.sogd.example.vn")
    host, _path = link_of(mail.outbox[0])
    assert host == "cong.sogd.example.vn"


def test_the_link_sets_a_new_password_once(client, person):
    ask(client, "thanhtra")
    _host, link = link_of(mail.outbox[0])
    landing = client.get(link)
    assert landing.status_code == 302
    page = client.get(landing.url)
    assert page.context["validlink"]
    assert "Đặt mật khẩu" in page.content.decode()
    # Django's password rules apply, in Vietnamese.
    weak = client.post(landing.url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = client.post(landing.url, {"new_password1": "Hung-Le-2026-moi", "new_password2": "Hung-Le-2026-moi"})
    assert done.url == reverse("password_reset_complete")
    assert User.objects.get(pk=person.pk).check_password("Hung-Le-2026-moi")
    assert client.get(done.url).status_code == 200
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "Nhận liên kết mới" in again.content.decode()


def test_the_link_expires_after_the_timeout(client, person, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    ask(client, "thanhtra")
    _host, link = link_of(mail.outbox[0])
    # (Whole days either side: time_machine and the tokens' naive local clock may differ
    # by the time zone's offset.)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert client.get(link, follow=True).context["validlink"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        assert not client.get(link, follow=True).context["validlink"]


def test_an_account_that_never_had_a_password_can_ask_for_a_new_link(client, person):
    person.set_unusable_password()
    person.save()
    ask(client, "thanhtra")
    assert len(mail.outbox) == 1


def test_setting_a_password_by_link_is_in_the_history_without_the_password(client, person):
    ask(client, "thanhtra")
    _host, link = link_of(mail.outbox[0])
    landing = client.get(link)
    client.post(landing.url, {"new_password1": "Hung-Le-2026-moi", "new_password2": "Hung-Le-2026-moi"})
    record = person.history.first()
    assert record.history_change_reason == "Đặt mật khẩu qua liên kết gửi e-mail"
    assert not hasattr(record, "password")
