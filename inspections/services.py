"""Write paths of inspections, violations and complaints, and the nightly record of when
each compliance flag appeared and cleared."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import may
from centers.models import Center
from geo.text import fold, vi_number

from .choices import CheckResult, Condition, InspectionStatus
from .models import (
    Complaint,
    FlagPeriod,
    Inspection,
    InspectionCheck,
    RiskWeight,
    SavedSearch,
    Violation,
)
from .flags import flags_touch
from .rules import RULES, annotate_rules

# Department inspectorates ("Thanh tra Sở") end with the Law on Inspection 2025.
INSPECTORATES_ABOLISHED = datetime.date(2025, 7, 1)


def _require(user, center: Center) -> None:
    """Inspectors and staff act on the centers of their own province only."""
    if not may(user, "inspections.record"):
        raise PermissionDenied
    if not user.is_superuser and center.province_id != user.province_id:
        raise PermissionDenied


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_inspection(inspection: Inspection) -> None:
    errors = {}
    done = inspection.status in (InspectionStatus.DONE, InspectionStatus.CLOSED)
    if done and not inspection.carried_out_on:
        errors["carried_out_on"] = _("Cần ngày kiểm tra khi cuộc kiểm tra đã thực hiện.")
    if inspection.carried_out_on and inspection.carried_out_on > timezone.localdate():
        errors["carried_out_on"] = _("Ngày kiểm tra không được ở tương lai.")
    start = inspection.carried_out_on or inspection.planned_on
    if inspection.remedy_deadline and start and inspection.remedy_deadline < start:
        errors["remedy_deadline"] = _("Thời hạn khắc phục (%(deadline)s) trước ngày kiểm tra (%(start)s).") % {
            "deadline": _date(inspection.remedy_deadline), "start": _date(start)}
    if inspection.closed_on and start and inspection.closed_on < start:
        errors["closed_on"] = _("Ngày kết thúc trước ngày kiểm tra.")
    if inspection.status == InspectionStatus.CLOSED and not inspection.closed_on:
        errors["closed_on"] = _("Cần ngày kết thúc khi đóng cuộc kiểm tra.")
    # The Law on Inspection 84/2025/QH15 (in force 1/7/2025) abolished the Departments'
    # inspectorates: a Department's team checks ("kiểm tra"); records of earlier dates keep
    # the titles of their time (shared/domain/regulations.md, "Inspection after 1 July 2025").
    if start and start >= INSPECTORATES_ABOLISHED and "thanh tra so" in fold(inspection.team or ""):
        errors["team"] = _(
            "Từ ngày 01/7/2025 không còn Thanh tra Sở (Luật Thanh tra số 84/2025/QH15): Sở kiểm tra bằng đoàn "
            "kiểm tra. Hãy ghi chức vụ hiện nay của từng thành viên, ví dụ: Trưởng phòng Giáo dục thường xuyên."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def inspection_save(*, inspection: Inspection, user, checks: dict[str, tuple[str, str]] | None = None) -> Inspection:
    """Create or change an inspection (and its checklist: condition -> (result, note))."""
    _require(user, inspection.center)
    inspection.province_id = inspection.center.province_id
    if inspection.pk is None:
        inspection.created_by = user
    inspection.full_clean(exclude=["province", "created_by"])
    _check_inspection(inspection)
    if checks is not None and any(result not in CheckResult.values for result, _note in checks.values()):
        raise ValidationError(_("Kết quả kiểm tra không hợp lệ."))
    inspection.save()
    if checks is not None:
        for condition, (result, note) in checks.items():
            if condition not in Condition.values:
                continue
            InspectionCheck.objects.update_or_create(
                inspection=inspection, condition=condition, defaults={"result": result, "note": note[:500]},
            )
    return inspection


def violation_add(*, inspection: Inspection, user, **fields) -> Violation:
    """Record a violation citing the catalogue version in force on the inspection's date;
    its remedy deadline defaults to the inspection's and is never before the inspection."""
    _require(user, inspection.center)
    if not inspection.carried_out_on:
        raise ValidationError(_("Chỉ ghi vi phạm sau khi đã có ngày kiểm tra."))
    violation = Violation(inspection=inspection, **fields)
    if not violation.remedy_deadline:
        violation.remedy_deadline = inspection.remedy_deadline
    violation.full_clean(exclude=["inspection"])
    version = violation.article.version
    if not version.in_force_on(inspection.carried_out_on):
        raise ValidationError({"article": _(
            "Hành vi này thuộc %(version)s, không có hiệu lực vào ngày kiểm tra %(date)s. "
            "Hãy chọn hành vi của văn bản đang có hiệu lực."
        ) % {"version": version.title, "date": _date(inspection.carried_out_on)}})
    if violation.remedy_deadline < inspection.carried_out_on:
        raise ValidationError({"remedy_deadline": _("Thời hạn khắc phục (%(deadline)s) "
                                                    "trước ngày kiểm tra (%(start)s).")
                               % {"deadline": _date(violation.remedy_deadline),
                                  "start": _date(inspection.carried_out_on)}})
    article = violation.article
    if violation.fine_amount is not None and article.fine_max is not None and not (
            (article.fine_min or 0) <= violation.fine_amount <= article.fine_max):
        raise ValidationError({"fine_amount": _("Mức phạt ngoài khung của hành vi (%(low)s - %(high)s đồng).") % {
            "low": vi_number(article.fine_min or 0), "high": vi_number(article.fine_max)}})
    violation.save()
    return violation


