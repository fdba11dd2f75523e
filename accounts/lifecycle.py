"""Accounts that follow the registry: what happens to the accounts of a center when the
registry records a new director, or the center stops or is dissolved.

Called by the registry's own write paths (centers.services.director_appoint and
center_set_status, the center admin's director rows, the import), never from signals:

- a director's tenure ends (a new director recorded): the accounts of that director keep
  their access until the day the tenure ends (Director.ended_on) and see nothing from the
  next day (centers.selectors.scope_q); their open invitations are closed. The new
  director is *offered* an invitation on the center's page (accounts.panels), not sent
  one automatically: staff check the new director's address first, and the registry list
  invites every such center at once ("Tài khoản giám đốc: chưa có").
- a center stops or is dissolved: its accounts can read for CLOSED_READ_DAYS days, then
  end; a center that operates again gives them back their access.
- every night (accounts.tasks.accounts_expire_task, or `manage.py expire_accounts`)
  accounts whose access ended are deactivated; idempotent.

Each change is a row of the account's history (simple-history) with its reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from centers.choices import CenterStatus
from centers.models import Center, Director
from geo.text import fold

from .models import AccessEndReason, Invitation, User, change_reason

CLOSED_READ_DAYS = 90
CLOSED_STATUSES = (CenterStatus.STOPPED, CenterStatus.DISSOLVED)
_FIELDS = ["access_ends_on", "access_end_reason", "director"]


def _same_person(a: Director | User, b: Director) -> bool:
    """A re-appointment recorded as a new Director row: same name, and no two different
    addresses to tell them apart."""
    same_name = bool(a.full_name) and fold(a.full_name) == fold(b.full_name)
    emails = {e.casefold() for e in (a.email, b.email) if e}
    return same_name and len(emails) <= 1


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _close_invitations(accounts: list[User], reason: str) -> None:
    if accounts:
        Invitation.objects.filter(
            user_id__in=[a.pk for a in accounts], accepted_at__isnull=True, revoked_at__isnull=True,
        ).update(revoked_at=timezone.now(), revoked_reason=reason)


@transaction.atomic
def director_tenures_ended(*, directors: Iterable[Director], by: User | None = None,
                           adopt_unbound: bool = True) -> list[User]:
    """The registry ended these directors' tenures (ended_on set): their accounts keep
    access until ended_on, then end (AccessEndReason.TERM_ENDED).

    With `adopt_unbound` (the director was the current one until this change), accounts
    of the center bound to no Director record (made before accounts followed the
    registry) are taken as this director's, unless their name is the new current
    director's. A new Director row for the same person (a re-appointment) moves the
    accounts to it instead. A fixed number of queries for any number of directors.
    Returns the accounts changed."""
    ended = {d.pk: d for d in directors if d.ended_on}
    if not ended:
        return []
    center_ids = {d.center_id for d in ended.values()}
    current = {d.center_id: d for d in Director.objects.filter(center_id__in=center_ids, ended_on__isnull=True)}
    latest_ended: dict[int, Director] = {}
    for director in ended.values():
        known = latest_ended.get(director.center_id)
        if known is None or director.ended_on > known.ended_on:
            latest_ended[director.center_id] = director
    accounts = User.objects.filter(role=User.Role.DIRECTOR, center_id__in=center_ids, is_active=True)
    changed, ending = [], []
    for account in accounts.order_by("pk"):
        own = ended.get(account.director_id)
        new = current.get(account.center_id)
        if account.director_id is None and adopt_unbound and account.access_ends_on is None:
            if new is not None and account.full_name and fold(account.full_name) == fold(new.full_name):
                account.director = new
                account._change_reason = change_reason(
                    _("Gắn với giám đốc %(name)s trong sổ đăng ký") % {"name": new.full_name})
                changed.append(account)
                continue
            own = latest_ended.get(account.center_id)
        if own is None:
            continue
        if new is not None and new.pk != own.pk and _same_person(own, new):
            account.director = new
            account._change_reason = change_reason(
                _("Giám đốc %(name)s được công nhận lại: tài khoản giữ nguyên quyền") % {"name": new.full_name})
            changed.append(account)
            continue
        if account.access_ends_on is not None and account.access_ends_on <= own.ended_on \
                and account.access_end_reason != AccessEndReason.TERM_ENDED:
            continue  # an earlier end (the center closed) stands
        if account.access_ends_on == own.ended_on and account.director_id == own.pk:
            continue
        account.director = own
        account.access_ends_on = own.ended_on
        account.access_end_reason = AccessEndReason.TERM_ENDED
        account._change_reason = change_reason(_(
            "Hết nhiệm kỳ giám đốc: quyền truy cập đến hết ngày %(day)s%(successor)s"
        ) % {"day": _date(own.ended_on),
             "successor": _(" (giám đốc mới: %(name)s)") % {"name": new.full_name} if new else ""})
        changed.append(account)
        ending.append(account)
    if changed:
        bulk_update_with_history(changed, User, _FIELDS, default_user=by)
    _close_invitations(ending, Invitation.Revoked.ACCESS_ENDED)
    return changed


@transaction.atomic
def center_status_recorded(*, center: Center, status: str, effective_on: datetime.date,
                           by: User | None = None) -> list[User]:
    """A center's status changed (centers.services.center_set_status). Stopped or
    dissolved: its accounts read for CLOSED_READ_DAYS days from `effective_on`, then end.
    Operating again: the access taken for the closure is given back. Returns the
    accounts changed."""
    accounts = list(User.objects.filter(center=center, is_active=True).order_by("pk"))
    changed = []
    if status in CLOSED_STATUSES:
        ends_on = effective_on + datetime.timedelta(days=CLOSED_READ_DAYS)
        for account in accounts:
            if account.access_ends_on is not None and account.access_ends_on <= ends_on:
                continue
            account.access_ends_on = ends_on
            account.access_end_reason = AccessEndReason.CENTER_CLOSED
            account._change_reason = change_reason(_(
                "Trung tâm %(status)s từ %(since)s: chỉ xem, quyền truy cập đến hết ngày %(day)s"
            ) % {"status": CenterStatus(status).label.lower(), "since": _date(effective_on), "day": _date(ends_on)})
            changed.append(account)
        _close_invitations(changed, Invitation.Revoked.ACCESS_ENDED)
    else:
        for account in accounts:
            if account.access_end_reason != AccessEndReason.CENTER_CLOSED:
                continue
            account.access_ends_on = None
            account.access_end_reason = ""
            account._change_reason = change_reason(
                _("Trung tâm hoạt động trở lại từ %(since)s: có lại quyền truy cập") % {"since": _date(effective_on)})
            changed.append(account)
    if changed:
        bulk_update_with_history(changed, User, _FIELDS, default_user=by)
    return changed


def accounts_past_access(today: datetime.date | None = None):
    """Active accounts whose access ended before `today` (superusers never end)."""
    today = today or timezone.localdate()
    return User.objects.filter(is_active=True, is_superuser=False, access_ends_on__lt=today)


@transaction.atomic
def accounts_expire(*, today: datetime.date | None = None) -> int:
    """Deactivate the accounts whose access ended (the nightly task and `expire_accounts`):
    one history row each with the reason; their open invitations are closed. Idempotent:
    a second run finds nothing. Returns the number deactivated."""
    today = today or timezone.localdate()
    accounts = list(accounts_past_access(today).order_by("pk"))
    reasons = dict(AccessEndReason.choices)
    for account in accounts:
        account.is_active = False
        account._change_reason = change_reason(_("Tự động khoá: hết quyền truy cập sau ngày %(day)s (%(why)s)") % {
            "day": _date(account.access_ends_on), "why": str(reasons.get(account.access_end_reason, "")).lower()})
    if accounts:
        bulk_update_with_history(accounts, User, ["is_active"])
    _close_invitations(accounts, Invitation.Revoked.DEACTIVATED)
    return len(accounts)

