"""Vietnamese alphabetical order, the same everywhere names are ordered: PostgreSQL's ICU
collation "vi-x-icu" on the name columns, the project's collation of the same name on
SQLite, and geo.text.vi_sort_key for sorts in Python.

The unmarked tests run on both databases: on the SQLite run they check the registered
collation, on the PostgreSQL run (DATABASE_URL set) ICU's. The tests marked `postgres`
also compare ICU with the Python key directly."""

import datetime
import random
import re
import unicodedata

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from centers.models import Center, Staff
from geo.collation import UNIT_ORDERING, GivenName, OtherNames, person_ordering, user_name
from geo.models import AdministrativeUnit
from geo.text import VI_COLLATION, person_name_parts, person_sort_key, vi_sort_key
from tests.factories import CenterFactory, CommuneFactory, DirectorFactory, StaffFactory, UserFactory

# Thirty names in Vietnamese order (checked against PostgreSQL 15 with ICU 72): ă, â after
# a; đ after every d; ê, ô, ơ, ư after e, o, u; tones ignored until the letters are equal
# (then none < huyền < hỏi < ngã < sắc < nặng, the first toned vowel deciding: "Hoà" before
# "Hòa"); lower case before upper case only when everything else is equal ("an Dương");
# a space before any letter ("An Dương" before "Anh Việt").
NAMES = [
    "an Dương", "An Dương", "Ánh Dương", "ánh sao", "Anh Việt", "Ắc Quy Miền Bắc", "Ân Thi", "Âu Cơ",
    "Bạch Đằng", "Bắc Giang", "bắc ninh", "duyên hải", "Dương Kinh", "Đa Phúc", "Đông Anh", "đồng xuân",
    "Em Bé", "Ê Đê", "ếch con", "hạ long", "Hà Nội", "Hoà Bình", "Hòa Bình", "Ô Môn", "Ốc Eo", "Ơn Nghĩa",
    "Uông Bí", "Ứng Hòa", "ươm mầm", "Yên Bái",
]
SHUFFLED = random.Random(11).sample(NAMES, len(NAMES))

# People by given name (the last word), then family and middle names.
PEOPLE = [
    "Nguyễn Văn An", "Trần An", "Bùi Văn Anh", "Lê Thị Ánh", "Đỗ Đức Bình", "Phạm Dũng", "Hoàng Minh Đức",
    "ngô thị hà", "Vũ Hà", "Lê Yến", "Lê Anh Yến",
]


