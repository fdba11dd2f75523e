import csv
import datetime
import io
import time
import unicodedata
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from centers.choices import CenterStatus, DocumentKind
from centers.excel import HEADERS, export_csv, export_workbook
from centers.imports import center_import_file, center_imports_purge
from centers.models import Center, CenterImport, Director, LicenceDocument, StatusChange
from centers.selectors import center_list
from tests.factories import DirectorFactory, DocumentFactory

pytestmark = pytest.mark.django_db

KEYS = (
    "code", "name", "kind", "status", "street", "commune", "province", "licence_number", "licence_signed_on",
    "licence_issuer", "licence_valid_until", "director", "phone", "email", "investor",
)


def make_row(**overrides) -> dict:
    row = {
        "code": "NN100",
        "name": "Trung tâm Ngoại ngữ Bình Minh",
        "kind": "Trung tâm ngoại ngữ",
        "status": "Đang hoạt động",
        "street": "Số 5 đường Nguyễn Trãi",
        "commune": "Phường Kinh Bắc",
        "province": "Tỉnh Bắc Ninh",
        "licence_number": "45/QĐ-SGDĐT",
        "licence_signed_on": "15/01/2025",
        "licence_issuer": "Sở GDĐT Bắc Ninh",
        "licence_valid_until": "",
        "director": "Phạm Văn Hùng",
        "phone": "0222 3812 345",
        "email": "binhminh@example.vn",
        "investor": "Công ty TNHH Bình Minh",
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict], headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows: list[dict], encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(key) or "" for key in KEYS])
    if encoding == "cp1258":  # the Windows Vietnamese code page writes decomposed tones
        return unicodedata.normalize("NFD", buffer.getvalue()).encode(encoding, errors="replace")
    return buffer.getvalue().encode(encoding)


NO_LICENCE = {"licence_number": "", "licence_signed_on": "", "licence_issuer": "", "licence_valid_until": ""}


def snapshot() -> dict:
    """Everything an import could write, history included."""
    return {
        "centers": list(Center.objects.order_by("pk").values()),
        "center_history": Center.history.count(),
        "documents": list(LicenceDocument.objects.order_by("pk").values()),
        "document_history": LicenceDocument.history.count(),
        "directors": list(Director.objects.order_by("pk").values()),
        "director_history": Director.history.count(),
        "status_changes": StatusChange.objects.count(),
    }


def run(data: bytes, by, name="trung-tam.xlsx", **kwargs):
    return center_import_file(data=data, filename=name, by=by, **kwargs)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


# Writing


def test_new_row_creates_center_with_its_decision_and_director(department_user, commune):
    result = run(xlsx([make_row()]), department_user)
    assert result.written and result.created == 1 and not result.errors
    center = Center.objects.get(code="NN100")
    assert center.province == department_user.province and center.commune == commune
    assert center.kind == "language" and center.status == CenterStatus.OPERATING
    assert center.investor_name == "Công ty TNHH Bình Minh"
    document = center.documents.get()
    assert document.kind == DocumentKind.ESTABLISHMENT_OPERATION
    assert (document.number, document.signed_on) == ("45/QĐ-SGDĐT", datetime.date(2025, 1, 15))
    assert center.current_licence == document, "derived by centers_refresh, not typed"
    assert "binh minh" in center.search_text and "pham van hung" in center.search_text
    assert center.directors.get(ended_on__isnull=True).full_name == "Phạm Văn Hùng"
    assert center.history.get().history_user == department_user
    assert document.history.count() == 1


def test_export_then_import_changes_nothing(department_user, center, other_center):
    DirectorFactory(center=center, full_name="Nguyễn Thị Lan")
    DocumentFactory(center=other_center, number="7/QĐ-SGDĐT", valid_until=datetime.date(2030, 1, 1))
    for data, name in (
        (export_workbook(center_list(department_user)), "xuat.xlsx"),
        (export_csv(center_list(department_user)), "xuat.csv"),
    ):
        before = snapshot()
        result = run(data, department_user, name=name)
        assert result.written and not result.errors
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert snapshot() == before


def test_formula_like_values_survive_export_then_import_in_both_formats(department_user, center):
    # .xlsx keeps them as text cells, the .csv behind a quote the import drops.
    Center.objects.filter(pk=center.pk).update(name="=Trung tâm", phone="+84 912 345 678", investor_name="@Công ty")
    for data, name in (
        (export_workbook(center_list(department_user)), "xuat.xlsx"),
        (export_csv(center_list(department_user)), "xuat.csv"),
    ):
        result = run(data, department_user, name=name)
        assert result.written and not result.errors, name
        center.refresh_from_db()
        assert (center.name, center.phone, center.investor_name) == ("=Trung tâm", "+84 912 345 678", "@Công ty")


