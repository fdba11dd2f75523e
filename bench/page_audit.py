#!/usr/bin/env python
"""Every portal page as each demo account in headless Chromium: the page's width at a phone's
360 px (document.documentElement.scrollWidth must stay 360), axe-core's serious and critical
violations, and a screenshot to look at.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> MEDIA_ROOT=<folder> \\
        .venv/bin/python bench/page_audit.py --base http://127.0.0.1:8021 [--width 360]
        [--roles department,director] [--only reports:] [--shots /tmp/shots] [--seed]

A development server must be serving the same database at --base (DEBUG on, so no
two-factor). --seed first runs tests.site_urls.seed_site() on that database (the demo plus
one object of every kind the demo lacks: run it once on a database of your own, never a
shared one). The pages are those of tests/site_urls.py for each demo account (the admin,
exports, PDFs and POST-only URLs are left out: whatever does not answer 200 with HTML),
plus the anonymous pages. Prints one line per page with a problem, and a summary.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

import tests.site_urls  # noqa: E402
from tests.site_urls import DEMO_USERNAMES, UnfilledUrl, seed_site, site_urls  # noqa: E402

_candidates = tests.site_urls._candidates


def _candidates_or_none(pattern, user, per_pattern):
    # A URL being added (its filler not written yet) is left out rather than stopping the audit.
    try:
        return _candidates(pattern, user, per_pattern)
    except UnfilledUrl as error:
        print(f"left out: {error}", file=sys.stderr)
        return [], False


tests.site_urls._candidates = _candidates_or_none

AXE = ROOT / "static" / "vendor" / "axe" / "axe.min.js"
SKIP = ("admin:", "logout", "set_language")
SKIP_PATH_PARTS = (".xlsx", ".csv", "/pdf", "download", "export")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def pages_for(user) -> list[tuple[str, str]]:
    seen, pages = set(), []
    for site_url in site_urls(user or AnonymousUser()):
        if not site_url.reachable or site_url.name.startswith(SKIP) or site_url.path.startswith("/admin/"):
            continue
        if any(part in site_url.path for part in SKIP_PATH_PARTS) or site_url.path in seen:
            continue
        seen.add(site_url.path)
        pages.append((site_url.name, site_url.path))
    return pages


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo@2026")
    page.click("form button[type=submit], form input[type=submit]")
    page.wait_for_load_state()


def audit(page, axe_source: str, width: int) -> dict:
    page.evaluate(axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({id: v.id, impact: v.impact,
                            nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " :: "
                                + n.failureSummary.split("\\n").slice(1, 2).join(""))}));
        }"""
    )
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = []
    if scroll > width:
        wide = page.evaluate(
            """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
                 .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + '.' + [...e.classList].join('.')
                 + ' ' + Math.round(e.getBoundingClientRect().right))""",
            width,
        )
    # A table that scrolls sideways inside its .table-responsive box hides columns off-screen.
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null)
             .filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1
                          || t.getBoundingClientRect().right > innerWidth + 1)
             .map(t => (t.id || t.className) + ' ' + Math.round(t.scrollWidth))"""
    )
    return {"violations": result, "scroll": scroll, "wide": wide, "tables": tables}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8021")
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--roles", default="anonymous," + ",".join(DEMO_USERNAMES))
    parser.add_argument("--only", default="", help="only URL names containing this")
    parser.add_argument("--shots", default="", help="folder for full-page screenshots")
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--json", default="", help="write the results here")
    args = parser.parse_args()

    from accounts.models import User

    if args.seed:
        seed_site()
    axe_source = AXE.read_text()
    # The pages first: Django's ORM refuses to run inside Playwright's event loop.
    roles = {}
    for role in args.roles.split(","):
        username = DEMO_USERNAMES.get(role)
        roles[role] = (username, pages_for(User.objects.get(username=username) if username else None))
    problems, results, total = 0, [], 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for role, (username, pages) in roles.items():
            context = browser.new_context(viewport={"width": args.width, "height": 780}, locale="vi-VN")
            page = context.new_page()
            if username:
                login(page, args.base, username)
            for name, path in pages:
                if args.only and args.only not in name:
                    continue
                if username and name == "invitation_accept":
                    continue  # it signs the current account out: seen as the anonymous user
                response = None
                for _attempt in range(2):
                    try:
                        response = page.goto(args.base + path)
                        break
                    except Exception as error:  # a download, a bodiless 405, an aborted navigation
                        # Chromium's error page may still be loading there: go on in a new tab.
                        page.close()
                        page = context.new_page()
                        reason = str(error).splitlines()[0][:120]
                if response is None:
                    if "RESPONSE_CODE_FAILURE" not in reason and "Download" not in reason:
                        print(f"{role:<14} {name:<40} skipped: {reason}")
                    continue
                if not response or response.status != 200 or "html" not in response.headers.get("content-type", ""):
                    continue
                if (page.url.split("/", 3)[-1].startswith("admin/")
                        or not page.content().lstrip().lower().startswith("<!doctype")):
                    continue  # redirected to the Django admin, or an htmx fragment (no page of its own)
                total += 1
                found = audit(page, axe_source, args.width)
                found.update(role=role, name=name, path=path)
                results.append(found)
                if args.shots:
                    folder = Path(args.shots) / role
                    folder.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(folder / f"{name.replace(':', '_')}_{args.width}.png"), full_page=True)
                if found["violations"] or found["scroll"] > args.width or found["tables"]:
                    problems += 1
                    print(f"{role:<14} {name:<40} {path}  width {found['scroll']}")
                    for table in found["tables"]:
                        print(f"{'':<16} table wider than its box: {table}")
                    for wide in found["wide"]:
                        print(f"{'':<16} wide: {wide}")
                    for violation in found["violations"]:
                        print(f"{'':<16} {violation['impact']} {violation['id']}: {violation['nodes']}")
            context.close()
        browser.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"{total} pages, {problems} with a problem")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
