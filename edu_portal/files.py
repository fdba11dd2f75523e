"""Files in and out of the portal, for every app: reading an uploaded spreadsheet safely,
checking Office packages, limiting uploads, and sending private downloads.

Why a module of the project package and not an app: it has no models, no URLs, no
templates and no settings of its own, so it is not an INSTALLED_APP; like
edu_portal.views (shared view helpers) and edu_portal.pdf (the one PDF renderer) it is
cross-cutting plumbing that the apps import. What a file *means* stays in the app that
owns it: the registry's columns and its import rules are centers.excel and
centers.imports; which attachment types a report accepts is reports.validators.

- Office packages (.xlsx, .docx, .pptx): `check_ooxml` refuses, on the zip directory and
  before anything is inflated, what is not a zip holding the parts of the claimed kind
  and what looks like a zip bomb (too many members, too much inflated data, a member
  inflating more than MAX_COMPRESSION_RATIO times).
- Spreadsheets: `read_xlsx` puts those checks and a refusal of any DTD (entity expansion
  and external entities need one) in front of python-calamine, which reads the values of
  the first visible sheet. A disguised file (an .xlsx that is not a zip, an .xls or a
  password-protected workbook renamed) is refused with a message saying what to do.
- Writing: `sheets_workbook` for tabular exports, every text cell through `text_cell` so
  that nothing a user typed runs as a formula (`protect` does the same for CSV).
- Uploads: `UploadLimit` stops reading a request's file past its limit.
- Downloads: `private_download` is the only way a view sends a file: a safe Vietnamese
  file name (RFC 5987), the content type of the file's kind, never sniffed, never cached
  by anyone but the user's own browser (Cache-Control: private, no-store).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from urllib.parse import quote

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geo.text import fold


class FileRefused(Exception):
    """A file as a whole cannot be taken: wrong type, too big, unsafe, unreadable."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Content types

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
CONTENT_TYPES = {
    "pdf": PDF_CONTENT_TYPE,
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX_CONTENT_TYPE,
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    # With its charset: Excel and browsers otherwise guess one.
    "csv": "text/csv; charset=utf-8",
}
# What a browser may show in the page rather than save; anything else is always a download.
INLINE_CONTENT_TYPES = frozenset({PDF_CONTENT_TYPE, "image/jpeg", "image/png"})


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def content_type_for(kind: str) -> str:
    """The content type for a file name ("Báo cáo.xlsx") or a file type ("xlsx")."""
    return CONTENT_TYPES.get(extension_of(kind) or kind.lower(), "application/octet-stream")


# Office packages

# The header of an OLE2 compound file: Excel 97-2003 workbooks (.xls), Word .doc, and also
# .xlsx/.docx files protected by a password (Office encrypts them into such a container).
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

# The parts without which a package is not a workbook, a document or a presentation.
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
PPTX_PARTS = ("[Content_Types].xml", "ppt/presentation.xml")

# Zip-bomb guards, checked on the zip directory before anything is inflated. A workbook
# from Excel or LibreOffice has 10-40 members; a 25,000-row registry sheet inflates to
# about 17 MB at about 16:1. A bomb inflates a thousandfold.
MAX_ZIP_MEMBERS = 1000
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Small members cannot hurt whatever their ratio (deflate tops out near 1000:1).
RATIO_CHECK_MIN_BYTES = 1024 * 1024


def check_ooxml(source: bytes | BinaryIO, *, required_parts: Iterable[str], invalid_message: str,
                unsafe: str) -> zipfile.ZipFile:
    """Open an Office Open XML package (.xlsx, .docx, .pptx) read from bytes or a seekable
    file, refusing with `invalid_message` what is not a zip holding `required_parts`, and
    with `unsafe` a zip bomb, all on the zip directory, before any member is inflated."""
    head = source[:4] if isinstance(source, bytes) else _peek(source, 4)
    if head != ZIP_SIGNATURE:
        raise FileRefused(invalid_message)
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileRefused(invalid_message) from None
    names = {member.filename for member in members}
    if not all(part in names for part in required_parts):
        raise FileRefused(invalid_message)
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRefused(unsafe)
    total = 0
    for member in members:
        # zipfile never inflates past file_size (a lying header fails its CRC), so the
        # declared sizes bound what can be made to be read.
        total += member.file_size
        if member.file_size > RATIO_CHECK_MIN_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise FileRefused(unsafe)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(unsafe)
    return archive


