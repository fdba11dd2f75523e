"""Conferences and directives in the web admin: scoped to the province, drafts editable,
issued directives and the register read-only."""

import pytest
from django.urls import reverse

from conferences.models import Directive, DirectiveRegister
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def _change(model: str, pk: int) -> str:
    return reverse(f"admin:conferences_{model}_change", args=[pk])


def test_staff_edit_a_draft_in_the_admin(client, department_user, draft_directive):
    client.force_login(department_user)
    response = client.get(_change("directive", draft_directive.pk))
    assert response.status_code == 200
    data = admin_form_data(response)
    data["subject"] = "Kế hoạch tuyển sinh (sửa trong trang quản trị)"
    response = client.post(_change("directive", draft_directive.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft_directive.refresh_from_db()
    assert draft_directive.subject.endswith("(sửa trong trang quản trị)")
    assert "sua trong trang quan tri" in draft_directive.search_text


def test_an_issued_directive_is_read_only_in_the_admin(client, department_user, issued_directive):
    client.force_login(department_user)
    url = _change("directive", issued_directive.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    before = Directive.objects.values().get(pk=issued_directive.pk)
    response = client.post(url, {"subject": "Đổi trích yếu", "body": "x"})
    assert response.status_code == 403
    assert Directive.objects.values().get(pk=issued_directive.pk) == before
    response = client.post(reverse("admin:conferences_directive_delete", args=[issued_directive.pk]), {"post": "yes"})
    assert response.status_code == 403


def test_the_register_is_read_only_and_scoped(client, department_user, foreign_department_user, issued_directive):
    register = DirectiveRegister.objects.get()
    client.force_login(department_user)
    assert client.get(reverse("admin:conferences_directiveregister_changelist")).status_code == 200
    assert client.get(reverse("admin:conferences_directiveregister_add")).status_code == 403
    client.force_login(foreign_department_user)
    assert client.get(_change("directiveregister", register.pk)).status_code == 404
    assert client.get(_change("directive", issued_directive.pk)).status_code == 404


def test_conference_admin_is_scoped_and_keeps_the_search_text(client, department_user, foreign_department_user,
                                                               conference):
    client.force_login(department_user)
    response = client.get(_change("conference", conference.pk))
    data = admin_form_data(response)
    data["conclusions"] = "Kết luận bổ sung về kiểm định chất lượng."
    response = client.post(_change("conference", conference.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    conference.refresh_from_db()
    assert "kiem dinh chat luong" in conference.search_text
    assert "thu tuc gia han" in conference.search_text  # the questions stay searchable
    response = client.get(reverse("admin:conferences_conference_changelist"), {"q": "hoi nghi trien khai"})
    assert list(response.context["cl"].result_list) == [conference]
    client.force_login(foreign_department_user)
    assert client.get(_change("conference", conference.pk)).status_code == 404


def test_divisions_are_the_provinces(client, department_user, foreign_department_user, division):
    client.force_login(department_user)
    assert client.get(reverse("admin:accounts_division_change", args=[division.pk])).status_code == 200
    client.force_login(foreign_department_user)
    assert client.get(reverse("admin:accounts_division_change", args=[division.pk])).status_code == 404
