"""The panel this app hangs on a center's page (inspections.panels.center_flags_panel):
the current flags with why, for the center's own director what to do, the flag history
and the last inspections, each as the user may see them."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from inspections.models import FlagPeriod
from inspections.panels import center_flags_panel
from inspections.rules import RULES_BY_CODE
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def render(user, center) -> str:
    request = RequestFactory().get(f"/centers/{center.pk}/")
    request.user = user
    return str(center_flags_panel(request, center))


@pytest.fixture
def flagged(world):
    """The center with an overdue violation, its director, and a closed and an open flag period."""
    center = world["remedy"]
    FlagPeriod.objects.create(center=center, rule="reports", raised_on=datetime.date(2026, 3, 1),
                              cleared_on=datetime.date(2026, 4, 2))
    FlagPeriod.objects.create(center=center, rule="remedy", raised_on=datetime.date(2026, 10, 6))
    return center


def test_the_centers_director_sees_the_flags_and_what_to_do(flagged):
    director = make_user("director", center=flagged, username="gd_r07")
    html = render(director, flagged)
    rule = RULES_BY_CODE["remedy"]
    assert "1 vi phạm đã quá thời hạn khắc phục." in html
    assert str(rule.todo) in html
    assert "Lịch sử cảnh báo" in html and "01/03/2026" in html and "02/04/2026" in html
    assert "05/09/2026" in html  # the inspection, which the director may read
    assert "Lập kế hoạch kiểm tra" not in html


def test_an_inspector_sees_the_flags_with_their_weight_but_no_todo(flagged, inspector):
    html = render(inspector, flagged)
    assert "1 vi phạm đã quá thời hạn khắc phục." in html
    assert str(RULES_BY_CODE["remedy"].todo) not in html
    assert "Lập kế hoạch kiểm tra" in html and f"?center={flagged.pk}" in html


def test_a_department_user_sees_a_clean_center_as_clean(world, department_user):
    html = render(department_user, world["clean"][0])
    assert "Không có cảnh báo nào." in html
    assert "02/05/2026" in html  # its closed inspection


def test_another_centers_director_sees_nothing_of_it(flagged, other_director):
    html = render(other_director, flagged)
    assert "quá thời hạn khắc phục" not in html
    assert "05/09/2026" not in html


def test_the_panel_runs_a_fixed_number_of_queries(flagged, inspector, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        render(inspector, flagged)


def test_the_center_page_shows_the_panel_once_it_is_listed_in_the_setting(client, settings, flagged):
    from django.urls import reverse

    settings.CENTER_PAGE_PANELS = [*settings.CENTER_PAGE_PANELS, "inspections.panels.center_flags_panel"]
    client.force_login(make_user("director", center=flagged, username="gd_r07"))
    response = client.get(reverse("centers:center_detail", args=[flagged.pk]))
    assert str(RULES_BY_CODE["remedy"].todo) in response.content.decode()


def _live(user, center):
    """The rules evaluated now (inspections.rules through compliance_queryset), as the
    panel showed them before it read the maintained table."""
    from inspections.selectors import center_flags, compliance_queryset, weights_for

    weights = weights_for(center.province_id)
    annotated = compliance_queryset(user, weights=weights, flagged_only=False).filter(pk=center.pk).first()
    return center_flags(annotated, timezone.localdate(), weights) if annotated else []


@pytest.mark.parametrize("role", ["inspector", "director"])
def test_the_panel_reads_the_table_and_shows_what_the_rules_say(world, inspector, role, monkeypatch):
    import inspections.panels as panels
    from inspections.selectors import center_compliance

    centers = [center for key, center in world.items() if key != "clean"] + list(world["clean"])
    for center in centers:
        user = inspector if role == "inspector" else make_user("director", center=center,
                                                               username=f"gd-{center.pk}")
        stored, _history = center_compliance(user, center)
        live = _live(user, center)
        assert [(f.rule.code, f.why, f.weight) for f in stored] == [(f.rule.code, f.why, f.weight) for f in live]
        from_table = render(user, center)
        with monkeypatch.context() as patch:
            patch.setattr(panels, "center_compliance",
                          lambda user, center, live=live, history=_history: (live, history))
            assert render(user, center) == from_table, center.code
    assert any(_live(inspector, center) for center in centers)


def test_the_panel_shows_the_flags_the_table_holds(world, inspector, department_user):
    from inspections.models import CenterFlags

    clean = world["clean"][0]
    CenterFlags.objects.filter(center=clean).update(flag_tasks=True, flagged=True, reasons={"c_tasks_overdue": 3})
    assert "3 nhiệm vụ được giao đã quá hạn chưa hoàn thành." in render(department_user, clean)
    foreign = make_user("inspector", province=None, username="tt-none")
    assert "quá hạn" not in render(foreign, clean)
