"""Conferences, directives and the register of issued documents in the web admin.

Drafts are edited here as on the portal; an issued directive is shown read-only (a
correction is a new directive, made on the portal with "Đính chính"). Numbers come only
from issuing (conferences.services.directive_issue): the register is read-only here, with
its cancelled and skipped numbers and its history; its start number, gaps and
cancellations are set on the portal's register page (conferences.views.registers), which
asks for the reason. Scoping (the user's province, 404 outside it, scoped choices) is
edu_portal.admin's.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from centers.admin import badge
from edu_portal.admin import ReadOnlyMixin, ScopedAdminMixin, ScopedInlineMixin, site
from edu_portal.concurrency import EditVersionAdminMixin

from .choices import DirectiveStatus
from .models import (
    Conference,
    ConferenceAttachment,
    ConferenceQuestion,
    Directive,
    DirectiveArticle,
    DirectiveRegister,
    ParticipantGroup,
    RegisterEntry,
    Task,
)
from .services import conference_delete, conference_delete_refusal, conference_save, directive_save
from .services.conferences import conference_refresh_search
from .services.directives import check_draft
from .services.tasks import check_deadline

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}


# Conferences


class ParticipantGroupInline(ScopedInlineMixin, admin.TabularInline):
    model = ParticipantGroup
    fields = ("order", "unit", "role", "count")
    extra = 0


class QuestionInline(ScopedInlineMixin, admin.StackedInline):
    model = ConferenceQuestion
    fields = ("order", ("raised_by", "answered_by"), "question", "answer")
    extra = 0
    formfield_overrides = SMALL_TEXTAREA


class AttachmentInline(ReadOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    """Files are added on the portal's page, where their content is checked."""

    model = ConferenceAttachment
    fields = readonly_fields = ("original_name", "kind", "file_type", "size", "caption", "uploaded_by", "uploaded_at")
    extra = 0
    verbose_name_plural = _("Tệp đính kèm (tải lên ở trang hội nghị của cổng)")


