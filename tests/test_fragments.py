"""The lists' fragment cache (edu_portal/fragments.py): a second request reads the body
back, and every kind of write, a new day, another user or a failing cache gives the page
as it would be built."""

import datetime
import os
import re
import subprocess
import sys

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers.choices import CenterStatus, LicenceState
from centers.models import Center
from centers.services import center_save, center_set_status, director_appoint
from centers.signals import centers_changed_send
from edu_portal import fragments
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def _list(client, **query):
    return client.get(reverse("centers:center_list"), query)


def _page(response) -> str:
    """The page without what differs on every request anyway (CSRF token, CSP nonce)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    return re.sub(r'nonce="[^"]+"', "nonce", text)


def _built(response) -> bool:
    """Whether the view built the body (ran the filterset and the rows) for this response."""
    return "filter" in response.context


def test_second_request_reads_the_body_back(client, department_user, center, other_center):
    client.force_login(department_user)
    with CaptureQueriesContext(connection) as first:
        built = _list(client, q="ngoai", ordering="name")
    with CaptureQueriesContext(connection) as second:
        cached = _list(client, q="ngoai", ordering="name")
    assert _built(built) and not _built(cached)
    assert _page(cached) == _page(built)
    assert center.name in cached.content.decode()
    # No count, no rows, no units, no directors: the session, the user and the bell.
    assert len(second) < len(first) - 3
    # Another query string is another body.
    assert _built(_list(client, q="ngoai", ordering="-name"))


def test_off_builds_every_time(client, settings, department_user, center):
    settings.FRAGMENT_CACHE = False
    client.force_login(department_user)
    assert _built(_list(client)) and _built(_list(client))


def _rename(center):
    center.name = "Trung tâm Tin học Hòa Bình Mới"
    center_save(center=center)
    return "Trung tâm Tin học Hòa Bình Mới"


def _licence(center):
    DocumentFactory(center=center, number="777/QĐ-MỚI")
    return "777/QĐ-MỚI"


def _director(center):
    director_appoint(center=center, full_name="Lê Thị Mới Bổ Nhiệm", started_on=datetime.date(2026, 1, 5))
    return "Lê Thị Mới Bổ Nhiệm"


def _status(center):
    center_set_status(center=center, status=CenterStatus.SUSPENDED, effective_on=datetime.date(2026, 11, 1))
    return str(CenterStatus.SUSPENDED.label)


def _commune(center):
    commune = center.commune
    commune.name = "Phường Đổi Tên"
    commune.save()
    return "Phường Đổi Tên"


def _bulk(center):
    # A write past the model signals, as the import and the generators make them: the
    # writer says which centers changed.
    Center.objects.filter(pk=center.pk).update(street="99 Đường Cập Nhật Hàng Loạt")
    centers_changed_send(sender=Center, center_ids=[center.pk])
    return "99 Đường Cập Nhật Hàng Loạt"


@pytest.mark.parametrize("write", [_rename, _licence, _director, _status, _commune, _bulk])
def test_every_kind_of_write_reaches_the_page(write, client, department_user, center):
    client.force_login(department_user)
    _list(client)
    assert not _built(_list(client))
    shown = write(Center.objects.get(pk=center.pk))
    after = _list(client)
    assert _built(after)
    assert shown in after.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_write_retires_the_token_again_when_it_commits(center):
    before = fragments.generation(fragments.REGISTRY)
    with transaction.atomic():
        _rename(Center.objects.get(pk=center.pk))
        during = fragments.generation(fragments.REGISTRY)
    after = fragments.generation(fragments.REGISTRY)
    assert len({before, during, after}) == 3


def test_a_login_does_not_retire_the_token(client, department_user):
    before = fragments.generation(fragments.REGISTRY)
    client.force_login(department_user)
    department_user.save(update_fields=["last_login"])
    assert fragments.generation(fragments.REGISTRY) == before


def test_the_date_is_part_of_the_key(client, department_user, center):
    DocumentFactory(center=center, valid_until=datetime.date(2027, 1, 10))
    with time_machine.travel(datetime.datetime(2027, 1, 9, 9, 0), tick=False):
        client.force_login(department_user)
        _list(client)
        assert str(LicenceState.EXPIRING.label) in _list(client).content.decode()
    with time_machine.travel(datetime.datetime(2027, 1, 11, 9, 0), tick=False):
        client.force_login(department_user)
        page = _list(client)
    assert _built(page)
    assert str(LicenceState.EXPIRED.label) in page.content.decode()


def test_users_never_share_a_body(client, department_user, local_officer, center, other_center):
    """The department sees the province's centers; the commune's officer, on the same
    query just after, only the commune's (never the department's cached body)."""
    client.force_login(department_user)
    assert other_center.name in _list(client).content.decode()
    client.force_login(local_officer)
    page = _list(client)
    assert _built(page)
    assert center.name in page.content.decode()
    assert other_center.name not in page.content.decode()


def test_permissions_are_outside_the_cached_parts(client, department_user, center):
    """The invitation forms (CSRF tokens, the count) are the frame's: a cached body still
    comes with working forms."""
    client.force_login(department_user)
    _list(client)
    page = _list(client)
    assert not _built(page)
    text = page.content.decode()
    assert 'id="invite-form"' in text and 'name="csrfmiddlewaretoken"' in text
    assert f'value="{center.pk}" form="invite-form"' in text


def test_the_account_filter_is_built_every_time(client, department_user, center):
    client.force_login(department_user)
    assert _built(_list(client, director_account="none"))
    assert _built(_list(client, director_account="none"))


class _Down:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis down")
        return fail


def test_a_failing_cache_builds_the_page(client, monkeypatch, department_user, center):
    client.force_login(department_user)
    monkeypatch.setattr(fragments, "cache", _Down())
    page = _list(client)
    assert page.status_code == 200 and _built(page)
    assert center.name in page.content.decode()
    _rename(Center.objects.get(pk=center.pk))  # a write with the cache down still commits
    assert "Trung tâm Tin học Hòa Bình Mới" in _list(client).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_bumps_once_on_commit(monkeypatch, center, commune):
    replaced = []
    monkeypatch.setattr(fragments, "_replace", replaced.append)
    with transaction.atomic():
        for n in range(5):
            _rename(Center.objects.get(pk=center.pk))
            commune.name = f"Phường {n}"
            commune.save()
        during = len(replaced)
    assert during >= 10  # each write, at once
    assert replaced[during:] == [fragments.REGISTRY]  # and one more at the commit


@pytest.mark.redis
def test_a_write_in_another_process_reaches_this_one(settings):
    """Production: the worker, a management command or the other gunicorn workers write;
    this process must stop serving what it cached before."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "edu_portal"}}
    before = fragments.generation(fragments.REGISTRY)
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from edu_portal import fragments; fragments.bump()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "edu_portal.settings", "FRAGMENT_CACHE": "1"},
        check=True, timeout=60,
    )
    after = fragments.generation(fragments.REGISTRY)
    assert before and after and after != before


