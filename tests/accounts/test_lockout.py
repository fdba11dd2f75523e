"""Login lock-outs: by username *and* client address, the address from a trusted proxy
header only, a Vietnamese page, and the staff page that lifts them."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from accounts.security import client_ip
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LIMIT = 3
PROXY = "172.16.0.10"
VICTIM = "198.51.100.7"
ATTACKER = "203.0.113.5"


@pytest.fixture(autouse=True)
def _axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.TRUSTED_PROXY_HEADER = ""
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1


def login(client, username, password=DEFAULT_PASSWORD, *, path=None, **meta):
    path = path or reverse("login")
    return client.post(path, {"username": username, "password": password}, **meta)


def lock(client, username, **meta):
    """Fail LIMIT times: the last failure answers the lock-out page."""
    for _ in range(LIMIT):
        response = login(client, username, "sai-mat-khau", **meta)
    assert response.status_code == 429
    client.cookies.clear()
    return response


# Username and address together


def test_locking_a_username_from_one_address_does_not_stop_its_owner_elsewhere(client, department_user):
    lock(client, "sogd", REMOTE_ADDR=ATTACKER)

    # From the attacker's address even the right password is refused...
    assert login(client, "sogd", REMOTE_ADDR=ATTACKER).status_code == 429
    # ...but the owner, from their own machine, logs in.
    response = login(client, "sogd", REMOTE_ADDR=VICTIM)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_other_accounts_are_not_locked_from_the_same_address(client, department_user, inspector):
    lock(client, "sogd", REMOTE_ADDR=ATTACKER)
    assert login(client, "thanhtra", REMOTE_ADDR=ATTACKER).status_code == 302


# Where the address comes from


def test_without_a_trusted_header_the_socket_address_is_used_even_if_a_header_is_sent(client, department_user):
    # Behind no configured proxy, X-Forwarded-For is just something the client wrote.
    lock(client, "sogd", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert login(client, "sogd", REMOTE_ADDR=VICTIM).status_code == 302


def test_behind_a_proxy_the_address_comes_from_its_header(client, department_user, behind_one_proxy):
    # Everyone reaches the portal from the proxy's address: only the header tells them apart.
    lock(client, "sogd", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert login(client, "sogd", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert login(client, "sogd", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM).status_code == 302


def test_a_spoofed_leftmost_forwarded_entry_is_not_trusted(client, department_user, behind_one_proxy):
    # The attacker claims the victim's address; the proxy appends the real one.
    lock(client, "sogd", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert login(client, "sogd", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM).status_code == 302


@pytest.mark.parametrize(
    ("header", "count", "meta", "expected"),
    [
        ("", 1, {"HTTP_X_FORWARDED_FOR": VICTIM}, PROXY),
        ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": f"{VICTIM}, {ATTACKER}"}, ATTACKER),
        # Two proxies (a CDN, then nginx): the entry the outer one wrote is second from the right.
        ("X-Forwarded-For", 2, {"HTTP_X_FORWARDED_FOR": f"{VICTIM}, {ATTACKER}, 10.0.0.2"}, ATTACKER),
        ("X-Real-IP", 1, {"HTTP_X_REAL_IP": ATTACKER, "HTTP_X_FORWARDED_FOR": VICTIM}, ATTACKER),
        ("X-Real-IP", 1, {"HTTP_X_REAL_IP": "[2001:db8::1]:443"}, "2001:db8::1"),
        ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": f"{ATTACKER}:51234"}, ATTACKER),
        # Missing, too short or unreadable: the request did not come through the proxies.
        ("X-Forwarded-For", 1, {}, PROXY),
        ("X-Forwarded-For", 2, {"HTTP_X_FORWARDED_FOR": ATTACKER}, PROXY),
        ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": "<b>không phải IP</b>"}, PROXY),
        ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": "1.2.3.4\x00"}, PROXY),
    ],
)
def test_client_ip(settings, header, count, meta, expected):
    settings.TRUSTED_PROXY_HEADER = header
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **meta)
    assert client_ip(request) == expected


# The lock-out page


def test_the_lockout_page_is_vietnamese_with_what_to_do_and_a_way_back(client, department_user):
    response = lock(client, "sogd", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Đăng nhập tạm thời bị khoá" in html
    assert "chờ 60 phút" in html
    assert "chuyên viên Sở GDĐT" in html
    assert f'href="{reverse("login")}"' in html
    assert "Account locked" not in html
    try:
        reset_url = reverse("password_reset")
    except NoReverseMatch:  # the page offers the link only where self-service reset exists
        reset_url = None
    if reset_url:
        assert f'href="{reset_url}">Quên mật khẩu?</a>' in html


def test_the_admin_login_locks_the_same_way(client, department_user):
    admin_login = reverse("admin:login")
    for _ in range(LIMIT):
        response = login(client, "sogd", "sai-mat-khau", path=admin_login, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "Đăng nhập tạm thời bị khoá" in response.content.decode()
    # The same pair is locked at the portal's login too, and only that pair.
    assert login(client, "sogd", REMOTE_ADDR=ATTACKER).status_code == 429
    assert login(client, "sogd", REMOTE_ADDR=VICTIM).status_code == 302


# Staff lift lock-outs of their province


@pytest.fixture
def locked(client, department_user, director, local_officer, inspector, foreign_department_user, center):
    """Lock-outs of accounts tied to the province through each kind of unit, and of
    accounts that are not the staff's to see."""
    centerless = User.objects.create_user("giamdoc_moi", password=DEFAULT_PASSWORD, center=center,
                                          role=User.Role.DIRECTOR)
    User.objects.create_superuser("quantri", password=DEFAULT_PASSWORD)
    for username in ("giamdoc", "canboxa", "thanhtra", centerless.username, "sogd_hn", "quantri", "khong-co-ai"):
        lock(client, username, REMOTE_ADDR=ATTACKER)
    # Failures below the limit are not a lock-out.
    login(client, "sogd", "sai-mat-khau", REMOTE_ADDR=ATTACKER)
    client.cookies.clear()
    return client


