#!/usr/bin/env python
"""Time the official PDFs (shared/performance.md: a one-page official PDF in a warm
process within 100 ms): the median of 5 renders of each case, after one warm-up, plus the
very first render of the process (fonts and stylesheet loaded, templates compiled).

Cases (add one by appending to CASES in run()):
- a one-page licence decision (centers.pdf), context built from the database each time;
- the completeness summary of a period owed by 1,000 centers (reports.pdf), as the
  Celery job renders it: the counts, the list of every center, the layout;
- all the decisions of one commune in one file (render_pdf_documents);
- a one-page directive (conferences.pdf: a notice of conclusions with two tasks) and the
  minutes of a conference.

It runs against a throwaway database: a temporary SQLite file, or a test database on the
PostgreSQL server named by DATABASE_URL. Nothing touches the development data.

    .venv/bin/python bench/pdf_bench.py [--centers 1000] [--repeat 5]
"""

import argparse
import datetime
import os
import statistics
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
    parser = argparse.ArgumentParser(description="Time the official PDFs.")
    parser.add_argument("--centers", type=int, default=1000, help="centers owing the summarised period")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # no query log in memory
    tmp = tempfile.TemporaryDirectory()
    settings.MEDIA_ROOT = Path(tmp.name) / "media"
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


def make_data(count: int):
    """`count` centers of one province (centers.loadgen, as generate_load makes them), a
    period they all owe, and a mix of states: 55 % on time, 15 % late (2 % of all
    returned), 30 % missing."""
    from django.utils import timezone

    from accounts.models import User
    from centers.choices import CenterKind, DocumentKind
    from centers.loadgen import load_generate
    from centers.models import Center, LicenceDocument
    from reports.choices import Frequency, ObligationStatus
    from reports.models import Obligation, ReportType
    from reports.services import period_create

    load_generate(centers=count, years=5, province_count=1, prefix="PB")
    centers = list(Center.objects.order_by("pk")[:count])
    province = centers[0].province
    user = User.objects.create(username="bench", role=User.Role.DEPARTMENT, province=province, full_name="Bench")
    report_type = ReportType.objects.create(
        province=province, code="BENCH", title="Báo cáo tình hình hoạt động 6 tháng",
        center_kinds=list(CenterKind.values), frequency=Frequency.SIX_MONTHLY, starts_on=datetime.date(2026, 1, 1),
    )
    due = timezone.localdate() - datetime.timedelta(days=20)
    period, _ = period_create(report_type=report_type, label="6 tháng đầu năm 2026",
                              data_from=due - datetime.timedelta(days=186), data_to=due - datetime.timedelta(days=5),
                              due_date=due)
    at_noon = datetime.time(10, 0)
    obligations = []
    for n, center in enumerate(centers):
        share = n % 100
        obligation = Obligation(period=period, center=center)
        if share < 70:
            day = due - datetime.timedelta(days=2) if share < 55 else due + datetime.timedelta(days=1 + share % 9)
            obligation.first_submitted_at = timezone.make_aware(datetime.datetime.combine(day, at_noon))
            obligation.status = ObligationStatus.RETURNED if share in (55, 56) else ObligationStatus.SUBMITTED
        obligations.append(obligation)
    Obligation.objects.bulk_create(obligations, batch_size=1000)
    decision = (
        LicenceDocument.objects.filter(kind=DocumentKind.ESTABLISHMENT_OPERATION, center__province=province)
        .exclude(center__investor_name="").order_by("pk").first()
    )
    # The commune with the most decisions, for the bulk file.
    from django.db.models import Count

    commune_id = (
        LicenceDocument.objects.filter(kind__in=["establishment", "establishment_operation", "operation",
                                                 "registration"], center__province=province)
        .values("center__commune_id").annotate(n=Count("pk")).order_by("-n").first()["center__commune_id"]
    )
    return user, period, decision, commune_id


