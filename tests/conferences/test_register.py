"""The register of issued documents (issue 11): numbers follow the dates of issue, a
Department adopting the portal mid-year starts it where its paper register stopped, and
every number the portal does not give to a directive (cancelled, skipped) is recorded
with its reason and listed, never a silent gap."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conferences.choices import DirectiveStatus, DirectiveType, RegisterEntryKind
from conferences.models import Directive, DirectiveRegister, RegisterEntry
from conferences.services import directive_issue, directive_save
from conferences.services.registers import register_cancel_next, register_set_next

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 12, 15, 9, 0, tzinfo=datetime.timezone(
            datetime.timedelta(hours=7))), tick=False):
        yield


def draft(user, subject="Kết luận của Giám đốc Sở tại Hội nghị giao ban") -> Directive:
    return directive_save(directive=Directive(
        doc_type=DirectiveType.CONCLUSION_NOTICE, subject=subject, body="Nội dung.", signer_name="Trần Văn Minh",
        recipients="Các phòng thuộc Sở\nLưu: VT",
    ), user=user)


def register_of(user) -> DirectiveRegister:
    return DirectiveRegister.objects.get(province_id=user.province_id, year=2026,
                                         doc_type=DirectiveType.CONCLUSION_NOTICE)


def start_at(user, next_number, last_on, reason="Bắt đầu dùng cổng; các số trước đã cấp trên sổ giấy.", **kwargs):
    return register_set_next(province_id=user.province_id, year=2026, doc_type=DirectiveType.CONCLUSION_NOTICE,
                             next_number=next_number, last_on=last_on, reason=reason, user=user, **kwargs)


# Dates follow numbers

def test_a_number_dated_before_the_last_issued_number_is_refused(department_user):
    first = directive_issue(directive=draft(department_user), user=department_user,
                            issued_on=datetime.date(2026, 12, 4))
    late = draft(department_user, subject="Kết luận thứ hai")
    with pytest.raises(ValidationError) as refused:
        directive_issue(directive=late, user=department_user, issued_on=datetime.date(2026, 1, 2))
    message = " ".join(refused.value.messages)
    assert "02/01/2026" in message and first.number_text == "01/TB-SGDĐT"
    assert "01/TB-SGDĐT (04/12/2026)" in message and "từ 04/12/2026 trở đi" in message
    late.refresh_from_db()
    assert late.status == DirectiveStatus.DRAFT and late.number is None
    assert register_of(department_user).last_number == 1
    # The same day as the last number, or later, is fine.
    assert directive_issue(directive=late, user=department_user, issued_on=datetime.date(2026, 12, 4)).number == 2


def test_the_issue_page_shows_the_refusal_and_issues_nothing(client, department_user):
    directive_issue(directive=draft(department_user), user=department_user, issued_on=datetime.date(2026, 12, 4))
    late = draft(department_user, subject="Kết luận thứ hai")
    client.force_login(department_user)
    page = client.get(reverse("conferences:directive_issue", args=[late.pk])).content.decode()
    assert "số tiếp theo 02" in page and "Số đã cấp gần nhất: 01/TB-SGDĐT ngày 04/12/2026" in page
    response = client.post(reverse("conferences:directive_issue", args=[late.pk]), {"issued_on": "02/01/2026"})
    assert response.status_code == 200
    assert "trước ngày của 01/TB-SGDĐT (04/12/2026)" in response.content.decode()
    assert Directive.objects.get(pk=late.pk).number is None


def test_another_register_is_not_held_back(department_user):
    directive_issue(directive=draft(department_user), user=department_user, issued_on=datetime.date(2026, 12, 4))
    plan = directive_save(directive=Directive(doc_type=DirectiveType.PLAN, subject="Kế hoạch", body="Nội dung.",
                                              signer_name="Trần Văn Minh"), user=department_user)
    assert directive_issue(directive=plan, user=department_user, issued_on=datetime.date(2026, 1, 2)).number == 1


# Starting where the paper register stopped

def test_the_register_starts_at_the_number_staff_set(department_user):
    start_at(department_user, 58, datetime.date(2026, 12, 10))
    issued = directive_issue(directive=draft(department_user), user=department_user)
    assert issued.number == 58 and issued.number_text == "58/TB-SGDĐT"
    register = register_of(department_user)
    assert (register.paper_through, register.paper_last_on, register.last_number) == (
        57, datetime.date(2026, 12, 10), 58)
    history = register.history.order_by("history_date").last()
    assert history.history_user == department_user
    assert history.history_change_reason == "Bắt đầu dùng cổng; các số trước đã cấp trên sổ giấy."


def test_a_number_dated_before_the_last_paper_number_is_refused(department_user):
    start_at(department_user, 58, datetime.date(2026, 12, 10))
    with pytest.raises(ValidationError, match=r"số 57 \(sổ giấy\) \(10/12/2026\)"):
        directive_issue(directive=draft(department_user), user=department_user, issued_on=datetime.date(2026, 12, 9))


def test_the_start_needs_a_reason_and_the_date_of_the_last_paper_number(department_user):
    with pytest.raises(ValidationError) as refused:
        start_at(department_user, 58, None, reason="  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        start_at(department_user, 58, None)
    assert "last_on" in refused.value.message_dict
    with pytest.raises(ValidationError, match="tương lai"):
        start_at(department_user, 58, datetime.date(2026, 12, 20))
    assert not DirectiveRegister.objects.filter(last_number__gt=0).exists()


def test_the_start_can_be_corrected_until_the_portal_gives_a_number(department_user):
    start_at(department_user, 580, datetime.date(2026, 12, 10), reason="Nhập nhầm")
    start_at(department_user, 58, datetime.date(2026, 12, 10), reason="Sửa lại: sổ giấy dừng ở số 57")
    assert register_of(department_user).history.count() == 2
    directive_issue(directive=draft(department_user), user=department_user)
    with pytest.raises(ValidationError, match="chỉ đi tiếp"):
        start_at(department_user, 10, datetime.date(2026, 12, 10))
    assert register_of(department_user).last_number == 58


def test_only_the_departments_staff_set_a_start(inspector, foreign_department_user, department_user):
    for user in (inspector,):
        with pytest.raises(PermissionDenied):
            start_at(user, 10, datetime.date(2026, 12, 1))
    directive_issue(directive=draft(department_user), user=department_user)
    with pytest.raises(PermissionDenied):
        register_cancel_next(register=register_of(department_user), dated=TODAY, reason="x",
                             user=foreign_department_user)


# Gaps and cancellations are recorded

def test_numbers_jumped_over_are_recorded_as_skipped_with_the_reason(department_user):
    directive_issue(directive=draft(department_user), user=department_user, issued_on=datetime.date(2026, 12, 1))
    start_at(department_user, 5, datetime.date(2026, 12, 2), reason="Số 02-04 cấp cho văn bản giấy khi mất điện")
    skipped = list(RegisterEntry.objects.order_by("number").values_list("number", "kind", "reason"))
    assert skipped == [(n, RegisterEntryKind.SKIPPED, "Số 02-04 cấp cho văn bản giấy khi mất điện") for n in (2, 3, 4)]
    assert directive_issue(directive=draft(department_user, "Tiếp"), user=department_user).number == 5


def test_a_cancelled_number_is_a_register_entry_and_never_given_again(department_user):
    directive_issue(directive=draft(department_user), user=department_user, issued_on=datetime.date(2026, 12, 1))
    entry = register_cancel_next(register=register_of(department_user), dated=datetime.date(2026, 12, 3),
                                 reason="Số cấp trên giấy cho công văn không ban hành", user=department_user)
    assert (entry.number, entry.kind, entry.recorded_by) == (2, RegisterEntryKind.CANCELLED, department_user)
    with pytest.raises(ValidationError, match=r"số 02 \(hủy số\) \(03/12/2026\)"):
        directive_issue(directive=draft(department_user, "Lùi ngày"), user=department_user,
                        issued_on=datetime.date(2026, 12, 2))
    assert directive_issue(directive=draft(department_user, "Tiếp"), user=department_user).number == 3


def test_a_stale_form_changes_nothing(department_user):
    directive_issue(directive=draft(department_user), user=department_user)
    register = register_of(department_user)
    directive_issue(directive=draft(department_user, "Văn bản ban hành trong lúc đó"), user=department_user)
    with pytest.raises(ValidationError, match="Sổ đã thay đổi từ khi mở trang"):
        register_cancel_next(register=register, dated=TODAY, reason="Hủy", user=department_user, seen_last=1)
    assert not RegisterEntry.objects.exists()


# The register's page

def test_the_register_page_lists_paper_issued_cancelled_skipped_and_unrecorded_numbers(client, department_user,
                                                                                       inspector, director):
    start_at(department_user, 3, datetime.date(2026, 11, 30))
    issued = directive_issue(directive=draft(department_user), user=department_user,
                             issued_on=datetime.date(2026, 12, 1))
    register = register_of(department_user)
    client.force_login(department_user)
    url = reverse("conferences:register_detail", args=[register.pk])
    response = client.post(url, {"action": "cancel", "dated": "02/12/2026", "reason": "Văn bản không ban hành",
                                 "seen_last": "3"})
    assert response.status_code == 302
    response = client.post(url, {"action": "next", "doc_type": register.doc_type, "year": "2026",
                                 "next_number": "7", "last_on": "03/12/2026", "reason": "Cấp ngoài cổng",
                                 "seen_last": "4"})
    assert response.status_code == 302
    # A number with no record at all (written by an older version, or by hand in the database).
    DirectiveRegister.objects.filter(pk=register.pk).update(last_number=8)
    page = client.get(url).content.decode()
    for text in ("01–02", "Đã cấp trên sổ đăng ký giấy", issued.number_text, issued.subject, "Hủy số",
                 "Văn bản không ban hành", "05–06", "Cấp ngoài cổng", "08", "Chưa ghi nhận"):
        assert text in page, text
    assert page.index(issued.number_text) < page.index("Văn bản không ban hành") < page.index("Cấp ngoài cổng")
    client.force_login(inspector)
    page = client.get(url).content.decode()
    assert "Hủy số" in page and 'name="action"' not in page  # inspectors read, never change
    assert client.post(url, {"action": "cancel", "dated": "15/12/2026", "reason": "x"}).status_code == 403
    client.force_login(director)
    assert client.get(url).status_code == 403


def test_the_register_page_refuses_bad_input_with_a_message(client, department_user):
    directive_issue(directive=draft(department_user), user=department_user, issued_on=datetime.date(2026, 12, 4))
    register = register_of(department_user)
    client.force_login(department_user)
    url = reverse("conferences:register_detail", args=[register.pk])
    response = client.post(url, {"action": "cancel", "dated": "01/12/2026", "reason": "Hủy", "seen_last": "1"})
    assert response.status_code == 200
    assert "trước ngày của 01/TB-SGDĐT (04/12/2026)" in response.content.decode()
    response = client.post(url, {"action": "next", "doc_type": register.doc_type, "year": "2026",
                                 "next_number": "²", "last_on": "04/12/2026", "reason": "x", "seen_last": "1"})
    assert response.status_code == 200
    assert not RegisterEntry.objects.exists() and register_of(department_user).last_number == 1


def test_staff_start_a_register_from_the_list_page(client, department_user):
    client.force_login(department_user)
    url = reverse("conferences:register_list")
    assert client.get(url).status_code == 200
    response = client.post(url, {"doc_type": DirectiveType.DECISION, "year": "2026", "next_number": "121",
                                 "last_on": "12/12/2026", "reason": "Sổ giấy đến số 120"})
    register = DirectiveRegister.objects.get(doc_type=DirectiveType.DECISION)
    assert response.status_code == 302 and response.url == register.get_absolute_url()
    assert (register.paper_through, register.next_number) == (120, 121)
    page = client.get(url).content.decode()
    assert "01–120 (đến ngày 12/12/2026)" in page


def test_the_register_page_runs_a_fixed_number_of_queries(client, department_user):
    client.force_login(department_user)
    directive_issue(directive=draft(department_user), user=department_user)
    url = reverse("conferences:register_detail", args=[register_of(department_user).pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        directive_issue(directive=draft(department_user, f"Văn bản {n}"), user=department_user)
        register_cancel_next(register=register_of(department_user), dated=TODAY, reason=f"Hủy {n}",
                             user=department_user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Hủy số") >= 5
    assert len(many) == len(few)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issues_and_cancellations_at_once_share_the_register_without_duplicates(department_user):
    import threading

    drafts = [draft(department_user, f"Văn bản {n}") for n in range(8)]
    directive_issue(directive=draft(department_user, "Mở sổ"), user=department_user)
    barrier = threading.Barrier(16)
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=30)
            action()
        except Exception as error:  # reported by the assertion below  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    def cancel():
        register_cancel_next(register=register_of(department_user), dated=TODAY, reason="Hủy", user=department_user)

    actions = [lambda d=d: directive_issue(directive=d, user=department_user) for d in drafts] + [cancel] * 8
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    given = sorted([*Directive.objects.filter(number__isnull=False).values_list("number", flat=True),
                    *RegisterEntry.objects.values_list("number", flat=True)])
    assert given == list(range(1, 18))
    assert register_of(department_user).last_number == 17