# The centers' admin changelist (centers/admin.py: CenterAdmin.changelist_view)

ADMIN_LIST = "/admin/centers/center/"


def test_the_admin_changelist_reads_its_body_back(client, department_user, center, other_center):
    client.force_login(department_user)
    for query in ({}, {"q": "ngoai ngu"}, {"status__exact": "operating", "o": "-2"}):
        with CaptureQueriesContext(connection) as first:
            built = client.get(ADMIN_LIST, query)
        with CaptureQueriesContext(connection) as second:
            cached = client.get(ADMIN_LIST, query)
        assert built.status_code == cached.status_code == 200
        assert hasattr(built.context["cl"], "result_list") and not hasattr(cached.context["cl"], "result_list")
        assert _page(cached) == _page(built)
        assert len(second) < len(first)


def test_an_admin_write_reaches_the_admin_changelist(client, department_user, center):
    client.force_login(department_user)
    client.get(ADMIN_LIST)
    _rename(Center.objects.get(pk=center.pk))
    page = client.get(ADMIN_LIST)
    assert hasattr(page.context["cl"], "result_list")
    assert "Trung tâm Tin học Hòa Bình Mới" in page.content.decode()


def test_popups_and_posts_are_never_read_back(client, department_user, center):
    client.force_login(department_user)
    for _ in range(2):
        page = client.get(ADMIN_LIST, {"_popup": "1", "_to_field": "id"})
        assert hasattr(page.context["cl"], "result_list")


def test_the_admin_changelist_still_refuses_who_may_not_see_it(client, department_user, inspector, center):
    client.force_login(department_user)
    client.get(ADMIN_LIST)
    client.get(ADMIN_LIST)
    client.force_login(inspector)
    answers = {client.get(ADMIN_LIST).status_code for _ in range(2)}
    assert answers <= {302, 403} and len(answers) == 1
