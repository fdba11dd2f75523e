"""Completeness and timeliness per period, center kind and commune: the numbers, the
scope of each role, the drill-down to missing centers, and a fixed number of queries."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centers.models import Center
from reports.choices import ObligationStatus
from reports.models import Obligation
from reports.selectors import completeness, default_period
from reports.services import submission_return
from tests.factories import CenterFactory
from tests.reports.helpers_review import (
    local_time,
    make_obligation,
    make_period,
    make_report_type,
    submit_version,
    values,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY - datetime.timedelta(days=20)


def counts(row):
    return (row.owed, row.on_time, row.late, row.missing, row.returned)


@pytest.fixture
def world(province, commune, other_commune, department_user, director, foreign_center):
    """Five language and IT centers of Bắc Ninh owing one period, and a Hà Nội center
    owing its own Department's period.

    Kinh Bắc (3 language centers): on time at 23:30 on the due date, late by a day, missing.
    Võ Cường (2 IT centers): on time then returned; late but within a granted extension.
    """
    report_type = make_report_type(province)
    period = make_period(report_type, due_date=DUE)
    kinh_bac = [CenterFactory(commune=commune, name=f"Trung tâm Ngoại ngữ Kinh Bắc {i}") for i in range(3)]
    vo_cuong = [CenterFactory(commune=other_commune, kind="it", name=f"Trung tâm Tin học Võ Cường {i}")
                for i in range(2)]
    on_time, late, missing = (make_obligation(period, c) for c in kinh_bac)
    returned = make_obligation(period, vo_cuong[0])
    extended = make_obligation(period, vo_cuong[1], extended_until=DUE + datetime.timedelta(days=7))
    # 23:30 in Hà Nội on the due date is 16:30 UTC the same day: on time by the local date.
    submit_version(on_time, values(learners=10), by=director, at=local_time(DUE, 23, 30))
    submit_version(late, values(learners=20), by=director, at=local_time(DUE + datetime.timedelta(days=1), 0, 15))
    version = submit_version(returned, values(learners=5), by=director, at=local_time(DUE - datetime.timedelta(days=2)))
    submission_return(obligation=returned, version=version, reviewer=department_user, reason="Sửa số học viên",
                      field_comments={}, expected_revision=returned.revision)
    submit_version(extended, values(learners=3), by=director, at=local_time(DUE + datetime.timedelta(days=5)))

    foreign_type = make_report_type(foreign_center.province, code="HN-6T")
    foreign_period = make_period(foreign_type, due_date=DUE)
    make_obligation(foreign_period, foreign_center)
    return {"period": period, "foreign_period": foreign_period, "missing": missing, "type": report_type}


def dashboard_url(period=None):
    url = reverse("reports:dashboard")
    return f"{url}?period={period.pk}" if period else url


def test_counts_per_kind_and_commune(world, department_user):
    summary = completeness(world["period"], department_user)
    assert counts(summary.total) == (5, 3, 1, 1, 1)
    assert {row.key: counts(row) for row in summary.by_kind} == {
        "language": (3, 1, 1, 1, 0),
        "it": (2, 2, 0, 0, 1),
    }
    assert {row.label: counts(row) for row in summary.by_commune} == {
        "Phường Kinh Bắc": (3, 1, 1, 1, 0),
        "Phường Võ Cường": (2, 2, 0, 0, 1),
    }
    assert summary.total.on_time_rate == 60.0
    assert summary.total.submitted_rate == 80.0
    assert summary.total.missing_rate == 20.0


def test_a_local_officer_counts_only_their_commune(world, local_officer):
    summary = completeness(world["period"], local_officer)
    assert counts(summary.total) == (3, 1, 1, 1, 0)
    assert [row.label for row in summary.by_commune] == ["Phường Kinh Bắc"]


def test_default_period_is_the_latest_past_due(world, department_user):
    make_period(world["type"], due_date=TODAY + datetime.timedelta(days=30), label="6 tháng cuối năm 2026")
    older = make_period(world["type"], due_date=DUE - datetime.timedelta(days=180), label="6 tháng cuối năm 2025")
    assert default_period(department_user) == world["period"]
    assert older != world["period"]


def test_dashboard_page_shows_the_numbers_and_the_chart_data(client, world, department_user):
    client.force_login(department_user)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert response.context["period"] == world["period"]
    body = response.content.decode()
    assert '<div class="fs-4 fw-semibold" data-count="owed">5</div>' in body
    assert "Phường Võ Cường" in body
    data = json.loads(body.split('<script id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert data["by_kind"]["on_time"] == [1, 2]  # language centers first, as the registry lists kinds
    assert sorted(data["by_commune"]["labels"]) == ["Phường Kinh Bắc", "Phường Võ Cường"]
    # Chart.js and the page script are files (the CSP forbids inline scripts).
    assert "vendor/chartjs/chart.umd.min.js" in body
    assert "js/dashboard.js" in body
    nonce = response.wsgi_request.csp_nonce
    for chunk in body.split("<script")[1:]:
        assert chunk.lstrip().startswith((f'nonce="{nonce}" src=', 'id="dashboard-data" type="application/json"')), (
            chunk[:80])


def test_drill_down_lists_the_missing_centers(client, world, department_user):
    client.force_login(department_user)
    url = reverse("reports:dashboard_missing", args=[world["period"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["obligations"]) == [world["missing"]]
    assert list(client.get(url, {"kind": "it"}).context["obligations"]) == []
    commune_id = world["missing"].center.commune_id
    assert list(client.get(url, {"commune": commune_id}).context["obligations"]) == [world["missing"]]
    # The dashboard links each missing count to this page.
    body = client.get(dashboard_url(world["period"])).content.decode()
    assert f"{url}?commune={commune_id}" in body
    assert f"{url}?kind=language" in body


def test_a_center_without_submission_since_extended_is_still_missing(world, department_user):
    world["missing"].extended_until = DUE + datetime.timedelta(days=60)
    world["missing"].save()
    assert completeness(world["period"], department_user).total.missing == 1


# Who sees what


@pytest.mark.parametrize(("user_key", "status"), [
    ("department_user", 200), ("inspector", 200), ("local_officer", 200),
    ("director", 403), ("foreign_department_user", 404), ("foreign_inspector", 404),
])
def test_dashboard_pages_answer_what_scope_and_role_allow(client, request, world, user_key, status):
    client.force_login(request.getfixturevalue(user_key))
    period = world["period"]
    for url in (dashboard_url(period), reverse("reports:dashboard_missing", args=[period.pk]),
                reverse("reports:dashboard_export_summary", args=[period.pk]),
                reverse("reports:dashboard_export_values", args=[period.pk])):
        assert client.get(url).status_code == status, url


def test_directors_are_refused_even_without_a_period(client, director):
    client.force_login(director)
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_foreign_staff_default_to_their_own_period(client, world, foreign_department_user):
    client.force_login(foreign_department_user)
    response = client.get(reverse("reports:dashboard"))
    assert response.context["period"] == world["foreign_period"]
    assert counts(response.context["summary"].total) == (1, 0, 0, 1, 0)


def test_local_officer_page_shows_only_their_commune(client, world, local_officer):
    client.force_login(local_officer)
    body = client.get(dashboard_url(world["period"])).content.decode()
    assert "Phường Kinh Bắc" in body
    assert "Phường Võ Cường" not in body
    response = client.get(reverse("reports:dashboard_missing", args=[world["period"].pk]))
    assert [o.center.commune_id for o in response.context["obligations"]] == [local_officer.commune_id]


def test_a_bad_period_is_a_404(client, world, department_user):
    client.force_login(department_user)
    assert client.get(reverse("reports:dashboard"), {"period": "abc"}).status_code == 404
    assert client.get(reverse("reports:dashboard"), {"period": 999999}).status_code == 404


def test_navbar_links_to_the_dashboard_for_the_roles_that_see_it(client, world, department_user, local_officer,
                                                                 director):
    for user, shown in ((department_user, True), (local_officer, True), (director, False)):
        client.force_login(user)
        body = client.get(reverse("centers:center_list")).content.decode()
        assert ("Tổng hợp báo cáo" in body) is shown, user.role


# Query counts


def _bulk_centers(commune, period, how_many: int, start: int) -> None:
    """Centers and obligations written in bulk (the factories refresh each center)."""
    kinds = ["language", "it", "language_it"]
    centers = Center.objects.bulk_create([
        Center(province=commune.parent, commune=commune, code=f"BULK{start + i:05d}", name=f"Trung tâm {start + i}",
               kind=kinds[i % 3])
        for i in range(how_many)
    ])
    submitted_at = local_time(DUE - datetime.timedelta(days=1))
    Obligation.objects.bulk_create([
        Obligation(period=period, center=center, status=ObligationStatus.SUBMITTED if i % 2 else ObligationStatus.OPEN,
                   first_submitted_at=submitted_at if i % 2 else None)
        for i, center in enumerate(centers)
    ])


def test_dashboard_runs_the_same_queries_for_10_and_500_centers(client, province, commune, other_commune,
                                                                department_user):
    period = make_period(make_report_type(province), due_date=DUE)
    client.force_login(department_user)

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(dashboard_url(period))
        assert response.status_code == 200
        return len(captured), counts(response.context["summary"].total)

    _bulk_centers(commune, period, 5, 0)
    _bulk_centers(other_commune, period, 5, 5)
    few, totals = count_queries()
    assert totals[0] == 10
    _bulk_centers(commune, period, 245, 10)
    _bulk_centers(other_commune, period, 245, 255)
    many, totals = count_queries()
    assert totals[0] == 500
    assert many == few
    # Session, user, period, the two grouped counts, the navbar's province and unread
    # notices, the period list (and the request's savepoint pair).
    assert few <= 10
