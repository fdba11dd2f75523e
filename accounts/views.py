from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from centers.selectors import center_list, centers_visible_to

from . import twofactor
from .forms import (
    LockoutUnlockForm,
    LoginForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    TwoFactorCodeForm,
)
from .models import User
from .permissions import ActionRequiredMixin, action_required
from .security import cool_off_minutes, lockout_lift, lockouts_visible_to


class LoginView(ActionRequiredMixin, auth_views.LoginView):
    action = "public"
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(ActionRequiredMixin, auth_views.PasswordChangeView):
    action = "portal.use"
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return super().form_valid(form)


class PasswordResetView(ActionRequiredMixin, auth_views.PasswordResetView):
    """"Quên mật khẩu?": a username or an address; the same answer whether or not an
    account matches, and whether or not a limit was reached. The request only counts it
    and queues it: the worker looks the account up and sends the e-mail
    (accounts.services.password_reset_request). The link uses the host this request came to."""
    action = "public"

    template_name = "accounts/password_reset_form.html"
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        from django.contrib.sites.shortcuts import get_current_site
        from django.http import HttpResponseRedirect

        from .security import client_ip
        from .services import password_reset_request

        password_reset_request(
            login=form.cleaned_data["email"], client_ip=client_ip(self.request),
            domain=get_current_site(self.request).domain, use_https=self.request.is_secure(),
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(ActionRequiredMixin, auth_views.PasswordResetDoneView):
    action = "public"
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(ActionRequiredMixin, auth_views.PasswordResetConfirmView):
    """Where an e-mailed link lands (a new account's first password, or a reset)."""
    action = "public"

    template_name = "accounts/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(ActionRequiredMixin, auth_views.PasswordResetCompleteView):
    action = "public"
    template_name = "accounts/password_reset_complete.html"


@action_required("portal.use")
def home(request: HttpRequest) -> HttpResponse:
    """A landing page per role: a director goes straight to what their center has to do
    (the reports it owes), one click from the center's page in the menu."""
    user = request.user
    if user.role == User.Role.DIRECTOR and user.center_id:
        return redirect("reports:obligation_list")
    visible = centers_visible_to(user)
    context = {
        "center_count": visible.count(),
        "recent": center_list(user).order_by("-updated_at")[:8],
    }
    return render(request, "accounts/home.html", context)


@action_required("accounts.manage")
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Current login lock-outs of the accounts of the user's province, to lift one."""
    context = {
        "lockouts": lockouts_visible_to(request.user),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": cool_off_minutes(),
    }
    return render(request, "accounts/lockout_list.html", context)


@action_required("accounts.manage")
@require_POST
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    """Lift one lock-out; one outside the user's province (or none at all) is a 404."""
    form = LockoutUnlockForm(request.POST)
    if not form.is_valid():
        raise Http404
    username, ip_address = form.cleaned_data["username"], form.cleaned_data["ip_address"]
    if not lockout_lift(by=request.user, username=username, ip_address=ip_address):
        raise Http404
    messages.success(request, _("Đã mở khoá đăng nhập cho tài khoản %(username)s từ địa chỉ %(address)s.") % {
        "username": username, "address": ip_address or _("không rõ"),
    })
    return redirect("lockout_list")


# Two-factor sign-in (the rules are in accounts.twofactor)


def _next_url(request: HttpRequest) -> str:
    """Where to go after a two-factor step: the page first asked for, a path on this site
    (anything else, "home" or "²" included, is not a path: redirect() would take it for a
    view name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    ):
        return candidate
    return ""


def _codes_page(request: HttpRequest, codes: list[str], next_url: str = "") -> HttpResponse:
    """New recovery codes are kept in the session until the person says they saved them."""
    request.session[twofactor.NEW_CODES_SESSION_KEY] = codes
    url = reverse("two_factor_codes")
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def _two_factor_page(request: HttpRequest, *, regenerate_form=None, disable_form=None) -> HttpResponse:
    context = {
        "status": twofactor.two_factor_status(request.user),
        "regenerate_form": regenerate_form or TwoFactorCodeForm(prefix="regenerate", autofocus=False),
        "disable_form": disable_form or TwoFactorCodeForm(prefix="disable", autofocus=False),
    }
    return render(request, "accounts/two_factor.html", context)


@action_required("portal.use")
def two_factor(request: HttpRequest) -> HttpResponse:
    """"Bảo mật hai lớp": whether it is on, recovery codes left, and what one may do."""
    return _two_factor_page(request)


@action_required("portal.use")
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret) into an app, confirm with a code it shows;
    then the recovery codes, once."""
    user = request.user
    if twofactor.user_has_two_factor(user):
        messages.info(request, _("Xác thực hai lớp đã được bật cho tài khoản của bạn."))
        return redirect("two_factor")
    next_url = _next_url(request)
    form = TwoFactorCodeForm(request.POST or None, allow_recovery=False)
    if request.method == "POST" and form.is_valid():
        result, codes = twofactor.totp_confirm(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            twofactor.session_verify(request, result.device)
            messages.success(request, _("Đã bật xác thực hai lớp. Hãy lưu các mã khôi phục dưới đây."))
            return _codes_page(request, codes, next_url)
        form.add_error("code", result.error)
    device = twofactor.totp_device_pending(user=user)
    return render(request, "accounts/two_factor_setup.html", {
        "form": form,
        "qr_code": twofactor.totp_qr_data_uri(device),
        "otpauth_url": device.config_url,
        "secret_groups": twofactor.totp_secret_groups(device),
        "required": twofactor.two_factor_required(user),
        "next": next_url,
    })


@action_required("portal.use")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in, for an account with two-factor on."""
    user = request.user
    next_url = _next_url(request)
    if twofactor.is_verified(user):
        return redirect(next_url or "home")
    if not twofactor.user_has_two_factor(user):
        # Turned off or reset (by staff) since this session logged in.
        twofactor.session_remember(request, False)
        if twofactor.two_factor_required(user):
            return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}" if next_url
                            else "two_factor_setup")
        return redirect(next_url or "home")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = twofactor.code_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            twofactor.session_verify(request, result.device)
            if result.used_recovery_code:
                left = twofactor.recovery_codes_left(user)
                messages.warning(request, _(
                    "Bạn vừa dùng một mã khôi phục (mỗi mã chỉ dùng được một lần); còn %(count)d mã. "
                    "Nếu bị mất điện thoại, hãy liên hệ Sở để đặt lại xác thực hai lớp."
                ) % {"count": left})
            return redirect(next_url or "home")
        form.add_error("code", result.error)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@action_required("portal.use")
@require_http_methods(["GET", "POST"])
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: "Tôi đã lưu mã" drops them from the session."""
    next_url = _next_url(request)
    if request.method == "POST":
        request.session.pop(twofactor.NEW_CODES_SESSION_KEY, None)
        return redirect(next_url or "two_factor")
    codes = request.session.get(twofactor.NEW_CODES_SESSION_KEY)
    if not codes:
        messages.info(request, _(
            "Mã khôi phục chỉ hiện một lần, ngay khi được tạo. Nếu bạn làm mất chúng, hãy tạo bộ mã mới."
        ))
        return redirect("two_factor")
    return render(request, "accounts/two_factor_codes.html", {
        "codes": [twofactor.recovery_code_display(code) for code in codes], "next": next_url,
    })


@action_required("portal.use")
@require_POST
def two_factor_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """New recovery codes for old ones lost or used up, with a current code."""
    form = TwoFactorCodeForm(request.POST, prefix="regenerate")
    if not twofactor.user_has_two_factor(request.user):
        raise Http404
    if form.is_valid():
        result = twofactor.code_verify(user=request.user, code=form.cleaned_data["code"])
        if result.device is not None:
            codes = twofactor.recovery_codes_regenerate(user=request.user)
            messages.success(request, _("Đã tạo bộ mã khôi phục mới; các mã cũ không còn dùng được."))
            return _codes_page(request, codes)
        form.add_error("code", result.error)
    return _two_factor_page(request, regenerate_form=form)


@action_required("portal.use")
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off, with a current code; only where the role does not require it."""
    if twofactor.two_factor_required(request.user):  # a setting, not a role rule
        raise PermissionDenied
    if not twofactor.user_has_two_factor(request.user):
        raise Http404
    form = TwoFactorCodeForm(request.POST, prefix="disable")
    if form.is_valid():
        result = twofactor.code_verify(user=request.user, code=form.cleaned_data["code"])
        if result.device is not None:
            twofactor.two_factor_disable(user=request.user)
            twofactor.session_forget_device(request)
            messages.success(request, _("Đã tắt xác thực hai lớp. Từ lần đăng nhập sau chỉ cần mật khẩu."))
            return redirect("two_factor")
        form.add_error("code", result.error)
    return _two_factor_page(request, disable_form=form)
