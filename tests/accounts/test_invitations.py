"""Issue 10, item 1: staff invite the current director of every center of a registry
filter in one action; each invitation is an e-mail with a one-time link (7 days, can be
resent, refused once used) to the director's and the center's addresses; following it,
the person chooses a password and lands on their home page. Commune officers the same way."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import invitation_token, invitations_deliver, invitations_for_centers
from accounts.models import Invitation, User
from centers.choices import CenterKind, CenterStatus
from centers.models import Center, Director
from tests.factories import CenterFactory, CommuneFactory, DirectorFactory, make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/invite/[0-9a-f]+/)")
NEW_PASSWORD = "Dong-A-2026-moi"


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def staff(client, department_user):
    department_user.full_name = "Nguyễn Thu Hằng"
    department_user.save()
    client.force_login(department_user)
    return department_user


@pytest.fixture
def director_record(center):
    center.email = "lienhe.nn001@example.com"
    center.save()
    return DirectorFactory(center=center, full_name="Phạm Thị Lan", email="lan.pham@example.org")


def invite(client, query: str = "", **post):
    """The registry list's "Mời giám đốc tạo tài khoản" (its query string is the filter)."""
    url = reverse("center_invite") + (f"?{query}" if query else "")
    return client.post(url, post)


def test_staff_invite_the_directors_of_the_filtered_centers_in_one_action(
    client, staff, center, director_record, other_center, django_capture_on_commit_callbacks,
):
    DirectorFactory(center=other_center, full_name="Lê Văn Minh", email="")
    other_center.email = "lienhe.nn002@example.com"
    other_center.save()
    with django_capture_on_commit_callbacks() as queued:
        response = invite(client, "kind=language", scope="all")
    assert response.status_code == 302 and response.url == reverse("centers:center_list") + "?kind=language"
    # The language center only (the filter), and nothing sent inside the request.
    account = User.objects.get(center=center)
    assert not User.objects.filter(center=other_center).exists()
    assert mail.outbox == [] and len(queued) == 1
    assert (account.role, account.director, account.province) == (User.Role.DIRECTOR, director_record, center.province)
    assert account.email == "lan.pham@example.org" and account.username == "gd24.nn001"
    assert not account.has_usable_password()
    for callback in queued:
        callback()
    [message] = mail.outbox
    assert message.to == ["lan.pham@example.org", "lienhe.nn001@example.com"]
    assert "Tên đăng nhập: gd24.nn001" in message.body and "Trung tâm Ngoại ngữ Đông Á" in message.subject
    assert "Nguyễn Thu Hằng" in message.body and "7 ngày" in message.body
    assert message.body.count("/accounts/invite/") == 1
    assert Invitation.objects.get(user=account).delivery == Invitation.Delivery.SENT


