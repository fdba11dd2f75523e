import pytest

from geo.models import AdministrativeUnit
from geo.services import units_load

pytestmark = pytest.mark.django_db


def test_units_load_is_idempotent_and_tidies_names():
    assert units_load(province_codes=[24]) == (1, 99)
    assert units_load(province_codes=[24]) == (1, 99)
    assert AdministrativeUnit.objects.filter(level="commune", parent__code="24").count() == 99
    assert not AdministrativeUnit.objects.filter(name__contains="  ").exists()
    assert AdministrativeUnit.objects.get(level="province", code="24").full_name == "Tỉnh Bắc Ninh"


def test_all_34_provinces_and_3321_communes_load():
    assert units_load() == (34, 3321)
    assert not AdministrativeUnit.objects.filter(name__contains="  ").exists()
