"""Directives and tasks through their services: numbering from the register, immutability
once issued, deadlines, expanding a selection of centers, progress with evidence, and
the issuer's acceptance."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import Division, User
from centers.choices import CenterKind, CenterStatus
from conferences.choices import AssignmentStatus, DirectiveStatus, DirectiveType, FollowUp
from conferences.models import Directive, DirectiveRegister, Evidence, Task, TaskAssignment, TaskProgress
from conferences.selectors import follow_up_summary, with_follow_up
from conferences.services import (
    CenterSelection,
    assignment_accept,
    assignment_reopen,
    directive_correct,
    directive_issue,
    directive_save,
    progress_report,
    task_assign,
    task_save,
)
from conferences.services.directives import directive_articles_save
from reports.choices import Frequency
from reports.models import Obligation, ReportType
from tests.factories import CenterFactory, make_user

TODAY = datetime.date(2026, 3, 5)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))),
                             tick=False):
        yield


def new_directive(user, **fields) -> Directive:
    values = {
        "doc_type": DirectiveType.CONCLUSION_NOTICE, "subject": "Kết luận của Phó Giám đốc Sở tại Hội nghị",
        "body": "Nội dung", "signing_prefix": "KT.", "signer_position": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Hữu Bình",
    }
    values.update(fields)
    return directive_save(directive=Directive(**values), user=user)


def new_decision(user, **fields) -> Directive:
    """A quyết định with its parts (authority by default, a basis, one article, executors)."""
    decision = new_directive(user, doc_type=DirectiveType.DECISION, body="", subject="Về việc thành lập Đoàn kiểm tra",
                             legal_bases="Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019",
                             executors="Chánh Văn phòng Sở, các thành viên Đoàn kiểm tra", **fields)
    directive_articles_save(directive=decision, texts=["Thành lập Đoàn kiểm tra các trung tâm ngoại ngữ."], user=user)
    return decision


def new_task(directive, user, deadline=datetime.date(2026, 4, 30), **fields) -> Task:
    return task_save(task=Task(directive=directive, text="Rà soát hồ sơ giáo viên người nước ngoài",
                               lead_unit="Phòng GDTX", deadline=deadline, **fields), user=user)


def pdf_upload(name="bien-ban.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# Numbering and issuing

def test_issue_allocates_consecutive_numbers_per_year_and_type(department_user):
    first = directive_issue(directive=new_directive(department_user), user=department_user)
    second = directive_issue(directive=new_directive(department_user), user=department_user)
    decision = directive_issue(directive=new_decision(department_user), user=department_user)
    assert (first.number, second.number, decision.number) == (1, 2, 1)
    assert first.number_text == "01/TB-SGDĐT"
    assert decision.number_text == "01/QĐ-SGDĐT"
    assert first.issued_on == TODAY and first.status == DirectiveStatus.ISSUED
    previous_year = directive_issue(directive=new_directive(department_user), user=department_user,
                                    issued_on=datetime.date(2025, 12, 30))
    assert (previous_year.year, previous_year.number) == (2025, 1)


def test_official_letter_symbol_ends_with_the_drafting_division(department_user, province):
    gdtx = Division.objects.create(province=province, name="Phòng Giáo dục thường xuyên", code="GDTX")
    letter = new_directive(department_user, doc_type=DirectiveType.OFFICIAL_LETTER, drafting_division=gdtx,
                           subject="V/v tăng cường quản lý các trung tâm ngoại ngữ")
    with pytest.raises(ValidationError, match="phần «Kính gửi»"):
        directive_issue(directive=letter, user=department_user)
    letter.addressees = "Các trung tâm ngoại ngữ, tin học"
    letter = directive_save(directive=letter, user=department_user)
    assert directive_issue(directive=letter, user=department_user).number_text == "01/SGDĐT-GDTX"


def test_official_letter_without_drafting_division_is_refused(department_user):
    with pytest.raises(ValidationError, match="đơn vị soạn thảo"):
        new_directive(department_user, doc_type=DirectiveType.OFFICIAL_LETTER)
    assert not Directive.objects.exists()


def test_issued_directive_cannot_be_edited_and_nothing_changes(department_user):
    directive = directive_issue(directive=new_directive(department_user), user=department_user)
    stale = Directive.objects.get(pk=directive.pk)
    stale.subject = "Sửa trích yếu"
    with pytest.raises(ValidationError, match="đã ban hành nên không được sửa"):
        directive_save(directive=stale, user=department_user)
    with pytest.raises(ValidationError, match="đã ban hành"):
        new_task(directive, department_user)
    with pytest.raises(ValidationError, match="đã ban hành"):
        directive_issue(directive=directive, user=department_user)
    directive.refresh_from_db()
    assert directive.subject == "Kết luận của Phó Giám đốc Sở tại Hội nghị"
    assert directive.number == 1 and not directive.tasks.exists()
    assert DirectiveRegister.objects.get().last_number == 1


def test_correction_is_a_new_draft_that_replaces_the_issued_one(department_user, center):
    directive = new_directive(department_user)
    task = new_task(directive, department_user)
    task_assign(task=task, user=department_user, centers=[center])
    directive = directive_issue(directive=directive, user=department_user)
    correction = directive_correct(directive=directive, user=department_user)
    assert correction.status == DirectiveStatus.DRAFT and correction.replaces == directive
    assert directive.replaced_by == correction
    assert correction.tasks.get().assignments.get().center == center
    issued = directive_issue(directive=correction, user=department_user)
    assert issued.number == 2
    with pytest.raises(ValidationError, match="đã có văn bản thay thế"):
        directive_correct(directive=directive, user=department_user)


def test_only_department_staff_of_the_province_issue(department_user, inspector, foreign_department_user):
    directive = new_directive(department_user)
    for user in (inspector, foreign_department_user):
        with pytest.raises(PermissionDenied):
            directive_issue(directive=directive, user=user)
    assert Directive.objects.get().status == DirectiveStatus.DRAFT


# Deadlines

def test_deadline_before_the_directive_date_is_refused(department_user):
    directive = new_directive(department_user)
    with pytest.raises(ValidationError, match="Thời hạn 04/03/2026 trước hôm nay"):
        new_task(directive, department_user, deadline=datetime.date(2026, 3, 4))
    assert not Task.objects.exists()


def test_issue_is_refused_when_a_task_deadline_is_before_the_issue_date(department_user):
    directive = new_directive(department_user)
    new_task(directive, department_user, deadline=datetime.date(2026, 3, 10))
    with pytest.raises(ValidationError, match="tương lai"):
        directive_issue(directive=directive, user=department_user, issued_on=datetime.date(2026, 3, 6))
    # The draft waited a week for signature: its task's deadline has passed.
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, 0), tick=False):
        with pytest.raises(ValidationError, match="Thời hạn của nhiệm vụ 1 trước ngày ban hành 11/03/2026"):
            directive_issue(directive=directive, user=department_user, issued_on=datetime.date(2026, 3, 11))
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.DRAFT and directive.number is None
    assert not DirectiveRegister.objects.filter(last_number__gt=0).exists()


# Assignment

def test_a_selection_expands_to_one_assignment_per_active_center(department_user, province, commune, other_commune):
    CenterFactory.create_batch(4, province=province, commune=commune, kind=CenterKind.LANGUAGE)
    CenterFactory.create_batch(2, province=province, commune=other_commune, kind=CenterKind.LANGUAGE_IT)
    CenterFactory(province=province, commune=commune, kind=CenterKind.IT)
    CenterFactory(province=province, commune=commune, kind=CenterKind.LANGUAGE, status=CenterStatus.DISSOLVED)
    task = new_task(new_directive(department_user), department_user)
    added = task_assign(task=task, user=department_user,
                        selection=CenterSelection(kinds=[CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT]))
    assert added == 6
    assert set(task.assignments.values_list("center__kind", flat=True)) == {"language", "language_it"}
    assert task.assignments.first().selection.startswith("Tất cả trung tâm ngoại ngữ")
    # Again, and narrowed to one commune: nothing is duplicated.
    with pytest.raises(ValidationError, match="tất cả đã được giao"):
        task_assign(task=task, user=department_user,
                    selection=CenterSelection(kinds=[CenterKind.LANGUAGE], commune=commune))
    assert task.assignments.count() == 6


def test_expanding_to_300_centers_runs_in_a_fixed_number_of_queries(
        department_user, province, commune, django_assert_max_num_queries):
    CenterFactory.create_batch(300, province=province, commune=commune, kind=CenterKind.LANGUAGE)
    task = new_task(new_directive(department_user), department_user)
    # A savepoint, the draft check and one INSERT ... SELECT: the same for 3 or 3,000.
    with django_assert_max_num_queries(4):
        added = task_assign(task=task, user=department_user, selection=CenterSelection(kinds=[CenterKind.LANGUAGE]))
    assert added == 300


def test_units_of_another_province_cannot_be_assigned(department_user, foreign_center):
    task = new_task(new_directive(department_user), department_user)
    with pytest.raises(ValidationError, match="thuộc tỉnh của Sở"):
        task_assign(task=task, user=department_user, centers=[foreign_center])
    assert not TaskAssignment.objects.exists()


def test_a_one_off_report_asked_by_a_task_becomes_an_obligation_on_issue(department_user, province, center):
    report_type = ReportType.objects.create(
        province=province, code="DX-GVNN", title="Báo cáo rà soát giáo viên người nước ngoài",
        center_kinds=[CenterKind.LANGUAGE], frequency=Frequency.ONE_OFF, starts_on=datetime.date(2026, 1, 1),
    )
    directive = new_directive(department_user)
    task = new_task(directive, department_user, report_type=report_type)
    task_assign(task=task, user=department_user, centers=[center])
    assert not Obligation.objects.exists()  # a draft asks nothing of anyone
    directive_issue(directive=directive, user=department_user)
    obligation = Obligation.objects.get()
    assert obligation.center == center and obligation.period.due_date == datetime.date(2026, 4, 30)
    assert obligation.period.report_type == report_type
    assert "01/TB-SGDĐT" in obligation.period.label


# Progress, evidence, acceptance

@pytest.fixture
def center_assignment(department_user, center):
    directive = new_directive(department_user)
    task = new_task(directive, department_user, deadline=datetime.date(2026, 3, 20))
    task_assign(task=task, user=department_user, centers=[center])
    directive_issue(directive=directive, user=department_user)
    return task.assignments.get()


def test_director_reports_progress_with_evidence_and_marks_done(center_assignment, director):
    progress_report(assignment=center_assignment, user=director, note="Đã rà soát 3 giáo viên",
                    files=[pdf_upload()], marks_done=True)
    center_assignment.refresh_from_db()
    assert center_assignment.status == AssignmentStatus.DONE
    assert center_assignment.completed_on == TODAY
    evidence = Evidence.objects.get()
    assert evidence.original_name == "bien-ban.pdf" and evidence.file_type == "pdf"
    assert "bien-ban" not in evidence.file.name  # stored under a random name


@pytest.mark.parametrize("name, content, message", [
    ("chuong-trinh.pdf", b"MZ\x90\x00 an executable", "không phải là PDF"),
    ("ghi-chu.txt", b"plain text", "không đúng loại"),
    ("anh.png", b"\xff\xd8\xff\xe0 a jpeg named png", "không phải là ảnh PNG"),
])
def test_evidence_of_the_wrong_type_refuses_the_whole_report(center_assignment, director, name, content, message):
    with pytest.raises(ValidationError, match=message):
        progress_report(assignment=center_assignment, user=director, note="Đã làm", marks_done=True,
                        files=[pdf_upload(), SimpleUploadedFile(name, content)])
    center_assignment.refresh_from_db()
    assert center_assignment.status == AssignmentStatus.OPEN
    assert not TaskProgress.objects.exists() and not Evidence.objects.exists()


def test_the_same_form_sent_twice_records_one_report(center_assignment, director):
    key = "5f1f3c84-0a49-4cf7-9a07-6a2f7d3c9b10"
    first = progress_report(assignment=center_assignment, user=director, note="Đã làm", idempotency_key=key)
    again = progress_report(assignment=center_assignment, user=director, note="Đã làm", idempotency_key=key)
    assert first.pk == again.pk and TaskProgress.objects.count() == 1


def test_only_the_assignee_reports(center_assignment, other_director, local_officer, department_user, inspector):
    for user in (other_director, local_officer, department_user, inspector):
        with pytest.raises(PermissionDenied):
            progress_report(assignment=center_assignment, user=user, note="x")
    assert not TaskProgress.objects.exists()


def test_assignees_of_a_draft_cannot_report(department_user, center, director):
    task = new_task(new_directive(department_user), department_user)
    task_assign(task=task, user=department_user, centers=[center])
    with pytest.raises(PermissionDenied):
        progress_report(assignment=task.assignments.get(), user=director, note="x")


def test_issuer_accepts_or_reopens_and_follow_up_is_derived(center_assignment, director, department_user, inspector):
    progress_report(assignment=center_assignment, user=director, note="Xong", marks_done=True)
    with pytest.raises(PermissionDenied):
        assignment_accept(assignment=center_assignment, user=inspector)
    with pytest.raises(ValidationError, match="lý do"):
        assignment_reopen(assignment=center_assignment, user=department_user, note=" ")
    assignment_reopen(assignment=center_assignment, user=department_user, note="Thiếu biên bản rà soát")
    center_assignment.refresh_from_db()
    assert center_assignment.status == AssignmentStatus.OPEN and center_assignment.completed_on is None
    with pytest.raises(ValidationError, match="chưa được báo hoàn thành"):
        assignment_accept(assignment=center_assignment, user=department_user)

    # Reported again after the deadline (20/03): accepted, but late.
    with time_machine.travel(datetime.datetime(2026, 3, 23, 9, 0), tick=False):
        progress_report(assignment=center_assignment, user=director, note="Bổ sung biên bản", marks_done=True)
        assignment_accept(assignment=center_assignment, user=department_user)
        state = with_follow_up(TaskAssignment.objects.all()).get().follow_up
    assert state == FollowUp.DONE_LATE
    with pytest.raises(ValidationError, match="đã được xác nhận hoàn thành"):
        progress_report(assignment=center_assignment, user=director, note="Thêm")


def test_follow_up_summary_counts_each_state(department_user, province, commune):
    centers = CenterFactory.create_batch(4, province=province, commune=commune)
    directive = new_directive(department_user)
    task = new_task(directive, department_user, deadline=datetime.date(2026, 3, 10))
    task_assign(task=task, user=department_user, centers=centers)
    directive_issue(directive=directive, user=department_user)
    assignments = list(task.assignments.order_by("pk"))
    done_on_time, done_late, overdue, _open = assignments
    TaskAssignment.objects.filter(pk=done_on_time.pk).update(status="accepted", completed_on=datetime.date(2026, 3, 9))
    TaskAssignment.objects.filter(pk=done_late.pk).update(status="done", completed_on=datetime.date(2026, 3, 12))
    TaskAssignment.objects.filter(pk=_open.pk).update(status="open")
    with time_machine.travel(datetime.datetime(2026, 3, 15, 9, 0), tick=False):
        summary = follow_up_summary(TaskAssignment.objects.filter(pk__in=[a.pk for a in assignments[:3]]))
    assert (summary.total, summary.done_on_time, summary.done_late, summary.overdue, summary.open) == (3, 1, 1, 1, 0)
    assert summary.waiting == 1


# Twenty directives issued at once

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_directives_issued_at_once_get_twenty_distinct_numbers_without_gap(province):
    staff = make_user(User.Role.DEPARTMENT, province=province, username="sogd_concurrent")
    drafts = [new_directive(staff, subject=f"Văn bản {i}") for i in range(20)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def issue(draft):
        try:
            barrier.wait(timeout=30)
            directive_issue(directive=draft, user=staff)
        except Exception as error:  # reported by the assertion below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Directive.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert DirectiveRegister.objects.get().last_number == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failed_issue_gives_its_number_back(province, monkeypatch):
    from conferences.services import directives

    staff = make_user(User.Role.DEPARTMENT, province=province, username="sogd_rollback")
    draft = new_directive(staff)
    original = directives.search_text

    def broken(directive):
        if directive.number:
            raise RuntimeError("disk full")
        return original(directive)

    monkeypatch.setattr(directives, "search_text", broken)
    with pytest.raises(RuntimeError):
        directive_issue(directive=draft, user=staff)
    monkeypatch.setattr(directives, "search_text", original)
    assert directive_issue(directive=draft, user=staff).number == 1


def test_inspectors_of_thanh_tra_so_answer_the_tasks_given_to_their_division(department_user, province, inspector):
    thanh_tra = Division.objects.create(province=province, name="Thanh tra Sở", code="TTr")
    inspector.division = thanh_tra
    inspector.save()
    directive = new_directive(department_user)
    task = new_task(directive, department_user)
    task_assign(task=task, user=department_user, divisions=[thanh_tra])
    directive_issue(directive=directive, user=department_user)
    progress_report(assignment=task.assignments.get(), user=inspector, note="Đã lập kế hoạch kiểm tra", marks_done=True)
    assert task.assignments.get().status == AssignmentStatus.DONE


def test_two_tasks_asking_the_same_report_by_the_same_deadline_share_its_period(department_user, province, center):
    report_type = ReportType.objects.create(
        province=province, code="DX", title="Báo cáo đột xuất", center_kinds=[CenterKind.LANGUAGE],
        frequency=Frequency.ONE_OFF, starts_on=datetime.date(2026, 1, 1),
    )
    directive = new_directive(department_user)
    for _n in range(2):
        task_assign(task=new_task(directive, department_user, report_type=report_type), user=department_user,
                    centers=[center])
    directive_issue(directive=directive, user=department_user)
    assert Obligation.objects.filter(center=center).count() == 1