def test_the_ticked_centers_only_are_invited(client, staff, center, director_record, other_center,
                                             django_capture_on_commit_callbacks):
    DirectorFactory(center=other_center, email="gd2@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, "", scope="selected", center=[str(other_center.pk)])
    assert list(User.objects.filter(role=User.Role.DIRECTOR).values_list("center", flat=True)) == [other_center.pk]
    assert [m.to for m in mail.outbox] == [["gd2@example.org"]]


def test_the_same_address_twice_gets_one_copy(client, staff, center, django_capture_on_commit_callbacks):
    center.email = "Chung@Example.com"
    center.save()
    DirectorFactory(center=center, email="chung@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, scope="all")
    assert [m.to for m in mail.outbox] == [["chung@example.com"]]


def test_no_center_ticked_is_a_clear_message_and_nothing_is_sent(client, staff, director_record):
    response = invite(client, scope="selected", center=["²", "1" + "0" * 30])
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Hãy chọn ít nhất một trung tâm, hoặc bấm mời tất cả trung tâm đang lọc."]
    assert not Invitation.objects.exists()


def test_centers_that_cannot_be_invited_are_named(client, staff, commune, django_capture_on_commit_callbacks):
    CenterFactory(commune=commune, code="KGD01")  # no director recorded
    no_address = CenterFactory(commune=commune, code="KDC01", email="")
    DirectorFactory(center=no_address, email="")
    closed = CenterFactory(commune=commune, code="GT001", status=CenterStatus.DISSOLVED, email="a@example.com")
    DirectorFactory(center=closed, email="b@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, scope="all")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Không mời 1 trung tâm chưa có giám đốc đương nhiệm trong sổ đăng ký: KGD01." in messages
    assert "Không mời 1 trung tâm không có địa chỉ e-mail của giám đốc hay của trung tâm: KDC01." in messages
    assert "Không mời 1 trung tâm đã dừng hoạt động hoặc giải thể: GT001." in messages
    assert not User.objects.filter(role=User.Role.DIRECTOR).exists() and mail.outbox == []


def test_an_account_that_already_has_a_password_is_left_alone(client, staff, center, director_record,
                                                              django_capture_on_commit_callbacks):
    existing = make_user(User.Role.DIRECTOR, center=center, username="giamdoc", full_name="Phạm Thị Lan")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, scope="all")
    assert mail.outbox == [] and not Invitation.objects.exists()
    assert "Không mời 1 trung tâm đã có tài khoản" in " ".join(str(m) for m in response.wsgi_request._messages)
    assert User.objects.filter(center=center).get() == existing


# One link, once


def accept(client, link: str, password: str = NEW_PASSWORD):
    return client.post(link, {"new_password1": password, "new_password2": password})


@pytest.fixture
def invited(client, staff, center, director_record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, scope="all")
    client.logout()
    return link_in(mail.outbox[-1])


def test_following_the_link_sets_the_password_logs_in_and_lands_on_the_home_page(client, invited, center):
    page = client.get(invited)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Phạm Thị Lan" in body and "Trung tâm Ngoại ngữ Đông Á" in body and "gd24.nn001" in body
    response = accept(client, invited)
    assert response.status_code == 302 and response.url == reverse("home")
    account = User.objects.get(username="gd24.nn001")
    assert account.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).url == reverse("reports:obligation_list")  # the director's home
    assert client.get(reverse("centers:center_detail", args=[center.pk])).status_code == 200
    invitation = Invitation.objects.get(user=account)
    assert invitation.accepted_at is not None
    assert account.history.first().history_change_reason == "Nhận lời mời, tự đặt mật khẩu"


def test_a_link_works_once_and_only_once(client, invited):
    assert accept(client, invited).status_code == 302
    client.logout()
    again = client.get(invited)
    assert again.status_code == 410
    assert "Lời mời này đã được dùng" in again.content.decode()
    # Posting to it again changes nothing.
    assert accept(client, invited, "Mat-khau-khac-2026").status_code == 410
    assert User.objects.get(username="gd24.nn001").check_password(NEW_PASSWORD)


def test_an_expired_link_gets_a_clear_vietnamese_page(client, invited):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        response = client.get(invited)
        assert response.status_code == 410
        assert "Lời mời đã hết hạn" in response.content.decode()
        assert accept(client, invited).status_code == 410
    assert not User.objects.get(username="gd24.nn001").has_usable_password()


def test_the_link_still_works_on_its_last_day(client, invited):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23)):
        assert accept(client, invited).status_code == 302


def test_an_unknown_link_gets_a_clear_vietnamese_page(client, invited):
    response = client.get(reverse("invitation_accept", args=["0" * 64]))
    assert response.status_code == 404
    assert "Không tìm thấy lời mời" in response.content.decode()
    assert client.get(reverse("invitation_accept", args=["x" * 5000])).status_code == 404


def test_a_resent_invitation_supersedes_the_first_link(client, staff, invited, django_capture_on_commit_callbacks):
    client.force_login(staff)
    account = User.objects.get(username="gd24.nn001")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_invite", args=[account.pk]))
    client.logout()
    second = link_in(mail.outbox[-1])
    assert second != invited
    old = client.get(invited)
    assert old.status_code == 410 and "Đã có một lời mời mới" in old.content.decode()
    assert accept(client, second).status_code == 302
    assert Invitation.objects.filter(user=account).count() == 2
    assert Invitation.objects.filter(user=account, revoked_reason="superseded").count() == 1


def test_a_weak_password_is_refused_in_vietnamese_and_the_link_still_works(client, invited):
    response = accept(client, invited, "12345678")
    assert response.status_code == 200 and response.context["form"].errors
    assert "Mật khẩu này quá phổ biến" in response.content.decode() or "toàn là số" in response.content.decode()
    assert accept(client, invited).status_code == 302


def test_a_deactivated_account_cannot_use_its_link(client, invited):
    User.objects.filter(username="gd24.nn001").update(is_active=False)
    assert client.get(invited).status_code == 410


def test_the_token_is_stored_only_as_a_hash(invited):
    token = invited.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation_token(invitation) == token
    values = [str(v) for v in Invitation.objects.values_list().get()]
    assert token not in " ".join(values)


