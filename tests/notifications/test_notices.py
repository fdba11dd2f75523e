"""Notices of events (report returned, accepted, extension decided, task assigned, task
reopened; "invitation accepted" is accounts.invitations' own call of notice_send): once
in the bell of each person concerned, one e-mail to their accounts' addresses and the
center's registered address (each once), nothing more when called or delivered again;
links relative in the portal, absolute in e-mails."""

import datetime
import email
import email.policy
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conferences.models import TaskAssignment
from conferences.services import assignment_reopen, directive_issue, progress_report, task_assign
from notifications.models import Dispatch, Notification
from notifications.services import notice_send, notices_deliver, notices_requeue
from reports.models import ExtensionRequest
from reports.services import extension_decide, submission_accept, submission_return
from tests.conferences.conftest import make_directive, make_task
from tests.factories import CenterFactory, make_user
from tests.reports.helpers_review import make_obligation, make_period, make_report_type, submit_version, values

pytestmark = pytest.mark.django_db

PORTAL = "https://congtt.sogd-bacninh.example.org"
CENTER_ADDRESS = "lienhe.donga@example.com"
DIRECTOR_ADDRESS = "giamdoc@bacninh.example.org"


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_URL = PORTAL


@pytest.fixture
def center_with_address(center):
    center.email = CENTER_ADDRESS
    center.save(update_fields=["email"])
    return center


@pytest.fixture
def people(center_with_address, director, other_director):
    director.email = DIRECTOR_ADDRESS
    director.save(update_fields=["email"])
    other_director.email = "khac@example.org"
    other_director.save(update_fields=["email"])
    return director


def _addresses(message) -> list[str]:
    return message.to + message.cc + message.bcc


def _one_notice_and_one_mail(user, *, key_prefix: str):
    """The notice in `user`'s bell and the one e-mail of the event, checked."""
    notices = list(Notification.objects.filter(key__startswith=key_prefix))
    assert [n.recipient for n in notices] == [user]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(_addresses(message)) == sorted([DIRECTOR_ADDRESS, CENTER_ADDRESS])
    notice = notices[0]
    assert notice.link.startswith("/") and PORTAL not in notice.link
    assert PORTAL + notice.link in message.body
    assert message.subject == notice.subject and not message.subject.startswith(" ")
    assert Dispatch.objects.get(key=notice.key).status == Dispatch.Status.SENT
    return notice, message


