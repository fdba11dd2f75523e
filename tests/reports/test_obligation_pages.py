"""The obligations pages: the "to do" list, the obligation with its form, draft autosave,
submission through the view, receipts, and who sees what (404 outside the scope, 403 for
an action the role may not take)."""

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.permissions import declared_action, may
from reports.choices import ObligationStatus
from reports.models import (
    Attachment,
    ExtensionRequest,
    Obligation,
    ReportField,
    ReportPeriod,
    SubmissionVersion,
)
from reports.services import attachment_add, submission_submit
from tests.reports.helpers_submission import (
    good_values,
    make_period,
    pdf_bytes,
    today,
    upload,
)

pytestmark = pytest.mark.django_db


def submit(obligation, user, **kwargs):
    return submission_submit(obligation=obligation, user=user, values=good_values(), idempotency_key=uuid.uuid4(),
                             **kwargs)


def form_key(body: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', body).group(1)


def detail(obligation):
    return reverse("reports:obligation_detail", args=[obligation.pk])


# The list


def test_a_director_sees_every_obligation_of_their_center_and_no_other(client, director, obligation, other_obligation,
                                                                       locked_obligation):
    client.force_login(director)
    response = client.get(reverse("reports:obligation_list"))
    assert response.status_code == 200
    assert set(response.context["obligations"]) == {obligation, locked_obligation}
    body = response.content.decode()
    assert "Việc cần làm" in body
    assert "Báo cáo tình hình hoạt động 6 tháng" in body
    # Still owed first: the overdue one, then the one due in ten days.
    assert list(response.context["obligations"]) == [locked_obligation, obligation]
    assert "quá hạn 30 ngày" in body
    assert "còn 10 ngày" in body
    assert obligation.effective_due_date.strftime("%d/%m/%Y") in body
    assert "Chưa nộp" in body


def test_the_list_shows_submission_timeliness_and_the_extended_due_date(client, director, obligation,
                                                                        locked_obligation):
    # The locked one was granted an extension to today and submitted yesterday: on time.
    Obligation.objects.filter(pk=locked_obligation.pk).update(extended_until=today())
    locked_obligation.refresh_from_db()
    submit(locked_obligation, director, now=timezone.now() - datetime.timedelta(days=1))
    submit(obligation, director)
    client.force_login(director)
    body = client.get(reverse("reports:obligation_list")).content.decode()
    assert "nộp đúng hạn" in body
    assert "đã gia hạn" in body
    assert "Đã nộp, chờ duyệt" in body


def test_a_late_submission_shows_its_days_late(client, director, locked_obligation):
    # First submitted four days after the due date (within the lock date then).
    due = locked_obligation.period.due_date
    Obligation.objects.filter(pk=locked_obligation.pk).update(
        first_submitted_at=timezone.make_aware(datetime.datetime.combine(due + datetime.timedelta(days=4),
                                                                         datetime.time(9))),
        status=ObligationStatus.SUBMITTED,
    )
    client.force_login(director)
    assert "nộp muộn 4 ngày" in client.get(reverse("reports:obligation_list")).content.decode()


def test_a_local_officer_sees_the_obligations_of_their_commune_only(client, local_officer, other_local_officer,
                                                                    obligation, other_obligation):
    client.force_login(local_officer)
    assert list(client.get(reverse("reports:obligation_list")).context["obligations"]) == [obligation]
    client.force_login(other_local_officer)
    assert list(client.get(reverse("reports:obligation_list")).context["obligations"]) == [other_obligation]


def test_staff_and_inspectors_see_their_province_with_filters(client, department_user, inspector, obligation,
                                                              other_obligation, locked_obligation, foreign_center,
                                                              foreign_department_user):
    # The locked period was generated for both centers of the province.
    other_locked = Obligation.objects.get(period=locked_obligation.period, center=other_obligation.center)
    for user in (department_user, inspector):
        client.force_login(user)
        response = client.get(reverse("reports:obligation_list"))
        assert set(response.context["obligations"]) == {obligation, other_obligation, locked_obligation, other_locked}
        body = response.content.decode()
        assert "Trung tâm Tin học Sao Mai" in body  # the center column
        assert 'name="status"' in body and 'name="period"' in body

    client.force_login(department_user)
    by_period = client.get(reverse("reports:obligation_list"), {"period": obligation.period_id})
    assert set(by_period.context["obligations"]) == {obligation, other_obligation}
    overdue = client.get(reverse("reports:obligation_list"), {"status": "overdue"})
    assert set(overdue.context["obligations"]) == {locked_obligation, other_locked}
    searched = client.get(reverse("reports:obligation_list"), {"q": "sao mai", "status": "todo"})
    assert list(searched.context["obligations"]) == [other_locked, other_obligation]

    client.force_login(foreign_department_user)
    assert list(client.get(reverse("reports:obligation_list")).context["obligations"]) == []


def test_a_period_of_another_province_is_not_a_valid_filter(client, foreign_department_user, obligation):
    client.force_login(foreign_department_user)
    response = client.get(reverse("reports:obligation_list"), {"period": obligation.period_id})
    assert list(response.context["obligations"]) == []
    assert response.context["filter"].form.errors


def test_a_director_gets_no_center_filters(client, director, obligation):
    client.force_login(director)
    body = client.get(reverse("reports:obligation_list")).content.decode()
    assert 'name="q"' not in body and 'name="commune"' not in body


def _many_obligations(report_type, center, count, offset=0):
    """`count` periods of the type, each with the center's obligation (bulk, for speed)."""
    start = datetime.date(2000, 1, 1) + datetime.timedelta(days=offset)
    periods = ReportPeriod.objects.bulk_create([
        ReportPeriod(report_type=report_type, label=f"Kỳ {n}", data_from=start + datetime.timedelta(days=n),
                     data_to=start + datetime.timedelta(days=n), due_date=start + datetime.timedelta(days=n + 5),
                     lock_date=start + datetime.timedelta(days=n + 20))
        for n in range(count)
    ])
    Obligation.objects.bulk_create([Obligation(period=period, center=center) for period in periods])


@pytest.mark.parametrize("user_key", ["director", "department_user", "local_officer"])
def test_the_list_runs_the_same_number_of_queries_for_10_and_500_obligations(client, request, report_type, center,
                                                                             user_key):
    user = request.getfixturevalue(user_key)
    client.force_login(user)
    url = reverse("reports:obligation_list")
    _many_obligations(report_type, center, 10)
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _many_obligations(report_type, center, 490, offset=10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["paginator"].count == 500
    assert len(response.context["obligations"]) == 50  # one page
    assert len(large) == len(small)


def test_the_list_stays_within_a_fixed_query_budget(client, director, report_type, center,
                                                    django_assert_max_num_queries):
    _many_obligations(report_type, center, 500)
    client.force_login(director)
    # Session, user, province (menu), unread notices (bell), center (header), count, the
    # filters' choices, the page, and the test transaction's savepoint pair.
    with django_assert_max_num_queries(11):
        client.get(reverse("reports:obligation_list"))


# The obligation page


def test_the_director_gets_the_form_with_a_key_and_draft_autosave(client, director, obligation):
    client.force_login(director)
    body = client.get(detail(obligation)).content.decode()
    key = form_key(body)
    assert uuid.UUID(key)
    assert f'action="{reverse("reports:obligation_submit", args=[obligation.pk])}"' in body
    assert f'hx-post="{reverse("reports:obligation_draft_save", args=[obligation.pk])}"' in body
    assert 'hx-trigger="input changed delay:1s, change"' in body
    # The fields of the type, with their help text and bounds.
    assert "Số học viên trong kỳ" in body and "Tổng số lượt học viên." in body and "Từ 0 đến 100.000." in body
    assert "Niêm yết tại trụ sở" in body
    assert 'placeholder="dd/mm/yyyy"' in body
    # No inline script or style (CSP).
    assert "<script>" not in body and " style=" not in body and "onclick" not in body
    # Each page view mints a fresh key.
    assert form_key(client.get(detail(obligation)).content.decode()) != key


def test_the_form_opens_on_the_saved_draft(client, director, obligation):
    Obligation.objects.filter(pk=obligation.pk).update(draft_values={"so_hoc_vien": "777"},
                                                       draft_saved_at=timezone.now())
    client.force_login(director)
    body = client.get(detail(obligation)).content.decode()
    assert 'value="777"' in body
    assert "Đã lưu nháp lúc" in body


@pytest.mark.parametrize("user_key", ["local_officer", "department_user", "inspector"])
def test_others_in_scope_read_the_obligation_without_a_form(client, request, director, obligation, user_key):
    submit(obligation, director)
    client.force_login(request.getfixturevalue(user_key))
    response = client.get(detail(obligation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "idempotency_key" not in body
    assert "Số liệu đã nộp (lần 1)" in body
    assert "1250" in body


def test_a_returned_report_shows_the_reviewers_comments_beside_the_fields(client, director, department_user,
                                                                          obligation):
    from reports.models import Review

    version = submit(obligation, director)
    Review.objects.create(version=version, decision=Review.Decision.RETURNED, reviewer=department_user,
                          reason="Số liệu chưa khớp.", field_comments={"so_hoc_vien": "Kiểm tra lại <b>số</b>."})
    Obligation.objects.filter(pk=obligation.pk).update(status=ObligationStatus.RETURNED)
    client.force_login(director)
    body = client.get(detail(obligation)).content.decode()
    assert "Sở trả lại báo cáo để sửa" in body and "Số liệu chưa khớp." in body
    assert "Ý kiến của Sở:" in body and "Kiểm tra lại &lt;b&gt;số&lt;/b&gt;." in body
    assert "Nộp lại báo cáo" in body
    assert 'value="1.250"' not in body and 'value="1250"' in body  # the submitted values, ready to correct


def test_a_locked_obligation_explains_and_offers_an_extension(client, director, locked_obligation):
    client.force_login(director)
    body = client.get(detail(locked_obligation)).content.decode()
    assert "Kỳ báo cáo đã khóa nộp" in body
    assert reverse("reports:extension_request_create", args=[locked_obligation.pk]) in body
    assert re.search(r'<button type="submit" class="btn btn-primary" disabled>', body)


# Draft autosave


def test_htmx_autosave_stores_the_draft_and_answers_with_the_time(client, director, obligation):
    client.force_login(director)
    response = client.post(reverse("reports:obligation_draft_save", args=[obligation.pk]),
                           {"so_hoc_vien": "12", "doanh_thu": "3,5", "idempotency_key": str(uuid.uuid4())},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    obligation.refresh_from_db()
    time = timezone.localtime(obligation.draft_saved_at).strftime("%H:%M")
    assert f"Đã lưu nháp lúc {time}" in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment
    assert obligation.draft_values["so_hoc_vien"] == "12"
    assert obligation.draft_values["doanh_thu"] == "3,5"
    assert obligation.status == ObligationStatus.DRAFT


def test_saving_a_draft_without_javascript_returns_to_the_page(client, director, obligation):
    client.force_login(director)
    response = client.post(reverse("reports:obligation_draft_save", args=[obligation.pk]), {"so_hoc_vien": "5"},
                           follow=True)
    assert response.redirect_chain[-1][0] == detail(obligation)
    assert "Đã lưu nháp lúc" in response.content.decode()


@pytest.mark.parametrize(("user_key", "status"), [
    # Only a director ever writes a report: the others are refused before the lookup (403).
    ("local_officer", 403), ("inspector", 403), ("department_user", 403),
    ("other_director", 404), ("other_local_officer", 403), ("foreign_department_user", 403),
])
def test_the_draft_is_the_directors_only(client, request, obligation, user_key, status):
    client.force_login(request.getfixturevalue(user_key))
    response = client.post(reverse("reports:obligation_draft_save", args=[obligation.pk]), {"so_hoc_vien": "1"})
    assert response.status_code == status
    obligation.refresh_from_db()
    assert obligation.draft_values == {}


def test_an_expired_session_tells_the_director_the_draft_was_not_saved(client, obligation):
    response = client.post(reverse("reports:obligation_draft_save", args=[obligation.pk]), {"so_hoc_vien": "1"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "bản nháp chưa được lưu" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.draft_values == {}


def test_another_center_never_sees_the_draft(client, director, department_user, obligation):
    Obligation.objects.filter(pk=obligation.pk).update(draft_values={"so_hoc_vien": "8888"})
    client.force_login(department_user)
    assert "8888" not in client.get(detail(obligation)).content.decode()


# Submission through the view


def test_submitting_the_form_makes_a_version_and_shows_its_receipt(client, director, obligation):
    client.force_login(director)
    key = form_key(client.get(detail(obligation)).content.decode())
    response = client.post(reverse("reports:obligation_submit", args=[obligation.pk]),
                           {**good_values(), "idempotency_key": key}, follow=True)
    version = SubmissionVersion.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:version_receipt", args=[version.pk])
    body = response.content.decode()
    assert "Đã nộp báo cáo (lần 1)" in body
    assert version.content_hash in body


def test_two_clicks_on_submit_make_one_version(client, director, obligation):
    client.force_login(director)
    key = form_key(client.get(detail(obligation)).content.decode())
    url = reverse("reports:obligation_submit", args=[obligation.pk])
    first = client.post(url, {**good_values(), "idempotency_key": key})
    second = client.post(url, {**good_values(), "idempotency_key": key})
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert SubmissionVersion.objects.count() == 1


def test_a_bad_value_shows_the_form_again_with_the_error_beside_the_field(client, director, obligation):
    client.force_login(director)
    key = form_key(client.get(detail(obligation)).content.decode())
    response = client.post(reverse("reports:obligation_submit", args=[obligation.pk]),
                           {**good_values(so_hoc_vien="200000", ngay_cong_khai="30/02/2026"), "idempotency_key": key})
    assert response.status_code == 200
    body = response.content.decode()
    assert "«Số học viên trong kỳ» phải từ 0 đến 100.000." in body
    assert "«Ngày công khai»: ngày không hợp lệ" in body
    assert form_key(body) == key  # a corrected retry keeps the same key
    assert not SubmissionVersion.objects.exists()
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.OPEN


def test_a_submission_after_the_lock_date_is_refused_on_the_page(client, director, locked_obligation):
    client.force_login(director)
    response = client.post(reverse("reports:obligation_submit", args=[locked_obligation.pk]),
                           {**good_values(), "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "Kỳ báo cáo đã khóa nộp" in response.content.decode()
    assert not SubmissionVersion.objects.exists()


@pytest.mark.parametrize(("user_key", "status"), [
    # Only a director ever writes a report: the others are refused before the lookup (403).
    ("local_officer", 403), ("inspector", 403), ("department_user", 403),
    ("other_director", 404), ("other_local_officer", 403), ("foreign_department_user", 403),
])
def test_only_the_director_may_submit_on_the_page(client, request, obligation, user_key, status):
    client.force_login(request.getfixturevalue(user_key))
    response = client.post(reverse("reports:obligation_submit", args=[obligation.pk]),
                           {**good_values(), "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == status
    assert not SubmissionVersion.objects.exists()


# Receipts


def test_the_receipt_shows_who_when_the_hash_the_values_and_the_files(client, director, obligation):
    attachment = attachment_add(obligation=obligation, user=director, upload=upload("bao-cao.pdf", pdf_bytes()))
    version = submit(obligation, director)
    client.force_login(director)
    body = client.get(reverse("reports:version_receipt", args=[version.pk])).content.decode()
    assert "BIÊN NHẬN NỘP BÁO CÁO" in body
    assert str(director) in body
    assert timezone.localtime(version.submitted_at).strftime("%d/%m/%Y %H:%M") in body
    assert version.content_hash in body
    assert "Nội dung lưu trên hệ thống khớp với mã băm." in body
    assert "Số học viên trong kỳ" in body and "1250" in body and "05/03/2026" in body and "Có" in body
    assert "bao-cao.pdf" in body and attachment.sha256 in body
    assert "nộp đúng hạn" in body
    assert "data-print" in body


def test_a_late_receipt_says_by_how_many_days(client, director, locked_obligation):
    Obligation.objects.filter(pk=locked_obligation.pk).update(extended_until=today())
    locked_obligation.refresh_from_db()
    version = submit(locked_obligation, director)
    Obligation.objects.filter(pk=locked_obligation.pk).update(extended_until=None)
    client.force_login(director)
    body = client.get(reverse("reports:version_receipt", args=[version.pk])).content.decode()
    assert "nộp muộn 30 ngày" in body


def test_the_receipt_keeps_the_labels_the_version_answered(client, director, obligation, report_type):
    version = submit(obligation, director)
    ReportField.objects.filter(report_type=report_type, code="so_hoc_vien").update(label="Tổng học viên (mẫu mới)")
    client.force_login(director)
    body = client.get(reverse("reports:version_receipt", args=[version.pk])).content.decode()
    assert "Số học viên trong kỳ" in body
    assert "Tổng học viên (mẫu mới)" not in body


@pytest.mark.parametrize(("user_key", "status"), [
    ("director", 200), ("local_officer", 200), ("department_user", 200), ("inspector", 200),
    ("other_director", 404), ("other_local_officer", 404), ("foreign_department_user", 404),
])
def test_the_receipt_is_readable_within_the_scope_only(client, request, director, obligation, user_key, status):
    version = submit(obligation, director)
    client.force_login(request.getfixturevalue(user_key))
    assert client.get(reverse("reports:version_receipt", args=[version.pk])).status_code == status


def test_the_receipt_prints_without_the_portal_chrome():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    assert "@media print" in css and ".portal-navbar" in css.split("@media print", 1)[1]


# Every URL of an obligation, for another center's director and other outsiders


def _urls(obligation, version, attachment):
    return [
        ("get", reverse("reports:obligation_detail", args=[obligation.pk])),
        ("post", reverse("reports:obligation_draft_save", args=[obligation.pk])),
        ("post", reverse("reports:obligation_submit", args=[obligation.pk])),
        ("post", reverse("reports:attachment_upload", args=[obligation.pk])),
        ("get", reverse("reports:extension_request_create", args=[obligation.pk])),
        ("post", reverse("reports:extension_request_create", args=[obligation.pk])),
        ("get", reverse("reports:version_receipt", args=[version.pk])),
        ("get", reverse("reports:attachment_download", args=[attachment.pk])),
        ("post", reverse("reports:attachment_delete", args=[attachment.pk])),
    ]


@pytest.mark.parametrize("user_key", ["other_director", "other_local_officer", "foreign_department_user",
                                      "foreign_inspector"])
def test_every_report_url_is_404_outside_the_scope_for_a_role_that_may_act(client, request, director, obligation,
                                                                          user_key):
    attachment_add(obligation=obligation, user=director, upload=upload("a.pdf", pdf_bytes()))
    version = submit(obligation, director)
    attachment = Attachment.objects.get()
    user = request.getfixturevalue(user_key)
    client.force_login(user)
    for method, url in _urls(obligation, version, attachment):
        # 404 for a role that may take the action; a role that never may is refused first (403).
        expected = 404 if may(user, declared_action(resolve(url).func)) else 403
        assert getattr(client, method)(url).status_code == expected, (method, url)
    assert ExtensionRequest.objects.count() == 0


def test_every_report_url_sends_an_anonymous_visitor_to_the_login(client, director, obligation):
    attachment_add(obligation=obligation, user=director, upload=upload("a.pdf", pdf_bytes()))
    version = submit(obligation, director)
    for method, url in [("get", reverse("reports:obligation_list")),
                        *_urls(obligation, version, Attachment.objects.get())]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, (method, url)


def test_a_local_officer_reads_everything_and_writes_nothing(client, director, local_officer, obligation):
    attachment_add(obligation=obligation, user=director, upload=upload("a.pdf", pdf_bytes()))
    version = submit(obligation, director)
    attachment = Attachment.objects.get()
    client.force_login(local_officer)
    for method, url in _urls(obligation, version, attachment):
        expected = 200 if method == "get" and "extension" not in url else 403
        assert getattr(client, method)(url).status_code == expected, (method, url)


# Home and menu


def test_the_director_lands_on_the_reports_and_the_menu_links_them(client, director, obligation):
    client.force_login(director)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:obligation_list")
    body = response.content.decode()
    assert f'href="{reverse("reports:obligation_list")}">Báo cáo</a>' in body


def test_every_logged_in_user_has_the_reports_link(client, local_officer, inspector):
    for user in (local_officer, inspector):
        client.force_login(user)
        # In the "Báo cáo" menu, with the review and the totals where the role has them.
        body = client.get(reverse("centers:center_list")).content.decode()
        assert re.search(rf'href="{reverse("reports:obligation_list")}">'
                         r"<svg [^>]*>.*?</svg>Báo cáo của các trung tâm</a>", body)


def test_a_period_due_within_the_window_is_listed_with_days_left(client, director, report_type, center):
    make_period(report_type, due=today(), label="Kỳ hôm nay")
    client.force_login(director)
    assert "hạn chót hôm nay" in client.get(reverse("reports:obligation_list")).content.decode()
