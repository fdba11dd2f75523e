"""The attack of issue 9 and the layers that stop it, one by one: escaping of what a
director typed on the reviewer's page, htmx told not to act inside users' text, and a
CSP under which only the scripts a page names can run."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.reports.helpers_review import make_obligation, make_period, make_report_type, submit_version, values

pytestmark = pytest.mark.django_db

ATTACK = '<b hx-post="/admin/accounts/user/1/password/" hx-trigger="load">x</b>'


@pytest.fixture
def attacked(province, center, director):
    """A director's answer carrying markup htmx would act on, waiting for review."""
    period = make_period(make_report_type(province), due_date=datetime.date(2026, 6, 19))
    obligation = make_obligation(period, center)
    submit_version(obligation, values(incident=ATTACK), by=director)
    return obligation


def test_a_directors_answer_is_text_on_the_reviewers_page(client, attacked, department_user):
    client.force_login(department_user)
    body = client.get(reverse("reports:review_detail", args=[attacked.pk])).content.decode()
    assert "<b hx-post" not in body
    # Shown, as text, both in the values table and beside the return form's comment box.
    assert body.count("&lt;b hx-post=&quot;/admin/accounts/user/1/password/&quot;") >= 2


def test_htmx_is_told_not_to_act_on_what_it_did_not_write(client, attacked, department_user):
    client.force_login(department_user)
    body = client.get(reverse("reports:review_detail", args=[attacked.pk])).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', body).group(1)
    for setting in ('"allowEval": false', '"allowScriptTags": false', '"selfRequestsOnly": true',
                    '"historyCacheSize": 0'):
        assert setting in config
    # The review page uses no htmx: all of <main>, the menu and the footer are hx-disabled.
    assert re.search(r"<main [^>]*hx-disable", body)
    assert re.search(r"<nav [^>]*hx-disable", body) and re.search(r"<footer [^>]*hx-disable", body)


def test_the_draft_page_keeps_htmx_for_its_form_only(client, director, center, province):
    period = make_period(make_report_type(province), due_date=datetime.date(2099, 6, 19))
    obligation = make_obligation(period, center)
    client.force_login(director)
    body = client.get(reverse("reports:obligation_detail", args=[obligation.pk])).content.decode()
    assert not re.search(r"<main [^>]*hx-disable", body)
    assert "hx-post=" in body
    # The fields, with their labels and hints typed by staff, sit in an hx-disabled container.
    form = body.split("hx-post=", 1)[1].split("</form>", 1)[0]
    assert 0 < form.index("<div hx-disable>") < form.index('name="su_co"')


def test_portal_scripts_run_by_nonce_and_the_admins_by_origin(client, department_user):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_list"))
    policy = response["Content-Security-Policy"]
    nonce = response.wsgi_request.csp_nonce
    assert f"script-src 'nonce-{nonce}'" in policy and "script-src 'self'" not in policy
    assert "object-src 'none'" in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    admin = client.get(reverse("admin:index"))
    assert "script-src 'self'" in admin["Content-Security-Policy"]


def test_a_response_naming_no_script_allows_none(client, department_user):
    """The login page's error frame (400) renders no script: nothing may run there."""
    from django.http import HttpResponse

    from edu_portal.csp import PortalCSPMiddleware

    middleware = PortalCSPMiddleware(lambda request: HttpResponse("ok"))
    request = client.get(reverse("login")).wsgi_request
    request._csp_nonce = None
    response = middleware.process_response(request, HttpResponse("x"))
    assert "script-src 'none'" in response["Content-Security-Policy"]
