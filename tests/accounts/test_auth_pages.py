import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, CenterFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password=DEFAULT_PASSWORD, **extra):
    # A real POST through the form: axes needs the request, so client.login() won't do.
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_login_page_is_in_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng nhập" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'lang="vi"' in html


def test_login_with_the_right_password_opens_the_home_page(client, department_user):
    response = _login(client, "sogd")
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == department_user


def test_login_follows_next(client, department_user):
    response = _login(client, "sogd", next=reverse("centers:center_list"))
    assert response.url == reverse("centers:center_list")


def test_wrong_password_shows_a_vietnamese_error(client, department_user):
    response = _login(client, "sogd", "sai-mat-khau")
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert client.get(reverse("home")).status_code == 302


def test_an_inactive_user_cannot_log_in(client, department_user):
    department_user.is_active = False
    department_user.save()
    response = _login(client, "sogd")
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_logged_in_user_is_sent_home_from_the_login_page(client, department_user):
    _login(client, "sogd")
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_by_post(client, department_user):
    _login(client, "sogd")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_is_not_a_get(client, department_user):
    _login(client, "sogd")
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_password_change_page_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_works(client, department_user):
    _login(client, "sogd")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Đổi mật khẩu" in page.content.decode()

    new = "Kinh-Bac-2026-moi"
    response = client.post(
        reverse("password_change"), {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Đã đổi mật khẩu." in response.content.decode()
    department_user.refresh_from_db()
    assert department_user.check_password(new)
    # The session survives the change, and the new password logs in afterwards.
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert _login(client, "sogd", new).status_code == 302


def test_password_change_with_a_wrong_old_password_is_refused_in_vietnamese(client, department_user):
    _login(client, "sogd")
    response = client.post(
        reverse("password_change"),
        {"old_password": "khong-dung", "new_password1": "Kinh-Bac-2026-moi", "new_password2": "Kinh-Bac-2026-moi"},
    )
    assert response.status_code == 200
    assert "Mật khẩu cũ không chính xác" in response.content.decode()
    department_user.refresh_from_db()
    assert department_user.check_password(DEFAULT_PASSWORD)


def test_home_sends_a_director_to_the_reports_they_owe(client, director, center):
    _login(client, "giamdoc")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("reports:obligation_list")


def test_home_shows_staff_the_count_of_their_province(client, department_user, center, other_center, foreign_center):
    CenterFactory(commune=center.commune, name="Trung tâm Tin học Hồng Hà", kind="it")
    _login(client, "sogd")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["center_count"] == 3  # not the other province's center
    html = response.content.decode()
    assert "Trung tâm trong phạm vi quản lý" in html
    assert "Trung tâm Ngoại ngữ Đông Á" in html
    assert "Trung tâm Ngoại ngữ Hà Thành" not in html


def test_home_shows_an_inspector_their_province(client, inspector, center, foreign_center):
    _login(client, "thanhtra")
    response = client.get(reverse("home"))
    assert response.context["center_count"] == 1


def test_home_shows_a_local_officer_their_ward(client, local_officer, center, other_center):
    _login(client, "canboxa")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["center_count"] == 1
    assert "Phường Kinh Bắc" in response.content.decode()


def test_home_of_a_user_without_role_shows_nothing(client):
    User.objects.create_user("khach", password=DEFAULT_PASSWORD)
    _login(client, "khach")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["center_count"] == 0
