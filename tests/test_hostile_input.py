"""Hostile input never gives a 500: every GET parameter of every URL, set to a Unicode
digit, a NUL byte, 10,000 characters or 10^30, as department staff, as a director and
anonymously (issue 9).

Which parameters a page reads is collected two ways: from the page itself (the fields of
its GET forms, the query keys of its links and htmx requests to a page of the site) and
from the code (request.GET reads in the view's module, the fields of the filtersets it
uses, the list filters of an admin changelist), plus the names every list, admin page,
autocomplete and login page takes (page, p, o, q, term, next...).

One request per (URL, parameter, value), and per URL two with every parameter at once (all
NUL; then the other values in turn). Every 500 is reported together, with its URL,
parameter and exception.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client, override_settings

from tests.site_urls import seed_site, site_urls, url_patterns

pytestmark = pytest.mark.django_db

HOSTILE = {
    "unicode digit": "²",
    "NUL": "\x00",  # sent percent-encoded (%00), as a browser would
    "10,000 characters": "x" * 10_000,
    "10^30": "1" + "0" * 30,
}
# Read by Django itself or by many of our pages: always sent in the all-at-once request.
GENERIC = ("page", "p", "o", "q", "e", "sort", "term", "next", "_to_field", "_popup", "_changelist_filters",
           "app_label", "model_name", "field_name", "language", "ordering", "format")
OUR_APPS = ("accounts", "centers", "conferences", "documents", "edu_portal", "geo", "inspections",
            "notifications", "reports")
_GET_READ = re.compile(r"""\bGET(?:\.get|\.getlist|\.pop)?\(\s*["'](\w+)["']|\bGET\[\s*["'](\w+)["']\s*\]"""
                       r"""|["'](\w+)["']\s+(?:not\s+)?in\s+(?:self\.)?request\.GET""")
_FILTERSET = re.compile(r"\b(\w+FilterSet)\b")


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo province and one object of every other kind, made once for the module and
    rolled back at its end; uploaded files in a temporary MEDIA_ROOT."""
    media = tmp_path_factory.mktemp("media")
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                    MEDIA_ROOT=media)
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        users = seed_site()
        yield {"users": users, "media": media}
        transaction.set_rollback(True)


# What a page reads


class _QueryNames(HTMLParser):
    """The parameter names a page sends back to the site: fields of its GET forms (by the
    path they go to) and query keys of its links and hx-get requests; and the fixed part
    of the admin's autocomplete requests (which field of which model asks)."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.found: dict[str, set[str]] = defaultdict(set)
        self.bases: dict[str, dict[str, str]] = {}
        self.form_path: str | None = None

    def _path(self, url: str | None) -> tuple[str | None, str]:
        parts = urlsplit(url or "")
        if parts.scheme or parts.netloc:
            return None, ""
        return parts.path or self.page_path, parts.query

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            get = (attrs.get("method") or "get").lower() == "get"
            self.form_path = self._path(attrs.get("action"))[0] if get else None
        elif tag in ("input", "select", "textarea", "button") and self.form_path and attrs.get("name"):
            self.found[self.form_path].add(attrs["name"])
        for attribute in ("href", "hx-get", "data-autocomplete", "data-ajax--url"):
            path, query = self._path(attrs.get(attribute)) if attrs.get(attribute) else (None, "")
            if path:
                self.found[path].update(key for key, _value in parse_qsl(query, keep_blank_values=True))
        if attrs.get("data-ajax--url") and attrs.get("data-field-name"):
            self.bases[self._path(attrs["data-ajax--url"])[0]] = {
                "app_label": attrs.get("data-app-label", ""), "model_name": attrs.get("data-model-name", ""),
                "field_name": attrs["data-field-name"],
            }

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_path = None


def _ours(obj) -> bool:
    return getattr(obj, "__module__", "").split(".")[0] in OUR_APPS


@functools.cache
def _source(code) -> str:
    try:
        return inspect.getsource(code)
    except (OSError, TypeError):  # made at run time: nothing to read
        return ""


def _code_names(url_name: str, callback) -> set[str]:
    """request.GET names read by the view (its class and the project classes it is built
    from, or its function) or by the helper functions of its module; the fields of the
    filtersets it names; an admin changelist's list filters."""
    view = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    owner = getattr(callback, "model_admin", None) or getattr(inspect.unwrap(callback), "__self__", None)
    own = [owner.__class__] if owner is not None else [view]
    own = [c for o in own for c in (o.__mro__ if inspect.isclass(o) else [o]) if _ours(c)]
    module = sys.modules[own[0].__module__] if own else None
    helpers = [f for f in vars(module).values() if inspect.isfunction(f) and f.__module__ == module.__name__
               and f not in own] if module else []
    names: set[str] = set()
    for code in own + helpers:
        source = _source(code)
        names.update(name for match in _GET_READ.finditer(source) for name in match.groups() if name)
        if code in own:
            for filterset_name in set(_FILTERSET.findall(source)):
                filterset = getattr(sys.modules[code.__module__], filterset_name, None)
                names.update(getattr(filterset, "base_filters", {}))
    names.update(getattr(getattr(view, "filterset_class", None), "base_filters", {}))
    if owner is not None and url_name.endswith("_changelist"):
        names.update({"p", "o", "q"})
        names.update(getattr(entry, "parameter_name", None) or "p" for entry in owner.list_filter)
    if getattr(view, "paginate_by", None):
        names.add("page")
    return names


def _kind_names(url_name: str) -> set[str]:
    if url_name.endswith("autocomplete"):
        return {"term", "q", "app_label", "model_name", "field_name"}
    if url_name.endswith(("login", "logout", "set_language")) or "password" in url_name:
        return {"next"}
    return set()


def _parameters(urls, client) -> tuple[dict[str, set[str]], dict[str, dict[str, str]]]:
    """{path: the names it reads}, from a plain GET of every URL and from the code; and
    {path: the valid query every request to it starts from}."""
    callbacks = {pattern.name: pattern.callback for pattern in url_patterns()}
    found: dict[str, set[str]] = defaultdict(set)
    bases: dict[str, dict[str, str]] = {}
    for url in urls:
        response = client.get(url.path)
        found[url.path] |= _code_names(url.name, callbacks[url.name]) | _kind_names(url.name)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            parser = _QueryNames(url.path)
            parser.feed(response.content.decode())
            for path, names in parser.found.items():
                found[path] |= names
            for path, base in parser.bases.items():
                bases.setdefault(path, base)
    return {url.path: found[url.path] - {"csrfmiddlewaretoken"} for url in urls}, bases


# The fuzz


def _all_at_once(names: list[str], turn: int) -> list[tuple[dict, str]]:
    """Every parameter set at once: NUL everywhere (one NUL alone refuses the request, so it
    cannot be mixed with the others), then the other values in turn over the parameters."""
    others = [label for label in HOSTILE if HOSTILE[label] != "\x00"]
    labels = {name: others[(turn + position) % len(others)] for position, name in enumerate(names)}
    return [
        ({name: "\x00" for name in names}, "every parameter=<NUL>"),
        ({name: HOSTILE[label] for name, label in labels.items()},
         "every parameter at once: " + ", ".join(f"{name}=<{label}>" for name, label in labels.items())),
    ]


def _fuzz(client: Client, urls, parameters, bases) -> tuple[list[str], int]:
    """Every failing request as "GET path ?param=<value> -> 500 Exception: message"."""
    errors: list[BaseException] = []

    def record(sender, request=None, **kwargs):
        errors.append(sys.exc_info()[1])

    got_request_exception.connect(record)
    failures: list[str] = []
    count = 0
    try:
        for index, url in enumerate(urls):
            names = sorted(parameters[url.path])
            queries = [({name: value}, f"{name}=<{label}>") for name in names for label, value in HOSTILE.items()]
            queries += _all_at_once(sorted({*names, *GENERIC}), index)
            for query, described in queries:
                errors.clear()
                response = client.get(url.path, {**bases.get(url.path, {}), **query})
                count += 1
                if response.status_code >= 500:
                    error = f"{type(errors[0]).__name__}: {str(errors[0])[:200]}" if errors else ""
                    failures.append(f"GET {url.path} ?{described} -> {response.status_code} {error}")
    finally:
        got_request_exception.disconnect(record)
    return failures, count


def _public(urls, client) -> list:
    """The URLs an anonymous visitor gets a page from (not a redirect to a login page)."""
    public = []
    for url in urls:
        response = client.get(url.path)
        location = response.get("Location", "")
        if not (response.status_code in (301, 302) and "login" in location and "login" not in url.path):
            public.append(url)
    return public


@pytest.mark.parametrize("role", ["department", "director", "anonymous"])
def test_no_hostile_query_parameter_gives_a_500(site, settings, role):
    settings.MEDIA_ROOT = site["media"]
    client = Client(raise_request_exception=False)
    if role == "anonymous":
        urls = _public(site_urls(AnonymousUser()), client)
        assert {"login", "admin:login"} <= {url.name for url in urls}
    else:
        client.force_login(site["users"][role])
        urls = site_urls(site["users"][role])
    parameters, bases = _parameters(urls, client)
    if role == "department":  # what the fuzz must have found, or it proves nothing
        for path, names in {
            "/centers/": {"q", "page", "kind", "commune", "ordering"},
            "/compliance/": {"q", "page", "rules", "not_inspected_months", "commune"},
            "/directives/tasks/": {"directive", "page", "state"},
            "/directives/centers/autocomplete/": {"q", "directive"},
            "/admin/centers/center/": {"q", "p", "o", "commune", "status__exact"},
            "/admin/conferences/conference/": {"held_on__year"},
        }.items():
            assert names <= parameters[path], (path, names - parameters[path])
        assert bases["/admin/autocomplete/"]["field_name"]
    failures, count = _fuzz(client, urls, parameters, bases)
    assert count >= 2 * len(urls)
    assert not failures, f"{len(failures)} of {count} requests gave a 500:\n" + "\n".join(failures)


# tests/site_urls.py itself


@pytest.mark.parametrize("role", ["department", "inspector", "director", "local_officer"])
def test_every_url_pattern_is_filled_for_every_role(site, role):
    user = site["users"][role]
    urls = site_urls(user, per_pattern=2)
    assert {url.name for url in urls} == {pattern.name for pattern in url_patterns()}
    assert all(url.path.startswith("/") for url in urls)
    reachable = {url.name for url in urls if url.reachable}
    if role == "department":  # department staff reach an object of every kind, the admin's too
        assert reachable == {url.name for url in urls}
    else:  # the others have no scope in the admin: its objects are outside it
        assert "admin:centers_center_change" not in reachable
    if role == "director":
        assert {"centers:center_detail", "reports:obligation_detail", "reports:version_receipt",
                "conferences:assignment_detail", "notifications:notification_open"} <= reachable


def test_a_url_pattern_nobody_knows_how_to_fill_is_named(site, monkeypatch):
    from tests.site_urls import FILLERS, UnfilledUrl

    monkeypatch.delitem(FILLERS, "centers:staff_update")
    with pytest.raises(UnfilledUrl, match="'centers:staff_update'"):
        site_urls(site["users"]["department"])


# Beyond the four values


@pytest.mark.parametrize(("changelist", "field"), [
    ("admin:conferences_conference_changelist", "held_on"),
    ("admin:inspections_inspection_changelist", "planned_on"),
    ("admin:inspections_complaint_changelist", "received_on"),
])
@pytest.mark.parametrize("query", [
    {"__year": "9999"},  # the year after it does not exist
    {"__year": "9999", "__month": "12", "__day": "31"},
    {"__year": "1" + "0" * 30},
    {"__year": "2026", "__month": "1" + "0" * 30},
    {"__year": "2026", "__month": "13"},
    {"__year": "²"},
])
def test_an_impossible_date_in_an_admin_date_hierarchy_is_an_invalid_filter(client, department_user, changelist,
                                                                           field, query):
    from django.urls import reverse

    client.force_login(department_user)
    url = reverse(changelist)
    response = client.get(url, {f"{field}{key}": value for key, value in query.items()})
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")
    assert client.get(url, {f"{field}__year": "2026"}).status_code == 200
