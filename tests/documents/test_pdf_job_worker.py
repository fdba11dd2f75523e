"""The summary rendered by a real Celery worker on Redis and PostgreSQL (CI's second
pass): the job row is committed, the worker claims it, reports progress and stores the
file; the web side then serves it. transaction=True: the worker reads committed rows."""

import datetime
import os
from pathlib import Path

import pytest

from documents.models import PdfJob
from documents.services import pdf_job_start
from tests.documents import pdftools
from tests.factories import CenterFactory
from tests.reports.helpers_review import make_obligation, make_period, make_report_type
from tests.services import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_renders_the_summary(celery_worker_process, settings, province, commune, department_user):
    # The worker writes under its own MEDIA_ROOT (the environment's, or var/media).
    settings.MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", settings.BASE_DIR / "var" / "media"))
    period = make_period(make_report_type(province), due_date=datetime.date(2026, 6, 19))
    for n in range(30):
        make_obligation(period, CenterFactory(commune=commune, code=f"W{n:03d}", name=f"Trung tâm Tin học Mai {n}"))
    job = pdf_job_start(kind="reports.completeness_summary", data={"period": str(period.pk)}, by=department_user)

    assert wait_until(lambda: PdfJob.objects.get(pk=job.pk).is_finished, timeout=120)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (PdfJob.Status.DONE, 100, "")
    try:
        text = pdftools.flat(job.file.read())
        assert "Tổng số trung tâm phải báo cáo: 30." in text
        assert all(f"Trung tâm Tin học Mai {n}" in text for n in range(30))
    finally:
        job.file.delete(save=False)
