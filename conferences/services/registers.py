"""The register of issued documents (sổ đăng ký văn bản đi), one per province, year and type.

Nghị định 30/2020, Art. 15: numbers are given in the order and on the dates of issue,
from 01 on 1 January, each unique in its year. So:

- a number is never dated before a number the register already gave (issuing is refused
  with the last number and its date named);
- a Department adopting the portal mid-year sets where the portal starts: the numbers
  before it were given on its paper register, up to a date it states;
- a number the portal does not give to one of its directives is recorded (a RegisterEntry:
  cancelled, or skipped) with a reason, never left as a silent gap;
- every change staff make by hand is in the register's history with its author and reason.

The register row is locked (SELECT ... FOR UPDATE) by every write, issuing included, so
two writes never take the same number and the date of "the last number" is read under the
same lock that gives the next one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import may

from ..choices import DirectiveStatus, DirectiveType, RegisterEntryKind
from ..models import Directive, DirectiveRegister, RegisterEntry

# A gap recorded in one step: one row per number, so a typing slip (58 -> 5800) is
# refused rather than filling the register with thousands of skipped numbers.
MAX_GAP = 500
FIRST_YEAR = 2000


def registers_visible_to(user) -> QuerySet[DirectiveRegister]:
    if not getattr(user, "is_authenticated", False) or not may(user, "registers.view"):
        return DirectiveRegister.objects.none()
    if user.is_superuser:
        return DirectiveRegister.objects.all()
    return DirectiveRegister.objects.filter(province_id=user.province_id)


def register_lock(province_id: int, year: int, doc_type: str) -> DirectiveRegister:
    """The register row, created if absent, locked until the end of the transaction.

    A concurrent insert of the same row wins and ours does nothing (ignore_conflicts);
    then both lock the one row and queue there."""
    DirectiveRegister.objects.bulk_create(
        [DirectiveRegister(province_id=province_id, year=year, doc_type=doc_type)], ignore_conflicts=True,
    )
    return DirectiveRegister.objects.select_for_update().get(province_id=province_id, year=year, doc_type=doc_type)


@dataclass(frozen=True)
class Given:
    """A number the register has given, with its date and how it reads."""

    number: int
    dated: datetime.date | None
    label: str  # "01/QĐ-SGDĐT", "số 57 (sổ giấy)", "số 60 (hủy số)"


def _day(date: datetime.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else "—"


def register_latest(register: DirectiveRegister) -> Given | None:
    """The number with the latest date the register has given (the highest such number
    on a tie): an issued directive, a cancelled or skipped number, or the last number of
    the paper register. Dates, not numbers, are compared: a register filled before this
    rule may hold a later number with an earlier date."""
    candidates: list[Given] = []
    directive = (
        Directive.objects.filter(province_id=register.province_id, year=register.year, doc_type=register.doc_type,
                                 number__isnull=False)
        .exclude(status=DirectiveStatus.DRAFT)
        .order_by("-issued_on", "-number")
        .only("number", "symbol", "issued_on")
        .first()
    )
    if directive is not None:
        candidates.append(Given(directive.number, directive.issued_on, directive.number_text))
    entry = register.entries.order_by("-dated", "-number").first() if register.pk else None
    if entry is not None:
        kind = _("hủy số") if entry.kind == RegisterEntryKind.CANCELLED else _("bỏ số")
        candidates.append(Given(entry.number, entry.dated, _("số %(number)02d (%(kind)s)") % {
            "number": entry.number, "kind": kind,
        }))
    if register.paper_through and register.paper_last_on:
        candidates.append(Given(register.paper_through, register.paper_last_on,
                                _("số %(number)02d (sổ giấy)") % {"number": register.paper_through}))
    if not candidates:
        return None
    return max(candidates, key=lambda given: (given.dated or datetime.date.min, given.number))


def register_date_refusal(register: DirectiveRegister, dated: datetime.date) -> str | None:
    """Why a number of `register` may not bear `dated`, or None."""
    latest = register_latest(register)
    if latest is None or latest.dated is None or dated >= latest.dated:
        return None
    return _(
        "Ngày %(date)s trước ngày của %(label)s (%(last)s), số đã cấp gần nhất trong sổ %(type)s năm %(year)s. "
        "Số văn bản được cấp theo thứ tự thời gian ban hành: hãy chọn ngày từ %(last)s trở đi."
    ) % {
        "date": _day(dated), "label": latest.label, "last": _day(latest.dated),
        "type": DirectiveType(register.doc_type).label.lower(), "year": register.year,
    }


def _require_manager(user, province_id: int) -> None:
    if not may(user, "registers.manage"):
        raise PermissionDenied
    if not user.is_superuser and province_id != user.province_id:
        raise PermissionDenied


def _check_date(register: DirectiveRegister, dated: datetime.date | None, field: str) -> None:
    if dated is None:
        raise ValidationError({field: _("Hãy ghi ngày.")})
    if dated > timezone.localdate():
        raise ValidationError({field: _("Ngày không được ở tương lai.")})
    if dated.year != register.year:
        raise ValidationError({field: _("Ngày phải thuộc năm %(year)s của sổ.") % {"year": register.year}})


def _check_unchanged(register: DirectiveRegister, seen_last: int | None) -> None:
    """The form was filled against the register as it was; refuse if it moved since."""
    if seen_last is not None and seen_last != register.last_number:
        raise ValidationError(_(
            "Sổ đã thay đổi từ khi mở trang: số cuối cùng đã cấp nay là %(last)02d. Hãy xem lại rồi làm lại."
        ) % {"last": register.last_number}, code="stale")


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    return reason


def _portal_used(register: DirectiveRegister) -> bool:
    """Whether the portal has given a number of this register (a directive or an entry)."""
    return register.entries.exists() or Directive.objects.filter(
        province_id=register.province_id, year=register.year, doc_type=register.doc_type, number__isnull=False,
    ).exists()


@transaction.atomic
def register_set_next(*, province_id: int, year: int, doc_type: str, next_number: int,
                      last_on: datetime.date | None, reason: str, user, seen_last: int | None = None,
                      ) -> DirectiveRegister:
    """Make `next_number` the next number the register gives.

    Before the portal has given any number of the register, this is the adoption: the
    numbers before it were given on the paper register, the last of them on `last_on`
    (it can be set again to correct a slip). Afterwards the register only moves forward:
    the numbers jumped over are recorded as skipped, dated `last_on`, with the reason."""
    _require_manager(user, province_id)
    reason = _check_reason(reason)
    if year < FIRST_YEAR or year > timezone.localdate().year:
        raise ValidationError({"year": _("Năm của sổ không hợp lệ.")})
    if doc_type not in DirectiveType.values:
        raise ValidationError({"doc_type": _("Loại văn bản không hợp lệ.")})
    register = register_lock(province_id, year, doc_type)
    _check_unchanged(register, seen_last)
    if next_number < 1:
        raise ValidationError({"next_number": _("Số tiếp theo phải từ 1 trở lên.")})
    if not _portal_used(register):
        paper_through = next_number - 1
        if paper_through:
            _check_date(register, last_on, "last_on")
        register.paper_through = register.last_number = paper_through
        register.paper_last_on = last_on if paper_through else None
    else:
        if next_number <= register.next_number:
            raise ValidationError({"next_number": _(
                "Số tiếp theo của sổ đã là %(next)02d và sổ chỉ đi tiếp, không quay lại (số đã cấp không cấp lại). "
                "Hãy nhập số lớn hơn %(next)02d."
            ) % {"next": register.next_number}})
        skipped = range(register.next_number, next_number)
        if len(skipped) > MAX_GAP:
            raise ValidationError({"next_number": _(
                "Bỏ qua %(count)s số một lúc là quá nhiều (tối đa %(max)s): hãy kiểm tra lại số tiếp theo."
            ) % {"count": len(skipped), "max": MAX_GAP}})
        _check_date(register, last_on, "last_on")
        refusal = register_date_refusal(register, last_on)
        if refusal:
            raise ValidationError({"last_on": refusal})
        RegisterEntry.objects.bulk_create([
            RegisterEntry(register=register, number=number, kind=RegisterEntryKind.SKIPPED, dated=last_on,
                          reason=reason, recorded_by=user)
            for number in skipped
        ])
        register.last_number = next_number - 1
    register._change_reason = reason
    register._history_user = user
    register.save()
    return register


@transaction.atomic
def register_cancel_next(*, register: DirectiveRegister, dated: datetime.date | None, reason: str, user,
                         seen_last: int | None = None) -> RegisterEntry:
    """Give the next number of the register and record it as cancelled: a number the
    clerk gave outside the portal (on paper, by telephone) to a document that was then
    not issued. It is never given again. (A directive issued on the portal is corrected
    by a directive that replaces it, keeping both numbers.)"""
    _require_manager(user, register.province_id)
    reason = _check_reason(reason)
    register = register_lock(register.province_id, register.year, register.doc_type)
    _check_unchanged(register, seen_last)
    _check_date(register, dated, "dated")
    refusal = register_date_refusal(register, dated)
    if refusal:
        raise ValidationError({"dated": refusal})
    register.last_number += 1
    entry = RegisterEntry.objects.create(register=register, number=register.last_number,
                                         kind=RegisterEntryKind.CANCELLED, dated=dated, reason=reason,
                                         recorded_by=user)
    register._change_reason = reason
    register._history_user = user
    register.save()
    return entry


@dataclass
class RegisterRow:
    """One line of the register's page: a number (or a run of numbers) and what it is."""

    first: int
    last: int
    kind: str  # "paper", "issued", "cancelled", "skipped", "missing"
    dated: datetime.date | None = None
    directive: Directive | None = None
    entry: RegisterEntry | None = None

    @property
    def numbers(self) -> str:
        return f"{self.first:02d}" if self.first == self.last else f"{self.first:02d}–{self.last:02d}"


