"""Administrative units in the web admin: loaded from the official list (load_units), so
department staff only look them up; superusers may correct one."""

from django.contrib import admin
from django.db.models import Q

from edu_portal.admin import ScopedAdminMixin, site

from .collation import UNIT_ORDERING
from .models import AdministrativeUnit


@admin.register(AdministrativeUnit, site=site)
class AdministrativeUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    department_actions = frozenset({"view"})
    list_display = ("code", "name", "unit_type", "level", "parent", "valid_to")
    list_display_links = ("code", "name")
    list_filter = ("level",)
    list_select_related = ("parent",)
    # Also what the commune autocompletes of the other admins search: "kinh bac" finds
    # "Phường Kinh Bắc"; a statistics code is matched as typed.
    search_fields = ("name_folded", "code")
    folded_search_field = "name_folded"
    # The order of units everywhere (geo.collation.UNIT_ORDERING) after their level
    # ("province" > "legacy_district" > "commune": provinces first); the commune
    # autocompletes of the other admins list them so too.
    ordering = ("-level", *UNIT_ORDERING)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 100

    def scope(self, request, queryset):
        """A department sees its own province and the units under it (communes, old districts)."""
        user = request.user
        if user.is_superuser:
            return queryset
        if not user.province_id:
            return queryset.none()
        return queryset.filter(Q(pk=user.province_id) | Q(parent_id=user.province_id))
