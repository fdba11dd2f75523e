#!/usr/bin/env python
"""Time the registry import: a valid 20,000-row .xlsx into an empty province (the issue
asks for 15 s at most), then the same file again (nothing to change) and its export; and
the preview of each (issue 13: in the same time class as the import, and writing nothing).

It runs against a throwaway database: a temporary SQLite file, or a test database on
the PostgreSQL server named by DATABASE_URL. Nothing touches the development data. The
generated file is left in bench/results/ (not committed) to try the upload page with.

    .venv/bin/python bench/import_bench.py [--rows 20000] [--format xlsx|csv]
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")


def build_rows(count: int, communes: list[str], province: str) -> list[list]:
    from django.utils import translation

    from centers.choices import CenterKind

    with translation.override("vi"):
        kinds = [str(label) for label in CenterKind.labels]
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
    rows = []
    for n in range(count):
        signed = datetime.date(2015, 1, 1) + datetime.timedelta(days=n % 3650)
        rows.append([
            f"BN{n:05d}",
            f"Trung tâm Ngoại ngữ Ánh Dương số {n}",
            kinds[n % len(kinds)],
            "Đang hoạt động",
            f"Số {n % 300 + 1} đường Lý Thái Tổ",
            communes[n % len(communes)],
            province,
            f"{n + 1}/QĐ-SGDĐT",
            # Half as real Excel dates, half as dd/mm/yyyy text: the import takes both.
            signed if n % 2 else signed.strftime("%d/%m/%Y"),
            "Sở GDĐT Bắc Ninh",
            signed + datetime.timedelta(days=5 * 365) if n % 3 == 0 else None,
            f"{families[n % len(families)]} Văn Đức {n}",
            f"0222 {n:06d}",
            f"tt{n}@example.edu.vn",
            f"Công ty TNHH Giáo dục số {n}",
        ])
    return rows


def write_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    from centers.excel import HEADERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Trung tâm")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(rows: list[list]) -> bytes:
    import csv

    from centers.excel import HEADERS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


class Clock:
    """Wall and CPU time of each step: on a shared machine the wall clock counts the
    others' work too; on SQLite the database's work is this process's CPU."""

    def __init__(self):
        self.times: dict[str, tuple[float, float]] = {}

    def __call__(self, label: str):
        import contextlib

        @contextlib.contextmanager
        def timed():
            wall, cpu = time.perf_counter(), time.process_time()
            yield
            self.times[label] = (time.perf_counter() - wall, time.process_time() - cpu)

        return timed()


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the registry import and export.")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile the first import and print its N costliest functions (cumulative)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # no query log in memory
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
    tmp = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args, tmp.name)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


def run(args, workdir: str) -> None:
    from django.db import connection

    import centers.services
    from accounts.models import User
    from centers.excel import export_workbook
    from geo.text import unit_label
    from centers.imports import center_import_file, center_import_preview_file
    from centers.models import Center, LicenceDocument
    from centers.selectors import center_list
    from geo.models import AdministrativeUnit
    from geo.services import units_load

    units_load(province_codes=[24])
    province = AdministrativeUnit.objects.get(level="province", code="24")
    communes = [unit_label(c) for c in AdministrativeUnit.objects.filter(parent=province)]
    user = User.objects.create(username="bench", role=User.Role.DEPARTMENT, province=province)

    rows = build_rows(args.rows, communes, unit_label(province))
    data = write_xlsx(rows) if args.format == "xlsx" else write_csv(rows)
    name = f"import_{args.rows}.{args.format}"
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / name).write_bytes(data)  # to try the upload page with the same file

    # How much of the time goes to deriving the licence and search text (services).
    refresh_seconds = [0.0]
    refresh = centers.services.centers_refresh

    def timed_refresh(ids):
        started = time.perf_counter()
        refresh(ids)
        refresh_seconds[0] += time.perf_counter() - started

    centers.services.centers_refresh = timed_refresh

    clock = Clock()

    def written() -> tuple[int, int, int]:
        return Center.objects.count(), Center.history.count(), LicenceDocument.objects.count()

    before = written()
    with clock("preview, all rows new"):
        previewed = center_import_preview_file(data=data, filename=name, by=user)
    assert previewed.preview and previewed.preview["new"] == args.rows, [str(e) for e in previewed.errors[:5]]
    assert written() == before == (0, 0, 0), "the preview wrote something"

    profiler = cProfile.Profile() if args.profile else None
    with clock("import, all rows new"):
        if profiler:
            profiler.enable()
        result = center_import_file(data=data, filename=name, by=user)
        if profiler:
            profiler.disable()
    assert result.written and not result.errors, [str(e) for e in result.errors[:5]]
    assert result.created == args.rows == Center.objects.count()

    before = written()
    with clock("preview again, nothing changes"):
        previewed = center_import_preview_file(data=data, filename=name, by=user)
    assert previewed.preview["unchanged"] == args.rows and written() == before

    with clock("import again, nothing changes"):
        again = center_import_file(data=data, filename=name, by=user)
    assert again.written and again.unchanged == args.rows, (again.created, again.updated)

    started = time.perf_counter()
    exported = export_workbook(center_list(user))
    export_seconds = time.perf_counter() - started

    print(f"database: {connection.vendor}")
    print(f"file: {args.rows} rows, {args.format}, {len(data) / 1024 / 1024:.1f} MB (bench/results/{name})")
    for label, (wall, cpu) in clock.times.items():
        extra = " (wrote nothing)" if label.startswith("preview") else ""
        print(f"{label}: {wall:.2f} s, CPU {cpu:.2f} s{extra}")
    print(f"  of which centers_refresh (first import): {refresh_seconds[0]:.2f} s")
    print(f"export .xlsx of the {args.rows} centers: {export_seconds:.2f} s ({len(exported) / 1024 / 1024:.1f} MB)")
    if profiler:
        print("\nprofile of the first import (cProfile inflates the time of many small calls):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
