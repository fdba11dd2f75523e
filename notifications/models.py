from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app notice. (recipient, key) is unique, so a notice is created exactly once
    however often the code that creates it runs."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    link = models.CharField(_("liên kết"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_recipient_and_key"),
        ]
        indexes = [
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                         name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class Dispatch(models.Model):
    """The record of one reminder step for one object (e.g. "obligation:42:due-7"), of
    one notice of an event (e.g. "notice:submission-returned:17"), or of one digest of
    escalations ("digest:obligation:after-7:2026-12-26:<user id>").

    The database, not the broker, is the record of what was sent: a sweep claims the row
    with a lease; the worker flips it to `sending` in the transaction that creates the
    in-app notices, then sends the e-mail and marks it `sent`. A claim whose lease ran
    out is taken again by the next sweep; a row in `sending` is never sent again, so a
    worker killed mid-send may lose that one e-mail but never sends it twice.

    A temporary SMTP failure (a 4xx answer, the server unreachable) puts the row in
    `retry` with the e-mail still owed in `payload`, `failures` counted and `retry_at`
    set by the backoff; the minutely retry sweep claims it again when due. A permanent
    refusal (5xx), or the last temporary one, ends in `failed`; `detail` says why.
    """

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Đang chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        PASSED = "passed", _("Bỏ qua (đã quá bước hoặc đã nộp)")
        RETRY = "retry", _("Chờ gửi lại (máy chủ thư tạm từ chối)")
        FAILED = "failed", _("Gửi không được")

    key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    # Temporary SMTP failures so far, and when the next attempt is due (status `retry`).
    failures = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    # For a notice (notifications.services.notice_send), the e-mail to send: subject,
    # body, relative link and the addresses, fixed when the event happened. The worker
    # needs nothing else, and a claim whose task was lost can be queued again from here.
    # Empty for reminder steps, whose message is rebuilt from their obligation or task,
    # until a temporary failure: then it holds the e-mail as built, to the addresses that
    # have not accepted it yet, and a retry sends exactly that.
    payload = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lượt nhắc việc")
        verbose_name_plural = _("lượt nhắc việc")
        indexes = [
            models.Index(fields=["lease_until"], condition=models.Q(status="claimed"), name="dispatch_claimed_idx"),
            models.Index(fields=["retry_at"], condition=models.Q(status="retry"), name="dispatch_retry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
