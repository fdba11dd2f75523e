"""Write paths of directives: saving a draft, issuing it with a number from the register,
and correcting an issued one by a new directive that replaces it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can_manage_registry
from geo.text import fold

from ..choices import DirectiveStatus, DirectiveType
from ..models import Directive, DirectiveRegister, Task, TaskAssignment
from .notices import notices_tasks_assigned

# The issuing agency's part of every symbol (Sở Giáo dục và Đào tạo).
AGENCY_CODE = "SGDĐT"


def can_edit_directives(user) -> bool:
    """Department staff draft and issue their province's directives."""
    return can_manage_registry(user)


def require_editor(user, directive: Directive) -> None:
    if not can_edit_directives(user):
        raise PermissionDenied
    if not user.is_superuser and directive.province_id != user.province_id:
        raise PermissionDenied


def refuse_if_issued(directive: Directive) -> None:
    """An issued directive is never changed: a correction is a new directive."""
    if directive.pk and Directive.objects.filter(pk=directive.pk, status=DirectiveStatus.ISSUED).exists():
        raise ValidationError(
            _("Văn bản %(number)s đã ban hành nên không được sửa. "
              "Muốn đính chính, hãy tạo văn bản thay thế.") % {"number": directive.number_text or directive.subject},
            code="issued",
        )


def directive_symbol(directive: Directive) -> str:
    """"QĐ-SGDĐT" for a named type; "SGDĐT-GDTX" for a công văn (no type abbreviation)."""
    if directive.doc_type == DirectiveType.OFFICIAL_LETTER:
        return f"{AGENCY_CODE}-{directive.drafting_division.code}"
    return f"{DirectiveType.abbreviation(directive.doc_type)}-{AGENCY_CODE}"


def search_text(directive: Directive) -> str:
    return fold(" ".join([directive.subject, directive.body, directive.signer_name, directive.symbol]))


def directive_save(*, directive: Directive, user) -> Directive:
    """Create or change a draft of the user's Department."""
    if directive.pk is None and not directive.province_id:
        directive.province_id = user.province_id
    require_editor(user, directive)
    refuse_if_issued(directive)
    if directive.pk is None:
        directive.created_by = user
    directive.status = DirectiveStatus.DRAFT
    directive.full_clean(exclude=["province", "created_by"])
    check_draft(directive)
    directive.search_text = search_text(directive)
    directive._history_user = user  # the history's author, with or without a request
    directive.save()
    return directive


def check_draft(directive: Directive) -> None:
    if directive.doc_type == DirectiveType.OFFICIAL_LETTER and not directive.drafting_division_id:
        raise ValidationError({"drafting_division": _("Công văn cần chọn đơn vị soạn thảo (ký hiệu đứng cuối số công văn).")})
    if directive.signing_prefix and not directive.signer_position:
        raise ValidationError({"signer_position": _("Khi ký thay, thừa lệnh... cần ghi chức vụ của người ký.")})


def _next_number(province_id: int, year: int, doc_type: str) -> int:
    # The row may not exist yet: insert it if absent (a concurrent insert wins and ours
    # does nothing), then lock it. Concurrent issues wait here for each other.
    DirectiveRegister.objects.bulk_create(
        [DirectiveRegister(province_id=province_id, year=year, doc_type=doc_type)], ignore_conflicts=True,
    )
    register = DirectiveRegister.objects.select_for_update().get(province_id=province_id, year=year, doc_type=doc_type)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    return register.last_number


def issue_refusal(directive: Directive, issued_on: datetime.date, today: datetime.date) -> str | None:
    if issued_on > today:
        return _("Ngày ban hành không được ở tương lai.")
    if directive.doc_type == DirectiveType.OFFICIAL_LETTER and not directive.drafting_division_id:
        return _("Công văn cần chọn đơn vị soạn thảo trước khi ban hành.")
    late = [t.number for t in directive.tasks.all() if t.deadline < issued_on]
    if late:
        return _("Thời hạn của nhiệm vụ %(numbers)s trước ngày ban hành %(date)s: hãy sửa thời hạn trước.") % {
            "numbers": ", ".join(str(n) for n in late), "date": issued_on.strftime("%d/%m/%Y"),
        }
    return None


@transaction.atomic
def directive_issue(*, directive: Directive, user, issued_on: datetime.date | None = None) -> Directive:
    """Give the draft its number from the register and its date, and freeze it.

    The number is taken inside this transaction: if anything after fails, the number
    goes back with the rollback, so the register has no gaps."""
    require_editor(user, directive)
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    refuse_if_issued(directive)
    today = timezone.localdate()
    issued_on = issued_on or today
    refusal = issue_refusal(directive, issued_on, today)
    if refusal:
        raise ValidationError(refusal, code="refused")
    directive.year = issued_on.year
    directive.number = _next_number(directive.province_id, directive.year, directive.doc_type)
    directive.symbol = directive_symbol(directive)
    directive.issued_on = issued_on
    directive.status = DirectiveStatus.ISSUED
    directive.issued_by = user
    directive.issued_at = timezone.now()
    directive.search_text = search_text(directive)
    directive._history_user = user
    directive.save()
    from .tasks import task_reports_open

    for task in directive.tasks.filter(report_type__isnull=False).select_related("report_type"):
        task_reports_open(task=task, directive=directive)
    # Every assignee learns of its tasks now that they are binding (bell and e-mail).
    notices_tasks_assigned(directive=directive)
    return directive


@transaction.atomic
def directive_correct(*, directive: Directive, user) -> Directive:
    """A new draft that will replace the issued directive, with the same content, tasks
    and assignees to edit; the original stays unchanged and linked."""
    require_editor(user, directive)
    if not directive.is_issued:
        raise ValidationError(_("Chỉ văn bản đã ban hành mới cần văn bản thay thế; dự thảo thì sửa trực tiếp."))
    if Directive.objects.filter(replaces=directive).exists():
        raise ValidationError(_("Văn bản này đã có văn bản thay thế."))
    copy = Directive(
        province_id=directive.province_id, doc_type=directive.doc_type,
        drafting_division_id=directive.drafting_division_id, subject=directive.subject, body=directive.body,
        addressees=directive.addressees, recipients=directive.recipients, signing_prefix=directive.signing_prefix,
        signing_authority=directive.signing_authority, signer_position=directive.signer_position,
        signer_name=directive.signer_name, conference_id=directive.conference_id, replaces=directive,
        created_by=user,
    )
    copy.search_text = search_text(copy)
    copy._history_user = user
    copy.save()
    tasks = directive.tasks.prefetch_related("assignments")
    for task in tasks:
        new_task = Task.objects.create(
            directive=copy, group=task.group, number=task.number, text=task.text, lead_unit=task.lead_unit,
            coordinating_units=task.coordinating_units, deadline=task.deadline, report_type_id=task.report_type_id,
        )
        TaskAssignment.objects.bulk_create([
            TaskAssignment(task=new_task, kind=a.kind, division_id=a.division_id, commune_id=a.commune_id,
                           center_id=a.center_id, selection=a.selection)
            for a in task.assignments.all()
        ])
    return copy


def directive_delete(*, directive: Directive, user) -> None:
    require_editor(user, directive)
    refuse_if_issued(directive)
    directive._history_user = user
    directive.delete()
