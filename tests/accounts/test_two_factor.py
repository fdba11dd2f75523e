"""Two-factor sign-in, issue 10 item 3 (django-otp: an authenticator app and recovery codes).

Required for the roles of settings.TWO_FACTOR_REQUIRED_ROLES (department staff, inspectors
and superusers by default with DJANGO_DEBUG off), optional for the others; the suite runs
with DJANGO_DEBUG on, where nothing is required, so tests that need it set the roles."""

import datetime
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.checks import two_factor_roles_check
from accounts.models import User
from edu_portal.admin import site as admin_site
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
SETUP, VERIFY = reverse("two_factor_setup"), reverse("two_factor_verify")


@pytest.fixture
def clock(time_machine):
    """A stopped clock: each TOTP code is computed for the instant the portal checks it."""
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["department", "inspector", "superuser"]


def code_of(device: TOTPDevice) -> str:
    """The 6 digits the person's app shows now (as the app computes them: RFC 6238)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def turn_on(user, clock) -> tuple[TOTPDevice, list[str]]:
    """Two-factor on for `user` (through the service the set-up page uses), the clock then
    moved on past the code used, which never works twice."""
    device = twofactor.totp_device_pending(user=user)
    result, codes = twofactor.totp_confirm(user=user, code=code_of(device))
    assert result.device is not None, result.error
    clock.shift(60)
    return device, codes


def log_in(client, user) -> None:
    # Through the form, as a person does (axes needs the request: client.login won't do).
    response = client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content


def page_text(response) -> str:
    return response.content.decode()


# Who must use it


def test_a_required_role_without_a_device_is_sent_to_setup_from_every_page(client, required, department_user):
    client.force_login(department_user)
    for path in ("/", reverse("centers:center_list"), reverse("password_change"), reverse("two_factor"),
                 reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(SETUP), (path, response.url)
    assert client.get("/centers/?q=x").url == f"{SETUP}?next=%2Fcenters%2F%3Fq%3Dx"
    # A form post goes nowhere either.
    assert client.post(reverse("lockout_unlock"), {"username": "x"}).url == SETUP
    # htmx is told to load the whole page.
    htmx = client.get(reverse("centers:center_list"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == SETUP
    # The set-up page itself, the verify page's absence, health and the way out.
    assert client.get(SETUP).status_code == 200
    assert client.get(VERIFY).url.startswith(SETUP)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_the_admin_refuses_an_unverified_session_even_without_the_middleware(client, required, settings,
                                                                              department_user):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.middleware.TwoFactorMiddleware"]
    client.force_login(department_user)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))

    request = RequestFactory().get("/admin/")
    request.session = SessionStore()
    request.user = department_user
    department_user.is_verified = lambda: False
    assert not admin_site.has_permission(request)
    department_user.is_verified = lambda: True
    assert admin_site.has_permission(request)


def test_inspectors_and_superusers_are_required_too_and_directors_and_officers_are_not(
    client, required, inspector, director, local_officer,
):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (inspector, superuser):
        client.force_login(user)
        assert client.get(reverse("centers:center_list")).url.startswith(SETUP), user
    for user in (director, local_officer):
        client.force_login(user)
        assert client.get(reverse("centers:center_list")).status_code == 200, user


def test_with_debug_on_and_the_setting_unset_nothing_is_required(client, department_user):
    # The suite runs as `make run` does: DJANGO_DEBUG on, DJANGO_TWO_FACTOR_REQUIRED_ROLES unset.
    assert "DJANGO_TWO_FACTOR_REQUIRED_ROLES" not in os.environ
    from django.conf import settings

    assert settings.TWO_FACTOR_REQUIRED_ROLES == []
    client.force_login(department_user)
    assert client.get(reverse("centers:center_list")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(("env", "expected"), [
    ({"DJANGO_DEBUG": "1"}, []),
    ({"DJANGO_DEBUG": "0"}, ["department", "inspector", "superuser"]),
    ({"DJANGO_DEBUG": "1", "DJANGO_TWO_FACTOR_REQUIRED_ROLES": "director, superuser"}, ["director", "superuser"]),
    # A blank line in a deployment's environment does not turn it off; "none" does.
    ({"DJANGO_DEBUG": "0", "DJANGO_TWO_FACTOR_REQUIRED_ROLES": " "}, ["department", "inspector", "superuser"]),
    ({"DJANGO_DEBUG": "0", "DJANGO_TWO_FACTOR_REQUIRED_ROLES": "none"}, []),
])
def test_the_required_roles_follow_debug_and_the_environment(monkeypatch, env, expected):
    monkeypatch.delenv("DJANGO_TWO_FACTOR_REQUIRED_ROLES", raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "test")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    module = runpy.run_path(str(ROOT / "edu_portal" / "settings.py"))
    assert module["TWO_FACTOR_REQUIRED_ROLES"] == expected


def test_a_misspelt_role_stops_the_portal_from_starting(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["department", "inspectors"]
    errors = two_factor_roles_check()
    assert [error.id for error in errors] == ["accounts.E001"]
    assert "inspectors" in errors[0].msg
    settings.TWO_FACTOR_REQUIRED_ROLES = ["department", "inspector", "superuser", "director", "local_officer"]
    assert two_factor_roles_check() == []


def test_the_check_runs_with_manage_py_check():
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "dev",
           "DJANGO_TWO_FACTOR_REQUIRED_ROLES": "department,thanh-tra"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr and "thanh-tra" in result.stderr


# Setting up


def test_setting_up_with_a_correct_code_turns_it_on_and_shows_ten_recovery_codes_once(
    client, clock, required, department_user,
):
    client.force_login(department_user)
    page = client.get(f"{SETUP}?next=/centers/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=department_user)
    assert not device.confirmed
    html = page_text(page)
    assert '<img src="data:image/svg+xml' in html  # drawn here, nothing fetched from elsewhere
    assert all(f">{group}<" in html for group in page.context["secret_groups"])
    assert all(len(group) == 4 for group in page.context["secret_groups"])
    # Reloading keeps the secret already scanned.
    assert client.get(SETUP).context["secret_groups"] == page.context["secret_groups"]

    wrong = client.post(SETUP, {"code": "000000" if code_of(device) != "000000" else "111111", "next": "/centers/"})
    assert wrong.status_code == 200 and "Mã không đúng" in page_text(wrong)
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").url.startswith(SETUP)

    clock.shift(5)  # past the throttle of the wrong code
    done = client.post(SETUP, {"code": code_of(device), "next": "/centers/"})
    assert done.status_code == 302 and done.url == f"{reverse('two_factor_codes')}?next=%2Fcenters%2F"
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(done.url)
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in page_text(codes_page) for code in codes)
    assert "Tôi đã lưu mã" in page_text(codes_page)
    stored = set(StaticToken.objects.filter(device__user=department_user).values_list("token", flat=True))
    assert {code.replace("-", "") for code in codes} == stored

    saved = client.post(reverse("two_factor_codes"), {"next": "/centers/"})
    assert saved.url == "/centers/"
    assert client.get(reverse("two_factor_codes")).url == reverse("two_factor")  # shown once
    # This session passed the second factor: everything is open.
    assert client.get("/centers/").status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    record = department_user.history.first()
    assert record.history_change_reason == "Bật xác thực hai lớp"


def test_the_setup_page_works_for_every_role(client, department_user, inspector, director, local_officer):
    for user in (department_user, inspector, director, local_officer):
        client.force_login(user)
        page = client.get(SETUP)
        assert page.status_code == 200, user
        assert page.context["qr_code"].startswith("data:image/svg+xml")


def test_a_setup_code_in_other_digits_or_letters_is_refused(client, clock, department_user):
    client.force_login(department_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=department_user)
    arabic = code_of(device).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for typed in (arabic, "12345", "abcdef", "x" * 40):
        response = client.post(SETUP, {"code": typed})
        assert response.status_code == 200 and response.context["form"].errors, typed
    device.refresh_from_db()
    assert not device.confirmed


def test_an_account_with_two_factor_cannot_set_up_a_second_app_to_skip_the_code(client, clock, required,
                                                                                  department_user):
    turn_on(department_user, clock)
    log_in(client, department_user)
    assert client.get(SETUP).url.startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=department_user).count() == 1


# Logging in


def test_a_later_login_asks_for_the_code_and_refuses_a_wrong_one(client, clock, required, department_user):
    device, _codes = turn_on(department_user, clock)
    log_in(client, department_user)
    response = client.get("/centers/")
    assert response.url == f"{VERIFY}?next=%2Fcenters%2F"
    assert client.get(reverse("admin:index")).url.startswith(VERIFY)
    page = client.get(response.url)
    assert page.status_code == 200 and page.context["next"] == "/centers/"

    right = code_of(device)
    wrong = client.post(VERIFY, {"code": "999999" if right != "999999" else "888888", "next": "/centers/"})
    assert wrong.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in page_text(wrong)
    assert client.get("/centers/").url.startswith(VERIFY)

    clock.shift(5)
    done = client.post(VERIFY, {"code": code_of(device)[:3] + " " + code_of(device)[3:], "next": "/centers/"})
    assert done.status_code == 302 and done.url == "/centers/"
    assert client.get("/centers/").status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_code_works_once(client, clock, required, inspector):
    device, _codes = turn_on(inspector, clock)
    log_in(client, inspector)
    code = code_of(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("logout"))
    log_in(client, inspector)
    clock.shift(5)  # same 30-second step: the same code is still on the phone
    assert code_of(device) == code
    assert client.post(VERIFY, {"code": code}).status_code == 200
    assert client.get("/centers/").url.startswith(VERIFY)


def test_the_page_first_asked_for_is_where_one_lands_and_never_another_site(client, clock, required, inspector):
    device, _codes = turn_on(inspector, clock)
    log_in(client, inspector)
    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example.com/"})
    assert response.url == reverse("home")
    for elsewhere in ("//evil.example.com/", "²", "home", "javascript:alert(1)"):
        assert client.get(VERIFY, {"next": elsewhere}).url == reverse("home"), elsewhere
    assert client.get(VERIFY, {"next": "/centers/?q=a"}).url == "/centers/?q=a"


def test_a_recovery_code_works_once(client, clock, required, department_user):
    _device, codes = turn_on(department_user, clock)
    shown = twofactor.recovery_code_display(codes[0])
    assert "-" in shown
    log_in(client, department_user)
    response = client.post(VERIFY, {"code": f" {shown.upper()} "}, follow=True)
    assert response.redirect_chain[0][0] == reverse("home")
    assert "còn 9 mã" in page_text(response)
    assert client.get("/centers/").status_code == 200

    client.post(reverse("logout"))
    log_in(client, department_user)
    clock.shift(5)
    again = client.post(VERIFY, {"code": shown})
    assert again.status_code == 200
    assert "Mã khôi phục không đúng hoặc đã được dùng" in page_text(again)
    assert client.get("/centers/").url.startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=department_user).count() == 9


def test_wrong_codes_are_throttled_with_a_clear_message(client, clock, required, department_user):
    device, codes = turn_on(department_user, clock)
    log_in(client, department_user)
    wrong = "999999" if code_of(device) != "999999" else "888888"
    for wait in (0, 1, 2):  # django-otp's waits after each wrong code: 1, 2, 4 seconds...
        clock.shift(wait)
        response = client.post(VERIFY, {"code": wrong})
        assert "Mã không đúng" in page_text(response)
    assert "Bạn đã nhập sai 3 lần liên tiếp: hãy chờ 4 giây trước lần thử tiếp theo." in page_text(response)
    # Even the right code waits now; the message says for how long.
    clock.shift(1)
    refused = client.post(VERIFY, {"code": code_of(device)})
    assert refused.status_code == 200
    assert "Bạn đã nhập sai mã 3 lần liên tiếp. Để bảo vệ tài khoản, vui lòng chờ 3 giây rồi thử lại." \
        in page_text(refused)
    assert client.get("/centers/").url.startswith(VERIFY)
    # The recovery codes have their own count.
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302


def test_the_wait_after_many_wrong_codes_is_told_in_minutes(client, clock, required, department_user):
    device, _codes = turn_on(department_user, clock)
    # The ninth wrong code in a row, just now: the next try waits 2^8 = 256 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=9,
                                                    throttling_failure_timestamp=START + datetime.timedelta(minutes=1))
    log_in(client, department_user)
    refused = client.post(VERIFY, {"code": code_of(device)})
    assert "vui lòng chờ 5 phút rồi thử lại" in page_text(refused)


# Optional roles


def test_a_director_is_not_forced_but_can_turn_it_on_and_is_then_asked_at_login(client, clock, required, director):
    log_in(client, director)
    assert client.get(reverse("reports:obligation_list")).status_code == 200
    status = client.get(reverse("two_factor"))
    assert status.status_code == 200 and not status.context["status"].enabled
    assert reverse("two_factor_setup") in page_text(status)

    client.get(SETUP)
    device = TOTPDevice.objects.get(user=director)
    assert client.post(SETUP, {"code": code_of(device)}).url == reverse("two_factor_codes")
    clock.shift(60)
    client.post(reverse("logout"))
    log_in(client, director)
    assert client.get(reverse("reports:obligation_list")).url.startswith(VERIFY)
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
    assert client.get(reverse("reports:obligation_list")).status_code == 200


def test_a_director_turns_it_off_with_a_current_code_and_is_told_by_email(
    client, clock, required, director, django_capture_on_commit_callbacks,
):
    director.email = "giamdoc@example.com"
    director.save()
    device, _codes = turn_on(director, clock)
    log_in(client, director)
    client.post(VERIFY, {"code": code_of(device)})
    clock.shift(60)
    refused = client.post(reverse("two_factor_disable"), {"disable-code": "12345"})
    assert refused.status_code == 200 and refused.context["disable_form"].errors
    assert TOTPDevice.objects.filter(user=director).exists()

    clock.shift(5)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("two_factor_disable"), {"disable-code": code_of(device)})
    assert done.url == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=director).exists()
    assert not StaticDevice.objects.filter(user=director).exists()
    assert director.history.first().history_change_reason == "Tắt xác thực hai lớp"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["giamdoc@example.com"]
    assert "Xác thực hai lớp: Đang bật → Đã tắt" in mail.outbox[0].body
    # Next login: the password alone.
    client.post(reverse("logout"))
    log_in(client, director)
    assert client.get(reverse("reports:obligation_list")).status_code == 200


def test_a_required_role_cannot_turn_it_off(client, clock, required, department_user):
    device, _codes = turn_on(department_user, clock)
    log_in(client, department_user)
    client.post(VERIFY, {"code": code_of(device)})
    clock.shift(60)
    page = client.get(reverse("two_factor"))
    assert 'name="disable-code"' not in page_text(page)
    assert client.post(reverse("two_factor_disable"), {"disable-code": code_of(device)}).status_code == 403
    assert TOTPDevice.objects.filter(user=department_user, confirmed=True).exists()


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(client, clock, director):
    device, old_codes = turn_on(director, clock)
    log_in(client, director)
    client.post(VERIFY, {"code": code_of(device)})
    clock.shift(60)
    refused = client.post(reverse("two_factor_codes_regenerate"), {"regenerate-code": "000000"})
    assert refused.status_code == 200 and refused.context["regenerate_form"].errors
    assert set(StaticToken.objects.filter(device__user=director).values_list("token", flat=True)) == set(old_codes)

    clock.shift(5)
    done = client.post(reverse("two_factor_codes_regenerate"), {"regenerate-code": code_of(device)})
    new_codes = client.get(done.url).context["codes"]
    assert len(new_codes) == 10
    stored = set(StaticToken.objects.filter(device__user=director).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new_codes} and not stored & set(old_codes)


def test_the_account_menu_links_to_the_two_factor_page(client, director):
    client.force_login(director)
    page = client.get(reverse("centers:center_list"))
    assert page_text(page).count(f'href="{reverse("two_factor")}"') == 1


# Reset by staff


@pytest.fixture
def staff(client, department_user):
    department_user.full_name = "Nguyễn Thị Thu"
    department_user.save()
    client.force_login(department_user)
    return department_user


def reset_url(user) -> str:
    return reverse("admin:accounts_user_two_factor_reset", args=[user.pk])


def test_staff_of_the_province_reset_a_colleagues_two_factor(
    client, clock, staff, inspector, django_capture_on_commit_callbacks,
):
    inspector.email = "thanhtra@example.com"
    inspector.save()
    turn_on(inspector, clock)
    change_page = client.get(reverse("admin:accounts_user_change", args=[inspector.pk]))
    assert reset_url(inspector) in page_text(change_page)
    assert client.get(reset_url(inspector)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(inspector))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=inspector).exists()
    assert not StaticDevice.objects.filter(user=inspector).exists()
    record = inspector.history.first()
    assert record.history_change_reason == "Đặt lại xác thực hai lớp" and record.history_user == staff
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["thanhtra@example.com"]
    assert "Xác thực hai lớp: Đang bật → Đã đặt lại" in message.body and "Nguyễn Thị Thu" in message.body


def test_a_reset_colleagues_open_session_is_sent_to_setup(client, clock, settings, staff, inspector):
    device, _codes = turn_on(inspector, clock)
    theirs = type(client)()
    log_in(theirs, inspector)
    assert theirs.post(VERIFY, {"code": code_of(device)}).status_code == 302
    assert theirs.get("/centers/").status_code == 200
    client.post(reset_url(inspector))
    settings.TWO_FACTOR_REQUIRED_ROLES = ["inspector"]
    assert theirs.get("/centers/").url.startswith(VERIFY)
    assert theirs.get(VERIFY).url.startswith(SETUP)
    assert theirs.get("/centers/").url.startswith(SETUP)


def test_the_reset_action_resets_the_selected_accounts(client, clock, staff, inspector, director):
    turn_on(inspector, clock)
    turn_on(director, clock)
    response = client.post(reverse("admin:accounts_user_changelist"), {
        "action": "reset_two_factor", "_selected_action": [inspector.pk, director.pk],
    })
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__in=[inspector, director]).exists()


def test_resetting_an_account_without_two_factor_changes_nothing(client, staff, inspector,
                                                                 django_capture_on_commit_callbacks):
    before = inspector.history.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reset_url(inspector))
    assert inspector.history.count() == before and mail.outbox == []


def test_staff_of_another_province_cannot_reset(client, clock, foreign_department_user, inspector,
                                                django_capture_on_commit_callbacks):
    inspector.email = "thanhtra@example.com"
    inspector.save()
    turn_on(inspector, clock)
    client.force_login(foreign_department_user)
    assert client.get(reset_url(inspector)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reset_url(inspector)).status_code == 404
        client.post(reverse("admin:accounts_user_changelist"), {
            "action": "reset_two_factor", "_selected_action": [inspector.pk],
        })
    assert TOTPDevice.objects.filter(user=inspector, confirmed=True).exists()
    assert mail.outbox == []


def test_inspectors_cannot_reset(client, clock, inspector, director):
    turn_on(director, clock)
    client.force_login(inspector)
    response = client.post(reset_url(director))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert TOTPDevice.objects.filter(user=director).exists()


def test_staff_who_owe_their_own_second_factor_cannot_reset_anyone(client, clock, required, staff, inspector):
    turn_on(inspector, clock)
    assert client.post(reset_url(inspector)).url.startswith(SETUP)
    assert TOTPDevice.objects.filter(user=inspector).exists()


def test_a_user_without_two_factor_costs_no_query_for_it(client, department_user, django_assert_num_queries):
    client.force_login(department_user)
    client.get(reverse("healthz"))
    request = RequestFactory().get("/")
    request.session = client.session
    assert request.session[twofactor.SESSION_KEY] is False  # read at login
    request.user = User.objects.get(pk=department_user.pk)
    with django_assert_num_queries(0):
        assert twofactor.pending_step(request) is None
