"""Background jobs that survive a dead worker or a broker that lost its data: leases,
heartbeats, fencing and the periodic check that takes stalled jobs up again.

A job is a row (centers.CenterImport, documents.PdfJob) whose status a Celery task moves
from pending to running to done or failed; the status page polls the row. A worker can die
in the middle (SIGKILL, its pool child killed by the OOM killer, a power cut) and Redis can
lose the queued messages; either way the row alone would stay "running" or "pending"
forever. So each row carries (BackgroundJob):

- `attempts`: how many times the job was handed to the broker (the first queueing is 1).
  It is also the fencing token of a run: a run claims the job for the attempt it finds
  (job_claim), and every later write of that run (progress, heartbeat, outcome) only
  applies while the job is still running *for that attempt* (job_update). Once the check
  has handed the job to a new attempt or failed it, a run that was slow rather than dead
  writes nothing: its outcome never lands over the new run's.
- `queued_at`: when it was last handed to the broker.
- `heartbeat_at`: the run's last sign of life, stamped when it claims the job, at every
  progress update and every JOB_HEARTBEAT_SECONDS by a thread of the worker (Heartbeat),
  so a long step without progress (WeasyPrint laying out pages, the import's single write
  transaction) does not look dead.

Both times are the database's clock (Now()), as is the check's "now": web, worker and
beat may run on machines whose clocks differ.

The check (jobs_recover, run by beat every JOB_CHECK_SECONDS in each app's task):

- a running job whose heartbeat is older than JOB_LEASE_SECONDS lost its worker;
- a pending job queued more than JOB_PENDING_SECONDS ago whose message the broker no longer
  holds (neither waiting in a queue nor lately delivered to a worker) was lost with it;

either is queued again as the next attempt, or failed with its kind's message once it has
had JOB_MAX_ATTEMPTS (a job that kills its worker, by memory say, must not do so forever).
Queuing again is safe because each kind is written to be redone: an import writes its rows
in one transaction together with its "done" (a run killed before the commit wrote nothing),
a PDF is only stored once its run still holds the job.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The job tables the check and /healthz look at.
JOB_MODELS = ("centers.CenterImport", "documents.PdfJob")
# The queue of the long jobs (settings.CELERY_TASK_ROUTES); everything else uses the
# default queue, so a reminder never waits behind a PDF.
LONG_QUEUE = "long"


class JobLost(Exception):
    """The run no longer holds its job: the check gave it to another attempt or failed it."""


class BackgroundJob(models.Model):
    """The lease fields of a job row; the model defines `Status` with PENDING, RUNNING,
    DONE and FAILED, and `status`, `finished_at`."""

    attempts = models.PositiveSmallIntegerField(
        _("số lần gửi xử lý"), default=0,
        help_text=_("Số lần việc này được gửi tới hàng đợi; được gửi lại khi máy xử lý ngừng giữa chừng."),
    )
    queued_at = models.DateTimeField(_("gửi xử lý lúc"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("tín hiệu cuối của máy xử lý"), null=True, blank=True)

    # For a job of several steps, each queued as the job's next attempt (an import's
    # preview, then the import): the field holding the attempt the current step began
    # with. The retry budget and the page's "lần 2/3" count from it; None: from 1.
    first_attempt_field: str | None = None

    class Meta:
        abstract = True

    @property
    def max_attempts(self) -> int:
        return settings.JOB_MAX_ATTEMPTS

    @property
    def attempt_number(self) -> int:
        """Which try of the current step this is (1 the first time)."""
        first = getattr(self, self.first_attempt_field) if self.first_attempt_field else 1
        return self.attempts - first + 1

    @property
    def is_retry(self) -> bool:
        """Queued again after a lost run or a lost message (the page says so)."""
        return self.attempt_number > 1 and not self.is_finished


def seconds_ago(seconds: float) -> ExpressionWrapper:
    """The database's now minus `seconds`."""
    return ExpressionWrapper(
        Now() - Value(datetime.timedelta(seconds=seconds)), output_field=DateTimeField(),
    )


def task_id(model: type[BackgroundJob], pk: int, attempt: int) -> str:
    """The Celery task id of one attempt of a job: the check recognises the job's messages
    in the broker by it."""
    return f"job:{model._meta.label_lower}:{pk}:{attempt}"


def _parse_task_id(value: str) -> tuple[str, int] | None:
    parts = value.split(":")
    if len(parts) == 4 and parts[0] == "job" and parts[2].isdigit():
        return parts[1], int(parts[2])
    return None


# Queueing and running


