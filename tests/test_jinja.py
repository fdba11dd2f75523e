"""The Jinja2 partials (edu_portal/jinja.py) write what the Django templates they stand
in for wrote: the same words in the same language, the same local times."""

import datetime
import re

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reports.models import Obligation, ReportPeriod, local_date


def _jinja(source: str, **values) -> str:
    return engines["jinja2"].from_string(source).render(values)


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _obligation(due_in_days: int, submitted_days_after_due: int | None = None) -> Obligation:
    due = local_date() + datetime.timedelta(days=due_in_days)
    submitted = None
    if submitted_days_after_due is not None:
        submitted = timezone.make_aware(datetime.datetime.combine(
            due + datetime.timedelta(days=submitted_days_after_due), datetime.time(10)))
    return Obligation(period=ReportPeriod(due_date=due, lock_date=due), first_submitted_at=submitted)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("due_in_days", "submitted_after"), [
    (-30, 5), (-30, 0), (-3, None), (0, None), (5, None), (40, None),
])
def test_the_timeliness_macro_writes_what_the_django_include_writes(language, due_in_days, submitted_after):
    obligation = _obligation(due_in_days, submitted_after)
    with translation.override(language):
        django = render_to_string("reports/obligation_timeliness.html", {"obligation": obligation})
        jinja = _jinja('{% from "reports/obligation_timeliness.html" import timeliness %}{{ timeliness(o) }}',
                       o=obligation)
    assert _squeeze(jinja) == _squeeze(django)
    assert jinja


def test_dates_are_written_in_local_time_as_django_templates_write_them():
    moment = datetime.datetime(2026, 3, 1, 20, 30, tzinfo=datetime.UTC)  # 03:30 on 2/3 in Hà Nội
    django = engines["django"].from_string('{{ t|date:"H:i d/m/Y" }}').render({"t": moment})
    assert django == "03:30 02/03/2026"
    assert _jinja('{{ t|date("H:i d/m/Y") }}', t=moment) == django
    assert _jinja('{{ d|date("d/m/Y") }}', d=datetime.date(2026, 1, 5)) == "05/01/2026"


def test_translations_follow_the_active_language():
    with translation.override("en"):
        english = _jinja('{{ _("Chưa có") }}')
    with translation.override("vi"):
        assert _jinja('{{ _("Chưa có") }}') == "Chưa có"
    assert english == render_to_string_text("Chưa có", "en")


def render_to_string_text(text: str, language: str) -> str:
    with translation.override(language):
        return engines["django"].from_string('{% load i18n %}{% translate text %}').render({"text": text})
