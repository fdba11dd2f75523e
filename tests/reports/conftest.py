"""Report fixtures for the submission tests: a type asking one field of every kind, a
period due in ten days (and one already locked), and the obligations the generation
service gives `center` (a language center) and `other_center` (an IT center, another
ward). A module may define its own fixture of the same name instead."""

import datetime

import pytest

from reports.models import Obligation
from tests.reports.helpers_submission import make_period, make_type, today


@pytest.fixture
def report_type(province):
    return make_type(province)


@pytest.fixture
def period(report_type, center, other_center):
    """Due in ten days, locked fifteen days later."""
    return make_period(report_type, due=today() + datetime.timedelta(days=10))


@pytest.fixture
def obligation(period, center) -> Obligation:
    return Obligation.objects.select_related("period__report_type", "center").get(period=period, center=center)


@pytest.fixture
def other_obligation(period, other_center) -> Obligation:
    return Obligation.objects.get(period=period, center=other_center)


@pytest.fixture
def locked_obligation(report_type, center) -> Obligation:
    """Due 30 days ago, locked 15 days ago."""
    period = make_period(report_type, due=today() - datetime.timedelta(days=30), label="6 tháng đầu năm 2026")
    return Obligation.objects.select_related("period__report_type").get(period=period, center=center)
