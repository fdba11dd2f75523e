"""Checks on what a center sends: the values of a report against the fields it answers,
and attachments by their content (never by their name alone).

Both are used twice: by the form, to show the director each error beside its field,
and by the services, which are the authority and run them again before storing.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from edu_portal.files import DOCX_PARTS, XLSX_PARTS, FileRefused, check_ooxml

from .choices import AttachmentType, FieldKind

# Values

# A text answer longer than this is a pasted document: it belongs in an attachment.
MAX_TEXT_LENGTH = 5000
# Decimal(…) accepts any length; the Department's figures never need more digits.
MAX_DIGITS = 18
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
YES = ("yes", "true", "1", "co", "có")
NO = ("no", "false", "0", "khong", "không")
INTEGER_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def _label(spec: dict) -> str:
    return spec.get("label") or spec["code"]


def plain_decimal(value: Decimal) -> str:
    """"12.50" -> "12.5", "1E+2" -> "100", "-0" -> "0": one spelling per number."""
    if value == 0:
        return "0"
    normalized = value.normalize()
    if normalized.as_tuple().exponent > 0:
        normalized = normalized.quantize(Decimal(1))
    return format(normalized, "f")


def format_bound(value: Decimal, kind: str) -> str:
    if kind == FieldKind.INTEGER:
        value = value.to_integral_value()
    return formats.number_format(Decimal(plain_decimal(value)), use_l10n=True, force_grouping=True)


def _parse_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, Decimal)):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    # Vietnamese writes 1.234,5; browsers and spreadsheets write 1234.5. A comma means
    # the Vietnamese form: the dots are thousands separators.
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    # ASCII digits only (Decimal() also reads "٣"); no exponent: "1e30" is one digit long
    # but no figure of the Department's, and "1e-999999" would be written out in full.
    if len(text) > 2 * MAX_DIGITS + 2 or not re.fullmatch(r"[+-]?[0-9]*\.?[0-9]+|[+-]?[0-9]+\.", text):
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _parse_integer(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal):
        return int(raw) if raw == raw.to_integral_value() else None
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if INTEGER_GROUPED.match(text):  # 1.234 typed with a thousands separator
        text = text.replace(".", "")
    # ASCII digits, at most MAX_DIGITS of them (int() also reads "٣", and stops at 4,300).
    if not re.fullmatch(rf"-?[0-9]{{1,{MAX_DIGITS}}}", text):
        return None
    return int(text)


def _parse_date(raw: Any) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_value(spec: dict, raw: Any) -> Any:
    """One answer, typed for storage in a version (JSON): int, a decimal as a string
    (exact), an ISO date string, a choice, a bool, NFC text, or None when left blank.

    `spec` is a field's as_schema(); `raw` is what the form sent (text) or a typed value.
    Raises ValidationError with a Vietnamese message that names the field."""
    kind, label = spec["kind"], _label(spec)
    if _is_blank(raw):
        if spec.get("required"):
            raise ValidationError(_("Chưa nhập «%(label)s» (bắt buộc).") % {"label": label}, code="required")
        return None
    if kind == FieldKind.INTEGER or kind == FieldKind.DECIMAL:
        if kind == FieldKind.INTEGER:
            number = _parse_integer(raw)
            if number is None:
                raise ValidationError(_("«%(label)s» phải là số nguyên.") % {"label": label}, code="invalid")
            value = Decimal(number)
        else:
            value = _parse_decimal(raw)
            if value is None or len(value.as_tuple().digits) > MAX_DIGITS:
                raise ValidationError(
                    _("«%(label)s» phải là số (dùng dấu phẩy cho phần thập phân, ví dụ 12,5).") % {"label": label},
                    code="invalid",
                )
        low = Decimal(spec["min_value"]) if spec.get("min_value") not in (None, "") else None
        high = Decimal(spec["max_value"]) if spec.get("max_value") not in (None, "") else None
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                message = _("«%(label)s» phải từ %(low)s đến %(high)s.")
            elif low is not None:
                message = _("«%(label)s» không được nhỏ hơn %(low)s.")
            else:
                message = _("«%(label)s» không được lớn hơn %(high)s.")
            raise ValidationError(message % {
                "label": label,
                "low": format_bound(low, kind) if low is not None else "",
                "high": format_bound(high, kind) if high is not None else "",
            }, code="out_of_bounds")
        if kind == FieldKind.INTEGER:
            return int(value)
        # A string keeps the exact figure through JSON; "12.50" and "12.5" are one value.
        return plain_decimal(value)
    if kind == FieldKind.DATE:
        day = _parse_date(raw)
        if day is None:
            raise ValidationError(
                _("«%(label)s»: ngày không hợp lệ, nhập theo dạng ngày/tháng/năm (ví dụ 05/03/2026).")
                % {"label": label},
                code="invalid",
            )
        if not 1900 <= day.year <= 2100:
            raise ValidationError(_("«%(label)s»: năm không hợp lệ.") % {"label": label}, code="invalid")
        return day.isoformat()
    if kind == FieldKind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValidationError(_("«%(label)s»: chọn Có hoặc Không.") % {"label": label}, code="invalid")
    text = unicodedata.normalize("NFC", str(raw).strip())
    if kind == FieldKind.CHOICE:
        if text not in spec.get("choices", []):
            raise ValidationError(
                _("«%(label)s»: lựa chọn không hợp lệ, hãy chọn một mục trong danh sách.") % {"label": label},
                code="invalid_choice",
            )
        return text
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            _("«%(label)s» dài quá %(limit)s ký tự; nội dung dài hãy gửi bằng tệp đính kèm.")
            % {"label": label, "limit": MAX_TEXT_LENGTH},
            code="too_long",
        )
    return text


def clean_values(schema: list[dict], raw: dict) -> dict:
    """Every field of `schema` answered from `raw`, typed; keys not in the schema are
    dropped. Raises one ValidationError mapping each failing field code to its message."""
    values, errors = {}, {}
    for spec in schema:
        try:
            values[spec["code"]] = clean_value(spec, raw.get(spec["code"]))
        except ValidationError as error:
            errors[spec["code"]] = error
    if errors:
        raise ValidationError(errors)
    return values


def raw_value(spec: dict, value: Any) -> str:
    """A stored value back as a director would type it, to fill a form again."""
    if value is None:
        return ""
    kind = spec["kind"]
    if kind == FieldKind.BOOLEAN:
        return "yes" if value else "no"
    if kind == FieldKind.DATE:
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if kind == FieldKind.DECIMAL:
        return str(value).replace(".", ",")
    return str(value)


# Attachments

PDF_MAGIC = b"%PDF-"
# Office files encrypted with a password are OLE compound files, not zip packages.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class CheckedFile:
    """What the checks learned about an upload: its type by content, size and hash."""

    file_type: str
    size: int
    sha256: str
    name: str


def clean_filename(name: str) -> str:
    """The name to show and to send back on download: no folders, no control characters,
    NFC, at most 200 characters (keeping the extension)."""
    name = PurePath(str(name).replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip(" .") or "tep-dinh-kem"
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension) if dot else name[:MAX_NAME_LENGTH]
    return name


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _type_label(file_type: str) -> str:
    return AttachmentType(file_type).label


def allowed_types_text(allowed: list[str]) -> str:
    return ", ".join(_type_label(t) for t in AttachmentType.values if t in allowed)


def sniff_type(stream: BinaryIO, claimed: str) -> str:
    """The attachment type the content proves, for the type its name claims.

    PDF: starts with %PDF-. XLSX and DOCX: a zip package with the parts a workbook or a
    document must hold, checked for zip bombs on the directory before anything is
    inflated (the registry import's checks, edu_portal.files.check_ooxml)."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if claimed == AttachmentType.PDF:
        if head.startswith(PDF_MAGIC):
            return AttachmentType.PDF
        raise ValidationError(_("Tệp có đuôi .pdf nhưng nội dung không phải là PDF."), code="content")
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _("Tệp có đặt mật khẩu hoặc là định dạng Office cũ (.xls, .doc): "
              "hãy bỏ mật khẩu và lưu lại thành .%(ext)s.")
            % {"ext": claimed},
            code="content",
        )
    parts = XLSX_PARTS if claimed == AttachmentType.XLSX else DOCX_PARTS
    label = _type_label(claimed)
    try:
        check_ooxml(
            stream, required_parts=parts,
            invalid_message=_("Tệp có đuôi .%(ext)s nhưng nội dung không phải là %(label)s hợp lệ.")
            % {"ext": claimed, "label": label},
            unsafe=_("Tệp %(label)s có cấu trúc bất thường (quá nhiều thành phần hoặc dung lượng giải nén quá lớn) "
                     "nên không nhận.") % {"label": label},
        )
    except FileRefused as error:
        raise ValidationError(error.message, code="content") from None
    finally:
        stream.seek(0)
    return claimed


