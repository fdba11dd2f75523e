"""PDFs of a directive and of a conference's minutes, rendered in the request (one
document each); scoped by the same selectors as their pages."""

from django.http import HttpRequest, HttpResponse

from accounts.permissions import action_required, require
from edu_portal.files import PDF_CONTENT_TYPE, private_download
from edu_portal.pdf import render_pdf

from ..pdf import directive_context, directive_filename, minutes_context
from ..selectors import conference_get, directive_get

# The query parameter that adds the tracking appendix ("phụ lục") to a directive's PDF.
APPENDIX_PARAM = "phu_luc"


@action_required("directives.view")
def directive_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The directive as signed. With ?phu_luc=1 (a checkbox on its page), a phụ lục lists
    who was given each task: the Department and its inspectors only, who see every
    assignee (a director asking for it gets 403: it names other centers)."""
    directive = directive_get(request.user, pk)
    appendix = request.GET.get(APPENDIX_PARAM) == "1"
    if appendix:
        require(request.user, "directives.all_tasks")
    context = directive_context(directive, appendix=appendix)
    return private_download(render_pdf("pdf/directive.html", context), directive_filename(directive),
                            content_type=PDF_CONTENT_TYPE, inline=True)


@action_required("conferences.view")
def conference_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    conference = conference_get(request.user, pk)
    content = render_pdf("pdf/conference_minutes.html", minutes_context(conference))
    return private_download(content, f"bien-ban-hoi-nghi-{conference.pk}.pdf",
                            content_type=PDF_CONTENT_TYPE, inline=True)
