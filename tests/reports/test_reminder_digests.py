"""The escalation step over 2,000 overdue centers: each Department staff member and each
commune officer gets one digest (one e-mail, one notice in the bell) listing the
centers of their scope, not one copy per obligation; directors still get their own
reminder; re-running the sweep sends nothing more."""

import datetime

import pytest
from django.core import mail

from accounts.models import User
from centers.models import Center
from notifications.models import Dispatch, Notification
from reports.choices import Frequency
from reports.models import Obligation, ReportType
from reports.services import period_create, reminders_sweep
from tests.factories import CenterFactory, make_user

pytestmark = pytest.mark.django_db
D = datetime.date
DUE = D(2026, 12, 19)
ESCALATION_DAY = DUE + datetime.timedelta(days=7)
CENTERS = 2000


def _overdue(province, communes, other_province, count):
    """`count` centers of the province (spread over `communes`) owing a report due on
    19/12, none submitted; three with a director account; two Department staff, the
    officer of the first commune, and another province's staff."""
    centers = Center.objects.bulk_create([
        Center(province=province, commune=communes[n % len(communes)], code=f"D{n:05d}",
               name=f"Trung tâm Ngoại ngữ Số {n}", kind="language", status="operating")
        for n in range(count)
    ], batch_size=1000)
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1),
    )
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=D(2026, 6, 15), data_to=D(2026, 12, 14), due_date=DUE)
    Obligation.objects.bulk_create([Obligation(period=period, center=center) for center in centers], batch_size=1000)
    for n in range(3):
        make_user(User.Role.DIRECTOR, center=centers[n], username=f"gd{n}", email=f"gd{n}@example.edu.vn")
    staff = [make_user(User.Role.DEPARTMENT, province=province, username=f"so{n}", email=f"so{n}@example.vn")
             for n in range(2)]
    officer = make_user(User.Role.LOCAL_OFFICER, commune=communes[0], username="xa", email="xa@example.vn")
    # Another province's staff is not concerned.
    make_user(User.Role.DEPARTMENT, province=other_province, username="hanoi", email="so@hanoi.example.vn")
    return {"period": period, "staff": staff, "officer": officer, "commune": communes[0]}


@pytest.fixture
def overdue(province, commune, other_commune, other_province):
    """2,000 overdue centers, half in each of two wards."""
    return _overdue(province, [commune, other_commune], other_province, CENTERS)


@pytest.fixture
def few_overdue(province, commune, other_commune, other_province):
    return _overdue(province, [commune, other_commune], other_province, 6)


def sweep(day, capture):
    with capture(execute=True):
        return reminders_sweep(today=day)


def _mail_to(address):
    return [m for m in mail.outbox if address in m.to + m.bcc]


def test_each_staff_member_gets_one_digest_of_the_2000_centers_not_2000_messages(
    overdue, django_capture_on_commit_callbacks, django_assert_max_num_queries,
):
    period = overdue["period"]
    # Rows are written in batches (about 100 a statement on SQLite, whose statements take
    # at most 999 values; 1,000 on PostgreSQL), digests in one: 10,000 rows (the claims and
    # the four steps passed of each obligation) in about a hundred statements.
    with django_assert_max_num_queries(150):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            result = reminders_sweep(today=ESCALATION_DAY)
    assert len(result.claimed) == CENTERS and result.digests == 3
    for callback in queued:
        callback()

    for user in overdue["staff"]:
        [digest] = _mail_to(user.email)
        assert digest.to == [user.email] and digest.bcc == []
        assert digest.subject == "[Nhắc việc] 2.000 báo cáo đã quá hạn 7 ngày chưa nộp (26/12/2026)"
        assert "Báo cáo 6 tháng - 6 tháng cuối năm 2026, hạn nộp 19/12/2026: 2.000 trung tâm" in digest.body
        listed = [line for line in digest.body.splitlines() if line.startswith("- D")]
        assert len(listed) == 500 and "… và 1.500 trung tâm khác" in digest.body
        assert f"/reports/dashboard/{period.pk}/missing/" in digest.body
        # The bell: one notice, a short list, the link to the full one.
        [notice] = Notification.objects.filter(recipient=user)
        assert notice.subject == digest.subject
        assert notice.link == f"/reports/dashboard/{period.pk}/missing/"
        assert len([line for line in notice.body.splitlines() if line.startswith("- D")]) == 10
        assert "… và 1.990 trung tâm khác" in notice.body

    # The ward's officer: the 1,000 centers of the ward, in one digest.
    [digest] = _mail_to("xa@example.vn")
    assert digest.subject.startswith("[Nhắc việc] 1.000 báo cáo")
    assert "Phường Võ Cường" not in digest.body and "Phường Kinh Bắc" in digest.body
    assert Notification.objects.filter(recipient=overdue["officer"]).count() == 1

    # Directors: their own reminder each, with nobody else on it.
    for n in range(3):
        [reminder] = _mail_to(f"gd{n}@example.edu.vn")
        assert reminder.to == [f"gd{n}@example.edu.vn"] and reminder.bcc == []
        assert "đã quá hạn 7 ngày" in reminder.subject
    assert not _mail_to("so@hanoi.example.vn")
    assert len(mail.outbox) == 2 + 1 + 3
    assert Notification.objects.count() == 2 + 1 + 3
    assert set(Dispatch.objects.filter(key__endswith=":after-7").values_list("status", flat=True)) == {"sent"}
    assert Dispatch.objects.filter(key__startswith="digest:", status="sent").count() == 3

    # The beat ticks again, the same day and the next: nothing more.
    assert sweep(ESCALATION_DAY, django_capture_on_commit_callbacks).claimed == []
    assert sweep(ESCALATION_DAY + datetime.timedelta(days=1), django_capture_on_commit_callbacks).claimed == []
    assert len(mail.outbox) == 6 and Notification.objects.count() == 6


