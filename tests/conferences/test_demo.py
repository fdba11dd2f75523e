"""The demo's conferences and directives (conferences.demo, run by seed_demo): the five
source articles recorded faithfully (dates only where the text gives one), each under the
Department of its own province; directives issued through the register, faithful to the
conclusions they cite and dated after their conference; a follow-up with every state.
Idempotent."""

import datetime
import io

import pytest
from django.core.management import call_command, get_commands
from django.db import transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from accounts.models import Division, User
from centers.models import Center
from conferences.choices import AssignmentStatus, ConferenceKind, DirectiveStatus, DirectiveType, FollowUp
from conferences.models import (
    Conference,
    ConferenceQuestion,
    Directive,
    DirectiveRegister,
    ParticipantGroup,
    Task,
    TaskAssignment,
    TaskProgress,
)
from conferences.selectors import conferences_visible_to, directives_visible_to, with_follow_up
from geo.models import AdministrativeUnit
from reports.choices import Frequency
from reports.models import Obligation, ReportPeriod

pytestmark = pytest.mark.django_db

TITLES = {
    "000": "Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học và trung tâm hỗ trợ phát triển giáo dục "
           "hòa nhập",
    "001": "Hội nghị các trung tâm thực hiện nhiệm vụ giáo dục thường xuyên trên địa bàn Thành phố",
    "002": "Hội nghị Sơ kết học kỳ I và triển khai nhiệm vụ học kỳ II năm học 2017 - 2018",
    "003": "Hội nghị thường kỳ trưởng phòng GD&ĐT, giám đốc trung tâm GDNN-GDTX, thủ trưởng đơn vị trực thuộc Sở "
           "lần thứ ba, năm học 2020-2021",
    "004": "Hội nghị đánh giá và xây dựng kế hoạch nhiệm vụ của trung tâm học tập cộng đồng",
}
# The province of each article today (2025 codes of the National Statistics Office).
PROVINCES = {"000": ("24", "Bắc Ninh"), "001": ("01", "Thành phố Hà Nội"), "002": ("11", "Điện Biên"),
             "003": ("37", "Ninh Bình"), "004": ("46", "Thành phố Huế")}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module, rolled back at the end (see tests/centers/test_seed_demo.py)."""
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", "--force", stdout=out)
        yield User.objects.get(username="sogd").province, out.getvalue()
        transaction.set_rollback(True)


def _conference(province, key: str) -> Conference:
    """The conference of an article, from the Department of its province (the demo
    province's fixture is ignored for the four others)."""
    code = PROVINCES[key][0]
    return Conference.objects.get(province__level="province", province__code=code, title=TITLES[key])


def _demo_assignments(province):
    return TaskAssignment.objects.filter(task__directive__province=province,
                                         task__directive__status=DirectiveStatus.ISSUED)


def _state() -> dict:
    models = (Conference, ParticipantGroup, ConferenceQuestion, Division, Directive, Task, TaskAssignment,
              TaskProgress, ReportPeriod, Obligation, User)
    return {model.__name__: model.objects.count() for model in models} | {
        "register": sorted(DirectiveRegister.objects.values_list("year", "doc_type", "last_number")),
        "assignments": sorted(TaskAssignment.objects.values_list("pk", "status", "completed_on", "accepted_at")),
    }


def test_the_command_lives_in_the_highest_app(seeded):
    assert get_commands()["seed_demo"] == "inspections"
    _province, out = seeded
    assert "Sở GDĐT Bắc Ninh: 1 hội nghị; văn bản chỉ đạo: 3 đã ban hành, 1 dự thảo." in out
    for department in ("Hà Nội", "Điện Biên", "Ninh Bình", "Huế"):
        assert f"Sở GDĐT {department}: 1 hội nghị; văn bản chỉ đạo: 0 đã ban hành, 0 dự thảo." in out
    assert "Theo dõi nhiệm vụ:" in out


def test_the_five_conferences_have_the_dates_chairs_and_counts_of_the_articles(seeded):
    province, _out = seeded
    recorded = {
        key: (c.held_on, c.kind, c.chair_name, c.chair_position, c.speeches_count, c.host_unit)
        for key in TITLES for c in [_conference(province, key)]
    }
    assert recorded == {
        "000": (datetime.date(2022, 10, 26), ConferenceKind.LAUNCH, "Nguyễn Hữu Bình", "Phó Giám đốc Sở GDĐT", 19,
                "Sở Giáo dục và Đào tạo"),
        "001": (None, ConferenceKind.THEMATIC, "Nguyễn Quang Tuấn", "Phó Giám đốc Sở Giáo dục và Đào tạo", 15,
                "Sở Giáo dục và Đào tạo"),
        "002": (datetime.date(2018, 1, 26), ConferenceKind.SEMESTER_REVIEW, "Nguyễn Văn Kiên",
                "Phó Giám đốc phụ trách Sở Giáo dục và Đào tạo", 21, "Sở Giáo dục và Đào tạo"),
        "003": (datetime.date(2021, 3, 12), ConferenceKind.BRIEFING, "", "Giám đốc Sở Giáo dục và Đào tạo", None,
                "Sở Giáo dục và Đào tạo"),
        "004": (datetime.date(2014, 4, 23), ConferenceKind.THEMATIC, "Phạm Văn Hùng",
                "Tỉnh ủy viên, Giám đốc Sở GD&ĐT", None, "Sở GD&ĐT"),
    }
    assert Conference.objects.count() == 5
    # No place is given by any of the articles.
    assert not Conference.objects.exclude(place="").exists()


def test_each_conference_is_under_the_department_of_its_province(seeded):
    """Bắc Ninh stays the demo province; the four others belong to their own Departments
    (issue 11: they were all recorded as Bắc Ninh's)."""
    province, _out = seeded
    for key, (code, name) in PROVINCES.items():
        conference = _conference(province, key)
        assert (conference.province.code, conference.province.name) == (code, name)
        assert conference.province.level == AdministrativeUnit.Level.PROVINCE
        assert conference.created_by.province_id == conference.province_id
    assert Conference.objects.filter(province=province).count() == 1
    # The other Departments have an account that cannot log in, no invented name, no
    # centers, no directives; the demo accounts see Bắc Ninh's conference only.
    for code in ("01", "11", "37", "46"):
        account = User.objects.get(username=f"sogd.{code}")
        assert (account.role, account.province.code, account.full_name) == (User.Role.DEPARTMENT, code, "")
        assert not account.has_usable_password()
        assert not Center.objects.filter(province=account.province).exists()
        assert not Directive.objects.filter(province=account.province).exists()
    for username in ("sogd", "thanhtra"):
        visible = conferences_visible_to(User.objects.get(username=username))
        assert list(visible.values_list("title", flat=True)) == [TITLES["000"]]
    # How each province was found, and the name it had then, are said, not hidden.
    assert "chưa xác minh" in _conference(province, "001").source
    assert "Hà Nội" in _conference(province, "001").source
    assert "Thừa Thiên Huế" in _conference(province, "004").source
    assert "Ninh Bình" in _conference(province, "003").source


def test_attendance_questions_and_conclusions_quote_the_articles(seeded):
    province, _out = seeded
    city = _conference(province, "001")
    # "hơn 600" is no count: the words are kept as printed, and no number printed beside them.
    directors = city.participant_groups.get(unit__startswith="Hơn 600 Giám đốc Trung tâm")
    assert directors.count is None
    assert not ParticipantGroup.objects.filter(count__isnull=False).exists()
    assert city.participants_total is None
    # The degree stays in the words as printed, out of the name.
    hue = _conference(province, "004")
    assert hue.participant_groups.filter(role="chair", unit__startswith="Tiến sĩ Phạm Văn Hùng").exists()
    lines = hue.conclusions.splitlines()
    assert [line.split(".")[0] for line in lines] == [str(n) for n in range(1, 11)]
    assert not hue.questions.exists()  # the article records no answered proposal
    answered = _conference(province, "003").questions.get()
    assert "giáo án điện tử" in answered.question
    assert answered.answered_by == "Các đồng chí lãnh đạo Sở và trưởng một số phòng ban chức năng của Sở"
    assert "năm suy ra từ năm học 2017-2018" in _conference(province, "002").source
    assert _conference(province, "000").topics.count("\n") == 6
    # The search text includes the groups and the questions recorded after the conference.
    assert "giao an dien tu" in _conference(province, "003").search_text


def test_directives_are_issued_with_distinct_numbers_from_the_register(seeded):
    province, _out = seeded
    directives = Directive.objects.filter(province=province)
    issued = list(directives.filter(status=DirectiveStatus.ISSUED))
    assert {d.doc_type for d in issued} == {DirectiveType.CONCLUSION_NOTICE, DirectiveType.OFFICIAL_LETTER,
                                            DirectiveType.PLAN}
    numbers = [d.number_text for d in issued]
    assert all(numbers) and len(set(numbers)) == len(numbers)
    for directive in issued:
        register = DirectiveRegister.objects.get(province=province, year=directive.year, doc_type=directive.doc_type)
        top = directives.filter(year=directive.year, doc_type=directive.doc_type).aggregate(n=Max("number"))["n"]
        assert register.last_number == top
        assert directive.issued_on <= timezone.localdate()
        # The register was kept on paper until the portal was adopted: the number follows
        # the paper ones, dated before it (not "01" in October).
        if register.paper_through:
            assert directive.number == register.paper_through + 1
            assert register.paper_last_on <= directive.issued_on
    letter = directives.get(doc_type=DirectiveType.OFFICIAL_LETTER, status=DirectiveStatus.ISSUED)
    assert letter.subject == "V/v tăng cường công tác quản lý các trung tâm ngoại ngữ, tin học"
    assert letter.symbol == "SGDĐT-GDTX"
    draft = directives.get(status=DirectiveStatus.DRAFT)
    assert draft.number is None and draft.tasks.exists()
    assert set(Division.objects.filter(province=province).values_list("code", "name", "is_active")) == {
        ("GDTX", "Phòng Giáo dục thường xuyên", True), ("GDTH", "Phòng Giáo dục Tiểu học", True),
        # Named by the 2022 conclusions; Department inspectorates ended on 01/7/2025.
        ("TTr", "Thanh tra Sở", False), ("VP", "Văn phòng Sở", True),
    }


def test_the_notice_of_conclusions_quotes_the_chair_days_after_the_conference(seeded):
    """Issue 11: the notice rewrote what the chair said (the communes for the district
    offices he named) and was dated 2026. It now follows the conference by days, quotes
    each conclusion as the article gives it, and sets no task or deadline he did not set."""
    province, _out = seeded
    conference = _conference(province, "000")
    notice = Directive.objects.get(province=province, doc_type=DirectiveType.CONCLUSION_NOTICE)
    assert notice.conference == conference
    assert conference.held_on < notice.issued_on <= conference.held_on + datetime.timedelta(days=7)
    assert (notice.signature_title, notice.signer_position, notice.signer_name) == (
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Bình")
    assert not notice.tasks.exists()
    said = " ".join(conference.conclusions.lower().split())
    points = [line for line in notice.body.splitlines() if line[:2] in {"1.", "2.", "3.", "4."}]
    assert len(points) == 4
    for point in points:
        assert point.split(". ", 1)[1].rstrip(".").lower() in said, point
    assert "Phòng GDĐT các huyện, thành phố rà soát" in notice.body
    assert "xã, phường" not in notice.body + notice.closing


def test_later_directives_cite_the_conference_and_follow_it(seeded):
    province, _out = seeded
    conference = _conference(province, "000")
    notice = Directive.objects.get(province=province, doc_type=DirectiveType.CONCLUSION_NOTICE)
    for directive in Directive.objects.filter(province=province, conference__isnull=False):
        assert "26/10/2022" in directive.body
        if directive.is_issued:
            assert directive.issued_on > conference.held_on
    letter = Directive.objects.get(province=province, doc_type=DirectiveType.OFFICIAL_LETTER,
                                   status=DirectiveStatus.ISSUED)
    assert f"Thông báo số {notice.number_text} ngày 31/10/2022" in letter.body
    # Documents made up for today are not signed by a real official named in an article.
    named = {c.chair_name for c in Conference.objects.all()} | {"Vũ Thị Tú Anh"}
    today_documents = Directive.objects.filter(province=province).exclude(pk=notice.pk)
    assert today_documents.exists() and not today_documents.filter(signer_name__in=named).exists()
    # Since 01/7/2025 there is no Department inspectorate: none of today's work goes to it.
    assert not Task.objects.filter(directive__in=today_documents, lead_unit__icontains="Thanh tra Sở").exists()
    assert not TaskAssignment.objects.filter(task__directive__in=today_documents, division__code="TTr").exists()
    plan = Directive.objects.get(province=province, doc_type=DirectiveType.PLAN, status=DirectiveStatus.ISSUED)
    assert plan.conference == conference and "kiểm tra" in plan.subject.lower()


def test_follow_up_has_every_state(seeded):
    province, _out = seeded
    assignments = with_follow_up(_demo_assignments(province))
    assert set(assignments.values_list("follow_up", flat=True)) == set(FollowUp.values)
    assert set(assignments.values_list("status", flat=True)) == set(AssignmentStatus.values)
    assert set(assignments.values_list("kind", flat=True)) == {"division", "commune", "center"}
    # A selection of centers was expanded: one assignment per center, with its label.
    assert assignments.exclude(selection="").count() > 20


def test_done_and_accepted_times_are_consistent(seeded):
    province, _out = seeded
    today = timezone.localdate()
    done = _demo_assignments(province).filter(completed_at__isnull=False).select_related("task__directive")
    assert done.exists()
    for assignment in done:
        assert assignment.completed_on == timezone.localdate(assignment.completed_at)
        assert assignment.task.directive.issued_on <= assignment.completed_on < today
        last = assignment.progress_reports.order_by("-created_at").first()
        assert last.marks_done and last.created_at == assignment.completed_at
        if assignment.status == AssignmentStatus.ACCEPTED:
            assert assignment.completed_at < assignment.accepted_at
            assert assignment.accepted_by.username == "sogd"
    # Each report was made by someone the service lets report for that assignee.
    for progress in TaskProgress.objects.select_related("author", "assignment"):
        assignment = progress.assignment
        if assignment.center_id:
            assert progress.author.center_id == assignment.center_id
        elif assignment.commune_id:
            assert progress.author.commune_id == assignment.commune_id
        else:
            assert progress.author.division_id == assignment.division_id


def test_the_demo_director_and_the_ward_officer_have_work_of_their_own(seeded):
    giamdoc = User.objects.select_related("center").get(username="giamdoc")
    mine = with_follow_up(TaskAssignment.objects.filter(center=giamdoc.center))
    states = set(mine.values_list("follow_up", flat=True))
    assert {FollowUp.OPEN, FollowUp.OVERDUE} <= states
    assert TaskProgress.objects.filter(author=giamdoc, marks_done=False).exists()
    visible = directives_visible_to(giamdoc)
    assert visible.exists() and not visible.filter(status=DirectiveStatus.DRAFT).exists()

    canboxa = User.objects.get(username="canboxa")
    ward = with_follow_up(TaskAssignment.objects.filter(commune=canboxa.commune))
    assert ward.count() >= 2
    assert ward.filter(status=AssignmentStatus.DONE).exists()  # waiting for the Department
    assert directives_visible_to(canboxa).count() >= 2


def test_the_one_off_report_is_owed_by_every_assigned_center(seeded):
    province, _out = seeded
    task = Task.objects.select_related("report_type", "report_period").get(
        directive__province=province, report_type__isnull=False)
    assert task.report_type.frequency == Frequency.ONE_OFF
    assert task.report_period.due_date == task.deadline > timezone.localdate()
    assigned = set(task.assignments.values_list("center_id", flat=True))
    owing = set(Obligation.objects.filter(period=task.report_period).values_list("center_id", flat=True))
    assert assigned == owing
    giamdoc = User.objects.get(username="giamdoc")
    assert giamdoc.center_id in owing


def test_running_seed_demo_twice_creates_nothing(seeded):
    before = _state()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert _state() == before
