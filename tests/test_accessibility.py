"""Every portal page, as each demo account and anonymously, read as a screen reader or a
keyboard would (issue 13, WCAG 2.2 AA): a skip link to the main content first, every form
control and button named, no empty table header, every script deferred, the bell on the
bar outside the collapsed menu, and no table that keeps a single column on a phone.

The pages are those of tests/site_urls.py (the Django admin aside: its own templates),
rendered once for the module; the browser suite (tests/browser/) checks the same pages with
axe-core in Chromium.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client, override_settings

from tests.site_urls import seed_site, site_urls

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "department", "inspector", "director", "local_officer")
UNNAMED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Page:
    """What a page offers to assistive technology."""

    path: str
    label_for: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    controls: list[dict] = field(default_factory=list)  # attrs + "_in_label"
    headers: list[str] = field(default_factory=list)  # the text of each <th>
    buttons: list[str] = field(default_factory=list)  # the accessible name found for each <button>
    scripts: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)  # attrs + "_text", in document order
    tables: list[list[str]] = field(default_factory=list)  # the class of each header cell
    bell_in_menu: bool | None = None


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.in_label = 0
        self.th: list[str] | None = None
        self.button: list[str] | None = None
        self.link: dict | None = None
        self.in_menu = 0  # depth inside #mainnav
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag not in ("input", "img", "br", "hr", "meta", "link", "source", "use", "col", "wbr"):
            self.depth += 1
            if self.in_menu:
                self.in_menu += 1
            elif attrs.get("id") == "mainnav":
                self.in_menu = 1
        if "id" in attrs:
            self.page.ids.add(attrs["id"])
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.page.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if not (tag == "input" and attrs.get("type", "text") in UNNAMED_INPUTS):
                self.page.controls.append({**attrs, "_tag": tag, "_in_label": bool(self.in_label)})
        elif tag == "th":
            self.th = []
            if self.page.tables:
                self.page.tables[-1].append(attrs.get("class", ""))
        elif tag == "table":
            self.page.tables.append([])
        elif tag == "button":
            self.button = [attrs.get("aria-label", ""), attrs.get("title", "")]
        elif tag == "script":
            self.page.scripts.append(attrs)
        elif tag == "a":
            self.link = {**attrs, "_text": ""}
            self.page.links.append(self.link)
            if "notifications/" in attrs.get("href", "") and self.page.bell_in_menu is None:
                self.page.bell_in_menu = bool(self.in_menu)
        # An image inside a button or link names it only if it is not hidden.
        if self.button is not None and attrs.get("aria-label") and attrs.get("aria-hidden") != "true":
            self.button.append(attrs["aria-label"])

    def handle_endtag(self, tag):
        if tag not in ("input", "img", "br", "hr", "meta", "link", "source", "use", "col", "wbr"):
            self.depth -= 1
            if self.in_menu:
                self.in_menu -= 1
        if tag == "label":
            self.in_label = max(0, self.in_label - 1)
        elif tag == "th" and self.th is not None:
            self.page.headers.append(" ".join(self.th).strip())
            self.th = None
        elif tag == "button" and self.button is not None:
            self.page.buttons.append(" ".join(self.button).strip())
            self.button = None
        elif tag == "a":
            self.link = None

    def handle_data(self, data):
        if self.th is not None:
            self.th.append(data.strip())
        if self.button is not None:
            self.button.append(data.strip())
        if self.link is not None:
            self.link["_text"] += data


def read(path: str, html: str) -> Page:
    page = Page(path)
    _Reader(page).feed(html)
    return page


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker, tmp_path_factory):
    """role -> the portal's HTML pages (200, a whole document) for that role."""
    media = tmp_path_factory.mktemp("media")
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                    MEDIA_ROOT=media)
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        users = seed_site()
        found: dict[str, list[Page]] = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            user = users.get(role) or AnonymousUser()
            if role != "anonymous":
                client.force_login(user)
            found[role] = []
            for site_url in site_urls(user):
                if site_url.name.startswith("admin:") or site_url.path.startswith("/admin/"):
                    continue
                if site_url.name in ("logout", "set_language", "invitation_accept") or not site_url.reachable:
                    continue
                response = client.get(site_url.path)
                if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                    continue
                html = response.content.decode()
                if html.lstrip().lower().startswith("<!doctype"):  # not an htmx fragment
                    found[role].append(read(site_url.path, html))
        yield found
        transaction.set_rollback(True)


def _problems(pages, check) -> list[str]:
    return [f"{role} {page.path}: {problem}" for role, role_pages in pages.items() for page in role_pages
            for problem in check(page)]


def test_the_crawl_reaches_the_main_pages_of_every_role(pages):
    paths = {role: {page.path for page in role_pages} for role, role_pages in pages.items()}
    assert "/accounts/login/" in paths["anonymous"]
    for role in ("department", "inspector", "local_officer"):
        assert {"/centers/", "/reports/", "/compliance/"} <= paths[role], role
    assert {"/reports/", "/directives/tasks/"} <= paths["director"]
    assert sum(len(found) for found in paths.values()) > 150


def test_every_form_control_has_a_label(pages):
    def unlabelled(page: Page):
        for control in page.controls:
            named = (control["_in_label"] or control.get("id") in page.label_for
                     or control.get("aria-label", "").strip() or control.get("aria-labelledby"))
            if not named:
                yield f"<{control['_tag']} name={control.get('name')!r} id={control.get('id')!r}> has no label"

    assert _problems(pages, unlabelled) == []


def test_every_button_has_a_name(pages):
    def unnamed(page: Page):
        return [f"a button without a name ({i})" for i, name in enumerate(page.buttons) if not name]

    assert _problems(pages, unnamed) == []


def test_no_table_header_is_empty(pages):
    def empty(page: Page):
        return [f"empty <th> #{i}" for i, text in enumerate(page.headers) if not text]

    assert _problems(pages, empty) == []


def test_every_page_starts_with_a_skip_link_to_its_main_content(pages):
    def no_skip(page: Page):
        first = page.links[0] if page.links else {}
        if first.get("href") != "#main" or "visually-hidden-focusable" not in first.get("class", ""):
            yield f"first link is {first.get('href')!r}, not the skip link"
        elif not first["_text"].strip():
            yield "the skip link has no text"
        if "main" not in page.ids:
            yield "no element with id main"

    assert _problems(pages, no_skip) == []


def test_every_script_is_deferred_and_carries_no_inline_code(pages):
    def blocking(page: Page):
        for script in page.scripts:
            if script.get("type") == "application/json":
                continue
            if "defer" not in script or not script.get("src"):
                yield f"render-blocking or inline <script> {script}"

    assert _problems(pages, blocking) == []


def test_the_bell_is_on_the_bar_outside_the_collapsed_menu(pages):
    for role in ("department", "inspector", "director", "local_officer"):
        for page in pages[role]:
            assert page.bell_in_menu is False, f"{role} {page.path}: the bell is missing or inside #mainnav"


def test_every_table_keeps_at_least_two_columns_on_a_phone(pages):
    """Columns hidden below md (d-none) leave the key ones; a .table-stack table turns its
    rows into blocks instead, keeping every cell."""

    def too_narrow(page: Page):
        for i, classes in enumerate(page.tables):
            shown = [c for c in classes if not re.search(r"\bd-none\b", c)]
            if len(classes) >= 2 and len(shown) < 2:
                yield f"table #{i} shows {len(shown)} of {len(classes)} columns below md"

    assert _problems(pages, too_narrow) == []
