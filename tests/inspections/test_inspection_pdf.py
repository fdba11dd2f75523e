"""The inspection record (biên bản kiểm tra) in the state format, read back as a person
would check the printed page."""

import datetime

import pytest
from django.urls import reverse

from inspections.models import InspectionCheck, LegalVersion, SanctionArticle, Violation
from tests.documents import pdftools

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


@pytest.fixture
def record(recorded_inspection):
    version = LegalVersion.objects.get(code="ND04-2021-127-2021")
    article = SanctionArticle.objects.create(
        version=version, article="7", clause="2", point="a",
        description="Không công khai thông tin về học phí theo quy định", fine_min=20_000_000, fine_max=40_000_000,
        remedy="Buộc thực hiện công khai theo quy định",
    )
    Violation.objects.create(inspection=recorded_inspection, article=article, fine_amount=25_000_000,
                             remedy_deadline=datetime.date(2026, 12, 12))
    InspectionCheck.objects.create(inspection=recorded_inspection, condition="disclosure", result="not_met",
                                   note="Chưa niêm yết học phí")
    InspectionCheck.objects.create(inspection=recorded_inspection, condition="premises", result="met")
    return recorded_inspection


def test_the_record_prints_in_the_state_format(client, inspector, record, center):
    client.force_login(inspector)
    response = client.get(reverse("inspections:inspection_pdf", args=[record.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    pdftools.assert_state_format(data)  # A4, fonts embedded (the bundled serif), motto, margins
    text = pdftools.flat(data)
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN BẢN", f"Kiểm tra hoạt động của {center.name}",
        "Hôm nay, ngày 12 tháng 11 năm 2026",
        "Thực hiện Quyết định số 85/QĐ-SGDĐT", "Nguyễn Văn An, Trưởng phòng Giáo dục thường xuyên - Trưởng đoàn",
        "Công khai thông tin", "Chưa niêm yết học phí", "Không kiểm tra",
        "Từ 20.000.000 đồng đến 40.000.000 đồng", "Buộc thực hiện công khai theo quy định",
        "trước ngày 12/12/2026", "TRƯỞNG ĐOÀN KIỂM TRA", "ĐẠI DIỆN TRUNG TÂM",
    ):
        assert phrase in text, phrase
    assert pdftools.number_of(data) == "/BB-ĐKT"  # numbered by hand in the team's register
    # The citation and its decree, wherever the table cell breaks the line (pdftotext
    # also drops the hyphen of "NĐ-CP" broken at a line end).
    article = record.violations.get().article
    assert f"{article.citation} {article.version.title}".startswith("điểm a khoản 2 Điều 7 Nghị định 04/2021/")
    compact = "".join(text.split())
    assert "Căncứ:điểmakhoản2Điều7Nghịđịnh04/2021/" in compact
    assert "sửađổi,bổsungbởiNghịđịnh127/2021/" in compact
    for font in pdftools.fonts(data):
        assert font.embedded, font
