"""The registry's official PDFs: a decision permitting a center to be established or to
operate, or a registration certificate (from its LicenceDocument), one at a time in the
request or all of a commune's in one file (a documents.PdfJob rendered in Celery).

The register keeps a document's number, date, issuer, validity and scope, and what the
document printed on the day it was signed when that differs from what the register
derives: the issuer and its parent body, the place, the center's name and address, who
applied and who proposed, the bases, the signer (LicenceDocument's "as printed" fields).
The document is laid out in the state format from what is stored, as Decree 30/2020
Appendix III shows its kind: a decision as sample 1.2 (authority, "Căn cứ" lines,
"QUYẾT ĐỊNH:", articles), a certificate numbered …/GCN-… as sample 1.4 (GIẤY CHỨNG
NHẬN). Anything not stored is left blank to fill in (a dotted line, an empty signer
name) and is never made up: no expiry unless the document states one, no address of
today on a document signed under the former units. The derived "Căn cứ" lines cite only
the texts in force on the signing date (centers.legal).

Imported by CentersConfig.ready() to register "centers.commune_decisions".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import require
from documents.registry import PdfBuildError, Prepared, register
from edu_portal.params import parse_int
from edu_portal.pdf import (
    place_name,
    render_pdf_documents,
    state_day,
    unit_in_text,
    unit_title,
)
from geo.models import AdministrativeUnit
from geo.text import fold

from .choices import GRANTING_KINDS, CenterKind, DocumentKind
from .legal import TWO_LEVEL_FROM, IssuerType, legal_bases, stored_bases
from .models import Center, LicenceDocument, Location
from .selectors import communes_visible_to, scoped

TEMPLATE = "pdf/licence_decision.html"

# The decisions that give a center its existence or its right to operate.
DECISION_KINDS = (DocumentKind.ESTABLISHMENT, *GRANTING_KINDS)

BLANK = "……………………………………"


# The issuer, read from the free text the register keeps ("Sở GDĐT Bắc Giang (trước sáp
# nhập)", "UBND xã Tân Dân", "Phòng GDĐT huyện Yên Phong"...).

_TRAILING_NOTE = r"\s*(?:\(.*\))?\s*$"
_SO_RE = re.compile(
    r"^\s*Sở\s+(?:GDĐT|GD\s*&\s*ĐT|GD-ĐT|GD\s+và\s+ĐT|Giáo\s+dục\s+và\s+Đào\s+tạo)\s+"
    r"(?:(?:tỉnh|thành\s+phố|TP\.?)\s+)?(?P<place>[^()]+?)" + _TRAILING_NOTE, re.IGNORECASE,
)
_PHONG_RE = re.compile(
    r"^\s*Phòng\s+(?:GDĐT|GD\s*&\s*ĐT|GD-ĐT|Giáo\s+dục\s+và\s+Đào\s+tạo)\s+"
    r"(?P<unit>(?:huyện|quận|thị\s+xã|thành\s+phố)\s+[^()]+?)" + _TRAILING_NOTE, re.IGNORECASE,
)
_UBND_RE = re.compile(
    r"^\s*(?:UBND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân)\s+"
    r"(?P<unit>(?:xã|phường|đặc\s+khu|thị\s+trấn|huyện|quận|thị\s+xã|thành\s+phố|tỉnh)\s+[^()]+?)" + _TRAILING_NOTE,
    re.IGNORECASE,
)
_UNIT_TYPES = ("đặc khu", "thị trấn", "thị xã", "thành phố", "xã", "phường", "huyện", "quận", "tỉnh")
# An administrative body's name: never "the applicant" of a decision it or its superior signs.
_ADMINISTRATIVE = re.compile(r"^\s*(UBND|Ủy\s+ban|Uỷ\s+ban|Sở\s|Phòng\s|Bộ\s)", re.IGNORECASE)


@dataclass(frozen=True)
class Issuer:
    """How the issuer appears on the document: header lines, place, the authority line
    above the "Căn cứ" lines, the signer's position, who executes the decision, its full
    name in a sentence ("Sở Giáo dục và Đào tạo tỉnh Bắc Giang") and its type
    (centers.legal.IssuerType)."""

    parent_body: str
    issuing_body: str
    place: str
    authority: str
    sign_position: str
    executors: str
    full_name: str = ""
    type: str = IssuerType.OTHER


def _unit_name(unit: str) -> tuple[str, str]:
    """("xã", "Tân Dân") from "xã Tân Dân"."""
    lowered = unit.lower()
    for unit_type in _UNIT_TYPES:
        if lowered.startswith(unit_type + " "):
            return unit_type, unit[len(unit_type) + 1:].strip()
    return "", unit.strip()


def _province_unit(place: str) -> AdministrativeUnit | None:
    folded = fold(place)
    names = [folded, f"tinh {folded}", f"thanh pho {folded}"]
    return (
        AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE, name_folded__in=names)
        .only("name", "unit_type").first()
    )


def _province_title(place: str) -> str:
    """ "Tỉnh Bắc Giang" or "Thành phố Hà Nội": the type comes from the province of that
    name when it is in the units table, else "tỉnh" (a pre-2025 province)."""
    unit = _province_unit(place)
    return unit_title(unit) if unit is not None else f"Tỉnh {place}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def parse_issuer(issuer: str, center: Center) -> Issuer:
    """The issuer's header from the register's free text; an issuer the portal does not
    recognise is printed as written, with no authority line and no position."""
    text = " ".join((issuer or "").split())
    if match := _SO_RE.match(text):
        place = match["place"].strip()
        province = _province_title(place)
        return Issuer(
            parent_body=f"UBND {province.upper()}", issuing_body="SỞ GIÁO DỤC VÀ ĐÀO TẠO", place=place,
            authority="GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO", sign_position="GIÁM ĐỐC",
            executors="Chánh Văn phòng, Trưởng các phòng có liên quan thuộc Sở Giáo dục và Đào tạo",
            full_name=f"Sở Giáo dục và Đào tạo {_lower_first(province)}", type=IssuerType.DEPARTMENT,
        )
    if match := _PHONG_RE.match(text):
        unit_type, name = _unit_name(match["unit"])
        return Issuer(
            parent_body=f"UBND {unit_type} {name}".upper(), issuing_body="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", place=name,
            authority="TRƯỞNG PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", sign_position="TRƯỞNG PHÒNG",
            executors="Thủ trưởng các cơ quan, đơn vị có liên quan",
            full_name=f"Phòng Giáo dục và Đào tạo {unit_type} {name}", type=IssuerType.DISTRICT_OFFICE,
        )
    if match := _UBND_RE.match(text):
        unit_type, name = _unit_name(match["unit"])
        if unit_type in ("xã", "phường", "đặc khu", "thị trấn"):
            level = IssuerType.COMMUNE
        elif unit_type == "tỉnh" or (unit_type == "thành phố" and _province_unit(name) is not None):
            level = IssuerType.PROVINCE
        else:
            level = IssuerType.DISTRICT
        body = f"ỦY BAN NHÂN DÂN {unit_type} {name}".upper()
        # The chairman decides on the centers (Decree 125/2024; Decree 142/2025 for the
        # communes): the authority line is the chairman's and the signature "CHỦ TỊCH",
        # without "TM." (Appendix III, sample 1.2, note 6).
        return Issuer(
            parent_body="", issuing_body=body, place=name, authority=f"CHỦ TỊCH {body}", sign_position="CHỦ TỊCH",
            executors="Thủ trưởng các cơ quan, đơn vị có liên quan",
            full_name=f"Ủy ban nhân dân {unit_type} {name}", type=level,
        )
    return Issuer(
        parent_body="", issuing_body=text.upper(), place=place_name(center.province), authority="",
        sign_position="", executors="Thủ trưởng các cơ quan, đơn vị có liên quan", full_name=text,
    )


# The document


class Form:
    """Which of Decree 30's samples a licence document is laid out as."""

    DECISION = "decision"  # Appendix III, sample 1.2: quyết định (cá biệt) quy định trực tiếp
    CERTIFICATE = "certificate"  # sample 1.4: a named type, here GIẤY CHỨNG NHẬN


