"""Conferences, the directives that follow them, and the tasks those directives assign.

A directive is a draft until it is issued; issuing allocates its number from the
Department's register (DirectiveRegister) and freezes it. Tasks are assigned to
divisions, communes or centers, one TaskAssignment per assignee, each followed to done.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    AssigneeKind,
    AssignmentStatus,
    ConferenceFileKind,
    ConferenceKind,
    DirectiveStatus,
    DirectiveType,
    EvidenceType,
    ParticipantRole,
    RegisterEntryKind,
    SigningPrefix,
)
from .lines import normalised


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class Conference(TimestampedModel):
    """A conference held or chaired by the Department: who attended, what was said, and
    the conclusions that assign work. The date and place stay empty when not known."""

    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"level": "province"},
    )
    title = models.CharField(_("tên hội nghị"), max_length=400)
    kind = models.CharField(_("loại hội nghị"), max_length=20, choices=ConferenceKind.choices)
    held_on = models.DateField(_("ngày tổ chức"), null=True, blank=True,
                               help_text=_("Để trống nếu nguồn không ghi ngày."))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    # The minutes (Decree 30/2020, Appendix III, sample 1.9) state when the meeting began
    # and ended and who kept the record; left empty, they print as blanks to fill in.
    starts_at = models.TimeField(_("giờ bắt đầu"), null=True, blank=True)
    ends_at = models.TimeField(_("giờ kết thúc"), null=True, blank=True)
    secretary_name = models.CharField(_("thư ký (người ghi biên bản)"), max_length=150, blank=True)
    secretary_position = models.CharField(_("chức vụ thư ký"), max_length=255, blank=True)
    host_unit = models.CharField(_("đơn vị tổ chức"), max_length=255)
    chair_name = models.CharField(_("người chủ trì"), max_length=150, blank=True,
                                  help_text=_("Để trống nếu nguồn chỉ ghi chức danh."))
    chair_position = models.CharField(_("chức vụ người chủ trì"), max_length=255, blank=True)
    speeches_count = models.PositiveSmallIntegerField(_("số ý kiến phát biểu"), null=True, blank=True)
    assessment = models.TextField(_("đánh giá tình hình"), blank=True)
    topics = models.TextField(_("nội dung thảo luận"), blank=True, help_text=_("Mỗi dòng một nhóm nội dung."))
    difficulties = models.TextField(_("khó khăn, hạn chế"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True,
                              help_text=_("Ví dụ: bài viết của Phòng Giáo dục tiểu học, Báo Bắc Ninh."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    search_text = models.TextField(editable=False, default="")

    # Who changed or deleted it and when (the derived search text and timestamp aside).
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])

    class Meta:
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")
        ordering = [models.F("held_on").desc(nulls_last=True), "-id"]
        indexes = [models.Index(fields=["province", "held_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("conferences:conference_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Giờ kết thúc phải sau giờ bắt đầu.")})

    @property
    def participants_total(self) -> int | None:
        counts = [group.count for group in self.participant_groups.all() if group.count]
        return sum(counts) if counts else None


class ParticipantGroup(models.Model):
    """A group attending: "lãnh đạo, chuyên viên Phòng Giáo dục Tiểu học", "giám đốc các trung tâm"."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="participant_groups")
    unit = models.CharField(_("đơn vị, thành phần"), max_length=400)
    role = models.CharField(_("vai trò"), max_length=20, choices=ParticipantRole.choices,
                            default=ParticipantRole.DELEGATE)
    count = models.PositiveIntegerField(_("số người"), null=True, blank=True,
                                        help_text=_("Để trống nếu không rõ."))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thành phần tham dự")
        verbose_name_plural = _("thành phần tham dự")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.unit