def _peek(stream: BinaryIO, size: int) -> bytes:
    stream.seek(0)
    head = stream.read(size)
    stream.seek(0)
    return head


# A DTD is the only way to declare entities (the "billion laughs" expansion, external
# entities reading local files). No part Office writes has one.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# The tail kept between chunks, so that a marker cut by a chunk boundary is still seen.
_DTD_TAIL = len(b"<!DOCTYPE") - 1


def refuse_dtd(archive: zipfile.ZipFile, *, unsafe: str) -> None:
    """Refuse a package any of whose XML parts declares a DTD, or is not in UTF-8 (a
    UTF-16 part could spell "<!DOCTYPE" in a way this scan does not see; Office writes
    UTF-8). Called after check_ooxml, which has bounded what inflating can cost."""
    for member in archive.infolist():
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        with archive.open(member) as stream:
            first = True
            while chunk := stream.read(1 << 20):
                if first and chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
                    raise FileRefused(unsafe)
                first = False
                if _DTD.search(tail + chunk):
                    raise FileRefused(unsafe)
                tail = chunk[-_DTD_TAIL:]


def unsafe_message() -> str:
    return _(
        "Tệp Excel có cấu trúc bất thường (quá nhiều thành phần, dung lượng giải nén quá lớn "
        "hoặc nội dung XML không an toàn) nên không mở."
    )


def damaged_message() -> str:
    return _("Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng.")


def not_xlsx_message() -> str:
    return _("Tệp không phải là tệp Excel .xlsx hợp lệ (tệp .xls cũ hoặc tệp có mật khẩu cần lưu lại thành .xlsx).")


def xls_message() -> str:
    return _(
        "Đây là tệp Excel 97-2003 (.xls) hoặc tệp Excel có đặt mật khẩu, cổng chưa đọc được. Hãy mở tệp bằng "
        "Excel (hoặc LibreOffice), gỡ mật khẩu nếu có, chọn Lưu thành › «Sổ làm việc Excel (.xlsx)», rồi tải "
        "lên tệp .xlsx vừa lưu."
    )


def utf16_message() -> str:
    return _(
        "Đây là tệp «Văn bản Unicode» (UTF-16, phân cách bằng dấu Tab) của Excel, cổng chưa đọc được. Hãy mở "
        "tệp bằng Excel, chọn Lưu thành › «CSV UTF-8 (phân cách bằng dấu phẩy) (.csv)» hoặc «Sổ làm việc "
        "Excel (.xlsx)», rồi tải lên tệp vừa lưu."
    )


# Excel's own limits: columns A..XFD, rows 1..1,048,576.
MAX_COLUMNS = 16_384
MAX_ROWS_IN_SHEET = 1_048_576
# A sheet is read into a dense grid spanning its cells: a file holding one cell at A1 and
# one at XFD1048576 would ask for 17 billion cells (a crash, not an exception). The
# registry's 25,000 rows x 15 columns are 375,000 cells.
MAX_SHEET_CELLS = 2_000_000
# Cell references (<c r="B12">) and row numbers (<row r="12">) of a worksheet part.
_REFERENCE = re.compile(rb'\sr="([^"]*)"')
_CELL_REFERENCE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")


def check_sheet_extent(archive: zipfile.ZipFile, *, unsafe: str) -> None:
    """Refuse a worksheet whose cells span more than MAX_SHEET_CELLS, or whose references
    are not Excel's (a column past XFD, a row past 1,048,576, anything but A1 style),
    before the sheet is read into a grid."""
    for member in archive.infolist():
        name = member.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        last_row = last_column = 0
        tail = b""
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(1 << 20)
                text = tail + chunk
                # Cut before the last "<": an attribute value cannot hold one, so what
                # comes before is whole tags and a reference cut by the chunk boundary
                # is read whole with the next chunk.
                cut = max(text.rfind(b"<"), 0) if chunk else len(text)
                if len(text) - cut > 1 << 20:
                    raise FileRefused(unsafe)  # no tag Excel writes is a megabyte long
                for value in _REFERENCE.findall(text, 0, cut):
                    row, column = _row_column(value, unsafe)
                    last_row, last_column = max(last_row, row), max(last_column, column)
                if not chunk:
                    break
                tail = text[cut:]
        if last_row > MAX_ROWS_IN_SHEET or last_column > MAX_COLUMNS:
            raise FileRefused(unsafe)
        if last_row * max(last_column, 1) > MAX_SHEET_CELLS:
            raise FileRefused(unsafe)


