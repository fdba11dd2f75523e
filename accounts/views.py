from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from centers.selectors import center_list, centers_visible_to

from .forms import LoginForm, PortalPasswordChangeForm
from .models import User


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