def make_directive(user):
    """An issued notice of conclusions with two tasks, and its conference."""
    from conferences.models import Conference, Directive, Task
    from conferences.services import directive_issue, directive_save, task_save

    conference = Conference.objects.create(
        province=user.province, kind="launch", title="Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học",
        held_on=datetime.date(2022, 10, 26), host_unit="Sở Giáo dục và Đào tạo", chair_name="Nguyễn Hữu Bình",
        chair_position="Phó Giám đốc Sở GDĐT", speeches_count=19,
        topics="Giải pháp tháo gỡ khó khăn\nCông tác cải cách thủ tục hành chính",
        conclusions="Giao Phòng Giáo dục Tiểu học phối hợp với các Phòng liên quan xây dựng văn bản chỉ đạo.",
    )
    directive = directive_save(directive=Directive(
        doc_type="thong_bao_ket_luan", conference=conference,
        subject="Kết luận của Phó Giám đốc Sở tại Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học",
        body="Ngày 26/10/2022, Sở GDĐT tổ chức Hội nghị triển khai nhiệm vụ các trung tâm.\n"
             "Phó Giám đốc Sở kết luận như sau:",
        recipients="Các phòng thuộc Sở;\nUBND các xã, phường;\nLưu: VT, GDTX.",
        signing_prefix="KT.", signer_position="PHÓ GIÁM ĐỐC", signer_name="Nguyễn Hữu Bình",
    ), user=user)
    for text in ("Rà soát các trung tâm chưa được cấp phép nhưng đã hoạt động, báo cáo Sở GDĐT.",
                 "Xây dựng văn bản chỉ đạo tăng cường công tác quản lý các trung tâm."):
        task_save(task=Task(directive=directive, text=text, lead_unit="UBND các xã, phường",
                            deadline=datetime.date.today() + datetime.timedelta(days=30)), user=user)
    return directive_issue(directive=directive, user=user), conference


def timed(function, repeat: int) -> tuple[float, list[float], bytes]:
    """(first call, the next `repeat` calls, the last output), in seconds."""
    started = time.perf_counter()
    output = function()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        output = function()
        times.append(time.perf_counter() - started)
    return first, times, output


def page_count(data: bytes) -> str:
    """Pages of a PDF, by pdfinfo (poppler-utils) when it is installed."""
    import subprocess

    try:
        result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return line.split()[1]
    return "?"


def run(args) -> None:
    from django.db import connection

    from centers.models import LicenceDocument
    from centers.pdf import TEMPLATE, commune_decisions, licence_decision_context
    from edu_portal.pdf import render_pdf, render_pdf_documents
    from conferences.models import Conference, Directive
    from conferences.pdf import directive_context, minutes_context
    from reports.pdf import SUMMARY_TEMPLATE, summary_context

    started = time.perf_counter()
    user, period, decision, commune_id = make_data(args.centers)
    directive, conference = make_directive(user)
    print(f"database: {connection.vendor}; data made in {time.perf_counter() - started:.1f} s")

    def directive_pdf() -> bytes:
        return render_pdf("pdf/directive.html", directive_context(Directive.objects.get(pk=directive.pk)))

    def minutes_pdf() -> bytes:
        return render_pdf("pdf/conference_minutes.html", minutes_context(Conference.objects.get(pk=conference.pk)))

    def licence_decision() -> bytes:
        document = LicenceDocument.objects.select_related("center__province", "center__commune").get(pk=decision.pk)
        return render_pdf(TEMPLATE, licence_decision_context(document))

    def completeness_summary() -> bytes:
        return render_pdf(SUMMARY_TEMPLATE, summary_context(period, user))

    def commune_file() -> bytes:
        documents = commune_decisions(user, commune_id)
        return render_pdf_documents(((TEMPLATE, licence_decision_context(d)) for d in documents),
                                    total=documents.count())

    cases = [
        ("licence decision, 1 page", licence_decision),
        ("directive (notice of conclusions, 2 tasks)", directive_pdf),
        ("conference minutes", minutes_pdf),
        (f"completeness summary, {args.centers} centers", completeness_summary),
        (f"decisions of one commune ({commune_decisions(user, commune_id).count()} in one file)", commune_file),
    ]
    print(f"{'case':<48} {'pages':>5} {'KB':>6} {'first':>8} {'median':>8} {'min':>8} {'max':>8}")
    for name, function in cases:
        first, times, output = timed(function, args.repeat)
        pages = page_count(output)
        print(f"{name:<48} {pages:>5} {len(output) / 1024:>6.0f} {first * 1000:>6.0f}ms "
              f"{statistics.median(times) * 1000:>6.0f}ms {min(times) * 1000:>6.0f}ms {max(times) * 1000:>6.0f}ms")


if __name__ == "__main__":
    main()
