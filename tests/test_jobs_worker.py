"""Background jobs against a real Celery worker, Redis and PostgreSQL (CI's second pass):
the worker is SIGKILLed in the middle of a 2,000-row import and of a PDF job, restarted,
and the periodic check (run through the worker, as beat sends it) takes the jobs up
again; jobs queued when Redis lost its data run after the check; the worker keeps its
database connection from task to task; /healthz sees the workers.

The worker runs with a 1-second heartbeat, a 4-second lease and a 2-second pending delay
(tests/conftest.py), so each test takes seconds. To kill the worker at a known point, a
test makes it wait on a lock it holds (pg_stat_activity says when the worker waits), then
kills it. transaction=True: the worker reads committed rows from another process."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

import edu_portal.settings as base_settings
from centers.imports import center_import_confirm, center_import_start
from centers.models import Center, CenterImport, Director, LicenceDocument
from centers.tasks import center_imports_check_task
from documents.models import PdfJob
from documents.services import pdf_job_start
from documents.tasks import pdf_jobs_check_task
from edu_portal import health, jobs
from edu_portal.celery_app import tick_task
from tests.centers.test_import import make_row, xlsx
from tests.factories import CenterFactory
from tests.reports.helpers_review import make_obligation, make_period, make_report_type
from tests.services import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

# As the worker has them (tests/conftest.py).
LEASE, PENDING = 4, 2
# The bound, from the kill to the job finished or failed in words.
RECOVERY_BOUND = 5 * 60


@pytest.fixture(autouse=True)
def _job_settings(settings):
    settings.JOB_LEASE_SECONDS = LEASE
    settings.JOB_PENDING_SECONDS = PENDING
    # The worker writes and reads files under the environment's MEDIA_ROOT, not the test's
    # temporary folder.
    settings.MEDIA_ROOT = base_settings.MEDIA_ROOT


def rows(count: int, prefix: str) -> bytes:
    return xlsx([make_row(code=f"{prefix}{n:04d}", licence_number=f"{n}/QĐ-{prefix}") for n in range(count)])


class HeldLock:
    """A transaction of its own (another thread, another connection) that holds a lock
    until released: `statements` run inside it, then it waits."""

    def __init__(self, *statements):
        self.statements = statements
        self.ready, self.done = threading.Event(), threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            with transaction.atomic():
                for statement in self.statements:
                    statement() if callable(statement) else connection.cursor().execute(statement)
                self.ready.set()
                self.done.wait(120)
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error
            self.ready.set()
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(30) and self.error is None, self.error
        return self

    def __exit__(self, *exc_info):
        self.done.set()
        self.thread.join(30)


def worker_waits_on_lock(query_start: str) -> bool:
    """A backend of another process waits for a lock while running a query that starts so."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock' AND query LIKE %s", [query_start + "%"],
        )
        return cursor.fetchone()[0] > 0


def heartbeat_older_than_lease(model, pk: int) -> bool:
    heartbeat = model.objects.get(pk=pk).heartbeat_at
    return heartbeat is not None and heartbeat < timezone.now() - datetime.timedelta(seconds=LEASE + 0.5)


def finished(model, pk: int) -> bool:
    return model.objects.get(pk=pk).is_finished


def previewed(data: bytes, user, name: str) -> CenterImport:
    """An upload previewed by the worker (the job's first attempt), ready to confirm."""
    center_import = center_import_start(data=data, filename=name, by=user, total_rows=2000)
    assert wait_until(lambda: finished(CenterImport, center_import.pk), timeout=120)
    center_import.refresh_from_db()
    assert center_import.awaits_confirmation, center_import.errors
    return center_import


@pytest.fixture(autouse=True)
def _large_files_go_to_the_worker(settings):
    settings.IMPORT_ASYNC_ROWS = 1