def job_send(task, model: type[BackgroundJob], pk: int, attempt: int) -> None:
    """Hand one attempt of a job to the broker. Raises when the broker cannot be reached;
    the publish retry policy and connection timeouts (settings) make that quick."""
    task.apply_async((pk,), task_id=task_id(model, pk, attempt))


def job_claim(model: type[BackgroundJob], pk: int, **fields) -> int | None:
    """Take a pending job for a run (writing `fields` with it): the attempt it now runs as
    (its fencing token), or None when it is not pending (done, failed, or already running:
    a duplicate message)."""
    current = model.objects.filter(pk=pk, status=model.Status.PENDING).values_list("attempts", flat=True).first()
    if current is None:
        return None
    # Compare-and-set on the attempt read: a concurrent claim or requeue makes this miss.
    claimed = model.objects.filter(pk=pk, status=model.Status.PENDING, attempts=current).update(
        status=model.Status.RUNNING, heartbeat_at=Now(), **fields,
    )
    return current if claimed else None


def job_update(model: type[BackgroundJob], pk: int, attempt: int, **fields) -> bool:
    """Write fields of a running job if this run still holds it (and stamp its heartbeat).
    False when it does not: the run must stop and write nothing else."""
    fields.setdefault("heartbeat_at", Now())
    return bool(model.objects.filter(pk=pk, status=model.Status.RUNNING, attempts=attempt).update(**fields))


class Heartbeat:
    """While a run lasts, a thread stamps the job's heartbeat every JOB_HEARTBEAT_SECONDS
    (its own database connection, closed when the run ends). `lost` turns true once the job
    is no longer this run's. Off in eager mode: the run is the web request itself."""

    def __init__(self, model: type[BackgroundJob], pk: int, attempt: int, *, enabled: bool = True,
                 interval: float | None = None):
        self.model, self.pk, self.attempt = model, pk, attempt
        self.interval = settings.JOB_HEARTBEAT_SECONDS if interval is None else interval
        self.enabled = enabled and self.interval > 0
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.enabled:
            self._thread = threading.Thread(
                target=self._run, name=f"heartbeat-{self.model._meta.label_lower}-{self.pk}", daemon=True,
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 10)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not job_update(self.model, self.pk, self.attempt):
                        self.lost = True
                        return
                except DatabaseError:
                    # The database restarted, say: try again at the next beat with a new
                    # connection; the lease allows several misses.
                    logger.warning("Heartbeat of %s %s failed", self.model._meta.label, self.pk, exc_info=True)
                    connections["default"].close()
        finally:
            connections.close_all()  # this thread's connections only


# The periodic check


@dataclass
class Recovery:
    """What one check did to a kind of job (ids)."""

    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)


def broker_client():
    """A Redis client for the broker that gives up within a second, or None when the broker
    is not Redis (memory:// while tasks run eagerly)."""
    from edu_portal.celery_app import app

    url = app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def queue_names() -> list[str]:
    """The queues the portal's workers serve (settings.CELERY_TASK_QUEUES)."""
    return list(settings.CELERY_TASK_QUEUES)


def queue_keys(queue: str) -> list[str]:
    """The Redis lists holding a queue's waiting messages: kombu's Redis transport keeps
    one per priority step."""
    from kombu.transport.redis import Channel

    return [f"{queue}{Channel.sep}{step}" if step else queue for step in Channel.priority_steps]


def broker_job_keys(queues: Iterable[str] | None = None, *, delivered_within: float | None = None,
                    ) -> set[tuple[str, int]] | None:
    """The jobs (model label, pk) that the broker holds a message for: waiting in one of
    the queues, or delivered to a worker less than `delivered_within` seconds ago and not
    yet acknowledged (Redis keeps those in kombu's "unacked" hash until the visibility
    timeout; one delivered long ago to a worker that is not running it belonged to a dead
    worker). None when the broker cannot be read (down, or not Redis): then nothing is
    known to be lost."""
    from kombu.transport.redis import Channel

    queues = list(queues or queue_names())
    delivered_within = settings.JOB_PENDING_SECONDS if delivered_within is None else delivered_within
    keys: set[tuple[str, int]] = set()

    def add(raw) -> None:
        try:
            payload = json.loads(raw)
            if isinstance(payload, list):  # unacked: [message, exchange, routing key]
                payload = payload[0]
            key = _parse_task_id(str(payload.get("headers", {}).get("id", "")))
        except (ValueError, TypeError, AttributeError, IndexError):
            return
        if key:
            keys.add(key)

    try:
        client = broker_client()
        if client is None:
            return None
        for queue in queues:
            for name in queue_keys(queue):
                for raw in client.lrange(name, 0, -1):
                    add(raw)
        seconds, micro = client.time()
        recent = client.zrangebyscore(Channel.unacked_index_key, seconds + micro / 1e6 - delivered_within, "+inf")
        if recent:
            for raw in client.hmget(Channel.unacked_key, recent):
                if raw:
                    add(raw)
    except Exception:  # noqa: BLE001 - whatever Redis raises, nothing is known
        logger.warning("Could not read the broker's queues", exc_info=True)
        return None
    return keys


