from django.contrib import admin

from edu_portal.admin import ReadOnlyMixin, ScopedAdminMixin, site

from .models import PdfJob


@admin.register(PdfJob, site=site)
class PdfJobAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The record of large PDFs asked for and who asked; the files themselves are
    private and downloaded from the job's status page ("view on site")."""

    list_display = ("title", "kind", "status", "province", "created_by", "size", "created_at", "finished_at")
    list_select_related = ("province", "created_by")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    fields = (
        "title", "kind", "params", "status", "progress", "message", "error", "province", "created_by",
        "filename", "size", "created_at", "started_at", "finished_at",
    )
    readonly_fields = fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def scope(self, request, queryset):
        # A job carries its creator's province itself, like CenterImport.
        user = request.user
        return queryset if user.is_superuser else queryset.filter(province_id=user.province_id)
