"""A registry import in a real browser, as an office does it: department staff download
the template from the import page, keep its example row, add two centers (a phone with its
leading 0, one without a licence) and correct one center they exported, upload it, read
the preview (nothing written yet), import it, and find the result in the registry."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _workbook(template: bytes, rows: list[list]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_staff_import_a_file_through_its_preview(site, people, width):
    staff = people("sogd")
    page = staff.page
    staff.menu("Sổ đăng ký trung tâm")
    with staff.navigates():
        page.get_by_role("link", name="Nhập từ Excel").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp mẫu").click()
    template = open(download.value.path(), "rb").read()

    # The template's example row stays; two new centers and one change are added.
    example = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(template)).active[2]]
    new_licensed = [f"BT{width}A", f"Trung tâm Ngoại ngữ Bình Minh {width}", *example[2:12],
                    "0222 3855 666", *example[13:]]
    new_unlicensed = [f"BT{width}B", f"Trung tâm Tin học Rạng Đông {width}", "Trung tâm tin học", "",
                      "Số 3 đường Ngô Gia Tự", example[5], example[6], "", None, "", None, "",
                      "0912 345 678", "", ""]
    with site.orm():
        from centers.excel import center_values, export_queryset
        from centers.models import Center

        existing = export_queryset(Center.objects.filter(province__code="24", status="operating")
                                   .exclude(code__startswith="BT").order_by("code"))[2 if width == 360 else 3]
        changed = center_values(existing)
        old_phone = existing.phone
    changed[12] = "0204 3777 888" if width == 360 else "0204 3777 999"
    upload = _workbook(template, [new_licensed, new_unlicensed, changed])

    page.get_by_label("Tệp Excel").set_input_files({
        "name": f"bo-sung-trung-tam-{width}.xlsx", "buffer": upload,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    with staff.navigates():
        page.get_by_role("button", name="Tải lên và xem trước").click()

    # The preview: two to add, one to change (the phone, old and new), no error; and nothing
    # written yet.
    preview = page.locator("#import-preview")
    expect(preview.locator("#preview-new")).to_have_text("2")
    expect(preview.locator("#preview-changed")).to_have_text("1")
    expect(preview.locator("#preview-errors")).to_have_text("0")
    expect(preview).to_contain_text(new_licensed[1])
    expect(preview).to_contain_text(new_unlicensed[1])
    # The example row is named as such and left out.
    expect(preview.get_by_role("note")).to_contain_text("dòng ví dụ")
    expect(preview.locator(".import-added")).not_to_contain_text(example[1])
    change = preview.locator(".import-changes li", has_text=existing.code).first
    expect(change).to_contain_text(changed[12])
    if old_phone:
        expect(change).to_contain_text(old_phone)
    with site.orm():
        assert not Center.objects.filter(code__in=[new_licensed[0], new_unlicensed[0]]).exists()
        assert Center.objects.get(pk=existing.pk).phone == old_phone

    with staff.navigates():
        page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page.get_by_text("Thêm mới 2, cập nhật 1 trung tâm.")).to_be_visible()
    with site.orm():
        added = {c.code: c for c in Center.objects.filter(province__code="24", code__startswith=f"BT{width}")}
        assert set(added) == {new_licensed[0], new_unlicensed[0]}
        assert added[new_licensed[0]].phone == "0222 3855 666"
        assert added[new_unlicensed[0]].status == "not_yet_licensed"
        assert Center.objects.get(pk=existing.pk).phone == changed[12]
        assert not Center.objects.filter(name__contains="dòng ví dụ").exists()

    # The registry lists the new center.
    with staff.navigates():
        page.get_by_role("link", name="Xem sổ đăng ký").click()
    search = page.get_by_role("searchbox").first
    search.fill(new_unlicensed[0])
    with staff.navigates():
        search.press("Enter")
    expect(page.locator("main").get_by_role("link", name=new_unlicensed[1])).to_be_visible()
    people.done()
