"""The demo's licence documents carry what they printed on the day they were signed
(issue 11), so that every decision and certificate the demo prints reads as issued."""

import datetime

import pytest
from django.db import transaction

from centers.choices import CenterKind, DocumentKind
from centers.demo import demo_seed
from centers.legal import TWO_LEVEL_FROM
from centers.models import LicenceDocument
from centers.pdf import DECISION_KINDS, TEMPLATE, licence_decision_context
from edu_portal.pdf import render_pdf
from tests.documents import pdftools

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def decisions(django_db_setup, django_db_blocker):
    """The registry's demo (centers.demo only, about 3 s), rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_seed(today=datetime.date(2026, 3, 1))
        yield list(
            LicenceDocument.objects.filter(kind__in=DECISION_KINDS)
            .select_related("center__province", "center__commune").order_by("signed_on", "pk")
        )
        transaction.set_rollback(True)


def test_every_demo_decision_knows_the_address_it_printed(decisions):
    assert decisions
    for document in decisions:
        assert document.address_as_printed, document
        if document.signed_on < TWO_LEVEL_FROM:
            # The districts and the former provinces of that day.
            assert "huyện" in document.address_as_printed or "thành phố" in document.address_as_printed, document
        else:
            assert document.address_as_printed.endswith("tỉnh Bắc Ninh"), document


def test_the_former_bac_giang_decisions_name_their_province_of_that_day(decisions):
    old = [d for d in decisions if d.issuer == "Sở GDĐT Bắc Giang"]
    assert old
    for document in old:
        assert document.signed_on < TWO_LEVEL_FROM
        assert document.address_as_printed.endswith("tỉnh Bắc Giang"), document
        assert (document.issuer_parent_as_printed, document.place_as_printed) == ("UBND TỈNH BẮC GIANG", "Bắc Giang")
    text = pdftools.flat(render_pdf(TEMPLATE, licence_decision_context(old[0])))
    assert "UBND TỈNH BẮC GIANG" in text and "Bắc Giang, ngày" in text
    assert "Bắc Ninh" not in text


def test_terms_are_printed_only_where_the_decision_stated_one(decisions):
    stated = [d for d in decisions if d.validity_stated]
    followed = [d for d in decisions if d.valid_until and not d.validity_stated]
    assert stated and followed
    assert all(d.valid_until for d in stated)
    assert "đến hết" not in pdftools.flat(render_pdf(TEMPLATE, licence_decision_context(followed[0])))


def test_each_kind_of_demo_document_reads_as_its_form(decisions):
    certificate = next(d for d in decisions if d.kind == DocumentKind.REGISTRATION)
    text = pdftools.flat(render_pdf(TEMPLATE, licence_decision_context(certificate)))
    assert "GIẤY CHỨNG NHẬN" in text and "QUYẾT ĐỊNH" not in text

    community = next(d for d in decisions if d.center.kind == CenterKind.COMMUNITY)
    text = pdftools.flat(render_pdf(TEMPLATE, licence_decision_context(community)))
    assert "Về việc thành lập và cho phép hoạt động giáo dục Trung tâm học tập cộng đồng" in text
    assert "Theo đề nghị của Trưởng phòng Văn hóa - Xã hội." in text
    assert "Xét hồ sơ đề nghị của" not in text

    private = next(d for d in decisions if d.center.investor_name and d.signed_on >= TWO_LEVEL_FROM)
    text = pdftools.flat(render_pdf(TEMPLATE, licence_decision_context(private)))
    assert f"Xét hồ sơ đề nghị của {private.center.investor_name};" in text
    assert "Theo đề nghị của Trưởng phòng Giáo dục Tiểu học." in text
