"""The decision permitting a center to operate, from its LicenceDocument: the state
format, what the register holds and nothing invented, what was true on the day it was
signed (issue 11), the certificate's own form, and who may download it."""

import datetime

import pytest
from django.urls import reverse

from centers.choices import CenterKind, DocumentKind
from centers.models import Location
from centers.pdf import TEMPLATE, licence_decision_context, parse_issuer
from edu_portal.pdf import render_pdf
from tests.documents import pdftools
from tests.factories import CenterFactory, CommuneFactory, DocumentFactory, ProvinceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(scope="module")
def decision(module_db):
    with module_db():
        province = ProvinceFactory(code="24", name="Bắc Ninh")
        commune = CommuneFactory(code="09187", name="Phường Kinh Bắc", parent=province)
        center = CenterFactory(
            commune=commune, code="NN001", name="Trung tâm Ngoại ngữ Đông Á", street="Số 12 đường Lý Thái Tổ",
            investor_name="Công ty TNHH Giáo dục Đông Á", investor_tax_code="2300123456",
        )
        document = DocumentFactory(
            center=center, kind=DocumentKind.ESTABLISHMENT_OPERATION, number="12/QĐ-SGDĐT",
            signed_on=D(2026, 3, 5), issuer="Sở GDĐT Bắc Ninh", valid_until=D(2031, 3, 4), validity_stated=True,
            scope="Dạy tiếng Anh theo Khung năng lực ngoại ngữ 6 bậc dùng cho Việt Nam.",
        )
        Location.objects.create(center=center, address="Số 5 đường Ngô Gia Tự, phường Kinh Bắc", document=document)
        context = licence_decision_context(document)
        data = render_pdf(TEMPLATE, context)
    return {"pdf": data, "context": context}


@pytest.fixture(scope="module")
def decision_text(decision):
    return pdftools.flat(decision["pdf"])


def test_the_decision_is_one_a4_page_in_the_state_format(decision):
    data = decision["pdf"]
    assert pdftools.info(data)["Pages"] == "1"
    pdftools.assert_state_format(data)
    assert pdftools.page_number_at_top(data, 1) is None
    assert pdftools.number_of(data) == "12/QĐ-SGDĐT"


@pytest.mark.parametrize("phrase", [
    "UBND TỈNH BẮC NINH",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "Số: 12/QĐ-SGDĐT",
    "Bắc Ninh, ngày 05 tháng 3 năm 2026",
    "QUYẾT ĐỊNH Về việc cho phép thành lập và cho phép hoạt động giáo dục Trung tâm Ngoại ngữ Đông Á",
    "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;",
    "Căn cứ Nghị định số 125/2024/NĐ-CP ngày 05 tháng 10 năm 2024 của Chính phủ",
    "Căn cứ Thông tư số 21/2018/TT-BGDĐT ngày 24 tháng 8 năm 2018",
    "Xét hồ sơ đề nghị của Công ty TNHH Giáo dục Đông Á;",
    "Theo đề nghị của ……",
    "QUYẾT ĐỊNH:",
    "Điều 1. Cho phép thành lập và cho phép hoạt động giáo dục Trung tâm Ngoại ngữ Đông Á, với các nội dung sau:",
    "- Loại hình: Trung tâm ngoại ngữ.",
    "- Địa chỉ trụ sở: Số 12 đường Lý Thái Tổ, phường Kinh Bắc, tỉnh Bắc Ninh.",
    "- Chủ đầu tư: Công ty TNHH Giáo dục Đông Á (mã số thuế: 2300123456).",
    "- Địa điểm đặt lớp: Số 5 đường Ngô Gia Tự, phường Kinh Bắc.",
    "- Phạm vi, nội dung hoạt động: Dạy tiếng Anh theo Khung năng lực ngoại ngữ 6 bậc dùng cho Việt Nam.",
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký đến hết ngày 04 tháng 3 năm 2031.",
    "Điều 3. Chánh Văn phòng, Trưởng các phòng có liên quan thuộc Sở Giáo dục và Đào tạo, Giám đốc Trung tâm "
    "Ngoại ngữ Đông Á và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
    "Nơi nhận: - Như Điều 3; - Lưu: VT.",
])
def test_the_decision_reads_as_issued(decision_text, phrase):
    assert phrase in decision_text


def test_the_signature_is_the_issuers_position_with_no_invented_name(decision):
    context = decision["context"]
    assert (context["sign_position"], context["signer_name"]) == ("GIÁM ĐỐC", "")
    lines = [line.strip() for line in pdftools.text(decision["pdf"], layout=True).splitlines() if line.strip()]
    # The position is the last word of the signature column; only recipients sit beside it.
    assert lines[-1].endswith("GIÁM ĐỐC") or lines[-1] == "- Lưu: VT."
    assert "GIÁM ĐỐC" in " ".join(lines[-3:])


