"""The maintained compliance flags (inspections.flags): every kind of write that can change
a flag leaves the table right inside its own transaction; the nightly re-derivation finds
no difference on the demo and on generated data, tells the date's changes from missed
writes, and repairs them; the page reads the table and says how fresh it is."""

import datetime
import io
import uuid

import pytest
from edu_portal import fragments
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from centers.choices import CenterStatus, DocumentKind
from centers.models import Center
from centers.services import center_status_change, director_appoint, licence_document_create
from conferences.models import TaskAssignment
from conferences.services.tasks import assignment_reopen, progress_report
from inspections.flags import FIELDS, flags_check, flags_fill_after_migrate, flags_rebuild, flags_refresh
from inspections.models import CenterFlags, Complaint, FlagsCheck, Inspection
from inspections.rules import RULES
from inspections.selectors import compliance_flagged, compliance_search
from inspections.services import complaint_save, inspection_save, violation_add, violation_remedied
from reports.models import Obligation
from reports.services.generation import obligations_generate
from reports.services.reviews import extension_decide, submission_accept
from reports.services.submissions import extension_request_create, submission_submit
from tests.factories import StaffFactory, make_user
from tests.reports.helpers_review import make_period, make_report_type, values

from .conftest import TODAY, non_savepoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
CODES = [rule.code for rule in RULES]


def flags_of(center) -> set[str]:
    """The rules the table says flag this center (read where the caller stands: inside
    its transaction when it is in one)."""
    row = CenterFlags.objects.get(center_id=center.pk)
    assert row.flagged == any(getattr(row, field) for field in FIELDS)
    return {rule.code for rule in RULES if getattr(row, rule.field)}


def test_every_rule_has_its_column():
    columns = {field.name for field in CenterFlags._meta.get_fields()}
    assert set(FIELDS) <= columns


def test_the_table_agrees_with_the_rules_for_the_world(world):
    for code in CODES:
        assert code in flags_of(world[code]), code
    for center in world["clean"]:
        assert flags_of(center) == set()


# One write of each kind, read back before its transaction ends


def test_a_licence_document_clears_the_licence_flag_in_its_transaction(world, department_user):
    center = world["licence"]
    with transaction.atomic():
        assert "licence" in flags_of(center)
        licence_document_create(center=center, by=department_user, kind=DocumentKind.OPERATION, number="9/QĐ-SGDĐT",
                                signed_on=TODAY, issuer="Sở GDĐT", valid_until=datetime.date(2031, 11, 20))
        assert "licence" not in flags_of(center)


def test_a_status_change_raises_the_unlicensed_flag_in_its_transaction(world, department_user):
    center = world["clean"][0]
    with transaction.atomic():
        center_status_change(center=center, status=CenterStatus.UNLICENSED, effective_on=TODAY,
                             reason="Kết luận của đoàn kiểm tra", by=department_user)
        assert flags_of(center) == {"unlicensed"}


def test_a_director_appointed_clears_the_director_flag_in_its_transaction(world, department_user):
    center = world["director"]
    with transaction.atomic():
        assert "director" in flags_of(center)
        director_appoint(center=center, full_name="Phạm Thị Lan", started_on=TODAY, by=department_user,
                         recognition_number="77/QĐ-SGDĐT", recognition_date=TODAY,
                         term_end=datetime.date(2031, 11, 20))
        assert "director" not in flags_of(center)


def test_a_report_submitted_then_reviewed_clears_the_reports_flag_in_each_transaction(world, department_user):
    center = world["reports"]
    obligation = Obligation.objects.get(center=center)
    director = make_user(User.Role.DIRECTOR, center=center, username="giamdoc_r05")
    with transaction.atomic():
        assert flags_of(center) == {"reports"}
        version = submission_submit(obligation=obligation, user=director, values=values(),
                                    idempotency_key=uuid.uuid4())
        assert flags_of(center) == set()
    obligation.refresh_from_db()
    # Spoil the row: the review's own refresh, in its transaction, must set it right.
    CenterFlags.objects.filter(center=center).update(flag_reports=True, flagged=True)
    with transaction.atomic():
        submission_accept(obligation=obligation, version=version, reviewer=department_user,
                          expected_revision=obligation.revision)
        assert flags_of(center) == set()


