"""The portal's URLs plus a stock Django admin at /stock-admin/ (bench only).

The stock site is `django.contrib.admin.AdminSite` with a plain ModelAdmin for Center:
no scoping, no folded search, no list_select_related, default counts and facets. It is
the "stock Django admin" of shared/performance.md; bench/registry_bench.py uses it as a
superuser."""

from django.contrib import admin
from django.urls import path

from centers.models import Center
from edu_portal.urls import urlpatterns as portal_urlpatterns

stock_site = admin.AdminSite(name="stockadmin")


class StockCenterAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "status", "commune")
    search_fields = ("name",)
    list_filter = ("kind", "status")


stock_site.register(Center, StockCenterAdmin)

urlpatterns = [path("stock-admin/", stock_site.urls), *portal_urlpatterns]
