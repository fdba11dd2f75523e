import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centers.models import TimestampedModel
from geo.text import VI_COLUMN_COLLATION

from .choices import AttachmentType, ExtensionStatus, FieldKind, Frequency, ObligationStatus


def local_date(value: datetime.datetime | None = None) -> datetime.date:
    """The date in the Department's time zone (settings.TIME_ZONE) of `value`, or today:
    due dates are Hà Nội dates, whatever time zone a request may have activated."""
    return timezone.localdate(value, zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _default_attachment_types() -> list[str]:
    return [AttachmentType.PDF.value, AttachmentType.XLSX.value, AttachmentType.DOCX.value]


class ReportType(TimestampedModel):
    """A periodic (or one-off) report that centers of some kinds owe their Department.

    Data windows follow Decree 09/2019 (the 15th to the 14th); the due date and the lock
    date are set per type, because each Department sets its own deadlines.
    """

    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("Sở GDĐT (tỉnh/thành phố)"), on_delete=models.PROTECT,
        related_name="report_types", limit_choices_to={"level": "province"},
    )
    code = models.CharField(_("mã"), max_length=30)
    title = models.CharField(_("tên báo cáo"), max_length=255, db_collation=VI_COLUMN_COLLATION)
    description = models.TextField(_("hướng dẫn"), blank=True)
    center_kinds = models.JSONField(_("loại hình trung tâm phải báo cáo"), default=list)
    frequency = models.CharField(_("kỳ báo cáo"), max_length=20, choices=Frequency.choices)
    window_start_day = models.PositiveSmallIntegerField(
        _("ngày bắt đầu chốt số liệu"), default=15,
        help_text=_("Theo Nghị định 09/2019: số liệu tính từ ngày 15 kỳ trước đến ngày 14 kỳ này."),
    )
    due_days_after_window = models.PositiveSmallIntegerField(
        _("hạn nộp (số ngày sau khi chốt số liệu)"), default=5,
    )
    lock_days_after_due = models.PositiveSmallIntegerField(
        _("khóa nộp sau hạn (số ngày)"), default=15,
        help_text=_("Sau ngày này, trung tâm chỉ nộp được khi Sở cho gia hạn."),
    )
    school_year_start_month = models.PositiveSmallIntegerField(_("tháng bắt đầu năm học"), default=9)
    school_year_start_day = models.PositiveSmallIntegerField(_("ngày bắt đầu năm học"), default=1)
    attachment_types = models.JSONField(_("loại tệp đính kèm cho phép"), default=_default_attachment_types)
    attachment_max_mb = models.PositiveSmallIntegerField(_("dung lượng tối đa mỗi tệp (MB)"), default=10)
    attachments_required = models.BooleanField(_("bắt buộc đính kèm"), default=False)
    starts_on = models.DateField(_("áp dụng từ ngày"))
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("loại báo cáo")
        verbose_name_plural = _("loại báo cáo")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="report_type_code_unique_in_province"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if not 1 <= self.window_start_day <= 28:
            raise ValidationError({"window_start_day": _("Ngày chốt số liệu phải từ 1 đến 28.")})
        unknown = set(self.attachment_types or []) - set(AttachmentType.values)
        if unknown:
            raise ValidationError({"attachment_types": _("Loại tệp không hỗ trợ: %s") % ", ".join(sorted(unknown))})


