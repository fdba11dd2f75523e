"""Shared fixtures: fast hashing, private media in a temp folder, eager Celery (except for
tests marked `celery_worker`), and the users of every role in two provinces."""

import os
import shutil

import pytest

from accounts.models import User
from tests.factories import CenterFactory, CommuneFactory, DocumentFactory, ProvinceFactory, make_user

ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))
ON_REDIS = bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    """Tests for PostgreSQL, Redis or a real worker are skipped on the embedded run only."""
    reasons = {
        "postgres": (ON_POSTGRES, "cần PostgreSQL (DATABASE_URL)"),
        "redis": (ON_REDIS, "cần Redis (REDIS_URL)"),
        "celery_worker": (ON_POSTGRES and ON_REDIS, "cần Redis, PostgreSQL và worker Celery"),
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
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if not request.node.get_closest_marker("celery_worker"):
        from edu_portal.celery_app import app

        settings.CELERY_TASK_ALWAYS_EAGER = True
        app.conf.task_always_eager = True
        app.conf.task_eager_propagates = True


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker on Redis, pointed at the test database pytest-django created."""
    import subprocess
    import sys
    import time

    from django.conf import settings as dj_settings

    db = dj_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_TASK_ALWAYS_EAGER": "0", "DJANGO_SECRET_KEY": "test"}
    celery = shutil.which("celery", path=os.path.dirname(sys.executable)) or "celery"
    worker = subprocess.Popen(
        [celery, "-A", "edu_portal", "worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"pytest-{os.getpid()}@%h"],
        env=env,
    )
    from edu_portal.celery_app import app

    app.conf.task_always_eager = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            break
        if worker.poll() is not None:
            raise RuntimeError("Celery worker exited during start-up")
    else:
        worker.terminate()
        raise RuntimeError("Celery worker did not answer within 60 s")
    yield worker
    worker.terminate()
    worker.wait(timeout=30)


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