class ConferenceQuestion(models.Model):
    """A question or proposal raised at the conference, and the answer given there."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="questions")
    raised_by = models.CharField(_("người, đơn vị nêu"), max_length=255, blank=True)
    question = models.TextField(_("câu hỏi, đề xuất, kiến nghị"))
    answered_by = models.CharField(_("người trả lời"), max_length=255, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("ý kiến, kiến nghị")
        verbose_name_plural = _("ý kiến, kiến nghị")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.question[:80]


def _private_name(folder: str, instance) -> str:
    """A random name under MEDIA_ROOT/<folder>/: the uploader's name is kept in a field,
    never used as a path."""
    from django.utils import timezone

    suffix = getattr(instance, "file_type", "") or ""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{'.' + suffix if suffix else ''}"


def conference_upload_to(instance, filename: str) -> str:
    return _private_name("conferences", instance)


def evidence_upload_to(instance, filename: str) -> str:
    return _private_name("evidence", instance)


class ConferenceAttachment(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("loại"), max_length=20, choices=ConferenceFileKind.choices)
    file = models.FileField(upload_to=conference_upload_to, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_type = models.CharField(_("định dạng"), max_length=10, choices=EvidenceType.choices)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("chú thích"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm hội nghị")
        verbose_name_plural = _("tệp đính kèm hội nghị")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DirectiveRegister(models.Model):
    """The Department's register of issued documents: the last number given per year and
    type. Issuing locks this row, so concurrent issues queue here and get consecutive
    numbers; a rolled-back issue gives its number back with the transaction.

    A Department adopting the portal mid-year has already given numbers on paper: staff
    set where the portal starts (`paper_through`, the last number given on paper, and
    `paper_last_on`, its date). Every other number the portal does not give to one of its
    directives is a RegisterEntry (cancelled or skipped) with its reason. Changes made by
    hand are kept in the history with their reason; issuing moves `last_number` without
    a history row (the directive is the record of that number)."""

    province = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    doc_type = models.CharField(_("loại văn bản"), max_length=30, choices=DirectiveType.choices)
    last_number = models.PositiveIntegerField(_("số cuối cùng đã cấp"), default=0)
    paper_through = models.PositiveIntegerField(
        _("đã cấp trên sổ giấy đến số"), default=0,
        help_text=_("Các số đã cấp trên sổ đăng ký giấy trước khi dùng cổng (0: không có)."),
    )
    paper_last_on = models.DateField(_("ngày của số cuối cùng trên sổ giấy"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sổ đăng ký văn bản đi")
        verbose_name_plural = _("sổ đăng ký văn bản đi")
        ordering = ["-year", "doc_type"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "doc_type"], name="one_register_per_year_and_type"),
            models.CheckConstraint(condition=models.Q(paper_through__lte=models.F("last_number")),
                                   name="register_paper_numbers_are_given"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.year}: {self.last_number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("conferences:register_detail", args=[self.pk])

    @property
    def next_number(self) -> int:
        return self.last_number + 1


class RegisterEntry(models.Model):
    """A number of a register that no directive of the portal carries: cancelled (given,
    then voided) or skipped (used outside the portal, or left unused), with its date and
    the reason. Never changed or deleted: the register shows it for good."""

    register = models.ForeignKey(DirectiveRegister, verbose_name=_("sổ"), on_delete=models.PROTECT,
                                 related_name="entries")
    number = models.PositiveIntegerField(_("số"))
    kind = models.CharField(_("loại ghi nhận"), max_length=10, choices=RegisterEntryKind.choices)
    dated = models.DateField(_("ngày"))
    reason = models.TextField(_("lý do"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("số hủy, bỏ qua")
        verbose_name_plural = _("số hủy, bỏ qua")
        ordering = ["register", "number"]
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="one_entry_per_register_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="register_entry_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number:02d} ({self.get_kind_display()})"


def protect_issued_directives(collector, field, sub_objs, using):
    """on_delete of Directive.conference: an issued directive cites its conference for
    good (it can no longer be changed), so a conference cited by one cannot be deleted
    (ProtectedError, listing them); drafts merely lose the link, as with SET_NULL."""
    issued = list(
        Directive._default_manager.using(using)
        .filter(pk__in=[directive.pk for directive in sub_objs])
        .exclude(status=DirectiveStatus.DRAFT)
    )
    if issued:
        raise models.ProtectedError(
            "Cannot delete a conference cited by issued directives: "
            + ", ".join(directive.number_text or str(directive.pk) for directive in issued),
            issued,
        )
    models.SET_NULL(collector, field, sub_objs, using)


class Directive(TimestampedModel):
    """A document of the Department (công văn, kế hoạch, thông báo kết luận...).

    Drafts are edited freely and seen only by Department staff. Issuing gives the
    number and the date and makes the document immutable: a correction is a new
    directive that `replaces` the old one."""

    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"level": "province"},
    )
    doc_type = models.CharField(_("loại văn bản"), max_length=30, choices=DirectiveType.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=DirectiveStatus.choices,
                              default=DirectiveStatus.DRAFT)
    drafting_division = models.ForeignKey(
        "accounts.Division", verbose_name=_("đơn vị soạn thảo"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Với công văn, ký hiệu của đơn vị đứng cuối số, ký hiệu (SGDĐT-GDTX)."),
    )
    number = models.PositiveIntegerField(_("số"), null=True, blank=True, editable=False)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True, editable=False)
    symbol = models.CharField(_("ký hiệu"), max_length=60, blank=True, editable=False)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    subject = models.CharField(_("trích yếu"), max_length=500)
    body = models.TextField(
        _("nội dung"), blank=True,
        help_text=_("In trước các nhiệm vụ. Quyết định không dùng ô này: nội dung ở các điều."),
    )
    closing = models.TextField(
        _("phần sau các nhiệm vụ"), blank=True,
        help_text=_("In sau các nhiệm vụ: tổ chức thực hiện, câu kết (ví dụ: Sở GDĐT thông báo để các đơn vị "
                    "biết, thực hiện). Dấu ./. kết thúc văn bản được in tự động."),
    )
    addressees = models.TextField(
        _("kính gửi"), blank=True,
        help_text=_("Chỉ công văn, báo cáo. Mỗi dòng một nơi nhận, không cần gạch đầu dòng và dấu ; . cuối dòng."),
    )
    recipients = models.TextField(
        _("nơi nhận"), blank=True,
        help_text=_("Mỗi dòng một nơi nhận, ví dụ: Như trên / Lưu: VT, GDTX. Gạch đầu dòng và dấu ; . cuối dòng "
                    "được in tự động."),
    )
    # A quyết định (Nghị định 30/2020, Appendix III, sample 1.2): the authority that
    # decides, the bases, the proposing unit, then the articles (DirectiveArticle) and the
    # article naming who carries it out.
    authority = models.CharField(
        _("thẩm quyền ban hành"), max_length=255, blank=True,
        help_text=_("Chức vụ người đứng đầu có thẩm quyền, ví dụ: GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO."),
    )
    legal_bases = models.TextField(
        _("căn cứ ban hành"), blank=True,
        help_text=_("Mỗi dòng một căn cứ, bắt đầu bằng «Căn cứ»; dấu ; và . cuối dòng được in tự động."),
    )
    proposal = models.CharField(
        _("theo đề nghị của"), max_length=500, blank=True,
        help_text=_("Ví dụ: Trưởng phòng Giáo dục thường xuyên."),
    )
    executors = models.CharField(
        _("đơn vị, cá nhân thi hành"), max_length=500, blank=True,
        help_text=_("Điều cuối: «... chịu trách nhiệm thi hành Quyết định này». Ví dụ: Chánh Văn phòng Sở, Trưởng "
                    "phòng Giáo dục thường xuyên, Giám đốc các trung tâm ngoại ngữ, tin học."),
    )
    signing_prefix = models.CharField(_("quyền hạn ký"), max_length=5, choices=SigningPrefix.choices,
                                      blank=True, default="")
    signing_authority = models.CharField(
        _("chức danh người đứng đầu"), max_length=150, default="GIÁM ĐỐC",
        help_text=_("Đứng sau quyền hạn ký: KT. GIÁM ĐỐC."),
    )
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True,
                                       help_text=_("Ví dụ: PHÓ GIÁM ĐỐC. Để trống khi người đứng đầu ký."))
    signer_name = models.CharField(_("họ tên người ký"), max_length=150)
    conference = models.ForeignKey(
        Conference, verbose_name=_("hội nghị"), null=True, blank=True, on_delete=protect_issued_directives,
        related_name="directives",
    )
    replaces = models.OneToOneField(
        "self", verbose_name=_("thay thế văn bản"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])

    class Meta:
        verbose_name = _("văn bản chỉ đạo")
        verbose_name_plural = _("văn bản chỉ đạo")
        ordering = [models.F("issued_on").desc(nulls_first=True), "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "doc_type", "number"], name="directive_number_unique_in_year",
                condition=models.Q(number__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(number__isnull=False, issued_on__isnull=False),
                name="issued_directive_has_number_and_date",
            ),
        ]
        indexes = [models.Index(fields=["province", "status", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.number_text} {self.subject}" if self.number else self.subject

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("conferences:directive_detail", args=[self.pk])

    def clean(self):
        # One bare entry per line; the PDF adds the dash and the one trailing mark.
        self.addressees = normalised(self.addressees)
        self.recipients = normalised(self.recipients)
        self.legal_bases = normalised(self.legal_bases)
        self.proposal = _without_prefix(normalised(self.proposal).replace("\n", " "),
                                        ("theo đề nghị của", "xét đề nghị của"))
        self.executors = normalised(self.executors).replace("\n", " ")

    @property
    def is_issued(self) -> bool:
        return self.status == DirectiveStatus.ISSUED

    @property
    def number_text(self) -> str:
        """"12/QĐ-SGDĐT"; numbers below 10 are written with a leading zero."""
        return f"{self.number:02d}/{self.symbol}" if self.number else ""

    @property
    def type_title(self) -> str:
        return DirectiveType.title(self.doc_type)

    @property
    def signature_title(self) -> str:
        """"KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC"; the head signs with the title alone."""
        return f"{self.signing_prefix} {self.signing_authority}".strip()


def _without_prefix(text: str, prefixes: tuple[str, ...]) -> str:
    """"Theo đề nghị của Trưởng phòng GDTX" typed whole: the template writes the prefix."""
    for prefix in prefixes:
        if text.lower().startswith(prefix):
            return text[len(prefix):].strip()
    return text


class DirectiveArticle(models.Model):
    """An article (Điều) of a quyết định, in order. The PDF numbers them "Điều 1.",
    "Điều 2." ... and adds the last one, naming who carries the decision out."""

    directive = models.ForeignKey(Directive, verbose_name=_("văn bản"), on_delete=models.CASCADE,
                                  related_name="articles")
    text = models.TextField(_("nội dung điều"),
                            help_text=_("Không ghi «Điều 1.»: số điều được đánh tự động. Mỗi khoản một dòng."))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("điều")
        verbose_name_plural = _("các điều")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self):
        # "Điều 2. ..." typed whole: the number is the article's place, printed by the PDF.
        self.text = _ARTICLE_LABEL.sub("", self.text.strip())


_ARTICLE_LABEL = re.compile(r"^điều\s+\d+\s*[.:]?\s*", re.IGNORECASE)


class Task(TimestampedModel):
    """A numbered task of a directive with its lead and coordinating units and deadline."""

    directive = models.ForeignKey(Directive, verbose_name=_("văn bản"), on_delete=models.CASCADE,
                                  related_name="tasks")
    group = models.CharField(_("nhóm"), max_length=255, blank=True,
                             help_text=_("Ví dụ: Nhiệm vụ trọng tâm; Nhóm giải pháp 1."))
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung nhiệm vụ"))
    lead_unit = models.CharField(_("đơn vị chủ trì"), max_length=255)
    coordinating_units = models.CharField(_("đơn vị phối hợp"), max_length=500, blank=True)
    deadline = models.DateField(_("thời hạn"))
    report_type = models.ForeignKey(
        "reports.ReportType", verbose_name=_("yêu cầu báo cáo đột xuất"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"frequency": "one_off"},
        help_text=_("Mỗi trung tâm được giao sẽ có nghĩa vụ nộp báo cáo này, hạn là thời hạn nhiệm vụ."),
    )
    report_period = models.ForeignKey(
        "reports.ReportPeriod", null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="tasks",
    )

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["directive", "number"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "number"], name="task_number_unique_in_directive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"


class TaskAssignment(models.Model):
    """One assignee of a task: a division, a commune or one center. A selection of centers
    ("all language centers of the province") is stored as one row per center, each
    followed on its own; `selection` keeps how it was chosen."""

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("loại đơn vị"), max_length=10, choices=AssigneeKind.choices)
    division = models.ForeignKey("accounts.Division", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="task_assignments", verbose_name=_("phòng, ban"))
    commune = models.ForeignKey("geo.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="task_assignments", verbose_name=_("xã/phường"))
    center = models.ForeignKey("centers.Center", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="task_assignments", verbose_name=_("trung tâm"))
    selection = models.CharField(_("giao theo"), max_length=255, blank=True)
    status = models.CharField(_("tình trạng"), max_length=10, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.OPEN)
    completed_at = models.DateTimeField(_("báo hoàn thành lúc"), null=True, blank=True)
    # The local date of completed_at, so "done on time" compares dates in the database.
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reopen_note = models.TextField(_("lý do yêu cầu làm lại"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giao nhiệm vụ")
        verbose_name_plural = _("giao nhiệm vụ")
        ordering = ["task", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "center"], condition=models.Q(center__isnull=False),
                                    name="one_assignment_per_task_and_center"),
            models.UniqueConstraint(fields=["task", "commune"], condition=models.Q(commune__isnull=False),
                                    name="one_assignment_per_task_and_commune"),
            models.UniqueConstraint(fields=["task", "division"], condition=models.Q(division__isnull=False),
                                    name="one_assignment_per_task_and_division"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="center", center__isnull=False, commune__isnull=True, division__isnull=True)
                    | models.Q(kind="commune", commune__isnull=False, center__isnull=True, division__isnull=True)
                    | models.Q(kind="division", division__isnull=False, center__isnull=True, commune__isnull=True)
                ),
                name="assignment_has_exactly_its_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "status"]),
            models.Index(fields=["commune", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.assignee_name}"

    @property
    def assignee(self):
        return self.center or self.commune or self.division

    @property
    def assignee_name(self) -> str:
        assignee = self.assignee
        return getattr(assignee, "full_name", None) or str(assignee)


class TaskProgress(models.Model):
    """A progress report of an assignee (text and evidence files); the last one may mark
    the assignment done. Kept unchanged: the history of what was reported and when."""

    assignment = models.ForeignKey(TaskAssignment, on_delete=models.CASCADE, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("nội dung báo cáo tiến độ"))
    marks_done = models.BooleanField(_("báo hoàn thành"), default=False)
    # One form, one report: a second click of the same form finds the first row.
    idempotency_key = models.UUIDField(unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.note[:80]


class Evidence(models.Model):
    """A file attached to a progress report, stored privately under a random name."""

    progress = models.ForeignKey(TaskProgress, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_type = models.CharField(_("định dạng"), max_length=10, choices=EvidenceType.choices)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
