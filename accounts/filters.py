import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from centers.forms import QuickSelect
from centers.selectors import search_q
from geo.models import AdministrativeUnit

from .models import User
from .selectors import invitation_filter_q

YES_NO = (("yes", _("Có")), ("no", _("Không")))
INVITATION_STATES = (
    ("none", _("Chưa mời")),
    ("pending", _("Đã mời, chờ nhận")),
    ("expired", _("Lời mời hết hạn hoặc đã huỷ")),
    ("accepted", _("Đã đặt mật khẩu")),
)


def _small_selects(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select form-select-sm")


class AccountFilterSet(django_filters.FilterSet):
    """The accounts department staff manage (accounts.selectors.account_list)."""

    q = django_filters.CharFilter(label=_("Tìm kiếm"), method="search")
    role = django_filters.ChoiceFilter(label=_("Vai trò"), choices=User.Role.choices, empty_label=_("Tất cả"),
                                       widget=QuickSelect)
    active = django_filters.ChoiceFilter(
        label=_("Được đăng nhập"), choices=YES_NO, method="filter_active", empty_label=_("Tất cả"), widget=QuickSelect,
    )
    invitation = django_filters.ChoiceFilter(
        label=_("Lời mời"), choices=INVITATION_STATES, method="filter_invitation", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    never_logged_in = django_filters.ChoiceFilter(
        label=_("Chưa đăng nhập lần nào"), choices=YES_NO, method="filter_never_logged_in", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )

    class Meta:
        model = User
        fields = ["q", "role"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _small_selects(self.form)

    def search(self, queryset, name, value):
        # Every word, folded (no diacritics, no case), in the folded username, name and address.
        return queryset.filter(search_q(value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=(value == "yes"))

    def filter_invitation(self, queryset, name, value):
        return queryset.filter(invitation_filter_q(value))

    def filter_never_logged_in(self, queryset, name, value):
        return queryset.filter(last_login__isnull=(value == "yes"))


class CommuneAccountFilterSet(django_filters.FilterSet):
    """The communes page: by name (without diacritics) and whether an officer has an account."""

    q = django_filters.CharFilter(label=_("Tên xã/phường"), method="search")
    has_officer = django_filters.ChoiceFilter(
        label=_("Đã có tài khoản cán bộ"), choices=YES_NO, method="filter_has_officer", empty_label=_("Tất cả"),
        widget=QuickSelect,
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["q"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _small_selects(self.form)

    def search(self, queryset, name, value):
        return queryset.filter(search_q(value, field="name_folded"))

    def filter_has_officer(self, queryset, name, value):
        return queryset.filter(has_officer=(value == "yes"))
