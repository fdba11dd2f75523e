"""Report types, periods, obligations and requests for more time in the web admin.

Department staff define their province's report types here (with the fields asked, as
an inline); periods and obligations are generated (reports.services.generation) and shown
here for reference (a period with submissions keeps its type and dates, corrected only
with a recorded reason: reports.services.periods); extensions are decided through
reports.services.reviews, never by editing rows. Scoping, 404 outside the province and
scoped choices come from edu_portal.admin.ScopedAdminMixin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from centers.admin import CommuneFilter, badge
from centers.choices import CenterKind
from centers.selectors import scope_q
from edu_portal.admin import ReadOnlyMixin, ScopedAdminMixin, ScopedInlineMixin, site
from edu_portal.concurrency import EditVersionAdminMixin
from edu_portal.params import parse_int

from .choices import AttachmentType, ExtensionStatus, ObligationStatus
from .models import ExtensionRequest, Obligation, ReportField, ReportPeriod, ReportType
from .services import (
    PERIOD_LOCKED_FIELDS,
    ReviewConflict,
    extension_decide,
    period_check_change,
    period_correct,
    period_corrections,
    period_has_submissions,
    period_locked_message,
    period_save,
)

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}
EXTENSION_BADGES = {
    ExtensionStatus.PENDING: "warning", ExtensionStatus.GRANTED: "success", ExtensionStatus.REFUSED: "danger",
}


# Changelist filters


class ReportTypeFilter(admin.SimpleListFilter):
    """The report types of the user's province (the plain related filter would list every
    province's)."""

    title = _("loại báo cáo")
    parameter_name = "report_type"
    lookup = "report_type_id"

    def lookups(self, request, model_admin):
        types = ReportType.objects.filter(scope_q(request.user)).only("pk", "title").order_by("title")
        return [(str(t.pk), t.title) for t in types]

    def queryset(self, request, queryset):
        report_type_id = parse_int(self.value())
        if report_type_id is not None:
            return queryset.filter(**{self.lookup: report_type_id})
        return queryset


class PeriodReportTypeFilter(ReportTypeFilter):
    lookup = "period__report_type_id"


class CenterCommuneFilter(CommuneFilter):
    """The communes of the province, applied to the obligation's center."""

    def queryset(self, request, queryset):
        commune_id = parse_int(self.value())
        if commune_id is not None:
            return queryset.filter(center__commune_id=commune_id)
        return queryset


class CenterKindFilter(admin.SimpleListFilter):
    title = _("loại hình trung tâm")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return CenterKind.choices

    def queryset(self, request, queryset):
        if self.value() in CenterKind.values:
            return queryset.filter(center__kind=self.value())
        return queryset


# Report types


