from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from centers.selectors import center_list, centers_visible_to

from .forms import (
    LockoutUnlockForm,
    LoginForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)
from .models import User
from .permissions import can_unlock_accounts, require
from .security import cool_off_minutes, lockout_lift, lockouts_visible_to


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """"Quên mật khẩu?": a username or an address; the same answer whether or not an
    account matches. The link in the e-mail uses the host this request came to."""

    template_name = "accounts/password_reset_form.html"
    form_class = PortalPasswordResetForm
    subject_template_name = "accounts/password_reset_subject.txt"
    email_template_name = "accounts/password_reset_email.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self):
        from .services import password_link_validity

        return {"valid_for": password_link_validity()}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Where an e-mailed link lands (a new account's first password, or a reset)."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
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


@login_required
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Current login lock-outs of the accounts of the user's province, to lift one."""
    require(can_unlock_accounts(request.user))
    context = {
        "lockouts": lockouts_visible_to(request.user),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": cool_off_minutes(),
    }
    return render(request, "accounts/lockout_list.html", context)


@login_required
@require_POST
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    """Lift one lock-out; one outside the user's province (or none at all) is a 404."""
    require(can_unlock_accounts(request.user))
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
