"""Each compliance rule finds exactly the center that breaks it, alone and combined, in
the database (one query), for the kinds it applies to."""

import pytest

from centers.choices import CenterKind
from inspections.rules import RULES, RULES_BY_CODE
from inspections.selectors import center_flags, compliance_queryset, weights_for

from .conftest import TODAY

pytestmark = pytest.mark.django_db
CODES = [rule.code for rule in RULES]


def found(user, **kwargs) -> set[str]:
    return set(compliance_queryset(user, today=TODAY, **kwargs).values_list("code", flat=True))


@pytest.mark.parametrize("code", CODES)
def test_each_rule_alone_finds_exactly_the_center_breaking_it(world, department_user, code):
    assert found(department_user, rules=[code]) == {world[code].code}


def test_any_of_the_rules_finds_every_flagged_center_and_no_clean_one(world, department_user):
    flagged = {world[code].code for code in CODES}
    assert found(department_user) == flagged
    assert found(department_user, rules=["licence", "tasks"]) == {world["licence"].code, world["tasks"].code}
    assert not flagged & {c.code for c in world["clean"]}


def test_all_of_the_rules_needs_every_one(world, department_user):
    assert found(department_user, rules=["licence", "tasks"], match_all=True) == set()
    # Give the overdue-task center an expiring licence too: now it breaks both.
    world["tasks"].documents.update(valid_until=TODAY)
    from centers.services import center_refresh

    center_refresh(world["tasks"])
    assert found(department_user, rules=["licence", "tasks"], match_all=True) == {world["tasks"].code}


def test_rules_apply_only_to_their_kinds(world, department_user):
    # A community learning center with no licence and no director is not flagged for it.
    world["unlicensed"].kind = CenterKind.COMMUNITY
    world["unlicensed"].save()
    assert world["unlicensed"].code not in found(department_user, rules=["unlicensed", "director"])
    assert RULES_BY_CODE["unlicensed"].kinds_text().startswith("Trung tâm ngoại ngữ")


def test_two_late_reports_in_twelve_months_flag_a_center(world, department_user, province):
    import datetime

    from reports.models import Obligation
    from tests.reports.helpers_review import make_period, make_report_type

    from .conftest import _at

    center = world["clean"][0]
    report_type = make_report_type(province, code="LATE")
    for n, due in enumerate([datetime.date(2026, 3, 19), datetime.date(2026, 6, 19)]):
        Obligation.objects.create(period=make_period(report_type, due_date=due, label=f"Kỳ {n}"), center=center,
                                  first_submitted_at=_at(due + datetime.timedelta(days=3)), status="accepted")
        if n == 0:
            assert center.code not in found(department_user, rules=["reports"])
    assert center.code in found(department_user, rules=["reports"])


def test_every_flag_says_why(world, department_user):
    weights = weights_for(department_user.province_id)
    rows = {c.code: c for c in compliance_queryset(department_user, today=TODAY, weights=weights)}
    reasons = {code: [f.why for f in center_flags(rows[world[code].code], TODAY, weights)] for code in CODES}
    assert reasons["licence"] == ["Giấy phép sắp hết hạn: ngày 31/12/2026."]
    assert reasons["director"] == ["Nhiệm kỳ giám đốc đã hết ngày 10/01/2026."]
    assert reasons["work_permit"] == ["1 giáo viên nước ngoài không có giấy phép lao động còn hạn hoặc xác nhận miễn."]
    assert reasons["reports"] == ["1 báo cáo quá hạn chưa nộp."]
    assert reasons["no_activity"] == [
        "Quyết định thành lập ngày 05/03/2024; không có báo cáo nào nộp trong 12 tháng sau đó."]
    assert reasons["remedy"] == ["1 vi phạm đã quá thời hạn khắc phục."]
    assert all(reasons[code] for code in CODES)


