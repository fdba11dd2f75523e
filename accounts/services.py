"""Write paths of accounts with rules: what staff may grant, the record and the notice of a
change of someone's access, and the links people set their own password with.

Nobody sets another person's password. An account is created without one (unusable) and
its owner receives a one-time link; staff who want someone to choose a new password send
such a link too. The link carries Django's password reset token: it expires after
PASSWORD_RESET_TIMEOUT and stops working once the password has changed (or the person has
logged in), so it works once.
"""

from __future__ import annotations

import logging
import unicodedata
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from edu_portal.mail import EmailMessage, templated_message

from .models import User

logger = logging.getLogger(__name__)

# What the person is told about, in this order, when it changes on their account. The
# e-mail address is there too: a link to reset the password goes to it, so moving it is
# as much a change of access as the role (the notice goes to the previous address).
ACCESS_FIELDS: dict[str, Any] = {
    "role": gettext_lazy("Vai trò"),
    "province": gettext_lazy("Tỉnh/thành phố"),
    "commune": gettext_lazy("Xã/phường"),
    "center": gettext_lazy("Trung tâm"),
    "division": gettext_lazy("Phòng, ban"),
    "is_staff": gettext_lazy("Được vào trang quản trị dữ liệu"),
    "is_superuser": gettext_lazy("Toàn quyền quản trị hệ thống"),
    "is_active": gettext_lazy("Tài khoản được phép đăng nhập"),
    "email": gettext_lazy("Địa chỉ e-mail"),
}
_UNIT_FIELDS = ("province", "commune", "center", "division")


# What staff may grant


def user_grant_check(*, actor: User, user: User) -> None:
    """Refuse, with a ValidationError by field, an account that `actor` may not give:

    - the admin flag (is_staff) belongs to Department staff only (superusers keep theirs);
    - anyone but a superuser never sets the superuser flag, and never ties an account to
      a unit outside their own province, nor leaves it tied to none (out of their sight).
    Groups and per-model permissions are not in staff's forms at all (edu_portal.admin)."""
    errors: dict[str, list] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if user.is_staff and not user.is_superuser and user.role != User.Role.DEPARTMENT:
        refuse("is_staff", _(
            "Chỉ tài khoản có vai trò “Chuyên viên Sở GDĐT” mới được vào trang quản trị dữ liệu. "
            "Hãy bỏ chọn mục này, hoặc đổi vai trò nếu người này là chuyên viên của Sở."
        ))
    if not actor.is_superuser:
        if user.is_superuser:
            refuse(NON_FIELD_ERRORS, _("Chỉ quản trị hệ thống mới cấp được toàn quyền quản trị."))
        province_id = actor.province_id
        unit_provinces = {
            "province": user.province_id,
            "commune": user.commune.parent_id if user.commune_id else None,
            "center": user.center.province_id if user.center_id else None,
            "division": user.division.province_id if user.division_id else None,
        }
        for field, unit_province in unit_provinces.items():
            if unit_province is not None and unit_province != province_id:
                refuse(field, _("Chỉ được chọn đơn vị thuộc tỉnh/thành phố của Sở mình."))
        if province_id is None or province_id not in unit_provinces.values():
            refuse(NON_FIELD_ERRORS, _("Tài khoản phải gắn với một đơn vị thuộc tỉnh/thành phố của Sở mình."))
    if errors:
        raise ValidationError(errors)


# Changes of access, recorded and told


@dataclass(frozen=True)
class AccessChange:
    """One field of ACCESS_FIELDS that a save changed (raw values: ids, codes, flags)."""

    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return str(ACCESS_FIELDS[self.field])

    @property
    def old_text(self) -> str:
        return _describe(self.field, self.old)

    @property
    def new_text(self) -> str:
        return _describe(self.field, self.new)


def _attname(field: str) -> str:
    return User._meta.get_field(field).attname


def access_state(user: User) -> dict[str, Any]:
    """The values of ACCESS_FIELDS on `user` as it is in memory (FKs as ids)."""
    return {field: getattr(user, _attname(field)) for field in ACCESS_FIELDS}


def stored_access_state(pk: int) -> dict[str, Any]:
    """The values of ACCESS_FIELDS as stored (before a form's changes are saved)."""
    row = User.objects.filter(pk=pk).values(*(_attname(field) for field in ACCESS_FIELDS)).get()
    return {field: row[_attname(field)] for field in ACCESS_FIELDS}


