"""Registry upkeep on the center's page, for department staff: add a licence document,
record a new director, change the status, each with its decision. The register's rules
are the services' (centers.services); a page opened before someone else changed the row
it edits is refused with what changed (edu_portal.concurrency), status 409.

The center comes from the user's scope (another province's is a 404); only those who keep
the register may write (inspectors, directors and local officers get 403).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, UpdateView

from accounts.permissions import ActionRequiredMixin
from edu_portal.concurrency import (
    EditConflict,
    EditConflictViewMixin,
    edit_conflict_response,
)
from edu_portal.params import parse_int
from edu_portal.views import add_errors

from ..forms import (
    CenterStatusForm,
    DirectorAppointForm,
    DirectorVersionForm,
    LicenceDocumentForm,
)
from ..models import Center, Director
from ..selectors import center_get
from ..services import center_status_change, director_appoint, licence_document_create


class UpkeepMixin(ActionRequiredMixin):
    """For staff only (403), the center of the URL within the user's scope (404)."""

    action = "registry.manage"

    def load_objects(self, request, *args, **kwargs):
        self.center = center_get(request.user, kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(center=self.center, **kwargs)

    def get_success_url(self):
        return reverse("centers:center_detail", args=[self.center.pk])


def _issuer_of(user) -> str:
    return _("Sở GDĐT %(province)s") % {"province": user.province.name} if user.province_id else ""


class LicenceDocumentCreateView(UpkeepMixin, FormView):
    """Add a decision or certificate; a licence makes a not-yet-licensed center operating."""

    template_name = "centers/licence_document_form.html"
    form_class = LicenceDocumentForm

    def get_initial(self):
        return {"issuer": _issuer_of(self.request.user)}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        status = self.center.status
        try:
            document = licence_document_create(center=self.center, by=self.request.user, **fields)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        self.center.refresh_from_db(fields=["status"])
        text = _("Đã ghi %(kind)s số %(number)s.") % {"kind": document.get_kind_display().lower(),
                                                      "number": document.number}
        if self.center.status != status:
            text += " " + _("Trạng thái của trung tâm: %(status)s.") % {"status": self.center.get_status_display()}
        messages.success(self.request, text)
        return super().form_valid(form)

    def get_success_url(self):
        return super().get_success_url() + "#documents"


class DirectorAppointView(UpkeepMixin, FormView):
    """Record a new director with the recognition decision, through director_appoint (the
    previous director's tenure, and their account's access, end the day before).

    The page carries the version of the current director's row (the one this appointment
    ends), and names it in `current_director`: if someone else changed that row or
    recorded a director meanwhile, nothing is written and the page shows the register as
    it is now (409)."""

    template_name = "centers/director_form.html"
    form_class = DirectorAppointForm

    def _current(self, *, lock: bool = False) -> Director | None:
        directors = Director.objects.filter(center=self.center, ended_on__isnull=True)
        if lock:
            directors = directors.select_for_update()
        return directors.first()

    def get_initial(self):
        return {"recognition_issuer": _issuer_of(self.request.user)}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["previous"] = getattr(self, "current", None) or self._current()
        return kwargs

    def get_context_data(self, **kwargs):
        current = kwargs.pop("current", None) or self._current()
        if "version_form" not in kwargs:
            kwargs["version_form"] = DirectorVersionForm(instance=current) if current else None
        return super().get_context_data(current=current, **kwargs)

    def post(self, request, *args, **kwargs):
        # The appointment ends the current director's row: lock it for the request's
        # transaction, then check it is the one the page showed, unchanged.
        self.current = self._current(lock=True)
        seen_pk = parse_int(request.POST.get("current_director"))
        seen = Director.objects.filter(center=self.center, pk=seen_pk).first() if seen_pk else None
        form = self.get_form()
        conflict = None
        if seen is not None:
            version_form = DirectorVersionForm(request.POST, instance=seen)
            if not version_form.is_valid() and version_form.edit_conflict is not None:
                conflict = version_form.edit_conflict
        elif self.current is not None:
            # The page showed no current director; one was recorded since.
            conflict = EditConflict(unknown_version=False)
        if conflict is not None or (seen is not None and seen != self.current):
            return self._conflict(form, conflict or EditConflict())
        if not form.is_valid():
            return self.form_invalid(form)
        return self.form_valid(form)

    def _conflict(self, form, conflict: EditConflict):
        form.is_valid()  # keep what was typed, with its own errors
        form.add_error(None, " ".join(part for part in (_(
            "Trong lúc bạn nhập, giám đốc của trung tâm đã được ghi hoặc sửa ở nơi khác; chưa có gì được lưu."
        ), conflict.saved_line(), _("Hãy xem giám đốc đương nhiệm dưới đây rồi lưu lại.")) if part))
        version = DirectorVersionForm(instance=self.current) if self.current else None
        context = self.get_context_data(form=form, version_form=version, current=self.current)
        return edit_conflict_response(self.render_to_response(context))

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            director = director_appoint(center=self.center, by=self.request.user, **fields)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        text = _("Đã ghi %(name)s là giám đốc từ ngày %(date)s.") % {
            "name": director.full_name, "date": director.started_on.strftime("%d/%m/%Y"),
        }
        if self.current is not None:
            self.current.refresh_from_db(fields=["ended_on"])
            text += " " + _("%(name)s giữ chức đến hết ngày %(date)s.") % {
                "name": self.current.full_name, "date": self.current.ended_on.strftime("%d/%m/%Y"),
            }
        messages.success(self.request, text)
        return super().form_valid(form)

    def get_success_url(self):
        return super().get_success_url() + "#directors"


class CenterStatusChangeView(UpkeepMixin, EditConflictViewMixin, UpdateView):
    """Change the status with its decision, through center_status_change. The form holds
    the center's version: a status changed by someone else since is a 409."""

    template_name = "centers/center_status_form.html"
    form_class = CenterStatusForm
    model = Center

    def get_object(self, queryset=None):
        return self.center

    def form_valid(self, form):
        try:
            change = center_status_change(
                center=form.instance, status=form.cleaned_data["status"],
                effective_on=form.cleaned_data["effective_on"], reason=form.cleaned_data["reason"],
                decision=form.decision(), by=self.request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã ghi trạng thái «%(status)s» từ ngày %(date)s.") % {
            "status": change.get_new_status_display(), "date": change.effective_on.strftime("%d/%m/%Y"),
        })
        return redirect(self.get_success_url())
