import datetime

import pytest

from centers.choices import CenterStatus, DocumentKind
from reports.choices import Frequency
from reports.models import Obligation, ReportPeriod, ReportType
from reports.periods import calendar_window, school_year_window
from reports.services import obligations_generate, period_create, periods_generate
from tests.factories import CenterFactory, DocumentFactory

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "year", "month", "label", "data_from", "data_to"),
    [
        (Frequency.MONTHLY, 2026, 3, "Tháng 3/2026", D(2026, 2, 15), D(2026, 3, 14)),
        (Frequency.MONTHLY, 2026, 1, "Tháng 1/2026", D(2025, 12, 15), D(2026, 1, 14)),
        (Frequency.QUARTERLY, 2026, 3, "Quý 1/2026", D(2025, 12, 15), D(2026, 3, 14)),
        (Frequency.SIX_MONTHLY, 2026, 6, "6 tháng đầu năm 2026", D(2025, 12, 15), D(2026, 6, 14)),
        (Frequency.SIX_MONTHLY, 2026, 12, "6 tháng cuối năm 2026", D(2026, 6, 15), D(2026, 12, 14)),
        (Frequency.ANNUAL, 2026, 12, "Năm 2026", D(2025, 12, 15), D(2026, 12, 14)),
    ],
)
def test_windows_follow_decree_09_from_the_15th_to_the_14th(frequency, year, month, label, data_from, data_to):
    window = calendar_window(frequency, year, month)
    assert (window.label, window.data_from, window.data_to) == (label, data_from, data_to)


def test_a_start_day_of_1_gives_calendar_months():
    window = calendar_window(Frequency.MONTHLY, 2026, 2, start_day=1)
    assert (window.data_from, window.data_to) == (D(2026, 2, 1), D(2026, 2, 28))


def test_school_year_runs_from_september_to_august_unless_set_otherwise():
    default = school_year_window(2025)
    assert (default.label, default.data_from, default.data_to) == ("Năm học 2025-2026", D(2025, 9, 1), D(2026, 8, 31))
    custom = school_year_window(2025, start_month=8, start_day=15)
    assert (custom.data_from, custom.data_to) == (D(2025, 8, 15), D(2026, 8, 14))


@pytest.fixture
def six_monthly(province):
    return ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1), due_days_after_window=5, lock_days_after_due=15,
    )


@pytest.mark.django_db
def test_generation_creates_periods_due_within_60_days_once(six_monthly, center, other_center, foreign_center):
    first = periods_generate(today=D(2026, 11, 24))
    again = periods_generate(today=D(2026, 11, 24))
    periods = list(ReportPeriod.objects.order_by("data_from").values_list("label", "due_date", "lock_date"))
    assert periods == [
        ("6 tháng đầu năm 2026", D(2026, 6, 19), D(2026, 7, 4)),
        ("6 tháng cuối năm 2026", D(2026, 12, 19), D(2027, 1, 3)),
    ]
    # Only the language center of the province owes it: not the IT center, not another province's.
    assert set(Obligation.objects.values_list("center_id", flat=True)) == {center.pk}
    assert first == {"periods": 2, "obligations": 2}
    assert again == {"periods": 0, "obligations": 0}


@pytest.mark.django_db
def test_a_period_is_not_generated_before_it_comes_within_reach(six_monthly, center):
    periods_generate(today=D(2026, 3, 1))
    assert list(ReportPeriod.objects.values_list("label", flat=True)) == []
    periods_generate(today=D(2026, 4, 21))
    assert list(ReportPeriod.objects.values_list("label", flat=True)) == ["6 tháng đầu năm 2026"]


@pytest.mark.django_db
def test_suspended_and_dissolved_centers_owe_nothing_from_their_decision_date(six_monthly, commune):
    suspended_early = CenterFactory(commune=commune)
    DocumentFactory(center=suspended_early, kind=DocumentKind.SUSPENSION, signed_on=D(2026, 5, 1))
    dissolved_late = CenterFactory(commune=commune)
    DocumentFactory(center=dissolved_late, kind=DocumentKind.DISSOLUTION, signed_on=D(2026, 7, 1))
    operating = CenterFactory(commune=commune)
    assert suspended_early.__class__.objects.get(pk=suspended_early.pk).status == CenterStatus.SUSPENDED

    period, _ = period_create(report_type=six_monthly, label="6 tháng đầu năm 2026",
                              data_from=D(2025, 12, 15), data_to=D(2026, 6, 14))
    obligations_generate(period=period)
    # Dissolved after the due date (19/06): it still owes the first half-year.
    assert set(period.obligations.values_list("center_id", flat=True)) == {dissolved_late.pk, operating.pk}
