"""Registry upkeep on the center's page (issue 13): department staff add a licence document,
record a new director and change the status, each with its decision, without the web
admin; a new center is "not yet licensed" until its licence is recorded."""

import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from centers.choices import CenterStatus, DocumentKind
from centers.models import Center, Director, LicenceDocument, StatusChange
from centers.services import center_save, center_status_change, director_appoint, licence_document_create
from inspections.selectors import compliance_queryset
from tests.edit_versions import edit_version
from tests.factories import CenterFactory, DirectorFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
URLS = ("centers:licence_document_create", "centers:director_appoint", "centers:center_status_change")


def day(days_ago: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days_ago)


def dmy(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_center(commune, **kwargs) -> Center:
    """A center as the portal's "Thêm trung tâm" saves it: the model's defaults."""
    center = Center.objects.create(province=commune.parent, commune=commune, code=kwargs.pop("code", "MOI01"),
                                   name="Trung tâm Ngoại ngữ Mới Mở", kind="language", **kwargs)
    return center


def licence_data(**overrides) -> dict:
    data = {
        "kind": DocumentKind.ESTABLISHMENT_OPERATION, "number": "88/QĐ-SGDĐT", "signed_on": dmy(day(10)),
        "issuer": "Sở GDĐT Bắc Ninh", "valid_until": "", "scope": "Dạy tiếng Anh cho trẻ em",
        "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn Ký",
        "place_as_printed": "Bắc Ninh",
    }
    data.update(overrides)
    return data


def director_data(**overrides) -> dict:
    data = {
        "full_name": "Phạm Thị Mới", "recognition_number": "45/QĐ-SGDĐT", "recognition_date": dmy(day(5)),
        "recognition_issuer": "Sở GDĐT Bắc Ninh", "started_on": dmy(day(3)), "phone": "0912345678",
        "email": "moi@example.vn",
    }
    data.update(overrides)
    return data


def unlicensed_flags(user) -> set[str]:
    return set(compliance_queryset(user, rules=["unlicensed", "director"]).values_list("code", flat=True))


# A new center


def test_a_center_added_in_the_portal_starts_not_yet_licensed_and_is_not_flagged(department_user, commune):
    client = staff_client(department_user)
    response = client.post(reverse("centers:center_create"), {
        "code": "moi01", "name": "Trung tâm Ngoại ngữ Mới Mở", "kind": "language", "commune": commune.pk,
    })
    center = Center.objects.get(code="MOI01")
    assert response.status_code == 302 and center.status == CenterStatus.NOT_YET_LICENSED
    assert unlicensed_flags(department_user) == set(), "not yet licensed is not operating without a licence"
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    assert "Chưa hoạt động (chưa được cấp phép)" in page and "trung tâm chưa hoạt động" in page


def test_recording_its_licence_in_the_portal_makes_it_operating(department_user, commune):
    center = new_center(commune)
    client = staff_client(department_user)
    url = reverse("centers:licence_document_create", args=[center.pk])
    page = client.get(url).content.decode()
    assert "Trung tâm chưa được cấp phép" in page and 'value="Sở GDĐT Bắc Ninh"' in page
    response = client.post(url, licence_data(number="88/qđ-sgdđt "))
    assert response.status_code == 302 and response.url.endswith("#documents")
    center.refresh_from_db()
    document = LicenceDocument.objects.get(center=center)
    assert center.status == CenterStatus.OPERATING and center.current_licence == document
    assert (document.number, document.signer_name, document.place_as_printed) == (
        "88/qđ-sgdđt", "Nguyễn Văn Ký", "Bắc Ninh")
    change = StatusChange.objects.get(center=center)
    assert (change.old_status, change.new_status, change.document, change.recorded_by) == (
        CenterStatus.NOT_YET_LICENSED, CenterStatus.OPERATING, document, department_user)
    assert change.effective_on == day(10)
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == [
        "Đã ghi quyết định cho phép thành lập và hoạt động số 88/qđ-sgdđt. Trạng thái của trung tâm: Đang hoạt động."]


def test_an_establishment_decision_alone_does_not_make_it_operating(department_user, commune):
    center = new_center(commune)
    staff_client(department_user).post(reverse("centers:licence_document_create", args=[center.pk]),
                                       licence_data(kind=DocumentKind.ESTABLISHMENT))
    center.refresh_from_db()
    assert center.status == CenterStatus.NOT_YET_LICENSED and center.current_licence is None


def test_a_not_yet_licensed_center_owes_no_report(commune, province):
    from tests.reports.helpers_submission import make_period, make_type

    waiting = new_center(commune)
    operating = CenterFactory(commune=commune)
    period = make_period(make_type(province), due=TODAY + datetime.timedelta(days=10))
    assert set(period.obligations.values_list("center_id", flat=True)) == {operating.pk}
    assert waiting.pk not in set(period.obligations.values_list("center_id", flat=True))


def test_a_licence_document_with_bad_dates_is_refused_in_vietnamese(department_user, commune):
    center = new_center(commune)
    client = staff_client(department_user)
    url = reverse("centers:licence_document_create", args=[center.pk])
    response = client.post(url, licence_data(signed_on=dmy(TODAY + datetime.timedelta(days=5))))
    assert response.status_code == 200 and "Ngày ký không được ở tương lai." in response.content.decode()
    response = client.post(url, licence_data(valid_until=dmy(day(400))))
    assert "Ngày hết hiệu lực phải sau ngày ký." in response.content.decode()
    response = client.post(url, licence_data(signed_on="2026-13-45"))
    assert response.status_code == 200
    assert not LicenceDocument.objects.filter(center=center).exists()


# A new director


def test_recording_a_new_director_ends_the_previous_one_and_their_account_access(department_user, center, director):
    previous = DirectorFactory(center=center, full_name=director.full_name or "Giám đốc Cũ", started_on=day(900))
    client = staff_client(department_user)
    url = reverse("centers:director_appoint", args=[center.pk])
    page = client.get(url).content.decode()
    assert "Giám đốc đương nhiệm" in page and f'name="current_director" value="{previous.pk}"' in page
    # What the browser sends back: the version of the current director's row, from the page.
    version = html.unescape(re.search(r'name="current-edit_version" value="([^"]+)"', page).group(1))
    data = {**director_data(), "current-edit_version": version, "current-ended_on": "",
            "current_director": previous.pk}
    response = client.post(url, data)
    assert response.status_code == 302 and response.url.endswith("#directors")
    previous.refresh_from_db()
    new = Director.objects.get(center=center, ended_on__isnull=True)
    assert (new.full_name, new.recognition_number, new.started_on, new.phone) == (
        "Phạm Thị Mới", "45/QĐ-SGDĐT", day(3), "0912345678")
    assert new.term_end == day(5).replace(year=day(5).year + 5)
    assert previous.ended_on == day(4)
    # accounts.lifecycle ran: the old director's account reads until the last day in office.
    director.refresh_from_db()
    assert director.access_ends_on == day(4) and director.director_id == previous.pk
    assert "pham thi moi" in Center.objects.get(pk=center.pk).search_text


def test_the_start_date_defaults_to_the_recognition_date_and_must_follow_the_previous_one(department_user, center):
    DirectorFactory(center=center, started_on=day(30))
    client = staff_client(department_user)
    url = reverse("centers:director_appoint", args=[center.pk])
    current = Director.objects.get(center=center)

    def post(**overrides):
        data = {**director_data(**overrides), "current_director": current.pk}
        response = client.get(url)
        data["current-edit_version"] = response.context["version_form"]["edit_version"].value()
        data["current-ended_on"] = ""
        return client.post(url, data)

    response = post(started_on="", recognition_date=dmy(day(40)))
    assert response.status_code == 200
    assert "Ngày bắt đầu phải sau ngày giám đốc đương nhiệm" in response.content.decode()
    response = post(recognition_number="", started_on=dmy(TODAY + datetime.timedelta(days=3)))
    content = response.content.decode()
    assert "Ngày bắt đầu giữ chức không được ở tương lai" in content
    assert Director.objects.filter(center=center).count() == 1
    response = post(started_on="")
    assert response.status_code == 302
    assert Director.objects.get(center=center, ended_on__isnull=True).started_on == day(5)


def test_a_director_recorded_by_someone_else_meanwhile_refuses_the_page_opened_before(department_user, center):
    first = DirectorFactory(center=center, full_name="Người Thứ Nhất", started_on=day(900))
    client = staff_client(department_user)
    url = reverse("centers:director_appoint", args=[center.pk])
    response = client.get(url)
    data = {**director_data(), "current_director": first.pk,
            "current-edit_version": response.context["version_form"]["edit_version"].value(), "current-ended_on": ""}
    director_appoint(center=center, full_name="Người Thứ Hai", started_on=day(2))  # a colleague, meanwhile
    response = client.post(url, data)
    assert response.status_code == 409
    content = response.content.decode()
    assert "giám đốc của trung tâm đã được ghi hoặc sửa ở nơi khác; chưa có gì được lưu" in content
    assert "Người Thứ Hai" in content and 'value="Phạm Thị Mới"' in content, "the typed entry is kept"
    assert list(Director.objects.filter(center=center).order_by("pk").values_list("full_name", "ended_on")) == [
        ("Người Thứ Nhất", day(3)), ("Người Thứ Hai", None)]


def test_a_director_recorded_where_the_page_showed_none_refuses_it(department_user, center):
    client = staff_client(department_user)
    url = reverse("centers:director_appoint", args=[center.pk])
    assert "chưa có giám đốc đương nhiệm" in client.get(url).content.decode()
    DirectorFactory(center=center, full_name="Người Vừa Ghi", started_on=day(1))
    response = client.post(url, {**director_data(), "current_director": ""})
    assert response.status_code == 409 and "Người Vừa Ghi" in response.content.decode()
    assert Director.objects.filter(center=center).count() == 1


def test_a_first_director_needs_no_version(department_user, center):
    response = staff_client(department_user).post(
        reverse("centers:director_appoint", args=[center.pk]), {**director_data(), "current_director": ""})
    assert response.status_code == 302
    assert Director.objects.get(center=center).full_name == "Phạm Thị Mới"


# The status


def test_a_suspension_is_recorded_with_its_decision(department_user, center):
    client = staff_client(department_user)
    url = reverse("centers:center_status_change", args=[center.pk])
    data = {**edit_version(client, url), "status": CenterStatus.SUSPENDED, "effective_on": dmy(day(2)),
            "number": "7/QĐ-SGDĐT", "signed_on": dmy(day(3)), "issuer": "Sở GDĐT Bắc Ninh",
            "signer_name": "Nguyễn Văn Ký", "reason": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    center.refresh_from_db()
    change = center.status_changes.get()
    assert center.status == CenterStatus.SUSPENDED
    assert (change.new_status, change.effective_on, change.recorded_by) == (
        CenterStatus.SUSPENDED, day(2), department_user)
    assert (change.document.kind, change.document.number, change.document.signer_name) == (
        DocumentKind.SUSPENSION, "7/QĐ-SGDĐT", "Nguyễn Văn Ký")
    assert change.reason == "Quyết định đình chỉ hoạt động"
    # Back to operating: a resumption, the licence still current.
    data = {**edit_version(client, url), "status": CenterStatus.OPERATING, "effective_on": dmy(day(1)),
            "number": "9/QĐ-SGDĐT", "signed_on": dmy(day(1)), "issuer": "Sở GDĐT Bắc Ninh"}
    assert client.post(url, data).status_code == 302
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING and center.current_licence.number == "12/QĐ-SGDĐT"
    assert center.status_changes.first().document.kind == DocumentKind.RESUMPTION


def test_a_revocation_ends_the_licence(department_user, center):
    center_status_change(center=center, status=CenterStatus.STOPPED, effective_on=day(1), by=department_user,
                         decision={"number": "3/QĐ-SGDĐT", "signed_on": day(1), "issuer": "Sở GDĐT Bắc Ninh"})
    center.refresh_from_db()
    assert center.status == CenterStatus.STOPPED and center.current_licence is None


@pytest.mark.parametrize(("status", "fields", "field", "message"), [
    (CenterStatus.OPERATING, {}, "status", "Trung tâm đang ở trạng thái này."),
    (CenterStatus.SUSPENDED, {}, "number", "Trạng thái này cần quyết định"),
    (CenterStatus.UNLICENSED, {}, "reason", "Hãy ghi lý do"),
    (CenterStatus.UNLICENSED, {"reason": "Kết luận kiểm tra", "decision": {"number": "1", "signed_on": day(1),
                                                                           "issuer": "Sở"}},
     "number", "không ghi kèm quyết định"),
    (CenterStatus.NOT_YET_LICENSED, {"reason": "Ghi nhầm"}, "status", "đã có giấy phép hiện hành"),
    (CenterStatus.SUSPENDED, {"effective_on": TODAY + datetime.timedelta(days=2),
                              "decision": {"number": "1", "signed_on": day(1), "issuer": "Sở"}},
     "effective_on", "không được ở tương lai"),
    (CenterStatus.SUSPENDED, {"effective_on": day(5), "decision": {"number": "1", "signed_on": day(1),
                                                                   "issuer": "Sở"}},
     "effective_on", "không được trước ngày ký quyết định"),
])
def test_the_status_service_refuses_what_the_register_contradicts(center, status, fields, field, message):
    kwargs = {"effective_on": day(1), **fields}
    with pytest.raises(ValidationError) as caught:
        center_status_change(center=center, status=status, **kwargs)
    assert message in " ".join(caught.value.message_dict[field])
    assert not StatusChange.objects.exists() and LicenceDocument.objects.count() == 1


def test_operating_needs_a_licence_first(commune):
    center = new_center(commune)
    with pytest.raises(ValidationError, match="Thêm văn bản"):
        center_status_change(center=center, status=CenterStatus.OPERATING, effective_on=day(1),
                             decision={"number": "1", "signed_on": day(1), "issuer": "Sở"})


def test_a_status_earlier_than_the_last_change_is_refused(center, department_user):
    center_status_change(center=center, status=CenterStatus.UNLICENSED, effective_on=day(3), reason="Kiểm tra")
    with pytest.raises(ValidationError, match="lần đổi trạng thái gần nhất"):
        center_status_change(center=center, status=CenterStatus.SUSPENDED, effective_on=day(10),
                             decision={"number": "1", "signed_on": day(20), "issuer": "Sở"})


def test_a_status_changed_by_someone_else_meanwhile_is_a_conflict(department_user, center):
    client = staff_client(department_user)
    url = reverse("centers:center_status_change", args=[center.pk])
    version = edit_version(client, url)
    center_status_change(center=center, status=CenterStatus.UNLICENSED, effective_on=day(2), reason="Kiểm tra")
    response = client.post(url, {**version, "status": CenterStatus.DISSOLVED, "effective_on": dmy(day(1)),
                                 "number": "5/QĐ", "signed_on": dmy(day(1)), "issuer": "Sở GDĐT Bắc Ninh"})
    assert response.status_code == 409
    assert "Người khác đã sửa hồ sơ này sau khi bạn mở" in response.content.decode()
    center.refresh_from_db()
    assert center.status == CenterStatus.UNLICENSED and center.status_changes.count() == 1


def test_a_status_form_without_its_version_is_refused(department_user, center):
    response = staff_client(department_user).post(
        reverse("centers:center_status_change", args=[center.pk]),
        {"status": CenterStatus.UNLICENSED, "effective_on": dmy(day(1)), "reason": "Kiểm tra"})
    assert response.status_code == 409
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING


def test_the_status_form_offers_the_other_statuses_and_marks_the_decision_fields(department_user, center):
    page = staff_client(department_user).get(reverse("centers:center_status_change", args=[center.pk]))
    choices = [value for value, _label in page.context["form"].fields["status"].choices]
    assert CenterStatus.OPERATING not in choices and CenterStatus.SUSPENDED in choices
    assert "Trạng thái hiện nay:" in page.content.decode()


# Who may


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("role", ["inspector", "director", "local_officer"])
def test_only_department_staff_may_keep_the_register(client, request, name, role, center):
    client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[center.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**licence_data(), **director_data(), "status": "suspended"}).status_code == 403
    assert LicenceDocument.objects.count() == 1 and not Director.objects.exists()


@pytest.mark.parametrize("name", URLS)
def test_another_provinces_center_is_not_found(client, foreign_department_user, center, name):
    client.force_login(foreign_department_user)
    assert client.get(reverse(name, args=[center.pk])).status_code == 404
    assert client.post(reverse(name, args=[center.pk]), licence_data()).status_code == 404
    assert LicenceDocument.objects.count() == 1


@pytest.mark.parametrize("name", URLS)
def test_anonymous_users_are_sent_to_login(client, center, name):
    response = client.get(reverse(name, args=[center.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_center_page_offers_the_three_forms_to_staff_only(client, department_user, inspector, center):
    client.force_login(department_user)
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    for marker in ('id="licence-document-create"', 'id="director-appoint"', 'id="center-status-change"'):
        assert marker in page
    client.force_login(inspector)
    page = client.get(reverse("centers:center_detail", args=[center.pk])).content.decode()
    assert 'id="licence-document-create"' not in page and 'id="center-status-change"' not in page


def test_a_superuser_may_keep_any_register(client, center):
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "matkhau-thu-nghiem-dai")
    client.force_login(admin)
    assert client.get(reverse("centers:licence_document_create", args=[center.pk])).status_code == 200


def test_the_forms_store_text_as_nfc(department_user, commune):
    import unicodedata

    center = new_center(commune)
    decomposed = unicodedata.normalize("NFD", "Sở GDĐT Bắc Ninh")
    staff_client(department_user).post(reverse("centers:licence_document_create", args=[center.pk]),
                                       licence_data(issuer=decomposed))
    assert LicenceDocument.objects.get(center=center).issuer == "Sở GDĐT Bắc Ninh"


def test_licence_document_create_is_the_service_the_view_uses(department_user, commune):
    center = new_center(commune)
    document = licence_document_create(center=center, kind=DocumentKind.OPERATION, number="1/GP",
                                       signed_on=day(1), issuer="Sở GDĐT Bắc Ninh", by=department_user)
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING and center.current_licence == document


def test_a_director_without_recognition_is_refused(department_user, center):
    response = staff_client(department_user).post(
        reverse("centers:director_appoint", args=[center.pk]),
        {**director_data(recognition_number="", recognition_date=""), "current_director": ""})
    assert response.status_code == 200
    assert not Director.objects.exists()


def test_center_save_writes_the_record_and_its_derived_columns_together(commune):
    """The one write path of a center's own record: nobody has to remember the refresh."""
    center = Center(province=commune.parent, commune=commune, code="NN777", name="Trung tâm Ngoại ngữ Đông Sơn",
                    kind="language")
    center_save(center=center)
    stored = Center.objects.get(pk=center.pk)
    assert "dong son" in stored.search_text and stored.current_licence_id is None

    document = licence_document_create(center=center, kind=DocumentKind.ESTABLISHMENT_OPERATION,
                                       number="77/QĐ-SGDĐT", signed_on=datetime.date(2026, 3, 2),
                                       issuer="Sở GDĐT Bắc Ninh")
    center.name = "Trung tâm Ngoại ngữ Đông Sơn Mới"
    center_save(center=center, update_fields=["name"])
    stored.refresh_from_db()
    assert "dong son moi" in stored.search_text and stored.current_licence_id == document.pk
    assert center.search_text == stored.search_text  # the caller's instance is up to date too
