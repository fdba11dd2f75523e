from django.db import models
from django.utils.translation import gettext_lazy as _


class CenterKind(models.TextChoices):
    LANGUAGE = "language", _("Trung tâm ngoại ngữ")
    LANGUAGE_IT = "language_it", _("Trung tâm ngoại ngữ - tin học")
    IT = "it", _("Trung tâm tin học")
    INCLUSIVE = "inclusive", _("Trung tâm hỗ trợ phát triển giáo dục hòa nhập")
    COMMUNITY = "community", _("Trung tâm học tập cộng đồng")
    VOCATIONAL = "vocational", _("Trung tâm GDNN-GDTX")


class CenterStatus(models.TextChoices):
    # A center entered in the register before its licence: set up (or applying) but not
    # yet allowed to teach. Recording a licence that permits operating moves it on
    # (STATUS_OF_DOCUMENT); the compliance rules never flag it as operating without one.
    NOT_YET_LICENSED = "not_yet_licensed", _("Chưa hoạt động (chưa được cấp phép)")
    OPERATING = "operating", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Bị đình chỉ hoạt động")
    STOPPED = "stopped", _("Dừng hoạt động")
    DISSOLVED = "dissolved", _("Đã giải thể")
    UNLICENSED = "unlicensed", _("Hoạt động chưa được cấp phép")

    @classmethod
    def badge(cls, value: str) -> str:
        return {
            cls.OPERATING: "success",
            cls.SUSPENDED: "warning",
            cls.STOPPED: "secondary",
            cls.DISSOLVED: "dark",
            cls.UNLICENSED: "danger",
            cls.NOT_YET_LICENSED: "info",
        }.get(value, "secondary")


class LicenceState(models.TextChoices):
    """Derived from the documents and today's date; never stored."""

    VALID = "valid", _("Còn hiệu lực")
    EXPIRING = "expiring", _("Sắp hết hạn (≤ 60 ngày)")
    EXPIRED = "expired", _("Đã hết hạn")
    NONE = "none", _("Chưa có giấy phép")

    @classmethod
    def badge(cls, value: str) -> str:
        return {cls.VALID: "success", cls.EXPIRING: "warning", cls.EXPIRED: "danger"}.get(value, "secondary")


class DocumentKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("Quyết định cho phép thành lập")
    ESTABLISHMENT_OPERATION = "establishment_operation", _("Quyết định cho phép thành lập và hoạt động")
    OPERATION = "operation", _("Quyết định cho phép hoạt động")
    REGISTRATION = "registration", _("Giấy chứng nhận đăng ký hoạt động")
    AMENDMENT = "amendment", _("Quyết định điều chỉnh, bổ sung")
    SUSPENSION = "suspension", _("Quyết định đình chỉ hoạt động")
    RESUMPTION = "resumption", _("Quyết định cho phép hoạt động trở lại")
    REVOCATION = "revocation", _("Quyết định thu hồi giấy phép")
    DISSOLUTION = "dissolution", _("Quyết định giải thể")


# Documents that grant (or renew) the right to operate: the latest one is the licence.
GRANTING_KINDS = (
    DocumentKind.ESTABLISHMENT_OPERATION,
    DocumentKind.OPERATION,
    DocumentKind.REGISTRATION,
)
# Documents that end the licence given before them.
ENDING_KINDS = (DocumentKind.REVOCATION, DocumentKind.DISSOLUTION)

# The status a document puts the center in, from its date on.
STATUS_OF_DOCUMENT = {
    DocumentKind.ESTABLISHMENT_OPERATION: CenterStatus.OPERATING,
    DocumentKind.OPERATION: CenterStatus.OPERATING,
    DocumentKind.REGISTRATION: CenterStatus.OPERATING,
    DocumentKind.RESUMPTION: CenterStatus.OPERATING,
    DocumentKind.SUSPENSION: CenterStatus.SUSPENDED,
    DocumentKind.REVOCATION: CenterStatus.STOPPED,
    DocumentKind.DISSOLUTION: CenterStatus.DISSOLVED,
}


# The decision behind a change of status made by hand (centers.services.center_status_change):
# the status it records and the kind of document that decides it. "Operating" by hand is a
# resumption after a suspension; a first licence is recorded as a document instead.
DECISION_OF_STATUS = {
    CenterStatus.SUSPENDED: DocumentKind.SUSPENSION,
    CenterStatus.OPERATING: DocumentKind.RESUMPTION,
    CenterStatus.STOPPED: DocumentKind.REVOCATION,
    CenterStatus.DISSOLVED: DocumentKind.DISSOLUTION,
}


class StaffPosition(models.TextChoices):
    TEACHER = "teacher", _("Giáo viên")
    MANAGER = "manager", _("Cán bộ quản lý")
    OTHER = "other", _("Nhân viên")
