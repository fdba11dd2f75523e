"""The web admin of the Department: who may enter it, and the scoping every ModelAdmin shares.

Department staff keep the registry here every day, so the admin follows the same rule as
the portal pages: a user sees and edits only their province (centers.selectors.scope_q),
an object outside it answers 404, and foreign-key choices and autocompletes never list
another province's rows. Every app registers its ModelAdmins on `site` below, not on
django.contrib.admin.site.

Rights in the admin come from the role, not from Django's per-model permissions: a
department user may do what `department_actions` of each ModelAdmin lists, a superuser
everything, nobody else anything (they never get past `EduAdminSite.has_permission`).
"""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.permissions import may
from centers.selectors import scope_q, search_q

ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})


def is_department_staff(user) -> bool:
    """An active Department account with a province: the only non-superusers of the admin.

    is_staff alone is not enough: an inspector, director or local officer who was given
    the flag by mistake must still not reach the admin."""
    return bool(may(user, "admin.use") and not user.is_superuser)


class EduAdminAuthenticationForm(AdminAuthenticationForm):
    """Refuse at the admin login, with the usual message, anyone the site would refuse anyway."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not may(user, "admin.use"):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class EduAdminSite(admin.AdminSite):
    site_header = _("Quản trị dữ liệu - Sở Giáo dục và Đào tạo")
    site_title = _("Quản trị dữ liệu Sở GDĐT")
    index_title = _("Dữ liệu của Sở")
    site_url = "/"
    login_form = EduAdminAuthenticationForm
    # The changelists are wide (status and licence badges): give them the whole screen.
    enable_nav_sidebar = False

    def has_permission(self, request):
        # A session that owes its second factor is not let in, whatever the middleware
        # (accounts.middleware.TwoFactorMiddleware, which sends it to the code page) does.
        from accounts.twofactor import pending_step

        return may(request.user, "admin.use") and pending_step(request) is None

    def each_context(self, request):
        """Django's each_context, with `available_apps` built only if a template reads it.

        Django builds it on every admin page (each registered model: a permission check per
        action and two URLs reversed), for the navigation sidebar alone, which this site
        turns off (enable_nav_sidebar): a tenth of a changelist's CPU, bench/profile_pages.py."""
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: self.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }

    def get_urls(self):
        from django.urls import path

        # Django's "view on site" redirect looks the object up by content type and pk
        # alone; ours goes through the model's admin, so it too is a 404 outside the scope.
        return [
            path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site")
            if getattr(pattern, "name", None) == "view_on_site" else pattern
            for pattern in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut

        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            obj = self.get_model_admin(model).get_object(request, unquote(object_id))
        except (ContentType.DoesNotExist, NotRegistered, ValueError) as error:
            raise Http404 from error
        if obj is None:
            raise Http404
        return shortcut(request, content_type_id, object_id)


site = EduAdminSite(name="admin")


class RolePermissionsMixin:
    """Rights from the role: superusers may do everything, department staff the actions
    listed in `department_actions`, nobody else anything. Shared by ModelAdmins and inlines."""

    department_actions: frozenset[str] = ALL_ACTIONS

    def _may(self, request, action: str) -> bool:
        user = request.user
        if user.is_superuser and user.is_active:
            return True
        return is_department_staff(user) and action in self.department_actions

    def has_module_permission(self, request):
        return self._may(request, "view")

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view") or self._may(request, "change")

    def has_add_permission(self, request, *args, **kwargs):
        # ModelAdmin passes (request), InlineModelAdmin (request, obj).
        return self._may(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete")


class EduGroupAdmin(RolePermissionsMixin, GroupAdmin):
    """Groups only matter to superusers: department staff get their rights from the role.
    (Role-based here too, so building the sidebar never loads a user's permissions.)"""

    department_actions = frozenset()


site.register(Group, EduGroupAdmin)


class ReadOnlyMixin:
    """For records written only by services (status changes): shown, never edited, by anyone.
    Goes before RolePermissionsMixin in the bases."""

    def has_add_permission(self, request, *args, **kwargs):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedChoicesMixin:
    """Foreign-key choices come from the target model's admin scope, so a form never
    offers (nor accepts) another province's commune, center or document."""

    # The FK holding the owner's province (Center.province, User.province): locked to the
    # editing user's own province for everyone but superusers.
    province_field: str | None = None
    # Help texts for staff, by field name, where the model's own help text is not enough.
    field_help_texts: dict = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.field_help_texts:
            field.help_text = self.field_help_texts[db_field.name]
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if "queryset" not in kwargs:
            target = db_field.remote_field.model
            try:
                target_admin = self.admin_site.get_model_admin(target)
            except NotRegistered:
                target_admin = None
            if isinstance(target_admin, ScopedAdminMixin):
                kwargs["queryset"] = target_admin.choices_queryset(request)
            elif not user.is_superuser:
                # Fail closed: a relation nobody has scoped offers nothing to non-superusers.
                kwargs["queryset"] = target._default_manager.none()
        if db_field.name == self.province_field and not user.is_superuser:
            # The province is the user's own: shown, never chosen. A disabled field still
            # reaches model validation (unique code per province, commune in province).
            kwargs["disabled"] = True
            kwargs["initial"] = user.province_id
            kwargs["help_text"] = _("Tự động: tỉnh/thành phố của Sở đang quản lý.")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedAdminMixin(RolePermissionsMixin, ScopedChoicesMixin):
    """Base of every ModelAdmin of the portal: scope, 404 outside it, folded search.

    Subclasses name how their model reaches Center (`scope_prefix`, e.g. "center__"),
    or override `scope()` when the model is scoped another way (users, units)."""

    scope_prefix = ""
    # A column holding centers.services' folded text ("search_text" or
    # "center__search_text"): searched word by word without diacritics or case.
    folded_search_field: str | None = None

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(scope_q(request.user, self.scope_prefix))

    def admin_page(self, request, template: str, title, **context) -> TemplateResponse:
        """An extra page of this ModelAdmin (a confirmation, a correction form) in the
        admin's frame: its header, breadcrumbs of the model and the page title."""
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "title": title, "opts": self.opts, **context,
        })

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_changelist_instance(self, request):
        # Django turns a date-hierarchy year it cannot read into its "invalid filter"
        # redirect only when datetime() refuses it; ?held_on__year=10^30 overflows instead,
        # and ?held_on__year=9999 fails on the year after it (10000).
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            prefix = f"{self.date_hierarchy}__" if self.date_hierarchy else None
            if prefix and any(key.startswith(prefix) for key in request.GET):
                raise IncorrectLookupParameters(error) from error
            raise

    def choices_queryset(self, request) -> QuerySet:
        """What other admins' forms and autocompletes may point at: the plain scoped rows."""
        queryset = self.scope(request, self.model._default_manager.all())
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_object(self, request, object_id, from_field=None):
        # Django's admin redirects to the index with "does not exist" for a missing object;
        # the portal's rule is a plain 404, the same for absent and out-of-scope rows.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the last historical record when the object is not in
        # get_queryset(): that would show another province's data. Only existing,
        # in-scope objects have a history page (superusers also see deleted ones).
        if not request.user.is_superuser:
            self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not request.user.is_superuser:
            self.get_object(request, unquote(object_id))
        # The history page is read-only (SIMPLE_HISTORY_REVERT_DISABLED); simple_history
        # would still save a POSTed old version, bypassing the services.
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        folded = self.folded_search_field
        if not folded or not term:
            return super().get_search_results(request, queryset, search_term)
        # "ngoai ngu" finds "Ngoại ngữ": every folded word must be in the folded column.
        # Other search_fields (a document number, a person's name) are matched as typed.
        condition = search_q(term, folded)
        for name in self.get_search_fields(request):
            if name != folded:
                condition |= Q(**{f"{name}__icontains": term})
        return queryset.filter(condition), False


class ScopedInlineMixin(RolePermissionsMixin, ScopedChoicesMixin):
    """Inlines share the rights and the scoped choices of the page they sit on."""
