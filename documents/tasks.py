"""Celery tasks of the PDF jobs: thin wrappers that load by id and call documents.services."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


# Safe to redo (rendering writes nothing; the file is recorded only while the run holds
# the job): acknowledged when it ends, and given back to the queue when its worker process
# dies before it. A message delivered again runs the job only if it is still pending; a job
# whose run died is taken up by the periodic check. Routed to the "long" queue
# (settings.CELERY_TASK_ROUTES).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def pdf_job_run_task(self, job_id: int) -> None:
    """Render one queued PDF job; a duplicate message finds it already claimed."""
    from .models import PdfJob
    from .services import pdf_job_run

    job = PdfJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("PDF job %s no longer exists", job_id)
        return
    pdf_job_run(job=job, heartbeat=not self.request.is_eager)


@shared_task
def pdf_jobs_check_task() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): queue again, or fail, the PDF jobs whose
    worker died or whose message the broker lost."""
    from .services import pdf_jobs_recover

    result = pdf_jobs_recover()
    return {"requeued": result.requeued, "failed": result.failed, "unsent": result.unsent}


@shared_task
def pdf_job_purge_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete old PDF files, fail stuck jobs."""
    from .services import pdf_jobs_purge

    return pdf_jobs_purge()
