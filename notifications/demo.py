"""The demo's notices: seed_demo makes them through the real services (a report
returned, accepted, a request for more time refused, tasks assigned, a task reopened),
inside `demo_notices()`, which keeps them out of the mail.

Why no e-mail: the demo tells events of the past months (a directive issued 90 days ago,
reports reviewed last year); mailing them now would announce them as new, and they are
many (a task given to every language center mails about a hundred center addresses),
which would bury the console of `make run` under mail nobody asked for, or, with
REDIS_URL set, flood the worker and the SMTP server. The bell shows them, dated when
they happened; the mail that the demo shows is that of `send_reminders`."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import Notification
from .services import notices_without_mail

DEMO_DETAIL = "demo seed: recorded without e-mail"
DEMO_USERNAMES = ("sogd", "thanhtra", "giamdoc", "canboxa")


@contextmanager
def demo_notices():
    """Record the notices of whatever runs inside, without e-mail (see the module)."""
    with notices_without_mail(DEMO_DETAIL):
        yield


def notices_backdate(keys, when: datetime.datetime) -> int:
    """Date the notices of `keys` when their event happened (the services stamp the
    real time; the demo moves it to the planned day, as it does for reviews and
    progress reports)."""
    return Notification.objects.filter(key__in=list(keys)).update(created_at=when)


def notices_summary() -> list[str]:
    """The line seed_demo prints: how many notices each demo account's bell holds."""
    counts = dict(
        Notification.objects.filter(recipient__username__in=DEMO_USERNAMES).values("recipient__username")
        .annotate(n=Count("pk")).values_list("recipient__username", "n")
    )
    parts = ", ".join(f"{name} {counts.get(name, 0)}" for name in DEMO_USERNAMES)
    return [_("Thông báo trong chuông của các tài khoản demo (không gửi thư): %(parts)s.") % {"parts": parts}]
