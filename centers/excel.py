"""The registry's spreadsheet format: columns, export writers, and the reading and
cell-level validation of an uploaded .xlsx or .csv. What is not about centers (the
safety checks, the .xlsx reader, uploads and downloads) is edu_portal.files.

Export and import share COLUMNS, so a file the portal writes is a file it can read back
unchanged. What a row *means* for the database (matching units and existing centers,
writing) is centers.imports.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from edu_portal.files import (
    OLE2_SIGNATURE,
    XLSX_DATE_FORMAT,
    FileRefused,
    is_blank,
    protect,
    read_xlsx,
    styled_cell,
    text_cell,
    unprotect,
    utf16_message,
    xls_message,
)
from geo.text import fold, nfc, unit_label

from .choices import CenterKind, CenterStatus


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    max_length: int | None = None
    required: bool = False


# The headers are a file format shared with other offices' spreadsheets, not UI text:
# they stay Vietnamese whatever language the user reads the portal in, so they are not
# passed through gettext.
COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã trung tâm", 30, required=True),
    Column("name", "Tên trung tâm", 255, required=True),
    Column("kind", "Loại hình", required=True),
    Column("status", "Trạng thái"),
    Column("street", "Địa chỉ", 255),
    Column("commune", "Xã/Phường", required=True),
    Column("province", "Tỉnh/Thành phố", required=True),
    Column("licence_number", "Số quyết định", 60),
    Column("licence_signed_on", "Ngày quyết định"),
    Column("licence_issuer", "Cơ quan cấp", 255),
    Column("licence_valid_until", "Ngày hết hạn"),
    Column("director", "Giám đốc", 150),
    Column("phone", "Điện thoại", 30),
    Column("email", "Email", 254),
    Column("investor", "Chủ đầu tư", 255),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
DATE_KEYS = frozenset({"licence_signed_on", "licence_valid_until"})
DATE_FORMAT = "%d/%m/%Y"
# Export


class _Labels:
    """Vietnamese labels of kinds and statuses and the names of units, worked out once
    per export rather than once per row (20,000 rows, a few dozen distinct values)."""

    def __init__(self):
        # The labels are part of the file format: always Vietnamese.
        with translation.override("vi"):
            self.kinds = {value: str(label) for value, label in CenterKind.choices}
            self.statuses = {value: str(label) for value, label in CenterStatus.choices}
        self.units: dict[int, str] = {}

    def unit(self, unit) -> str:
        if unit is None:
            return ""
        if unit.pk not in self.units:
            self.units[unit.pk] = unit_label(unit)
        return self.units[unit.pk]


def center_values(center, labels: _Labels | None = None) -> list[Any]:
    """One export row, in COLUMNS order; dates stay dates (the writers format them).
    Expects the joins and the prefetch of export_queryset."""
    labels = labels or _Labels()
    licence = center.current_licence
    directors = center.current_directors
    return [
        center.code,
        center.name,
        labels.kinds.get(center.kind, center.kind),
        labels.statuses.get(center.status, center.status),
        center.street,
        labels.unit(center.commune),
        labels.unit(center.province),
        licence.number if licence else "",
        licence.signed_on if licence else None,
        licence.issuer if licence else "",
        licence.valid_until if licence else None,
        directors[0].full_name if directors else "",
        center.phone,
        center.email,
        center.investor_name,
    ]


def export_queryset(queryset: QuerySet) -> QuerySet:
    """Add the joins and the current-director prefetch an export row reads, unless the
    caller's queryset (centers.selectors.center_list) already has them: a fixed number
    of queries whatever the number of centers."""
    from .selectors import current_director_prefetch

    queryset = queryset.select_related("province", "commune", "current_licence")
    lookups = queryset._prefetch_related_lookups
    if not any(getattr(lookup, "to_attr", None) == "current_directors" for lookup in lookups):
        queryset = queryset.prefetch_related(current_director_prefetch())
    return queryset


def _export_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    labels = _Labels()
    for center in export_queryset(queryset):
        yield center_values(center, labels)


# Columns whose cells are text whatever they look like: typed into a cell of the General
# format, 0912345678 becomes the number 912345678. The column's own format is text, so
# rows people add to an export or to the template keep the leading 0 too.
TEXT_KEYS = frozenset({"code", "phone", "licence_number"})
TEXT_FORMAT = "@"


def _workbook_bytes(rows: Iterable[list[Any]], *, title: str, row_font: Font | None = None) -> bytes:
    # write_only streams rows to the zip instead of building every cell object.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    widths = (14, 40, 30, 22, 30, 24, 20, 18, 14, 28, 14, 24, 14, 26, 30)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    text_positions = [i for i, c in enumerate(COLUMNS) if c.key in TEXT_KEYS]
    for position in text_positions:
        sheet.column_dimensions[get_column_letter(position + 1)].number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_positions = [i for i, c in enumerate(COLUMNS) if c.key in DATE_KEYS]
    for row in rows:
        if row_font is not None:
            row = [styled_cell(sheet, value) for value in row]
            for position, cell in enumerate(row):
                cell.font = row_font
                if position in date_positions and cell.value is not None:
                    cell.number_format = XLSX_DATE_FORMAT
                elif position in text_positions:
                    cell.number_format = TEXT_FORMAT
            sheet.append(row)
            continue
        row = [text_cell(sheet, value) for value in row]
        for position in date_positions:
            if row[position] is not None:
                cell = WriteOnlyCell(sheet, value=row[position])
                cell.number_format = XLSX_DATE_FORMAT
                row[position] = cell
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_workbook(queryset: QuerySet) -> bytes:
    """The centers of `queryset` as an .xlsx file with the registry headers.

    The caller scopes the queryset (centers.selectors); this only formats it.
    """
    return _workbook_bytes(_export_rows(queryset), title="Trung tâm")


def export_csv(queryset: QuerySet) -> bytes:
    """The same rows as export_workbook, as CSV in UTF-8 with a BOM: without the BOM,
    Excel on Windows reads the file as the ANSI code page and garbles Vietnamese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in _export_rows(queryset):
        writer.writerow(
            [value.strftime(DATE_FORMAT) if isinstance(value, datetime.date) else protect(value) for value in row]
        )
    return buffer.getvalue().encode("utf-8-sig")