def test_an_extension_granted_in_review_clears_the_reports_flag_in_its_transaction(world, department_user):
    center = world["reports"]
    obligation = Obligation.objects.get(center=center)
    director = make_user(User.Role.DIRECTOR, center=center, username="giamdoc_r05")
    request = extension_request_create(obligation=obligation, user=director, reason="Mất điện",
                                       requested_until=TODAY + datetime.timedelta(days=10))
    with transaction.atomic():
        assert flags_of(center) == {"reports"}
        extension_decide(request=request, decided_by=department_user, grant=True)
        assert flags_of(center) == set()


def test_a_period_generated_late_raises_the_reports_flag_in_its_transaction(world, province):
    center = world["clean"][0]
    period = make_period(make_report_type(province, code="NN-Q"), due_date=TODAY - datetime.timedelta(days=1),
                         label="Quý III/2026")
    with transaction.atomic():
        assert obligations_generate(period=period) >= 1  # in bulk, past the model signals
        assert flags_of(center) == {"reports"}


def test_an_inspection_finding_an_unpermitted_location_flags_it_in_its_transaction(world, inspector):
    center = world["clean"][0]
    with transaction.atomic():
        inspection_save(inspection=Inspection(
            center=center, status="done", planned_on=TODAY - datetime.timedelta(days=3),
            carried_out_on=TODAY - datetime.timedelta(days=2), team="Nguyễn Văn An, chuyên viên",
            scope="Địa điểm dạy học", unpermitted_location=True,
        ), user=inspector)
        assert flags_of(center) == {"location"}
        assert CenterFlags.objects.get(center=center).last_inspection == TODAY - datetime.timedelta(days=2)


def test_a_violation_past_its_deadline_and_its_remedy_change_the_flag_in_their_transactions(
        world, inspector, catalogue):
    center = world["clean"][0]
    inspection = Inspection.objects.create(
        province=center.province, center=center, status="done", planned_on=datetime.date(2026, 9, 1),
        carried_out_on=datetime.date(2026, 9, 5), team="Nguyễn Văn An", scope="Toàn diện",
    )
    with transaction.atomic():
        violation = violation_add(inspection=inspection, user=inspector, article=catalogue,
                                  remedy_deadline=datetime.date(2026, 10, 5))
        assert flags_of(center) == {"remedy"}
    with transaction.atomic():
        # An UPDATE, past the model signals: the service refreshes explicitly.
        violation_remedied(violation=violation, user=inspector, on=TODAY)
        assert flags_of(center) == set()


def test_a_complaint_past_its_deadline_flags_it_in_its_transaction(world, inspector):
    center = world["clean"][0]
    with transaction.atomic():
        complaint_save(complaint=Complaint(
            center=center, received_on=TODAY - datetime.timedelta(days=60), source="citizen",
            content="Thu học phí không hoàn trả", handling_deadline=TODAY - datetime.timedelta(days=1),
        ), user=inspector)
        assert flags_of(center) == {"complaints"}


def test_a_task_reported_done_then_reopened_changes_the_flag_in_each_transaction(world, department_user):
    center = world["tasks"]
    assignment = TaskAssignment.objects.get(center=center)
    director = make_user(User.Role.DIRECTOR, center=center, username="giamdoc_r06")
    with transaction.atomic():
        assert flags_of(center) == {"tasks"}
        progress_report(assignment=assignment, user=director, note="Đã rà soát xong", marks_done=True,
                        idempotency_key=uuid.uuid4())
        assert flags_of(center) == set()
    with transaction.atomic():
        # An UPDATE, past the model signals: the service tells the flags.
        assignment_reopen(assignment=assignment, user=department_user, note="Thiếu danh sách")
        assert flags_of(center) == {"tasks"}