def check_attachment(stream: BinaryIO, *, name: str, size: int, allowed: list[str], max_mb: int) -> CheckedFile:
    """Check an upload before it is stored: size within the type's limit, a type the
    report allows, and content that is what the name says. Returns the type, the size
    and the SHA-256 (read in chunks); raises ValidationError in Vietnamese."""
    name = clean_filename(name)
    if size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("Tệp «%(name)s» lớn hơn giới hạn %(limit)s MB.") % {"name": name, "limit": max_mb}, code="too_big",
        )
    if size == 0:
        raise ValidationError(_("Tệp «%(name)s» rỗng.") % {"name": name}, code="empty")
    claimed = _extension(name)
    if claimed not in AttachmentType.values or claimed not in allowed:
        raise ValidationError(
            _("Báo cáo này chỉ nhận tệp: %(types)s.") % {"types": allowed_types_text(allowed)}, code="type",
        )
    file_type = sniff_type(stream, claimed)
    size, sha256 = digest_of(stream)
    return CheckedFile(file_type=file_type, size=size, sha256=sha256, name=name)


def digest_of(stream: BinaryIO) -> tuple[int, str]:
    """The size and SHA-256 of a stream, read in chunks, left rewound."""
    digest = hashlib.sha256()
    stream.seek(0)
    read = 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        read += len(chunk)
    stream.seek(0)
    return read, digest.hexdigest()
