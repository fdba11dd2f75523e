"""The obligations pages: the "to do" list, one obligation with its submission form,
drafts saved as the director types, attachments, receipts and requests for more time.

Every object is loaded from the user's scope (centers.selectors.scope_q), so another
center's obligation, version or file is a 404. Writing is for the center's own director
(reports.services.can_submit): anyone else who can see the obligation gets a 403. The
rules are in reports.services.submissions; these views fetch, call and redirect.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView

from accounts.permissions import ActionRequiredMixin, action_required, may, require
from centers.selectors import scope_q, scoped
from edu_portal.files import UploadLimit, content_type_for, private_download
from edu_portal.views import ScopedFilterView, add_errors

from ..choices import PENDING_STATUSES, ExtensionStatus
from ..filters import ObligationFilterSet
from ..forms import AttachmentForm, ExtensionRequestForm, ReportValuesForm
from ..models import Attachment, Obligation, SubmissionVersion, local_date
from ..selectors import obligation_review_notes, obligation_versions, version_values
from ..services import (
    attachment_add,
    attachment_remove,
    draft_initial,
    draft_refusal,
    draft_save,
    extension_refusal,
    extension_request_create,
    report_schema,
    submission_refusal,
    submission_submit,
    version_verify,
)

# Loading


def obligation_rows(user) -> QuerySet[Obligation]:
    """The list's queryset: the user's scope, the joins a row shows, and the "to do"
    order: what is still owed first (earliest due first), then the rest (latest first)."""
    pending = Q(status__in=PENDING_STATUSES)
    return (
        scoped(Obligation.objects.all(), user)
        .select_related("period__report_type", "center__commune")
        .annotate(
            is_pending=Case(When(pending, then=Value(True)), default=Value(False), output_field=BooleanField()),
            pending_due=Case(When(pending, then=F("period__due_date"))),
            done_due=Case(When(~pending, then=F("period__due_date"))),
        )
        .order_by("-is_pending", "pending_due", F("done_due").desc(nulls_last=True), "center__name", "pk")
    )


def _obligation(user, pk: int) -> Obligation:
    """One obligation of the user's scope, or 404."""
    queryset = scoped(Obligation.objects.select_related("period__report_type", "center__commune"), user)
    return get_object_or_404(queryset, pk=pk)


def _detail_url(obligation: Obligation, anchor: str = "") -> str:
    return reverse("reports:obligation_detail", args=[obligation.pk]) + anchor


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# The list


