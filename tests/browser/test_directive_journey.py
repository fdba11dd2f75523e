"""A directive from draft to progress in a real browser: department staff draft a công
văn, add a task, give it to a selection of centers (the language centers of one ward:
choosing the kind and the ward is enough), issue it; the director of one of those centers
finds the task and reports it done with a piece of evidence."""

import datetime

import pytest
from playwright.sync_api import expect

from .helpers import PDF_BYTES

pytestmark = pytest.mark.browser

WARD = "Phường Kinh Bắc"
KIND = "Trung tâm ngoại ngữ"


def test_staff_issue_a_directive_to_a_kind_in_a_ward_and_the_director_reports_progress(site, people, width):
    from django.utils import timezone

    today = timezone.localdate()
    subject = f"V/v rà soát giáo viên người nước ngoài tại các trung tâm ngoại ngữ ({width} px)"
    staff = people("sogd")
    page = staff.page
    staff.menu("Chỉ đạo, điều hành", "Văn bản chỉ đạo")
    with staff.navigates():
        page.get_by_role("link", name="Soạn văn bản").click()
    page.get_by_label("Loại văn bản").select_option(label="Công văn")
    page.get_by_label("Đơn vị soạn thảo").select_option(label="Phòng Giáo dục thường xuyên")
    page.get_by_label("Trích yếu").fill(subject)
    page.get_by_label("Kính gửi").fill("Các trung tâm ngoại ngữ trên địa bàn phường Kinh Bắc")
    page.get_by_label("Nội dung", exact=True).fill("Sở GDĐT đề nghị các trung tâm rà soát hồ sơ giáo viên.")
    page.get_by_label("Nơi nhận").fill("Như trên\nLưu: VT, GDTX")
    page.get_by_label("Chức danh người đứng đầu").fill("GIÁM ĐỐC")
    page.get_by_label("Họ tên người ký").fill("Lê Văn Hùng")
    with staff.navigates():
        page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)

    # A task, saved and then given to its assignees.
    with staff.navigates():
        page.get_by_role("link", name="Thêm nhiệm vụ").click()
    page.get_by_label("Nội dung nhiệm vụ").fill("Rà soát giấy phép lao động của giáo viên người nước ngoài; "
                                                "báo cáo kết quả về Sở.")
    page.get_by_label("Đơn vị chủ trì").fill("Các trung tâm ngoại ngữ")
    page.get_by_label("Thời hạn").fill((today + datetime.timedelta(days=30)).strftime("%d/%m/%Y"))
    with staff.navigates():
        page.get_by_role("button", name="Lưu và giao đơn vị").click()

    # The language centers of one ward: the kind and the ward, and nothing else to tick.
    page.get_by_role("checkbox", name=KIND, exact=True).check()
    page.get_by_label("Trên địa bàn").select_option(label=WARD)
    with staff.navigates():
        page.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.get_by_role("alert").filter(has_text="Đã giao nhiệm vụ cho")).to_be_visible()
    with site.orm():
        from centers.models import Center
        from conferences.models import TaskAssignment
        from conferences.services.tasks import ACTIVE_STATUSES

        expected = set(Center.objects.filter(kind="language", commune__name=WARD, status__in=ACTIVE_STATUSES)
                       .values_list("name", flat=True))
        assignments = TaskAssignment.objects.filter(task__directive__subject=subject).select_related("center")
        assert {a.center.name for a in assignments} == expected
    assigned = page.locator(".assigned-list")
    for name in expected:
        expect(assigned).to_contain_text(name)

    with staff.navigates():
        page.get_by_role("link", name="Xong, về văn bản").click()
    with staff.navigates():
        page.get_by_role("link", name="Ban hành").first.click()
    issued_on = page.get_by_label("Ngày ban hành")
    if not issued_on.input_value():
        issued_on.fill(today.strftime("%d/%m/%Y"))
    with staff.navigates():
        page.get_by_role("button", name="Xác nhận ban hành").click()
    assert not staff.path().endswith("/issue/"), page.locator("main .alert, main .invalid-feedback").all_inner_texts()
    with site.orm():
        from conferences.models import Directive

        directive = Directive.objects.get(subject=subject)
    assert directive.is_issued
    expect(page.get_by_text(directive.number_text).first).to_be_visible()

    # The director: the new task in "Nhiệm vụ", reported done with evidence.
    with site.orm():
        from accounts.models import User

        center = User.objects.get(username="giamdoc").center
        assignment = assignments.get(center=center)  # the demo director's center is one of them
    director = people("giamdoc")
    director.menu("Nhiệm vụ")
    with director.navigates():
        director.page.locator(f'main a[href="/directives/assignments/{assignment.pk}/"]').first.click()
    expect(director.page.get_by_role("heading", level=1)).to_contain_text(center.name)
    director.page.get_by_label("Nội dung đã thực hiện").fill("Đã rà soát 4 giáo viên; cả 4 có giấy phép còn hạn.")
    director.page.get_by_label("Tệp minh chứng").set_input_files(
        {"name": "ra-soat-gvnn.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    director.page.get_by_label("Đã hoàn thành nhiệm vụ").check()
    with director.navigates():
        director.page.get_by_role("button", name="Gửi báo cáo").click()
    expect(director.page.get_by_text("Đã báo hoàn thành, chờ Sở xác nhận").first).to_be_visible()
    expect(director.page.get_by_role("link", name="ra-soat-gvnn.pdf")).to_be_visible()
    people.done()
