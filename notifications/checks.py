"""Deployment checks of the mail settings: mail that says @localhost or links to
127.0.0.1 reaches people broken (spam filters, dead links)."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning

from edu_portal.mail import local_host


def mail_settings_check(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    warnings = []
    sender = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1]
    if local_host(sender.rpartition("@")[2]):
        warnings.append(Warning(
            f"DEFAULT_FROM_EMAIL is {sender!r}: mail from a local address is often refused or marked as spam.",
            hint="Set PORTAL_URL to the portal's public address, or DEFAULT_FROM_EMAIL.",
            id="notifications.W001",
        ))
    if local_host(urlsplit(settings.PORTAL_URL).hostname or ""):
        warnings.append(Warning(
            f"PORTAL_URL is {settings.PORTAL_URL!r}: links in e-mails will not work for their readers.",
            hint="Set PORTAL_URL to the portal's public address, e.g. https://cong.sogd.example.gov.vn.",
            id="notifications.W002",
        ))
    return warnings
