"""Conference pages: the form with its inline rows, the folded search, files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conferences.models import Conference, ConferenceAttachment

from .conftest import make_conference

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def test_staff_record_a_conference_with_participants_and_questions(client, department_user, province):
    client.force_login(department_user)
    data = {
        "title": "Hội nghị sơ kết học kỳ I các trung tâm giáo dục thường xuyên", "kind": "semester_review",
        "held_on": "15/01/2026", "place": "Hội trường tầng 3", "host_unit": "Sở Giáo dục và Đào tạo",
        "chair_name": "Trần Thị Lan", "chair_position": "Giám đốc Sở", "speeches_count": "12",
        "conclusions": "Tăng cường kiểm tra giấy phép lao động của giáo viên nước ngoài.",
        **_formset("groups", [{"unit": "Lãnh đạo UBND tỉnh", "role": "directing", "count": "2"},
                              {"unit": "Giám đốc các trung tâm", "role": "delegate", "count": "85"}]),
        **_formset("questions", [{"question": "Khi nào có hướng dẫn tuyển sinh?", "raised_by": "TT GDNN-GDTX",
                                  "answer": "Trong tháng 2.", "answered_by": "Phòng GDTX"}]),
    }
    response = client.post(reverse("conferences:conference_create"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    conference = Conference.objects.get(title__startswith="Hội nghị sơ kết")
    assert conference.province == province
    assert conference.held_on.isoformat() == "2026-01-15"
    assert [g.unit for g in conference.participant_groups.all()] == ["Lãnh đạo UBND tỉnh", "Giám đốc các trung tâm"]
    assert conference.participants_total == 87
    assert "huong dan tuyen sinh" in conference.search_text
    page = client.get(conference.get_absolute_url()).content.decode()
    assert "Khi nào có hướng dẫn tuyển sinh?" in page
    assert "15/01/2026" in page


def test_search_ignores_diacritics(client, department_user, conference):
    make_conference(department_user, title="Hội nghị tổng kết năm học", kind="year_review", with_rows=False)
    client.force_login(department_user)
    response = client.get(reverse("conferences:conference_list"), {"q": "hoi nghi trien khai"})
    titles = [c.title for c in response.context["conferences"]]
    assert titles == ["Hội nghị triển khai nhiệm vụ giáo dục thường xuyên năm học 2025-2026"]
    # The questions and answers are searched too.
    response = client.get(reverse("conferences:conference_list"), {"q": "trung tam phuc vu hanh chinh cong"})
    assert len(response.context["conferences"]) == 1


def test_filters_by_year_kind_and_host(client, department_user, conference):
    make_conference(department_user, title="Giao ban tháng 3", kind="briefing", held_on=None,
                    host_unit="Phòng Giáo dục thường xuyên")
    client.force_login(department_user)
    url = reverse("conferences:conference_list")
    assert [c.pk for c in client.get(url, {"year": "2025"}).context["conferences"]] == [conference.pk]
    assert len(client.get(url, {"kind": "briefing"}).context["conferences"]) == 1
    assert len(client.get(url, {"host": "Phòng Giáo dục thường xuyên"}).context["conferences"]) == 1


def test_a_photo_is_uploaded_and_a_renamed_file_refused(client, department_user, conference):
    client.force_login(department_user)
    url = reverse("conferences:conference_attachment_upload", args=[conference.pk])
    response = client.post(url, {"kind": "photo", "files": [SimpleUploadedFile("toan-canh.png", PNG)]}, follow=True)
    assert "Đã tải lên 1 tệp." in response.content.decode()
    response = client.post(url, {"kind": "photo", "files": [SimpleUploadedFile("anh.png", PNG),
                                                            SimpleUploadedFile("virus.jpg", b"MZ\x90\x00" * 20)]},
                           follow=True)
    assert "không phải là ảnh JPG" in response.content.decode()
    # One bad file refuses the whole upload.
    assert ConferenceAttachment.objects.filter(conference=conference).count() == 1


def _grow(user, total: int) -> None:
    for n in range(Conference.objects.count(), total):
        make_conference(user, title=f"Hội nghị giao ban số {n}", kind="briefing")


def test_list_runs_the_same_queries_for_3_and_60_conferences(client, department_user):
    client.force_login(department_user)
    counts = []
    for total in (3, 60):
        _grow(department_user, total)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("conferences:conference_list"))
        assert response.status_code == 200
        assert "Hội nghị giao ban số" in response.content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1]