def test_an_import_killed_in_its_write_transaction_is_redone_once(celery_worker_process, department_user, commune):
    center_import = previewed(rows(2000, "KW"), department_user, "2000.xlsx")
    # The last row's code, held by an uncommitted center of our own: the worker's bulk
    # insert writes rows 1 to 1,500 and waits on the unique index at the last batch.
    with HeldLock(lambda: CenterFactory(commune=commune, code="KW1999")):
        center_import = center_import_confirm(center_import=center_import, valid_only=False)  # attempt 2
        assert wait_until(lambda: worker_waits_on_lock('INSERT INTO "centers_center"'), timeout=120)
        # Blocked is not dead: its heartbeat goes on, and the check leaves it alone.
        time.sleep(LEASE + 1)
        assert not heartbeat_older_than_lease(CenterImport, center_import.pk)
        center_imports_check_task.delay()
        time.sleep(2)
        assert CenterImport.objects.get(pk=center_import.pk).attempts == 2

        celery_worker_process.kill()
        killed_at = time.monotonic()
    # Our center is rolled back, the dead worker's 1,500 rows were never committed.
    center_import.refresh_from_db()
    assert (center_import.status, center_import.stage, center_import.attempts) == (
        CenterImport.Status.RUNNING, CenterImport.Stage.IMPORT, 2)
    assert not Center.objects.exists()

    celery_worker_process.start()
    assert wait_until(lambda: heartbeat_older_than_lease(CenterImport, center_import.pk), timeout=30)
    center_imports_check_task.delay()
    assert wait_until(lambda: finished(CenterImport, center_import.pk), timeout=RECOVERY_BOUND)
    recovered_in = time.monotonic() - killed_at

    center_import.refresh_from_db()
    assert (center_import.status, center_import.attempts, center_import.created) == (
        CenterImport.Status.DONE, 3, 2000), center_import.errors
    # Nothing imported twice: one center, one decision, one director and one history row each.
    assert Center.objects.count() == 2000
    assert Center.objects.values("code").distinct().count() == 2000
    assert LicenceDocument.objects.count() == Director.objects.count() == Center.history.count() == 2000
    assert recovered_in < 60, recovered_in
    center_import.file.delete(save=False)


def test_a_pdf_job_killed_while_it_renders_is_rendered_again(celery_worker_process, department_user, commune):
    period = make_period(make_report_type(department_user.province), due_date=datetime.date(2026, 6, 19))
    for n in range(20):
        make_obligation(period, CenterFactory(commune=commune, code=f"PW{n:03d}", name=f"Trung tâm Tin học Hà {n}"))
    # The summary reads the obligations: while we hold the table, the run waits there,
    # claimed and running.
    with HeldLock("LOCK TABLE reports_obligation IN ACCESS EXCLUSIVE MODE"):
        job = pdf_job_start(kind="reports.completeness_summary", data={"period": str(period.pk)}, by=department_user)
        assert wait_until(lambda: worker_waits_on_lock("SELECT"), timeout=120)
        job.refresh_from_db()
        assert (job.status, job.attempts) == (PdfJob.Status.RUNNING, 1)
        celery_worker_process.kill()
        killed_at = time.monotonic()
    job.refresh_from_db()
    assert (job.status, job.file.name) == (PdfJob.Status.RUNNING, "")

    celery_worker_process.start()
    assert wait_until(lambda: heartbeat_older_than_lease(PdfJob, job.pk), timeout=30)
    pdf_jobs_check_task.delay()
    assert wait_until(lambda: finished(PdfJob, job.pk), timeout=RECOVERY_BOUND)
    recovered_in = time.monotonic() - killed_at
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress, job.error) == (PdfJob.Status.DONE, 2, 100, "")
    try:
        assert job.file.read(5) == b"%PDF-"
    finally:
        job.file.delete(save=False)
    assert recovered_in < 60, recovered_in


