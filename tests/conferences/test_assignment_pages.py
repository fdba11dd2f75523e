"""Following the tasks: progress reports with evidence, acceptance and reopening, the
lists of every role, a unit's page and the center page's panel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centers.models import Center
from conferences.choices import AssignmentStatus
from conferences.models import Evidence, Task, TaskAssignment, TaskProgress
from conferences.services import CenterSelection, directive_issue, progress_report, task_assign

from .conftest import in_days, make_directive, make_task

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 8


def _progress_url(assignment) -> str:
    return reverse("conferences:progress_create", args=[assignment.pk])


def _post_progress(client, assignment, files, **extra):
    page = client.get(reverse("conferences:assignment_detail", args=[assignment.pk]))
    key = page.context["progress_form"].initial["idempotency_key"]
    return client.post(_progress_url(assignment), {"note": "Đã rà soát xong.", "files": files,
                                                   "idempotency_key": str(key), **extra})


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bao-cao.pdf", EXE, "nội dung không phải là PDF"),
    ("ghi-chu.txt", b"chi la van ban", "không đúng loại"),
])
def test_evidence_of_the_wrong_type_is_refused_and_nothing_stored(client, director, assignment, name, content,
                                                                  message):
    client.force_login(director)
    good = SimpleUploadedFile("bien-ban.pdf", PDF)
    response = _post_progress(client, assignment, [good, SimpleUploadedFile(name, content)], marks_done="on")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TaskProgress.objects.exists()
    assert not Evidence.objects.exists()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.OPEN


def test_director_reports_done_and_the_department_accepts(client, director, department_user, assignment):
    client.force_login(director)
    response = _post_progress(client, assignment, [SimpleUploadedFile("bien-ban.pdf", PDF),
                                                   SimpleUploadedFile("bang-ke.pdf", PDF)], marks_done="on")
    assert response.status_code == 302
    progress = TaskProgress.objects.get()
    assert progress.evidence.count() == 2
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DONE and assignment.completed_on == timezone.localdate()
    # The same form sent twice: one report.
    client.post(_progress_url(assignment), {"note": "Đã rà soát xong.",
                                            "idempotency_key": str(progress.idempotency_key)})
    assert TaskProgress.objects.count() == 1

    client.force_login(department_user)
    page = client.get(reverse("conferences:assignment_detail", args=[assignment.pk])).content.decode()
    assert "Xác nhận hoàn thành" in page and "bien-ban.pdf" in page
    client.post(reverse("conferences:assignment_accept", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    response = client.get(reverse("conferences:assignment_list"), {"state": "done_on_time"})
    assert [a.pk for a in response.context["assignments"]] == [assignment.pk]


def test_reopen_needs_a_reason_and_shows_it_to_the_director(client, director, department_user, assignment):
    progress_report(assignment=assignment, user=director, note="Xong.", marks_done=True)
    client.force_login(department_user)
    url = reverse("conferences:assignment_reopen", args=[assignment.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    assert "Hãy ghi lý do" in response.content.decode()
    client.post(url, {"note": "Thiếu biên bản kiểm tra."})
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.OPEN
    client.force_login(director)
    page = client.get(reverse("conferences:assignment_detail", args=[assignment.pk])).content.decode()
    assert "Thiếu biên bản kiểm tra." in page


def test_overdue_and_waiting_filters(client, director, department_user, assignment, issued_directive):
    Task.objects.filter(directive=issued_directive).update(deadline=in_days(-2))
    client.force_login(department_user)
    url = reverse("conferences:assignment_list")
    assert len(client.get(url, {"state": "overdue"}).context["assignments"]) == 2
    progress_report(assignment=assignment, user=director, note="Xong muộn.", marks_done=True)
    assert [a.pk for a in client.get(url, {"state": "waiting"}).context["assignments"]] == [assignment.pk]
    assert [a.pk for a in client.get(url, {"state": "done_late"}).context["assignments"]] == [assignment.pk]
    summary = client.get(url).context["summary"]
    assert (summary.total, summary.done_late, summary.overdue, summary.waiting) == (2, 1, 1, 1)


def _grow(user, province, commune, total: int) -> None:
    """One issued directive whose task goes to `total` centers (a selection)."""
    start = Center.objects.filter(province=province).count()
    Center.objects.bulk_create([
        Center(province=province, commune=commune, code=f"Q{n:04d}", name=f"Trung tâm Ngoại ngữ Số {n}",
               kind="language", status="operating", search_text=f"trung tam ngoai ngu so {n}")
        for n in range(start, total)
    ])
    TaskAssignment.objects.all().delete()
    directive = make_directive(user, subject=f"Kế hoạch cho {total} trung tâm")
    task = make_task(user, directive)
    task_assign(task=task, user=user, selection=CenterSelection(kinds=["language"]))
    directive_issue(directive=directive, user=user)


@pytest.mark.parametrize(("user_key", "page"), [
    ("department_user", "assignment_list"),
    ("inspector", "assignment_list"),
    ("local_officer", "assignment_list"),
    ("department_user", "unit_commune"),
    ("local_officer", "unit_commune"),
])
def test_lists_run_the_same_queries_for_3_and_60_assignments(request, client, department_user, province, commune,
                                                             center, user_key, page):
    client.force_login(request.getfixturevalue(user_key))
    url = reverse(f"conferences:{page}", args=[commune.pk] if page == "unit_commune" else [])
    counts = []
    for total in (3, 60):
        _grow(department_user, province, commune, total)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["summary"].total == total
        assert "Trung tâm Ngoại ngữ Số" in response.content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_director_unit_page_and_center_panel(client, director, center, assignment):
    client.force_login(director)
    response = client.get(reverse("conferences:unit_center", args=[center.pk]))
    assert [a.pk for a in response.context["assignments"]] == [assignment.pk]
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    assert "Nhiệm vụ được giao" in page
    assert reverse("conferences:assignment_detail", args=[assignment.pk]) in page


def test_center_panel_is_scoped_to_the_user(client, department_user, inspector, center, assignment,
                                            draft_directive):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_detail", args=[center.pk]))
    body = response.content.decode()
    # The draft's task for the center is not a task yet: one assignment, the issued one.
    assert body.count(reverse("conferences:assignment_detail", args=[assignment.pk])) == 1
    assert "Báo cáo chỉ tiêu tuyển sinh" not in body
