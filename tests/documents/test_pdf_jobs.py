"""The PDF job's life: claimed once, failures in words, a broker that is down, purging
old files, and the registry that other apps fill."""

import datetime
import os

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone

from documents import registry
from documents.models import PdfJob
from documents.registry import PdfBuildError, Prepared
from documents.services import PDF_JOB_KEEP_DAYS, pdf_job_run, pdf_job_start
from documents.tasks import pdf_job_purge_task, pdf_job_run_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_kind():
    """A kind registered for these tests only; `behaviour` says what its builder does."""
    behaviour = {"build": lambda job, user, progress: ("Tệp thử.pdf", b"%PDF-1.7 test")}

    def prepare(user, data):
        if data.get("deny"):
            raise PermissionDenied
        return Prepared(params={"n": int(data.get("n", 1))}, title="Tệp thử")

    registry.register("tests.sample", prepare=prepare, build=lambda *args: behaviour["build"](*args))
    yield behaviour
    registry._kinds.pop("tests.sample", None)


def test_the_apps_register_their_pdfs():
    assert {"centers.commune_decisions", "reports.completeness_summary"} <= set(registry.names())


def test_a_job_is_queued_after_commit_and_run_once(department_user, test_kind, django_capture_on_commit_callbacks):
    calls = []
    test_kind["build"] = lambda job, user, progress: (calls.append(user), progress(50, "nửa đường"),
                                                      ("Tệp thử.pdf", b"%PDF-1.7 test"))[-1]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = pdf_job_start(kind="tests.sample", data={"n": "3"}, by=department_user)
    assert job.status == PdfJob.Status.PENDING and len(callbacks) == 1
    callbacks[0]()  # commit: the eager task runs
    job.refresh_from_db()
    assert (job.status, job.params, job.filename, job.size, job.progress) == (
        PdfJob.Status.DONE, {"n": 3}, "Tệp thử.pdf", 13, 100)
    assert job.file.name.startswith("pdf/") and job.file.name.endswith(".pdf")
    assert "Tệp" not in job.file.name  # a random name on disk
    assert job.file.read() == b"%PDF-1.7 test"
    pdf_job_run_task.delay(job.pk)  # a redelivered message finds it taken
    assert calls == [department_user]


def test_the_kinds_prepare_decides_who_may_ask(department_user, test_kind):
    with pytest.raises(PermissionDenied):
        pdf_job_start(kind="tests.sample", data={"deny": "1"}, by=department_user)
    assert not PdfJob.objects.exists()


def test_a_builders_error_in_words_is_shown_and_a_crash_is_not(department_user, test_kind):
    def refuse(job, user, progress):
        raise PdfBuildError("Không có gì để in.")

    test_kind["build"] = refuse
    job = pdf_job_start(kind="tests.sample", data={}, by=department_user)
    pdf_job_run(job=job)
    job.refresh_from_db()
    assert (job.status, job.error) == (PdfJob.Status.FAILED, "Không có gì để in.")

    def crash(job, user, progress):
        raise ZeroDivisionError("secret detail")

    test_kind["build"] = crash
    job = pdf_job_start(kind="tests.sample", data={}, by=department_user)
    pdf_job_run(job=job)
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED
    assert "secret" not in job.error and "Lỗi hệ thống" in job.error


def test_a_broker_that_cannot_be_reached_fails_the_job_at_once(department_user, test_kind, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise ConnectionError("Redis down")

    monkeypatch.setattr(pdf_job_run_task, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = pdf_job_start(kind="tests.sample", data={}, by=department_user)
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and "hàng đợi" in job.error


def test_a_kind_no_longer_registered_fails(department_user):
    job = PdfJob.objects.create(kind="gone.kind", title="Cũ", created_by=department_user)
    pdf_job_run(job=job)
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and job.error == "Loại văn bản này không còn được hỗ trợ."


def test_old_files_are_purged_and_stuck_jobs_failed(department_user):
    now = timezone.now()
    old = PdfJob.objects.create(kind="x", title="Cũ", created_by=department_user, status=PdfJob.Status.DONE,
                                finished_at=now - datetime.timedelta(days=PDF_JOB_KEEP_DAYS + 1))
    old.file.save("a.pdf", ContentFile(b"%PDF old"))
    recent = PdfJob.objects.create(kind="x", title="Mới", created_by=department_user, status=PdfJob.Status.DONE,
                                   finished_at=now - datetime.timedelta(days=1))
    recent.file.save("b.pdf", ContentFile(b"%PDF new"))
    stuck = PdfJob.objects.create(kind="x", title="Treo", created_by=department_user, status=PdfJob.Status.RUNNING)
    PdfJob.objects.filter(pk=stuck.pk).update(created_at=now - datetime.timedelta(days=1))
    old_path = old.file.path

    assert pdf_job_purge_task.delay().get() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    stuck.refresh_from_db()
    assert not old.file and not os.path.exists(old_path)
    assert recent.file.read() == b"%PDF new"
    assert stuck.status == PdfJob.Status.FAILED and stuck.error
