"""What the portal tells browsers and caches, how long a session lives, and the error pages
(with DEBUG off, as in production)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


def ok(request):
    return HttpResponse("ok")


# The portal's URLs plus two that only these tests need.
urlpatterns = [
    path("__test__/boom/", boom),
    path("__test__/ok/", ok),
    path("", include("edu_portal.urls")),
]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


# Cache-Control


def test_every_kind_of_response_to_a_logged_in_user_is_private_and_not_stored(client, department_user, center):
    client.force_login(department_user)
    document = center.documents.first()
    responses = {
        "page": client.get(reverse("centers:center_list")),
        "htmx fragment": client.get(reverse("centers:center_list"), HTTP_HX_REQUEST="true"),
        "xlsx export": client.get(reverse("centers:center_export_xlsx")),
        "csv export": client.get(reverse("centers:center_export_csv")),
        "pdf": client.get(reverse("centers:licence_document_pdf", args=[center.pk, document.pk])),
        "not found": client.get(reverse("centers:center_detail", args=[999999])),
        "redirect": client.get(reverse("login")),
    }
    for kind, response in responses.items():
        assert response.status_code in (200, 302, 404), kind
        assert private(response), (kind, response.get("Cache-Control"))


def test_a_plain_view_without_its_own_cache_headers_gets_them_too(client, department_user, production):
    client.force_login(department_user)
    response = client.get("/__test__/ok/")
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    assert "Cache-Control" not in client.get("/__test__/ok/")


def test_static_files_are_left_to_the_static_server(client, department_user, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(department_user)
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert not private(response)


# Session lifetime


START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def test_staff_are_logged_out_after_30_idle_minutes_with_a_vietnamese_reason(client, department_user):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(department_user)
        # Active every 29 minutes: the session lives on past 30 minutes of age.
        for _ in range(3):
            clock.shift(minutes(29))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(minutes(31))
        response = client.get(reverse("centers:center_list"))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={reverse('centers:center_list')}"
        page = client.get(response.url)
        html = page.content.decode()
        assert "không thao tác trên cổng trong 30 phút" in html
        assert not page.context["user"].is_authenticated
        # The session is gone: coming back does not bring the user back.
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("fixture", ["inspector", "superuser"])
def test_inspectors_and_superusers_have_the_staff_timeout(client, fixture, request):
    user = (User.objects.create_superuser("root", password=DEFAULT_PASSWORD) if fixture == "superuser"
            else request.getfixturevalue(fixture))
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        clock.shift(minutes(31))
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("fixture", ["director", "local_officer"])
def test_directors_and_local_officers_have_the_longer_timeout(client, fixture, request):
    user = request.getfixturevalue(fixture)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        clock.shift(minutes(119))
        assert client.get(reverse("notifications:notification_list")).status_code == 200
        clock.shift(minutes(121))
        response = client.get(reverse("notifications:notification_list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert "không thao tác trên cổng trong 120 phút" in client.get(response.url).content.decode()


def test_the_timeouts_come_from_settings(client, department_user, director, settings):
    settings.SESSION_IDLE_MINUTES_STAFF = 5
    settings.SESSION_IDLE_MINUTES = 10
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(director)
        clock.shift(minutes(9))
        assert client.get(reverse("notifications:notification_list")).status_code == 200
        client.force_login(department_user)
        clock.shift(minutes(6))
        assert client.get(reverse("home")).status_code == 302


def test_a_session_ends_at_its_absolute_age_however_active(client, department_user, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(department_user)
        for _ in range(12 * 3 - 1):
            clock.shift(minutes(20))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(minutes(20))  # 12 h after login
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert "quá 12 giờ" in client.get(response.url).content.decode()


def test_the_absolute_age_is_shorter_than_two_weeks_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert (settings.SESSION_IDLE_MINUTES_STAFF, settings.SESSION_IDLE_MINUTES) == (30, 120)


def test_the_session_is_written_at_most_once_a_minute(client, department_user):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(department_user)
        stored = Session.objects.get().session_data
        for _ in range(5):
            clock.shift(datetime.timedelta(seconds=10))
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("home")).status_code == 200
            writes = [q["sql"] for q in captured if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
            assert writes == []
        assert Session.objects.get().session_data == stored
        clock.shift(datetime.timedelta(seconds=20))  # 70 s after the last write
        client.get(reverse("home"))
        assert Session.objects.get().session_data != stored


def test_an_expired_htmx_request_loads_the_login_page_instead_of_a_fragment(client, department_user):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(department_user)
        clock.shift(minutes(45))
        response = client.get(reverse("centers:center_list"), HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"] == reverse("login")


def test_a_login_through_the_form_starts_the_clock(client, department_user):
    with time_machine.travel(START, tick=False) as clock:
        response = client.post(reverse("login"), {"username": "sogd", "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        clock.shift(minutes(29))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(minutes(31))
        assert client.get(reverse("home")).status_code == 302


# Error pages


def assert_vietnamese_with_a_way_back(response, status: int, heading: str, back: str = "/") -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert heading in html
    assert f'href="{back}"' in html
    for english in ("Not Found", "Forbidden", "Server Error", "Bad Request", "CSRF verification failed"):
        assert english not in html
    return html


def test_the_404_page(client, department_user, production):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_detail", args=[999999]))
    assert_vietnamese_with_a_way_back(response, 404, "Không tìm thấy trang hoặc dữ liệu")
    client.logout()
    assert_vietnamese_with_a_way_back(client.get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")


def test_the_403_page(client, director, production):
    client.force_login(director)
    response = client.get(reverse("lockout_list"))
    assert_vietnamese_with_a_way_back(response, 403, "Bạn không có quyền thực hiện thao tác này")


def test_the_400_page(client, production):
    response = client.get("/", HTTP_HOST="ke-gia-mao.example")
    html = assert_vietnamese_with_a_way_back(response, 400, "Yêu cầu không hợp lệ")
    assert "/static/css/portal.css" in html


def test_the_500_page(production):
    client = Client(raise_request_exception=False)
    html = assert_vietnamese_with_a_way_back(client.get("/__test__/boom/"), 500, "Hệ thống đang gặp sự cố")
    # The site's look from plain static paths; nothing inline that the CSP would block.
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html and "/static/css/portal.css" in html
    assert "<script" not in html and "style=" not in html


def test_the_500_page_renders_when_the_database_is_unusable(production, department_user, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(department_user)

    def unusable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", unusable)
    monkeypatch.setattr(connection, "_cursor", unusable)
    for url in ("/__test__/boom/", reverse("home")):
        response = client.get(url)
        assert_vietnamese_with_a_way_back(response, 500, "Hệ thống đang gặp sự cố")
        assert private(response)


def test_a_csrf_failure_explains_itself_in_vietnamese(department_user, production):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "sogd", "password": DEFAULT_PASSWORD},
                           HTTP_REFERER="http://testserver/accounts/login/")
    html = assert_vietnamese_with_a_way_back(response, 403, "Biểu mẫu chưa được gửi", back=reverse("home"))
    assert "trang đã mở quá lâu" in html and "cookie" in html
    assert 'href="http://testserver/accounts/login/"' in html  # reload the page it came from
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_the_csrf_page_never_links_to_another_site(production):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
