"""The registry's scoping beyond the role x URL answers (those are generated for every URL
by tests/test_url_permissions.py): outsiders never find the center in lists or exports, a
refused edit changes nothing, and the edits each role may make on its own center.
"""

import pytest
from django.urls import reverse

from centers.models import CenterImport
from tests.edit_versions import edit_version
from tests.factories import CenterFactory, StaffFactory

pytestmark = pytest.mark.django_db


# The registry's URLs, built from the objects of the `world` fixture (the role x URL answers
# are tests/test_url_permissions.py's, generated from the resolver).
PAGES = {
    "home": lambda w: reverse("home"),
    "centers:center_list": lambda w: reverse("centers:center_list"),
    "centers:center_create": lambda w: reverse("centers:center_create"),
    "centers:center_detail": lambda w: reverse("centers:center_detail", args=[w["center"].pk]),
    "centers:center_update": lambda w: reverse("centers:center_update", args=[w["center"].pk]),
    "centers:center_admin": lambda w: reverse("centers:center_admin", args=[w["center"].pk]),
    "centers:staff_create": lambda w: reverse("centers:staff_create", args=[w["center"].pk]),
    "centers:staff_update": lambda w: reverse("centers:staff_update", args=[w["center"].pk, w["staff"].pk]),
    "centers:center_export_xlsx": lambda w: reverse("centers:center_export_xlsx"),
    "centers:center_export_csv": lambda w: reverse("centers:center_export_csv"),
    "centers:center_import": lambda w: reverse("centers:center_import"),
    "centers:center_import_template": lambda w: reverse("centers:center_import_template"),
    "centers:center_import_status": lambda w: reverse("centers:center_import_status", args=[w["import"].pk]),
    "centers:licence_document_pdf": lambda w: reverse(
        "centers:licence_document_pdf", args=[w["center"].pk, w["center"].documents.get().pk]),
    "centers:commune_decisions_pdf": lambda w: reverse("centers:commune_decisions_pdf")
    + f"?commune={w['center'].commune_id}",
    "centers:licence_document_create": lambda w: reverse("centers:licence_document_create", args=[w["center"].pk]),
    "centers:director_appoint": lambda w: reverse("centers:director_appoint", args=[w["center"].pk]),
    "centers:center_status_change": lambda w: reverse("centers:center_status_change", args=[w["center"].pk]),
    "centers:center_import_confirm": lambda w: reverse("centers:center_import_confirm", args=[w["import"].pk]),
    "centers:center_import_cancel": lambda w: reverse("centers:center_import_cancel", args=[w["import"].pk]),
}

# The object pages are those of `center`: a language center in Phường Kinh Bắc (Bắc Ninh),
# with one staff record, and an import run by the Bắc Ninh department.
OUTSIDERS = ["other_director", "other_local_officer", "foreign_department_user", "foreign_inspector"]


@pytest.fixture
def world(center, province):
    return {
        "center": center,
        "staff": StaffFactory(center=center, full_name="Trần Thị Hoa"),
        "import": CenterImport.objects.create(province=province, original_name="so-dang-ky.xlsx"),
    }


def _login(client, request, user_key):
    if user_key != "anonymous":
        client.force_login(request.getfixturevalue(user_key))


@pytest.mark.parametrize("user_key", OUTSIDERS)
def test_outsiders_never_see_the_center_in_lists_or_exports(client, request, world, user_key):
    _login(client, request, user_key)
    for page in ("home", "centers:center_list", "centers:center_export_csv"):
        response = client.get(PAGES[page](world), follow=True)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "Ngoại ngữ Đông Á".encode() not in body, page


@pytest.mark.parametrize("user_key", OUTSIDERS + ["inspector", "local_officer"])
def test_a_refused_edit_changes_nothing(client, request, world, user_key):
    _login(client, request, user_key)
    center = world["center"]
    response = client.post(PAGES["centers:center_update"](world), {"phone": "0999 000 000"})
    assert response.status_code in (403, 404)
    response = client.post(PAGES["centers:staff_create"](world), {"full_name": "Người Lạ", "position": "teacher"})
    assert response.status_code in (403, 404)
    center.refresh_from_db()
    assert center.phone != "0999 000 000"
    assert not center.staff.filter(full_name="Người Lạ").exists()


def test_director_edits_the_contacts_of_their_own_center(client, director, world):
    client.force_login(director)
    center = world["center"]
    url = PAGES["centers:center_update"](world)
    response = client.post(
        url,
        {"phone": "0222 3812 345", "email": "lienhe@anhduong.example.com", "website": "", "name": "Đổi tên",
         **edit_version(client, url)},
    )
    assert response.status_code == 302
    center.refresh_from_db()
    assert center.phone == "0222 3812 345"
    # The contact form has no other fields: the name stays the department's.
    assert center.name == "Trung tâm Ngoại ngữ Đông Á"


def test_director_adds_and_edits_staff_of_their_own_center(client, director, world):
    client.force_login(director)
    data = {"full_name": "Grace Caldwell", "position": "teacher", "is_active": "on", "is_foreign": "on",
            "nationality": "Úc", "work_permit_number": "0456/GPLĐ-SNV", "work_permit_valid_until": "31/12/2027"}
    response = client.post(PAGES["centers:staff_create"](world), data)
    assert response.status_code == 302
    teacher = world["center"].staff.get(full_name="Grace Caldwell")
    assert teacher.work_permit_valid_until.isoformat() == "2027-12-31"

    url = PAGES["centers:staff_update"](world)
    response = client.post(url, {"full_name": "Trần Thị Hoa", "position": "manager", **edit_version(client, url)})
    assert response.status_code == 302
    world["staff"].refresh_from_db()
    assert world["staff"].position == "manager"


def test_director_cannot_post_a_new_center(client, director, commune):
    client.force_login(director)
    response = client.post(reverse("centers:center_create"), {"code": "NN900", "name": "Trung tâm Mới", "kind": "it",
                                                              "commune": commune.pk})
    assert response.status_code == 403
    assert not type(director.center).objects.filter(code="NN900").exists()


def test_director_cannot_see_another_centers_staff_through_their_own_center(client, director, world, other_center):
    """A staff id of another center behind the director's own center id is still a 404."""
    stranger = StaffFactory(center=other_center)
    client.force_login(director)
    response = client.get(reverse("centers:staff_update", args=[world["center"].pk, stranger.pk]))
    assert response.status_code == 404


def test_local_officer_edits_a_community_center_of_their_ward(client, local_officer, commune):
    community = CenterFactory(commune=commune, kind="community", name="Trung tâm học tập cộng đồng phường Kinh Bắc")
    staff = StaffFactory(center=community)
    client.force_login(local_officer)
    for url in (reverse("centers:center_update", args=[community.pk]),
                reverse("centers:staff_create", args=[community.pk]),
                reverse("centers:staff_update", args=[community.pk, staff.pk])):
        assert client.get(url).status_code == 200, url
    url = reverse("centers:center_update", args=[community.pk])
    response = client.post(url, {"phone": "0222 3855 111", **edit_version(client, url)})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.phone == "0222 3855 111"


def test_local_officer_cannot_edit_a_community_center_of_another_ward(client, local_officer, other_commune):
    community = CenterFactory(commune=other_commune, kind="community")
    client.force_login(local_officer)
    assert client.get(reverse("centers:center_update", args=[community.pk])).status_code == 404


def test_a_missing_center_is_a_404_for_staff(client, department_user):
    client.force_login(department_user)
    assert client.get(reverse("centers:center_detail", args=[987654])).status_code == 404
