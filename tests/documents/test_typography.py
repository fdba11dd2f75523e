"""Decree 30/2020's typography (Appendix I) measured on the laid-out page (issue 11):
paragraphs at least 6 pt apart; the rules under the issuing body and under the summary a
third to a half of their line; no line break inside the name of an administrative unit
("TỈNH BẮC / GIANG") or of a person."""

import datetime

import pytest

from centers.choices import CenterKind, DocumentKind
from centers.pdf import TEMPLATE, licence_decision_context
from edu_portal.pdf import _layout, nobreak_parts, render_html, render_pdf
from tests.documents import pdftools
from tests.factories import CenterFactory, CommuneFactory, DocumentFactory, ProvinceFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PT = 96 / 72  # WeasyPrint lays out in CSS px


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def _boxes(document):
    for page in document.pages:
        yield from page._page_box.descendants()


def _lines_width(box) -> float:
    """The width of the longest line of text inside `box`."""
    widths = [
        sum(child.margin_width() for child in line.children)
        for line in box.descendants() if type(line).__name__ == "LineBox"
    ]
    return max(widths)


@pytest.fixture
def layout(center):
    """A decision of the former Bắc Giang province's People's Committee: a long issuing
    body ("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG") and a two-line summary."""
    center.founding_authority, center.investor_name = "UBND tỉnh Bắc Giang", ""
    center.kind = CenterKind.VOCATIONAL
    center.save()
    document = DocumentFactory(
        center=center, kind=DocumentKind.ESTABLISHMENT, number="85/QĐ-UBND", signed_on=D(2018, 4, 2),
        issuer="UBND tỉnh Bắc Giang", center_name_as_printed="Trung tâm Giáo dục nghề nghiệp - Giáo dục thường "
                                                             "xuyên huyện Lục Ngạn",
        address_as_printed="Thôn Thượng, thị trấn Chũ, huyện Lục Ngạn, tỉnh Bắc Giang",
    )
    context = licence_decision_context(document)
    return {"document": _layout(render_html(TEMPLATE, context)), "pdf": render_pdf(TEMPLATE, context)}


def test_paragraphs_are_at_least_6pt_apart(layout):
    # Paragraphs of the content (13-14 pt): <p> and the dash items, each a block.
    body = [
        box for box in _boxes(layout["document"])
        if type(box).__name__ == "BlockBox" and getattr(box, "element_tag", "") in ("p", "li")
        and box.style["font_size"] >= 13 * PT - 0.1
    ]
    assert len(body) >= 8
    for box in body:
        assert box.margin_bottom >= 6 * PT - 0.01, (box.element_tag, box.margin_bottom / PT)


@pytest.mark.parametrize(("rule_class", "text_class"), [("rule-agency", "issuing-body"), ("rule-title", "doc-summary")])
def test_each_rule_is_a_third_to_a_half_of_its_line(layout, rule_class, text_class):
    boxes = list(_boxes(layout["document"]))
    rule = next(box for box in boxes if rule_class in _classes(box))
    text = next(box for box in boxes if text_class in _classes(box) and type(box).__name__ == "BlockBox")
    ratio = rule.border_width() / _lines_width(text)
    assert 1 / 3 <= ratio <= 1 / 2, ratio


def test_a_units_name_is_never_broken_across_lines(layout):
    lines = pdftools.lines(layout["pdf"])
    header = next(line for line in lines if "ỦY BAN NHÂN DÂN" in line)
    # The issuing body breaks between the body and its unit, never inside the unit's name.
    assert "TỈNH BẮC GIANG" in " ".join(lines[:3])
    assert any(line.startswith("TỈNH BẮC GIANG") for line in lines[:3]), lines[:3]
    assert not any(line.endswith(("TỈNH BẮC", "TỈNH")) for line in lines[:3]), header
    body = pdftools.text(layout["pdf"], layout=True)
    for name in ("huyện Lục Ngạn", "tỉnh Bắc Giang", "thị trấn Chũ"):
        assert name in " ".join(body.split()), name
        for line in body.splitlines():
            words = line.split()
            # A line never ends with the type or the first word of a name it then breaks.
            assert not (words and " ".join(words[-2:]) in ("huyện Lục", "tỉnh Bắc", "thị trấn")), line


def test_names_kept_together_are_units_with_their_type_and_header_bodies():
    assert nobreak_parts("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG") == [
        ("ỦY BAN NHÂN DÂN", True), (" ", False), ("TỈNH BẮC GIANG", True)]
    assert nobreak_parts("Thôn Đông, xã Quý Sơn, huyện Lục Ngạn, tỉnh Bắc Giang") == [
        ("Thôn Đông, ", False), ("xã Quý Sơn,", True), (" ", False), ("huyện Lục Ngạn,", True), (" ", False),
        ("tỉnh Bắc Giang", True)]
    assert nobreak_parts("tỉnh Bà Rịa - Vũng Tàu") == [("tỉnh Bà Rịa - Vũng Tàu", True)]
    # Words that merely begin like a unit type are left alone.
    assert nobreak_parts("xã hội hóa giáo dục") == [("xã hội hóa giáo dục", False)]
    assert "".join(part for part, _keep in nobreak_parts("Phường 5, Quận 3, Thành phố Hồ Chí Minh")) == (
        "Phường 5, Quận 3, Thành phố Hồ Chí Minh")


@pytest.fixture
def center(db):
    province = ProvinceFactory(code="24", name="Bắc Ninh")
    commune = CommuneFactory(code="07582", name="Xã Lục Ngạn", parent=province)
    return CenterFactory(commune=commune, name="Trung tâm GDNN-GDTX khu vực Lục Ngạn")
