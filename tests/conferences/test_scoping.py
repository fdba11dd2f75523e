"""Conferences and directives beyond the role x URL answers (generated for every URL by
tests/test_url_permissions.py): what each role finds in the lists, assignments of other
units, refused edits that change nothing, private downloads.
"""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conferences.models import DirectiveRegister, Task, TaskAssignment
from conferences.services import conference_attachment_add, progress_report

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _url(name, *args):
    return reverse(f"conferences:{name}", args=args)


# column -> (method, url builder). "name#variant" columns are the same URL on another object.
PAGES = {
    "conference_list": ("get", lambda w: _url("conference_list")),
    "conference_create": ("get", lambda w: _url("conference_create")),
    "conference_detail": ("get", lambda w: _url("conference_detail", w["conference"].pk)),
    "conference_update": ("get", lambda w: _url("conference_update", w["conference"].pk)),
    "conference_attachment_upload": ("post", lambda w: _url("conference_attachment_upload", w["conference"].pk)),
    "conference_attachment_download": ("get", lambda w: _url("conference_attachment_download", w["photo"].pk)),
    "conference_minutes_pdf": ("get", lambda w: _url("conference_minutes_pdf", w["conference"].pk)),
    "directive_list": ("get", lambda w: _url("directive_list")),
    "directive_create": ("get", lambda w: _url("directive_create")),
    "directive_detail": ("get", lambda w: _url("directive_detail", w["issued"].pk)),
    "directive_detail#draft": ("get", lambda w: _url("directive_detail", w["draft"].pk)),
    "directive_update": ("get", lambda w: _url("directive_update", w["draft"].pk)),
    "directive_update#issued": ("get", lambda w: _url("directive_update", w["issued"].pk)),
    "directive_issue": ("get", lambda w: _url("directive_issue", w["draft"].pk)),
    "directive_correct": ("post", lambda w: _url("directive_correct", w["issued"].pk)),
    "directive_delete": ("post", lambda w: _url("directive_delete", w["draft"].pk)),
    "directive_pdf": ("get", lambda w: _url("directive_pdf", w["issued"].pk)),
    "directive_pdf#appendix": ("get", lambda w: _url("directive_pdf", w["issued"].pk) + "?phu_luc=1"),
    "register_list": ("get", lambda w: _url("register_list")),
    "register_detail": ("get", lambda w: _url("register_detail", w["register"].pk)),
    "task_create": ("get", lambda w: _url("task_create", w["draft"].pk)),
    "task_create#issued": ("get", lambda w: _url("task_create", w["issued"].pk)),
    "task_update": ("get", lambda w: _url("task_update", w["draft_task"].pk)),
    "task_delete": ("post", lambda w: _url("task_delete", w["draft_task"].pk)),
    "task_assign": ("get", lambda w: _url("task_assign", w["draft_task"].pk)),
    "assignment_remove": ("post", lambda w: _url("assignment_remove", w["draft_assignment"].pk)),
    "center_autocomplete": ("get", lambda w: _url("center_autocomplete") + "?q=dong"),
    "assignment_list": ("get", lambda w: _url("assignment_list")),
    "assignment_detail": ("get", lambda w: _url("assignment_detail", w["assignment"].pk)),
    "progress_create": ("post", lambda w: _url("progress_create", w["assignment"].pk)),
    "assignment_accept": ("post", lambda w: _url("assignment_accept", w["assignment"].pk)),
    "assignment_reopen": ("post", lambda w: _url("assignment_reopen", w["assignment"].pk)),
    "evidence_download": ("get", lambda w: _url("evidence_download", w["evidence"].pk)),
    "unit_center": ("get", lambda w: _url("unit_center", w["center"].pk)),
    "unit_commune": ("get", lambda w: _url("unit_commune", w["commune"].pk)),
    "unit_division": ("get", lambda w: _url("unit_division", w["division"].pk)),
}
OUTSIDERS = ["other_director", "other_local_officer", "foreign_department_user", "foreign_inspector"]


