"""Inspections with their checklist and violations, the sanction catalogue they cite,
complaints about centers, and the compliance flags' history and risk weights.

Non-compliance itself is never stored: the rules (inspections.rules) evaluate it in the
database. FlagPeriod only records when each flag appeared and cleared (nightly)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from geo.text import VI_COLUMN_COLLATION

from .choices import CheckResult, ComplaintSource, ComplaintStatus, Condition, InspectionStatus


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class LegalVersion(models.Model):
    """One version of the sanction rules, e.g. ND 04/2021 as amended by ND 127/2021. A new
    decree is a new version with its articles, not a change of code."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("văn bản"), max_length=400)
    in_force_from = models.DateField(_("có hiệu lực từ"))
    in_force_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)

    class Meta:
        verbose_name = _("phiên bản văn bản xử phạt")
        verbose_name_plural = _("phiên bản văn bản xử phạt")
        ordering = ["-in_force_from"]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day) -> bool:
        return self.in_force_from <= day and (self.in_force_to is None or day <= self.in_force_to)


class SanctionArticle(models.Model):
    """A sanctionable act of a version: article, clause, point, the act, the fine range
    for an organisation, and the remedial measure."""

    version = models.ForeignKey(LegalVersion, verbose_name=_("phiên bản"), on_delete=models.PROTECT,
                                related_name="articles")
    article = models.CharField(_("điều"), max_length=10)
    clause = models.CharField(_("khoản"), max_length=10, blank=True)
    point = models.CharField(_("điểm"), max_length=10, blank=True)
    description = models.TextField(_("hành vi vi phạm"))
    fine_min = models.PositiveBigIntegerField(_("mức phạt tối thiểu (đồng)"), null=True, blank=True)
    fine_max = models.PositiveBigIntegerField(_("mức phạt tối đa (đồng)"), null=True, blank=True)
    remedy = models.TextField(_("biện pháp khắc phục hậu quả"), blank=True)
    unconfirmed = models.BooleanField(
        _("chưa xác minh"), default=False,
        help_text=_("Mức phạt hoặc khoản, điểm chưa đối chiếu với văn bản gốc."),
    )

    class Meta:
        verbose_name = _("hành vi vi phạm (danh mục)")
        verbose_name_plural = _("danh mục hành vi vi phạm")
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return f"{self.citation}: {self.description[:80]}"

    @property
    def citation(self) -> str:
        parts = [f"điểm {self.point}" if self.point else "", f"khoản {self.clause}" if self.clause else "",
                 f"Điều {self.article}"]
        return " ".join(p for p in parts if p)

    def clean(self):
        if self.fine_min is not None and self.fine_max is not None and self.fine_min > self.fine_max:
            raise ValidationError({"fine_max": _("Mức tối đa phải lớn hơn hoặc bằng mức tối thiểu.")})


class Inspection(TimestampedModel):
    """A check of one center: planned, then carried out (checklist, findings, violations,
    remedy deadline), then followed until closed."""

    province = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    center = models.ForeignKey("centers.Center", verbose_name=_("trung tâm"), on_delete=models.PROTECT,
                               related_name="inspections")
    status = models.CharField(_("trạng thái"), max_length=10, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED)
    planned_on = models.DateField(_("ngày dự kiến"))
    carried_out_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định kiểm tra"), max_length=60, blank=True)
    team = models.TextField(_("thành viên đoàn kiểm tra"), help_text=_("Mỗi dòng một người: họ tên, chức vụ."))
    scope = models.TextField(_("nội dung, phạm vi kiểm tra"))
    findings = models.TextField(_("kết quả kiểm tra"), blank=True)
    unpermitted_location = models.BooleanField(
        _("dạy học tại địa điểm chưa được cấp phép"), default=False,
        help_text=_("Đánh dấu khi đoàn phát hiện trung tâm tổ chức dạy học tại địa điểm không có trong giấy phép."),
    )
    remedy_deadline = models.DateField(_("thời hạn khắc phục"), null=True, blank=True)
    follow_up = models.TextField(_("theo dõi khắc phục"), blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        ordering = [models.F("carried_out_on").desc(nulls_first=True), "-planned_on", "-id"]
        indexes = [
            models.Index(fields=["center", "carried_out_on"]),
            models.Index(fields=["province", "status"]),
        ]

    def __str__(self) -> str:
        day = self.carried_out_on or self.planned_on
        return f"{self.center} ({day:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:inspection_detail", args=[self.pk])