def test_risk_score_sums_the_weights_of_the_flags(world, department_user, province):
    from inspections.models import RiskWeight

    RiskWeight.objects.create(province=province, rule="tasks", weight=20)
    rows = list(compliance_queryset(department_user, today=TODAY).order_by("-risk_score", "code"))
    assert rows[0].code == world["tasks"].code and rows[0].risk_score == 20
    assert {r.code: r.risk_score for r in rows}[world["unlicensed"].code] == RULES_BY_CODE["unlicensed"].default_weight


def test_the_search_is_one_query(world, department_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(compliance_queryset(department_user, today=TODAY, weights={}))) == len(CODES)


def test_scope_limits_the_centers(world, local_officer, other_local_officer, foreign_inspector):
    assert world["work_permit"].code not in found(local_officer)
    assert found(other_local_officer) == {world["work_permit"].code}
    assert found(foreign_inspector) == set()


def test_the_nightly_record_opens_and_closes_flag_periods(world, department_user):
    import datetime

    from inspections.models import FlagPeriod
    from inspections.services import flags_record

    flags_record(today=TODAY)
    assert set(FlagPeriod.objects.values_list("rule", "center__code")) == {(code, world[code].code) for code in CODES}
    flags_record(today=TODAY)  # again the same day: nothing new
    assert FlagPeriod.objects.count() == len(CODES)
    # The overdue complaint is resolved: its flag clears the next night, the others stay open.
    world["complaints"].complaints.update(status="resolved", closed_on=TODAY)
    flags_record(today=TODAY + datetime.timedelta(days=1))
    period = FlagPeriod.objects.get(rule="complaints")
    assert (period.raised_on, period.cleared_on) == (TODAY, TODAY + datetime.timedelta(days=1))
    assert FlagPeriod.objects.filter(cleared_on__isnull=True).count() == len(CODES) - 1


def test_the_page_search_agrees_with_the_rules_and_sorts_by_score(world, department_user, province):
    from inspections.models import RiskWeight
    from inspections.selectors import compliance_search

    RiskWeight.objects.create(province=province, rule="tasks", weight=20)
    result = compliance_search(department_user, today=TODAY, limit=3)
    assert result.total == len(CODES)
    assert [c.code for c in result.rows][0] == world["tasks"].code and result.rows[0].risk_score == 20
    assert result.rows[0].flags[0].why == "1 nhiệm vụ được giao đã quá hạn chưa hoàn thành."
    assert len(result.rows) == 3
    for code in CODES:
        found = compliance_search(department_user, today=TODAY, rules=[code]).rows
        assert {c.code for c in found} == {world[code].code}
    both = compliance_search(department_user, today=TODAY, rules=["licence", "tasks"], match_all=True)
    assert both.total == 0 and both.rows == []
    everyone = compliance_search(department_user, today=TODAY, flagged_only=False, limit=None, order="name")
    assert everyone.total == len(CODES) + len(world["clean"])


def test_the_page_search_is_two_queries_for_10_or_1000_centers(world, department_user, province, commune,
                                                               django_assert_num_queries):
    from centers.models import Center
    from inspections.selectors import compliance_search

    with django_assert_num_queries(2):
        compliance_search(department_user, today=TODAY, weights={})
    Center.objects.bulk_create([
        Center(province=province, commune=commune, code=f"U{n:04d}", name=f"Trung tâm Ngoại ngữ {n}",
               kind="language", status="unlicensed", search_text=f"trung tam ngoai ngu {n}")
        for n in range(1000)
    ])
    with django_assert_num_queries(2):
        result = compliance_search(department_user, today=TODAY, weights={})
    assert result.total == len(CODES) + 1000 and len(result.rows) == 50


def test_a_center_set_up_before_the_portal_is_not_flagged_for_want_of_data(world, department_user):
    from reports.models import Obligation

    Obligation.objects.filter(center=world["no_activity"]).delete()
    assert world["no_activity"].code not in found(department_user, rules=["no_activity"])
