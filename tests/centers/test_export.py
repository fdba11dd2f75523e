import csv
import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from centers.excel import HEADERS, export_workbook
from centers.models import Center
from edu_portal.files import Sheet, sheets_workbook
from tests.factories import CenterFactory, DirectorFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_xlsx_export_has_the_registry_headers_and_values(client, department_user, center):
    DirectorFactory(center=center, full_name="Nguyễn Thị Lan")
    client.force_login(department_user)
    response = client.get(reverse("centers:center_export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    assert rows[0] == HEADERS
    assert rows[1] == (
        "NN001", "Trung tâm Ngoại ngữ Đông Á", "Trung tâm ngoại ngữ", "Đang hoạt động", center.street,
        "Phường Kinh Bắc", "Tỉnh Bắc Ninh", "12/QĐ-SGDĐT", datetime.datetime(2024, 3, 5), "Sở GDĐT Bắc Ninh",
        None, "Nguyễn Thị Lan", None, None, None,
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["I2"].number_format == "DD/MM/YYYY"


def test_csv_export_is_utf8_with_bom_and_dd_mm_yyyy_dates(client, department_user, center):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_export_csv"))
    assert response.status_code == 200
    rows = csv_rows(response.content)
    assert tuple(rows[0]) == HEADERS
    assert rows[1][:4] == ["NN001", "Trung tâm Ngoại ngữ Đông Á", "Trung tâm ngoại ngữ", "Đang hoạt động"]
    assert rows[1][8] == "05/03/2024"


def test_export_follows_the_list_filters(client, department_user, center, other_center):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_export_xlsx"), {"kind": "it"})
    assert [row[0] for row in sheet_rows(response.content)[1:]] == ["NN002"]
    response = client.get(reverse("centers:center_export_csv"), {"q": "ngoai ngu dong"})
    assert [row[0] for row in csv_rows(response.content)[1:]] == ["NN001"]


def test_staff_export_never_contains_another_province(client, department_user, center, foreign_center):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_export_xlsx"))
    assert [row[1] for row in sheet_rows(response.content)[1:]] == ["Trung tâm Ngoại ngữ Đông Á"]


def test_director_export_has_only_their_center(client, director, center, other_center, foreign_center):
    client.force_login(director)
    for name in ("centers:center_export_xlsx", "centers:center_export_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        content = response.content
        rows = sheet_rows(content)[1:] if name.endswith("xlsx") else csv_rows(content)[1:]
        assert [row[0] for row in rows] == ["NN001"]


def test_local_officer_export_has_only_their_commune(client, local_officer, center, other_center):
    client.force_login(local_officer)
    response = client.get(reverse("centers:center_export_csv"))
    assert [row[0] for row in csv_rows(response.content)[1:]] == ["NN001"]


def test_invalid_filter_exports_nothing_like_the_list(client, department_user, center):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_export_csv"), {"kind": "no-such-kind"})
    assert csv_rows(response.content)[1:] == []


def test_anonymous_export_goes_to_login(client, center):
    for name in ("centers:center_export_xlsx", "centers:center_export_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


FORMULA_LIKE = {"name": "=HYPERLINK(\"http://x\")", "phone": "+84 912 345 678", "street": "-1+2 Lý Thái Tổ",
                "investor_name": "@SUM(1)"}


def xlsx_cells(content: bytes) -> list:
    """Every cell of every sheet, after checking the file holds no formula at all."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_inert_text(cells: list, expected: str) -> None:
    """`expected` is in a text cell exactly as typed: no apostrophe shown, not a formula."""
    matching = [cell for cell in cells if cell.value == expected]
    assert matching, f"{expected!r} not found as typed"
    for cell in matching:
        assert cell.data_type == "s", (cell.coordinate, cell.data_type)
        assert cell.quotePrefix, cell.coordinate  # stays text when someone edits the cell
    assert not [cell for cell in cells if isinstance(cell.value, str) and cell.value == "'" + expected]


def test_formula_like_values_are_exact_text_cells_in_the_xlsx(client, department_user, commune):
    CenterFactory(commune=commune, code="NN009", **FORMULA_LIKE)
    client.force_login(department_user)
    response = client.get(reverse("centers:center_export_xlsx"))
    cells = xlsx_cells(response.content)
    for value in FORMULA_LIKE.values():
        assert_inert_text(cells, value)
    row = sheet_rows(response.content)[1]
    assert (row[1], row[4], row[12], row[14]) == tuple(FORMULA_LIKE.values())[:1] + (
        FORMULA_LIKE["street"], FORMULA_LIKE["phone"], FORMULA_LIKE["investor_name"])
    # Ordinary text is left alone.
    assert next(c for c in cells if c.value == "NN009").quotePrefix is False


def test_formula_like_values_keep_the_quote_guard_in_the_csv(client, department_user, commune):
    # A CSV has no cell types: the leading quote is the only guard, and the import drops it.
    CenterFactory(commune=commune, code="NN009", **FORMULA_LIKE)
    client.force_login(department_user)
    row = csv_rows(client.get(reverse("centers:center_export_csv")).content)[1]
    assert row[1] == "'=HYPERLINK(\"http://x\")"
    assert row[4] == "'-1+2 Lý Thái Tổ"
    assert row[12] == "'+84 912 345 678"
    assert row[14] == "'@SUM(1)"


def test_summary_workbooks_write_formula_like_values_as_exact_text():
    sheet = Sheet("Thử", ["=Tiêu đề"], [["=1+1", "+84 912 345 678", "-5 học viên", "@ten", 7]],
                  preamble=[["@Sở GDĐT"]])
    cells = xlsx_cells(sheets_workbook([sheet]))
    for value in ("=Tiêu đề", "=1+1", "+84 912 345 678", "-5 học viên", "@ten", "@Sở GDĐT"):
        assert_inert_text(cells, value)
    assert next(c for c in cells if c.value == 7).data_type == "n"


def test_export_runs_the_same_queries_for_10_and_200_centers(
    client, department_user, commune, django_assert_max_num_queries,
):
    client.force_login(department_user)
    counts = []
    for total in (10, 200):
        while Center.objects.count() < total:
            center = CenterFactory(commune=commune)
            DocumentFactory(center=center)
            DirectorFactory(center=center)
        for name in ("centers:center_export_xlsx", "centers:center_export_csv"):
            with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as captured:
                response = client.get(reverse(name))
            assert response.status_code == 200
            counts.append((name, len(captured)))
    assert counts[:2] == counts[2:]


def test_export_workbook_accepts_a_plain_queryset(center, other_center, django_assert_max_num_queries):
    """The admin action passes its own queryset, without the list's joins and prefetch."""
    DirectorFactory(center=center, full_name="Lê Văn Bình")
    with django_assert_max_num_queries(2):
        content = export_workbook(Center.objects.order_by("code"))
    rows = sheet_rows(content)
    assert [row[0] for row in rows[1:]] == ["NN001", "NN002"]
    assert rows[1][11] == "Lê Văn Bình"
