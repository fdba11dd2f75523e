import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.permissions import may
from geo.collation import UNIT_ORDERING, unit_ordering
from geo.filters import UnitChoiceFilter
from geo.models import AdministrativeUnit

from .choices import CenterKind, CenterStatus, LicenceState
from .forms import QuickSelect
from .models import Center
from .selectors import (
    director_account_q,
    director_recognised_q,
    foreign_teachers_q,
    licence_state_q,
    search_q,
    work_permit_expired_q,
)

YES_NO = (("yes", _("Có")), ("no", _("Không")))


def _yes_no(queryset, value, q):
    if value == "yes":
        return queryset.filter(q)
    if value == "no":
        return queryset.exclude(q)
    return queryset


class RegistryOrdering(django_filters.OrderingFilter):
    """The list's sort choices, in Vietnamese order: centers by name, by commune (as
    communes sort everywhere, geo.collation.UNIT_ORDERING), rows that tie by name then id,
    so a page never changes order between two requests."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            name = field.removeprefix("-")
            fields = unit_ordering("commune__") if name == "commune__name" else [name]
            ordering += [f"-{f}" if descending else f for f in fields]
        return qs.order_by(*ordering, "name", "id")


class CenterFilterSet(django_filters.FilterSet):
    """The registry filters; the same filterset feeds the list page and its exports."""

    q = django_filters.CharFilter(label=_("Tìm kiếm"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Loại hình"), choices=CenterKind.choices, empty_label=_("Tất cả"),
                                      widget=QuickSelect)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=CenterStatus.choices,
                                        empty_label=_("Tất cả"), widget=QuickSelect)
    province = UnitChoiceFilter(
        label=_("Tỉnh/Thành phố"), queryset=AdministrativeUnit.objects.none(), empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    commune = UnitChoiceFilter(
        label=_("Xã/Phường"), queryset=AdministrativeUnit.objects.none(), empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    licence_state = django_filters.ChoiceFilter(
        label=_("Giấy phép"), choices=LicenceState.choices, method="filter_licence", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    director_recognised = django_filters.ChoiceFilter(
        label=_("Giám đốc được công nhận"), choices=YES_NO, method="filter_director", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    has_foreign_teachers = django_filters.ChoiceFilter(
        label=_("Có giáo viên nước ngoài"), choices=YES_NO, method="filter_foreign", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    work_permit_expired = django_filters.ChoiceFilter(
        label=_("Giấy phép lao động hết hạn"), choices=YES_NO, method="filter_permit", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    director_account = django_filters.ChoiceFilter(
        label=_("Tài khoản giám đốc"), method="filter_director_account", empty_label=_("Tất cả"), widget=QuickSelect,
        choices=(("none", _("Chưa có")), ("invited", _("Đã mời, chưa nhận")), ("active", _("Đã có"))),
    )
    ordering = RegistryOrdering(
        label=_("Sắp xếp"), widget=QuickSelect,
        fields=(("name", "name"), ("code", "code"), ("kind", "kind"), ("status", "status"),
                ("commune__name", "commune"), ("current_licence__valid_until", "licence")),
        field_labels={"name": _("Tên"), "code": _("Mã"), "kind": _("Loại hình"), "status": _("Trạng thái"),
                      "commune__name": _("Xã/Phường"), "current_licence__valid_until": _("Hạn giấy phép")},
    )

    class Meta:
        model = Center
        fields = ["q", "kind", "status", "province", "commune"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = AdministrativeUnit.objects.all()
        provinces = units.filter(level=AdministrativeUnit.Level.PROVINCE)
        communes = units.filter(level=AdministrativeUnit.Level.COMMUNE)
        # Offer only the units inside the user's scope.
        if user is not None and not user.is_superuser:
            if user.province_id:
                provinces = provinces.filter(pk=user.province_id)
                communes = communes.filter(parent_id=user.province_id)
            if user.commune_id:
                communes = communes.filter(pk=user.commune_id)
            if user.center_id:
                communes = communes.filter(commune_centers__pk=user.center_id)
        self.filters["province"].queryset = provinces
        self.filters["commune"].queryset = communes.order_by(*UNIT_ORDERING)
        # Accounts are the business of those who invite (accounts.permissions).
        if user is None or not may(user, "accounts.manage"):
            del self.filters["director_account"]
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_licence(self, queryset, name, value):
        return queryset.filter(licence_state_q(value))

    def filter_director(self, queryset, name, value):
        return _yes_no(queryset, value, director_recognised_q())

    def filter_director_account(self, queryset, name, value):
        return queryset.filter(director_account_q(value))

    def filter_foreign(self, queryset, name, value):
        return _yes_no(queryset, value, foreign_teachers_q())

    def filter_permit(self, queryset, name, value):
        return _yes_no(queryset, value, work_permit_expired_q())
