"""Filters of the compliance page (and its export), the inspections and the complaints.

The compliance filters offer units from inspections.selectors.compliance_frame, as plain
choices: validating a chosen commune costs no query, so the page keeps its budget."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.choices import CenterKind, CenterStatus
from centers.forms import QuickSelect
from centers.selectors import search_q
from edu_portal.params import IdFilter, IntegerFilter
from geo.text import fold

from .choices import ComplaintSource, ComplaintStatus, InspectionStatus, OPEN_COMPLAINT_STATUSES
from .models import Complaint, Inspection
from .rules import rule_choices

MATCH_CHOICES = (("any", _("Vi phạm bất kỳ quy tắc đã chọn")), ("all", _("Vi phạm tất cả quy tắc đã chọn")))
# The page's sort parameter (?ordering=) -> compliance_search's order.
ORDERINGS = {"-score": "-risk", "score": "risk", "name": "name", "-name": "-name", "inspected": "inspected",
             "-inspected": "-inspected"}


def months_ago(today: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the last day of a shorter month)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# Choices as functions, not lists: Django deep-copies every form field for every form,
# and with it a list of choices and their lazy labels (most of the cost of building the
# compliance page's form); a function is shared as it is.
def _match_choices():
    return MATCH_CHOICES


def _kind_choices():
    return CenterKind.choices


def _status_choices():
    return CenterStatus.choices


def _keep(queryset, name, value):
    """For fields read by another filter (the rules read `match`)."""
    return queryset


def _style(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class ComplianceFilterSet(django_filters.FilterSet):
    """The inspectors' search: rules (any or all), kind, status, units, investor, time
    since the last inspection, free text. The filters narrow the centers in scope; the
    rules, the score and the order are inspections.selectors.compliance_search's, which
    gets them from search_options()."""

    q = django_filters.CharFilter(label=_("Tìm kiếm"), method="search")
    rules = django_filters.MultipleChoiceFilter(
        label=_("Quy tắc"), choices=rule_choices, widget=forms.CheckboxSelectMultiple, method=_keep,
    )
    # Every select is a QuickSelect (centers.forms): the same markup as Django's, written
    # out in Python instead of two template includes per option.
    match = django_filters.ChoiceFilter(label=_("Kết hợp"), choices=_match_choices, method=_keep,
                                        empty_label=None, widget=QuickSelect)
    kind = django_filters.ChoiceFilter(label=_("Loại hình"), choices=_kind_choices, empty_label=_("Tất cả"),
                                       widget=QuickSelect)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=_status_choices,
                                         empty_label=_("Tất cả"), widget=QuickSelect)
    province = django_filters.ChoiceFilter(label=_("Tỉnh/Thành phố"), field_name="province_id", choices=[],
                                           empty_label=_("Tất cả"), widget=QuickSelect)
    commune = django_filters.ChoiceFilter(label=_("Xã/Phường"), field_name="commune_id", choices=[],
                                          empty_label=_("Tất cả"), widget=QuickSelect)
    investor = django_filters.CharFilter(label=_("Chủ đầu tư"), method="filter_investor")
    not_inspected_months = IntegerFilter(
        label=_("Không kiểm tra trong (tháng)"), method="filter_not_inspected", min_value=1, max_value=240,
    )
    # Read by the view, which hands it to compliance_search (like `rules` and `match`).
    ordering = django_filters.ChoiceFilter(label=_("Sắp xếp"), choices=[(key, key) for key in ORDERINGS],
                                           method=_keep, widget=forms.HiddenInput)

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, user=None, frame=None, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        # Plain choices from the frame's one query: validating a choice asks nothing more.
        # (Functions, as above: the form copies a function, not 168 communes.)
        if frame is not None:
            communes = [(u.pk, u.name) for u in frame.communes]
            provinces = [(u.pk, u.name) for u in frame.provinces]
            self.filters["commune"].extra["choices"] = lambda: communes
            self.filters["province"].extra["choices"] = lambda: provinces
        if user is None or not user.is_superuser:
            # One province (their own) for everyone but superusers: nothing to choose.
            self.filters.pop("province")
        form = self.form
        form.fields["not_inspected_months"].widget.attrs.update({"min": 1, "max": 240, "step": 1,
                                                                 "placeholder": _("ví dụ: 6")})
        form.fields["investor"].widget.attrs["placeholder"] = _("tên hoặc mã số thuế")
        _style(form)

    def search_options(self) -> dict:
        """What compliance_search takes from the form: the rules (any or all) and the order."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return {
            "rules": list(data.get("rules") or []),
            "match_all": data.get("match") == "all",
            "order": ORDERINGS.get(data.get("ordering") or "", "-risk"),
        }

    def search(self, queryset, name, value):
        # "ngoai ngu" finds "Ngoại ngữ": the registry's folded search column.
        return queryset.filter(search_q(value))

    def filter_investor(self, queryset, name, value):
        """The investor's name without diacritics (its words are in the folded search
        column, and the center must have an investor), or its tax code."""
        value = value.strip()
        by_name = search_q(value) & ~Q(investor_name="") if fold(value) else Q(pk__in=[])
        return queryset.filter(by_name | Q(investor_tax_code=value))

    def filter_not_inspected(self, queryset, name, value):
        """Never inspected, or last inspected more than N months ago: no inspection
        carried out since the cutoff."""
        cutoff = months_ago(self.today, int(value))
        return queryset.exclude(Exists(Inspection.objects.filter(center=OuterRef("pk"), carried_out_on__gte=cutoff)))


class InspectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm trung tâm"), method="search")
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=InspectionStatus.choices,
                                         empty_label=_("Tất cả"))
    year = django_filters.ChoiceFilter(label=_("Năm"), choices=[], method="filter_year", empty_label=_("Tất cả"))
    center = IdFilter(field_name="center_id", widget=forms.HiddenInput)

    class Meta:
        model = Inspection
        fields = ["q", "status", "year", "center"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.filters["year"].extra["choices"] = [(y, y) for y in range(this_year + 1, 2019, -1)]
        _style(self.form)

    def search(self, queryset, name, value):
        return queryset.filter(search_q(value, "center__search_text"))

    def filter_year(self, queryset, name, value):
        """The year it was carried out, or planned for while not yet carried out."""
        year = int(value)
        return queryset.filter(Q(carried_out_on__year=year) | Q(carried_out_on__isnull=True, planned_on__year=year))


OVERDUE_CHOICES = (("yes", _("Quá hạn giải quyết")), ("open", _("Đang mở")))


class ComplaintFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm trung tâm"), method="search")
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=ComplaintStatus.choices,
                                         empty_label=_("Tất cả"))
    source = django_filters.ChoiceFilter(label=_("Nguồn"), choices=ComplaintSource.choices, empty_label=_("Tất cả"))
    pending = django_filters.ChoiceFilter(label=_("Tiến độ"), choices=OVERDUE_CHOICES, method="filter_pending",
                                          empty_label=_("Tất cả"))
    center = IdFilter(field_name="center_id", widget=forms.HiddenInput)

    class Meta:
        model = Complaint
        fields = ["q", "status", "source", "pending", "center"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self.form)

    def search(self, queryset, name, value):
        return queryset.filter(search_q(value, "center__search_text"))

    def filter_pending(self, queryset, name, value):
        open_ = queryset.filter(status__in=OPEN_COMPLAINT_STATUSES)
        if value == "yes":
            return open_.filter(handling_deadline__lt=timezone.localdate())
        return open_