def test_staff_see_the_lockouts_of_their_provinces_accounts_only(locked, department_user):
    locked.force_login(department_user)
    response = locked.get(reverse("lockout_list"))
    assert response.status_code == 200
    shown = {(lockout.username, lockout.ip_address) for lockout in response.context["lockouts"]}
    assert shown == {(name, ATTACKER) for name in ("giamdoc", "canboxa", "thanhtra", "giamdoc_moi")}
    html = response.content.decode()
    assert "Tài khoản bị khoá đăng nhập" in html
    assert "sogd_hn" not in html and "quantri" not in html and "khong-co-ai" not in html


def test_staff_unlock_a_lockout_and_the_user_logs_in_from_that_address(locked, department_user):
    locked.force_login(department_user)
    response = locked.post(reverse("lockout_unlock"), {"username": "giamdoc", "ip_address": ATTACKER}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("lockout_list")
    assert "Đã mở khoá đăng nhập cho tài khoản giamdoc" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="giamdoc").exists()
    assert AccessAttempt.objects.filter(username="canboxa").exists()

    locked.logout()
    assert login(locked, "giamdoc", REMOTE_ADDR=ATTACKER).status_code == 302


def test_unlocking_another_provinces_or_a_superusers_lockout_is_404(locked, department_user):
    locked.force_login(department_user)
    for username in ("sogd_hn", "quantri", "khong-co-ai"):
        response = locked.post(reverse("lockout_unlock"), {"username": username, "ip_address": ATTACKER})
        assert response.status_code == 404
        assert AccessAttempt.objects.filter(username=username).exists()
    # Nor a pair that is not locked, nor a malformed address.
    assert locked.post(reverse("lockout_unlock"), {"username": "sogd", "ip_address": ATTACKER}).status_code == 404
    assert locked.post(reverse("lockout_unlock"), {"username": "giamdoc", "ip_address": "abc"}).status_code == 404
    assert locked.post(reverse("lockout_unlock"), {"username": "giamdoc", "ip_address": VICTIM}).status_code == 404
    assert AccessAttempt.objects.filter(username="giamdoc").exists()


@pytest.mark.parametrize("role_user", ["inspector", "director", "local_officer"])
def test_other_roles_may_neither_see_nor_lift_lockouts(locked, role_user, request):
    user = request.getfixturevalue(role_user)
    locked.force_login(user)
    assert locked.get(reverse("lockout_list")).status_code == 403
    response = locked.post(reverse("lockout_unlock"), {"username": "giamdoc", "ip_address": ATTACKER})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="giamdoc").exists()


def test_the_unlock_action_is_a_post(locked, department_user):
    locked.force_login(department_user)
    response = locked.get(reverse("lockout_unlock"), {"username": "giamdoc", "ip_address": ATTACKER})
    assert response.status_code == 405
    assert AccessAttempt.objects.filter(username="giamdoc").exists()


def test_a_superuser_sees_and_lifts_every_lockout(locked):
    admin = User.objects.create_superuser("root", password=DEFAULT_PASSWORD)
    locked.force_login(admin)
    names = {lockout.username for lockout in locked.get(reverse("lockout_list")).context["lockouts"]}
    assert names == {"giamdoc", "canboxa", "thanhtra", "giamdoc_moi", "sogd_hn", "quantri", "khong-co-ai"}
    response = locked.post(reverse("lockout_unlock"), {"username": "sogd_hn", "ip_address": ATTACKER})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="sogd_hn").exists()


def test_the_lockout_list_runs_a_fixed_number_of_queries(
    client, department_user, province, django_assert_max_num_queries,
):
    def lock_directly(username):
        make_user(User.Role.INSPECTOR, province=province, username=username)
        AccessAttempt.objects.create(
            username=username, ip_address=ATTACKER, user_agent="", failures_since_start=LIMIT,
            get_data="", post_data="", http_accept="", path_info="/accounts/login/",
        )

    client.force_login(department_user)
    counts = []
    for names in (["thanhtra0"], [f"thanhtra{index}" for index in range(1, 7)]):
        for name in names:
            lock_directly(name)
        with django_assert_max_num_queries(20) as captured:
            response = client.get(reverse("lockout_list"))
        assert response.status_code == 200
        counts.append((len(response.context["lockouts"]), len(captured)))
    assert [count for count, _ in counts] == [1, 7]
    assert counts[0][1] == counts[1][1]


def test_the_account_menu_links_the_lockouts_for_staff_only(client, department_user, inspector):
    client.force_login(department_user)
    assert reverse("lockout_list") in client.get(reverse("home")).content.decode()
    client.force_login(inspector)
    assert reverse("lockout_list") not in client.get(reverse("home")).content.decode()
