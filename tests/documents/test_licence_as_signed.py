"""A licence document carries what was true on the day it was signed (issue 11): the
issuer and its parent body of that day, the address as the document printed it, the
right applicant and proposer, the competence basis in force, a term only when the
document states one, and the form of its kind (a certificate is not a decision)."""

import datetime

import pytest

from centers.choices import CenterKind, DocumentKind
from centers.legal import FILL_IN
from centers.pdf import TEMPLATE, decision_filename, licence_decision_context
from edu_portal.pdf import render_pdf
from tests.documents import pdftools
from tests.factories import CenterFactory, CommuneFactory, DocumentFactory, ProvinceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _pdf(document):
    return render_pdf(TEMPLATE, licence_decision_context(document))


@pytest.fixture
def bac_ninh():
    return ProvinceFactory(code="24", name="Bắc Ninh")


@pytest.fixture
def luc_ngan(bac_ninh):
    # Today a commune of Bắc Ninh; in 2019 part of huyện Lục Ngạn, tỉnh Bắc Giang.
    return CommuneFactory(code="07582", name="Xã Lục Ngạn", parent=bac_ninh)


@pytest.fixture
def decision_2019(luc_ngan):
    center = CenterFactory(commune=luc_ngan, name="Trung tâm Ngoại ngữ Hồng Sơn", street="Thôn Thượng",
                           investor_name="Công ty TNHH Giáo dục Hồng Sơn")
    return DocumentFactory(
        center=center, kind=DocumentKind.ESTABLISHMENT_OPERATION, number="215/QĐ-SGDĐT", signed_on=D(2019, 8, 12),
        issuer="Sở GDĐT Bắc Giang",
    )


def test_a_2019_decision_of_the_former_bac_giang_prints_its_issuer_and_address_of_2019(decision_2019):
    decision_2019.address_as_printed = "Thôn Thượng, thị trấn Chũ, huyện Lục Ngạn, tỉnh Bắc Giang"
    decision_2019.save()
    data = _pdf(decision_2019)
    pdftools.assert_in_order(data, [
        "UBND TỈNH BẮC GIANG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 215/QĐ-SGDĐT", "Bắc Giang, ngày 12 tháng 8 năm 2019",
        "QUYẾT ĐỊNH", "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "- Địa chỉ trụ sở: Thôn Thượng, thị trấn Chũ, huyện Lục Ngạn, tỉnh Bắc Giang.",
    ])
    text = pdftools.flat(data)
    assert "Bắc Ninh" not in text and "Xã Lục Ngạn" not in text


def test_without_its_printed_address_an_old_decision_leaves_the_address_blank_not_todays(decision_2019):
    text = pdftools.flat(_pdf(decision_2019))
    assert "- Địa chỉ trụ sở: ……" in text
    assert "Xã Lục Ngạn" not in text and "Tỉnh Bắc Ninh" not in text


def test_what_the_document_printed_wins_over_what_the_register_derives(decision_2019):
    decision_2019.issuer_parent_as_printed = "UBND TỈNH BẮC GIANG"
    decision_2019.issuer_name_as_printed = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    decision_2019.place_as_printed = "Bắc Giang"
    decision_2019.center_name_as_printed = "Trung tâm Ngoại ngữ Hồng Sơn Lục Ngạn"
    decision_2019.legal_bases = "- Căn cứ Quyết định số 12/2016/QĐ-UBND của UBND tỉnh Bắc Giang\nCăn cứ Luật Giáo dục."
    decision_2019.proposer = "Trưởng phòng Giáo dục chuyên nghiệp - Giáo dục thường xuyên"
    decision_2019.signer_title = "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    decision_2019.signer_name = "Trần Văn Hòa"
    decision_2019.save()
    data = _pdf(decision_2019)
    pdftools.assert_in_order(data, [
        "Căn cứ Quyết định số 12/2016/QĐ-UBND của UBND tỉnh Bắc Giang;", "Căn cứ Luật Giáo dục;",
        "Xét hồ sơ đề nghị của Công ty TNHH Giáo dục Hồng Sơn;",
        "Theo đề nghị của Trưởng phòng Giáo dục chuyên nghiệp - Giáo dục thường xuyên.", "QUYẾT ĐỊNH:",
        "Điều 1. Cho phép thành lập và cho phép hoạt động giáo dục Trung tâm Ngoại ngữ Hồng Sơn Lục Ngạn",
    ])
    assert "Nghị định số 46/2017" not in pdftools.flat(data)  # the document's own bases only
    lines = pdftools.lines(data)
    assert any(line.endswith("KT. GIÁM ĐỐC") for line in lines)
    assert any(line.endswith("PHÓ GIÁM ĐỐC") for line in lines)
    assert lines[-1] == "Trần Văn Hòa"


def test_an_expiry_the_decision_does_not_state_is_not_printed(center):
    document = DocumentFactory(center=center, number="30/QĐ-SGDĐT", signed_on=D(2025, 9, 1), valid_until=D(2030, 8, 31))
    text = pdftools.flat(_pdf(document))
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký." in text
    assert "đến hết" not in text and "2030" not in text