def _row_column(value: bytes, unsafe: str) -> tuple[int, int]:
    """(row, column) of "B12" (column 0 for a row's own number "12"); A1 style only."""
    if value.isdigit():
        return int(value), 0
    match = _CELL_REFERENCE.fullmatch(value)
    if match is None:
        raise FileRefused(unsafe)
    letters, digits = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + letter - 64
    return int(digits), column


def check_xlsx(data: bytes) -> zipfile.ZipFile:
    """Refuse anything but a plausible, safe .xlsx package: a zip holding a workbook, no
    zip bomb, no DTD in any part, no sheet spanning more cells than can be read."""
    if data.startswith(OLE2_SIGNATURE):
        raise FileRefused(xls_message())
    archive = check_ooxml(data, required_parts=XLSX_PARTS, invalid_message=not_xlsx_message(),
                          unsafe=unsafe_message())
    try:
        refuse_dtd(archive, unsafe=unsafe_message())
        check_sheet_extent(archive, unsafe=unsafe_message())
    except FileRefused:
        raise
    except Exception:  # a member that does not inflate (bad CRC, unknown method...)
        raise FileRefused(damaged_message()) from None
    return archive


# Spreadsheets


@dataclass
class SheetData:
    """The first visible sheet of a workbook: its name, its rows, and what the reader
    left out (hidden sheets, the other visible sheets), to show the person importing."""

    name: str
    visible_count: int
    _rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def several(self) -> bool:
        return self.visible_count > 1

    def count_rows(self) -> int:
        return len(self._rows)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(sheet row number, cell values) for each row; an empty cell is ""."""
        for number, cells in enumerate(self._rows, start=1):
            yield number, tuple(cells)


def read_xlsx(data: bytes, *, all_hidden_message: str | None = None) -> SheetData:
    """The values of the first visible sheet of an uploaded .xlsx, after check_xlsx.

    Values are what the file holds: a formula's cached result, text as text (a leading 0
    kept), numbers as floats, date cells as datetime.date or datetime.datetime (the
    workbook's 1900 or 1904 calendar applied). Hidden sheets (a lookup list, an old copy)
    are left out, and said so in `notes`.
    """
    import python_calamine

    check_xlsx(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [s for s in workbook.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.WorkSheet]
    except Exception:  # a damaged package fails in many ways
        raise FileRefused(damaged_message()) from None
    if not sheets:
        raise FileRefused(_("Tệp Excel không có trang tính nào."))
    visible = [s for s in sheets if s.visible == python_calamine.SheetVisibleEnum.Visible]
    if not visible:
        raise FileRefused(all_hidden_message or _(
            "Mọi trang tính của tệp đều đang ẩn. Hãy hiện trang cần nhập (chuột phải vào tên trang › Hiện), "
            "lưu lại rồi tải lên."
        ))
    name = visible[0].name
    notes: list[str] = []
    hidden = [s.name for s in sheets if s not in visible]
    if hidden:
        notes.append(_("Bỏ qua %(count)s trang tính ẩn (%(names)s); đọc trang «%(sheet)s».") % {
            "count": len(hidden), "names": ", ".join(f"«{n}»" for n in hidden), "sheet": name,
        })
    if len(visible) > 1:
        notes.append(_(
            "Tệp có %(count)s trang tính; chỉ đọc trang đầu tiên «%(sheet)s», các trang khác không được nhập."
        ) % {"count": len(visible), "sheet": name})
    try:
        # skip_empty_area=False: row 1 of the list is row 1 of the sheet, so messages can
        # name the row people see.
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        raise FileRefused(damaged_message()) from None
    return SheetData(name, len(visible), rows, notes)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_date(value: Any) -> bool:
    return isinstance(value, datetime.date)


XLSX_DATE_FORMAT = "DD/MM/YYYY"
# A cell starting with one of these is run as a formula by Excel or LibreOffice (OWASP
# "CSV injection"). In .xlsx the cell is typed: text_cell() stores such a value as a text
# cell, exactly as typed. A CSV has no types, so there the export prefixes a single quote
# (protect) and the import takes it off again (unprotect).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Formula injection


def protect(value: Any) -> Any:
    """Make a CSV field inert for spreadsheet programs: "=1+1" is written as "'=1+1"."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def text_cell(sheet, value: Any) -> Any:
    """An .xlsx cell for `value`: a text that a spreadsheet would read as a formula becomes
    a text cell holding exactly that text, never a formula, styled "quote prefix" so that
    Excel and LibreOffice keep it text when someone edits it (the quote is not shown, and
    "+84 912 345 678" stays a phone number). Anything else is returned unchanged."""
    if not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    # openpyxl types a value starting with "=" as a formula: force the type back.
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def unprotect(value: str) -> str:
    """Undo protect(): drop one leading quote when a formula trigger follows it."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value




# Writing spreadsheets

@dataclass
class Sheet:
    """One sheet of a tabular export: optional title lines, a bold header, the rows."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]
    widths: tuple[int, ...] = ()
    preamble: list[list[Any]] = field(default_factory=list)


def styled_cell(sheet, value: Any):
    """A cell object (to take a font or a number format) holding `value` safely."""
    cell = text_cell(sheet, value)
    return WriteOnlyCell(sheet, value=value) if cell is value else cell


def sheets_workbook(sheets: Iterable[Sheet]) -> bytes:
    """An .xlsx of several sheets for summaries other apps export (report completeness...).

    Text cells go through text_cell() like the registry's; dates get the dd/mm/yyyy format.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        # Excel refuses sheet titles over 31 characters or with []:*?/\ in them.
        title = re.sub(r"[\[\]:*?/\\]", " ", spec.title)[:31]
        sheet = workbook.create_sheet(title)
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = f"A{len(spec.preamble) + 2}"
        for line in spec.preamble:
            cells = [styled_cell(sheet, value) for value in line]
            if cells:
                cells[0].font = bold
            sheet.append(cells)
        header = []
        for text in spec.headers:
            cell = styled_cell(sheet, text)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in spec.rows:
            cells = []
            for value in row:
                cell = styled_cell(sheet, value)
                if isinstance(value, datetime.date):
                    cell.number_format = XLSX_DATE_FORMAT
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()



# Uploads


class UploadLimit(FileUploadHandler):
    """Stops reading a file past `max_bytes` instead of spooling any size to disk first;
    the view then refuses the whole form (nothing is stored). Install it before the
    request's body is read: `request.upload_handlers.insert(0, UploadLimit(...))`."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


# Downloads


def ascii_filename(filename: str) -> str:
    """The file name for clients that ignore RFC 5987: no diacritics, no quotes, no path."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    folded = fold(stem.replace("/", "-").replace("\\", "-"))
    safe = re.sub(r"[^a-z0-9.]+", "-", folded).strip("-.") or "tai-lieu"
    extension = re.sub(r"[^a-z0-9]+", "", extension.lower())
    return f"{safe[:150]}.{extension}" if extension else safe[:150]


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`inline` or `attachment`, with a safe ASCII name plus the UTF-8 name (RFC 5987)."""
    kind = "inline" if inline else "attachment"
    utf8 = quote(filename.replace("/", "-").replace("\\", "-"), safe="")
    return f"{kind}; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{utf8}"


def private_download(content, filename: str, *, content_type: str | None = None,
                     inline: bool = False) -> HttpResponse:
    """Send a file only the requesting user may see: `content` is bytes, or a stored file
    (a FieldFile, opened here; a file missing from storage is a 404).

    The content type is the one of the name's extension unless given; `inline` is honoured
    only for what a browser shows safely (PDF, JPEG, PNG), anything else is an
    attachment. Never cached by a shared proxy or kept on disk, never sniffed.
    """
    content_type = content_type or content_type_for(filename)
    inline = inline and content_type in INLINE_CONTENT_TYPES
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Length"] = str(len(content))
    else:
        try:
            stream = content.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
