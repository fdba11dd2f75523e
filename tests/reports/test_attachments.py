"""Attachments: checked by content (magic bytes; xlsx and docx as zip packages with
limits), stored under random names in MEDIA_ROOT, served only through a scoped view."""

import hashlib
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports.models import Attachment
from reports.services import attachment_add, attachment_remove, submission_submit
from reports.services.submissions import MAX_DRAFT_ATTACHMENTS
from tests.reports.helpers_submission import (
    EXE_BYTES,
    docx_bytes,
    good_values,
    ooxml_bytes,
    pdf_bytes,
    upload,
    xlsx_bomb,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def add(obligation, user, name, data):
    return attachment_add(obligation=obligation, user=user, upload=upload(name, data))


def refused(obligation, user, name, data) -> str:
    with pytest.raises(ValidationError) as caught:
        add(obligation, user, name, data)
    assert not Attachment.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    return " ".join(caught.value.messages)


def submit(obligation, user):
    return submission_submit(obligation=obligation, user=user, values=good_values(), idempotency_key=uuid.uuid4())


# Accepted files


@pytest.mark.parametrize(
    ("name", "data", "file_type"),
    [("Báo cáo 6 tháng.pdf", pdf_bytes(), "pdf"), ("so-lieu.xlsx", xlsx_bytes(), "xlsx"),
     ("thuyet-minh.DOCX", docx_bytes(), "docx")],
)
def test_a_real_pdf_xlsx_or_docx_is_stored_under_a_random_name(obligation, director, name, data, file_type):
    attachment = add(obligation, director, name, data)
    assert (attachment.original_name, attachment.file_type, attachment.size) == (name, file_type, len(data))
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored.read_bytes() == data
    assert attachment.file.name.startswith(f"reports/{obligation.pk}/")
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    assert attachment.version is None


def test_a_path_in_the_uploaded_name_is_dropped(obligation, director):
    attachment = add(obligation, director, "../../etc/bao-cao.pdf", pdf_bytes())
    assert attachment.original_name == "bao-cao.pdf"


# Refused files: a clear message, nothing stored


def test_an_exe_renamed_pdf_is_refused(obligation, director):
    assert "nội dung không phải là PDF" in refused(obligation, director, "bao-cao.pdf", EXE_BYTES)


def test_an_exe_renamed_xlsx_is_refused(obligation, director):
    assert "không phải là Excel (.xlsx) hợp lệ" in refused(obligation, director, "so-lieu.xlsx", EXE_BYTES)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(obligation, director):
    bomb = xlsx_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire, 50 MB inflated
    assert "cấu trúc bất thường" in refused(obligation, director, "so-lieu.xlsx", bomb)


def test_a_zip_with_too_many_members_is_refused(obligation, director, monkeypatch):
    monkeypatch.setattr("edu_portal.files.MAX_ZIP_MEMBERS", 3)
    data = ooxml_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<d/>",
                        **{f"word/media/{i}.png": b"x" for i in range(5)}})
    assert "cấu trúc bất thường" in refused(obligation, director, "a.docx", data)


def test_a_docx_named_xlsx_is_refused(obligation, director):
    assert "không phải là Excel (.xlsx) hợp lệ" in refused(obligation, director, "so-lieu.xlsx", docx_bytes())


def test_a_password_protected_office_file_is_refused_with_advice(obligation, director):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
    assert "mật khẩu" in refused(obligation, director, "so-lieu.xlsx", ole)


def test_an_oversized_file_is_refused(obligation, director):
    # The test type allows 1 MB.
    assert "lớn hơn giới hạn 1 MB" in refused(obligation, director, "bao-cao.pdf", pdf_bytes(1024 * 1024 + 1))


def test_a_type_the_report_does_not_allow_is_refused(obligation, director, report_type):
    report_type.attachment_types = ["pdf"]
    report_type.save()
    assert "chỉ nhận tệp: PDF" in refused(obligation, director, "so-lieu.xlsx", xlsx_bytes())
    assert "chỉ nhận tệp: PDF" in refused(obligation, director, "anh.png", b"\x89PNG\r\n")


def test_the_same_file_is_not_attached_twice(obligation, director):
    add(obligation, director, "bao-cao.pdf", pdf_bytes())
    with pytest.raises(ValidationError, match="Tệp «ban-sao.pdf» đã được đính kèm"):
        add(obligation, director, "ban-sao.pdf", pdf_bytes())
    assert Attachment.objects.count() == 1


def test_a_draft_holds_a_limited_number_of_files(obligation, director):
    for number in range(MAX_DRAFT_ATTACHMENTS):
        add(obligation, director, f"{number}.pdf", pdf_bytes(2000 + number))
    with pytest.raises(ValidationError, match="tối đa 10 tệp"):
        add(obligation, director, "them.pdf", pdf_bytes())


@pytest.mark.parametrize("user_key", ["local_officer", "department_user", "other_director"])
def test_only_the_director_attaches_files(obligation, request, user_key):
    with pytest.raises(PermissionDenied):
        add(obligation, request.getfixturevalue(user_key), "a.pdf", pdf_bytes())


