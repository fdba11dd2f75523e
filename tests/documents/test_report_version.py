"""A submitted report version as the center's "BÁO CÁO": the values as submitted, the
attachments' hashes, the content hash as the last part of its content, and the receipt's
scope."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reports.models import Obligation
from reports.pdf import version_pdf
from reports.services import attachment_add, submission_submit
from tests.documents import pdftools
from tests.factories import CenterFactory, CommuneFactory, ProvinceFactory, make_user
from tests.reports.helpers_submission import good_values, make_period, make_type, pdf_bytes, upload

pytestmark = pytest.mark.django_db
D = datetime.date


def _submitted_at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture(scope="module")
def report(module_db, tmp_path_factory):
    from django.test import override_settings

    with module_db(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        province = ProvinceFactory(code="24", name="Bắc Ninh")
        commune = CommuneFactory(code="09187", name="Phường Kinh Bắc", parent=province)
        center = CenterFactory(commune=commune, code="NN001", name="Trung tâm Ngoại ngữ Đông Á",
                               investor_name="Công ty TNHH Giáo dục Đông Á")
        director = make_user(User.Role.DIRECTOR, center=center, username="giamdoc_pdf", full_name="Nguyễn Văn An")
        owed = make_period(make_type(province), due=D(2026, 3, 10), label="6 tháng cuối năm 2025")
        owing = Obligation.objects.get(period=owed, center=center)
        attachment_add(obligation=owing, user=director, upload=upload("bao-cao-6-thang.pdf", pdf_bytes()))
        version = submission_submit(obligation=owing, user=director, values=good_values(),
                                    idempotency_key=uuid.uuid4(), now=_submitted_at(D(2026, 3, 5), 9, 30))
        data = version_pdf(version)
        facts = {"hash": version.content_hash, "attachment": version.attachment_hashes[0]["sha256"]}
    return {"pdf": data, **facts}


@pytest.fixture(scope="module")
def report_text(report):
    return pdftools.flat(report["pdf"])


def test_the_report_is_in_the_state_format(report):
    pdftools.assert_state_format(report["pdf"])
    assert pdftools.info(report["pdf"])["Pages"] == "1"
    # Sent online: the center's own number is not known, the clerk's blank stays.
    assert pdftools.number_of(report["pdf"]) == "/BC"


@pytest.mark.parametrize("phrase", [
    "CÔNG TY TNHH GIÁO DỤC ĐÔNG Á",
    "TRUNG TÂM NGOẠI NGỮ ĐÔNG Á",
    "Bắc Ninh, ngày 05 tháng 3 năm 2026",
    "BÁO CÁO Tình hình hoạt động 6 tháng",
    "Kỳ báo cáo: 6 tháng cuối năm 2025",
    "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Bắc Ninh",
    "Trung tâm Ngoại ngữ Đông Á báo cáo tình hình hoạt động 6 tháng, kỳ 6 tháng cuối năm 2025, như sau:",
    "Số học viên trong kỳ 1250",
    "Doanh thu trong kỳ (triệu đồng) 450,5",
    "Ngày công khai 05/03/2026",
    "Hình thức công khai Niêm yết tại trụ sở",
    "Nơi nhận: - Như trên; - Lưu: VT.",
    "GIÁM ĐỐC",
    "(Đã nộp trực tuyến)",
    "Nguyễn Văn An",
    "Báo cáo nộp trực tuyến lúc 09:30:00 ngày 05/03/2026 (lần nộp thứ 1), tài khoản giamdoc_pdf",
])
def test_the_report_shows_what_was_submitted(report_text, phrase):
    assert phrase in report_text


def test_the_content_hash_is_printed_whole_in_the_footer(report, report_text):
    assert f"Mã băm nội dung (SHA-256): {report['hash']}" in report_text
    assert len(report["hash"]) == 64
    assert f"bao-cao-6-thang.pdf (2,0 KB) SHA-256: {report['attachment']}" in report_text


def test_the_portals_trail_is_part_of_the_content_and_nothing_follows_the_signature(report):
    # Issue 11: after "./." only "Nơi nhận" and the signature (the trail used to follow it).
    pdftools.assert_in_order(report["pdf"], [
        "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Bắc Ninh", "Báo cáo nộp trực tuyến lúc", "Mã băm nội dung (SHA-256):",
        f"{report['hash']}./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT.",
    ])
    pdftools.assert_only_signature_after_closing(report["pdf"], [
        "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC", "(Đã nộp trực tuyến)", "Nguyễn Văn An"])


# Who may download it (as the receipt)


@pytest.fixture
def version(obligation, director):
    return submission_submit(obligation=obligation, user=director, values=good_values(), idempotency_key=uuid.uuid4())


def _url(version):
    return reverse("reports:version_pdf", args=[version.pk])


@pytest.mark.parametrize("user_key", ["director", "local_officer", "department_user", "inspector"])
def test_whoever_sees_the_receipt_gets_the_pdf(client, request, version, user_key):
    client.force_login(request.getfixturevalue(user_key))
    response = client.get(_url(version))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert version.content_hash in pdftools.flat(response.content)


@pytest.mark.parametrize("user_key", ["other_director", "other_local_officer", "foreign_department_user",
                                      "foreign_inspector"])
def test_another_scope_gets_a_404(client, request, version, user_key):
    client.force_login(request.getfixturevalue(user_key))
    assert client.get(_url(version)).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, version):
    response = client.get(_url(version))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_receipt_and_the_review_page_link_to_the_pdf(client, director, department_user, version):
    client.force_login(director)
    assert _url(version) in client.get(reverse("reports:version_receipt", args=[version.pk])).content.decode()
    client.force_login(department_user)
    review = client.get(reverse("reports:review_detail", args=[version.obligation.pk])).content.decode()
    assert _url(version) in review
