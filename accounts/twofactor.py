"""Two-factor sign-in: who must use it, the codes that prove it, and its life cycle.

Built on django-otp, never home-made: a TOTP device (an authenticator app on the
person's phone: Google Authenticator, Microsoft Authenticator, FreeOTP...) and a static
device whose tokens are the recovery codes. django-otp checks the codes (each TOTP code
once, each recovery code once), throttles wrong ones per device (a delay doubling after
each failure) and marks the session verified (request.user.is_verified(), from
django_otp.middleware.OTPMiddleware).

Who must use it: the roles in settings.TWO_FACTOR_REQUIRED_ROLES ("superuser" for
superusers). Anyone else may turn it on, and once on it is asked at every login. A session
that owes its second factor reaches only the set-up or verify page
(accounts.middleware.TwoFactorMiddleware; the admin checks it too, edu_portal.admin).

Whether an account has a confirmed device is read once at login and kept in the session
(SESSION_KEY), so that the pages of someone without two-factor cost no query for it. A
device added elsewhere therefore counts for the sessions opened after it; a device removed
(turned off, reset by staff) is noticed at once, as django-otp drops a session's
verification when its device is gone.
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_CODE_COUNT = 10
# The device names people see in django-otp's tables (and nowhere in the portal).
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã khôi phục"
# Whether the account had a confirmed device when this session logged in (see above).
SESSION_KEY = "_portal_two_factor"
# Recovery codes just made, shown once on their page, then dropped.
NEW_CODES_SESSION_KEY = "_portal_two_factor_new_codes"

# What people type: 6 digits from the app (spaces allowed: "123 456"), or a recovery code
# (8 letters and digits of base 32, as django-otp makes them; shown as "abcd-efgh").
_TOTP_CODE = re.compile(r"[0-9]{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")
_SEPARATORS = re.compile(r"[\s-]+")


# Who must use it


def two_factor_required(user) -> bool:
    """Whether `user`'s role is one that must sign in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool((user.is_superuser and "superuser" in roles) or (user.role and user.role in roles))


def user_has_two_factor(user) -> bool:
    """Whether `user` has turned two-factor on: a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    """Whether this request's session passed the second factor (OTPMiddleware's flag)."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def session_has_two_factor(request) -> bool:
    """user_has_two_factor as this session knows it: read at login, or now if the session
    predates it (or there is no session, as in a RequestFactory request)."""
    session = getattr(request, "session", None)
    if session is None:
        return user_has_two_factor(request.user)
    if SESSION_KEY not in session:
        session[SESSION_KEY] = user_has_two_factor(request.user)
    return bool(session[SESSION_KEY])


def session_remember(request, has_two_factor: bool) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = has_two_factor


def remember_at_login(sender, request, user, **kwargs):
    """user_logged_in receiver (accounts.apps): one query per login, none per page."""
    if request is not None and getattr(request, "session", None) is not None:
        request.session[SESSION_KEY] = user_has_two_factor(user)


def pending_step(request) -> str | None:
    """What this session still owes: "verify" (a code, the account has two-factor on),
    "setup" (its role requires two-factor and it has none yet), or None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_verified(user):
        return None
    if session_has_two_factor(request):
        return "verify"
    if two_factor_required(user):
        return "setup"
    return None


# Codes


def normalize_code(value: str) -> str:
    return _SEPARATORS.sub("", value or "").lower()


def recovery_code_display(token: str) -> str:
    """A recovery code as shown: "abcd-efgh" (typed with or without the dash)."""
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


@dataclass(frozen=True)
class Verification:
    """The result of checking a code: the device that accepted it, or why not."""

    device: Device | None
    error: str = ""
    used_recovery_code: bool = False


def _wait_text(until: datetime) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 90:
        return ngettext("%(count)d giây", "%(count)d giây", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d phút", "%(count)d phút", minutes) % {"count": minutes}


def _throttle(device: Device) -> dict | None:
    """django-otp's throttle of `device` when it refuses codes for now, else None."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or info.get("reason") != VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return None
    return info


# After this many wrong codes in a row the message says how long the next try must wait
# (before, the wait is a second or two: not worth a word).
_TELL_WAIT_AFTER = 3


def _check(device: Device, token: str, wrong: str) -> Verification:
    """django-otp checks the code (in a transaction, the device row locked): a wrong one
    counts towards the device's throttle (the wait doubles after each), a used one never
    works again."""
    throttle = _throttle(device)
    if throttle:
        return Verification(None, _(
            "Bạn đã nhập sai mã %(count)d lần liên tiếp. Để bảo vệ tài khoản, vui lòng chờ %(wait)s rồi thử lại."
        ) % {"count": throttle["failure_count"], "wait": _wait_text(throttle["locked_until"])})
    verified = verify_token(device.user, device.persistent_id, token)
    if verified is not None:
        return Verification(verified, used_recovery_code=isinstance(verified, StaticDevice))
    device.refresh_from_db()
    throttle = _throttle(device)
    if throttle and throttle["failure_count"] >= _TELL_WAIT_AFTER:
        wait = _(
            "Bạn đã nhập sai %(count)d lần liên tiếp: hãy chờ %(wait)s trước lần thử tiếp theo."
        ) % {"count": throttle["failure_count"], "wait": _wait_text(throttle["locked_until"])}
        wrong = f"{wrong} {wait}"
    return Verification(None, wrong)


