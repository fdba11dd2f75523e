"""Every URL of the site, asked by every role, inside and outside its scope: the answer
follows from the action the view declares (accounts.permissions.ACTIONS) and the scope.

Generated from the URL resolver (tests/site_urls.py fills the arguments), so a new URL
is covered the day it is added: it fails test_every_url_declares_an_action until its view
states an action, and site_urls raises UnfilledUrl until it knows how to fill it.

The expected answer, in the order every view checks (accounts.permissions):

- anonymous: the login page (a public action: any answer but a server error);
- the role may never take the action: 403;
- the object is outside the user's scope (none of its kind in scope, or one of the insider's
  objects asked by an outsider: another province's staff, another center's director,
  another commune's officer): 404, or 405 for a POST-only URL asked with GET (the method is
  refused before any lookup, so it tells nothing either);
- otherwise 200, 302 or 405 (a POST-only URL asked with GET); 403 too where the rule has an
  object predicate (a director edits only their own running center: the filler's object
  may not be one).

Every URL is also POSTed without a CSRF token: 403 with the CSRF page, and not one INSERT,
UPDATE or DELETE. The few views that must read the body under an upload limit first
(csrf_exempt, then csrf_protect inside) may refuse earlier with the login page, 403 or
405: still without a write.

The Django admin is covered by one simple rule here (every admin URL sends whoever may
not use the admin to its login page); what staff may do inside it is tests/*/test_admin.py.

Size, on seed_site()'s data (run with -s: the tests print theirs):
- inside the scope: 125 portal URLs x 10 users (anonymous, department staff, inspector,
  director, local officer, superuser, and the four outsiders in their own scope)
  x 2 methods (GET; POST without CSRF) = 2,500 requests;
- outside the scope: the insider's objects for the 4 outsiders (another province's staff
  74 URLs and inspector 59, another center's director 42, another commune's officer 41)
  x 2 methods = 432 requests;
- the admin: 171 URLs x 5 users without the admin (GET) = 855 requests.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.permissions import ACTIONS, NAV, declared_action, may, navigation
from centers.models import Center
from geo.models import AdministrativeUnit
from tests.site_urls import FILLERS, _build, seed_site, site_urls, url_patterns

ROLES = ["anonymous", "department", "inspector", "director", "local_officer", "superuser"]
# Outsiders, each with the insider whose objects they ask for.
OUTSIDERS = {"foreign_department": "department", "foreign_inspector": "inspector",
             "other_director": "director", "other_local_officer": "local_officer"}
OK = {200, 302, 405}

pytestmark = pytest.mark.django_db
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        users = seed_site()
        staff, director, officer = users["department"], users["director"], users["local_officer"]
        users["superuser"] = User.objects.create(username="url-root", is_superuser=True, is_staff=True)
        other_province = AdministrativeUnit.objects.filter(parent__isnull=True).exclude(pk=staff.province_id).first()
        users["foreign_department"] = User.objects.create(
            username="url-foreign", role=User.Role.DEPARTMENT, province=other_province, is_staff=True)
        users["foreign_inspector"] = User.objects.create(
            username="url-foreign-inspector", role=User.Role.INSPECTOR, province=other_province)
        other_center = Center.objects.filter(province=staff.province).exclude(pk=director.center_id).first()
        users["other_director"] = User.objects.create(
            username="url-other-director", role=User.Role.DIRECTOR, province=staff.province, center=other_center)
        other_commune = AdministrativeUnit.objects.filter(parent=staff.province).exclude(pk=officer.commune_id).first()
        users["other_local_officer"] = User.objects.create(
            username="url-other-officer", role=User.Role.LOCAL_OFFICER, province=staff.province,
            commune=other_commune)
        users["anonymous"] = AnonymousUser()
        users["media"] = media
        yield users
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _site_media(request, settings):
    """The files seed_site wrote (tests/conftest.py gives every test a MEDIA_ROOT of its own)."""
    if "site" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("site")["media"]


def _portal_patterns():
    return [p for p in url_patterns() if p.model_admin is None and not p.route.startswith("admin/")]


def _action(name: str) -> str:
    pattern = next(p for p in _portal_patterns() if p.name == name)
    return declared_action(pattern.callback)


def _expected(user, action: str, reachable: bool) -> set[int] | str:
    rule = ACTIONS[action]
    if rule.public:
        return "any"
    if not user.is_authenticated:
        return "login"
    if not may(user, action):
        return {403}
    if not reachable:
        return {404, 405}
    return OK | ({403} if rule.check is not None else set())


def _matches(response, expected) -> bool:
    if expected == "any":
        return response.status_code < 500
    if expected == "login":
        return response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")
    return response.status_code in expected


def _client(user) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user.is_authenticated:
        client.force_login(user)
    return client


def _ask(user, cases) -> list[str]:
    """cases: (name, path, reachable). Returns the mismatches, one line each."""
    client = _client(user)
    wrong = []
    for name, path, reachable in cases:
        action = _action(name)
        expected = _expected(user, action, reachable)
        response = client.get(path)
        if not _matches(response, expected):
            wrong.append(f"GET {path} ({name}, {action}, reachable={reachable}): {response.status_code}, "
                         f"expected {expected}")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, {"x": "1"})
        writes = [q["sql"][:80] for q in queries if _WRITE.match(q["sql"]) and "django_session" not in q["sql"]]
        csrf = response.status_code == 403 and "403_csrf.html" in [t.name for t in response.templates]
        exempt = getattr(next(p for p in _portal_patterns() if p.name == name).callback, "csrf_exempt", False)
        refused = csrf or (exempt and (response.status_code in (403, 404, 405) or _matches(response, "login")))
        if writes or not refused:
            wrong.append(f"POST {path} ({name}): {response.status_code}, csrf page={csrf}, writes={writes}")
    return wrong


def test_every_url_declares_an_action():
    """A new URL without a declared action, or a view whose action was removed, fails here."""
    missing = [f"{p.name} ({p.route})" for p in _portal_patterns() if declared_action(p.callback) not in ACTIONS]
    assert not missing, "Declare an action (accounts.permissions) for: " + ", ".join(missing)


@pytest.mark.parametrize("role", ROLES + list(OUTSIDERS))
def test_every_url_inside_the_scope(site, role):
    user = site[role]
    urls = [u for u in site_urls(user) if not u.path.startswith("/admin/")]
    wrong = _ask(user, [(u.name, u.path, u.reachable) for u in urls])
    print(f"matrix size: {role} inside: {len(urls)} URLs x 2 methods")
    assert not wrong, f"{len(wrong)} of {len(urls)} URLs answer wrongly for {role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("outsider", list(OUTSIDERS))
def test_every_url_outside_the_scope(site, outsider):
    """The insider's objects, asked by the outsider: 404 (403 where the role may never act)."""
    user, insider = site[outsider], site[OUTSIDERS[outsider]]
    cases = []
    for pattern in _portal_patterns():
        fill = FILLERS.get(pattern.name)
        if fill is None:
            continue
        theirs = fill.objects(insider).exclude(pk__in=fill.objects(user).values("pk")).order_by("pk").first()
        if theirs is not None:
            cases.append((pattern.name, _build(pattern, fill.kwargs(theirs)), False))
    assert len(cases) > 20  # the insiders reach most kinds of objects in the demo data
    wrong = _ask(user, cases)
    print(f"matrix size: {outsider} outside: {len(cases)} URLs x 2 methods")
    assert not wrong, f"{len(wrong)} of {len(cases)} URLs answer wrongly for {outsider}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["anonymous", "inspector", "director", "local_officer", "other_director"])
