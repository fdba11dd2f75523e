#!/usr/bin/env python
"""Registry pages against the stock Django admin, measured in one run
(the targets are in shared/performance.md).

    .venv/bin/python bench/registry_bench.py [--reuse] [--requests N] [--concurrency 8,2]

What it does, in order:
1. Database `edu_portal_bench` on the local PostgreSQL (127.0.0.1:5432, user postgres):
   dropped and created afresh, or kept with --reuse. No other database is ever dropped.
   Migrated; administrative units loaded; `manage.py generate_load --centers 20000
   --years 10` run unless those centers are already there.
2. Users: `bench_sogd`, department staff (is_staff) of the province with the most
   centers, and `bench_admin`, a superuser for the stock admin. Both are logged in by
   sessions written directly (SessionStore + auth hash): no login request is made.
3. Queries per page, counted in this process with the test client and
   CaptureQueriesContext against the same database (the SQL goes to
   bench/results/registry_<date>_queries.txt).
4. gunicorn, 2 sync workers, on 127.0.0.1:8010, DJANGO_DEBUG=0, settings
   bench.bench_settings (the portal's settings plus a stock `AdminSite` with a plain
   ModelAdmin for Center at /stock-admin/, see bench/bench_urls.py).
5. For each page and each concurrency (8, then 2 clients): 20 warm-up requests, then N
   measured requests (default 400) from threads with http.client; requests/s, p50, p99.
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
RUN_DEADLINE = 300  # seconds: a page run stops taking new requests after this

ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_SECURE_COOKIES": "0",
    "AXES_ENABLED": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
}

# (label, path template, session) ; {code} is the selective search term.
PAGES = [
    ("registry list", "/centers/", "dept"),
    ("filtered list", "/centers/?kind=language&status=operating", "dept"),
    ("selective search", "/centers/?q={code}", "dept"),
    ("broad search", "/centers/?q=ngoai+ngu", "dept"),
    ("our admin changelist", "/admin/centers/center/", "dept"),
    ("our admin search", "/admin/centers/center/?q=ngoai+ngu", "dept"),
    ("stock admin changelist", "/stock-admin/centers/center/", "super"),
    ("stock admin search", "/stock-admin/centers/center/?q=" + quote_plus("ngoại ngữ"), "super"),
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
    "registry list", "filtered list", "selective search", "broad search",
    "our admin changelist", "our admin search", "stock admin changelist", "stock admin search",
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
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
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
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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


def query_counts(pages: list[tuple[str, str, str]], state: dict, sql_log: Path) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    with sql_log.open("w", encoding="utf-8") as log:
        for label, path, who in pages:
            client = Client(SERVER_NAME=HOST)
            client.cookies[state["cookie_name"]] = state["cookies"][who]
            client.get(path)  # first request of the process: caches, content types
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{label}: {path} answered {response.status_code} in-process")
            counts[label] = len(captured.captured_queries)
            log.write(f"== {label}: {path} ({counts[label]} queries)\n")
            for query in captured.captured_queries:
                log.write(f"[{query['time']} s] {query['sql']}\n")
            log.write("\n")
    return counts


# The server


def port_in_use() -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, PORT)) == 0


def gunicorn_start() -> subprocess.Popen:
    if port_in_use():
        raise SystemExit(f"{HOST}:{PORT} is already in use: stop whatever listens there first")
    env = {**os.environ, **ENV}
    env.pop("REDIS_URL", None)  # the pages measured never touch Redis; /healthz then skips its ping
    command = [
        GUNICORN, "edu_portal.wsgi:application", "--workers", "2", "--worker-class", "sync",
        "--bind", f"{HOST}:{PORT}", "--chdir", str(ROOT), "--log-level", "warning",
    ]
    # Own process group: stopped as a whole at the end, and only it.
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            status, _body = fetch("/healthz")
            if status == 200:
                return server
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
    reconnects, on loopback)."""
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
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "n": len(ordered), "errors": errors, "rps": len(ordered) / wall if wall else 0.0,
        "p50": percentile(ordered, 50) * 1000 if ordered else math.nan,
        "p99": percentile(ordered, 99) * 1000 if ordered else math.nan,
    }


