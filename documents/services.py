"""Write paths of the PDF jobs: ask for one (checked by the kind's `prepare`), run it
once in Celery, and purge old files."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from edu_portal.jobs import Heartbeat, JobLost, Recovery, job_claim, job_send, job_update, jobs_recover

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
        message=_("Đang chờ đến lượt xử lý…"), attempts=1, queued_at=Now(),
    )
    pk = job.pk
    transaction.on_commit(lambda: _queue(pk))
    return job


def _queue(pk: int) -> None:
    from .tasks import pdf_job_run_task

    try:
        job_send(pdf_job_run_task, PdfJob, pk, 1)
    except Exception:  # Redis down or refusing: the page must say so at once, not spin
        logger.exception("Could not queue PDF job %s", pk)
        PdfJob.objects.filter(pk=pk, status=PdfJob.Status.PENDING).update(
            status=PdfJob.Status.FAILED, finished_at=timezone.now(), message="",
            error=_("Không gửi được yêu cầu tới hàng đợi xử lý (máy chủ hàng đợi không phản hồi). "
                    "Hãy thử lại sau ít phút hoặc báo quản trị hệ thống."),
        )


class _Progress:
    """The builder's progress callback: writes the row only when the figure or the
    message changes, so a builder may call it for every page. Raises JobLost once the job
    is no longer this run's (edu_portal.jobs): the builder stops there."""

    def __init__(self, pk: int, attempt: int):
        self.pk = pk
        self.attempt = attempt
        self.last: tuple[int, str] | None = None

    def __call__(self, percent: float, message: str = "") -> None:
        state = (max(0, min(int(percent), 99)), str(message)[:255])
        if state != self.last:
            self.last = state
            if not job_update(PdfJob, self.pk, self.attempt, progress=state[0], message=state[1]):
                raise JobLost


def pdf_job_run(*, job: PdfJob, heartbeat: bool = True) -> None:
    """Run a queued job: claim it (a duplicate message finds it taken), build the PDF as
    its creator, store the file and record the outcome, on condition that this run still
    holds the job (edu_portal.jobs); a run that lost it (it was only slow) deletes its file
    and writes nothing. `heartbeat`: stamp the job's heartbeat from a thread while it runs
    (off in eager mode)."""
    attempt = job_claim(
        PdfJob, job.pk, started_at=timezone.now(), progress=0, message=_("Đang chuẩn bị số liệu…"),
    )
    if attempt is None:
        logger.info("PDF job %s already taken", job.pk)
        return
    job.refresh_from_db()
    entry = registry.get(job.kind)
    user = job.created_by
    try:
        with Heartbeat(PdfJob, job.pk, attempt, enabled=heartbeat):
            if entry is None:
                raise PdfBuildError(_("Loại văn bản này không còn được hỗ trợ."))
            if user is None or not user.is_active:
                raise PdfBuildError(_("Tài khoản yêu cầu văn bản không còn hoạt động."))
            filename, content = entry.build(job, user, _Progress(job.pk, attempt))
    except JobLost:
        logger.warning("PDF job %s (attempt %s) was taken from this run", job.pk, attempt)
        return
    except PdfBuildError as error:
        _fail(job, attempt, str(error))
        return
    except Exception:
        logger.exception("PDF job %s (%s) failed", job.pk, job.kind)
        _fail(job, attempt, _("Lỗi hệ thống khi tạo tệp PDF. Hãy thử lại hoặc báo quản trị hệ thống."))
        return
    job.file.save("job.pdf", ContentFile(content), save=False)
    if not job_update(
        PdfJob, job.pk, attempt, status=PdfJob.Status.DONE, progress=100, message="", file=job.file.name,
        filename=filename[:255], size=len(content), finished_at=timezone.now(),
    ):
        logger.warning("PDF job %s (attempt %s) was taken from this run; its file is dropped", job.pk, attempt)
        job.file.delete(save=False)


def _fail(job: PdfJob, attempt: int, error: str) -> None:
    job_update(PdfJob, job.pk, attempt, status=PdfJob.Status.FAILED, message="", error=error,
               finished_at=timezone.now())


def pdf_jobs_recover() -> Recovery:
    """The periodic check (documents.tasks.pdf_jobs_check_task): jobs whose worker died or
    whose message was lost are queued again from the start, or failed after
    JOB_MAX_ATTEMPTS."""
    from .tasks import pdf_job_run_task

    def failed(attempts: int) -> dict:
        return {"message": "", "error": _(
            "Việc tạo tệp bị gián đoạn %(count)s lần (máy xử lý ngừng giữa chừng hoặc hàng đợi mất dữ liệu) "
            "nên đã dừng. Hãy yêu cầu tạo lại, và báo quản trị hệ thống nếu lỗi lặp lại."
        ) % {"count": attempts}}

    return jobs_recover(
        PdfJob, task=pdf_job_run_task, fail_fields=failed,
        requeue_fields={"progress": 0, "message": _("Máy xử lý bị gián đoạn; đang chờ làm lại từ đầu…")},
    )


def pdf_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs finished more than PDF_JOB_KEEP_DAYS ago (the rows stay),
    and fail jobs with no sign of life long past the task time limit: a backstop for the
    periodic check (pdf_jobs_recover), should beat have been down. Returns the number of
    files deleted."""
    now = now or timezone.now()
    Status = PdfJob.Status
    stuck_before = now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    PdfJob.objects.filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=stuck_before),
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stuck_before),
        status__in=[Status.PENDING, Status.RUNNING], created_at__lt=stuck_before,
    ).update(
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
