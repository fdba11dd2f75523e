"""The minutes of a conference and the summaries of a reporting period have the parts
their form requires (issue 11; Decree 30/2020 Appendix III, samples 1.9 and 1.4).

Minutes: the start and end times, the chair and the secretary, the closing line, both
signatures and "Nơi nhận"; nothing the portal tracked afterwards; a group's size said
once. Summaries: the body reported to after "Kính gửi"; a ward's summary signed for its
People's Committee ("TM. ỦY BAN NHÂN DÂN" above "CHỦ TỊCH")."""

import datetime

import pytest

from conferences.models import Conference, Directive, ParticipantGroup
from conferences.pdf import minutes_context
from conferences.services import directive_issue, directive_save
from edu_portal.pdf import render_pdf
from reports.pdf import SUMMARY_TEMPLATE, summary_context
from tests.documents import pdftools
from tests.factories import CenterFactory
from tests.reports.helpers_review import make_obligation, make_period, make_report_type

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def conference(province, department_user):
    conference = Conference.objects.create(
        province=province, kind="launch", held_on=D(2025, 9, 16), host_unit="Sở Giáo dục và Đào tạo",
        title="Hội nghị triển khai nhiệm vụ giáo dục thường xuyên năm học 2025-2026",
        chair_name="Nguyễn Hữu Bình", chair_position="Phó Giám đốc Sở GDĐT", speeches_count=7,
        conclusions="Giao các trung tâm rà soát hồ sơ giáo viên.\nCác phòng thuộc Sở theo dõi, đôn đốc./.",
    )
    ParticipantGroup.objects.create(conference=conference, unit="Cán bộ quản lý, giáo viên (hơn 600 người)",
                                    count=600)
    ParticipantGroup.objects.create(conference=conference, unit="Giám đốc các trung tâm", count=44)
    # A directive issued after the conference: part of the register, not of the minutes.
    directive_issue(directive=directive_save(directive=Directive(
        doc_type="thong_bao_ket_luan", conference=conference, subject="Kết luận của Phó Giám đốc Sở",
        body="Nội dung", signer_name="Nguyễn Hữu Bình", recipients="Lưu: VT",
    ), user=department_user), user=department_user)
    return conference


@pytest.fixture
def minutes(conference):
    return render_pdf("pdf/conference_minutes.html", minutes_context(conference))


def test_the_minutes_have_the_parts_of_sample_1_9_in_order(minutes):
    pdftools.assert_in_order(minutes, [
        "UBND TỈNH BẮC NINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "BIÊN BẢN",
        "Hội nghị triển khai nhiệm vụ giáo dục thường xuyên năm học 2025-2026",
        "Thời gian bắt đầu: …… giờ ……, ngày 16 tháng 9 năm 2025.", "Địa điểm:", "Thành phần tham dự:",
        "Chủ trì (chủ tọa): Nguyễn Hữu Bình, Phó Giám đốc Sở GDĐT.", "Thư ký (người ghi biên bản): ……",
        "Nội dung:", "III. KẾT LUẬN", "Các phòng thuộc Sở theo dõi, đôn đốc.",
        "Hội nghị kết thúc vào …… giờ ……, ngày 16 tháng 9 năm 2025./.",
        "THƯ KÝ", "CHỦ TỌA", "Nguyễn Hữu Bình", "Nơi nhận:", "- Các thành phần dự hội nghị;", "- Lưu: VT, Hồ sơ.",
    ])
    assert pdftools.number_of(minutes) == "/BB-SGDĐT"


def test_the_minutes_print_the_hours_and_the_secretary_the_record_holds(conference):
    conference.starts_at, conference.ends_at = datetime.time(8, 0), datetime.time(11, 30)
    conference.secretary_name, conference.secretary_position = "Lê Thu Hà", "chuyên viên Phòng GDTX"
    conference.save()
    minutes = render_pdf("pdf/conference_minutes.html", minutes_context(conference))
    pdftools.assert_in_order(minutes, [
        "Thời gian bắt đầu: 08 giờ 00, ngày 16 tháng 9 năm 2025.",
        "Thư ký (người ghi biên bản): Lê Thu Hà, chuyên viên Phòng GDTX.",
        "Hội nghị kết thúc vào 11 giờ 30, ngày 16 tháng 9 năm 2025./.",
        "THƯ KÝ", "CHỦ TỌA", "Lê Thu Hà", "Nguyễn Hữu Bình", "Nơi nhận:",
    ])


def test_a_conference_cannot_end_before_it_starts(conference):
    from django.core.exceptions import ValidationError

    conference.starts_at, conference.ends_at = datetime.time(14, 0), datetime.time(8, 0)
    with pytest.raises(ValidationError) as error:
        conference.full_clean()
    assert error.value.message_dict["ends_at"] == ["Giờ kết thúc phải sau giờ bắt đầu."]


def test_nothing_follows_the_minutes_closing_line_but_the_signatures_and_recipients(minutes):
    pdftools.assert_only_signature_after_closing(minutes, [
        "THƯ KÝ", "CHỦ TỌA", "Nguyễn Hữu Bình", "Nơi nhận:", "- Các thành phần dự hội nghị;", "- Lưu: VT, Hồ sơ.",
    ])
    text = pdftools.flat(minutes)
    assert "/TB-SGDĐT" not in text and "Văn bản chỉ đạo" not in text
    assert text.count("./.") == 1  # the conclusions' own "./." is not a second closing line


def test_a_groups_size_is_said_once(minutes):
    text = pdftools.flat(minutes)
    assert "(hơn 600 người) (600 người)" not in text
    assert "- Cán bộ quản lý, giáo viên (hơn 600 người);" in text
    assert "- Giám đốc các trung tâm (44 người)." in text


def test_the_minutes_have_no_place_date_line(minutes):
    assert "Bắc Ninh, ngày" not in pdftools.flat(minutes)


@pytest.fixture
def period(province, commune, other_commune):
    period = make_period(make_report_type(province), due_date=D(2026, 7, 20))
    for n, unit in enumerate((commune, other_commune)):
        make_obligation(period, CenterFactory(commune=unit, code=f"SU{n}", name=f"Trung tâm Ngoại ngữ Sao {n}"))
    return period


def test_a_wards_summary_is_addressed_to_the_department_and_signed_for_its_committee(period, local_officer):
    data = render_pdf(SUMMARY_TEMPLATE, summary_context(period, local_officer))
    pdftools.assert_in_order(data, [
        "ỦY BAN NHÂN DÂN", "PHƯỜNG KINH BẮC", "BÁO CÁO", "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Bắc Ninh",
        "Ủy ban nhân dân phường Kinh Bắc tổng hợp", "./.",
    ])
    pdftools.assert_only_signature_after_closing(data, [
        "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])
    lines = pdftools.lines(data)
    prefix = next(i for i, line in enumerate(lines) if line.endswith("TM. ỦY BAN NHÂN DÂN"))
    assert lines[prefix + 1].endswith("CHỦ TỊCH")


def test_the_departments_summary_is_addressed_to_the_provincial_committee(period, department_user):
    data = render_pdf(SUMMARY_TEMPLATE, summary_context(period, department_user))
    pdftools.assert_in_order(data, [
        "UBND TỈNH BẮC NINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "BÁO CÁO", "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh",
        "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh tổng hợp", "./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT.",
    ])
    pdftools.assert_only_signature_after_closing(data, ["Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC"])