def test_reimport_updates_by_code_and_never_duplicates(department_user, commune, other_commune):
    run(xlsx([make_row()]), department_user)
    result = run(xlsx([make_row(name="Trung tâm Ngoại ngữ Bình Minh Mới", commune="Phường Võ Cường")]), department_user)
    assert (result.created, result.updated) == (0, 1)
    center = Center.objects.get()
    assert center.name == "Trung tâm Ngoại ngữ Bình Minh Mới" and center.commune == other_commune
    assert center.history.count() == 2
    assert "moi" in center.search_text
    # The same file a third time: nothing to do.
    before = snapshot()
    result = run(xlsx([make_row(name="Trung tâm Ngoại ngữ Bình Minh Mới", commune="Phường Võ Cường")]), department_user)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert snapshot() == before


def test_codes_match_whatever_their_case(department_user, center):
    result = run(xlsx([make_row(code="nn001", name=center.name, **NO_LICENCE)]), department_user)
    assert (result.created, result.updated) == (0, 1), messages(result)  # street, phone... filled in
    assert Center.objects.count() == 1


def test_empty_optional_cells_keep_what_is_stored(department_user, center):
    Center.objects.filter(pk=center.pk).update(phone="0222 111 222", email="a@example.vn")
    row = make_row(code="NN001", name=center.name, kind="", street="", phone="", email="", investor="",
                   director="", status="", **NO_LICENCE)
    row["kind"] = "Trung tâm ngoại ngữ"
    result = run(xlsx([row]), department_user)
    assert result.unchanged == 1
    center.refresh_from_db()
    assert (center.phone, center.email) == ("0222 111 222", "a@example.vn")


def test_a_new_decision_number_adds_a_document_and_becomes_the_licence(department_user, center):
    row = make_row(code="NN001", name=center.name, licence_number="99/QĐ-SGDĐT", licence_signed_on="01/02/2025",
                   licence_valid_until="01/02/2030")
    run(xlsx([row]), department_user)
    center.refresh_from_db()
    assert center.documents.count() == 2
    assert center.current_licence.number == "99/QĐ-SGDĐT"
    assert center.current_licence.valid_until == datetime.date(2030, 2, 1)


def test_a_known_decision_number_updates_that_document(department_user, center):
    row = make_row(code="NN001", name=center.name, licence_number="12/QĐ-SGDĐT", licence_signed_on="05/03/2024",
                   licence_valid_until="31/12/2029")
    result = run(xlsx([row]), department_user)
    assert result.updated == 1
    document = center.documents.get()
    assert document.valid_until == datetime.date(2029, 12, 31)
    assert document.history.count() == 2


def test_status_change_goes_through_the_status_history(department_user, center):
    row = make_row(code="NN001", name=center.name, status="Bị đình chỉ hoạt động", licence_number="12/QĐ-SGDĐT",
                   licence_signed_on="05/03/2024")
    run(xlsx([row]), department_user)
    center.refresh_from_db()
    assert center.status == CenterStatus.SUSPENDED
    change = center.status_changes.get(new_status=CenterStatus.SUSPENDED)
    assert change.old_status == CenterStatus.OPERATING
    assert change.document.number == "12/QĐ-SGDĐT"
    assert change.recorded_by == department_user


def test_new_director_ends_the_previous_one(department_user, center):
    DirectorFactory(center=center, full_name="Nguyễn Thị Lan", started_on=datetime.date(2020, 1, 1))
    run(xlsx([make_row(code="NN001", name=center.name, director="Trần Văn Nam")]), department_user)
    previous = center.directors.get(full_name="Nguyễn Thị Lan")
    assert previous.ended_on is not None
    assert center.directors.get(ended_on__isnull=True).full_name == "Trần Văn Nam"
    # The same name again (other spacing) is no change.
    before = snapshot()
    run(xlsx([make_row(code="NN001", name=center.name, director=" Trần  Văn Nam ")]), department_user)
    assert snapshot()["directors"] == before["directors"]


def test_decomposed_unicode_is_stored_as_nfc(department_user, commune):
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    row = make_row(name=nfd("Trung tâm Ngoại ngữ Hướng Dương"), commune=nfd("Phường Kinh Bắc"),
                   province=nfd("Tỉnh Bắc Ninh"), kind=nfd("Trung tâm ngoại ngữ"), director=nfd("Đặng Thị Hồng"))
    result = run(csv_file([row]), department_user, name="nfd.csv")
    assert result.written, messages(result)
    center = Center.objects.get()
    assert center.name == "Trung tâm Ngoại ngữ Hướng Dương"
    assert unicodedata.is_normalized("NFC", center.name)
    assert center.directors.get().full_name == unicodedata.normalize("NFC", "Đặng Thị Hồng")