def test_an_expiry_the_decision_states_is_printed_as_its_term(center):
    document = DocumentFactory(center=center, number="31/QĐ-SGDĐT", signed_on=D(2025, 9, 1), valid_until=D(2030, 8, 31),
                               validity_stated=True)
    text = pdftools.flat(_pdf(document))
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký đến hết ngày 31 tháng 8 năm 2030." in text


@pytest.fixture
def vocational(commune):
    return CenterFactory(commune=commune, name="Trung tâm GDNN-GDTX khu vực Kinh Bắc", kind=CenterKind.VOCATIONAL,
                         founding_authority="UBND tỉnh Bắc Ninh", managing_authority="Sở GDĐT Bắc Ninh")


def test_a_registration_certificate_is_printed_as_a_certificate_not_a_decision(vocational):
    document = DocumentFactory(
        center=vocational, kind=DocumentKind.REGISTRATION, number="785/GCN-SGDĐT", signed_on=D(2025, 8, 10),
        issuer="Sở GDĐT Bắc Ninh",
        scope="Đăng ký hoạt động giáo dục nghề nghiệp trình độ sơ cấp; giáo dục thường xuyên.",
    )
    data = _pdf(document)
    text = pdftools.flat(data)
    assert "QUYẾT ĐỊNH" not in text and "Điều 1." not in text and "Căn cứ" not in text
    pdftools.assert_in_order(data, [
        "UBND TỈNH BẮC NINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 785/GCN-SGDĐT", "Bắc Ninh, ngày 10 tháng 8 năm 2025",
        "GIẤY CHỨNG NHẬN", "Đăng ký hoạt động giáo dục nghề nghiệp, giáo dục thường xuyên",
        "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh chứng nhận:", "- Tên đơn vị: Trung tâm GDNN-GDTX khu vực Kinh Bắc.",
        "- Nội dung đăng ký hoạt động: Đăng ký hoạt động giáo dục nghề nghiệp trình độ sơ cấp; giáo dục thường xuyên.",
        "Giấy chứng nhận này có hiệu lực kể từ ngày ký./.",
        "Nơi nhận:", "- Trung tâm GDNN-GDTX khu vực Kinh Bắc;", "- Lưu: VT.",
    ])
    pdftools.assert_only_signature_after_closing(data, [
        "Nơi nhận:", "- Trung tâm GDNN-GDTX khu vực Kinh Bắc;", "- Lưu: VT.", "GIÁM ĐỐC"])
    assert decision_filename(document).startswith("Giấy chứng nhận 785-GCN-SGDĐT")


def test_a_public_center_is_established_a_private_one_permitted(vocational, center):
    public = DocumentFactory(center=vocational, kind=DocumentKind.ESTABLISHMENT, number="1856/QĐ-UBND",
                             signed_on=D(2025, 9, 6), issuer="UBND tỉnh Bắc Ninh")
    text = pdftools.flat(_pdf(public))
    assert "Về việc thành lập Trung tâm GDNN-GDTX khu vực Kinh Bắc" in text
    assert "Điều 1. Thành lập Trung tâm GDNN-GDTX khu vực Kinh Bắc" in text
    assert "cho phép thành lập" not in text
    private = DocumentFactory(center=center, kind=DocumentKind.ESTABLISHMENT, number="40/QĐ-SGDĐT",
                              signed_on=D(2025, 9, 6))
    assert "Điều 1. Cho phép thành lập Trung tâm Ngoại ngữ Đông Á" in pdftools.flat(_pdf(private))


@pytest.mark.parametrize(("issuer", "kind", "founder"), [
    # A commune's community learning center: the commune signs; it never "considers its
    # own application".
    ("UBND phường Kinh Bắc", CenterKind.COMMUNITY, "UBND phường Kinh Bắc"),
    # A public center the province founded, licensed by its Department: the superior.
    ("Sở GDĐT Bắc Ninh", CenterKind.VOCATIONAL, "UBND tỉnh Bắc Ninh"),
])
def test_the_application_is_never_the_issuers_own_or_its_superiors(commune, issuer, kind, founder):
    center = CenterFactory(commune=commune, name="Trung tâm công lập", kind=kind, founding_authority=founder)
    document = DocumentFactory(center=center, number="9/QĐ-UBND", signed_on=D(2025, 10, 1), issuer=issuer)
    text = pdftools.flat(_pdf(document))
    assert "Xét hồ sơ đề nghị của" not in text
    assert founder not in text


