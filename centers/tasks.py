"""Celery tasks of the registry: thin wrappers that load by id and call centers.imports."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


# Safe to redo (the rows are committed with the job's "done", on condition the run still
# holds it): acknowledged when it ends, and given back to the queue when its worker process
# dies before it. A message delivered again runs the job only if it is still pending; a job
# whose run died is taken up by the periodic check. Routed to the "long" queue
# (settings.CELERY_TASK_ROUTES).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def center_import_run_task(self, import_id: int) -> None:
    """Run one queued registry import; a duplicate message finds it already claimed."""
    from .imports import center_import_run
    from .models import CenterImport

    center_import = CenterImport.objects.filter(pk=import_id).first()
    if center_import is None:
        logger.warning("Center import %s no longer exists", import_id)
        return
    center_import_run(center_import=center_import, heartbeat=not self.request.is_eager)


@shared_task
def center_imports_check_task() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): queue again, or fail, the imports whose worker
    died or whose message the broker lost."""
    from .imports import center_imports_recover

    result = center_imports_recover()
    return {"requeued": result.requeued, "failed": result.failed, "unsent": result.unsent}


@shared_task
def center_import_purge_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete old import uploads, fail stuck imports."""
    from .imports import center_imports_purge

    return center_imports_purge()
