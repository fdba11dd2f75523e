import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from centers.choices import CenterStatus, DocumentKind, LicenceState
from centers.models import Center, Director, Staff
from centers.selectors import center_licence_state, with_licence_state
from centers.services import (
    center_save,
    center_set_status,
    centers_refresh_deferred,
    director_appoint,
    licence_document_create,
)
from tests.factories import CenterFactory, DirectorFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def _licence(center, signed_on, valid_until=None, kind=DocumentKind.ESTABLISHMENT_OPERATION, number=None):
    return licence_document_create(
        center=center, kind=kind, number=number or f"{signed_on:%j}/QĐ-SGDĐT", signed_on=signed_on,
        issuer="Sở GDĐT Bắc Ninh", valid_until=valid_until,
    )


def _state(center, today=TODAY) -> str:
    return with_licence_state(Center.objects.filter(pk=center.pk), today).get().licence_state


# The current licence -------------------------------------------------------------------


def test_the_latest_granting_document_is_the_current_licence(commune):
    center = CenterFactory(commune=commune)
    first = _licence(center, datetime.date(2019, 5, 2), number="10/QĐ-SGDĐT")
    renewed = _licence(center, datetime.date(2024, 5, 2), kind=DocumentKind.OPERATION, number="20/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.current_licence == renewed
    assert center.current_licence != first


def test_an_amendment_or_a_suspension_does_not_replace_the_licence(commune):
    center = CenterFactory(commune=commune)
    licence = _licence(center, datetime.date(2022, 1, 4), number="1/QĐ-SGDĐT")
    _licence(center, datetime.date(2023, 1, 4), kind=DocumentKind.AMENDMENT, number="2/QĐ-SGDĐT")
    _licence(center, datetime.date(2024, 1, 4), kind=DocumentKind.SUSPENSION, number="3/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.current_licence == licence


def test_an_establishment_decision_alone_is_no_licence(commune):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2022, 1, 4), kind=DocumentKind.ESTABLISHMENT)
    center.refresh_from_db()
    assert center.current_licence is None
    assert _state(center) == LicenceState.NONE


@pytest.mark.parametrize("ending", [DocumentKind.REVOCATION, DocumentKind.DISSOLUTION])
def test_revocation_or_dissolution_leaves_no_licence(commune, ending):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2020, 6, 1), number="1/QĐ-SGDĐT")
    _licence(center, datetime.date(2025, 2, 1), kind=ending, number="2/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.current_licence is None
    assert _state(center) == LicenceState.NONE


def test_a_licence_granted_after_a_revocation_is_current_again(commune):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2020, 6, 1), number="1/QĐ-SGDĐT")
    _licence(center, datetime.date(2022, 2, 1), kind=DocumentKind.REVOCATION, number="2/QĐ-SGDĐT")
    again = _licence(center, datetime.date(2024, 2, 1), number="3/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.current_licence == again


def test_documents_recorded_out_of_order_still_give_the_latest_licence(commune):
    center = CenterFactory(commune=commune)
    later = _licence(center, datetime.date(2024, 2, 1), number="2/QĐ-SGDĐT")
    _licence(center, datetime.date(2020, 6, 1), number="1/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.current_licence == later


# The licence state at its boundaries ----------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until", "state"),
    [
        (None, LicenceState.VALID),
        (TODAY - datetime.timedelta(days=1), LicenceState.EXPIRED),
        (TODAY, LicenceState.EXPIRING),
        (TODAY + datetime.timedelta(days=60), LicenceState.EXPIRING),
        (TODAY + datetime.timedelta(days=61), LicenceState.VALID),
    ],
)
def test_licence_state_at_the_boundaries(commune, valid_until, state):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2021, 1, 1), valid_until=valid_until)
    assert _state(center, TODAY) == state


def test_licence_state_follows_the_calendar(commune):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2021, 1, 1), valid_until=datetime.date(2026, 5, 9))
    for day, state in [
        (datetime.date(2026, 3, 9), LicenceState.VALID),  # 61 days before
        (datetime.date(2026, 3, 10), LicenceState.EXPIRING),  # 60 days before
        (datetime.date(2026, 5, 9), LicenceState.EXPIRING),  # its last day
        (datetime.date(2026, 5, 10), LicenceState.EXPIRED),
    ]:
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC), tick=False):
            assert center_licence_state(Center.objects.get(pk=center.pk)) == state, day


