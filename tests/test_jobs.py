"""Background jobs that survive a dead worker (edu_portal.jobs): the lease check queues
again, or fails in words, an import or a PDF job whose run died or whose message the broker
lost; a run that lost its job writes nothing; queuing fails fast when the broker is down.
Eager Celery: a job queued again runs at once, inside the check. The real worker, killed
and restarted, is in tests/test_jobs_worker.py."""

import contextlib
import datetime
import json
import os
import time

import pytest
from kombu.transport.redis import Channel
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from centers import imports
from centers.imports import center_import_confirm, center_import_run, center_import_start, center_imports_recover
from centers.models import Center, CenterImport, Director, LicenceDocument
from centers.tasks import center_import_run_task, center_imports_check_task
from documents import registry
from documents.models import PdfJob
from documents.registry import Prepared
from documents.services import pdf_job_run, pdf_job_start, pdf_jobs_recover
from documents.tasks import pdf_job_run_task, pdf_jobs_check_task
from edu_portal import jobs
from edu_portal.celery_app import app
from tests.centers.test_import import make_row, upload, xlsx

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def rows(count: int, prefix: str = "JB") -> bytes:
    return xlsx([make_row(code=f"{prefix}{n:04d}", licence_number=f"{n}/QĐ-SGDĐT") for n in range(count)])


def queued_import(user, data: bytes) -> CenterImport:
    """A large import confirmed after its preview, waiting for the worker: the preview was
    the job's first attempt, the import is its second. Its message is never delivered (the
    test's transaction does not commit), as if it waited in the broker."""
    center_import = center_import_start(data=data, filename="trung-tam.xlsx", by=user, total_rows=2)
    center_import_run(center_import=center_import, heartbeat=False)  # the preview, as the worker makes it
    center_import.refresh_from_db()
    assert center_import.awaits_confirmation, center_import.errors
    center_import = center_import_confirm(center_import=center_import, valid_only=False)
    assert (center_import.status, center_import.stage, center_import.attempts) == (
        CenterImport.Status.PENDING, CenterImport.Stage.IMPORT, 2)
    return center_import


@pytest.fixture(autouse=True)
def _large_files_go_to_the_worker(settings):
    settings.IMPORT_ASYNC_ROWS = 1


@pytest.fixture
def no_queueing(monkeypatch):
    """Messages sent by the check go to the broker, and nothing delivers them: the test
    runs the job itself when it wants to."""
    sent = []
    monkeypatch.setattr(center_import_run_task, "apply_async", lambda args, **kw: sent.append((args, kw)))
    monkeypatch.setattr(pdf_job_run_task, "apply_async", lambda args, **kw: sent.append((args, kw)))
    return sent


def stall(model, pk: int, *, seconds_ago: float) -> None:
    """The run's last heartbeat was that long ago: its worker died then."""
    model.objects.filter(pk=pk).update(
        status=model.Status.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


@pytest.fixture
def sample_kind():
    """A PDF kind for these tests only; `build` says what its builder does."""
    behaviour = {"build": lambda job, user, progress: ("Tệp thử.pdf", b"%PDF-1.7 test")}

    def prepare(user, data):
        if data.get("deny"):
            raise PermissionDenied
        return Prepared(params={}, title="Tệp thử")

    registry.register("tests.jobs", prepare=prepare, build=lambda *args: behaviour["build"](*args))
    yield behaviour
    registry._kinds.pop("tests.jobs", None)


# How the queues are set up


def test_long_jobs_have_their_own_queue_and_are_acknowledged_when_they_end(settings):
    assert app.amqp.router.route({}, "centers.tasks.center_import_run_task")["queue"].name == "long"
    assert app.amqp.router.route({}, "documents.tasks.pdf_job_run_task")["queue"].name == "long"
    assert app.amqp.router.route({}, "reports.tasks.reminders_send_task")["queue"].name == "celery"
    assert set(app.conf.task_queues) == {"celery", "long"}  # a worker without -Q takes both
    for task in (center_import_run_task, pdf_job_run_task):
        assert task.acks_late and task.reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def test_there_is_no_result_backend_and_redelivery_waits_longer_than_any_task_may_run():
    assert app.conf.result_backend is None and app.conf.task_ignore_result
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_beat_runs_the_checks_and_ticks_every_minute(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["centers.tasks.center_imports_check_task"]["schedule"] == settings.JOB_CHECK_SECONDS == 60
    assert schedule["documents.tasks.pdf_jobs_check_task"]["schedule"] == 60
    ticks = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "edu_portal.tick"]
    assert sorted(e["options"]["queue"] for e in ticks) == ["celery", "long"]


# Imports


def test_an_import_whose_worker_died_is_run_again_from_the_start_once(department_user, commune, settings,
                                                                      no_queueing):
    center_import = queued_import(department_user, rows(3))
    assert center_import.queued_at is not None
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    CenterImport.objects.filter(pk=center_import.pk).update(processed_rows=2)

    result = center_imports_recover()
    assert result.requeued == [center_import.pk]
    center_import.refresh_from_db()
    assert (center_import.status, center_import.attempts, center_import.processed_rows) == (
        CenterImport.Status.PENDING, 3, 0)
    assert center_import.attempt_number == 2 and center_import.is_retry
    assert no_queueing[-1][1]["task_id"] == f"job:centers.centerimport:{center_import.pk}:3"

    center_import_run(center_import=center_import, heartbeat=False)  # the new message arrives
    center_import.refresh_from_db()
    assert (center_import.status, center_import.created, center_import.attempts) == (CenterImport.Status.DONE, 3, 3)
    assert Center.objects.count() == LicenceDocument.objects.count() == Director.objects.count() == 3
    # The first message, delivered again later, finds the import done.
    center_import_run(center_import=center_import, heartbeat=False)
    assert Center.objects.count() == 3 and Center.history.count() == 3


def test_a_live_run_is_left_alone(department_user, commune, settings, no_queueing):
    center_import = queued_import(department_user, rows(2))
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS - 30)
    assert center_imports_recover().requeued == []
    center_import.refresh_from_db()
    assert (center_import.status, center_import.attempts) == (CenterImport.Status.RUNNING, 2)


