#!/usr/bin/env python
"""Where each page's CPU goes: every measured page run in this process against the
national data set of bench/registry_bench.py, with its settings (DEBUG off,
bench.bench_settings), through Django's WSGI handler as gunicorn calls it.

    .venv/bin/python bench/profile_pages.py [--runs 50] [--top 25] [--only "registry list,..."]
        [--no-profile] [--sort tottime|cumulative]

Build the data first (`.venv/bin/python bench/registry_bench.py`, once); this script
never creates, drops or migrates anything: it only adds the bench users and their
sessions, as registry_bench does, plus `bench_director` (the director of one of the
province's centers, for the director's home).

For each page, after 5 warm-up requests:
1. Phases, averaged over --runs requests, in milliseconds of this thread's CPU time (a
   shared machine moves it less than wall time; waits for PostgreSQL are not in it):
   total (with the median and fastest request); middleware (everything outside the view:
   the handler, every middleware's own work, the session and user queries); view (the
   view's Python, the admin's ChangeList...); render (the template, context processors
   included, and the queries a template runs as it iterates a queryset); of which context
   processors (each named); SQL (count and wall time, split by where it ran: the backend's
   CPU is not in this process's figures).
2. cProfile over another --runs requests: the top functions by own time (--sort tottime)
   or by cumulative time (--sort cumulative).

The figure the targets are stated in (server CPU per request, gunicorn + PostgreSQL) is
registry_bench's; this one says which part of it to cut.
"""

import argparse
import cProfile
import functools
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import registry_bench as rb  # noqa: E402  (the bench's settings, users and sessions)

PAGES = [
    ("registry list", "/centers/", "dept"),
    ("filtered list", "/centers/?kind=language&status=operating", "dept"),
    ("selective search", "/centers/?q={code}", "dept"),
    ("broad search", "/centers/?q=ngoai+ngu", "dept"),
    ("our admin changelist", "/admin/centers/center/", "dept"),
    ("our admin search", "/admin/centers/center/?q=ngoai+ngu", "dept"),
    ("director's home", "/reports/", "director"),
    ("review queue", "/reports/review/", "dept"),
    ("department home", "/", "dept"),
    ("compliance page", "/compliance/", "dept"),
    ("stock admin changelist", "/stock-admin/centers/center/", "super"),
    ("healthz", "/healthz", None),
]


class Phases:
    """Wall time per phase of the request being handled, and its SQL."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.times = defaultdict(float)
        self.sql = defaultdict(lambda: [0, 0.0])
        self.where = "middleware"
        self.render_depth = 0

    def sql_wrapper(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = self.sql[self.where]
            entry[0] += 1
            entry[1] += time.perf_counter() - began


def instrument(phases: Phases) -> None:
    """Wrap the handler's view call, the template render and each context processor."""
    from django.core.handlers.base import BaseHandler
    from django.template import engines
    from django.template.backends.django import Template as BackendTemplate

    original_get_response = BaseHandler._get_response

    @functools.wraps(original_get_response)
    def get_response(self, request):
        previous, phases.where = phases.where, "view"
        began = time.thread_time()
        try:
            return original_get_response(self, request)
        finally:
            phases.times["view+render"] += time.thread_time() - began
            phases.where = previous

    BaseHandler._get_response = get_response

    original_render = BackendTemplate.render

    @functools.wraps(original_render)
    def render(self, context=None, request=None):
        if phases.render_depth:
            return original_render(self, context, request)
        phases.render_depth += 1
        previous, phases.where = phases.where, "render"
        began = time.thread_time()
        try:
            return original_render(self, context, request)
        finally:
            phases.times["render"] += time.thread_time() - began
            phases.where = previous
            phases.render_depth -= 1

    BackendTemplate.render = render

    engine = engines["django"].engine

    def timed(processor):
        name = f"{processor.__module__}.{processor.__name__}"

        @functools.wraps(processor)
        def wrapper(request):
            began = time.thread_time()
            try:
                return processor(request)
            finally:
                phases.times[f"cp {name}"] += time.thread_time() - began

        return wrapper

    engine.__dict__["template_context_processors"] = tuple(timed(p) for p in engine.template_context_processors)


def environ_for(path: str, cookie: str | None) -> dict:
    from django.test import RequestFactory

    path_info, _sep, query = path.partition("?")
    extra = {"PATH_INFO": path_info, "QUERY_STRING": query, "SERVER_NAME": rb.HOST, "REQUEST_METHOD": "GET"}
    if cookie:
        extra["HTTP_COOKIE"] = cookie
    return RequestFactory()._base_environ(**extra)


def call(handler, path: str, cookie: str | None) -> tuple[int, bytes]:
    status = []

    def start_response(value, headers, exc_info=None):
        status.append(value)

    body = b"".join(handler(environ_for(path, cookie), start_response))
    return int(status[0].split()[0]), body