class ReportTypeAdminForm(forms.ModelForm):
    """The JSON lists (kinds, attachment types) as checkboxes over their choices."""

    center_kinds = forms.MultipleChoiceField(
        label=_("loại hình trung tâm phải báo cáo"), choices=CenterKind.choices, widget=forms.CheckboxSelectMultiple,
    )
    attachment_types = forms.MultipleChoiceField(
        label=_("loại tệp đính kèm cho phép"), choices=AttachmentType.choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ReportType
        fields = [
            "province", "code", "title", "description", "center_kinds", "frequency", "starts_on", "is_active",
            "window_start_day", "due_days_after_window", "lock_days_after_due",
            "school_year_start_month", "school_year_start_day",
            "attachment_types", "attachment_max_mb", "attachments_required",
        ]


class ReportFieldInline(ScopedInlineMixin, admin.TabularInline):
    model = ReportField
    fields = (
        "order", "code", "label", "kind", "required", "min_value", "max_value", "choices", "help_text", "is_active",
    )
    extra = 0
    formfield_overrides = SMALL_TEXTAREA
    verbose_name_plural = _(
        "Các trường số liệu (sửa đổi chỉ áp dụng cho các lần nộp sau; bản đã nộp giữ nguyên các trường lúc nộp)"
    )

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 0


@admin.register(ReportType, site=site)
class ReportTypeAdmin(ScopedAdminMixin, EditVersionAdminMixin, admin.ModelAdmin):
    """A type belongs to one Department (its `province`); retiring one is `is_active`,
    deleting it (with its periods and obligations) is left to superusers."""

    form = ReportTypeAdminForm
    department_actions = frozenset({"view", "add", "change"})
    province_field = "province"
    inlines = (ReportFieldInline,)
    list_display = ("title", "code", "frequency", "kinds_display", "due_days_after_window", "starts_on", "is_active")
    list_filter = ("frequency", "is_active")
    search_fields = ("title", "code")
    list_per_page = 50
    fieldsets = (
        (_("Thông tin chung"), {"fields": ("province", "code", "title", "description", "center_kinds", "is_active")}),
        (
            _("Kỳ báo cáo, hạn nộp"),
            {
                "fields": (
                    "frequency", "starts_on", "window_start_day", "due_days_after_window", "lock_days_after_due",
                    ("school_year_start_month", "school_year_start_day"),
                ),
                "description": _(
                    "Kỳ số liệu theo Nghị định 09/2019/NĐ-CP: từ ngày 15 kỳ trước đến ngày 14 kỳ này. "
                    "Các kỳ và nghĩa vụ báo cáo được tạo tự động hằng ngày, trước hạn nộp 60 ngày."
                ),
            },
        ),
        (_("Tệp đính kèm"), {"fields": ("attachment_types", "attachment_max_mb", "attachments_required")}),
    )
    field_help_texts = {
        "due_days_after_window": _(
            "Chưa xác minh: Nghị định 09/2019 không quy định một hạn nộp chung cho báo cáo của trung tâm; "
            "mỗi Sở tự quy định. Hãy nhập theo chế độ báo cáo của Sở."
        ),
        "school_year_start_month": _("Năm học mặc định từ 01/9 đến 31/8 năm sau."),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("province")

    @admin.display(description=_("loại hình phải báo cáo"))
    def kinds_display(self, obj):
        labels = dict(CenterKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in obj.center_kinds)


# Periods


class ReportPeriodAdminForm(forms.ModelForm):
    """Once a period has submissions the admin shows its type and dates read-only (they
    are not in the form). A POST that still carries other values for them, forged or from
    a page opened before the first submission, is refused with the reason, not silently
    ignored; reports.services.period_check_change then guards the save itself."""

    class Meta:
        model = ReportPeriod
        fields = ("report_type", "label", "data_from", "data_to", "due_date", "lock_date")

    def _posted_change(self, name: str) -> bool:
        if name in self.fields or name not in self.data:
            return False
        model_field = ReportPeriod._meta.get_field(name)
        try:
            value = model_field.formfield().clean(self.data[name])
        except ValidationError:
            return True
        return getattr(value, "pk", value) != getattr(self.instance, model_field.attname)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            forged = [name for name in PERIOD_LOCKED_FIELDS if self._posted_change(name)]
            if forged:
                raise ValidationError(period_locked_message(forged), code="period_locked")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                period_check_change(self.instance)
            except ValidationError as error:
                self._update_errors(error)


class PeriodCorrectionForm(forms.Form):
    """"Điều chỉnh kỳ báo cáo": new due and lock dates, and why (kept in the history)."""

    due_date = forms.DateField(label=_("Hạn nộp mới"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    lock_date = forms.DateField(label=_("Ngày khóa nộp mới"),
                                widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    reason = forms.CharField(
        label=_("Lý do điều chỉnh"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Bắt buộc. Ví dụ: số, ngày văn bản của Sở cho lùi hạn nộp."),
    )


@admin.register(ReportPeriod, site=site)
class ReportPeriodAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Periods are generated ahead by the daily task; staff add a one-off period or edit
    one before anything is submitted. Saving one creates the obligations it still misses.
    Once reports are submitted the type and dates stay (figures are derived from them):
    the due and lock dates move only by "Điều chỉnh kỳ báo cáo", with a reason, recorded
    in the period's history (reports.services.period_correct)."""

    form = ReportPeriodAdminForm
    scope_prefix = "report_type__"
    department_actions = frozenset({"view", "add", "change"})
    list_display = ("label", "report_type", "data_from", "data_to", "due_date", "lock_date", "obligation_count")
    list_select_related = ("report_type",)
    list_filter = (ReportTypeFilter,)
    search_fields = ("label", "report_type__title")
    fields = ("report_type", "label", "data_from", "data_to", "due_date", "lock_date")
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER
    actions = ("correct_period",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(obligation_total=Count("obligations"))

    @admin.display(description=_("số nghĩa vụ"), ordering="obligation_total")
    def obligation_count(self, obj):
        url = reverse("admin:reports_obligation_changelist") + f"?period__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.obligation_total)

    @staticmethod
    def _has_submissions(obj) -> bool:
        # Asked several times while one page is built: once per object is enough.
        if obj is None or obj.pk is None:
            return False
        if not hasattr(obj, "_has_submissions"):
            obj._has_submissions = period_has_submissions(obj)
        return obj._has_submissions

    def get_readonly_fields(self, request, obj=None):
        if self._has_submissions(obj):
            return PERIOD_LOCKED_FIELDS
        return ()

    def has_delete_permission(self, request, obj=None):
        # Submitted versions are protected anyway (SubmissionVersion.obligation): no button.
        if self._has_submissions(obj):
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["period_locked"] = self._has_submissions(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        try:
            created = period_save(period=obj, by=request.user)
        except ValidationError as error:
            # The form ran the same check: only a request that bypassed it gets here.
            raise PermissionDenied from error
        if created:
            message = ngettext(
                "Đã tạo %(count)d nghĩa vụ báo cáo cho kỳ này.", "Đã tạo %(count)d nghĩa vụ báo cáo cho kỳ này.",
                created,
            )
            self.message_user(request, message % {"count": created}, messages.SUCCESS)

    # Correction of the dates

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/correct/", self.admin_site.admin_view(self.correct_view),
                 name="{}_{}_correct".format(*info)),
        ] + super().get_urls()

    @admin.action(description=_("Điều chỉnh kỳ báo cáo"), permissions=["change"])
    def correct_period(self, request, queryset):
        periods = list(queryset[:2])
        if len(periods) != 1:
            self.message_user(request, _("Hãy chọn đúng một kỳ báo cáo để điều chỉnh."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:reports_reportperiod_correct", args=[periods[0].pk]))

    def correct_view(self, request, object_id):
        """New due and lock dates with a mandatory reason, through period_correct."""
        period = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, period):
            raise PermissionDenied
        change_url = reverse("admin:reports_reportperiod_change", args=[period.pk])
        initial = {"due_date": period.due_date, "lock_date": period.lock_date}
        form = PeriodCorrectionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                period_correct(period=period, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("Đã điều chỉnh kỳ báo cáo; lý do được lưu trong lịch sử của kỳ."),
                                  messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self.admin_page(
            request, "admin/reports/reportperiod/correct.html", _("Điều chỉnh kỳ báo cáo"),
            original=period, form=form, change_url=change_url, has_submissions=self._has_submissions(period),
            corrections=period_corrections(period)[:20], media=self.media + form.media,
        )


# Obligations


@admin.register(Obligation, site=site)
class ObligationAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Written by the submission and review services only; shown for search and reference.
    The review itself is a portal page ("view on site")."""

    scope_prefix = "center__"
    folded_search_field = "center__search_text"
    search_fields = ("center__search_text",)
    search_help_text = _("Tìm theo tên, mã trung tâm (gõ không dấu cũng được).")
    list_display = ("center", "period", "status_badge", "first_submitted_at", "extended_until", "timeliness")
    list_select_related = ("center", "period__report_type")
    list_filter = ("status", PeriodReportTypeFilter, CenterKindFilter, CenterCommuneFilter)
    fields = ("center", "period", "status", "first_submitted_at", "extended_until", "draft_saved_at", "revision")
    # About a million rows nationally: no second COUNT over the whole table, no facet counts.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def view_on_site(self, obj):
        return reverse("reports:review_detail", args=[obj.pk])

    @admin.display(description=_("tình trạng"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), ObligationStatus.badge(obj.status))

    @admin.display(description=_("đúng hạn"))
    def timeliness(self, obj):
        if obj.first_submitted_at is None:
            return "—"
        return _("Đúng hạn") if obj.is_on_time else _("Trễ hạn")


# Requests for more time


class ExtensionDecisionForm(forms.Form):
    """The intermediate page of the grant and refuse actions."""

    until = forms.DateField(
        label=_("Gia hạn đến ngày"), required=False,
        help_text=_("Để trống: theo ngày mỗi trung tâm đề nghị."),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    answer = forms.CharField(
        label=_("Trả lời trung tâm"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, grant: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not grant:
            del self.fields["until"]
            self.fields["answer"].required = True
            self.fields["answer"].label = _("Lý do không chấp thuận")


@admin.register(ExtensionRequest, site=site)
class ExtensionRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Directors ask from the portal; staff grant or refuse with the actions (or on the
    portal's page), which call extension_decide. Rows are never edited by hand."""

    scope_prefix = "obligation__center__"
    folded_search_field = "obligation__center__search_text"
    search_fields = ("obligation__center__search_text",)
    search_help_text = _("Tìm theo tên, mã trung tâm (gõ không dấu cũng được).")
    # "change" only so that the actions are offered; every field below is read-only.
    department_actions = frozenset({"view", "change"})
    list_display = ("center", "period", "requested_until", "status_badge", "requested_by", "requested_at", "decided_by")
    list_select_related = ("obligation__center", "obligation__period__report_type", "requested_by", "decided_by")
    list_filter = ("status",)
    fields = ("obligation", "reason", "requested_until", "requested_by", "requested_at", "status", "decided_by",
              "decided_at", "answer")
    readonly_fields = fields
    actions = ("grant_requests", "refuse_requests")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request, *args, **kwargs):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("trung tâm"), ordering="obligation__center__name")
    def center(self, obj):
        return obj.obligation.center

    @admin.display(description=_("kỳ báo cáo"))
    def period(self, obj):
        return obj.obligation.period

    @admin.display(description=_("tình trạng"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), EXTENSION_BADGES.get(obj.status, "secondary"))

    @admin.action(description=_("Cho gia hạn các đề nghị đã chọn"), permissions=["change"])
    def grant_requests(self, request, queryset):
        return self._decide(request, queryset, grant=True, action="grant_requests")

    @admin.action(description=_("Không chấp thuận các đề nghị đã chọn"), permissions=["change"])
    def refuse_requests(self, request, queryset):
        return self._decide(request, queryset, grant=False, action="refuse_requests")

    def _decide(self, request, queryset, *, grant: bool, action: str):
        form = ExtensionDecisionForm(request.POST if "apply" in request.POST else None, grant=grant)
        if form.is_bound and form.is_valid():
            done = 0
            for extension in queryset.select_related("obligation__center"):
                try:
                    extension_decide(
                        request=extension, decided_by=request.user, grant=grant,
                        until=form.cleaned_data.get("until"), answer=form.cleaned_data["answer"],
                    )
                except ReviewConflict as error:
                    self.message_user(request, f"{extension.obligation.center}: {error.message}", messages.WARNING)
                except ValidationError as error:
                    self.message_user(request, f"{extension.obligation.center}: {' '.join(error.messages)}",
                                      messages.ERROR)
                else:
                    done += 1
            if done:
                message = ngettext("Đã xử lý %(count)d đề nghị gia hạn.", "Đã xử lý %(count)d đề nghị gia hạn.", done)
                self.message_user(request, message % {"count": done}, messages.SUCCESS)
            return None
        return self.admin_page(
            request, "admin/reports/extensionrequest/decide.html",
            _("Cho gia hạn") if grant else _("Không chấp thuận đề nghị gia hạn"),
            form=form, grant=grant, action=action, action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            requests=queryset.select_related("obligation__center", "obligation__period"), media=self.media + form.media,
        )
