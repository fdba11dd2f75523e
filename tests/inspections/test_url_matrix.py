"""The inspections app beyond the role x URL answers (generated for every URL by
tests/test_url_permissions.py): outsiders never find the records in lists, refused posts
change nothing, POST-only URLs refuse a GET.

Inspectors and the Department's staff write inspections and complaints; local officers
read those of their commune; a director reads their own center's inspections only.
"""

import datetime

import pytest
from django.urls import reverse

from accounts.permissions import may
from inspections.models import Complaint, SavedSearch, Violation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


PAGES = {
    "inspections:compliance": lambda w: reverse("inspections:compliance"),
    "inspections:compliance_export": lambda w: reverse("inspections:compliance_export"),
    "inspections:weights_update": lambda w: reverse("inspections:weights_update"),
    "inspections:saved_search_list": lambda w: reverse("inspections:saved_search_list"),
    "inspections:saved_search_open": lambda w: reverse("inspections:saved_search_open", args=[w["search"].pk]),
    "inspections:inspection_list": lambda w: reverse("inspections:inspection_list"),
    "inspections:inspection_create": lambda w: reverse("inspections:inspection_create"),
    "inspections:inspection_detail": lambda w: reverse("inspections:inspection_detail", args=[w["inspection"].pk]),
    "inspections:inspection_update": lambda w: reverse("inspections:inspection_update", args=[w["inspection"].pk]),
    "inspections:violation_create": lambda w: reverse("inspections:violation_create", args=[w["inspection"].pk]),
    "inspections:inspection_pdf": lambda w: reverse("inspections:inspection_pdf", args=[w["inspection"].pk]),
    "inspections:complaint_list": lambda w: reverse("inspections:complaint_list"),
    "inspections:complaint_create": lambda w: reverse("inspections:complaint_create"),
    "inspections:complaint_detail": lambda w: reverse("inspections:complaint_detail", args=[w["complaint"].pk]),
    "inspections:complaint_update": lambda w: reverse("inspections:complaint_update", args=[w["complaint"].pk]),
}
# Answer only POST (a GET is a 405 for anyone logged in); see test_refused_posts_change_nothing.
POST_ONLY = {
    "inspections:saved_search_delete": lambda w: reverse("inspections:saved_search_delete", args=[w["search"].pk]),
    "inspections:violation_remedied": lambda w: reverse("inspections:violation_remedied",
                                                        args=[w["inspection"].pk, w["violation"].pk]),
    "inspections:follow_up_add": lambda w: reverse("inspections:follow_up_add", args=[w["inspection"].pk]),
}

# The objects are those of `center` (Phường Kinh Bắc, Bắc Ninh); the saved search is the inspector's.
# 302 on saved_search_open: to the compliance page with the saved query.
#                           comp xlsx wght srch open ilst inew idet iedt viol pdf  clst cnew cdet cedt
OUTSIDERS = ["other_director", "other_local_officer", "foreign_department_user", "foreign_inspector"]


@pytest.fixture
def objects(recorded_inspection, inspector, catalogue):
    center = recorded_inspection.center
    return {
        "inspection": recorded_inspection,
        "violation": Violation.objects.create(inspection=recorded_inspection, article=catalogue,
                                              remedy_deadline=recorded_inspection.remedy_deadline),
        "complaint": Complaint.objects.create(
            province=center.province, center=center, received_on=recorded_inspection.carried_out_on,
            source="learner", content="Phản ánh của phụ huynh Nguyễn Thị Mai",
            handling_deadline=datetime.date(2026, 12, 12),
        ),
        "search": SavedSearch.objects.create(user=inspector, name="Của thanh tra", query="rules=tasks"),
    }


def _login(client, request, user_key):
    if user_key != "anonymous":
        client.force_login(request.getfixturevalue(user_key))


@pytest.mark.parametrize("user_key", OUTSIDERS)
def test_outsiders_never_see_the_records_in_lists(client, request, objects, user_key):
    _login(client, request, user_key)
    for page in ("inspections:inspection_list", "inspections:complaint_list", "inspections:compliance"):
        response = client.get(PAGES[page](objects))
        assert "Ngoại ngữ Đông Á".encode() not in response.content, page
        assert "Nguyễn Thị Mai".encode() not in response.content, page


@pytest.mark.parametrize(("user_key", "status"), [
    # A director never records inspections: refused before the lookup, whichever center.
    ("director", 403), ("local_officer", 403), ("other_director", 403), ("foreign_inspector", 404),
    ("foreign_department_user", 404),
])
def test_refused_posts_change_nothing(client, request, objects, user_key, status):
    _login(client, request, user_key)
    inspection, violation = objects["inspection"], objects["violation"]
    assert client.post(POST_ONLY["inspections:violation_remedied"](objects),
                       {"remedied_on": "19/11/2026"}).status_code == status
    assert client.post(POST_ONLY["inspections:follow_up_add"](objects), {"note": "Ghi chú"}).status_code == status
    assert client.post(PAGES["inspections:inspection_update"](objects), {"status": "closed"}).status_code == status
    assert client.post(PAGES["inspections:complaint_update"](objects), {"status": "rejected"}).status_code in (403, 404)
    violation.refresh_from_db()
    inspection.refresh_from_db()
    objects["complaint"].refresh_from_db()
    assert violation.remedied_on is None and inspection.follow_up == "" and inspection.status == "done"
    assert objects["complaint"].status == "received"
    # Nobody deletes someone else's saved search (directors have none: the search is not theirs).
    expected = 404 if may(request.getfixturevalue(user_key), "compliance.view") else 403
    assert client.post(POST_ONLY["inspections:saved_search_delete"](objects)).status_code == expected
    assert SavedSearch.objects.filter(pk=objects["search"].pk).exists()


def test_post_only_urls_refuse_a_get(client, inspector, objects):
    client.force_login(inspector)
    for url in POST_ONLY.values():
        assert client.get(url(objects)).status_code == 405
