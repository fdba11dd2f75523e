"""The sanction catalogue, inspections, complaints and risk weights in the web admin.

The catalogue is national data (a decree is the same in every province): superusers keep
it, department staff read it. Inspections and complaints are scoped to the user's
province and saved through inspections.services, whose date rules show as form errors;
violations are recorded on the portal's inspection page, where the catalogue version in
force and the fine range are checked, and are shown here read-only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from centers.admin import badge
from edu_portal.admin import ReadOnlyMixin, ScopedAdminMixin, ScopedInlineMixin, site
from edu_portal.concurrency import EditVersionAdminMixin

from .choices import ComplaintStatus, InspectionStatus
from centers.selectors import centers_visible_to

from .models import (
    Complaint,
    FlagsCheck,
    Inspection,
    InspectionCheck,
    LegalVersion,
    RiskWeight,
    SanctionArticle,
    Violation,
)
from .rules import RULES, RULES_BY_CODE
from .services import _check_complaint, _check_inspection, complaint_save, inspection_save

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
VIEW_ONLY = frozenset({"view"})


class NationalDataMixin:
    """Not tied to a province: every admin user sees all of it."""

    def scope(self, request, queryset):
        return queryset


# The catalogue


class SanctionArticleInline(ScopedInlineMixin, admin.TabularInline):
    model = SanctionArticle
    department_actions = VIEW_ONLY
    fields = ("article", "clause", "point", "description", "fine_min", "fine_max", "remedy", "unconfirmed")
    extra = 0
    formfield_overrides = SMALL_TEXTAREA


@admin.register(LegalVersion, site=site)
class LegalVersionAdmin(NationalDataMixin, ScopedAdminMixin, admin.ModelAdmin):
    """A new decree is a new version with its acts; a version that violations cite is
    never deleted (PROTECT), it is given an end date."""

    department_actions = VIEW_ONLY
    list_display = ("title", "code", "in_force_from", "in_force_to", "article_count")
    search_fields = ("title", "code")
    inlines = (SanctionArticleInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=models.Count("articles"))

    @admin.display(description=_("số hành vi"), ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(SanctionArticle, site=site)
class SanctionArticleAdmin(NationalDataMixin, ScopedAdminMixin, admin.ModelAdmin):
    department_actions = VIEW_ONLY
    list_display = ("citation_display", "description", "fine_min", "fine_max", "version", "unconfirmed")
    list_filter = ("version", "unconfirmed")
    list_select_related = ("version",)
    search_fields = ("description", "article")
    formfield_overrides = SMALL_TEXTAREA

    @admin.display(description=_("điều, khoản"))
    def citation_display(self, obj):
        return obj.citation


# Inspections


class InspectionAdminForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ("center", "status", "planned_on", "carried_out_on", "decision_number", "team", "scope", "findings",
                  "unpermitted_location", "remedy_deadline", "follow_up", "closed_on")

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                _check_inspection(self.instance)
            except ValidationError as error:
                self._update_errors(error)


class InspectionCheckInline(ScopedInlineMixin, admin.TabularInline):
    model = InspectionCheck
    fields = ("condition", "result", "note")
    extra = 0


class ViolationInline(ReadOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    """Recorded on the portal's inspection page, where the catalogue version in force on
    the inspection date and the fine range are checked."""

    model = Violation
    fields = readonly_fields = ("article", "description", "fine_amount", "remedy_deadline", "remedied_on")
    extra = 0
    verbose_name_plural = _("Vi phạm (ghi trên trang cuộc kiểm tra của cổng)")


@admin.register(Inspection, site=site)
class InspectionAdmin(ScopedAdminMixin, EditVersionAdminMixin, admin.ModelAdmin):
    form = InspectionAdminForm
    scope_prefix = "center__"
    department_actions = frozenset({"view", "add", "change"})
    folded_search_field = "center__search_text"
    search_fields = ("center__search_text", "decision_number")
    search_help_text = _("Tìm theo tên, mã trung tâm (gõ không dấu cũng được) hoặc số quyết định kiểm tra.")
    list_display = ("center", "planned_on", "carried_out_on", "status_badge", "remedy_deadline", "closed_on")
    list_select_related = ("center",)
    list_filter = ("status",)
    date_hierarchy = "planned_on"
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ("center",)
    inlines = (InspectionCheckInline, ViolationInline)
    formfield_overrides = SMALL_TEXTAREA
    readonly_fields = ("created_by", "created_at", "updated_at")

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.display(description=_("trạng thái"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), InspectionStatus.badge(obj.status))

    def save_model(self, request, obj, form, change):
        inspection_save(inspection=obj, user=request.user)


# Complaints


class ComplaintAdminForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ("center", "received_on", "source", "complainant", "content", "about_location", "handling_deadline",
                  "status", "upheld", "outcome", "closed_on")

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                _check_complaint(self.instance)
            except ValidationError as error:
                self._update_errors(error)


@admin.register(Complaint, site=site)
class ComplaintAdmin(ScopedAdminMixin, EditVersionAdminMixin, admin.ModelAdmin):
    form = ComplaintAdminForm
    scope_prefix = "center__"
    department_actions = frozenset({"view", "add", "change"})
    folded_search_field = "center__search_text"
    search_fields = ("center__search_text", "content")
    list_display = ("center", "received_on", "source", "handling_deadline", "status_badge", "upheld")
    list_select_related = ("center",)
    list_filter = ("status", "source", "about_location")
    date_hierarchy = "received_on"
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ("center",)
    formfield_overrides = SMALL_TEXTAREA
    readonly_fields = ("created_by", "created_at", "updated_at")

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.display(description=_("tình trạng"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), ComplaintStatus.badge(obj.status))

    def save_model(self, request, obj, form, change):
        complaint_save(complaint=obj, user=request.user)


# Risk weights


class RiskWeightAdminForm(forms.ModelForm):
    rule = forms.ChoiceField(label=_("quy tắc"), choices=[(rule.code, rule.name) for rule in RULES])
    weight = forms.IntegerField(label=_("trọng số"), min_value=0, max_value=100)

    class Meta:
        model = RiskWeight
        fields = ("province", "rule", "weight")


@admin.register(RiskWeight, site=site)
class RiskWeightAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The portal's page (/compliance/weights/) sets them all at once; here one by one."""

    form = RiskWeightAdminForm
    province_field = "province"
    list_display = ("rule_name", "weight", "province")
    list_select_related = ("province",)

    def scope(self, request, queryset):
        user = request.user
        return queryset if user.is_superuser else queryset.filter(province_id=user.province_id)

    @admin.display(description=_("quy tắc"), ordering="rule")
    def rule_name(self, obj):
        rule = RULES_BY_CODE.get(obj.rule)
        return rule.name if rule else obj.rule


