"""Review by the Department: accept, return with a reason per field, what changed between
versions, conflicts between reviewers, and who may see and act (services and views)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.choices import ObligationStatus
from reports.models import Attachment, Review
from reports.selectors import obligation_review_notes, version_diff
from reports.services import ReviewConflict, submission_accept, submission_return
from tests.factories import CenterFactory
from tests.reports.helpers_review import make_obligation, make_period, make_report_type, submit_version, values

pytestmark = pytest.mark.django_db

CONFLICT = "Báo cáo này vừa được người khác xử lý, vui lòng tải lại trang"


@pytest.fixture
def report_type(province):
    return make_report_type(province)


@pytest.fixture
def period(report_type):
    return make_period(report_type, due_date=datetime.date(2026, 6, 19))


@pytest.fixture
def obligation(period, center):
    return make_obligation(period, center)


@pytest.fixture
def submitted(obligation, director):
    """The center's first version, waiting for review."""
    submit_version(obligation, values(), by=director)
    return obligation


def latest(obligation):
    return obligation.versions.order_by("-number").first()


def review_url(obligation, action=""):
    name = {"": "review_detail", "accept": "review_accept", "return": "review_return"}[action]
    return reverse(f"reports:{name}", args=[obligation.pk])


# Services


def test_accept_records_the_review_and_moves_the_obligation(submitted, department_user):
    revision = submitted.revision
    review = submission_accept(obligation=submitted, version=latest(submitted), reviewer=department_user,
                               expected_revision=revision)
    submitted.refresh_from_db()
    assert review.decision == Review.Decision.ACCEPTED
    assert review.reviewer == department_user
    assert submitted.status == ObligationStatus.ACCEPTED
    assert submitted.revision == revision + 1


def test_return_requires_a_reason_or_a_field_comment(submitted, department_user):
    with pytest.raises(ValidationError) as error:
        submission_return(obligation=submitted, version=latest(submitted), reviewer=department_user,
                          reason="  ", field_comments={"so_hoc_vien": " "}, expected_revision=submitted.revision)
    assert "Cần ghi lý do trả lại" in error.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.SUBMITTED
    assert not Review.objects.exists()


def test_return_stores_field_comments_shown_to_the_director(submitted, department_user):
    submission_return(
        obligation=submitted, version=latest(submitted), reviewer=department_user, reason="",
        field_comments={"so_giao_vien_nuoc_ngoai": "Không khớp với hồ sơ giấy phép lao động.", "doanh_thu": ""},
        expected_revision=submitted.revision,
    )
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.RETURNED
    review = Review.objects.get()
    # Blank comments are not kept.
    assert review.field_comments == {"so_giao_vien_nuoc_ngoai": "Không khớp với hồ sơ giấy phép lao động."}
    notes = obligation_review_notes(submitted)
    assert notes.reviewer == department_user
    assert [(f.code, f.label, f.value, f.comment) for f in notes.fields] == [
        ("so_giao_vien_nuoc_ngoai", "Số giáo viên người nước ngoài", "3", "Không khớp với hồ sơ giấy phép lao động."),
    ]
    assert notes.comments_by_code == {"so_giao_vien_nuoc_ngoai": "Không khớp với hồ sơ giấy phép lao động."}


def test_review_notes_are_only_for_a_returned_obligation(submitted, department_user):
    assert obligation_review_notes(submitted) is None
    submission_accept(obligation=submitted, version=latest(submitted), reviewer=department_user,
                      expected_revision=submitted.revision)
    assert obligation_review_notes(submitted) is None


def test_a_comment_on_a_field_the_version_did_not_answer_is_refused(submitted, department_user):
    with pytest.raises(ValidationError):
        submission_return(obligation=submitted, version=latest(submitted), reviewer=department_user, reason="x",
                          field_comments={"khong_co": "?"}, expected_revision=submitted.revision)


