"""The shared file toolkit (edu_portal.files): hostile spreadsheets refused before any
reader sees them, uploads cut at their limit, and every download private, typed and
safely named."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory, override_settings
from openpyxl import Workbook

from edu_portal import files
from edu_portal.files import (
    FileRefused,
    UploadLimit,
    check_xlsx,
    content_disposition,
    private_download,
    read_xlsx,
)

UNSAFE = files.unsafe_message()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _workbook(build=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    if build:
        build(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        read_xlsx(data)
    return caught.value.message


# Hostile spreadsheets


def test_a_member_inflating_a_thousandfold_is_refused_on_the_directory():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"\0" * (8 * 1024 * 1024)})
    assert _refusal(bomb) == UNSAFE


def test_too_much_inflated_data_in_total_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED_BYTES", 100_000)
    members = _members(_workbook())
    members.update({f"xl/media/{n}.bin": bytes(range(256)) * 200 for n in range(3)})  # 150 kB, ratio ~1
    assert _refusal(_zip(members)) == UNSAFE


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_MEMBERS", 12)
    members = _members(_workbook())
    members.update({f"xl/media/{n}.bin": b"x" for n in range(20)})
    assert _refusal(_zip(members)) == UNSAFE


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b'<!doctype x SYSTEM "http://example.invalid/x.dtd">',
])
def test_a_dtd_in_any_part_is_refused(part, doctype):
    members = _members(_workbook(lambda wb, sheet: sheet.append(["a"])))
    content = members[part]
    declaration_end = content.index(b"?>") + 2 if content.startswith(b"<?xml") else 0
    members[part] = content[:declaration_end] + doctype + content[declaration_end:]
    assert _refusal(_zip(members)) == UNSAFE


def test_a_dtd_cut_by_the_read_chunk_is_still_seen():
    members = _members(_workbook(lambda wb, sheet: sheet.append(["a"])))
    # "<!DOCTYPE" straddling the 1 MB chunk boundary of the scan, inside a comment padding.
    padding = b"<!--" + b" " * ((1 << 20) - 4 - 4 - 4) + b"-->"
    content = members["xl/styles.xml"]
    if content.startswith(b"<?xml"):
        content = content[content.index(b"?>") + 2:]
    members["xl/styles.xml"] = padding + b"<!DOCTYPE x>" + content
    assert _refusal(_zip(members)) == UNSAFE


def test_a_utf16_part_is_refused():
    members = _members(_workbook(lambda wb, sheet: sheet.append(["a"])))
    members["xl/sharedStrings.xml"] = '<?xml version="1.0" encoding="UTF-16"?><sst/>'.encode("utf-16")
    assert _refusal(_zip(members)) == UNSAFE


@pytest.mark.parametrize("reference", ["ZZZZZZZ2", "XFE2", "A1048577", "XFD1048576", "Ä2", "B-2", ""])
def test_cell_references_beyond_what_can_be_read_are_refused_before_reading(reference):
    """A grid reader allocates the span of the cells: one cell at XFD1048576 would be
    17 billion cells, an abort of the process rather than an exception."""
    members = _members(_workbook(lambda wb, sheet: sheet.append(["a"])))
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        "</sheetData>", f'<row r="2"><c r="{reference}"><v>1</v></c></row></sheetData>').encode()
    assert _refusal(_zip(members)) == UNSAFE


def test_the_span_limit_counts_rows_times_columns(monkeypatch):
    monkeypatch.setattr(files, "MAX_SHEET_CELLS", 100)
    assert read_xlsx(_workbook(lambda wb, sheet: sheet.append(["x"] * 10)))
    wide = _workbook(lambda wb, sheet: [sheet.append(["x"] * 10) for _ in range(11)])
    assert _refusal(wide) == UNSAFE


@pytest.mark.parametrize(("data", "message"), [
    (b"Ma trung tam,Ten\r\n", files.not_xlsx_message()),  # a CSV renamed .xlsx
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, files.xls_message()),  # an .xls or a password
    (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"}),
     files.not_xlsx_message()),  # a Word document renamed .xlsx
    (b"PK\x03\x04 not really a zip", files.not_xlsx_message()),
    (b"", files.not_xlsx_message()),
])
def test_a_disguised_file_is_refused_with_what_to_do(data, message):
    assert _refusal(data) == message


def test_a_damaged_package_is_refused_not_crashed():
    members = _members(_workbook(lambda wb, sheet: sheet.append(["a"])))
    members["xl/workbook.xml"] = b"<workbook><sheets><sheet name="
    assert _refusal(_zip(members)) == files.damaged_message()


# Reading


def test_the_first_visible_sheet_is_read_with_its_values_as_typed():
    def build(workbook, sheet):
        lookup = workbook.create_sheet("Danh mục", 0)
        lookup.sheet_state = "hidden"
        lookup.append(["không đọc"])
        sheet["A3"] = "Tiêu đề"
        sheet.append(["0912345678", 912345678, datetime.date(2026, 3, 5), "Trung tâm A", True])
        sheet["C4"].number_format = "DD/MM/YYYY"
        workbook.create_sheet("Khác").append(["không đọc"])

    sheet = read_xlsx(_workbook(build))
    assert sheet.name == "Danh sách" and sheet.several
    rows = list(sheet.rows())
    assert rows[2][0] == 3 and rows[2][1][0] == "Tiêu đề", "row numbers are the sheet's own"
    number, cells = rows[3]
    assert number == 4
    assert cells[0] == "0912345678", "text keeps its leading 0"
    assert cells[1] == 912345678 and not isinstance(cells[1], str), "a number stays a number (flagged later)"
    assert cells[2] == datetime.date(2026, 3, 5)
    assert cells[3:] == ("Trung tâm A", True)
    assert sheet.notes == [
        "Bỏ qua 1 trang tính ẩn («Danh mục»); đọc trang «Danh sách».",
        "Tệp có 2 trang tính; chỉ đọc trang đầu tiên «Danh sách», các trang khác không được nhập.",
    ]


def test_a_workbook_whose_sheets_are_all_hidden_says_so():
    members = _members(_workbook(lambda wb, sheet: sheet.append(["a"])))
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(b'state="visible" r:id', b'state="hidden" r:id')
    assert b'state="hidden"' in members["xl/workbook.xml"]
    with pytest.raises(FileRefused, match="Mọi trang tính của tệp đều đang ẩn"):
        read_xlsx(_zip(members))


def test_the_checks_cost_little_on_a_real_file():
    data = _workbook(lambda wb, sheet: [sheet.append([f"TT{n}", "Trung tâm", n]) for n in range(2000)])
    assert check_xlsx(data)


# Uploads


def test_an_upload_past_its_limit_is_cut_and_flagged():
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("a.pdf", b"%PDF" + b"x" * 5000)})
    limit = UploadLimit(request, 1000)
    request.upload_handlers = [limit, *request.upload_handlers]
    assert "file" not in request.FILES
    assert limit.exceeded


def test_an_upload_within_its_limit_is_kept():
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7 ok")})
    limit = UploadLimit(request, 1000)
    request.upload_handlers = [limit, *request.upload_handlers]
    assert request.FILES["file"].read() == b"%PDF-1.7 ok"
    assert not limit.exceeded


# Downloads


def test_a_download_is_private_typed_and_safely_named():
    response = private_download(b"PK\x03\x04", "Tổng hợp báo cáo kỳ 1.xlsx")
    assert response["Content-Type"] == files.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename=\"tong-hop-bao-cao-ky-1.xlsx\"; "
        "filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p%20b%C3%A1o%20c%C3%A1o%20k%E1%BB%B3%201.xlsx"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == "4"


def test_only_what_a_browser_shows_safely_is_sent_inline():
    assert private_download(b"%PDF", "Báo cáo.pdf", inline=True)["Content-Disposition"].startswith(
        'inline; filename="bao-cao.pdf"')
    assert private_download(b"x", "a.docx", inline=True)["Content-Disposition"].startswith("attachment;")
    assert private_download(b"x", "a.html", inline=True)["Content-Type"] == "application/octet-stream"
    assert private_download(b"x", "a.html", inline=True)["Content-Disposition"].startswith("attachment;")


def test_a_name_cannot_break_out_of_the_header():
    header = content_disposition('../../"x"\r\nSet-Cookie: a=b.pdf')
    assert "\r" not in header and "\n" not in header and "/" not in header.split("filename*")[0]
    header.encode("ascii")


# Every download URL of the site answers with the same headers.

DOWNLOADS = {
    "centers:center_export_xlsx": files.XLSX_CONTENT_TYPE,
    "centers:center_export_csv": "text/csv; charset=utf-8",
    "centers:center_import_template": files.XLSX_CONTENT_TYPE,
    "centers:licence_document_pdf": files.PDF_CONTENT_TYPE,
    "reports:attachment_download": files.PDF_CONTENT_TYPE,
    "reports:version_pdf": files.PDF_CONTENT_TYPE,
    "reports:dashboard_export_summary": files.XLSX_CONTENT_TYPE,
    "reports:dashboard_export_values": files.XLSX_CONTENT_TYPE,
    "conferences:conference_minutes_pdf": files.PDF_CONTENT_TYPE,
    "conferences:conference_attachment_download": files.PDF_CONTENT_TYPE,
    "conferences:directive_pdf": files.PDF_CONTENT_TYPE,
    "conferences:evidence_download": files.PDF_CONTENT_TYPE,
    "documents:pdf_job_download": files.PDF_CONTENT_TYPE,
    "inspections:compliance_export": files.XLSX_CONTENT_TYPE,
    "inspections:inspection_pdf": files.PDF_CONTENT_TYPE,
}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    from tests.site_urls import seed_site

    media = tmp_path_factory.mktemp("media")
    settings = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                 MEDIA_ROOT=media)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield {"users": seed_site(), "media": media}
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("name", DOWNLOADS)
def test_every_download_url_is_private_typed_and_named(site, name, client, settings):
    from tests.site_urls import _build, _candidates, url_patterns

    settings.MEDIA_ROOT = site["media"]  # where seed_site() stored its files (conftest gives each test its own)
    pattern = next(p for p in url_patterns() if p.name == name)
    answers = []
    for role in ("department", "inspector", "director", "local_officer"):
        user = site["users"][role]
        candidates, reachable = _candidates(pattern, user, 1) if pattern.arguments() else ([{}], True)
        if not reachable:
            continue
        client.force_login(user)
        response = client.get(_build(pattern, candidates[0]))
        answers.append((role, response.status_code))
        if response.status_code == 200:
            break
    else:
        pytest.fail(f"no demo user could download {name}: {answers}")
    assert response["Content-Type"] == DOWNLOADS[name]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(("attachment; filename=\"", "inline; filename=\"")), disposition
    assert "filename*=UTF-8''" in disposition
    if DOWNLOADS[name] != files.PDF_CONTENT_TYPE:
        assert disposition.startswith("attachment;"), "a spreadsheet is always saved, never shown"
