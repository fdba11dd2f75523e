"""The real-browser journeys (issue 13): Playwright's Python package drives Debian's
Chromium (/usr/bin/chromium; Playwright's own browser download is never used) against a
live server of the demo province, at a phone's 360 px and a desktop's 1366 px.

Every page a journey lands on is checked (`Visitor.check`), and a journey that leaves a
page unchecked fails:

- axe-core (static/vendor/axe/axe.min.js) finds no serious or critical violation. The
  script is evaluated through the DevTools protocol (`page.evaluate`), which the page's
  Content-Security-Policy does not govern; the context does NOT bypass the CSP
  (`bypass_csp` stays off), so the portal's own scripts run exactly as in production;
- at every width, no table is wider than the viewport and neither is the page
  (document.documentElement.scrollWidth);
- the page broke no rule of its CSP, threw no script error and asked for nothing that
  answered 4xx or 5xx.

One browser serves the package; the demo is seeded once for the package (about 10 s),
committed for real (the live server's requests must see it, on PostgreSQL through their
own connections), and flushed when the package ends, as a transactional test would. The
tests ask for no `db` fixture, so pytest-django orders them with the other tests that
manage their own database, after the transactional ones. pytest-django's `live_server`
fixture is not used: it makes every test transactional, which flushes the seeded demo
after the first one; its `LiveServer` helper is, started once for the package.

On the embedded SQLite run the test database lives in memory and the live server's
threads share the test's one connection (Django's own arrangement): requests are served
one at a time, and the tests' own queries go through `site.orm()`, so that no two threads
ever use that connection at once.
"""

from __future__ import annotations

import io
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.test.testcases import _MediaFilesHandler
from django.test.utils import override_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe" / "axe.min.js"
DEMO_PASSWORD = "demo@2026"
WIDTHS = {360: "phone", 1366: "desktop"}
PHONE_MAX = 767  # Bootstrap's md breakpoint: narrower windows are phones (touch, mobile viewport)
LOCK_WAIT = 15  # seconds a request waits for the one before it (serialized_handler)


# The live server


class _ReleaseOnClose:
    """A WSGI response that holds the request lock until the server has sent it (and
    closed it): streamed exports read the database while they are sent."""

    def __init__(self, response, lock):
        # lock None: the request went ahead without it (serialized_handler's LOCK_WAIT).
        self.response, self.lock, self.released = response, lock, lock is None

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            if not self.released:
                self.released = True
                self.lock.release()


def serialized_handler(lock):
    class SerializedStaticFilesHandler(StaticFilesHandler):
        """Django's handler of the live server (static files, then the portal), one
        request at a time. The live server's handler of media files is left out: uploads
        are private (MEDIA_URL is None) and reach people only through views that check
        scope, as in production."""

        def __init__(self, application):
            if isinstance(application, _MediaFilesHandler):
                application = application.application
            super().__init__(application)

        def __call__(self, environ, start_response):
            # A response the server never closes (its client gone mid-answer) would hold
            # the lock for good and stall every later page until the test times out;
            # after LOCK_WAIT its holder is idle, and the request goes ahead.
            held = lock if lock.acquire(timeout=LOCK_WAIT) else None
            try:
                response = super().__call__(environ, start_response)
            except BaseException:
                if held is not None:
                    held.release()
                raise
            return _ReleaseOnClose(response, held)

    return SerializedStaticFilesHandler


@dataclass
class Site:
    url: str
    lock: threading.RLock
    media_root: Path

    @contextmanager
    def orm(self):
        """The test's own queries, never at the same time as a request's."""
        with queries_beside_playwright(), self.lock:
            yield


