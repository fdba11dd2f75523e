"""Issue 10, item 1: accounts follow the registry. When a new director is recorded, the
previous director's account keeps access until the day the term ends and gets 404 on the
center's pages from the next day, while the new director is offered an invitation; a
center stopped or dissolved reads for 90 days, then its account is deactivated by the
nightly task. All of it is on the center's page and in the accounts' history."""

import datetime
import io
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.lifecycle import accounts_expire
from accounts.models import AccessEndReason, Invitation, User
from centers.choices import CenterStatus
from centers.models import Director
from centers.services import center_set_status, director_appoint
from tests.admin_forms import admin_form_data
from tests.centers.test_import import make_row, run, xlsx
from tests.factories import DirectorFactory, make_user

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
LINK = re.compile(r"https?://[^/\s]+(/accounts/invite/[0-9a-f]+/)")
PASSWORD = "Dong-A-2026-moi"


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=HCM)


MONDAY = datetime.date(2026, 3, 2)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def lan(center):
    center.email = "lienhe.nn001@example.com"
    center.save()
    return DirectorFactory(center=center, full_name="Phạm Thị Lan", email="lan.pham@example.org",
                           started_on=datetime.date(2024, 1, 10))


def invite_and_accept(client, staff, center, django_capture_on_commit_callbacks) -> User:
    """Staff press "Mời tạo tài khoản" on the center's page; the person follows the link."""
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("center_director_invite", args=[center.pk]))
    link = LINK.search(mail.outbox[-1].body).group(1)
    client.logout()
    assert client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 302
    client.logout()
    return User.objects.get(pk=Invitation.objects.order_by("-pk").first().user_id)


@pytest.fixture
def lan_account(client, department_user, center, lan, django_capture_on_commit_callbacks):
    with time_machine.travel(at(MONDAY - datetime.timedelta(days=30)), tick=False):
        return invite_and_accept(client, department_user, center, django_capture_on_commit_callbacks)


def reasons(account: User) -> list[str]:
    return [r.history_change_reason for r in account.history.order_by("history_date", "history_id")
            if r.history_change_reason]


def test_a_replaced_directors_account_gets_404_from_the_day_after_the_term_ends(
    client, department_user, center, lan, lan_account, django_capture_on_commit_callbacks,
):
    detail = reverse("centers:center_detail", args=[center.pk])
    with time_machine.travel(at(MONDAY), tick=False):
        # A recognition decision: Trần Văn Nam directs the center from Tuesday.
        nam = director_appoint(center=center, full_name="Trần Văn Nam", started_on=TUESDAY,
                               email="nam.tran@example.org", recognition_number="15/QĐ-SGDĐT", by=department_user)
        lan_account.refresh_from_db()
        assert (lan_account.access_ends_on, lan_account.access_end_reason) == (MONDAY, AccessEndReason.TERM_ENDED)
        assert lan_account.director == lan
        client.force_login(lan_account)
        assert client.get(detail).status_code == 200  # the last day of the term
        # The center's page offers the new director an invitation.
        client.force_login(department_user)
        page = client.get(detail).content.decode()
        assert "Giám đốc Trần Văn Nam chưa có tài khoản." in page and "Mời tạo tài khoản" in page
        assert "Quyền truy cập đến hết ngày" in page and "02/03/2026" in page

    with time_machine.travel(at(TUESDAY, 8), tick=False):
        client.force_login(lan_account)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("centers:center_update", args=[center.pk])).status_code == 404
        assert list(client.get(reverse("centers:center_list")).context["centers"]) == []
        assert list(client.get(reverse("reports:obligation_list")).context["object_list"]) == []
        # The new director's invitation works.
        nam_account = invite_and_accept(client, department_user, center, django_capture_on_commit_callbacks)
        assert (nam_account.director, nam_account.email) == (nam, "nam.tran@example.org")
        assert mail.outbox[-1].to == ["nam.tran@example.org", "lienhe.nn001@example.com"]
        client.force_login(nam_account)
        assert client.get(detail).status_code == 200
        # History shows both.
        assert reasons(lan_account) == [
            "Tạo tài khoản giám đốc để gửi lời mời",
            "Nhận lời mời, tự đặt mật khẩu",
            "Hết nhiệm kỳ giám đốc: quyền truy cập đến hết ngày 02/03/2026 (giám đốc mới: Trần Văn Nam)",
        ]
        assert reasons(nam_account) == ["Tạo tài khoản giám đốc để gửi lời mời", "Nhận lời mời, tự đặt mật khẩu"]
        client.force_login(department_user)
        page = client.get(detail).content.decode()
        assert "Hết quyền truy cập" in page and "Giám đốc Trần Văn Nam đã có tài khoản" in page
        assert "Hết nhiệm kỳ giám đốc: quyền truy cập đến hết ngày 02/03/2026" in page

    # The nightly task deactivates the former director's account, once.
    assert accounts_expire(today=TUESDAY) == 1
    assert accounts_expire(today=TUESDAY) == 0
    lan_account.refresh_from_db()
    assert not lan_account.is_active and User.objects.get(pk=nam_account.pk).is_active
    assert reasons(lan_account)[-1] == ("Tự động khoá: hết quyền truy cập sau ngày 02/03/2026 "
                                        "(hết nhiệm kỳ giám đốc, đã có giám đốc mới)")


