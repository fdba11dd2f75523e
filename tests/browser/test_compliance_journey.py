"""An inspector's morning in a real browser: the compliance page from the menu, narrowed
to one rule and one kind of center, the search saved under a name and opened again from
the saved list, and the result exported to Excel with the same rows."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RULE = "Giấy phép hết hạn hoặc sắp hết hạn"
KIND = "Trung tâm ngoại ngữ"


def _count(page) -> int:
    # The whole line: the freshness line above may say "đã sửa N trung tâm có cảnh báo...".
    text = page.get_by_text(re.compile(r"^\d+ trung tâm có cảnh báo$")).first.inner_text()
    return int(re.search(r"\d+", text).group())


def _unfold_filters(page) -> None:
    """On a phone the filters and saved searches fold under one button: open it."""
    toggle = page.get_by_role("button", name="Bộ lọc")
    if toggle.count() and toggle.first.is_visible() and toggle.first.get_attribute("aria-expanded") != "true":
        toggle.first.click()
        expect(page.get_by_label("Loại hình")).to_be_visible()


def test_inspector_filters_the_compliance_page_saves_the_search_and_exports_it(site, people, width):
    inspector = people("thanhtra")
    page = inspector.page
    inspector.menu("Thanh tra, kiểm tra")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rà soát tuân thủ")
    everyone = _count(page)

    # One rule, then one kind (the select sends the form by itself).
    _unfold_filters(page)
    page.get_by_role("checkbox", name=RULE).check()
    with inspector.navigates():
        page.get_by_role("button", name="Lọc", exact=True).click()
    _unfold_filters(page)
    with inspector.navigates():
        page.get_by_label("Loại hình").select_option(label=KIND)
    expect(page.get_by_role("checkbox", name=RULE, include_hidden=True)).to_be_checked()
    found = _count(page)
    assert 0 < found < everyone
    results = page.locator("main table").filter(has=page.get_by_role("columnheader", name="Điểm rủi ro"))
    rows = results.locator("tbody tr")
    links = rows.locator('a[href^="/centers/"]')
    ids = {int(re.search(r"\d+", links.nth(i).get_attribute("href")).group()) for i in range(links.count())}
    with site.orm():
        from centers.models import Center

        shown = dict(Center.objects.filter(pk__in=ids).values_list("code", "kind"))
    codes = set(shown)
    assert len(codes) == rows.count() and set(shown.values()) == {"language"}
    for index in range(rows.count()):
        expect(rows.nth(index)).to_contain_text(RULE)

    # Saved under a name, found in the list, opened again: the same search.
    name = f"GPNN sắp hết hạn ({width} px)"
    _unfold_filters(page)
    page.get_by_label("Lưu điều kiện lọc hiện tại").fill(name)
    with inspector.navigates():
        page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=name)).to_be_visible()
    _unfold_filters(page)
    expect(page.get_by_role("link", name=name)).to_be_visible()
    with inspector.navigates():
        page.get_by_role("link", name="Xóa lọc").click()
    assert _count(page) == everyone
    _unfold_filters(page)
    with inspector.navigates():
        page.get_by_role("link", name=name).click()
    expect(page.get_by_role("checkbox", name=RULE, include_hidden=True)).to_be_checked()
    expect(page.get_by_label("Loại hình")).to_have_value("language")
    assert _count(page) == found

    # The export holds exactly the rows of the search.
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:  # openpyxl goes by the name's extension otherwise
        table = list(openpyxl.load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(table) if row and row[0] == "Mã trung tâm")
    columns = table[header]
    # Not strict: a data row and the header may differ in trailing empty cells.
    data = [dict(zip(columns, row, strict=False)) for row in table[header + 1:] if row and row[0]]
    assert len(data) == found
    assert codes <= {row["Mã trung tâm"] for row in data}
    assert all(row["Loại hình"] == KIND and RULE in row["Cảnh báo"] for row in data)
    people.done()
