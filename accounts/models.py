from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from geo.text import VI_COLUMN_COLLATION


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

    # Who changed an account's role, units, flags, and when (the history user comes from
    # the request). Never the password hash; last_login is written by a plain UPDATE
    # (accounts.apps), so logging in is not a change of the account.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

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
