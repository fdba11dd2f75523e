#!/usr/bin/env python
"""Time a reminder sweep over 20,000 centers, delivered to an SMTP server on loopback
(performance.md: <= 30 s). The sweep claims every obligation's due step; delivery runs
the same batches the Celery worker runs (reminders_deliver), here in-process.

--escalation sweeps on the day of the last step (7 days after the due date), when the
commune officers and the Department staff are told too: one digest each (per step and
day) listing their centers, delivered like notices; the counts of e-mails are printed.

It uses a throwaway database: a temporary SQLite file, or a test database on the
PostgreSQL server named by DATABASE_URL.

    .venv/bin/python bench/reminders_bench.py [--centers 20000] [--escalation] [--staff 5]

The run ends with the SMTP server's own floor on the same machine at the same moment:
as many pre-built e-mails of the same size sent with plain smtplib over as many
connections (--no-floor skips it). The machine is shared: compare the delivery with it.

--profile runs the sweep and each delivery process under cProfile and prints where the
time goes (the delivery's profiles are summed over the processes); the raw profiles are
left in bench/results/reminders-*.prof for snakeviz or pstats. Profiling slows it down:
the timings of a profiled run are not the bench's figures.
"""

import argparse
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2,
                        help="delivery processes, as `celery worker --concurrency` (the Procfile uses 2)")
    parser.add_argument("--escalation", action="store_true",
                        help="sweep on the escalation day (due + 7): digests to officers and staff")
    parser.add_argument("--staff", type=int, default=5, help="Department staff accounts (each gets the digest)")
    parser.add_argument("--no-floor", action="store_true", help="skip the SMTP server's floor at the end")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the sweep and the delivery (bench/results/reminders-*.prof)")
    parser.add_argument("--top", type=int, default=30, help="with --profile: functions listed per profile")
    args = parser.parse_args()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The SMTP server runs in its own process, as a real one would (aiosmtpd's Sink
    # accepts and discards); the messages are counted from the Dispatch rows.
    smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    time.sleep(1)
    os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), BENCH_SMTP_PID=str(smtp.pid))

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    settings.EMAIL_BACKEND = "edu_portal.mail.SmtpEmailBackend"  # as production (settings, EMAIL_HOST set)
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    tmp = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()
        smtp.terminate()


def run(args) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from centers.models import Center
    from geo.models import AdministrativeUnit
    from geo.services import units_load
    from reports.models import ReportType
    from reports.services import obligations_generate, period_create, reminders_deliver
    from reports.services import reminders as reminders_module

    units_load(province_codes=[24])
    province = AdministrativeUnit.objects.get(level="province", code="24")
    communes = list(AdministrativeUnit.objects.filter(parent=province))
    centers = Center.objects.bulk_create([
        Center(province=province, commune=communes[n % len(communes)], code=f"R{n:05d}",
               name=f"Trung tâm Ngoại ngữ {n}", kind="language", status="operating")
        for n in range(args.centers)
    ], batch_size=2000)
    User.objects.bulk_create([
        User(username=f"gd{c.pk}", role=User.Role.DIRECTOR, center=c, province=province,
             email=f"gd{c.pk}@example.edu.vn", password="!")
        for c in centers
    ], batch_size=2000)
    # The people above: Department staff, and an officer in each commune that has centers.
    User.objects.bulk_create([
        User(username=f"so{n}", role=User.Role.DEPARTMENT, province=province, email=f"so{n}@example.vn",
             password="!")
        for n in range(args.staff)
    ] + [
        User(username=f"xa{commune.pk}", role=User.Role.LOCAL_OFFICER, province=province, commune=commune,
             email=f"xa{commune.pk}@example.vn", password="!")
        for commune in communes[:args.centers]
    ], batch_size=2000)
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo tình hình hoạt động 6 tháng", center_kinds=["language"],
        frequency="six_monthly", starts_on=datetime.date(2026, 1, 1),
    )
    due = datetime.date(2026, 12, 19)
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=datetime.date(2026, 6, 15), data_to=datetime.date(2026, 12, 14), due_date=due)
    obligations_generate(period=period)

    # Deliver in-process, batch by batch, as the worker would.
    queued: list[list[int]] = []
    reminders_module._queue = queued.append

    day = due + datetime.timedelta(days=7) if args.escalation else due - datetime.timedelta(days=3)
    # A Celery worker is a long-lived process: its URL resolver and translations are loaded
    # once, not per sweep. Load them here, before the forked delivery processes start.
    from django.urls import reverse
    from django.utils.translation import gettext

    reverse("reports:obligation_list")
    gettext("hôm nay là hạn nộp")
    deliver = _deliver_profiled if args.profile else reminders_deliver
    import resource

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    smtp_before = _cpu_of(int(os.environ["BENCH_SMTP_PID"]))
    sweep_profile = _start_profile() if args.profile else None
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as sweep_queries:
        with transaction.atomic():
            # The digests are recorded with the claims and, Celery being eager here, sent
            # in this process when the transaction commits.
            result = reminders_module.reminders_sweep(today=day)
    swept = time.perf_counter() - started
    if sweep_profile is not None:
        sweep_profile.disable()
        sweep_profile.dump_stats(PROFILES / "reminders-sweep.prof")
    if args.workers > 1:
        import multiprocessing

        from django.db import connections

        connections.close_all()  # each forked process opens its own connection
        with multiprocessing.get_context("fork").Pool(args.workers, initializer=connections.close_all) as pool:
            pool.map(deliver, queued, chunksize=1)
    else:
        for batch in queued:
            deliver(batch)
    total = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    delivery_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    smtp_cpu = _cpu_of(int(os.environ["BENCH_SMTP_PID"])) - smtp_before

    again_started = time.perf_counter()
    again = reminders_module.reminders_sweep(today=day)
    again_seconds = time.perf_counter() - again_started

    print(f"database: {connection.vendor}; centers: {args.centers}; obligations: {period.obligations.count()}")
    print(f"sweep (claim {len(result.claimed)} steps, pass {result.passed}, record {result.digests} digests): "
          f"{swept:.2f} s, {len(sweep_queries)} queries")
    from notifications.models import Dispatch, Notification

    sent = Dispatch.objects.filter(status=Dispatch.Status.SENT).count()
    digests = Dispatch.objects.filter(key__startswith="digest:", status=Dispatch.Status.SENT).count()
    print(f"sweep + delivery of {sent} e-mails ({sent - digests} reminders, {digests} digests) to SMTP on loopback "
          f"by {args.workers} process(es): {total:.2f} s")
    if args.workers > 1:
        print(f"CPU during the delivery: {delivery_cpu:.1f} s in the delivery processes, {smtp_cpu:.1f} s in the "
              f"SMTP server (the database server's not counted)")
    staff_notices = Notification.objects.filter(recipient__role=User.Role.DEPARTMENT).count()
    print(f"Department staff: {args.staff} accounts, {staff_notices} notices in their bells")
    print(f"second sweep (nothing new: {len(again.claimed)} claimed): {again_seconds:.2f} s")
    if not args.no_floor and sent:
        floor = _smtp_floor(sent, args.workers)
        print(f"the SMTP server alone: {sent} pre-built e-mails of the same size by plain smtplib over "
              f"{args.workers} connection(s): {floor:.2f} s")
    if args.profile:
        _print_profiles(args.top)


