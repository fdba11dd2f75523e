"""Directive pages: drafting, tasks and their assignees, issuing, the issued directive's
immutability, correction and the list's queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centers.models import Center
from conferences.choices import DirectiveStatus
from conferences.models import Directive, Task, TaskAssignment
from conferences.services import directive_issue, task_assign

from .conftest import in_days, make_directive, make_task

pytestmark = pytest.mark.django_db

DRAFT = {
    "doc_type": "cong_van", "subject": "Về việc rà soát giáo viên nước ngoài", "body": "Sở đề nghị các trung tâm...",
    "addressees": "Các trung tâm ngoại ngữ", "recipients": "Như trên;\nLưu: VT.", "signing_prefix": "KT.",
    "signing_authority": "GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC", "signer_name": "Lê Văn Hùng",
}


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_staff_draft_a_letter_which_needs_its_division(client, department_user, division):
    client.force_login(department_user)
    url = reverse("conferences:directive_create")
    response = client.post(url, DRAFT)
    assert response.status_code == 200
    assert "Công văn cần chọn đơn vị soạn thảo" in response.content.decode()
    assert not Directive.objects.exists()
    response = client.post(url, {**DRAFT, "drafting_division": division.pk})
    directive = Directive.objects.get()
    assert response.status_code == 302
    assert response.url == directive.get_absolute_url()
    assert directive.status == DirectiveStatus.DRAFT and directive.number is None


def test_task_deadline_before_the_directive_date_is_refused_and_nothing_stored(client, department_user,
                                                                                draft_directive):
    client.force_login(department_user)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    before = Task.objects.count()
    response = client.post(reverse("conferences:task_create", args=[draft_directive.pk]), {
        "text": "Báo cáo số liệu học viên.", "lead_unit": "Các trung tâm", "deadline": yesterday.strftime("%d/%m/%Y"),
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "deadline" in errors
    assert "trước hôm nay" in " ".join(errors["deadline"])
    assert Task.objects.count() == before


def test_issue_refuses_a_future_date_or_a_task_due_before_the_date(client, department_user, draft_directive):
    client.force_login(department_user)
    url = reverse("conferences:directive_issue", args=[draft_directive.pk])
    response = client.post(url, {"issued_on": in_days(1).strftime("%d/%m/%Y")})
    assert response.status_code == 200
    assert "Ngày ban hành không được ở tương lai" in response.content.decode()
    # A task saved while its deadline was still ahead, issued after that deadline.
    Task.objects.filter(directive=draft_directive).update(deadline=in_days(-1))
    response = client.post(url, {"issued_on": timezone.localdate().strftime("%d/%m/%Y")})
    assert response.status_code == 200
    assert "Thời hạn của nhiệm vụ 1 trước ngày ban hành" in response.content.decode()
    draft_directive.refresh_from_db()
    assert draft_directive.status == DirectiveStatus.DRAFT and draft_directive.number is None


def test_issue_allocates_the_next_number_of_the_register(client, department_user, draft_directive,
                                                         issued_directive):
    client.force_login(department_user)
    response = client.post(reverse("conferences:directive_issue", args=[draft_directive.pk]),
                           {"issued_on": timezone.localdate().strftime("%d/%m/%Y")})
    assert response.status_code == 302
    draft_directive.refresh_from_db()
    assert draft_directive.is_issued
    assert draft_directive.number == issued_directive.number + 1
    assert draft_directive.number_text == f"{draft_directive.number:02d}/KH-SGDĐT"


def test_edit_of_an_issued_directive_is_refused_and_nothing_changes(client, department_user, issued_directive):
    client.force_login(department_user)
    before = Directive.objects.values().get(pk=issued_directive.pk)
    response = client.post(reverse("conferences:directive_update", args=[issued_directive.pk]),
                           {**DRAFT, "doc_type": "ke_hoach", "subject": "Đổi trích yếu"}, follow=True)
    assert "đã ban hành nên không được sửa" in _messages(response)
    assert Directive.objects.values().get(pk=issued_directive.pk) == before
    # Its tasks too.
    task = issued_directive.tasks.first()
    response = client.post(reverse("conferences:task_update", args=[task.pk]),
                           {"text": "Đổi nội dung", "lead_unit": "X", "deadline": "31/12/2030"}, follow=True)
    assert "đã ban hành nên không được sửa" in _messages(response)
    task.refresh_from_db()
    assert task.text != "Đổi nội dung"
    response = client.post(reverse("conferences:directive_delete", args=[issued_directive.pk]), follow=True)
    assert "đã ban hành" in _messages(response)
    assert Directive.objects.filter(pk=issued_directive.pk).exists()


def test_correction_is_a_new_draft_linked_to_the_issued_one(client, department_user, issued_directive):
    client.force_login(department_user)
    response = client.post(reverse("conferences:directive_correct", args=[issued_directive.pk]))
    copy = Directive.objects.get(replaces=issued_directive)
    assert response.url == reverse("conferences:directive_update", args=[copy.pk])
    assert copy.status == DirectiveStatus.DRAFT
    assert copy.tasks.count() == 2
    page = client.get(issued_directive.get_absolute_url()).content.decode()
    assert "đã được thay thế bởi" in page


def test_assign_by_selection_expands_to_one_assignment_per_center(client, department_user, draft_directive,
                                                                  center, other_center, commune, division):
    client.force_login(department_user)
    task = make_task(department_user, draft_directive, text="Tự kiểm tra điều kiện hoạt động.")
    url = reverse("conferences:task_assign", args=[task.pk])
    response = client.post(url, {"by_selection": "on", "kinds": ["language"]})
    assert response.status_code == 302
    assert set(task.assignments.values_list("center_id", flat=True)) == {center.pk}
    assert task.assignments.get().selection.startswith("Tất cả")
    response = client.post(url, {"divisions": [division.pk], "communes": [commune.pk], "centers": [other_center.pk]})
    assert response.status_code == 302
    assert task.assignments.count() == 4
    # Nothing chosen: a form error.
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Chưa chọn đơn vị nào" in response.content.decode()


def test_choosing_a_kind_or_a_commune_assigns_that_group_without_the_every_center_box(
        client, department_user, draft_directive, center, other_center, commune, other_commune, division):
    client.force_login(department_user)
    task = make_task(department_user, draft_directive, text="Báo cáo đội ngũ giáo viên.")
    url = reverse("conferences:task_assign", args=[task.pk])
    # A kind in a commune, nothing else ticked: the language center of that commune.
    response = client.post(url, {"kinds": ["language"], "commune": commune.pk})
    assert response.status_code == 302
    assignment = task.assignments.get()
    assert assignment.center_id == center.pk
    assert assignment.selection == f"Tất cả trung tâm ngoại ngữ, {commune.full_name}"
    # A commune alone: every kind there; a division with it is assigned too, not dropped.
    response = client.post(url, {"commune": other_commune.pk, "divisions": [division.pk]})
    assert response.status_code == 302
    assert set(task.assignments.values_list("center_id", "division_id")) == {
        (center.pk, None), (other_center.pk, None), (None, division.pk)}


def test_every_center_box_alone_assigns_the_whole_province(client, department_user, draft_directive, center,
                                                           other_center, foreign_center):
    client.force_login(department_user)
    task = make_task(department_user, draft_directive, text="Tự kiểm tra điều kiện hoạt động.")
    response = client.post(reverse("conferences:task_assign", args=[task.pk]), {"by_selection": "on"})
    assert response.status_code == 302
    assert set(task.assignments.values_list("center_id", flat=True)) == {center.pk, other_center.pk}


def test_center_autocomplete_finds_without_diacritics(client, department_user, center, foreign_center):
    client.force_login(department_user)
    data = client.get(reverse("conferences:center_autocomplete"), {"q": "dong a"}).json()
    assert [r["id"] for r in data["results"]] == [center.pk]


def _grow(user, province, commune, total: int) -> None:
    """`total` issued directives, each with a task assigned to two centers."""
    centers = list(Center.objects.filter(province=province)[:2])
    while len(centers) < 2:
        centers.append(Center.objects.create(province=province, commune=commune, code=f"G{len(centers)}",
                                             name="Trung tâm Tin học Sao Việt", kind="it"))
    for n in range(Directive.objects.count(), total):
        directive = make_directive(user, subject=f"Kế hoạch số {n}")
        task = make_task(user, directive)
        task_assign(task=task, user=user, centers=centers)
        directive_issue(directive=directive, user=user)


@pytest.mark.parametrize("user_key", ["department_user", "inspector", "director"])
def test_list_runs_the_same_queries_for_3_and_60_directives(request, client, department_user, province, commune,
                                                            center, user_key):
    client.force_login(request.getfixturevalue(user_key))
    counts = []
    for total in (3, 60):
        _grow(department_user, province, commune, total)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("conferences:directive_list"))
        assert response.status_code == 200
        assert "Kế hoạch số" in response.content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1]
    row = response.context["directives"][0]
    assert row.n_total == (2 if user_key != "director" else 1)


def test_directive_page_shows_follow_up_and_links_its_pdf(client, department_user, issued_directive, assignment):
    client.force_login(department_user)
    response = client.get(issued_directive.get_absolute_url())
    body = response.content.decode()
    assert reverse("conferences:directive_pdf", args=[issued_directive.pk]) in body
    summary = response.context["summary"]
    assert (summary.total, summary.open, summary.overdue) == (2, 2, 0)
    assert TaskAssignment.objects.filter(task__directive=issued_directive).count() == 2
