from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    SIX_MONTHLY = "six_monthly", _("6 tháng")
    ANNUAL = "annual", _("Hằng năm")
    SCHOOL_YEAR = "school_year", _("Năm học")
    ONE_OFF = "one_off", _("Đột xuất")


class FieldKind(models.TextChoices):
    INTEGER = "integer", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    TEXT = "text", _("Văn bản")
    DATE = "date", _("Ngày")
    CHOICE = "choice", _("Lựa chọn")
    BOOLEAN = "boolean", _("Có/Không")


class AttachmentType(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (.xlsx)"
    DOCX = "docx", "Word (.docx)"


class ObligationStatus(models.TextChoices):
    """Where a center's obligation for one period stands."""

    OPEN = "open", _("Chưa nộp")
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại, cần sửa")
    RESUBMITTED = "resubmitted", _("Đã nộp lại, chờ duyệt")
    ACCEPTED = "accepted", _("Đã chấp nhận")

    @classmethod
    def badge(cls, value: str) -> str:
        return {
            cls.OPEN: "secondary", cls.DRAFT: "info", cls.SUBMITTED: "primary", cls.RETURNED: "danger",
            cls.RESUBMITTED: "primary", cls.ACCEPTED: "success",
        }.get(value, "secondary")


# Statuses in which the center still has to send something.
PENDING_STATUSES = (ObligationStatus.OPEN, ObligationStatus.DRAFT, ObligationStatus.RETURNED)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xem xét")
    GRANTED = "granted", _("Đã gia hạn")
    REFUSED = "refused", _("Không chấp thuận")
