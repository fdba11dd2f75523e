"""Accounts in the web admin, issue 9 item 3: nobody sets another person's password (new
accounts get an e-mailed link, staff send reset links), what staff may grant is checked,
and every change of an account is in its history and told to the person by e-mail."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.services import user_grant_check
from tests.admin_forms import admin_form_data
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def reset_url(user):
    return reverse("admin:accounts_user_password_reset", args=[user.pk])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def staff(client, department_user):
    department_user.full_name = "Nguyễn Thị Thu"
    department_user.save()
    client.force_login(department_user)
    return department_user


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def logs_in(client, username: str, password: str) -> bool:
    # A real POST through the form: axes needs the request, so client.login() won't do.
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and response.url == reverse("home")


def set_password_through(client, link: str, password: str = "Kinh-Bac-2026-moi"):
    """Open an e-mailed link and choose a password, as the person would."""
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the address
    form_page = client.get(response.url)
    assert form_page.context["validlink"]
    return client.post(response.url, {"new_password1": password, "new_password2": password})


# No form sets another person's password


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_nobody_can_open_or_post_the_set_password_page_of_another_account(client, request, inspector, who):
    actor = request.getfixturevalue(who)
    client.force_login(actor)
    before = User.objects.get(pk=inspector.pk).password
    assert client.get(password_url(inspector)).status_code == 403
    response = client.post(password_url(inspector), {
        "password1": "Mat-khau-cua-ke-gian-1", "password2": "Mat-khau-cua-ke-gian-1", "usable_password": "true",
    })
    assert response.status_code == 403
    assert User.objects.get(pk=inspector.pk).password == before


def test_the_set_password_page_of_an_account_outside_the_province_is_404(client, foreign_department_user, inspector):
    client.force_login(foreign_department_user)
    assert client.get(password_url(inspector)).status_code == 404


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_add_form_has_no_password_field(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("password", "password1", "password2", "usable_password"):
        assert name not in form.fields
    assert 'type="password"' not in response.content.decode()
    assert form.fields["email"].required


def test_the_change_form_has_no_password_field_nor_link_to_set_one(client, staff, inspector):
    response = client.get(change_url(inspector))
    form = response.context["adminform"].form
    assert "password" not in form.fields
    body = response.content.decode()
    assert 'href="../password/"' not in body and password_url(inspector) not in body
    assert "Gửi liên kết đặt lại mật khẩu" in body


def test_a_forged_password_in_the_change_form_is_ignored(client, staff, inspector):
    before = User.objects.get(pk=inspector.pk).password
    data = admin_form_data(client.get(change_url(inspector)))
    data.update(password="md5$x$0123", password1="Mat-khau-moi-2026", password2="Mat-khau-moi-2026")
    assert client.post(change_url(inspector), data).status_code == 302
    assert User.objects.get(pk=inspector.pk).password == before


def test_the_add_form_creates_an_account_without_password_and_emails_a_link_that_works_once(
    client, staff, center, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:accounts_user_add"), {
            "username": "giamdoc_moi", "email": "lan.pham@example.vn", "full_name": "Phạm Thị Lan", "phone": "",
            "role": User.Role.DIRECTOR, "center": center.pk,
            # A browser can be made to send these; they must do nothing.
            "password1": "Mat-khau-chon-ho-2026", "password2": "Mat-khau-chon-ho-2026", "usable_password": "true",
        })
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    created = User.objects.get(username="giamdoc_moi")
    assert not created.has_usable_password()
    assert [m.to for m in mail.outbox] == [["lan.pham@example.vn"]]
    message = mail.outbox[0]
    assert "đặt mật khẩu" in message.subject
    assert "giamdoc_moi" in message.body and "Nguyễn Thị Thu" in message.body
    assert "3 ngày" in message.body
    link = link_in(message)

    client.logout()
    done = set_password_through(client, link, "Lan-Pham-2026-rieng")
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert logs_in(client, "giamdoc_moi", "Lan-Pham-2026-rieng")
    client.logout()
    # Used once: the same link opens the "no longer valid" page.
    response = client.get(link, follow=True)
    assert not response.context["validlink"]
    assert "không còn dùng được" in response.content.decode()


def test_a_new_account_without_email_is_refused(client, staff, center):
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "giamdoc_moi", "email": "", "full_name": "Phạm Thị Lan", "phone": "",
        "role": User.Role.DIRECTOR, "center": center.pk,
    })
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="giamdoc_moi").exists()


# Reset links sent by staff


def test_staff_send_a_reset_link_from_the_account_page(client, staff, inspector, settings):
    inspector.email = "thanhtra@example.vn"
    inspector.save()
    settings.ALLOWED_HOSTS = ["cong.sogd.example.vn", "testserver"]
    page = client.get(reset_url(inspector), HTTP_HOST="cong.sogd.example.vn")
    assert page.status_code == 200
    assert "thanhtra@example.vn" in page.content.decode()
    assert not mail.outbox  # a GET only asks for confirmation

    response = client.post(reset_url(inspector), HTTP_HOST="cong.sogd.example.vn")
    assert response.status_code == 302 and response.url == change_url(inspector)
    assert [m.to for m in mail.outbox] == [["thanhtra@example.vn"]]
    body = mail.outbox[0].body
    # The link is to the host the request came to, and says who sent it.
    assert "http://cong.sogd.example.vn/accounts/reset/" in body
    assert "Nguyễn Thị Thu" in body
    link = link_in(mail.outbox[0])

    client.logout()
    set_password_through(client, link, "Thanh-Tra-2026-moi")
    assert logs_in(client, "thanhtra", "Thanh-Tra-2026-moi")
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_the_reset_action_sends_a_link_to_each_account_with_an_address(client, staff, inspector, director):
    inspector.email = "thanhtra@example.vn"
    inspector.save()
    response = client.post(reverse("admin:accounts_user_changelist"), {
        "action": "send_password_reset", "_selected_action": [inspector.pk, director.pk],
    }, follow=True)
    assert [m.to for m in mail.outbox] == [["thanhtra@example.vn"]]
    texts = [str(m) for m in response.context["messages"]]
    assert any("1 tài khoản" in text for text in texts)
    assert any("giamdoc" in text and "chưa có địa chỉ e-mail" in text for text in texts)


def test_a_reset_link_for_an_account_outside_the_province_is_404(client, foreign_department_user, inspector):
    inspector.email = "thanhtra@example.vn"
    inspector.save()
    client.force_login(foreign_department_user)
    assert client.post(reset_url(inspector)).status_code == 404
    assert not mail.outbox


def test_inspectors_cannot_send_reset_links(client, inspector, department_user):
    department_user.email = "sogd@example.vn"
    department_user.save()
    client.force_login(inspector)
    response = client.post(reset_url(department_user))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    assert not mail.outbox


# What staff may grant


def test_making_a_director_staff_is_refused_with_a_clear_message(client, staff, director):
    data = admin_form_data(client.get(change_url(director)))
    data["is_staff"] = "on"
    response = client.post(change_url(director), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Chuyên viên Sở GDĐT" in " ".join(errors["is_staff"])
    director.refresh_from_db()
    assert not director.is_staff


def test_even_a_superuser_cannot_make_an_inspector_staff(superuser, inspector):
    inspector.is_staff = True
    with pytest.raises(ValidationError) as error:
        user_grant_check(actor=superuser, user=inspector)
    assert "is_staff" in error.value.error_dict


def test_staff_cannot_grant_superuser(client, staff, inspector):
    data = admin_form_data(client.get(change_url(inspector)))
    data["is_superuser"] = "on"
    client.post(change_url(inspector), data)
    assert not User.objects.get(pk=inspector.pk).is_superuser
    # The service refuses it too, whatever path the flag came by.
    inspector.is_superuser = True
    with pytest.raises(ValidationError):
        user_grant_check(actor=staff, user=inspector)


def test_staff_cannot_tie_an_account_to_another_provinces_units(staff, director, foreign_center):
    director.center = foreign_center
    with pytest.raises(ValidationError) as error:
        user_grant_check(actor=staff, user=director)
    assert "center" in error.value.error_dict


def test_a_superuser_may_tie_an_account_to_any_province(superuser, director, foreign_center):
    director.center = foreign_center
    director.province = foreign_center.province
    user_grant_check(actor=superuser, user=director)


# History and notice of changes


def test_a_change_of_role_writes_history_and_sends_one_email(
    client, staff, director, commune, django_capture_on_commit_callbacks,
):
    director.email = "giamdoc@example.vn"
    director.save()
    data = admin_form_data(client.get(change_url(director)))
    data.update(role=User.Role.LOCAL_OFFICER, commune=commune.pk, center="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(director), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    record = director.history.first()
    assert record.role == User.Role.LOCAL_OFFICER
    assert record.history_user == staff
    assert record.prev_record.role == User.Role.DIRECTOR

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["giamdoc@example.vn"]
    assert "Vai trò: Giám đốc trung tâm → Cán bộ UBND xã/phường" in message.body
    assert "Xã/phường: (không có) → Phường Kinh Bắc" in message.body
    assert "Trung tâm: Trung tâm Ngoại ngữ Đông Á → (không có)" in message.body
    assert "Nguyễn Thị Thu" in message.body


def test_the_history_page_shows_who_changed_the_account(client, staff, inspector):
    data = admin_form_data(client.get(change_url(inspector)))
    del data["is_active"]  # the box unticked
    client.post(change_url(inspector), data)
    assert inspector.history.first().is_active is False
    page = client.get(reverse("admin:accounts_user_history", args=[inspector.pk]))
    assert page.status_code == 200
    assert "Nguyễn Thị Thu" in page.content.decode()


def test_a_change_outside_access_sends_no_email(client, staff, inspector, django_capture_on_commit_callbacks):
    inspector.email = "thanhtra@example.vn"
    inspector.save()
    data = admin_form_data(client.get(change_url(inspector)))
    data["phone"] = "0222 3822 000"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(inspector), data)
    assert inspector.history.first().phone == "0222 3822 000"
    assert mail.outbox == []


def test_no_email_when_the_person_has_no_address(client, staff, inspector, django_capture_on_commit_callbacks):
    data = admin_form_data(client.get(change_url(inspector)))
    del data["is_active"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(inspector), data, follow=True)
    assert not User.objects.get(pk=inspector.pk).is_active
    assert mail.outbox == []
    assert any("chưa có địa chỉ e-mail" in str(m) for m in response.context["messages"])


def test_a_changed_address_is_told_at_the_previous_one(client, staff, inspector, django_capture_on_commit_callbacks):
    inspector.email = "thanhtra@example.vn"
    inspector.save()
    data = admin_form_data(client.get(change_url(inspector)))
    data["email"] = "ke-gian@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(inspector), data)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["thanhtra@example.vn"]
    assert mail.outbox[0].cc == ["ke-gian@example.com"]
    assert "thanhtra@example.vn → ke-gian@example.com" in mail.outbox[0].body


def test_no_email_is_sent_when_the_save_is_rolled_back(staff, inspector, django_capture_on_commit_callbacks):
    from django.db import transaction

    from accounts.services import user_update

    inspector.email = "thanhtra@example.vn"
    inspector.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            inspector.is_active = False
            user_update(user=inspector, by=staff)
            raise RuntimeError
    assert callbacks == [] and mail.outbox == []


def test_logging_in_writes_no_history(client, inspector):
    count = inspector.history.count()
    response = client.post(reverse("login"), {"username": "thanhtra", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.last_login is not None
    assert inspector.history.count() == count


def test_the_history_never_holds_the_password(inspector):
    fields = {field.name for field in User.history.model._meta.get_fields()}
    assert "password" not in fields and "last_login" not in fields
    assert "role" in fields and "is_staff" in fields
