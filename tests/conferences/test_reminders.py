"""Reminders of directive tasks: the reports' steps and Dispatch records, one row per
assignment and step, nothing to an assignee that reported done, escalation to the issuer."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Division, User
from conferences.choices import DirectiveType
from conferences.models import Directive, Task, TaskAssignment
from conferences.services import directive_issue, directive_save, progress_report, task_assign, task_save
from conferences.services.reminders import reminder_key, task_reminders_sweep
from notifications.models import Dispatch, Notification
from tests.factories import CenterFactory, make_user
from tests.services import wait_until

D = datetime.date
DEADLINE = D(2026, 12, 21)


def _issued_task(staff, *, centers=(), communes=(), divisions=(), deadline=DEADLINE) -> Task:
    directive = directive_save(directive=Directive(
        doc_type=DirectiveType.CONCLUSION_NOTICE, subject="Kết luận Hội nghị triển khai nhiệm vụ", body="...",
        signer_name="Nguyễn Hữu Bình", signing_prefix="KT.", signer_position="PHÓ GIÁM ĐỐC",
    ), user=staff)
    task = task_save(task=Task(directive=directive, text="Rà soát các trung tâm chưa được cấp phép",
                               lead_unit="Phòng GDTX", deadline=deadline), user=staff)
    task_assign(task=task, user=staff, centers=list(centers), communes=list(communes), divisions=list(divisions))
    directive_issue(directive=directive, user=staff, issued_on=D(2026, 12, 1))
    return task


def sweep(day, capture):
    # Delivery is queued on commit; the test's transaction never commits, so run it here.
    with capture(execute=True):
        return task_reminders_sweep(today=day)


@pytest.fixture
def staff(province):
    return make_user(User.Role.DEPARTMENT, province=province, username="issuer", email="issuer@sogd.edu.vn")


@pytest.fixture
def task(staff, province, center, commune, director, local_officer):
    director.email, local_officer.email = "gd@center.edu.vn", "xa@kinhbac.gov.vn"
    director.save()
    local_officer.save()
    gdtx = Division.objects.create(province=province, name="Phòng Giáo dục thường xuyên", code="GDTX")
    make_user(User.Role.DEPARTMENT, province=province, username="gdtx1", email="gdtx1@sogd.edu.vn", division=gdtx)
    return _issued_task(staff, centers=[center], communes=[commune], divisions=[gdtx])


@pytest.mark.django_db
def test_each_step_goes_once_to_each_assignee(task, staff, django_capture_on_commit_callbacks):
    result = sweep(DEADLINE - datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert len(result.claimed) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["gd@center.edu.vn", "gdtx1@sogd.edu.vn", "xa@kinhbac.gov.vn"]
    assert "Nhiệm vụ 1 theo 01/TB-SGDĐT: còn 7 ngày nữa đến hạn" in mail.outbox[0].subject
    # The same day again, and a restart of the sweep: nothing more.
    assert sweep(DEADLINE - datetime.timedelta(days=7), django_capture_on_commit_callbacks).claimed == []
    assert len(mail.outbox) == 3
    # (The notices of the task assigned, sent when the directive was issued, are apart.)
    keys = set(Dispatch.objects.filter(key__startswith="assignment:").values_list("key", flat=True))
    assert keys == {reminder_key(a.pk, "before-7") for a in task.assignments.all()}


@pytest.mark.django_db
def test_an_assignee_that_reported_done_gets_nothing(task, director, django_capture_on_commit_callbacks):
    assignment = task.assignments.get(center__isnull=False)
    progress_report(assignment=assignment, user=director, note="Đã rà soát xong", marks_done=True)
    sweep(DEADLINE, django_capture_on_commit_callbacks)
    assert "gd@center.edu.vn" not in [m.to[0] for m in mail.outbox]
    assert not Dispatch.objects.filter(key__startswith=f"assignment:{assignment.pk}:").exists()


@pytest.mark.django_db
def test_a_late_sweep_sends_only_the_latest_step_and_escalates_to_the_issuer(task, staff,
                                                                             django_capture_on_commit_callbacks):
    result = sweep(DEADLINE + datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert len(result.claimed) == 3
    assert result.passed == 12  # four earlier steps of each of the three assignments
    center_mail = next(m for m in mail.outbox if m.to[0] == "gd@center.edu.vn")
    assert "đã quá hạn 7 ngày" in center_mail.subject
    assert all(m.bcc == [] for m in mail.outbox)
    # The issuer: one digest listing the three late units, not a copy of each reminder.
    assert result.digests == 1
    digest = next(m for m in mail.outbox if m.to == ["issuer@sogd.edu.vn"])
    assert digest.subject == "[Nhắc việc] 3 đơn vị chưa hoàn thành nhiệm vụ đã quá hạn 7 ngày (28/12/2026)"
    assert "Nhiệm vụ 1 theo 01/TB-SGDĐT, thời hạn 21/12/2026: 3 đơn vị" in digest.body
    assert "- Phòng Giáo dục thường xuyên" in digest.body and "- Trung tâm Ngoại ngữ Đông Á" in digest.body
    notice = Notification.objects.get(recipient=staff)
    assert notice.link == f"/directives/{task.directive_id}/"
    assert len(mail.outbox) == 4
    assert sweep(DEADLINE + datetime.timedelta(days=7), django_capture_on_commit_callbacks).claimed == []
    assert len(mail.outbox) == 4 and Notification.objects.filter(recipient=staff).count() == 1


@pytest.mark.django_db
def test_drafts_and_far_deadlines_are_not_reminded(staff, center, director, django_capture_on_commit_callbacks):
    far = _issued_task(staff, centers=[center], deadline=D(2027, 3, 1))
    assert sweep(DEADLINE, django_capture_on_commit_callbacks).claimed == []
    assert far.assignments.count() == 1 and mail.outbox == []


@pytest.mark.django_db
def test_command_dry_run_lists_without_sending(task, capsys):
    call_command("send_reminders", "--date", "2026-12-18", "--dry-run")
    out = capsys.readouterr().out
    assert "before-3" in out and "Nhiệm vụ: Sẽ gửi 3 lượt nhắc" in out
    assert not Dispatch.objects.filter(key__startswith="assignment:").exists() and mail.outbox == []


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_task_reminders_once(celery_worker_process, smtp_server, province, commune):
    smtp_server.messages.clear()
    smtp_server.delay = 0
    staff = make_user(User.Role.DEPARTMENT, province=province, username="issuer_w")
    centers = []
    for n in range(5):
        center = CenterFactory(commune=commune, code=f"RW{n:03d}")
        make_user(User.Role.DIRECTOR, center=center, username=f"gdw{n}", email=f"gdw{n}@example.edu.vn")
        centers.append(center)
    _issued_task(staff, centers=centers)
    # Issuing told each center of its task: those notices go first, then the reminders.
    assert wait_until(lambda: len(smtp_server.messages) == 5
                      and not Dispatch.objects.filter(status=Dispatch.Status.CLAIMED).exists(), timeout=60)
    smtp_server.messages.clear()
    assert len(task_reminders_sweep(today=DEADLINE).claimed) == 5
    assert wait_until(lambda: len(smtp_server.messages) == 5
                      and not Dispatch.objects.filter(status=Dispatch.Status.CLAIMED).exists(), timeout=60)
    assert sorted(smtp_server.recipients()) == sorted(f"gdw{n}@example.edu.vn" for n in range(5))
    assert task_reminders_sweep(today=DEADLINE).claimed == []
    assert not wait_until(lambda: len(smtp_server.messages) > 5, timeout=3)
    assert TaskAssignment.objects.count() == Notification.objects.filter(key__startswith="assignment:").count() == 5