def take_over(pk: int) -> None:
    """What the check does to a run it believes dead: the job goes to the next attempt."""
    CenterImport.objects.filter(pk=pk).update(status=CenterImport.Status.PENDING, attempts=F("attempts") + 1)


def test_a_run_that_lost_its_import_to_another_attempt_writes_nothing(department_user, commune, no_queueing,
                                                                      monkeypatch):
    center_import = queued_import(department_user, rows(5))
    plan = imports._plan

    def slow_plan(*args, **kwargs):
        # While this run checks the rows, the check decides it is dead and queues attempt 3.
        take_over(center_import.pk)
        return plan(*args, **kwargs)

    monkeypatch.setattr(imports, "_plan", slow_plan)
    center_import_run(center_import=center_import, heartbeat=False)
    assert not Center.objects.exists() and not Center.history.exists()
    center_import.refresh_from_db()
    assert (center_import.status, center_import.attempts, center_import.errors) == (
        CenterImport.Status.PENDING, 3, [])

    monkeypatch.setattr(imports, "_plan", plan)
    center_import_run(center_import=center_import, heartbeat=False)  # attempt 3 runs
    center_import.refresh_from_db()
    assert (center_import.status, center_import.created) == (CenterImport.Status.DONE, 5)
    assert Center.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_written_by_a_run_that_lost_its_import_are_rolled_back(department_user, commune, no_queueing,
                                                                    monkeypatch):
    import threading

    from django.db import connections

    center_import = queued_import(department_user, rows(5))
    write = imports._write

    def write_then_lose(*args, **kwargs):
        write(*args, **kwargs)

        # The check runs elsewhere (its own connection) while this run's rows are not yet
        # committed.
        def check():
            take_over(center_import.pk)
            connections.close_all()

        thread = threading.Thread(target=check)
        thread.start()
        thread.join()

    monkeypatch.setattr(imports, "_write", write_then_lose)
    center_import_run(center_import=center_import, heartbeat=False)
    assert not Center.objects.exists() and not Center.history.exists()
    center_import.refresh_from_db()
    assert (center_import.status, center_import.attempts) == (CenterImport.Status.PENDING, 3)


def test_an_import_interrupted_too_often_fails_with_a_message_and_its_page_stops_polling(
    client, department_user, commune, settings, no_queueing,
):
    center_import = queued_import(department_user, rows(2))
    # Its third try of the import stage (the preview was attempt 1).
    CenterImport.objects.filter(pk=center_import.pk).update(attempts=1 + settings.JOB_MAX_ATTEMPTS)
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    sent = len(no_queueing)

    assert center_imports_check_task.delay().get() == {"requeued": [], "failed": [center_import.pk], "unsent": []}
    assert len(no_queueing) == sent
    center_import.refresh_from_db()
    assert center_import.status == CenterImport.Status.FAILED and center_import.finished_at
    client.force_login(department_user)
    response = client.get(reverse("centers:center_import_status", args=[center_import.pk]), **HX)
    assert response.status_code == 286  # htmx stops polling
    text = response.content.decode()
    assert "Việc nhập bị gián đoạn 3 lần" in text and "Chưa có gì được ghi vào sổ đăng ký" in text
    assert not Center.objects.exists()


