"""Around the compliance page: the .xlsx export with the same filters, saved searches
(each user's own), and the risk weights (set by the Department's staff only)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspections.models import RiskWeight, SavedSearch
from inspections.rules import RULES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
URL = reverse("inspections:compliance")
EXPORT = reverse("inspections:compliance_export")
HEADER_ROW = 4  # three lines of preamble, then the header


def sheet_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[HEADER_ROW - 1]
    return [dict(zip(headers, row, strict=False)) for row in rows[HEADER_ROW:]]


# Export


@pytest.mark.parametrize("params", [{}, {"rules": ["licence", "tasks"]}, {"q": "ngoai ngu", "status": "operating"}])
def test_the_export_lists_the_same_centers_as_the_page(client, world, inspector, params):
    client.force_login(inspector)
    page = [center.code for center in client.get(URL, params).context["centers"]]
    rows = sheet_rows(client.get(EXPORT, params))
    assert [row["Mã trung tâm"] for row in rows] == page


def test_the_export_has_the_flags_their_reasons_and_the_score(client, world, inspector):
    client.force_login(inspector)
    rows = {row["Mã trung tâm"]: row for row in sheet_rows(client.get(EXPORT))}
    licence = rows[world["licence"].code]
    assert licence["Điểm rủi ro"] == 6
    assert licence["Cảnh báo"] == "Giấy phép hết hạn hoặc sắp hết hạn"
    assert licence["Lý do: Giấy phép hết hạn hoặc sắp hết hạn"] == "Giấy phép sắp hết hạn: ngày 31/12/2026."
    assert licence["Lý do: Hoạt động không có giấy phép"] in (None, "")
    assert rows[world["remedy"].code]["Lần kiểm tra gần nhất"].date().isoformat() == "2026-09-05"
    assert len(rows) == len(RULES)


def test_the_export_is_scoped_and_refused_to_directors(client, world, other_local_officer, director):
    client.force_login(other_local_officer)
    assert [row["Mã trung tâm"] for row in sheet_rows(client.get(EXPORT))] == [world["work_permit"].code]
    client.force_login(director)
    assert client.get(EXPORT).status_code == 403


# Saved searches


def test_a_user_saves_lists_opens_and_deletes_their_searches(client, world, inspector):
    client.force_login(inspector)
    response = client.post(reverse("inspections:saved_search_list"),
                           {"name": "Quá hạn báo cáo", "query": "rules=reports&q=ngoai+ngu&page=3"})
    search = SavedSearch.objects.get(user=inspector)
    assert search.query == "rules=reports&q=ngoai+ngu"  # the page is not part of a search
    assert response.status_code == 302 and response.url == f"{URL}?rules=reports&q=ngoai+ngu"
    fragment = client.get(reverse("inspections:saved_search_list")).content.decode()
    assert "Quá hạn báo cáo" in fragment and "<html" not in fragment
    opened = client.get(reverse("inspections:saved_search_open", args=[search.pk]))
    assert opened.url == f"{URL}?rules=reports&q=ngoai+ngu"
    assert client.post(reverse("inspections:saved_search_delete", args=[search.pk])).status_code == 302
    assert not SavedSearch.objects.exists()


def test_saving_again_under_the_same_name_replaces_the_query(client, inspector):
    client.force_login(inspector)
    for query in ("rules=reports", "rules=tasks"):
        client.post(reverse("inspections:saved_search_list"), {"name": "Của tôi", "query": query})
    assert list(SavedSearch.objects.values_list("query", flat=True)) == ["rules=tasks"]


def test_a_search_without_a_name_is_refused(client, inspector):
    client.force_login(inspector)
    client.post(reverse("inspections:saved_search_list"), {"name": "  ", "query": "rules=tasks"})
    assert not SavedSearch.objects.exists()


def test_each_user_sees_only_their_own_searches(client, inspector, department_user):
    mine = SavedSearch.objects.create(user=inspector, name="Của thanh tra", query="rules=tasks")
    client.force_login(department_user)
    assert "Của thanh tra" not in client.get(reverse("inspections:saved_search_list")).content.decode()
    assert client.get(reverse("inspections:saved_search_open", args=[mine.pk])).status_code == 404
    assert client.post(reverse("inspections:saved_search_delete", args=[mine.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=mine.pk).exists()


def test_directors_have_no_saved_searches(client, director):
    client.force_login(director)
    assert client.get(reverse("inspections:saved_search_list")).status_code == 403


def test_the_page_loads_the_saved_searches_lazily(client, world, inspector):
    client.force_login(inspector)
    content = client.get(URL).content.decode()
    assert f'hx-get="{reverse("inspections:saved_search_list")}"' in content


# Risk weights


WEIGHTS_URL = reverse("inspections:weights_update")


def weights(**changes) -> dict:
    data = {rule.code: rule.default_weight for rule in RULES}
    data.update(changes)
    return data


def test_department_staff_set_the_weights(client, department_user, province):
    client.force_login(department_user)
    assert client.get(WEIGHTS_URL).status_code == 200
    response = client.post(WEIGHTS_URL, weights(tasks=15))
    assert response.status_code == 302
    assert RiskWeight.objects.get(province=province, rule="tasks").weight == 15
    content = client.get(URL).content.decode()
    assert WEIGHTS_URL in content  # staff see the link to the form


def test_a_bad_weight_is_refused_and_nothing_is_stored(client, department_user):
    client.force_login(department_user)
    response = client.post(WEIGHTS_URL, weights(tasks=15, reports=500))
    assert response.status_code == 200
    assert "100" in " ".join(response.context["form"].errors["reports"])
    assert not RiskWeight.objects.exists()


@pytest.mark.parametrize("user_key", ["inspector", "local_officer", "director"])
def test_only_staff_reach_the_weights(client, request, user_key):
    client.force_login(request.getfixturevalue(user_key))
    assert client.get(WEIGHTS_URL).status_code == 403
    assert client.post(WEIGHTS_URL, weights(tasks=15)).status_code == 403
    assert not RiskWeight.objects.exists()
