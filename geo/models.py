from django.db import models
from django.utils.translation import gettext_lazy as _

from .collation import UNIT_ORDERING
from .text import VI_COLUMN_COLLATION, fold


# How a type is written before a name ("thành phố trung ương" is written "Thành phố").
TYPE_PREFIXES = ("thành phố", "tỉnh", "phường", "xã", "đặc khu")


def unit_full_name(name: str, unit_type: str) -> str:
    """Name with its type as written on documents: "Phường Kinh Bắc", "Tỉnh Bắc Ninh".
    A name that already starts with its type keeps it alone: the centrally-run city
    "Thành phố Hà Nội" (type "thành phố trung ương") stays "Thành phố Hà Nội"."""
    if not unit_type:
        return name
    unit_type = unit_type.lower()
    written = next((prefix for prefix in TYPE_PREFIXES if unit_type.startswith(prefix)), unit_type)
    if name.lower().startswith(written):
        return name
    return f"{written.capitalize()} {name}"


class AdministrativeUnit(models.Model):
    """A province, a commune-level unit (xã, phường, đặc khu) or a pre-2025 district.

    Codes are those of the National Statistics Office, as shipped by vietnam-provinces.
    Districts were abolished on 1/7/2025; they stay only to read old documents.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/Thành phố")
        COMMUNE = "commune", _("Xã/Phường/Đặc khu")
        LEGACY_DISTRICT = "legacy_district", _("Huyện (trước 1/7/2025)")

    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=120, db_collation=VI_COLUMN_COLLATION)
    unit_type = models.CharField(_("loại đơn vị"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("thuộc"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    name_folded = models.CharField(max_length=120, editable=False, db_index=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = list(UNIT_ORDERING)
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="geo_unit_level_code_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return unit_full_name(self.name, self.unit_type)