def test_an_import_confirmed_after_its_preview_has_a_full_retry_budget(department_user, commune, settings,
                                                                       no_queueing):
    center_import = queued_import(department_user, rows(2))  # attempt 2, its import's first try
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    assert center_imports_recover().requeued == [center_import.pk]  # second try
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    assert center_imports_recover().requeued == [center_import.pk]  # third try
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    assert center_imports_recover().failed == [center_import.pk]


def test_the_status_page_says_an_import_is_being_redone(client, department_user, commune, no_queueing):
    center_import = queued_import(department_user, rows(2))
    client.force_login(department_user)
    url = reverse("centers:center_import_status", args=[center_import.pk])
    assert "đang nhập lại từ đầu" not in client.get(url, **HX).content.decode()
    CenterImport.objects.filter(pk=center_import.pk).update(attempts=3)
    response = client.get(url, **HX)
    assert response.status_code == 200
    assert "đang nhập lại từ đầu (lần 2/3)" in response.content.decode()


def test_a_pending_import_whose_message_the_broker_lost_is_queued_again(department_user, commune, settings,
                                                                         no_queueing, monkeypatch):
    center_import = queued_import(department_user, rows(2))
    CenterImport.objects.filter(pk=center_import.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=settings.JOB_PENDING_SECONDS + 5))
    label = "centers.centerimport"

    monkeypatch.setattr(jobs, "broker_job_keys", lambda: {(label, center_import.pk)})
    assert center_imports_recover().requeued == []  # its message is still there: it waits its turn
    monkeypatch.setattr(jobs, "broker_job_keys", lambda: None)
    assert center_imports_recover().requeued == []  # the broker cannot be read: nothing is known
    monkeypatch.setattr(jobs, "broker_job_keys", lambda: {(label, center_import.pk + 1)})
    assert center_imports_recover().requeued == [center_import.pk]
    center_import.refresh_from_db()
    assert (center_import.status, center_import.attempts) == (CenterImport.Status.PENDING, 3)
    # Just queued again: not looked at before JOB_PENDING_SECONDS.
    assert center_imports_recover().requeued == []


def test_a_job_queued_again_runs_at_once_with_eager_celery(department_user, commune, settings):
    center_import = queued_import(department_user, rows(2))
    stall(CenterImport, center_import.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 1)
    assert center_imports_recover().requeued == [center_import.pk]
    center_import.refresh_from_db()
    assert (center_import.status, center_import.created, center_import.attempts) == (CenterImport.Status.DONE, 2, 3)


# PDF jobs


def test_a_pdf_job_whose_worker_died_is_rendered_again(department_user, sample_kind, settings, no_queueing):
    job = pdf_job_start(kind="tests.jobs", data={}, by=department_user)
    assert (job.attempts, job.status) == (1, PdfJob.Status.PENDING)
    stall(PdfJob, job.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    PdfJob.objects.filter(pk=job.pk).update(progress=60)

    assert pdf_jobs_recover().requeued == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (PdfJob.Status.PENDING, 2, 0)
    assert "gián đoạn" in job.message
    pdf_job_run(job=job, heartbeat=False)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.read()) == (PdfJob.Status.DONE, 2, b"%PDF-1.7 test")


def test_a_pdf_run_that_lost_its_job_keeps_no_file(department_user, sample_kind, settings, no_queueing):
    job = pdf_job_start(kind="tests.jobs", data={}, by=department_user)

    def build(job, user, progress):
        PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.PENDING, attempts=2)  # the check acted
        return "Tệp thử.pdf", b"%PDF-1.7 late"

    sample_kind["build"] = build
    pdf_job_run(job=job, heartbeat=False)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (PdfJob.Status.PENDING, 2, "")
    folder = settings.MEDIA_ROOT / "pdf"
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))

    def stop_at_progress(job, user, progress):
        PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.PENDING, attempts=3)
        progress(50, "nửa đường")
        raise AssertionError("a run that lost its job goes no further")

    sample_kind["build"] = stop_at_progress
    pdf_job_run(job=job, heartbeat=False)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (PdfJob.Status.PENDING, 3, "")


