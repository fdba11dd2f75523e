from collections.abc import Iterable

from django.db import transaction

from .models import AdministrativeUnit
from .text import fold

Level = AdministrativeUnit.Level


def _name(value: str) -> str:
    # Some names in the package carry a double space ("Phường  An Nhơn"); they would sort
    # and search out of place.
    return " ".join(value.split())


def _code(value) -> str:
    # vietnam-provinces uses int enums; the official codes are zero-padded (24 -> "24").
    number = int(getattr(value, "value", value))
    return f"{number:02d}"


@transaction.atomic
def units_load(*, province_codes: Iterable[int] | None = None) -> tuple[int, int]:
    """Upsert the 2025 two-level administrative units; running it twice changes nothing."""
    from vietnam_provinces import Province, Ward

    wanted = {int(c) for c in province_codes} if province_codes else None
    provinces = [p for p in Province.iter_all() if wanted is None or int(p.code) in wanted]
    AdministrativeUnit.objects.bulk_create(
        [
            AdministrativeUnit(
                level=Level.PROVINCE, code=_code(p.code), name=_name(p.name),
                unit_type=str(p.division_type.value), name_folded=fold(p.name),
            )
            for p in provinces
        ],
        update_conflicts=True, unique_fields=["level", "code"],
        update_fields=["name", "unit_type", "name_folded"],
    )
    parent_ids = dict(
        AdministrativeUnit.objects.filter(level=Level.PROVINCE).values_list("code", "id")
    )
    province_codes_loaded = {_code(p.code) for p in provinces}
    wards = [w for w in Ward.iter_all() if _code(w.province_code) in province_codes_loaded]
    AdministrativeUnit.objects.bulk_create(
        [
            AdministrativeUnit(
                level=Level.COMMUNE, code=f"{int(w.code):05d}", name=_name(w.name),
                unit_type=str(w.division_type.value), name_folded=fold(w.name),
                parent_id=parent_ids[_code(w.province_code)],
            )
            for w in wards
        ],
        update_conflicts=True, unique_fields=["level", "code"],
        update_fields=["name", "unit_type", "name_folded", "parent"],
        batch_size=500,
    )
    return len(provinces), len(wards)
