"""PDFs of a directive and of a conference's minutes, rendered in the request (one
document each); scoped by the same selectors as their pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from edu_portal.pdf import pdf_response, render_pdf

from ..pdf import directive_context, directive_filename, minutes_context
from ..selectors import conference_get, directive_get


@login_required
def directive_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    directive = directive_get(request.user, pk)
    return pdf_response(render_pdf("pdf/directive.html", directive_context(directive)), directive_filename(directive))


@login_required
def conference_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    conference = conference_get(request.user, pk)
    content = render_pdf("pdf/conference_minutes.html", minutes_context(conference))
    return pdf_response(content, f"bien-ban-hoi-nghi-{conference.pk}.pdf")
