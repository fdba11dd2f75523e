import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from centers.choices import CenterStatus, LicenceState
from centers.loadgen import load_generate
from centers.models import Center, Director, LicenceDocument, Staff, StatusChange
from centers.selectors import search_q, with_licence_state
from geo.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_generate_load_spreads_centers_over_provinces_with_their_records():
    out = io.StringIO()
    call_command("generate_load", "--centers", "300", "--years", "5", "--province-count", "3", stdout=out)
    assert "300 trung tâm trên 3 tỉnh/thành phố" in out.getvalue()

    # Every 2025 unit was loaded; the centers sit in communes of their own province.
    assert AdministrativeUnit.objects.filter(level="province").count() == 34
    centers = Center.objects.all()
    assert centers.count() == 300
    assert centers.values("province").distinct().count() == 3
    assert not centers.exclude(commune__parent=F("province")).exists()

    states = set(with_licence_state(centers).values_list("licence_state", flat=True))
    assert states == set(LicenceState.values)
    assert {CenterStatus.SUSPENDED, CenterStatus.DISSOLVED, CenterStatus.UNLICENSED} <= set(
        centers.values_list("status", flat=True))
    # Derived columns come from centers_refresh; history rows from bulk_create_with_history.
    assert not centers.filter(search_text="").exists()
    assert centers.filter(search_q("trung tam")).count() == 300
    assert Center.history.count() == 300
    assert LicenceDocument.history.count() == LicenceDocument.objects.count() > 250
    assert Director.history.count() == Director.objects.count() > 200
    assert Staff.history.count() == Staff.objects.count()
    for change in StatusChange.objects.select_related("document", "center"):
        assert change.center.status == change.new_status
        assert change.document.center_id == change.center_id


def test_a_second_run_adds_centers_with_new_codes():
    load_generate(centers=20, years=2, province_count=1)
    load_generate(centers=20, years=2, province_count=1)
    assert Center.objects.count() == 40
    assert Center.objects.order_by("-code").values_list("code", flat=True)[0] == "LG000040"


def test_generate_load_checks_its_arguments():
    with pytest.raises(CommandError):
        call_command("generate_load", "--centers", "0", "--years", "5", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("generate_load", "--centers", "10", "--years", "5", "--province-count", "35", stdout=io.StringIO())


def test_generate_load_adds_reports_inspections_complaints_and_tasks():
    from conferences.models import TaskAssignment
    from inspections.models import Complaint, Inspection
    from reports.models import Obligation

    out = io.StringIO()
    call_command("generate_load", "--centers", "200", "--years", "2", "--province-count", "2", stdout=out)
    # Eight quarters (or nine) per center, some still owed, most submitted.
    obligations = Obligation.objects.all()
    assert 200 * 8 <= obligations.count() <= 200 * 9
    assert obligations.filter(first_submitted_at__isnull=True).exists()
    assert obligations.filter(first_submitted_at__isnull=False).count() > obligations.count() * 0.8
    assert Inspection.objects.exists() and Complaint.objects.exists()
    assert TaskAssignment.objects.filter(center__kind__in=["language", "language_it"]).count() == \
        Center.objects.filter(kind__in=["language", "language_it"]).count()
    assert "nghĩa vụ báo cáo" in out.getvalue()
