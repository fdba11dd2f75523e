"""The Department's side of a submission: accept or return a submitted version, and
decide a center's request for more time.

Every decision locks the obligation row and compares the revision the reviewer saw with
the current one, so that two reviewers acting on the same report at once cannot both
win: the second is told to reload, and nothing the first decided is overwritten.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import may
from centers.selectors import scope_q

from ..choices import ExtensionStatus, ObligationStatus
from ..models import ExtensionRequest, Obligation, Review, SubmissionVersion
from .notices import (
    notice_extension_decided,
    notice_report_accepted,
    notice_report_returned,
)

# Statuses in which a submitted version waits for the Department.
AWAITING_REVIEW = (ObligationStatus.SUBMITTED, ObligationStatus.RESUBMITTED)

CONFLICT_MESSAGE = gettext_lazy("Báo cáo này vừa được người khác xử lý, vui lòng tải lại trang")


class ReviewConflict(Exception):
    """Someone else changed the obligation since the reviewer loaded it."""

    def __init__(self, message=None):
        self.message = str(message or CONFLICT_MESSAGE)
        super().__init__(self.message)


def _lock_for_review(
    *, obligation: Obligation, version: SubmissionVersion, reviewer, expected_revision: int,
) -> Obligation:
    """The obligation row, locked until the end of the transaction, after the checks that
    every decision shares: the role, the scope, the revision seen, the version reviewed."""
    if not may(reviewer, "reports.review"):
        raise PermissionDenied
    locked = (
        # of=("self",): lock the obligation only, not the center joined for the scope.
        Obligation.objects.select_for_update(of=("self",))
        .filter(scope_q(reviewer, "center__"))
        .filter(pk=obligation.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    if locked.revision != expected_revision or locked.status not in AWAITING_REVIEW:
        raise ReviewConflict
    latest = locked.versions.order_by("-number").first()
    if version.obligation_id != locked.pk or latest is None or latest.pk != version.pk:
        # A newer version arrived (or the form named another report's version).
        raise ReviewConflict
    if Review.objects.filter(version=version).exists():
        raise ReviewConflict
    return locked


def _decide(*, locked: Obligation, obligation: Obligation, status: str) -> None:
    locked.status = status
    locked.revision += 1
    locked.save(update_fields=["status", "revision"])
    # The caller's instance shows the new state too (pages render it after the redirect).
    obligation.status, obligation.revision = locked.status, locked.revision


@transaction.atomic
def submission_accept(
    *, obligation: Obligation, version: SubmissionVersion, reviewer, expected_revision: int,
) -> Review:
    """Accept the latest submitted version of an obligation.

    Raises ReviewConflict when the obligation changed since the reviewer saw revision
    `expected_revision` (another reviewer decided, or the center sent a new version), and
    PermissionDenied for anyone but the Department's staff of the center's province."""
    locked = _lock_for_review(
        obligation=obligation, version=version, reviewer=reviewer, expected_revision=expected_revision,
    )
    review = Review.objects.create(version=version, decision=Review.Decision.ACCEPTED, reviewer=reviewer)
    _decide(locked=locked, obligation=obligation, status=ObligationStatus.ACCEPTED)
    notice_report_accepted(review=review)
    return review


def clean_field_comments(version: SubmissionVersion, field_comments: dict[str, str] | None) -> dict[str, str]:
    """Keep the non-blank comments, each on a field the version actually answered."""
    known = {field["code"] for field in version.schema}
    comments = {code: (text or "").strip() for code, text in (field_comments or {}).items()}
    comments = {code: text for code, text in comments.items() if text}
    unknown = sorted(set(comments) - known)
    if unknown:
        raise ValidationError(_("Báo cáo không có các trường: %(codes)s.") % {"codes": ", ".join(unknown)})
    return comments


@transaction.atomic
def submission_return(
    *, obligation: Obligation, version: SubmissionVersion, reviewer, reason: str,
    field_comments: dict[str, str], expected_revision: int,
) -> Review:
    """Return the latest version to the center for correction.

    A return needs a reason: a general one or a comment on at least one field (stored by
    field code, so the director sees each comment beside the field concerned). Same
    conflict and permission rules as submission_accept."""
    reason = (reason or "").strip()
    comments = clean_field_comments(version, field_comments)
    if not reason and not comments:
        raise ValidationError(
            _("Cần ghi lý do trả lại hoặc ý kiến cho ít nhất một trường để trung tâm biết cần sửa gì."),
            code="reason_required",
        )
    locked = _lock_for_review(
        obligation=obligation, version=version, reviewer=reviewer, expected_revision=expected_revision,
    )
    review = Review.objects.create(
        version=version, decision=Review.Decision.RETURNED, reason=reason, field_comments=comments, reviewer=reviewer,
    )
    _decide(locked=locked, obligation=obligation, status=ObligationStatus.RETURNED)
    # The director and the center's address learn why (the e-mail leaves on commit).
    notice_report_returned(review=review)
    return review


@transaction.atomic
def extension_decide(
    *, request: ExtensionRequest, decided_by, grant: bool, until: datetime.date | None = None, answer: str = "",
) -> ExtensionRequest:
    """Grant or refuse a center's request for more time.

    Granting sets the obligation's extended_until to `until` (by default the date the
    center asked for): it then counts as the due date for timeliness and keeps the period
    open to that center until then. Refusing needs an answer. A request already decided
    (by someone else a moment ago) raises ReviewConflict."""
    if not may(decided_by, "reports.review"):
        raise PermissionDenied
    answer = (answer or "").strip()
    locked = (
        ExtensionRequest.objects.select_for_update(of=("self",))
        .filter(scope_q(decided_by, "obligation__center__"))
        .filter(pk=request.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    if locked.status != ExtensionStatus.PENDING:
        raise ReviewConflict(_("Đề nghị gia hạn này đã được xử lý, vui lòng tải lại trang"))
    obligation = (
        Obligation.objects.select_for_update(of=("self",)).select_related("period").get(pk=locked.obligation_id)
    )
    if grant:
        until = until or locked.requested_until
        if until <= obligation.period.due_date:
            raise ValidationError(
                {"until": _("Ngày gia hạn phải sau hạn nộp của kỳ (%(due)s).")
                 % {"due": obligation.period.due_date.strftime("%d/%m/%Y")}},
            )
        obligation.extended_until = until
        obligation.save(update_fields=["extended_until"])
        locked.status = ExtensionStatus.GRANTED
    else:
        if not answer:
            raise ValidationError({"answer": _("Cần ghi lý do không chấp thuận.")})
        locked.status = ExtensionStatus.REFUSED
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.answer = answer
    locked.save(update_fields=["status", "decided_by", "decided_at", "answer"])
    request.status, request.decided_by, request.decided_at, request.answer = (
        locked.status, locked.decided_by, locked.decided_at, locked.answer,
    )
    request.obligation = obligation  # the caller reads the new extended_until from it
    notice_extension_decided(request=locked)
    return locked