_NUMBER_TYPE = re.compile(r"^\s*\d+\s*/\s*(?P<type>[^-/\s]+)\s*-")


def document_form(document: LicenceDocument) -> str:
    """The form follows the type in the document's own number ("…/GCN-SGDĐT" is a
    certificate, "…/QĐ-SGDĐT" a decision, whatever the register's kind); without one,
    a registration is a certificate and the rest are decisions."""
    match = _NUMBER_TYPE.match(document.number or "")
    symbol = match["type"].upper() if match else ""
    if symbol == "GCN":
        return Form.CERTIFICATE
    if symbol == "QĐ":
        return Form.DECISION
    return Form.CERTIFICATE if document.kind == DocumentKind.REGISTRATION else Form.DECISION


def is_public(center: Center) -> bool:
    """A public center has a founding body and no investor (the register has no other
    record of ownership): it is "thành lập", a private one "cho phép thành lập"."""
    return bool(center.founding_authority) and not center.investor_name


def _summary(document: LicenceDocument, name: str, public: bool) -> tuple[str, str]:
    """(trích yếu, the opening of Điều 1) of a decision. A public center is established
    ("thành lập"); a private one is permitted to be ("cho phép thành lập")."""
    establish = "thành lập" if public else "cho phép thành lập"
    return {
        DocumentKind.ESTABLISHMENT: (f"Về việc {establish} {name}", f"{establish.capitalize()} {name}"),
        DocumentKind.ESTABLISHMENT_OPERATION: (
            f"Về việc {establish} và cho phép hoạt động giáo dục {name}",
            f"{establish.capitalize()} và cho phép hoạt động giáo dục {name}",
        ),
        DocumentKind.OPERATION: (
            f"Về việc cho phép {name} hoạt động giáo dục", f"Cho phép {name} hoạt động giáo dục",
        ),
        DocumentKind.REGISTRATION: (
            f"Về việc cấp Giấy chứng nhận đăng ký hoạt động cho {name}",
            f"Cấp Giấy chứng nhận đăng ký hoạt động cho {name}",
        ),
    }[document.kind]


