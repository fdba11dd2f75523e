"""Inspectors read everything of their province and change only inspection records: not
centers, licences or reports (the registry's and the reports' own permissions)."""

import datetime

import pytest
from django.urls import reverse

from centers.models import Center, LicenceDocument
from reports.choices import ObligationStatus
from tests.reports.helpers_review import make_obligation, make_period, make_report_type, submit_version, values

pytestmark = pytest.mark.django_db


def admin_change(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_an_inspector_cannot_change_a_center(client, inspector, center):
    client.force_login(inspector)
    url = reverse("centers:center_update", args=[center.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Đổi tên", "phone": "0900000000"}).status_code == 403
    center.refresh_from_db()
    assert center.name == "Trung tâm Ngoại ngữ Đông Á"


@pytest.mark.parametrize("flag_staff", [False, True])
def test_an_inspector_never_reaches_the_admin_change_of_a_center_or_licence(client, inspector, center, flag_staff):
    # Even with is_staff set by mistake, the admin refuses the role (edu_portal.admin):
    # Django's admin answers its login page rather than a 403.
    inspector.is_staff = flag_staff
    inspector.save(update_fields=["is_staff"])
    licence = LicenceDocument.objects.get(center=center)
    client.force_login(inspector)
    for obj in (center, licence):
        for response in (client.get(admin_change(obj)), client.post(admin_change(obj), {"name": "Đổi tên"})):
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
    center.refresh_from_db()
    licence.refresh_from_db()
    assert center.name == "Trung tâm Ngoại ngữ Đông Á" and licence.number == "12/QĐ-SGDĐT"
    assert Center.objects.count() == 1


def test_an_inspector_reads_reviews_but_cannot_accept_or_return_a_report(client, inspector, director, province, center):
    period = make_period(make_report_type(province), due_date=datetime.date(2026, 6, 19))
    obligation = make_obligation(period, center)
    submit_version(obligation, values(), by=director)
    client.force_login(inspector)
    assert client.get(reverse("reports:review_detail", args=[obligation.pk])).status_code == 200
    for action in ("review_accept", "review_return"):
        response = client.post(reverse(f"reports:{action}", args=[obligation.pk]),
                               {"reason": "Thiếu số liệu", "revision": obligation.revision})
        assert response.status_code == 403
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.SUBMITTED