def test_a_row_saved_outside_any_service_is_caught_by_the_net(world):
    """The admin's inlines save rows through forms: the model signals refresh them."""
    center = world["clean"][0]
    with transaction.atomic():
        StaffFactory(center=center, is_foreign=True, nationality="Úc", work_permit_valid_until=TODAY)
        assert flags_of(center) == set()  # valid until today
        staff = StaffFactory(center=center, is_foreign=True, nationality="Anh",
                             work_permit_valid_until=TODAY - datetime.timedelta(days=1))
        assert flags_of(center) == {"work_permit"}
        staff.delete()
        assert flags_of(center) == set()


def test_a_new_center_gets_its_row_at_once(commune):
    from tests.factories import CenterFactory

    center = CenterFactory(commune=commune, code="N01", status=CenterStatus.UNLICENSED)
    assert flags_of(center) == {"unlicensed", "director"}


# The nightly re-derivation


def test_the_check_finds_nothing_to_change_on_the_world(world):
    check = flags_check()
    assert (check.differences, check.dated, check.sample) == (0, 0, [])
    assert check.centers == Center.objects.count()


def test_the_check_reports_and_repairs_a_write_that_missed_its_refresh(world):
    center = world["clean"][0]
    Complaint.objects.create(province=center.province, center=center, received_on=TODAY, source="citizen",
                             content="...", handling_deadline=TODAY + datetime.timedelta(days=30))
    # A bulk UPDATE that tells nobody: the table is now wrong for today.
    Complaint.objects.filter(center=center).update(handling_deadline=TODAY - datetime.timedelta(days=1))
    assert flags_of(center) == set()
    check = flags_check()
    assert (check.differences, check.dated) == (1, 0)
    assert [center.pk, "flag_complaints", False, True] in check.sample
    assert flags_of(center) == {"complaints"}
    assert flags_check().differences == 0


def test_the_check_tells_the_dates_changes_from_missed_writes(world):
    center = world["clean"][0]
    Complaint.objects.create(province=center.province, center=center, received_on=TODAY, source="citizen",
                             content="...", handling_deadline=TODAY)  # overdue from tomorrow
    assert flags_of(center) == set()
    tomorrow = TODAY + datetime.timedelta(days=1)
    check = flags_check(today=tomorrow)
    assert check.differences == 0 and check.dated >= 1
    assert flags_of(center) == {"complaints"}
    assert set(CenterFlags.objects.values_list("as_of", flat=True)) == {tomorrow}


def test_a_missing_row_is_a_difference(world):
    center = world["clean"][1]
    CenterFlags.objects.filter(center=center).delete()
    check = flags_check()
    assert check.differences == 1 and check.sample[0][:2] == [center.pk, "missing"]
    assert CenterFlags.objects.filter(center=center).exists()


def test_the_first_migrate_fills_an_empty_table(world):
    CenterFlags.objects.all().delete()
    flags_fill_after_migrate(sender=None)
    assert CenterFlags.objects.count() == Center.objects.count()
    assert flags_check().differences == 0


def test_the_check_finds_no_difference_after_the_demo_seed(settings):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert CenterFlags.objects.count() == Center.objects.count()
    check = flags_check()
    assert check.differences == 0, check.sample


def test_the_check_finds_no_difference_after_generate_load():
    call_command("generate_load", "--centers", "60", "--years", "1", "--province-count", "2", stdout=io.StringIO())
    assert CenterFlags.objects.count() == Center.objects.count()
    assert CenterFlags.objects.filter(flagged=True).exists()
    assert flags_check().differences == 0


# The page