def result_rows(html: str) -> tuple[int, str]:
    """Rows on the first page, and the total the page states (as printed)."""
    if 'id="result_list"' in html or "result_list" in html:  # an admin changelist
        rows = html.count('name="_selected_action"')
        found = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
        total = re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else "?"
        return rows, total
    if "table-registry" in html:
        rows = len(re.findall(r'<td class="text-nowrap"><a href="/centers/\d+/">', html))
        found = re.search(r"<span>(\d+) trung tâm</span>", html)
        return rows, f"{found.group(1)} trung tâm" if found else "?"
    return 0, "no result table"


# The report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(args, state, facts, counts, figures, checks, concurrency) -> str:
    out = []
    w = out.append
    now = datetime.datetime.now()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    w(f"Registry benchmark, {now:%Y-%m-%d %H:%M}, commit {commit.stdout.strip()}{' + local changes' if dirty else ''}")
    w(f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
      f"PostgreSQL {facts['pg_version']}")
    w(f"server: gunicorn 2 sync workers on {HOST}:{PORT}, DEBUG off, CONN_MAX_AGE from settings, settings "
      "bench.bench_settings; clients on the same machine (loopback)")
    w(f"data: {facts['centers']} centers ({facts['documents']} documents, {facts['directors']} directors, "
      f"{facts['staff']} staff) in database {BENCH_DB}")
    w(f"department user: province {state['province'].name} (id {state['province'].pk}), the largest, "
      f"{facts['province_centers']} centers; stock admin as a superuser sees all {facts['centers']}")
    w(f"selective search term: {state['code']!r} (a center code); broad search 'ngoai ngu' matches "
      f"{facts['broad_matches']} of {facts['province_centers']} centers of the province "
      f"({facts['broad_matches'] / facts['province_centers']:.0%})")
    w(f"requests: {args.requests} measured per page and concurrency, after {WARMUP} warm-up requests")
    w("")
    head = f"{'page':<24} {'path':<48}"
    for c in concurrency:
        head += f" | {c} cl: {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
    w(head)
    w("-" * len(head))
    for label, path, _who in PAGES:
        if label not in figures[concurrency[0]]:
            continue
        shown = path if len(path) <= 48 else path[:45] + "..."
        line = f"{label:<24} {shown:<48}"
        for c in concurrency:
            f = figures[c][label]
            line += f" | {'':<5} {f['rps']:>7.1f} {f['p50']:>7.1f} {f['p99']:>7.1f}"
            if f["errors"]:
                line += f" ({len(f['errors'])} errors: {sorted(set(f['errors']))})"
        w(line)
    w("")
    w("Queries per page (in-process test client, same database):")
    for label in QUERY_COUNT_PAGES:
        if label in counts:
            w(f"  {label:<24} {counts[label]:>3}")
    w("")
    w("Result rows on the first page (and the total the page prints):")
    for label, path, rows, total in checks:
        w(f"  {label:<28} {rows:>3} rows  [{total}]  {path}")
    w("")

    def rps(label, c):
        return figures.get(c, {}).get(label, {}).get("rps", math.nan)

    def p99(label, c):
        return figures.get(c, {}).get(label, {}).get("p99", math.nan)

    w("Targets (shared/performance.md):")
    w(f"  {'target':<62} {'measured':>10} {'goal':>8}  verdict")
    main = 8 if 8 in concurrency else concurrency[0]

    def ratio_line(text, num, den, goal, extra_ok=True):
        value = rps(num, main) / rps(den, main) if rps(den, main) else math.nan
        w(f"  {text:<62} {value:>9.1f}x {'≥ ' + str(goal) + 'x':>8}  {verdict(value >= goal and extra_ok)}")

    if all(label in figures[main] for label in ("registry list", "stock admin changelist")):
        ratio_line(f"registry list / stock admin changelist, req/s at {main}", "registry list",
                   "stock admin changelist", 3)
    if all(label in figures[main] for label in ("our admin changelist", "stock admin changelist")):
        ratio_line(f"our admin changelist / stock changelist, req/s at {main}", "our admin changelist",
                   "stock admin changelist", 2.5)
    stock_finds = {label: rows for label, _p, rows, _t in checks}
    correct = stock_finds.get("stock admin ?q=ngoai ngu", 1) == 0 and stock_finds.get("registry ?q=ngoai ngu", 0) > 0
    if all(label in figures[main] for label in ("broad search", "stock admin search")):
        ratio_line(f"'ngoai ngu' search / stock 'ngoại ngữ' search, req/s at {main}", "broad search",
                   "stock admin search", 15, correct)
        w(f"  {'  (and correct: stock finds nothing for ngoai ngu, ours does)':<62} {'':>10} {'':>8}  "
          f"{verdict(correct)}")
    if all(label in figures[main] for label in ("our admin search", "stock admin search")):
        value = rps("our admin search", main) / rps("stock admin search", main)
        w(f"  {'(info) our admin ngoai ngu search / stock ngoại ngữ search':<62} {value:>9.1f}x")
    for c, limit in ((8, 60), (2, 20)):
        if c not in concurrency:
            continue
        for label in ("registry list", "filtered list", "selective search"):
            if label in figures[c]:
                value = p99(label, c)
                w(f"  {f'{label} p99 at {c} clients':<62} {value:>8.1f}ms {'≤ ' + str(limit) + 'ms':>8}  "
                  f"{verdict(value <= limit)}")
    if 8 in concurrency and "broad search" in figures[8]:
        value = p99("broad search", 8)
        w(f"  {'broad search p99 at 8 clients':<62} {value:>8.1f}ms {'≤ 120ms':>8}  {verdict(value <= 120)}")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help=f"keep {BENCH_DB} and its data if it exists")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per page and concurrency")
    parser.add_argument("--concurrency", default="8,2", help="client counts, comma-separated (default 8,2)")
    parser.add_argument("--only", default="", help="comma-separated page labels to load-test (default: all)")
    args = parser.parse_args()
    concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")

    # SIGTERM too must reach the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database_prepare(args.reuse)
    django_setup()
    state = users_and_sessions()
    facts = data_facts(state["province"])
    pages = [(label, path.format(code=quote_plus(state["code"])), who) for label, path, who in PAGES]
    print("counting queries per page...", flush=True)
    counts = query_counts([p for p in pages if p[0] in QUERY_COUNT_PAGES], state,
                          RESULTS / f"registry_{stamp}_queries.txt")

    def cookie(who):
        key = state["cookies"][who]
        return f"{state['cookie_name']}={key}" if key else None

    server = None
    figures: dict[int, dict] = {c: {} for c in concurrency}
    checks = []
    try:
        server = gunicorn_start()
        # Every page once per worker, and its answer checked: a login redirect is no figure.
        for label, path, who in pages + [(f"check {c[0]}", c[1], c[2]) for c in CHECKS]:
            for _ in range(4):
                status, body = fetch(path, cookie(who))
                if status != 200:
                    raise RuntimeError(f"{label}: {path} answered {status}")
        for label, path, who in CHECKS:
            _status, body = fetch(path, cookie(who))
            rows, total = result_rows(body.decode())
            checks.append((label, path, rows, total))
        for clients in concurrency:
            for label, path, who in pages:
                if wanted and label not in wanted:
                    continue
                load(path, cookie(who), clients, WARMUP)
                figures[clients][label] = result = load(path, cookie(who), clients, args.requests)
                print(f"  {clients} clients  {label:<24} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms  "
                      f"p99 {result['p99']:7.1f} ms" + (f"  errors {len(result['errors'])}" if result["errors"] else ""),
                      flush=True)
    finally:
        gunicorn_stop(server)

    text = report(args, state, facts, counts, figures, checks, concurrency)
    out = RESULTS / f"registry_{stamp}.txt"
    out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {out.relative_to(ROOT)} (SQL per page: {out.stem}_queries.txt)")


if __name__ == "__main__":
    main()