class ObligationListView(ActionRequiredMixin, ScopedFilterView):
    """"Việc cần làm": every obligation of the user's scope with its due date (the
    extension's when granted), days left or late, and status. A director sees their own
    center's, a local officer their commune's, the Department and inspectors their
    province's, with filters. A fixed number of queries whatever the length."""
    action = "reports.obligations"

    filterset_class = ObligationFilterSet
    template_name = "reports/obligation_list.html"
    paginate_by = 50
    context_object_name = "obligations"

    def get_queryset(self):
        return obligation_rows(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["many_centers"] = not self.request.user.center_id
        context["today"] = local_date()
        return context


# One obligation


def _page_context(request: HttpRequest, obligation: Obligation, *, form: ReportValuesForm | None = None) -> dict:
    """What the obligation page shows: for its director an editable form while the
    report may still change; for everyone the versions, their reviews and receipts."""
    user = request.user
    is_director = may(user, "reports.submit", obligation)
    schema = report_schema(obligation.period.report_type)
    notes = obligation_review_notes(obligation)
    editable = is_director and draft_refusal(obligation) is None
    if form is None and editable:
        form = ReportValuesForm(
            schema=schema, initial=draft_initial(obligation, schema),
            comments=notes.comments_by_code if notes else None,
        )
    versions = obligation_versions(obligation)
    report_type = obligation.period.report_type
    extension_requests = list(obligation.extension_requests.select_related("requested_by", "decided_by"))
    return {
        "obligation": obligation,
        "report_type": report_type,
        "is_director": is_director,
        "editable": editable,
        "form": form if editable else None,
        "refusal": submission_refusal(obligation),
        "notes": notes,
        "versions": versions,
        "latest_values": version_values(versions[0]) if versions else [],
        "draft_attachments": list(obligation.attachments.filter(version__isnull=True).order_by("pk"))
        if is_director else [],
        "attachment_form": AttachmentForm(allowed=report_type.attachment_types, max_mb=report_type.attachment_max_mb)
        if editable and report_type.attachment_types else None,
        "extension_requests": extension_requests,
        # The service decides; this only spares the director a button that would be refused.
        "can_ask_extension": editable and obligation.first_submitted_at is None
        and not any(r.status == ExtensionStatus.PENDING for r in extension_requests),
        "can_review": may(user, "reports.review_read"),
    }


class ObligationDetailView(ActionRequiredMixin, DetailView):
    """One obligation: the submission form for its director, read-only for the others."""
    action = "reports.obligations"

    template_name = "reports/obligation_detail.html"
    context_object_name = "obligation"

    def get_object(self, queryset=None):
        return _obligation(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_page_context(self.request, self.object)}


@action_required("reports.submit")
@require_POST
def obligation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the form: a new version and its receipt, or the form again with the errors.
    A second click (same idempotency key) lands on the same receipt."""
    obligation = _obligation(request.user, pk)
    require(request.user, "reports.submit", obligation)
    notes = obligation_review_notes(obligation)
    form = ReportValuesForm(
        request.POST, schema=report_schema(obligation.period.report_type),
        comments=notes.comments_by_code if notes else None,
    )
    if form.is_valid():
        try:
            version = submission_submit(
                obligation=obligation, user=request.user, values=form.raw_values(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã nộp báo cáo (lần %(number)s). Hãy lưu lại biên nhận này.") % {
                "number": version.number,
            })
            return redirect("reports:version_receipt", pk=version.pk)
    elif "idempotency_key" in form.errors:
        form.add_error(None, _("Phiên nộp báo cáo không hợp lệ; hãy tải lại trang rồi nộp lại."))
    context = _page_context(request, obligation, form=form)
    return render(request, "reports/obligation_detail.html", context, status=200)


def _draft_session_expired(request: HttpRequest) -> HttpResponse:
    if _is_htmx(request):
        # htmx would follow the redirect and paste the login page into the status line.
        error = _("Phiên đăng nhập đã hết hạn, bản nháp chưa được lưu: hãy đăng nhập lại.")
        return render(request, "reports/obligation_draft_status.html", {"error": error})
    return redirect_to_login(request.get_full_path())


@action_required("reports.submit", anonymous=_draft_session_expired)
@require_POST
def obligation_draft_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft. htmx posts here a second after the director stops typing and
    swaps in "Đã lưu nháp lúc HH:MM"; without JavaScript the "Lưu nháp" button does."""
    obligation = _obligation(request.user, pk)
    require(request.user, "reports.submit", obligation)
    schema = report_schema(obligation.period.report_type)
    values = {spec["code"]: request.POST.get(spec["code"], "") for spec in schema}
    try:
        saved_at = draft_save(obligation=obligation, user=request.user, values=values)
    except ValidationError as error:
        if _is_htmx(request):
            return render(request, "reports/obligation_draft_status.html", {"error": " ".join(error.messages)})
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(obligation))
    if _is_htmx(request):
        return render(request, "reports/obligation_draft_status.html", {"saved_at": saved_at})
    messages.success(request, _("Đã lưu nháp lúc %(time)s.") % {
        "time": timezone.localtime(saved_at).strftime("%H:%M"),
    })
    return redirect(_detail_url(obligation))


# Attachments


