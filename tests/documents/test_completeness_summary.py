"""The province's summary of a reporting period, rendered by a Celery job: the counts of
the dashboard, then every center with its state, over several pages in the state format;
and who may ask for it and download it."""

import datetime
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from documents import services
from documents.models import PdfJob
from documents.services import pdf_job_run, pdf_job_start
from edu_portal.pdf import state_date
from reports.services import submission_return
from tests.documents import pdftools
from tests.factories import CenterFactory, CommuneFactory, ProvinceFactory, make_user
from tests.reports.helpers_review import (
    local_time,
    make_obligation,
    make_period,
    make_report_type,
    submit_version,
    values,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY - datetime.timedelta(days=20)
CENTERS = 36


def _owing_period(province, communes, director, count):
    """`count` centers over the communes: a third on time, a sixth late, one returned, the
    rest missing."""
    period = make_period(make_report_type(province), due_date=DUE)
    names = []
    for n in range(count):
        center = CenterFactory(commune=communes[n % len(communes)], code=f"TH{n:03d}",
                               name=f"Trung tâm Ngoại ngữ Ánh Dương số {n:02d}")
        names.append(center.name)
        obligation = make_obligation(period, center)
        if n % 3 == 0:
            version = submit_version(obligation, values(), by=director, at=local_time(DUE - datetime.timedelta(days=1)))
            if n == 0:
                submission_return(obligation=obligation, version=version, reviewer=director, reason="Sửa số liệu",
                                  field_comments={}, expected_revision=obligation.revision)
        elif n % 6 == 1:
            submit_version(obligation, values(), by=director, at=local_time(DUE + datetime.timedelta(days=3)))
    return period, names


@pytest.fixture(scope="module")
def summary(module_db, tmp_path_factory):
    with module_db(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        province = ProvinceFactory(code="24", name="Bắc Ninh")
        communes = [CommuneFactory(code="09187", name="Phường Kinh Bắc", parent=province),
                    CommuneFactory(code="09190", name="Phường Võ Cường", parent=province)]
        staff = make_user(User.Role.DEPARTMENT, province=province, username="sogd_summary")
        period, names = _owing_period(province, communes, staff, CENTERS)
        job = pdf_job_start(kind="reports.completeness_summary", data={"period": str(period.pk)}, by=staff)
        seen = []
        original = services._Progress.__call__

        def spy(self, percent, message=""):
            seen.append(int(percent))
            original(self, percent, message)

        with mock.patch.object(services._Progress, "__call__", spy):
            pdf_job_run(job=job)  # what the Celery task runs
        job.refresh_from_db()
        data = job.file.read() if job.file else b""
        result = {"job": job, "pdf": data, "names": names, "progress": seen}
    return result


@pytest.fixture(scope="module")
def summary_text(summary):
    """The running text, then each laid-out line (table rows) on its own line."""
    return pdftools.flat(summary["pdf"]) + "\n" + "\n".join(pdftools.lines(summary["pdf"]))


def test_the_job_is_done_with_its_progress_at_100(summary):
    job = summary["job"]
    assert (job.status, job.progress, job.error) == (PdfJob.Status.DONE, 100, "")
    assert job.filename.startswith("Tổng hợp báo cáo - 6 tháng đầu năm 2026 - ")
    assert job.size == len(summary["pdf"]) and summary["pdf"].startswith(b"%PDF-")
    progress = summary["progress"]
    assert progress == sorted(progress) and progress[-1] >= 95


def test_the_summary_runs_over_pages_numbered_from_2_in_the_state_format(summary):
    data = summary["pdf"]
    pdftools.assert_state_format(data)
    pages = int(pdftools.info(data)["Pages"])
    assert pages >= 2
    assert pdftools.page_number_at_top(data, 1) is None
    assert pdftools.page_number_at_top(data, 2) == "2"
    # The list's header row repeats at the top of the following pages, under the number.
    for page in range(2, pages + 1):
        top = pdftools.lines(data, first=page, last=page)[1:3]
        assert "STT Mã Tên trung tâm Nộp lần đầu Tình trạng" in top, top


def test_every_center_is_listed_by_commune_with_its_state(summary, summary_text):
    for name in summary["names"]:
        assert name in summary_text
    lines = pdftools.lines(summary["pdf"])
    assert "Phường Kinh Bắc (18 trung tâm)" in lines and "Phường Võ Cường (18 trung tâm)" in lines
    on_time = (DUE - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    late = (DUE + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert f"1 TH000 Trung tâm Ngoại ngữ Ánh Dương số 00 {on_time} Đúng hạn; bị trả lại, cần sửa" in lines
    assert f"1 TH001 Trung tâm Ngoại ngữ Ánh Dương số 01 {late} Trễ 3 ngày; đã nộp, chờ duyệt" in lines
    assert "2 TH002 Trung tâm Ngoại ngữ Ánh Dương số 02 — Chưa nộp" in lines
    assert sum(line.endswith("Chưa nộp") for line in lines) == CENTERS // 2


@pytest.mark.parametrize("phrase", [
    "UBND TỈNH BẮC NINH",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    state_date("Bắc Ninh", TODAY),
    "BÁO CÁO Tổng hợp tình hình thực hiện chế độ báo cáo hoạt động 6 tháng, kỳ 6 tháng đầu năm 2026",
    "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh tổng hợp tình hình thực hiện của các trung tâm trên địa bàn tỉnh Bắc Ninh",
    f"Tổng số trung tâm phải báo cáo: {CENTERS}. Đã nộp: 18 (tỷ lệ 50,0%), trong đó nộp đúng hạn: 12 "
    "(tỷ lệ 33,3%), nộp trễ hạn: 6 (tỷ lệ 16,7%). Chưa nộp: 18 (tỷ lệ 50,0%). Báo cáo đang bị trả lại để sửa: 1.",
    "Trung tâm ngoại ngữ 36 12 6 18 1 50,0 33,3",
    "Phường Kinh Bắc 18 6 0 12 1 33,3 33,3",
    "Tổng cộng 36 12 6 18 1 50,0 33,3",
    "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh",
    "Nơi nhận: - Như trên; - Lưu: VT.",
    "GIÁM ĐỐC",
])
def test_the_summary_reads_as_a_department_report(summary_text, phrase):
    assert phrase in summary_text


def test_the_number_is_left_for_the_clerk(summary):
    assert pdftools.number_of(summary["pdf"]) == "/BC-SGDĐT"


# Asking for it, following it, downloading it


@pytest.fixture
def small_period(province, commune, other_commune, department_user):
    period, _names = _owing_period(province, [commune, other_commune], department_user, 4)
    return period


def _start(client, period, **extra):
    return client.post(reverse("documents:pdf_job_create"),
                       {"kind": "reports.completeness_summary", "period": period.pk, **extra})


def test_staff_start_the_summary_and_download_it(client, department_user, small_period,
                                                 django_capture_on_commit_callbacks):
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, small_period)
    job = PdfJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("documents:pdf_job_status", args=[job.pk])
    assert (job.status, job.progress, job.created_by, job.province) == (
        PdfJob.Status.DONE, 100, department_user, department_user.province)
    page = client.get(response.url)
    assert reverse("documents:pdf_job_download", args=[job.pk]) in page.content.decode()
    poll = client.get(response.url, headers={"HX-Request": "true"})
    assert poll.status_code == 286  # htmx: finished, stop polling
    download = client.get(reverse("documents:pdf_job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="tong-hop-bao-cao-6-thang-dau-nam-2026-')
    content = b"".join(download.streaming_content)
    assert "Tổng số trung tâm phải báo cáo: 4." in pdftools.flat(content)


def test_the_dashboard_offers_the_summary(client, inspector, small_period):
    client.force_login(inspector)
    page = client.get(reverse("reports:dashboard"), {"period": small_period.pk}).content.decode()
    assert reverse("documents:pdf_job_create") in page and 'value="reports.completeness_summary"' in page


def test_a_local_officer_gets_the_summary_of_their_commune_only(client, local_officer, small_period,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(local_officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert _start(client, small_period).status_code == 302
    job = PdfJob.objects.get()
    content = job.file.read()
    text = pdftools.flat(content)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG KINH BẮC" in text
    assert pdftools.number_of(content) == "/BC-UBND"
    assert "Kinh Bắc, ngày" in text
    assert "Tổng số trung tâm phải báo cáo: 2." in text
    assert "Phường Võ Cường" not in text


def test_a_director_may_not_ask_for_the_summary(client, director, small_period):
    client.force_login(director)
    assert _start(client, small_period).status_code == 403
    assert not PdfJob.objects.exists()


def test_another_provinces_period_does_not_exist(client, foreign_department_user, small_period):
    client.force_login(foreign_department_user)
    assert _start(client, small_period).status_code == 404
    assert not PdfJob.objects.exists()


@pytest.mark.parametrize("data", [{"kind": "reports.completeness_summary", "period": "x"},
                                  {"kind": "no.such.kind", "period": "1"}, {}])
def test_a_bad_request_is_a_404(client, department_user, data):
    client.force_login(department_user)
    assert client.post(reverse("documents:pdf_job_create"), data).status_code == 404


def test_starting_needs_a_post_and_a_login(client, department_user, small_period):
    response = _start(client, small_period)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(department_user)
    assert client.get(reverse("documents:pdf_job_create")).status_code == 405


@pytest.mark.parametrize(("user_key", "expected"), [
    ("department_user", 200),      # the creator
    ("colleague", 200),            # department staff of the same province
    ("inspector", 404),
    ("local_officer", 404),
    ("director", 404),
    ("foreign_department_user", 404),
])
def test_a_finished_file_is_downloaded_by_its_creator_and_their_department_only(
    client, request, department_user, province, small_period, user_key, expected, django_capture_on_commit_callbacks,
):
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, small_period)
    job = PdfJob.objects.get()
    if user_key == "colleague":
        user = make_user(User.Role.DEPARTMENT, province=province, username="sogd2")
    else:
        user = request.getfixturevalue(user_key)
    client.force_login(user)
    assert client.get(reverse("documents:pdf_job_download", args=[job.pk])).status_code == expected
    assert client.get(reverse("documents:pdf_job_status", args=[job.pk])).status_code == expected