def template_workbook(example: list[Any]) -> bytes:
    """The import template: the headers and one example row, in grey italics, whose code
    («VÍ DỤ ...», EXAMPLE_CODE) marks it: the import never takes it for a center."""
    return _workbook_bytes([list(example)], title="Mẫu nhập", row_font=Font(italic=True, color="FF595959"))


# Reading an upload


@dataclass
class Table:
    """An opened upload: its format, a cheap row count, and a way to read its rows."""

    format: str
    estimated_rows: int
    _read: Callable[[], Iterator[tuple[int, tuple]]]
    _positions: dict[str, int]
    # What was read other than as the file says at first sight (a title row above the
    # header, hidden sheets left out...): shown in the import preview.
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(sheet row number, {column key: raw value}) for every non-blank data row.

        Raises FileRefused past settings.IMPORT_MAX_ROWS, so a caller that reads every
        row before writing anything never writes part of an oversized file.
        """
        limit = settings.IMPORT_MAX_ROWS
        count = 0
        for number, cells in self._read():
            if all(is_blank(value) for value in cells):
                continue
            count += 1
            if count > limit:
                raise FileRefused(too_many_rows_message())
            yield number, {
                key: cells[position] if position < len(cells) else None
                for key, position in self._positions.items()
            }


def too_many_rows_message() -> str:
    return _("Tệp có hơn %(limit)s dòng dữ liệu; hãy chia thành nhiều tệp nhỏ hơn.") % {
        "limit": f"{settings.IMPORT_MAX_ROWS:,}".replace(",", "."),
    }


def too_big_message() -> str:
    return _("Tệp lớn hơn giới hạn %(limit)s MB.") % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}


def open_table(data: bytes, filename: str) -> Table:
    """Check an upload and read its header row.

    The type is decided by the name and then checked against the content: an .xlsx must
    be a zip holding a workbook (edu_portal.files.read_xlsx: zip bombs and DTDs refused
    before the sheet is read), a .csv must be UTF-8 text.
    """
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileRefused(too_big_message())
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    # What offices send besides .xlsx and CSV UTF-8, recognised by content whatever the
    # name says, each with what to do.
    if data.startswith(OLE2_SIGNATURE):
        raise FileRefused(xls_message())
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(utf16_message())
    if extension == "xlsx":
        return _open_xlsx(data)
    if extension == "csv":
        return _open_csv(data)
    if extension in ("xls", "xlsm", "xlsb"):
        raise FileRefused(xls_message())
    if extension == "ods":
        raise FileRefused(_(
            "Tệp .ods (LibreOffice Calc) chưa được nhận. Trong LibreOffice, chọn Tệp › Lưu thành, kiểu "
            "«Excel 2007-365 (.xlsx)», rồi tải lên tệp .xlsx."
        ))
    if extension in ("txt", "tsv"):
        raise FileRefused(utf16_message())
    raise FileRefused(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def _open_xlsx(data: bytes) -> Table:
    sheet = read_xlsx(data, all_hidden_message=_(
        "Mọi trang tính của tệp đều đang ẩn. Hãy hiện trang có danh sách trung tâm (chuột phải vào tên "
        "trang › Hiện), lưu lại rồi tải lên."
    ))
    header_number, positions, notes = find_header(sheet.rows(), sheet.name if sheet.several else "")
    estimated = max(sheet.count_rows() - header_number, 0)

    def read() -> Iterator[tuple[int, tuple]]:
        for number, cells in sheet.rows():
            if number > header_number:
                yield number, cells

    return Table("xlsx", estimated, read, positions, [*sheet.notes, *notes])


def _open_csv(data: bytes) -> Table:
    head = data[:4096]
    if head.count(b"\x00") * 3 > len(head) and not data.startswith(b"PK\x03\x04"):
        # Every other byte zero: UTF-16 text that lost its byte order mark.
        raise FileRefused(utf16_message())
    if data.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise FileRefused(_("Tệp .csv này không phải là văn bản; nếu là tệp Excel, hãy đổi đuôi thành .xlsx."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _("Tệp CSV phải lưu theo mã UTF-8 (trong Excel: Lưu thành › CSV UTF-8).")
        ) from None
    lines = text.splitlines(keepends=True)
    # Excel adds a "sep=;" hint line when asked to; honour it.
    delimiter = ","
    if lines and lines[0].lower().startswith("sep=") and len(lines[0].strip()) == 5:
        delimiter = lines[0].strip()[4]
        text = "".join(lines[1:])
    elif lines and lines[0].count(";") > lines[0].count(","):
        delimiter = ";"  # Excel with a European list separator
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileRefused(_("Không đọc được tệp CSV: dòng bị lỗi định dạng.")) from None
    numbered = list(enumerate(rows, start=1))
    header_number, positions, notes = find_header(iter(numbered))
    body = numbered[header_number:]
    return Table("csv", len(body), lambda: iter(body), positions, notes)


# Rows looked at for the header: a title, a subtitle, a date line and a blank row or two
# above it are common; a header further down is not our format.
MAX_ROWS_ABOVE_HEADER = 10
MAX_BLANK_ROWS_ABOVE_HEADER = 20


def find_header(rows: Iterator[tuple[int, tuple]], sheet: str = "") -> tuple[int, dict[str, int], list[str]]:
    """The header row among the first rows: (its number, the column positions, notes).

    The first non-blank row that holds the template's headers is the header; non-blank
    rows above it (a title such as "DANH SÁCH TRUNG TÂM NĂM 2026") are left out, and the
    preview says so. When no row qualifies, the message names the row that came closest
    and what it lacks. `sheet`: the sheet's name, for the messages of a workbook."""
    candidates: list[tuple[int, int, tuple]] = []  # (recognised headers, row number, cells)
    for number, cells in rows:
        if all(is_blank(value) for value in cells):
            if not candidates and number > MAX_BLANK_ROWS_ABOVE_HEADER:
                break
            continue
        matched = _match_headers(cells)
        if not matched.problems:
            notes = []
            if candidates:
                first = candidates[0][1]
                last = candidates[-1][1]
                notes.append(_(
                    "Bỏ qua %(count)s dòng tiêu đề phía trên dòng tên cột (%(rows)s: «%(text)s»); dữ liệu "
                    "được đọc từ dòng %(start)s."
                ) % {
                    "count": len(candidates),
                    "rows": _("dòng %(n)s") % {"n": first} if first == last else _("dòng %(a)s–%(b)s") % {
                        "a": first, "b": last},
                    "text": _row_text(candidates[0][2]), "start": number + 1,
                })
            return number, matched.positions, notes
        candidates.append((matched.recognised, number, cells))
        if len(candidates) > MAX_ROWS_ABOVE_HEADER:
            break
    where = _(" (trang tính «%(sheet)s»)") % {"sheet": sheet} if sheet else ""
    if not candidates:
        raise FileRefused(_("Tệp không có dòng tên cột%(where)s. Hãy dùng tệp mẫu.") % {"where": where})
    recognised, number, cells = max(candidates, key=lambda c: (c[0], -c[1]))
    if recognised == 0:
        raise FileRefused(_(
            "Không tìm thấy dòng tên cột trong %(count)s dòng đầu của tệp%(where)s (dòng %(first)s là «%(text)s»). "
            "Dòng tên cột phải có đúng các cột của tệp mẫu, ví dụ «Mã trung tâm», «Tên trung tâm»: hãy tải tệp "
            "mẫu và chép dữ liệu vào đó."
        ) % {"count": len(candidates), "where": where, "first": candidates[0][1],
             "text": _row_text(candidates[0][2])})
    problems = _match_headers(cells).problems
    above = _(" Các dòng phía trên nó được coi là dòng tiêu đề và bỏ qua.") if number != candidates[0][1] else ""
    raise FileRefused(_(
        "Dòng %(row)s%(where)s là dòng tên cột nhưng chưa đúng mẫu: %(problems)s.%(above)s Hãy tải tệp mẫu và "
        "giữ nguyên dòng tên cột."
    ) % {"row": number, "where": where, "problems": problems, "above": above})