def test_the_header_columns_stand_level(decision):
    words = pdftools.words(decision["pdf"], 1)
    by_text = {}
    for word in words:
        by_text.setdefault(word.text, word)
    # The number and the place-date line share a row; the agency and the national title too.
    assert abs(by_text["Số:"].y_min - by_text["Bắc"].y_min) < 3 or any(
        abs(by_text["Số:"].y_min - w.y_min) < 3 for w in words if w.text == "ngày")
    assert abs(by_text["UBND"].y_min - by_text["CỘNG"].y_min) < 2
    # Left column left of the right column.
    assert by_text["UBND"].x_max < by_text["CỘNG"].x_min


def test_what_the_register_does_not_hold_is_left_blank(commune):
    center = CenterFactory(commune=commune, name="Trung tâm Tin học Sao Mai", kind=CenterKind.IT)
    document = DocumentFactory(center=center, kind=DocumentKind.OPERATION, number="7/QĐ-SGDĐT",
                               signed_on=D(2025, 2, 3), issuer="Trường Đại học Kinh Bắc", scope="")
    context = licence_decision_context(document)
    assert context["owner"] == context["blank"] and context["scope_lines"] == []
    assert (context["authority"], context["sign_position"], context["signer_name"]) == ("", "", "")
    text = pdftools.flat(render_pdf(TEMPLATE, context))
    assert "TRƯỜNG ĐẠI HỌC KINH BẮC" in text
    assert "Bắc Ninh, ngày 03 tháng 02 năm 2025" in text
    assert "- Chủ đầu tư: ……" in text and "- Phạm vi, nội dung hoạt động: ……" in text
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký." in text


@pytest.mark.parametrize(("issuer", "parent", "body", "place", "position"), [
    ("Sở GDĐT Bắc Ninh", "UBND TỈNH BẮC NINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Bắc Ninh", "GIÁM ĐỐC"),
    ("Sở GDĐT Bắc Giang (trước sáp nhập)", "UBND TỈNH BẮC GIANG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Bắc Giang", "GIÁM ĐỐC"),
    ("Sở Giáo dục và Đào tạo Hà Nội", "UBND THÀNH PHỐ HÀ NỘI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Hà Nội", "GIÁM ĐỐC"),
    ("UBND xã Tân Dân", "", "ỦY BAN NHÂN DÂN XÃ TÂN DÂN", "Tân Dân", "CHỦ TỊCH"),
    ("Phòng GDĐT huyện Yên Phong", "UBND HUYỆN YÊN PHONG", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "Yên Phong", "TRƯỞNG PHÒNG"),
    ("Trường Đại học Kinh Bắc", "", "TRƯỜNG ĐẠI HỌC KINH BẮC", "Bắc Ninh", ""),
])
def test_the_issuer_is_read_from_the_registers_free_text(center, other_province, issuer, parent, body, place, position):
    parsed = parse_issuer(issuer, center)
    assert (parsed.parent_body, parsed.issuing_body, parsed.place, parsed.sign_position) == (
        parent, body, place, position)


def test_decisions_signed_before_decree_125_cite_the_decrees_then_in_force(center):
    document = DocumentFactory(center=center, number="3/QĐ-SGDĐT", signed_on=D(2019, 5, 6))
    bases = " ".join(licence_decision_context(document)["legal_bases"])
    assert "Luật Giáo dục ngày 14 tháng 6 năm 2005" in bases
    assert "46/2017/NĐ-CP" in bases and "135/2018/NĐ-CP" in bases and "125/2024" not in bases


# Who may download it


def _url(center, document):
    return reverse("centers:licence_document_pdf", args=[center.pk, document.pk])


@pytest.mark.parametrize("user_key", ["department_user", "inspector", "director", "local_officer"])
def test_anyone_who_sees_the_center_gets_its_decision(client, request, center, user_key):
    client.force_login(request.getfixturevalue(user_key))
    document = center.documents.get()
    response = client.get(_url(center, document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="quyet-dinh-12-qd-sgddt-')
    assert "Số: 12/QĐ-SGDĐT" in pdftools.flat(response.content)


@pytest.mark.parametrize("user_key", ["other_director", "other_local_officer", "foreign_department_user",
                                      "foreign_inspector"])
def test_outside_the_scope_the_decision_does_not_exist(client, request, center, user_key):
    client.force_login(request.getfixturevalue(user_key))
    assert client.get(_url(center, center.documents.get())).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, center):
    response = client.get(_url(center, center.documents.get()))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_a_document_of_another_center_or_kind_is_not_found(client, department_user, center, other_center):
    client.force_login(department_user)
    other_document = DocumentFactory(center=other_center)
    suspension = DocumentFactory(center=center, kind=DocumentKind.SUSPENSION, number="20/QĐ-SGDĐT",
                                 signed_on=D(2026, 6, 1))
    assert client.get(_url(center, other_document)).status_code == 404
    assert client.get(_url(center, suspension)).status_code == 404


def test_the_center_page_links_each_decision_to_its_pdf(client, director, center):
    client.force_login(director)
    DocumentFactory(center=center, kind=DocumentKind.SUSPENSION, number="20/QĐ-SGDĐT", signed_on=D(2026, 6, 1))
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    decision = center.documents.get(number="12/QĐ-SGDĐT")
    assert _url(center, decision) in page
    assert page.count("/pdf/") == 1  # none for the suspension
