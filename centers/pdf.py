"""The registry's official PDFs: a decision permitting a center to be established or to
operate (from its LicenceDocument), one at a time in the request or all of a commune's
in one file (a documents.PdfJob rendered in Celery).

The register keeps a decision's number, date, issuer, validity and scope, not its full
text. The document is laid out in the state format from what is stored. Anything not
stored is left blank to fill in (a dotted line, an empty signer name) and is never
made up. The "Căn cứ" lines cite only the texts in force on the signing date
(LEGAL_BASES below).

Imported by CentersConfig.ready() to register "centers.commune_decisions".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import can_print_commune_decisions, require
from documents.registry import PdfBuildError, Prepared, register
from edu_portal.params import parse_int
from edu_portal.pdf import place_name, render_pdf_documents, state_day, unit_title
from geo.models import AdministrativeUnit
from geo.text import fold

from .choices import GRANTING_KINDS, CenterKind, DocumentKind
from .models import Center, LicenceDocument, Location
from .selectors import communes_visible_to, scoped

TEMPLATE = "pdf/licence_decision.html"

# The decisions that give a center its existence or its right to operate.
DECISION_KINDS = (DocumentKind.ESTABLISHMENT, *GRANTING_KINDS)

BLANK = "……………………………………"

# "Căn cứ" lines: (first day the text applies, last day or None, center kinds or None for
# all, the line). Dates of Luật Giáo dục 2019, ND 125/2024 and TT 21/2018 are those of
# shared/domain/regulations.md; ND 46/2017 and ND 135/2018 are named there without
# dates, and theirs (signed 21/4/2017 and 04/10/2018, ND 135 in force 20/11/2018) should
# be checked against the official text before release.
D = datetime.date
LANGUAGE_IT = (CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT)
LEGAL_BASES = [
    (None, D(2020, 6, 30), None, "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2005;"),
    (D(2020, 7, 1), None, None, "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;"),
    (D(2017, 4, 21), D(2024, 11, 19), None,
     "Căn cứ Nghị định số 46/2017/NĐ-CP ngày 21 tháng 4 năm 2017 của Chính phủ quy định về điều kiện "
     "đầu tư và hoạt động trong lĩnh vực giáo dục;"),
    (D(2018, 11, 20), D(2024, 11, 19), None,
     "Căn cứ Nghị định số 135/2018/NĐ-CP ngày 04 tháng 10 năm 2018 của Chính phủ sửa đổi, bổ sung một số "
     "điều của Nghị định số 46/2017/NĐ-CP ngày 21 tháng 4 năm 2017 của Chính phủ quy định về điều kiện "
     "đầu tư và hoạt động trong lĩnh vực giáo dục;"),
    (D(2024, 11, 20), None, None,
     "Căn cứ Nghị định số 125/2024/NĐ-CP ngày 05 tháng 10 năm 2024 của Chính phủ quy định về điều kiện "
     "đầu tư và hoạt động trong lĩnh vực giáo dục;"),
    (D(2018, 10, 10), None, LANGUAGE_IT,
     "Căn cứ Thông tư số 21/2018/TT-BGDĐT ngày 24 tháng 8 năm 2018 của Bộ trưởng Bộ Giáo dục và Đào tạo "
     "ban hành Quy chế tổ chức và hoạt động của trung tâm ngoại ngữ, tin học;"),
]


def legal_bases(document: LicenceDocument) -> list[str]:
    """The "Căn cứ" lines in force on the signing date for the center's kind."""
    day, kind = document.signed_on, document.center.kind
    return [
        line for start, end, kinds, line in LEGAL_BASES
        if (start is None or day >= start) and (end is None or day <= end) and (kinds is None or kind in kinds)
    ]


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


@dataclass(frozen=True)
class Issuer:
    """How the issuer appears on the document: header lines, place, the authority line
    above the "Căn cứ" lines, the signer's position and who executes the decision."""

    parent_body: str
    issuing_body: str
    place: str
    authority: str
    sign_position: str
    executors: str


def _unit_name(unit: str) -> tuple[str, str]:
    """("xã", "Tân Dân") from "xã Tân Dân"."""
    lowered = unit.lower()
    for unit_type in _UNIT_TYPES:
        if lowered.startswith(unit_type + " "):
            return unit_type, unit[len(unit_type) + 1:].strip()
    return "", unit.strip()


def _province_title(place: str) -> str:
    """ "TỈNH BẮC GIANG" or "THÀNH PHỐ HÀ NỘI": the type comes from the province of that
    name when it is in the units table, else "tỉnh" (a pre-2025 province)."""
    folded = fold(place)
    names = [folded, f"tinh {folded}", f"thanh pho {folded}"]
    unit = (
        AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE, name_folded__in=names)
        .only("name", "unit_type").first()
    )
    if unit is not None:
        return unit_title(unit).upper()
    return f"TỈNH {place}".upper()