class ReportField(models.Model):
    """One value a report asks for. Editing fields changes future submissions only:
    every submitted version keeps a copy of the fields it answered."""

    report_type = models.ForeignKey(ReportType, verbose_name=_("loại báo cáo"), on_delete=models.CASCADE,
                                    related_name="fields")
    code = models.SlugField(_("mã trường"), max_length=50, help_text=_("Chữ không dấu, ví dụ: so_hoc_vien"))
    label = models.CharField(_("nhãn"), max_length=255)
    kind = models.CharField(_("kiểu dữ liệu"), max_length=20, choices=FieldKind.choices)
    required = models.BooleanField(_("bắt buộc"), default=True)
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), max_digits=18, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("giá trị lớn nhất"), max_digits=18, decimal_places=2, null=True, blank=True)
    choices = models.TextField(_("các lựa chọn"), blank=True, help_text=_("Mỗi dòng một lựa chọn."))
    help_text = models.CharField(_("hướng dẫn"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("trường báo cáo")
        verbose_name_plural = _("trường báo cáo")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report_type", "code"], name="report_field_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        if self.kind == FieldKind.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("Trường lựa chọn cần ít nhất một lựa chọn.")})
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": _("Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.")})

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def as_schema(self) -> dict:
        """The field's definition as frozen into a submitted version."""
        return {
            "code": self.code, "label": self.label, "kind": self.kind, "required": self.required,
            "min_value": str(self.min_value) if self.min_value is not None else None,
            "max_value": str(self.max_value) if self.max_value is not None else None,
            "choices": self.choice_list, "help_text": self.help_text,
        }


class ReportPeriod(models.Model):
    """A concrete reporting window of a type, with its due date and lock date."""

    report_type = models.ForeignKey(ReportType, verbose_name=_("loại báo cáo"), on_delete=models.CASCADE,
                                    related_name="periods")
    label = models.CharField(_("kỳ"), max_length=120)
    data_from = models.DateField(_("số liệu từ ngày"))
    data_to = models.DateField(_("số liệu đến ngày"))
    due_date = models.DateField(_("hạn nộp"))
    lock_date = models.DateField(_("khóa nộp"))
    created_at = models.DateTimeField(auto_now_add=True)

    # Every change, with who made it; a correction of a period that has submissions
    # (reports.services.period_correct) also records why: reasons can be long.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-due_date", "report_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["report_type", "data_from", "data_to"], name="report_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report_type} - {self.label}"

    def clean(self):
        if self.data_from and self.data_to and self.data_from > self.data_to:
            raise ValidationError({"data_to": _("Ngày kết thúc kỳ phải sau ngày bắt đầu.")})
        if self.due_date and self.lock_date and self.lock_date < self.due_date:
            raise ValidationError({"lock_date": _("Ngày khóa nộp không được trước hạn nộp.")})


