"""Strict parsing of the numbers and ids people (and attackers) type into URLs and forms.

str.isdigit() is true for "²" and "①", which int() refuses, and a string of thirty
digits passes int() but overflows every database integer (SQLite: OverflowError,
PostgreSQL: "out of range for type bigint"). Everything that turns a request value into
a number goes through parse_int (views) or IdFilter/StrictIntegerField (filtersets and
forms): ASCII digits only, within what a database integer holds; anything else is "no
value", never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The largest value every integer column holds on SQLite and PostgreSQL (PostgreSQL's
# integer is 32-bit; ids are bigint, but no table comes near two billion rows).
DB_INT_MAX = 2**31 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")
# Without a max_value, longer strings are still refused (Python's int() stops at 4,300).
_UNBOUNDED_DIGITS = 1000


def parse_int(value: Any, *, default: int | None = None, min_value: int | None = 1,
              max_value: int | None = DB_INT_MAX) -> int | None:
    """`value` as an int if it is ASCII digits (or already an int) within
    [min_value, max_value]; `default` otherwise. Never raises.

    No sign, no spaces, no "1e3", no "٣" or "²": a request parameter is either exactly a
    number or not one. The bounds default to an id: 1 to DB_INT_MAX."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        digits = value.lstrip("0") or "0"
        # Checked before int(): a 10,000-digit string would cost time, and Python refuses
        # more than 4,300 digits with a ValueError.
        if len(digits) > (len(str(max_value)) if max_value is not None else _UNBOUNDED_DIGITS):
            return default
        number = int(digits)
    else:
        return default
    if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
        return default
    return number


def parse_ids(values: Iterable[Any] | None) -> list[int]:
    """The valid ids among `values` (a GET list, a form's value), in order, without
    duplicates; the others are dropped."""
    ids: list[int] = []
    for value in values or ():
        number = parse_int(value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids


class StrictIntegerField(forms.IntegerField):
    """forms.IntegerField that takes ASCII digits only (int() also takes "٣" and
    "1_000") and stays within a database integer unless given other bounds."""

    default_error_messages = {"invalid": _("Hãy nhập một số nguyên (chỉ gồm các chữ số 0-9).")}

    def __init__(self, *, min_value=1, max_value=DB_INT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        # Unbounded here, so that a number out of range gets the bounds' own message.
        number = parse_int(str(value).strip(), min_value=None, max_value=None)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class StrictModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField over rows with integer ids: a value that is not one ("²",
    10^30) is refused as an invalid choice. Django's field hands 10^30 on to the
    database's IN (...): OverflowError on SQLite, "out of range" on PostgreSQL."""

    def _check_values(self, value):
        for pk in value:
            if parse_int(pk if isinstance(pk, int) else str(pk)) is None:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter (?center=12, ?not_inspected_months=6): a value that is not
    one, or is out of bounds (an id by default), makes the form invalid, so the list shows
    the error and nothing else, never a 500. django-filter's NumberFilter would pass 10^30
    on to the database as a Decimal."""

    field_class = StrictIntegerField


class IdFilter(IntegerFilter):
    """A filter on the id of a related row given in the query string (?center=12)."""