def test_formula_quote_is_undone_on_import(department_user, commune):
    row = make_row(name="'=Trung tâm", phone="'+84 912 345 678", investor="'@Công ty")
    run(xlsx([row]), department_user)
    center = Center.objects.get()
    assert (center.name, center.phone, center.investor_name) == ("=Trung tâm", "+84 912 345 678", "@Công ty")
    # A quote not followed by a formula character is data.
    run(xlsx([make_row(name="'Sao Mai' Center")]), department_user)
    assert Center.objects.get().name == "'Sao Mai' Center"


def test_real_excel_dates_and_unit_names_without_prefix_are_accepted(department_user, commune):
    row = make_row(licence_signed_on=datetime.datetime(2025, 1, 15), licence_valid_until=datetime.date(2030, 1, 14),
                   commune="kinh bac", province="Bắc Ninh", kind="ngoại ngữ", status="operating")
    result = run(xlsx([row]), department_user)
    assert result.written, messages(result)
    document = LicenceDocument.objects.get()
    assert (document.signed_on, document.valid_until) == (datetime.date(2025, 1, 15), datetime.date(2030, 1, 14))


def test_headers_in_another_order_are_accepted(department_user, commune):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(reversed(HEADERS)))
    sheet.append(list(reversed([make_row()[key] for key in KEYS])))
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(buffer.getvalue(), department_user).created == 1


def test_valid_only_imports_the_good_rows(department_user, commune):
    rows = [make_row(code="NN101"), make_row(code="NN102", licence_signed_on="32/01/2025"), make_row(code="NN103")]
    result = run(xlsx(rows), department_user, valid_only=True)
    assert result.written and result.created == 2 and result.skipped == 1
    assert messages(result) == ["Dòng 3, cột «Ngày quyết định»: ngày không hợp lệ, cần dạng dd/mm/yyyy."]
    assert set(Center.objects.values_list("code", flat=True)) == {"NN101", "NN103"}


# Rejections: nothing is written and the message says where


def _refused(data: bytes, by, name="trung-tam.xlsx", **kwargs) -> list[str]:
    before = snapshot()
    result = run(data, by, name=name, **kwargs)
    assert not result.written
    assert snapshot() == before
    return messages(result)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"licence_signed_on": "15 tháng 1"}, "Dòng 3, cột «Ngày quyết định»: ngày không hợp lệ, cần dạng dd/mm/yyyy."),
        ({"licence_valid_until": "31/02/2030"}, "Dòng 3, cột «Ngày hết hạn»: ngày không hợp lệ, cần dạng dd/mm/yyyy."),
        ({"kind": "Trung tâm võ thuật"},
         "Dòng 3, cột «Loại hình»: loại hình «Trung tâm võ thuật» không có trong danh mục"),
        ({"status": "Tạm nghỉ"}, "Dòng 3, cột «Trạng thái»: trạng thái «Tạm nghỉ» không có trong danh mục"),
        ({"code": ""}, "Dòng 3, cột «Mã trung tâm»: không được để trống."),
        ({"name": " "}, "Dòng 3, cột «Tên trung tâm»: không được để trống."),
        ({"kind": None}, "Dòng 3, cột «Loại hình»: không được để trống."),
        ({"commune": ""}, "Dòng 3, cột «Xã/Phường»: không được để trống."),
        ({"province": ""}, "Dòng 3, cột «Tỉnh/Thành phố»: không được để trống."),
        ({"commune": "Phường Hoàn Kiếm"},
         "Dòng 3, cột «Xã/Phường»: không tìm thấy xã/phường «Phường Hoàn Kiếm» thuộc Tỉnh Bắc Ninh."),
        ({"province": "Tỉnh Không Có"}, "Dòng 3, cột «Tỉnh/Thành phố»: không tìm thấy tỉnh/thành phố «Tỉnh Không Có»."),
        ({"email": "khong-phai-email"}, "Dòng 3, cột «Email»: email không hợp lệ."),
        ({"licence_number": "", "licence_signed_on": "01/01/2025"},
         "Dòng 3, cột «Số quyết định»: cần ghi số quyết định"),
        ({"licence_issuer": ""}, "Dòng 3, cột «Cơ quan cấp»: bắt buộc khi ghi một quyết định mới."),
        ({"licence_valid_until": "01/01/2020"}, "Dòng 3, cột «Ngày hết hạn»: ngày hết hạn phải sau ngày quyết định."),
        ({"name": "x" * 256}, "Dòng 3, cột «Tên trung tâm»: dài quá 255 ký tự."),
    ],
)
def test_a_bad_row_refuses_the_whole_file(department_user, commune, overrides, expected):
    rows = [make_row(code="NN101"), make_row(**{"code": "NN102", **overrides})]
    errors = _refused(xlsx(rows), department_user)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_duplicate_code_in_the_file_is_refused(department_user, commune):
    errors = _refused(xlsx([make_row(code="NN101"), make_row(code="NN102"), make_row(code="nn101")]), department_user)
    assert errors == [
        "Dòng 2, cột «Mã trung tâm»: mã «NN101» lặp lại ở các dòng 2, 4.",
        "Dòng 4, cột «Mã trung tâm»: mã «nn101» lặp lại ở các dòng 2, 4.",
    ]


