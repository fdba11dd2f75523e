"""The directive and the conference minutes as official PDFs in the state format, and who
may download them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Division
from conferences.models import Conference, ConferenceQuestion, Directive, ParticipantGroup, Task
from conferences.pdf import directive_context, minutes_context
from conferences.services import CenterSelection, directive_issue, directive_save, task_assign, task_save
from edu_portal.pdf import render_pdf
from tests.documents.pdftools import assert_state_format, flat, info, page_number_at_top
from tests.factories import CenterFactory, CommuneFactory, ProvinceFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def documents(module_db):
    """A công văn with many tasks (two pages), a notice of conclusions, a draft, and the
    minutes of the conference they came from; rendered once."""
    with module_db(), time_machine.travel(datetime.datetime(2026, 3, 5, 9, 0), tick=False):
        province = ProvinceFactory(code="24", name="Bắc Ninh")
        commune = CommuneFactory(code="09187", name="Phường Kinh Bắc", parent=province)

        staff = make_user("department", province=province, username="pdf_sogd")
        CenterFactory.create_batch(3, province=province, commune=commune)
        gdtx = Division.objects.create(province=province, name="Phòng Giáo dục thường xuyên", code="GDTX")
        conference = Conference.objects.create(
            province=province, kind="launch", held_on=datetime.date(2022, 10, 26),
            title="Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học và trung tâm hỗ trợ phát triển "
                  "giáo dục hòa nhập",
            host_unit="Sở Giáo dục và Đào tạo", chair_name="Nguyễn Hữu Bình", chair_position="Phó Giám đốc Sở GDĐT",
            speeches_count=19, topics="Giải pháp tháo gỡ khó khăn\nCông tác cải cách thủ tục hành chính",
            conclusions="Giao Phòng Giáo dục Tiểu học phối hợp với các Phòng liên quan xây dựng văn bản chỉ đạo.",
        )
        ParticipantGroup.objects.create(conference=conference, unit="Lãnh đạo Thanh tra Sở", role="delegate")
        ConferenceQuestion.objects.create(conference=conference, question="Thủ tục cấp giấy phép lao động",
                                          answered_by="Lãnh đạo Sở GDĐT", answer="Đã giải đáp cụ thể")
        letter = directive_save(directive=Directive(
            doc_type="cong_van", drafting_division=gdtx, conference=conference,
            subject="V/v tăng cường công tác quản lý các trung tâm ngoại ngữ, tin học",
            body="Thực hiện kết luận của Phó Giám đốc Sở tại Hội nghị ngày 26/10/2022.",
            addressees="UBND các xã, phường\nCác trung tâm ngoại ngữ, tin học trên địa bàn tỉnh",
            recipients="Như trên;\nLưu: VT, GDTX.", signing_prefix="KT.", signer_position="PHÓ GIÁM ĐỐC",
            signer_name="Nguyễn Hữu Bình",
        ), user=staff)
        for n in range(14):
            task = task_save(task=Task(directive=letter, group="Nhiệm vụ trọng tâm" if n < 7 else "Nhóm giải pháp",
                                       text=f"Rà soát hồ sơ các trung tâm trên địa bàn, đợt {n + 1}, báo cáo Sở GDĐT "
                                            "kết quả thực hiện kèm danh sách trung tâm chưa được cấp phép.",
                                       lead_unit="UBND các xã, phường", deadline=datetime.date(2026, 4, 30)),
                             user=staff)
        task_assign(task=task, user=staff, communes=[commune], selection=CenterSelection(kinds=["language"]))
        letter = directive_issue(directive=letter, user=staff)
        notice = directive_issue(directive=directive_save(directive=Directive(
            doc_type="thong_bao_ket_luan", subject="Kết luận của Giám đốc Sở tại Hội nghị giao ban",
            body="Ngày 05/3/2026, Sở GDĐT tổ chức Hội nghị giao ban.", signer_name="Trần Văn Minh",
            recipients="Các phòng thuộc Sở;\nLưu: VT.",
        ), user=staff), user=staff)
        draft = directive_save(directive=Directive(doc_type="ke_hoach", subject="Kế hoạch kiểm tra năm 2026",
                                                   body="Dự thảo", signer_name="Trần Văn Minh"), user=staff)
        return {
            "letter": render_pdf("pdf/directive.html", directive_context(letter)),
            "notice": render_pdf("pdf/directive.html", directive_context(notice)),
            "draft": render_pdf("pdf/directive.html", directive_context(draft)),
            "minutes": render_pdf("pdf/conference_minutes.html", minutes_context(conference)),
        }


@pytest.mark.parametrize("name", ["letter", "notice", "draft", "minutes"])
def test_each_document_is_in_the_state_format(documents, name):
    assert_state_format(documents[name])


def test_the_official_letter_reads_as_issued(documents):
    data = documents["letter"]
    first = flat(data, first=1, last=1)
    for phrase in ["UBND TỈNH BẮC NINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 01/SGDĐT-GDTX",
                   "Bắc Ninh, ngày 05 tháng 3 năm 2026",
                   "V/v tăng cường công tác quản lý các trung tâm ngoại ngữ, tin học", "Kính gửi:",
                   "UBND các xã, phường;", "Nhiệm vụ trọng tâm"]:
        assert phrase in first, phrase
    whole = flat(data)
    for phrase in ["Nơi nhận:", "- Như trên;", "- Lưu: VT, GDTX.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Bình",
                   "thời hạn hoàn thành: 30/04/2026./."]:
        assert phrase in whole, phrase
    # Who was given the tasks is the portal's follow-up, not the letter's text (issue 11).
    assert "Giao:" not in whole and "3 trung tâm" not in whole
    assert int(info(data)["Pages"]) >= 2
    assert page_number_at_top(data, 1) is None
    assert page_number_at_top(data, 2) == "2"


def test_a_named_type_has_its_title_and_the_head_signs_without_prefix(documents):
    text = flat(documents["notice"])
    assert "Số: 01/TB-SGDĐT" in text and "THÔNG BÁO" in text
    assert "Kết luận của Giám đốc Sở tại Hội nghị giao ban" in text
    assert "KT." not in text and "GIÁM ĐỐC Trần Văn Minh" in text


def test_a_draft_says_so_and_has_no_number(documents):
    text = flat(documents["draft"])
    assert "DỰ THẢO" in text and "KẾ HOẠCH" in text
    assert "Số: /KH-SGDĐT" in text
    assert "Bắc Ninh, ngày tháng" in text  # dated at signature, by hand


def test_the_minutes_keep_what_the_record_holds_and_leave_the_rest_blank(documents):
    text = flat(documents["minutes"])
    assert "/BB-SGDĐT" in text  # numbered by hand in the register
    # Issue 11: sample 1.9 of Decree 30/2020 (start time, chair, secretary, the closing
    # line, both signatures, "Nơi nhận"); what the record lacks is blank, and what was
    # issued after the conference is not part of its minutes.
    for phrase in ["BIÊN BẢN", "Thời gian bắt đầu: …… giờ ……, ngày 26 tháng 10 năm 2022",
                   "Chủ trì (chủ tọa): Nguyễn Hữu Bình, Phó Giám đốc Sở GDĐT", "Thư ký (người ghi biên bản): ……",
                   "Hội nghị có 19 ý kiến phát biểu", "Trả lời (Lãnh đạo Sở GDĐT): Đã giải đáp cụ thể",
                   "III. KẾT LUẬN", "Hội nghị kết thúc vào …… giờ ……, ngày 26 tháng 10 năm 2022./.", "THƯ KÝ",
                   "CHỦ TỌA", "Nơi nhận:"]:
        assert phrase in text, phrase
    assert "Địa điểm: ……………" in text  # the source names no place: nothing invented
    assert "01/SGDĐT-GDTX" not in text and "Bắc Ninh, ngày" not in text


# Who may download

@pytest.fixture
def issued(department_user, center, commune):
    directive = directive_save(directive=Directive(doc_type="thong_bao_ket_luan", subject="Kết luận",
                                                   body="Nội dung", signer_name="Nguyễn Hữu Bình"),
                               user=department_user)
    task = task_save(task=Task(directive=directive, text="Rà soát", lead_unit="GDTX",
                               deadline=datetime.date.today() + datetime.timedelta(days=30)), user=department_user)
    task_assign(task=task, user=department_user, centers=[center])
    return directive_issue(directive=directive, user=department_user)


@pytest.mark.django_db
def test_the_assigned_director_downloads_the_directive_others_get_404(client, issued, director, other_director,
                                                                      foreign_department_user):
    url = reverse("conferences:directive_pdf", args=[issued.pk])
    client.force_login(director)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"%PDF-" in response.content[:10]
    for user in (other_director, foreign_department_user):
        client.force_login(user)
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_draft_is_only_the_departments(client, department_user, director, inspector):
    draft = directive_save(directive=Directive(doc_type="ke_hoach", subject="Dự thảo", body="...",
                                               signer_name="A"), user=department_user)
    url = reverse("conferences:directive_pdf", args=[draft.pk])
    for user in (director, inspector):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(department_user)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_minutes_are_for_the_department_and_its_inspectors(client, department_user, inspector, director,
                                                               foreign_inspector, province):
    conference = Conference.objects.create(province=province, title="Hội nghị giao ban", kind="briefing",
                                           host_unit="Sở GDĐT")
    url = reverse("conferences:conference_minutes_pdf", args=[conference.pk])
    for user, status in ((department_user, 200), (inspector, 200), (director, 403), (foreign_inspector, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.logout()
    assert client.get(url).status_code == 302