class Obligation(models.Model):
    """What one center owes for one period. Lateness is derived from the first
    submission's time against the due date (or the granted extension)."""

    period = models.ForeignKey(ReportPeriod, verbose_name=_("kỳ báo cáo"), on_delete=models.CASCADE,
                               related_name="obligations")
    center = models.ForeignKey("centers.Center", verbose_name=_("trung tâm"), on_delete=models.CASCADE,
                               related_name="report_obligations")
    status = models.CharField(_("tình trạng"), max_length=20, choices=ObligationStatus.choices,
                              default=ObligationStatus.OPEN)
    draft_values = models.JSONField(_("bản nháp"), default=dict, blank=True)
    draft_saved_at = models.DateTimeField(_("lưu nháp lúc"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"), null=True, blank=True)
    extended_until = models.DateField(_("được gia hạn đến"), null=True, blank=True)
    # Bumped on every state change, so that two reviewers acting at once cannot both win.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("nghĩa vụ báo cáo")
        verbose_name_plural = _("nghĩa vụ báo cáo")
        ordering = ["period__due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "center"], name="one_obligation_per_center_and_period"),
        ]
        indexes = [
            models.Index(fields=["center", "status"]),
            # The reminder sweep and completeness counts look only at what is still owed.
            models.Index(fields=["period"], condition=models.Q(first_submitted_at__isnull=True),
                         name="obligation_unsubmitted_idx"),
            # The compliance rules' semi-join: a center's unsubmitted obligations.
            models.Index(fields=["center"], condition=models.Q(first_submitted_at__isnull=True),
                         name="obligation_center_open_idx"),
            # A center's first submission ever (the no-activity rule).
            models.Index(fields=["center", "first_submitted_at"], name="obligation_center_first_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.center} - {self.period}"

    @property
    def effective_due_date(self):
        return max(self.period.due_date, self.extended_until) if self.extended_until else self.period.due_date

    @property
    def effective_lock_date(self):
        return max(self.period.lock_date, self.extended_until) if self.extended_until else self.period.lock_date

    # Derived display helpers. Timeliness is never stored: it follows from the first
    # submission's time and the effective due date, so a late extension re-derives it.

    @property
    def first_submitted_on(self) -> datetime.date | None:
        """The local (Asia/Ho_Chi_Minh) date of the first submission."""
        return local_date(self.first_submitted_at) if self.first_submitted_at else None

    @property
    def is_late(self) -> bool:
        """Submitted, but first submitted after the effective due date."""
        submitted_on = self.first_submitted_on
        return submitted_on is not None and submitted_on > self.effective_due_date

    @property
    def is_on_time(self) -> bool:
        submitted_on = self.first_submitted_on
        return submitted_on is not None and submitted_on <= self.effective_due_date

    def days_left(self, today: datetime.date | None = None) -> int:
        """Days until the effective due date; negative once it has passed."""
        return (self.effective_due_date - (today or local_date())).days

    def days_late(self, today: datetime.date | None = None) -> int:
        """Days past the effective due date: of the first submission when there is one
        (fixed from then on), otherwise of today; 0 when not late."""
        reference = self.first_submitted_on or today or local_date()
        return max((reference - self.effective_due_date).days, 0)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Never submitted and the effective due date has passed."""
        return self.first_submitted_at is None and self.days_left(today) < 0

    def is_locked(self, today: datetime.date | None = None) -> bool:
        """Past the effective lock date: new submissions need an extension."""
        return (today or local_date()) > self.effective_lock_date

    @property
    def status_badge(self) -> str:
        return ObligationStatus.badge(self.status)


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Random names: the original name is kept in the row, never used on disk.
    return f"reports/{instance.obligation_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a draft; frozen with the version it was submitted with."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="attachments")
    version = models.ForeignKey("SubmissionVersion", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_type = models.CharField(_("loại tệp"), max_length=10, choices=AttachmentType.choices)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class SubmissionVersion(models.Model):
    """An immutable submitted version: values, the fields they answered, attachment
    hashes, who and when, and a content hash over all of it."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần nộp"))
    values = models.JSONField(_("số liệu"))
    schema = models.JSONField(_("các trường tại thời điểm nộp"))
    attachment_hashes = models.JSONField(_("mã băm tệp đính kèm"), default=list)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("nộp lúc"))
    content_hash = models.CharField(_("mã băm nội dung (SHA-256)"), max_length=64)
    idempotency_key = models.UUIDField(unique=True)

    class Meta:
        verbose_name = _("bản nộp")
        verbose_name_plural = _("bản nộp")
        ordering = ["obligation_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "number"], name="one_version_number_per_obligation"),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} - lần {self.number}"

    @property
    def submitted_on(self) -> datetime.date:
        return local_date(self.submitted_at)

    @property
    def days_late(self) -> int:
        """Days this version came after the obligation's effective due date (0 if on time)."""
        return max((self.submitted_on - self.obligation.effective_due_date).days, 0)


class Review(models.Model):
    """The Department's decision on a submitted version."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Chấp nhận")
        RETURNED = "returned", _("Trả lại để sửa")

    version = models.OneToOneField(SubmissionVersion, on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(_("quyết định"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("lý do chung"), blank=True)
    field_comments = models.JSONField(_("ý kiến theo từng trường"), default=dict, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("duyệt lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả duyệt")
        verbose_name_plural = _("kết quả duyệt")

    def __str__(self) -> str:
        return f"{self.version} - {self.get_decision_display()}"


class ExtensionRequest(models.Model):
    """A director's request for more time, and the Department's answer."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="extension_requests")
    reason = models.TextField(_("lý do"))
    requested_until = models.DateField(_("xin gia hạn đến"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("tình trạng"), max_length=20, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("trả lời"), blank=True)

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.obligation} - {self.get_status_display()}"
