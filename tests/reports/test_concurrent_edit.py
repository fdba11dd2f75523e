"""Two staff editing the same report type in the admin: the second save is refused in the
admin's own form (409) with what changed, nothing reverted (edu_portal.concurrency)."""

import pytest
from django.urls import reverse

from edu_portal.concurrency import VERSION_FIELD
from reports.models import ReportType
from tests.admin_forms import admin_form_data
from tests.edit_versions import CONFLICT, colleagues
from tests.reports.helpers_review import make_report_type

pytestmark = pytest.mark.django_db


def test_the_second_of_two_concurrent_report_type_saves_is_refused(department_user, province):
    report_type = make_report_type(province, title="Báo cáo 6 tháng Bắc Ninh")
    first, second = colleagues(department_user)
    url = reverse("admin:reports_reporttype_change", args=[report_type.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))

    first_data["center_kinds"] = ["language", "it"]
    assert first.post(url, first_data).status_code == 302

    second_data["title"] = "Báo cáo sáu tháng"
    response = second.post(url, second_data)
    assert response.status_code == 409
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert CONFLICT in errors
    # The changed list is named by its label, its values by their choice labels.
    assert "loại hình trung tâm phải báo cáo" in errors.lower() and "Trung tâm tin học" in errors
    report_type.refresh_from_db()
    assert report_type.title == "Báo cáo 6 tháng Bắc Ninh"
    assert sorted(report_type.center_kinds) == ["it", "language"]

    again = admin_form_data(second.get(url))
    again["title"] = "Báo cáo sáu tháng"
    assert second.post(url, again).status_code == 302
    report_type.refresh_from_db()
    assert report_type.title == "Báo cáo sáu tháng" and sorted(report_type.center_kinds) == ["it", "language"]


def test_a_changed_field_row_makes_an_open_report_type_page_stale(department_user, province):
    report_type = make_report_type(province, title="Báo cáo 6 tháng Bắc Ninh")
    first, second = colleagues(department_user)
    url = reverse("admin:reports_reporttype_change", args=[report_type.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    first_data["fields-0-label"] = "Số học viên đang theo học"
    assert first.post(url, first_data).status_code == 302
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert report_type.fields.order_by("order").first().label == "Số học viên đang theo học"


def test_a_forged_report_type_post_without_the_version_is_refused(client, department_user, province):
    report_type = make_report_type(province, title="Báo cáo 6 tháng Bắc Ninh")
    client.force_login(department_user)
    url = reverse("admin:reports_reporttype_change", args=[report_type.pk])
    data = admin_form_data(client.get(url))
    del data[VERSION_FIELD]
    data["title"] = "Sửa giả mạo"
    assert client.post(url, data).status_code == 409
    assert ReportType.objects.get(pk=report_type.pk).title == "Báo cáo 6 tháng Bắc Ninh"
