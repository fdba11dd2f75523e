"""Two staff editing the same conference, directive draft or task at once: the second save
is refused (409) with what changed since it was opened, and nothing of the first save is
reverted (edu_portal.concurrency)."""

import pytest
from django.urls import reverse

from conferences.models import Conference, ConferenceQuestion, Directive, Task
from edu_portal.concurrency import VERSION_FIELD
from tests.admin_forms import admin_form_data, form_data, formset_data
from tests.edit_versions import CONFLICT, colleagues, conflict_row, page_data

FORMSETS = ("groups", "questions")


@pytest.fixture
def clients(department_user):
    return colleagues(department_user)


def test_the_second_of_two_concurrent_conference_edits_is_refused_and_nothing_reverted(clients, conference):
    first, second = clients
    url = reverse("conferences:conference_update", args=[conference.pk])
    first_data, second_data = page_data(first, url, *FORMSETS), page_data(second, url, *FORMSETS)

    first_data["place"] = "Trung tâm Hội nghị tỉnh"
    assert first.post(url, first_data).status_code == 302

    second_data["title"] = "Hội nghị tổng kết năm học"
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    row = conflict_row(response, "place")
    assert "Hội trường Sở" in row and "Trung tâm Hội nghị tỉnh" in row
    conference.refresh_from_db()
    assert conference.place == "Trung tâm Hội nghị tỉnh"
    assert conference.title.startswith("Hội nghị triển khai")

    again = page_data(second, url, *FORMSETS)
    again["title"] = "Hội nghị tổng kết năm học"
    assert second.post(url, again).status_code == 302
    conference.refresh_from_db()
    assert (conference.title, conference.place) == ("Hội nghị tổng kết năm học", "Trung tâm Hội nghị tỉnh")


def test_a_changed_question_row_makes_an_open_conference_page_stale(clients, conference):
    """The rows are saved with the conference: another user's answer must not be reverted
    by a page opened before it, nor by the conflict page (its rows are the saved ones)."""
    first, second = clients
    url = reverse("conferences:conference_update", args=[conference.pk])
    first_data, second_data = page_data(first, url, *FORMSETS), page_data(second, url, *FORMSETS)
    first_data["questions-0-answer"] = "Nộp trực tuyến trên Cổng dịch vụ công."
    assert first.post(url, first_data).status_code == 302

    second_data["speeches_count"] = "20"
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert "thay đổi nằm ở phần khác của hồ sơ" in response.content.decode()
    question = ConferenceQuestion.objects.get(conference=conference)
    assert question.answer == "Nộp trực tuyến trên Cổng dịch vụ công."
    assert Conference.objects.get(pk=conference.pk).speeches_count == 19

    # The conflict page: the user's count kept, the rows as saved; saved as shown, both stay.
    shown = form_data(response.context["form"])
    for name in FORMSETS:
        shown.update(formset_data(response.context[name]))
    assert shown["speeches_count"] == 20 and shown["questions-0-answer"] == question.answer
    assert second.post(url, shown).status_code == 302
    question.refresh_from_db()
    assert question.answer == "Nộp trực tuyến trên Cổng dịch vụ công."
    assert Conference.objects.get(pk=conference.pk).speeches_count == 20


def test_a_conference_post_without_the_version_is_refused(clients, conference):
    first, _second = clients
    url = reverse("conferences:conference_update", args=[conference.pk])
    data = page_data(first, url, *FORMSETS)
    del data[VERSION_FIELD]
    data["title"] = "Sửa không có phiên bản"
    assert first.post(url, data).status_code == 409
    assert Conference.objects.get(pk=conference.pk).title.startswith("Hội nghị triển khai")


def test_concurrent_edits_of_a_directive_draft(clients, draft_directive):
    first, second = clients
    url = reverse("conferences:directive_update", args=[draft_directive.pk])
    first_data, second_data = page_data(first, url), page_data(second, url)
    first_data["subject"] = "Kế hoạch tuyển sinh năm 2026"
    assert first.post(url, first_data).status_code == 302
    second_data["body"] = "Nội dung mới của dự thảo."
    response = second.post(url, second_data)
    assert response.status_code == 409
    row = conflict_row(response, "subject")
    assert "Dự thảo kế hoạch tuyển sinh các lớp ngoại ngữ" in row and "Kế hoạch tuyển sinh năm 2026" in row
    draft_directive.refresh_from_db()
    assert draft_directive.subject == "Kế hoạch tuyển sinh năm 2026"
    assert draft_directive.body.startswith("Thực hiện kết luận")

    again = page_data(second, url)
    again["body"] = "Nội dung mới của dự thảo."
    assert second.post(url, again).status_code == 302
    draft_directive.refresh_from_db()
    assert (draft_directive.subject, draft_directive.body) == ("Kế hoạch tuyển sinh năm 2026",
                                                               "Nội dung mới của dự thảo.")


def test_concurrent_edits_of_a_task(clients, department_user, draft_directive):
    first, second = clients
    task = draft_directive.tasks.get()
    url = reverse("conferences:task_update", args=[task.pk])
    first_data, second_data = page_data(first, url), page_data(second, url)
    first_data["lead_unit"] = "Phòng Giáo dục thường xuyên"
    assert first.post(url, first_data).status_code == 302
    second_data["text"] = "Báo cáo chỉ tiêu và kết quả tuyển sinh."
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert "Phòng Giáo dục thường xuyên" in conflict_row(response, "lead_unit")
    task.refresh_from_db()
    assert (task.lead_unit, task.text) == ("Phòng Giáo dục thường xuyên", "Báo cáo chỉ tiêu tuyển sinh.")

    again = page_data(second, url)
    again["text"] = "Báo cáo chỉ tiêu và kết quả tuyển sinh."
    assert second.post(url, again).status_code == 302
    assert Task.objects.get(pk=task.pk).text == "Báo cáo chỉ tiêu và kết quả tuyển sinh."


def test_adding_a_task_needs_no_version(clients, department_user, draft_directive):
    first, _second = clients
    url = reverse("conferences:task_create", args=[draft_directive.pk])
    response = first.get(url)
    assert f'name="{VERSION_FIELD}" value="' not in response.content.decode()
    data = form_data(response.context["form"])
    data.update(text="Nhiệm vụ mới.", lead_unit="Các trung tâm", deadline=Task.objects.first().deadline.isoformat())
    assert first.post(url, data).status_code == 302
    assert draft_directive.tasks.filter(text="Nhiệm vụ mới.").exists()


def test_the_second_of_two_concurrent_saves_in_the_directive_admin_is_refused(clients, draft_directive):
    first, second = clients
    url = reverse("admin:conferences_directive_change", args=[draft_directive.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    first_data["signer_name"] = "Trần Thị Cúc"
    assert first.post(url, first_data).status_code == 302
    second_data["subject"] = "Trích yếu khác"
    response = second.post(url, second_data)
    assert response.status_code == 409
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert CONFLICT in errors and "Trần Thị Cúc" in errors
    directive = Directive.objects.get(pk=draft_directive.pk)
    assert (directive.signer_name, directive.subject) == ("Trần Thị Cúc",
                                                          "Dự thảo kế hoạch tuyển sinh các lớp ngoại ngữ")
