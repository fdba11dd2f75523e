"""Directives as a records clerk would sign them (issue 11): each type laid out as Nghị định
30/2020 Appendix III shows it, the official text ending with its closing formula "./."
followed only by "Nơi nhận" and the signature, the portal's task tracking only in an
optional phụ lục, a quyết định with its authority, bases and articles, and recipient
lines with exactly one trailing mark each, whatever was typed.

Set DIRECTIVE_PDF_DIR to a folder to keep the rendered PDFs (to look at them as pages).
"""

import datetime
import os
import re
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Division
from conferences.models import Directive, Task
from conferences.pdf import directive_context
from conferences.services import (
    CenterSelection,
    directive_correct,
    directive_issue,
    directive_save,
    task_assign,
    task_save,
)
from conferences.services.directives import directive_articles_save
from edu_portal.pdf import render_pdf
from tests.documents.pdftools import (
    A4,
    MARGINS_MM,
    MM,
    assert_in_order,
    assert_state_format,
    flat,
    info,
    lines,
    page_number_at_top,
    text,
    words,
)
from tests.factories import CenterFactory, CommuneFactory, ProvinceFactory, make_user

pytestmark = pytest.mark.django_db

CENTER_NAMES = [f"Trung tâm Ngoại ngữ Ánh Dương {n}" for n in range(1, 7)]
SIGNATURE = ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Bình"]