@pytest.fixture
def world(department_user, director, conference, draft_directive, issued_directive, assignment, center, commune,
          division):
    photo = conference_attachment_add(
        conference=conference, user=department_user, upload=SimpleUploadedFile("hoi-truong.png", PNG),
        kind="photo", caption="Toàn cảnh hội nghị",
    )
    progress = progress_report(assignment=assignment, user=director, note="Đã rà soát giấy phép.",
                               files=[SimpleUploadedFile("bien-ban.pdf", PDF)])
    draft_task = Task.objects.get(directive=draft_directive)
    return {
        "conference": conference, "photo": photo, "draft": draft_directive, "issued": issued_directive,
        "draft_task": draft_task, "draft_assignment": TaskAssignment.objects.get(task=draft_task),
        "assignment": assignment, "evidence": progress.evidence.get(), "center": center, "commune": commune,
        "division": division, "register": DirectiveRegister.objects.get(province=issued_directive.province,
                                                                         doc_type=issued_directive.doc_type),
    }


def _login(client, request, user_key):
    if user_key != "anonymous":
        client.force_login(request.getfixturevalue(user_key))


@pytest.mark.parametrize("user_key", OUTSIDERS)
def test_outsiders_never_see_the_directive_or_its_tasks_in_lists(client, request, world, user_key):
    _login(client, request, user_key)
    for name in ("directive_list", "assignment_list"):
        body = client.get(_url(name)).content.decode()
        assert "Kế hoạch kiểm tra các trung tâm" not in body, name
        assert "Rà soát giấy phép" not in body, name


def test_director_sees_only_the_tasks_of_their_center(client, director, world):
    client.force_login(director)
    body = client.get(_url("directive_detail", world["issued"].pk)).content.decode()
    assert "Rà soát giấy phép hoạt động của trung tâm." in body
    # The commune's task is in the same directive, but not the director's.
    assert "Kiểm tra các trung tâm trên địa bàn" not in body
    body = client.get(_url("assignment_list")).content.decode()
    assert "Rà soát giấy phép" in body
    assert "Kiểm tra các trung tâm trên địa bàn" not in body
    # The draft's task for the same center does not exist for the director yet.
    assert "Báo cáo chỉ tiêu tuyển sinh" not in body


def test_local_officer_sees_the_communes_and_its_centers_assignments_only(client, local_officer, world,
                                                                          department_user, other_center,
                                                                          other_commune):
    from conferences.services import directive_issue, task_assign
    from tests.conferences.conftest import make_directive, make_task

    elsewhere = make_directive(department_user, subject="Kế hoạch riêng cho phường Võ Cường")
    task = make_task(department_user, elsewhere, text="Nhiệm vụ của phường Võ Cường và trung tâm Sao Mai.")
    task_assign(task=task, user=department_user, communes=[other_commune], centers=[other_center])
    directive_issue(directive=elsewhere, user=department_user)

    client.force_login(local_officer)
    response = client.get(_url("assignment_list"))
    rows = list(response.context["assignments"])
    assert {(a.center_id, a.commune_id) for a in rows} == {
        (world["center"].pk, None), (None, world["commune"].pk),
    }
    body = response.content.decode()
    assert "Võ Cường" not in body
    assert client.get(_url("directive_detail", elsewhere.pk)).status_code == 404
    other = TaskAssignment.objects.get(task=task, center=other_center)
    assert client.get(_url("assignment_detail", other.pk)).status_code == 404
    assert client.get(_url("unit_commune", other_commune.pk)).status_code == 404
    assert client.get(_url("unit_center", other_center.pk)).status_code == 404


def test_director_of_another_center_gets_404_on_the_assignment_and_its_evidence(client, other_director, world):
    client.force_login(other_director)
    assert client.get(_url("assignment_detail", world["assignment"].pk)).status_code == 404
    assert client.get(_url("evidence_download", world["evidence"].pk)).status_code == 404


def test_inspector_post_edit_is_refused_and_changes_nothing(client, inspector, world):
    client.force_login(inspector)
    issued = world["issued"]
    response = client.post(_url("directive_update", issued.pk), {"subject": "Sửa trái phép", "body": "x"})
    assert response.status_code == 403
    response = client.post(_url("conference_update", world["conference"].pk), {"title": "Sửa trái phép"})
    assert response.status_code == 403
    issued.refresh_from_db()
    world["conference"].refresh_from_db()
    assert issued.subject != "Sửa trái phép"
    assert world["conference"].title != "Sửa trái phép"


def test_evidence_is_sent_as_a_private_download(client, director, world):
    client.force_login(director)
    response = client.get(_url("evidence_download", world["evidence"].pk))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
