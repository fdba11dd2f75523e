"""The Department's review of submitted reports and of requests for more time.

Scope first, then the role: an obligation outside the user's scope is a 404; inside it,
directors and local officers get a 403 (their pages are the obligation pages), inspectors
read but every action answers 403. The decisions are reports.services.reviews.
"""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts.permissions import ActionRequiredMixin, action_required, may, require
from edu_portal.views import ScopedFilterView

from ..choices import ObligationStatus
from ..filters import ReviewQueueFilterSet
from ..models import ExtensionRequest, Obligation
from ..selectors import (
    AWAITING_REVIEW,
    display_value,
    extension_requests_decided,
    extension_requests_pending,
    obligation_for_review,
    obligation_timeliness,
    obligation_versions,
    obligations_visible_to,
    review_queue,
    version_diff,
    version_values,
)
from ..services import (
    ReviewConflict,
    extension_decide,
    submission_accept,
    submission_return,
)

# Forms (kept beside their only views)


class ReviewDecisionForm(forms.Form):
    """What the reviewer saw: the version and the obligation's revision, so a decision
    taken on a page that someone else's decision made stale is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    expected_revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action: str = "", **kwargs):
        # Both decision forms sit on one page: keep their element ids apart.
        kwargs.setdefault("auto_id", "accept_%s")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            "version", "expected_revision",
            StrictButton(_("Chấp nhận báo cáo"), type="submit", css_class="btn-success"),
        )


class ReturnForm(ReviewDecisionForm):
    """A general reason and one optional comment per field the version answered."""

    reason = forms.CharField(
        label=_("Lý do trả lại (chung)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, version=None, action: str = "", **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, action=action, **kwargs)
        self.comment_fields: dict[str, str] = {}
        for spec in version.schema if version is not None else []:
            name = f"comment__{spec['code']}"
            self.comment_fields[name] = spec["code"]
            self.fields[name] = forms.CharField(
                label=spec.get("label") or spec["code"], required=False,
                # Three lines: a comment explains what to fix, and one line hid it (issue 13).
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Đã nộp: %(value)s") % {"value": display_value(spec, version.values.get(spec["code"]))},
            )
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            "version", "expected_revision", "reason",
            Div(*self.comment_fields, css_class="review-field-comments"),
            StrictButton(_("Trả lại để sửa"), type="submit", css_class="btn-danger"),
        )

    def field_comments(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(name, "") for name, code in self.comment_fields.items()}


class ExtensionDecisionForm(forms.Form):
    """Grant (to the date asked, or another) or refuse with an answer."""

    decision = forms.ChoiceField(choices=[("grant", _("Cho gia hạn")), ("refuse", _("Không chấp thuận"))])
    until = forms.DateField(
        label=_("Gia hạn đến ngày"), required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        help_text=_("Để trống: theo ngày trung tâm đề nghị."),
    )
    answer = forms.CharField(
        label=_("Trả lời trung tâm"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi không chấp thuận."),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            "until", "answer",
            Div(
                StrictButton(_("Cho gia hạn"), type="submit", name="decision", value="grant",
                             css_class="btn-success btn-sm"),
                StrictButton(_("Không chấp thuận"), type="submit", name="decision", value="refuse",
                             css_class="btn-outline-danger btn-sm"),
                css_class="d-flex gap-2",
            ),
        )


# Review queue and page


class ReviewAccessMixin(ActionRequiredMixin):
    """Pages without an object: the Department's staff and inspectors only (403 otherwise)."""
    action = "reports.review_read"



class ReviewQueueView(ReviewAccessMixin, ScopedFilterView):
    """Submitted and resubmitted reports of the province, waiting for a decision."""

    filterset_class = ReviewQueueFilterSet
    template_name = "reports/review_list.html"
    paginate_by = 50
    context_object_name = "obligations"

    def get_queryset(self):
        return review_queue(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending_extensions=extension_requests_pending(self.request.user).count(),
            **kwargs,
        )


def _load_for_review(request: HttpRequest, pk: int) -> Obligation:
    obligation = obligation_for_review(request.user, pk)  # 404 outside the scope
    require(request.user, "reports.review_read")  # 403 inside it for directors and local officers
    return obligation


