"""Files as offices really send them (issue 13), made by LibreOffice itself
(tests/centers/office_files/make_files.py): a CSV opened and saved again, the template
filled in by typing, a title above the header and hidden sheets, an .xls, Excel's
"Unicode text". Each is previewed, and the preview says what to check or what to do."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from centers.excel import HEADERS
from centers.imports import center_import_file, center_import_preview_file
from centers.models import Center

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "office_files"


def preview(name: str, by, filename: str | None = None):
    return center_import_preview_file(data=(FILES / name).read_bytes(), filename=filename or name, by=by)


def warnings_of(result, column: str) -> dict[int, str]:
    return {w["row"]: w["message"] for w in result.preview["warnings"] if w["column"] == column}


def test_a_csv_saved_again_by_an_american_spreadsheet_shows_lost_zeros_and_swapped_dates(department_user, commune):
    """Opened with month/day/year dates: 0912345678 became the number 912345678 and
    «05/03/2026» the date 3 May, while «13/5/2026» (no 13th month) stayed text."""
    result = preview("csv_saved_by_us_office.xlsx", department_user)
    assert result.errors == [] and (result.preview["new"], result.preview["error_rows"]) == (4, 0)
    phones = warnings_of(result, "Điện thoại")
    assert sorted(phones) == [2, 3, 5], "the spaced number of row 4 stayed text"
    assert "«912345678» đã mất số 0 ở đầu (ô kiểu số); sẽ ghi là «0912345678»" in phones[2]
    assert "sẽ ghi là «02223812345»" in phones[3]
    dates = warnings_of(result, "Ngày quyết định")
    assert 2 in dates and 3 in dates and 4 not in dates
    assert "ô ngày 03/05/2026 có thể đã bị đổi ngày và tháng" in dates[2] and "«13/05/2026»" in dates[2]
    assert not Center.objects.exists(), "a preview writes nothing"

    imported = center_import_file(data=(FILES / "csv_saved_by_us_office.xlsx").read_bytes(),
                                  filename="a.xlsx", by=department_user)
    assert imported.written
    phones = dict(Center.objects.values_list("code", "phone"))
    assert phones == {"NN301": "0912345678", "NN302": "02223812345", "NN303": "0222 3812 345",
                      "NN304": "0987654321"}
    assert Center.objects.get(code="NN303").current_licence.signed_on == datetime.date(2026, 5, 13)


def test_a_csv_saved_again_by_a_vietnamese_spreadsheet_has_right_dates_and_lost_zeros(department_user, commune):
    result = preview("csv_saved_by_vi_office.xlsx", department_user)
    assert result.errors == [] and result.preview["new"] == 4
    assert sorted(warnings_of(result, "Điện thoại")) == [2, 3, 5]
    assert warnings_of(result, "Ngày quyết định") == {}, "date cells of a day-first office are not suspected"
    center_import_file(data=(FILES / "csv_saved_by_vi_office.xlsx").read_bytes(), filename="a.xlsx",
                       by=department_user)
    signed = dict(Center.objects.values_list("code", "current_licence__signed_on"))
    assert signed["NN301"] == signed["NN302"] == signed["NN304"] == datetime.date(2026, 3, 5)


def test_the_template_filled_in_by_typing_keeps_the_phone_as_typed_and_skips_the_example(department_user, commune):
    """The template's phone column is text: 0912345678 typed into LibreOffice stays text."""
    result = preview("template_filled.xlsx", department_user)
    assert result.errors == [] and result.examples == [2]
    assert (result.preview["new"], result.preview["warnings"]) == (1, [])
    assert "Dòng 2 là dòng ví dụ của tệp mẫu (mã «VÍ DỤ»): không được nhập." in result.preview["notes"]
    center_import_file(data=(FILES / "template_filled.xlsx").read_bytes(), filename="a.xlsx", by=department_user)
    center = Center.objects.get()
    assert (center.code, center.phone) == ("NN310", "0912345678")
    assert center.current_licence.signed_on == datetime.date(2026, 3, 5)


