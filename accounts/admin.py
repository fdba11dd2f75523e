"""Portal accounts in the web admin.

Department staff manage the accounts of their own province: directors of its centers,
officers of its communes, its inspectors and staff. They never see superusers, and the
superuser flag, groups and per-model permissions are not in their forms (rights come
from the role, see edu_portal.admin).

Nobody sets another person's password here, superusers included: an account is created
without one and its owner gets an e-mailed link to choose it; "Gửi liên kết đặt lại mật
khẩu" (an action, and a button on the account's page) sends a new link. Every change is
in the account's history, and the person is told by e-mail when their access changes
(accounts.services)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from edu_portal.admin import ScopedAdminMixin, is_department_staff, site
from edu_portal.concurrency import EditVersionAdminMixin
from geo.collation import person_ordering, user_name

from .models import Division, User
from .services import password_link_send, user_create, user_grant_check, user_update

ROLE_FIELDSET = (
    _("Vai trò và đơn vị phụ trách"),
    {
        "fields": ("role", "province", "commune", "center", "division"),
        "description": _(
            "Chuyên viên Sở, thanh tra: tỉnh/thành phố. Cán bộ UBND: xã/phường. "
            "Giám đốc: trung tâm. Người dùng chỉ thấy dữ liệu của đơn vị này."
        ),
    },
)
PERSONAL_FIELDSET = (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone")})
DATES_FIELDSET = (_("Thời điểm"), {"fields": ("last_login", "date_joined", "access_ends_on", "access_end_reason")})


class GrantCheckMixin:
    """Runs accounts.services.user_grant_check on the account as the form would save it, so
    that what the editing user may not grant is a form error, not a failed save. The
    ModelAdmin sets `actor` (the editing user) on the form class."""

    actor: User | None = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.actor is None:
            return
        try:
            user_grant_check(actor=self.actor, user=self.instance)
        except ValidationError as error:
            # A field the form does not show (is_superuser for staff) is a form-wide error.
            self.add_error(None, ValidationError({
                field if field in self.fields else NON_FIELD_ERRORS: messages
                for field, messages in error.error_dict.items()
            }))


class UserAdminCreationForm(GrantCheckMixin, forms.ModelForm):
    """A new account has no password: its owner sets one from the e-mailed link. An
    address is therefore required."""

    error_messages = {"duplicate_username": _("Đã có tài khoản với tên đăng nhập này.")}

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "email" in self.fields:
            self.fields["email"].required = True
            self.fields["email"].help_text = _("Người dùng nhận ở địa chỉ này liên kết để tự đặt mật khẩu.")

    def clean_username(self):
        # As Django's creation form: "Lan" and "lan" would be two accounts nobody tells apart.
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise ValidationError(self.error_messages["duplicate_username"], code="duplicate_username")
        return username

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserAdminChangeForm(GrantCheckMixin, UserChangeForm):
    # No password field at all: Django's shows the hash with a button to set a new one.
    password = None


@admin.register(User, site=site)
class UserAdmin(ScopedAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin, EditVersionAdminMixin):
    # Accounts are deactivated, not deleted: their names stay on what they recorded.
    department_actions = frozenset({"view", "add", "change"})
    province_field = "province"
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    # Django's add template is for its password fields; ours has none.
    add_form_template = None
    list_display = ("username", "full_name", "role", "province", "commune", "center", "is_active", "is_staff",
                    "last_login")
    list_display_links = ("username", "full_name")
    list_select_related = ("province", "commune", "center")
    search_fields = ("username", "full_name", "email")
    # People by given name, then family and middle names; an account without a name by
    # its username, as it is shown.
    ordering = (*person_ordering(user_name()), "username")
    autocomplete_fields = ("commune", "center")
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    actions = ("send_password_reset", "reset_two_factor")
    field_help_texts = {
        "is_staff": _("Chỉ dành cho vai trò Chuyên viên Sở: cho phép vào trang quản trị dữ liệu."),
        "is_active": _("Bỏ chọn thay cho việc xoá tài khoản: người dùng không đăng nhập được nữa."),
    }

    def scope(self, request, queryset):
        """Accounts tied to the user's province through any of their units; never superusers."""
        user = request.user
        if user.is_superuser:
            return queryset
        if not is_department_staff(user):
            return queryset.none()
        province_id = user.province_id
        return queryset.filter(is_superuser=False).filter(
            Q(province_id=province_id) | Q(commune__parent_id=province_id) | Q(center__province_id=province_id)
        )

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return ("role", "is_active", "is_staff", "is_superuser", "province")
        return ("role", "is_active", "is_staff")

    def get_fieldsets(self, request, obj=None):
        superuser = request.user.is_superuser
        if obj is None:
            access = ("is_staff", "is_superuser") if superuser else ("is_staff",)
            return (
                (None, {
                    "classes": ("wide",),
                    "fields": ("username", "email"),
                    "description": _(
                        "Tài khoản được tạo không có mật khẩu: người dùng nhận e-mail có liên kết "
                        "để tự đặt mật khẩu. Không ai đặt mật khẩu thay người khác."
                    ),
                }),
                (_("Thông tin cá nhân"), {"fields": ("full_name", "phone")}),
                ROLE_FIELDSET,
                (_("Quyền truy cập"), {"fields": access}),
            )
        access = ("is_active", "is_staff")
        if superuser:
            access += ("is_superuser", "groups", "user_permissions")
        return (
            (None, {"fields": ("username", "password_status", "two_factor_status")}),
            PERSONAL_FIELDSET,
            ROLE_FIELDSET,
            (_("Quyền truy cập"), {"fields": access}),
            DATES_FIELDSET,
        )

    def get_readonly_fields(self, request, obj=None):
        # The end of access follows the registry (accounts.lifecycle); nobody types it.
        ends = ("access_ends_on", "access_end_reason")
        if request.user.is_superuser:
            return ("password_status", "two_factor_status", *ends)
        return ("password_status", "two_factor_status", "last_login", "date_joined", *ends)

    @admin.display(description=_("mật khẩu"))
    def password_status(self, obj):
        if obj.has_usable_password():
            return _("Đã đặt. Người dùng tự đổi mật khẩu; nếu quên, hãy gửi cho họ liên kết đặt lại mật khẩu.")
        return _("Chưa đặt: người dùng tự đặt bằng liên kết được gửi qua e-mail.")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The form checks what this user may grant (user_grant_check) as it validates.
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        try:
            if change:
                changes = user_update(user=obj, by=request.user)
                if changes and not obj.email:
                    self.message_user(request, _(
                        "Tài khoản chưa có địa chỉ e-mail nên người dùng không nhận được thông báo về thay đổi này."
                    ), messages.WARNING)
            else:
                site_domain = get_current_site(request).domain
                if user_create(user=obj, by=request.user, domain=site_domain, use_https=request.is_secure()):
                    self.message_user(request, _("Đã gửi liên kết đặt mật khẩu tới %(email)s.") % {"email": obj.email},
                                      messages.SUCCESS)
        except ValidationError as error:
            # The form ran the same check: only a request that bypassed it gets here.
            raise PermissionDenied from error

    # Passwords: links, never a form

    def user_change_password(self, request, id, form_url=""):
        """Django's page for setting someone's password: refused to everyone. The account
        is looked up first, so outside the user's scope this is the usual 404."""
        self.get_object(request, unquote(id))
        raise PermissionDenied

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/two-factor-reset/", self.admin_site.admin_view(self.two_factor_reset_view),
                 name="{}_{}_two_factor_reset".format(*info)),
            path("<path:object_id>/password-reset/", self.admin_site.admin_view(self.password_reset_view),
                 name="{}_{}_password_reset".format(*info)),
        ] + super().get_urls()

    def _send_links(self, request, users) -> tuple[int, list[User]]:
        domain, use_https = get_current_site(request).domain, request.is_secure()
        sent, skipped = 0, []
        for user in users:
            if password_link_send(user=user, domain=domain, use_https=use_https, sent_by=request.user):
                sent += 1
            else:
                skipped.append(user)
        return sent, skipped

    def _report(self, request, sent: int, skipped: list[User]) -> None:
        if sent:
            message = ngettext(
                "Đã gửi liên kết đặt lại mật khẩu cho %(count)d tài khoản.",
                "Đã gửi liên kết đặt lại mật khẩu cho %(count)d tài khoản.", sent,
            )
            self.message_user(request, message % {"count": sent}, messages.SUCCESS)
        if skipped:
            names = ", ".join(user.username for user in skipped)
            self.message_user(request, _(
                "Không gửi được cho tài khoản chưa có địa chỉ e-mail hoặc đã bị khoá: %(names)s."
            ) % {"names": names}, messages.WARNING)

    @admin.action(description=_("Gửi liên kết đặt lại mật khẩu"), permissions=["change"])
    def send_password_reset(self, request, queryset):
        self._report(request, *self._send_links(request, queryset))

    def password_reset_view(self, request, object_id):
        """The button on an account's page: confirm, then e-mail the person a link."""
        user = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk])
        if request.method == "POST":
            self._report(request, *self._send_links(request, [user]))
            return HttpResponseRedirect(change_url)
        return self.admin_page(request, "admin/accounts/user/password_reset.html", _("Gửi liên kết đặt lại mật khẩu"),
                               original=user, change_url=change_url)

    # Two-factor: staff never see nor set someone's codes; they send them through set-up again

    @admin.display(description=_("xác thực hai lớp"))
    def two_factor_status(self, obj):
        from .twofactor import two_factor_status

        status = two_factor_status(obj)
        if status.enabled:
            return _("Đang bật. Nếu người dùng mất điện thoại, hãy đặt lại để họ thiết lập lại khi đăng nhập.")
        if status.required:
            return _("Chưa bật: bắt buộc với vai trò này, người dùng thiết lập ở lần đăng nhập tiếp theo.")
        return _("Chưa bật (không bắt buộc với vai trò này).")

    def _reset_two_factor(self, request, users) -> None:
        from .twofactor import two_factor_reset

        reset, without_email = [], []
        for user in users:
            if two_factor_reset(user=user, by=request.user):
                reset.append(user)
                if not user.email:
                    without_email.append(user)
        if reset:
            message = ngettext(
                "Đã đặt lại xác thực hai lớp cho %(count)d tài khoản: người dùng thiết lập lại ở lần đăng nhập sau.",
                "Đã đặt lại xác thực hai lớp cho %(count)d tài khoản: người dùng thiết lập lại ở lần đăng nhập sau.",
                len(reset),
            )
            self.message_user(request, message % {"count": len(reset)}, messages.SUCCESS)
        else:
            self.message_user(request, _("Không có tài khoản nào đang bật xác thực hai lớp."), messages.WARNING)
        if without_email:
            self.message_user(request, _(
                "Tài khoản chưa có địa chỉ e-mail nên không nhận được thông báo: %(names)s."
            ) % {"names": ", ".join(user.username for user in without_email)}, messages.WARNING)

    @admin.action(description=_("Đặt lại xác thực hai lớp"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        self._reset_two_factor(request, queryset)

    def two_factor_reset_view(self, request, object_id):
        """The button on an account's page: confirm, then delete the person's app and
        recovery codes (accounts.twofactor.two_factor_reset)."""
        user = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk])
        if request.method == "POST":
            self._reset_two_factor(request, [user])
            return HttpResponseRedirect(change_url)
        from .twofactor import two_factor_status

        return self.admin_page(request, "admin/accounts/user/two_factor_reset.html", _("Đặt lại xác thực hai lớp"),
                               original=user, change_url=change_url, status=two_factor_status(user))


@admin.register(Division, site=site)
class DivisionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The Department's divisions: they draft công văn (their code ends the symbol) and
    are assigned tasks. Retired with `is_active`, never deleted (documents cite them)."""

    department_actions = frozenset({"view", "add", "change"})
    province_field = "province"
    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    fields = ("province", "name", "code", "is_active")
    ordering = ("name",)
