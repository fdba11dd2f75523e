#!/usr/bin/env python
"""Registry pages against the stock Django admin, measured in one run
(the targets are in shared/performance.md).

    .venv/bin/python bench/registry_bench.py [--reuse] [--requests N]
        [--concurrency 8,2] [--rounds 4] [--quiet-wait 120] [--only "registry list,..."]

Run it from the project root (or anywhere: paths are taken from this file). About 5 min
with --reuse, plus about 2 min to build the data the first time. Needs PostgreSQL on
127.0.0.1:5432 (user postgres, trust) and the psql/createdb/dropdb clients.

What it does, in order:
1. Database `edu_portal_bench` on the local PostgreSQL (127.0.0.1:5432, user postgres):
   dropped and created afresh, or kept with --reuse. No other database is ever dropped.
   Migrated; administrative units loaded; `manage.py generate_load --centers 20000
   --years 10` run unless those centers are already there (20,000 centers, 800,000
   quarterly report obligations, inspections, complaints, directive tasks).
2. Users: `bench_sogd`, department staff (is_staff) of the province with the most
   centers, and `bench_admin`, a superuser for the stock admin. Both are logged in by
   sessions written directly (SessionStore + auth hash): no login request is made.
3. Queries per page, counted in this process with the test client and
   CaptureQueriesContext against the same database, and the time of one request there
   (the SQL and EXPLAIN ANALYZE of each query on centers go to
   bench/results/registry_<date>_queries.txt).
4. gunicorn, 2 sync workers, on 127.0.0.1:8010, DJANGO_DEBUG=0, settings
   bench.bench_settings (the portal's settings plus a stock `AdminSite` with a plain
   ModelAdmin for Center at /stock-admin/, see bench/bench_urls.py).
5. For each concurrency (8, then 2 clients) and each page: 20 warm-up requests, then N
   measured requests (default 400) from threads with http.client, split in 4 rounds that
   go over all the pages in turn (a burst of other work on a shared machine then hits
   every page alike); requests/s, p50, p99, and the server's CPU time per request
   (gunicorn + its PostgreSQL backends, from /proc). Before each round it waits (up to
   --quiet-wait s) for other work on the machine to stop, and it reports how much CPU
   other processes took during the measurement: above 10 % the figures are disturbed.
6. The ratio table against the targets, and the result-row checks (the stock admin finds
   nothing for "ngoai ngu"). Everything is printed and written to
   bench/results/registry_<date>.txt (not committed).

gunicorn is stopped on exit, whatever happens (Ctrl-C included). Port 8010 must be free.
"""

import argparse
import datetime
import http.client
import math
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

BENCH_DB = "edu_portal_bench"  # the only database this script creates or drops
PG_ARGS = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
HOST, PORT = "127.0.0.1", 8010
CENTERS, YEARS, PREFIX = 20000, 10, "LG"
WARMUP = 20
# Redis database of the server's cache with --fragments on (the default); emptied at start.
FRAGMENTS_REDIS = "redis://127.0.0.1:6379/13"
RUN_DEADLINE = 300  # seconds: a page run stops taking new requests after this

ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_SECURE_COOKIES": "0",
    "AXES_ENABLED": "0",
    # The bench writes its sessions directly (no login request): a second factor, which
    # DEBUG off asks of staff, would send every page to its verification form.
    "DJANGO_TWO_FACTOR_REQUIRED_ROLES": "none",
    "DJANGO_LOG_LEVEL": "WARNING",
}

