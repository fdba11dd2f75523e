"""The dashboard's .xlsx exports: the completeness summary and the period's values summed
over centers, read back with openpyxl."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.services import submission_accept, submission_return
from tests.factories import CenterFactory
from tests.reports.helpers_review import (
    local_time,
    make_obligation,
    make_period,
    make_report_type,
    submit_version,
    values,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUE = timezone.localdate() - datetime.timedelta(days=20)


@pytest.fixture
def world(province, commune, other_commune, department_user, director):
    period = make_period(make_report_type(province), due_date=DUE)
    a = make_obligation(period, CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Ánh Sao"))
    b = make_obligation(period, CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Bình Minh"))
    c = make_obligation(period, CenterFactory(commune=other_commune, kind="it", name="Trung tâm Tin học Cửa Bắc"))
    # A center name that a spreadsheet would run as a formula.
    d = make_obligation(period, CenterFactory(commune=other_commune, kind="it", name="=HYPERLINK(\"http://x\")"))
    va = submit_version(a, values(learners=100, foreign=2, revenue="300.5"), by=director, at=local_time(DUE))
    submission_accept(obligation=a, version=va, reviewer=department_user, expected_revision=a.revision)
    submit_version(b, values(learners=40, foreign=1, revenue="99.5"), by=director,
                   at=local_time(DUE + datetime.timedelta(days=2)))
    vc = submit_version(c, values(learners=7, foreign=0, revenue="10"), by=director, at=local_time(DUE))
    submission_return(obligation=c, version=vc, reviewer=department_user, reason="Sửa số học viên",
                      field_comments={}, expected_revision=c.revision)
    c.refresh_from_db()
    # Only the latest version counts: 7 learners corrected to 9.
    submit_version(c, values(learners=9, foreign=0, revenue="10"), by=director)
    return {"period": period, "missing": d}


def open_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def rows_after_header(sheet, first_header):
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    return rows[start], rows[start + 1:]


def test_summary_export_has_the_dashboard_numbers_with_vietnamese_headers(client, world, department_user):
    client.force_login(department_user)
    workbook = open_xlsx(client.get(reverse("reports:dashboard_export_summary", args=[world["period"].pk])))
    assert workbook.sheetnames == ["Theo loại hình", "Theo xã, phường", "Trung tâm chưa nộp"]

    header, rows = rows_after_header(workbook["Theo loại hình"], "Loại hình")
    assert header[:6] == ["Loại hình", "Phải nộp", "Đúng hạn", "Trễ hạn", "Chưa nộp", "Bị trả lại"]
    assert "Tỷ lệ đúng hạn (%)" in header
    by_label = {row[0]: row[1:6] for row in rows}
    assert by_label == {
        "Trung tâm ngoại ngữ": [2, 1, 1, 0, 0],
        "Trung tâm tin học": [2, 1, 0, 1, 0],
        "Tổng cộng": [4, 2, 1, 1, 0],
    }
    total = next(row for row in rows if row[0] == "Tổng cộng")
    assert total[header.index("Tỷ lệ đã nộp (%)")] == 75.0

    header, rows = rows_after_header(workbook["Theo xã, phường"], "Xã/Phường")
    assert {row[0]: row[1:5] for row in rows} == {
        "Phường Kinh Bắc": [2, 1, 1, 0], "Phường Võ Cường": [2, 1, 0, 1], "Tổng cộng": [4, 2, 1, 1],
    }

    header, rows = rows_after_header(workbook["Trung tâm chưa nộp"], "Mã trung tâm")
    assert header == ["Mã trung tâm", "Tên trung tâm", "Loại hình", "Xã/Phường"]
    assert len(rows) == 1
    # Written inert and exactly as typed: a text cell, not a formula (edu_portal.files.text_cell).
    assert rows[0][1] == "=HYPERLINK(\"http://x\")"
    assert rows[0][3] == "Phường Võ Cường"


def test_values_export_sums_the_latest_versions(client, world, department_user):
    client.force_login(department_user)
    workbook = open_xlsx(client.get(reverse("reports:dashboard_export_values", args=[world["period"].pk])))
    sheet = workbook["Tổng hợp số liệu"]
    everything = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Số báo cáo đã nộp", 3] in [row[:2] for row in everything]
    header, rows = rows_after_header(sheet, "Mã chỉ tiêu")
    assert header == [
        "Mã chỉ tiêu", "Chỉ tiêu", "Tổng cộng (các báo cáo đã nộp)", "Trong đó: đã được chấp nhận",
        "Trung tâm ngoại ngữ", "Trung tâm tin học",
    ]
    by_code = {row[0]: row[1:] for row in rows}
    # Numeric fields only: the free-text "su_co" is not summed.
    assert list(by_code) == ["so_hoc_vien", "so_giao_vien_nuoc_ngoai", "doanh_thu"]
    assert by_code["so_hoc_vien"] == ["Số học viên trong kỳ", 149, 100, 140, 9]
    assert by_code["so_giao_vien_nuoc_ngoai"][1:] == [3, 2, 3, 0]
    assert by_code["doanh_thu"][1:] == [410, 300.5, 400, 10]


def test_a_local_officer_exports_only_their_commune(client, world, local_officer):
    client.force_login(local_officer)
    workbook = open_xlsx(client.get(reverse("reports:dashboard_export_values", args=[world["period"].pk])))
    _header, rows = rows_after_header(workbook["Tổng hợp số liệu"], "Mã chỉ tiêu")
    assert rows[0][:3] == ["so_hoc_vien", "Số học viên trong kỳ", 140]
    workbook = open_xlsx(client.get(reverse("reports:dashboard_export_summary", args=[world["period"].pk])))
    _header, rows = rows_after_header(workbook["Theo xã, phường"], "Xã/Phường")
    assert [row[0] for row in rows] == ["Phường Kinh Bắc", "Tổng cộng"]