def access_changes(before: dict[str, Any], user: User) -> list[AccessChange]:
    def same(old, new) -> bool:
        # A blank role or address and a missing one are the same thing.
        return old == new or (old in ("", None) and new in ("", None))

    after = access_state(user)
    return [AccessChange(field, before[field], after[field]) for field in ACCESS_FIELDS
            if not same(before[field], after[field])]


def _describe(field: str, value: Any) -> str:
    """A value in words, as the person reads it in the e-mail."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if value in (None, ""):
        return _("(không có)")
    if field == "role":
        return str(User.Role(value).label) if value in User.Role.values else value
    if field in _UNIT_FIELDS:
        model = User._meta.get_field(field).related_model
        unit = model._default_manager.filter(pk=value).first()
        return str(unit) if unit is not None else f"#{value}"
    return str(value)


def _person(user: User | None) -> str:
    if user is None:
        return _("hệ thống")
    name = user.full_name or user.username
    role = user.get_role_display() if user.role else (_("quản trị hệ thống") if user.is_superuser else "")
    return f"{name} ({role})" if role else name


def _send_after_commit(message: EmailMessage, what: str) -> None:
    def send():
        try:
            message.send()
        except Exception:  # the change is saved and in the history; this notice is lost, not retried
            logger.exception("Could not send the %s e-mail to %s", what, message.to)

    transaction.on_commit(send)


def user_notify_access_change(*, user: User, changes: list[AccessChange], by: User | None,
                              previous_email: str = "") -> bool:
    """One e-mail to the person listing what changed on their account (old → new, in
    words), who changed it and when. Sent once the change is committed, to the address
    they had and the new one if it changed; nothing when they have none. Returns whether
    an e-mail is queued."""
    addresses = list(dict.fromkeys(address for address in (previous_email, user.email) if address))
    if not changes or not addresses:
        return False
    when = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(settings.TIME_ZONE))
    # The person's language is not known: mail is in the portal's (Vietnamese).
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "changes": [{"label": c.label, "old": c.old_text, "new": c.new_text} for c in changes],
            "changed_by": _person(by),
            "changed_at": when.strftime("%d/%m/%Y %H:%M"),
            "portal_url": settings.PORTAL_URL,
        }
    message = templated_message("accounts/access_change", context, to=addresses[:1], cc=addresses[1:])
    _send_after_commit(message, "access change")
    return True


@transaction.atomic
def user_update(*, user: User, by: User) -> list[AccessChange]:
    """Save an account changed by `by` (the admin's change form): what `by` may grant is
    checked, the change is recorded (history, with `by` as its author) and the person is
    told by e-mail what changed in their access. Returns those changes."""
    before = stored_access_state(user.pk)
    user_grant_check(actor=by, user=user)
    user._history_user = by
    user.save()
    changes = access_changes(before, user)
    user_notify_access_change(user=user, changes=changes, by=by, previous_email=before["email"] or "")
    return changes


@transaction.atomic
def user_create(*, user: User, by: User, domain: str, use_https: bool) -> bool:
    """Create an account for someone else: with no password (unusable), checked like a
    change, recorded with `by` as its author. Once committed, the person gets a link to
    set their own password. Returns whether that link is sent (they have an address)."""
    user.set_unusable_password()
    user_grant_check(actor=by, user=user)
    user._history_user = by
    user.save()
    if not (user.email and user.is_active):
        return False
    transaction.on_commit(lambda: password_link_send(
        user=user, domain=domain, use_https=use_https, new_account=True, sent_by=by,
    ))
    return True


# Password links


def password_link_validity() -> str:
    """How long a link works, in words ("3 ngày"), from PASSWORD_RESET_TIMEOUT."""
    hours = max(settings.PASSWORD_RESET_TIMEOUT // 3600, 1)
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("%(count)d ngày", "%(count)d ngày", days) % {"count": days}
    return ngettext("%(count)d giờ", "%(count)d giờ", hours) % {"count": hours}


def password_link_send(*, user: User, domain: str, use_https: bool, new_account: bool = False,
                       sent_by: User | None = None) -> bool:
    """E-mail `user` a one-time link to choose their own password (the templates
    accounts/password_set_* for a new account, accounts/password_reset_* otherwise).
    Links point at `domain`, the host the request came to. Returns False, sending
    nothing, for an account without an address or not active."""
    if not user.email or not user.is_active:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "email": user.email,
            "domain": domain,
            "site_name": domain,
            "protocol": "https" if use_https else "http",
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "user": user,
            "sent_by": _person(sent_by) if sent_by else "",
            "valid_for": password_link_validity(),
        }
        prefix = "password_set" if new_account else "password_reset"
        try:
            templated_message(f"accounts/{prefix}", context, to=[user.email]).send()
        except Exception:  # as Django's PasswordResetForm: logged, the page answers the same
            logger.exception("Could not send the %s e-mail to user %s", prefix, user.pk)
    return True


def _same_address(typed: str, stored: str) -> bool:
    """As Django compares them: after Unicode compatibility folding, ignoring case, so
    that a look-alike address typed in the form never matches someone else's."""
    def fold(value: str) -> str:
        return unicodedata.normalize("NFKC", value).casefold()

    return fold(typed) == fold(stored)


def password_reset_users(login: str) -> list[User]:
    """The accounts a "Quên mật khẩu?" request names: by username, or by e-mail address.

    Active accounts with an address only. Unlike Django's default, an account that never
    had a password is included: its owner may have let the first link expire."""
    login = login.strip()
    if not login:
        return []
    match = Q(username=login)
    if "@" in login:
        match |= Q(email__iexact=login)
    users = User.objects.filter(match, is_active=True).exclude(email="")
    return [user for user in users if user.username == login or _same_address(login, user.email)]


# "Quên mật khẩu?": limits, and the same answer for every login

# Requests from one client address, and requests naming one login (as typed, folded), per
# RESET_WINDOW; links e-mailed to one account per RESET_WINDOW (counted by the worker,
# whichever name or address asked). Over a limit the page answers exactly as usual and
# nothing is sent. The counters live in the cache (Redis when REDIS_URL is set, so every
# web process and worker shares them).
RESET_WINDOW = 3600
RESET_LIMIT_PER_ADDRESS = 10
RESET_LIMIT_PER_LOGIN = 5
RESET_LIMIT_PER_ACCOUNT = 3


def _count_over_limit(key: str, limit: int, window: int) -> bool:
    """Count one more event under `key` (a fixed window of `window` seconds, from the
    first event) and say whether the count is now past `limit`. Atomic on Redis."""
    from django.core.cache import cache

    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        count = 1
    return count > limit


def _key_part(value: str) -> str:
    import hashlib

    return hashlib.sha256(unicodedata.normalize("NFKC", value).casefold().encode("utf-8", "surrogatepass")).hexdigest()


def password_reset_request(*, login: str, client_ip: str | None, domain: str, use_https: bool) -> bool:
    """What the "Quên mật khẩu?" page does with a request: count it against the limits of
    the client's address and of the login typed, and if within both, queue the work for
    the worker once the request commits. Nothing here looks the login up, so a known and
    an unknown login cost the request the same (no enumeration by timing), and no SMTP
    is waited for. Returns whether the work was queued (the page never says)."""
    login = login.strip()
    over_address = _count_over_limit(f"pwreset:ip:{client_ip or '-'}", RESET_LIMIT_PER_ADDRESS, RESET_WINDOW)
    over_login = _count_over_limit(f"pwreset:login:{_key_part(login)}", RESET_LIMIT_PER_LOGIN, RESET_WINDOW)
    if over_address or over_login or not login:
        logger.info("Password reset request not queued (limit reached or empty login) from %s", client_ip)
        return False

    def queue():
        from .tasks import password_reset_send_task

        try:
            password_reset_send_task.delay(login, domain, use_https)
        except Exception:  # broker down: the person asks again later; the page said the same
            logger.exception("Could not queue a password reset request")

    transaction.on_commit(queue)
    return True


def password_reset_deliver(*, login: str, domain: str, use_https: bool) -> int:
    """The worker's half: e-mail each account `login` names its link, unless that account
    already got RESET_LIMIT_PER_ACCOUNT links within RESET_WINDOW. Returns the number sent."""
    sent = 0
    for user in password_reset_users(login):
        if _count_over_limit(f"pwreset:user:{user.pk}", RESET_LIMIT_PER_ACCOUNT, RESET_WINDOW):
            logger.info("Password reset link for account %s not sent: limit reached", user.pk)
            continue
        if password_link_send(user=user, domain=domain, use_https=use_https):
            sent += 1
    return sent