def test_jobs_lost_with_the_brokers_data_run_after_the_check(celery_worker_process, department_user, commune):
    period = make_period(make_report_type(department_user.province), due_date=datetime.date(2026, 6, 19))
    make_obligation(period, CenterFactory(commune=commune, code="FL000"))
    imports = [previewed(rows(3, f"F{n}"), department_user, f"{n}.xlsx") for n in range(4)]
    celery_worker_process.stop()  # the messages stay in Redis
    try:
        imports = [center_import_confirm(center_import=i, valid_only=False) for i in imports]
        pdfs = [
            pdf_job_start(kind="reports.completeness_summary", data={"period": str(period.pk)}, by=department_user)
            for _ in range(3)
        ]
        held = jobs.broker_job_keys()
        assert {("centers.centerimport", i.pk) for i in imports} <= held
        assert {("documents.pdfjob", p.pk) for p in pdfs} <= held
        jobs.broker_client().flushdb()  # Redis restarted without persistence: 7 of 7 lost
    finally:
        celery_worker_process.start()

    def all_done() -> bool:
        return (CenterImport.objects.filter(status=CenterImport.Status.DONE,
                                            stage=CenterImport.Stage.IMPORT).count() == 4
                and PdfJob.objects.filter(status=PdfJob.Status.DONE).count() == 3)

    # Nothing will ever deliver them...
    assert not wait_until(all_done, timeout=PENDING + 1)
    assert set(CenterImport.objects.values_list("status", flat=True)) == {CenterImport.Status.PENDING}
    # ...until the check, run by the worker as beat sends it, finds their messages gone.
    center_imports_check_task.delay()
    pdf_jobs_check_task.delay()
    assert wait_until(all_done, timeout=120)
    assert set(CenterImport.objects.values_list("attempts", flat=True)) == {3}  # preview, lost import, import
    assert set(PdfJob.objects.values_list("attempts", flat=True)) == {2}
    assert Center.objects.count() == 1 + 4 * 3
    for job in [*CenterImport.objects.all(), *PdfJob.objects.all()]:
        job.file.delete(save=False)


def _worker_connections() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY pid"
        )
        return cursor.fetchall()


def _run_through_the_worker(*tasks) -> None:
    """Queue the tasks, then a tick behind them on the same queue: the one-process worker
    runs them in order, so once the tick's stamp is there, they all ran."""
    client = health.redis_client()
    client.delete(health.KEY_PREFIX + "worker:celery")
    for task in tasks:
        task.delay()
    tick_task.apply_async(("celery",), queue="celery")
    assert wait_until(lambda: client.exists(health.KEY_PREFIX + "worker:celery"), timeout=60)


def test_the_worker_keeps_its_database_connection_between_tasks(celery_worker_process):
    _run_through_the_worker(center_imports_check_task)
    before = _worker_connections()
    assert len(before) == 1, "the worker holds one connection after its task"
    _run_through_the_worker(*[center_imports_check_task, pdf_jobs_check_task] * 10)
    assert _worker_connections() == before, "20 more tasks on the same connection"


def test_healthz_reports_the_workers_of_both_queues_and_beat(celery_worker_process, settings):
    client = health.redis_client()
    for name in ("beat", "worker:celery", "worker:long"):
        client.delete(health.KEY_PREFIX + name)
    web = Client()
    strict = web.get("/healthz?strict=1")
    assert strict.status_code == 503
    assert {"beat", "worker:celery", "worker:long"} <= set(strict.json()["problems"])

    tick_task.apply_async(("celery",), queue="celery")  # as beat sends them
    tick_task.apply_async(("long",), queue="long")
    assert wait_until(lambda: client.exists(health.KEY_PREFIX + "worker:long", health.KEY_PREFIX + "worker:celery")
                      == 2, timeout=60)
    report = web.get("/healthz").json()
    assert report["redis"] == "up"
    assert report["beat"]["last_tick_seconds_ago"] <= 5
    for queue in ("celery", "long"):
        assert report["workers"][queue]["last_seen_seconds_ago"] <= 5
        assert report["workers"][queue]["queued"] == 0
    assert report["jobs"] == {"pending": 0, "running": 0, "stalled": 0, "oldest_pending_seconds": None}
    strict = web.get("/healthz?strict=1")
    assert (strict.status_code, strict.json()["problems"]) == (200, [])
