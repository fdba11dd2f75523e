"""Strict numbers from requests (edu_portal.params) and the pages that use them: ASCII
digits only, within a database integer, never an exception; list pages clamp their page
number (issue 9)."""

import pytest
from django import forms
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from centers.models import Center
from edu_portal.params import DB_INT_MAX, StrictIntegerField, StrictModelMultipleChoiceField, parse_ids, parse_int
from inspections.filters import ComplaintFilterSet, InspectionFilterSet
from inspections.models import Complaint, Inspection
from notifications.models import Notification
from tests.factories import CenterFactory

HUGE = "1" + "0" * 30


# parse_int


@given(st.text())
def test_parse_int_never_raises_and_answers_none_or_an_id(value):
    number = parse_int(value)
    assert number is None or (type(number) is int and 1 <= number <= DB_INT_MAX)


@given(st.text(), st.integers(-10, 10), st.one_of(st.none(), st.integers(0, 10**40)))
def test_parse_int_keeps_any_bounds_it_is_given(value, low, high):
    number = parse_int(value, min_value=low, max_value=high, default=None)
    assert number is None or (low <= number and (high is None or number <= high))


@given(st.integers(1, DB_INT_MAX))
def test_every_id_written_in_ascii_digits_is_read_back(number):
    assert parse_int(str(number)) == number
    assert parse_int(number) == number


@given(st.text(st.characters(categories=["Nd", "No"]).filter(lambda c: c.isdigit() and not c.isascii()), min_size=1))
def test_digits_of_other_scripts_are_not_numbers(value):
    assert value.isdigit()  # what the old checks let through
    assert parse_int(value) is None


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("12", {}, 12),
        ("007", {}, 7),
        ("²", {}, None),
        ("١٢", {}, None),  # Arabic-Indic digits: int() reads them, we do not
        ("１２", {}, None),  # full-width digits
        (" 12", {}, None),
        ("+12", {}, None),
        ("-1", {}, None),
        ("1e3", {}, None),
        ("1_000", {}, None),
        ("12.0", {}, None),
        ("0", {}, None),
        ("0", {"min_value": 0}, 0),
        (str(DB_INT_MAX), {}, DB_INT_MAX),
        (str(DB_INT_MAX + 1), {}, None),
        (HUGE, {}, None),
        (HUGE, {"max_value": None}, 10**30),
        ("1" * 10_000, {"max_value": None}, None),  # int() would refuse more than 4,300 digits
        ("x" * 10_000, {"default": 1}, 1),
        ("\x00", {}, None),
        ("", {"default": 5}, 5),
        (None, {"default": 5}, 5),
        (True, {}, None),
        (42, {}, 42),
        (-3, {}, None),
    ],
)
def test_parse_int(value, kwargs, expected):
    assert parse_int(value, **kwargs) == expected


def test_parse_ids_keeps_the_valid_ids_in_order_once():
    assert parse_ids(["3", "²", 3, "x", HUGE, "4", None, "0"]) == [3, 4]
    assert parse_ids(None) == []


# Form fields and filters


@pytest.mark.parametrize("value", ["²", "١٢", "1e3", "x" * 10_000, "1" * 10_000, "\x00"])
def test_a_strict_integer_field_refuses_what_is_not_ascii_digits(value):
    with pytest.raises(forms.ValidationError) as refused:
        StrictIntegerField().clean(value)
    assert [error.code for error in refused.value.error_list] == ["invalid"]


def test_a_strict_integer_field_keeps_a_database_integer():
    field = StrictIntegerField()
    assert field.clean(" 42 ") == 42
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(HUGE)
    assert [error.code for error in refused.value.error_list] == ["max_value"]
    assert StrictIntegerField(min_value=1, max_value=240).clean("240") == 240


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, "²", "x" * 10_000])
def test_an_id_filter_out_of_range_is_a_form_error_and_an_empty_list(center, value):
    for filterset_class, model in ((InspectionFilterSet, Inspection), (ComplaintFilterSet, Complaint)):
        filterset = filterset_class({"center": value}, queryset=model.objects.all())
        assert not filterset.is_valid()
        assert "center" in filterset.errors
        assert list(filterset.qs) == []  # django-filter's answer to invalid input, no query error


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, "²", "x" * 10_000, "\x00"])
def test_a_multiple_choice_of_ids_refuses_what_is_not_one(center, value):
    field = StrictModelMultipleChoiceField(queryset=Center.objects.all())
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([str(center.pk), value])
    assert [error.code for error in refused.value.error_list] == ["invalid_pk_value"]
    assert list(field.clean([str(center.pk)])) == [center]


# Pages


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "shown"), [
    ("2", 2), ("99", 2), ("last", 2), (HUGE, 2), ("1" * 10_000, 1), ("²", 1), ("0", 1), ("x", 1), ("", 1),
])
def test_a_list_page_number_is_clamped_to_the_pages_there_are(client, department_user, page, shown):
    Notification.objects.bulk_create(
        Notification(recipient=department_user, key=f"n{i}", subject=f"Thông báo {i}") for i in range(31)
    )
    client.force_login(department_user)
    response = client.get(reverse("notifications:notification_list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown
    assert len(response.context["notifications"]) == (30 if shown == 1 else 1)


@pytest.mark.django_db
def test_a_filtered_list_clamps_its_page_too(client, department_user, commune):
    CenterFactory.create_batch(51, commune=commune)
    client.force_login(department_user)
    url = reverse("centers:center_list")
    assert client.get(url, {"page": HUGE}).context["page_obj"].number == 2
    assert client.get(url, {"page": "²"}).context["page_obj"].number == 1


# Ids posted by hand-written forms


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "field"), [("reports.completeness_summary", "period"),
                                             ("centers.commune_decisions", "commune")])
@pytest.mark.parametrize("value", ["²", HUGE, "x" * 10_000, "0", "-1"])
def test_a_pdf_job_for_an_id_that_is_not_one_is_a_404(client, department_user, kind, field, value):
    from documents.models import PdfJob

    client.force_login(department_user)
    response = client.post(reverse("documents:pdf_job_create"), {"kind": kind, field: value})
    assert response.status_code == 404
    assert not PdfJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", HUGE])
def test_a_superuser_choosing_a_province_that_is_not_one_is_asked_to_choose(client, value):
    from tests.factories import make_user

    client.force_login(make_user("", province=None, username="root", is_superuser=True))
    response = client.get(reverse("inspections:weights_update"), {"province": value})
    assert response.status_code == 302 and response.url == reverse("inspections:compliance")
    assert client.get(reverse("inspections:compliance"), {"province": value}).status_code == 200
