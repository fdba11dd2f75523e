"""The registry in the web admin: who gets in, scoping (404, lists, choices, autocomplete),
the folded search, query counts, the document workflow and the Excel action."""

import datetime
import sys
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers.choices import CenterStatus, DocumentKind, LicenceState
from centers.models import Center, Director, LicenceDocument, StatusChange
from tests.admin_forms import add_inline_form, admin_form_data
from tests.factories import (
    CenterFactory,
    DirectorFactory,
    DocumentFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


# Who gets in


def test_department_staff_reach_the_admin_index(client, department_user):
    client.force_login(department_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Quản trị dữ liệu - Sở Giáo dục và Đào tạo" in content
    assert changelist_url(Center) in content


@pytest.mark.parametrize("role_user", ["inspector", "director", "local_officer"])
def test_other_roles_never_reach_the_admin_even_with_is_staff(client, request, role_user):
    user = request.getfixturevalue(role_user)
    user.is_staff = True  # set by mistake: the role still keeps them out
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    for url in (reverse("admin:index"), changelist_url(Center)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_department_user_without_is_staff_cannot_enter(client, department_user):
    department_user.is_staff = False
    department_user.save(update_fields=["is_staff"])
    client.force_login(department_user)
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_login_form_refuses_an_inspector_flagged_staff(client, inspector):
    inspector.is_staff = True
    inspector.save(update_fields=["is_staff"])
    response = client.post(
        reverse("admin:login"), {"username": inspector.username, "password": "matkhau-thu-nghiem"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


# Scope: another province's objects are a 404


@pytest.fixture
def home_records(center):
    """One record of each registry model in Bắc Ninh, reachable from `center`."""
    return {
        "center": center,
        "document": center.documents.get(),
        "director": DirectorFactory(center=center),
        "staff": StaffFactory(center=center),
        "location": center.locations.create(address="Số 2 Lý Thái Tổ"),
        "status_change": StatusChange.objects.create(
            center=center, old_status="operating", new_status="suspended", effective_on=datetime.date(2025, 1, 2),
        ),
    }


@pytest.mark.parametrize("name", ["center", "document", "director", "staff", "location", "status_change"])
def test_foreign_department_gets_404_on_change_history_and_delete_pages(client, foreign_department_user, home_records,
                                                                         name):
    obj = home_records[name]
    client.force_login(foreign_department_user)
    prefix = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
    for view in ("change", "history", "delete"):
        response = client.get(reverse(f"{prefix}_{view}", args=[obj.pk]))
        assert response.status_code == 404, (name, view)
    post = client.post(reverse(f"{prefix}_change", args=[obj.pk]), {"name": "Đổi tên"})
    assert post.status_code == 404


def test_foreign_department_gets_404_on_a_historical_version(client, foreign_department_user, center):
    record = center.history.first()
    client.force_login(foreign_department_user)
    url = reverse("admin:centers_center_simple_history", args=[center.pk, record.history_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Khôi phục"}).status_code == 404


def test_own_center_change_and_history_pages_open(client, department_user, center):
    client.force_login(department_user)
    assert client.get(change_url(center)).status_code == 200
    response = client.get(reverse("admin:centers_center_history", args=[center.pk]))
    assert response.status_code == 200
    assert center.name in response.content.decode()


def test_a_missing_center_is_a_404_not_a_redirect(client, department_user):
    client.force_login(department_user)
    assert client.get(reverse("admin:centers_center_change", args=[999999])).status_code == 404


def test_center_changelist_shows_only_own_province(client, department_user, center, other_center, foreign_center):
    client.force_login(department_user)
    response = client.get(changelist_url(Center))
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {center, other_center}


def test_superuser_changelist_covers_every_province(client, center, foreign_center):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(changelist_url(Center))
    assert set(response.context["cl"].result_list) == {center, foreign_center}
    filtered = client.get(changelist_url(Center), {"province": foreign_center.province_id})
    assert list(filtered.context["cl"].result_list) == [foreign_center]


@pytest.mark.parametrize("model", [LicenceDocument, Director, StatusChange])
def test_child_changelists_show_only_own_province(client, department_user, center, foreign_center, model):
    DocumentFactory(center=foreign_center)
    DirectorFactory(center=center)
    DirectorFactory(center=foreign_center)
    for c in (center, foreign_center):
        StatusChange.objects.create(center=c, new_status="suspended", effective_on=datetime.date(2025, 1, 2))
    client.force_login(department_user)
    response = client.get(changelist_url(model))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows and all(row.center == center for row in rows)


# Choices and autocompletes


def autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {row["text"] for row in response.json()["results"]}


def test_commune_autocomplete_lists_only_own_province(client, department_user, commune, other_commune, foreign_center):
    client.force_login(department_user)
    assert autocomplete(client, "centers", "center", "commune") == {"Phường Kinh Bắc", "Phường Võ Cường"}
    # Folded search works in the autocomplete too, and never reaches Hà Nội.
    assert autocomplete(client, "centers", "center", "commune", "kinh bac") == {"Phường Kinh Bắc"}
    assert autocomplete(client, "centers", "center", "commune", "hoan kiem") == set()


def test_center_autocomplete_lists_only_own_province(client, department_user, center, foreign_center):
    client.force_login(department_user)
    assert autocomplete(client, "accounts", "user", "center") == {center.name}
    assert autocomplete(client, "centers", "staff", "center", "ngoai ngu") == {center.name}


def test_document_autocomplete_lists_only_own_province(client, department_user, center, foreign_center):
    DocumentFactory(center=foreign_center, number="99/QĐ-SGDĐT")
    client.force_login(department_user)
    texts = autocomplete(client, "centers", "location", "document")
    assert texts == {str(center.documents.get())}


def test_autocomplete_is_refused_to_other_roles(client, inspector):
    inspector.is_staff = True
    inspector.save(update_fields=["is_staff"])
    client.force_login(inspector)
    response = client.get(
        reverse("admin:autocomplete"), {"app_label": "centers", "model_name": "center", "field_name": "commune"},
    )
    assert response.status_code == 302


def test_center_form_offers_only_own_communes_and_locks_the_province(client, department_user, commune, foreign_center):
    client.force_login(department_user)
    form = client.get(reverse("admin:centers_center_add")).context["adminform"].form
    assert set(form.fields["commune"].queryset) == {commune}
    assert form.fields["province"].disabled
    assert list(form.fields["province"].queryset) == [department_user.province]


def center_add_data(commune, **overrides):
    data = {
        "code": "nn900", "name": "Trung tâm Ngoại ngữ Bình Minh", "kind": "language", "status": "operating",
        "commune": commune.pk, "street": "Số 9 Trần Hưng Đạo",
    }
    for prefix in ("documents", "directors", "locations", "staff", "status_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def test_new_center_gets_the_users_province(client, department_user, commune, other_province):
    client.force_login(department_user)
    data = center_add_data(commune, province=other_province.pk)  # ignored: the field is locked
    response = client.post(reverse("admin:centers_center_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    created = Center.objects.get(code="NN900")
    assert created.province == department_user.province
    assert created.search_text  # derived by the service after saving
    assert created.history.count() >= 1


def test_a_foreign_commune_is_refused(client, department_user, foreign_center):
    client.force_login(department_user)
    response = client.post(reverse("admin:centers_center_add"), center_add_data(foreign_center.commune))
    assert response.status_code == 200
    assert "commune" in response.context["adminform"].form.errors
    assert not Center.objects.filter(code="NN900").exists()


def test_duplicate_code_in_the_province_is_a_form_error(client, department_user, center, commune):
    client.force_login(department_user)
    response = client.post(reverse("admin:centers_center_add"), center_add_data(commune, code=center.code))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert "đã tồn tại" in response.content.decode()


def test_department_staff_cannot_delete_a_center(client, department_user, center):
    client.force_login(department_user)
    assert client.get(reverse("admin:centers_center_delete", args=[center.pk])).status_code == 403
    actions = client.get(changelist_url(Center)).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _label in actions]


# Search and the changelist


def test_admin_search_ignores_diacritics_and_case(client, department_user, center, other_center):
    client.force_login(department_user)
    for term in ("ngoai ngu dong", "NGOẠI NGỮ Đông", "nn001", "12/qd-sgddt"):
        response = client.get(changelist_url(Center), {"q": term})
        assert list(response.context["cl"].result_list) == [center], term


def test_changelist_shows_licence_state_and_number(client, department_user, center, other_center):
    client.force_login(department_user)
    content = client.get(changelist_url(Center)).content.decode()
    assert "12/QĐ-SGDĐT" in content
    assert str(LicenceState.VALID.label) in content
    assert str(LicenceState.NONE.label) in content
    assert "edu-badge-success" in content


def test_the_change_page_shows_the_licence_state_and_the_count_needs_no_join(client, department_user, center,
                                                                              other_center):
    client.force_login(department_user)
    content = client.get(change_url(center)).content.decode()
    assert str(LicenceState.VALID.label) in content and "edu-badge-success" in content
    assert str(LicenceState.NONE.label) in client.get(change_url(other_center)).content.decode()
    # The changelist counts the scoped centers alone; its rows carry the state.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist_url(Center))
    count = next(q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"])
    assert "JOIN" not in count
    assert {c.pk: c.licence_state for c in response.context["cl"].result_list} == {
        center.pk: LicenceState.VALID, other_center.pk: LicenceState.NONE,
    }


def test_licence_state_and_commune_filters(client, department_user, center, other_center, foreign_center):
    client.force_login(department_user)
    response = client.get(changelist_url(Center), {"licence": "none"})
    assert list(response.context["cl"].result_list) == [other_center]
    # Sorting on the derived column (the annotation) works too.
    response = client.get(changelist_url(Center), {"o": "5"})
    assert list(response.context["cl"].result_list) == [other_center, center]  # "none" < "valid"
    response = client.get(changelist_url(Center), {"commune": center.commune_id})
    assert list(response.context["cl"].result_list) == [center]
    # The commune filter lists only this province's communes.
    commune_filter = next(f for f in response.context["cl"].filter_specs
                          if getattr(f, "parameter_name", None) == "commune")
    assert {label for _value, label in commune_filter.lookup_choices} == {"Phường Kinh Bắc", "Phường Võ Cường"}


@pytest.mark.parametrize("as_superuser", [False, True], ids=["department", "superuser"])
def test_the_changelist_rows_are_the_markup_django_writes(client, department_user, center, other_center,
                                                          foreign_center, as_superuser):
    """centers/templatetags/center_admin.py writes the rows itself: the same HTML as Django's
    {% result_list %} (headers, links with the kept filters, checkbox, badges, sort marks)."""
    import re

    from django.contrib.admin.templatetags.admin_list import result_list
    from django.template.loader import render_to_string

    from centers.templatetags.center_admin import center_result_list

    user = UserFactory(username="root", is_superuser=True, is_staff=True) if as_superuser else department_user
    client.force_login(user)
    center.name = 'Trung tâm <b>"Ánh Dương"</b> & co'
    center.save()
    response = client.get(changelist_url(Center), {"o": "-2.5", "licence": "valid"})
    cl = response.context["cl"]
    assert "admin/centers/center_change_list.html" in [t.name for t in response.templates]
    ours, django = center_result_list(cl), render_to_string("admin/change_list_results.html", result_list(cl))

    def squeezed(html):
        # Jinja2 (MarkupSafe) writes a quote as &#34; and an apostrophe as &#39;, Django as
        # &quot; and &#x27;: the same characters to a browser.
        html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    assert squeezed(ours) == squeezed(django)
    assert "&lt;b&gt;" in ours and "_changelist_filters=" in ours and "sortpriority" in ours
    assert ("field-province" in ours) == as_superuser


def test_the_commune_filter_links_are_those_django_builds(client, department_user, center, other_center):
    from django.contrib.admin import SimpleListFilter

    client.force_login(department_user)
    response = client.get(changelist_url(Center), {"q": "ngoai ngu", "kind": "language", "commune": center.commune_id,
                                                   "status": "operating", "o": "2"})
    cl = response.context["cl"]
    commune_filter = next(f for f in cl.filter_specs if getattr(f, "parameter_name", None) == "commune")
    assert list(commune_filter.choices(cl)) == list(SimpleListFilter.choices(commune_filter, cl))
    assert any(choice["selected"] for choice in commune_filter.choices(cl))
    assert 'data-filter-title="xã/phường"' in response.content.decode()


@pytest.mark.parametrize("as_superuser", [False, True], ids=["department", "superuser"])
def test_the_filters_sidebar_is_the_markup_django_writes(client, department_user, center, other_center, commune,
                                                         as_superuser):
    """center_list_filters writes Django's admin/filter.html itself: the same HTML, escaping
    included, for every filter of the page (the communes with a kept search and sort)."""
    import re

    from django.template.loader import get_template

    from centers.templatetags.center_admin import center_list_filters

    commune.name = 'Kinh <b>"Bắc"</b> & co'
    commune.save()
    user = UserFactory(username="root", is_superuser=True, is_staff=True) if as_superuser else department_user
    client.force_login(user)
    params = {"q": "ngoai ngu", "o": "-2", "commune": commune.pk, "status__exact": "operating"}
    if as_superuser:
        params["province"] = commune.parent_id
    response = client.get(changelist_url(Center), params)
    cl = response.context["cl"]
    django = "".join(
        get_template("admin/filter.html").render({"title": spec.title, "choices": list(spec.choices(cl)), "spec": spec})
        for spec in cl.filter_specs
    )

    def squeezed(html):
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    ours = center_list_filters(cl)
    assert squeezed(ours) == squeezed(django)
    assert "Kinh &lt;b&gt;&quot;Bắc&quot;&lt;/b&gt; &amp; co" in ours and 'class="selected"' in ours
    assert len(cl.filter_specs) == (5 if as_superuser else 4)
    assert ours in response.content.decode()


@pytest.fixture
def built_pages(settings):
    """Every request builds its changelist: these tests look at the ChangeList itself, or
    count the queries of building it (a second request would read the body back from the
    fragment cache, edu_portal/fragments.py, tested in tests/test_fragments.py)."""
    settings.FRAGMENT_CACHE = False


@pytest.mark.usefixtures("built_pages")
@pytest.mark.parametrize("as_superuser", [False, True], ids=["department", "superuser"])
def test_the_actions_bar_is_the_markup_django_writes(client, department_user, center, other_center, as_superuser):
    """center_admin_actions writes Django's admin/actions.html itself (the action <select>,
    the counter, "select all"): the same HTML, for one page of several and for all rows."""
    import re

    from django.template import Context, Template

    from centers.templatetags.center_admin import center_admin_actions

    def squeezed(html):
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    user = UserFactory(username="root", is_superuser=True, is_staff=True) if as_superuser else department_user
    client.force_login(user)
    for per_page in (1, 50):  # a page of two (the "select all" links), then every row
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("centers.admin.CenterAdmin.list_per_page", per_page)
            response = client.get(changelist_url(Center))
        context = dict(response.context_data)
        django = Template("{% load admin_list %}{% admin_actions %}{% admin_actions %}").render(Context(dict(context)))
        ours_context = Context(dict(context))  # the second bar counts as the second (action_index)
        ours = center_admin_actions(ours_context) + center_admin_actions(ours_context)
        assert squeezed(ours) == squeezed(django)
        assert ('class="question hidden"' in ours) == (per_page == 1)
        assert ("delete_selected" in ours) == as_superuser


def test_the_changelist_rows_read_only_the_columns_they_show(client, department_user, center, other_center):
    client.force_login(department_user)
    rows = list(client.get(changelist_url(Center)).context["cl"].result_list)
    assert rows and all({"search_text", "investor_name", "email"} <= row.get_deferred_fields() for row in rows)
    assert not any({"code", "name", "kind", "status"} & row.get_deferred_fields() for row in rows)
    assert all("legal_bases" in row.current_licence.get_deferred_fields() for row in rows if row.current_licence_id)
    # A popup's rows are Django's own, from whole centers.
    popup = client.get(changelist_url(Center), {"_popup": "1", "_to_field": "id"}).context["cl"].result_list
    assert not any(row.get_deferred_fields() for row in popup)


def test_admin_pages_list_the_apps_only_when_a_template_asks(client, department_user, rf):
    """each_context's available_apps (the navigation sidebar's, off on this site) is built
    when read, and then is Django's list."""
    from edu_portal.admin import site

    client.force_login(department_user)
    response = client.get(changelist_url(Center))
    apps = response.context["available_apps"]
    request = rf.get("/")
    request.user = department_user
    assert [app["app_label"] for app in apps] == [app["app_label"] for app in site.get_app_list(request)]
    assert "centers" in [app["app_label"] for app in apps]


def bulk_centers(commune, total: int) -> None:
    """`total` centers in the commune's province, each with its licence: written in bulk (a
    query-count test needs the rows, not the services' work per row, which other tests check)."""
    existing = Center.objects.filter(province=commune.parent).count()
    centers = Center.objects.bulk_create([
        Center(province=commune.parent, commune=commune, code=f"BK{n:05d}", name=f"Trung tâm Ngoại ngữ Số {n}",
               kind="language", status="operating", search_text=f"bk{n:05d} trung tam ngoai ngu so {n}")
        for n in range(existing, total)
    ])
    documents = LicenceDocument.objects.bulk_create([
        LicenceDocument(center=c, kind=DocumentKind.ESTABLISHMENT_OPERATION, number=f"{c.code}/QĐ-SGDĐT",
                        signed_on=datetime.date(2024, 3, 5), issuer="Sở GDĐT")
        for c in centers
    ])
    for c, document in zip(centers, documents, strict=True):
        c.current_licence = document
    Center.objects.bulk_update(centers, ["current_licence"])


@pytest.mark.usefixtures("built_pages")
@pytest.mark.parametrize("as_superuser", [False, True], ids=["department", "superuser"])
@pytest.mark.parametrize("params", [{}, {"q": "ngoai ngu"}, {"o": "-5.2", "licence": "valid"}],
                         ids=["list", "search", "sorted-filtered"])
def test_changelist_runs_the_same_queries_for_10_and_1000_centers(
    client, department_user, commune, django_assert_max_num_queries, as_superuser, params,
):
    user = UserFactory(username="root", is_superuser=True, is_staff=True) if as_superuser else department_user
    client.force_login(user)
    params = {**params, "province": commune.parent_id} if as_superuser else params
    counts = []
    for total in (10, 1000):
        bulk_centers(commune, total)
        client.get(changelist_url(Center), params)  # the session's last-seen write (see below)
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as captured:
            response = client.get(changelist_url(Center), params)
        assert response.status_code == 200
        assert response.context["cl"].result_count == total
        assert len(response.context["cl"].result_list) == min(total, 50)
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.usefixtures("built_pages")
@pytest.mark.parametrize("as_superuser", [False, True], ids=["department", "superuser"])
def test_changelist_runs_the_same_queries_for_10_and_200_centers(
    client, department_user, commune, other_commune, foreign_center, django_assert_max_num_queries, as_superuser,
):
    user = UserFactory(username="root", is_superuser=True, is_staff=True) if as_superuser else department_user
    client.force_login(user)
    # The superuser also filters on a province, which fills the commune filter.
    params = {"o": "2", "province": commune.parent_id} if as_superuser else {"o": "2"}
    counts = []
    for total in (10, 200):
        while Center.objects.filter(province=commune.parent).count() < total:
            center = CenterFactory(commune=commune if Center.objects.count() % 2 else other_commune)
            DocumentFactory(center=center)
            DirectorFactory(center=center)
        # A first visit brings the session's last-seen time up to date (its write is timed,
        # edu_portal.middleware): building 200 centers may take longer than that interval.
        client.get(changelist_url(Center), params)
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as captured:
            response = client.get(changelist_url(Center), params)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == min(total, 50)
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("make_row", [
    pytest.param(lambda c: DocumentFactory(center=c), id="documents"),
    pytest.param(lambda c: DirectorFactory(center=c), id="directors"),
    pytest.param(lambda c: StaffFactory(center=c), id="staff"),
    pytest.param(lambda c: c.locations.create(address="Số 1", commune=c.commune, document=c.documents.first()),
                 id="locations"),
    pytest.param(
        lambda c: StatusChange.objects.create(center=c, new_status="suspended", effective_on=datetime.date(2025, 1, 2)),
        id="status_changes",
    ),
])
def test_child_changelists_run_the_same_queries_for_3_and_30_rows(client, department_user, commune, make_row):
    client.force_login(department_user)
    model = None
    counts = []
    for total in (3, 30):
        while model is None or model.objects.count() < total:
            center = CenterFactory(commune=commune)
            DocumentFactory(center=center)
            model = type(make_row(center))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(changelist_url(model))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == model.objects.count()
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_changelist_show_all_stays_at_a_fixed_query_count(client, department_user, commune,
                                                          django_assert_max_num_queries):
    for _ in range(120):
        CenterFactory(commune=commune)
    client.force_login(department_user)
    with django_assert_max_num_queries(8):
        response = client.get(changelist_url(Center), {"all": ""})
    assert len(response.context["cl"].result_list) == 120


# Documents, status and directors through the center page


def test_adding_a_suspension_document_inline_suspends_the_center(client, department_user, center):
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(center)))
    add_inline_form(
        data, "documents", kind=DocumentKind.SUSPENSION, number="45/QĐ-SGDĐT",
        signed_on=datetime.date(2025, 6, 1), issuer="Sở GDĐT Bắc Ninh", valid_until=datetime.date(2025, 12, 1),
    )
    response = client.post(change_url(center), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    center.refresh_from_db()
    assert center.status == CenterStatus.SUSPENDED
    change = center.status_changes.get()
    assert change.old_status == CenterStatus.OPERATING
    assert change.document.number == "45/QĐ-SGDĐT"
    assert change.recorded_by == department_user
    assert "45/qd-sgddt" in center.search_text
    # The establishment decision is still the licence; the suspension does not replace it.
    assert center.current_licence.number == "12/QĐ-SGDĐT"


def test_adding_a_licence_inline_sets_the_current_licence(client, department_user, other_center):
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(other_center)))
    add_inline_form(
        data, "documents", kind=DocumentKind.OPERATION, number="77/QĐ-SGDĐT",
        signed_on=datetime.date(2025, 2, 1), issuer="Sở GDĐT Bắc Ninh",
    )
    assert client.post(change_url(other_center), data).status_code == 302
    other_center.refresh_from_db()
    assert other_center.current_licence.number == "77/QĐ-SGDĐT"


def test_deleting_the_licence_inline_clears_it_from_the_center(client, department_user, center):
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(center)))
    licence = center.current_licence
    row = next(k for k, v in data.items() if k.startswith("documents-") and k.endswith("-id") and v == licence.pk)
    data[row.removesuffix("-id") + "-DELETE"] = "on"
    assert client.post(change_url(center), data).status_code == 302
    center.refresh_from_db()
    assert center.current_licence is None
    assert "12/qd-sgddt" not in center.search_text


def test_renaming_a_center_in_the_admin_refreshes_its_search_text(client, department_user, center):
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(center)))
    data["name"] = "Trung tâm Tin học Đông Hồ"
    assert client.post(change_url(center), data).status_code == 302
    center.refresh_from_db()
    assert "tin hoc dong ho" in center.search_text


def test_deleting_a_director_from_its_page_refreshes_the_center(client, department_user, center):
    client.force_login(department_user)
    director = DirectorFactory(center=center, full_name="Phạm Quốc Đạt")
    center.refresh_from_db()
    assert "pham quoc dat" in center.search_text
    url = reverse("admin:centers_director_delete", args=[director.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    center.refresh_from_db()
    assert "pham quoc dat" not in center.search_text


def test_status_is_read_only_on_an_existing_center(client, department_user, center):
    client.force_login(department_user)
    response = client.get(change_url(center))
    assert "status" not in response.context["adminform"].form.fields
    data = admin_form_data(response)
    data["status"] = CenterStatus.DISSOLVED
    assert client.post(change_url(center), data).status_code == 302
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING
    assert not center.status_changes.exists()


def test_two_current_directors_are_a_vietnamese_form_error(client, department_user, center):
    DirectorFactory(center=center, full_name="Nguyễn Văn An")
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(center)))
    add_inline_form(data, "directors", full_name="Lê Thị Bình", started_on=datetime.date(2025, 3, 1))
    response = client.post(change_url(center), data)
    assert response.status_code == 200
    assert "đã có giám đốc đương nhiệm" in response.content.decode()
    assert center.directors.count() == 1


def test_ending_the_old_director_and_adding_the_new_one_in_one_save(client, department_user, center):
    old = DirectorFactory(center=center, full_name="Nguyễn Văn An")
    client.force_login(department_user)
    data = admin_form_data(client.get(change_url(center)))
    index = next(i for i in range(int(data["directors-TOTAL_FORMS"])) if data[f"directors-{i}-id"] == old.pk)
    data[f"directors-{index}-ended_on"] = "2025-02-28"
    add_inline_form(data, "directors", full_name="Lê Thị Bình", started_on=datetime.date(2025, 3, 1))
    response = client.post(change_url(center), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert center.directors.get(ended_on__isnull=True).full_name == "Lê Thị Bình"
    center.refresh_from_db()
    assert "le thi binh" in center.search_text


def test_director_page_refuses_a_second_current_director(client, department_user, center):
    DirectorFactory(center=center)
    former = DirectorFactory(center=center, ended_on=datetime.date(2023, 12, 31), started_on=datetime.date(2020, 1, 1))
    client.force_login(department_user)
    response = client.get(change_url(former))
    data = admin_form_data(response)
    data["ended_on"] = ""
    response = client.post(change_url(former), data)
    assert response.status_code == 200
    assert "đã có giám đốc đương nhiệm" in response.content.decode()


def test_director_add_page_refuses_a_second_current_director(client, department_user, center):
    DirectorFactory(center=center)
    client.force_login(department_user)
    response = client.post(
        reverse("admin:centers_director_add"), {"center": center.pk, "full_name": "Lê Thị Bình"},
    )
    assert response.status_code == 200
    assert "đã có giám đốc đương nhiệm" in response.content.decode()
    assert center.directors.count() == 1


def test_document_page_applies_the_document_to_its_center(client, department_user, center):
    client.force_login(department_user)
    data = {
        "center": center.pk, "kind": DocumentKind.REVOCATION, "number": "50/QĐ-SGDĐT",
        "signed_on": "2025-05-05", "issuer": "Sở GDĐT Bắc Ninh",
    }
    response = client.post(reverse("admin:centers_licencedocument_add"), data)
    assert response.status_code == 302
    center.refresh_from_db()
    assert center.status == CenterStatus.STOPPED
    assert center.current_licence is None


def test_document_page_refuses_a_foreign_center(client, department_user, foreign_center):
    client.force_login(department_user)
    data = {
        "center": foreign_center.pk, "kind": DocumentKind.SUSPENSION, "number": "51/QĐ-SGDĐT",
        "signed_on": "2025-05-05", "issuer": "Sở GDĐT Hà Nội",
    }
    response = client.post(reverse("admin:centers_licencedocument_add"), data)
    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    foreign_center.refresh_from_db()
    assert foreign_center.status == CenterStatus.OPERATING


def test_status_changes_are_read_only(client, department_user, center):
    change = StatusChange.objects.create(center=center, new_status="suspended", effective_on=datetime.date(2025, 1, 2))
    client.force_login(department_user)
    assert client.get(reverse("admin:centers_statuschange_add")).status_code == 403
    assert client.get(change_url(change)).status_code == 200  # view only
    assert client.post(change_url(change), {"reason": "sửa"}).status_code == 403


def test_administrative_units_are_read_only_for_department_staff(client, department_user, commune):
    client.force_login(department_user)
    assert client.get(change_url(commune)).status_code == 200
    assert client.post(change_url(commune), {"name": "Đổi tên"}).status_code == 403
    commune.refresh_from_db()
    assert commune.name == "Phường Kinh Bắc"


def test_foreign_units_are_a_404(client, department_user, foreign_center):
    client.force_login(department_user)
    assert client.get(change_url(foreign_center.commune)).status_code == 404
    assert client.get(change_url(foreign_center.province)).status_code == 404


# Export


def test_export_action_hands_the_selection_to_export_workbook(client, department_user, center, other_center,
                                                              monkeypatch):
    received = []

    def export_workbook(queryset):
        received.extend(queryset)
        return b"PK fake workbook"

    # Whatever centers.excel holds today, the action must call its export_workbook.
    monkeypatch.setitem(sys.modules, "centers.excel", types.SimpleNamespace(export_workbook=export_workbook))
    client.force_login(department_user)
    response = client.post(changelist_url(Center), {"action": "export_xlsx", "_selected_action": [center.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="trung-tam-')
    assert response["Content-Disposition"].endswith(".xlsx")
    # The admin's never_cache adds its own directives to the download's.
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert received == [center]


def test_export_action_returns_an_xlsx_of_the_selection(client, department_user, center, other_center, foreign_center):
    from openpyxl import load_workbook
    import io

    client.force_login(department_user)
    response = client.post(
        changelist_url(Center),
        # A foreign pk smuggled into the selection is dropped by the scoped queryset.
        {"action": "export_xlsx", "_selected_action": [center.pk, foreign_center.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert center.name in values
    assert foreign_center.name not in values
    assert other_center.name not in values


def test_a_commune_of_another_province_cannot_be_filtered_into_view(client, department_user, center, foreign_center):
    client.force_login(department_user)
    response = client.get(changelist_url(Center), {"commune": foreign_center.commune_id})
    assert list(response.context["cl"].result_list) == []


def test_location_document_choices_are_the_centers_own(client, department_user, center, other_center):
    DocumentFactory(center=other_center, number="88/QĐ-SGDĐT")
    client.force_login(department_user)
    response = client.get(change_url(center))
    location_formset = next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "locations"
    )
    assert list(location_formset.empty_form.fields["document"].queryset) == [center.documents.get()]



def test_import_records_are_scoped_and_read_only(client, department_user, province, other_province):
    from centers.models import CenterImport

    own = CenterImport.objects.create(province=province, original_name="bac-ninh.xlsx")
    foreign = CenterImport.objects.create(province=other_province, original_name="ha-noi.xlsx")
    client.force_login(department_user)
    response = client.get(changelist_url(CenterImport))
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(change_url(foreign)).status_code == 404
    assert client.get(change_url(own)).status_code == 200
    assert client.post(change_url(own), {"original_name": "x"}).status_code == 403


def test_view_on_site_redirect_is_scoped_too(client, department_user, province, other_province):
    from django.contrib.contenttypes.models import ContentType

    from centers.models import CenterImport

    own = CenterImport.objects.create(province=province, original_name="bac-ninh.xlsx")
    foreign = CenterImport.objects.create(province=other_province, original_name="ha-noi.xlsx")
    content_type = ContentType.objects.get_for_model(CenterImport)
    client.force_login(department_user)
    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, own.pk]))
    assert response.status_code == 302
    assert response.url.endswith(own.get_absolute_url())
    assert client.get(reverse("admin:view_on_site", args=[content_type.pk, foreign.pk])).status_code == 404
    assert client.get(reverse("admin:view_on_site", args=[content_type.pk, "abc"])).status_code == 404
    assert client.get(reverse("admin:view_on_site", args=[999999, own.pk])).status_code == 404
