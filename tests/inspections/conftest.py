"""A province with one center breaking each compliance rule and several clean ones."""

import datetime

import pytest
from django.utils import timezone

from centers.choices import CenterKind, CenterStatus, DocumentKind
from conferences.models import Directive, Task, TaskAssignment
from inspections.models import Complaint, Inspection, LegalVersion, SanctionArticle, Violation
from reports.models import Obligation
from tests.factories import CenterFactory, DirectorFactory, DocumentFactory, StaffFactory
from tests.reports.helpers_review import make_period, make_report_type

TODAY = datetime.date(2026, 11, 20)
RECENT = datetime.date(2026, 3, 1)  # established recently: the no-activity rule does not apply yet


def clean_center(commune, code, **fields):
    """A language center with a valid licence, a recognised director and nothing owed."""
    center = CenterFactory(commune=commune, code=code, **fields)
    DocumentFactory(center=center, signed_on=RECENT, valid_until=datetime.date(2031, 3, 1))
    DirectorFactory(center=center, recognition_date=RECENT, term_end=datetime.date(2031, 3, 1), started_on=RECENT)
    return center


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def catalogue():
    version = LegalVersion.objects.create(code="ND04-127", title="Nghị định 04/2021/NĐ-CP, sửa đổi bởi 127/2021",
                                          in_force_from=datetime.date(2022, 1, 1))
    article = SanctionArticle.objects.create(
        version=version, article="6", clause="3",
        description="Tổ chức hoạt động giáo dục tại địa điểm chưa được cho phép",
        fine_min=10_000_000, fine_max=20_000_000, remedy="Buộc chuyển người học về địa điểm được phép",
    )
    return article