def director_session(province) -> str:
    """bench_director: the director of the province's center with the most obligations."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count

    from accounts.models import User
    from centers.models import Center

    center = (Center.objects.filter(province=province).annotate(n=Count("report_obligations"))
              .order_by("-n", "pk").first())
    user, _created = User.objects.update_or_create(
        username="bench_director",
        defaults={"role": User.Role.DIRECTOR, "center": center, "province": province, "is_staff": False,
                  "is_superuser": False, "is_active": True, "full_name": "Giám đốc (bench)"},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.EmailOrUsernameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def profile_page(handler, phases, label, path, cookie, runs, top, sort, profile) -> None:
    from django.db import connection

    for _ in range(5):
        status, body = call(handler, path, cookie)
    if status != 200:
        print(f"== {label}: {path} answered {status}: skipped\n")
        return
    totals = defaultdict(float)
    sql = defaultdict(lambda: [0, 0.0])
    wall = 0.0
    per_run: list[float] = []
    with connection.execute_wrapper(phases.sql_wrapper):
        for _ in range(runs):
            phases.reset()
            began, began_cpu = time.perf_counter(), time.thread_time()
            call(handler, path, cookie)
            wall += time.perf_counter() - began
            used = time.thread_time() - began_cpu
            totals["total"] += used
            per_run.append(used)
            for key, value in phases.times.items():
                totals[key] += value
            for where, (count, seconds) in phases.sql.items():
                sql[where][0] += count
                sql[where][1] += seconds

    def ms(value: float) -> float:
        return 1000 * value / runs

    total = totals["total"]
    view_render = totals["view+render"]
    processors = {k[3:]: v for k, v in totals.items() if k.startswith("cp ")}
    print(f"== {label}: {path}  ({len(body) // 1024} KB, {runs} runs)")
    per_run.sort()
    print(f"  total {ms(total):6.2f} ms CPU of this process (median {1000 * per_run[len(per_run) // 2]:.2f}, "
          f"fastest {1000 * per_run[0]:.2f}; {ms(wall):.2f} ms wall, SQL waits included)")
    print(f"  middleware and handler  {ms(total - view_render):6.2f}")
    print(f"  view (without render)   {ms(view_render - totals['render']):6.2f}")
    print(f"  render                  {ms(totals['render']):6.2f}")
    for name, value in processors.items():
        print(f"    context processor {name:<50} {ms(value):6.3f}")
    for where in ("middleware", "view", "render"):
        count, seconds = sql.get(where, (0, 0.0))
        print(f"  SQL in {where:<10} {count / runs:5.1f} queries {ms(seconds):6.2f} ms")
    if not profile:
        print()
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        call(handler, path, cookie)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats(sort).print_stats(top)
    lines = stream.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    print(f"  cProfile, {runs} requests, by {sort} (times are totals over the runs):")
    for line in lines[start:]:
        if line.strip():
            print("   ", line.replace(str(rb.ROOT) + "/", "").replace(sys.prefix + "/", ""))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", default="", help="comma-separated page labels")
    parser.add_argument("--no-profile", action="store_true", help="phases only")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--dump", default="", help="write each page's HTML into this folder (to compare a "
                        "change's markup with the pages before it), and measure nothing")
    parser.add_argument("--fragments", action="store_true",
                        help="with the lists' fragment cache (this process's memory): after the warm-up, "
                             "the cached pages read their body back; without, every request builds it")
    args = parser.parse_args()

    if not rb.bench_database_exists():
        raise SystemExit(f"no database {rb.BENCH_DB}: run bench/registry_bench.py once first")
    rb.django_setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    assert not settings.DEBUG, "profile with DEBUG off, as production runs"
    settings.FRAGMENT_CACHE = args.fragments
    state = rb.users_and_sessions()
    cookie_name = state["cookie_name"]
    cookies = {who: f"{cookie_name}={key}" if key else None for who, key in state["cookies"].items()}
    cookies["director"] = f"{cookie_name}={director_session(state['province'])}"
    from django.db import connection

    connection.close()  # a fresh connection, with CONN_MAX_AGE, as a worker has

    phases = Phases()
    instrument(phases)
    handler = WSGIHandler()
    only = {label.strip() for label in args.only.split(",") if label.strip()}
    print(f"settings {settings.SETTINGS_MODULE}, DEBUG {settings.DEBUG}, database {rb.BENCH_DB}; "
          f"department user of {state['province'].name}; selective search {state['code']!r}\n")
    for label, path, who in PAGES:
        if only and label not in only:
            continue
        if args.dump:
            folder = Path(args.dump)
            folder.mkdir(parents=True, exist_ok=True)
            status, body = call(handler, path.format(code=state["code"]), cookies[who])
            (folder / (label.replace(" ", "_").replace("'", "") + ".html")).write_bytes(body)
            print(f"{label}: {status}, {len(body)} bytes")
            continue
        profile_page(handler, phases, label, path.format(code=state["code"]), cookies[who], args.runs, args.top,
                     args.sort, not args.no_profile)


if __name__ == "__main__":
    main()
