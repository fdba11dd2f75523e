"""The demo's reports: past periods with a story (on time, late, returned, accepted,
missing), made with the submission service, and the demo director's center with an open
report due soon and a returned one. Deterministic and idempotent."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import User
from reports.choices import ObligationStatus
from reports.demo import reports_seed
from reports.models import Obligation, ReportType, Review, SubmissionVersion
from reports.services import version_verify

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def _state() -> dict:
    return {
        "obligations": sorted(Obligation.objects.values_list("center__code", "period__label", "status",
                                                             "first_submitted_at", "revision")),
        "versions": sorted(SubmissionVersion.objects.values_list("obligation__center__code", "number", "content_hash")),
        "reviews": Review.objects.count(),
        "users": User.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo registry and its reports as of TODAY, once for the module."""
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        from centers.demo import demo_seed

        result = demo_seed(today=TODAY)
        reports_seed(province=result.province, today=TODAY)
        yield result.province
        transaction.set_rollback(True)


def test_past_periods_have_every_kind_of_story(seeded):
    past = Obligation.objects.filter(center__province=seeded, period__due_date__lt=TODAY).select_related("period")
    statuses = {o.status for o in past}
    assert {ObligationStatus.OPEN, ObligationStatus.SUBMITTED, ObligationStatus.RETURNED,
            ObligationStatus.RESUBMITTED, ObligationStatus.ACCEPTED} <= statuses
    submitted = [o for o in past if o.first_submitted_at]
    assert any(o.is_late for o in submitted) and any(o.is_on_time for o in submitted)
    assert any(o.is_overdue(TODAY) for o in past)
    # Every version was made by the service: sealed, and by the center's own director.
    for version in SubmissionVersion.objects.select_related("submitted_by", "obligation"):
        assert version_verify(version)
        assert version.submitted_by.center_id == version.obligation.center_id
        assert version.submitted_at.date() < TODAY
    returned = Review.objects.filter(decision=Review.Decision.RETURNED).first()
    assert returned.reason and returned.field_comments
    # Nothing due later than today was touched.
    assert not Obligation.objects.filter(period__due_date__gte=TODAY).exclude(status=ObligationStatus.OPEN).exists()


def test_the_demo_director_has_a_report_due_soon_and_a_returned_one(seeded):
    giamdoc = User.objects.select_related("center").get(username="giamdoc")
    assert (giamdoc.center.code, giamdoc.center.name) == ("NN001", "Trung tâm Ngoại ngữ Ánh Dương")
    mine = Obligation.objects.filter(center=giamdoc.center).select_related("period")
    assert any(o.status == ObligationStatus.OPEN and 0 <= o.days_left(TODAY) <= 60 for o in mine)
    assert any(o.status == ObligationStatus.RETURNED for o in mine)


def test_seeding_again_changes_nothing(seeded):
    before = _state()
    reports_seed(province=seeded, today=TODAY)
    assert _state() == before


def test_a_gap_in_the_regular_due_dates_is_filled_with_a_one_off_request(seeded):
    # On 20/09 nothing regular falls due within 60 days (the next is 19/12).
    day = datetime.date(2026, 9, 20)
    reports_seed(province=seeded, today=day)
    giamdoc = User.objects.get(username="giamdoc")
    upcoming = Obligation.objects.filter(center=giamdoc.center, period__report_type__code="DX-GVNN").get()
    assert upcoming.status == ObligationStatus.OPEN
    assert upcoming.period.due_date == day + datetime.timedelta(days=30)
    assert ReportType.objects.get(code="DX-GVNN").frequency == "one_off"


def test_seed_demo_reports_the_submissions(seeded):
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert "Báo cáo mẫu đã nộp:" in out.getvalue()
