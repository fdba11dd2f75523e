"""Complaints (đơn thư) through their pages: received, handled, concluded; they feed the
rules; bad input refused; directors never see them, local officers read their commune's."""

import datetime

import pytest
from django.urls import reverse

from inspections.models import Complaint
from inspections.selectors import compliance_queryset
from tests.edit_versions import edit_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
D = datetime.date
CREATE = reverse("inspections:complaint_create")
LIST = reverse("inspections:complaint_list")


def form_data(center, **changes) -> dict:
    data = {
        "center": center.pk, "received_on": "01/09/2026", "source": "learner", "complainant": "Phụ huynh học viên",
        "content": "Trung tâm mở lớp tại nhà văn hóa thôn", "about_location": "on", "handling_deadline": "15/10/2026",
        "status": "received", "upheld": "unknown", "outcome": "", "closed_on": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def complaint(center, province):
    return Complaint.objects.create(
        province=province, center=center, received_on=D(2026, 11, 1), source="citizen",
        content="Thu học phí không hoàn trả khi học viên nghỉ", handling_deadline=D(2026, 12, 1),
    )


def test_an_inspector_records_a_complaint_and_it_feeds_the_rules(client, inspector, center):
    client.force_login(inspector)
    response = client.post(CREATE, form_data(center))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert complaint.created_by == inspector and complaint.province == center.province
    # Open past its deadline (15/10/2026): the center is flagged.
    flagged = compliance_queryset(inspector, rules=["complaints"]).values_list("pk", flat=True)
    assert list(flagged) == [center.pk]

    # Concluded as upheld: it now flags the unpermitted location, and no longer the deadline.
    edit = reverse("inspections:complaint_update", args=[complaint.pk])
    client.post(edit, form_data(center, status="resolved", upheld="true", closed_on="10/10/2026",
                                outcome="Kết luận đúng; yêu cầu chuyển lớp.", **edit_version(client, edit)))
    complaint.refresh_from_db()
    assert complaint.upheld is True and complaint.status == "resolved"
    assert list(compliance_queryset(inspector, rules=["location"]).values_list("pk", flat=True)) == [center.pk]
    assert not compliance_queryset(inspector, rules=["complaints"]).exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"handling_deadline": "01/08/2026"}, "handling_deadline", "Hạn giải quyết trước ngày nhận đơn."),
    ({"received_on": "21/11/2026", "handling_deadline": "30/11/2026"}, "received_on", "tương lai"),
    ({"status": "resolved"}, "closed_on", "Cần ngày kết thúc"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(client, inspector, center, changes, field, message):
    client.force_login(inspector)
    response = client.post(CREATE, form_data(center, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Complaint.objects.exists()


def test_the_list_is_scoped_and_filtered(client, inspector, other_local_officer, complaint, other_center, province):
    other = Complaint.objects.create(province=province, center=other_center, received_on=D(2026, 10, 1),
                                     source="press", content="Quảng cáo sai", handling_deadline=D(2026, 10, 20))
    client.force_login(inspector)

    def listed(**params):
        return {c.pk for c in client.get(LIST, params).context["complaints"]}

    assert listed() == {complaint.pk, other.pk}
    assert listed(pending="yes") == {other.pk}
    assert listed(source="citizen") == {complaint.pk}
    assert listed(q="sao mai") == {other.pk}
    client.force_login(other_local_officer)
    assert listed() == {other.pk}
    assert client.get(complaint.get_absolute_url()).status_code == 404


def test_a_local_officer_reads_but_does_not_write(client, local_officer, complaint):
    client.force_login(local_officer)
    assert client.get(complaint.get_absolute_url()).status_code == 200
    assert client.get(reverse("inspections:complaint_update", args=[complaint.pk])).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_directors_never_see_complaints(client, director, complaint):
    client.force_login(director)
    # Complaints are not a director's (the rule "compliance.view"): 403 before any lookup.
    assert client.get(LIST).status_code == 403
    assert client.get(complaint.get_absolute_url()).status_code == 403
    assert client.get(reverse("inspections:complaint_update", args=[complaint.pk])).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_a_foreign_inspector_cannot_file_one_against_another_provinces_center(client, foreign_inspector, center,
                                                                               complaint):
    client.force_login(foreign_inspector)
    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert client.get(CREATE, {"center": center.pk}).status_code == 404
    response = client.post(CREATE, form_data(center))
    assert response.status_code == 200 and "center" in response.context["form"].errors
    assert Complaint.objects.count() == 1
