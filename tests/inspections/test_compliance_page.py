"""The inspectors' page at /compliance/: flagged centers with their flags and why, the
filters combined, the risk score and its weights, scope, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers.choices import CenterKind, CenterStatus
from centers.models import Center
from centers.services import center_save
from geo.text import fold
from inspections.flags import flags_check
from inspections.models import Inspection, RiskWeight
from inspections.rules import RULES, RULES_BY_CODE
from inspections.views.compliance import ComplianceView

from .conftest import non_savepoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
URL = reverse("inspections:compliance")
CODES = [rule.code for rule in RULES]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [center.code for center in response.context["centers"]]


def test_the_page_lists_only_flagged_centers_by_risk_score_then_name(client, world, inspector):
    client.force_login(inspector)
    response = client.get(URL)
    found = codes(response)
    assert set(found) == {world[code].code for code in CODES}
    scores = [center.risk_score for center in response.context["centers"]]
    assert scores == sorted(scores, reverse=True)
    assert found[0] == world["unlicensed"].code  # the heaviest rule by default (10)


def test_every_row_shows_its_flags_and_why_and_the_legend_its_weights(client, world, inspector):
    client.force_login(inspector)
    content = client.get(URL).content.decode()
    assert "Giấy phép sắp hết hạn: ngày 31/12/2026." in content
    assert "Nhiệm kỳ giám đốc đã hết ngày 10/01/2026." in content
    assert "1 đơn thư đã quá hạn giải quyết." in content
    for rule in RULES:
        assert str(rule.name) in content
        assert str(rule.legal_basis) in content
    assert RULES_BY_CODE["unlicensed"].kinds_text() in content
    # Inspectors read the weights; only staff get the form.
    assert reverse("inspections:weights_update") not in content


def test_the_weights_are_the_provinces_and_change_the_score(client, world, inspector, province):
    RiskWeight.objects.create(province=province, rule="tasks", weight=30)
    client.force_login(inspector)
    response = client.get(URL)
    assert codes(response)[0] == world["tasks"].code
    assert response.context["centers"][0].risk_score == 30
    assert dict((rule.code, weight) for rule, weight in response.context["legend"])["tasks"] == 30


@pytest.mark.parametrize(("params", "expected"), [
    ({"rules": ["licence", "tasks"]}, {"licence", "tasks"}),
    ({"rules": ["licence", "tasks"], "match": "all"}, set()),
    ({"rules": ["work_permit"]}, {"work_permit"}),
    ({"commune": "other"}, {"work_permit"}),
    ({"status": CenterStatus.UNLICENSED}, {"unlicensed"}),
    ({"q": "R05"}, {"reports"}),
])
def test_filters_combine(client, world, inspector, other_commune, params, expected):
    params = {**params}
    if params.get("commune") == "other":
        params["commune"] = other_commune.pk
    client.force_login(inspector)
    assert set(codes(client.get(URL, params))) == {world[code].code for code in expected}


def test_all_of_the_rules_through_the_page(client, world, inspector):
    world["tasks"].documents.update(valid_until=datetime.date(2026, 11, 30))
    from centers.services import center_refresh

    center_refresh(world["tasks"])
    client.force_login(inspector)
    params = {"rules": ["licence", "tasks"], "match": "all"}
    assert codes(client.get(URL, params)) == [world["tasks"].code]
    params["match"] = "any"
    assert set(codes(client.get(URL, params))) == {world["licence"].code, world["tasks"].code}


def test_free_text_ignores_diacritics_and_case(client, world, inspector):
    world["licence"].name = "Trung tâm Tin học Đông Hải"
    world["licence"].save()
    from centers.services import center_refresh

    center_refresh(world["licence"])
    client.force_login(inspector)
    assert codes(client.get(URL, {"q": "dong hai"})) == [world["licence"].code]
    # Every center of the world is a "Trung tâm Ngoại ngữ ..." but the renamed one.
    assert set(codes(client.get(URL, {"q": "NGOAI NGU"}))) == {world[c].code for c in CODES} - {world["licence"].code}


def test_last_inspection_older_than_n_months_counts_never_inspected(client, world, inspector, province):
    # R07 (remedy) was inspected on 05/09/2026: less than 6 months before 20/11/2026.
    old = world["location"]
    Inspection.objects.create(province=province, center=old, status="done", planned_on=datetime.date(2026, 3, 1),
                              carried_out_on=datetime.date(2026, 3, 2), team="A", scope="B")
    client.force_login(inspector)
    found = set(codes(client.get(URL, {"not_inspected_months": 6})))
    assert world["remedy"].code not in found
    assert old.code in found  # last inspected more than 6 months ago
    assert world["licence"].code in found  # never inspected
    assert world["remedy"].code in codes(client.get(URL, {"not_inspected_months": 2}))


def test_combined_with_commune_and_text(client, world, inspector, commune):
    client.force_login(inspector)
    found = codes(client.get(URL, {"commune": commune.pk, "q": "ngoai ngu", "rules": ["licence", "work_permit"]}))
    assert found == [world["licence"].code]  # the work-permit center is in the other ward


def test_the_investor_filter_ignores_diacritics(client, world, inspector):
    Center.objects.filter(pk=world["tasks"].pk).update(investor_name="Công ty TNHH Giáo dục Đồng Tâm",
                                                       investor_tax_code="2300123456")
    from centers.services import center_refresh

    center_refresh(world["tasks"])
    client.force_login(inspector)
    assert codes(client.get(URL, {"investor": "dong tam"})) == [world["tasks"].code]
    assert codes(client.get(URL, {"investor": "2300123456"})) == [world["tasks"].code]


def test_sorting_by_name_and_score(client, world, inspector):
    client.force_login(inspector)
    rows = client.get(URL, {"ordering": "name"}).context["centers"]
    assert [c.name for c in rows] == sorted(c.name for c in rows)
    rows = client.get(URL, {"ordering": "score"}).context["centers"]
    assert [c.risk_score for c in rows] == sorted(c.risk_score for c in rows)


def test_invalid_filter_input_says_why_and_lists_nothing(client, world, inspector, foreign_center):
    client.force_login(inspector)
    response = client.get(URL, {"commune": foreign_center.commune_id})
    assert codes(response) == []
    assert "Xã/Phường" in response.content.decode() and "alert-danger" in response.content.decode()


def test_a_local_officer_sees_only_their_communes_centers(client, world, local_officer, other_local_officer):
    client.force_login(other_local_officer)
    assert codes(client.get(URL)) == [world["work_permit"].code]
    client.force_login(local_officer)
    response = client.get(URL)
    found = set(codes(response))
    assert world["work_permit"].code not in found and world["licence"].code in found
    # Their commune is the only one offered.
    assert [c for c, _label in response.context["filter"].form.fields["commune"].choices if c] == [
        local_officer.commune_id]


def test_a_foreign_inspector_sees_none_of_them(client, world, foreign_inspector):
    client.force_login(foreign_inspector)
    assert codes(client.get(URL)) == []


def test_a_director_is_refused_and_an_anonymous_user_sent_to_log_in(client, world, director):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(director)
    assert client.get(URL).status_code == 403


def _grow(commune, total: int) -> None:
    """Bring the province to `total` extra unlicensed centers, written in bulk."""
    start = Center.objects.filter(code__startswith="B").count()
    Center.objects.bulk_create([
        Center(province=commune.parent, commune=commune, code=f"B{n:05d}", name=f"Trung tâm Ngoại ngữ Bình An {n}",
               kind=CenterKind.LANGUAGE, status=CenterStatus.UNLICENSED,
               search_text=fold(f"B{n:05d} Trung tâm Ngoại ngữ Bình An {n}"))
        for n in range(start, total)
    ], batch_size=500)
    # Written in bulk, past the model signals: as every bulk writer does, refresh their flags.
    from inspections.flags import flags_refresh

    flags_refresh(Center.objects.filter(code__startswith="B").values_list("pk", flat=True))


def test_the_page_runs_the_same_few_queries_for_10_and_1000_flagged_centers(client, world, inspector, commune):
    client.force_login(inspector)
    counts = []
    for total in (10, 1000):
        _grow(commune, total)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "binh an", "rules": ["unlicensed", "director"], "commune": commune.pk})
        assert response.status_code == 200
        assert response.context["paginator"].count == total
        assert len(response.context["centers"]) == min(total, ComplianceView.paginate_by)
        assert "Trung tâm Ngoại ngữ Bình An" in response.content.decode()
        counts.append(len(non_savepoint(captured.captured_queries)))
    # Session, user, the frame (units, weights, the bell), the rows with their total.
    assert counts[0] == counts[1] <= 5, counts


def test_the_default_page_also_keeps_its_budget(client, world, inspector, commune):
    client.force_login(inspector)
    _grow(commune, 60)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"page": 2})
    assert response.context["page_obj"].number == 2
    assert len(non_savepoint(captured.captured_queries)) <= 5
    # A page past the end (an old bookmark) shows the last one; what is not a page number, the first.
    total, last, size = response.context["paginator"].count, response.context["paginator"].num_pages, 25
    assert last >= 3 and ComplianceView.paginate_by == size
    for page, shown in ((99, last), ("last", last), ("1" + "0" * 30, last), ("²", 1), ("0", 1), ("x" * 10_000, 1)):
        response = client.get(URL, {"page": page})
        assert response.status_code == 200, page
        assert response.context["page_obj"].number == shown, page
        assert len(response.context["centers"]) == (size if shown == 1 else total - (last - 1) * size), page


def test_superusers_choose_a_province(client, world, province, other_province, foreign_center):
    from tests.factories import make_user

    admin = make_user("", province=None, username="root", is_superuser=True)
    client.force_login(admin)
    assert set(codes(client.get(URL))) == {world[code].code for code in CODES} | {foreign_center.code}
    assert set(codes(client.get(URL, {"province": province.pk}))) == {world[code].code for code in CODES}


@pytest.mark.parametrize("chosen", [False, True])
def test_the_filters_selects_are_written_as_djangos_select_writes_them(province, other_province, commune,
                                                                     other_commune, chosen):
    """The page's selects are centers.forms.QuickSelect, written out in Python for speed:
    the markup must stay that of forms.Select, the chosen option selected."""
    import re

    from django import forms

    from accounts.models import User
    from centers.forms import QuickSelect
    from inspections.filters import ComplianceFilterSet
    from inspections.selectors import compliance_frame
    from tests.factories import make_user

    superuser = make_user(User.Role.DEPARTMENT, province=None, username="root-s", is_superuser=True)
    frame = compliance_frame(superuser, province_id=province.pk)
    data = {"match": "all", "kind": CenterKind.choices[1][0], "status": CenterStatus.choices[-1][0],
            "province": str(province.pk), "commune": str(other_commune.pk)} if chosen else None
    form = ComplianceFilterSet(data, queryset=Center.objects.all(), user=superuser, frame=frame).form
    for name in ("match", "kind", "status", "province", "commune"):
        field = form.fields[name]
        assert isinstance(field.widget, QuickSelect), name
        quick = str(form[name])
        field.widget.__class__ = forms.Select
        plain = str(form[name])
        assert re.sub(r">\s+<", "><", quick).strip() == re.sub(r">\s+<", "><", plain).strip(), name
        assert quick.count(" selected>") == (1 if chosen or name != "match" else 0), name
    if chosen:
        assert f'value="{other_commune.pk}" selected' in str(form["commune"])


def test_the_rows_and_filters_are_written_in_the_users_language(client, world, inspector):
    """The rows and the filters are Jinja2 partials: their words follow the language."""
    from django.conf import settings

    client.force_login(inspector)
    for language, words in (("vi", ["Vi phạm quy tắc", "Không có trung tâm nào khớp với điều kiện lọc.",
                                    "Chưa kiểm tra"]),
                            ("en", ["Rule violations", "No centers match the filter criteria.", "Not inspected"])):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        nothing = client.get(URL, {"q": "zzz"}).content.decode()
        assert words[0] in nothing and words[1] in nothing, language
        assert words[2] in client.get(URL).content.decode(), language


def test_the_page_is_read_back_between_writes_and_rebuilt_after_one(client, world, inspector, province):
    """The fragment cache (edu_portal/fragments.py): the same page again costs the session,
    the user and the bell; a weight set, a center renamed or a nightly check shows at once."""
    client.force_login(inspector)
    built = client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        cached = client.get(URL)
    assert "centers" in built.context and "centers" not in cached.context
    assert cached.content.decode().count('<tr') == built.content.decode().count('<tr')
    assert len(non_savepoint(captured.captured_queries)) <= 3

    RiskWeight.objects.create(province=province, rule="tasks", weight=30)
    assert codes(client.get(URL))[0] == world["tasks"].code

    center = world["licence"]
    center.name = "Trung tâm Ngoại ngữ Đổi Tên Mới"
    center_save(center=center)
    assert "Trung tâm Ngoại ngữ Đổi Tên Mới" in client.get(URL).content.decode()

    assert "chưa có lần tính lại toàn bộ hằng đêm nào" in client.get(URL).content.decode()
    flags_check()
    assert "tính lại toàn bộ lần gần nhất lúc" in client.get(URL).content.decode()
