"""What the inspection record (biên bản kiểm tra) prints; edu_portal.pdf renders it.
What the record does not hold is left blank to fill by hand, never invented.

Since 1/7/2025 a Department checks ("kiểm tra") through a team it appoints; inspection
proper ("thanh tra") is the provincial inspectorate's (Law on Inspection 84/2025/QH15,
regulations.md): the record is the team's, never "Thanh tra Sở"'s."""

from __future__ import annotations

from centers.selectors import current_director_prefetch
from edu_portal.pdf import state_day, unit_in_text, unit_title
from geo.text import vi_number

from .choices import CheckResult, Condition
from .models import Inspection


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def money(value: int | None) -> str:
    """10000000 -> "10.000.000"."""
    return vi_number(value)


def fine_range(article) -> str:
    if article.fine_max is None:
        return "Theo quy định của điều khoản"
    if article.fine_min:
        return f"Từ {money(article.fine_min)} đồng đến {money(article.fine_max)} đồng"
    return f"Đến {money(article.fine_max)} đồng"


def _sentence(text: str) -> str:
    """A catalogue or user text inside a sentence the template ends: no mark of its own."""
    return " ".join((text or "").split()).rstrip(";.,")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def citation(article) -> str:
    """ "điểm a khoản 2 Điều 7 Nghị định 04/2021/NĐ-CP, ..." as the catalogue holds it. An
    act the catalogue marks unconfirmed is cited with that mark: its article, clause or fine
    was not checked against the decree (shared/domain/regulations.md 3.2), and a record
    must not present it as if it had been."""
    text = f"{article.citation} {article.version.title}"
    if article.unconfirmed:
        text += " [chưa xác minh điều, khoản, điểm: đối chiếu văn bản gốc trước khi ký]"
    return text


def _member(line: str) -> tuple[str, str]:
    """("Nguyễn Văn An", ", Trưởng phòng ... - Trưởng đoàn") from a line of the team."""
    name, comma, rest = line.rstrip(";.").partition(",")
    return name.strip(), f"{comma}{rest}"


def team_leader(team: str) -> str:
    """The first line of the team is its leader: "Nguyễn Văn An, Chánh Thanh tra" -> the name."""
    lines = paragraphs(team)
    return lines[0].split(",")[0].split(" - ")[0].strip() if lines else ""


def inspection_record_context(inspection: Inspection) -> dict:
    center = (type(inspection.center).objects.select_related("commune", "province")
              .prefetch_related(current_director_prefetch()).get(pk=inspection.center_id))
    checks = {check.condition: check for check in inspection.checks.all()}
    checklist = []
    for condition in Condition:
        check = checks.get(condition.value)
        checklist.append({
            "label": condition.label,
            "result": check.get_result_display() if check and check.result != CheckResult.NOT_CHECKED else "",
            "not_met": bool(check and check.result == CheckResult.NOT_MET),
            "note": check.note if check else "",
        })
    violations = []
    for violation in inspection.violations.select_related("article__version"):
        article = violation.article
        violations.append({
            "description": _sentence(violation.description or article.description),
            "act": _sentence(article.description),
            "citation": citation(article),
            "fine_range": fine_range(article) + (" (mức phạt chưa xác minh)" if article.unconfirmed else ""),
            "fine_amount": money(violation.fine_amount),
            "remedy": _sentence(violation.remedy or article.remedy),
            "remedy_deadline": violation.remedy_deadline,
            "remedied_on": violation.remedied_on,
            "unconfirmed": article.unconfirmed,
        })
    directors = center.current_directors
    province = inspection.province
    return {
        "province": province,
        # The team is the issuing body, with its own numbers (BB-ĐKT; Appendix I, II.3.a);
        # the Department above it, with its province (II.2.a). A biên bản has no
        # place-date line (Appendix III, sample 1.9): the day and place are in its text.
        "set_parent_body": True,
        "parent_body": (f"SỞ GIÁO DỤC VÀ ĐÀO TẠO {unit_title(province).upper()}" if province
                        else "SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
        "issuing_body": "ĐOÀN KIỂM TRA",
        "department": (f"Sở Giáo dục và Đào tạo {_lower_first(unit_title(province))}" if province
                       else "Sở Giáo dục và Đào tạo"),
        "symbol": "BB-ĐKT",
        "date": inspection.carried_out_on,
        "doc_type": "BIÊN BẢN",
        "doc_summary": f"Kiểm tra hoạt động của {center.name}",
        "title": f"Biên bản kiểm tra {center.name}",
        "inspection": inspection,
        "held_on": state_day(inspection.carried_out_on) if inspection.carried_out_on else "ngày …… tháng …… năm ……",
        "center": center,
        "center_address": ", ".join(
            part for part in (center.street, unit_in_text(center.commune), unit_in_text(center.province)) if part),
        "director": directors[0] if directors else None,
        # (name, the rest of the line): a member's name is set on one line.
        "team": [_member(line) for line in paragraphs(inspection.team)],
        "leader": team_leader(inspection.team),
        "scope": paragraphs(inspection.scope),
        "findings": paragraphs(inspection.findings),
        "checklist": checklist,
        "violations": violations,
        "follow_up": paragraphs(inspection.follow_up),
        "recipients": [center.name, "Lưu: VT, Hồ sơ kiểm tra"],
    }


def inspection_record_filename(inspection: Inspection) -> str:
    day = inspection.carried_out_on or inspection.planned_on
    return f"bien-ban-kiem-tra-{inspection.center.code}-{day:%Y%m%d}.pdf"
