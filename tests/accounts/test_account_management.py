"""Issue 10, item 1: department staff manage the accounts of their own province in the
portal (list, filter, invite, deactivate, reset, last login and failed attempts), without
being superusers; they never reach, change or elevate an account outside their province,
through the portal or the admin."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import invitations_for_centers, officer_invite
from accounts.models import Invitation, User
from centers.models import Center
from tests.admin_forms import admin_form_data
from tests.factories import CenterFactory, CommuneFactory, DirectorFactory, UserFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, department_user):
    client.force_login(department_user)
    return department_user


def listed(client, **params) -> list[str]:
    response = client.get(reverse("account_list"), params)
    assert response.status_code == 200
    return sorted(account.username for account in response.context["accounts"])


def test_staff_see_the_accounts_of_their_province_only_and_never_a_superuser(
    client, staff, inspector, director, local_officer, foreign_department_user, foreign_inspector,
):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    assert listed(client) == ["canboxa", "giamdoc", "sogd", "thanhtra"]


def test_the_list_shows_last_login_failed_attempts_and_the_invitation(client, staff, director, center):
    director.last_login = timezone.now() - datetime.timedelta(days=2)
    director.save()
    AccessAttempt.objects.create(username="giamdoc", ip_address="203.0.113.7", user_agent="x", failures_since_start=4,
                                 attempt_time=timezone.now(), get_data="", post_data="", http_accept="", path_info="/")
    DirectorFactory(center=center, email="gd@example.org")
    invited = officer_invite(commune=center.commune, full_name="Đỗ Thảo", email="thao@example.org", by=staff).user
    page = client.get(reverse("account_list"))
    rows = {account.username: account for account in page.context["accounts"]}
    assert rows["giamdoc"].failed_logins == 4 and rows["sogd"].failed_logins == 0
    assert rows[invited.username].state_label == "Đã mời, chờ nhận"
    assert rows["giamdoc"].state_label == "Đang hoạt động"
    body = page.content.decode()
    assert director.last_login.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in body
    assert "Chưa lần nào" in body


def test_the_filters(client, staff, director, local_officer, commune):
    director.full_name = "Nguyễn Văn Đức"
    director.last_login = timezone.now()
    director.save()
    pending = officer_invite(commune=commune, full_name="Lê Thị Hoa", email="hoa@example.org", by=staff).user
    expired = officer_invite(commune=commune, full_name="Lê Văn Tám", email="tam@example.org", by=staff).user
    Invitation.objects.filter(user=expired).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    never = UserFactory(username="moi-tao", role=User.Role.INSPECTOR, province=staff.province)
    never.set_unusable_password()
    never.save()
    User.objects.filter(username="canboxa").update(is_active=False)
    assert listed(client, q="nguyen van duc") == ["giamdoc"]  # without diacritics
    assert listed(client, q="LE THI") == [pending.username]
    assert listed(client, role="director") == ["giamdoc"]
    assert listed(client, active="no") == ["canboxa"]
    assert listed(client, invitation="pending") == [pending.username]
    assert listed(client, invitation="expired") == [expired.username]
    assert listed(client, invitation="none") == ["moi-tao"]
    assert "giamdoc" in listed(client, invitation="accepted")
    assert "giamdoc" not in listed(client, never_logged_in="yes")
    assert listed(client, never_logged_in="no") == ["giamdoc", "sogd"]  # sogd: logged in for the test
    # Bad input: the list says why, nothing else, never a 500.
    response = client.get(reverse("account_list"), {"role": "vua"})
    assert response.status_code == 200 and list(response.context["accounts"]) == []
    assert "Hãy chọn" in response.content.decode() or "không hợp lệ" in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(client, staff, commune, django_assert_num_queries):
    def make(count, start):
        for n in range(start, start + count):
            user = make_user(User.Role.LOCAL_OFFICER, commune=commune, username=f"cb{n}")
            Invitation.objects.create(user=user, expires_at=timezone.now(), token_hash=f"{n:064d}", salt="s")
            AccessAttempt.objects.create(username=f"cb{n}", ip_address="203.0.113.7", user_agent="x",
                                         failures_since_start=1, attempt_time=timezone.now(), get_data="",
                                         post_data="", http_accept="", path_info="/")

    make(3, 0)
    client.get(reverse("account_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("account_list"))
    make(40, 100)
    with django_assert_num_queries(len(few)):
        client.get(reverse("account_list"))


@pytest.mark.parametrize("role", ["inspector", "director", "local_officer"])
def test_other_roles_get_403(client, request, role, department_user):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("account_list")).status_code == 403
    assert client.get(reverse("account_detail", args=[department_user.pk])).status_code == 403
    for name in ("account_invite", "account_deactivate", "account_reactivate", "account_reset"):
        assert client.post(reverse(name, args=[department_user.pk])).status_code == 403
    assert User.objects.get(pk=department_user.pk).is_active


def test_another_provinces_account_is_a_404_everywhere(client, staff, foreign_inspector):
    foreign_inspector.email = "tt@example.org"
    foreign_inspector.save()
    assert client.get(reverse("account_detail", args=[foreign_inspector.pk])).status_code == 404
    for name in ("account_invite", "account_deactivate", "account_reactivate", "account_reset"):
        assert client.post(reverse(name, args=[foreign_inspector.pk])).status_code == 404
    foreign_inspector.refresh_from_db()
    assert foreign_inspector.is_active and not Invitation.objects.exists() and mail.outbox == []
    # ... and in the admin.
    assert client.get(reverse("admin:accounts_user_change", args=[foreign_inspector.pk])).status_code == 404


def test_a_superuser_is_a_404_for_staff(client, staff):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert client.get(reverse("account_detail", args=[root.pk])).status_code == 404
    assert client.post(reverse("account_deactivate", args=[root.pk])).status_code == 404


def test_deactivating_and_reactivating_are_in_the_history_and_told_to_the_person(
    client, staff, inspector, django_capture_on_commit_callbacks,
):
    inspector.email = "thanhtra@example.org"
    inspector.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_deactivate", args=[inspector.pk]),
                               {"next": reverse("account_list") + "?role=inspector"})
    assert response.url == reverse("account_list") + "?role=inspector"
    inspector.refresh_from_db()
    assert not inspector.is_active
    record = inspector.history.first()
    assert (record.history_change_reason, record.history_user) == ("Khoá tài khoản (trang quản lý tài khoản)", staff)
    assert mail.outbox[-1].to == ["thanhtra@example.org"] and "Tài khoản được phép đăng nhập" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reactivate", args=[inspector.pk]), {"next": "https://evil.example.com/"})
    inspector.refresh_from_db()
    assert inspector.is_active
    assert inspector.history.first().history_change_reason == "Mở lại tài khoản (trang quản lý tài khoản)"


def test_staff_cannot_deactivate_themselves(client, staff):
    client.post(reverse("account_deactivate", args=[staff.pk]))
    staff.refresh_from_db()
    assert staff.is_active


def test_an_account_whose_access_ended_is_not_reopened(client, staff, director):
    User.objects.filter(pk=director.pk).update(is_active=False, access_ends_on=datetime.date(2026, 1, 1),
                                               access_end_reason="term_ended")
    response = client.post(reverse("account_reactivate", args=[director.pk]), follow=True)
    assert "không mở lại được" in response.content.decode()
    assert not User.objects.get(pk=director.pk).is_active


def test_a_reset_link_is_sent_by_the_worker(client, staff, inspector, django_capture_on_commit_callbacks):
    inspector.email = "thanhtra@example.org"
    inspector.save()
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("account_reset", args=[inspector.pk]))
    assert mail.outbox == [] and len(queued) == 1
    queued[0]()
    assert mail.outbox[0].to == ["thanhtra@example.org"] and "/accounts/reset/" in mail.outbox[0].body


def test_inviting_again_from_the_list(client, staff, center, django_capture_on_commit_callbacks):
    DirectorFactory(center=center, email="gd@example.org")
    [invitation] = invitations_for_centers(centers=Center.objects.all(), by=staff, queue=False).invitations
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_invite", args=[invitation.user_id]))
    assert [m.to for m in mail.outbox] == [["gd@example.org"]]
    invitation.refresh_from_db()
    assert invitation.revoked_reason == Invitation.Revoked.SUPERSEDED
    # An account that has a password is not invited: it gets a reset link instead.
    response = client.post(reverse("account_invite", args=[staff.pk]), follow=True)
    assert "Người dùng đã tự đặt mật khẩu" in response.content.decode()


def test_the_detail_page_shows_the_history_with_reasons(client, staff, inspector):
    client.post(reverse("account_deactivate", args=[inspector.pk]))
    page = client.get(reverse("account_detail", args=[inspector.pk])).content.decode()
    assert "Khoá tài khoản (trang quản lý tài khoản)" in page


# Nobody is made superuser, staff, or an account of another province


def test_an_invitation_never_ties_an_account_outside_the_province(staff, foreign_center):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        officer_invite(commune=foreign_center.commune, full_name="A", email="a@example.org", by=staff)
    DirectorFactory(center=foreign_center, email="gd@example.org")
    result = invitations_for_centers(centers=Center.objects.filter(pk=foreign_center.pk), by=staff, queue=False)
    assert result.refused == ["NN001"] and not User.objects.filter(center=foreign_center).exists()


def test_accounts_made_by_invitation_are_never_staff_or_superuser(staff, center, commune):
    DirectorFactory(center=center, email="gd@example.org")
    invitations_for_centers(centers=Center.objects.all(), by=staff, queue=False)
    officer_invite(commune=commune, full_name="A", email="a@example.org", by=staff)
    made = User.objects.exclude(pk=staff.pk)
    assert made.count() == 2 and not made.filter(is_staff=True).exists() and not made.filter(is_superuser=True).exists()


def test_staff_cannot_make_anyone_superuser_or_staff_or_move_them_out_through_the_admin(
    client, staff, inspector, director, foreign_center,
):
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    page = client.get(url)
    assert "is_superuser" not in page.context["adminform"].form.fields
    data = admin_form_data(page)
    # The superuser flag is not in staff's form: posting it changes nothing.
    client.post(url, {**data, "is_superuser": "on"})
    inspector.refresh_from_db()
    assert not inspector.is_superuser
    # The admin flag belongs to department staff only.
    response = client.post(url, {**data, "is_staff": "on"})
    assert response.status_code == 200
    inspector.refresh_from_db()
    assert not inspector.is_staff
    # A unit of another province is refused (the province field itself is not staff's to set).
    response = client.post(reverse("admin:accounts_user_change", args=[director.pk]),
                           {**admin_form_data(client.get(reverse("admin:accounts_user_change", args=[director.pk]))),
                            "center": foreign_center.pk})
    assert response.status_code == 200
    director.refresh_from_db()
    assert director.center_id != foreign_center.pk


def test_the_communes_page_runs_a_fixed_number_of_queries(client, staff, province, django_assert_num_queries):
    communes = [CommuneFactory(parent=province) for _ in range(3)]
    client.get(reverse("commune_accounts"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("commune_accounts"))
    for n in range(20):
        commune = CommuneFactory(parent=province)
        make_user(User.Role.LOCAL_OFFICER, commune=commune, username=f"cbx{n}")
        CenterFactory(commune=communes[0])
    with django_assert_num_queries(len(few)):
        client.get(reverse("commune_accounts"))
