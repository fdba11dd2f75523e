"""Pages for getting people on board (issue 10): accepting an invitation, inviting the
directors of centers from the registry list and the officers of communes, and the
accounts department staff manage for their province.

Kept apart from accounts/views.py (login, passwords, two-factor) so that both can change
independently. Every page checks the role first (403 for a role that does not manage
accounts), then loads the object from the user's scope (404 outside it:
accounts.security.accounts_visible_to, centers.selectors). Business rules are in
accounts.invitations and accounts.services; these views fetch, call and report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from centers.filters import CenterFilterSet
from centers.selectors import center_get, centers_visible_to, communes_visible_to
from edu_portal.params import parse_ids
from edu_portal.views import ScopedFilterView

from .filters import AccountFilterSet, CommuneAccountFilterSet
from .forms import InvitationAcceptForm, OfficerInviteForm
from .invitations import (
    CenterInviteResult,
    InvitationRefused,
    InvitationUnusable,
    center_director_invite,
    invitation_accept,
    invitation_find,
    invitation_send,
    invitation_usable_state,
    invitations_for_centers,
    invitations_revoke,
    officer_invite,
)
from .models import Invitation, User
from .permissions import ActionRequiredMixin, action_required, require
from .selectors import (
    account_get,
    account_history,
    account_list,
    account_state,
    commune_list,
    officers_by_commune,
)
from .services import user_update

# Center codes named in a message, at most.
NAMED_CODES = 10


# Accepting an invitation (anyone with the link)


@action_required("public")
@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Who is invited to which unit, and the password they choose. A link nobody issued
    is a 404; one used, superseded or expired a 410, each with a Vietnamese page."""
    invitation = invitation_find(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", {"state": "unknown"}, status=404)
    state = invitation_usable_state(invitation)
    if state != Invitation.State.PENDING:
        return _invalid(request, invitation, state)
    user = invitation.user
    form = InvitationAcceptForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(invitation=invitation, form=form)
        except InvitationUnusable as refused:
            return _invalid(request, invitation, refused.state)
        login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
        messages.success(request, _("Đã đặt mật khẩu. Chào mừng %(name)s đến với Cổng quản lý trung tâm.") % {
            "name": user.full_name or user.username})
        return redirect("home")
    unit = user.center if user.role == User.Role.DIRECTOR else user.commune
    return render(request, "accounts/invitation_accept.html", {
        "form": form, "invitation": invitation, "invited": user, "unit": unit,
        "other_user": request.user if request.user.is_authenticated and request.user.pk != user.pk else None,
    })


def _invalid(request: HttpRequest, invitation: Invitation, state: str) -> HttpResponse:
    return render(request, "accounts/invitation_invalid.html", {"state": state, "invitation": invitation},
                  status=410)


# Inviting the directors of centers (the registry list, a center's page)


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:NAMED_CODES])
    return shown + ("…" if len(codes) > NAMED_CODES else "")


def _report(request: HttpRequest, result: CenterInviteResult) -> None:
    if result.sent:
        messages.success(request, ngettext(
            "Đã gửi %(count)d lời mời (%(new)d tài khoản mới). Mỗi lời mời có hạn 7 ngày.",
            "Đã gửi %(count)d lời mời (%(new)d tài khoản mới). Mỗi lời mời có hạn 7 ngày.", result.sent,
        ) % {"count": result.sent, "new": result.accounts_created})
    skipped = [
        (result.has_account, _("đã có tài khoản (nếu quên mật khẩu, gửi liên kết đặt lại)")),
        (result.no_director, _("chưa có giám đốc đương nhiệm trong sổ đăng ký")),
        (result.no_address, _("không có địa chỉ e-mail của giám đốc hay của trung tâm")),
        (result.closed, _("đã dừng hoạt động hoặc giải thể")),
        (result.refused, _("ngoài phạm vi được quản lý")),
    ]
    for codes, why in skipped:
        if codes:
            messages.warning(request, _("Không mời %(count)d trung tâm %(why)s: %(codes)s.") % {
                "count": len(codes), "why": why, "codes": _codes(codes)})
    if not result.sent and not any(codes for codes, _why in skipped):
        messages.warning(request, _("Không có trung tâm nào để mời."))


