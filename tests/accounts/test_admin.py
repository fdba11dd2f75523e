"""Accounts in the web admin: department staff manage their own province's accounts only,
and can never make or touch a superuser."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.admin_forms import admin_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_department_staff_list_only_their_provinces_accounts(
    client, department_user, inspector, director, local_officer, foreign_department_user, foreign_inspector, superuser,
):
    client.force_login(department_user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {department_user, inspector, director, local_officer}


def test_superuser_lists_every_account(client, superuser, department_user, foreign_department_user):
    client.force_login(superuser)
    response = client.get(reverse(CHANGELIST))
    assert set(response.context["cl"].result_list) == {superuser, department_user, foreign_department_user}


@pytest.mark.parametrize("target", ["director", "local_officer", "inspector", "department_user"])
def test_another_provinces_department_gets_404_on_account_pages(client, request, foreign_department_user, target):
    user = request.getfixturevalue(target)
    client.force_login(foreign_department_user)
    assert client.get(change_url(user)).status_code == 404
    assert client.get(reverse("admin:auth_user_password_change", args=[user.pk])).status_code == 404
    assert client.get(reverse("admin:accounts_user_history", args=[user.pk])).status_code == 404


def test_superusers_are_invisible_to_department_staff(client, department_user, superuser, province):
    superuser.province = province  # even one tied to the province
    superuser.save(update_fields=["province"])
    client.force_login(department_user)
    assert client.get(change_url(superuser)).status_code == 404
    assert client.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code == 404


def test_department_form_has_no_superuser_groups_or_permissions(client, department_user, inspector):
    client.force_login(department_user)
    form = client.get(change_url(inspector)).context["adminform"].form
    for name in ("is_superuser", "groups", "user_permissions"):
        assert name not in form.fields
    assert form.fields["province"].disabled


def test_posting_is_superuser_does_not_grant_it(client, department_user, inspector):
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(inspector)))
    data.update(is_superuser="on", full_name="Thanh tra Nguyễn Văn Hải")
    response = client.post(change_url(inspector), data)
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.full_name == "Thanh tra Nguyễn Văn Hải"
    assert not inspector.is_superuser


def creation_data(**fields):
    # No password: the new account's owner sets one from the e-mailed link.
    return {
        "username": "giamdoc_moi", "full_name": "Phạm Thị Lan", "email": "lan.pham@example.vn", "phone": "",
        **fields,
    }


def test_department_staff_create_a_director_of_their_center(client, department_user, center, other_province):
    client.force_login(department_user)
    response = client.post(
        reverse("admin:accounts_user_add"),
        creation_data(role=User.Role.DIRECTOR, center=center.pk, province=other_province.pk, is_superuser="on"),
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    created = User.objects.get(username="giamdoc_moi")
    assert created.center == center
    assert created.province == department_user.province  # the locked field, not the POST
    assert not created.is_superuser
    # The new account is in scope, so its change page (where the admin sends them next) opens.
    assert client.get(change_url(created)).status_code == 200


def test_a_foreign_center_or_commune_is_refused(client, department_user, foreign_center):
    client.force_login(department_user)
    response = client.post(
        reverse("admin:accounts_user_add"), creation_data(role=User.Role.DIRECTOR, center=foreign_center.pk),
    )
    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:accounts_user_add"),
        creation_data(role=User.Role.LOCAL_OFFICER, commune=foreign_center.commune_id),
    )
    assert "commune" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="giamdoc_moi").exists()


def test_a_role_without_its_unit_is_a_form_error(client, department_user):
    client.force_login(department_user)
    response = client.post(reverse("admin:accounts_user_add"), creation_data(role=User.Role.DIRECTOR))
    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors


def test_department_staff_cannot_delete_accounts(client, department_user, inspector):
    client.force_login(department_user)
    assert client.get(reverse("admin:accounts_user_delete", args=[inspector.pk])).status_code == 403


def test_user_autocomplete_of_units_stays_in_the_province(client, department_user, commune, foreign_center):
    client.force_login(department_user)
    response = client.get(
        reverse("admin:autocomplete"), {"app_label": "accounts", "model_name": "user", "field_name": "commune"},
    )
    assert {row["text"] for row in response.json()["results"]} == {"Phường Kinh Bắc"}
    response = client.get(
        reverse("admin:autocomplete"), {"app_label": "accounts", "model_name": "user", "field_name": "province"},
    )
    # No search_fields problem and no other province: just their own.
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {str(department_user.province)}


def test_groups_are_for_superusers_only(client, department_user):
    client.force_login(department_user)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
