import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_portal_opens_in_vietnamese_whatever_the_browser_asks(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Tên đăng nhập" in body


def test_english_is_available_through_the_language_switcher(client, department_user, center):
    client.force_login(department_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("centers:center_list")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(reverse("centers:center_list")).content.decode()
    assert "Center registry" in body
    assert "Export to Excel (.xlsx)" in body
    # Dates stay dd/mm/yyyy in English too.
    assert "05/03/2024" in client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()


def test_vietnamese_dates_are_typed_and_shown_as_dd_mm_yyyy():
    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"
        import datetime

        assert formats.date_format(datetime.date(2026, 3, 5), "SHORT_DATE_FORMAT") == "05/03/2026"