def test_no_file_is_added_to_a_submitted_report(obligation, director):
    submit(obligation, director)
    obligation.refresh_from_db()
    with pytest.raises(ValidationError, match="không thể sửa"):
        add(obligation, director, "a.pdf", pdf_bytes())


# Upload view


def test_the_upload_page_stores_a_file_and_returns_to_the_report(client, obligation, director):
    client.force_login(director)
    response = client.post(reverse("reports:attachment_upload", args=[obligation.pk]),
                           {"file": upload("bao-cao.pdf", pdf_bytes())}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/reports/{obligation.pk}/#attachments")
    assert "Đã đính kèm «bao-cao.pdf»" in response.content.decode()
    assert Attachment.objects.get().original_name == "bao-cao.pdf"


def test_the_upload_page_stops_reading_past_the_size_limit(client, obligation, director):
    client.force_login(director)
    response = client.post(reverse("reports:attachment_upload", args=[obligation.pk]),
                           {"file": upload("lon.pdf", pdf_bytes(2 * 1024 * 1024))}, follow=True)
    assert "Tệp lớn hơn giới hạn 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_upload_page_shows_why_a_forged_file_is_refused(client, obligation, director):
    client.force_login(director)
    response = client.post(reverse("reports:attachment_upload", args=[obligation.pk]),
                           {"file": upload("bao-cao.pdf", EXE_BYTES)}, follow=True)
    assert "nội dung không phải là PDF" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_upload_page_checks_the_csrf_token(obligation, director):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    response = client.post(reverse("reports:attachment_upload", args=[obligation.pk]),
                           {"file": upload("bao-cao.pdf", pdf_bytes())})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("user_key", "status"), [
    # Only a director may: the others are refused before the lookup (403).
    ("local_officer", 403), ("inspector", 403), ("department_user", 403),
    ("other_director", 404), ("other_local_officer", 403), ("foreign_department_user", 403),
])
def test_only_the_director_may_upload(client, obligation, request, user_key, status):
    client.force_login(request.getfixturevalue(user_key))
    response = client.post(reverse("reports:attachment_upload", args=[obligation.pk]),
                           {"file": upload("a.pdf", pdf_bytes())})
    assert response.status_code == status
    assert not Attachment.objects.exists()


# Download and removal


def test_the_download_sends_the_original_name_as_an_attachment(client, obligation, director):
    attachment = add(obligation, director, "Báo cáo 6 tháng.pdf", pdf_bytes())
    client.force_login(director)
    response = client.get(reverse("reports:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%206%20th%C3%A1ng.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_submitted_file_is_readable_across_the_scope_and_nowhere_else(client, obligation, director, request):
    attachment = add(obligation, director, "bao-cao.pdf", pdf_bytes())
    submit(obligation, director)
    url = reverse("reports:attachment_download", args=[attachment.pk])
    for user_key, status in [("director", 200), ("local_officer", 200), ("department_user", 200), ("inspector", 200),
                             ("other_director", 404), ("other_local_officer", 404),
                             ("foreign_department_user", 404)]:
        client.force_login(request.getfixturevalue(user_key))
        assert client.get(url).status_code == status, user_key


def test_a_draft_file_is_the_centers_own_until_submitted(client, obligation, director, department_user, local_officer):
    attachment = add(obligation, director, "nhap.pdf", pdf_bytes())
    url = reverse("reports:attachment_download", args=[attachment.pk])
    for user in (department_user, local_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_another_centers_director_gets_404_on_a_file(client, obligation, director, other_director):
    attachment = add(obligation, director, "bao-cao.pdf", pdf_bytes())
    client.force_login(other_director)
    assert client.get(reverse("reports:attachment_download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("reports:attachment_delete", args=[attachment.pk])).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_draft_file_can_be_removed_and_leaves_no_file_behind(client, obligation, director,
                                                               django_capture_on_commit_callbacks):
    attachment = add(obligation, director, "bao-cao.pdf", pdf_bytes())
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:attachment_delete", args=[attachment.pk]), follow=True)
    assert "Đã bỏ tệp «bao-cao.pdf»" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not stored.exists()


def test_a_submitted_file_cannot_be_removed(obligation, director):
    attachment = add(obligation, director, "bao-cao.pdf", pdf_bytes())
    submit(obligation, director)
    attachment.refresh_from_db()
    with pytest.raises(ValidationError, match="Tệp đã nộp cùng báo cáo, không thể xóa"):
        attachment_remove(attachment=attachment, user=director)
    assert Path(settings.MEDIA_ROOT, attachment.file.name).exists()


def test_removing_a_file_is_for_the_director_only(client, obligation, director, local_officer):
    attachment = add(obligation, director, "bao-cao.pdf", pdf_bytes())
    submit(obligation, director)
    client.force_login(local_officer)
    assert client.post(reverse("reports:attachment_delete", args=[attachment.pk])).status_code == 403


def test_media_is_never_served_by_url():
    assert settings.MEDIA_URL in (None, "")
