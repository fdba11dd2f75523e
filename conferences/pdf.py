"""What the directive and the conference minutes print (edu_portal.pdf renders them)."""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import Prefetch
from django.db.models.functions import Coalesce

from edu_portal.pdf import state_day
from geo.collation import vi

from .choices import AssigneeKind, DirectiveType, ParticipantRole
from .lines import ending_with_closing_mark, entries, paragraphs
from .models import Conference, Directive, TaskAssignment

# The issuing agency as an appendix's reference names it (the header names it too).
ISSUER = "Sở Giáo dục và Đào tạo"
APPENDIX_TITLE = "DANH SÁCH ĐƠN VỊ ĐƯỢC GIAO THỰC HIỆN NHIỆM VỤ"
APPENDIX_POINTER = "Danh sách đơn vị được giao thực hiện từng nhiệm vụ tại Phụ lục kèm theo."


def _assignee_lines(task) -> list[str]:
    """Who was given the task, for the tracking appendix: each division, commune or
    center by name; the centers of a selection under the selection's label."""
    named, selections = [], defaultdict(list)
    for assignment in task.assignments.all():
        if assignment.kind == AssigneeKind.CENTER and assignment.selection:
            selections[assignment.selection].append(assignment.assignee_name)
        else:
            named.append(assignment.assignee_name)
    lines = list(named)
    for label, names in selections.items():
        # One name a line: a name never starts mid-line, where a narrow column splits it.
        lines.append(f"{label} ({len(names)} trung tâm):")
        lines += [f"- {name}" for name in names]
    return lines


def _articles(directive: Directive) -> list[dict]:
    """The articles of a quyết định, numbered, each as its paragraphs (khoản on their
    own lines); the last one names who carries the decision out."""
    articles = [{"number": index, "lines": paragraphs(article.text)}
                for index, article in enumerate(directive.articles.all(), start=1)]
    articles = [article for article in articles if article["lines"]]
    if directive.executors.strip():
        articles.append({
            "number": len(articles) + 1,
            "lines": [f"{directive.executors.strip()} chịu trách nhiệm thi hành Quyết định này."],
            "executing": True,
        })
    return articles


def _reference(directive: Directive, symbol: str) -> str:
    """"(Kèm theo Kế hoạch số 12/KH-SGDĐT ngày 05 tháng 3 năm 2026 của Sở Giáo dục và Đào
    tạo)": the appendix's pointer to its document (Appendix III, sample 2.1); a draft
    leaves the number and the date blank for the clerk."""
    name = DirectiveType.name_in_text(directive.doc_type)
    if directive.is_issued:
        return f"(Kèm theo {name} số {directive.number_text} {state_day(directive.issued_on)} của {ISSUER})"
    return f"(Kèm theo {name} số      /{symbol} ngày      tháng      năm      của {ISSUER})"


