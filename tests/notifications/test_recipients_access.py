"""Reminders and notices reach only accounts that may still use the portal: a replaced
director's account is left out from the day after its access ends, even before the
nightly deactivation has run."""

import datetime

import pytest
from django.utils import timezone

from notifications.selectors import unit_people

pytestmark = pytest.mark.django_db


def test_a_director_past_their_last_day_gets_no_notice(director, center):
    today = timezone.localdate()
    director.access_ends_on = today
    director.save(update_fields=["access_ends_on"])
    assert unit_people(center_ids=[center.pk]).centers[center.pk] == [director]

    director.access_ends_on = today - datetime.timedelta(days=1)
    director.save(update_fields=["access_ends_on"])
    assert director.is_active
    assert unit_people(center_ids=[center.pk]).centers.get(center.pk, []) == []