@admin.register(Conference, site=site)
class ConferenceAdmin(ScopedAdminMixin, EditVersionAdminMixin, SimpleHistoryAdmin):
    """Conferences of the Department, with their history. One cited by an issued
    directive is never deleted (conferences.services.conference_delete)."""

    province_field = "province"
    folded_search_field = "search_text"
    search_fields = ("search_text",)
    search_help_text = _("Tìm trong tên, nội dung, kết luận, ý kiến; gõ không dấu cũng được.")
    list_display = ("title", "kind", "held_on", "host_unit", "chair_name")
    list_filter = ("kind",)
    date_hierarchy = "held_on"
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    inlines = (ParticipantGroupInline, QuestionInline, AttachmentInline)
    formfield_overrides = SMALL_TEXTAREA
    readonly_fields = ("created_by", "created_at", "updated_at")
    fieldsets = (
        (_("Thông tin chung"), {"fields": ("province", "title", "kind", ("held_on", "place"), "host_unit",
                                           ("chair_name", "chair_position"), "speeches_count", "source")}),
        (_("Nội dung"), {"fields": ("assessment", "topics", "difficulties", "conclusions")}),
        (_("Ghi nhận"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def save_model(self, request, obj, form, change):
        conference_save(conference=obj, user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The search text covers the participants and the questions, saved just now.
        conference_refresh_search(form.instance)

    def get_actions(self, request):
        # Bulk delete would also take cited conferences: they are deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        # Say why, by name, instead of Django's list of "protected related objects".
        conference = self.get_object(request, unquote(object_id))
        if not self.has_delete_permission(request, conference):
            raise PermissionDenied
        refusal = conference_delete_refusal(conference)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:conferences_conference_change", args=[conference.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        try:
            conference_delete(conference=obj, user=request.user)
        except ValidationError as error:
            # Checked on the way in: only a directive issued in between gets here.
            raise PermissionDenied from error


# Directives


class DirectiveAdminForm(forms.ModelForm):
    """The service's draft rules (a công văn needs its division...) as form errors, so
    that saving never fails after the form said yes."""

    class Meta:
        model = Directive
        fields = ("province", "doc_type", "drafting_division", "conference", "subject", "addressees", "body",
                  "closing", "recipients", "authority", "legal_bases", "proposal", "executors", "signing_prefix",
                  "signing_authority", "signer_position", "signer_name")

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                check_draft(self.instance)
            except ValidationError as error:
                self._update_errors(error)


class TaskInlineForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ("group", "number", "text", "lead_unit", "coordinating_units", "deadline", "report_type")

    def clean(self):
        cleaned = super().clean()
        deadline = cleaned.get("deadline")
        # A new directive's tasks (no pk yet) are checked like a draft's: against today.
        directive = self.instance.directive if self.instance.directive_id else Directive()
        if deadline and self.has_changed():
            try:
                check_deadline(directive, deadline)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class TaskInline(ScopedInlineMixin, admin.StackedInline):
    """Tasks of a draft; read-only once the directive is issued. Assignees are chosen on
    the portal ("Giao"), where a selection of centers expands into one row per center."""

    model = Task
    form = TaskInlineForm
    fields = (("number", "group"), "text", ("lead_unit", "coordinating_units"), ("deadline", "report_type"))
    extra = 0
    formfield_overrides = SMALL_TEXTAREA

    def _draft(self, obj) -> bool:
        return obj is None or not obj.is_issued

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


class ArticleInline(ScopedInlineMixin, admin.StackedInline):
    """The articles of a draft quyết định, in order; read-only once issued."""

    model = DirectiveArticle
    fields = ("order", "text")
    extra = 0
    formfield_overrides = SMALL_TEXTAREA

    def _draft(self, obj) -> bool:
        return obj is None or not obj.is_issued

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Directive, site=site)
class DirectiveAdmin(ScopedAdminMixin, EditVersionAdminMixin, SimpleHistoryAdmin):
    form = DirectiveAdminForm
    province_field = "province"
    folded_search_field = "search_text"
    search_fields = ("search_text",)
    search_help_text = _("Tìm theo trích yếu, nội dung, người ký, ký hiệu; gõ không dấu cũng được.")
    list_display = ("number_display", "doc_type", "issued_on", "subject", "status_badge", "conference")
    list_display_links = ("number_display", "subject")
    list_select_related = ("conference",)
    list_filter = ("status", "doc_type")
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    inlines = (ArticleInline, TaskInline)
    formfield_overrides = SMALL_TEXTAREA
    readonly_fields = ("status", "number_display", "issued_on", "issued_at", "issued_by", "replaces", "created_by",
                       "created_at", "updated_at")
    fieldsets = (
        (_("Văn bản"), {"fields": ("province", "doc_type", "drafting_division", "conference", "subject", "addressees",
                                   "body", "closing", "recipients")}),
        (_("Quyết định"), {
            "fields": ("authority", "legal_bases", "proposal", "executors"),
            "description": _("Chỉ dùng cho quyết định; các điều ở mục «Các điều» bên dưới."),
        }),
        (_("Người ký"), {"fields": (("signing_prefix", "signing_authority"), ("signer_position", "signer_name"))}),
        (_("Ban hành"), {
            "fields": ("status", "number_display", "issued_on", "issued_at", "issued_by", "replaces", "created_by",
                       "created_at", "updated_at"),
            "description": _("Số, ngày được cấp khi ban hành trên cổng (nút “Ban hành” ở trang văn bản)."),
        }),
    )

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.display(description=_("số, ký hiệu"), ordering="number")
    def number_display(self, obj):
        return obj.number_text or _("(dự thảo)")

    @admin.display(description=_("trạng thái"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), DirectiveStatus.badge(obj.status))

    def has_change_permission(self, request, obj=None):
        # An issued directive is never changed: shown read-only.
        if obj is not None and obj.is_issued:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk delete would also take issued directives: drafts are deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        directive_save(directive=obj, user=request.user)


class RegisterEntryInline(ReadOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    model = RegisterEntry
    fields = readonly_fields = ("number", "kind", "dated", "reason", "recorded_by", "recorded_at")
    extra = 0
    verbose_name_plural = _("Số hủy, số bỏ qua (ghi ở trang sổ đăng ký của cổng)")


@admin.register(DirectiveRegister, site=site)
class DirectiveRegisterAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The last number given per year and type, the paper numbers before the portal, the
    cancelled and skipped numbers and the history of hand changes (with their reasons):
    moved only by the services (issuing, and the portal's register page)."""

    list_display = ("year", "doc_type", "last_number", "paper_through")
    list_filter = ("year", "doc_type")
    fields = ("province", "year", "doc_type", "last_number", "paper_through", "paper_last_on")
    inlines = (RegisterEntryInline,)
    history_list_display = ("last_number", "paper_through", "paper_last_on")
    show_facets = admin.ShowFacets.NEVER

    def view_on_site(self, obj):
        return obj.get_absolute_url()