def directive_context(directive: Directive, *, appendix: bool = False) -> dict:
    """What the PDF prints. The official text ends with its closing mark "./.", then the
    recipients and the signature: who was given which task (the portal's follow-up) is
    never part of it. `appendix` adds that list as a phụ lục on pages of its own."""
    doc_type = directive.doc_type
    in_body = DirectiveType.prints_tasks(doc_type)
    tasks = []
    if in_body or appendix:
        assignments = TaskAssignment.objects.select_related("center", "commune", "division").order_by(
            "kind", vi(Coalesce("division__name", "commune__name", "center__name")), "id",
        )
        tasks = list(directive.tasks.prefetch_related(Prefetch("assignments", queryset=assignments))
                     .order_by("number"))
    groups: list[dict] = []
    if in_body:
        for task in tasks:
            if not groups or groups[-1]["title"] != task.group:
                groups.append({"title": task.group, "tasks": []})
            task.end_mark = "."
            groups[-1]["tasks"].append(task)

    body = paragraphs(directive.body)
    closing = paragraphs(directive.closing)
    if not closing and groups and body and body[-1].endswith("./."):
        # Typed before the closing part had its own field: the body's last paragraph,
        # ending with ./., is the closing sentence and comes after the tasks.
        closing = [body.pop()]
    articles = _articles(directive) if doc_type == DirectiveType.DECISION else []
    decision = bool(articles) or (doc_type == DirectiveType.DECISION and not body)
    pointer = APPENDIX_POINTER if appendix else ""

    if body and body[-1].endswith("./.") and (groups or closing or pointer or articles):
        # Not the end of the document after all: only the last piece carries ./.
        body[-1] = body[-1][:-3].rstrip() + "."
    # The closing mark on whatever is printed last (Appendix III: every sample ends so).
    if decision and articles:
        articles[-1]["lines"][-1] = ending_with_closing_mark(articles[-1]["lines"][-1])
    elif closing:
        closing[-1] = ending_with_closing_mark(closing[-1])
    elif pointer:
        pointer = ending_with_closing_mark(pointer)
    elif groups:
        groups[-1]["tasks"][-1].end_mark = "./."
    elif body:
        body[-1] = ending_with_closing_mark(body[-1])

    is_letter = doc_type == DirectiveType.OFFICIAL_LETTER
    subject = directive.subject.removeprefix("V/v").strip() if is_letter else directive.subject
    symbol = _draft_symbol(directive)
    replaces = directive.replaces
    bases = entries(directive.legal_bases)
    return {
        "province": directive.province,
        "number": directive.number_text,
        "symbol": symbol,
        "date": directive.issued_on,
        "doc_type": directive.type_title,
        "doc_summary": "" if is_letter else subject,
        "vv_summary": subject if is_letter else "",
        "addressees": entries(directive.addressees) if DirectiveType.is_addressed(doc_type) else [],
        "paragraphs": body,
        "task_groups": groups,
        "closing": closing,
        "decision": decision,
        "authority": directive.authority.strip(),
        "legal_bases": bases,
        "proposal": directive.proposal.strip(),
        "articles": articles,
        "appendix_pointer": pointer,
        "appendix": {
            "title": APPENDIX_TITLE,
            "reference": _reference(directive, symbol),
            "tasks": [{"task": task, "assignees": _assignee_lines(task)} for task in tasks],
        } if appendix else None,
        "recipients": entries(directive.recipients),
        "sign_prefix": directive.signature_title if directive.signing_prefix else "",
        "sign_position": directive.signer_position or directive.signing_authority,
        "set_sign_position": True,
        "signer_name": directive.signer_name,
        "draft": not directive.is_issued,
        "replaces": (f"{replaces.get_doc_type_display()} số {replaces.number_text} ngày "
                     f"{replaces.issued_on:%d/%m/%Y}") if replaces and replaces.is_issued else "",
        "title": f"{directive.get_doc_type_display()} {directive.number_text}".strip(),
    }


def _draft_symbol(directive: Directive) -> str:
    from .services.directives import directive_symbol

    if directive.doc_type == DirectiveType.OFFICIAL_LETTER and not directive.drafting_division_id:
        return "SGDĐT"
    return directive_symbol(directive)


def directive_filename(directive: Directive) -> str:
    if directive.is_issued:
        return f"{directive.number_text.replace('/', '-')}.pdf"
    return f"du-thao-{directive.pk}.pdf"


_PEOPLE = re.compile(r"\d[\d.,]*\s*(?:người|đại biểu)\b", re.IGNORECASE)


def _counted(unit: str) -> bool:
    """Whether a participant group's own text already says how many came ("... (hơn
    600 người)"): then its count is not printed a second time."""
    return bool(_PEOPLE.search(unit or ""))

_CLOSING_MARK = re.compile(r"\s*\./\.\s*$")
# A part of the minutes the record does not hold: left for the secretary to fill in.
MINUTES_BLANK = "……………"


def minutes_context(conference: Conference) -> dict:
    """The minutes as Decree 30/2020 Appendix III, sample 1.9 lays a biên bản out: no
    place-date line; the start time, place, participants, chair and secretary; the content
    as the conference ran; "... kết thúc vào ... giờ ..., ngày .../."; the secretary's and
    the chair's signatures; "Nơi nhận". Hours and a secretary the record does not hold
    print as blanks to fill in, never invented. What was issued after the conference is not part
    of its minutes."""
    roles = dict(ParticipantRole.choices)
    groups = list(conference.participant_groups.all())
    for group in groups:
        group.role_label = roles.get(group.role, "") if group.role != ParticipantRole.DELEGATE else ""
        group.show_count = bool(group.count) and not _counted(group.unit)
    day = state_day(conference.held_on) if conference.held_on else "ngày …… tháng …… năm ……"
    return {
        "province": conference.province,
        "conference": conference,
        "symbol": "BB-SGDĐT",
        "date": conference.held_on,
        "doc_type": "BIÊN BẢN",
        "doc_summary": conference.title,
        "day": day,
        "blank": MINUTES_BLANK,
        "groups": groups,
        "assessment": paragraphs(conference.assessment),
        "difficulties": paragraphs(conference.difficulties),
        "topics": paragraphs(conference.topics),
        "questions": list(conference.questions.all()),
        # The minutes end with their own closing line: a "./." typed at the end of the
        # conclusions would be a second one.
        "conclusions": [_CLOSING_MARK.sub(".", line) for line in paragraphs(conference.conclusions)],
        "recipients": ["Các thành phần dự hội nghị", "Lưu: VT, Hồ sơ"],
        "title": f"Biên bản {conference.title}",
    }
