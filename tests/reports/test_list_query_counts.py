"""Every reports list runs the same number of queries for 10 and for 500 centers."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centers.models import Center
from notifications.models import Notification
from reports.choices import ObligationStatus
from reports.models import ExtensionRequest, Obligation, SubmissionVersion
from tests.reports.helpers_review import make_period, make_report_type

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 6, 19)


def _grow(commune, period, director, target: int) -> None:
    """Bring the province to `target` centers, half of them with a submitted version and a
    pending extension request, written in bulk (the factories refresh each center)."""
    start = Center.objects.count()
    centers = Center.objects.bulk_create([
        Center(province=commune.parent, commune=commune, code=f"Q{n:05d}", name=f"Trung tâm Ngoại ngữ {n}",
               kind="language")
        for n in range(start, target)
    ])
    now = timezone.now()
    obligations = Obligation.objects.bulk_create([
        Obligation(period=period, center=center, status=ObligationStatus.SUBMITTED if n % 2 else ObligationStatus.OPEN,
                   first_submitted_at=now if n % 2 else None)
        for n, center in enumerate(centers)
    ])
    SubmissionVersion.objects.bulk_create([
        SubmissionVersion(obligation=o, number=1, values={}, schema=[], submitted_by=director, submitted_at=now,
                          content_hash="0" * 64, idempotency_key=uuid.uuid4())
        for o in obligations if o.first_submitted_at
    ])
    ExtensionRequest.objects.bulk_create([
        ExtensionRequest(obligation=o, reason="Thiếu nhân sự", requested_until=DUE + datetime.timedelta(days=10),
                         requested_by=director)
        for o in obligations if not o.first_submitted_at
    ])
    Notification.objects.bulk_create([
        Notification(recipient=director, key=f"k{o.pk}", subject=f"Nhắc việc {o.pk}") for o in obligations
    ])


@pytest.mark.parametrize(
    ("user_key", "url_name"),
    [
        ("department_user", "reports:review_list"),
        ("department_user", "reports:extension_list"),
        ("department_user", "reports:obligation_list"),
        ("department_user", "reports:dashboard_missing"),
        ("inspector", "reports:obligation_list"),
        ("director", "notifications:notification_list"),
    ],
)
def test_lists_run_the_same_queries_for_10_and_500_centers(request, client, province, commune, director,
                                                           user_key, url_name):
    period = make_period(make_report_type(province), due_date=DUE)
    client.force_login(request.getfixturevalue(user_key))
    url = reverse(url_name, args=[period.pk] if url_name == "reports:dashboard_missing" else [])
    counts = []
    for target in (10, 500):
        _grow(commune, period, director, target)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        # The list really shows rows (a constant count over an empty page proves nothing).
        body = response.content.decode()
        assert "Trung tâm Ngoại ngữ" in body or "Nhắc việc" in body
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 14
