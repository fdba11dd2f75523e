"""The checks every journey runs on every page catch what they are for: a page with a
serious axe-core violation, a table wider than a phone, a script its CSP refused and a
missing file is reported with each of them; a clean page is not; a page seen but never
checked fails the journey. Pages served by Playwright itself: no portal needed."""

import pytest

from .conftest import Cast, Site

pytestmark = pytest.mark.browser

ORIGIN = "http://checks.invalid"
HEAD = ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Thử</title></head>')
BAD = HEAD + """<body><main><h1>Trang có lỗi</h1>
<select name="kind"><option>Tất cả</option></select>
<table><tr><th>Trung tâm</th><td style="white-space: nowrap">Trung tâm Ngoại ngữ Ánh Dương, Phường Kinh Bắc,
  Tỉnh Bắc Ninh, đang hoạt động, giấy phép còn hiệu lực</td></tr></table>
<script>document.title = "chạy được";</script>
<img src="/static/missing.png" alt="">
</main></body></html>"""
CLEAN = HEAD + """<body><main><h1>Trang sạch</h1>
<label for="kind">Loại hình</label> <select id="kind" name="kind"><option>Tất cả</option></select>
<table><caption>Trung tâm</caption><tr><th scope="row">Mã</th><td>NN001</td></tr></table>
<a href="/other">Trang khác</a>
</main></body></html>"""


@pytest.fixture
def checks_cast(chromium, axe_source, tmp_path):
    cast = Cast(chromium, Site(url=ORIGIN, lock=None, media_root=tmp_path), axe_source, 360, tmp_path)
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    cast.contexts.append(context)
    pages = {"/bad": BAD, "/clean": CLEAN, "/other": CLEAN}

    def serve(route):
        path = route.request.url[len(ORIGIN):]
        if path in pages:
            # The portal's own policy for a page without a nonce: no script at all.
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[path],
                          headers={"Content-Security-Policy": "script-src 'none'"})
        else:
            route.fulfill(status=404, body="")

    context.route(f"{ORIGIN}/**", serve)
    yield cast, context
    cast.close()


def _visitor(cast, context):
    from .conftest import Visitor

    visitor = Visitor(username="thu", page=context.new_page(), width=360, site=cast.site,
                      axe_source=cast.axe_source, shots=cast.shots, problems=cast.problems)
    visitor._watch()
    cast.visitors.append(visitor)
    return visitor


def test_a_bad_page_is_reported_with_each_of_its_problems(checks_cast):
    cast, context = checks_cast
    visitor = _visitor(cast, context)
    visitor.open("/bad")
    assert len(cast.problems) == 1
    report = cast.problems[0]
    assert report.startswith("/bad as thu at 360 px")
    assert "axe critical select-name" in report
    assert "table «Trung tâm» is" in report
    assert "the page is" in report
    assert "CSP:" in report
    assert "404 for /static/missing.png" in report
    with pytest.raises(AssertionError, match="1 of 1 pages checked have problems"):
        cast.done()


def test_a_clean_page_passes_and_a_page_left_unchecked_fails(checks_cast):
    cast, context = checks_cast
    visitor = _visitor(cast, context)
    visitor.open("/clean")
    assert cast.problems == []
    cast.done()
    visitor.page.get_by_role("link", name="Trang khác").click()
    visitor.page.wait_for_url(f"{ORIGIN}/other")
    with pytest.raises(AssertionError, match=r"^pages seen but not checked:\s+thu: http://checks.invalid/other"):
        cast.done()
