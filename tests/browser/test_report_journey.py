"""A report's round trip in a real browser: the director fills in a report, attaches a
file, submits it and reads the receipt; department staff find it in the review queue and
return it with a reason; the director sees the notice in the bell and opens it."""

import pytest
from playwright.sync_api import expect

from .helpers import PDF_BYTES

pytestmark = pytest.mark.browser


def _open_obligation(site, width):
    """A one-off request opened for this test, due in 20 days, with nothing submitted
    yet. Each width gets its own period (a period is one per window of its type), so the
    journey at 1366 px does not find the report submitted at 360 px."""
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from reports.demo import one_off_type
    from reports.models import Obligation
    from reports.services import obligations_generate, period_create

    today = timezone.localdate()
    with site.orm():
        center = User.objects.get(username="giamdoc").center
        data_to = today - datetime.timedelta(days=width % 100)  # 60 or 66 days back
        period, _created = period_create(
            report_type=one_off_type(center.province), label=f"Đợt kiểm tra giao diện {width} px",
            data_from=data_to - datetime.timedelta(days=30), data_to=data_to,
            due_date=today + datetime.timedelta(days=20),
        )
        obligations_generate(period=period)
        obligation = Obligation.objects.select_related("period__report_type").get(
            period=period, center=center, status="open", versions__isnull=True)
        return obligation.pk, center.code, obligation.period.report_type.title


def test_director_submits_a_report_staff_return_it_and_the_director_sees_the_notice(site, people, width):
    pk, center_code, title = _open_obligation(site, width)
    director = people("giamdoc")
    page = director.page
    # The director's home is the to-do list; the report is one of its rows.
    assert director.path() == "/reports/"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    with director.navigates():
        page.locator(f'main a[href="/reports/{pk}/"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # Every figure the form asks for; the draft saves itself while typing.
    form = page.locator(f'form[action="/reports/{pk}/submit/"]')
    inputs = form.locator("input:visible:not([type=hidden]), textarea:visible")
    for index in range(inputs.count()):
        inputs.nth(index).fill("2" if index % 2 else "3")
    inputs.first.focus()  # leaving the last field saves at once
    expect(page.locator("#draft-status")).not_to_be_empty()

    # The attachment, then back on the same page with the figures still there.
    page.locator('input[type="file"]').set_input_files(
        {"name": "bao-cao-kem-theo.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    with director.navigates():
        page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="bao-cao-kem-theo.pdf")).to_be_visible()
    expect(form.locator("input:visible:not([type=hidden])").first).to_have_value("3")

    with director.navigates():
        form.get_by_role("button", name="Nộp báo cáo").click()
    # The receipt: what was sent, with the file and its hash.
    expect(page.get_by_role("heading", name="BIÊN NHẬN NỘP BÁO CÁO")).to_be_visible()
    expect(page.get_by_role("cell", name="bao-cao-kem-theo.pdf")).to_be_visible()
    expect(page.get_by_text("Nội dung lưu trên hệ thống khớp với mã băm.")).to_be_visible()
    expect(page.get_by_text(center_code, exact=False).first).to_be_visible()

    # Staff: the review queue from the menu, the center found by its code.
    staff = people("sogd")
    staff.menu("Báo cáo", "Duyệt báo cáo")
    search = staff.page.get_by_label("Tìm trung tâm")
    search.fill(center_code)
    with staff.navigates():
        search.press("Enter")
    with staff.navigates():
        staff.page.locator(f'main a[href="/reports/review/{pk}/"]').first.click()
    expect(staff.page.get_by_role("link", name="bao-cao-kem-theo.pdf")).to_be_visible()
    reason = "Số giáo viên người nước ngoài chưa khớp hồ sơ; đề nghị kiểm tra lại."
    staff.page.get_by_label("Lý do trả lại (chung)").fill(reason)
    with staff.navigates():
        staff.page.get_by_role("button", name="Trả lại để sửa").click()
    # Back on the queue, which says so; the report has left it.
    expect(staff.page.get_by_role("alert").filter(has_text="Đã trả lại báo cáo")).to_be_visible()
    expect(staff.page.locator(f'main a[href="/reports/review/{pk}/"]')).to_have_count(0)

    # Back on the to-do list, the director's bell: one tap from any page, phone or not.
    director.open("/reports/")
    with site.orm():
        from notifications.models import Notification

        unread = Notification.objects.filter(recipient__username="giamdoc", read_at__isnull=True).count()
    bell = page.get_by_role("link", name="Thông báo")
    expect(bell).to_be_visible()
    expect(bell).to_contain_text(str(unread))
    with director.navigates():
        bell.click()
    notice = page.get_by_role("button", name="[Trả lại báo cáo]").filter(has_text=title).first
    expect(notice).to_be_visible()
    with director.navigates():
        notice.click()
    assert director.path() == f"/reports/{pk}/"
    expect(page.get_by_role("alert").filter(has_text=reason)).to_be_visible()
    expect(page.get_by_role("button", name="Nộp lại báo cáo")).to_be_visible()
    people.done()
