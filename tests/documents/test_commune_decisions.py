"""All the decisions of a commune in one PDF (a Celery job): one decision per document,
each numbered on its own, and who may ask for it."""

import datetime

import pytest
from django.urls import reverse

from centers.choices import DocumentKind
from documents.models import PdfJob
from tests.documents import pdftools
from tests.factories import CenterFactory, DocumentFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def decisions(center, commune, other_center):
    """`center` already holds 12/QĐ-SGDĐT; two more centers of Kinh Bắc, one with two
    decisions and a suspension (not a decision to print); `other_center` is in Võ Cường."""
    second = CenterFactory(commune=commune, name="Trung tâm Tin học Bình Minh", kind="it")
    third = CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Cầu Vồng")
    DocumentFactory(center=second, kind=DocumentKind.OPERATION, number="31/QĐ-SGDĐT", signed_on=D(2025, 1, 6))
    DocumentFactory(center=second, kind=DocumentKind.ESTABLISHMENT, number="30/QĐ-SGDĐT", signed_on=D(2024, 12, 2))
    DocumentFactory(center=third, kind=DocumentKind.SUSPENSION, number="40/QĐ-SGDĐT", signed_on=D(2026, 5, 4))
    DocumentFactory(center=other_center, number="50/QĐ-SGDĐT")
    return ["12/QĐ-SGDĐT", "30/QĐ-SGDĐT", "31/QĐ-SGDĐT"]


def _start(client, commune):
    data = {"kind": "centers.commune_decisions", "commune": commune.pk}
    return client.post(reverse("documents:pdf_job_create"), data)


@pytest.mark.parametrize("user_key", ["department_user", "local_officer"])
def test_the_file_holds_every_decision_of_the_commune(client, request, commune, decisions, user_key,
                                                       django_capture_on_commit_callbacks):
    client.force_login(request.getfixturevalue(user_key))
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, commune)
    job = PdfJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.progress, job.params) == (PdfJob.Status.DONE, 100, {"commune": commune.pk})
    data = job.file.read()
    assert pdftools.info(data)["Pages"] == str(len(decisions))
    numbers = [pdftools.number_of_page(data, page) for page in range(1, len(decisions) + 1)]
    # By center name (Đông Á before Tin học Bình Minh... as the registry sorts), then date.
    assert sorted(numbers) == sorted(decisions)
    assert numbers.index("30/QĐ-SGDĐT") + 1 == numbers.index("31/QĐ-SGDĐT")
    for page in range(1, len(decisions) + 1):
        assert pdftools.page_number_at_top(data, page) is None  # each decision starts at its own page 1
    pdftools.assert_state_format(data)
    text = pdftools.flat(data)
    assert "40/QĐ-SGDĐT" not in text and "50/QĐ-SGDĐT" not in text


def test_a_commune_without_decisions_fails_with_a_reason(client, department_user, other_commune,
                                                        django_capture_on_commit_callbacks):
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, other_commune)
    job = PdfJob.objects.get()
    assert job.status == PdfJob.Status.FAILED
    assert job.error == "Phường Võ Cường chưa có quyết định cho phép thành lập, hoạt động nào trong sổ đăng ký."
    assert not job.file
    page = client.get(reverse("documents:pdf_job_status", args=[job.pk])).content.decode()
    assert job.error in page


@pytest.mark.parametrize(("user_key", "expected"), [
    ("inspector", 403), ("director", 403), ("other_local_officer", 404), ("foreign_department_user", 404),
])
def test_others_may_not_ask_for_the_file(client, request, commune, decisions, user_key, expected):
    client.force_login(request.getfixturevalue(user_key))
    assert _start(client, commune).status_code == expected
    assert not PdfJob.objects.exists()


@pytest.mark.parametrize(("user_key", "expected"), [
    ("department_user", 200), ("local_officer", 200), ("inspector", 403), ("director", 403),
    ("other_local_officer", 404), ("foreign_department_user", 404),
])
def test_the_page_that_offers_the_file(client, request, commune, decisions, user_key, expected):
    client.force_login(request.getfixturevalue(user_key))
    response = client.get(reverse("centers:commune_decisions_pdf"), {"commune": commune.pk})
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "Phường Kinh Bắc: 3 quyết định." in page
        assert 'value="centers.commune_decisions"' in page


def test_the_registry_filtered_by_one_commune_links_to_its_file(client, department_user, inspector, commune, decisions):
    url = reverse("centers:commune_decisions_pdf") + f"?commune={commune.pk}"
    client.force_login(department_user)
    assert url in client.get(reverse("centers:center_list"), {"commune": commune.pk}).content.decode()
    assert url not in client.get(reverse("centers:center_list")).content.decode()
    client.force_login(inspector)
    assert url not in client.get(reverse("centers:center_list"), {"commune": commune.pk}).content.decode()