# (label, path template, session); {code} is the selective search term, {province} the
# department user's province.
PAGES = [
    ("registry list", "/centers/", "dept"),
    ("filtered list", "/centers/?kind=language&status=operating", "dept"),
    ("selective search", "/centers/?q={code}", "dept"),
    ("broad search", "/centers/?q=ngoai+ngu", "dept"),
    ("compliance page", "/compliance/", "dept"),
    ("our admin changelist", "/admin/centers/center/", "dept"),
    ("our admin search", "/admin/centers/center/?q=ngoai+ngu", "dept"),
    ("stock admin changelist", "/stock-admin/centers/center/", "super"),
    ("stock admin search", "/stock-admin/centers/center/?q=" + quote_plus("ngoại ngữ"), "super"),
    # Not a target: the stock changelist narrowed to the department's province, to tell
    # what the ratios owe to scoping (1 province) rather than to the pages themselves.
    ("stock admin 1 province", "/stock-admin/centers/center/?province__id__exact={province}", "super"),
    ("healthz", "/healthz", None),
]
# Not load-tested: only counted (result rows) to show who finds what.
CHECKS = [
    ("registry ?q=ngoai ngu", "/centers/?q=ngoai+ngu", "dept"),
    ("our admin ?q=ngoai ngu", "/admin/centers/center/?q=ngoai+ngu", "dept"),
    ("stock admin ?q=ngoai ngu", "/stock-admin/centers/center/?q=ngoai+ngu", "super"),
    ("stock admin ?q=ngoại ngữ", "/stock-admin/centers/center/?q=" + quote_plus("ngoại ngữ"), "super"),
]
QUERY_COUNT_PAGES = [
    "registry list", "filtered list", "selective search", "broad search", "compliance page",
    "our admin changelist", "our admin search", "stock admin changelist", "stock admin search",
    "stock admin 1 province",
]


# Database


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(["psql", *PG_ARGS, "-d", database, "-Atc", sql], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def bench_database_exists() -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'") == "1"


def bench_database_drop() -> None:
    name = BENCH_DB
    if name != "edu_portal_bench":  # belt and braces: never any other database
        raise RuntimeError(f"refusing to drop {name!r}")
    subprocess.run(["dropdb", *PG_ARGS, "--if-exists", "--force", name], check=True)


def manage(*args: str) -> None:
    print(f"$ manage.py {' '.join(args)}", flush=True)
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env={**os.environ, **ENV}, check=True)


def database_prepare(reuse: bool) -> None:
    if bench_database_exists() and not reuse:
        print(f"dropping {BENCH_DB} (use --reuse to keep it)", flush=True)
        bench_database_drop()
    if not bench_database_exists():
        subprocess.run(["createdb", *PG_ARGS, BENCH_DB], check=True)
        print(f"created database {BENCH_DB}", flush=True)
    manage("migrate", "--noinput", "-v", "0")
    provinces = int(psql("SELECT count(*) FROM geo_administrativeunit WHERE level = 'province'", BENCH_DB))
    if provinces < 34:
        manage("load_units")
    loaded = int(psql(f"SELECT count(*) FROM centers_center WHERE code LIKE '{PREFIX}%'", BENCH_DB))
    if loaded >= CENTERS:
        print(f"{loaded} generated centers already loaded: generate_load skipped", flush=True)
    else:
        # Batches are committed one by one: an interrupted run is completed, not repeated.
        manage("generate_load", "--centers", str(CENTERS - loaded), "--years", str(YEARS), "--prefix", PREFIX)
    psql("VACUUM ANALYZE", BENCH_DB)


# Django, in this process (users, sessions, query counts)


def django_setup() -> None:
    import warnings

    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
    import django

    django.setup()


