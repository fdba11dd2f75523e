"""How administrative units are named on pages and documents."""

import pytest

from geo.models import AdministrativeUnit


@pytest.mark.parametrize("name, unit_type, expected", [
    ("Bắc Ninh", "tỉnh", "Tỉnh Bắc Ninh"),
    ("Thành phố Hà Nội", "thành phố trung ương", "Thành phố Hà Nội"),
    ("Hồ Chí Minh", "thành phố trung ương", "Thành phố Hồ Chí Minh"),
    ("Phường Kinh Bắc", "phường", "Phường Kinh Bắc"),
    ("Xã Đàn", "phường", "Phường Xã Đàn"),
    ("Côn Đảo", "đặc khu", "Đặc khu Côn Đảo"),
    ("Kinh Bắc", "", "Kinh Bắc"),
])
def test_a_unit_is_named_with_its_type_once(name, unit_type, expected):
    assert AdministrativeUnit(name=name, unit_type=unit_type).full_name == expected