@contextmanager
def queries_beside_playwright():
    """Playwright's synchronous API keeps an event loop running in the test's thread while
    a browser is open, and Django refuses queries in a thread with a running loop. None of
    ours runs on that loop: queries are allowed here, and only for the block."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _uses_database(item) -> bool:
    """pytest-django's rule for the tests whose database it sets up."""
    return bool(item.get_closest_marker("django_db")) or bool(
        {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="package")
def browser_db(request, django_db_setup, django_db_blocker):
    """The test database. pytest-django sets it up only when a test of the run asks for a
    database the usual way, which these do not (see the module's docstring): when the run
    holds only browser tests, it is set up here."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        created = None
        with queries_beside_playwright():
            if not any(_uses_database(item) for item in request.session.items):
                created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        name = str(connection.settings_dict["NAME"])
        # Never seed the demo into a real database.
        assert connection.is_in_memory_db() if connection.vendor == "sqlite" else name.startswith("test_"), name
        yield
        if created is not None:
            with queries_beside_playwright():
                teardown_databases(created, verbosity=0)


@pytest.fixture(scope="package")
def site(browser_db, django_db_blocker, tmp_path_factory):
    from pytest_django.live_server_helper import LiveServer

    lock = threading.RLock()
    media_root = tmp_path_factory.mktemp("browser-media")
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                    MEDIA_ROOT=media_root)
    with django_db_blocker.unblock():
        try:
            with fast_hasher, queries_beside_playwright():
                call_command("seed_demo", "--force", stdout=io.StringIO())
            server = LiveServer("127.0.0.1", start=False)
            server.thread.static_handler = serialized_handler(lock)
            server._live_server_modified_settings.enable()
            server.start()
            try:
                yield Site(url=server.url, lock=lock, media_root=media_root)
            finally:
                server.stop()
                server._live_server_modified_settings.disable()
        finally:
            # What a transactional test leaves: empty tables, content types and
            # permissions recreated, for the tests that follow.
            with queries_beside_playwright():
                call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def browser_settings(settings, site):
    """The portal as `make run` serves it, whatever the environment of the test run: no
    two-factor step, plain HTTP on loopback; uploads where the seed put its files."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = site.media_root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The browser


@pytest.fixture(scope="package")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `apt-get install chromium` (.ci/run does it).")
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}.")
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: on a loaded two-core CI machine a page behind the serialized live
    # server, with axe run on the one before, can take well over Playwright's 5 s default.
    # A journey that really hangs still fails, only later.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(params=list(WIDTHS), ids=[f"{w}px" for w in WIDTHS])
def width(request) -> int:
    return request.param


# Checks of every page

AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: "
                        + (n.failureSummary || "").split("\\n").slice(1).join(" ").slice(0, 200))}));
}"""

# Tables (and the page) wider than the window. A table out of sight (display: none, a
# closed <details>, a collapsed panel) has no box; one kept for screen readers only
# (.visually-hidden: clipped to one pixel) is not seen either.
WIDTH_RUN = """(limit) => {
    const clipped = (el) => {
        for (let node = el; node && node !== document.body; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.clip !== "auto" && style.position === "absolute") return true;
            if (style.clipPath !== "none" && style.position === "absolute") return true;
        }
        return false;
    };
    const describe = (el) => {
        const heading = el.querySelector("caption, th, td");
        const classes = [...el.classList].join(".");
        return "table" + (el.id ? "#" + el.id : "") + (classes ? "." + classes : "")
            + (heading ? " «" + heading.textContent.trim().slice(0, 40) + "»" : "");
    };
    const problems = [];
    const page = document.documentElement.scrollWidth;
    if (page > limit) problems.push(`the page is ${page} px wide`);
    for (const table of document.querySelectorAll("table")) {
        const box = table.getBoundingClientRect();
        if ((box.width === 0 && box.height === 0) || clipped(table)) continue;
        const wide = Math.max(table.scrollWidth, box.width);
        if (wide > limit + 0.5 || box.right > limit + 0.5) {
            problems.push(`${describe(table)} is ${Math.round(wide)} px wide`
                          + ` (right edge at ${Math.round(box.right)} px)`);
        }
    }
    return problems;
}"""


@dataclass
class Visitor:
    """One person in one browser context at one width: `check()` after every navigation
    (`open` and `navigates` do it). Problems are gathered for the whole journey and
    reported together by `people.done()`, every page with all of its problems."""

    username: str
    page: object
    width: int
    site: Site
    axe_source: str
    shots: Path
    problems: list[str]
    unchecked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: int = 0

    @property
    def phone(self) -> bool:
        return self.width <= PHONE_MAX

    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def open(self, path: str) -> None:
        self.page.goto(self.site.url + path)
        self.check()

    @contextmanager
    def navigates(self):
        """Around a click or a submit that loads a new page: waits for it, then checks it."""
        with self.page.expect_navigation():
            yield
        self.check()

    def check(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.pages += 1
        found = list(dict.fromkeys(self.errors))
        self.errors.clear()
        page.evaluate(self.axe_source)
        for violation in page.evaluate(AXE_RUN):
            found.append(f"axe {violation['impact']} {violation['id']}: {violation['help']}")
            found.extend(f"    {node}" for node in violation["nodes"])
        found.extend(page.evaluate(WIDTH_RUN, self.width))
        self.unchecked.clear()
        if found:
            shot = self.shots / f"{self.username}-{self.width}px-{self.pages:02d}.png"
            page.screenshot(path=str(shot), full_page=True)
            self.problems.append(f"{self.path()} as {self.username} at {self.width} px (screenshot {shot}):\n  "
                                 + "\n  ".join(found))

    def menu(self, *names: str) -> None:
        """Follows the main menu as a person does: the toggler first on a phone, then each
        name (a dropdown, then its item), the last of which loads a page."""
        page = self.page
        nav = page.get_by_role("navigation").first
        toggler = nav.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        for name in names[:-1]:
            nav.get_by_role("button", name=name, exact=True).first.click()
        with self.navigates():
            nav.get_by_role("link", name=names[-1]).first.click()

    def _watch(self) -> None:
        page = self.page
        origin = self.site.url

        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                self.errors.append(f"CSP: {message.text[:300]}")

        def on_response(response):
            if response.url.startswith(origin) and response.status >= 400:
                self.errors.append(f"{response.status} for {response.url[len(origin):]}")

        def on_navigation(frame):
            if frame == page.main_frame:
                self.unchecked.append(frame.url)

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("response", on_response)
        page.on("framenavigated", on_navigation)


class Cast:
    """The people of one journey at one width. `cast("giamdoc")` logs that demo account in,
    in a browser context of its own; `cast.done()` ends the journey: it fails listing every
    page with a problem, and every page that was seen but never checked."""

    def __init__(self, chromium, site, axe_source, width, shots):
        self.chromium, self.site, self.axe_source, self.width, self.shots = chromium, site, axe_source, width, shots
        self.contexts, self.visitors, self.problems = [], [], []
        self.finished = False

    def __call__(self, username: str) -> Visitor:
        phone = self.width <= PHONE_MAX
        context = self.chromium.new_context(
            viewport={"width": self.width, "height": 740 if phone else 900}, is_mobile=phone, has_touch=phone,
            locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True,
        )
        context.set_default_timeout(45_000)
        self.contexts.append(context)
        visitor = Visitor(username=username, page=context.new_page(), width=self.width, site=self.site,
                          axe_source=self.axe_source, shots=self.shots, problems=self.problems)
        visitor._watch()
        self.visitors.append(visitor)
        visitor.open("/accounts/login/")
        visitor.page.get_by_label("Tên đăng nhập").fill(username)
        visitor.page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        with visitor.navigates():
            visitor.page.get_by_role("button", name="Đăng nhập").click()
        assert "/accounts/login/" not in visitor.page.url, f"{username} could not log in"
        return visitor

    def report(self) -> list[str]:
        lines = []
        if self.problems:
            pages = sum(v.pages for v in self.visitors)
            lines += [f"{len(self.problems)} of {pages} pages checked have problems:", *dict.fromkeys(self.problems)]
        unchecked = [f"{v.username}: {url}" for v in self.visitors for url in dict.fromkeys(v.unchecked)]
        if unchecked:
            lines.append("pages seen but not checked:\n  " + "\n  ".join(unchecked))
        return lines

    def done(self) -> None:
        self.finished = True
        report = self.report()
        assert not report, "\n".join(report)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser_settings, chromium, site, axe_source, width, tmp_path):
    cast = Cast(chromium, site, axe_source, width, tmp_path)
    yield cast
    cast.close()
    if not cast.finished:
        # The journey stopped early (its own failure says why): what the pages it saw had.
        for line in cast.report():
            print(line)
