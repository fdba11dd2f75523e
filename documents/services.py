"""Write paths of the PDF jobs: ask for one (checked by the kind's `prepare`), run it
once in Celery, and purge old files."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .models import PdfJob
from .registry import PdfBuildError

logger = logging.getLogger(__name__)

# Files are kept this many days after the job finished; the row stays.
PDF_JOB_KEEP_DAYS = getattr(settings, "PDF_JOB_KEEP_DAYS", 7)


def pdf_job_start(*, kind: str, data: Mapping[str, str], by) -> PdfJob:
    """Check the request with the kind's `prepare` (PermissionDenied: 403, Http404:
    outside the user's scope or an unknown kind), record the job and queue it once the
    row is committed."""
    entry = registry.get(kind)
    if entry is None:
        raise Http404("Unknown PDF kind")
    prepared = entry.prepare(by, data)
    job = PdfJob.objects.create(
        kind=kind, params=prepared.params, title=prepared.title[:255], created_by=by,
        province_id=None if by.is_superuser else by.province_id,
        message=_("Đang chờ đến lượt xử lý…"),
    )
    pk = job.pk
    transaction.on_commit(lambda: _queue(pk))
    return job


def _queue(pk: int) -> None:
    from .tasks import pdf_job_run_task

    try:
        pdf_job_run_task.delay(pk)
    except Exception:  # Redis down or refusing: the page must say so, not spin forever
        logger.exception("Could not queue PDF job %s", pk)
        PdfJob.objects.filter(pk=pk, status=PdfJob.Status.PENDING).update(
            status=PdfJob.Status.FAILED, finished_at=timezone.now(), message="",
            error=_("Không gửi được yêu cầu tới hàng đợi xử lý (máy chủ hàng đợi không phản hồi). "
                    "Hãy thử lại sau ít phút hoặc báo quản trị hệ thống."),
        )


class _Progress:
    """The builder's progress callback: writes the row only when the figure or the
    message changes, so a builder may call it for every page."""

    def __init__(self, pk: int):
        self.pk = pk
        self.last: tuple[int, str] | None = None

    def __call__(self, percent: float, message: str = "") -> None:
        state = (max(0, min(int(percent), 99)), str(message)[:255])
        if state != self.last:
            self.last = state
            PdfJob.objects.filter(pk=self.pk, status=PdfJob.Status.RUNNING).update(
                progress=state[0], message=state[1],
            )


def pdf_job_run(*, job: PdfJob) -> None:
    """Run a queued job once: claim it (a redelivered message finds it taken), build the
    PDF as its creator, store the file and record the outcome."""
    claimed = PdfJob.objects.filter(pk=job.pk, status=PdfJob.Status.PENDING).update(
        status=PdfJob.Status.RUNNING, started_at=timezone.now(), progress=0, message=_("Đang chuẩn bị số liệu…"),
    )
    if not claimed:
        logger.info("PDF job %s already taken", job.pk)
        return
    job.refresh_from_db()
    entry = registry.get(job.kind)
    user = job.created_by
    try:
        if entry is None:
            raise PdfBuildError(_("Loại văn bản này không còn được hỗ trợ."))
        if user is None or not user.is_active:
            raise PdfBuildError(_("Tài khoản yêu cầu văn bản không còn hoạt động."))
        filename, content = entry.build(job, user, _Progress(job.pk))
    except PdfBuildError as error:
        _fail(job, str(error))
        return
    except Exception:
        logger.exception("PDF job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("Lỗi hệ thống khi tạo tệp PDF. Hãy thử lại hoặc báo quản trị hệ thống."))
        return
    job.file.save("job.pdf", ContentFile(content), save=False)
    PdfJob.objects.filter(pk=job.pk).update(
        status=PdfJob.Status.DONE, progress=100, message="", file=job.file.name,
        filename=filename[:255], size=len(content), finished_at=timezone.now(),
    )


def _fail(job: PdfJob, error: str) -> None:
    PdfJob.objects.filter(pk=job.pk).update(
        status=PdfJob.Status.FAILED, message="", error=error, finished_at=timezone.now(),
    )


def pdf_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs finished more than PDF_JOB_KEEP_DAYS ago (the rows stay),
    and fail jobs stuck long past the task time limit, e.g. after a worker was killed.
    Returns the number of files deleted."""
    now = now or timezone.now()
    Status = PdfJob.Status
    stuck_before = now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    PdfJob.objects.filter(status__in=[Status.PENDING, Status.RUNNING], created_at__lt=stuck_before).update(
        status=Status.FAILED, finished_at=now, message="",
        error=_("Việc tạo tệp bị dừng giữa chừng và đã được hủy; hãy yêu cầu lại."),
    )
    expired = PdfJob.objects.filter(
        status__in=[Status.DONE, Status.FAILED], finished_at__lt=now - datetime.timedelta(days=PDF_JOB_KEEP_DAYS),
    ).exclude(file="")
    deleted = 0
    for job in expired.iterator():
        job.file.delete(save=False)
        PdfJob.objects.filter(pk=job.pk).update(file="")
        deleted += 1
    return deleted
