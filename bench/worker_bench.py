#!/usr/bin/env python
"""Tasks per second of a real Celery worker whose tasks each run a few small queries, with
the database connection kept from task to task (the portal's settings: CONN_MAX_AGE,
CELERY_DB_REUSE_MAX, edu_portal.celery_app) and closed after every task (what Celery's
Django fix-up did before issue 12), and how many connections each run opened.

It needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): the tasks only read (SELECT 1),
so any database of the server does; they go to a queue of their own that no other worker
reads. The worker is the Procfile's: prefork, one process, prefetch 1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edu_portal REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/worker_bench.py [--tasks 2000] [--queries 3] [--pool prefork|solo]

The worker imports this module too (celery worker -I bench.worker_bench) for its task.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

from celery import signals  # noqa: E402

from edu_portal.celery_app import app  # noqa: E402

TASK = "bench.worker_task"
KEY = "edu_portal:bench:worker:"


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


@app.task(name=TASK)
def worker_task(queries: int) -> None:
    """A few small queries, then the time it ended (first and last are kept)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for _ in range(queries):
            cursor.execute("SELECT 1")
            cursor.fetchone()
    now = time.time()
    client = _redis()
    client.setnx(KEY + "first", now)
    client.set(KEY + "last", now)
    client.incr(KEY + "done")


if os.environ.get("BENCH_WORKER") == "1":  # inside the worker only

    from django.db.backends.signals import connection_created

    @connection_created.connect
    def _count_connection(sender, **kwargs):
        _redis().incr(KEY + "connections")

    if os.environ.get("BENCH_CLOSE_EACH_TASK") == "1":
        # Before issue 12: Celery's Django fix-up closed every connection after each task.
        @signals.task_postrun.connect
        def _close_after_each_task(**kwargs):
            from django.db import connections

            for conn in connections.all(initialized_only=True):
                conn.close()


def run(*, tasks: int, queries: int, pool: str, close_each_task: bool) -> dict:
    client = _redis()
    queue = f"bench-{os.getpid()}"
    for name in ("first", "last", "done", "connections"):
        client.delete(KEY + name)
    # Every message waits in the queue before the worker starts: what is timed is the
    # worker taking them one after the other, from the first task's end to the last's.
    for _ in range(tasks):
        app.send_task(TASK, args=[queries], queue=queue)
    env = {**os.environ, "BENCH_WORKER": "1", "BENCH_CLOSE_EACH_TASK": "1" if close_each_task else "0"}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "edu_portal", "worker", "-I", "bench.worker_bench",
         "-Q", queue, f"--pool={pool}", "--concurrency=1", "--prefetch-multiplier=1", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while int(client.get(KEY + "done") or 0) < tasks:
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker stopped or took too long")
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(30)
        client.delete(queue)
    first, last = float(client.get(KEY + "first")), float(client.get(KEY + "last"))
    return {
        "tasks_per_second": (tasks - 1) / (last - first),
        "connections": int(client.get(KEY + "connections") or 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=3, help="queries per task")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo"])
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode; the best is kept")
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL.")
    results = {}
    for label, close in (("closed after each task (before)", True), ("kept (CONN_MAX_AGE)", False)):
        runs = [run(tasks=args.tasks, queries=args.queries, pool=args.pool, close_each_task=close)
                for _ in range(args.rounds)]
        results[label] = max(runs, key=lambda r: r["tasks_per_second"])
    print(f"{args.tasks} tasks of {args.queries} queries, {args.pool} worker, 1 process:")
    for label, result in results.items():
        print(f"  connection {label:34} {result['tasks_per_second']:8.1f} tasks/s"
              f"   {result['connections']:5d} connections opened")


if __name__ == "__main__":
    main()