def test_an_account_made_before_accounts_followed_the_registry_is_the_previous_directors(center, lan):
    # The demo's giamdoc: bound to the center, to no Director row.
    legacy = make_user(User.Role.DIRECTOR, center=center, username="giamdoc", full_name="Phạm Thị Lan")
    director_appoint(center=center, full_name="Trần Văn Nam", started_on=TUESDAY)
    legacy.refresh_from_db()
    assert (legacy.director, legacy.access_ends_on) == (lan, MONDAY)


def test_an_open_invitation_of_the_previous_director_stops_working(client, department_user, center, lan,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("center_director_invite", args=[center.pk]))
    link = LINK.search(mail.outbox[-1].body).group(1)
    director_appoint(center=center, full_name="Trần Văn Nam", started_on=datetime.date.today())
    client.logout()
    response = client.get(link)
    assert response.status_code == 410 and "không còn quyền truy cập" in response.content.decode()


def test_a_director_recognised_again_keeps_the_account(center, lan, lan_account):
    again = director_appoint(center=center, full_name="Phạm Thị Lan", started_on=TUESDAY,
                             email="Lan.Pham@example.org", recognition_number="20/QĐ-SGDĐT")
    lan_account.refresh_from_db()
    assert (lan_account.director, lan_account.access_ends_on) == (again, None)
    assert reasons(lan_account)[-1] == "Giám đốc Phạm Thị Lan được công nhận lại: tài khoản giữ nguyên quyền"


def test_ending_a_term_in_the_admin_ends_the_account(client, department_user, center, lan, lan_account):
    client.force_login(department_user)
    url = reverse("admin:centers_director_change", args=[lan.pk])
    data = admin_form_data(client.get(url))
    data["ended_on"] = "2026-03-02"
    assert client.post(url, data).status_code == 302
    lan_account.refresh_from_db()
    assert (lan_account.access_ends_on, lan_account.access_end_reason) == (MONDAY, AccessEndReason.TERM_ENDED)
    assert User.history.filter(id=lan_account.pk).latest("history_date").history_user == department_user


def test_a_new_director_entered_on_the_centers_admin_page_ends_the_previous_account(
    client, department_user, center, lan, lan_account,
):
    client.force_login(department_user)
    url = reverse("admin:centers_center_change", args=[center.pk])
    data = admin_form_data(client.get(url))
    rows = int(data["directors-TOTAL_FORMS"])
    current = next(i for i in range(rows) if data[f"directors-{i}-full_name"] == "Phạm Thị Lan")
    data[f"directors-{current}-ended_on"] = "2026-03-02"
    data.update({f"directors-{rows}-full_name": "Trần Văn Nam", f"directors-{rows}-started_on": "2026-03-03",
                 f"directors-{rows}-center": center.pk, "directors-TOTAL_FORMS": rows + 1})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert center.directors.get(ended_on__isnull=True).full_name == "Trần Văn Nam"
    lan_account.refresh_from_db()
    assert lan_account.access_ends_on == MONDAY