def test_a_redelivered_batch_sends_nothing_twice(staff, center, director_record):
    result = invitations_for_centers(centers=Center.objects.all(), by=staff, queue=False)
    ids = [i.pk for i in result.invitations]
    assert invitations_deliver(ids) == 1
    assert invitations_deliver(ids) == 0
    assert len(mail.outbox) == 1


# At scale


def _centers(province, count: int) -> None:
    communes = [CommuneFactory(parent=province) for _ in range(5)]
    Center.objects.bulk_create([
        Center(province=province, commune=communes[n % 5], code=f"SC{n:05d}", name=f"Trung tâm Ngoại ngữ Số {n}",
               kind=CenterKind.LANGUAGE, email=f"lienhe{n}@example.com")
        for n in range(count)
    ])
    Director.objects.bulk_create([
        Director(center=center, full_name=f"Giám đốc {center.code}", email=f"gd.{center.code.lower()}@example.org")
        for center in Center.objects.filter(province=province)
    ])


# The same budget for 10 and for 1,000 centers. The whole request (session, user, the
# service) is 13 queries for 10 centers and 13 for 1,000 on PostgreSQL, which inserts each
# table (accounts, their history rows, invitations) in one statement; 69 for 1,000 on
# SQLite, whose limit of 999 parameters a statement splits those inserts into 59. Every
# query other than an INSERT is the same whatever the number (the next test).
QUERY_BUDGET = 80


@pytest.mark.parametrize("count", [10, 1000])
def test_inviting_many_centers_runs_in_a_bounded_number_of_queries_and_queues_the_mails(
    client, staff, province, count, django_assert_max_num_queries, django_capture_on_commit_callbacks,
):
    _centers(province, count)
    with django_capture_on_commit_callbacks() as queued, django_assert_max_num_queries(QUERY_BUDGET):
        response = invite(client, scope="all")
    assert response.status_code == 302
    assert User.objects.filter(role=User.Role.DIRECTOR, password__startswith=UNUSABLE_PASSWORD_PREFIX).count() == count
    assert Invitation.objects.filter(delivery=Invitation.Delivery.QUEUED).count() == count
    # E-mails are queued to the worker in batches of 100 once committed, none sent in the request.
    assert len(queued) == -(-count // 100) and mail.outbox == []
    for callback in queued:
        callback()
    assert len(mail.outbox) == count
    assert all(len(m.to) == 2 for m in mail.outbox)


def test_the_queries_other_than_inserts_do_not_grow_with_the_number_of_centers(staff, province):
    def other_queries(count: int) -> int:
        Invitation.objects.all().delete()
        User.objects.filter(role=User.Role.DIRECTOR).delete()
        Center.objects.all().delete()
        _centers(province, count)
        with CaptureQueriesContext(connection) as queries:
            invitations_for_centers(centers=Center.objects.all(), by=staff, queue=False)
        return len([q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("INSERT")])

    assert other_queries(10) == other_queries(400)


# Who may invite


@pytest.mark.parametrize("role", ["inspector", "director", "local_officer"])
def test_other_roles_may_not_invite(client, request, role, director_record):
    client.force_login(request.getfixturevalue(role))
    assert invite(client, scope="all").status_code == 403
    assert client.post(reverse("center_director_invite", args=[director_record.center_id])).status_code == 403
    assert not Invitation.objects.exists()


def test_staff_of_another_province_invite_nobody_here(client, foreign_department_user, center, director_record):
    client.force_login(foreign_department_user)
    invite(client, scope="selected", center=[str(center.pk)])
    assert not Invitation.objects.exists() and not User.objects.filter(center=center).exists()
    assert client.post(reverse("center_director_invite", args=[center.pk])).status_code == 404


# The center's page


def test_the_center_page_offers_the_invitation_and_shows_its_state(client, staff, center, director_record,
                                                                   django_capture_on_commit_callbacks):
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    assert "Giám đốc Phạm Thị Lan chưa có tài khoản." in page and "Mời tạo tài khoản" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("center_director_invite", args=[center.pk]))
    assert response.url == reverse("centers:center_detail", args=[center.pk]) + "#accounts"
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    assert "gd24.nn001" in page and "Đã mời, chờ nhận" in page and "Gửi lại lời mời" in page
    assert "Tạo tài khoản giám đốc để gửi lời mời" in page  # the account's history