def register_rows(register: DirectiveRegister, directives: QuerySet[Directive]) -> list[RegisterRow]:
    """Every number from 01 to the last given, in order, in three queries whatever the
    register's size: the paper run, each directive, each cancelled or skipped number, and
    any number with no record at all (from before this page existed) as "missing", so a
    gap can never pass unseen. `directives` are those the user may open."""
    rows: list[RegisterRow] = []
    if register.paper_through:
        rows.append(RegisterRow(1, register.paper_through, "paper", register.paper_last_on))
    by_number: dict[int, RegisterRow] = {}
    for directive in (
        Directive.objects.filter(province_id=register.province_id, year=register.year, doc_type=register.doc_type,
                                 number__isnull=False).exclude(status=DirectiveStatus.DRAFT).order_by("number")
    ):
        by_number[directive.number] = RegisterRow(directive.number, directive.number, "issued", directive.issued_on,
                                                  directive=directive)
    for entry in register.entries.select_related("recorded_by").order_by("number"):
        by_number[entry.number] = RegisterRow(entry.number, entry.number, entry.kind, entry.dated, entry=entry)
    visible = set(directives.filter(pk__in=[r.directive.pk for r in by_number.values() if r.directive])
                  .values_list("pk", flat=True))
    for row in by_number.values():
        if row.directive is not None:
            row.directive.can_open = row.directive.pk in visible
    top = max([register.last_number, *by_number]) if by_number else register.last_number
    missing_from = None
    for number in range(register.paper_through + 1, top + 1):
        row = by_number.get(number)
        if row is None:
            missing_from = number if missing_from is None else missing_from
            continue
        if missing_from is not None:
            rows.append(RegisterRow(missing_from, number - 1, "missing"))
            missing_from = None
        previous = rows[-1] if rows else None
        if (row.entry is not None and previous is not None and previous.entry is not None
                and previous.last == number - 1 and (previous.kind, previous.dated, previous.entry.reason)
                == (row.kind, row.dated, row.entry.reason)):
            # Numbers skipped (or cancelled) together read as one run: "05–06".
            previous.last = number
            continue
        rows.append(row)
    if missing_from is not None:
        rows.append(RegisterRow(missing_from, top, "missing"))
    return rows