class InspectionCheck(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checks")
    condition = models.CharField(_("điều kiện"), max_length=20, choices=Condition.choices)
    result = models.CharField(_("kết quả"), max_length=12, choices=CheckResult.choices,
                              default=CheckResult.NOT_CHECKED)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nội dung kiểm tra")
        verbose_name_plural = _("nội dung kiểm tra")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "condition"], name="one_check_per_condition"),
        ]

    def __str__(self) -> str:
        return f"{self.get_condition_display()}: {self.get_result_display()}"


class Violation(models.Model):
    """A violation found by an inspection, citing the catalogue in force on its date;
    open until remedied."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="violations")
    article = models.ForeignKey(SanctionArticle, verbose_name=_("hành vi (danh mục)"), on_delete=models.PROTECT,
                                related_name="violations")
    description = models.TextField(_("mô tả vi phạm cụ thể"), blank=True)
    fine_amount = models.PositiveBigIntegerField(_("mức phạt (đồng)"), null=True, blank=True)
    remedy = models.TextField(_("biện pháp khắc phục"), blank=True)
    remedy_deadline = models.DateField(_("thời hạn khắc phục"))
    remedied_on = models.DateField(_("ngày đã khắc phục"), null=True, blank=True)

    class Meta:
        verbose_name = _("vi phạm")
        verbose_name_plural = _("vi phạm")
        ordering = ["id"]
        indexes = [models.Index(fields=["remedy_deadline"], condition=models.Q(remedied_on__isnull=True),
                                name="violation_open_idx")]

    def __str__(self) -> str:
        return str(self.article)


class Complaint(TimestampedModel):
    """A complaint or denunciation about a center (đơn thư), followed to its outcome."""

    province = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    center = models.ForeignKey("centers.Center", verbose_name=_("trung tâm bị phản ánh"), on_delete=models.PROTECT,
                               related_name="complaints")
    received_on = models.DateField(_("ngày nhận"))
    source = models.CharField(_("nguồn"), max_length=10, choices=ComplaintSource.choices)
    complainant = models.CharField(_("người gửi"), max_length=255, blank=True,
                                   help_text=_("Để trống nếu đơn nặc danh hoặc cần giữ bí mật."))
    content = models.TextField(_("nội dung"))
    about_location = models.BooleanField(
        _("phản ánh dạy học tại địa điểm chưa được phép"), default=False,
    )
    handling_deadline = models.DateField(_("hạn giải quyết"))
    status = models.CharField(_("tình trạng"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.RECEIVED)
    upheld = models.BooleanField(_("kết luận đúng"), null=True, blank=True,
                                 help_text=_("Kết luận nội dung phản ánh là đúng (toàn bộ hoặc một phần)."))
    outcome = models.TextField(_("kết quả giải quyết"), blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("đơn thư")
        verbose_name_plural = _("đơn thư")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["center", "status"]), models.Index(fields=["province", "received_on"])]

    def __str__(self) -> str:
        return f"{self.center} ({self.received_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:complaint_detail", args=[self.pk])


class FlagPeriod(models.Model):
    """When a rule started and stopped flagging a center (recorded by the nightly task)."""

    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="flag_periods")
    rule = models.CharField(_("quy tắc"), max_length=30)
    raised_on = models.DateField(_("phát hiện ngày"))
    cleared_on = models.DateField(_("hết vi phạm ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch sử cảnh báo")
        verbose_name_plural = _("lịch sử cảnh báo")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "rule"], condition=models.Q(cleared_on__isnull=True),
                                    name="one_open_flag_per_center_and_rule"),
        ]
        indexes = [models.Index(fields=["rule"], condition=models.Q(cleared_on__isnull=True), name="flag_open_idx")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.rule} {self.raised_on}"


class RiskWeight(models.Model):
    """How much a rule weighs in the risk score, set by the Department's staff."""

    province = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("quy tắc"), max_length=30)
    weight = models.PositiveSmallIntegerField(_("trọng số"))

    class Meta:
        verbose_name = _("trọng số rủi ro")
        verbose_name_plural = _("trọng số rủi ro")
        constraints = [models.UniqueConstraint(fields=["province", "rule"], name="one_weight_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.weight}"


class SavedSearch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("tên"), max_length=120, db_collation=VI_COLUMN_COLLATION)
    query = models.CharField(_("điều kiện"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tìm kiếm đã lưu")
        verbose_name_plural = _("tìm kiếm đã lưu")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_unique_per_user")]

    def __str__(self) -> str:
        return self.name


class CenterFlags(models.Model):
    """One center's compliance flags as the rules (inspections.rules) evaluate them: one
    boolean per rule, what the flagged rules' reasons show (counts, dates), and the date
    the rules were evaluated for. Maintained by inspections.flags in the transaction of
    every write that can change them, rolled to the new date and checked every night.
    A column per rule, so that the page filters and scores in plain SQL: a new rule
    needs its column (tests/inspections/test_flags.py checks they match)."""

    center = models.OneToOneField("centers.Center", primary_key=True, on_delete=models.CASCADE,
                                  related_name="compliance_flags")
    flag_unlicensed = models.BooleanField(default=False)
    flag_licence = models.BooleanField(default=False)
    flag_director = models.BooleanField(default=False)
    flag_work_permit = models.BooleanField(default=False)
    flag_reports = models.BooleanField(default=False)
    flag_tasks = models.BooleanField(default=False)
    flag_remedy = models.BooleanField(default=False)
    flag_no_activity = models.BooleanField(default=False)
    flag_location = models.BooleanField(default=False)
    flag_complaints = models.BooleanField(default=False)
    # Any of them: the page reads the flagged rows of a partial index.
    flagged = models.BooleanField(default=False)
    # The values the flagged rules' reasons show (Rule.pre/details), as JSON.
    reasons = models.JSONField(default=dict, blank=True)
    last_inspection = models.DateField(null=True, blank=True)
    as_of = models.DateField(_("tính cho ngày"))
    refreshed_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("cảnh báo tuân thủ hiện hành")
        verbose_name_plural = _("cảnh báo tuân thủ hiện hành")
        indexes = [models.Index(fields=["center"], condition=models.Q(flagged=True), name="center_flags_flagged_idx")]

    def __str__(self) -> str:
        return f"{self.center_id} ({self.as_of})"


class FlagsCheck(models.Model):
    """One nightly re-derivation of every center's flags, compared with the table:
    `dated` centers changed only because the date moved (a deadline passed, a licence
    neared its end); `differences` were wrong for their own date (a write that did not
    refresh them), which the check repairs and the compliance page reports."""

    as_of = models.DateField(_("tính cho ngày"))
    started_at = models.DateTimeField(_("bắt đầu"))
    finished_at = models.DateTimeField(_("kết thúc"))
    centers = models.PositiveIntegerField(_("số trung tâm"), default=0)
    dated = models.PositiveIntegerField(_("đổi theo ngày"), default=0)
    differences = models.PositiveIntegerField(_("sai lệch đã sửa"), default=0)
    # A few of the differences: [center id, rule or "reasons", stored, derived].
    sample = models.JSONField(_("ví dụ sai lệch"), default=list, blank=True)

    class Meta:
        verbose_name = _("lần kiểm tra cảnh báo")
        verbose_name_plural = _("các lần kiểm tra cảnh báo")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.as_of}: {self.differences}"