def test_the_registry_filter_finds_centers_whose_director_has_no_account(client, staff, center, director_record,
                                                                         other_center):
    DirectorFactory(center=other_center, email="x@example.org")
    make_user(User.Role.DIRECTOR, center=other_center, username="gd-co-roi")
    codes = lambda state: [c.code for c in client.get(reverse("centers:center_list"),  # noqa: E731
                                                      {"director_account": state}).context["centers"]]
    assert codes("none") == ["NN001"] and codes("active") == ["NN002"] and codes("invited") == []
    invitations_for_centers(centers=Center.objects.filter(pk=center.pk), by=staff, queue=False)
    assert codes("none") == [] and codes("invited") == ["NN001"]


def test_the_registry_list_shows_the_invitation_action_to_staff_only(client, staff, inspector, center):
    assert "Mời giám đốc tạo tài khoản" in client.get(reverse("centers:center_list")).content.decode()
    client.force_login(inspector)
    page = client.get(reverse("centers:center_list")).content.decode()
    assert "Mời giám đốc tạo tài khoản" not in page and "director_account" not in page


# Commune officers


def test_staff_see_the_communes_of_their_province_and_invite_an_officer(
    client, staff, commune, other_commune, foreign_center, django_capture_on_commit_callbacks,
):
    page = client.get(reverse("commune_accounts"))
    names = [c.name for c in page.context["communes"]]
    assert "Phường Kinh Bắc" in names and "Phường Hoàn Kiếm" not in names
    assert client.get(reverse("commune_accounts"), {"q": "kinh bac"}).context["communes"][0] == commune
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("officer_invite", args=[commune.pk]),
                               {"full_name": "Đỗ Thị  Thảo", "email": "thao@example.org"})
    assert response.status_code == 302
    officer = User.objects.get(email="thao@example.org")
    assert (officer.role, officer.commune, officer.province, officer.full_name) == (
        User.Role.LOCAL_OFFICER, commune, commune.parent, "Đỗ Thị Thảo")
    assert officer.username == "cb.09187"
    [message] = mail.outbox
    assert message.to == ["thao@example.org"] and "Phường Kinh Bắc" in message.body
    page = client.get(reverse("commune_accounts"), {"q": "kinh bac"}).content.decode()
    assert "cb.09187" in page and "Đã mời, chờ nhận" in page
    assert client.get(reverse("commune_accounts"), {"has_officer": "no"}).context["communes"] == [other_commune]
    client.logout()
    assert accept(client, link_in(message)).status_code == 302
    assert client.get(reverse("centers:center_list")).status_code == 200


def test_a_bad_address_changes_nothing(client, staff, commune):
    response = client.post(reverse("officer_invite", args=[commune.pk]), {"full_name": "A", "email": "khong-phai"})
    assert response.status_code == 200 and "Địa chỉ e-mail không hợp lệ" in response.content.decode()
    assert not User.objects.filter(role=User.Role.LOCAL_OFFICER).exists()


def test_another_provinces_commune_is_a_404_and_other_roles_a_403(client, staff, foreign_center, director, commune):
    foreign_commune = foreign_center.commune
    assert client.get(reverse("officer_invite", args=[foreign_commune.pk])).status_code == 404
    assert client.post(reverse("officer_invite", args=[foreign_commune.pk]),
                       {"full_name": "A", "email": "a@example.org"}).status_code == 404
    client.force_login(director)
    assert client.get(reverse("commune_accounts")).status_code == 403
    assert client.get(reverse("officer_invite", args=[commune.pk])).status_code == 403
    assert not User.objects.filter(email="a@example.org").exists()


def test_the_inviting_staff_member_is_told_once_that_the_invitation_was_accepted(
    client, staff, invited, django_capture_on_commit_callbacks,
):
    from notifications.models import Notification

    User.objects.filter(pk=staff.pk).update(email="hang.nguyen@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept(client, invited)
    account = User.objects.get(username="gd24.nn001")
    [notice] = Notification.objects.filter(recipient=staff)
    assert notice.subject == "Phạm Thị Lan đã nhận lời mời và có tài khoản"
    assert "Trung tâm Ngoại ngữ Đông Á" in notice.body and "gd24.nn001" in notice.body
    assert notice.link == reverse("account_detail", args=[account.pk])
    [message] = [m for m in mail.outbox if "hang.nguyen@example.org" in m.to]
    assert message.subject == notice.subject and "http://127.0.0.1:8000/accounts/manage/" in message.body
    # The link is used: a second acceptance cannot tell it again.
    client.logout()
    assert accept(client, invited).status_code == 410
    assert Notification.objects.filter(recipient=staff).count() == 1
