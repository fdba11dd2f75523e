"""submission_submit and draft_save, at the service level: what a version freezes, every
refusal (with its message and nothing stored), idempotency, and who may submit."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reports.choices import ObligationStatus
from reports.models import Attachment, Obligation, ReportField, Review, SubmissionVersion
from reports.services import (
    attachment_add,
    draft_save,
    submission_submit,
    version_content_hash,
    version_verify,
)
from reports.services import submissions as submissions_module
from reports.validators import clean_value
from tests.reports.helpers_submission import good_values, pdf_bytes, today, upload

pytestmark = pytest.mark.django_db


def submit(obligation, user, values=None, key=None, **kwargs):
    return submission_submit(
        obligation=obligation, user=user, values=values if values is not None else good_values(),
        idempotency_key=key or uuid.uuid4(), **kwargs,
    )


def refused(obligation, user, values=None, **kwargs) -> ValidationError:
    """Submit expecting a refusal; check that nothing at all was stored."""
    before = Obligation.objects.filter(pk=obligation.pk).values().get()
    versions = SubmissionVersion.objects.count()
    with pytest.raises(ValidationError) as caught:
        submit(obligation, user, values, **kwargs)
    assert SubmissionVersion.objects.count() == versions
    assert Obligation.objects.filter(pk=obligation.pk).values().get() == before
    return caught.value


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# What a version freezes


def test_a_submission_freezes_values_schema_attachments_who_when_and_a_content_hash(obligation, director):
    attachment = attachment_add(obligation=obligation, user=director, upload=upload("bao-cao.pdf", pdf_bytes()))
    at = timezone.now()
    version = submit(obligation, director, now=at)

    assert version.number == 1
    assert version.values == {
        "so_hoc_vien": 1250, "doanh_thu": "450.5", "ngay_cong_khai": "2026-03-05",
        "hinh_thuc": "Niêm yết tại trụ sở", "co_gvnn": True, "su_co": None,
    }
    assert [spec["code"] for spec in version.schema] == [
        "so_hoc_vien", "doanh_thu", "ngay_cong_khai", "hinh_thuc", "co_gvnn", "su_co",
    ]
    assert version.schema[0]["label"] == "Số học viên trong kỳ"
    assert version.attachment_hashes == [
        {"name": "bao-cao.pdf", "type": "pdf", "size": attachment.size, "sha256": attachment.sha256},
    ]
    assert (version.submitted_by, version.submitted_at) == (director, at)
    assert len(version.content_hash) == 64
    assert version_verify(version)
    attachment.refresh_from_db()
    assert attachment.version == version

    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.SUBMITTED
    assert obligation.first_submitted_at == at
    assert obligation.revision == 1
    assert obligation.is_on_time and not obligation.is_late


def test_the_content_hash_covers_the_values(obligation, director):
    version = submit(obligation, director)
    SubmissionVersion.objects.filter(pk=version.pk).update(values={**version.values, "so_hoc_vien": 1})
    version.refresh_from_db()
    assert version_content_hash(version) != version.content_hash
    assert not version_verify(version)


def test_a_late_first_submission_is_late_by_whole_days_after_the_due_date(obligation, director):
    due = obligation.effective_due_date
    submit(obligation, director, now=timezone.make_aware(datetime.datetime.combine(
        due + datetime.timedelta(days=3), datetime.time(23, 30))))
    obligation.refresh_from_db()
    assert obligation.is_late
    assert obligation.days_late() == 3


def test_a_submission_at_2330_on_the_due_date_in_hanoi_is_on_time(obligation, director):
    # 23:30 in Hà Nội is 16:30 UTC the same day; the next day in UTC would start at 07:00.
    at = timezone.make_aware(datetime.datetime.combine(obligation.effective_due_date, datetime.time(23, 30)))
    submit(obligation, director, now=at)
    obligation.refresh_from_db()
    assert obligation.is_on_time
    assert obligation.days_late() == 0


# Refusals: a clear message, nothing stored


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"so_hoc_vien": "100001"}, "«Số học viên trong kỳ» phải từ 0 đến 100.000."),
        ({"so_hoc_vien": "-1"}, "«Số học viên trong kỳ» phải từ 0 đến 100.000."),
        ({"so_hoc_vien": "12,5"}, "«Số học viên trong kỳ» phải là số nguyên."),
        ({"so_hoc_vien": ""}, "Chưa nhập «Số học viên trong kỳ» (bắt buộc)."),
        ({"doanh_thu": "nhiều"}, "«Doanh thu trong kỳ (triệu đồng)» phải là số"),
        ({"doanh_thu": "1000000,01"}, "«Doanh thu trong kỳ (triệu đồng)» phải từ 0 đến 1.000.000."),
        ({"ngay_cong_khai": "31/02/2026"}, "«Ngày công khai»: ngày không hợp lệ"),
        ({"ngay_cong_khai": "hôm qua"}, "«Ngày công khai»: ngày không hợp lệ"),
        ({"hinh_thuc": "Qua Zalo"}, "«Hình thức công khai»: lựa chọn không hợp lệ"),
        ({"co_gvnn": ""}, "Chưa nhập «Có giáo viên người nước ngoài» (bắt buộc)."),
        ({"su_co": "x" * 5001}, "«Sự cố, vụ việc phát sinh» dài quá 5000 ký tự"),
    ],
)
def test_a_bad_value_is_refused_with_a_vietnamese_message_and_nothing_is_stored(obligation, director, override,
                                                                                 message):
    error = refused(obligation, director, good_values(**override))
    assert message in messages_of(error)
    assert list(error.error_dict) == list(override)


def test_every_bad_field_is_reported_at_once(obligation, director):
    error = refused(obligation, director, good_values(so_hoc_vien="", ngay_cong_khai="2026-13-01"))
    assert set(error.error_dict) == {"so_hoc_vien", "ngay_cong_khai"}


def test_a_submission_after_the_lock_date_is_refused(locked_obligation, director):
    error = refused(locked_obligation, director)
    lock = locked_obligation.period.lock_date.strftime("%d/%m/%Y")
    assert f"Kỳ báo cáo đã khóa nộp từ sau ngày {lock}" in messages_of(error)
    assert "gia hạn" in messages_of(error)


def test_an_extension_reopens_a_locked_period_for_that_center_only(locked_obligation, director):
    Obligation.objects.filter(pk=locked_obligation.pk).update(extended_until=today() + datetime.timedelta(days=5))
    locked_obligation.refresh_from_db()
    version = submit(locked_obligation, director)
    assert version.number == 1
    # Submitted within the extension: on time, measured against the extended date.
    assert Obligation.objects.select_related("period").get(pk=locked_obligation.pk).is_on_time


def test_the_lock_date_counts_the_whole_day(obligation, director):
    lock_day = obligation.effective_lock_date
    last_minute = timezone.make_aware(datetime.datetime.combine(lock_day, datetime.time(23, 59)))
    assert submit(obligation, director, now=last_minute).number == 1


def test_an_accepted_report_cannot_be_submitted_again(obligation, director, department_user):
    version = submit(obligation, director)
    Review.objects.create(version=version, decision=Review.Decision.ACCEPTED, reviewer=department_user)
    Obligation.objects.filter(pk=obligation.pk).update(status=ObligationStatus.ACCEPTED)
    obligation.refresh_from_db()
    error = refused(obligation, director)
    assert "Báo cáo đã được chấp nhận, không thể nộp lại" in messages_of(error)


def test_a_report_awaiting_review_cannot_be_submitted_again(obligation, director):
    submit(obligation, director)
    obligation.refresh_from_db()
    error = refused(obligation, director)
    assert "đang chờ Sở xem xét" in messages_of(error)


def test_a_returned_report_is_resubmitted_as_version_2_keeping_the_first_submission_time(
    obligation, director, department_user,
):
    first = submit(obligation, director)
    Review.objects.create(version=first, decision=Review.Decision.RETURNED, reviewer=department_user, reason="Sai")
    Obligation.objects.filter(pk=obligation.pk).update(status=ObligationStatus.RETURNED)
    obligation.refresh_from_db()
    first_at = obligation.first_submitted_at

    second = submit(obligation, director, good_values(so_hoc_vien="1200"))

    obligation.refresh_from_db()
    assert (second.number, second.values["so_hoc_vien"]) == (2, 1200)
    assert obligation.status == ObligationStatus.RESUBMITTED
    assert obligation.first_submitted_at == first_at
    assert obligation.revision == 2
    first.refresh_from_db()
    assert first.values["so_hoc_vien"] == 1250


def test_a_returned_report_may_be_corrected_after_the_lock_date(locked_obligation, director, department_user):
    # The Department reopened it by returning it; timeliness stays that of the first submission.
    Obligation.objects.filter(pk=locked_obligation.pk).update(extended_until=today())
    locked_obligation.refresh_from_db()
    first = submit(locked_obligation, director)
    Review.objects.create(version=first, decision=Review.Decision.RETURNED, reviewer=department_user, reason="Sai")
    Obligation.objects.filter(pk=locked_obligation.pk).update(status=ObligationStatus.RETURNED, extended_until=None)
    locked_obligation.refresh_from_db()
    assert locked_obligation.is_locked()
    assert submit(locked_obligation, director).number == 2


def test_attachments_required_by_the_type_are_required(obligation, director, report_type):
    report_type.attachments_required = True
    report_type.save()
    error = refused(obligation, director)
    assert "bắt buộc có tệp đính kèm" in messages_of(error)


# Idempotency


def test_two_submissions_with_the_same_key_make_one_version(obligation, director):
    key = uuid.uuid4()
    first = submit(obligation, director, key=key)
    obligation.refresh_from_db()
    second = submit(obligation, director, key=key)
    assert second == first
    assert SubmissionVersion.objects.filter(obligation=obligation).count() == 1
    obligation.refresh_from_db()
    assert obligation.revision == 1


def test_a_race_past_the_checks_is_settled_by_the_unique_key(obligation, director, monkeypatch):
    # As if two requests with the same key both passed the look-up and the state check
    # before either committed: the unique constraint makes the second return the first.
    key = uuid.uuid4()
    first = submit(obligation, director, key=key)
    monkeypatch.setattr(submissions_module, "_already_made", lambda key, obligation: None)
    monkeypatch.setattr(submissions_module, "submission_refusal", lambda obligation, today=None: None)
    assert submit(obligation, director, key=key) == first
    assert SubmissionVersion.objects.count() == 1


def test_a_key_used_for_another_obligation_is_refused(obligation, other_obligation, director, other_director):
    key = uuid.uuid4()
    submit(other_obligation, other_director, key=key)
    error = refused(obligation, director, key=key)
    assert "Phiên nộp báo cáo không hợp lệ" in messages_of(error)


def test_a_malformed_key_is_refused(obligation, director):
    error = refused(obligation, director, key="không-phải-uuid")
    assert "Phiên nộp báo cáo không hợp lệ" in messages_of(error)


# Who may submit


@pytest.mark.parametrize("user_key", ["local_officer", "inspector", "department_user", "other_director"])
def test_only_the_centers_own_director_may_submit(obligation, request, user_key):
    with pytest.raises(PermissionDenied):
        submit(obligation, request.getfixturevalue(user_key))
    assert not SubmissionVersion.objects.exists()


# The fields change, the version does not


def test_changing_the_types_fields_after_a_submission_leaves_the_version_unchanged(obligation, director, report_type):
    version = submit(obligation, director)
    stored = (version.values, version.schema, version.content_hash)
    ReportField.objects.filter(report_type=report_type, code="so_hoc_vien").update(
        label="Tổng số học viên (mới)", max_value=10,
    )
    ReportField.objects.filter(report_type=report_type, code="su_co").update(is_active=False)
    ReportField.objects.create(report_type=report_type, code="moi", label="Chỉ tiêu mới", kind="integer", order=9)

    version = SubmissionVersion.objects.get(pk=version.pk)
    assert (version.values, version.schema, version.content_hash) == stored
    assert version.schema[0]["label"] == "Số học viên trong kỳ"
    assert version_verify(version)


# Drafts


def test_a_draft_keeps_what_was_typed_even_if_wrong_and_opens_the_obligation(obligation, director):
    saved_at = draft_save(obligation=obligation, user=director,
                          values={"so_hoc_vien": "12a", "doanh_thu": "", "la": "bỏ đi"})
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.DRAFT
    assert obligation.draft_saved_at == saved_at
    assert obligation.draft_values["so_hoc_vien"] == "12a"
    assert "la" not in obligation.draft_values
    assert not SubmissionVersion.objects.exists()


def test_a_draft_cannot_change_a_report_awaiting_review(obligation, director):
    submit(obligation, director)
    obligation.refresh_from_db()
    with pytest.raises(ValidationError, match="đang chờ Sở xem xét"):
        draft_save(obligation=obligation, user=director, values={"so_hoc_vien": "1"})
    obligation.refresh_from_db()
    assert obligation.draft_values["so_hoc_vien"] == "1250"


@pytest.mark.parametrize("user_key", ["local_officer", "department_user", "other_director"])
def test_only_the_director_saves_drafts(obligation, request, user_key):
    with pytest.raises(PermissionDenied):
        draft_save(obligation=obligation, user=request.getfixturevalue(user_key), values={"so_hoc_vien": "1"})


# Values, one by one


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("integer", "1.234", 1234),
        ("integer", " 42 ", 42),
        ("integer", 7, 7),
        ("decimal", "12,50", "12.5"),
        ("decimal", "1.234,5", "1234.5"),
        ("decimal", "1234.5", "1234.5"),
        ("decimal", Decimal("100"), "100"),
        ("date", "5/3/2026", "2026-03-05"),
        ("date", "2026-03-05", "2026-03-05"),
        ("boolean", "no", False),
        ("boolean", True, True),
    ],
)
def test_values_are_typed_for_storage(kind, raw, stored):
    spec = {"code": "x", "label": "X", "kind": kind, "required": True, "min_value": None, "max_value": None,
            "choices": []}
    assert clean_value(spec, raw) == stored


def test_an_empty_optional_value_is_stored_as_none():
    spec = {"code": "x", "label": "X", "kind": "text", "required": False, "choices": []}
    assert clean_value(spec, "   ") is None


def test_no_attachment_is_left_unlinked_after_a_submission(obligation, director):
    attachment_add(obligation=obligation, user=director, upload=upload("a.pdf", pdf_bytes()))
    attachment_add(obligation=obligation, user=director, upload=upload("b.pdf", pdf_bytes(3000)))  # not a copy
    version = submit(obligation, director)
    assert not Attachment.objects.filter(obligation=obligation, version__isnull=True).exists()
    assert [a["name"] for a in version.attachment_hashes] == ["a.pdf", "b.pdf"]