def parse_issuer(issuer: str, center: Center) -> Issuer:
    """The issuer's header from the register's free text; an issuer the portal does not
    recognise is printed as written, with no authority line and no position."""
    text = " ".join((issuer or "").split())
    if match := _SO_RE.match(text):
        place = match["place"].strip()
        return Issuer(
            parent_body=f"UBND {_province_title(place)}", issuing_body="SỞ GIÁO DỤC VÀ ĐÀO TẠO", place=place,
            authority="GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO", sign_position="GIÁM ĐỐC",
            executors="Chánh Văn phòng, Trưởng các phòng có liên quan thuộc Sở Giáo dục và Đào tạo",
        )
    if match := _PHONG_RE.match(text):
        unit_type, name = _unit_name(match["unit"])
        return Issuer(
            parent_body=f"UBND {unit_type} {name}".upper(), issuing_body="PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", place=name,
            authority="TRƯỞNG PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", sign_position="TRƯỞNG PHÒNG",
            executors="Thủ trưởng các cơ quan, đơn vị có liên quan",
        )
    if match := _UBND_RE.match(text):
        unit_type, name = _unit_name(match["unit"])
        body = f"ỦY BAN NHÂN DÂN {unit_type} {name}".upper()
        return Issuer(
            parent_body="", issuing_body=body, place=name, authority=f"CHỦ TỊCH {body}", sign_position="CHỦ TỊCH",
            executors="Thủ trưởng các cơ quan, đơn vị có liên quan",
        )
    return Issuer(
        parent_body="", issuing_body=text.upper(), place=place_name(center.province), authority="",
        sign_position="", executors="Thủ trưởng các cơ quan, đơn vị có liên quan",
    )


# The decision


def _summary(document: LicenceDocument, center: Center) -> tuple[str, str]:
    """(trích yếu, the opening of Điều 1) for each kind of decision."""
    name = center.name
    return {
        DocumentKind.ESTABLISHMENT: (f"Về việc cho phép thành lập {name}", f"Cho phép thành lập {name}"),
        DocumentKind.ESTABLISHMENT_OPERATION: (
            f"Về việc cho phép thành lập và cho phép hoạt động giáo dục {name}",
            f"Cho phép thành lập và cho phép hoạt động giáo dục {name}",
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
    """Street, commune, province, the units written as the state format writes them."""
    return ", ".join(part for part in (center.street, unit_title(center.commune), unit_title(center.province)) if part)


def licence_decision_context(document: LicenceDocument) -> dict:
    """Everything templates/pdf/licence_decision.html shows, from the stored record only.
    `document.center` should come with its province and commune (select_related), and
    the document's locations prefetched for a bulk file."""
    center = document.center
    issuer = parse_issuer(document.issuer, center)
    summary, opening = _summary(document, center)
    if center.investor_name:
        owner_label, owner = "Chủ đầu tư", center.investor_name
        if center.investor_tax_code:
            owner = f"{owner} (mã số thuế: {center.investor_tax_code})"
    elif center.founding_authority:
        owner_label, owner = "Cơ quan, tổ chức thành lập", center.founding_authority
    else:
        owner_label, owner = "Chủ đầu tư", BLANK
    applicant = center.investor_name or center.founding_authority
    validity = "Quyết định này có hiệu lực kể từ ngày ký"
    validity += f" đến hết {state_day(document.valid_until)}." if document.valid_until else "."
    return {
        "document": document,
        "center": center,
        "province": center.province,
        "set_parent_body": True,
        "parent_body": issuer.parent_body,
        "issuing_body": issuer.issuing_body,
        "number": document.number,
        "place": issuer.place,
        "date": document.signed_on,
        "doc_type": "QUYẾT ĐỊNH",
        "doc_summary": summary,
        "authority": issuer.authority,
        "legal_bases": legal_bases(document),
        "applicant": applicant,
        "opening": opening,
        "kind_label": CenterKind(center.kind).label if center.kind in CenterKind.values else center.kind,
        "address": center.address_as_printed or _address(center),
        "owner_label": owner_label,
        "owner": owner,
        "locations": [location.address for location in document.locations.all() if location.is_active],
        "scope_lines": [line.strip() for line in document.scope.splitlines() if line.strip()],
        "blank": BLANK,
        "validity": validity,
        "executors": issuer.executors,
        "recipients": ["Như Điều 3;", "Lưu: VT."],
        "set_sign_position": True,
        "sign_position": issuer.sign_position,
        "signer_name": "",
        "title": f"Quyết định {document.number} - {center.name}",
    }


def decision_filename(document: LicenceDocument) -> str:
    number = document.number.replace("/", "-")
    return f"Quyết định {number} - {document.center.name}.pdf"


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
    require(can_print_commune_decisions(user))
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
