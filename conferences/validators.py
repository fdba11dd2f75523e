"""Checks on files sent with a conference (photos, slides) or as evidence of a task.

The type is proven by the content, never taken from the name: PDF, Word and Excel go
through the reports' checks (zip-bomb safe); images by their signature; PowerPoint as an
Office package holding a presentation.
"""

from __future__ import annotations

from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edu_portal.files import PPTX_PARTS, FileRefused, check_ooxml
from reports.validators import CheckedFile, clean_filename, digest_of, sniff_type

from .choices import EvidenceType

SIGNATURES = {
    EvidenceType.JPG: (b"\xff\xd8\xff",),
    EvidenceType.PNG: (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"jpeg": EvidenceType.JPG}
# Shown in the page (a photo's thumbnail); anything else is always a download.
PHOTO_TYPES = frozenset({EvidenceType.JPG, EvidenceType.PNG})

EVIDENCE_TYPES = [EvidenceType.PDF, EvidenceType.DOCX, EvidenceType.XLSX, EvidenceType.JPG, EvidenceType.PNG]
CONFERENCE_FILE_TYPES = [*EVIDENCE_TYPES, EvidenceType.PPTX]
EVIDENCE_MAX_MB = 10
CONFERENCE_FILE_MAX_MB = 30


def types_text(allowed: list[str]) -> str:
    return ", ".join(str(EvidenceType(t).label) for t in allowed)


def _claimed_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSIONS.get(extension, extension)


def _sniff(stream: BinaryIO, claimed: str) -> None:
    if claimed in (EvidenceType.PDF, EvidenceType.DOCX, EvidenceType.XLSX):
        sniff_type(stream, claimed)
        return
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if claimed in SIGNATURES:
        if not head.startswith(SIGNATURES[claimed]):
            raise ValidationError(
                _("Tệp có đuôi .%(ext)s nhưng nội dung không phải là ảnh %(label)s.")
                % {"ext": claimed, "label": claimed.upper()}, code="content",
            )
        return
    try:
        check_ooxml(
            stream, required_parts=PPTX_PARTS,
            invalid_message=_("Tệp có đuôi .pptx nhưng nội dung không phải là bài trình chiếu PowerPoint hợp lệ."),
            unsafe=_("Tệp PowerPoint có cấu trúc bất thường (quá nhiều thành phần hoặc dung lượng giải nén quá lớn) "
                     "nên không nhận."),
        )
    except FileRefused as error:
        raise ValidationError(error.message, code="content") from None
    finally:
        stream.seek(0)


def check_file(stream: BinaryIO, *, name: str, size: int, allowed: list[str], max_mb: int) -> CheckedFile:
    """Size, an allowed type, content matching the name; returns type, size and SHA-256.
    Raises ValidationError with a Vietnamese message naming the file."""
    name = clean_filename(name)
    if size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("Tệp «%(name)s» lớn hơn giới hạn %(limit)s MB.") % {"name": name, "limit": max_mb}, code="too_big",
        )
    if size == 0:
        raise ValidationError(_("Tệp «%(name)s» rỗng.") % {"name": name}, code="empty")
    claimed = _claimed_type(name)
    if claimed not in allowed:
        raise ValidationError(
            _("Tệp «%(name)s» không đúng loại. Chỉ nhận: %(types)s.") % {"name": name, "types": types_text(allowed)},
            code="type",
        )
    _sniff(stream, claimed)
    size, sha256 = digest_of(stream)
    return CheckedFile(file_type=claimed, size=size, sha256=sha256, name=name)
