"""Test data for the submission tests: a report type asking one field of every kind,
periods made with the generation services, the values a director types, and files (real
and forged) to attach."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reports.choices import FieldKind, Frequency
from reports.models import ReportField, ReportType
from reports.services import obligations_generate, period_create

# (code, label, kind, required, min, max, choices or help text)
FIELDS = [
    ("so_hoc_vien", "Số học viên trong kỳ", FieldKind.INTEGER, True, 0, 100000, "Tổng số lượt học viên."),
    ("doanh_thu", "Doanh thu trong kỳ (triệu đồng)", FieldKind.DECIMAL, True, 0, 1000000, ""),
    ("ngay_cong_khai", "Ngày công khai", FieldKind.DATE, True, None, None, ""),
    ("hinh_thuc", "Hình thức công khai", FieldKind.CHOICE, True, None, None,
     "Trang thông tin điện tử\nNiêm yết tại trụ sở"),
    ("co_gvnn", "Có giáo viên người nước ngoài", FieldKind.BOOLEAN, True, None, None, ""),
    ("su_co", "Sự cố, vụ việc phát sinh", FieldKind.TEXT, False, None, None, ""),
]


def good_values(**overrides) -> dict:
    """What a director types in a valid report (as the form posts it: text)."""
    values = {
        "so_hoc_vien": "1.250", "doanh_thu": "450,5", "ngay_cong_khai": "05/03/2026",
        "hinh_thuc": "Niêm yết tại trụ sở", "co_gvnn": "yes", "su_co": "",
    }
    values.update(overrides)
    return values


def today() -> datetime.date:
    return timezone.localdate()


def make_type(province, **overrides) -> ReportType:
    defaults = {
        "code": "NNTH-6T", "title": "Báo cáo tình hình hoạt động 6 tháng", "center_kinds": ["language", "it"],
        "frequency": Frequency.SIX_MONTHLY, "starts_on": datetime.date(2026, 1, 1), "attachment_max_mb": 1,
    }
    report_type = ReportType.objects.create(province=province, **{**defaults, **overrides})
    for order, (code, label, kind, required, low, high, extra) in enumerate(FIELDS):
        ReportField.objects.create(
            report_type=report_type, code=code, label=label, kind=kind, required=required, order=order,
            min_value=low, max_value=high,
            choices=extra if kind == FieldKind.CHOICE else "", help_text="" if kind == FieldKind.CHOICE else extra,
        )
    return report_type


def make_period(report_type, *, due: datetime.date, label: str = "6 tháng cuối năm 2026"):
    period, _created = period_create(
        report_type=report_type, label=label, data_from=due - datetime.timedelta(days=185),
        data_to=due - datetime.timedelta(days=5), due_date=due,
    )
    obligations_generate(period=period)
    return period


# Files


def pdf_bytes(size: int = 2000) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    return body + b"%" + b"x" * max(size - len(body) - 7, 0) + b"\n%%EOF\n"


def ooxml_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Số học viên", 1250])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return ooxml_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types '
                               b'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document '
                             b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    })


def xlsx_bomb() -> bytes:
    """A workbook's required parts plus 50 MB of zeros that deflate to about 50 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 2000


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
