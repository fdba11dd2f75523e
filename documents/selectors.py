"""Who may follow and download a PDF job."""

from django.db.models import Q, QuerySet

from accounts.models import User

from .models import PdfJob


def pdf_jobs_visible_to(user) -> QuerySet[PdfJob]:
    """The jobs the user asked for, and for department staff every job of their province
    (a colleague's summary, a local officer's file of their commune). Anyone else gets a
    404 for a job that is not theirs."""
    jobs = PdfJob.objects.select_related("created_by")
    if not getattr(user, "is_authenticated", False):
        return jobs.none()
    if user.is_superuser:
        return jobs
    visible = Q(created_by=user)
    if user.role == User.Role.DEPARTMENT and user.province_id:
        visible |= Q(province_id=user.province_id)
    return jobs.filter(visible)
