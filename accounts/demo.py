"""What the demo shows of account security: a lock-out that department staff can lift.

The demo director's username is locked from an address of the documentation range
(203.0.113.0/24, RFC 5737), as if someone elsewhere had guessed at the password: the
director still logs in from their own machine, and `sogd` sees the lock-out at
/accounts/lockouts/ for the hour it lasts (a re-run of seed_demo starts the hour again)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

GUESSER_ADDRESS = "203.0.113.7"


def lockout_seed(*, username: str = "giamdoc") -> int:
    """One locked pair (username, foreign address); idempotent. Returns 1 when created."""
    _attempt, created = AccessAttempt.objects.update_or_create(
        username=username, ip_address=GUESSER_ADDRESS, user_agent="Mozilla/5.0 (demo)",
        defaults={
            "attempt_time": timezone.now(), "failures_since_start": settings.AXES_FAILURE_LIMIT,
            "path_info": "/accounts/login/", "http_accept": "text/html", "get_data": "", "post_data": "",
        },
    )
    return int(created)
