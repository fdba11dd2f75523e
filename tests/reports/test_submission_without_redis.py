"""With Redis stopped, a director can still submit: nothing on the submission path waits
for the broker (CI's second pass; the broker is pointed at a closed port)."""

import uuid

import pytest
from django.urls import reverse

from edu_portal.celery_app import app
from reports.models import SubmissionVersion
from tests.reports.helpers_submission import good_values

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_down(settings):
    saved = app.conf.broker_url, app.conf.result_backend
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_url, app.conf.result_backend = saved


def test_a_director_can_submit_while_redis_is_down(client, director, obligation, redis_down):
    client.force_login(director)
    response = client.post(
        reverse("reports:obligation_submit", args=[obligation.pk]),
        {**good_values(), "idempotency_key": str(uuid.uuid4())}, follow=True,
    )
    assert response.status_code == 200
    version = SubmissionVersion.objects.get(obligation=obligation)
    assert version.values["so_hoc_vien"] == 1250
    obligation.refresh_from_db()
    assert obligation.status == "submitted"