def test_a_title_above_the_header_and_hidden_sheets_are_left_out_and_said(department_user, commune):
    result = preview("title_and_hidden_sheets.xlsx", department_user)
    assert result.errors == [] and result.preview["new"] == 4
    notes = result.preview["notes"]
    assert "Bỏ qua 1 trang tính ẩn («Danh mục»); đọc trang «Trung tâm»." in notes
    assert any("chỉ đọc trang đầu tiên «Trung tâm»" in note for note in notes)
    assert any(note.startswith("Bỏ qua 2 dòng tiêu đề phía trên dòng tên cột (dòng 1–2: «DANH SÁCH TRUNG TÂM")
               for note in notes)


def test_the_first_visible_sheet_is_read_when_excel_hid_the_first_one(department_user, commune):
    workbook = Workbook()
    old = workbook.active
    old.title = "Bản cũ"
    old.append(list(HEADERS))
    old.append(["CU001", "Trung tâm cũ", "Trung tâm ngoại ngữ", "", "", "Phường Kinh Bắc", "Tỉnh Bắc Ninh"])
    old.sheet_state = "hidden"
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(list(HEADERS))
    sheet.append(["MOI01", "Trung tâm mới", "Trung tâm ngoại ngữ", "", "", "Phường Kinh Bắc", "Tỉnh Bắc Ninh"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = center_import_preview_file(data=buffer.getvalue(), filename="a.xlsx", by=department_user)
    assert [item["code"] for item in result.preview["added"]] == ["MOI01"]
    assert "Bỏ qua 1 trang tính ẩn («Bản cũ»); đọc trang «Danh sách»." in result.preview["notes"]


def test_a_workbook_whose_sheets_are_all_hidden_says_what_to_do(department_user):
    """(openpyxl refuses to write one: the workbook part is edited afterwards, as a
    workbook hidden with a macro or another program would be.)"""
    workbook = Workbook()
    workbook.active.append(list(HEADERS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible"', b'state="hidden"')
            target.writestr(item, data)
    result = center_import_preview_file(data=edited.getvalue(), filename="a.xlsx", by=department_user)
    assert result.preview is None
    assert "Mọi trang tính của tệp đều đang ẩn" in str(result.errors[0])


@pytest.mark.parametrize("filename", ["centers.xls", "centers.xlsx", "centers.csv"])
def test_an_xls_file_gets_a_message_that_says_what_to_do(department_user, filename):
    result = preview("centers.xls", department_user, filename=filename)
    assert result.preview is None
    assert str(result.errors[0]).startswith("Đây là tệp Excel 97-2003 (.xls)")
    assert "Lưu thành › «Sổ làm việc Excel (.xlsx)»" in str(result.errors[0])


@pytest.mark.parametrize("filename", ["centers.txt", "centers.csv"])
def test_a_unicode_text_file_gets_a_message_that_says_what_to_do(department_user, filename):
    result = preview("unicode_text.txt", department_user, filename=filename)
    assert result.preview is None
    assert str(result.errors[0]).startswith("Đây là tệp «Văn bản Unicode» (UTF-16")
    assert "«CSV UTF-8 (phân cách bằng dấu phẩy) (.csv)»" in str(result.errors[0])


def test_unicode_text_without_its_byte_order_mark_is_recognised_too(department_user):
    data = (FILES / "unicode_text.txt").read_bytes()[2:]
    result = center_import_preview_file(data=data, filename="centers.csv", by=department_user)
    assert str(result.errors[0]).startswith("Đây là tệp «Văn bản Unicode» (UTF-16")


def test_an_ods_file_gets_a_message_that_says_what_to_do(department_user):
    result = center_import_preview_file(data=b"PK\x03\x04mimetype", filename="centers.ods", by=department_user)
    assert "Lưu thành, kiểu «Excel 2007-365 (.xlsx)»" in str(result.errors[0])
