#!/usr/bin/env python
"""The maintained compliance flags on a generated national data set (inspections.flags).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_DEBUG=1 DJANGO_SECRET_KEY=dev \
        .venv/bin/python bench/flags_bench.py [--skip-check] [--repeat 5]

The database must hold `manage.py generate_load` data (and be migrated). In this process:
1. the full nightly re-derivation (flags_check): wall time and the differences it found,
   which must be 0;
2. one write path's refresh (flags_refresh of one center), best of --repeat;
3. the compliance page (/compliance/) through the test client as department staff of
   the province with the most centers (user `flags_bench_sogd`, created if missing):
   wall and process CPU time of the request, best of --repeat, and its queries
   (BEGIN/SAVEPOINT aside). The database backend's CPU is not in the process figure:
   bench/registry_bench.py measures both under load.
Without inspections.flags (an older checkout) steps 1 and 2 are skipped, so the page can
be compared before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")


def best(function, repeat: int) -> tuple[float, float]:
    """(wall, process CPU) of the fastest run, in ms."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        runs.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User
    from centers.models import Center

    setup_test_environment()  # the test client then hands back the template context
    settings.ALLOWED_HOSTS = ["*"]
    try:
        from inspections import flags
    except ImportError:
        flags = None
    print(f"centers: {Center.objects.count()}")
    if flags is not None and not args.skip_check:
        started = time.perf_counter()
        check = flags.flags_check()
        print(f"nightly flags_check: {time.perf_counter() - started:.1f} s for {check.centers} centers, "
              f"{check.dated} moved with the date, {check.differences} differences")
        flagged = flags.CenterFlags.objects.filter(flagged=True).count()
        print(f"flagged centers: {flagged}")
    province_id = Center.objects.values("province_id").annotate(n=Count("pk")).order_by("-n")[0]["province_id"]
    if flags is not None:
        one = Center.objects.filter(province_id=province_id).order_by("pk").values_list("pk", flat=True)[0]
        wall, cpu = best(lambda: flags.flags_refresh([one]), args.repeat)
        print(f"flags_refresh of one center: {wall:.1f} ms wall, {cpu:.1f} ms process CPU (best of {args.repeat})")
    user, _created = User.objects.get_or_create(
        username="flags_bench_sogd",
        defaults={"role": User.Role.DEPARTMENT, "province_id": province_id, "is_staff": True},
    )
    client = Client()
    client.force_login(user)
    for label, url in (("compliance page", "/compliance/"),
                       ("compliance page, two rules, all", "/compliance/?rules=licence&rules=reports&match=all"),
                       ("compliance page 3, by name", "/compliance/?ordering=name&page=3")):
        response = client.get(url)  # warm
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = [q for q in captured.captured_queries
                   if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]
        wall, cpu = best(lambda url=url: client.get(url), args.repeat)
        total = response.context["paginator"].count if response.context else "?"
        print(f"{label}: {wall:.1f} ms wall, {cpu:.1f} ms process CPU (best of {args.repeat}), "
              f"{len(queries)} queries, {total} flagged centers")


if __name__ == "__main__":
    main()
