"""Every page of the inspections app, visited by every kind of user, answers what the
scope and the role allow (tests/test_scoping.py's idea):

- anonymous: the login page;
- outside the user's scope (another center, ward or province): 404, never data;
- inside the scope but an action the role may not take: 403.

Inspectors and the Department's staff write inspections and complaints; local officers
read those of their commune; a director reads their own center's inspections only.
"""

import datetime

import pytest
from django.urls import reverse

from inspections.models import Complaint, SavedSearch, Violation
from inspections.urls import app_name, urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]

LOGIN = "login"

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
EXPECTED = {
    "anonymous":               [LOGIN] * len(PAGES),
    "department_user":         [200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "inspector":               [200, 200, 403, 200, 302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "director":                [403, 403, 403, 403, 404, 403, 403, 200, 403, 403, 200, 403, 403, 404, 404],
    "local_officer":           [200, 200, 403, 200, 404, 200, 403, 200, 403, 403, 200, 200, 403, 200, 403],
    # Outside the scope: another center, another ward, another province.
    "other_director":          [403, 403, 403, 403, 404, 403, 403, 404, 404, 404, 404, 403, 403, 404, 404],
    "other_local_officer":     [200, 200, 403, 200, 404, 200, 403, 404, 404, 404, 404, 200, 403, 404, 404],
    "foreign_department_user": [200, 200, 200, 200, 404, 200, 200, 404, 404, 404, 404, 200, 200, 404, 404],
    "foreign_inspector":       [200, 200, 403, 200, 404, 200, 200, 404, 404, 404, 404, 200, 200, 404, 404],
}
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


def test_every_inspections_url_is_in_the_smoke_test():
    names = {f"{app_name}:{pattern.name}" for pattern in urlpatterns}
    assert names == set(PAGES) | set(POST_ONLY)
    assert all(len(row) == len(PAGES) for row in EXPECTED.values())


@pytest.mark.parametrize(
    ("user_key", "page", "expected"),
    [
        pytest.param(user, page, row[index], id=f"{user}-{page.split(':')[-1]}")
        for user, row in EXPECTED.items()
        for index, page in enumerate(PAGES)
    ],
)
def test_page_answers_what_scope_and_role_allow(client, request, objects, user_key, page, expected):
    _login(client, request, user_key)
    response = client.get(PAGES[page](objects))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("user_key", OUTSIDERS)
def test_outsiders_never_see_the_records_in_lists(client, request, objects, user_key):
    _login(client, request, user_key)
    for page in ("inspections:inspection_list", "inspections:complaint_list", "inspections:compliance"):
        response = client.get(PAGES[page](objects))
        assert "Ngoại ngữ Đông Á".encode() not in response.content, page
        assert "Nguyễn Thị Mai".encode() not in response.content, page


@pytest.mark.parametrize(("user_key", "status"), [
    ("director", 403), ("local_officer", 403), ("other_director", 404), ("foreign_inspector", 404),
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
    # Nobody deletes someone else's saved search.
    assert client.post(POST_ONLY["inspections:saved_search_delete"](objects)).status_code == 404
    assert SavedSearch.objects.filter(pk=objects["search"].pk).exists()


def test_post_only_urls_refuse_a_get(client, inspector, objects):
    client.force_login(inspector)
    for url in POST_ONLY.values():
        assert client.get(url(objects)).status_code == 405