def code_verify(*, user: User, code: str, allow_recovery: bool = True) -> Verification:
    """Check a code typed by `user`: 6 digits from their app, or (if `allow_recovery`)
    one of their recovery codes, which then stops working."""
    token = normalize_code(code)
    if _TOTP_CODE.fullmatch(token):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            return Verification(None, _("Tài khoản chưa bật xác thực hai lớp."))
        return _check(device, token, _(
            "Mã không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng xác thực "
            "(và kiểm tra giờ trên điện thoại)."
        ))
    if allow_recovery and _RECOVERY_CODE.fullmatch(token):
        device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            return Verification(None, _("Mã khôi phục không đúng hoặc đã được dùng."))
        return _check(device, token, _("Mã khôi phục không đúng hoặc đã được dùng."))
    if allow_recovery:
        return Verification(None, _(
            "Hãy nhập mã 6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục (8 ký tự, ví dụ abcd-efgh)."
        ))
    return Verification(None, _("Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."))


def session_verify(request, device: Device) -> None:
    """Mark this session as having passed the second factor with `device` (django-otp),
    under a new session key: the key someone may have seen before is worth nothing now."""
    request.session.cycle_key()
    otp_login(request, device)
    session_remember(request, True)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class TwoFactorStatus:
    """What the "Bảo mật hai lớp" page shows of an account."""

    required: bool
    app: TOTPDevice | None  # the confirmed authenticator app, if two-factor is on
    codes_left: int

    @property
    def enabled(self) -> bool:
        return self.app is not None

    @property
    def may_disable(self) -> bool:
        return self.enabled and not self.required


def two_factor_status(user: User) -> TwoFactorStatus:
    app = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return TwoFactorStatus(required=two_factor_required(user), app=app,
                           codes_left=recovery_codes_left(user) if app else 0)


# Setting up


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device per account, kept
    until confirmed, so that reloading the page keeps the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_groups(device: TOTPDevice) -> list[str]:
    """The secret in base 32, in groups of 4, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return [secret[i:i + 4] for i in range(0, len(secret), 4)]


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG data: URI for an <img> (drawn here by
    segno: nothing is fetched from elsewhere, and the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def _record(user: User, *, by: User | None, reason: str) -> None:
    """A row in the account's history (simple-history) saying what happened. The account
    is read again under lock and saved unchanged (one column written, its own value), so
    a change made meanwhile by someone else is neither lost nor overwritten."""
    fresh = User.objects.select_for_update().get(pk=user.pk)
    fresh._history_user = by
    fresh._change_reason = reason
    fresh.save(update_fields=["is_active"])


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True},
    )
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> tuple[Verification, list[str]]:
    """Confirm the app being set up with a code it shows. On success the device counts
    (any other app of the account is replaced), 10 new recovery codes are made, and the
    change is in the account's history. Returns the check and the codes (to show once)."""
    if user_has_two_factor(user):
        return Verification(None, _("Xác thực hai lớp đã được bật cho tài khoản này.")), []
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        return Verification(None, _("Phiên thiết lập đã hết. Hãy tải lại trang và quét mã QR mới.")), []
    token = normalize_code(code)
    if not _TOTP_CODE.fullmatch(token):
        return Verification(None, _("Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực.")), []
    result = _check(device, token, _(
        "Mã không đúng. Hãy kiểm tra đã quét đúng mã QR (hoặc nhập đúng khoá bí mật) và giờ trên điện thoại, "
        "rồi nhập mã đang hiện."
    ))
    if result.device is None:
        return result, []
    TOTPDevice.objects.filter(user=user, pk=device.pk).update(confirmed=True)
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    codes = _new_recovery_codes(user)
    _record(user, by=user, reason="Bật xác thực hai lớp")
    return Verification(device), codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the recovery codes of `user` by 10 new ones (the old ones stop working)."""
    codes = _new_recovery_codes(user)
    _record(user, by=user, reason="Tạo lại mã khôi phục xác thực hai lớp")
    return codes


def _delete_devices(user: User) -> int:
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        deleted += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return deleted


@dataclass(frozen=True)
class TwoFactorChange:
    """A line of the access-change e-mail (accounts.services.user_notify_access_change)."""

    old_text: str
    new_text: str
    label: str = gettext_lazy("Xác thực hai lớp")


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """The person turns two-factor off (their role does not require it): the app and the
    recovery codes are deleted, the history says so and they are told by e-mail (someone
    else in their session would be doing exactly this)."""
    from .services import user_notify_access_change

    if two_factor_required(user):
        raise PermissionDenied
    _delete_devices(user)
    _record(user, by=user, reason="Tắt xác thực hai lớp")
    with translation.override(settings.LANGUAGE_CODE):  # mail is in the portal's language
        change = TwoFactorChange(old_text=_("Đang bật"), new_text=_("Đã tắt"))
    user_notify_access_change(user=user, by=user, changes=[change])


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> bool:
    """Staff send a colleague who lost their phone through set-up again: their app and
    recovery codes are deleted (their open sessions lose the second factor at once), the
    history records who did it and the person is told by e-mail. Returns False, changing
    nothing, when the account has no two-factor to reset."""
    from .services import user_notify_access_change

    had = TOTPDevice.objects.filter(user=user, confirmed=True).exists() or \
        StaticDevice.objects.filter(user=user, confirmed=True).exists()
    _delete_devices(user)  # an app half set up goes too
    if not had:
        return False
    _record(user, by=by, reason="Đặt lại xác thực hai lớp")
    with translation.override(settings.LANGUAGE_CODE):  # mail is in the portal's language
        next_login = (_("bạn sẽ thiết lập lại ứng dụng xác thực ở lần đăng nhập tiếp theo")
                      if two_factor_required(user) else _("bạn có thể bật lại trong trang Bảo mật hai lớp"))
        change = TwoFactorChange(old_text=_("Đang bật"), new_text=_("Đã đặt lại (%(next)s)") % {"next": next_login})
    user_notify_access_change(user=user, by=by, changes=[change])
    return True


def session_forget_device(request) -> None:
    """After turning two-factor off: this session is no longer verified by a device."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    session_remember(request, False)
