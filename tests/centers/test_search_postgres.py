"""The diacritics-free search on PostgreSQL, through the list page, and the trigram index
that keeps it fast at national scale (skipped on the embedded SQLite run only)."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import CenterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def named_centers(commune):
    return {
        "ngoai_ngu": CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Sao Khuê", kind="language"),
        "dong": CenterFactory(commune=commune, name="Trung tâm Tin học Đông Phong", kind="it"),
        # Neither "ngoai ngu" nor "dong" (mind "cộng đồng") anywhere in its name or street.
        "other": CenterFactory(commune=commune, name="Trung tâm Hỗ trợ phát triển giáo dục hòa nhập Hoa Mai",
                               kind="inclusive"),
    }


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("ngoai ngu", "ngoai_ngu"),
        ("NGOẠI NGỮ", "ngoai_ngu"),
        ("dong", "dong"),
        ("ĐÔNG", "dong"),
        ("đông", "dong"),
        ("dong phong", "dong"),
    ],
)
def test_list_search_ignores_diacritics_and_case_on_postgres(client, department_user, named_centers, query, wanted):
    assert connection.vendor == "postgresql"
    client.force_login(department_user)
    response = client.get(reverse("centers:center_list"), {"q": query})
    assert response.status_code == 200
    assert list(response.context["centers"]) == [named_centers[wanted]]
    assert named_centers[wanted].name in response.content.decode()


def test_list_search_stays_in_scope_on_postgres(client, local_officer, named_centers, other_commune):
    CenterFactory(commune=other_commune, name="Trung tâm Ngoại ngữ Đông Sơn")
    client.force_login(local_officer)
    response = client.get(reverse("centers:center_list"), {"q": "ngoai ngu"})
    assert list(response.context["centers"]) == [named_centers["ngoai_ngu"]]


def test_trigram_index_exists_on_the_search_column():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'centers_center' AND indexname = %s",
            ["centers_center_search_trgm"],
        )
        row = cursor.fetchone()
    assert row is not None
    assert "gin" in row[0].lower() and "gin_trgm_ops" in row[0] and "search_text" in row[0]


def test_search_can_use_the_trigram_index(named_centers):
    """With sequential scans off, the planner must be able to answer through the index."""
    from centers.models import Center
    from centers.selectors import search_q

    queryset = Center.objects.filter(search_q("ngoai ngu"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    assert "centers_center_search_trgm" in plan