def test_a_pdf_job_interrupted_too_often_fails_with_a_message_and_its_page_stops_polling(
    client, department_user, sample_kind, settings, no_queueing,
):
    job = pdf_job_start(kind="tests.jobs", data={}, by=department_user)
    PdfJob.objects.filter(pk=job.pk).update(attempts=settings.JOB_MAX_ATTEMPTS)
    stall(PdfJob, job.pk, seconds_ago=settings.JOB_LEASE_SECONDS + 5)
    assert pdf_jobs_check_task.delay().get()["failed"] == [job.pk]
    client.force_login(department_user)
    response = client.get(reverse("documents:pdf_job_status", args=[job.pk]), **HX)
    assert response.status_code == 286
    assert "Việc tạo tệp bị gián đoạn 3 lần" in response.content.decode()


def test_the_purge_does_not_fail_a_job_that_shows_signs_of_life(department_user, sample_kind, no_queueing):
    job = pdf_job_start(kind="tests.jobs", data={}, by=department_user)
    day_ago = timezone.now() - datetime.timedelta(days=1)
    PdfJob.objects.filter(pk=job.pk).update(created_at=day_ago, status=PdfJob.Status.RUNNING,
                                            heartbeat_at=timezone.now())
    from documents.services import pdf_jobs_purge

    pdf_jobs_purge()
    job.refresh_from_db()
    assert job.status == PdfJob.Status.RUNNING
    PdfJob.objects.filter(pk=job.pk).update(heartbeat_at=day_ago, queued_at=day_ago)
    pdf_jobs_purge()
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED


# The broker is down: the request answers at once and says so


@contextlib.contextmanager
def broker_at(url: str):
    """Point the web side's Celery at `url` (a closed port: Redis stopped), eager off."""
    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool, app.conf.task_always_eager
    app.conf.broker_url, app._pool, app.amqp._producer_pool = url, None, None
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool, app.conf.task_always_eager = saved


def test_a_large_import_answers_within_two_seconds_when_redis_is_stopped(
    client, department_user, commune, settings, django_capture_on_commit_callbacks,
):
    settings.IMPORT_ASYNC_ROWS = 10
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(department_user)
    with broker_at("redis://127.0.0.1:1/7"), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = client.post(reverse("centers:center_import"), upload(rows(50)))
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 2, elapsed
    center_import = CenterImport.objects.get()
    assert center_import.status == CenterImport.Status.FAILED
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Không gửi được việc nhập tới hàng đợi xử lý" in text and "Chưa có gì được ghi" in text
    assert 'hx-trigger="every 1s"' not in text  # the page does not poll a failed import
    assert not Center.objects.exists()


def test_a_pdf_request_answers_within_two_seconds_when_redis_is_stopped(
    client, department_user, sample_kind, settings, django_capture_on_commit_callbacks,
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(department_user)
    with broker_at("redis://127.0.0.1:1/7"), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = client.post(reverse("documents:pdf_job_create"), {"kind": "tests.jobs"})
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 2, elapsed
    job = PdfJob.objects.get()
    assert job.status == PdfJob.Status.FAILED and "Không gửi được yêu cầu tới hàng đợi xử lý" in job.error


# The broker's contents, read by the check (Redis)


@pytest.mark.redis
def test_the_check_reads_the_jobs_waiting_in_the_broker(settings):
    queue = f"test-jobs-{os.getpid()}"
    client = jobs.broker_client()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        center_import_run_task.apply_async((987654,), task_id=jobs.task_id(CenterImport, 987654, 1), queue=queue)
        assert ("centers.centerimport", 987654) in jobs.broker_job_keys([queue])
        client.delete(*jobs.queue_keys(queue))
        assert ("centers.centerimport", 987654) not in jobs.broker_job_keys([queue])

        # Delivered to a worker and not yet acknowledged: held while recent, lost when the
        # worker it went to never started it.
        payload = {"headers": {"id": jobs.task_id(PdfJob, 987655, 2)}, "body": ""}
        seconds, micro = client.time()
        tag = f"test-tag-{os.getpid()}"
        client.hset(Channel.unacked_key, tag, json.dumps([payload, "", queue]))
        client.zadd(Channel.unacked_index_key, {tag: seconds + micro / 1e6 - 5})
        assert ("documents.pdfjob", 987655) in jobs.broker_job_keys([queue], delivered_within=60)
        assert ("documents.pdfjob", 987655) not in jobs.broker_job_keys([queue], delivered_within=1)
    finally:
        app.conf.task_always_eager = saved
        client.delete(*jobs.queue_keys(queue))
        client.hdel(Channel.unacked_key, f"test-tag-{os.getpid()}")
        client.zrem(Channel.unacked_index_key, f"test-tag-{os.getpid()}")
