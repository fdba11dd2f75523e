"""Conferences cited by an issued directive cannot be deleted (issue 9 item 4), in the
admin and at the model level, with a message naming the directives; others can, and
conferences and directives keep a history of their changes and deletion."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from conferences.models import Conference, Directive
from conferences.services import conference_delete
from tests.admin_forms import admin_form_data
from tests.conferences.conftest import make_conference

pytestmark = pytest.mark.django_db


def delete_url(conference):
    return reverse("admin:conferences_conference_delete", args=[conference.pk])


def change_url(conference):
    return reverse("admin:conferences_conference_change", args=[conference.pk])


@pytest.fixture
def staff(client, department_user):
    client.force_login(department_user)
    return department_user


def test_deleting_a_conference_cited_by_an_issued_directive_is_refused_in_the_admin(
    client, staff, conference, issued_directive,
):
    for response in (client.get(delete_url(conference)), client.post(delete_url(conference), {"post": "yes"})):
        assert response.status_code == 302 and response.url == change_url(conference)
    page = client.get(change_url(conference))
    text = " ".join(str(message) for message in page.context["messages"])
    assert "Không xoá được hội nghị" in text
    assert issued_directive.number_text in text
    assert Conference.objects.filter(pk=conference.pk).exists()
    assert Directive.objects.get(pk=issued_directive.pk).conference_id == conference.pk


def test_deleting_a_cited_conference_is_refused_at_the_model_level(staff, conference, issued_directive):
    with pytest.raises(ProtectedError) as error:
        conference.delete()
    assert list(error.value.protected_objects) == [issued_directive]
    with pytest.raises(ValidationError, match=issued_directive.number_text):
        conference_delete(conference=conference, user=staff)
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_deleting_an_uncited_conference_works_and_is_in_its_history(client, staff):
    conference = make_conference(staff, title="Hội nghị tập huấn phần mềm báo cáo")
    response = client.post(delete_url(conference), {"post": "yes"})
    assert response.status_code == 302
    assert not Conference.objects.filter(pk=conference.pk).exists()
    record = Conference.history.filter(id=conference.pk).first()
    assert record.history_type == "-"
    assert record.history_user == staff
    assert record.title == "Hội nghị tập huấn phần mềm báo cáo"


def test_a_conference_cited_only_by_a_draft_can_be_deleted_and_the_draft_loses_the_link(
    client, staff, conference, draft_directive,
):
    assert client.post(delete_url(conference), {"post": "yes"}).status_code == 302
    assert not Conference.objects.filter(pk=conference.pk).exists()
    assert Directive.objects.get(pk=draft_directive.pk).conference_id is None


def test_conferences_are_not_deleted_in_bulk(client, staff, conference):
    response = client.get(reverse("admin:conferences_conference_changelist"))
    action_form = response.context["action_form"]
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)
    response = client.post(reverse("admin:conferences_conference_changelist"),
                           {"action": "delete_selected", "_selected_action": [conference.pk], "post": "yes"})
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_another_provinces_staff_get_404_on_the_delete_page(client, foreign_department_user, conference):
    client.force_login(foreign_department_user)
    assert client.post(delete_url(conference), {"post": "yes"}).status_code == 404
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_changes_of_conferences_and_directives_have_history(client, staff, conference, issued_directive):
    data = admin_form_data(client.get(change_url(conference)))
    data["place"] = "Hội trường tầng 3, Sở GDĐT"
    assert client.post(change_url(conference), data).status_code == 302
    record = conference.history.first()
    assert record.place == "Hội trường tầng 3, Sở GDĐT"
    assert record.history_user == staff
    assert record.prev_record.place == "Hội trường Sở"
    assert client.get(reverse("admin:conferences_conference_history", args=[conference.pk])).status_code == 200
    # Issuing is a change of the directive too: draft, then issued, by whom.
    states = list(issued_directive.history.order_by("history_date", "history_id").values_list("status", "history_user"))
    assert states[-1] == ("issued", staff.pk)
    assert ("draft", staff.pk) in states
    assert client.get(reverse("admin:conferences_directive_history", args=[issued_directive.pk])).status_code == 200