def _address(center: Center) -> str:
    """Street, commune, province, the units as a sentence writes them ("phường Kinh Bắc,
    tỉnh Bắc Ninh")."""
    parts = (center.street, unit_in_text(center.commune), unit_in_text(center.province))
    return ", ".join(part for part in parts if part)


def address_on(document: LicenceDocument) -> str:
    """The address the document printed: its own record of it; else the center's
    "address as printed on the decision" when this is the center's current licence (what
    that field records); else, for a document signed under today's units (from
    1/7/2025), the address built from them. Before that the units were others (a 2019
    decision of Bắc Giang does not read "Tỉnh Bắc Ninh"): blank, to fill in, never
    today's."""
    center = document.center
    if document.address_as_printed:
        return document.address_as_printed
    if center.address_as_printed and center.current_licence_id == document.pk:
        return center.address_as_printed
    if document.signed_on >= TWO_LEVEL_FROM:
        return _address(center)
    return ""


def _applicant(document: LicenceDocument, center: Center, issuer: Issuer) -> str:
    """Who applied ("Xét hồ sơ đề nghị của ..."): the document's record; else the investor
    of a private center; else a founding body that is not an administration (a
    university for its center). Never the issuer itself or a body above it: a public
    center's founding authority is the one that signs or its superior."""
    if document.applicant_as_printed:
        return document.applicant_as_printed
    if center.investor_name:
        return center.investor_name
    founder = center.founding_authority
    if founder and not _ADMINISTRATIVE.match(founder) and fold(founder) != fold(issuer.full_name):
        return founder
    return ""


def _proposer(document: LicenceDocument, center: Center, issuer: Issuer) -> str:
    """Who proposed ("Theo đề nghị của ..."): the document's record; for a commune's
    community learning center from 1/7/2025, its Phòng Văn hóa - Xã hội, which advises the
    commune on these centers (Circular 15/2025, regulations.md 5.1); else a blank to
    fill in: which division of a Department proposes varies by Department."""
    if document.proposer:
        return document.proposer
    if (issuer.type == IssuerType.COMMUNE and center.kind == CenterKind.COMMUNITY
            and document.signed_on >= TWO_LEVEL_FROM):
        return "Trưởng phòng Văn hóa - Xã hội"
    return BLANK


def _signature(document: LicenceDocument, issuer: Issuer) -> tuple[str, str]:
    """(prefix line, position line): "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" as the document shows
    it, else the issuer's head."""
    lines = [line.strip() for line in (document.signer_title or "").split("/") if line.strip()]
    if len(lines) >= 2:
        return lines[0].upper(), " ".join(lines[1:]).upper()
    if lines:
        return "", lines[0].upper()
    return "", issuer.sign_position