def violation_remedied(*, violation: Violation, user, on: datetime.date) -> None:
    _require(user, violation.inspection.center)
    if on < violation.inspection.carried_out_on or on > timezone.localdate():
        raise ValidationError(_("Ngày khắc phục phải từ ngày kiểm tra đến hôm nay."))
    Violation.objects.filter(pk=violation.pk).update(remedied_on=on)
    flags_touch([violation.inspection.center_id])  # an update is past the model signals


def inspection_follow_up_add(*, inspection: Inspection, user, note: str, on: datetime.date | None = None) -> None:
    """Append a dated, signed line to the inspection's follow-up record (remedies reported,
    re-visits, reminders); earlier lines are never rewritten."""
    _require(user, inspection.center)
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": _("Hãy nhập nội dung theo dõi.")})
    if inspection.status == InspectionStatus.PLANNED:
        raise ValidationError({"note": _("Cuộc kiểm tra chưa thực hiện: chưa có gì để theo dõi khắc phục.")})
    on = on or timezone.localdate()
    author = str(user)
    line = f"{_date(on)} ({author}): {note}"
    inspection.follow_up = f"{inspection.follow_up.rstrip()}\n{line}" if inspection.follow_up.strip() else line
    Inspection.objects.filter(pk=inspection.pk).update(follow_up=inspection.follow_up, updated_at=timezone.now())


def _check_complaint(complaint: Complaint) -> None:
    errors = {}
    if complaint.received_on > timezone.localdate():
        errors["received_on"] = _("Ngày nhận không được ở tương lai.")
    if complaint.handling_deadline < complaint.received_on:
        errors["handling_deadline"] = _("Hạn giải quyết trước ngày nhận đơn.")
    if complaint.status in ("resolved", "rejected") and not complaint.closed_on:
        errors["closed_on"] = _("Cần ngày kết thúc khi đơn đã giải quyết hoặc không thụ lý.")
    if complaint.closed_on and complaint.closed_on < complaint.received_on:
        errors["closed_on"] = _("Ngày kết thúc trước ngày nhận đơn.")
    if errors:
        raise ValidationError(errors)


def complaint_save(*, complaint: Complaint, user) -> Complaint:
    _require(user, complaint.center)
    complaint.province_id = complaint.center.province_id
    if complaint.pk is None:
        complaint.created_by = user
    complaint.full_clean(exclude=["province", "created_by"])
    _check_complaint(complaint)
    complaint.save()
    return complaint


def risk_weights_set(*, user, province_id: int, weights: dict[str, int]) -> None:
    """Department staff set how much each rule weighs in their province's risk score."""

    if not may(user, "registry.manage") or (not user.is_superuser and user.province_id != province_id):
        raise PermissionDenied
    codes = {rule.code for rule in RULES}
    chosen = {code: weight for code, weight in weights.items() if code in codes}
    # Every weight is checked before any is written: a bad one stores nothing.
    for weight in chosen.values():
        if not 0 <= int(weight) <= 100:
            raise ValidationError(_("Trọng số từ 0 đến 100."))
    with transaction.atomic():
        for code, weight in chosen.items():
            RiskWeight.objects.update_or_create(province_id=province_id, rule=code, defaults={"weight": int(weight)})


def saved_search_save(*, user, name: str, query: str) -> SavedSearch:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Hãy đặt tên cho tìm kiếm."))
    search, _created = SavedSearch.objects.update_or_create(user=user, name=name[:120],
                                                            defaults={"query": query[:2000]})
    return search


# Flag history

@transaction.atomic
def flags_record(*, today: datetime.date | None = None) -> dict[str, tuple[int, int]]:
    """For each rule: open a period for every center it flags today that has none open,
    close the open periods of centers it no longer flags. Two statements per rule,
    evaluated in the database; running it twice a day changes nothing."""
    today = today or timezone.localdate()
    changes = {}
    for rule in RULES:
        flagged = annotate_rules(Center.objects.all(), today, [rule], details=False).filter(**{rule.field: True})
        cleared = FlagPeriod.objects.filter(rule=rule.code, cleared_on__isnull=True) \
            .exclude(center_id__in=flagged.values("pk")).update(cleared_on=today)
        open_period = FlagPeriod.objects.filter(center=OuterRef("pk"), rule=rule.code, cleared_on__isnull=True)
        new = flagged.exclude(Exists(open_period)).values_list("pk", flat=True)
        raised = FlagPeriod.objects.bulk_create(
            [FlagPeriod(center_id=pk, rule=rule.code, raised_on=today) for pk in new],
            ignore_conflicts=True, batch_size=1000,
        )
        changes[rule.code] = (len(raised), cleared)
    return changes
