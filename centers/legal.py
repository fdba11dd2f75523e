"""What a licence document cites, as it stood on the day it was signed (issue 11).

A decision's "Căn cứ" lines are of two sorts (Decree 30/2020, Appendix I, II.6.a): the
texts that give the issuer its competence, and the texts the content rests on. Both
changed over the years this register covers (Decree 46/2017, then 135/2018, then
125/2024; the two-level local government from 1/7/2025), so each line below carries the
days it applies, the center kinds and the issuers it applies to.

Only lines whose facts could be checked are printed. The source of each is noted next to
it: shared/domain/regulations.md where it has the fact, else the secondary sources found
(GitHub copies of decisions and legal indexes), marked as such. Where no checked line
gives the issuer its competence for that kind of center on that day, the decision prints a
"Căn cứ ……;" line to fill in by hand instead of a guess. A document's own `legal_bases`
(copied from the paper) always wins over this table.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .choices import CenterKind

D = datetime.date

# The two-level local government: districts abolished, Bắc Giang merged into Bắc Ninh
# (regulations.md, section 5.1).
TWO_LEVEL_FROM = D(2025, 7, 1)

LANGUAGE_IT = (CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT)


class IssuerType:
    """Who signs, as read from the register's issuer text (centers.pdf.parse_issuer)."""

    DEPARTMENT = "department"  # Giám đốc Sở Giáo dục và Đào tạo
    DISTRICT_OFFICE = "district_office"  # Trưởng phòng Giáo dục và Đào tạo huyện (until 30/6/2025)
    COMMUNE = "commune"  # Chủ tịch Ủy ban nhân dân xã, phường, đặc khu
    DISTRICT = "district"  # Chủ tịch Ủy ban nhân dân huyện, quận, thị xã, thành phố thuộc tỉnh
    PROVINCE = "province"  # Chủ tịch Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương
    OTHER = "other"  # a university, an enterprise...


@dataclass(frozen=True)
class Basis:
    """One "Căn cứ" line: the days, center kinds and issuers it applies to."""

    line: str
    start: datetime.date | None
    end: datetime.date | None
    kinds: tuple[str, ...] | None
    issuers: tuple[str, ...] | None = None  # printed only in these issuers' decisions

    def applies(self, day: datetime.date, kind: str, issuer_type: str) -> bool:
        return (
            (self.start is None or day >= self.start) and (self.end is None or day <= self.end)
            and (self.kinds is None or kind in self.kinds)
            and (self.issuers is None or issuer_type in self.issuers)
        )


_DEPT_AND_LOCAL = (IssuerType.DEPARTMENT, IssuerType.DISTRICT_OFFICE, IssuerType.COMMUNE, IssuerType.DISTRICT,
                   IssuerType.PROVINCE)

