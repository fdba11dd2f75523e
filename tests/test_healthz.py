import os
from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthz_is_up_with_redis_not_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "redis": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_login(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").status_code == 200


def test_redis_down_is_reported_but_does_not_fail_the_check(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "redis": "down"}


def test_database_down_answers_503(client, settings):
    settings.REDIS_URL = ""
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.redis
def test_redis_up_against_the_real_server(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "redis": "up"}