def test_a_communes_decision_on_its_community_center_cites_its_competence_and_proposer(commune):
    center = CenterFactory(commune=commune, name="Trung tâm học tập cộng đồng phường Kinh Bắc",
                           kind=CenterKind.COMMUNITY, founding_authority="UBND phường Kinh Bắc")
    document = DocumentFactory(center=center, number="931/QĐ-UBND", signed_on=D(2025, 7, 23),
                               issuer="UBND phường Kinh Bắc")
    data = _pdf(document)
    pdftools.assert_in_order(data, [
        "ỦY BAN NHÂN DÂN PHƯỜNG KINH BẮC", "Số: 931/QĐ-UBND", "Kinh Bắc, ngày 23 tháng 7 năm 2025",
        "Về việc thành lập và cho phép hoạt động giáo dục Trung tâm học tập cộng đồng phường Kinh Bắc",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG KINH BẮC",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;",
        "Căn cứ Nghị định số 125/2024/NĐ-CP",
        "Căn cứ Nghị định số 142/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ;",
        "Theo đề nghị của Trưởng phòng Văn hóa - Xã hội.", "QUYẾT ĐỊNH:",
        "Điều 1. Thành lập và cho phép hoạt động giáo dục", "Điều 2.", "Điều 3.", "./.",
        "Nơi nhận:", "- Như Điều 3;", "- Lưu: VT.",
    ])
    assert FILL_IN not in pdftools.flat(data)


def test_a_department_decision_cites_the_decree_that_gives_it_competence_that_day(center):
    document = DocumentFactory(center=center, number="50/QĐ-SGDĐT", signed_on=D(2026, 2, 2))
    bases = licence_decision_context(document)["legal_bases"]
    assert bases[0] == "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;"
    assert any(line.startswith("Căn cứ Nghị định số 125/2024/NĐ-CP") for line in bases)
    assert FILL_IN not in bases
    # Before Decree 135/2018 the competence is not confirmed: a line to fill in by hand.
    old = DocumentFactory(center=center, number="51/QĐ-SGDĐT", signed_on=D(2017, 6, 1))
    assert licence_decision_context(old)["legal_bases"][0] == FILL_IN


def test_a_competence_no_checked_text_gives_is_left_to_fill_in(vocational):
    document = DocumentFactory(center=vocational, kind=DocumentKind.ESTABLISHMENT, number="1/QĐ-UBND",
                               signed_on=D(2017, 3, 1), issuer="UBND tỉnh Bắc Ninh")
    bases = licence_decision_context(document)["legal_bases"]
    assert bases[0] == FILL_IN
    assert "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2005;" in bases


def test_the_decision_has_the_parts_of_sample_1_2_in_order_and_nothing_after_its_end(center):
    document = DocumentFactory(center=center, number="60/QĐ-SGDĐT", signed_on=D(2026, 3, 5),
                               proposer="Trưởng phòng GDTX")
    center.investor_name = "Công ty TNHH Đông Á"
    center.save()
    data = _pdf(document)
    pdftools.assert_in_order(data, [
        "UBND TỈNH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 60/QĐ-SGDĐT", "ngày 05 tháng 3 năm 2026", "QUYẾT ĐỊNH",
        "Về việc cho phép thành lập và cho phép hoạt động giáo dục Trung tâm Ngoại ngữ Đông Á",
        "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Căn cứ", "Xét hồ sơ đề nghị của Công ty TNHH Đông Á;",
        "Theo đề nghị của Trưởng phòng GDTX.", "QUYẾT ĐỊNH:", "Điều 1.", "Điều 2.", "Điều 3.",
        "chịu trách nhiệm thi hành Quyết định này./.",
    ])
    pdftools.assert_only_signature_after_closing(data, ["Nơi nhận:", "- Như Điều 3;", "- Lưu: VT.", "GIÁM ĐỐC"])


def test_staff_record_what_the_paper_printed_in_the_admin_and_the_pdf_prints_it(client, department_user, center):
    from django.urls import reverse

    client.force_login(department_user)
    data = {
        "center": center.pk, "kind": DocumentKind.ESTABLISHMENT_OPERATION, "number": "77/QĐ-SGDĐT",
        "signed_on": "2019-08-12", "issuer": "Sở GDĐT Bắc Giang", "issuer_parent_as_printed": "UBND TỈNH BẮC GIANG",
        "issuer_name_as_printed": "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "place_as_printed": "Bắc Giang",
        "address_as_printed": "Số 3 đường Xương Giang, phường Trần Phú, thành phố Bắc Giang, tỉnh Bắc Giang",
        "proposer": "Trưởng phòng Giáo dục thường xuyên",
    }
    response = client.post(reverse("admin:centers_licencedocument_add"), data)
    assert response.status_code == 302
    document = center.documents.get(number="77/QĐ-SGDĐT")
    text = pdftools.flat(_pdf(document))
    assert "Số 3 đường Xương Giang, phường Trần Phú, thành phố Bắc Giang, tỉnh Bắc Giang." in text
    assert "Theo đề nghị của Trưởng phòng Giáo dục thường xuyên." in text


def test_a_stated_term_needs_its_date(client, department_user, center):
    from django.urls import reverse

    client.force_login(department_user)
    data = {"center": center.pk, "kind": DocumentKind.OPERATION, "number": "78/QĐ-SGDĐT", "signed_on": "2025-08-12",
            "issuer": "Sở GDĐT Bắc Ninh", "validity_stated": "on"}
    response = client.post(reverse("admin:centers_licencedocument_add"), data)
    assert response.status_code == 200
    assert "Văn bản ghi thời hạn: cần nhập ngày hết hiệu lực." in response.content.decode()
    assert not center.documents.filter(number="78/QĐ-SGDĐT").exists()
