"""Administrative units as filter choices, for the filter forms of the long lists."""

import django_filters
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from .models import unit_full_name


class UnitChoiceIterator(ModelChoiceIterator):
    """The units of the field's queryset as (pk, full name), read with one plain query.

    Django's iterator builds a model instance per unit and reads them through
    QuerySet.iterator(), which outside a transaction (a template rendering the form after
    the view's atomic block) declares a server-side cursor WITH HOLD on PostgreSQL: four
    round trips for the 168 communes of a large province, on every list page
    (bench/profile_pages.py). Values and labels are those of ModelChoiceField."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for pk, name, unit_type in self.queryset.values_list("pk", "name", "unit_type"):
            yield (pk, unit_full_name(name, unit_type))


class UnitChoiceField(ModelChoiceField):
    iterator = UnitChoiceIterator


class UnitChoiceFilter(django_filters.ModelChoiceFilter):
    """ModelChoiceFilter over AdministrativeUnit: the same choices, cleaned to a unit."""

    field_class = UnitChoiceField
