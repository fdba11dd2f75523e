from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Đã lên kế hoạch")
    DONE = "done", _("Đã kiểm tra, đang theo dõi khắc phục")
    CLOSED = "closed", _("Đã kết thúc")

    @classmethod
    def badge(cls, value: str) -> str:
        return {cls.PLANNED: "secondary", cls.DONE: "warning", cls.CLOSED: "success"}.get(value, "secondary")


class Condition(models.TextChoices):
    """The conditions an inspection checks (ND 125/2024 Art 43; TT 21/2018)."""

    PREMISES = "premises", _("Cơ sở vật chất, thiết bị")
    PROGRAMMES = "programmes", _("Chương trình, tài liệu giảng dạy")
    STAFF = "staff", _("Trình độ đội ngũ quản lý, giáo viên")
    STATUTES = "statutes", _("Quy chế tổ chức và hoạt động")
    DISCLOSURE = "disclosure", _("Công khai thông tin")
    FEES = "fees", _("Thu, chi học phí")
    FIRE_SAFETY = "fire_safety", _("An toàn, phòng cháy chữa cháy")


class CheckResult(models.TextChoices):
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Không đạt")
    NOT_CHECKED = "not_checked", _("Không kiểm tra")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    HANDLING = "handling", _("Đang giải quyết")
    RESOLVED = "resolved", _("Đã giải quyết")
    REJECTED = "rejected", _("Không thụ lý")

    @classmethod
    def badge(cls, value: str) -> str:
        return {cls.RECEIVED: "info", cls.HANDLING: "warning", cls.RESOLVED: "success",
                cls.REJECTED: "secondary"}.get(value, "secondary")


OPEN_COMPLAINT_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.HANDLING)


class ComplaintSource(models.TextChoices):
    LEARNER = "learner", _("Học viên, phụ huynh")
    TEACHER = "teacher", _("Giáo viên, nhân viên")
    CITIZEN = "citizen", _("Người dân")
    AGENCY = "agency", _("Cơ quan, tổ chức chuyển đến")
    PRESS = "press", _("Báo chí, mạng xã hội")
