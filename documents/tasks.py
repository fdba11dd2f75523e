"""Celery tasks of the PDF jobs: thin wrappers that load by id and call documents.services."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def pdf_job_run_task(job_id: int) -> None:
    """Render one queued PDF job; a redelivered message finds it already claimed."""
    from .models import PdfJob
    from .services import pdf_job_run

    job = PdfJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("PDF job %s no longer exists", job_id)
        return
    pdf_job_run(job=job)


@shared_task
def pdf_job_purge_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete old PDF files, fail stuck jobs."""
    from .services import pdf_jobs_purge

    return pdf_jobs_purge()
