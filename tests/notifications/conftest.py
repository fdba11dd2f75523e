"""Fixtures of the notification tests."""

import pytest


@pytest.fixture
def smtp(settings, smtp_server):
    """The portal's SMTP backend, pointed at the loopback server, as in production."""
    settings.EMAIL_BACKEND = "edu_portal.mail.SmtpEmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    smtp_server.reset()
    yield smtp_server
    smtp_server.reset()
