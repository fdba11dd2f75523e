"""Write paths of invitations: accounts made for the people the registry names (a center's
current director, a commune's officer), each with a one-time e-mailed link to choose a
password and log in.

- From any filter of the registry list, staff invite the current director of every
  selected center in one action (invitations_for_centers): the account bound to the
  center and to that Director record is created, or reused when it exists and has no
  password yet; a bounded number of queries whatever the number of centers (bulk writes,
  no query per center), and the e-mails are queued to the worker in batches once the
  transaction commits, never sent in the request.
- A resend is a new invitation that supersedes the open one (one open invitation per
  account, a database constraint).
- The link's token is never stored (accounts.models.Invitation): the worker recomputes it
  from the row's salt and SECRET_KEY; the broker carries ids only. Links use PORTAL_URL,
  since a worker has no request.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from centers.choices import CenterStatus
from centers.models import Center, Director
from edu_portal.mail import EmailMessage, templated_message
from geo.models import AdministrativeUnit
from geo.text import fold

from .models import INVITATION_VALID_DAYS, Invitation, User, change_reason
from .services import _person, user_grant_check

logger = logging.getLogger(__name__)

# Invitations per worker task: one SMTP connection sends a batch.
SEND_BATCH = 100
# A center in these states gets no new account (its director's reads for 90 days: lifecycle).
CLOSED_STATUSES = (CenterStatus.STOPPED, CenterStatus.DISSOLVED)
_TOKEN_SALT = "accounts.Invitation"


# Tokens


def invitation_token(invitation: Invitation) -> str:
    """The secret of the link: an HMAC of the row's salt with SECRET_KEY (64 hex digits)."""
    return salted_hmac(_TOKEN_SALT, invitation.salt, algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_link(invitation: Invitation) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse("invitation_accept", args=[invitation_token(invitation)])


def _new_invitation(user: User, sent_to: list[str], by: User | None, now: datetime.datetime) -> Invitation:
    invitation = Invitation(
        user=user, sent_to=sent_to, created_by=by, created_at=now,
        expires_at=now + datetime.timedelta(days=INVITATION_VALID_DAYS), salt=secrets.token_hex(32),
    )
    invitation.token_hash = token_hash(invitation_token(invitation))
    return invitation


def invitation_find(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state; None for a token nobody issued."""
    if not token or len(token) > 128:
        return None
    return (Invitation.objects.select_related("user__center", "user__commune", "created_by")
            .filter(token_hash=token_hash(token)).first())


# Addresses and usernames


def addresses(*candidates: str) -> list[str]:
    """Distinct non-empty addresses, in order, compared without case."""
    seen, result = set(), []
    for address in candidates:
        address = (address or "").strip()
        if address and address.casefold() not in seen:
            seen.add(address.casefold())
            result.append(address)
    return result


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", fold(value)).strip("-.") or "x"


class UsernameMaker:
    """Usernames nobody has to remember (the e-mail shows it; e-mail login works too):
    `gd<province code>.<center code>` for a director, `cb.<commune code>` for an officer,
    with -2, -3... when taken. Existing names are read once per prefix."""

    def __init__(self, prefixes: set[str]):
        taken = Q()
        for prefix in prefixes:
            taken |= Q(username__istartswith=prefix)
        self.taken = {name.lower() for name in User.objects.filter(taken).values_list("username", flat=True)} \
            if prefixes else set()

    def make(self, base: str) -> str:
        base = base[:140]
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}-{n}"
        self.taken.add(name)
        return name


def director_username_prefix(province_code: str) -> str:
    return f"gd{_slug(province_code)}."


def officer_username_prefix() -> str:
    return "cb."


# Queueing the e-mails


def _queue(invitation_ids: list[int]) -> None:
    """Once committed, hand the e-mails to the worker in batches."""
    from .tasks import invitations_send_task

    for start in range(0, len(invitation_ids), SEND_BATCH):
        batch = invitation_ids[start:start + SEND_BATCH]

        def send(batch=batch):
            try:
                invitations_send_task.delay(batch)
            except Exception:  # broker down: the rows stay "queued" and staff can resend
                logger.exception("Could not queue %d invitation e-mails", len(batch))

        transaction.on_commit(send)


# Inviting the directors of centers


@dataclass
class CenterInviteResult:
    """What one "invite the directors" action did, for the message staff read."""

    invitations: list[Invitation] = field(default_factory=list)
    accounts_created: int = 0
    no_director: list[str] = field(default_factory=list)  # center codes
    no_address: list[str] = field(default_factory=list)
    has_account: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.invitations)


def _same_person(name_a: str, name_b: str) -> bool:
    return bool(name_a) and fold(name_a) == fold(name_b)


def _director_account(accounts: list[User], director: Director) -> User | None:
    """The account of `director` among its center's active accounts: the one bound to
    the record, else one made before accounts followed the registry (bound to none, its
    access open) when nothing says it is someone else's."""
    for account in accounts:
        if account.director_id == director.pk:
            return account
    for account in accounts:
        if account.director_id is None and account.access_ends_on is None and (
            not account.full_name or _same_person(account.full_name, director.full_name)
        ):
            return account
    return None


@transaction.atomic
def invitations_for_centers(*, centers: QuerySet[Center], by: User, now: datetime.datetime | None = None,
                            queue: bool = True) -> CenterInviteResult:
    """Invite the current director of each of `centers` (already scoped to `by`).

    Per center: no current director, a center stopped or dissolved, or no address (the
    director's nor the center's) is skipped and reported; an account that already has a
    password is left alone (its owner uses "Quên mật khẩu?"). Otherwise the account bound
    to the center (role director, the director's address or else the center's) is made
    or reused, its open invitation superseded, and a new one sent to the director's and
    the center's addresses. Queries: a fixed number, plus the batches of the bulk inserts."""
    now = now or timezone.now()
    result = CenterInviteResult()
    center_ids = centers.order_by().values("pk")
    directors = list(
        Director.objects.filter(center__in=center_ids, ended_on__isnull=True)
        .select_related("center__province").order_by("center__code", "center_id")
    )
    with_director = {d.center_id for d in directors}
    result.no_director = list(
        Center.objects.filter(pk__in=center_ids).exclude(pk__in=with_director).order_by("code")
        .values_list("code", flat=True)
    ) if len(with_director) < centers.count() else []
    accounts_by_center: dict[int, list[User]] = defaultdict(list)
    for account in User.objects.filter(role=User.Role.DIRECTOR, center__in=center_ids, is_active=True).order_by("pk"):
        accounts_by_center[account.center_id].append(account)
    usernames = UsernameMaker({director_username_prefix(d.center.province.code) for d in directors})

    new_accounts: list[User] = []
    changed_accounts: list[User] = []
    invitations: list[Invitation] = []
    reused_ids: list[int] = []
    for director in directors:
        center = director.center
        if center.status in CLOSED_STATUSES:
            result.closed.append(center.code)
            continue
        sent_to = addresses(director.email, center.email)
        if not sent_to:
            result.no_address.append(center.code)
            continue
        account = _director_account(accounts_by_center[center.pk], director)
        if account is not None and account.has_usable_password():
            result.has_account.append(center.code)
            continue
        if account is None:
            account = User(
                username=usernames.make(director_username_prefix(center.province.code) + _slug(center.code)),
                role=User.Role.DIRECTOR, center=center, province=center.province, director=director,
                full_name=director.full_name, email=sent_to[0], date_joined=now,
            )
            account.set_unusable_password()
            account.search_text = account.folded_text()
            try:
                user_grant_check(actor=by, user=account)
            except ValidationError:
                result.refused.append(center.code)
                continue
            new_accounts.append(account)
        else:
            changed = False
            if account.director_id != director.pk:
                account.director = director
                changed = True
            if not account.email:
                account.email = sent_to[0]
                account.search_text = account.folded_text()
                changed = True
            if changed:
                account._change_reason = change_reason(
                    _("Gắn với giám đốc %(name)s trong sổ đăng ký khi gửi lời mời") % {"name": director.full_name})
                changed_accounts.append(account)
            reused_ids.append(account.pk)
        invitations.append(_new_invitation(account, sent_to, by, now))

    if new_accounts:
        created = bulk_create_with_history(
            new_accounts, User, default_user=by,
            default_change_reason=_("Tạo tài khoản giám đốc để gửi lời mời"), default_date=now,
        )
        for account, saved in zip(new_accounts, created, strict=True):
            account.pk = saved.pk
        result.accounts_created = len(new_accounts)
    if changed_accounts:
        bulk_update_with_history(changed_accounts, User, ["director", "email", "search_text"], default_user=by)
    if reused_ids:
        _supersede(reused_ids, now)
    for invitation in invitations:
        invitation.user_id = invitation.user.pk
    result.invitations = Invitation.objects.bulk_create(invitations)
    if queue:
        _queue([invitation.pk for invitation in result.invitations])
    return result


def _supersede(user_ids: list[int], now: datetime.datetime,
               reason: str = Invitation.Revoked.SUPERSEDED) -> int:
    return Invitation.objects.filter(
        user_id__in=user_ids, accepted_at__isnull=True, revoked_at__isnull=True,
    ).update(revoked_at=now, revoked_reason=reason)


def invitations_revoke(*, user_ids: list[int], reason: str, now: datetime.datetime | None = None) -> int:
    """Close the open invitations of these accounts (their access ended, they were
    deactivated): their links then say so."""
    return _supersede(user_ids, now or timezone.now(), reason)


# One account


class InvitationRefused(ValueError):
    """An invitation this account cannot get; the message says why, in Vietnamese."""


def invitation_send(*, user: User, by: User, now: datetime.datetime | None = None) -> Invitation:
    """Invite (or invite again) one account that has no password yet: its open invitation
    is superseded and a new one e-mailed to its address (and, for a director, to the
    center's registered address too)."""
    now = now or timezone.now()
    if not user.is_active:
        raise InvitationRefused(_("Tài khoản đã bị khoá; hãy mở khoá trước khi mời."))
    if user.access_ended():
        raise InvitationRefused(_("Tài khoản đã hết quyền truy cập; hãy mời người đang giữ chức."))
    if user.has_usable_password():
        raise InvitationRefused(_(
            "Người dùng đã tự đặt mật khẩu. Nếu họ quên, hãy gửi liên kết đặt lại mật khẩu."
        ))
    center_email = user.center.email if user.role == User.Role.DIRECTOR and user.center_id else ""
    sent_to = addresses(user.email, center_email)
    if not sent_to:
        raise InvitationRefused(_("Tài khoản chưa có địa chỉ e-mail."))
    with transaction.atomic():
        _supersede([user.pk], now)
        invitation = _new_invitation(user, sent_to, by, now)
        invitation.save()
        _queue([invitation.pk])
    return invitation


def center_director_invite(*, center: Center, by: User) -> CenterInviteResult:
    """Invite (again) the current director of one center: the button of its page."""
    return invitations_for_centers(centers=Center.objects.filter(pk=center.pk), by=by)


@transaction.atomic
def officer_invite(*, commune: AdministrativeUnit, full_name: str, email: str, by: User) -> Invitation:
    """Invite a commune's officer: an account (role local officer, the commune) is made
    for the address, or the commune's account with that address reused if it has no
    password yet. The actor's limits (user_grant_check) apply: another province's
    commune is refused."""
    existing = User.objects.filter(
        role=User.Role.LOCAL_OFFICER, commune=commune, email__iexact=email, is_active=True,
    ).first()
    if existing is not None:
        if existing.has_usable_password():
            raise InvitationRefused(_(
                "Địa chỉ này đã có tài khoản cán bộ của xã/phường (%(username)s). Nếu họ quên mật khẩu, "
                "hãy gửi liên kết đặt lại mật khẩu."
            ) % {"username": existing.username})
        return invitation_send(user=existing, by=by)
    usernames = UsernameMaker({officer_username_prefix() + _slug(commune.code)})
    user = User(
        username=usernames.make(officer_username_prefix() + _slug(commune.code)), role=User.Role.LOCAL_OFFICER,
        commune=commune, province_id=commune.parent_id, full_name=full_name, email=email,
    )
    user.set_unusable_password()
    user_grant_check(actor=by, user=user)
    user._history_user = by
    user._change_reason = _("Tạo tài khoản cán bộ xã/phường để gửi lời mời")
    user.save()
    invitation = _new_invitation(user, [email], by, timezone.now())
    invitation.save()
    _queue([invitation.pk])
    return invitation


# Accepting


class InvitationUnusable(Exception):
    """The link cannot be used (any more); `state` says why (Invitation.State)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def invitation_usable_state(invitation: Invitation, now: datetime.datetime | None = None) -> str:
    """PENDING when the link may set the password now; otherwise why not."""
    state = invitation.state(now)
    if state == Invitation.State.PENDING and (not invitation.user.is_active or invitation.user.access_ended()):
        return Invitation.State.REVOKED
    return state


@transaction.atomic
def invitation_accept(*, invitation: Invitation, form) -> User:
    """The person chose a password (`form`: a SetPasswordForm of the invitation's user,
    valid): save it, mark the invitation used, and tell whoever sent it. The row is
    locked first, so two tabs posting at once cannot both use one link."""
    now = timezone.now()
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    state = invitation_usable_state(locked, now)
    if state != Invitation.State.PENDING:
        raise InvitationUnusable(state)
    user = form.user
    user._history_user = user
    user._change_reason = _("Nhận lời mời, tự đặt mật khẩu")
    form.save()
    Invitation.objects.filter(pk=locked.pk).update(accepted_at=now)
    locked.accepted_at = now
    _notify_inviter(locked)
    return user


def _notify_inviter(invitation: Invitation) -> None:
    """"Invitation accepted", to the staff member who sent it: a notice in the bell and an
    e-mail, recorded once (notifications.services.notice_send), inside this transaction."""
    from notifications.services import notice_send

    inviter = invitation.created_by
    if inviter is None or not inviter.is_active:
        return
    user = invitation.user
    unit = user.center if user.role == User.Role.DIRECTOR and user.center_id else user.commune
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(name)s đã nhận lời mời và có tài khoản") % {"name": user.full_name or user.username}
        body = _(
            "%(name)s (%(role)s%(unit)s) đã nhận lời mời gửi lúc %(sent)s và tự đặt mật khẩu lúc %(at)s. "
            "Tên đăng nhập: %(username)s."
        ) % {
            "name": user.full_name or user.username, "role": user.get_role_display(),
            "unit": f", {unit}" if unit else "", "username": user.username,
            "sent": _local(invitation.created_at).strftime("%H:%M %d/%m/%Y"),
            "at": _local(invitation.accepted_at).strftime("%H:%M %d/%m/%Y"),
        }
    notice_send(key=f"notice:invitation-accepted:{invitation.pk}", users=[inviter], subject=subject, body=body,
                link=reverse("account_detail", args=[user.pk]))


# Delivering (the worker)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE))


def invitation_message(invitation: Invitation, connection=None) -> EmailMessage:
    user = invitation.user
    context = {
        "user": user,
        "unit": user.center if user.role == User.Role.DIRECTOR else user.commune,
        "invited_by": _person(invitation.created_by) if invitation.created_by else "",
        "link": invitation_link(invitation),
        "expires_at": _local(invitation.expires_at).strftime("%H:%M %d/%m/%Y"),
        "login_url": settings.PORTAL_URL.rstrip("/") + reverse("login"),
        "valid_days": INVITATION_VALID_DAYS,
    }
    return templated_message("accounts/invitation", context, to=list(invitation.sent_to), connection=connection)


def invitations_deliver(invitation_ids: list[int]) -> int:
    """Send the e-mails of a batch of invitations, at most once each: the batch is
    claimed (queued -> sent, stamped with this call's time) before anything is sent, so
    a redelivered task or a second worker finds nothing left. Superseded, used or
    expired invitations are not sent. Returns the number sent."""
    now = timezone.now()
    Invitation.objects.filter(
        pk__in=invitation_ids, delivery=Invitation.Delivery.QUEUED,
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
    ).update(delivery=Invitation.Delivery.SENT, sent_at=now)
    claimed = list(
        Invitation.objects.filter(pk__in=invitation_ids, delivery=Invitation.Delivery.SENT, sent_at=now)
        .select_related("user__center", "user__commune", "created_by").order_by("pk")
    )
    if not claimed:
        return 0
    failed = []
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        logger.exception("SMTP connection failed; %d invitations not sent", len(claimed))
        Invitation.objects.filter(pk__in=[i.pk for i in claimed]).update(delivery=Invitation.Delivery.FAILED)
        return 0
    try:
        for invitation in claimed:
            try:
                invitation_message(invitation, connection).send()
            except Exception:  # this one is lost; staff see "failed" and resend
                logger.exception("Invitation e-mail %s could not be sent", invitation.pk)
                failed.append(invitation.pk)
    finally:
        connection.close()
    if failed:
        Invitation.objects.filter(pk__in=failed).update(delivery=Invitation.Delivery.FAILED)
    return len(claimed) - len(failed)