def test_the_page_reads_the_same_answer_as_the_rules(world, department_user):
    live = compliance_search(department_user, today=TODAY, limit=None)
    stored = compliance_flagged(department_user, today=TODAY, limit=None)
    assert stored.total == live.total == len(CODES)
    assert [c.code for c in stored.rows] == [c.code for c in live.rows]
    for mine, theirs in zip(stored.rows, live.rows, strict=True):
        assert [(f.rule.code, f.why, f.weight) for f in mine.flags] == \
               [(f.rule.code, f.why, f.weight) for f in theirs.flags]
        assert mine.risk_score == theirs.risk_score and mine.last_inspection == theirs.last_inspection


@pytest.mark.parametrize("order", ["-risk", "risk", "name", "-name", "inspected", "-inspected"])
def test_the_page_reads_the_same_pages_as_the_rules_in_every_order_and_choice_of_rules(world, department_user,
                                                                                      order):
    # The page's query is written once per weights, order and rules (selectors._flagged_sql).
    Inspection.objects.create(province=department_user.province, center=world["licence"], status="done",
                              planned_on=TODAY - datetime.timedelta(days=9),
                              carried_out_on=TODAY - datetime.timedelta(days=9))
    flags_refresh([world["licence"].pk])
    for rules, match_all in (([], False), (["licence", "reports"], False), (["licence", "unlicensed"], True)):
        for offset, limit in ((0, None), (0, 3), (3, 3), (99, 3)):
            options = {"today": TODAY, "rules": rules, "match_all": match_all, "order": order, "offset": offset,
                       "limit": limit}
            live = compliance_search(department_user, **options)
            stored = compliance_flagged(department_user, **options)
            assert stored.total == live.total
            assert [(c.code, c.risk_score, c.last_inspection) for c in stored.rows] == \
                   [(c.code, c.risk_score, c.last_inspection) for c in live.rows]
            for mine in stored.rows:
                assert mine.commune.pk == mine.commune_id and mine.province.pk == mine.province_id


def test_the_page_reads_the_same_answer_for_filters_that_join_and_for_everyone(world, department_user, commune):
    # A filter through a relation reaches the page's query as a subquery of ids.
    joined = Center.objects.filter(commune__name=commune.name, province=department_user.province)
    live = compliance_search(department_user, base=joined, today=TODAY, limit=None)
    stored = compliance_flagged(department_user, base=joined, today=TODAY, limit=None)
    assert stored.total == live.total > 0
    assert [c.code for c in stored.rows] == [c.code for c in live.rows]
    # Every center (a superuser's scope: no condition at all) and no center.
    assert compliance_flagged(department_user, base=Center.objects.all(), today=TODAY, limit=None).total == \
        compliance_search(department_user, base=Center.objects.all(), today=TODAY, limit=None).total
    assert compliance_flagged(department_user, base=Center.objects.filter(pk__in=[]), today=TODAY).total == 0
    nobody = make_user(User.Role.INSPECTOR, province=None, username="no-province")
    assert compliance_flagged(nobody, today=TODAY).rows == []


