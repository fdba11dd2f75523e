import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edu_portal.jobs import BackgroundJob


def pdf_upload_to(instance: "PdfJob", filename: str) -> str:
    """A random name under MEDIA_ROOT/pdf/. The file name people see is kept in
    `filename` and sent only in the download's Content-Disposition."""
    return f"pdf/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class PdfJob(BackgroundJob):
    """One official PDF too large to render inside a request (the province's summary of
    a period, all the decisions of a commune). Whoever asks for it gets a row. A Celery
    task renders it with the builder registered for `kind` and stores the file privately
    under MEDIA_ROOT/pdf/. The status page follows `progress`.

    documents.tasks.pdf_job_purge_task deletes the file after PDF_JOB_KEEP_DAYS. The row
    stays as the record of who printed what. A run whose worker died is taken up again by
    the periodic check (edu_portal.jobs).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang tạo tệp")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Không thành công")

    kind = models.CharField(_("loại văn bản"), max_length=60)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    title = models.CharField(_("tên văn bản"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "province"},
        help_text=_("Phạm vi của người yêu cầu; để trống khi quản trị hệ thống yêu cầu."),
    )
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.CharField(_("đang làm"), max_length=255, blank=True)
    file = models.FileField(_("tệp"), upload_to=pdf_upload_to, max_length=255, blank=True)
    filename = models.CharField(_("tên tệp"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp PDF")
        verbose_name_plural = _("tệp PDF")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_by", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("documents:pdf_job_status", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        return 100 if self.status == self.Status.DONE else min(self.progress, 100)

    @property
    def has_file(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)
