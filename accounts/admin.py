"""Portal accounts in the web admin.

Department staff manage the accounts of their own province: directors of its centers,
officers of its communes, its inspectors and staff. They never see superusers, and the
superuser flag, groups and per-model permissions are not in their forms (rights come
from the role, see edu_portal.admin)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edu_portal.admin import ScopedAdminMixin, is_department_staff, site

from .models import Division, User

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
DATES_FIELDSET = (_("Thời điểm"), {"fields": ("last_login", "date_joined")})


@admin.register(User, site=site)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    # Accounts are deactivated, not deleted: their names stay on what they recorded.
    department_actions = frozenset({"view", "add", "change"})
    province_field = "province"
    list_display = ("username", "full_name", "role", "province", "commune", "center", "is_active", "is_staff", "last_login")
    list_display_links = ("username", "full_name")
    list_select_related = ("province", "commune", "center")
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    autocomplete_fields = ("commune", "center")
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    field_help_texts = {
        "is_staff": _("Chỉ có tác dụng với vai trò Chuyên viên Sở: cho phép vào trang quản trị dữ liệu."),
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
            account = ("username", "usable_password", "password1", "password2")
            access = ("is_staff", "is_superuser") if superuser else ("is_staff",)
            return (
                (None, {"classes": ("wide",), "fields": account}),
                PERSONAL_FIELDSET,
                ROLE_FIELDSET,
                (_("Quyền truy cập"), {"fields": access}),
            )
        access = ("is_active", "is_staff")
        if superuser:
            access += ("is_superuser", "groups", "user_permissions")
        return (
            (None, {"fields": ("username", "password")}),
            PERSONAL_FIELDSET,
            ROLE_FIELDSET,
            (_("Quyền truy cập"), {"fields": access}),
            DATES_FIELDSET,
        )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        # The form has no such field for them; this guards against any other way in.
        if obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        super().save_model(request, obj, form, change)


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