def test_a_center_without_documents_has_no_licence(commune):
    assert _state(CenterFactory(commune=commune)) == LicenceState.NONE


# Status changes -------------------------------------------------------------------------


def test_a_suspension_suspends_the_center_and_records_the_decision(commune):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2020, 6, 1), number="1/QĐ-SGDĐT")
    suspension = _licence(
        center, datetime.date(2025, 9, 1), kind=DocumentKind.SUSPENSION, number="88/QĐ-SGDĐT",
        valid_until=datetime.date(2026, 3, 1),
    )
    center.refresh_from_db()
    assert center.status == CenterStatus.SUSPENDED
    change = center.status_changes.get()
    assert (change.old_status, change.new_status) == (CenterStatus.OPERATING, CenterStatus.SUSPENDED)
    assert change.document == suspension
    assert change.effective_on == datetime.date(2025, 9, 1)
    assert change.reason == suspension.get_kind_display()


def test_resumption_after_suspension_records_a_second_change(commune):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2020, 6, 1), number="1/QĐ-SGDĐT")
    _licence(center, datetime.date(2025, 1, 6), kind=DocumentKind.SUSPENSION, number="2/QĐ-SGDĐT")
    resumption = _licence(center, datetime.date(2025, 7, 6), kind=DocumentKind.RESUMPTION, number="3/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING
    assert [c.new_status for c in center.status_changes.all()] == [CenterStatus.OPERATING, CenterStatus.SUSPENDED]
    assert center.status_changes.first().document == resumption


def test_an_older_decision_entered_late_does_not_override_a_newer_status(commune):
    center = CenterFactory(commune=commune)
    _licence(center, datetime.date(2025, 3, 1), kind=DocumentKind.DISSOLUTION, number="9/QĐ-SGDĐT")
    _licence(center, datetime.date(2023, 3, 1), kind=DocumentKind.SUSPENSION, number="5/QĐ-SGDĐT")
    center.refresh_from_db()
    assert center.status == CenterStatus.DISSOLVED
    assert center.status_changes.count() == 1


def test_center_set_status_is_dated_attributed_and_a_no_op_when_unchanged(commune):
    center = CenterFactory(commune=commune)
    officer = UserFactory()
    change = center_set_status(
        center=center, status=CenterStatus.STOPPED, effective_on=datetime.date(2026, 1, 5),
        reason="Trung tâm thông báo dừng hoạt động", by=officer,
    )
    center.refresh_from_db()
    assert center.status == CenterStatus.STOPPED
    assert (change.recorded_by, change.effective_on, change.old_status) == (
        officer, datetime.date(2026, 1, 5), CenterStatus.OPERATING)
    assert center_set_status(center=center, status=CenterStatus.STOPPED, effective_on=datetime.date(2026, 2, 1)) is None
    assert center.status_changes.count() == 1


def test_a_future_document_is_refused(commune):
    center = CenterFactory(commune=commune)
    with pytest.raises(ValidationError):
        _licence(center, datetime.date.today() + datetime.timedelta(days=10))
    with pytest.raises(ValidationError):
        _licence(center, datetime.date(2024, 1, 1), valid_until=datetime.date(2023, 1, 1))


# Directors ------------------------------------------------------------------------------


def test_director_appoint_ends_the_previous_director(commune):
    center = CenterFactory(commune=commune)
    first = director_appoint(center=center, full_name="Nguyễn Văn An", started_on=datetime.date(2019, 9, 1))
    second = director_appoint(
        center=center, full_name="Trần Thị Bích", started_on=datetime.date(2024, 9, 1),
        recognition_number="345/QĐ-SGDĐT", recognition_date=datetime.date(2024, 8, 20),
        recognition_issuer="Sở GDĐT Bắc Ninh",
    )
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2024, 8, 31)
    assert second.ended_on is None
    assert list(center.directors.filter(ended_on__isnull=True)) == [second]
    # The 5-year term is derived from the recognition date.
    assert second.term_end == datetime.date(2029, 8, 20)
    assert second.is_recognised(datetime.date(2029, 8, 20))
    assert not second.is_recognised(datetime.date(2029, 8, 21))
    # The new director's name is searchable at once.
    center.refresh_from_db()
    assert "tran thi bich" in center.search_text


