"""Shared fixtures: fast hashing, private media in a temp folder, eager Celery (except for
tests marked `celery_worker`), and the users of every role in two provinces."""

import os

import pytest

from accounts.models import User
from tests.factories import CenterFactory, CommuneFactory, DocumentFactory, ProvinceFactory, make_user

ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))
ON_REDIS = bool(os.environ.get("REDIS_URL"))
# The browser journeys (tests/browser/) need Debian's Chromium. On CI a missing browser
# is a failure (the tests run and say so), never a skip.
HAS_CHROMIUM = os.path.exists("/usr/bin/chromium")
ON_CI = bool(os.environ.get("CI"))


def pytest_collection_modifyitems(config, items):
    """Tests for PostgreSQL, Redis or a real worker are skipped on the embedded run only;
    the browser tests where Chromium is missing, outside CI."""
    reasons = {
        "postgres": (ON_POSTGRES, "cần PostgreSQL (DATABASE_URL)"),
        "redis": (ON_REDIS, "cần Redis (REDIS_URL)"),
        "celery_worker": (ON_POSTGRES and ON_REDIS, "cần Redis, PostgreSQL và worker Celery"),
        "browser": (HAS_CHROMIUM or ON_CI, "cần Chromium (/usr/bin/chromium)"),
    }
    for item in items:
        for marker, (available, reason) in reasons.items():
            if item.get_closest_marker(marker) and not available:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # An empty cache of its own for each test (the password reset counters...), never the
    # shared Redis: clearing that would empty the Celery broker too.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{request.node.nodeid}"}}
    # The lists' fragment cache (edu_portal/fragments.py) on in every test, so that every
    # test that writes and then reads a list checks that the write reached its fragments.
    settings.FRAGMENT_CACHE = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from edu_portal.celery_app import app

    eager = not request.node.get_closest_marker("celery_worker")
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True


@pytest.fixture(scope="session")
def smtp_server():
    """An SMTP server on 127.0.0.1 (aiosmtpd) for the worker to deliver to."""
    from aiosmtpd.controller import Controller

    from tests.services import SmtpCollector

    import socket

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    collector = SmtpCollector()
    collector.port = port
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector
    controller.stop()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, smtp_server):
    """A real Celery worker on Redis, pointed at the test database pytest-django created
    and at the loopback SMTP server."""
    from django.conf import settings as dj_settings

    from tests.services import WorkerProcess

    db = dj_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    worker = WorkerProcess({
        **os.environ, "DATABASE_URL": url, "CELERY_TASK_ALWAYS_EAGER": "0", "DJANGO_SECRET_KEY": "test",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_server.port), "EMAIL_USE_TLS": "0",
        # Background jobs' heartbeat, lease and pending delay in seconds, not minutes, so that
        # the recovery tests (tests/test_jobs_worker.py) take seconds.
        "JOB_HEARTBEAT_SECONDS": "1", "JOB_LEASE_SECONDS": "4", "JOB_PENDING_SECONDS": "2",
    })
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def province(db):
    return ProvinceFactory(code="24", name="Bắc Ninh")


@pytest.fixture
def other_province(db):
    return ProvinceFactory(code="01", name="Thành phố Hà Nội", unit_type="thành phố")


@pytest.fixture
def commune(province):
    return CommuneFactory(code="09187", name="Phường Kinh Bắc", parent=province)


@pytest.fixture
def other_commune(province):
    return CommuneFactory(code="09190", name="Phường Võ Cường", parent=province)


@pytest.fixture
def center(commune):
    center = CenterFactory(commune=commune, code="NN001", name="Trung tâm Ngoại ngữ Đông Á")
    DocumentFactory(center=center, number="12/QĐ-SGDĐT")
    return center


@pytest.fixture
def other_center(other_commune):
    return CenterFactory(commune=other_commune, code="NN002", name="Trung tâm Tin học Sao Mai", kind="it")


@pytest.fixture
def foreign_center(other_province):
    commune = CommuneFactory(code="00070", name="Phường Hoàn Kiếm", parent=other_province)
    return CenterFactory(commune=commune, code="NN001", name="Trung tâm Ngoại ngữ Hà Thành")


@pytest.fixture
def department_user(province):
    return make_user(User.Role.DEPARTMENT, province=province, username="sogd")


@pytest.fixture
def inspector(province):
    return make_user(User.Role.INSPECTOR, province=province, username="thanhtra")


@pytest.fixture
def director(center):
    return make_user(User.Role.DIRECTOR, center=center, username="giamdoc")


@pytest.fixture
def other_director(other_center):
    return make_user(User.Role.DIRECTOR, center=other_center, username="giamdoc2")


@pytest.fixture
def local_officer(commune):
    return make_user(User.Role.LOCAL_OFFICER, commune=commune, username="canboxa")


@pytest.fixture
def other_local_officer(other_commune):
    return make_user(User.Role.LOCAL_OFFICER, commune=other_commune, username="canboxa2")


@pytest.fixture
def foreign_department_user(other_province):
    return make_user(User.Role.DEPARTMENT, province=other_province, username="sogd_hn")


@pytest.fixture
def foreign_inspector(other_province):
    return make_user(User.Role.INSPECTOR, province=other_province, username="thanhtra_hn")
