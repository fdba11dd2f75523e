"""Issue 10, item 2: "Quên mật khẩu?" gives the same answer whether or not the address is
known and whether or not a limit was reached; known and unknown take the same time class
(the request only counts and queues: the lookup and the SMTP conversation happen in the
worker after commit); a used link fails; past the limits no more e-mails are sent."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def person(inspector):
    inspector.email = "thanh.tra@example.org"
    inspector.save()
    return inspector


def ask(client, login: str, address: str = "198.51.100.1"):
    """One request, and what it queued (run afterwards, as the worker would)."""
    before = len(mail.outbox)
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(reverse("password_reset"), {"email": login}, REMOTE_ADDR=address)
    sent_in_request = len(mail.outbox) - before
    for callback in queued:
        callback()
    return response, len(queries), sent_in_request


def test_known_and_unknown_get_the_same_page_and_the_same_work_in_the_request(client, person):
    known, known_queries, known_sent = ask(client, "thanh.tra@example.org")
    assert len(mail.outbox) == 1  # sent by the worker, after the request
    unknown, unknown_queries, unknown_sent = ask(client, "nobody@example.org")
    assert len(mail.outbox) == 1
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, reverse("password_reset_done"))
    # Nothing is looked up and nothing is sent inside the request: the same queries either way.
    assert known_sent == unknown_sent == 0
    assert known_queries == unknown_queries
    page = client.get(known.url).content.decode()
    assert "Nếu tên đăng nhập hoặc địa chỉ bạn nhập thuộc một tài khoản" in page


def test_a_used_link_fails(client, person):
    ask(client, "thanhtra")
    link = LINK.search(mail.outbox[0].body).group(1)
    landing = client.get(link)
    client.post(landing.url, {"new_password1": "Thanh-Tra-2026-moi", "new_password2": "Thanh-Tra-2026-moi"})
    client.logout()
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "Liên kết này đã được dùng, đã hết hạn hoặc không đúng" in again.content.decode()


def test_past_the_limit_of_an_account_no_more_mail_and_the_same_page(client, person):
    # By username and by address alike: the worker counts per account.
    answers = [ask(client, login, address=f"198.51.100.{n}")[0].url
               for n, login in enumerate(["thanhtra", "thanh.tra@example.org"] * 3)]
    assert len(mail.outbox) == services.RESET_LIMIT_PER_ACCOUNT == 3
    assert set(answers) == {reverse("password_reset_done")}


def test_past_the_limit_of_a_client_address_nothing_is_queued(client, person, django_capture_on_commit_callbacks):
    for n in range(services.RESET_LIMIT_PER_ADDRESS):
        ask(client, f"someone{n}@example.org")
    response, _queries, _sent = ask(client, "thanhtra")
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
    # Another address is not held back by it.
    ask(client, "thanhtra", address="198.51.100.99")
    assert len(mail.outbox) == 1


def test_past_the_limit_of_a_login_nothing_is_queued(client, person):
    for n in range(services.RESET_LIMIT_PER_LOGIN):
        ask(client, "NOBODY@example.org", address=f"198.51.100.{n}")
    assert services.password_reset_request(login="nobody@example.org", client_ip="198.51.100.200",
                                           domain="testserver", use_https=False) is False


def test_the_request_waits_for_no_mail_server(client, person, settings):
    # An SMTP server that cannot be reached: the page answers as usual, at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "192.0.2.1", 25, 1
    with TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(reverse("password_reset"), {"email": "thanhtra"})
    assert response.status_code == 302 and len(queued) == 1