def users_and_sessions() -> dict:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count

    from accounts.models import User
    from centers.models import Center
    from geo.models import AdministrativeUnit

    top = Center.objects.values("province").annotate(n=Count("id")).order_by("-n", "province").first()
    province = AdministrativeUnit.objects.get(pk=top["province"])
    dept, created = User.objects.update_or_create(
        username="bench_sogd",
        defaults={"role": User.Role.DEPARTMENT, "province": province, "is_staff": True, "is_superuser": False,
                  "is_active": True, "full_name": "Chuyên viên (bench)"},
    )
    superuser, created_super = User.objects.update_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True, "is_active": True},
    )
    for user, fresh in ((dept, created), (superuser, created_super)):
        if fresh or user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def session_for(user) -> str:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.EmailOrUsernameBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    # A selective term: one center's code (it is in the folded search text).
    codes = list(Center.objects.filter(province=province).order_by("code").values_list("code", flat=True))
    code = codes[len(codes) // 2]
    return {
        "province": province, "province_centers": top["n"], "code": code,
        "cookies": {"dept": session_for(dept), "super": session_for(superuser), None: None},
        "cookie_name": settings.SESSION_COOKIE_NAME,
    }


def data_facts(province) -> dict:
    from django.db import connection

    from centers.models import Center, Director, LicenceDocument, Staff
    from centers.selectors import search_q

    in_province = Center.objects.filter(province=province)
    broad = in_province.filter(search_q("ngoai ngu")).count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return {
        "centers": Center.objects.count(), "documents": LicenceDocument.objects.count(),
        "directors": Director.objects.count(), "staff": Staff.objects.count(),
        "province_centers": in_province.count(), "broad_matches": broad, "pg_version": pg_version,
    }


def query_counts(pages: list[tuple[str, str, str]], state: dict, sql_log: Path) -> dict[str, dict]:
    """Per page: the number of queries and their summed time (CaptureQueriesContext), the
    plans of the statements on centers_center (EXPLAIN ANALYZE, into `sql_log`), and the
    time of one request alone in this process (best of 5 x 10)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures = {}
    with sql_log.open("w", encoding="utf-8") as log:
        for label, path, who in pages:
            client = Client(SERVER_NAME=HOST)
            client.cookies[state["cookie_name"]] = state["cookies"][who]
            client.get(path)  # first request of the process: caches, content types
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{label}: {path} answered {response.status_code} in-process")
            queries = captured.captured_queries
            batches = []
            for _ in range(5):
                began = time.perf_counter()
                for _ in range(10):
                    client.get(path)
                batches.append((time.perf_counter() - began) / 10 * 1000)
            statements = [q for q in queries if q["sql"].split(" ", 1)[0].upper()
                          not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")]
            figures[label] = {
                "queries": len(queries), "data_queries": len(statements),
                "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
                "inprocess_ms": min(batches),
            }
            log.write(f"== {label}: {path} ({len(queries)} queries)\n")
            for query in queries:
                log.write(f"[{query['time']} s] {query['sql']}\n")
            for query in queries:
                sql = re.sub(r"^DECLARE .*? CURSOR WITH HOLD FOR ", "", query["sql"])
                if "centers_center" in sql and sql.lstrip().upper().startswith("SELECT"):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                        plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
                    log.write(f"\n  EXPLAIN ANALYZE {sql[:120]}...\n{plan}\n")
            log.write("\n")
    return figures


# The server


def port_in_use() -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, PORT)) == 0


def gunicorn_start(fragments: bool) -> subprocess.Popen:
    if port_in_use():
        raise SystemExit(f"{HOST}:{PORT} is already in use: stop whatever listens there first")
    env = {**os.environ, **ENV}
    env.pop("REDIS_URL", None)
    if fragments:
        # As in production: the cache is Redis, and the lists keep their bodies there
        # (edu_portal/fragments.py). Its own database, emptied first: a cold start.
        import redis

        redis.Redis.from_url(FRAGMENTS_REDIS).flushdb()
        env.update(REDIS_URL=FRAGMENTS_REDIS, FRAGMENT_CACHE="1")
    else:
        env["FRAGMENT_CACHE"] = "0"
    env["PYTHONWARNINGS"] = "ignore:No directory at"  # whitenoise: no collectstatic, no static served
    command = [
        GUNICORN, "edu_portal.wsgi:application", "--workers", "2", "--worker-class", "sync",
        "--bind", f"{HOST}:{PORT}", "--chdir", str(ROOT), "--log-level", "warning",
    ]
    # Own process group: stopped as a whole at the end, and only it.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def gunicorn_ready(server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            status, _body = fetch("/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def gunicorn_stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)  # the master and its two workers
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


# Other work on the machine (the benchmark shares it: tests, other servers)


def _busy_ticks() -> int:
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _our_ticks(server_pid: int | None) -> tuple[dict[int, int], int]:
    """CPU ticks of the server's processes by pid (the gunicorn process group and the
    PostgreSQL backends connected to the bench database), and of this process (the clients)."""
    server: dict[int, int] = {}
    client = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                raw = stat.read()
            end = raw.rindex(")")
            fields = raw[end + 2:].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
            pid = int(entry)
            if pid == os.getpid():
                client = ticks
            elif server_pid is not None and int(fields[2]) == server_pid:  # its process group
                server[pid] = ticks
            elif raw[:end + 1].endswith("(postgres)"):
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if BENCH_DB.encode() in cmdline.read():
                        server[pid] = ticks
        except (OSError, ValueError, IndexError):
            continue
    return server, client


class CpuMeter:
    """Between start() and stop(): the CPU time of the server (gunicorn and its database
    backends) and the share of the machine used by processes other than the benchmark's.
    A backend that ends in between (CONN_MAX_AGE) takes its last ticks with it: a slight
    undercount, never a negative one."""

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid
        self.busy = self.server = self.client = 0
        self.seconds = 0.0

    def start(self):
        self._mark = (_busy_ticks(), *_our_ticks(self.server_pid), time.monotonic())

    def stop(self) -> int:
        busy, server, client, began = self._mark
        now_server, now_client = _our_ticks(self.server_pid)
        used = sum(ticks - server.get(pid, 0) for pid, ticks in now_server.items())
        self.busy += _busy_ticks() - busy
        self.server += used
        self.client += now_client - client
        self.seconds += time.monotonic() - began
        return used

    @property
    def other_percent(self) -> float:
        capacity = self.seconds * os.cpu_count() * os.sysconf("SC_CLK_TCK")
        return max(0.0, 100 * (self.busy - self.server - self.client) / capacity) if capacity else 0.0


def wait_for_quiet(limit: float, threshold: float = 15.0) -> float:
    """Between rounds nothing of ours runs: wait (up to `limit` s) until the machine is
    below `threshold` % busy over one second. Returns the seconds waited."""
    waited = 0.0
    while True:
        before = _busy_ticks()
        time.sleep(1)
        busy = 100 * (_busy_ticks() - before) / (os.cpu_count() * os.sysconf("SC_CLK_TCK"))
        if busy < threshold or waited >= limit:
            return waited
        if waited == 0:
            print(f"  machine {busy:.0f} % busy with other work: waiting up to {limit:.0f} s", flush=True)
        waited += 1


# The clients


def fetch(path: str, cookie: str | None = None, conn: http.client.HTTPConnection | None = None):
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, PORT, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def load(path: str, cookie: str | None, clients: int, total: int) -> dict:
    """`total` GET requests from `clients` threads, each with its own keep-alive
    connection (gunicorn's sync workers close it after every answer: http.client then
    reconnects, on loopback). Returns the latencies (s), the wall time and the errors."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    deadline = [math.inf]

    def take() -> bool:
        nonlocal issued
        with lock:
            if issued >= total or time.perf_counter() > deadline[0]:
                return False
            issued += 1
            return True

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        start.wait()
        while take():
            began = time.perf_counter()
            try:
                status, _body = fetch(path, cookie, conn)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                errors.append(type(error).__name__)
                continue
            elapsed = time.perf_counter() - began
            if status != 200:
                errors.append(str(status))
            latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + RUN_DEADLINE
    start.wait()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "wall": time.perf_counter() - began, "errors": errors}