def licence_decision_context(document: LicenceDocument) -> dict:
    """Everything templates/pdf/licence_decision.html shows, from the stored record only:
    what the document printed on the day it was signed (its own fields), else what the
    register derives for that day (centers.legal), else a dotted blank. `document.center`
    should come with its province and commune (select_related), and the document's
    locations prefetched for a bulk file."""
    center = document.center
    issuer = parse_issuer(document.issuer, center)
    form = document_form(document)
    public = is_public(center)
    name = document.center_name_as_printed or center.name
    summary, opening = _summary(document, name, public)
    if center.investor_name:
        owner = center.investor_name
        if center.investor_tax_code:
            owner = f"{owner} (mã số thuế: {center.investor_tax_code})"
    else:
        # A public center: its founding body is the issuer or above it, named in the header.
        owner = "" if public else BLANK
    if document.legal_bases.strip():
        bases = stored_bases(document.legal_bases)
    elif form == Form.DECISION:
        bases = legal_bases(document.signed_on, center.kind, issuer.type)
    else:
        bases = []
    applicant = _applicant(document, center, issuer)
    sign_prefix, sign_position = _signature(document, issuer)
    stated_until = document.valid_until if document.validity_stated else None
    certificate = form == Form.CERTIFICATE
    kind_title = "GIẤY CHỨNG NHẬN" if certificate else "QUYẾT ĐỊNH"
    return {
        "document": document,
        "center": center,
        "center_name": name,
        "province": center.province,
        "set_parent_body": True,
        "parent_body": document.issuer_parent_as_printed or issuer.parent_body,
        "issuing_body": document.issuer_name_as_printed or issuer.issuing_body,
        "number": document.number,
        "place": document.place_as_printed or issuer.place,
        "date": document.signed_on,
        "certificate": certificate,
        "doc_type": kind_title,
        "doc_summary": _certificate_summary(center) if certificate else summary,
        "authority": issuer.authority,
        "issuer_name": issuer.full_name,
        "legal_bases": bases,
        "applicant": applicant,
        "proposer": "" if certificate else _proposer(document, center, issuer),
        "opening": opening,
        "kind_label": CenterKind(center.kind).label if center.kind in CenterKind.values else center.kind,
        "address": address_on(document),
        "owner": owner,
        "founder": center.founding_authority if public else "",
        "locations": [location.address for location in document.locations.all() if location.is_active],
        "scope_lines": [line.strip() for line in document.scope.splitlines() if line.strip()],
        "blank": BLANK,
        "valid_until": stated_until,
        "valid_until_text": state_day(stated_until) if stated_until else "",
        "executors": issuer.executors,
        "recipients": ["Như Điều 3", "Lưu: VT"] if not certificate else [name, "Lưu: VT"],
        "set_sign_position": True,
        "sign_prefix": sign_prefix,
        "sign_position": sign_position,
        "signer_name": document.signer_name,
        "title": f"{'Giấy chứng nhận' if certificate else 'Quyết định'} {document.number} - {name}",
    }


def _certificate_summary(center: Center) -> str:
    """The summary under "GIẤY CHỨNG NHẬN": what is registered."""
    if center.kind == CenterKind.VOCATIONAL:
        return "Đăng ký hoạt động giáo dục nghề nghiệp, giáo dục thường xuyên"
    return "Đăng ký hoạt động giáo dục"


def decision_filename(document: LicenceDocument) -> str:
    number = document.number.replace("/", "-")
    kind = "Giấy chứng nhận" if document_form(document) == Form.CERTIFICATE else "Quyết định"
    return f"{kind} {number} - {document.center.name}.pdf"


def decision_documents(user) -> QuerySet[LicenceDocument]:
    """The decisions (establishment or right to operate) of the centers in the user's scope."""
    return (
        scoped(LicenceDocument.objects.filter(kind__in=DECISION_KINDS), user)
        .select_related("center__province", "center__commune")
    )


def licence_decision_get(user, center: Center, pk: int) -> LicenceDocument:
    """One decision of a center the user can see, or 404 (another center's, another
    kind of document, or outside the scope)."""
    return get_object_or_404(decision_documents(user).filter(center=center), pk=pk)


# All the decisions of a commune, in Celery


def commune_decisions(user, commune_id: int) -> QuerySet[LicenceDocument]:
    return (
        decision_documents(user)
        .filter(center__commune_id=commune_id)
        .prefetch_related(Prefetch("locations", queryset=Location.objects.order_by("pk")))
        .order_by("center__name", "center_id", "signed_on", "pk")
    )


def commune_decisions_prepare(user, data) -> Prepared:
    """Department staff for any commune of their province, a local officer for their own
    (403 for other roles, 404 for a commune outside the scope)."""
    require(user, "registry.commune_decisions")
    commune_id = parse_int(data.get("commune"))
    if commune_id is None:
        raise Http404
    commune = get_object_or_404(communes_visible_to(user), pk=commune_id)
    return Prepared(
        params={"commune": commune.pk},
        title=f"Các quyết định cho phép thành lập, hoạt động - {unit_title(commune)}",
    )


def commune_decisions_build(job, user, progress) -> tuple[str, bytes]:
    commune = AdministrativeUnit.objects.get(pk=job.params["commune"])
    documents = commune_decisions(user, commune.pk)
    total = documents.count()
    if not total:
        raise PdfBuildError(
            f"{unit_title(commune)} chưa có quyết định cho phép thành lập, hoạt động nào trong sổ đăng ký."
        )
    progress(1, f"Đang dựng 0/{total} quyết định")

    def advance(done: int, count: int) -> None:
        progress(98 * done / count, f"Đã dựng {done}/{count} quyết định")

    parts = ((TEMPLATE, licence_decision_context(document)) for document in documents.iterator(chunk_size=200))
    content = render_pdf_documents(parts, total=total, progress=advance)
    return f"Quyết định cho phép hoạt động - {unit_title(commune)}.pdf", content


register("centers.commune_decisions", prepare=commune_decisions_prepare, build=commune_decisions_build)
