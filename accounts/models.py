from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
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
