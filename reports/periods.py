"""Reporting windows under Decree 09/2019/NĐ-CP: data are counted from the 15th of the
previous period to the 14th of the period's last month (the start day is set per type).
A school year runs from 1 September to 31 August unless the type says otherwise."""

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Frequency

# The month a period ends in, for each frequency.
END_MONTHS = {
    Frequency.MONTHLY: tuple(range(1, 13)),
    Frequency.QUARTERLY: (3, 6, 9, 12),
    Frequency.SIX_MONTHLY: (6, 12),
    Frequency.ANNUAL: (12,),
}
MONTHS_SPANNED = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SIX_MONTHLY: 6, Frequency.ANNUAL: 12}


@dataclass(frozen=True)
class Window:
    label: str
    data_from: datetime.date
    data_to: datetime.date


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _window_end(year: int, month: int, start_day: int) -> datetime.date:
    """The last day of data for a period ending in (year, month)."""
    if start_day == 1:
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, start_day - 1)


def _label(frequency: str, year: int, month: int) -> str:
    if frequency == Frequency.MONTHLY:
        return _("Tháng %(month)s/%(year)s") % {"month": month, "year": year}
    if frequency == Frequency.QUARTERLY:
        return _("Quý %(quarter)s/%(year)s") % {"quarter": month // 3, "year": year}
    if frequency == Frequency.SIX_MONTHLY:
        if month == 6:
            return _("6 tháng đầu năm %(year)s") % {"year": year}
        return _("6 tháng cuối năm %(year)s") % {"year": year}
    return _("Năm %(year)s") % {"year": year}


def calendar_window(frequency: str, year: int, month: int, start_day: int = 15) -> Window:
    """The window of the period of `frequency` that ends in (year, month)."""
    data_to = _window_end(year, month, start_day)
    prev_year, prev_month = _shift_month(year, month, -MONTHS_SPANNED[frequency])
    data_from = _window_end(prev_year, prev_month, start_day) + datetime.timedelta(days=1)
    return Window(_label(frequency, year, month), data_from, data_to)


def school_year_window(start_year: int, start_month: int = 9, start_day: int = 1) -> Window:
    data_from = datetime.date(start_year, start_month, start_day)
    data_to = datetime.date(start_year + 1, start_month, start_day) - datetime.timedelta(days=1)
    label = _("Năm học %(first)s-%(second)s") % {"first": start_year, "second": start_year + 1}
    return Window(label, data_from, data_to)


def windows_between(report_type, first: datetime.date, last: datetime.date) -> Iterator[Window]:
    """Every window of the type whose data end falls in [first, last]."""
    if report_type.frequency == Frequency.ONE_OFF:
        return
    if report_type.frequency == Frequency.SCHOOL_YEAR:
        for year in range(first.year - 1, last.year + 1):
            window = school_year_window(year, report_type.school_year_start_month, report_type.school_year_start_day)
            if first <= window.data_to <= last:
                yield window
        return
    ends = END_MONTHS[report_type.frequency]
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        if month in ends:
            window = calendar_window(report_type.frequency, year, month, report_type.window_start_day)
            if first <= window.data_to <= last:
                yield window
        year, month = _shift_month(year, month, 1)
