"""What the inspection record (biên bản kiểm tra) prints; edu_portal.pdf renders it.
What the record does not hold is left blank to fill by hand, never invented."""

from __future__ import annotations

from centers.selectors import current_director_prefetch
from edu_portal.pdf import place_name, state_day

from .choices import CheckResult, Condition
from .models import Inspection


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def money(value: int | None) -> str:
    """10000000 -> "10.000.000"."""
    return f"{value:,}".replace(",", ".") if value is not None else ""


def fine_range(article) -> str:
    if article.fine_max is None:
        return "Theo quy định của điều khoản"
    if article.fine_min:
        return f"Từ {money(article.fine_min)} đồng đến {money(article.fine_max)} đồng"
    return f"Đến {money(article.fine_max)} đồng"


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
            "description": violation.description or article.description,
            "act": article.description,
            "citation": f"{article.citation} {article.version.title}",
            "fine_range": fine_range(article),
            "fine_amount": money(violation.fine_amount),
            "remedy": violation.remedy or article.remedy,
            "remedy_deadline": violation.remedy_deadline,
            "remedied_on": violation.remedied_on,
            "unconfirmed": article.unconfirmed,
        })
    directors = center.current_directors
    return {
        "province": inspection.province,
        "place": place_name(inspection.province),
        "symbol": "BB-ĐKT",
        "date": inspection.carried_out_on,
        "doc_type": "BIÊN BẢN",
        "doc_summary": f"Kiểm tra hoạt động của {center.name}",
        "title": f"Biên bản kiểm tra {center.name}",
        "inspection": inspection,
        "held_on": state_day(inspection.carried_out_on) if inspection.carried_out_on else "ngày …… tháng …… năm ……",
        "center": center,
        "center_address": center.address,
        "director": directors[0] if directors else None,
        "team": paragraphs(inspection.team),
        "leader": team_leader(inspection.team),
        "scope": paragraphs(inspection.scope),
        "findings": paragraphs(inspection.findings),
        "checklist": checklist,
        "violations": violations,
        "follow_up": paragraphs(inspection.follow_up),
    }


def inspection_record_filename(inspection: Inspection) -> str:
    day = inspection.carried_out_on or inspection.planned_on
    return f"bien-ban-kiem-tra-{inspection.center.code}-{day:%Y%m%d}.pdf"