def summary(runs: list[dict]) -> dict:
    """Requests/s over all rounds (requests / summed wall time) and latency percentiles
    over all samples."""
    ordered = sorted(x for run in runs for x in run["latencies"])
    wall = sum(run["wall"] for run in runs)
    ticks = sum(run.get("server_ticks", 0) for run in runs)
    return {
        "n": len(ordered), "errors": [e for run in runs for e in run["errors"]],
        "rps": len(ordered) / wall if wall else 0.0,
        "cpu_ms": 1000 * ticks / os.sysconf("SC_CLK_TCK") / len(ordered) if ordered else math.nan,
        "p50": percentile(ordered, 50) * 1000 if ordered else math.nan,
        "p99": percentile(ordered, 99) * 1000 if ordered else math.nan,
    }


def result_rows(html: str) -> tuple[int, str]:
    """Rows on the first page, and the total the page states."""
    if 'id="result_list"' in html:  # an admin changelist with results
        rows = html.count('name="_selected_action"')
        found = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
        text = re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""
        total = re.findall(r"(\d+)\s+trung tâm", text)
        return rows, f"{total[-1]} trung tâm" if total else "?"
    if "table-registry" in html:
        rows = len(re.findall(r'<td class="text-nowrap[^"]*"><a href="/centers/\d+/">', html))
        found = re.search(r"<span>(\d+) trung tâm</span>", html)
        return rows, f"{found.group(1)} trung tâm" if found else "?"
    if 'id="changelist"' in html:  # an admin changelist that found nothing
        found = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else "?"
        return 0, text
    return 0, "no result table"