def test_an_import_naming_a_new_director_ends_the_previous_account(department_user, center, lan, lan_account):
    with time_machine.travel(at(TUESDAY), tick=False):
        run(xlsx([make_row(code="NN001", name=center.name, director="Trần Văn Nam")]), department_user)
    lan_account.refresh_from_db()
    assert lan_account.access_ends_on == MONDAY
    assert center.directors.get(ended_on__isnull=True).full_name == "Trần Văn Nam"


def test_a_stopped_center_reads_for_90_days_then_its_account_is_deactivated(
    client, department_user, center, lan, lan_account,
):
    detail = reverse("centers:center_detail", args=[center.pk])
    center_set_status(center=center, status=CenterStatus.STOPPED, effective_on=MONDAY, reason="Tự dừng",
                      by=department_user)
    lan_account.refresh_from_db()
    last_day = MONDAY + datetime.timedelta(days=90)
    assert (lan_account.access_ends_on, lan_account.access_end_reason) == (last_day, AccessEndReason.CENTER_CLOSED)
    assert reasons(lan_account)[-1] == (
        "Trung tâm dừng hoạt động từ 02/03/2026: chỉ xem, quyền truy cập đến hết ngày 31/05/2026")
    with time_machine.travel(at(last_day), tick=False):
        client.force_login(lan_account)
        assert client.get(detail).status_code == 200
        # Reading only: the contacts can no longer be changed.
        assert client.get(reverse("centers:center_update", args=[center.pk])).status_code == 403
    with time_machine.travel(at(last_day + datetime.timedelta(days=1)), tick=False):
        client.force_login(lan_account)
        assert client.get(detail).status_code == 404
        out = io.StringIO()
        call_command("expire_accounts", stdout=out)
        assert "Đã khoá 1 tài khoản" in out.getvalue()
        call_command("expire_accounts", stdout=out)
        assert "Đã khoá 0 tài khoản" in out.getvalue()
    lan_account.refresh_from_db()
    assert not lan_account.is_active


def test_a_center_operating_again_gives_the_access_back(department_user, center, lan, lan_account):
    center_set_status(center=center, status=CenterStatus.SUSPENDED, effective_on=MONDAY)
    lan_account.refresh_from_db()
    assert lan_account.access_ends_on is None
    center_set_status(center=center, status=CenterStatus.DISSOLVED, effective_on=MONDAY)
    center_set_status(center=center, status=CenterStatus.OPERATING, effective_on=TUESDAY, by=department_user)
    lan_account.refresh_from_db()
    assert (lan_account.access_ends_on, lan_account.access_end_reason) == (None, "")
    assert reasons(lan_account)[-1] == "Trung tâm hoạt động trở lại từ 03/03/2026: có lại quyền truy cập"


def test_a_closure_does_not_lengthen_an_earlier_end(center, lan, lan_account):
    director_appoint(center=center, full_name="Trần Văn Nam", started_on=TUESDAY)
    center_set_status(center=center, status=CenterStatus.DISSOLVED, effective_on=TUESDAY)
    lan_account.refresh_from_db()
    assert (lan_account.access_ends_on, lan_account.access_end_reason) == (MONDAY, AccessEndReason.TERM_ENDED)


def test_the_beat_schedule_runs_the_nightly_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-accounts"]
    assert entry["task"] == "accounts.tasks.accounts_expire_task"
    from accounts.tasks import accounts_expire_task

    assert accounts_expire_task.name == entry["task"]


def test_a_superuser_never_ends(db):
    root = User.objects.create(username="root", is_superuser=True, access_ends_on=MONDAY)
    assert accounts_expire(today=TUESDAY) == 0
    assert not root.access_ended(TUESDAY)


def test_the_previous_director_row_keeps_its_dates(center, lan):
    director_appoint(center=center, full_name="Trần Văn Nam", started_on=TUESDAY)
    assert Director.objects.get(pk=lan.pk).ended_on == MONDAY