def _review_page(request: HttpRequest, obligation: Obligation, *, return_form: ReturnForm | None = None,
                 status: int = 200) -> HttpResponse:
    versions = obligation_versions(obligation)
    current = versions[0] if versions else None
    previous = versions[1] if len(versions) > 1 else None
    current_review = getattr(current, "review", None) if current else None
    previous_review = getattr(previous, "review", None) if previous else None
    previous_comments = previous_review.field_comments if previous_review else {}
    can_act = bool(
        may(request.user, "reports.review") and current is not None and current_review is None
        and obligation.status in AWAITING_REVIEW
    )
    initial = {"version": current.pk if current else None, "expected_revision": obligation.revision}
    context = {
        "obligation": obligation,
        "center": obligation.center,
        "period": obligation.period,
        "versions": versions,
        "current": current,
        "previous": previous,
        "current_review": current_review,
        "values": version_values(current, current_review.field_comments if current_review else None) if current else [],
        # Beside each change, what the Department asked about that field last time.
        "diff": [(change, previous_comments.get(change.code, "")) for change in version_diff(previous, current)]
        if current else [],
        "timeliness": obligation_timeliness(obligation),
        "status_badge": ObligationStatus.badge(obligation.status),
        "extension_requests": obligation.extension_requests.select_related("requested_by", "decided_by"),
        "can_act": can_act,
    }
    if can_act:
        context["accept_form"] = ReviewDecisionForm(
            initial=initial, action=reverse("reports:review_accept", args=[obligation.pk]),
        )
        context["return_form"] = return_form or ReturnForm(
            initial=initial, version=current, action=reverse("reports:review_return", args=[obligation.pk]),
        )
    context["changed_count"] = sum(1 for change, _comment in context["diff"] if change.changed)
    return render(request, "reports/review_detail.html", context, status=status)


class ObligationReviewView(ActionRequiredMixin, View):
    """One report: the latest version's values, its attachments, what changed since the
    previous version, earlier decisions, and (for staff) the accept and return forms."""
    action = "reports.review_read"

    def get(self, request, pk):
        return _review_page(request, _load_for_review(request, pk))


def _conflict(request: HttpRequest, obligation: Obligation, error: ReviewConflict) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("reports:review_detail", pk=obligation.pk)


@action_required("reports.review")
@require_POST
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = _load_for_review(request, pk)
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        return _conflict(request, obligation, ReviewConflict())
    version = get_object_or_404(obligation.versions, pk=form.cleaned_data["version"])
    try:
        submission_accept(obligation=obligation, version=version, reviewer=request.user,
                          expected_revision=form.cleaned_data["expected_revision"])
    except ReviewConflict as error:
        return _conflict(request, obligation, error)
    messages.success(request, _("Đã chấp nhận báo cáo của %(center)s.") % {"center": obligation.center.name})
    return redirect("reports:review_list")


@action_required("reports.review")
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = _load_for_review(request, pk)
    version = obligation.versions.order_by("-number").first()
    form = ReturnForm(request.POST, version=version, action=reverse("reports:review_return", args=[pk]))
    if version is None or not form.is_valid():
        return _conflict(request, obligation, ReviewConflict())
    if form.cleaned_data["version"] != version.pk:
        # A newer version arrived since the page was loaded.
        return _conflict(request, obligation, ReviewConflict())
    try:
        submission_return(
            obligation=obligation, version=version, reviewer=request.user, reason=form.cleaned_data["reason"],
            field_comments=form.field_comments(), expected_revision=form.cleaned_data["expected_revision"],
        )
    except ReviewConflict as error:
        return _conflict(request, obligation, error)
    except ValidationError as error:
        form.add_error(None, error)
        return _review_page(request, obligation, return_form=form, status=200)
    messages.success(request, _("Đã trả lại báo cáo của %(center)s để sửa.") % {"center": obligation.center.name})
    return redirect("reports:review_list")


# Extensions


class ExtensionListView(ReviewAccessMixin, TemplateView):
    """Pending requests for more time from the province's centers, with a decision form
    on each (staff only), and the latest decisions."""

    template_name = "reports/review_extensions.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        pending = list(extension_requests_pending(user))
        can_decide = may(user, "reports.review")
        for item in pending:
            item.form = ExtensionDecisionForm(
                action=reverse("reports:extension_decide", args=[item.pk]),
                initial={"until": item.requested_until},
            ) if can_decide else None
        return super().get_context_data(
            pending=pending, decided=extension_requests_decided(user), can_decide=can_decide, **kwargs,
        )


@action_required("reports.review")
@require_POST
def extension_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(
        ExtensionRequest.objects.filter(obligation__in=obligations_visible_to(request.user))
        .select_related("obligation__center"),
        pk=pk,
    )
    require(request.user, "reports.review_read")
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn cho gia hạn hoặc không chấp thuận, và kiểm tra ngày đã nhập."))
        return redirect("reports:extension_list")
    grant = form.cleaned_data["decision"] == "grant"
    center = extension.obligation.center.name
    try:
        extension_decide(request=extension, decided_by=request.user, grant=grant,
                         until=form.cleaned_data["until"], answer=form.cleaned_data["answer"])
    except ReviewConflict as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if grant:
            messages.success(request, _("Đã cho %(center)s gia hạn đến %(date)s.") % {
                "center": center, "date": extension.obligation.extended_until.strftime("%d/%m/%Y")})
        else:
            message = _("Đã trả lời không chấp thuận đề nghị gia hạn của %(center)s.")
            messages.success(request, message % {"center": center})
    return redirect("reports:extension_list")
