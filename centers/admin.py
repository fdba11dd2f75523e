"""The registry in the web admin: what department staff keep up to date every day.

Scoping (querysets, 404 outside the province, foreign-key choices, autocompletes) comes
from edu_portal.admin.ScopedAdminMixin. What a document means for its center (status,
current licence, search text) is decided by centers.services, called from here after
every save, never re-implemented.
"""

from types import SimpleNamespace

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Expression
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from edu_portal import fragments
from edu_portal.admin import ReadOnlyMixin, ScopedAdminMixin, ScopedInlineMixin, site
from edu_portal.concurrency import EditVersionAdminMixin
from edu_portal.files import private_download
from edu_portal.params import parse_int
from geo.collation import UNIT_ORDERING, person_ordering
from geo.models import AdministrativeUnit, unit_full_name

from .choices import CenterStatus, LicenceState
from .forms import NfcMixin
from .models import Center, CenterImport, Director, LicenceDocument, Location, Staff, StatusChange
from .selectors import licence_state_case, licence_state_q, with_licence_state
from .services import (
    center_records_delete,
    center_save,
    director_save,
    licence_document_save,
)

ONE_CURRENT_DIRECTOR = _(
    "Trung tâm đã có giám đốc đương nhiệm; hãy nhập ngày thôi giữ chức của người trước."
)
SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
# Typed without a scheme, a website is taken as https (Django 6's default, asked for now).
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def badge(label, tone: str):
    return format_html('<span class="edu-badge edu-badge-{}">{}</span>', tone, label)


def choice_badges(choices) -> dict[str, str]:
    """The badge of each value of `choices` (CenterStatus, LicenceState), in the active
    language: built once for a page of rows instead of once per row (format_html and a
    lazy label's translation cost more than the rest of a row, bench/profile_pages.py)."""
    return {value: badge(label, choices.badge(value)) for value, label in choices.choices}


# Changelist filters


def unit_lookups(units) -> list[tuple[str, str]]:
    """(pk, full name) of the units, in the portal's order, from one plain query: no model
    instance per unit (the 168 communes of a large province, on every changelist page;
    geo.filters.UnitChoiceIterator does the same for the registry's filter forms)."""
    rows = units.order_by(*UNIT_ORDERING).values_list("pk", "name", "unit_type")
    return [(str(pk), unit_full_name(name, unit_type)) for pk, name, unit_type in rows]


class LicenceStateFilter(admin.SimpleListFilter):
    """The derived licence state, with the same rule as the portal (licence_state_q)."""

    title = _("tình trạng giấy phép")
    parameter_name = "licence"

    def lookups(self, request, model_admin):
        return LicenceState.choices

    def queryset(self, request, queryset):
        if self.value() in LicenceState.values:
            return queryset.filter(licence_state_q(self.value()))
        return queryset


class ProvinceFilter(admin.SimpleListFilter):
    """Superusers only: department staff have a single province."""

    title = _("tỉnh/thành phố")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return unit_lookups(AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE))

    def queryset(self, request, queryset):
        province_id = parse_int(self.value())
        if province_id is not None:
            return queryset.filter(province_id=province_id)
        return queryset


class CommuneFilter(admin.SimpleListFilter):
    """Communes of the user's province (for a superuser: of the province filtered on).

    One query on the unit table; RelatedOnlyFieldListFilter would scan the centers to find
    the communes in use, and a plain related filter would list the whole country."""

    title = _("xã/phường")
    parameter_name = "commune"
    # Django's admin/filter.html: the centers' changelist writes it in Python
    # (center_admin.center_list_filters), 168 choices for a large province.

    def lookups(self, request, model_admin):
        user = request.user
        if user.is_superuser:
            province_id = parse_int(request.GET.get(ProvinceFilter.parameter_name))
        else:
            province_id = user.province_id
        if not province_id:
            return []
        return unit_lookups(AdministrativeUnit.objects.filter(
            level=AdministrativeUnit.Level.COMMUNE, parent_id=province_id,
        ))

    def choices(self, changelist):
        """SimpleListFilter.choices with the same query strings, the other parameters
        encoded once rather than once per commune (ChangeList.get_query_string sorts
        them: each commune's pair goes where the sort puts it)."""
        if changelist.add_facets:
            yield from super().choices(changelist)
            return
        name = self.parameter_name
        others = sorted((key, value) for key, value in changelist.filter_params.items() if key != name)
        before = urlencode([(k, v) for k, v in others if k < name], doseq=True)
        after = urlencode([(k, v) for k, v in others if k > name], doseq=True)
        value = self.value()
        yield {"selected": value is None, "query_string": changelist.get_query_string(remove=[name]),
               "display": _("All")}
        head = f"?{before}&" if before else "?"
        tail = f"&{after}" if after else ""
        for lookup, title in self.lookup_choices:
            # A unit's pk (unit_lookups): digits, nothing to encode.
            yield {"selected": value == lookup, "query_string": f"{head}{name}={lookup}{tail}", "display": title}

    def queryset(self, request, queryset):
        commune_id = parse_int(self.value())
        if commune_id is not None:
            return queryset.filter(commune_id=commune_id)
        return queryset


