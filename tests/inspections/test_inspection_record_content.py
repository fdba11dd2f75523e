"""What the inspection record says (issue 11): a biên bản as Decree 30/2020 sample 1.9 lays
it out, issued by the Department's checking team (no "Thanh tra Sở" since 1/7/2025),
asking the center only for the remedies that are the center's, and citing an act whose
article the catalogue could not confirm as unconfirmed."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from edu_portal.pdf import render_pdf
from inspections.models import Inspection, LegalVersion, SanctionArticle, Violation
from inspections.pdf import inspection_record_context
from inspections.services import inspection_save
from tests.documents import pdftools

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
D = datetime.date
TEMPLATE = "pdf/inspection_record.html"


def _pdf(inspection):
    return render_pdf(TEMPLATE, inspection_record_context(inspection))


def test_expulsion_of_a_foreign_worker_is_never_a_remedy_the_center_must_carry_out(recorded_inspection):
    # Decree 12/2022 Art 32.4 (employing a foreigner without a work permit), as migrated.
    article = SanctionArticle.objects.get(version__code="ND12-2022", article="32", clause="4")
    assert article.remedy == ""
    Violation.objects.create(inspection=recorded_inspection, article=article, remedy_deadline=D(2026, 12, 12))
    text = pdftools.flat(_pdf(recorded_inspection))
    assert "Sửdụngngườilaođộngnướcngoài" in "".join(text.split())
    assert "trục xuất" not in text.lower()


def test_an_unconfirmed_article_is_printed_with_its_flag(recorded_inspection):
    # The catalogue's Decree 04/2021 "Điều 7" (no clause): regulations.md 3.2 could not
    # confirm which article and clause carry the fine.
    article = SanctionArticle.objects.get(version__code="ND04-2021-127-2021", article="7")
    assert article.unconfirmed and not article.clause
    Violation.objects.create(inspection=recorded_inspection, article=article, remedy_deadline=D(2026, 12, 12))
    compact = "".join(pdftools.flat(_pdf(recorded_inspection)).split())
    assert "Căncứ:Điều7Nghịđịnh04/2021/" in compact
    assert "[chưaxácminhđiều,khoản,điểm:đốichiếuvănbảngốctrướckhiký]" in compact
    assert "(mứcphạtchưaxácminh)" in compact


def test_a_confirmed_article_carries_no_flag(recorded_inspection):
    version = LegalVersion.objects.get(code="ND12-2022")
    article = SanctionArticle.objects.get(version=version, article="32", clause="1")
    Violation.objects.create(inspection=recorded_inspection, article=article, remedy_deadline=D(2026, 12, 12))
    assert "chưa xác minh" not in pdftools.flat(_pdf(recorded_inspection))


def test_the_record_is_the_departments_team_and_follows_sample_1_9(recorded_inspection, center):
    data = _pdf(recorded_inspection)
    pdftools.assert_in_order(data, [
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "ĐOÀN KIỂM TRA", "BIÊN BẢN", f"Kiểm tra hoạt động của {center.name}",
        "Thực hiện Quyết định số 85/QĐ-SGDĐT", "Hôm nay, ngày 12 tháng 11 năm 2026", "I. THÀNH PHẦN",
        "II. NỘI DUNG, PHẠM VI KIỂM TRA", "III. KẾT QUẢ KIỂM TRA", "IV. VI PHẠM VÀ BIỆN PHÁP KHẮC PHỤC",
        "Biên bản kết thúc vào hồi", "ký tên dưới đây./.", "ĐẠI DIỆN TRUNG TÂM", "TRƯỞNG ĐOÀN KIỂM TRA",
        "Nơi nhận:", f"- {center.name};", "- Lưu: VT, Hồ sơ kiểm tra.",
    ])
    assert pdftools.number_of(data) == "/BB-ĐKT"
    text = pdftools.flat(data)
    # A biên bản has no place-date line (its day and place are in its text), and the team
    # is not an inspectorate.
    assert "Bắc Ninh, ngày" not in text
    assert "Thanh tra Sở" not in text and "THANH TRA" not in text
    pdftools.assert_only_signature_after_closing(data, [
        "ĐẠI DIỆN TRUNG TÂM", "(Ký, ghi rõ họ tên, đóng dấu)", "TRƯỞNG ĐOÀN KIỂM TRA", "(Ký, ghi rõ họ tên)",
        "Nguyễn Văn An", "Nơi nhận:", f"- {center.name};", "- Lưu: VT, Hồ sơ kiểm tra.",
    ])


def test_a_check_from_july_2025_cannot_name_the_abolished_department_inspectorate(inspector, center):
    inspection = Inspection(center=center, planned_on=D(2026, 11, 10), scope="Điều kiện hoạt động",
                            team="Nguyễn Văn An, Chánh Thanh tra Sở - Trưởng đoàn")
    with pytest.raises(ValidationError) as error:
        inspection_save(inspection=inspection, user=inspector)
    assert "Thanh tra Sở" in str(error.value.message_dict["team"])
    assert not Inspection.objects.exists()


def test_a_record_from_before_july_2025_keeps_the_titles_of_its_time(inspector, center):
    inspection = Inspection(center=center, planned_on=D(2025, 3, 10), scope="Điều kiện hoạt động",
                            team="Nguyễn Văn An, Chánh Thanh tra Sở - Trưởng đoàn")
    assert inspection_save(inspection=inspection, user=inspector).pk