def test_the_second_decision_on_the_same_revision_is_a_conflict(submitted, department_user, province):
    from accounts.models import User
    from tests.factories import make_user

    colleague = make_user(User.Role.DEPARTMENT, province=province, username="sogd2")
    seen = submitted.revision
    version = latest(submitted)
    submission_accept(obligation=submitted, version=version, reviewer=department_user, expected_revision=seen)
    with pytest.raises(ReviewConflict) as error:
        submission_return(obligation=submitted, version=version, reviewer=colleague, reason="Sai số liệu",
                          field_comments={}, expected_revision=seen)
    assert error.value.message == CONFLICT
    assert Review.objects.count() == 1
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.ACCEPTED


def test_a_version_superseded_since_the_page_was_loaded_cannot_be_decided(submitted, department_user, director):
    old = latest(submitted)
    submission_return(obligation=submitted, version=old, reviewer=department_user, reason="Sửa số học viên",
                      field_comments={}, expected_revision=submitted.revision)
    submitted.refresh_from_db()
    submit_version(submitted, values(learners=130), by=director)
    with pytest.raises(ReviewConflict):
        submission_accept(obligation=submitted, version=old, reviewer=department_user,
                          expected_revision=submitted.revision)


@pytest.mark.parametrize("user_key", ["inspector", "director", "local_officer", "foreign_department_user"])
def test_only_the_provinces_staff_may_decide(request, submitted, user_key):
    user = request.getfixturevalue(user_key)
    with pytest.raises(PermissionDenied):
        submission_accept(obligation=submitted, version=latest(submitted), reviewer=user,
                          expected_revision=submitted.revision)
    assert not Review.objects.exists()


# What changed between versions


def test_diff_shows_the_changed_fields_old_and_new(submitted, department_user, director):
    submission_return(obligation=submitted, version=latest(submitted), reviewer=department_user,
                      reason="Kiểm tra lại", field_comments={}, expected_revision=submitted.revision)
    submitted.refresh_from_db()
    submit_version(submitted, values(learners=135, revenue="450.50", incident="Mất điện 1 buổi"), by=director)
    first, second = submitted.versions.order_by("number")
    changes = {c.code: c for c in version_diff(first, second)}
    learners = changes["so_hoc_vien"]
    assert (learners.old, learners.new, learners.changed) == ("120", "135", True)
    assert (changes["su_co"].old, changes["su_co"].new, changes["su_co"].changed) == ("—", "Mất điện 1 buổi", True)
    assert changes["doanh_thu"].changed is False
    assert changes["so_giao_vien_nuoc_ngoai"].changed is False


def test_diff_reads_each_version_with_its_own_schema(submitted, department_user, director, report_type):
    submission_return(obligation=submitted, version=latest(submitted), reviewer=department_user, reason="Bổ sung",
                      field_comments={}, expected_revision=submitted.revision)
    submitted.refresh_from_db()
    # The type changes after the first version: one field dropped, one added.
    report_type.fields.filter(code="su_co").update(is_active=False)
    report_type.fields.create(code="so_lop", label="Số lớp đang hoạt động", kind="integer", order=9)
    submit_version(submitted, {**values(), "so_lop": 12}, by=director)
    first, second = submitted.versions.order_by("number")
    changes = {c.code: c for c in version_diff(first, second)}
    assert changes["so_lop"].added and changes["so_lop"].new == "12"
    assert changes["su_co"].removed


# Pages


def test_queue_lists_the_submitted_reports_of_the_province(client, department_user, submitted, period, other_center,
                                                           foreign_center):
    make_obligation(period, other_center)  # owes, has not submitted: not in the queue
    client.force_login(department_user)
    response = client.get(reverse("reports:review_list"))
    assert response.status_code == 200
    assert list(response.context["obligations"]) == [submitted]
    assert "Trung tâm Ngoại ngữ Đông Á" in response.content.decode()


def test_queue_filters_by_commune_and_period(client, department_user, submitted, other_commune, period, director):
    client.force_login(department_user)
    response = client.get(reverse("reports:review_list"), {"commune": other_commune.pk})
    assert list(response.context["obligations"]) == []
    response = client.get(reverse("reports:review_list"), {"period": period.pk, "q": "dong a"})
    assert list(response.context["obligations"]) == [submitted]


