import datetime
import os
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from documents.models import PdfJob
from edu_portal import health
from edu_portal.celery_app import app, tick_task

pytestmark = pytest.mark.django_db

NO_JOBS = {"pending": 0, "running": 0, "stalled": 0, "oldest_pending_seconds": None}


def test_healthz_is_up_with_redis_not_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "redis": "not configured", "jobs": NO_JOBS}
    assert "no-cache" in response["Cache-Control"]
    # No worker and no beat to wait for: tasks run in the web process.
    strict = client.get("/healthz?strict=1")
    assert (strict.status_code, strict.json()["problems"]) == (200, [])


def test_healthz_needs_no_login(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").status_code == 200


def test_redis_down_is_reported_but_fails_only_the_strict_check(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "redis": "down", "jobs": NO_JOBS}
    strict = client.get("/healthz?strict=1")
    assert (strict.status_code, strict.json()["problems"]) == (503, ["redis"])
    for other in ("0", "yes", "١", "1" * 40):  # anything but exactly 1 is the plain check
        assert client.get(f"/healthz?strict={other}").status_code == 200


def test_database_down_answers_503(client, settings):
    settings.REDIS_URL = ""
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_pending_and_stalled_jobs_are_reported(client, settings, department_user):
    settings.REDIS_URL = ""
    now = timezone.now()
    PdfJob.objects.create(kind="x", title="Chờ", created_by=department_user, attempts=1,
                          queued_at=now - datetime.timedelta(minutes=10))
    PdfJob.objects.create(kind="x", title="Đang chạy", created_by=department_user, attempts=1, queued_at=now,
                          status=PdfJob.Status.RUNNING, heartbeat_at=now)
    stalled = PdfJob.objects.create(kind="x", title="Treo", created_by=department_user, attempts=1, queued_at=now,
                                    status=PdfJob.Status.RUNNING,
                                    heartbeat_at=now - datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS + 5))
    response = client.get("/healthz")
    assert response.status_code == 200
    jobs = response.json()["jobs"]
    assert (jobs["pending"], jobs["running"], jobs["stalled"]) == (1, 2, 1)
    assert 595 <= jobs["oldest_pending_seconds"] <= 660
    strict = client.get("/healthz?strict=1")
    assert (strict.status_code, strict.json()["problems"]) == (503, ["jobs"])
    PdfJob.objects.filter(pk=stalled.pk).update(heartbeat_at=now)
    assert client.get("/healthz?strict=1").status_code == 200


# Against the real Redis


@pytest.fixture
def redis_stamps(settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    client = health.redis_client()
    names = [health.KEY_PREFIX + name for name in ("beat", "worker:celery", "worker:long")]
    client.delete(*names)
    yield client
    client.delete(*names)


@pytest.mark.redis
def test_redis_up_against_the_real_server(client, redis_stamps):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert (report["database"], report["redis"]) == ("up", "up")
    assert report["beat"] == {"last_tick_seconds_ago": None}
    assert report["workers"]["celery"]["last_seen_seconds_ago"] is None
    assert set(report["workers"]) == {"celery", "long"}


@pytest.mark.redis
def test_beat_and_the_workers_are_judged_by_their_ticks(client, redis_stamps, settings, department_user):
    strict = client.get("/healthz?strict=1")
    assert strict.status_code == 503
    assert strict.json()["problems"] == ["beat", "worker:celery", "worker:long"]

    # Beat publishing its tick stamps beat; a worker running it stamps its queue.
    queue = f"test-tick-{os.getpid()}"
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        tick_task.apply_async(("celery",), queue=queue)
    finally:
        app.conf.task_always_eager = saved
        redis_stamps.delete(queue)
    tick_task("celery")
    report = client.get("/healthz?strict=1").json()
    assert report["beat"]["last_tick_seconds_ago"] <= 2
    assert report["workers"]["celery"]["last_seen_seconds_ago"] <= 2
    assert report["problems"] == ["worker:long"]

    # The long queue's worker is busy with a job that keeps its heartbeat: alive.
    now = timezone.now()
    job = PdfJob.objects.create(kind="x", title="Dài", created_by=department_user, attempts=1, queued_at=now,
                                status=PdfJob.Status.RUNNING, heartbeat_at=now)
    assert client.get("/healthz?strict=1").status_code == 200
    # A stamp older than HEALTH_STALE_SECONDS is silence.
    seconds, micro = redis_stamps.time()
    redis_stamps.set(health.KEY_PREFIX + "beat", repr(seconds - settings.HEALTH_STALE_SECONDS - 10))
    assert client.get("/healthz?strict=1").json()["problems"] == ["beat"]
    job.delete()