PROFILES = ROOT / "bench" / "results"


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds a running process has used (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sample_message() -> bytes:
    from django.conf import settings

    from edu_portal.mail import EmailMessage, WireWriter
    from notifications.models import Dispatch

    key = Dispatch.objects.filter(status=Dispatch.Status.SENT).values_list("key", flat=True).first()
    from reports.services.reminders import _build

    outgoing = _build(list(Dispatch.objects.filter(key=key)))
    outgoing = next(iter(outgoing.values()))
    message = EmailMessage(subject=outgoing.subject, body=outgoing.body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=["gd0@example.edu.vn"], headers={"Auto-Submitted": "auto-generated"})
    return WireWriter().message_bytes(message)


def _send_prebuilt(job: tuple[str, int, int, bytes]) -> None:
    import smtplib

    host, port, count, data = job
    with smtplib.SMTP(host, port) as smtp:
        for n in range(count):
            smtp.sendmail("no-reply@localhost", [f"gd{n}@example.edu.vn"], data)


def _smtp_floor(count: int, workers: int) -> float:
    """Seconds the loopback server takes for `count` pre-built e-mails over `workers`
    connections in parallel: what no client can go below."""
    import multiprocessing

    from django.conf import settings

    data = _sample_message()
    shares = [count // workers + (1 if n < count % workers else 0) for n in range(workers)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_send_prebuilt, [(settings.EMAIL_HOST, settings.EMAIL_PORT, share, data) for share in shares])
    return time.perf_counter() - started


def _start_profile():
    import cProfile

    PROFILES.mkdir(parents=True, exist_ok=True)
    for old in PROFILES.glob("reminders-*.prof"):
        old.unlink()
    profile = cProfile.Profile()
    profile.enable()
    return profile


_profiles: dict = {}


def _deliver_profiled(batch: list[int]) -> int:
    """reminders_deliver that adds each batch's profile to its process's file (the
    pool's processes outlive their batches; each keeps one profile, dumped after every
    batch). Module-level, so the pool can pickle it."""
    import cProfile

    from reports.services import reminders_deliver

    profile = _profiles.setdefault(os.getpid(), cProfile.Profile())
    profile.enable()
    try:
        return reminders_deliver(batch)
    finally:
        profile.disable()
        profile.dump_stats(PROFILES / f"reminders-deliver-{os.getpid()}.prof")


def _print_profiles(top: int) -> None:
    import pstats

    print("\n== sweep (cumulative) ==")
    pstats.Stats(str(PROFILES / "reminders-sweep.prof")).sort_stats("cumulative").print_stats(top)
    files = sorted(str(path) for path in PROFILES.glob("reminders-deliver-*.prof"))
    if files:
        stats = pstats.Stats(*files)
        print(f"\n== delivery, {len(files)} process(es) summed (cumulative) ==")
        stats.sort_stats("cumulative").print_stats(top)
        print("\n== delivery (own time) ==")
        stats.sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    main()
