import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from geo.text import VI_COLUMN_COLLATION, fold


class AccessEndReason(models.TextChoices):
    """Why an account's access ends on a date (User.access_ends_on)."""

    TERM_ENDED = "term_ended", _("Hết nhiệm kỳ giám đốc, đã có giám đốc mới")
    CENTER_CLOSED = "center_closed", _("Trung tâm dừng hoạt động hoặc giải thể")


class User(AbstractUser):
    """A portal account. Its role and the unit it is tied to fix what it may see.

    - department staff and inspectors: one province (their Department's);
    - local officer: one commune or ward;
    - center director: one center.
    """

    class Role(models.TextChoices):
        DEPARTMENT = "department", _("Chuyên viên Sở GDĐT")
        INSPECTOR = "inspector", _("Thanh tra")
        DIRECTOR = "director", _("Giám đốc trung tâm")
        LOCAL_OFFICER = "local_officer", _("Cán bộ UBND xã/phường")

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True, db_collation=VI_COLUMN_COLLATION)
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "province"},
    )
    commune = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("xã/phường"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "commune"},
    )
    center = models.ForeignKey(
        "centers.Center", verbose_name=_("trung tâm"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="accounts",
    )
    division = models.ForeignKey(
        "accounts.Division", verbose_name=_("phòng, ban"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
        help_text=_("Với chuyên viên Sở: phòng, ban công tác (nhận nhắc việc của nhiệm vụ giao cho phòng)."),
    )

    # Accounts follow the registry (accounts.lifecycle): a director's account belongs to
    # one Director record; when that director's tenure ends, or the center stops, the
    # account keeps its access until `access_ends_on` (inclusive), sees nothing from the
    # next day (centers.selectors.scope_q) and is deactivated by the nightly task.
    director = models.ForeignKey(
        "centers.Director", verbose_name=_("giám đốc (trong sổ đăng ký)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="accounts",
        help_text=_("Người giám đốc mà tài khoản này thuộc về; hết nhiệm kỳ thì tài khoản hết quyền."),
    )
    access_ends_on = models.DateField(
        _("quyền truy cập đến hết ngày"), null=True, blank=True,
        help_text=_("Để trống: không thời hạn. Từ ngày hôm sau tài khoản không còn thấy dữ liệu nào."),
    )
    access_end_reason = models.CharField(
        _("lý do hết quyền"), max_length=20, choices=AccessEndReason.choices, blank=True,
    )
    # fold(username, full name, e-mail): the account list's search ignores diacritics and case.
    search_text = models.CharField(max_length=600, editable=False, default="")

    # Who changed an account's role, units, flags, and when (the history user comes from
    # the request). Never the password hash; last_login is written by a plain UPDATE
    # (accounts.apps), so logging in is not a change of the account.
    history = HistoricalRecords(excluded_fields=["password", "last_login", "search_text"])

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        self.search_text = self.folded_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "full_name", "email"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def folded_text(self) -> str:
        """What the account list searches (set by save(); bulk writes call it themselves)."""
        return fold(" ".join(part for part in (self.username, self.full_name, self.email) if part))

    def access_ended(self, today: datetime.date | None = None) -> bool:
        """True from the day after access_ends_on: the account sees nothing any more."""
        if self.access_ends_on is None or self.is_superuser:
            return False
        return (today or timezone.localdate()) > self.access_ends_on

    def clean(self):
        super().clean()
        required = {
            self.Role.DEPARTMENT: "province",
            self.Role.INSPECTOR: "province",
            self.Role.LOCAL_OFFICER: "commune",
            self.Role.DIRECTOR: "center",
        }.get(self.role)
        if required and not getattr(self, f"{required}_id", None):
            raise ValidationError({required: _("Vai trò này cần chọn đơn vị phụ trách.")})
        if self.role == self.Role.LOCAL_OFFICER and self.commune_id and not self.province_id:
            self.province_id = self.commune.parent_id

    @property
    def is_department(self) -> bool:
        return self.role == self.Role.DEPARTMENT

    @property
    def is_inspector(self) -> bool:
        return self.role == self.Role.INSPECTOR

    @property
    def is_director(self) -> bool:
        return self.role == self.Role.DIRECTOR

    @property
    def is_local_officer(self) -> bool:
        return self.role == self.Role.LOCAL_OFFICER


class Division(models.Model):
    """A division of a provincial Department (phòng chuyên môn, Thanh tra Sở, Văn phòng Sở).

    Divisions draft the Department's công văn (their code ends its symbol, "SGDĐT-GDTX")
    and are assigned directive tasks; their staff receive those tasks' reminders."""

    province = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("tỉnh/thành phố"), on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"level": "province"},
    )
    name = models.CharField(_("tên phòng, ban"), max_length=150, db_collation=VI_COLUMN_COLLATION)
    code = models.CharField(
        _("ký hiệu"), max_length=20,
        help_text=_("Viết tắt dùng trong số, ký hiệu công văn, ví dụ: GDTX, GDTH, TTr, VP."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phòng, ban thuộc Sở")
        verbose_name_plural = _("phòng, ban thuộc Sở")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="division_code_unique_in_province"),
        ]

    def __str__(self) -> str:
        return self.name


INVITATION_VALID_DAYS = 7


class Invitation(models.Model):
    """A one-time link by e-mail with which someone sets the password of an account made
    for them (a center's director, a commune's officer) and logs in.

    The link's token is never stored: it is an HMAC (SECRET_KEY) of the row's random salt,
    which the worker recomputes to write the e-mail, and the row keeps only its SHA-256
    (`token_hash`) to find the invitation when the link is opened. The broker carries ids
    only. An invitation works once, for INVITATION_VALID_DAYS; a new one supersedes the
    account's previous open one (at most one open invitation per account)."""

    class Delivery(models.TextChoices):
        QUEUED = "queued", _("Đang chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")

    class Revoked(models.TextChoices):
        SUPERSEDED = "superseded", _("Đã có lời mời mới thay thế")
        ACCESS_ENDED = "access_ended", _("Tài khoản hết quyền truy cập")
        DEACTIVATED = "deactivated", _("Tài khoản đã bị khoá")

    class State(models.TextChoices):
        """Derived from the dates, never stored."""

        PENDING = "pending", _("Đang chờ nhận")
        ACCEPTED = "accepted", _("Đã nhận")
        EXPIRED = "expired", _("Đã hết hạn")
        REVOKED = "revoked", _("Đã huỷ")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="invitations",
    )
    sent_to = models.JSONField(_("gửi tới"), default=list, help_text=_("Các địa chỉ e-mail nhận lời mời."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người mời"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    accepted_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("huỷ lúc"), null=True, blank=True)
    revoked_reason = models.CharField(_("lý do huỷ"), max_length=20, choices=Revoked.choices, blank=True)
    delivery = models.CharField(_("gửi e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.QUEUED)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    salt = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("lời mời tạo tài khoản")
        verbose_name_plural = _("lời mời tạo tài khoản")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="invitation_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("account_list") + f"?q={self.user.username}"

    def state(self, now: datetime.datetime | None = None) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return str(self.State(self.state()).label)

    @property
    def is_open(self) -> bool:
        return self.state() == self.State.PENDING


# simple-history keeps a change reason in 100 characters (a varchar on PostgreSQL).
CHANGE_REASON_MAX = 100


def change_reason(text: str) -> str:
    """A history row's reason, cut to what the column holds."""
    text = " ".join(str(text).split())
    return text if len(text) <= CHANGE_REASON_MAX else text[:CHANGE_REASON_MAX - 1] + "…"