class CurrentDirectorFilter(admin.SimpleListFilter):
    title = _("đương nhiệm")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("Đang giữ chức")), ("no", _("Đã thôi giữ chức"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ended_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(ended_on__isnull=False)
        return queryset


# Forms


def https_formfield(db_field, **kwargs):
    """Form fields of a form class built outside the admin's own callback (Django's admin
    subclasses the form once more): websites typed without a scheme are https too."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class CenterAdminForm(NfcMixin, forms.ModelForm):
    class Meta:
        model = Center
        fields = "__all__"
        formfield_callback = https_formfield
        help_texts = {
            "status": _(
                "Chỉ chọn khi thêm mới. Sau đó trạng thái thay đổi theo văn bản: nhập quyết định "
                "đình chỉ, cho hoạt động trở lại, thu hồi hoặc giải thể ở mục văn bản pháp lý."
            ),
            "code": _("Duy nhất trong tỉnh; tự chuyển thành chữ in hoa."),
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class LocationAdminForm(NfcMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        document, center = cleaned.get("document"), cleaned.get("center")
        if document is not None and center is not None and document.center_id != center.pk:
            raise ValidationError({"document": _("Văn bản này thuộc trung tâm khác.")})
        return cleaned


class DirectorAdminForm(NfcMixin, forms.ModelForm):
    class Meta:
        model = Director
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        # On a change page the center is read-only, hence left out of the form, and Django
        # then skips the one-current-director constraint: check it here instead of
        # letting the database answer with an IntegrityError.
        if "center" not in self.fields and self.instance.center_id and not cleaned.get("ended_on"):
            others = Director.objects.filter(center_id=self.instance.center_id, ended_on__isnull=True)
            if others.exclude(pk=self.instance.pk).exists():
                raise ValidationError(ONE_CURRENT_DIRECTOR)
        return cleaned


class DirectorInlineFormSet(BaseInlineFormSet):
    """One current director per center, checked across the whole formset.

    Per form, the database constraint is not validated inside an inline (the center is the
    parent) and would end as an IntegrityError; checking the formset also lets staff end
    the previous director's term and add the new one in the same save."""

    def clean(self):
        super().clean()
        current = [
            form for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form) and not form.cleaned_data.get("ended_on")
        ]
        if len(current) > 1:
            raise ValidationError(ONE_CURRENT_DIRECTOR)


# Inlines of the center page


class LicenceDocumentInline(ScopedInlineMixin, admin.TabularInline):
    model = LicenceDocument
    fields = ("kind", "number", "signed_on", "issuer", "valid_until", "scope")
    extra = 0
    show_change_link = True
    formfield_overrides = SMALL_TEXTAREA
    verbose_name_plural = _("Văn bản pháp lý (thành lập, cấp phép, điều chỉnh, đình chỉ, thu hồi, giải thể)")


class LocationInline(ScopedInlineMixin, admin.TabularInline):
    model = Location
    form = LocationAdminForm
    fields = ("address", "commune", "document", "is_active")
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        province_id = obj.province_id if obj is not None else request.user.province_id
        narrowed = {
            # Only this center's own decisions can be the basis of one of its locations,
            # and its teaching locations are in its own province.
            "document": obj.documents.all() if obj is not None else LicenceDocument.objects.none(),
            "commune": AdministrativeUnit.objects.filter(
                level=AdministrativeUnit.Level.COMMUNE, parent_id=province_id,
            ).order_by(*UNIT_ORDERING),
        }
        for name, queryset in narrowed.items():
            field = formset.form.base_fields.get(name)
            if field is not None:
                field.queryset = queryset
                # Evaluated once for the page: each row's <select> would otherwise run
                # its own query (forms copy the field, choices included).
                field.choices = list(iter(field.choices))  # iter(): no COUNT query first
        return formset


class DirectorInline(ScopedInlineMixin, admin.StackedInline):
    model = Director
    formset = DirectorInlineFormSet
    fields = (
        ("full_name", "birth_date"), ("phone", "email"),
        ("recognition_number", "recognition_date", "recognition_issuer"),
        ("started_on", "term_end", "ended_on"),
    )
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Giám đốc (một người đương nhiệm; người trước ghi ngày thôi giữ chức)")


class StaffInline(ScopedInlineMixin, admin.TabularInline):
    model = Staff
    fields = (
        "full_name", "position", "qualifications", "is_foreign", "nationality",
        "work_permit_number", "work_permit_valid_until", "work_permit_exempt", "is_active",
    )
    extra = 0
    show_change_link = True


class StatusChangeInline(ReadOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    model = StatusChange
    fields = readonly_fields = (
        "effective_on", "old_status", "new_status", "document", "reason", "recorded_by", "recorded_at",
    )
    extra = 0
    verbose_name_plural = _("Lịch sử trạng thái (ghi tự động theo văn bản)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document", "recorded_by")


# The registry


class LicenceStateOrdering(Expression):
    """The licence-state column's ordering: the rule (licence_state_case) for the day the
    query is built, not the day the module was imported."""

    output_field = models.CharField()

    def resolve_expression(self, *args, **kwargs):
        return licence_state_case().resolve_expression(*args, **kwargs)

# The changelist columns whose rows a Jinja2 partial writes (centers/templatetags/
# center_admin.py), without and with a superuser's province column, and what those rows
# read of a center.
PARTIAL_COLUMNS = ("action_checkbox", "code", "name", "kind", "commune", "licence_state_badge", "status_badge",
                   "current_licence_number")
PARTIAL_COLUMNS_WITH_PROVINCE = (PARTIAL_COLUMNS[0], "province", *PARTIAL_COLUMNS[1:])
PARTIAL_FIELDS = ("code", "name", "kind", "status", "commune", "commune__name", "commune__unit_type",
                  "current_licence", "current_licence__number")
PROVINCE_FIELDS = ("province", "province__name", "province__unit_type")


class CenterChangeList(ChangeList):
    def partial_rows(self) -> tuple[bool, bool]:
        """Whether the Jinja2 partial writes this changelist's rows, and with the province
        column (a superuser's list). Not a popup, a to_field, an editable list or other
        columns: Django's own {% result_list %} writes those."""
        if self.is_popup or self.to_field or self.list_editable or tuple(self.list_display_links or ()) != (
            "code", "name",
        ):
            return False, False
        columns = tuple(self.list_display)
        if columns == PARTIAL_COLUMNS:
            return True, False
        if columns == PARTIAL_COLUMNS_WITH_PROVINCE:
            return True, True
        return False, False

    def get_results(self, request):
        super().get_results(request)
        # The derived licence state on the rows of the page alone (CenterAdmin.get_queryset).
        self.result_list = with_licence_state(self.result_list)
        supported, show_province = self.partial_rows()
        if supported:
            # Only the columns the rows show: not the long search text of each center nor
            # every column of its licence document (the rest of a center, for an action or a
            # change page, is read by those from cl.get_queryset(), untouched).
            fields = (*PARTIAL_FIELDS, *PROVINCE_FIELDS) if show_province else PARTIAL_FIELDS
            self.result_list = self.result_list.only(*fields)


@admin.register(Center, site=site)
class CenterAdmin(ScopedAdminMixin, EditVersionAdminMixin, SimpleHistoryAdmin):
    """A save over someone else's newer one is refused with what changed
    (edu_portal.concurrency); the center is saved with every inline, so a changed document,
    director, location or staff row makes an open page stale too."""

    form = CenterAdminForm
    # A center leaves the register by a dissolution or revocation decision, keeping its
    # file; deleting one is left to superusers (mistaken duplicates).
    department_actions = frozenset({"view", "add", "change"})
    province_field = "province"
    folded_search_field = "search_text"
    search_fields = ("search_text",)
    search_help_text = _(
        "Tìm theo mã, tên, địa chỉ, chủ đầu tư, giám đốc hoặc số văn bản; gõ không dấu cũng được."
    )
    list_display = (
        "code", "name", "kind", "commune", "licence_state_badge", "status_badge", "current_licence_number",
    )
    list_display_links = ("code", "name")
    history_list_display = ("status",)
    list_select_related = ("commune", "current_licence")
    list_per_page = 50
    # Rows written by a Jinja2 partial (centers/templatetags/center_admin.py); named here
    # rather than found by Django's per-model lookup, so another AdminSite's changelist
    # of centers (the bench's stock admin) stays Django's own.
    change_list_template = "admin/centers/center_change_list.html"
    # 20,000 centers nationally: no second COUNT over the unfiltered table, no facet counts.
    # The one COUNT left needs no paginator of our own: Django drops the licence-state
    # annotation from it and the planner drops the join that remains (on a primary key),
    # leaving `COUNT(*) ... WHERE province_id = ...` on the (province, ...) indexes.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ("commune",)
    formfield_overrides = URL_HTTPS
    actions = ("export_xlsx",)
    inlines = (LicenceDocumentInline, DirectorInline, LocationInline, StaffInline, StatusChangeInline)
    readonly_fields = ("current_licence", "licence_state_badge", "created_at", "updated_at")
    fieldsets = (
        (_("Thông tin chung"), {"fields": ("province", "code", "name", "kind", "status")}),
        (_("Địa chỉ"), {"fields": ("commune", "street", "address_as_printed")}),
        (
            _("Chủ đầu tư, cơ quan quản lý"),
            {"fields": ("investor_name", "investor_tax_code", "founding_authority", "managing_authority")},
        ),
        (_("Liên hệ"), {"fields": ("phone", "email", "website")}),
        (
            _("Giấy phép hiện hành"),
            {
                "fields": ("current_licence", "licence_state_badge", "created_at", "updated_at"),
                "description": _("Tự xác định từ các văn bản pháp lý bên dưới; không nhập tay."),
            },
        ),
    )

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_changelist(self, request, **kwargs):
        return CenterChangeList

    # The changelist's search form, rows, pagination and filters (templates/admin/centers/
    # fragments/) between writes, as the registry list keeps its body (edu_portal/fragments.py).
    FRAGMENTS = {"fragment_search": "admin/centers/fragments/search.html",
                 "fragment_result_list": "admin/centers/fragments/result_list.html",
                 "fragment_pagination": "admin/centers/fragments/pagination.html",
                 "fragment_filters": "admin/centers/fragments/filters.html"}

    def changelist_view(self, request, extra_context=None):
        cacheable = (request.method == "GET" and extra_context is None
                     and not {IS_POPUP_VAR, TO_FIELD_VAR} & set(request.GET))
        key = fragments.page_key(request, "CenterAdmin", self._fragment_permissions(request)) if cacheable else None
        payload = fragments.get(key)
        if payload is not None:
            return self._changelist_frame(request, payload)
        response = super().changelist_view(request, extra_context)
        if not isinstance(response, TemplateResponse):  # a redirect (?e=1), an actions' answer
            return response
        context = response.context_data
        payload = {name: render_to_string(template, context, request) for name, template in self.FRAGMENTS.items()}
        cl = context["cl"]
        payload.update(title=str(context["title"]), has_filters=cl.has_filters,
                       selection_note=str(context["selection_note"]),
                       selection_note_all=str(context["selection_note_all"]))
        fragments.put(key, payload)
        context.update(payload)
        return response

    def _fragment_permissions(self, request) -> tuple:
        return (self.has_add_permission(request), self.has_change_permission(request),
                self.has_delete_permission(request), tuple(self.get_actions(request)))

    def _changelist_frame(self, request, payload: dict) -> TemplateResponse:
        """The page around cached fragments: what Django's changelist_view gives its
        template, but for the ChangeList itself, of which the frame reads three fields."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        actions = self.get_actions(request)
        action_form = None
        media = self.media
        if actions:
            action_form = self.action_form(auto_id=None)
            media += action_form.media
        request.current_app = self.admin_site.name
        frame_cl = SimpleNamespace(opts=self.opts, formset=None, has_filters=payload["has_filters"],
                                   date_hierarchy=None)
        return TemplateResponse(request, self.change_list_template, {
            **self.admin_site.each_context(request),
            "module_name": str(self.opts.verbose_name_plural),
            "subtitle": None,
            "is_popup": False,
            "to_field": None,
            "cl": frame_cl,
            "media": media,
            "has_add_permission": self.has_add_permission(request),
            "opts": self.opts,
            "action_form": action_form,
            "actions_on_top": self.actions_on_top,
            "actions_on_bottom": self.actions_on_bottom,
            "actions_selection_counter": self.actions_selection_counter,
            "preserved_filters": self.get_preserved_filters(request),
            **payload,
        })

    # get_queryset: ScopedAdminMixin's, the scoped centers alone. No select_related (the
    # changelist applies list_select_related only to a queryset that has none yet), and no
    # licence state: the changelist adds it to the rows of its page (CenterChangeList), so
    # that its COUNT(*) has no join to the licence documents and PostgreSQL counts 1,000
    # centers from the province index alone (0.2 ms instead of 1.5, and less planning); the
    # column sorts by the rule itself (LicenceStateOrdering), and the change page reads the
    # state of its one center (licence_state_badge).

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ("province", *self.list_display)
        return self.list_display

    def get_list_select_related(self, request):
        if request.user.is_superuser:
            return ("province", *self.list_select_related)
        return self.list_select_related

    def get_list_filter(self, request):
        filters = ("kind", "status", LicenceStateFilter, CommuneFilter)
        return (ProvinceFilter, *filters) if request.user.is_superuser else filters

    def get_readonly_fields(self, request, obj=None):
        readonly = self.readonly_fields
        # Status follows the documents (centers.services); set by hand only at creation.
        return (*readonly, "status") if obj is not None else readonly

    def view_on_site(self, obj):
        return reverse("centers:center_detail", args=[obj.pk])

    @admin.display(description=_("tình trạng giấy phép"), ordering=LicenceStateOrdering())
    def licence_state_badge(self, obj):
        state = getattr(obj, "licence_state", None)
        if state is None and obj.pk is not None:
            # A center read without it (its change page): the same rule, for this one.
            state = with_licence_state(Center.objects.filter(pk=obj.pk)).values_list("licence_state", flat=True).get()
        if state is None:  # the add page: nothing derived yet
            return "—"
        return badge(LicenceState(state).label, LicenceState.badge(state))

    @admin.display(description=_("trạng thái"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), CenterStatus.badge(obj.status))

    @admin.display(description=_("số giấy phép hiện hành"), ordering="current_licence__number")
    def current_licence_number(self, obj):
        return obj.current_licence.number if obj.current_licence_id else "—"

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        center_save(center=obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the registry's services, which apply what a document
        means (a suspension...) and keep the center's derived columns right."""
        if formset.model not in (LicenceDocument, Director):
            # Locations and staff feed nothing derived.
            return super().save_formset(request, form, formset, change)
        records = formset.save(commit=False)
        # Deleted first: removing the current director makes room for a new one.
        center_records_delete(records=formset.deleted_objects)
        if formset.model is LicenceDocument:
            # Oldest first: a suspension entered with the licence before it must win.
            for document in sorted(records, key=lambda d: (d.signed_on, d.pk or 0)):
                licence_document_save(document=document, by=request.user)
        else:
            # Existing rows before new ones (the formset's order): an ended tenure makes
            # room for the new current director.
            for director in records:
                director_save(director=director, by=request.user)
        formset.save_m2m()

    @admin.action(description=_("Xuất các trung tâm đã chọn ra Excel (.xlsx)"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        # Imported here: centers.excel is written alongside and must not break the admin.
        from centers.excel import export_workbook

        return private_download(export_workbook(queryset), f"trung-tam-{timezone.localdate():%Y%m%d}.xlsx")


class CenterChildAdmin(ScopedAdminMixin, EditVersionAdminMixin, SimpleHistoryAdmin):
    """Records hanging on a center: scoped through it, searched by its folded text."""

    scope_prefix = "center__"
    folded_search_field = "center__search_text"
    autocomplete_fields = ("center",)
    list_select_related = ("center",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        # Moving a record to another center would leave the first one's derived data stale.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return (*readonly, "center") if obj is not None else readonly

    def delete_model(self, request, obj):
        center_records_delete(records=[obj])

    def delete_queryset(self, request, queryset):
        center_records_delete(records=queryset.select_related(None))


@admin.register(LicenceDocument, site=site)
class LicenceDocumentAdmin(CenterChildAdmin):
    list_display = ("number", "kind", "signed_on", "valid_until", "center", "issuer")
    list_filter = ("kind",)
    search_fields = ("center__search_text", "number")
    search_help_text = _("Tìm theo số văn bản, hoặc tên, mã trung tâm (gõ không dấu cũng được).")
    formfield_overrides = SMALL_TEXTAREA
    # What the paper document printed on the day it was signed: the PDF prints these
    # rather than what the register derives (issue 11; centers.pdf).
    fieldsets = (
        (None, {"fields": ("center", "kind", "number", "signed_on", "issuer", "valid_until", "validity_stated",
                           "scope")}),
        (_("Như ghi trên văn bản"), {
            "description": _("Ghi khi văn bản khác với những gì sổ đăng ký suy ra, ví dụ quyết định ký trước khi "
                             "sáp nhập tỉnh (1/7/2025). Để trống thì bản in dùng thông tin của sổ đăng ký."),
            "fields": ("issuer_parent_as_printed", "issuer_name_as_printed", "place_as_printed",
                       "center_name_as_printed", "address_as_printed", "legal_bases", "applicant_as_printed",
                       "proposer", "signer_title", "signer_name"),
        }),
    )

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        # The service applies the status change (suspension...) and refreshes the center.
        licence_document_save(document=obj, by=request.user)


@admin.register(Director, site=site)
class DirectorAdmin(CenterChildAdmin):
    form = DirectorAdminForm

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        director_save(director=obj, by=request.user)

    list_display = (
        "full_name", "center", "recognition_number", "recognition_date", "term_end", "started_on", "ended_on",
    )
    list_filter = (CurrentDirectorFilter,)
    # People by given name, then family and middle names (a center's page lists its
    # directors by date instead: that list is their succession).
    ordering = (*person_ordering("full_name"), "pk")
    search_fields = ("center__search_text", "full_name")
    search_help_text = _("Tìm theo họ tên, hoặc tên, mã trung tâm (gõ không dấu cũng được).")


@admin.register(Staff, site=site)
class StaffAdmin(CenterChildAdmin):
    list_display = (
        "full_name", "center", "position", "is_foreign", "nationality", "work_permit_valid_until", "is_active",
    )
    list_filter = ("position", "is_foreign", "work_permit_exempt", "is_active")
    ordering = (*person_ordering("full_name"), "pk")
    search_fields = ("center__search_text", "full_name", "nationality")
    search_help_text = _("Tìm theo họ tên, quốc tịch, hoặc tên, mã trung tâm (gõ không dấu cũng được).")


@admin.register(Location, site=site)
class LocationAdmin(CenterChildAdmin):
    form = LocationAdminForm
    list_display = ("address", "center", "commune", "document", "is_active")
    list_select_related = ("center", "commune", "document")
    list_filter = ("is_active",)
    autocomplete_fields = ("center", "commune", "document")
    search_fields = ("center__search_text", "address")
    search_help_text = _("Tìm theo địa chỉ, hoặc tên, mã trung tâm (gõ không dấu cũng được).")


@admin.register(StatusChange, site=site)
class StatusChangeAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Written only by centers.services.center_set_status; shown, never edited."""

    scope_prefix = "center__"
    folded_search_field = "center__search_text"
    search_fields = ("center__search_text",)
    list_display = ("center", "effective_on", "old_status", "new_status", "document", "recorded_by", "recorded_at")
    list_select_related = ("center", "document", "recorded_by")
    list_filter = ("new_status",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50


@admin.register(CenterImport, site=site)
class CenterImportAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The record of registry imports, for reference; imports run from the portal's
    import page (centers.views.excel), whose status page is "view on site"."""

    # CenterImport carries the department's province itself: scope_q(user, "").
    list_display = (
        "original_name", "status", "province", "created_by", "total_rows", "created", "updated",
        "created_at", "finished_at",
    )
    list_select_related = ("province", "created_by")
    list_filter = ("status",)
    search_fields = ("original_name",)
    # The uploaded file is private (no MEDIA_URL) and the errors are on the status page.
    fields = (
        "original_name", "status", "province", "created_by", "valid_only", "total_rows", "processed_rows",
        "created", "updated", "created_at", "finished_at",
    )
    readonly_fields = fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
