"""Invitations against the real Redis, a real Celery worker and a real SMTP server (CI's
second pass): the request queues, the worker sends each e-mail once, and each link works
once. transaction=True: the worker reads committed rows from another process."""

import re

import pytest
from django.urls import reverse

from accounts.models import Invitation, User
from centers.models import Center
from tests.factories import CenterFactory, DirectorFactory
from tests.services import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LINK = re.compile(rb"https?://[^/\s]+(/accounts/invite/[0-9a-f]+/)")


def test_the_worker_sends_each_invitation_once_and_each_link_works_once(
    celery_worker_process, smtp_server, client, department_user, commune, settings,
):
    # The worker rebuilds each link from SECRET_KEY: web and worker share one key, as in a
    # deployment (tests/conftest.py starts the worker with DJANGO_SECRET_KEY=test).
    settings.SECRET_KEY = "test"
    smtp_server.messages.clear()
    smtp_server.delay = 0
    for n in range(150):  # two batches of the worker
        center = CenterFactory(commune=commune, code=f"W{n:03d}", email=f"lienhe{n}@example.com")
        DirectorFactory(center=center, email=f"gd{n}@example.org")
    client.force_login(department_user)
    response = client.post(reverse("center_invite"), {"scope": "all"})
    assert response.status_code == 302
    assert Center.objects.count() == 150
    assert wait_until(lambda: len(smtp_server.messages) == 150, timeout=90)
    assert wait_until(lambda: not Invitation.objects.exclude(delivery=Invitation.Delivery.SENT).exists(), timeout=30)
    recipients = smtp_server.recipients()
    assert len(recipients) == len(set(recipients)) == 300
    # A link from a delivered e-mail sets the password, once.
    client.logout()
    link = LINK.search(smtp_server.messages[0].content).group(1).decode()
    password = "Dong-A-2026-moi"
    assert client.post(link, {"new_password1": password, "new_password2": password}).status_code == 302
    client.logout()
    assert client.get(link).status_code == 410
    assert User.objects.filter(role=User.Role.DIRECTOR).exclude(password__startswith="!").count() == 1
