"""Conferences, directives and tasks for the tests: made through the services, as the
portal makes them."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Division
from conferences.choices import ConferenceKind, DirectiveType, ParticipantRole
from conferences.models import Conference, ConferenceQuestion, Directive, ParticipantGroup, Task, TaskAssignment
from conferences.services import conference_save, directive_issue, directive_save, task_assign, task_save
from conferences.services.conferences import conference_refresh_search
# The documents' rolled-back module database, for the PDF tests here; imported once in
# this conftest rather than in each test module, where the fixture arguments shadow it.
from tests.documents.conftest import module_db  # noqa: F401  (a fixture)


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def make_conference(user, *, with_rows: bool = True, **overrides) -> Conference:
    fields = {
        "title": "Hội nghị triển khai nhiệm vụ giáo dục thường xuyên năm học 2025-2026",
        "kind": ConferenceKind.LAUNCH, "held_on": datetime.date(2025, 9, 12), "place": "Hội trường Sở",
        "host_unit": "Sở Giáo dục và Đào tạo", "chair_name": "Nguyễn Văn Bình", "chair_position": "Phó Giám đốc Sở",
        "speeches_count": 19, "conclusions": "Các trung tâm rà soát giấy phép, báo cáo trước ngày 30/10.",
    }
    conference = conference_save(conference=Conference(**{**fields, **overrides}), user=user)
    if not with_rows:
        return conference
    ParticipantGroup.objects.create(conference=conference, unit="Giám đốc các trung tâm ngoại ngữ, tin học",
                                    role=ParticipantRole.DELEGATE, count=120)
    ConferenceQuestion.objects.create(conference=conference, raised_by="Trung tâm Ngoại ngữ Đông Á",
                                      question="Thủ tục gia hạn giấy phép hoạt động?",
                                      answer="Nộp hồ sơ qua Trung tâm Phục vụ hành chính công.")
    conference_refresh_search(conference)
    return conference


def make_directive(user, **overrides) -> Directive:
    fields = {
        "doc_type": DirectiveType.PLAN, "subject": "Kế hoạch kiểm tra các trung tâm ngoại ngữ, tin học",
        "body": "Thực hiện kết luận của Hội nghị triển khai nhiệm vụ năm học 2025-2026.",
        "recipients": "Các trung tâm ngoại ngữ, tin học;\nLưu: VT, GDTX.",
        "signing_prefix": "KT.", "signer_position": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn Bình",
    }
    return directive_save(directive=Directive(**{**fields, **overrides}), user=user)


def make_task(user, directive, **overrides) -> Task:
    fields = {"text": "Rà soát giấy phép hoạt động, báo cáo kết quả về Sở.", "lead_unit": "Các trung tâm",
              "deadline": in_days(30)}
    return task_save(task=Task(directive=directive, **{**fields, **overrides}), user=user)


@pytest.fixture
def division(province):
    return Division.objects.create(province=province, name="Phòng Giáo dục thường xuyên", code="GDTX")


@pytest.fixture
def conference(department_user):
    return make_conference(department_user)


@pytest.fixture
def draft_directive(department_user, conference, center):
    """A draft with one task already assigned to `center`: still the Department's own."""
    directive = make_directive(department_user, conference=conference,
                               subject="Dự thảo kế hoạch tuyển sinh các lớp ngoại ngữ")
    task = make_task(department_user, directive, text="Báo cáo chỉ tiêu tuyển sinh.")
    task_assign(task=task, user=department_user, centers=[center])
    return directive


@pytest.fixture
def issued_directive(department_user, conference, center, commune):
    """Issued today: task 1 for `center`, task 2 for `commune`."""
    directive = make_directive(department_user, conference=conference)
    first = make_task(department_user, directive, text="Rà soát giấy phép hoạt động của trung tâm.")
    second = make_task(department_user, directive, text="Kiểm tra các trung tâm trên địa bàn xã, phường.",
                       lead_unit="UBND xã, phường")
    task_assign(task=first, user=department_user, centers=[center])
    task_assign(task=second, user=department_user, communes=[commune])
    return directive_issue(directive=directive, user=department_user, issued_on=timezone.localdate())


@pytest.fixture
def assignment(issued_directive, center):
    return TaskAssignment.objects.select_related("task__directive").get(task__directive=issued_directive,
                                                                         center=center)
