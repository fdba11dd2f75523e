from django.db import models
from django.utils.translation import gettext_lazy as _


class ConferenceKind(models.TextChoices):
    LAUNCH = "launch", _("Triển khai nhiệm vụ")
    SEMESTER_REVIEW = "semester_review", _("Sơ kết học kỳ")
    YEAR_REVIEW = "year_review", _("Tổng kết năm học")
    BRIEFING = "briefing", _("Giao ban thường kỳ")
    THEMATIC = "thematic", _("Chuyên đề")


class ParticipantRole(models.TextChoices):
    CHAIR = "chair", _("Chủ trì")
    DIRECTING = "directing", _("Dự và chỉ đạo")
    GUEST = "guest", _("Khách mời")
    DELEGATE = "delegate", _("Đại biểu")


class ConferenceFileKind(models.TextChoices):
    PHOTO = "photo", _("Ảnh")
    SLIDES = "slides", _("Bài trình chiếu")
    DOCUMENT = "document", _("Tài liệu")


class DirectiveType(models.TextChoices):
    """Document types of Nghị định 30/2020, with their abbreviations (Appendix III).

    A công văn has no abbreviation: its symbol is the agency's then the drafting
    division's ("SGDĐT-GDTX")."""

    OFFICIAL_LETTER = "cong_van", _("Công văn")
    PLAN = "ke_hoach", _("Kế hoạch")
    CONCLUSION_NOTICE = "thong_bao_ket_luan", _("Thông báo kết luận")
    DECISION = "quyet_dinh", _("Quyết định")
    INSTRUCTION = "chi_thi", _("Chỉ thị")
    REPORT = "bao_cao", _("Báo cáo")

    @classmethod
    def abbreviation(cls, value: str) -> str:
        return {
            cls.PLAN: "KH", cls.CONCLUSION_NOTICE: "TB", cls.DECISION: "QĐ", cls.INSTRUCTION: "CT",
            cls.REPORT: "BC",
        }.get(value, "")

    @classmethod
    def title(cls, value: str) -> str:
        """The type name printed above the summary ("THÔNG BÁO" for a notice of conclusions)."""
        return {
            cls.PLAN: "KẾ HOẠCH", cls.CONCLUSION_NOTICE: "THÔNG BÁO", cls.DECISION: "QUYẾT ĐỊNH",
            cls.INSTRUCTION: "CHỈ THỊ", cls.REPORT: "BÁO CÁO",
        }.get(value, "")

    @classmethod
    def name_in_text(cls, value: str) -> str:
        """The type as a citation names it: "Kế hoạch số 12/KH-SGDĐT", "Thông báo số ...",
        "Công văn số ..."."""
        title = cls.title(value)
        return title.capitalize() if title else "Công văn"

    @classmethod
    def is_addressed(cls, value: str) -> bool:
        """Whether the document has a "Kính gửi:" part. Nghị định 30/2020, Appendix I,
        II.9.b-c: công văn, and tờ trình and báo cáo sent up to a superior body; every other
        type lists its recipients under "Nơi nhận" only."""
        return value in (cls.OFFICIAL_LETTER, cls.REPORT)

    @classmethod
    def prints_tasks(cls, value: str) -> bool:
        """Whether the tasks are part of the document's body. A quyết định says what it
        decides in its articles (Appendix III, sample 1.2); its tasks are followed on the
        portal and printed, if asked, in the tracking appendix only."""
        return value != cls.DECISION


class SigningPrefix(models.TextChoices):
    NONE = "", _("Người đứng đầu ký")
    KT = "KT.", _("KT. (ký thay)")
    TL = "TL.", _("TL. (thừa lệnh)")
    TM = "TM.", _("TM. (thay mặt)")
    Q = "Q.", _("Q. (quyền)")
    TUQ = "TUQ.", _("TUQ. (thừa ủy quyền)")


class DirectiveStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ISSUED = "issued", _("Đã ban hành")

    @classmethod
    def badge(cls, value: str) -> str:
        return {cls.DRAFT: "secondary", cls.ISSUED: "success"}.get(value, "secondary")


class RegisterEntryKind(models.TextChoices):
    """A number of the register used without a directive of the portal, recorded with its
    reason: the register never has a silent gap (Nghị định 30/2020, Art. 15: numbers follow
    the order and dates of issue within the year)."""

    CANCELLED = "cancelled", _("Hủy số")
    SKIPPED = "skipped", _("Bỏ số (không cấp trên cổng)")

    @classmethod
    def badge(cls, value: str) -> str:
        return {cls.CANCELLED: "danger", cls.SKIPPED: "warning"}.get(value, "secondary")


class AssigneeKind(models.TextChoices):
    DIVISION = "division", _("Phòng, ban thuộc Sở")
    COMMUNE = "commune", _("UBND xã/phường")
    CENTER = "center", _("Trung tâm")


class AssignmentStatus(models.TextChoices):
    """What the assignee and the issuer have done; lateness and overdue are derived."""

    OPEN = "open", _("Đang thực hiện")
    DONE = "done", _("Báo hoàn thành, chờ xác nhận")
    ACCEPTED = "accepted", _("Đã hoàn thành")


class FollowUp(models.TextChoices):
    """The follow-up state shown on a directive's and a unit's page (derived, never stored)."""

    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OPEN = "open", _("Đang thực hiện")
    OVERDUE = "overdue", _("Quá hạn chưa hoàn thành")

    @classmethod
    def badge(cls, value: str) -> str:
        return {
            cls.DONE_ON_TIME: "success", cls.DONE_LATE: "warning", cls.OPEN: "primary", cls.OVERDUE: "danger",
        }.get(value, "secondary")


class EvidenceType(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"
    XLSX = "xlsx", "Excel (.xlsx)"
    JPG = "jpg", _("Ảnh JPEG")
    PNG = "png", _("Ảnh PNG")
    PPTX = "pptx", "PowerPoint (.pptx)"
