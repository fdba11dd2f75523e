from django.contrib import admin

from edu_portal.admin import site

from .models import Dispatch


@admin.register(Dispatch, site=site)
class DispatchAdmin(admin.ModelAdmin):
    """Superusers only: what the reminder machinery sent, passed, retries or failed (with
    the SMTP server's answer in `detail`)."""

    list_display = ("key", "status", "attempts", "failures", "retry_at", "lease_until", "sent_at", "detail")
    list_filter = ("status",)
    search_fields = ("key",)
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
