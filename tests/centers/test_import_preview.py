"""The import preview (issue 13): after an upload, the rows to add, the rows to change with
each changed field (old -> new) and the errors are shown before anything is written; «Nhập»
writes what the preview showed, or nothing if the register changed meanwhile."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers.choices import CenterStatus
from centers.excel import parse_row
from centers.imports import (
    center_import_cancel,
    center_import_confirm,
    center_import_preview_file,
    center_imports_purge,
)
from centers.models import Center, CenterImport, LicenceDocument
from tests.centers.test_import import NO_LICENCE, csv_file, make_row, snapshot, upload, xlsx
from tests.factories import DirectorFactory

pytestmark = pytest.mark.django_db


def preview(data: bytes, by, name="trung-tam.xlsx"):
    return center_import_preview_file(data=data, filename=name, by=by)


def upload_file(client, data: bytes, name="trung-tam.xlsx") -> CenterImport:
    response = client.post(reverse("centers:center_import"), upload(data, name=name))
    assert response.status_code == 302, response.content.decode()[:500]
    return CenterImport.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[-1]))


# What the preview shows


def test_the_preview_lists_new_rows_and_each_changed_field_with_old_and_new_values(department_user, center, commune):
    DirectorFactory(center=center, full_name="Trần Văn Cũ")
    Center.objects.filter(pk=center.pk).update(phone="0222 1111 111")
    rows = [
        make_row(code="NN001", name="Trung tâm Ngoại ngữ Đông Á Mới", phone="0222 2222 222",
                 director="Nguyễn Thị Mới", **NO_LICENCE),
        make_row(code="NN777"),
    ]
    result = preview(xlsx(rows), department_user)
    data = result.preview
    assert (data["rows"], data["new"], data["changed"], data["unchanged"], data["error_rows"]) == (2, 1, 1, 0, 0)
    assert data["added"][0]["code"] == "NN777" and data["added"][0]["commune"] == "Phường Kinh Bắc"
    change = data["changes"][0]
    assert (change["row"], change["code"], change["center"]) == (2, "NN001", center.pk)
    assert ["Tên trung tâm", "Trung tâm Ngoại ngữ Đông Á", "Trung tâm Ngoại ngữ Đông Á Mới"] in change["fields"]
    assert ["Điện thoại", "0222 1111 111", "0222 2222 222"] in change["fields"]
    assert ["Giám đốc", "Trần Văn Cũ", "Nguyễn Thị Mới"] in change["fields"]


def test_the_preview_shows_a_new_decision_and_a_changed_one_and_a_status(department_user, center):
    document = center.documents.get()
    rows = [make_row(code="NN001", name=center.name, status="Bị đình chỉ hoạt động",
                     licence_number=document.number, licence_signed_on="06/03/2024",
                     licence_issuer=document.issuer, director="", phone="", email="", investor="", street="")]
    fields = preview(xlsx(rows), department_user).preview["changes"][0]["fields"]
    assert ["Trạng thái", "Đang hoạt động", "Bị đình chỉ hoạt động"] in fields
    assert [f"Ngày quyết định ({document.number})", "05/03/2024", "06/03/2024"] in fields
    rows[0].update(licence_number="99/QĐ-SGDĐT", status="")
    fields = preview(xlsx(rows), department_user).preview["changes"][0]["fields"]
    assert ["Số quyết định", "", "99/QĐ-SGDĐT (ngày 06/03/2024, Sở GDĐT Bắc Ninh)"] in fields


def test_the_preview_writes_nothing_at_all(department_user, center, commune):
    before = snapshot()
    rows = [make_row(code="NN001", name="Tên mới", status="Dừng hoạt động", director="Người Mới"),
            make_row(code="NN900")]
    with CaptureQueriesContext(connection) as queries:
        result = preview(xlsx(rows), department_user)
    assert result.preview["new"] == 1 and result.preview["changed"] == 1
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert snapshot() == before


def test_an_unchanged_file_says_so_and_offers_no_import(client, department_user, center):
    from centers.excel import export_workbook
    from centers.selectors import center_list

    client.force_login(department_user)
    center_import = upload_file(client, export_workbook(center_list(department_user)))
    assert center_import.preview["unchanged"] == 1 and center_import.preview["writable"] == 0
    page = client.get(center_import.get_absolute_url()).content.decode()
    assert "Tệp không làm thay đổi gì trong sổ đăng ký" in page and 'id="import-confirm"' not in page


# Dates and phone numbers as offices write them


@pytest.mark.parametrize(("text", "expected"), [
    ("05/03/2026", datetime.date(2026, 3, 5)),
    ("5/3/2026", datetime.date(2026, 3, 5)),
    ("5.3.2026", datetime.date(2026, 3, 5)),
    ("13/5/2026", datetime.date(2026, 5, 13)),
    ("2026-03-05", datetime.date(2026, 3, 5)),
    ("2026-03-05T00:00:00", datetime.date(2026, 3, 5)),
    ("05/03/2026 08:30", datetime.date(2026, 3, 5)),
])
def test_text_dates_are_read_day_first_and_iso_dates_are_accepted(text, expected):
    row = parse_row(2, {**make_row(), "licence_signed_on": text})
    assert row.errors == [] and row["licence_signed_on"] == expected


def test_a_date_that_reads_two_ways_is_shown_in_the_preview(department_user, commune):
    rows = [make_row(code="NN1", licence_signed_on="05/03/2026"), make_row(code="NN2", licence_signed_on="5/3/2026"),
            make_row(code="NN3", licence_signed_on="13/5/2026"), make_row(code="NN4", licence_signed_on="2026-03-05"),
            make_row(code="NN5", licence_signed_on="04/04/2026")]
    data = preview(csv_file(rows), department_user, name="a.csv").preview
    assert data["ambiguous_count"] == 2
    assert data["ambiguous"][0] == {
        "row": 2, "column": "Ngày quyết định", "text": "05/03/2026", "date": "05/03/2026",
        "read_as": "ngày 5 tháng 3 năm 2026",
    }
    assert data["ambiguous"][1]["row"] == 3


@pytest.mark.parametrize(("text", "hint"), [
    ("1/13/2025", "«1/13/2025» có vẻ ghi tháng trước ngày; hãy ghi ngày trước, ví dụ 13/01/2025."),
    ("05/03/26", "Năm cần ghi đủ 4 chữ số"),
])
def test_an_unreadable_date_says_how_to_write_it(text, hint):
    row = parse_row(2, {**make_row(), "licence_signed_on": text})
    assert hint in row.errors[0].message


@pytest.mark.parametrize(("value", "stored", "warned"), [
    (912345678, "0912345678", "đã mất số 0 ở đầu (ô kiểu số)"),
    (2223812345, "02223812345", "đã mất số 0 ở đầu (ô kiểu số)"),
    ("912345678", "0912345678", "thường do mở tệp CSV bằng Excel rồi lưu lại"),
    (912345678.0, "0912345678", "đã mất số 0 ở đầu"),
    ("0912345678", "0912345678", None),
    ("0222 3812 345", "0222 3812 345", None),
    ("+84 912 345 678", "+84 912 345 678", None),
    (84912345678, "84912345678", "ô kiểu số «84912345678»"),
])
def test_a_phone_number_that_lost_its_leading_zero_is_put_back_and_flagged(value, stored, warned):
    row = parse_row(2, {**make_row(), "phone": value})
    assert row.errors == [] and row["phone"] == stored
    messages = [w.message for w in row.warnings]
    assert (warned is None and messages == []) or (warned is not None and warned in messages[0])


# The template's example row


def test_the_example_row_is_never_imported_even_with_real_rows_below_it(department_user, commune):
    from centers.imports import center_import_file

    rows = [make_row(code="VÍ DỤ", name="Trung tâm Ngoại ngữ Ánh Sao (dòng ví dụ, không được nhập)"),
            make_row(code="NN500")]
    result = center_import_file(data=xlsx(rows), filename="a.xlsx", by=department_user)
    assert result.written and result.examples == [2] and result.created == 1
    assert list(Center.objects.values_list("code", flat=True)) == ["NN500"]


def test_the_example_of_templates_handed_out_before_is_recognised_too(department_user, commune):
    rows = [make_row(code="NN999", name="Trung tâm Ngoại ngữ Ánh Sao"), make_row(code="NN500")]
    result = preview(xlsx(rows), department_user)
    assert result.examples == [2] and result.preview["new"] == 1


# A title above the header


def test_a_title_row_above_the_header_is_found_and_said(department_user, commune):
    data = ("DANH SÁCH TRUNG TÂM NĂM 2026\n\n" + csv_file([make_row()]).decode("utf-8-sig")).encode("utf-8-sig")
    result = preview(data, department_user, name="a.csv")
    assert result.preview["new"] == 1
    assert result.preview["notes"] == [
        "Bỏ qua 1 dòng tiêu đề phía trên dòng tên cột (dòng 1: «DANH SÁCH TRUNG TÂM NĂM 2026»); dữ liệu được đọc "
        "từ dòng 4."
    ]


def test_a_title_above_a_header_that_is_not_ours_is_clearly_explained(department_user, commune):
    lines = "DANH SÁCH TRUNG TÂM\nSTT,Tên,Địa chỉ\n1,Trung tâm A,Số 1\n"
    result = preview(lines.encode("utf-8"), department_user, name="a.csv")
    assert result.preview is None
    message = str(result.errors[0])
    assert message.startswith("Dòng 2 là dòng tên cột nhưng chưa đúng mẫu: thiếu cột «Mã trung tâm»")
    assert "Các dòng phía trên nó được coi là dòng tiêu đề và bỏ qua." in message
    result = preview("Báo cáo\nSố liệu\n".encode(), department_user, name="a.csv")
    assert str(result.errors[0]).startswith("Không tìm thấy dòng tên cột trong 2 dòng đầu của tệp")


# A new center without a licence


def test_a_new_center_without_a_licence_or_a_status_is_not_yet_licensed(department_user, commune):
    from centers.imports import center_import_file

    rows = [make_row(code="NN601", status="", **NO_LICENCE), make_row(code="NN602", status="")]
    center_import_file(data=xlsx(rows), filename="a.xlsx", by=department_user)
    statuses = dict(Center.objects.values_list("code", "status"))
    assert statuses == {"NN601": CenterStatus.NOT_YET_LICENSED, "NN602": CenterStatus.OPERATING}


def test_a_licence_imported_for_a_center_waiting_for_one_makes_it_operating(department_user, commune):
    from centers.imports import center_import_file

    center_import_file(data=xlsx([make_row(code="NN601", status="", **NO_LICENCE)]), filename="a.xlsx",
                       by=department_user)
    result = center_import_file(data=xlsx([make_row(code="NN601", status="")]), filename="a.xlsx",
                                by=department_user)
    center = Center.objects.get()
    assert result.updated == 1 and center.status == CenterStatus.OPERATING and center.current_licence_id
    assert center.status_changes.get().old_status == CenterStatus.NOT_YET_LICENSED


# «Nhập» and «Hủy»


def test_confirming_twice_imports_once(client, department_user, commune):
    client.force_login(department_user)
    center_import = upload_file(client, xlsx([make_row()]))
    url = reverse("centers:center_import_confirm", args=[center_import.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "Tệp này đã được xác nhận nhập hoặc đã hủy." in response.content.decode()
    assert Center.objects.count() == 1 and Center.history.count() == 1


def test_nothing_is_written_when_the_register_changed_since_the_preview(client, department_user, center):
    client.force_login(department_user)
    center_import = upload_file(client, xlsx([make_row(code="NN001", name="Tên trong tệp", **NO_LICENCE)]))
    assert ["Tên trung tâm", "Trung tâm Ngoại ngữ Đông Á", "Tên trong tệp"] in center_import.preview["changes"][0][
        "fields"]
    Center.objects.filter(pk=center.pk).update(name="Tên do đồng nghiệp sửa")  # someone else, meanwhile
    before = snapshot()
    response = client.post(reverse("centers:center_import_confirm", args=[center_import.pk]), follow=True)
    assert snapshot() == before
    content = response.content.decode()
    assert "Sổ đăng ký đã thay đổi sau lần xem trước nên chưa có gì được ghi" in content
    center_import.refresh_from_db()
    assert (center_import.stage, center_import.status, center_import.preview["stale"]) == ("preview", "done", True)
    assert ["Tên trung tâm", "Tên do đồng nghiệp sửa", "Tên trong tệp"] in center_import.preview["changes"][0][
        "fields"]
    # Confirmed again on the new preview: written.
    client.post(reverse("centers:center_import_confirm", args=[center_import.pk]))
    assert Center.objects.get().name == "Tên trong tệp"


def test_cancelling_a_preview_deletes_the_kept_file_and_writes_nothing(
    client, department_user, commune, django_capture_on_commit_callbacks,
):
    client.force_login(department_user)
    center_import = upload_file(client, xlsx([make_row()]))
    path = center_import.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("centers:center_import_cancel", args=[center_import.pk]), follow=True)
    assert "Đã hủy việc nhập tệp «trung-tam.xlsx»; không có gì được ghi." in response.content.decode()
    center_import.refresh_from_db()
    assert center_import.status == "cancelled" and center_import.file.name == ""
    assert not __import__("os").path.exists(path)
    client.post(reverse("centers:center_import_confirm", args=[center_import.pk]))
    assert not Center.objects.exists()
    assert "Đã hủy việc nhập tệp này" in client.get(center_import.get_absolute_url()).content.decode()


def test_a_preview_kept_past_the_purge_can_no_longer_be_imported(client, department_user, commune):
    from django.utils import timezone

    client.force_login(department_user)
    center_import = upload_file(client, xlsx([make_row()]))
    CenterImport.objects.filter(pk=center_import.pk).update(finished_at=timezone.now() - datetime.timedelta(days=30))
    assert center_imports_purge() == 1
    center_import.refresh_from_db()
    page = client.get(center_import.get_absolute_url()).content.decode()
    assert "đã được xóa: hãy tải lên lại" in page and 'id="import-confirm"' not in page
    with pytest.raises(Exception, match="Tệp đã được xóa"):
        center_import_confirm(center_import=center_import, valid_only=False)
    assert not Center.objects.exists()


def test_a_file_with_only_bad_rows_offers_no_import(client, department_user, commune):
    client.force_login(department_user)
    center_import = upload_file(client, xlsx([make_row(kind="Không rõ")]))
    page = client.get(center_import.get_absolute_url()).content.decode()
    assert "Không có dòng hợp lệ nào để nhập" in page and 'id="import-confirm"' not in page
    with pytest.raises(Exception, match="Tệp không có dòng nào để nhập"):
        center_import_confirm(center_import=center_import, valid_only=True)


def test_a_preview_cancelled_while_the_worker_makes_it_stops_the_run(department_user, province, commune):
    from django.core.files.base import ContentFile

    from centers.imports import center_import_run

    center_import = CenterImport.objects.create(
        province=province, created_by=department_user, original_name="a.xlsx", stage="preview",
        file=ContentFile(xlsx([make_row()]), name="a.xlsx"), attempts=1,
    )
    assert center_import_cancel(center_import=center_import)
    center_import_run(center_import=center_import, heartbeat=False)
    center_import.refresh_from_db()
    assert center_import.status == "cancelled" and center_import.preview == {}


# Who may see and act


@pytest.mark.parametrize("role", ["inspector", "director", "local_officer"])
def test_only_department_staff_may_confirm_or_cancel(client, request, role, department_user, commune):
    staff = client.__class__()
    staff.force_login(department_user)
    center_import = upload_file(staff, xlsx([make_row()]))
    client.force_login(request.getfixturevalue(role))
    for name in ("centers:center_import_confirm", "centers:center_import_cancel"):
        assert client.post(reverse(name, args=[center_import.pk])).status_code == 403
    assert not Center.objects.filter(code="NN100").exists()
    center_import.refresh_from_db()
    assert center_import.awaits_confirmation


def test_another_provinces_preview_is_not_found(client, department_user, foreign_department_user, commune):
    staff = client.__class__()
    staff.force_login(department_user)
    center_import = upload_file(staff, xlsx([make_row()]))
    client.force_login(foreign_department_user)
    for name in ("centers:center_import_confirm", "centers:center_import_cancel"):
        assert client.post(reverse(name, args=[center_import.pk])).status_code == 404
    assert client.get(center_import.get_absolute_url()).status_code == 404
    assert not Center.objects.exists()


def test_confirm_and_cancel_take_post_only_and_anonymous_users_are_sent_to_login(client, department_user, commune):
    staff = client.__class__()
    staff.force_login(department_user)
    center_import = upload_file(staff, xlsx([make_row()]))
    for name in ("centers:center_import_confirm", "centers:center_import_cancel"):
        url = reverse(name, args=[center_import.pk])
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert staff.get(url).status_code == 405
    assert not Center.objects.exists()


# The page


def test_the_preview_page_shows_changes_warnings_and_the_buttons(client, department_user, center, commune):
    Center.objects.filter(pk=center.pk).update(phone="0222 1111 111")
    client.force_login(department_user)
    center_import = upload_file(client, xlsx([
        make_row(code="NN001", name=center.name, phone=912345678, **NO_LICENCE, director="", email="",
                 investor="", street=""),
        make_row(code="NN002", licence_signed_on="05/03/2025"),
    ]))
    page = client.get(center_import.get_absolute_url()).content.decode()
    assert 'id="preview-new">1<' in page and 'id="preview-changed">1<' in page
    assert "0222 1111 111" in page and "0912345678" in page and "đổi thành" in page
    assert "Cần kiểm tra (1)" in page and "«912345678» đã mất số 0 ở đầu" in page
    assert "Ngày đọc được hai cách (1)" in page and "«05/03/2025» đọc là ngày 5 tháng 3 năm 2025" in page
    assert 'id="import-confirm"' in page and 'id="import-cancel"' in page
    assert "hx-trigger" not in page, "a finished preview is not polled"
    assert LicenceDocument.objects.count() == 1 and Center.objects.count() == 1
