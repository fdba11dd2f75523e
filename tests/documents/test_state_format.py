"""The state format's small rules: the date line (Decree 30/2020: leading zero for days
1-9 and for January and February only), the place on it, and safe download names."""

import datetime

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from edu_portal.files import ascii_filename, content_disposition
from edu_portal.pdf import (
    place_name,
    state_date,
    state_day,
    unit_title,
)
from geo.models import AdministrativeUnit

D = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 3, 5), "Bắc Ninh, ngày 05 tháng 3 năm 2026"),
        (D(2026, 2, 5), "Bắc Ninh, ngày 05 tháng 02 năm 2026"),
        (D(2026, 1, 15), "Bắc Ninh, ngày 15 tháng 01 năm 2026"),
        (D(2026, 11, 15), "Bắc Ninh, ngày 15 tháng 11 năm 2026"),
        (D(2026, 12, 1), "Bắc Ninh, ngày 01 tháng 12 năm 2026"),
        (D(2026, 10, 9), "Bắc Ninh, ngày 09 tháng 10 năm 2026"),
        (D(2024, 2, 29), "Bắc Ninh, ngày 29 tháng 02 năm 2024"),
        (D(2026, 9, 30), "Bắc Ninh, ngày 30 tháng 9 năm 2026"),
    ],
)
def test_state_date_pads_days_and_only_january_and_february(day, expected):
    assert state_date("Bắc Ninh", day) == expected


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)))
def test_state_day_is_always_written_the_same_way(day):
    written = state_day(day)
    _, dd, _, mm, _, yyyy = written.split(" ")
    assert written.startswith("ngày ") and " tháng " in written and " năm " in written
    assert len(dd) == 2 and int(dd) == day.day
    assert int(mm) == day.month and int(yyyy) == day.year
    assert len(mm) == (2 if day.month <= 2 else len(str(day.month)))


def test_a_date_not_yet_known_leaves_blanks_to_fill_in():
    assert state_date("Bắc Ninh", None) == "Bắc Ninh, ngày      tháng      năm"


def test_the_template_filter_takes_a_name_or_a_province():
    province = AdministrativeUnit(level="province", code="01", name="Thành phố Hà Nội", unit_type="thành phố")
    template = Template(
        '{% load state_format %}{{ day|state_date:"Bắc Ninh" }}|{{ day|state_date:unit }}|{{ day|state_day }}'
    )
    rendered = template.render(Context({"day": D(2026, 3, 5), "unit": province}))
    assert rendered == (
        "Bắc Ninh, ngày 05 tháng 3 năm 2026|Hà Nội, ngày 05 tháng 3 năm 2026|ngày 05 tháng 3 năm 2026"
    )


@pytest.mark.parametrize(
    ("name", "unit_type", "title", "place"),
    [
        ("Bắc Ninh", "tỉnh", "Tỉnh Bắc Ninh", "Bắc Ninh"),
        # As vietnam-provinces ships the centrally-run cities.
        ("Thành phố Hà Nội", "thành phố trung ương", "Thành phố Hà Nội", "Hà Nội"),
        ("Thành phố Hà Nội", "thành phố", "Thành phố Hà Nội", "Hà Nội"),
        ("Phường Kinh Bắc", "phường", "Phường Kinh Bắc", "Kinh Bắc"),
        ("Kinh Bắc", "phường", "Phường Kinh Bắc", "Kinh Bắc"),
        ("Phường 5", "phường", "Phường 5", "Phường 5"),
    ],
)
def test_units_are_written_as_the_state_format_writes_them(name, unit_type, title, place):
    unit = AdministrativeUnit(name=name, unit_type=unit_type)
    assert (unit_title(unit), place_name(unit)) == (title, place)


def test_download_names_have_an_ascii_fallback_and_the_utf8_name():
    name = "Quyết định 12-QĐ-SGDĐT - Trung tâm Ngoại ngữ Đông Á.pdf"
    assert ascii_filename(name) == "quyet-dinh-12-qd-sgddt-trung-tam-ngoai-ngu-dong-a.pdf"
    assert ascii_filename('../../etc/"pass wd".PDF') == "etc-pass-wd.pdf"
    header = content_disposition(name, inline=False)
    assert header.startswith('attachment; filename="quyet-dinh-12-qd-sgddt-trung-tam-ngoai-ngu-dong-a.pdf"; ')
    assert header.endswith("filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2012-Q%C4%90-SGD%C4%90T%20-%20"
                           "Trung%20t%C3%A2m%20Ngo%E1%BA%A1i%20ng%E1%BB%AF%20%C4%90%C3%B4ng%20%C3%81.pdf")
    header.encode("ascii")  # an HTTP header: ASCII only