def _letter(char: str) -> str:
    """A letter without its tone: "Ắ" -> "Ă"."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", char) if c not in tones))


def test_the_fixed_list_is_thirty_distinct_names_with_every_vietnamese_letter():
    assert len(set(NAMES)) == 30 and SHUFFLED != NAMES
    assert {"Đ", "Ă", "Â", "Ê", "Ô", "Ơ", "Ư"} <= {_letter(name[0]).upper() for name in NAMES}
    assert any(name[0].islower() for name in NAMES)
    # Code point order (what SQLite's BINARY and a plain sorted() give) is not Vietnamese.
    assert sorted(NAMES) != NAMES


def test_the_python_key_gives_the_vietnamese_order():
    assert sorted(SHUFFLED, key=vi_sort_key) == NAMES


@pytest.mark.parametrize(("before", "after"), [
    ("Dương", "Đa"),  # đ is a letter after d, not a d with a mark
    ("Azure", "Ăn"), ("Ăn", "Ân"), ("Âu", "Ba"),
    ("Ez", "Ê"), ("Oz", "Ô"), ("Ôz", "Ơ"), ("Uz", "Ư"), ("Ưz", "Va"),
    ("a", "à"), ("à", "ả"), ("ả", "ã"), ("ã", "á"), ("á", "ạ"),  # the tones in CLDR's order for vi
    ("an", "An"), ("An", "AN"),  # lower case first, only as a last resort
    ("An Bình", "Anh"),  # nothing is ignored: a space sorts before letters
    ("Phường 9", "Phường An"),  # digits before letters
])
def test_pairs_in_vietnamese_order(before, after):
    assert vi_sort_key(before) < vi_sort_key(after)


def test_decomposed_accents_sort_as_the_composed_letters():
    decomposed = unicodedata.normalize("NFD", "Ặng Ời")
    assert vi_sort_key(decomposed)[:3] == vi_sort_key("Ặng Ời")[:3]
    assert vi_sort_key("Azz") < vi_sort_key(decomposed) < vi_sort_key("Âu")


def test_people_sort_by_given_name_then_family_and_middle_names():
    assert person_name_parts("  Nguyễn  Văn An ") == ("An", "Nguyễn Văn")
    assert person_name_parts("An") == ("An", "")
    assert person_name_parts("") == ("", "")
    assert sorted(PEOPLE[::-1], key=person_sort_key) == PEOPLE


# The database: the same order on SQLite (the project's collation) and PostgreSQL (ICU)

@pytest.mark.django_db
def test_the_database_orders_name_columns_in_vietnamese_order(commune):
    for name in SHUFFLED:
        CenterFactory(commune=commune, name=name)
    assert list(Center.objects.order_by("name").values_list("name", flat=True)) == NAMES
    assert list(Center.objects.values_list("name", flat=True)) == NAMES  # Meta.ordering
    assert list(Center.objects.order_by("-name").values_list("name", flat=True)) == NAMES[::-1]


@pytest.mark.django_db
def test_the_collation_can_be_named_in_raw_sql_on_either_database():
    values = ", ".join(["(%s)"] * len(SHUFFLED))
    with connection.cursor() as cursor:
        cursor.execute(
            f'WITH t(v) AS (VALUES {values}) SELECT v FROM t ORDER BY v COLLATE "{VI_COLLATION}"', SHUFFLED,
        )
        assert [row[0] for row in cursor.fetchall()] == NAMES


@pytest.mark.django_db
def test_people_lists_sort_by_given_name_in_the_database(center):
    for name in reversed(PEOPLE):
        StaffFactory(center=center, full_name=name)
    assert list(Staff.objects.values_list("full_name", flat=True)) == PEOPLE  # Meta.ordering
    assert list(center.staff.values_list("full_name", flat=True)) == PEOPLE
    descending = Staff.objects.order_by(*person_ordering("full_name", descending=True))
    assert list(descending.values_list("full_name", flat=True)) == PEOPLE[::-1]


@pytest.mark.django_db
def test_accounts_sort_by_given_name_and_by_username_without_a_name():
    for index, name in enumerate(reversed(PEOPLE)):
        UserFactory(username=f"u{index:02d}", full_name=name)
    UserFactory(username="Cuong", full_name="")  # shown, and sorted, as its username
    ordered = User.objects.order_by(*person_ordering(user_name()))
    assert [str(user) for user in ordered] == sorted([*PEOPLE, "Cuong"], key=person_sort_key)
    assert [str(user) for user in ordered].index("Cuong") == PEOPLE.index("Đỗ Đức Bình") + 1


@pytest.mark.django_db
def test_the_database_splits_names_as_python_does():
    names = [*PEOPLE, "", "An", " Lê\tVăn  Tám ", "Nguyễn Thị\u00a0Hoa Mai"]
    for index, name in enumerate(names):
        UserFactory(username=f"x{index:02d}", full_name=name)
    rows = User.objects.filter(username__startswith="x").order_by("username").annotate(
        given=GivenName("full_name"), others=OtherNames("full_name"),
    ).values_list("full_name", "given", "others")
    assert [(given, others) for _name, given, others in rows] == [person_name_parts(name) for name in names]


# Pages

@pytest.fixture
def named_communes(province):
    """Communes named from the fixed list, created in shuffled order."""
    return [CommuneFactory(name=f"Phường {name}", parent=province) for name in SHUFFLED]


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name!r}>"
    return [re.sub(r"\s+", " ", label).strip() for value, label in
            re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S) if value]


@pytest.mark.django_db
def test_the_registry_list_is_in_vietnamese_order(client, department_user, commune):
    for name in SHUFFLED:
        CenterFactory(commune=commune, name=name)
    client.force_login(department_user)
    for query in ({}, {"ordering": "name"}):
        response = client.get(reverse("centers:center_list"), query)
        assert [c.name for c in response.context["centers"]] == NAMES
        html = response.content.decode()
        positions = [html.index(f">{name}<") for name in NAMES]
        assert positions == sorted(positions)
    response = client.get(reverse("centers:center_list"), {"ordering": "-name"})
    assert [c.name for c in response.context["centers"]] == NAMES[::-1]


@pytest.mark.django_db
def test_the_compliance_search_sorted_by_name_is_in_vietnamese_order(client, inspector, commune):
    for name in SHUFFLED:
        CenterFactory(commune=commune, name=name)  # no licence: every one is flagged
    client.force_login(inspector)
    first = client.get(reverse("inspections:compliance"), {"ordering": "name"})
    second = client.get(reverse("inspections:compliance"), {"ordering": "name", "page": 2})
    listed = [c.name for c in first.context["centers"]] + [c.name for c in second.context["centers"]]
    assert listed == NAMES
    descending = client.get(reverse("inspections:compliance"), {"ordering": "-name"})
    assert [c.name for c in descending.context["centers"]] == NAMES[::-1][:25]


@pytest.mark.django_db
def test_the_registry_sorted_by_commune_keeps_communes_and_then_names_in_order(client, department_user,
                                                                                named_communes):
    for commune in named_communes:
        CenterFactory(commune=commune, name=f"Trung tâm {commune.name}")
        CenterFactory(commune=commune, name=f"An {commune.name}")
    client.force_login(department_user)
    response = client.get(reverse("centers:center_list"), {"ordering": "commune"})
    rows = [(c.commune.name, c.name) for c in response.context["centers"]]
    assert [commune for commune, _name in rows[::2]] == [f"Phường {name}" for name in NAMES[:25]]
    assert all(name.startswith("An ") for _commune, name in rows[::2])


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "role"), [
    ("centers:center_list", "department"),
    ("centers:center_create", "department"),
    ("centers:commune_decisions_pdf", "department"),
    ("reports:review_list", "department"),
    ("inspections:compliance", "inspector"),
])
def test_communes_are_in_one_order_on_every_page(client, department_user, inspector, named_communes, url_name, role):
    client.force_login(department_user if role == "department" else inspector)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _options(response.content.decode(), "commune") == [f"Phường {name}" for name in NAMES]


@pytest.mark.django_db
def test_person_lists_on_pages_sort_by_given_name(client, department_user, center, province):
    for index, name in enumerate(reversed(PEOPLE)):
        StaffFactory(center=center, full_name=name)
        DirectorFactory(center=center, full_name=name, ended_on=datetime.date(2025, 1, 1))
        UserFactory(username=f"cv{index:02d}", full_name=name, role=User.Role.DEPARTMENT, province=province)
    client.force_login(department_user)
    html = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    staff_table = html[html.index('id="staff"'):]
    positions = [staff_table.index(f">{name}<") for name in PEOPLE]
    assert positions == sorted(positions)
    for changelist, field in (("admin:centers_staff_changelist", "full_name"),
                              ("admin:centers_director_changelist", "full_name"),
                              ("admin:accounts_user_changelist", "full_name")):
        response = client.get(reverse(changelist))
        listed = [getattr(row, field) for row in response.context["cl"].result_list if getattr(row, field) in PEOPLE]
        assert listed == PEOPLE, changelist


@pytest.mark.django_db
def test_units_sort_by_name_in_python_and_in_the_database(province, named_communes):
    in_db = list(AdministrativeUnit.objects.filter(parent=province).order_by(*UNIT_ORDERING))
    assert in_db == sorted(named_communes, key=lambda unit: (vi_sort_key(unit.name), unit.unit_type, unit.code))


# PostgreSQL only: ICU itself

def _generated_names(count: int, seed: int) -> list[str]:
    """Random Vietnamese-looking strings: every letter and tone, both cases, spaces,
    digits, punctuation, decomposed forms and near-duplicates that differ by a tone or
    case only."""
    rng = random.Random(seed)
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyfjwz"
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    extra = list(" -,.()0123456789–_/&'") + ["\u00a0", "  "]

    def word():
        chars = []
        for _ in range(rng.randint(1, 4)):
            char = rng.choice(letters)
            char = char.upper() if rng.random() < 0.3 else char
            tone = rng.choice(tones) if char.lower() in "aăâeêioôơuưy" else ""
            chars.append(unicodedata.normalize("NFC", char + tone))
        return "".join(chars)

    values = set()
    while len(values) < count:
        parts = [word() if rng.random() > 0.15 else rng.choice(extra) for _ in range(rng.randint(1, 4))]
        value = " ".join(parts) if rng.random() < 0.8 else "".join(parts)
        values.add(unicodedata.normalize("NFD", value) if rng.random() < 0.05 else value)
    values = sorted(values)
    values += [v.lower() for v in values[:300]] + [v.upper() for v in values[300:500]]
    values += ["".join(c for c in unicodedata.normalize("NFD", v) if not unicodedata.combining(c))
               for v in values[500:800]]
    return list(dict.fromkeys(values))


def _icu_sorted(values: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT v FROM unnest(%s::text[]) AS t(v) ORDER BY v COLLATE "{VI_COLLATION}"', [values])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db
def test_icu_gives_the_expected_order_of_the_thirty_names():
    assert connection.vendor == "postgresql"
    assert _icu_sorted(SHUFFLED) == NAMES


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_the_python_key_agrees_with_icu_on_generated_names(seed):
    values = _generated_names(2000, seed)
    assert sorted(values, key=vi_sort_key) == _icu_sorted(values)


@pytest.mark.postgres
@pytest.mark.django_db
def test_name_columns_carry_the_icu_collation():
    columns = [("geo_administrativeunit", "name"), ("centers_center", "name"), ("centers_director", "full_name"),
               ("centers_staff", "full_name"), ("accounts_user", "full_name"), ("accounts_division", "name"),
               ("reports_reporttype", "title"), ("inspections_savedsearch", "name")]
    with connection.cursor() as cursor:
        for table, column in columns:
            cursor.execute(
                "SELECT c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
                "WHERE a.attrelid = %s::regclass AND a.attname = %s", [table, column],
            )
            assert cursor.fetchone() == (VI_COLLATION,), (table, column)


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (999, "999"), (2000, "2.000"), (10_000_000, "10.000.000"), ("1500", "1.500"), (None, ""), ("", ""),
])
def test_numbers_are_grouped_by_thousands_with_dots(value, text):
    from geo.text import vi_number

    assert vi_number(value) == text