# In the order a decision prints them: the organisation law, the sector law, decrees by
# date, circulars.
BASES = [
    # Luật Tổ chức chính quyền địa phương 2025: its date from a commune decision of 2026
    # (GitHub copy, secondary source); in force with the two-level government on 1/7/2025.
    # The commune chairman's general competence. [secondary source]
    Basis("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;", TWO_LEVEL_FROM, None, None,
          issuers=(IssuerType.COMMUNE,)),
    # Education Law 2005 / 2019 (in force 1/7/2020): the register's existing lines;
    # regulations.md names the 2019 law (Art 65.1.b).
    Basis("Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2005;", None, D(2020, 6, 30), None),
    Basis("Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;", D(2020, 7, 1), None, None),
    # Decree 46/2017 (21/4/2017; the date also seen in a secondary source) and Decree
    # 135/2018 amending it (04/10/2018, in force 20/11/2018: dates not confirmed against
    # the official text). regulations.md, 1.1: under Decree 135 the Director of the
    # Department decides on foreign-language and IT centers. Who decided under Decree 46
    # before its amendment is not confirmed: no competence there.
    Basis("Căn cứ Nghị định số 46/2017/NĐ-CP ngày 21 tháng 4 năm 2017 của Chính phủ quy định về điều kiện "
          "đầu tư và hoạt động trong lĩnh vực giáo dục;", D(2017, 4, 21), D(2024, 11, 19), None),
    Basis("Căn cứ Nghị định số 135/2018/NĐ-CP ngày 04 tháng 10 năm 2018 của Chính phủ sửa đổi, bổ sung một số "
          "điều của Nghị định số 46/2017/NĐ-CP ngày 21 tháng 4 năm 2017 của Chính phủ quy định về điều kiện "
          "đầu tư và hoạt động trong lĩnh vực giáo dục;", D(2018, 11, 20), D(2024, 11, 19), None),
    # Decree 125/2024 (05/10/2024, in force 20/11/2024), regulations.md 1.1-1.3: the
    # Director of the Department for foreign-language and IT centers (Art 44); for
    # community learning centers the district chairman (public) or the head of the
    # district's education office (private) until 30/6/2025.
    Basis("Căn cứ Nghị định số 125/2024/NĐ-CP ngày 05 tháng 10 năm 2024 của Chính phủ quy định về điều kiện "
          "đầu tư và hoạt động trong lĩnh vực giáo dục;", D(2024, 11, 20), None, None),
    # Decree 142/2025 (12/6/2025 in three secondary sources; in force 1/7/2025): the
    # commune chairman establishes community learning centers (regulations.md, 1.1 and
    # 5.2). Its title is not confirmed, so it is cited as commune decisions cite it.
    Basis("Căn cứ Nghị định số 142/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ;", TWO_LEVEL_FROM, None,
          (CenterKind.COMMUNITY,)),
    # Circular 21/2018 (24/8/2018, in force 10/10/2018), regulations.md 1.1.
    Basis("Căn cứ Thông tư số 21/2018/TT-BGDĐT ngày 24 tháng 8 năm 2018 của Bộ trưởng Bộ Giáo dục và Đào tạo "
          "ban hành Quy chế tổ chức và hoạt động của trung tâm ngoại ngữ, tin học;", D(2018, 10, 10), None,
          LANGUAGE_IT),
]

# Who may sign which decision, by the checked texts above: (first day, last day, center
# kinds, issuer types).
COMPETENCE = [
    # Decree 125/2024 for community learning centers before the two-level government
    # (regulations.md 1.3): the district chairman or the head of the district's office.
    (D(2024, 11, 20), TWO_LEVEL_FROM - datetime.timedelta(days=1), (CenterKind.COMMUNITY,),
     (IssuerType.DISTRICT, IssuerType.DISTRICT_OFFICE)),
    # Decree 125/2024 Art 44 for foreign-language and IT centers is the Department's.
    (D(2024, 11, 20), None, LANGUAGE_IT, (IssuerType.DEPARTMENT,)),
    # Decree 135/2018 (as above).
    (D(2018, 11, 20), D(2024, 11, 19), LANGUAGE_IT, (IssuerType.DEPARTMENT,)),
    # Decree 142/2025 (as above).
    (TWO_LEVEL_FROM, None, (CenterKind.COMMUNITY,), (IssuerType.COMMUNE,)),
]

FILL_IN = "Căn cứ " + "…" * 28 + ";"


def competence_known(day: datetime.date, kind: str, issuer_type: str) -> bool:
    """Whether a checked text gives this issuer the competence for this kind on that day.
    Inclusive-education and GDNN-GDTX centers, and anything before Decree 135/2018, are
    not confirmed (regulations.md marks them [unconfirmed])."""
    return any(
        start <= day and (end is None or day <= end) and kind in kinds and issuer_type in issuers
        for start, end, kinds, issuers in COMPETENCE
    )


def legal_bases(day: datetime.date, kind: str, issuer_type: str) -> list[str]:
    """The "Căn cứ" lines of a decision signed on `day` for a center of `kind`, each ending
    in ";" (the template ends the last basis with "."). A decision whose issuer's
    competence no checked line gives starts with a line to fill in."""
    if issuer_type not in _DEPT_AND_LOCAL:
        # A university's or an enterprise's own decision: its bases are its own.
        return [FILL_IN]
    lines = [basis.line for basis in BASES if basis.applies(day, kind, issuer_type)]
    if not competence_known(day, kind, issuer_type):
        lines.insert(0, FILL_IN)
    return lines


def stored_bases(text: str) -> list[str]:
    """A document's own "Căn cứ" lines as staff copied them: one per line, each ending in
    ";" whatever it was typed with (the template ends the last with ".")."""
    lines = []
    for raw in (text or "").splitlines():
        line = re.sub(r"\s+", " ", raw).strip().lstrip("-–• ").strip()
        if line:
            lines.append(line.rstrip(";.,") + ";")
    return lines