@pytest.fixture(scope="module")
def documents(module_db):
    """One directive of each type, issued on 05/03/2026 from typed input with doubled and
    missing punctuation, rendered once (the plan also with its phụ lục)."""
    with module_db(), time_machine.travel(datetime.datetime(2026, 3, 5, 9, 0), tick=False):
        province = ProvinceFactory(code="24", name="Bắc Ninh")
        commune = CommuneFactory(code="09187", name="Phường Kinh Bắc", parent=province)
        staff = make_user("department", province=province, username="documents_sogd")
        for name in CENTER_NAMES:
            CenterFactory(province=province, commune=commune, name=name, kind="language")
        gdtx = Division.objects.create(province=province, name="Phòng Giáo dục thường xuyên", code="GDTX")
        signer = {"signing_prefix": "KT.", "signer_position": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Hữu Bình"}

        def tasks(directive, count, *, group=""):
            for n in range(count):
                task = task_save(task=Task(
                    directive=directive, group=group, text=f"Rà soát hồ sơ giáo viên người nước ngoài, đợt {n + 1}.",
                    lead_unit="Các trung tâm ngoại ngữ, tin học", coordinating_units="UBND các xã, phường",
                    deadline=datetime.date(2026, 4, 30),
                ), user=staff)
                task_assign(task=task, user=staff, communes=[commune], selection=CenterSelection(kinds=["language"]))

        letter = directive_save(directive=Directive(
            doc_type="cong_van", drafting_division=gdtx, subject="V/v rà soát giáo viên người nước ngoài",
            body="Thực hiện kết luận của Phó Giám đốc Sở tại Hội nghị ngày 26/10/2022, Sở GDĐT đề nghị:",
            closing="Đề nghị các đơn vị triển khai thực hiện.",
            addressees="UBND các xã, phường;;\n- Các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh..",
            recipients="- Như trên;;\nGiám đốc, các Phó Giám đốc Sở (để b/c),\nLưu: VT, GDTX..", **signer,
        ), user=staff)
        tasks(letter, 2)
        letter = directive_issue(directive=letter, user=staff)

        single = directive_issue(directive=directive_save(directive=Directive(
            doc_type="cong_van", drafting_division=gdtx, subject="V/v báo cáo số liệu trung tâm",
            body="Sở GDĐT gửi số liệu các trung tâm ngoại ngữ, tin học năm 2025 (kèm theo).",
            addressees="Sở Tài chính tỉnh Bắc Ninh.", recipients="Như trên\nLưu: VT, GDTX", **signer,
        ), user=staff), user=staff)

        plan = directive_save(directive=Directive(
            doc_type="ke_hoach", drafting_division=gdtx, subject="Kiểm tra các trung tâm ngoại ngữ, tin học năm 2026",
            body="I. MỤC ĐÍCH, YÊU CẦU\nNắm tình hình hoạt động của các trung tâm.\nII. NHIỆM VỤ",
            closing="III. TỔ CHỨC THỰC HIỆN\nPhòng Giáo dục thường xuyên chủ trì, theo dõi, tổng hợp kết quả",
            recipients="UBND các xã, phường;\nCác trung tâm ngoại ngữ, tin học;\nLưu: VT, GDTX.", **signer,
        ), user=staff)
        tasks(plan, 3, group="Kiểm tra hồ sơ")
        plan = directive_issue(directive=plan, user=staff)

        notice = directive_save(directive=Directive(
            doc_type="thong_bao_ket_luan", subject="Kết luận của Phó Giám đốc Sở tại Hội nghị giao ban",
            # Typed as before the closing part had its own field: the last paragraph ends with ./.
            body="Ngày 05/3/2026, Sở GDĐT tổ chức Hội nghị giao ban. Phó Giám đốc Sở kết luận:\n"
                 "Sở GDĐT thông báo để các đơn vị biết, thực hiện./.",
            recipients="Các phòng thuộc Sở;\nLưu: VT.", **signer,
        ), user=staff)
        tasks(notice, 2)
        notice = directive_issue(directive=notice, user=staff)

        decision = directive_save(directive=Directive(
            doc_type="quyet_dinh", subject="Về việc thành lập Đoàn kiểm tra các trung tâm ngoại ngữ, tin học",
            legal_bases="Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019.\n"
                        "- Căn cứ Nghị định số 125/2024/NĐ-CP ngày 05 tháng 10 năm 2024 của Chính phủ quy định về "
                        "điều kiện đầu tư và hoạt động trong lĩnh vực giáo dục;;",
            proposal="Theo đề nghị của Trưởng phòng Giáo dục thường xuyên.",
            executors="Chánh Văn phòng Sở, Trưởng phòng Giáo dục thường xuyên, các thành viên Đoàn kiểm tra và "
                      "Giám đốc các trung tâm có tên tại Điều 1",
            recipients="Như Điều 3;\nLưu: VT, GDTX.", **signer,
        ), user=staff)
        directive_articles_save(directive=decision, user=staff, texts=[
            "Điều 1. Thành lập Đoàn kiểm tra các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh, gồm:\n"
            "1. Ông Trần Văn Minh, Trưởng phòng Giáo dục thường xuyên, Trưởng đoàn;\n"
            "2. Bà Lê Thị Hoa, chuyên viên Phòng Giáo dục thường xuyên, thành viên.",
            "Quyết định này có hiệu lực kể từ ngày ký.",
        ])
        tasks(decision, 1)
        decision = directive_issue(directive=decision, user=staff)

        rendered = {
            "letter": render_pdf("pdf/directive.html", directive_context(letter)),
            "single": render_pdf("pdf/directive.html", directive_context(single)),
            "plan": render_pdf("pdf/directive.html", directive_context(plan)),
            "plan_appendix": render_pdf("pdf/directive.html", directive_context(plan, appendix=True)),
            "notice": render_pdf("pdf/directive.html", directive_context(notice)),
            "decision": render_pdf("pdf/directive.html", directive_context(decision)),
            "decision_appendix": render_pdf("pdf/directive.html", directive_context(decision, appendix=True)),
        }
        folder = os.environ.get("DIRECTIVE_PDF_DIR")
        if folder:
            for name, data in rendered.items():
                Path(folder, f"{name}.pdf").write_bytes(data)
        return rendered


def _after_closing(data: bytes) -> list[str]:
    """The lines of the text after the one ending with the closing formula, page numbers
    (a line that is only the page's number) left out."""
    found = []
    closed = False
    for page in range(1, int(info(data)["Pages"]) + 1):
        for line in text(data, first=page, last=page).splitlines():
            line = " ".join(line.split())
            if not line:
                continue
            if closed and not re.fullmatch(r"\d+", line):
                found.append(line)
            if line.endswith("./."):
                closed, found = True, []
    assert closed, "no closing formula ./."
    return found


def _recipients(*lines_: str) -> list[str]:
    return ["Nơi nhận:", *lines_]


@pytest.mark.parametrize("name", ["letter", "single", "plan", "plan_appendix", "notice", "decision",
                                  "decision_appendix"])
def test_each_directive_is_in_the_state_format(documents, name):
    assert_state_format(documents[name])


# Nothing after the closing formula but "Nơi nhận" and the signature

@pytest.mark.parametrize(("name", "recipients"), [
    ("letter", ["- Như trên;", "- Giám đốc, các Phó Giám đốc Sở (để b/c);", "- Lưu: VT, GDTX."]),
    ("single", ["- Như trên;", "- Lưu: VT, GDTX."]),
    ("plan", ["- UBND các xã, phường;", "- Các trung tâm ngoại ngữ, tin học;", "- Lưu: VT, GDTX."]),
    ("notice", ["- Các phòng thuộc Sở;", "- Lưu: VT."]),
    ("decision", ["- Như Điều 3;", "- Lưu: VT, GDTX."]),
])
def test_after_the_closing_formula_come_only_the_recipients_and_the_signature(documents, name, recipients):
    after = _after_closing(documents[name])
    assert sorted(after) == sorted(_recipients(*recipients) + SIGNATURE), after
    # The recipients in the order typed, "Nơi nhận:" first.
    left = [line for line in after if line not in SIGNATURE]
    assert left == _recipients(*recipients)


@pytest.mark.parametrize("name", ["letter", "plan", "notice", "decision"])
def test_who_was_given_which_task_is_never_printed_in_the_document(documents, name):
    whole = flat(documents[name])
    assert "Giao:" not in whole
    for center in CENTER_NAMES:
        assert center not in whole
    assert "trung tâm (" not in whole  # "6 trung tâm (Tất cả trung tâm ngoại ngữ ...)"


def test_the_letter_reads_in_the_order_of_its_sample(documents):
    assert_in_order(documents["letter"], [
        "UBND TỈNH BẮC NINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 01/SGDĐT-GDTX", "V/v rà soát giáo viên người nước ngoài",
        "Kính gửi:", "- UBND các xã, phường;",
        "- Các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh.", "Thực hiện kết luận của Phó Giám đốc Sở",
        "1. Rà soát hồ sơ giáo viên người nước ngoài, đợt 1.", "Đơn vị chủ trì: Các trung tâm ngoại ngữ, tin học; "
        "đơn vị phối hợp: UBND các xã, phường; thời hạn hoàn thành: 30/04/2026.", "2. Rà soát hồ sơ",
        "Đề nghị các đơn vị triển khai thực hiện./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT, GDTX.",
    ])


def test_the_plan_prints_its_tasks_between_its_body_and_its_closing_part(documents):
    assert_in_order(documents["plan"], [
        "KẾ HOẠCH", "Kiểm tra các trung tâm ngoại ngữ, tin học năm 2026", "I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ",
        "Kiểm tra hồ sơ", "1. Rà soát hồ sơ", "2. Rà soát hồ sơ", "3. Rà soát hồ sơ", "III. TỔ CHỨC THỰC HIỆN",
        "Phòng Giáo dục thường xuyên chủ trì, theo dõi, tổng hợp kết quả./.",
    ])
    assert "Kính gửi" not in flat(documents["plan"])  # a named type has "Nơi nhận" only


def test_a_notice_typed_with_its_closing_sentence_in_the_body_ends_with_it_after_the_tasks(documents):
    assert_in_order(documents["notice"], [
        "Số: 01/TB-SGDĐT", "THÔNG BÁO", "Kết luận của Phó Giám đốc Sở tại Hội nghị giao ban",
        "Phó Giám đốc Sở kết luận:", "1. Rà soát hồ sơ", "2. Rà soát hồ sơ", "thời hạn hoàn thành: 30/04/2026.",
        "Sở GDĐT thông báo để các đơn vị biết, thực hiện./.", "Nơi nhận:",
    ])
    assert flat(documents["notice"]).count("./.") == 1


# A quyết định in the form of sample 1.2

def test_a_decision_has_its_authority_bases_and_articles_in_order(documents):
    data = documents["decision"]
    assert_in_order(data, [
        "Số: 01/QĐ-SGDĐT", "Bắc Ninh, ngày 05 tháng 3 năm 2026", "QUYẾT ĐỊNH",
        "Về việc thành lập Đoàn kiểm tra các trung tâm ngoại ngữ, tin học",
        "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;",
        "Căn cứ Nghị định số 125/2024/NĐ-CP ngày 05 tháng 10 năm 2024 của Chính phủ quy định về điều kiện đầu tư "
        "và hoạt động trong lĩnh vực giáo dục;",
        "Theo đề nghị của Trưởng phòng Giáo dục thường xuyên.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Thành lập Đoàn kiểm tra các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh, gồm:",
        "1. Ông Trần Văn Minh, Trưởng phòng Giáo dục thường xuyên, Trưởng đoàn;",
        "2. Bà Lê Thị Hoa",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3. Chánh Văn phòng Sở, Trưởng phòng Giáo dục thường xuyên, các thành viên Đoàn kiểm tra và Giám đốc "
        "các trung tâm có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
        "Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, GDTX.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Bình",
    ])
    whole = flat(data)
    assert "Điều 1. Điều 1." not in whole and "Theo đề nghị của Theo đề nghị" not in whole
    assert "Rà soát hồ sơ" not in whole  # its tasks are followed on the portal, not printed in its articles


def _centre_offset(data: bytes, first_word: str, last_word: str) -> float:
    """How far the line from `first_word` to `last_word` (page 1; the first line holding
    both) is from the text block's centre."""
    page = words(data, 1)
    start, end = next((a, b) for a in page for b in page
                      if a.text == first_word and b.text == last_word and abs(a.y_min - b.y_min) < 1)
    left, right = MARGINS_MM[3] * MM, A4[0] - MARGINS_MM[1] * MM
    return (start.x_min + end.x_max) / 2 - (left + right) / 2


def test_the_decides_line_and_the_authority_are_centred(documents):
    data = documents["decision"]
    assert abs(_centre_offset(data, "QUYẾT", "ĐỊNH:")) < 2
    assert abs(_centre_offset(data, "GIÁM", "TẠO")) < 2  # the authority line, not the header's


# "Kính gửi" and "Nơi nhận": one mark each, added by the template

def test_kinh_gui_lines_have_one_trailing_mark_and_dashes_under_the_colon(documents):
    data = documents["letter"]
    laid_out = lines(data, first=1, last=1)
    assert "Kính gửi:" in laid_out
    assert "- UBND các xã, phường;" in laid_out
    assert "- Các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh." in laid_out
    whole = flat(data)
    for doubled in (";;", "..", ";.", ".;", ",;", ",."):
        assert doubled not in whole.replace("./.", ""), doubled
    page = words(data, 1)
    label = next(w for w in page if w.text in ("gửi:", "gửi"))
    colon_x = label.x_max - (0 if label.text == "gửi" else 3.6)  # the colon closes "gửi:"
    dashes = [w for w in page if w.text == "-" and w.y_min > label.y_min and w.y_min < label.y_min + 40]
    assert len(dashes) == 2
    for dash in dashes:
        assert abs(dash.x_min - colon_x) < 1.5, (dash, label)
    # Not centred: "Kính" starts at the block's fixed indent, 25 mm into the text block.
    kinh = next(w for w in page if w.text == "Kính")
    assert abs(kinh.x_min - (MARGINS_MM[3] + 25) * MM) < 1.5, kinh


def test_one_addressee_stands_on_the_label_line(documents):
    laid_out = lines(documents["single"], first=1, last=1)
    # Appendix I, V.8.a: "Kính gửi: Bộ Nội vụ", on one line, without a mark after it.
    assert "Kính gửi: Sở Tài chính tỉnh Bắc Ninh" in laid_out


@pytest.mark.parametrize("name", ["letter", "single", "plan", "notice", "decision"])
def test_each_recipient_line_ends_with_one_mark(documents, name):
    after = _after_closing(documents[name])
    recipients = [line for line in after if line.startswith("- ")]
    assert recipients
    for line in recipients[:-1]:
        assert line.endswith(";") and not line[:-1].rstrip().endswith((";", ".", ",")), line
    assert recipients[-1].startswith("- Lưu:") and recipients[-1].endswith(".")
    assert not recipients[-1][:-1].rstrip().endswith((";", ".", ",")), recipients[-1]


def test_recipient_lines_are_stored_bare(documents):
    directive = Directive(doc_type="cong_van", addressees="UBND các xã, phường;;\n- Các trung tâm..\n\n",
                          recipients="- Như trên;;\nLưu: VT, GDTX..", legal_bases="Căn cứ Luật Giáo dục;\n",
                          proposal="Xét đề nghị của Trưởng phòng GDTX.")
    directive.clean()
    assert directive.addressees == "UBND các xã, phường\nCác trung tâm"
    assert directive.recipients == "Như trên\nLưu: VT, GDTX"
    assert directive.legal_bases == "Căn cứ Luật Giáo dục"
    assert directive.proposal == "Trưởng phòng GDTX"


# The tracking phụ lục, on request

def test_the_appendix_follows_the_signature_on_pages_of_its_own(documents):
    data = documents["plan_appendix"]
    plain_pages = int(info(documents["plan"])["Pages"])
    pages = int(info(data)["Pages"])
    assert pages > plain_pages
    first_appendix = plain_pages + 1
    head = [line for line in lines(data, first=first_appendix, last=first_appendix)][:4]
    assert head[0] == "Phụ lục"
    assert head[1] == "DANH SÁCH ĐƠN VỊ ĐƯỢC GIAO THỰC HIỆN NHIỆM VỤ"
    assert " ".join(head[2:4]).startswith(
        "(Kèm theo Kế hoạch số 01/KH-SGDĐT ngày 05 tháng 3 năm 2026 của Sở Giáo dục và Đào tạo)")
    appendix = flat(data, first=first_appendix)
    for center in CENTER_NAMES:
        assert center in appendix
    assert "Phường Kinh Bắc" in appendix
    # Its pages are numbered on their own: none on its first page, "2" on the next.
    assert page_number_at_top(data, first_appendix) is None
    if pages > first_appendix:
        assert page_number_at_top(data, first_appendix + 1) == "2"
    # The document itself points to it, and still ends before it with ./. and the signature.
    body = flat(data, last=plain_pages)
    assert "Danh sách đơn vị được giao thực hiện từng nhiệm vụ tại Phụ lục kèm theo." in body
    after = body.rsplit("./.", 1)[1].split()
    expected = " ".join(["Nơi nhận:", "- UBND các xã, phường;", "- Các trung tâm ngoại ngữ, tin học;",
                         "- Lưu: VT, GDTX.", *SIGNATURE]).split()
    assert sorted(after) == sorted(expected)
    assert "Phụ lục" not in flat(documents["plan"])


def test_a_decisions_appendix_pointer_stays_before_its_executing_article(documents):
    data = documents["decision_appendix"]
    assert_in_order(data, ["Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
                           "Danh sách đơn vị được giao thực hiện từng nhiệm vụ tại Phụ lục kèm theo.",
                           "Điều 3. Chánh Văn phòng Sở", "thi hành Quyết định này./.", "Nơi nhận:", "Phụ lục",
                           "(Kèm theo Quyết định số 01/QĐ-SGDĐT ngày 05 tháng 3 năm 2026"])


def test_the_appendix_is_asked_for_on_the_link_and_only_by_who_sees_every_task(client, department_user, director,
                                                                                issued_directive, center):
    url = reverse("conferences:directive_pdf", args=[issued_directive.pk])
    client.force_login(department_user)
    plain = client.get(url)
    with_appendix = client.get(url, {"phu_luc": "1"})
    assert plain.status_code == with_appendix.status_code == 200
    page = client.get(issued_directive.get_absolute_url()).content.decode()
    assert f"{url}?phu_luc=1" in page
    assert "Phụ lục" not in flat(plain.content)
    assert "Phụ lục" in flat(with_appendix.content) and center.name in flat(with_appendix.content)
    client.force_login(director)
    assert client.get(url).status_code == 200
    assert client.get(url, {"phu_luc": "1"}).status_code == 403
    assert "phu_luc" not in client.get(issued_directive.get_absolute_url()).content.decode()


# Drafting a quyết định in its structured form

def _decision_post(**overrides):
    data = {
        "doc_type": "quyet_dinh", "subject": "Về việc thành lập Đoàn kiểm tra", "authority": "",
        "legal_bases": "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;\nCăn cứ Quyết định số 12/QĐ-UBND",
        "proposal": "Trưởng phòng Giáo dục thường xuyên", "executors": "Chánh Văn phòng Sở, các thành viên Đoàn",
        "recipients": "Như Điều 3\nLưu: VT, GDTX", "signing_prefix": "KT.", "signing_authority": "GIÁM ĐỐC",
        "signer_position": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Hữu Bình",
        "articles-TOTAL_FORMS": "3", "articles-INITIAL_FORMS": "0", "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
        "articles-0-text": "Điều 1. Thành lập Đoàn kiểm tra.", "articles-1-text": "",
        "articles-2-text": "Quyết định này có hiệu lực kể từ ngày ký.",
    }
    data.update(overrides)
    return data


def test_staff_draft_a_decision_in_its_structured_form(client, department_user):
    client.force_login(department_user)
    response = client.post(reverse("conferences:directive_create"), _decision_post())
    assert response.status_code == 302, response.context["form"].errors
    decision = Directive.objects.get()
    assert decision.authority == "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO"  # the head of the Department decides
    assert decision.legal_bases == "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019\nCăn cứ Quyết định số 12/QĐ-UBND"
    assert [a.text for a in decision.articles.all()] == ["Thành lập Đoàn kiểm tra.",
                                                         "Quyết định này có hiệu lực kể từ ngày ký."]
    assert "doan kiem tra" in decision.search_text
    page = client.get(reverse("conferences:directive_update", args=[decision.pk])).content.decode()
    assert "Thành lập Đoàn kiểm tra." in page and 'id="decision-parts"' in page
    detail = client.get(decision.get_absolute_url()).content.decode()
    assert "QUYẾT ĐỊNH:" in detail and "chịu trách nhiệm thi hành Quyết định này." in detail


def test_a_decision_keeps_to_its_form(client, department_user):
    client.force_login(department_user)
    url = reverse("conferences:directive_create")
    response = client.post(url, _decision_post(body="Nội dung gõ liền như công văn",
                                               legal_bases="Luật Giáo dục 2019"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "chuyển nội dung vào các điều" in " ".join(errors["body"])
    assert "bắt đầu bằng «Căn cứ»" in " ".join(errors["legal_bases"])
    response = client.post(url, {**_decision_post(), "doc_type": "ke_hoach", "body": "Nội dung kế hoạch.",
                                 "addressees": "Các trung tâm"})
    assert "không có phần «Kính gửi»" in " ".join(response.context["form"].errors["addressees"])
    assert not Directive.objects.exists()


def test_a_decision_without_its_parts_is_not_issued(department_user):
    decision = directive_save(directive=Directive(doc_type="quyet_dinh", subject="Về việc kiểm tra",
                                                  signer_name="Nguyễn Hữu Bình"), user=department_user)
    with pytest.raises(ValidationError, match="còn thiếu căn cứ ban hành, các điều, đơn vị, cá nhân thi hành"):
        directive_issue(directive=decision, user=department_user)
    decision.refresh_from_db()
    assert decision.number is None


def test_a_correction_of_a_decision_copies_its_structure(department_user):
    decision = directive_save(directive=Directive(
        doc_type="quyet_dinh", subject="Về việc kiểm tra", signer_name="Nguyễn Hữu Bình",
        legal_bases="Căn cứ Luật Giáo dục", proposal="Chánh Thanh tra", executors="Chánh Văn phòng Sở",
    ), user=department_user)
    directive_articles_save(directive=decision, texts=["Kiểm tra các trung tâm."], user=department_user)
    decision = directive_issue(directive=decision, user=department_user)
    copy = directive_correct(directive=decision, user=department_user)
    assert (copy.legal_bases, copy.proposal, copy.executors) == ("Căn cứ Luật Giáo dục", "Chánh Thanh tra",
                                                                "Chánh Văn phòng Sở")
    assert [a.text for a in copy.articles.all()] == ["Kiểm tra các trung tâm."]