# The nightly check of the compliance flags


@admin.register(FlagsCheck, site=site)
class FlagsCheckAdmin(ReadOnlyMixin, NationalDataMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The runs of the nightly re-derivation (inspections.flags.flags_check), read-only:
    only the check writes them. A run covers the whole country, so its counts are shown
    to department staff as they are; its sample of differences names centers, and staff
    see only their own province's (superusers all of them)."""

    department_actions = VIEW_ONLY
    list_display = ("as_of", "started_at", "finished_at", "centers", "dated", "differences")
    list_display_links = ("as_of",)
    show_full_result_count = False
    list_per_page = 50
    fields = readonly_fields = ("as_of", "started_at", "finished_at", "centers", "dated", "differences",
                                "sample_display")

    def get_object(self, request, object_id, from_field=None):
        """The run, with the rows of its sample the user may see (`visible_sample`):
        [center code, rule or "reasons"/"last_inspection"/"missing", stored, derived]."""
        obj = super().get_object(request, object_id, from_field)
        rows = [row for row in (obj.sample or []) if isinstance(row, list) and len(row) == 4]
        ids = {row[0] for row in rows if isinstance(row[0], int)}
        codes = dict(centers_visible_to(request.user).filter(pk__in=ids).values_list("pk", "code")) if ids else {}
        obj.visible_sample = [[codes[row[0]], *row[1:]] for row in rows if row[0] in codes]
        return obj

    @admin.display(description=_("ví dụ sai lệch"))
    def sample_display(self, obj):
        shown = getattr(obj, "visible_sample", [])
        if not shown:
            return "–"
        rule_names = {rule.field: rule.name for rule in RULES}
        return format_html("<ul class=\"mb-0\">{}</ul>", format_html_join(
            "", "<li>{}: {} — {} → {}</li>",
            ((code, rule_names.get(what, what), stored, derived) for code, what, stored, derived in shown),
        ))
