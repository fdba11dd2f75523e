"""A submitted version as an official "BÁO CÁO", rendered in the request for whoever may
see its receipt (another scope's version is a 404). The province's summary of a period
is a documents.PdfJob: the dashboard's button posts to documents:pdf_job_create."""

from django.http import HttpRequest, HttpResponse

from accounts.permissions import action_required
from edu_portal.files import PDF_CONTENT_TYPE, private_download

from ..pdf import version_filename, version_pdf, version_pdf_get


@action_required("reports.obligations")
def version_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_pdf_get(request.user, pk)
    return private_download(version_pdf(version), version_filename(version), content_type=PDF_CONTENT_TYPE, inline=True)
