"""The optimistic concurrency mechanism itself (edu_portal.concurrency): how the version
travels, what counts as stale, where it is checked, and how the admins take it."""

import pytest
from django.db import transaction
from django.urls import reverse

from centers.forms import CenterForm, StaffForm
from edu_portal.admin import RolePermissionsMixin, site
from edu_portal.concurrency import VERSION_FIELD, EditVersionAdminMixin
from tests.admin_forms import form_data
from tests.edit_versions import colleagues, conflict_row, page_data
from tests.factories import StaffFactory


def test_every_admin_with_the_mixin_keeps_its_rights_from_the_role():
    """EditVersionAdminMixin is a ModelAdmin: put before ScopedAdminMixin it would bring
    Django's per-model permissions ahead of the role's."""
    admins = [admin for admin in site._registry.values() if isinstance(admin, EditVersionAdminMixin)]
    assert {type(admin).__name__ for admin in admins} >= {"CenterAdmin", "ReportTypeAdmin", "UserAdmin"}
    for admin in admins:
        for name in ("has_module_permission", "has_view_permission", "has_change_permission",
                     "has_add_permission", "has_delete_permission"):
            owner = next(klass for klass in type(admin).__mro__ if name in vars(klass))
            assert issubclass(owner, RolePermissionsMixin), (type(admin).__name__, name, owner)


def test_a_version_is_valid_for_its_own_model_and_row_only(center):
    staff = StaffFactory(center=center)
    center_token = form_data(CenterForm(instance=center))[VERSION_FIELD]
    staff_data = form_data(StaffForm(instance=staff))
    assert StaffForm(staff_data, instance=staff).is_valid()
    staff_data[VERSION_FIELD] = center_token
    form = StaffForm(staff_data, instance=staff)
    assert not form.is_valid() and form.edit_conflict.unknown_version


def test_an_unchanged_row_passes_and_a_changed_one_is_refused_by_value(center):
    data = form_data(CenterForm(instance=center))
    assert CenterForm(dict(data), instance=type(center).objects.get(pk=center.pk)).is_valid()
    # A write that bypasses save() (no new updated_at) is still seen: the values differ.
    type(center).objects.filter(pk=center.pk).update(phone="0222 0000 000")
    form = CenterForm(dict(data), instance=type(center).objects.get(pk=center.pk))
    assert not form.is_valid()
    assert [change.name for change in form.edit_conflict.changes] == ["phone"]


@pytest.mark.django_db(transaction=True)
def test_the_check_refuses_to_run_outside_a_transaction(center):
    data = form_data(CenterForm(instance=center))
    form = CenterForm(data, instance=center)
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(transaction.TransactionManagementError):
        form.is_valid()


def test_the_conflict_page_shows_users_values_as_text(department_user, center):
    first, second = colleagues(department_user)
    url = reverse("centers:center_update", args=[center.pk])
    first_data, second_data = page_data(first, url), page_data(second, url)
    first_data["phone"] = '<b hx-post="/admin/">0222</b>'
    assert first.post(url, first_data).status_code == 302
    second_data["name"] = "Tên mới"
    response = second.post(url, second_data)
    assert response.status_code == 409
    row = conflict_row(response, "phone")
    assert "&lt;b hx-post=&quot;/admin/&quot;&gt;0222&lt;/b&gt;" in row and "<b " not in row
    assert 'id="edit-conflict" hx-disable' in response.content.decode()


@pytest.fixture
def admin_pages(center, province):
    from inspections.models import Inspection

    staff = StaffFactory(center=center)
    inspection = Inspection.objects.create(province=province, center=center, planned_on=center.created_at.date())
    return {"centers_center": center, "centers_staff": staff, "inspections_inspection": inspection}


@pytest.mark.parametrize("page", ["centers_center", "centers_staff", "inspections_inspection"])
def test_admin_change_pages_carry_the_version_once_and_hidden(client, department_user, admin_pages, page):
    client.force_login(department_user)
    obj = admin_pages[page]
    body = client.get(reverse(f"admin:{page}_change", args=[obj.pk])).content.decode()
    assert body.count(f'name="{VERSION_FIELD}"') == 1
    assert f'type="hidden" name="{VERSION_FIELD}" value="' in body
    # The add page has nothing to compare with.
    assert f'name="{VERSION_FIELD}"' not in client.get(reverse(f"admin:{page}_add")).content.decode()