def test_the_frame_built_once_answers_each_user_with_their_own_units_weights_and_bell(
        department_user, commune, other_commune, other_province):
    from inspections.models import RiskWeight
    from inspections.selectors import compliance_frame
    from notifications.models import Notification
    from tests.factories import CommuneFactory

    hanoi_commune = CommuneFactory(code="00004", name="Phường Ba Đình", parent=other_province)
    hanoi = make_user(User.Role.DEPARTMENT, province=other_province, username="sogd-hn")
    RiskWeight.objects.create(province=other_province, rule="licence", weight=9)
    for n in range(2):
        Notification.objects.create(recipient=hanoi, key=f"k{n}", subject="Thông báo")
    default = next(rule.default_weight for rule in RULES if rule.code == "licence")

    mine, theirs = compliance_frame(department_user), compliance_frame(hanoi)
    assert mine.province == department_user.province and theirs.province == other_province
    assert {u.pk for u in mine.communes} == {commune.pk, other_commune.pk}
    assert [u.pk for u in theirs.communes] == [hanoi_commune.pk] and theirs.communes[0].name == "Phường Ba Đình"
    assert (mine.weights["licence"], theirs.weights["licence"]) == (default, 9)
    assert (mine.unread, theirs.unread) == (0, 2)

    officer = make_user(User.Role.LOCAL_OFFICER, commune=commune, username="canboxa-f")
    theirs = compliance_frame(officer)
    assert [u.pk for u in theirs.provinces] == [department_user.province_id]
    assert [u.pk for u in theirs.communes] == [commune.pk]

    superuser = make_user(User.Role.DEPARTMENT, province=None, username="root-f", is_superuser=True)
    everywhere = compliance_frame(superuser)
    assert everywhere.province is None and everywhere.communes == []
    assert {u.pk for u in everywhere.provinces} == {department_user.province_id, other_province.pk}
    chosen = compliance_frame(superuser, province_id=other_province.pk)
    assert chosen.province == other_province and chosen.weights["licence"] == 9
    assert [u.pk for u in chosen.communes] == [hanoi_commune.pk]

    flags_check()
    check = FlagsCheck.objects.get()
    seen = compliance_frame(hanoi).flags_check
    assert (seen.pk, seen.as_of, seen.finished_at, seen.differences) == \
           (check.pk, check.as_of, check.finished_at, check.differences)


def test_the_page_says_how_fresh_the_flags_are(client, world, inspector):
    client.force_login(inspector)
    url = reverse("inspections:compliance")
    assert "chưa có lần tính lại toàn bộ hằng đêm nào" in client.get(url).content.decode()
    flags_check()
    content = client.get(url).content.decode()
    assert "tính lại toàn bộ lần gần nhất lúc" in content and "chưa được cập nhật" not in content
    FlagsCheck.objects.update(differences=3, as_of=TODAY - datetime.timedelta(days=1))
    fragments.bump()  # update() passes no signal: the page's cached body is told, as a writer would tell it
    content = client.get(url).content.decode()
    assert "đã sửa 3 trung tâm" in content
    assert "đang tính đến ngày 19/11/2026" in content


def test_the_page_keeps_its_query_budget_for_10_and_1000_flagged_centers(client, world, inspector, commune):
    client.force_login(inspector)
    url = reverse("inspections:compliance")
    counts = []
    for total in (10, 1000):
        start = Center.objects.filter(code__startswith="F").count()
        Center.objects.bulk_create([
            Center(province=commune.parent, commune=commune, code=f"F{n:05d}", name=f"Trung tâm Tin học {n}",
                   kind="it", status=CenterStatus.UNLICENSED, search_text=f"trung tam tin hoc {n}")
            for n in range(start, total)
        ], batch_size=500)
        flags_refresh(Center.objects.filter(code__startswith="F").values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"q": "tin hoc"})
        assert response.context["paginator"].count == total
        counts.append(len(non_savepoint(captured.captured_queries)))
    # Session, user, the frame (units, weights, the bell, the last check), the rows.
    assert counts[0] == counts[1] == 4, counts


def test_the_full_rebuild_writes_every_center(world):
    CenterFlags.objects.update(flag_unlicensed=True, flagged=True)
    assert flags_rebuild() == Center.objects.count()
    assert flags_check().differences == 0


def test_deleting_centers_with_their_rows_leaves_no_flags_behind(world):
    """A queryset's delete cascades to documents and directors, whose signals must not
    write a row for a center on its way out (SQLite checks the keys at the test's end)."""
    from centers.models import Director, LicenceDocument

    doomed = Center.objects.filter(pk__in=[world["clean"][1].pk, world["clean"][2].pk])
    Director.objects.filter(center__in=doomed).delete()
    LicenceDocument.objects.filter(center__in=doomed).delete()
    doomed.delete()
    assert not CenterFlags.objects.filter(center_id__in=[world["clean"][1].pk, world["clean"][2].pk]).exists()
    from django.db import connection as db

    db.check_constraints()
