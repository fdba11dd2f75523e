"""Read paths of accounts: the accounts staff manage, with what each list row shows in one
query (invitation state, failed logins), and the accounts hanging on a center or a commune.

Which accounts a user may manage is accounts.security.accounts_visible_to (one rule with
the lock-out pages and the admin's UserAdmin.scope)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from axes.models import AccessAttempt
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Invitation, User
from .security import accounts_visible_to

HISTORY_ROWS = 5


def users_with_access(today: datetime.date | None = None) -> QuerySet[User]:
    """Accounts that may still use the portal today: active, and not past the day their
    access ends (a replaced director, a stopped center) even before the nightly
    deactivation has run. Whom reminders and notices reach."""
    today = today or timezone.localdate()
    return User.objects.filter(is_active=True).filter(Q(access_ends_on__isnull=True) | Q(access_ends_on__gte=today))


def has_password_q() -> Q:
    """Accounts whose owner set a password (an invitation accepted, or a reset link used)."""
    return ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def open_invitation_q(now: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Invitations that still work: neither used nor closed, and not expired."""
    now = now or timezone.now()
    return Q(**{f"{prefix}accepted_at__isnull": True, f"{prefix}revoked_at__isnull": True,
                f"{prefix}expires_at__gt": now})


def with_account_state(accounts: QuerySet[User], now: datetime.datetime | None = None) -> QuerySet[User]:
    """Annotate what an account row shows, in the same query: the latest invitation's
    dates and the failed logins django-axes holds for the username."""
    now = now or timezone.now()
    latest = Invitation.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-pk")
    failures = (AccessAttempt.objects.filter(username=OuterRef("username")).order_by()
                .values("username").annotate(total=Sum("failures_since_start")).values("total"))
    return accounts.annotate(
        invited_at=Subquery(latest.values("created_at")[:1]),
        invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        invitation_accepted_at=Subquery(latest.values("accepted_at")[:1]),
        invitation_revoked_at=Subquery(latest.values("revoked_at")[:1]),
        invitation_delivery=Subquery(latest.values("delivery")[:1]),
        failed_logins=Coalesce(Subquery(failures, output_field=IntegerField()), Value(0)),
    )


def account_list(user, now: datetime.datetime | None = None) -> QuerySet[User]:
    """The accounts `user` manages, for the list page: scoped, joined, annotated."""
    return with_account_state(
        accounts_visible_to(user).select_related("province", "commune", "center"), now,
    ).order_by("-is_active", "role", "username")


def account_get(user, pk: int) -> User:
    """One account `user` manages, or 404 (another province's, a superuser's...)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(account_list(user), pk=pk)


def invitation_filter_q(value: str, now: datetime.datetime | None = None) -> Q:
    """The account list's "Lời mời" filter, as a filter on User."""
    now = now or timezone.now()
    no_password = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    any_invitation = Exists(Invitation.objects.filter(user=OuterRef("pk")))
    open_one = Exists(Invitation.objects.filter(open_invitation_q(now), user=OuterRef("pk")))
    return {
        "none": no_password & ~any_invitation,
        "pending": no_password & open_one,
        "expired": no_password & any_invitation & ~open_one,
        "accepted": has_password_q(),
    }[value]


def account_history(accounts: Iterable[User], limit: int = HISTORY_ROWS) -> dict[int, list]:
    """The latest rows of each account's history that carry a reason or an author
    (simple-history), newest first: one query for any number of accounts."""
    ids = [account.pk for account in accounts]
    rows: dict[int, list] = defaultdict(list)
    if not ids:
        return rows
    records = (User.history.filter(id__in=ids).select_related("history_user")
               .order_by("-history_date", "-history_id"))
    for record in records:
        if len(rows[record.id]) < limit:
            rows[record.id].append(record)
    return rows


def center_accounts(user, center) -> list[User]:
    """The accounts bound to a center that `user` manages, newest first, with their
    invitations (two queries)."""
    return list(
        with_account_state(accounts_visible_to(user).filter(center=center))
        .select_related("director")
        .prefetch_related(Prefetch("invitations", queryset=Invitation.objects.order_by("-created_at", "-pk")))
        .order_by("-is_active", "-date_joined", "-pk")
    )


def commune_list(user) -> QuerySet:
    """The communes of the user's province (every one for a superuser), annotated with
    whether an active officer account is tied to each, for the communes page."""
    from centers.selectors import communes_visible_to

    officer = User.objects.filter(role=User.Role.LOCAL_OFFICER, commune=OuterRef("pk"), is_active=True)
    return communes_visible_to(user).select_related("parent").annotate(
        has_officer=Exists(officer),
    ).order_by("name_folded", "pk")


def officers_by_commune(user, communes: Iterable, now: datetime.datetime | None = None) -> dict[int, list[User]]:
    """The officer accounts of these communes that `user` manages (one query)."""
    result: dict[int, list[User]] = defaultdict(list)
    commune_ids = [commune.pk for commune in communes]
    if not commune_ids:
        return result
    accounts = with_account_state(
        accounts_visible_to(user).filter(role=User.Role.LOCAL_OFFICER, commune_id__in=commune_ids), now,
    ).order_by("-is_active", "username")
    for account in accounts:
        result[account.commune_id].append(account)
    return result


def account_state(account: User, now: datetime.datetime | None = None) -> tuple[str, str]:
    """(label, badge colour) of an account as its row shows it. Needs the annotations of
    with_account_state."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    today = timezone.localdate(now)
    if not account.is_active:
        return _("Đã khoá"), "secondary"
    if account.access_ends_on and today > account.access_ends_on:
        return _("Hết quyền truy cập"), "dark"
    if account.has_usable_password():
        if account.access_ends_on:
            return _("Hoạt động đến hết %(day)s") % {"day": account.access_ends_on.strftime("%d/%m/%Y")}, "warning"
        return _("Đang hoạt động"), "success"
    invited = getattr(account, "invited_at", None)
    if invited is None:
        return _("Chưa mời"), "light border"
    if account.invitation_accepted_at is None and account.invitation_revoked_at is None \
            and account.invitation_expires_at > now:
        return _("Đã mời, chờ nhận"), "info"
    if account.invitation_revoked_at is not None:
        return _("Lời mời đã huỷ"), "secondary"
    return _("Lời mời hết hạn"), "danger"

