import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edu_portal.jobs import BackgroundJob
from geo.collation import person_ordering
from geo.text import VI_COLUMN_COLLATION

from .choices import CenterKind, CenterStatus, DocumentKind, StaffPosition

DIRECTOR_TERM_YEARS = 5


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class Center(TimestampedModel):
    """A non-school education center in the Department's register.

    `status`, `current_licence` and `search_text` are derived by
    centers.services.center_refresh from the documents, never typed by hand.
    """

    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), on_delete=models.PROTECT,
        related_name="province_centers", limit_choices_to={"level": "province"},
    )
    commune = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("xã/phường"), on_delete=models.PROTECT,
        related_name="commune_centers", limit_choices_to={"level": "commune"},
    )
    code = models.CharField(_("mã trung tâm"), max_length=30)
    name = models.CharField(_("tên trung tâm"), max_length=255, db_collation=VI_COLUMN_COLLATION)
    kind = models.CharField(_("loại hình"), max_length=20, choices=CenterKind.choices)
    # A new center has no licence yet: it operates once one is recorded
    # (centers.services.licence_document_save).
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=CenterStatus.choices, default=CenterStatus.NOT_YET_LICENSED,
    )
    street = models.CharField(_("số nhà, đường, thôn/xóm"), max_length=255, blank=True)
    address_as_printed = models.CharField(
        _("địa chỉ ghi trên quyết định"), max_length=400, blank=True,
        help_text=_("Ghi đúng như trên quyết định, kể cả tên huyện trước 1/7/2025."),
    )
    investor_name = models.CharField(_("chủ đầu tư"), max_length=255, blank=True)
    investor_tax_code = models.CharField(_("mã số thuế chủ đầu tư"), max_length=20, blank=True)
    founding_authority = models.CharField(_("cơ quan, tổ chức thành lập"), max_length=255, blank=True)
    managing_authority = models.CharField(_("cơ quan quản lý trực tiếp"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("trang web"), blank=True)
    current_licence = models.ForeignKey(
        "LicenceDocument", verbose_name=_("giấy phép hiện hành"), null=True, blank=True,
        editable=False, on_delete=models.SET_NULL, related_name="+",
    )
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "current_licence", "updated_at"])

    class Meta:
        verbose_name = _("trung tâm")
        verbose_name_plural = _("trung tâm")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="center_code_unique_in_province"),
        ]
        indexes = [
            models.Index(fields=["province", "kind", "status"]),
            models.Index(fields=["province", "name", "id"]),
            models.Index(fields=["commune", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        """The current address: street, commune and province."""
        parts = [self.street, self.commune.full_name, self.province.full_name]
        return ", ".join(p for p in parts if p)

    def clean(self):
        if self.commune_id and self.province_id and self.commune.parent_id != self.province_id:
            raise ValidationError({"commune": _("Xã/phường không thuộc tỉnh/thành phố đã chọn.")})


class LicenceDocument(TimestampedModel):
    """A decision or certificate in a center's file: establishment, licence, amendment,
    suspension, resumption, revocation or dissolution."""

    center = models.ForeignKey(Center, verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("loại văn bản"), max_length=30, choices=DocumentKind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=60, help_text=_("Ví dụ: 12/QĐ-SGDĐT"))
    signed_on = models.DateField(_("ngày ký"))
    issuer = models.CharField(
        _("cơ quan cấp"), max_length=255,
        help_text=_("Ghi như trên văn bản, ví dụ: Sở GDĐT Bắc Giang (trước sáp nhập)."),
    )
    valid_until = models.DateField(
        _("hiệu lực đến"), null=True, blank=True,
        help_text=_("Để trống nếu không thời hạn. Với quyết định đình chỉ: ngày hết thời hạn đình chỉ."),
    )
    scope = models.TextField(_("phạm vi, nội dung"), blank=True)
    # What the document itself printed on the day it was signed (issue 11): the issuer and
    # its parent body, the center's name and address, who applied and who proposed, the
    # bases cited, the signer. Names and addresses change (the 2025 merger of provinces,
    # the end of districts); the document does not. Empty means "as the register derives
    # it" (centers.pdf), never a guess.
    validity_stated = models.BooleanField(
        _("thời hạn ghi trên văn bản"), default=False,
        help_text=_("Đánh dấu khi chính văn bản ghi ngày hết hiệu lực. Nếu không, ngày hết hiệu lực chỉ là số liệu "
                    "Sở theo dõi và không được in trên văn bản."),
    )
    issuer_parent_as_printed = models.CharField(
        _("cơ quan chủ quản (như trên văn bản)"), max_length=255, blank=True,
        help_text=_("Dòng trên cùng bên trái, ví dụ: UBND TỈNH BẮC GIANG. Để trống: suy ra từ cơ quan cấp."),
    )
    issuer_name_as_printed = models.CharField(
        _("tên cơ quan ban hành (như trên văn bản)"), max_length=255, blank=True,
        help_text=_("Ví dụ: SỞ GIÁO DỤC VÀ ĐÀO TẠO. Để trống: suy ra từ cơ quan cấp."),
    )
    place_as_printed = models.CharField(
        _("địa danh (như trên văn bản)"), max_length=100, blank=True,
        help_text=_("Địa danh trước ngày tháng, ví dụ: Bắc Giang."),
    )
    center_name_as_printed = models.CharField(
        _("tên trung tâm (như trên văn bản)"), max_length=255, blank=True,
        help_text=_("Chỉ ghi khi tên trên văn bản khác tên hiện nay."),
    )
    address_as_printed = models.CharField(
        _("địa chỉ trụ sở (như trên văn bản)"), max_length=400, blank=True,
        help_text=_("Ghi đúng như trên văn bản, kể cả huyện và tỉnh cũ trước 1/7/2025."),
    )
    applicant_as_printed = models.CharField(
        _("tổ chức, cá nhân đề nghị"), max_length=255, blank=True,
        help_text=_('Ghi như dòng "Xét hồ sơ đề nghị của ..." trên văn bản. '
                    "Để trống: chủ đầu tư của trung tâm tư thục."),
    )
    proposer = models.CharField(
        _("đơn vị tham mưu"), max_length=255, blank=True,
        help_text=_('Ghi như dòng "Theo đề nghị của ..." trên văn bản, ví dụ: Trưởng phòng Giáo dục thường xuyên.'),
    )
    legal_bases = models.TextField(
        _("căn cứ ban hành (như trên văn bản)"), blank=True,
        help_text=_('Mỗi dòng một căn cứ, chép từ văn bản. Để trống: in các căn cứ còn hiệu lực vào ngày ký.'),
    )
    signer_title = models.CharField(
        _("quyền hạn, chức vụ người ký"), max_length=120, blank=True,
        help_text=_('Như trên văn bản, mỗi dòng cách nhau dấu "/", ví dụ: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC.'),
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=150, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("văn bản pháp lý")
        verbose_name_plural = _("văn bản pháp lý")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["center", "signed_on"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"

    def clean(self):
        if self.valid_until and self.signed_on and self.valid_until < self.signed_on:
            raise ValidationError({"valid_until": _("Ngày hết hiệu lực phải sau ngày ký.")})
        if self.validity_stated and not self.valid_until:
            raise ValidationError({"valid_until": _("Văn bản ghi thời hạn: cần nhập ngày hết hiệu lực.")})
        if self.signed_on and self.signed_on > datetime.date.today() + datetime.timedelta(days=1):
            raise ValidationError({"signed_on": _("Ngày ký không được ở tương lai.")})


class StatusChange(models.Model):
    """A dated, attributed change of a center's status, tied to the decision behind it."""

    center = models.ForeignKey(Center, verbose_name=_("trung tâm"), on_delete=models.CASCADE,
                               related_name="status_changes")
    old_status = models.CharField(_("trạng thái cũ"), max_length=20, choices=CenterStatus.choices, blank=True)
    new_status = models.CharField(_("trạng thái mới"), max_length=20, choices=CenterStatus.choices)
    effective_on = models.DateField(_("ngày hiệu lực"))
    document = models.ForeignKey(
        LicenceDocument, verbose_name=_("căn cứ văn bản"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="status_changes",
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi trạng thái")
        verbose_name_plural = _("thay đổi trạng thái")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_new_status_display()} ({self.effective_on:%d/%m/%Y})"


class Location(TimestampedModel):
    """A teaching location or branch the center is permitted to use."""

    center = models.ForeignKey(Center, verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="locations")
    address = models.CharField(_("địa chỉ"), max_length=400)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("xã/phường"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "commune"},
    )
    document = models.ForeignKey(
        LicenceDocument, verbose_name=_("căn cứ văn bản"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="locations",
    )
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("địa điểm đặt lớp")
        verbose_name_plural = _("địa điểm đặt lớp")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.address


class Director(TimestampedModel):
    """A director of a center with the decision recognising the title (5-year term).

    One current director per center (ended_on empty); earlier ones are kept as history.
    """

    center = models.ForeignKey(Center, verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="directors")
    full_name = models.CharField(_("họ và tên"), max_length=150, db_collation=VI_COLUMN_COLLATION)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    recognition_number = models.CharField(_("số quyết định công nhận"), max_length=60, blank=True)
    recognition_date = models.DateField(_("ngày công nhận"), null=True, blank=True)
    recognition_issuer = models.CharField(_("cơ quan công nhận"), max_length=255, blank=True)
    term_end = models.DateField(
        _("hết nhiệm kỳ"), null=True, blank=True,
        help_text=_("Để trống: tự tính 5 năm kể từ ngày công nhận."),
    )
    started_on = models.DateField(_("bắt đầu giữ chức"), null=True, blank=True)
    ended_on = models.DateField(_("thôi giữ chức"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giám đốc")
        verbose_name_plural = _("giám đốc")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["center"], condition=models.Q(ended_on__isnull=True),
                name="one_current_director_per_center",
                violation_error_message=_("Trung tâm đã có giám đốc đương nhiệm; "
                                          "hãy nhập ngày thôi giữ chức của người trước."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self):
        if self.recognition_date and not self.term_end:
            self.term_end = add_years(self.recognition_date, DIRECTOR_TERM_YEARS)
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("Ngày thôi giữ chức phải sau ngày bắt đầu.")})

    def is_recognised(self, on: datetime.date) -> bool:
        return bool(self.recognition_number) and (self.term_end is None or self.term_end >= on)


class Staff(TimestampedModel):
    """A teacher or staff member; foreign teachers carry a work permit or an exemption."""

    center = models.ForeignKey(Center, verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="staff")
    full_name = models.CharField(_("họ và tên"), max_length=150, db_collation=VI_COLUMN_COLLATION)
    position = models.CharField(_("vị trí"), max_length=20, choices=StaffPosition.choices,
                                default=StaffPosition.TEACHER)
    qualifications = models.CharField(_("trình độ, chứng chỉ"), max_length=255, blank=True)
    is_foreign = models.BooleanField(_("người nước ngoài"), default=False)
    nationality = models.CharField(_("quốc tịch"), max_length=80, blank=True)
    work_permit_number = models.CharField(_("số giấy phép lao động"), max_length=60, blank=True)
    work_permit_issuer = models.CharField(_("nơi cấp giấy phép lao động"), max_length=255, blank=True)
    work_permit_valid_until = models.DateField(_("giấy phép lao động hết hạn"), null=True, blank=True)
    work_permit_exempt = models.BooleanField(_("miễn giấy phép lao động"), default=False)
    is_active = models.BooleanField(_("đang làm việc"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nhân sự")
        verbose_name_plural = _("nhân sự")
        # By given name, then family and middle names (geo.collation).
        ordering = [*person_ordering("full_name"), "id"]
        indexes = [models.Index(fields=["center", "is_foreign", "is_active"])]

    def __str__(self) -> str:
        return self.full_name

    def clean(self):
        if self.is_foreign:
            if not self.nationality:
                raise ValidationError({"nationality": _("Giáo viên người nước ngoài cần ghi quốc tịch.")})
            if not self.work_permit_exempt and not (self.work_permit_number and self.work_permit_valid_until):
                raise ValidationError(
                    {"work_permit_number": _("Cần số và hạn giấy phép lao động, hoặc đánh dấu được miễn.")}
                )

    def work_permit_valid(self, on: datetime.date) -> bool:
        if not self.is_foreign or self.work_permit_exempt:
            return True
        return bool(self.work_permit_valid_until and self.work_permit_valid_until >= on)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def import_upload_to(instance: "CenterImport", filename: str) -> str:
    """A random name under MEDIA_ROOT/imports/: the uploader's file name is never used as a
    path (it may hold "../" or clash with another upload); it is kept in original_name."""
    import uuid

    from django.utils import timezone

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = f".{suffix}" if suffix in {"xlsx", "csv"} else ""
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class CenterImport(BackgroundJob):
    """One registry import: the uploaded file (private, under MEDIA_ROOT), who sent it for
    which department, its preview and how far the work got.

    An upload is first previewed (stage "preview": read and checked, nothing written),
    then imported once someone confirms it (stage "import"). Each stage goes pending ->
    running -> done or failed: in the request for a small file, in the Celery worker for
    a large one. A run whose worker died is taken up again by the periodic check
    (edu_portal.jobs).

    The file is deleted by centers.tasks.center_import_purge_task a few days after the
    last stage finished (a preview never confirmed too), or at once when the preview is
    cancelled; the row stays as the record of what was imported.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Không thành công")
        CANCELLED = "cancelled", _("Đã hủy")

    class Stage(models.TextChoices):
        PREVIEW = "preview", _("Xem trước")
        IMPORT = "import", _("Nhập")

    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "province"},
        help_text=_("Sở thực hiện việc nhập; để trống khi quản trị hệ thống nhập cho nhiều tỉnh."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    file = models.FileField(_("tệp"), upload_to=import_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Rows recorded before previews existed were imports straight away.
    stage = models.CharField(_("bước"), max_length=10, choices=Stage.choices, default=Stage.IMPORT)
    preview = models.JSONField(_("xem trước"), default=dict, blank=True)
    # The job's attempt (edu_portal.jobs) the current stage began with: the import of a
    # preview made by the worker is the same job's next attempt, not a retry.
    stage_first_attempt = models.PositiveSmallIntegerField(_("lần gửi đầu của bước"), default=1)
    # The retry budget of the periodic check, and the page's "lần 2/3", count per stage.
    first_attempt_field = "stage_first_attempt"
    valid_only = models.BooleanField(_("chỉ nhập các dòng hợp lệ"), default=False)
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    created = models.PositiveIntegerField(_("số trung tâm thêm mới"), default=0)
    updated = models.PositiveIntegerField(_("số trung tâm cập nhật"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập trung tâm")
        verbose_name_plural = _("lượt nhập trung tâm")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state_label})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("centers:center_import_status", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def is_retry(self) -> bool:
        return self.attempts > self.stage_first_attempt and not self.is_finished

    @property
    def is_previewing(self) -> bool:
        return self.stage == self.Stage.PREVIEW

    @property
    def awaits_confirmation(self) -> bool:
        """A preview ready to be confirmed: the file is still kept."""
        return self.stage == self.Stage.PREVIEW and self.status == self.Status.DONE and bool(self.file)

    @property
    def state_label(self) -> str:
        """The status in words for the stage it belongs to."""
        Status = self.Status
        if self.stage == self.Stage.PREVIEW:
            return str({
                Status.PENDING: _("Đang chờ kiểm tra"),
                Status.RUNNING: _("Đang kiểm tra"),
                Status.DONE: _("Chờ xác nhận nhập") if self.file else _("Đã xem trước, tệp đã xóa"),
                Status.FAILED: _("Không đọc được tệp"),
                Status.CANCELLED: _("Đã hủy"),
            }.get(self.status, self.get_status_display()))
        return str(self.get_status_display())

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