def test_queue_runs_a_fixed_number_of_queries(client, department_user, period, commune, director):
    client.force_login(department_user)

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:review_list")).status_code == 200
        return len(captured)

    submit_version(make_obligation(period, CenterFactory(commune=commune)), values(), by=director)
    few = count_queries()
    for _ in range(8):
        submit_version(make_obligation(period, CenterFactory(commune=commune)), values(), by=director)
    assert count_queries() == few


def test_review_page_labels_values_from_the_frozen_schema(client, department_user, submitted, report_type):
    # Renamed after the submission: the page keeps the label the center answered.
    report_type.fields.filter(code="so_hoc_vien").update(label="Tổng số lượt học viên")
    client.force_login(department_user)
    response = client.get(review_url(submitted))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Số học viên trong kỳ" in body
    assert "Tổng số lượt học viên" not in body
    assert "450,50" in body  # decimals written the Vietnamese way


def test_review_page_highlights_what_changed(client, department_user, submitted, director):
    submission_return(obligation=submitted, version=latest(submitted), reviewer=department_user, reason="Sửa",
                      field_comments={}, expected_revision=submitted.revision)
    submitted.refresh_from_db()
    submit_version(submitted, values(learners=135), by=director)
    client.force_login(department_user)
    response = client.get(review_url(submitted))
    body = response.content.decode()
    assert response.context["changed_count"] == 1
    assert '<del class="text-danger">120</del>' in body
    assert '<ins class="text-success fw-semibold">135</ins>' in body
    assert body.count("data-changed") == 1


def test_review_page_lists_attachments_with_their_hash(client, department_user, submitted):
    version = latest(submitted)
    Attachment.objects.create(
        obligation=submitted, version=version, file="reports/x/abc", original_name="bao-cao-6-thang.pdf",
        file_type="pdf", size=2048, sha256="a" * 64,
    )
    client.force_login(department_user)
    body = client.get(review_url(submitted)).content.decode()
    attachment = Attachment.objects.get()
    assert f'<a href="{reverse("reports:attachment_download", args=[attachment.pk])}">bao-cao-6-thang.pdf</a>' in body
    assert "a" * 64 in body


def test_staff_accept_through_the_page(client, department_user, submitted):
    client.force_login(department_user)
    page = client.get(review_url(submitted))
    form = page.context["accept_form"]
    response = client.post(review_url(submitted, "accept"), {
        "version": form.initial["version"], "expected_revision": form.initial["expected_revision"],
    })
    assert response.status_code == 302
    assert response.url == reverse("reports:review_list")
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.ACCEPTED


def test_staff_return_through_the_page_with_field_comments(client, department_user, submitted):
    client.force_login(department_user)
    version = latest(submitted)
    response = client.post(review_url(submitted, "return"), {
        "version": version.pk, "expected_revision": submitted.revision, "reason": "",
        "comment__so_hoc_vien": "Số học viên khác với sổ theo dõi.",
    })
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.RETURNED
    assert Review.objects.get().field_comments == {"so_hoc_vien": "Số học viên khác với sổ theo dõi."}


def test_return_without_any_reason_shows_the_error_on_the_page(client, department_user, submitted):
    client.force_login(department_user)
    response = client.post(review_url(submitted, "return"), {
        "version": latest(submitted).pk, "expected_revision": submitted.revision, "reason": "",
    })
    assert response.status_code == 200
    assert "Cần ghi lý do trả lại hoặc ý kiến cho ít nhất một trường" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.SUBMITTED


def test_a_stale_page_is_told_to_reload(client, department_user, submitted):
    client.force_login(department_user)
    seen = {"version": latest(submitted).pk, "expected_revision": submitted.revision}
    assert client.post(review_url(submitted, "accept"), seen).status_code == 302
    response = client.post(review_url(submitted, "return"), {**seen, "reason": "Sai"}, follow=True)
    assert CONFLICT in response.content.decode()
    assert Review.objects.count() == 1
    submitted.refresh_from_db()
    assert submitted.status == ObligationStatus.ACCEPTED