def test_staff_cannot_import_rows_of_another_province(foreign_department_user, department_user, commune):
    errors = _refused(xlsx([make_row()]), foreign_department_user)
    assert errors == ["Dòng 2, cột «Tỉnh/Thành phố»: bạn chỉ được nhập trung tâm của Thành phố Hà Nội."]


def test_non_excel_file_renamed_xlsx_is_refused(department_user, commune):
    errors = _refused(b"%PDF-1.4 this is not a workbook", department_user)
    assert errors == [
        "Tệp không phải là tệp Excel .xlsx hợp lệ (tệp .xls cũ hoặc tệp có mật khẩu cần lưu lại thành .xlsx)."
    ]
    # A zip that is not a workbook either.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    assert _refused(buffer.getvalue(), department_user) == errors


def test_csv_must_be_utf8_text(department_user, commune):
    errors = _refused(csv_file([make_row()], encoding="cp1258"), department_user, name="ansi.csv")
    assert errors == ["Tệp CSV phải lưu theo mã UTF-8 (trong Excel: Lưu thành › CSV UTF-8)."]
    errors = _refused(xlsx([make_row()]), department_user, name="renamed.csv")
    assert "không phải là văn bản" in errors[0]


def test_other_extensions_are_refused(department_user):
    assert _refused(b"a,b", department_user, name="centers.pdf") == ["Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."]


def test_file_over_the_size_limit_is_refused(department_user, commune, settings):
    data = xlsx([make_row()])
    settings.IMPORT_MAX_BYTES = len(data) - 1
    assert _refused(data, department_user) == ["Tệp lớn hơn giới hạn 0 MB."]


def test_file_over_the_row_limit_is_refused(department_user, commune, settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = [make_row(code=f"NN{n}") for n in range(3)]
    assert _refused(xlsx(rows), department_user) == ["Tệp có hơn 2 dòng dữ liệu; hãy chia thành nhiều tệp nhỏ hơn."]
    assert _refused(csv_file(rows), department_user, name="a.csv") == [
        "Tệp có hơn 2 dòng dữ liệu; hãy chia thành nhiều tệp nhỏ hơn."
    ]


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BOMB_MESSAGE = (
    "Tệp Excel có cấu trúc bất thường (quá nhiều thành phần, dung lượng giải nén quá lớn "
    "hoặc nội dung XML không an toàn) nên không mở."
)


def test_zip_bomb_is_refused_before_parsing(department_user, monkeypatch):
    base = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    # One member that inflates 1000-fold.
    bomb = _zip_with({**base, "xl/worksheets/sheet1.xml": b"\0" * (8 * 1024 * 1024)})
    assert _refused(bomb, department_user) == [BOMB_MESSAGE]
    # Too many members.
    monkeypatch.setattr("edu_portal.files.MAX_ZIP_MEMBERS", 10)
    many = _zip_with({**base, **{f"xl/media/{n}.bin": b"x" for n in range(20)}})
    assert _refused(many, department_user) == [BOMB_MESSAGE]
    # Too much in total, each member modest.
    monkeypatch.setattr("edu_portal.files.MAX_UNCOMPRESSED_BYTES", 1000)
    large = _zip_with({**base, **{f"xl/media/{n}.bin": bytes(range(256)) * 2 for n in range(3)}})
    assert _refused(large, department_user) == [BOMB_MESSAGE]


def excel_like(rows: list[list], doctype: bytes = b"", doctype_in=("sharedStrings", "data")) -> bytes:
    """A package shaped like Excel's own: shared strings, a "x:" namespace prefix, a
    styled date serial, a phonetic guide and an escaped carriage return."""
    from xml.sax.saxutils import escape

    strings: list[str] = []
    cells = []
    for number, row in enumerate(rows, start=1):
        out = []
        for column, value in enumerate(row):
            reference = f"{chr(65 + column)}{number}"
            if isinstance(value, datetime.date):
                serial = (value - datetime.date(1899, 12, 30)).days
                out.append(f'<x:c r="{reference}" s="1"><x:v>{serial}</x:v></x:c>')
            elif value not in (None, ""):
                strings.append(value)
                out.append(f'<x:c r="{reference}" t="s"><x:v>{len(strings) - 1}</x:v></x:c>')
        cells.append(f'<x:row r="{number}">{"".join(out)}</x:row>')
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    items = "".join(
        f"<x:si><x:t>{escape(text).replace(chr(13), '_x000D_')}</x:t>"
        f'<x:rPh sb="0" eb="1"><x:t>ふ</x:t></x:rPh></x:si>'
        for text in strings
    )
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    members = {
        "[Content_Types].xml": b"<Types/>",
        # Every package has it (Open Packaging Conventions): it names the workbook part.
        "_rels/.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="xl/workbook.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            b"</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<x:workbook {ns} {rel}><x:sheets><x:sheet name="S" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId7" Type="worksheet" Target="worksheets/data.xml"/></Relationships>'
        ),
        "xl/styles.xml": (  # style 1 is the built-in date format 14
            f'<x:styleSheet {ns}><x:cellXfs count="2"><x:xf numFmtId="0"/><x:xf numFmtId="14"/></x:cellXfs>'
            "</x:styleSheet>"
        ).encode(),
        "xl/sharedStrings.xml": f'<x:sst {ns}>{items}</x:sst>'.encode(),
        "xl/worksheets/data.xml": (
            f'<x:worksheet {ns}><x:sheetData>{"".join(cells)}</x:sheetData></x:worksheet>'
        ).encode(),
    }
    return _zip_with({
        name: doctype + content if any(part in name for part in doctype_in) else content
        for name, content in members.items()
    })


