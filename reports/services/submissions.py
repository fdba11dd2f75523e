"""The center's side of a report: saving a draft as the director types, attaching files,
submitting an immutable version, and asking for more time.

Only the director of the obligation's center may do any of it (PermissionDenied for
everyone else: the views answer 403, or 404 when the obligation is outside the user's
scope). A submitted version is never changed afterwards: its values, the fields they
answered, the attachments' hashes, who and when are frozen and sealed by a content hash.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may

from ..choices import PENDING_STATUSES, ExtensionStatus, ObligationStatus
from ..models import (
    Attachment,
    ExtensionRequest,
    Obligation,
    ReportType,
    SubmissionVersion,
    local_date,
)
from ..validators import MAX_TEXT_LENGTH, check_attachment, clean_values, raw_value

# A draft holds at most this many files: enough for a report and its annexes.
MAX_DRAFT_ATTACHMENTS = 10
AWAITING_REVIEW = (ObligationStatus.SUBMITTED, ObligationStatus.RESUBMITTED)


def _require_director(user, obligation: Obligation) -> None:
    if not may(user, "reports.submit", obligation):
        raise PermissionDenied


def report_schema(report_type: ReportType) -> list[dict]:
    """The fields a submission answers today, as frozen into each version."""
    return [field.as_schema() for field in report_type.fields.filter(is_active=True).order_by("order", "id")]


def _date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def submission_refusal(obligation: Obligation, today: datetime.date | None = None) -> str | None:
    """Why the obligation cannot be submitted now (a Vietnamese sentence), or None.

    Accepted: final. Submitted or resubmitted: waits for the Department, which may
    return it. Past the lock date (the period's, or the granted extension): only a
    correction the Department asked for (a returned report) is still taken, since it
    was the Department that reopened it; a first submission needs an extension."""
    today = today or local_date()
    if obligation.status == ObligationStatus.ACCEPTED:
        return _("Báo cáo đã được chấp nhận, không thể nộp lại.")
    if obligation.status in AWAITING_REVIEW:
        return _("Báo cáo đã nộp và đang chờ Sở xem xét; chỉ nộp lại được khi Sở trả lại để sửa.")
    if obligation.status != ObligationStatus.RETURNED and obligation.is_locked(today):
        return _(
            "Kỳ báo cáo đã khóa nộp từ sau ngày %(lock)s. Trung tâm chỉ nộp được khi Sở cho gia hạn: "
            "hãy gửi đề nghị gia hạn."
        ) % {"lock": _date(obligation.effective_lock_date)}
    return None


def draft_refusal(obligation: Obligation) -> str | None:
    """Why the draft (values and attachments) can no longer change, or None."""
    if obligation.status == ObligationStatus.ACCEPTED:
        return _("Báo cáo đã được chấp nhận, không thể sửa.")
    if obligation.status in AWAITING_REVIEW:
        return _("Báo cáo đã nộp và đang chờ Sở xem xét, không thể sửa.")
    return None


# Drafts


def draft_save(*, obligation: Obligation, user, values: dict[str, Any],
               now: datetime.datetime | None = None) -> datetime.datetime:
    """Keep what the director has typed so far, as typed (a draft may be incomplete or
    wrong; it is checked only on submission). Only the fields the report asks are kept,
    each cut to a sane length. An open obligation becomes a draft. Returns the time saved."""
    _require_director(user, obligation)
    now = now or timezone.now()
    codes = obligation.period.report_type.fields.filter(is_active=True).values_list("code", flat=True)
    draft = {code: str(values.get(code) or "")[:MAX_TEXT_LENGTH] for code in codes}
    # One conditional UPDATE: a draft save racing a submission can never reopen it.
    updated = Obligation.objects.filter(pk=obligation.pk, status__in=PENDING_STATUSES).update(
        draft_values=draft, draft_saved_at=now,
        status=Case(When(status=ObligationStatus.OPEN, then=Value(ObligationStatus.DRAFT)), default=F("status")),
    )
    if not updated:
        obligation.refresh_from_db(fields=["status"])
        raise ValidationError(draft_refusal(obligation) or _("Không lưu được bản nháp."), code="state")
    obligation.draft_values, obligation.draft_saved_at = draft, now
    if obligation.status == ObligationStatus.OPEN:
        obligation.status = ObligationStatus.DRAFT
    return now


def draft_initial(obligation: Obligation, schema: list[dict]) -> dict[str, str]:
    """What the form shows: the draft; before any draft, nothing."""
    draft = obligation.draft_values or {}
    return {spec["code"]: str(draft.get(spec["code"], "") or "") for spec in schema}


# Attachments


@transaction.atomic
def attachment_add(*, obligation: Obligation, user, upload: UploadedFile) -> Attachment:
    """Attach a file to the draft after checking it by content (see reports.validators);
    it is stored under a random name in MEDIA_ROOT and joins the next submitted version."""
    _require_director(user, obligation)
    locked = Obligation.objects.select_for_update(of=("self",)).select_related("period__report_type").get(
        pk=obligation.pk,
    )
    refusal = draft_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="state")
    if locked.attachments.filter(version__isnull=True).count() >= MAX_DRAFT_ATTACHMENTS:
        raise ValidationError(
            _("Mỗi lần nộp đính kèm tối đa %(count)s tệp.") % {"count": MAX_DRAFT_ATTACHMENTS}, code="too_many",
        )
    report_type = locked.period.report_type
    checked = check_attachment(
        upload.file, name=upload.name, size=upload.size,
        allowed=list(report_type.attachment_types or []), max_mb=report_type.attachment_max_mb,
    )
    if locked.attachments.filter(version__isnull=True, sha256=checked.sha256).exists():
        raise ValidationError(_("Tệp «%(name)s» đã được đính kèm.") % {"name": checked.name}, code="duplicate")
    attachment = Attachment(
        obligation=locked, original_name=checked.name, file_type=checked.file_type, size=checked.size,
        sha256=checked.sha256, uploaded_by=user,
    )
    # upload_to gives a random name; the original one is kept in the row only.
    attachment.file.save(checked.name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        # No row, no file: nothing may sit in MEDIA_ROOT that no view can account for.
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user) -> None:
    """Take a file off the draft. A file submitted with a version is part of that version
    and stays forever."""
    obligation = Obligation.objects.select_for_update(of=("self",)).get(pk=attachment.obligation_id)
    _require_director(user, obligation)
    if attachment.version_id is not None:
        raise ValidationError(_("Tệp đã nộp cùng báo cáo, không thể xóa."), code="frozen")
    refusal = draft_refusal(obligation)
    if refusal:
        raise ValidationError(refusal, code="state")
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    # The file goes only once the row's deletion is committed.
    transaction.on_commit(lambda: storage.delete(name))


# Submission


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _hash_payload(*, obligation_id: int, number: int, values: dict, schema: list, attachment_hashes: list,
                  submitted_by: User, submitted_at: datetime.datetime) -> dict:
    return {
        "obligation": obligation_id,
        "number": number,
        "values": values,
        "schema": schema,
        "attachments": attachment_hashes,
        "submitted_by": {"id": submitted_by.pk, "username": submitted_by.get_username()},
        "submitted_at": submitted_at.astimezone(datetime.UTC).isoformat(),
    }


def version_content_hash(version: SubmissionVersion) -> str:
    """SHA-256 of the canonical JSON (sorted keys, UTF-8, no spaces) of everything the
    version froze: the obligation, its number, the values, the fields' schema, the
    attachments' names and hashes, the submitter and the time (UTC, ISO 8601)."""
    payload = _hash_payload(
        obligation_id=version.obligation_id, number=version.number, values=version.values, schema=version.schema,
        attachment_hashes=version.attachment_hashes, submitted_by=version.submitted_by,
        submitted_at=version.submitted_at,
    )
    return hashlib.sha256(_canonical(payload)).hexdigest()


def version_verify(version: SubmissionVersion) -> bool:
    """True while the stored version still matches the hash on its receipt."""
    return version_content_hash(version) == version.content_hash


def _key(idempotency_key: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(idempotency_key))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(
            _("Phiên nộp báo cáo không hợp lệ; hãy tải lại trang rồi nộp lại."), code="idempotency_key",
        ) from None


def _already_made(key: uuid.UUID, obligation: Obligation) -> SubmissionVersion | None:
    """The version an earlier request with the same key made, if any."""
    version = SubmissionVersion.objects.filter(idempotency_key=key).first()
    if version is not None and version.obligation_id != obligation.pk:
        # A key is minted for one form of one obligation; reusing it elsewhere is a forgery.
        raise ValidationError(
            _("Phiên nộp báo cáo không hợp lệ; hãy tải lại trang rồi nộp lại."), code="idempotency_key",
        )
    return version


def submission_submit(*, obligation: Obligation, user, values: dict[str, Any], idempotency_key: Any,
                      now: datetime.datetime | None = None) -> SubmissionVersion:
    """Freeze the draft as a new immutable version and hand it to the Department.

    Checks, with nothing stored when one fails (ValidationError, in Vietnamese): the
    obligation is in a state that takes a submission and its lock date has not passed
    (see submission_refusal); every value fits its field (type, required, bounds); the
    report's required attachments are there. Then, under a row lock on the obligation:
    the version gets the next number, the values, the fields' schema, the draft
    attachments (now linked to it) and their hashes, who and when, and a content hash;
    the obligation becomes submitted (resubmitted after a return), records its first
    submission time once, and its revision is bumped.

    Idempotent on `idempotency_key` (a UUID minted when the form is rendered): a second
    click or a retried POST with the same key returns the version the first one made.
    `now` lets the demo seed past submissions. PermissionDenied for anyone but the
    center's director."""
    _require_director(user, obligation)
    key = _key(idempotency_key)
    existing = _already_made(key, obligation)
    if existing is not None:
        return existing
    now = now or timezone.now()
    today = local_date(now)
    try:
        with transaction.atomic():
            locked = (
                Obligation.objects.select_for_update(of=("self",))
                .select_related("period__report_type")
                .get(pk=obligation.pk)
            )
            # The same key may have committed while this request waited for the lock.
            existing = _already_made(key, locked)
            if existing is not None:
                return existing
            refusal = submission_refusal(locked, today)
            if refusal:
                raise ValidationError(refusal, code="state")
            report_type = locked.period.report_type
            schema = report_schema(report_type)
            cleaned = clean_values(schema, values)
            attachments = list(locked.attachments.filter(version__isnull=True).order_by("pk"))
            if report_type.attachments_required and not attachments:
                raise ValidationError(_("Báo cáo này bắt buộc có tệp đính kèm."), code="attachments_required")
            number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
            attachment_hashes = [
                {"name": a.original_name, "type": a.file_type, "size": a.size, "sha256": a.sha256}
                for a in attachments
            ]
            payload = _hash_payload(
                obligation_id=locked.pk, number=number, values=cleaned, schema=schema,
                attachment_hashes=attachment_hashes, submitted_by=user, submitted_at=now,
            )
            version = SubmissionVersion.objects.create(
                obligation=locked, number=number, values=cleaned, schema=schema,
                attachment_hashes=attachment_hashes, submitted_by=user, submitted_at=now,
                content_hash=hashlib.sha256(_canonical(payload)).hexdigest(), idempotency_key=key,
            )
            Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(version=version)
            returned = locked.status == ObligationStatus.RETURNED
            locked.status = ObligationStatus.RESUBMITTED if returned else ObligationStatus.SUBMITTED
            if locked.first_submitted_at is None:
                locked.first_submitted_at = now
            locked.revision += 1
            # The draft keeps what was sent: should the Department return it, the form
            # opens on the submitted values, ready to correct.
            locked.draft_values = {spec["code"]: raw_value(spec, cleaned[spec["code"]]) for spec in schema}
            locked.save(update_fields=["status", "first_submitted_at", "revision", "draft_values"])
    except IntegrityError:
        # Two requests with the same key raced past the checks (the unique key decides),
        # or another submission took this number a moment ago.
        existing = SubmissionVersion.objects.filter(idempotency_key=key, obligation=obligation).first()
        if existing is not None:
            return existing
        raise ValidationError(
            _("Báo cáo vừa được nộp từ một phiên khác; hãy tải lại trang để xem."), code="conflict",
        ) from None
    for name in ("status", "first_submitted_at", "revision", "draft_values"):
        setattr(obligation, name, getattr(locked, name))
    return version


# Extensions


def extension_refusal(obligation: Obligation) -> str | None:
    """Why the center cannot ask for more time now, or None."""
    if obligation.first_submitted_at is not None:
        return _("Báo cáo đã nộp, không cần xin gia hạn.")
    if obligation.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        return _("Trung tâm đã có một đề nghị gia hạn đang chờ Sở xem xét.")
    return None


def extension_request_create(*, obligation: Obligation, user, reason: str, requested_until: datetime.date,
                             today: datetime.date | None = None) -> ExtensionRequest:
    """A director asks the Department for more time: a reason and a date after the
    (effective) due date, not in the past. One pending request per obligation; a report
    already submitted needs none (its timeliness is fixed by the first submission, and a
    returned one may be corrected whatever the date). The Department answers with
    extension_decide."""
    _require_director(user, obligation)
    today = today or local_date()
    reason = unicodedata.normalize("NFC", (reason or "").strip())
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Cần ghi lý do xin gia hạn.")
    with transaction.atomic():
        locked = Obligation.objects.select_for_update(of=("self",)).select_related("period").get(pk=obligation.pk)
        refusal = extension_refusal(locked)
        if refusal:
            raise ValidationError(refusal, code="state")
        if requested_until is None:
            errors["requested_until"] = _("Cần chọn ngày xin gia hạn đến.")
        elif requested_until <= locked.effective_due_date:
            errors["requested_until"] = _("Ngày xin gia hạn phải sau hạn nộp (%(due)s).") % {
                "due": _date(locked.effective_due_date),
            }
        elif requested_until < today:
            errors["requested_until"] = _("Ngày xin gia hạn không được trước hôm nay (%(today)s).") % {
                "today": _date(today),
            }
        if errors:
            raise ValidationError(errors)
        return ExtensionRequest.objects.create(
            obligation=locked, reason=reason, requested_until=requested_until, requested_by=user,
        )
