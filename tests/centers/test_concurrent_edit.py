"""Two staff editing the same center: the second save is refused with what changed, and
nothing the first one saved is reverted (edu_portal.concurrency), in the portal and in
the web admin; the center's staff records the same."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from centers.models import Center, Staff
from edu_portal.concurrency import VERSION_FIELD
from tests.admin_forms import admin_form_data, form_data
from tests.edit_versions import CONFLICT, colleagues, conflict_row
from tests.edit_versions import page_data as opened
from tests.factories import StaffFactory

NEW_PHONE = "0222 3999 111"
NEW_NAME = "Trung tâm Ngoại ngữ Đông Á Bắc Ninh"


@pytest.fixture
def clients(department_user):
    return colleagues(department_user)


@pytest.fixture
def first(clients):
    return clients[0]


@pytest.fixture
def second(clients):
    return clients[1]


# Portal


def test_the_second_of_two_concurrent_center_edits_gets_a_conflict_page_and_nothing_is_reverted(
    center, first, second,
):
    url = reverse("centers:center_update", args=[center.pk])
    old_phone = center.phone
    first_data, second_data = opened(first, url), opened(second, url)

    first_data["phone"] = NEW_PHONE
    assert first.post(url, first_data).status_code == 302

    second_data["name"] = NEW_NAME
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    row = conflict_row(response, "phone")
    assert old_phone in row and NEW_PHONE in row  # what you opened, what is saved now
    assert "Nguyễn Thị An" in row  # who saved it (the center keeps history)
    assert 'data-field="name"' not in response.content.decode()  # nobody else changed the name

    center.refresh_from_db()
    assert center.phone == NEW_PHONE
    assert center.name == "Trung tâm Ngoại ngữ Đông Á"

    # Reloaded, the page is the saved record; the second user re-applies their change.
    again = opened(second, url)
    assert again["phone"] == NEW_PHONE
    again["name"] = NEW_NAME
    assert second.post(url, again).status_code == 302
    center.refresh_from_db()
    assert (center.phone, center.name) == (NEW_PHONE, NEW_NAME)


def test_the_conflict_page_keeps_the_users_own_change_over_the_saved_record(center, first, second):
    url = reverse("centers:center_update", args=[center.pk])
    first_data, second_data = opened(first, url), opened(second, url)
    first_data["phone"] = NEW_PHONE
    first.post(url, first_data)
    second_data["name"] = NEW_NAME
    response = second.post(url, second_data)
    assert response.status_code == 409

    # The form shown is the saved record with the second user's name: saving it as it
    # stands (a fresh version) writes the name and keeps the first user's phone.
    shown = form_data(response.context["form"])
    assert (shown["phone"], shown["name"]) == (NEW_PHONE, NEW_NAME)
    assert second.post(url, shown).status_code == 302
    center.refresh_from_db()
    assert (center.phone, center.name) == (NEW_PHONE, NEW_NAME)


def test_a_field_both_changed_shows_the_saved_value_and_the_users_entry(center, first, second):
    url = reverse("centers:center_update", args=[center.pk])
    first_data, second_data = opened(first, url), opened(second, url)
    first_data["phone"] = NEW_PHONE
    first.post(url, first_data)
    second_data["phone"] = "0222 3000 000"
    response = second.post(url, second_data)
    assert response.status_code == 409
    row = conflict_row(response, "phone")
    assert NEW_PHONE in row and "0222 3000 000" in row and "cả hai cùng sửa" in row
    # Nobody's value is overwritten without a second, deliberate save.
    assert form_data(response.context["form"])["phone"] == NEW_PHONE
    assert Center.objects.get(pk=center.pk).phone == NEW_PHONE


@pytest.mark.parametrize("version", [None, "", "not-a-token", "forged:abc:def"])
def test_a_post_without_a_valid_version_is_refused_and_changes_nothing(center, first, version):
    url = reverse("centers:center_update", args=[center.pk])
    data = opened(first, url)
    data["name"] = NEW_NAME
    if version is None:
        del data[VERSION_FIELD]
    else:
        data[VERSION_FIELD] = version
    response = first.post(url, data)
    assert response.status_code == 409
    assert "Không xác định được bản hồ sơ bạn đã mở" in response.content.decode()
    assert 'data-field="name"' in response.content.decode()
    assert Center.objects.get(pk=center.pk).name == "Trung tâm Ngoại ngữ Đông Á"


def test_the_version_of_another_center_is_refused(center, other_center, first):
    data = opened(first, reverse("centers:center_update", args=[other_center.pk]))
    url = reverse("centers:center_update", args=[center.pk])
    data.update(code=center.code, name=NEW_NAME, commune=center.commune_id)
    assert first.post(url, data).status_code == 409
    assert Center.objects.get(pk=center.pk).name == "Trung tâm Ngoại ngữ Đông Á"


def test_a_save_in_the_admin_makes_a_portal_edit_stale(center, first, second):
    portal = reverse("centers:center_update", args=[center.pk])
    stale = opened(second, portal)
    admin_url = reverse("admin:centers_center_change", args=[center.pk])
    data = admin_form_data(first.get(admin_url))
    data["phone"] = NEW_PHONE
    assert first.post(admin_url, data).status_code == 302
    stale["website"] = "https://dong-a.example.vn"
    assert second.post(portal, stale).status_code == 409
    center.refresh_from_db()
    assert center.phone == NEW_PHONE and center.website == ""


def test_a_director_editing_contacts_meets_the_same_check(center, director, first):
    url = reverse("centers:center_update", args=[center.pk])
    own = Client()
    own.force_login(director)
    director_data = opened(own, url)
    staff_data = opened(first, url)
    staff_data["phone"] = NEW_PHONE
    assert first.post(url, staff_data).status_code == 302
    director_data["email"] = "lienhe@dong-a.example.vn"
    response = own.post(url, director_data)
    assert response.status_code == 409
    assert NEW_PHONE in conflict_row(response, "phone")
    assert Center.objects.get(pk=center.pk).phone == NEW_PHONE


def test_a_save_without_a_concurrent_change_goes_through(center, first):
    url = reverse("centers:center_update", args=[center.pk])
    data = opened(first, url)
    data["name"] = NEW_NAME
    assert first.post(url, data).status_code == 302
    # The same page posted twice (a double click): the second is refused, not a revert.
    data["name"] = "Tên cũ gõ lại"
    assert first.post(url, data).status_code == 409
    assert Center.objects.get(pk=center.pk).name == NEW_NAME


# Staff records of the center


def test_concurrent_edits_of_a_staff_record_are_detected(center, first, second):
    staff = StaffFactory(center=center, full_name="Trần Thị Hoa", position="teacher")
    url = reverse("centers:staff_update", args=[center.pk, staff.pk])
    first_data, second_data = opened(first, url), opened(second, url)
    first_data["position"] = "manager"
    assert first.post(url, first_data).status_code == 302
    second_data["full_name"] = "Trần Thị Hoà"
    response = second.post(url, second_data)
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert "Nguyễn Thị An" in conflict_row(response, "position")
    staff.refresh_from_db()
    assert (staff.position, staff.full_name) == ("manager", "Trần Thị Hoa")
    again = opened(second, url)
    again["full_name"] = "Trần Thị Hoà"
    assert second.post(url, again).status_code == 302
    assert Staff.objects.get(pk=staff.pk).full_name == "Trần Thị Hoà"


def test_adding_a_staff_record_needs_no_version(center, first):
    url = reverse("centers:staff_create", args=[center.pk])
    response = first.post(url, {"full_name": "Grace Caldwell", "position": "teacher", "is_active": "on"})
    assert response.status_code == 302
    assert center.staff.filter(full_name="Grace Caldwell").exists()


# Admin


def test_the_second_of_two_concurrent_admin_saves_is_refused_in_the_admins_form(center, first, second):
    url = reverse("admin:centers_center_change", args=[center.pk])
    old_phone = center.phone
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    assert second_data[VERSION_FIELD]

    first_data["phone"] = NEW_PHONE
    assert first.post(url, first_data).status_code == 302

    second_data["name"] = NEW_NAME
    response = second.post(url, second_data)
    assert response.status_code == 409
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert CONFLICT in errors
    assert "điện thoại" in errors.lower() and old_phone in errors and NEW_PHONE in errors
    assert "Nguyễn Thị An" in errors
    body = response.content.decode()
    assert CONFLICT in body and "errornote" in body  # the admin's own form, not another page
    center.refresh_from_db()
    assert center.phone == NEW_PHONE
    assert center.name == "Trung tâm Ngoại ngữ Đông Á"

    # Saving the same page again is refused again: the stale version stays in it.
    assert second.post(url, second_data).status_code == 409

    again = admin_form_data(second.get(url))
    again["name"] = NEW_NAME
    assert second.post(url, again).status_code == 302
    center.refresh_from_db()
    assert (center.phone, center.name) == (NEW_PHONE, NEW_NAME)


def test_an_inline_change_makes_the_admin_page_stale(center, first, second):
    """A document added by one user would be dropped or reverted by another's stale page:
    the center is saved with every inline, so its version moves."""
    url = reverse("admin:centers_center_change", args=[center.pk])
    first_data, second_data = admin_form_data(first.get(url)), admin_form_data(second.get(url))
    document = center.documents.get()
    first_data["documents-0-number"] = "99/QĐ-SGDĐT"
    assert document.pk == int(first_data["documents-0-id"])
    assert first.post(url, first_data).status_code == 302
    response = second.post(url, second_data)
    assert response.status_code == 409
    document.refresh_from_db()
    assert document.number == "99/QĐ-SGDĐT"


def test_a_forged_admin_post_without_the_version_is_refused(center, first):
    url = reverse("admin:centers_center_change", args=[center.pk])
    data = admin_form_data(first.get(url))
    del data[VERSION_FIELD]
    data["name"] = NEW_NAME
    response = first.post(url, data)
    assert response.status_code == 409
    assert "Không xác định được bản hồ sơ bạn đã mở" in " ".join(response.context["adminform"].form.non_field_errors())
    assert Center.objects.get(pk=center.pk).name == "Trung tâm Ngoại ngữ Đông Á"


def test_the_version_is_a_hidden_field_and_never_a_change(center, first):
    url = reverse("admin:centers_center_change", args=[center.pk])
    response = first.get(url)
    assert f'type="hidden" name="{VERSION_FIELD}"' in response.content.decode()
    data = admin_form_data(response)
    data["phone"] = NEW_PHONE
    first.post(url, data)
    message = LogEntry.objects.get(object_id=str(center.pk)).get_change_message()
    assert "phiên bản" not in message.lower() and "version" not in message.lower()


def test_the_add_page_of_the_admin_needs_no_version(first, commune):
    url = reverse("admin:centers_center_add")
    response = first.get(url)
    assert f'name="{VERSION_FIELD}"' not in response.content.decode()
    data = admin_form_data(response)
    data.update(code="NN900", name="Trung tâm Mới", kind="it", status="operating", commune=commune.pk)
    data.pop(VERSION_FIELD, None)
    assert first.post(url, data).status_code == 302
    assert Center.objects.filter(code="NN900").exists()
