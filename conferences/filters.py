"""Filters of the conference, directive and task lists. Choices offer only what lies in
the user's scope; text search ignores diacritics and case (the folded search_text)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import may
from centers.selectors import search_q
from edu_portal.params import IdFilter, parse_int
from geo.text import vi_sort_key

from .choices import (
    AssigneeKind,
    AssignmentStatus,
    ConferenceKind,
    DirectiveStatus,
    DirectiveType,
    FollowUp,
)
from .models import Conference, Directive, TaskAssignment
from .selectors import conference_search, conferences_visible_to, follow_up_q

FIRST_YEAR = 2015


def year_choices() -> list[tuple[int, int]]:
    """From next year back to 2015: no query, and a plan for next year is often drafted now."""
    return [(year, year) for year in range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)]


class BootstrapFilterSet(django_filters.FilterSet):
    """Bootstrap classes on every widget, and the user for the scoped choices."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope_choices(user)
        for form_field in self.form.fields.values():
            if isinstance(form_field.widget, forms.Select):
                form_field.widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                form_field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def scope_choices(self, user) -> None:
        pass


class ConferenceFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Tìm trong nội dung"), method="search")
    year = django_filters.ChoiceFilter(
        label=_("Năm"), field_name="held_on__year", choices=year_choices, empty_label=_("Tất cả"),
    )
    kind = django_filters.ChoiceFilter(label=_("Loại hội nghị"), choices=ConferenceKind.choices,
                                       empty_label=_("Tất cả"))
    host = django_filters.ChoiceFilter(label=_("Đơn vị tổ chức"), field_name="host_unit", choices=[],
                                       empty_label=_("Tất cả"))

    class Meta:
        model = Conference
        fields = ["q", "year", "kind", "host"]

    def scope_choices(self, user) -> None:
        hosts = (conferences_visible_to(user).order_by().values_list("host_unit", flat=True).distinct()
                 if user is not None else [])
        # A handful of distinct values, put in Vietnamese order here (SELECT DISTINCT can
        # only be ordered by what it selects).
        self.filters["host"].extra["choices"] = [(h, h) for h in sorted(hosts, key=vi_sort_key)]

    def search(self, queryset, name, value):
        return conference_search(queryset, value)


class DirectiveFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Tìm theo trích yếu, nội dung, số ký hiệu"), method="search")
    year = django_filters.ChoiceFilter(
        label=_("Năm"), choices=year_choices, method="filter_year", empty_label=_("Tất cả"),
    )
    doc_type = django_filters.ChoiceFilter(label=_("Loại văn bản"), choices=DirectiveType.choices,
                                           empty_label=_("Tất cả"))
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=DirectiveStatus.choices,
                                         empty_label=_("Tất cả"))
    conference = django_filters.ModelChoiceFilter(label=_("Hội nghị"), queryset=Conference.objects.none(),
                                                  empty_label=_("Tất cả"))

    class Meta:
        model = Directive
        fields = ["q", "year", "doc_type", "status", "conference"]

    def scope_choices(self, user) -> None:
        conferences = conferences_visible_to(user) if user is not None else Conference.objects.none()
        self.filters["conference"].queryset = conferences.only("pk", "title")
        if user is not None and not user.is_superuser and not may(user, "directives.edit"):
            # Only the Department sees drafts: a status filter means nothing to others.
            self.filters.pop("status")

    def search(self, queryset, name, value):
        # The number as printed ("12/KH-SGDĐT") is matched on the number and the symbol.
        number, _slash, symbol = value.strip().partition("/")
        q = search_q(value)
        number = parse_int(number, min_value=0)
        if number is not None:
            q |= Q(number=number) & search_q(symbol or "", "search_text")
        return queryset.filter(q)

    def filter_year(self, queryset, name, value):
        return queryset.filter(Q(year=value) | Q(year__isnull=True, created_at__year=value))


class AssignmentFilterSet(BootstrapFilterSet):
    """"Nhiệm vụ": by follow-up state, assignee kind, directive year and text."""

    WAITING = "waiting"

    q = django_filters.CharFilter(label=_("Tìm theo văn bản, đơn vị"), method="search")
    state = django_filters.ChoiceFilter(
        label=_("Tình trạng"), method="filter_state", empty_label=_("Tất cả"),
        choices=[(FollowUp.OPEN.value, FollowUp.OPEN.label), (FollowUp.OVERDUE.value, FollowUp.OVERDUE.label),
                 (WAITING, _("Chờ Sở xác nhận")),
                 (FollowUp.DONE_ON_TIME.value, FollowUp.DONE_ON_TIME.label),
                 (FollowUp.DONE_LATE.value, FollowUp.DONE_LATE.label)],
    )
    kind = django_filters.ChoiceFilter(label=_("Giao cho"), choices=AssigneeKind.choices, empty_label=_("Tất cả"))
    year = django_filters.ChoiceFilter(
        label=_("Năm văn bản"), field_name="task__directive__year", choices=year_choices,
        empty_label=_("Tất cả"),
    )
    # From a directive's follow-up summary: its assignments only (not shown as a field).
    directive = IdFilter(field_name="task__directive", widget=forms.HiddenInput)

    class Meta:
        model = TaskAssignment
        fields = ["q", "state", "kind", "year", "directive"]

    def scope_choices(self, user) -> None:
        if user is not None and user.role == User.Role.DIRECTOR and not user.is_superuser:
            # A director's tasks are all their center's.
            self.filters.pop("kind")

    def search(self, queryset, name, value):
        return queryset.filter(
            search_q(value, "task__directive__search_text") | search_q(value, "center__search_text")
        )

    def filter_state(self, queryset, name, value):
        if value == self.WAITING:
            return queryset.filter(status=AssignmentStatus.DONE)
        return queryset.filter(follow_up_q(value, timezone.localdate()))