def test_a_workbook_shaped_like_excels_is_read(department_user, commune):
    row = make_row(name="Trung tâm\rNgoại ngữ", licence_signed_on=datetime.date(2025, 1, 15))
    result = run(excel_like([list(HEADERS), [row[key] for key in KEYS]]), department_user)
    assert result.written, messages(result)
    center = Center.objects.get()
    assert center.name == "Trung tâm\rNgoại ngữ", "phonetic guides are not text"
    assert center.documents.get().signed_on == datetime.date(2025, 1, 15)


def test_cell_references_past_excels_limits_are_refused_not_allocated(department_user, commune):
    """A hand-made sheet with a cell in column "ZZZZZZZ" (millions of columns in), one at
    XFD1048576 (inside Excel's limits, but 17 billion cells as a grid) or a row numbered
    "²" is no file Excel writes: it is refused before the sheet is read into a grid (the
    reader would ask for hundreds of gigabytes and abort the process)."""
    rows = [list(HEADERS), [make_row()[key] for key in KEYS]]
    data = excel_like(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    original = members["xl/worksheets/data.xml"].decode()
    for odd in ('<x:row r="2"><x:c r="ZZZZZZZ2"><x:v>1</x:v></x:c>', '<x:row r="2"><x:c r="Ä2"><x:v>1</x:v></x:c>',
                '<x:row r="2"><x:c r="XFD1048576"><x:v>1</x:v></x:c>', '<x:row r="²">'):
        members["xl/worksheets/data.xml"] = original.replace('<x:row r="2">', odd, 1).encode()
        assert _refused(_zip_with(members), department_user) == [BOMB_MESSAGE], odd
    assert Center.objects.count() == 0
    # The same file without the odd reference is read.
    members["xl/worksheets/data.xml"] = original.encode()
    assert run(_zip_with(members), department_user).written


def test_xml_with_a_dtd_is_refused(department_user, commune):
    """Entity expansion ("billion laughs") and external entities both need a DTD."""
    rows = [list(HEADERS), [make_row()[key] for key in KEYS]]
    for doctype in (
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    ):
        for part in ("sharedStrings", "data"):
            data = excel_like(rows, doctype=doctype, doctype_in=(part,))
            assert _refused(data, department_user) == [BOMB_MESSAGE]


def test_excel_shared_strings_inline_strings_and_numbers_are_read(department_user, commune):
    """openpyxl's normal mode writes shared strings, its write-only mode inline strings;
    Excel stores a typed-in phone number or code as a number."""
    from centers.excel import open_table

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(HEADERS))
    sheet.append([12345, "Tên", "Trung tâm tin học", None, "", "Phường Kinh Bắc", "Tỉnh Bắc Ninh", "", None, "",
                  None, "", 912345678, "", 1.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (number, values), = list(open_table(buffer.getvalue(), "a.xlsx").rows())
    assert number == 2
    assert (values["code"], values["name"], values["phone"], values["investor"]) == (12345, "Tên", 912345678, 1.5)
    result = run(buffer.getvalue(), department_user)
    assert result.written, messages(result)
    center = Center.objects.get()
    # A phone number typed into a cell of the General format lost its leading 0: put back.
    assert (center.code, center.phone, center.investor_name) == ("12345", "0912345678", "1.5")


def test_wrong_headers_are_refused(department_user, commune):
    headers = list(HEADERS)
    headers[1] = "Tên"
    errors = _refused(xlsx([make_row()], headers=headers), department_user)
    assert errors == [
        "Dòng 1 là dòng tên cột nhưng chưa đúng mẫu: thiếu cột «Tên trung tâm»; cột không có trong mẫu «Tên». "
        "Hãy tải tệp mẫu và giữ nguyên dòng tên cột."
    ]


def test_file_without_data_rows_is_refused(department_user):
    assert _refused(xlsx([]), department_user) == ["Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."]


def test_inspector_cannot_use_the_import_service(inspector, commune):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(xlsx([make_row()]), inspector)


# Pages


def upload(data: bytes, name="trung-tam.xlsx", **extra) -> dict:
    return {"file": SimpleUploadedFile(name, data), **extra}


def test_anonymous_user_is_sent_to_login(client):
    urls = (reverse("centers:center_import"), reverse("centers:center_import_template"),
            reverse("centers:center_import_status", args=[1]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["inspector", "director", "local_officer"])
def test_only_department_staff_may_import(client, request, role, commune, department_user):
    center_import = CenterImport.objects.create(
        province=department_user.province, created_by=department_user, original_name="a.xlsx",
    )
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("centers:center_import")).status_code == 403
    assert client.get(reverse("centers:center_import_template")).status_code == 403
    assert client.get(center_import.get_absolute_url()).status_code == 403
    assert client.post(reverse("centers:center_import"), upload(xlsx([make_row()]))).status_code == 403
    assert not Center.objects.filter(code="NN100").exists()


def test_template_has_the_headers_and_one_marked_example_that_is_never_imported(client, department_user, commune):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_import_template"))
    assert response.status_code == 200
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == HEADERS and len(rows) == 2
    assert rows[1][0] == "VÍ DỤ" and "dòng ví dụ" in rows[1][1]
    assert rows[1][5] == "Phường Kinh Bắc" and rows[1][6] == "Tỉnh Bắc Ninh"
    result = run(response.content, department_user)
    assert not result.written and result.examples == [2]
    assert "ví dụ của tệp mẫu" in messages(result)[0]
    assert not Center.objects.exists()


def test_page_previews_a_small_file_then_imports_it_on_confirmation(client, department_user, commune):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_import"))
    assert response.status_code == 200
    assert "Tải lên và xem trước" in response.content.decode()
    response = client.post(reverse("centers:center_import"), upload(xlsx([make_row(), make_row(code="NN101")])))
    center_import = CenterImport.objects.get()
    assert response.status_code == 302 and response.url == center_import.get_absolute_url()
    assert not Center.objects.exists(), "the preview writes nothing"
    page = client.get(response.url).content.decode()
    assert 'id="preview-new">2<' in page and 'id="import-confirm"' in page
    response = client.post(reverse("centers:center_import_confirm", args=[center_import.pk]))
    assert response.status_code == 302 and response.url == center_import.get_absolute_url()
    assert Center.objects.count() == 2
    center_import.refresh_from_db()
    assert (center_import.stage, center_import.status, center_import.created) == ("import", "done", 2)
    assert "Thêm mới 2, cập nhật 0 trung tâm." in client.get(response.url).content.decode()


def test_page_shows_row_errors_and_writes_nothing(client, department_user, commune):
    client.force_login(department_user)
    response = client.post(
        reverse("centers:center_import"),
        upload(xlsx([make_row(), make_row(code="NN101", licence_signed_on="1/13/2025")])),
    )
    center_import = CenterImport.objects.get()
    content = client.get(response.url).content.decode()
    assert "Dòng 3, cột «Ngày quyết định»: ngày không hợp lệ, cần dạng dd/mm/yyyy." in content
    assert 'id="preview-errors">1<' in content
    assert "Nhập 1 trung tâm, bỏ qua 1 dòng lỗi" in content
    assert not Center.objects.exists()
    # «Nhập» without choosing to leave the bad rows out is refused.
    client.post(reverse("centers:center_import_confirm", args=[center_import.pk]))
    assert not Center.objects.exists()
    client.post(reverse("centers:center_import_confirm", args=[center_import.pk]), {"valid_only": "1"})
    assert list(Center.objects.values_list("code", flat=True)) == ["NN100"]
    center_import.refresh_from_db()
    assert center_import.valid_only and center_import.status == "done"


def test_page_shows_file_errors_on_the_form(client, department_user):
    client.force_login(department_user)
    response = client.post(reverse("centers:center_import"), upload(b"not a workbook"))
    assert response.status_code == 200
    assert "không phải là tệp Excel .xlsx hợp lệ" in response.content.decode()


def test_page_refuses_an_oversized_upload_without_keeping_it(client, department_user, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(department_user)
    response = client.post(reverse("centers:center_import"), upload(b"x" * 5000, name="big.csv"))
    assert response.status_code == 200
    assert "Tệp lớn hơn giới hạn 0 MB." in response.content.decode()


def test_page_checks_the_csrf_token(department_user, commune):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(department_user)
    response = client.post(reverse("centers:center_import"), upload(xlsx([make_row()])))
    assert response.status_code == 403
    assert not Center.objects.exists()


def test_large_file_runs_in_the_background_with_a_status_page(
    client, department_user, commune, settings, django_capture_on_commit_callbacks,
):
    settings.IMPORT_ASYNC_ROWS = 2
    client.force_login(department_user)
    rows = [make_row(code=f"NN{n:03d}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("centers:center_import"), upload(xlsx(rows)))
    center_import = CenterImport.objects.get()
    assert response.status_code == 302 and response.url == center_import.get_absolute_url()
    center_import.refresh_from_db()
    # The worker made the preview; a poll of the finished preview reloads the page to show it.
    assert (center_import.stage, center_import.status, center_import.preview["new"]) == ("preview", "done", 5)
    assert not Center.objects.exists()
    fragment = client.get(center_import.get_absolute_url(), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("centers:center_import_confirm", args=[center_import.pk]))
    center_import.refresh_from_db()
    assert center_import.status == CenterImport.Status.DONE and center_import.stage == "import"
    assert (center_import.attempts, center_import.stage_first_attempt, center_import.is_retry) == (2, 2, False)
    assert (center_import.total_rows, center_import.processed_rows, center_import.created) == (5, 5, 5)
    assert center_import.province == department_user.province and center_import.created_by == department_user
    assert center_import.file.name.startswith("imports/") and "trung-tam" not in center_import.file.name
    assert Center.objects.count() == 5

    page = client.get(center_import.get_absolute_url())
    assert page.status_code == 200
    assert 'data-progress="100"' in page.content.decode()
    assert 'hx-trigger="every 1s"' not in page.content.decode()
    fragment = client.get(center_import.get_absolute_url(), headers={"HX-Request": "true"})
    assert fragment.status_code == 286, "htmx stops polling a finished import"
    assert "Thêm mới 5, cập nhật 0 trung tâm." in fragment.content.decode()


def test_running_import_page_polls_its_progress(client, department_user, province):
    center_import = CenterImport.objects.create(
        province=province, created_by=department_user, original_name="a.xlsx", status="running",
        total_rows=800, processed_rows=200,
    )
    client.force_login(department_user)
    content = client.get(center_import.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in content and 'data-progress="25"' in content
    assert "style=" not in content and "<script>" not in content
    fragment = client.get(center_import.get_absolute_url(), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "200/800" in fragment.content.decode()


def test_background_import_with_errors_is_failed_and_lists_them(
    client, department_user, commune, settings, django_capture_on_commit_callbacks,
):
    settings.IMPORT_ASYNC_ROWS = 1
    client.force_login(department_user)
    rows = [make_row(code="NN001"), make_row(code="NN002", kind="Không rõ")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("centers:center_import"), upload(xlsx(rows)))
    center_import = CenterImport.objects.get()
    assert center_import.errors[0]["row"] == 3 and center_import.errors[0]["column"] == "Loại hình"
    assert center_import.preview["error_rows"] == 1
    assert not Center.objects.exists()
    assert "Dòng 3, cột «Loại hình»" in client.get(center_import.get_absolute_url()).content.decode()
    # The import by the worker checks everything again: still refused, nothing written.
    CenterImport.objects.filter(pk=center_import.pk).update(preview={**center_import.preview, "error_rows": 0})
    center_import.refresh_from_db()
    from centers.imports import center_import_confirm

    with django_capture_on_commit_callbacks(execute=True):
        center_import_confirm(center_import=center_import, valid_only=False)
    center_import.refresh_from_db()
    assert center_import.status == CenterImport.Status.FAILED and center_import.stage == "import"
    assert not Center.objects.exists()


def test_broker_down_marks_the_import_failed(
    client, department_user, commune, settings, monkeypatch, django_capture_on_commit_callbacks,
):
    from centers import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.center_import_run_task, "apply_async", refuse)
    settings.IMPORT_ASYNC_ROWS = 1
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("centers:center_import"), upload(xlsx([make_row(), make_row(code="NN2")])))
    assert response.status_code == 302
    center_import = CenterImport.objects.get()
    assert center_import.status == CenterImport.Status.FAILED
    assert "Không gửi được việc nhập tới hàng đợi" in center_import.errors[0]["message"]
    assert not Center.objects.exists()


def test_status_page_of_another_province_is_not_found(client, foreign_department_user, department_user, province):
    center_import = CenterImport.objects.create(province=province, created_by=department_user, original_name="a.xlsx")
    client.force_login(foreign_department_user)
    assert client.get(center_import.get_absolute_url()).status_code == 404


def test_a_claimed_import_is_not_run_twice(department_user, province):
    from centers.tasks import center_import_run_task

    center_import = CenterImport.objects.create(
        province=province, created_by=department_user, original_name="a.xlsx", status="running",
    )
    center_import_run_task(center_import.pk)
    center_import.refresh_from_db()
    assert center_import.status == CenterImport.Status.RUNNING


def test_purge_deletes_old_upload_files_and_fails_stuck_imports(department_user, province):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    old = CenterImport.objects.create(
        province=province, original_name="old.xlsx", file=ContentFile(b"x", name="old.xlsx"), status="done",
        finished_at=timezone.now() - datetime.timedelta(days=30),
    )
    recent = CenterImport.objects.create(
        province=province, original_name="new.xlsx", file=ContentFile(b"x", name="new.xlsx"), status="done",
        finished_at=timezone.now(),
    )
    stuck = CenterImport.objects.create(province=province, original_name="s.xlsx", status="running")
    CenterImport.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    path = old.file.path
    assert center_imports_purge() == 1
    old.refresh_from_db(), recent.refresh_from_db(), stuck.refresh_from_db()
    assert old.file.name == "" and not __import__("os").path.exists(path)
    assert recent.file.name
    assert stuck.status == CenterImport.Status.FAILED


# Command line


def test_command_imports_a_file(tmp_path, department_user, commune):
    path = tmp_path / "trung-tam.csv"
    path.write_bytes(csv_file([make_row()]))
    out = io.StringIO()
    call_command("import_centers", str(path), "--user", "sogd", "--province", "24", stdout=out)
    assert "thêm mới 1" in out.getvalue()
    assert Center.objects.get().history.get().history_user == department_user


def test_command_refuses_a_file_with_errors_unless_valid_only(tmp_path, commune):
    path = tmp_path / "trung-tam.xlsx"
    path.write_bytes(xlsx([make_row(), make_row(code="NN101", kind="?")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Không nhập gì: 1 lỗi trong 2 dòng"):
        call_command("import_centers", str(path), stderr=err)
    assert "Dòng 3, cột «Loại hình»" in err.getvalue()
    assert not Center.objects.exists()
    call_command("import_centers", str(path), "--valid-only", stdout=io.StringIO(), stderr=io.StringIO())
    assert Center.objects.count() == 1


def test_command_province_option_limits_the_rows(tmp_path, commune, other_province):
    path = tmp_path / "trung-tam.xlsx"
    path.write_bytes(xlsx([make_row()]))
    with pytest.raises(CommandError):
        call_command("import_centers", str(path), "--province", "01", stderr=io.StringIO())
    assert not Center.objects.exists()


# A real worker (CI pass 2: PostgreSQL and Redis)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_large_upload_is_imported_by_the_celery_worker(
    celery_worker_process, client, department_user, commune, settings,
):
    import edu_portal.settings as base_settings

    # Only the web side decides what goes to the background, so only it needs the
    # small threshold. The file must land where the worker (with its own settings)
    # looks for it: the MEDIA_ROOT of the environment, not the test's temp folder.
    settings.IMPORT_ASYNC_ROWS = 2
    settings.MEDIA_ROOT = base_settings.MEDIA_ROOT
    client.force_login(department_user)
    rows = [make_row(code=f"CW{n:03d}") for n in range(5)]
    response = client.post(reverse("centers:center_import"), upload(xlsx(rows)))
    assert response.status_code == 302
    center_import = CenterImport.objects.get()

    def finished():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            center_import.refresh_from_db()
            if center_import.is_finished:
                return
            time.sleep(0.5)

    try:
        # The worker previews the file first and writes nothing ...
        finished()
        assert center_import.awaits_confirmation, (center_import.stage, center_import.status, center_import.errors)
        assert center_import.preview["new"] == 5
        assert not Center.objects.exists()
        # ... then imports it once staff confirm the preview.
        response = client.post(reverse("centers:center_import_confirm", args=[center_import.pk]))
        assert response.status_code == 302
        finished()
        assert center_import.stage == CenterImport.Stage.IMPORT
        assert center_import.status == CenterImport.Status.DONE, center_import.errors
        assert center_import.created == 5
        assert set(Center.objects.values_list("code", flat=True)) == {f"CW{n:03d}" for n in range(5)}
        assert all(c.current_licence_id for c in Center.objects.all())
    finally:
        center_import.file.delete(save=False)
