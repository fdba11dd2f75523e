"""Liveness of the processes behind the web: beat, the worker of each queue, the jobs.

Beat sends a tick task to each queue every minute (CELERY_BEAT_SCHEDULE). When beat
publishes it, it stamps "beat" (edu_portal.celery_app); when a worker runs it, it stamps
that queue's worker. The stamps are Redis keys holding Redis's own clock, so that web,
worker and beat machines whose clocks differ still agree on ages. /healthz reads them with
the queue lengths (messages waiting) and the jobs' figures (edu_portal.jobs).
"""

from __future__ import annotations

import logging

from django.conf import settings

from .jobs import LONG_QUEUE, queue_keys, queue_names

logger = logging.getLogger(__name__)

KEY_PREFIX = "edu_portal:health:"
# A stamp nobody refreshes for a week says nothing useful any more.
STAMP_TTL = 7 * 24 * 3600


def redis_client():
    """A client for REDIS_URL that gives up within a second (the health check must answer
    quickly whatever Redis does)."""
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def _now(client) -> float:
    seconds, micro = client.time()
    return seconds + micro / 1e6


def stamp(name: str) -> None:
    """Record that `name` ("beat", "worker:<queue>") was alive just now. Never raises: a
    missing stamp is what the health check reports."""
    if not settings.REDIS_URL:
        return
    try:
        client = redis_client()
        client.set(KEY_PREFIX + name, repr(_now(client)), ex=STAMP_TTL)
    except Exception:  # noqa: BLE001 - Redis down: the stamp is missed, the check says so
        logger.warning("Could not record the health stamp %s", name, exc_info=True)


def redis_report(client) -> dict:
    """Ages (seconds, None when never seen) of beat's last tick and of each queue's worker,
    and each queue's length (messages waiting), read from Redis."""
    queues = queue_names()
    names = ["beat", *(f"worker:{queue}" for queue in queues)]
    now = _now(client)
    values = client.mget([KEY_PREFIX + name for name in names])
    # MGET answers one value per key asked, so the lengths always match.
    ages = {name: (None if raw is None else max(0, round(now - float(raw))))
            for name, raw in zip(names, values, strict=True)}
    return {
        "beat": {"last_tick_seconds_ago": ages["beat"]},
        "workers": {
            queue: {
                "last_seen_seconds_ago": ages[f"worker:{queue}"],
                "queued": sum(client.llen(key) for key in queue_keys(queue)),
            }
            for queue in queues
        },
    }


def judge(report: dict, *, running_alive: bool) -> list[str]:
    """What is wrong, for ?strict=1: beat or a queue's worker silent for longer than
    HEALTH_STALE_SECONDS (the long queue's worker may be silent while it runs a job that
    keeps its heartbeat), or a job past its lease (its worker died; the check will act)."""
    limit = settings.HEALTH_STALE_SECONDS

    def stale(age) -> bool:
        return age is None or age > limit

    problems = []
    if report.get("database") != "up":
        problems.append("database")
    if report.get("redis") == "up":
        if stale(report["beat"]["last_tick_seconds_ago"]):
            problems.append("beat")
        for queue, figures in report["workers"].items():
            if stale(figures["last_seen_seconds_ago"]) and not (queue == LONG_QUEUE and running_alive):
                problems.append(f"worker:{queue}")
    elif report.get("redis") != "not configured":  # not configured: tasks run in the web process
        problems.append("redis")
    jobs = report.get("jobs")
    if isinstance(jobs, dict) and jobs.get("stalled"):
        problems.append("jobs")
    return problems
