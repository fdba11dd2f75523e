import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import User
from centers.choices import CenterKind, CenterStatus, DocumentKind, LicenceState
from centers.demo import DEMO_PASSWORD, demo_seed
from centers.models import Center, Director, LicenceDocument, Location, Staff, StatusChange
from centers.selectors import centers_visible_to, with_licence_state

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (about 3 s); each test still runs in its own savepoint,
    and everything is rolled back when the module is done."""
    # The autouse fast hasher is function-scoped: set it here too, or the passwords would
    # be hashed with one the tests cannot check.
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield Center.objects.get(code="NN001").province
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Center, LicenceDocument, Director, Staff, StatusChange, Location, User)
    } | {
        "history": Center.history.count() + LicenceDocument.history.count() + Director.history.count()
        + Staff.history.count(),
    }


def test_demo_accounts_have_their_roles_and_scopes(seeded):
    users = {u.username: u for u in User.objects.select_related("province", "commune", "center__commune")}
    sogd, thanhtra, giamdoc, canboxa = (users[n] for n in ("sogd", "thanhtra", "giamdoc", "canboxa"))

    assert (sogd.role, sogd.province, sogd.is_staff) == (User.Role.DEPARTMENT, seeded, True)
    assert (thanhtra.role, thanhtra.province) == (User.Role.INSPECTOR, seeded)
    assert thanhtra.is_staff is False
    assert giamdoc.role == User.Role.DIRECTOR
    assert giamdoc.center.kind == CenterKind.LANGUAGE
    assert giamdoc.center.commune.name == "Phường Kinh Bắc"
    assert canboxa.role == User.Role.LOCAL_OFFICER
    assert (canboxa.commune.name, canboxa.province) == ("Phường Kinh Bắc", seeded)
    for user in (sogd, thanhtra, giamdoc, canboxa):
        assert user.check_password(DEMO_PASSWORD)
        user.full_clean()


def test_demo_accounts_see_what_their_role_allows(seeded):
    users = {u.username: u for u in User.objects.all()}
    total = Center.objects.filter(province=seeded).count()
    assert centers_visible_to(users["sogd"]).count() == total
    assert centers_visible_to(users["thanhtra"]).count() == total
    assert list(centers_visible_to(users["giamdoc"])) == [users["giamdoc"].center]
    ward = centers_visible_to(users["canboxa"])
    assert {c.commune.name for c in ward} == {"Phường Kinh Bắc"}
    # The ward has its community center and language centers it may not edit.
    assert {CenterKind.COMMUNITY, CenterKind.LANGUAGE} <= {c.kind for c in ward}


def test_demo_has_about_150_centers_of_every_kind(seeded):
    centers = Center.objects.filter(province=seeded)
    assert 140 <= centers.count() <= 160
    assert set(centers.values_list("kind", flat=True)) == set(CenterKind.values)
    # Spread over the real communes and wards of the merged province, both former halves.
    communes = centers.values_list("commune__code", flat=True).distinct()
    assert len(communes) >= 50
    assert any(int(code) < 9000 for code in communes) and any(int(code) >= 9000 for code in communes)
    community = centers.filter(kind=CenterKind.COMMUNITY)
    assert community.filter(name="Trung tâm học tập cộng đồng phường Kinh Bắc").exists()
    assert community.values("commune").distinct().count() == community.count()


def test_demo_has_every_licence_state_and_status(seeded):
    centers = Center.objects.filter(province=seeded)
    states = set(with_licence_state(centers).values_list("licence_state", flat=True))
    assert states == set(LicenceState.values)
    statuses = set(centers.values_list("status", flat=True))
    assert {CenterStatus.OPERATING, CenterStatus.SUSPENDED, CenterStatus.DISSOLVED, CenterStatus.UNLICENSED} <= statuses

    unlicensed = centers.filter(status=CenterStatus.UNLICENSED)
    assert unlicensed.exists()
    assert not LicenceDocument.objects.filter(center__in=unlicensed).exists()
    for status, kind in ((CenterStatus.SUSPENDED, DocumentKind.SUSPENSION),
                         (CenterStatus.DISSOLVED, DocumentKind.DISSOLUTION)):
        for center in centers.filter(status=status):
            change = center.status_changes.get(new_status=status)
            assert change.document.kind == kind
    assert not with_licence_state(centers.filter(status=CenterStatus.DISSOLVED)).exclude(
        licence_state=LicenceState.NONE).exists()


def test_demo_documents_look_like_the_real_ones(seeded):
    documents = LicenceDocument.objects.filter(center__province=seeded)
    issuers = set(documents.values_list("issuer", flat=True))
    assert {"Sở GDĐT Bắc Ninh", "Sở GDĐT Bắc Giang"} <= issuers
    assert any(i.startswith("UBND xã ") for i in issuers) and any(i.startswith("UBND phường ") for i in issuers)
    assert documents.filter(number__regex=r"^\d+/QĐ-SGDĐT$").count() > 100
    assert not documents.filter(signed_on__gt=datetime.date.today()).exists()
    # Decisions from before 1/7/2025 print the abolished district and the old province.
    printed = Center.objects.filter(province=seeded).values_list("address_as_printed", flat=True)
    assert any("huyện Yên Phong, tỉnh Bắc Ninh" in a for a in printed)
    assert any(a.endswith("tỉnh Bắc Giang") and "huyện" in a for a in printed)


def test_demo_directors_and_foreign_teachers_cover_the_compliance_cases(seeded):
    today = datetime.date.today()
    current = Director.objects.filter(center__province=seeded, ended_on__isnull=True)
    assert all(d.is_recognised(today) for d in current.exclude(recognition_number="").filter(term_end__gte=today))
    assert current.filter(recognition_number="").exists()
    assert current.exclude(recognition_number="").filter(term_end__lt=today).exists()
    assert Director.objects.filter(center__province=seeded, ended_on__isnull=False).exists()

    foreign = Staff.objects.filter(center__province=seeded, is_foreign=True)
    assert foreign.filter(work_permit_exempt=True).exists()
    assert foreign.filter(work_permit_exempt=False, work_permit_valid_until__lt=today).exists()
    assert foreign.filter(work_permit_exempt=False, work_permit_valid_until__gte=today).exists()
    for teacher in foreign:
        teacher.full_clean()
    # The demo director's own center shows all three cases.
    mine = User.objects.get(username="giamdoc").center.staff.filter(is_foreign=True)
    assert {t.work_permit_valid(today) for t in mine} == {True, False}
    assert mine.filter(work_permit_exempt=True).exists()


def test_running_seed_demo_twice_changes_nothing(seeded):
    before = _counts()
    derived = Center.objects.order_by("pk").values_list("pk", "status", "current_licence_id", "search_text")
    snapshot = list(derived)
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert _counts() == before
    assert list(derived.all()) == snapshot


def test_seed_demo_plans_the_same_records_on_another_day(seeded):
    """The records are keyed by number and name: a re-run weeks later adds nothing."""
    before = _counts()
    result = demo_seed(today=datetime.date.today() + datetime.timedelta(days=45))
    assert (result.centers_created, result.documents_created, result.directors_created, result.staff_created) == (
        0, 0, 0, 0)
    assert _counts() == before


def test_seed_demo_refuses_with_debug_off(settings, seeded):
    settings.DEBUG = False
    before = _counts()
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before


def test_seed_demo_prints_a_vietnamese_summary(settings, seeded):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "Đã tạo 0 trung tâm" in text
    assert "Tỉnh Bắc Ninh" in text and "Trung tâm học tập cộng đồng" in text and "Sắp hết hạn" in text
    assert "giamdoc" in text and DEMO_PASSWORD in text


def test_demo_shows_account_security_to_staff(seeded, client):
    """After make run, staff see a lock-out to lift (the director still logs in from their
    own machine), a recorded period correction, and every demo account has an address."""
    from django.urls import reverse

    from reports.models import ReportPeriod
    from reports.services.periods import period_corrections

    assert not User.objects.filter(username__in=["sogd", "thanhtra", "giamdoc", "canboxa"], email="").exists()
    client.force_login(User.objects.get(username="sogd"))
    page = client.get(reverse("lockout_list")).content.decode()
    assert "giamdoc" in page and "203.0.113.7" in page
    from django.test import Client

    director = Client(REMOTE_ADDR="127.0.0.1")
    assert director.post(reverse("login"), {"username": "giamdoc", "password": DEMO_PASSWORD}).status_code == 302
    assert director.get(reverse("reports:obligation_list")).status_code == 200
    corrected = [p for p in ReportPeriod.objects.filter(report_type__province=seeded) if period_corrections(p).exists()]
    assert len(corrected) == 1