@action_required("accounts.manage")
@require_POST
def center_invite(request: HttpRequest) -> HttpResponse:
    """"Mời giám đốc tạo tài khoản": the centers ticked on the registry list, or every
    center of its current filter (the query string carries the filter)."""
    back = reverse("centers:center_list") + ("?" + request.GET.urlencode() if request.GET else "")
    filterset = CenterFilterSet(request.GET, queryset=centers_visible_to(request.user), user=request.user)
    if not filterset.is_valid():
        messages.error(request, _("Điều kiện lọc không hợp lệ; chưa gửi lời mời nào."))
        return redirect(back)
    centers = filterset.qs
    if request.POST.get("scope") != "all":
        ids = parse_ids(request.POST.getlist("center"))
        if not ids:
            messages.error(request, _("Hãy chọn ít nhất một trung tâm, hoặc bấm mời tất cả trung tâm đang lọc."))
            return redirect(back)
        centers = centers.filter(pk__in=ids)
    _invite(request, lambda: invitations_for_centers(centers=centers, by=request.user))
    return redirect(back)


def _invite(request: HttpRequest, action) -> None:
    try:
        with transaction.atomic():
            result = action()
    except IntegrityError:
        # Two people inviting the same centers at the same moment: one of them wins.
        messages.error(request, _(
            "Cùng lúc có người khác gửi lời mời cho các trung tâm này; hãy tải lại trang và thử lại."
        ))
        return
    _report(request, result)


@action_required("accounts.manage")
@require_POST
def center_director_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The button of a center's accounts panel: invite (again) its current director."""
    center = center_get(request.user, pk)
    _invite(request, lambda: center_director_invite(center=center, by=request.user))
    return redirect(reverse("centers:center_detail", args=[center.pk]) + "#accounts")


# Communes and their officers


class CommuneAccountListView(ActionRequiredMixin, ScopedFilterView):
    """The communes of the province with their officers' accounts and invitations."""
    action = "accounts.manage"

    filterset_class = CommuneAccountFilterSet
    template_name = "accounts/commune_list.html"
    paginate_by = 50
    context_object_name = "communes"


    def get_queryset(self):
        return commune_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        communes = list(context["communes"])
        officers = officers_by_commune(self.request.user, communes)
        for commune in communes:
            commune.officers = officers.get(commune.pk, [])
            for account in commune.officers:
                account.state_label, account.state_badge = account_state(account)
        context["communes"] = communes
        return context


@action_required("accounts.manage")
@require_http_methods(["GET", "POST"])
def officer_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a commune's officer: name and address."""
    commune = get_object_or_404(communes_visible_to(request.user).select_related("parent"), pk=pk)
    form = OfficerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = officer_invite(commune=commune, full_name=form.cleaned_data["full_name"],
                                        email=form.cleaned_data["email"], by=request.user)
        except (InvitationRefused, ValidationError) as refused:
            form.add_error(None, refused.messages if isinstance(refused, ValidationError) else str(refused))
        else:
            messages.success(request, _("Đã gửi lời mời tới %(email)s (tên đăng nhập %(username)s).") % {
                "email": form.cleaned_data["email"], "username": invitation.user.username})
            return redirect(reverse("commune_accounts") + f"?q={commune.name_folded}")
    return render(request, "accounts/officer_invite.html", {"form": form, "commune": commune})


# The accounts of the province


class AccountListView(ActionRequiredMixin, ScopedFilterView):
    """Department staff's list of their province's accounts: filters, last login, failed
    logins and the state of the invitation; a fixed number of queries."""
    action = "accounts.manage"

    filterset_class = AccountFilterSet
    template_name = "accounts/account_list.html"
    paginate_by = 50
    context_object_name = "accounts"


    def get_queryset(self):
        return account_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = list(context["accounts"])
        for account in accounts:
            account.state_label, account.state_badge = account_state(account)
        context["accounts"] = accounts
        return context