@pytest.fixture
def world(province, commune, other_commune, department_user, catalogue):
    """{rule code: the one center breaking it} plus "clean": centers breaking none."""
    c = {}
    report_type = make_report_type(province)
    c["unlicensed"] = CenterFactory(commune=commune, code="R01", status=CenterStatus.UNLICENSED)
    DirectorFactory(center=c["unlicensed"], recognition_date=RECENT, term_end=datetime.date(2031, 3, 1))

    c["licence"] = clean_center(commune, "R02")
    c["licence"].documents.update(valid_until=datetime.date(2026, 12, 31))  # within 60 days
    from centers.services import center_refresh
    center_refresh(c["licence"])

    c["director"] = CenterFactory(commune=commune, code="R03")
    DocumentFactory(center=c["director"], signed_on=RECENT)
    DirectorFactory(center=c["director"], recognition_date=datetime.date(2021, 1, 10),
                    term_end=datetime.date(2026, 1, 10), started_on=datetime.date(2021, 1, 10))

    c["work_permit"] = clean_center(other_commune, "R04")
    StaffFactory(center=c["work_permit"], is_foreign=True, nationality="Anh", work_permit_number="GP-1",
                 work_permit_valid_until=datetime.date(2026, 6, 1))

    c["reports"] = clean_center(commune, "R05")
    Obligation.objects.create(period=make_period(report_type, due_date=datetime.date(2026, 11, 10)),
                              center=c["reports"])

    c["tasks"] = clean_center(commune, "R06")
    directive = Directive.objects.create(
        province=province, doc_type="cong_van", subject="V/v rà soát", body="...", signer_name="A",
        status="issued", number=1, year=2026, symbol="SGDĐT-GDTX", issued_on=datetime.date(2026, 10, 1),
    )
    task = Task.objects.create(directive=directive, number=1, text="Rà soát", lead_unit="GDTX",
                               deadline=datetime.date(2026, 11, 1))
    TaskAssignment.objects.create(task=task, kind="center", center=c["tasks"])

    c["remedy"] = clean_center(commune, "R07")
    inspection = Inspection.objects.create(
        province=province, center=c["remedy"], status="done", planned_on=datetime.date(2026, 9, 1),
        carried_out_on=datetime.date(2026, 9, 5), team="Nguyễn Văn A", scope="Toàn diện",
    )
    Violation.objects.create(inspection=inspection, article=catalogue, remedy_deadline=datetime.date(2026, 10, 5))

    c["no_activity"] = CenterFactory(commune=commune, code="R08")
    DocumentFactory(center=c["no_activity"], signed_on=datetime.date(2024, 3, 5),
                    kind=DocumentKind.ESTABLISHMENT_OPERATION)
    DirectorFactory(center=c["no_activity"], recognition_date=RECENT, term_end=datetime.date(2031, 3, 1))
    # It owed a report in its first year and sent it only after the year was out.
    Obligation.objects.create(
        period=make_period(report_type, due_date=datetime.date(2024, 6, 19), label="6 tháng đầu năm 2024"),
        center=c["no_activity"], first_submitted_at=_at(datetime.date(2025, 6, 1)), status="accepted",
    )

    c["location"] = clean_center(commune, "R09")
    Complaint.objects.create(
        province=province, center=c["location"], received_on=datetime.date(2026, 8, 1), source="learner",
        content="Trung tâm mở lớp tại nhà văn hóa thôn", about_location=True, upheld=True, status="resolved",
        handling_deadline=datetime.date(2026, 9, 1), closed_on=datetime.date(2026, 8, 20),
    )

    c["complaints"] = clean_center(commune, "R10")
    Complaint.objects.create(
        province=province, center=c["complaints"], received_on=datetime.date(2026, 9, 1), source="citizen",
        content="Thu học phí không hoàn trả", handling_deadline=datetime.date(2026, 10, 15),
    )

    clean = [
        clean_center(commune, "C01"),
        clean_center(other_commune, "C02", kind=CenterKind.IT),
        # Nothing to expire, no director to recognise, no investor licence: still clean.
        CenterFactory(commune=commune, code="C03", kind=CenterKind.COMMUNITY),
        # Established long ago but reported in its first year; a report submitted on time.
        clean_center(commune, "C04"),
    ]
    old = clean[3]
    old.documents.update(signed_on=datetime.date(2023, 5, 1))
    on_time = Obligation.objects.create(
        period=make_period(report_type, due_date=datetime.date(2023, 12, 19), label="6 tháng cuối năm 2023"),
        center=old, first_submitted_at=_at(datetime.date(2023, 12, 18)), status="accepted",
    )
    from reports.models import SubmissionVersion
    SubmissionVersion.objects.create(
        obligation=on_time, number=1, values={}, schema=[], submitted_by=department_user,
        submitted_at=_at(datetime.date(2023, 12, 18)), content_hash="0" * 64,
        idempotency_key="7e0f0d1c-1111-4a4a-9b9b-000000000001",
    )
    # A resolved complaint and a remedied violation leave no flag behind.
    done = Inspection.objects.create(
        province=province, center=clean[0], status="closed", planned_on=datetime.date(2026, 5, 1),
        carried_out_on=datetime.date(2026, 5, 2), team="B", scope="C", closed_on=datetime.date(2026, 7, 1),
    )
    Violation.objects.create(inspection=done, article=catalogue, remedy_deadline=datetime.date(2026, 6, 1),
                             remedied_on=datetime.date(2026, 5, 30))
    c["clean"] = clean
    return c


@pytest.fixture
def on_today():
    """The pages compute flags for today: make today TODAY (the world's dates depend on it)."""
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0), tick=False):
        yield TODAY


@pytest.fixture
def recorded_inspection(center, province):
    """An inspection of `center` carried out on 12/11/2026, remedy by 12/12/2026."""
    inspection = Inspection.objects.create(
        province=province, center=center, status="done", planned_on=datetime.date(2026, 11, 10),
        carried_out_on=datetime.date(2026, 11, 12), decision_number="85/QĐ-SGDĐT",
        team="Nguyễn Văn An, Trưởng phòng Giáo dục thường xuyên - Trưởng đoàn\n"
             "Lê Thị Bình, chuyên viên Phòng Giáo dục thường xuyên",
        scope="Điều kiện hoạt động, tuyển sinh, thu chi học phí năm 2026",
        findings="Trung tâm chưa niêm yết công khai mức học phí.", remedy_deadline=datetime.date(2026, 12, 12),
    )
    return inspection


def non_savepoint(queries) -> list[str]:
    """The statements of a request, without the SAVEPOINTs of ATOMIC_REQUESTS inside the
    test's transaction (in production the request's transaction sends none)."""
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