def test_a_center_reaching_the_step_later_the_same_day_comes_in_a_follow_up_digest_alone(
    few_overdue, django_capture_on_commit_callbacks,
):
    overdue = few_overdue
    staff = overdue["staff"][0]
    sweep(ESCALATION_DAY, django_capture_on_commit_callbacks)
    assert len(_mail_to(staff.email)) == 1
    late = CenterFactory(commune=overdue["commune"], code="MUON01", name="Trung tâm Tin học Mới Mở")
    Obligation.objects.create(period=overdue["period"], center=late)

    result = sweep(ESCALATION_DAY, django_capture_on_commit_callbacks)
    assert len(result.claimed) == 1 and result.digests == 3
    first, follow_up = _mail_to(staff.email)
    assert follow_up.subject.startswith("[Nhắc việc] 1 báo cáo")
    assert "- MUON01 Trung tâm Tin học Mới Mở" in follow_up.body and "D00000" not in follow_up.body
    keys = sorted(Notification.objects.filter(recipient=staff).values_list("key", flat=True))
    day_key = f"digest:obligation:after-7:2026-12-26:{staff.pk}"
    assert keys[0] == day_key and keys[1].startswith(day_key + ":")
    assert sweep(ESCALATION_DAY, django_capture_on_commit_callbacks).claimed == []
    assert len(_mail_to(staff.email)) == 2


def test_the_dry_run_counts_one_digest_per_person(few_overdue, capsys):
    from django.core.management import call_command

    call_command("send_reminders", "--date", ESCALATION_DAY.isoformat(), "--dry-run")
    out = capsys.readouterr().out
    assert "Báo cáo: Sẽ gửi 6 lượt nhắc, 3 bản tổng hợp gửi cấp trên" in out
    assert mail.outbox == [] and not Dispatch.objects.exists() and not Notification.objects.exists()


def test_a_commune_without_an_officer_and_staff_without_address_still_get_the_bell(
    province, commune, django_capture_on_commit_callbacks,
):
    center = CenterFactory(commune=commune, code="NN900")
    staff = make_user(User.Role.DEPARTMENT, province=province, username="so_khong_thu", email="")
    report_type = ReportType.objects.create(
        province=province, code="NNTH-6T", title="Báo cáo 6 tháng", center_kinds=["language"],
        frequency=Frequency.SIX_MONTHLY, starts_on=D(2026, 1, 1),
    )
    period, _ = period_create(report_type=report_type, label="6 tháng cuối năm 2026",
                              data_from=D(2026, 6, 15), data_to=D(2026, 12, 14), due_date=DUE)
    Obligation.objects.create(period=period, center=center)
    result = sweep(ESCALATION_DAY, django_capture_on_commit_callbacks)
    assert result.digests == 1 and mail.outbox == []
    assert Notification.objects.get(recipient=staff).subject.startswith("[Nhắc việc] 1 báo cáo")
    assert Dispatch.objects.get(key=f"digest:obligation:after-7:2026-12-26:{staff.pk}").status == "sent"
