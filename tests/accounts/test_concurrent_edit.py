"""Two staff editing the same account in the admin: the second save is refused in the
admin's own form (409) with what changed, nothing reverted (edu_portal.concurrency). Users
have no updated_at: the values of the form's fields are the version."""

import pytest
from django.urls import reverse

from accounts.models import User
from edu_portal.concurrency import VERSION_FIELD
from tests.admin_forms import admin_form_data
from tests.edit_versions import CONFLICT, colleagues

pytestmark = pytest.mark.django_db


def test_the_second_of_two_concurrent_account_saves_is_refused(department_user, inspector):
    first, second = colleagues(department_user)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    assert second_data[VERSION_FIELD]

    first_data["phone"] = "0912 345 678"
    assert first.post(url, first_data).status_code == 302

    second_data["full_name"] = "Thanh tra Nguyễn Văn Hải"
    response = second.post(url, second_data)
    assert response.status_code == 409
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert CONFLICT in errors and "0912 345 678" in errors
    inspector.refresh_from_db()
    assert inspector.phone == "0912 345 678"
    assert inspector.full_name != "Thanh tra Nguyễn Văn Hải"

    again = admin_form_data(second.get(url))
    again["full_name"] = "Thanh tra Nguyễn Văn Hải"
    assert second.post(url, again).status_code == 302
    inspector.refresh_from_db()
    assert (inspector.phone, inspector.full_name) == ("0912 345 678", "Thanh tra Nguyễn Văn Hải")


def test_a_deactivation_is_not_undone_by_a_page_opened_before_it(department_user, inspector):
    first, second = colleagues(department_user)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    first_data.pop("is_active")  # an unticked box is not sent
    assert first.post(url, first_data).status_code == 302
    second_data["phone"] = "0987 654 321"
    assert second.post(url, second_data).status_code == 409
    assert User.objects.get(pk=inspector.pk).is_active is False


def test_a_forged_account_post_without_the_version_is_refused(client, department_user, inspector):
    client.force_login(department_user)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    data = admin_form_data(client.get(url))
    del data[VERSION_FIELD]
    data["full_name"] = "Sửa giả mạo"
    assert client.post(url, data).status_code == 409
    assert User.objects.get(pk=inspector.pk).full_name != "Sửa giả mạo"
