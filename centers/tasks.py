"""Celery tasks of the registry: thin wrappers that load by id and call centers.imports."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def center_import_run_task(import_id: int) -> None:
    """Run one queued registry import; a redelivered message finds it already claimed."""
    from .imports import center_import_run
    from .models import CenterImport

    center_import = CenterImport.objects.filter(pk=import_id).first()
    if center_import is None:
        logger.warning("Center import %s no longer exists", import_id)
        return
    center_import_run(center_import=center_import)


@shared_task
def center_import_purge_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete old import uploads, fail stuck imports."""
    from .imports import center_imports_purge

    return center_imports_purge()