def test_only_one_current_director_per_center(commune):
    center = CenterFactory(commune=commune)
    DirectorFactory(center=center)
    with pytest.raises(ValidationError):
        Director(center=center, full_name="Lê Văn Cường").full_clean()


def test_a_director_without_recognition_is_not_recognised(commune):
    director = DirectorFactory(center=CenterFactory(commune=commune), recognition_number="", term_end=None)
    assert not director.is_recognised(TODAY)


# Staff ----------------------------------------------------------------------------------


def test_a_vietnamese_teacher_needs_no_work_permit(center):
    staff = Staff(center=center, full_name="Phạm Thị Lan")
    staff.full_clean()
    assert staff.work_permit_valid(TODAY)


def test_a_foreign_teacher_needs_a_nationality(center):
    staff = Staff(center=center, full_name="Oliver Hartley", is_foreign=True, work_permit_exempt=True)
    with pytest.raises(ValidationError) as error:
        staff.full_clean()
    assert "nationality" in error.value.message_dict


@pytest.mark.parametrize(
    "permit",
    [{}, {"work_permit_number": "0123/GPLĐ-SNV"}, {"work_permit_valid_until": datetime.date(2027, 1, 1)}],
)
def test_a_foreign_teacher_needs_a_permit_number_and_expiry_unless_exempt(center, permit):
    staff = Staff(center=center, full_name="Grace Caldwell", is_foreign=True, nationality="Úc", **permit)
    with pytest.raises(ValidationError) as error:
        staff.full_clean()
    assert "work_permit_number" in error.value.message_dict


def test_an_exempt_foreign_teacher_is_valid_without_a_permit(center):
    staff = Staff(center=center, full_name="Grace Caldwell", is_foreign=True, nationality="Úc", work_permit_exempt=True)
    staff.full_clean()
    assert staff.work_permit_valid(TODAY)


def test_a_work_permit_is_valid_through_its_last_day(center):
    staff = Staff(
        center=center, full_name="Daniel Langford", is_foreign=True, nationality="Canada",
        work_permit_number="0456/GPLĐ-SNV", work_permit_valid_until=TODAY,
    )
    staff.full_clean()
    assert staff.work_permit_valid(TODAY)
    assert not staff.work_permit_valid(TODAY + datetime.timedelta(days=1))


def test_the_document_factory_records_through_the_service(commune):
    center = CenterFactory(commune=commune)
    DocumentFactory(center=center, kind=DocumentKind.SUSPENSION, signed_on=datetime.date(2025, 1, 2))
    center.refresh_from_db()
    assert center.status == CenterStatus.SUSPENDED


# One write path per record: the derived columns are right when the service returns


def test_every_write_service_leaves_the_derived_columns_right(commune):
    center = center_save(center=Center(
        province=commune.parent, commune=commune, code="TH900", name="Trung tâm Tin học Bình Minh", kind="it",
    ))
    assert "tin hoc binh minh" in center.search_text
    licence = _licence(center, datetime.date(2025, 1, 6), number="9/QĐ-SGDĐT")
    director_appoint(center=center, full_name="Đỗ Thị Ánh", started_on=datetime.date(2025, 1, 6))
    center.refresh_from_db()
    assert center.current_licence == licence
    assert "9/qd-sgddt" in center.search_text and "do thi anh" in center.search_text


def test_a_deferred_block_refreshes_once_at_its_end(commune):
    center = CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Cũ")
    with centers_refresh_deferred():
        center.name = "Trung tâm Ngoại ngữ Mới"
        center_save(center=center, update_fields=["name"])
        director_appoint(center=center, full_name="Lý Văn Khải", started_on=datetime.date(2025, 2, 1))
        stale = Center.objects.get(pk=center.pk).search_text
    assert "ngoai ngu cu" in stale, "inside the block the refresh waits"
    center.refresh_from_db()
    assert "ngoai ngu moi" in center.search_text and "ly van khai" in center.search_text


def test_a_deferred_block_that_raises_refreshes_nothing(commune):
    center = CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Cũ")
    with pytest.raises(RuntimeError), centers_refresh_deferred():
        center.name = "Trung tâm Ngoại ngữ Mới"
        center_save(center=center, update_fields=["name"])
        raise RuntimeError
    assert "ngoai ngu cu" in Center.objects.get(pk=center.pk).search_text
