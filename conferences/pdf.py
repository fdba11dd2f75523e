"""What the directive and the conference minutes print (edu_portal.pdf renders them)."""

from __future__ import annotations

from collections import defaultdict

from .choices import AssigneeKind, DirectiveType, ParticipantRole
from .models import Conference, Directive


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _assignees(task) -> str:
    """"UBND phường Kinh Bắc; 42 trung tâm (Tất cả trung tâm ngoại ngữ, toàn tỉnh)"."""
    named, selections = [], defaultdict(int)
    for assignment in task.assignments.all():
        if assignment.kind == AssigneeKind.CENTER and assignment.selection:
            selections[assignment.selection] += 1
        else:
            named.append(assignment.assignee_name)
    named += [f"{count} trung tâm ({label})" for label, count in selections.items()]
    return "; ".join(named)


def directive_context(directive: Directive) -> dict:
    tasks = directive.tasks.prefetch_related("assignments__center", "assignments__commune",
                                             "assignments__division").order_by("number")
    groups: list[dict] = []
    for task in tasks:
        if not groups or groups[-1]["title"] != task.group:
            groups.append({"title": task.group, "tasks": []})
        task.assignees = _assignees(task)
        groups[-1]["tasks"].append(task)
    is_letter = directive.doc_type == DirectiveType.OFFICIAL_LETTER
    subject = directive.subject.removeprefix("V/v").strip() if is_letter else directive.subject
    replaces = directive.replaces
    return {
        "province": directive.province,
        "number": directive.number_text,
        "symbol": _draft_symbol(directive),
        "date": directive.issued_on,
        "doc_type": directive.type_title,
        "doc_summary": "" if is_letter else subject,
        "vv_summary": subject if is_letter else "",
        "addressees": paragraphs(directive.addressees),
        "paragraphs": paragraphs(directive.body),
        "task_groups": groups,
        "recipients": paragraphs(directive.recipients),
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


def minutes_context(conference: Conference) -> dict:
    roles = dict(ParticipantRole.choices)
    groups = list(conference.participant_groups.all())
    for group in groups:
        group.role_label = roles.get(group.role, "") if group.role != ParticipantRole.DELEGATE else ""
    return {
        "province": conference.province,
        "conference": conference,
        "symbol": "BB-SGDĐT",
        "date": conference.held_on,
        "doc_type": "BIÊN BẢN",
        "doc_summary": conference.title,
        "groups": groups,
        "assessment": paragraphs(conference.assessment),
        "difficulties": paragraphs(conference.difficulties),
        "topics": paragraphs(conference.topics),
        "questions": list(conference.questions.all()),
        "conclusions": paragraphs(conference.conclusions),
        "directives": [str(d) for d in conference.directives.filter(status="issued").order_by("issued_on", "id")],
        "title": f"Biên bản {conference.title}",
    }
