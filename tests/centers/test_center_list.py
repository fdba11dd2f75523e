import pytest
from django.urls import reverse

from tests.factories import CenterFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("centers:center_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_page_finds_without_diacritics(client, department_user, center, other_center):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_list"), {"q": "ngoai ngu dong"})
    assert response.status_code == 200
    assert list(response.context["centers"]) == [center]
    assert "Trung tâm Ngoại ngữ Đông Á" in response.content.decode()


def test_staff_see_only_their_province(client, department_user, center, foreign_center):
    client.force_login(department_user)
    response = client.get(reverse("centers:center_list"))
    assert list(response.context["centers"]) == [center]


def test_local_officer_sees_only_their_commune(client, local_officer, center, other_center):
    client.force_login(local_officer)
    response = client.get(reverse("centers:center_list"))
    assert list(response.context["centers"]) == [center]


def test_director_sees_only_own_center(client, director, center, other_center):
    client.force_login(director)
    response = client.get(reverse("centers:center_list"))
    assert list(response.context["centers"]) == [center]


def test_list_runs_the_same_queries_for_10_and_200_centers(client, department_user, commune,
                                                           django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(department_user)
    counts = []
    for total in (10, 200):
        while CenterFactory._meta.model.objects.count() < total:
            DocumentFactory(center=CenterFactory(commune=commune))
        with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("centers:center_list"), {"ordering": "name"})
        assert response.status_code == 200
        assert len(response.context["centers"]) == min(total, 50)
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("selected", ["", "commune"])
def test_commune_select_renders_like_django_select(selected, department_user, center, other_center):
    """The registry's commune filter is written out in Python (centers.forms.QuickSelect,
    for the speed of long lists); its markup must stay that of forms.Select."""
    import re

    from django import forms

    from centers.filters import CenterFilterSet
    from centers.forms import QuickSelect
    from centers.models import Center

    data = {"commune": str(center.commune_id) if selected else ""}
    form = CenterFilterSet(data, queryset=Center.objects.all(), user=department_user).form
    field = form.fields["commune"]
    assert isinstance(field.widget, QuickSelect)
    quick = str(form["commune"])
    field.widget.__class__ = forms.Select
    plain = str(form["commune"])

    def squeeze(html):
        return re.sub(r">\s+<", "><", html).strip()

    assert squeeze(quick) == squeeze(plain)
    assert (f'value="{center.commune_id}" selected' in quick) == bool(selected)
