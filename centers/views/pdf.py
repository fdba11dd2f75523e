"""The registry's official PDFs. A decision is rendered in the request for anyone who
can see its center (404 otherwise). The file of all the decisions of a commune is a
documents.PdfJob: this page shows what it will hold, and its button asks documents for
the job."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.permissions import ActionRequiredMixin, action_required
from edu_portal.params import parse_int
from edu_portal.files import PDF_CONTENT_TYPE, private_download
from edu_portal.pdf import render_pdf
from geo.collation import UNIT_ORDERING

from ..pdf import (
    TEMPLATE,
    commune_decisions,
    decision_filename,
    licence_decision_context,
    licence_decision_get,
)
from ..selectors import center_get, communes_visible_to


@action_required("registry.view")
def licence_document_pdf(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """One decision of a center, in the state format, shown in the browser."""
    center = center_get(request.user, pk)  # 404 outside the user's scope
    document = licence_decision_get(request.user, center, doc_pk)
    return private_download(render_pdf(TEMPLATE, licence_decision_context(document)), decision_filename(document),
                            content_type=PDF_CONTENT_TYPE, inline=True)


class CommuneChoiceForm(forms.Form):
    """The commune whose decisions go into one file (kept beside its only view)."""

    commune = forms.ModelChoiceField(
        label=_("Xã/Phường"), queryset=None, empty_label=_("Chọn xã, phường"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_visible_to(user).order_by(*UNIT_ORDERING)


class CommuneDecisionsView(ActionRequiredMixin, TemplateView):
    """/centers/decisions-pdf/?commune=<id>: how many decisions the commune's file will
    hold, and the button that asks for it (department staff; a local officer for their
    own commune)."""
    action = "registry.commune_decisions"

    template_name = "centers/commune_decisions_pdf.html"


    def get_context_data(self, **kwargs):
        user = self.request.user
        communes = communes_visible_to(user)
        chosen = self.request.GET.get("commune", "")
        if not chosen and user.commune_id:
            chosen = str(user.commune_id)
        commune = None
        if chosen:
            commune_id = parse_int(chosen)
            if commune_id is None:
                raise Http404
            commune = get_object_or_404(communes, pk=commune_id)
        documents = commune_decisions(user, commune.pk) if commune else None
        return super().get_context_data(
            form=CommuneChoiceForm(initial={"commune": commune}, user=user),
            commune=commune,
            count=documents.count() if documents is not None else 0,
            preview=list(documents[:10]) if documents is not None else [],
            **kwargs,
        )