@action_required("reports.submit")
@csrf_exempt
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to the draft. The size limit is installed before anything reads the
    body, so the CSRF check (which reads it) runs right after, as for the registry import."""
    obligation = _obligation(request.user, pk)
    require(request.user, "reports.submit", obligation)
    report_type = obligation.period.report_type
    limit = UploadLimit(request, report_type.attachment_max_mb * 1024 * 1024)
    request.upload_handlers.insert(0, limit)
    return csrf_protect(_attachment_upload)(request, obligation, limit)


def _attachment_upload(request: HttpRequest, obligation: Obligation, limit: UploadLimit) -> HttpResponse:
    report_type = obligation.period.report_type
    form = AttachmentForm(request.POST, request.FILES, allowed=report_type.attachment_types,
                          max_mb=report_type.attachment_max_mb)
    if limit.exceeded:
        messages.error(request, _("Tệp lớn hơn giới hạn %(limit)s MB.") % {"limit": report_type.attachment_max_mb})
    elif not form.is_valid():
        messages.error(request, " ".join(form.errors.get("file", [_("Không nhận được tệp.")])))
    else:
        try:
            attachment = attachment_add(obligation=obligation, user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã đính kèm «%(name)s».") % {"name": attachment.original_name})
    return redirect(_detail_url(obligation, "#attachments"))


def _attachment(user, pk: int) -> Attachment:
    """A file of the user's scope. A draft's files are the center's own until submitted:
    for anyone but its director they do not exist yet."""
    queryset = Attachment.objects.filter(scope_q(user, "obligation__center__")).select_related("obligation")
    attachment = get_object_or_404(queryset, pk=pk)
    if attachment.version_id is None and not may(user, "reports.submit", attachment.obligation):
        raise Http404
    return attachment


@action_required("reports.obligations")
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a file under its original name, as a download, never inline: the portal
    does not serve MEDIA_ROOT."""
    attachment = _attachment(request.user, pk)
    return private_download(attachment.file, attachment.original_name,
                            content_type=content_type_for(attachment.file_type))


@action_required("reports.submit")
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a file off the draft (only before it is submitted)."""
    attachment = _attachment(request.user, pk)
    require(request.user, "reports.submit", attachment.obligation)
    try:
        attachment_remove(attachment=attachment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã bỏ tệp «%(name)s».") % {"name": attachment.original_name})
    return redirect(_detail_url(attachment.obligation, "#attachments"))


# Receipts


class VersionReceiptView(ActionRequiredMixin, DetailView):
    """The receipt of a submitted version, to print or keep: who, when, the content hash,
    the values as submitted (labelled from the version's own frozen fields), the files
    and their hashes, and whether it came on time."""
    action = "reports.obligations"

    template_name = "reports/obligation_receipt.html"
    context_object_name = "version"

    def get_object(self, queryset=None):
        versions = SubmissionVersion.objects.filter(scope_q(self.request.user, "obligation__center__")).select_related(
            "obligation__period__report_type", "obligation__center__commune", "submitted_by",
        )
        return get_object_or_404(versions, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        version = self.object
        return super().get_context_data(
            obligation=version.obligation,
            values=version_values(version),
            attachments=list(version.attachments.order_by("pk")),
            verified=version_verify(version),
            **kwargs,
        )


# Extensions


class ExtensionRequestCreateView(ActionRequiredMixin, FormView):
    """A director asks for more time: a reason and a date after the due date."""
    action = "reports.submit"

    template_name = "reports/obligation_extension.html"
    form_class = ExtensionRequestForm

    def load_objects(self, request, *args, **kwargs):
        self.obligation = _obligation(request.user, kwargs["pk"])
        require(request.user, "reports.submit", self.obligation)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            obligation=self.obligation,
            pending=self.obligation.extension_requests.filter(status=ExtensionStatus.PENDING).first(),
            refusal=extension_refusal(self.obligation),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            extension_request_create(
                obligation=self.obligation, user=self.request.user, reason=form.cleaned_data["reason"],
                requested_until=form.cleaned_data["requested_until"],
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã gửi đề nghị gia hạn; Sở sẽ trả lời trên trang này."))
        return redirect(_detail_url(self.obligation))


__all__ = [
    "ExtensionRequestCreateView",
    "ObligationDetailView",
    "ObligationListView",
    "VersionReceiptView",
    "attachment_delete",
    "attachment_download",
    "attachment_upload",
    "obligation_draft_save",
    "obligation_rows",
    "obligation_submit",
]
