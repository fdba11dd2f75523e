"""Ask for a large PDF, follow it while Celery renders it, download it.

A job is seen only by its creator and by the department staff of the creator's province
(documents.selectors); anyone else gets a 404. Who may ask for which PDF is decided by
the kind's `prepare` (documents.registry): 403 for a role that may not, 404 outside the
scope.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from accounts.permissions import ActionRequiredMixin, action_required
from edu_portal.files import PDF_CONTENT_TYPE, private_download

from .models import PdfJob
from .selectors import pdf_jobs_visible_to
from .services import PDF_JOB_KEEP_DAYS, pdf_job_start


@action_required("portal.use")
@require_POST
def pdf_job_create(request: HttpRequest) -> HttpResponse:
    """Queue the PDF named by `kind`, with the POST as its parameters, and go to its
    status page."""
    job = pdf_job_start(kind=request.POST.get("kind", ""), data=request.POST, by=request.user)
    return redirect(job)


class PdfJobStatusView(ActionRequiredMixin, DetailView):
    """Progress and outcome of a PDF job. htmx polls the fragment every second, and the
    answer 286 (htmx's "stop polling") ends it once the job is finished."""
    action = "portal.use"

    template_name = "documents/pdf_job_status.html"
    fragment_template_name = "documents/pdf_job_progress.html"
    context_object_name = "job"

    def get_queryset(self):
        return pdf_jobs_visible_to(self.request.user)

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return [self.fragment_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(keep_days=PDF_JOB_KEEP_DAYS, **kwargs)
        if not self.request.headers.get("HX-Request"):
            context["recent_jobs"] = (
                PdfJob.objects.filter(created_by=self.request.user).exclude(pk=self.object.pk)[:5]
            )
        return context

    def render_to_response(self, context, **response_kwargs):
        if self.request.headers.get("HX-Request") and self.object.is_finished:
            response_kwargs["status"] = 286
        return super().render_to_response(context, **response_kwargs)


@action_required("portal.use")
def pdf_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished file, under its Vietnamese name, never cached by a shared proxy."""
    job = get_object_or_404(pdf_jobs_visible_to(request.user), pk=pk, status=PdfJob.Status.DONE)
    if not job.file:
        raise Http404  # purged after PDF_JOB_KEEP_DAYS
    return private_download(job.file, job.filename or "van-ban.pdf", content_type=PDF_CONTENT_TYPE)