def _row_text(cells: tuple, limit: int = 60) -> str:
    text = " ".join(clean_text(value) for value in cells if not is_blank(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass
class _HeaderMatch:
    positions: dict[str, int]
    recognised: int
    problems: str


def _match_headers(header: Iterable[Any]) -> _HeaderMatch:
    wanted = {fold(c.header): c for c in COLUMNS}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for position, value in enumerate(header):
        if is_blank(value):
            continue
        text = nfc(str(value).strip())
        column = wanted.get(fold(text))
        if column is None or column.key in positions:
            unknown.append(text)
            continue
        positions[column.key] = position
    missing = [c.header for c in COLUMNS if c.key not in positions]
    parts = []
    if missing:
        parts.append(_("thiếu cột %(columns)s") % {"columns": ", ".join(f"«{h}»" for h in missing)})
    if unknown:
        parts.append(_("cột không có trong mẫu %(columns)s") % {"columns": ", ".join(f"«{h}»" for h in unknown)})
    return _HeaderMatch(positions, len(positions), "; ".join(parts))


def match_headers(header: Iterable[Any]) -> dict[str, int]:
    """Map each column key to its position in the file; every header must be there once.

    Matching ignores case, accents and spacing, so "ma trung tam" is accepted; the order
    of the columns is free.
    """
    matched = _match_headers(header)
    if matched.problems:
        raise FileRefused(
            _("Tiêu đề cột không đúng mẫu: %(problems)s. Hãy tải tệp mẫu và giữ nguyên dòng tiêu đề.")
            % {"problems": matched.problems}
        )
    return matched.positions


# Cell-level validation


@dataclass(frozen=True)
class RowError:
    """One problem, located by the sheet row number and the column header."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Dòng %(row)s, cột «%(column)s»: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message,
        }

    def as_dict(self) -> dict:
        """For CenterImport.errors (JSON): the location and the full sentence."""
        return {"row": self.row, "column": self.column, "message": str(self)}


@dataclass
class ParsedRow:
    """A data row with its cells cleaned (text in NFC, dates as dates, choices as values)."""

    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    # What the preview asks people to look at, without refusing the row: a phone number
    # that lost its leading 0, a date a spreadsheet may have read the other way round.
    warnings: list[RowError] = field(default_factory=list)
    # Text dates that read two ways, read day first: (column key, text as written, date).
    ambiguous: list[tuple[str, str, datetime.date]] = field(default_factory=list)
    # How each date was given: "cell" (a date cell of the spreadsheet) or "text".
    date_sources: dict[str, str] = field(default_factory=dict)
    # The template's example row: never imported.
    example: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, COLUMN_BY_KEY[key].header, message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(RowError(self.number, COLUMN_BY_KEY[key].header, message))


_TIME = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
# Text dates are read day first, as Vietnamese write them: 05/03/2026 and 5/3/2026 are
# 5 March. Year first (ISO 8601, 2026-03-05) is unambiguous and accepted too.
DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME + "$")
ISO_DATE_RE = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})" + _TIME + "$")
SHORT_YEAR_RE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")
# The template's example row is marked in its first column; it is never imported.
EXAMPLE_CODE = "VÍ DỤ"
# The example of the templates handed out before it was marked.
LEGACY_EXAMPLE = ("nn999", "trung tam ngoai ngu anh sao")


def clean_text(value: Any) -> str:
    """A cell as NFC text: numbers without a spurious ".0", protect() undone (CSV, and
    .xlsx files exported before the guard used text cells), trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime(DATE_FORMAT)
    text = unprotect(str(value).strip())
    return nfc(text.strip())


def parse_date(value: Any) -> datetime.date | None:
    """A real Excel date cell, dd/mm/yyyy text (day first) or ISO yyyy-mm-dd; None when
    blank; ValueError otherwise."""
    return read_date(value)[0]


def read_date(value: Any) -> tuple[datetime.date | None, bool]:
    """parse_date, and whether the text could also be read month first (05/03/2026 is
    5 March here, 3 May in an American spreadsheet): the preview shows those rows."""
    if isinstance(value, datetime.datetime):
        return value.date(), False
    if isinstance(value, datetime.date):
        return value, False
    text = clean_text(value)
    if not text:
        return None, False
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        ambiguous = day <= 12 and month <= 12 and day != month
    elif match := ISO_DATE_RE.match(text):
        year, month, day = (int(part) for part in match.groups())
        ambiguous = False
    else:
        raise ValueError(text)
    if not 1900 <= year <= 2100:
        raise ValueError(text)
    return datetime.date(year, month, day), ambiguous


def _date_error(text: str) -> str:
    message = _("ngày không hợp lệ, cần dạng dd/mm/yyyy.")
    if SHORT_YEAR_RE.match(text):
        return message + " " + _("Năm cần ghi đủ 4 chữ số, ví dụ 05/03/2026.")
    match = DATE_RE.match(text)
    if match and int(match.group(2)) > 12 and int(match.group(1)) <= 12:
        return message + " " + _("«%(value)s» có vẻ ghi tháng trước ngày; hãy ghi ngày trước, ví dụ %(fixed)s.") % {
            "value": text, "fixed": f"{int(match.group(2)):02d}/{int(match.group(1)):02d}/{match.group(3)}",
        }
    return message


def _vi_date(day: datetime.date) -> str:
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % {"day": day.day, "month": day.month, "year": day.year}


# A Vietnamese number without its leading 0: a mobile number (10 digits) read as 9, a
# landline (0 + area code 2xx + number: 11 digits) read as 10 starting with 2.
LOST_ZERO_RE = re.compile(r"^(?:[1-9]\d{8}|2\d{9})$")


def _clean_phone(row: ParsedRow, value: Any, text: str) -> str:
    """A phone number as text. A spreadsheet that took the column for numbers dropped the
    leading 0 (0912345678 became 912345678): put it back, and say so in the preview."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if LOST_ZERO_RE.match(text):
        fixed = "0" + text
        row.warn("phone", _(
            "«%(value)s» đã mất số 0 ở đầu (%(why)s); sẽ ghi là «%(fixed)s». Định dạng cột «Điện thoại» là Văn "
            "bản để giữ số 0."
        ) % {"value": text, "fixed": fixed,
             "why": _("ô kiểu số") if numeric else _("thường do mở tệp CSV bằng Excel rồi lưu lại")})
        return fixed
    if numeric:
        row.warn("phone", _(
            "ô kiểu số «%(value)s»: số điện thoại có thể đã bị đổi khi nhập; hãy kiểm tra, và định dạng cột là Văn bản."
        ) % {"value": text})
    return text


def is_example(raw: dict[str, Any]) -> bool:
    """The template's example row: its code starts with «VÍ DỤ» (or it is the unmarked
    example of older templates)."""
    code = fold(clean_text(raw.get("code")))
    if code.startswith(fold(EXAMPLE_CODE)):
        return True
    return (code, fold(clean_text(raw.get("name")))) == LEGACY_EXAMPLE


def _choice_index(choices: type) -> dict[str, str]:
    return _choice_index_for(choices, translation.get_language() or "vi")


@functools.cache
def _choice_index_for(choices: type, current: str) -> dict[str, str]:
    """Folded labels (Vietnamese and the current language), values, and labels without
    the leading "Trung tâm", all mapped to the stored value."""
    index: dict[str, str] = {}
    for language in ("vi", current):
        with translation.override(language):
            for value, label in choices.choices:
                folded = fold(str(label))
                index.setdefault(folded, value)
                index.setdefault(_strip_prefix(folded, ("trung tam",)), value)
    for value in choices.values:
        index.setdefault(fold(value), value)
    return index


def _choice_labels(choices: type) -> str:
    with translation.override("vi"):
        return "; ".join(str(label) for label in choices.labels)


PROVINCE_PREFIXES = ("thanh pho trung uong", "thanh pho", "tinh", "tp.", "tp")
COMMUNE_PREFIXES = ("dac khu", "phuong", "xa", "thi tran")


def _strip_prefix(folded: str, prefixes: Iterable[str]) -> str:
    for prefix in prefixes:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1:].strip()
    return folded


def bare_unit_name(text: str, level: str) -> str:
    """The folded name without its type: "Tỉnh Bắc Ninh" and "Bắc Ninh" give "bac ninh"."""
    prefixes = PROVINCE_PREFIXES if level == "province" else COMMUNE_PREFIXES
    return _strip_prefix(fold(text), prefixes)


def parse_row(number: int, raw: dict[str, Any]) -> ParsedRow:
    """Clean and check one row on its own; what needs the database is checked later."""
    row = ParsedRow(number, {})
    if is_example(raw):
        row.example = True
        return row
    kinds, statuses = _choice_index(CenterKind), _choice_index(CenterStatus)
    for column in COLUMNS:
        key, value = column.key, raw.get(column.key)
        if key in DATE_KEYS:
            try:
                row.values[key], ambiguous = read_date(value)
            except ValueError:
                row.values[key] = None
                row.error(key, _date_error(clean_text(value)))
                continue
            if row.values[key] is not None:
                if isinstance(value, datetime.date):
                    row.date_sources[key] = "cell"
                else:
                    row.date_sources[key] = "text" if DATE_RE.match(clean_text(value)) else "iso"
            if ambiguous:
                row.ambiguous.append((key, clean_text(value), row.values[key]))
            continue
        text = clean_text(value)
        if key == "phone" and text:
            text = _clean_phone(row, value, text)
        row.values[key] = text
        if not text:
            if column.required:
                row.error(key, _("không được để trống."))
            continue
        if column.max_length and len(text) > column.max_length:
            row.error(key, _("dài quá %(max)s ký tự.") % {"max": column.max_length})
        elif key == "kind":
            row.values[key] = kinds.get(fold(text), "")
            if not row.values[key]:
                row.error(key, _("loại hình «%(value)s» không có trong danh mục (%(allowed)s).")
                          % {"value": text, "allowed": _choice_labels(CenterKind)})
        elif key == "status":
            row.values[key] = statuses.get(fold(text), "")
            if not row.values[key]:
                row.error(key, _("trạng thái «%(value)s» không có trong danh mục (%(allowed)s).")
                          % {"value": text, "allowed": _choice_labels(CenterStatus)})
        elif key == "email":
            try:
                validate_email(text)
            except ValidationError:
                row.error(key, _("email không hợp lệ."))
        elif key in ("code", "licence_number", "director"):
            # Stray double spaces would make "the same" code or name look different.
            row.values[key] = " ".join(text.split())
    _check_licence(row)
    return row


def _check_licence(row: ParsedRow) -> None:
    signed_on, valid_until = row["licence_signed_on"], row["licence_valid_until"]
    if not row["licence_number"] and (signed_on or valid_until or row["licence_issuer"]):
        row.error(
            "licence_number", _("cần ghi số quyết định khi đã có ngày quyết định, cơ quan cấp hoặc ngày hết hạn.")
        )
    if signed_on and signed_on > timezone.localdate() + datetime.timedelta(days=1):
        row.error("licence_signed_on", _("ngày quyết định không được ở tương lai."))
    if signed_on and valid_until and valid_until < signed_on:
        row.error("licence_valid_until", _("ngày hết hạn phải sau ngày quyết định."))


def flag_swapped_date_cells(rows: list[ParsedRow]) -> None:
    """Date cells a spreadsheet may have made from day-first text read month first.

    A CSV opened by a program set to month/day/year turns "05/03/2026" into a date cell
    of 3 May, and leaves "13/05/2026" (no 13th month) as text. A column holding both
    kinds is that file: its date cells that read two ways are flagged in the preview."""
    for key in DATE_KEYS:
        evidence = next(
            (row for row in rows if row.date_sources.get(key) == "text" and row.values[key].day > 12), None,
        )
        if evidence is None:
            continue
        for row in rows:
            day = row.values.get(key)
            if row.date_sources.get(key) == "cell" and day.day <= 12 and day.month <= 12 and day.day != day.month:
                row.warn(key, _(
                    "ô ngày %(date)s có thể đã bị đổi ngày và tháng khi tệp được mở bằng máy đặt định dạng "
                    "tháng/ngày/năm (cùng cột, dòng %(row)s ghi dạng chữ «%(text)s»); hãy kiểm tra."
                ) % {"date": day.strftime(DATE_FORMAT), "row": evidence.number,
                     "text": evidence.values[key].strftime(DATE_FORMAT)})
