"""Login protection: the client's address, the lock-out page, and the lock-outs staff lift.

django-axes locks a username *from one address* after AXES_FAILURE_LIMIT failed logins
(AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]). That only protects users if the
address is the client's: behind a reverse proxy REMOTE_ADDR is the proxy's for everyone,
and a lock-out by username alone would let anyone lock any account by typing its name.
So the address comes from the header that the operator's own proxy sets
(DJANGO_TRUSTED_PROXY_HEADER), counted from the right (DJANGO_TRUSTED_PROXY_COUNT), and
never from what the client wrote into that header itself.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import User
from .permissions import may

logger = logging.getLogger(__name__)


# The client's address


def _parse_address(value: str) -> str | None:
    """An IPv4 or IPv6 address in canonical form, or None. Accepts the "1.2.3.4:port" and
    "[2001:db8::1]:port" forms some proxies write."""
    value = value.strip()
    if not value or "\x00" in value:
        return None
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1:value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client as the outermost trusted proxy saw it.

    With no DJANGO_TRUSTED_PROXY_HEADER the socket's REMOTE_ADDR is the client, and any
    forwarding header the client sends is ignored. With one, each of the
    DJANGO_TRUSTED_PROXY_COUNT proxies appends the address it received the request from,
    so the entry that many places from the right is the one the outermost proxy wrote;
    everything left of it was written by the client and proves nothing. A header that is
    missing, too short or unreadable means the request did not come through the proxies
    as configured: the socket's address is used then.

    Used by django-axes (AXES_CLIENT_IP_CALLABLE) and anything else needing the address.
    """
    remote = _parse_address(request.META.get("REMOTE_ADDR", ""))
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    meta_key = "HTTP_" + header.upper().replace("-", "_")
    entries = [entry for entry in request.META.get(meta_key, "").split(",") if entry.strip()]
    count = max(settings.TRUSTED_PROXY_COUNT, 1)
    if len(entries) < count:
        return remote
    return _parse_address(entries[-count]) or remote


# The lock-out page


def cool_off_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request) or timedelta(0)
    return max(1, round(cool_off.total_seconds() / 60))


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a Vietnamese page (429) saying what happened and what to do,
    for the portal's login and the admin's alike."""
    try:
        reset_url = reverse("password_reset")
    except NoReverseMatch:  # the self-service reset may not be installed
        reset_url = ""
    context = {"minutes": cool_off_minutes(request), "reset_url": reset_url, "login_url": reverse("login")}
    return render(request, "accounts/lockout.html", context, status=429)


# Lock-outs staff can see and lift


@dataclass(frozen=True)
class Lockout:
    """One locked pair: a username from one address."""

    username: str
    ip_address: str | None
    failures: int
    last_attempt: datetime
    user: User | None

    @property
    def unlocks_at(self) -> datetime:
        return self.last_attempt + (get_cool_off() or timedelta(0))


def accounts_visible_to(user) -> QuerySet[User]:
    """Accounts whose lock-outs `user` may see: a superuser all; department staff those
    tied to their province through any unit (as accounts.admin.UserAdmin.scope), never
    superusers; anyone else none."""
    if user.is_superuser:
        return User.objects.all()
    if not may(user, "accounts.manage"):
        return User.objects.none()
    province_id = user.province_id
    return User.objects.filter(is_superuser=False).filter(
        Q(province_id=province_id) | Q(commune__parent_id=province_id) | Q(center__province_id=province_id)
    )


def lockout_attempts_visible_to(user) -> QuerySet[AccessAttempt]:
    """Recorded failed logins (within the cool-off) that `user` may see and reset. A
    superuser also sees names that match no account (someone guessing)."""
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    if user.is_superuser:
        return attempts
    return attempts.filter(username__in=accounts_visible_to(user).values("username"))


def lockouts_visible_to(user) -> list[Lockout]:
    """Current lock-outs `user` may lift, newest first: the pairs (username, address)
    whose failures within the cool-off reach AXES_FAILURE_LIMIT, as django-axes counts
    them (summed over user agents). Two queries whatever their number."""
    limit = settings.AXES_FAILURE_LIMIT
    rows = (
        lockout_attempts_visible_to(user)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by("-last_attempt", "username")
    )
    rows = list(rows)
    users = {account.username: account for account in User.objects.filter(username__in={r["username"] for r in rows})}
    return [Lockout(**row, user=users.get(row["username"])) for row in rows]


def lockout_lift(*, by, username: str, ip_address: str | None) -> int:
    """Forget the failed logins of `username` from `ip_address` so they can log in again
    at once. Returns the number of records removed; 0 when the pair is not a lock-out
    `by` may see (the view answers 404 then)."""
    attempts = lockout_attempts_visible_to(by).filter(username=username)
    if ip_address is None:
        attempts = attempts.filter(ip_address__isnull=True)
    else:
        attempts = attempts.filter(ip_address=ip_address)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if failures < settings.AXES_FAILURE_LIMIT:
        return 0
    count, _ = attempts.delete()
    logger.info("Lock-out of %r from %s lifted by %s", username, ip_address, by.get_username())
    return count
