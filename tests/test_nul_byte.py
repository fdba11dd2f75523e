"""A NUL byte anywhere in a request is refused with a Vietnamese 400 before any view runs
(edu_portal.middleware.NulByteMiddleware): PostgreSQL refuses NUL in any text, so one
reaching a query would be a 500 there (issue 9)."""

import logging
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.template import TemplateDoesNotExist
from django.urls import reverse

from accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def _refused(response) -> None:
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("query", [
    {"q": "\x00"},
    {"q": "ngoại\x00ngữ"},
    {"page": "1", "kind": "\x00"},
    {"\x00": "1"},
])
def test_a_nul_in_the_query_string_is_a_400(client, department_user, query, caplog):
    client.force_login(department_user)
    with caplog.at_level(logging.WARNING, logger="django.security.NulByte"):
        _refused(client.get(reverse("centers:center_list"), query))
    assert len([record for record in caplog.records if record.name == "django.security.NulByte"]) == 1


def test_a_nul_in_an_autocomplete_never_reaches_the_database(client, department_user, django_assert_num_queries):
    client.force_login(department_user)
    url = reverse("conferences:center_autocomplete")
    with django_assert_num_queries(0):  # refused before the session and the user are loaded
        _refused(client.get(url, {"q": "trung\x00tâm"}))
    assert client.get(url, {"q": "trung tâm"}).status_code == 200


def test_a_nul_in_the_path_is_a_400(client, department_user):
    client.force_login(department_user)
    _refused(client.get("/centers/%00/"))
    _refused(client.get("/centers/1%00/"))


def test_a_nul_in_a_posted_form_is_a_400_and_changes_nothing(client, province):
    user = make_user(User.Role.DEPARTMENT, province=province, username="sogd", password="mat-khau-1")
    login = reverse("login")
    body = urlencode({"username": "sogd\x00", "password": "mat-khau-1"})
    _refused(client.post(login, body, content_type=FORM))
    assert "_auth_user_id" not in client.session
    body = urlencode({"username": "sogd", "password": "mat-khau-1", "next": "/\x00"})
    _refused(client.post(login, body, content_type=FORM))
    assert "_auth_user_id" not in client.session
    # The same form without the NUL logs in.
    response = client.post(login, urlencode({"username": "sogd", "password": "mat-khau-1"}), content_type=FORM)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_multipart_post_is_left_to_the_forms(client, province):
    """Reading a multipart body in the middleware would process uploads before the views
    set their size limits: such a form reaches its view, whose fields refuse the NUL."""
    make_user(User.Role.DEPARTMENT, province=province, username="sogd", password="mat-khau-1")
    response = client.post(reverse("login"), {"username": "sogd\x00", "password": "mat-khau-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_requests_without_a_nul_are_untouched(client, department_user):
    client.force_login(department_user)
    assert client.get(reverse("centers:center_list"), {"q": "ngoại ngữ", "page": "1"}).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


def test_without_the_400_template_the_page_is_still_vietnamese(client):
    with mock.patch("edu_portal.middleware.loader.get_template", side_effect=TemplateDoesNotExist("400.html")):
        response = client.get(reverse("login"), {"next": "\x00"})
    _refused(response)
    assert "Về trang chủ" in response.content.decode()