@action_required("accounts.manage")
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its units, state, invitations and history (with reasons), and actions."""
    account = account_get(request.user, pk)
    account.state_label, account.state_badge = account_state(account)
    return render(request, "accounts/account_detail.html", {
        "account": account,
        "invitations": account.invitations.select_related("created_by").order_by("-created_at", "-pk")[:20],
        "history": account_history([account], limit=30).get(account.pk, []),
        "is_self": account.pk == request.user.pk,
    })


def _back(request: HttpRequest, account: User) -> HttpResponse:
    """Where an action returns: the page it came from (the filtered list), if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("account_detail", pk=account.pk)


def _managed(request: HttpRequest, pk: int) -> User:
    require(request.user, "accounts.manage")
    return account_get(request.user, pk)


@action_required("accounts.manage")
@require_POST
def account_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite, or invite again (the open invitation is superseded)."""
    account = _managed(request, pk)
    try:
        invitation = invitation_send(user=account, by=request.user)
    except InvitationRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Đã gửi lời mời tới %(to)s.") % {"to": ", ".join(invitation.sent_to)})
    return _back(request, account)


@action_required("accounts.manage")
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Khoá: the person can no longer log in; their open invitation stops working."""
    account = _managed(request, pk)
    if account.pk == request.user.pk:
        messages.error(request, _("Không thể tự khoá tài khoản của chính mình."))
        return _back(request, account)
    if not account.is_active:
        messages.info(request, _("Tài khoản đã bị khoá từ trước."))
        return _back(request, account)
    account.is_active = False
    account._change_reason = _("Khoá tài khoản (trang quản lý tài khoản)")
    if _save(request, account):
        invitations_revoke(user_ids=[account.pk], reason=Invitation.Revoked.DEACTIVATED)
        messages.success(request, _("Đã khoá tài khoản %(username)s.") % {"username": account.username})
    return _back(request, account)


@action_required("accounts.manage")
@require_POST
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mở lại an account; never one whose access ended (a former director: invite the
    current one instead)."""
    account = _managed(request, pk)
    if account.is_active:
        messages.info(request, _("Tài khoản đang hoạt động."))
        return _back(request, account)
    if account.access_ended():
        messages.error(request, _(
            "Tài khoản đã hết quyền truy cập từ sau ngày %(day)s (%(why)s); không mở lại được. "
            "Hãy mời người đang giữ chức."
        ) % {"day": account.access_ends_on.strftime("%d/%m/%Y"), "why": account.get_access_end_reason_display()})
        return _back(request, account)
    account.is_active = True
    account._change_reason = _("Mở lại tài khoản (trang quản lý tài khoản)")
    if _save(request, account):
        messages.success(request, _("Đã mở lại tài khoản %(username)s.") % {"username": account.username})
    return _back(request, account)


def _save(request: HttpRequest, account: User) -> bool:
    """Save a change through accounts.services.user_update (what the actor may grant is
    checked, the change is in the history, the person is told by e-mail)."""
    try:
        with transaction.atomic():
            user_update(user=account, by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return False
    return True


@action_required("accounts.manage")
@require_POST
def account_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the person a link to choose a new password (sent by the worker)."""
    account = _managed(request, pk)
    if not account.email or not account.is_active or account.access_ended():
        messages.error(request, _(
            "Tài khoản chưa có địa chỉ e-mail, đã bị khoá hoặc đã hết quyền truy cập: không gửi được liên kết."
        ))
        return _back(request, account)
    from .tasks import password_link_send_task

    domain, use_https = get_current_site(request).domain, request.is_secure()
    account_id, by_id = account.pk, request.user.pk
    transaction.on_commit(lambda: password_link_send_task.delay(account_id, domain, use_https, by_id))
    messages.success(request, _("Đã gửi liên kết đặt lại mật khẩu tới %(email)s.") % {"email": account.email})
    return _back(request, account)