def jobs_recover(
    model: type[BackgroundJob], *, task, requeue_fields: dict, fail_fields: Callable[[int], dict],
) -> Recovery:
    """The periodic check for one kind of job (see the module's docstring). `requeue_fields`
    reset what a new attempt starts from (its progress); `fail_fields(tries)` says why it
    failed, in words for the user (`tries`: of the current step)."""
    Status = model.Status
    result = Recovery()
    first = F(model.first_attempt_field) if model.first_attempt_field else Value(1)
    fields = ("pk", "attempts", "first")
    stalled = list(
        model.objects.filter(status=Status.RUNNING, heartbeat_at__lt=seconds_ago(settings.JOB_LEASE_SECONDS))
        .annotate(first=first).values_list(*fields)
    )
    waiting = list(
        model.objects.filter(status=Status.PENDING, queued_at__lt=seconds_ago(settings.JOB_PENDING_SECONDS))
        .annotate(first=first).values_list(*fields)
    )
    if waiting:
        held = broker_job_keys()
        label = model._meta.label_lower
        # Unknown (broker down): queuing again would fail as well; wait for the next check.
        waiting = [] if held is None else [row for row in waiting if (label, row[0]) not in held]
    for status, candidates in ((Status.RUNNING, stalled), (Status.PENDING, waiting)):
        for pk, attempts, first_attempt in candidates:
            same = model.objects.filter(pk=pk, status=status, attempts=attempts)
            tries = attempts - first_attempt + 1
            if tries >= settings.JOB_MAX_ATTEMPTS:
                if same.update(status=Status.FAILED, finished_at=Now(), **fail_fields(tries)):
                    logger.warning("%s %s failed after %s attempts", model._meta.label, pk, tries)
                    result.failed.append(pk)
                continue
            if not same.update(
                status=Status.PENDING, attempts=F("attempts") + 1, queued_at=Now(), heartbeat_at=None,
                **requeue_fields,
            ):
                continue  # finished, claimed or taken by another check meanwhile
            logger.warning("%s %s queued again (attempt %s, was %s)", model._meta.label, pk, attempts + 1, status)
            try:
                job_send(task, model, pk, attempts + 1)
            except Exception:  # noqa: BLE001 - the broker: the next check finds it missing again
                logger.exception("Could not queue %s %s again", model._meta.label, pk)
                result.unsent.append(pk)
                continue
            result.requeued.append(pk)
    return result


# What /healthz reports


def jobs_overview() -> dict:
    """Pending and running jobs of every kind: counts, the oldest pending one's age (s),
    the running ones whose heartbeat is past the lease (the check will take them up)."""
    from django.db.models import Count, Min, Q
    from django.utils import timezone

    pending = running = stalled = 0
    fresh = False
    oldest = None
    lease_edge = seconds_ago(settings.JOB_LEASE_SECONDS)
    for label in JOB_MODELS:
        model = apps.get_model(label)
        Status = model.Status
        figures = model.objects.filter(status__in=[Status.PENDING, Status.RUNNING]).aggregate(
            pending=Count("pk", filter=Q(status=Status.PENDING)),
            running=Count("pk", filter=Q(status=Status.RUNNING)),
            stalled=Count("pk", filter=Q(status=Status.RUNNING, heartbeat_at__lt=lease_edge)),
            oldest=Min("queued_at", filter=Q(status=Status.PENDING)),
        )
        pending += figures["pending"]
        running += figures["running"]
        stalled += figures["stalled"]
        fresh = fresh or figures["running"] > figures["stalled"]
        if figures["oldest"] and (oldest is None or figures["oldest"] < oldest):
            oldest = figures["oldest"]
    return {
        "pending": pending,
        "running": running,
        "stalled": stalled,
        "oldest_pending_seconds": max(0, round((timezone.now() - oldest).total_seconds())) if oldest else None,
        "_running_alive": fresh,  # a long job's worker is alive though busy (popped by the view)
    }
