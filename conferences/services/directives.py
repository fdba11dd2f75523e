"""Write paths of directives: saving a draft, issuing it with a number from the register,
and correcting an issued one by a new directive that replaces it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import may
from geo.text import fold

from ..choices import DirectiveStatus, DirectiveType
from ..lines import entries
from ..models import Directive, DirectiveArticle, Task, TaskAssignment
from .notices import notices_tasks_assigned
from .registers import register_date_refusal, register_lock

# The issuing agency's part of every symbol (Sở Giáo dục và Đào tạo).
AGENCY_CODE = "SGDĐT"
# The authority line of the Department's decisions: its head decides (Nghị định 30/2020,
# Appendix III, sample 1.2, note 6: the head's title when the competence is the head's).
DEFAULT_AUTHORITY = "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO"


def require_editor(user, directive: Directive) -> None:
    if not may(user, "directives.edit"):
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


def search_text(directive: Directive, articles: list[str] | None = None) -> str:
    """The folded text the list searches: subject, content (articles included), signer, symbol."""
    if articles is None:
        articles = [a.text for a in directive.articles.all()] if directive.pk else []
    return fold(" ".join([directive.subject, directive.body, directive.closing, directive.legal_bases, *articles,
                          directive.executors, directive.signer_name, directive.symbol]))


def directive_articles_save(*, directive: Directive, texts: list[str], user) -> None:
    """Replace the articles of a draft quyết định by `texts`, in order (the form's rows)."""
    require_editor(user, directive)
    refuse_if_issued(directive)
    articles = [DirectiveArticle(directive=directive, text=text, order=index) for index, text in enumerate(texts)]
    for article in articles:
        article.clean()  # "Điều 2." typed at the start is the PDF's to print
    directive.articles.all().delete()
    DirectiveArticle.objects.bulk_create(articles)
    Directive.objects.filter(pk=directive.pk).update(
        search_text=search_text(directive, [article.text for article in articles]),
    )


def directive_save(*, directive: Directive, user) -> Directive:
    """Create or change a draft of the user's Department."""
    if directive.pk is None and not directive.province_id:
        directive.province_id = user.province_id
    require_editor(user, directive)
    refuse_if_issued(directive)
    if directive.pk is None:
        directive.created_by = user
    directive.status = DirectiveStatus.DRAFT
    if directive.doc_type == DirectiveType.DECISION and not directive.authority.strip():
        directive.authority = DEFAULT_AUTHORITY
    directive.full_clean(exclude=["province", "created_by"])
    check_draft(directive)
    directive.search_text = search_text(directive)
    directive._history_user = user  # the history's author, with or without a request
    directive.save()
    return directive


def check_draft(directive: Directive) -> None:
    """What a draft of its type may hold (Nghị định 30/2020, Appendix I and III)."""
    errors: dict[str, str] = {}
    if directive.doc_type == DirectiveType.OFFICIAL_LETTER and not directive.drafting_division_id:
        errors["drafting_division"] = _("Công văn cần chọn đơn vị soạn thảo (ký hiệu đứng cuối số công văn).")
    if directive.signing_prefix and not directive.signer_position:
        errors["signer_position"] = _("Khi ký thay, thừa lệnh... cần ghi chức vụ của người ký.")
    if directive.addressees.strip() and not DirectiveType.is_addressed(directive.doc_type):
        errors["addressees"] = _(
            "%(type)s không có phần «Kính gửi» (chỉ công văn, báo cáo có): ghi các nơi nhận vào ô «Nơi nhận»."
        ) % {"type": directive.get_doc_type_display()}
    if directive.doc_type == DirectiveType.DECISION:
        if directive.body.strip():
            errors["body"] = _("Quyết định trình bày theo các điều: chuyển nội dung vào các điều bên dưới và để "
                               "trống ô «Nội dung».")
        bad = [line for line in entries(directive.legal_bases) if not line.lower().startswith("căn cứ")]
        if bad:
            errors["legal_bases"] = _("Mỗi dòng căn cứ bắt đầu bằng «Căn cứ»: «%(line)s».") % {"line": bad[0][:80]}
    else:
        if not directive.body.strip():
            errors["body"] = _("Hãy ghi nội dung văn bản.")
    if errors:
        raise ValidationError(errors)


def _next_number(province_id: int, year: int, doc_type: str, issued_on: datetime.date) -> int:
    """The next number of the register, taken under its row lock (concurrent issues wait
    here for each other), if `issued_on` is not before the date of a number it already
    gave: numbers follow the dates of issue (Nghị định 30/2020, Art. 15)."""
    register = register_lock(province_id, year, doc_type)
    refusal = register_date_refusal(register, issued_on)
    if refusal:
        raise ValidationError(refusal, code="date_order")
    register.last_number += 1
    # Issuing is recorded by the directive itself; the register's history keeps the
    # changes staff make by hand (a start number, a gap, a cancellation) with their reason.
    type(register).objects.filter(pk=register.pk).update(last_number=register.last_number)
    return register.last_number


def issue_refusal(directive: Directive, issued_on: datetime.date, today: datetime.date) -> str | None:
    if issued_on > today:
        return _("Ngày ban hành không được ở tương lai.")
    if directive.doc_type == DirectiveType.OFFICIAL_LETTER and not directive.drafting_division_id:
        return _("Công văn cần chọn đơn vị soạn thảo trước khi ban hành.")
    if directive.doc_type == DirectiveType.OFFICIAL_LETTER and not entries(directive.addressees):
        # Appendix I, II.9.b: a công văn names who must act in its "Kính gửi" part.
        return _("Công văn cần ghi nơi nhận ở phần «Kính gửi» trước khi ban hành.")
    if directive.doc_type == DirectiveType.DECISION:
        missing = decision_missing(directive)
        if missing:
            return _("Quyết định chưa đủ các phần theo mẫu của Nghị định 30/2020: còn thiếu %(parts)s.") % {
                "parts": ", ".join(missing),
            }
    late = [t.number for t in directive.tasks.all() if t.deadline < issued_on]
    if late:
        return _("Thời hạn của nhiệm vụ %(numbers)s trước ngày ban hành %(date)s: hãy sửa thời hạn trước.") % {
            "numbers": ", ".join(str(n) for n in late), "date": issued_on.strftime("%d/%m/%Y"),
        }
    return None


def decision_missing(directive: Directive) -> list[str]:
    """The parts of a quyết định (Appendix III, sample 1.2) its draft still lacks."""
    missing = []
    if not directive.authority.strip():
        missing.append(_("thẩm quyền ban hành"))
    if not entries(directive.legal_bases):
        missing.append(_("căn cứ ban hành"))
    if not directive.articles.exists():
        missing.append(_("các điều"))
    if not directive.executors.strip():
        missing.append(_("đơn vị, cá nhân thi hành"))
    return missing


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
    directive.number = _next_number(directive.province_id, directive.year, directive.doc_type, issued_on)
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
        closing=directive.closing, authority=directive.authority, legal_bases=directive.legal_bases,
        proposal=directive.proposal, executors=directive.executors,
        addressees=directive.addressees, recipients=directive.recipients, signing_prefix=directive.signing_prefix,
        signing_authority=directive.signing_authority, signer_position=directive.signer_position,
        signer_name=directive.signer_name, conference_id=directive.conference_id, replaces=directive,
        created_by=user,
    )
    articles = [a.text for a in directive.articles.all()]
    copy.search_text = search_text(copy, articles)
    copy._history_user = user
    copy.save()
    DirectiveArticle.objects.bulk_create(
        [DirectiveArticle(directive=copy, text=text, order=index) for index, text in enumerate(articles)],
    )
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