def _redeliver_sends_nothing():
    sent = len(mail.outbox)
    assert notices_deliver(list(Dispatch.objects.values_list("pk", flat=True))) == 0
    assert notices_requeue(now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == sent


# notice_send itself


def test_a_notice_is_recorded_once_shown_in_the_bell_and_mailed_to_each_address_once(
    people, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        recorded = notice_send(
            key="notice:test:1", users=[people, people], subject="  Báo cáo đã được chấp nhận ",
            body="Nội dung", link="/reports/1/",
            # The same address in other case, and the center's: each gets one copy.
            addresses=[CENTER_ADDRESS, DIRECTOR_ADDRESS.upper(), ""],
        )
    assert recorded is True
    notice, message = _one_notice_and_one_mail(people, key_prefix="notice:test:")
    assert notice.subject == "Báo cáo đã được chấp nhận"
    assert message.body == f"Nội dung\n\n{PORTAL}/reports/1/"

    with django_capture_on_commit_callbacks(execute=True):
        again = notice_send(key="notice:test:1", users=[people], subject="x", body="y", link="/",
                            addresses=["a@example.com"])
    assert again is False
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    _redeliver_sends_nothing()


def test_the_mail_reads_back_its_subject_without_a_leading_space_and_a_portal_message_id(
    people, django_capture_on_commit_callbacks,
):
    subject = "[Trả lại báo cáo] Báo cáo hoạt động 6 tháng - 6 tháng đầu năm 2026 của Trung tâm Ngoại ngữ Đông Á"
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(key="notice:test:2", users=[people], subject=subject, body="B", link="/")
    raw = mail.outbox[0].message().as_bytes(linesep="\r\n")
    assert b"Subject: \r\n" not in raw
    # As a mail reader decodes it (Django's own encoding used to fold it into " [Trả...").
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == subject
    assert parsed["Message-ID"].endswith("@congtt.sogd-bacninh.example.org>")
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_a_change_rolled_back_leaves_no_notice_and_sends_nothing(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notice_send(key="notice:test:3", users=[people], subject="S", body="B", link="/")
            raise RuntimeError("the service failed after the notice")
    assert not Notification.objects.exists() and not Dispatch.objects.exists() and mail.outbox == []


def test_the_center_address_is_mailed_even_without_any_account(center_with_address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(key="notice:test:4", users=[], addresses=[CENTER_ADDRESS], subject="S", body="B", link="/")
    assert [_addresses(m) for m in mail.outbox] == [[CENTER_ADDRESS]]
    assert not Notification.objects.exists()


def test_inactive_accounts_get_neither_notice_nor_mail(people, django_capture_on_commit_callbacks):
    people.is_active = False
    people.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(key="notice:test:5", users=[people], subject="S", body="B", link="/")
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_link_must_be_a_portal_path(people):
    with pytest.raises(ValueError):
        notice_send(key="notice:test:6", users=[people], subject="S", body="B", link=f"{PORTAL}/reports/")
    assert not Dispatch.objects.exists()


def test_a_notice_whose_task_was_lost_is_queued_again_once_its_lease_runs_out(
    people, django_capture_on_commit_callbacks,
):
    # Redis down when the change was committed: the notice is in the bell, the e-mail waits.
    with mock.patch("notifications.tasks.notices_send_task.delay", side_effect=ConnectionError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            notice_send(key="notice:test:7", users=[people], subject="S", body="B", link="/")
    assert Notification.objects.count() == 1 and mail.outbox == []
    assert notices_requeue() == 0  # still leased: the task may yet run
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert notices_requeue(now=later) == 1
    assert len(mail.outbox) == 1
    assert notices_requeue(now=later + datetime.timedelta(minutes=11)) == 0
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_a_clock_set_back_does_not_hold_a_lost_notice_for_the_time_it_jumped(
    people, django_capture_on_commit_callbacks,
):
    import time_machine

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30), tick=False):
        notice_send(key="notice:test:8", users=[people], subject="S", body="B", link="/")
    with mock.patch("notifications.tasks.notices_send_task.delay", side_effect=ConnectionError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            notice_send(key="notice:test:9", users=[people], subject="S", body="B", link="/")
    assert notices_requeue(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    assert [_addresses(m) for m in mail.outbox] == [[DIRECTOR_ADDRESS]]


# Reports: returned, accepted, extension decided


@pytest.fixture
def submitted(people, center_with_address):
    obligation = make_obligation(make_period(make_report_type(center_with_address.province),
                                             due_date=datetime.date(2026, 6, 19)), center_with_address)
    version = submit_version(obligation, values(), by=people)
    obligation.refresh_from_db()
    return obligation, version


def test_returning_a_report_tells_the_director_and_the_center_why(
    submitted, department_user, django_capture_on_commit_callbacks,
):
    obligation, version = submitted
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(
            obligation=obligation, version=version, reviewer=department_user, expected_revision=obligation.revision,
            reason="Số liệu doanh thu chưa khớp với báo cáo tài chính.",
            field_comments={"so_giao_vien_nuoc_ngoai": "Thiếu 01 giáo viên người Anh."},
        )
    notice, message = _one_notice_and_one_mail(people_of(obligation), key_prefix="notice:report-returned:")
    assert notice.link == reverse("reports:obligation_detail", args=[obligation.pk])
    assert message.subject.startswith("[Trả lại báo cáo] Báo cáo hoạt động 6 tháng")
    for text in (notice.body, message.body):
        assert "Lý do: Số liệu doanh thu chưa khớp với báo cáo tài chính." in text
        assert "- Số giáo viên người nước ngoài: Thiếu 01 giáo viên người Anh." in text
    assert "khac@example.org" not in _addresses(message)
    _redeliver_sends_nothing()


def people_of(obligation) -> User:
    return User.objects.get(role=User.Role.DIRECTOR, center=obligation.center)


def test_accepting_a_report_tells_the_director_and_the_center(
    submitted, department_user, django_capture_on_commit_callbacks,
):
    obligation, version = submitted
    with django_capture_on_commit_callbacks(execute=True):
        submission_accept(obligation=obligation, version=version, reviewer=department_user,
                          expected_revision=obligation.revision)
    notice, message = _one_notice_and_one_mail(people_of(obligation), key_prefix="notice:report-accepted:")
    assert "[Báo cáo đã được chấp nhận]" in message.subject and "bản nộp lần 1" in message.body
    _redeliver_sends_nothing()


@pytest.fixture
def extension(submitted, people):
    obligation, _version = submitted
    return ExtensionRequest.objects.create(
        obligation=obligation, reason="Kế toán nghỉ ốm.", requested_until=datetime.date(2026, 6, 29),
        requested_by=people,
    )


def test_a_granted_extension_tells_the_new_due_date(extension, department_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        extension_decide(request=extension, decided_by=department_user, grant=True, answer="Đồng ý gia hạn.")
    notice, message = _one_notice_and_one_mail(people_of(extension.obligation), key_prefix="notice:extension-decided:")
    assert "đã chấp thuận" in message.subject
    assert "hạn nộp mới là ngày 29/06/2026" in notice.body and "Trả lời của Sở: Đồng ý gia hạn." in notice.body
    _redeliver_sends_nothing()


def test_a_refused_extension_tells_the_answer(extension, department_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        extension_decide(request=extension, decided_by=department_user, grant=False,
                         answer="Hạn nộp đã được thông báo từ đầu kỳ.")
    notice, message = _one_notice_and_one_mail(people_of(extension.obligation), key_prefix="notice:extension-decided:")
    assert "không chấp thuận" in message.subject
    assert "Trả lời của Sở: Hạn nộp đã được thông báo từ đầu kỳ." in message.body
    assert "hạn nộp vẫn là ngày 19/06/2026" in notice.body


# Conferences: tasks assigned when a directive is issued, progress reopened


@pytest.fixture
def division_member(province):
    from accounts.models import Division

    division = Division.objects.create(province=province, name="Phòng Giáo dục thường xuyên", code="GDTX")
    return make_user(User.Role.DEPARTMENT, province=province, username="gdtx1", email="gdtx1@example.org",
                     division=division)


def test_issuing_a_directive_tells_each_assignee_its_task(
    people, local_officer, division_member, department_user, commune, django_capture_on_commit_callbacks,
):
    local_officer.email = "canboxa@example.org"
    local_officer.save(update_fields=["email"])
    directive = make_directive(department_user)
    task = make_task(department_user, directive, text="Rà soát giấy phép hoạt động.")
    task_assign(task=task, user=department_user, centers=[people.center], communes=[commune],
                divisions=[division_member.division])
    with django_capture_on_commit_callbacks(execute=True):
        directive_issue(directive=directive, user=department_user, issued_on=timezone.localdate())
    by_user = {n.recipient.username: n for n in Notification.objects.select_related("recipient")}
    assert sorted(by_user) == ["canboxa", "gdtx1", "giamdoc"]
    assert sorted(sorted(_addresses(m)) for m in mail.outbox) == [
        ["canboxa@example.org"], ["gdtx1@example.org"], sorted([DIRECTOR_ADDRESS, CENTER_ADDRESS]),
    ]
    center_notice = by_user["giamdoc"]
    assignment = TaskAssignment.objects.get(task=task, center=people.center)
    assert center_notice.link == reverse("conferences:assignment_detail", args=[assignment.pk])
    assert center_notice.subject.startswith("[Nhiệm vụ mới] Nhiệm vụ 1 theo ")
    assert "Rà soát giấy phép hoạt động." in center_notice.body
    message = next(m for m in mail.outbox if CENTER_ADDRESS in _addresses(m))
    assert PORTAL + center_notice.link in message.body
    _redeliver_sends_nothing()


def _issue_to_centers(department_user, commune, count: int, django_capture_on_commit_callbacks):
    centers = [CenterFactory(commune=commune, email=f"lienhe{count}.{n}@example.com") for n in range(count)]
    for n, center in enumerate(centers):
        make_user(User.Role.DIRECTOR, center=center, username=f"gd{count}_{n}", email=f"gd{count}_{n}@example.org")
    directive = make_directive(department_user)
    for text in ("Nhiệm vụ một.", "Nhiệm vụ hai."):
        task_assign(task=make_task(department_user, directive, text=text), user=department_user, centers=centers)
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        with django_capture_on_commit_callbacks(execute=False):
            directive_issue(directive=directive, user=department_user, issued_on=timezone.localdate())
    return len(queries)


def test_issuing_to_many_centers_runs_a_fixed_number_of_queries(
    department_user, commune, django_capture_on_commit_callbacks,
):
    few = _issue_to_centers(department_user, commune, 3, django_capture_on_commit_callbacks)
    many = _issue_to_centers(department_user, commune, 40, django_capture_on_commit_callbacks)
    assert few == many
    assert Notification.objects.count() == 2 * (3 + 40)


@pytest.fixture
def done_assignment(people, department_user, django_capture_on_commit_callbacks):
    directive = make_directive(department_user)
    task = make_task(department_user, directive)
    task_assign(task=task, user=department_user, centers=[people.center])
    with django_capture_on_commit_callbacks(execute=True):
        directive_issue(directive=directive, user=department_user, issued_on=timezone.localdate())
    assignment = TaskAssignment.objects.get(task=task)
    progress_report(assignment=assignment, user=people, note="Đã rà soát xong.", marks_done=True)
    Notification.objects.all().delete()
    mail.outbox.clear()
    return assignment


def test_reopening_a_task_tells_the_assignee_why_once_per_reopening(
    people, department_user, done_assignment, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment_reopen(assignment=done_assignment, user=department_user, note="Thiếu danh sách giáo viên.")
    notice, message = _one_notice_and_one_mail(people, key_prefix="notice:task-reopened:")
    assert message.subject.startswith("[Yêu cầu thực hiện lại] Nhiệm vụ 1 theo ")
    assert "Lý do: Thiếu danh sách giáo viên." in message.body
    _redeliver_sends_nothing()

    # Reported done again and sent back again: a second notice, for the second time.
    progress_report(assignment=done_assignment, user=people, note="Đã bổ sung.", marks_done=True)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_reopen(assignment=done_assignment, user=department_user, note="Vẫn thiếu hợp đồng.")
    assert Notification.objects.filter(recipient=people).count() == 2 and len(mail.outbox) == 2
    assert "Vẫn thiếu hợp đồng." in mail.outbox[1].body


# The notice page


def test_the_notice_page_shows_only_ones_own_notices_and_opens_the_relative_link(
    client, submitted, department_user, other_director, django_capture_on_commit_callbacks,
):
    obligation, version = submitted
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(obligation=obligation, version=version, reviewer=department_user,
                          expected_revision=obligation.revision, reason="Thiếu chữ ký.", field_comments={})
        notice_send(key="notice:test:other", users=[other_director], subject="Thông báo của trung tâm khác",
                    body="Không phải của bạn", link="/reports/")
    director = people_of(obligation)
    client.force_login(director)
    page = client.get(reverse("notifications:notification_list")).content.decode()
    assert "[Trả lại báo cáo]" in page and "Lý do: Thiếu chữ ký." in page
    assert "Thông báo của trung tâm khác" not in page
    notice = Notification.objects.get(recipient=director)
    response = client.post(reverse("notifications:notification_open", args=[notice.pk]))
    assert response.status_code == 302 and response.url == f"/reports/{obligation.pk}/"
    theirs = Notification.objects.get(recipient=other_director)
    assert client.post(reverse("notifications:notification_open", args=[theirs.pk])).status_code == 404


# Reminders reach the center's registered address too


def test_a_report_reminder_goes_to_the_director_and_the_center_address_once_each(
    people, center_with_address, django_capture_on_commit_callbacks,
):
    from reports.services import reminders_sweep

    due = datetime.date(2026, 6, 19)
    obligation = make_obligation(make_period(make_report_type(center_with_address.province), due_date=due),
                                 center_with_address)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=due - datetime.timedelta(days=7))
    assert len(mail.outbox) == 1
    assert sorted(_addresses(mail.outbox[0])) == sorted([DIRECTOR_ADDRESS, CENTER_ADDRESS])
    notice = Notification.objects.get(recipient=people)
    assert notice.link == reverse("reports:obligation_list") and PORTAL + notice.link in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=due - datetime.timedelta(days=7))
    assert len(mail.outbox) == 1 and obligation.pk


def test_a_center_address_equal_to_the_directors_is_mailed_once(people, center_with_address,
                                                                 django_capture_on_commit_callbacks):
    from reports.services import reminders_sweep

    center_with_address.email = DIRECTOR_ADDRESS.upper()
    center_with_address.save(update_fields=["email"])
    due = datetime.date(2026, 6, 19)
    make_obligation(make_period(make_report_type(center_with_address.province), due_date=due), center_with_address)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=due)
    assert len(mail.outbox) == 1 and len(_addresses(mail.outbox[0])) == 1


def test_a_task_reminder_goes_to_the_center_address_too(people, department_user, django_capture_on_commit_callbacks):
    from conferences.services.reminders import task_reminders_sweep

    directive = make_directive(department_user)
    task = make_task(department_user, directive)
    task_assign(task=task, user=department_user, centers=[people.center])
    with django_capture_on_commit_callbacks(execute=True):
        directive_issue(directive=directive, user=department_user, issued_on=timezone.localdate())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        task_reminders_sweep(today=task.deadline - datetime.timedelta(days=3))
    assert [sorted(_addresses(m)) for m in mail.outbox] == [sorted([DIRECTOR_ADDRESS, CENTER_ADDRESS])]
    assert "[Nhắc việc]" in mail.outbox[0].subject


@pytest.mark.parametrize(("portal", "link", "expected"), [
    ("https://cong.example.org", "/reports/1/", "https://cong.example.org/reports/1/"),
    ("https://cong.example.org/", "/reports/1/", "https://cong.example.org/reports/1/"),
    # Behind a path prefix: reversed in a request (with it) or in a worker (without).
    ("https://sogd.example.org/cong", "/cong/reports/1/", "https://sogd.example.org/cong/reports/1/"),
    ("https://sogd.example.org/cong", "/reports/1/", "https://sogd.example.org/cong/reports/1/"),
])
def test_mail_links_are_the_portal_address_and_the_path_once(settings, portal, link, expected):
    from notifications.services import portal_link

    settings.PORTAL_URL = portal
    assert portal_link(link) == expected
