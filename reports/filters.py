"""Filters of the report pages: the review queue, the list of centers that have not
submitted, and everyone's obligations list. Choices offer only what lies in the user's
scope."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.choices import CenterKind
from centers.forms import QuickSelect
from centers.selectors import search_q
from geo.collation import UNIT_ORDERING
from geo.filters import UnitChoiceFilter
from geo.models import AdministrativeUnit

from .choices import PENDING_STATUSES, ObligationStatus
from .models import Obligation, ReportPeriod, ReportType, local_date
from .selectors import AWAITING_REVIEW, periods_visible_to, user_province_id


def _communes_for(user):
    communes = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
    if user.is_superuser:
        return communes.order_by(*UNIT_ORDERING)
    if user.commune_id:
        return communes.filter(pk=user.commune_id)
    return communes.filter(parent_id=user_province_id(user)).order_by(*UNIT_ORDERING)


class ScopedObligationFilterSet(django_filters.FilterSet):
    """Shared parts: folded search on the center, commune choices from the user's scope,
    Bootstrap classes on the widgets."""

    q = django_filters.CharFilter(label=_("Tìm trung tâm"), method="search")
    commune = UnitChoiceFilter(
        label=_("Xã/Phường"), field_name="center__commune", queryset=AdministrativeUnit.objects.none(),
        empty_label=_("Tất cả"), widget=QuickSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_choices(user)
        # self.form is built here, once: the choices must be narrowed before.
        for form_field in self.form.fields.values():
            if isinstance(form_field.widget, forms.Select):
                form_field.widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                form_field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def scope_choices(self, user) -> None:
        self.filters["commune"].queryset = _communes_for(user)

    def search(self, queryset, name, value):
        # "ngoai ngu" finds "Ngoại ngữ": the center's folded search column.
        return queryset.filter(search_q(value, "center__search_text"))


class ReviewQueueFilterSet(ScopedObligationFilterSet):
    """The review queue: by report type, period, commune and status."""

    report_type = django_filters.ModelChoiceFilter(
        label=_("Loại báo cáo"), field_name="period__report_type", queryset=ReportType.objects.none(),
        empty_label=_("Tất cả"), widget=QuickSelect,
    )
    period = django_filters.ModelChoiceFilter(
        label=_("Kỳ báo cáo"), queryset=ReportPeriod.objects.none(), empty_label=_("Tất cả"), widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"), empty_label=_("Tất cả"), widget=QuickSelect,
        choices=[(status.value, status.label) for status in AWAITING_REVIEW],
    )

    class Meta:
        model = Obligation
        fields = ["q", "report_type", "period", "commune", "status"]

    def scope_choices(self, user) -> None:
        super().scope_choices(user)
        periods = periods_visible_to(user)
        self.filters["period"].queryset = periods.order_by("-due_date", "report_type__title")
        types = ReportType.objects.all()
        if not user.is_superuser:
            types = types.filter(province_id=user_province_id(user))
        self.filters["report_type"].queryset = types.order_by("title")


class MissingObligationFilterSet(ScopedObligationFilterSet):
    """The centers that owe a period and have sent nothing: by kind and commune."""

    kind = django_filters.ChoiceFilter(
        label=_("Loại hình"), field_name="center__kind", choices=CenterKind.choices, empty_label=_("Tất cả"),
        widget=QuickSelect,
    )

    class Meta:
        model = Obligation
        fields = ["q", "kind", "commune"]




class ObligationFilterSet(ReviewQueueFilterSet):
    """The obligations list ("Việc cần làm"): the review queue's filters with every status,
    plus "still to do" and "overdue"; the center search and the commune only for users who
    see more than one center. Every choice is limited to the user's scope."""

    TODO = "todo"
    OVERDUE = "overdue"

    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"), empty_label=_("Tất cả"), method="filter_status", widget=QuickSelect,
        choices=[(TODO, _("Còn phải nộp")), (OVERDUE, _("Quá hạn chưa nộp")), *ObligationStatus.choices],
    )

    class Meta:
        model = Obligation
        fields = ["q", "commune", "report_type", "period", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.center_id and not user.is_superuser:
            # A director sees one center: searching centers or communes means nothing.
            for name in ("q", "commune"):
                self.filters.pop(name)
                self.form.fields.pop(name)

    def filter_status(self, queryset, name, value):
        if value == self.TODO:
            return queryset.filter(status__in=PENDING_STATUSES)
        if value == self.OVERDUE:
            # Never submitted, past the due date and past the extension if any:
            # max(due, extended) < today without database-specific functions.
            today = local_date()
            return queryset.filter(first_submitted_at__isnull=True, period__due_date__lt=today).filter(
                Q(extended_until__isnull=True) | Q(extended_until__lt=today)
            )
        return queryset.filter(status=value)