# Who sees and who acts

# The role is asked before the object is looked up (accounts.permissions): a role that may
# never take the action gets 403 whatever the object; a role that may, 404 outside its scope.
#                           queue  page  accept
EXPECTED = {
    "department_user":         (200, 200, 302),
    "inspector":               (200, 200, 403),
    "director":                (403, 403, 403),
    "local_officer":           (403, 403, 403),
    "other_director":          (403, 403, 403),
    "other_local_officer":     (403, 403, 403),
    "foreign_department_user": (200, 404, 404),
    "foreign_inspector":       (200, 404, 403),
}


@pytest.mark.parametrize(("user_key", "expected"), EXPECTED.items(), ids=EXPECTED.keys())
def test_review_pages_answer_what_scope_and_role_allow(client, request, submitted, user_key, expected):
    client.force_login(request.getfixturevalue(user_key))
    data = {"version": latest(submitted).pk, "expected_revision": submitted.revision}
    got = (
        client.get(reverse("reports:review_list")).status_code,
        client.get(review_url(submitted)).status_code,
        client.post(review_url(submitted, "accept"), data).status_code,
    )
    assert got == expected
    if expected[2] != 302:
        assert not Review.objects.exists()


def test_anonymous_users_are_sent_to_the_login(client, submitted):
    for url in (reverse("reports:review_list"), review_url(submitted), reverse("reports:extension_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_inspector_reads_the_page_without_the_decision_forms(client, inspector, submitted):
    client.force_login(inspector)
    response = client.get(review_url(submitted))
    assert response.context["can_act"] is False
    assert "accept_form" not in response.context
    assert client.post(review_url(submitted, "return"), {"reason": "x"}).status_code == 403


def test_foreign_staff_do_not_see_the_report_in_their_queue(client, foreign_department_user, submitted):
    client.force_login(foreign_department_user)
    response = client.get(reverse("reports:review_list"))
    assert list(response.context["obligations"]) == []


def test_review_of_versions_made_by_the_submission_service(client, department_user, obligation, director):
    """The same path end to end with the director's service: submit, return with a field
    comment, resubmit, and the reviewer sees the change beside the comment."""
    import uuid

    from reports.services import submission_submit

    when = datetime.datetime(2026, 6, 18, 9, 0, tzinfo=datetime.UTC)
    raw = {"so_hoc_vien": "120", "so_giao_vien_nuoc_ngoai": "3", "doanh_thu": "450,5", "su_co": ""}
    submission_submit(obligation=obligation, user=director, values=raw, idempotency_key=uuid.uuid4(), now=when)
    obligation.refresh_from_db()
    client.force_login(department_user)
    response = client.post(review_url(obligation, "return"), {
        "version": latest(obligation).pk, "expected_revision": obligation.revision, "reason": "",
        "comment__doanh_thu": "Doanh thu chưa gồm học phí tháng 6.",
    })
    assert response.status_code == 302
    obligation.refresh_from_db()
    notes = obligation_review_notes(obligation)
    assert [(f.code, f.value, f.comment) for f in notes.fields] == [
        ("doanh_thu", "450,5", "Doanh thu chưa gồm học phí tháng 6."),
    ]
    submission_submit(obligation=obligation, user=director, values={**raw, "doanh_thu": "512,75"},
                      idempotency_key=uuid.uuid4(), now=when + datetime.timedelta(days=1))
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.RESUBMITTED
    response = client.get(review_url(obligation))
    assert response.context["changed_count"] == 1
    change, comment = next(row for row in response.context["diff"] if row[0].changed)
    assert (change.code, change.old, change.new, comment) == (
        "doanh_thu", "450,5", "512,75", "Doanh thu chưa gồm học phí tháng 6.",
    )
    form = response.context["accept_form"]
    client.post(review_url(obligation, "accept"), {
        "version": form.initial["version"], "expected_revision": form.initial["expected_revision"],
    })
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.ACCEPTED
    assert obligation_review_notes(obligation) is None