def test_the_admin_sends_everyone_else_to_its_login(site, role):
    """Every admin URL, for those who may not use the admin (an inspector with is_staff
    included): the admin's login page, never a page of it."""
    user = site[role]
    if role == "inspector":
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.refresh_from_db()
    client = _client(user)
    urls = [u for u in site_urls(AnonymousUser()) if u.path.startswith("/admin/") and u.name != "admin:login"
            and u.name != "admin:logout" and "/r/" not in u.path]
    assert len(urls) > 50
    wrong = []
    print(f"matrix size: admin {role}: {len(urls)} URLs x GET")
    for url in urls:
        response = client.get(url.path)
        if not (response.status_code == 302 and response.url.startswith(reverse("admin:login"))):
            wrong.append(f"{url.path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


# The navigation


NAV_LINKS = {
    "registry": "centers:center_list",
    "reports_review": "reports:review_list",
    "reports_dashboard": "reports:dashboard",
    "conferences": "conferences:conference_list",
    "compliance": "inspections:compliance",
    "admin": "admin:index",
    "accounts": "account_list",
}


@pytest.mark.parametrize("role", ["department", "inspector", "director", "local_officer", "superuser",
                                  "foreign_department"])
def test_the_menu_shows_what_the_declarations_allow(site, role):
    """The menu of base.html is computed from ACTIONS (accounts.permissions.NAV): a link is
    shown exactly when its action is allowed; an inspector given is_staff by mistake gets
    no admin link (the admin would refuse them)."""
    user = site[role]
    if role == "inspector":
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.refresh_from_db()
    assert set(NAV_LINKS) <= set(NAV)
    page = _client(user).get(reverse("notifications:notification_list")).content.decode()
    menu = page[page.index("<nav"):page.index("</nav>")]
    shown = {entry for entry, name in NAV_LINKS.items() if f'href="{reverse(name)}"' in menu}
    allowed = {entry for entry in NAV_LINKS if navigation(user)[entry]}
    assert shown == allowed
    assert allowed == {entry for entry in NAV_LINKS if may(user, NAV[entry])}
    if role == "inspector":
        assert "admin" not in shown