# The report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(args, context, state, facts, counts, figures, checks, concurrency) -> str:
    out = []
    w = out.append
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    w(f"Registry benchmark, {context['started']:%Y-%m-%d %H:%M} ({context['minutes']:.1f} min), "
      f"commit {commit.stdout.strip()}{' + uncommitted changes' if dirty else ''}")
    w(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {facts['pg_version']}; "
      f"load average before {context['load_before']}, after {context['load_after']}")
    w(f"server: gunicorn, 2 sync workers, {HOST}:{PORT}, DEBUG off, settings bench.bench_settings; "
      f"clients: threads + http.client on the same machine")
    w("lists' fragment cache: " + ("off (--no-fragments): every request builds its page" if args.no_fragments else
      f"on, Redis {FRAGMENTS_REDIS} (emptied at start; the warm-up requests fill it, the measured ones read it)"))
    w(f"data: {facts['centers']} centers ({facts['documents']} documents, {facts['directors']} directors, "
      f"{facts['staff']} staff), database {BENCH_DB}")
    w(f"department user: {state['province'].name} (id {state['province'].pk}), the largest province, "
      f"{facts['province_centers']} centers; the stock admin's superuser sees all {facts['centers']}")
    w(f"selective search: {state['code']!r} (a center code); broad search 'ngoai ngu' matches "
      f"{facts['broad_matches']} of the province's {facts['province_centers']} centers "
      f"({facts['broad_matches'] / facts['province_centers']:.0%})")
    w(f"load: {args.requests} measured requests per page and client count, in {args.rounds} interleaved "
      f"rounds, after {WARMUP} warm-up requests")
    for c, (percent, waited) in context["other"].items():
        w(f"other processes on the machine during the {c}-client runs: {percent:.0f} % of its CPU"
          + (f" (after waiting {waited:.0f} s for quiet)" if waited else "")
          + ("  <- figures disturbed" if percent > 10 else ""))
    w("")
    head = f"{'page':<23}"
    for c in concurrency:
        head += f" | {str(c) + ' clients req/s':>15} {'p50':>6} {'p99 ms':>7} {'CPU ms':>6}"
    head += f" | {'queries':>7} {'SQL ms':>6} {'1 req ms':>8}"
    w(head)
    w("-" * len(head))
    for label, _path, _who in PAGES:
        if label not in figures[concurrency[0]]:
            continue
        line = f"{label:<23}"
        for c in concurrency:
            f = figures[c][label]
            line += f" | {f['rps']:>15.1f} {f['p50']:>6.1f} {f['p99']:>7.1f} {f['cpu_ms']:>6.1f}"
        q = counts.get(label)
        line += f" | {q['queries']:>7} {q['sql_ms']:>6.1f} {q['inprocess_ms']:>8.1f}" if q else " |"
        w(line)
        errors = [e for c in concurrency for e in figures[c][label]["errors"]]
        if errors:
            w(f"    {len(errors)} errors: {sorted(set(errors))}")
    w("")
    w("Paths:")
    for label, path, _who in PAGES:
        w(f"  {label:<23} {path.format(code=quote_plus(state['code']), province=state['province'].pk)}")
    w("CPU ms: CPU time of the server (gunicorn workers + their PostgreSQL backends) per request, from")
    w("/proc: unlike req/s and latency, it hardly moves when other work shares the machine.")
    w("queries / SQL ms: one request through the test client in the bench process (CaptureQueriesContext,")
    w("BEGIN/COMMIT included); 1 req ms: the same request alone in that process, best of 5 x 10.")
    w("")
    w("Result rows on the first page (and the total the page prints):")
    for label, path, rows, total in checks:
        w(f"  {label:<26} {rows:>3} rows  [{total}]  {path}")
    w("")

    def rps(label, c):
        return figures.get(c, {}).get(label, {}).get("rps", math.nan)

    def p99(label, c):
        return figures.get(c, {}).get(label, {}).get("p99", math.nan)

    main = 8 if 8 in concurrency else concurrency[0]
    w("Targets (shared/performance.md):")
    w(f"  {'':<60} {'measured':>9} {'target':>8}  verdict")

    def ratio_line(text, num, den, goal, extra_ok=True):
        if num not in figures[main] or den not in figures[main]:
            return
        value = rps(num, main) / rps(den, main)
        w(f"  {text:<60} {value:>8.2f}x {'≥ ' + str(goal) + 'x':>8}  {verdict(value >= goal and extra_ok)}")

    found = {label: rows for label, _p, rows, _t in checks}
    correct = found.get("stock admin ?q=ngoai ngu", 1) == 0 and found.get("registry ?q=ngoai ngu", 0) > 0
    ratio_line(f"registry list / stock changelist, req/s at {main} clients", "registry list",
               "stock admin changelist", 3)
    ratio_line(f"our admin changelist / stock changelist, req/s at {main}", "our admin changelist",
               "stock admin changelist", 2.5)
    ratio_line(f"'ngoai ngu' search / stock 'ngoại ngữ' search, at {main}", "broad search", "stock admin search",
               15, correct)
    if "compliance page" in figures[main] and "stock admin changelist" in figures[main]:
        value = rps("compliance page", main) / rps("stock admin changelist", main)
        w(f"  {'  (info) compliance page / stock changelist, req/s':<60} {value:>8.2f}x")
    if "compliance page" in counts:
        queries = counts["compliance page"]["data_queries"]
        w(f"  {'compliance page: queries per page (BEGIN/COMMIT aside)':<60} {queries:>9} {'≤ 5':>8}  "
          f"{verdict(queries <= 5)}")
    w(f"  {'  correct: stock admin finds nothing for ngoai ngu, ours does':<60} {'':>9} {'':>8}  {verdict(correct)}")
    if "our admin search" in figures[main] and "stock admin search" in figures[main]:
        value = rps("our admin search", main) / rps("stock admin search", main)
        w(f"  {'  (info) our admin ngoai ngu search / stock ngoại ngữ search':<60} {value:>8.2f}x")
    w("  the same ratios by server CPU per request (steadier on a shared machine):")
    for num, den in (("registry list", "stock admin changelist"), ("our admin changelist", "stock admin changelist"),
                     ("broad search", "stock admin search")):
        if num in figures[main] and den in figures[main]:
            value = figures[main][den]["cpu_ms"] / figures[main][num]["cpu_ms"]
            w(f"  {f'    {num} vs {den}':<60} {value:>8.2f}x")
    for label in ("registry list", "our admin changelist"):
        if label in figures[main] and "stock admin 1 province" in figures[main]:
            value = rps(label, main) / rps("stock admin 1 province", main)
            w(f"  {f'  (info) {label} / stock, same province':<60} {value:>8.2f}x")
    for c, limit in ((8, 60), (2, 20)):
        for label in ("registry list", "filtered list", "selective search", "compliance page"):
            if c in concurrency and label in figures[c]:
                value = p99(label, c)
                w(f"  {f'{label} p99 at {c} clients':<60} {value:>7.1f}ms {'≤ ' + str(limit) + 'ms':>8}  "
                  f"{verdict(value <= limit)}")
    if 8 in concurrency and "broad search" in figures[8]:
        value = p99("broad search", 8)
        w(f"  {'broad search p99 at 8 clients':<60} {value:>7.1f}ms {'≤ 120ms':>8}  {verdict(value <= 120)}")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help=f"keep {BENCH_DB} and its data if it exists")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per page and client count")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the requests are split in this many rounds over all pages, so that a burst of "
                             "other work on the machine hits every page alike (default 4)")
    parser.add_argument("--quiet-wait", type=float, default=120,
                        help="before each round, wait up to this many seconds for other work on the "
                             "machine to stop (default 120)")
    parser.add_argument("--concurrency", default="8,2", help="client counts, comma-separated (default 8,2)")
    parser.add_argument("--only", default="", help="comma-separated page labels to load-test (default: all)")
    parser.add_argument("--no-fragments", action="store_true",
                        help="serve without the lists' fragment cache (every request builds its page), "
                             f"instead of production's Redis cache ({FRAGMENTS_REDIS}, emptied at start)")
    args = parser.parse_args()
    concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    began = time.monotonic()
    context = {"started": started, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}

    # SIGTERM too must reach the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database_prepare(args.reuse)
    django_setup()
    state = users_and_sessions()
    facts = data_facts(state["province"])
    pages = [
        (label, path.format(code=quote_plus(state["code"]), province=state["province"].pk), who)
        for label, path, who in PAGES
    ]
    pages = [p for p in pages if not wanted or p[0] in wanted]
    print("counting queries per page, timing one request in-process...", flush=True)
    counts = query_counts([p for p in pages if p[0] in QUERY_COUNT_PAGES], state,
                          RESULTS / f"registry_{stamp}_queries.txt")

    def cookie(who):
        key = state["cookies"][who]
        return f"{state['cookie_name']}={key}" if key else None

    server = None
    runs: dict[int, dict[str, list]] = {c: {label: [] for label, _p, _w in pages} for c in concurrency}
    checks = []
    meters: dict[int, CpuMeter] = {}
    waited = {c: 0.0 for c in concurrency}
    per_round = [args.requests // args.rounds + (1 if r < args.requests % args.rounds else 0)
                 for r in range(args.rounds)]
    try:
        server = gunicorn_start(fragments=not args.no_fragments)
        gunicorn_ready(server)
        # Every page a few times (both workers), each answer checked: a login redirect is no figure.
        for label, path, who in pages + CHECKS:
            for _ in range(4):
                status, body = fetch(path, cookie(who))
                if status != 200:
                    raise RuntimeError(f"{label}: {path} answered {status}")
        for label, path, who in CHECKS:
            _status, body = fetch(path, cookie(who))
            rows, total = result_rows(body.decode())
            checks.append((label, path, rows, total))
        for clients in concurrency:
            meters[clients] = meter = CpuMeter(server.pid)
            for round_no, count in enumerate(per_round):
                waited[clients] += wait_for_quiet(args.quiet_wait)
                for label, path, who in pages:
                    if round_no == 0:
                        load(path, cookie(who), clients, WARMUP)
                    meter.start()
                    run = load(path, cookie(who), clients, count)
                    run["server_ticks"] = meter.stop()
                    runs[clients][label].append(run)
            for label, _path, _who in pages:
                result = summary(runs[clients][label])
                print(f"  {clients} clients  {label:<24} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms  "
                      f"p99 {result['p99']:7.1f} ms"
                      + (f"  errors {len(result['errors'])}" if result["errors"] else ""),
                      flush=True)
    finally:
        gunicorn_stop(server)

    figures = {c: {label: summary(r) for label, r in runs[c].items()} for c in concurrency}
    context["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    context["minutes"] = (time.monotonic() - began) / 60
    context["other"] = {c: (meters[c].other_percent, waited[c]) for c in meters}
    text = report(args, context, state, facts, counts, figures, checks, concurrency)
    out = RESULTS / f"registry_{stamp}.txt"
    out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {out.relative_to(ROOT)} (SQL and plans per page: {out.stem}_queries.txt)")


if __name__ == "__main__":
    main()
