"""Issue 10, item 1: people invited by e-mail never need the username the portal made for
them; the address logs them in too. An address shared by several active accounts is
refused with a message asking for the username. django-axes still locks the pair
(account, client address), whichever of the two is typed."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, login: str, password: str = DEFAULT_PASSWORD, address: str = "198.51.100.1"):
    return client.post(reverse("login"), {"username": login, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def person(director):
    director.email = "Lan.Pham@example.org"
    director.save()
    return director


@pytest.mark.parametrize("login", ["giamdoc", "lan.pham@EXAMPLE.org"])
def test_a_username_or_the_address_logs_in(client, person, login):
    response = log_in(client, login)
    assert response.status_code == 302 and response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == person.pk


def test_the_login_page_says_both_are_accepted(client):
    assert "Tên đăng nhập hoặc e-mail" in client.get(reverse("login")).content.decode()


def test_a_wrong_password_by_address_is_refused(client, person):
    response = log_in(client, "lan.pham@example.org", "sai-mat-khau")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_address_shared_by_two_active_accounts_asks_for_the_username(client, person, other_director):
    other_director.email = "lan.pham@example.org"
    other_director.save()
    response = log_in(client, "lan.pham@example.org")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Hãy đăng nhập bằng tên đăng nhập" in response.content.decode()
    assert log_in(client, "giamdoc").status_code == 302


def test_an_inactive_account_sharing_the_address_does_not_count(client, person, other_director):
    User.objects.filter(pk=other_director.pk).update(email="lan.pham@example.org", is_active=False)
    assert log_in(client, "lan.pham@example.org").status_code == 302


def test_a_lock_out_counts_failures_by_username_and_by_address_together(client, person, settings):
    settings.AXES_FAILURE_LIMIT = 4
    for login in ["giamdoc", "lan.pham@example.org", "giamdoc", "lan.pham@example.org"]:
        log_in(client, login, "sai-mat-khau")
    assert log_in(client, "lan.pham@example.org").status_code == 429
    assert log_in(client, "giamdoc").status_code == 429
    # The same account from another address is not locked.
    assert log_in(client, "lan.pham@example.org", address="198.51.100.2").status_code == 302


def test_the_lock_out_list_names_the_account(client, person, department_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        log_in(client, "lan.pham@example.org", "sai-mat-khau")
    client.force_login(department_user)
    [lockout] = client.get(reverse("lockout_list")).context["lockouts"]
    assert (lockout.username, lockout.user) == ("giamdoc", person)


def test_an_unknown_address_is_locked_as_typed(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        log_in(client, "ai-do@example.org", "x")
    assert log_in(client, "ai-do@example.org", "x").status_code == 429
