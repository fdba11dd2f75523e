"""Importing the registry from a spreadsheet: every row is checked before anything is
written, then the file is written in one transaction with bulk queries.

A row updates the center with the same code in the same province, or adds a new one,
so importing a file twice (or importing the portal's own export) changes nothing the
second time. Empty cells in optional columns leave the stored value as it is: a file
with a few columns filled in never wipes what it does not mention.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.permissions import can_manage_registry
from geo.models import AdministrativeUnit
from geo.text import fold

from .choices import CenterStatus, DocumentKind
from .excel import (
    ImportFileError,
    ParsedRow,
    RowError,
    Table,
    bare_unit_name,
    open_table,
    parse_row,
    unit_label,
)
from .models import Center, CenterImport, Director, LicenceDocument
from .services import center_set_status, centers_refresh, directors_ended

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Id lists passed to `IN (...)` are cut to this size: SQLite caps bound parameters.
ID_CHUNK = 2000
PROGRESS_EVERY = 500
# More errors than this help nobody; the count of the rest is still reported.
MAX_REPORTED_ERRORS = 1000
# Uploaded files are deleted this many days after their import finished.
IMPORT_KEEP_DAYS = getattr(settings, "IMPORT_KEEP_DAYS", 7)

CENTER_FIELDS = {  # model field -> column key, for the plain text columns
    "name": "name",
    "kind": "kind",
    "street": "street",
    "phone": "phone",
    "email": "email",
    "investor_name": "investor",
}

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (`written` is False)."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.errors)

    def reported_errors(self) -> list[RowError]:
        return self.errors[:MAX_REPORTED_ERRORS]


@dataclass
class _Plan:
    """What one valid row will write."""

    row: ParsedRow
    center: Center
    is_new: bool
    changed_fields: list[str]
    status: str = ""
    document: LicenceDocument | None = None
    document_is_new: bool = False
    document_changed: list[str] = field(default_factory=list)
    director: str = ""
    current_director: Director | None = None


def _key(text: str) -> str:
    """Comparison form of a code, a decision number or a person's name."""
    return " ".join(text.split()).casefold()


def _chunks(items: list, size: int = ID_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# Entry points


def center_import_file(
    *, data: bytes, filename: str, by=None, province: AdministrativeUnit | None = None,
    valid_only: bool = False, progress: Progress | None = None,
) -> ImportResult:
    """Import an .xlsx or .csv registry file; see center_import_table."""
    try:
        table = open_table(data, filename)
    except ImportFileError as exc:
        return ImportResult(errors=[RowError(None, "", exc.message)])
    return center_import_table(table=table, by=by, province=province, valid_only=valid_only, progress=progress)


def center_import_table(
    *, table: Table, by=None, province: AdministrativeUnit | None = None,
    valid_only: bool = False, progress: Progress | None = None,
) -> ImportResult:
    """Check every row of the table, then write the good ones in one transaction.

    `by` is the user the import acts for: department staff may only import centers of
    their own province; None (the command line without --user) may import any. With
    `province`, rows of any other province are refused too. A row with an error makes
    the whole file refused unless `valid_only`, which writes the rows without errors.
    """
    if by is not None and not can_manage_registry(by):
        raise PermissionDenied
    allowed = _allowed_province(by, province)
    result = ImportResult()
    rows: list[ParsedRow] = []
    total = table.estimated_rows
    try:
        for number, raw in table.rows():
            rows.append(parse_row(number, raw))
            if progress and len(rows) % PROGRESS_EVERY == 0:
                progress(len(rows), max(total, len(rows)))
    except ImportFileError as exc:
        result.errors.append(RowError(None, "", exc.message))
        return result
    result.total_rows = len(rows)
    if not rows:
        result.errors.append(RowError(None, "", _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")))
        return result

    plans = _plan(rows, allowed)
    result.errors = sorted((e for row in rows for e in row.errors), key=lambda e: (e.row or 0))
    if progress:
        progress(len(rows), len(rows))
    if result.errors and not valid_only:
        return result
    result.skipped = sum(1 for row in rows if row.errors)
    try:
        with transaction.atomic():
            _write(plans, by=by, result=result, reason=_("Nhập từ tệp"))
    except IntegrityError:
        # Another import or an admin edit added the same code meanwhile.
        logger.warning("Center import hit a uniqueness conflict", exc_info=True)
        result.errors.append(RowError(None, "", _(
            "Dữ liệu vừa bị thay đổi đồng thời (một mã trung tâm đã được thêm ở nơi khác). "
            "Chưa có gì được ghi; hãy nhập lại tệp."
        )))
        result.created = result.updated = result.unchanged = 0
        return result
    result.written = True
    return result


def _allowed_province(by, province: AdministrativeUnit | None) -> AdministrativeUnit | None:
    if by is not None and not by.is_superuser:
        # Staff without a province would otherwise be limited by nothing.
        if not by.province_id or (province is not None and province.pk != by.province_id):
            raise PermissionDenied
        return by.province
    return province


# Checking rows against the database (a fixed number of queries per file)


def _plan(rows: list[ParsedRow], allowed: AdministrativeUnit | None) -> list[_Plan]:
    provinces = list(AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE))
    province_index = _unit_index(provinces, "province")
    for row in rows:
        if row["province"]:
            row.values["province_unit"] = _find_unit(row, "province", province_index, None)
    province_ids = {row.values["province_unit"].pk for row in rows if row.values.get("province_unit")}
    communes = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE, parent_id__in=province_ids)
    commune_index: dict[int, dict] = defaultdict(lambda: {"exact": {}, "bare": defaultdict(list)})
    by_parent: dict[int, list] = defaultdict(list)
    for commune in communes:
        by_parent[commune.parent_id].append(commune)
    for parent_id, units in by_parent.items():
        commune_index[parent_id] = _unit_index(units, "commune")

    for row in rows:
        unit = row.values.get("province_unit")
        if unit is None:
            continue
        if allowed is not None and unit.pk != allowed.pk:
            message = _("bạn chỉ được nhập trung tâm của %(province)s.") % {"province": unit_label(allowed)}
            row.error("province", message)
            continue
        if row["commune"]:
            row.values["commune_unit"] = _find_unit(row, "commune", commune_index[unit.pk], unit)

    _check_duplicates(rows)
    existing = _existing_centers(province_ids)
    matched = {
        row.number: existing.get(row.values["province_unit"].pk, row["code"]) for row in rows if not row.errors
    }
    documents, directors = _related(sorted({c.pk for c in matched.values() if c is not None}))
    plans = []
    for row in rows:
        if row.errors:
            continue
        plan = _plan_row(row, matched[row.number], documents, directors)
        if not row.errors:
            plans.append(plan)
    return plans


def _unit_index(units: Iterable[AdministrativeUnit], level: str) -> dict:
    index: dict = {"exact": {}, "bare": defaultdict(list)}
    for unit in units:
        for text in {unit.name, unit.full_name, unit_label(unit)}:
            index["exact"].setdefault(fold(text), unit)
        index["bare"][bare_unit_name(unit.name, level)].append(unit)
    return index


def _find_unit(row: ParsedRow, level: str, index: dict, province: AdministrativeUnit | None):
    text = row[level]
    unit = index["exact"].get(fold(text))
    if unit is not None:
        return unit
    candidates = index["bare"].get(bare_unit_name(text, level), [])
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        row.error(level, _("có nhiều đơn vị tên «%(value)s»; hãy ghi rõ «Xã ...» hoặc «Phường ...».") % {"value": text})
    elif level == "province":
        row.error(level, _("không tìm thấy tỉnh/thành phố «%(value)s».") % {"value": text})
    else:
        row.error(level, _("không tìm thấy xã/phường «%(value)s» thuộc %(province)s.")
                  % {"value": text, "province": unit_label(province)})
    return None


def _check_duplicates(rows: list[ParsedRow]) -> None:
    """A code twice in one file is ambiguous: every occurrence is refused."""
    seen: dict[tuple, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        unit = row.values.get("province_unit")
        if unit is not None and row["code"]:
            seen[(unit.pk, _key(row["code"]))].append(row)
    for same in seen.values():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                message = _("mã «%(code)s» lặp lại ở các dòng %(rows)s.") % {"code": row["code"], "rows": numbers}
                row.error("code", message)


@dataclass
class _Existing:
    """The centers of the file's provinces, by exact code and by case-insensitive code."""

    exact: dict[tuple[int, str], Center] = field(default_factory=dict)
    folded: dict[tuple[int, str], Center] = field(default_factory=dict)

    def get(self, province_id: int, code: str) -> Center | None:
        return self.exact.get((province_id, code)) or self.folded.get((province_id, _key(code)))


def _existing_centers(province_ids: set[int]) -> _Existing:
    existing = _Existing()
    # A province holds a few thousand centers at most: one query for all of them is
    # cheaper than passing thousands of codes as parameters.
    for center in Center.objects.filter(province_id__in=province_ids).order_by("pk"):
        existing.exact[(center.province_id, center.code)] = center
        existing.folded.setdefault((center.province_id, _key(center.code)), center)
    return existing


def _related(ids: list[int]) -> tuple[dict[int, list], dict[int, Director]]:
    """Documents and current directors of the matched centers, in a few queries."""
    documents: dict[int, list] = defaultdict(list)
    directors: dict[int, Director] = {}
    for chunk in _chunks(ids):
        for document in LicenceDocument.objects.filter(center_id__in=chunk).order_by("-signed_on", "-pk"):
            documents[document.center_id].append(document)
        for director in Director.objects.filter(center_id__in=chunk, ended_on__isnull=True):
            directors[director.center_id] = director
    return documents, directors


def _plan_row(row: ParsedRow, center: Center | None, documents: dict, directors: dict) -> _Plan:
    province, commune = row.values["province_unit"], row.values["commune_unit"]
    if center is None:
        center = Center(
            province=province, commune=commune, code=row["code"].upper(),
            status=row["status"] or CenterStatus.OPERATING,
            **{name: row[key] for name, key in CENTER_FIELDS.items()},
        )
        plan = _Plan(row, center, is_new=True, changed_fields=[])
    else:
        changed = [
            name for name, key in CENTER_FIELDS.items() if row[key] and getattr(center, name) != row[key]
        ]
        if center.commune_id != commune.pk:
            changed.append("commune")
        plan = _Plan(row, center, is_new=False, changed_fields=changed)
        if row["status"] and row["status"] != center.status:
            plan.status = row["status"]
    _plan_document(plan, documents.get(center.pk, []) if center.pk else [])
    name = row["director"]
    current = directors.get(center.pk) if center.pk else None
    if name and (current is None or _key(current.full_name) != _key(name)):
        plan.director = name
    plan.current_director = current
    return plan


def _plan_document(plan: _Plan, documents: list[LicenceDocument]) -> None:
    row = plan.row
    number = row["licence_number"]
    if not number:
        return
    current_id = plan.center.current_licence_id
    matches = [d for d in documents if _key(d.number) == _key(number)]
    matches.sort(key=lambda d: d.pk != current_id)  # the current licence first
    if matches:
        document = matches[0]
        wanted = {
            "signed_on": row["licence_signed_on"],
            "issuer": row["licence_issuer"],
            "valid_until": row["licence_valid_until"],
        }
        changed = [name for name, value in wanted.items() if value and getattr(document, name) != value]
        for name in changed:
            setattr(document, name, wanted[name])
        if document.valid_until and document.valid_until < document.signed_on:
            row.error("licence_valid_until", _("ngày hết hạn phải sau ngày quyết định."))
        plan.document, plan.document_changed = document, changed
        return
    if not row["licence_signed_on"]:
        row.error("licence_signed_on", _("bắt buộc khi ghi một quyết định mới."))
    if not row["licence_issuer"]:
        row.error("licence_issuer", _("bắt buộc khi ghi một quyết định mới."))
    plan.document = LicenceDocument(
        kind=DocumentKind.ESTABLISHMENT_OPERATION, number=number, signed_on=row["licence_signed_on"],
        issuer=row["licence_issuer"], valid_until=row["licence_valid_until"],
    )
    plan.document_is_new = True


# Writing (inside the caller's transaction)


def _write(plans: list[_Plan], *, by, result: ImportResult, reason: str) -> None:
    now = timezone.now()
    today = timezone.localdate()
    history = {"default_user": by, "default_change_reason": reason, "batch_size": BATCH_SIZE}
    touched: set[int] = set()

    changed_centers = [p for p in plans if not p.is_new and p.changed_fields]
    if changed_centers:
        fields = sorted({name for p in changed_centers for name in p.changed_fields})
        for plan in changed_centers:
            for name in plan.changed_fields:
                value = plan.row.values["commune_unit"] if name == "commune" else plan.row[CENTER_FIELDS[name]]
                setattr(plan.center, name, value)
            plan.center.updated_at = now
        # bulk_update writes every listed field of every object; unchanged ones are
        # rewritten with the value they already hold.
        bulk_update_with_history(
            [p.center for p in changed_centers], Center, fields + ["updated_at"], **history,
        )
    new_centers = [p for p in plans if p.is_new]
    if new_centers:
        created = bulk_create_with_history([p.center for p in new_centers], Center, **history)
        for plan, center in zip(new_centers, created, strict=True):
            plan.center = center

    new_documents, changed_documents = [], []
    for plan in plans:
        if plan.document is None:
            continue
        if plan.document_is_new:
            plan.document.center = plan.center
            new_documents.append(plan.document)
        elif plan.document_changed:
            plan.document.updated_at = now
            changed_documents.append(plan)
    if new_documents:
        created = bulk_create_with_history(new_documents, LicenceDocument, **history)
        document_plans = [p for p in plans if p.document_is_new]
        for plan, document in zip(document_plans, created, strict=True):
            plan.document = document
    if changed_documents:
        fields = sorted({name for p in changed_documents for name in p.document_changed})
        bulk_update_with_history(
            [p.document for p in changed_documents], LicenceDocument, fields + ["updated_at"], **history,
        )

    _write_directors([p for p in plans if p.director], today=today, now=now, history=history)

    for plan in plans:
        if plan.status:
            # Rare, and the rule (a dated StatusChange tied to its decision) lives in the
            # service: one call per changed center.
            plan.center._history_user = by
            center_set_status(
                center=plan.center, status=plan.status,
                effective_on=plan.document.signed_on if plan.document else today,
                document=plan.document, reason=reason, by=by,
            )

    for plan in plans:
        changed = bool(
            plan.is_new or plan.changed_fields or plan.status or plan.director
            or plan.document_is_new or plan.document_changed
        )
        if plan.is_new:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
        if changed:
            touched.add(plan.center.pk)
    for chunk in _chunks(sorted(touched)):
        centers_refresh(chunk)


def _write_directors(plans: list[_Plan], *, today: datetime.date, now, history: dict) -> None:
    """Appoint the directors named in the file, in bulk, by the rule of
    centers.services.director_appoint: the previous director's tenure ends the day
    before. A new center's director has no known start date."""
    if not plans:
        return
    ended = []
    for plan in plans:
        previous = plan.current_director
        if previous is not None:
            previous.ended_on = max(today - datetime.timedelta(days=1), previous.started_on or today)
            previous.updated_at = now
            ended.append(previous)
    if ended:
        # Ended first: the database allows one current director per center.
        bulk_update_with_history(ended, Director, ["ended_on", "updated_at"], **history)
    bulk_create_with_history(
        [
            Director(center=plan.center, full_name=plan.director, started_on=None if plan.is_new else today)
            for plan in plans
        ],
        Director, **history,
    )
    # The previous directors' accounts keep access until their last day (accounts.lifecycle).
    directors_ended(directors=ended, by=history.get("default_user"))


# Background imports


def center_import_start(*, data: bytes, filename: str, by, valid_only: bool, total_rows: int) -> CenterImport:
    """Keep a large upload privately and queue its import once the row is committed;
    the status page then follows it. A broker that cannot be reached marks it failed."""
    center_import = CenterImport.objects.create(
        province=None if by.is_superuser else by.province,
        created_by=by,
        file=ContentFile(data, name=filename),
        original_name=filename[:255],
        valid_only=valid_only,
        total_rows=total_rows,
    )
    pk = center_import.pk
    transaction.on_commit(lambda: _queue(pk))
    return center_import


def _queue(pk: int) -> None:
    from .tasks import center_import_run_task

    try:
        center_import_run_task.delay(pk)
    except Exception:  # Redis down or refusing: the page must say so, not spin forever
        logger.exception("Could not queue center import %s", pk)
        CenterImport.objects.filter(pk=pk, status=CenterImport.Status.PENDING).update(
            status=CenterImport.Status.FAILED,
            finished_at=timezone.now(),
            errors=[RowError(None, "", _(
                "Không gửi được việc nhập tới hàng đợi xử lý (máy chủ hàng đợi không phản hồi). "
                "Chưa có gì được ghi; hãy thử lại sau ít phút hoặc báo quản trị hệ thống."
            )).as_dict()],
        )


def center_import_run(*, center_import: CenterImport) -> None:
    """Run a queued import once: claim it (a redelivered message finds it taken), read
    its file, import, and record the outcome and the errors on the row."""
    claimed = CenterImport.objects.filter(pk=center_import.pk, status=CenterImport.Status.PENDING).update(
        status=CenterImport.Status.RUNNING,
    )
    if not claimed:
        logger.info("Center import %s already taken", center_import.pk)
        return

    def progress(done: int, total: int) -> None:
        CenterImport.objects.filter(pk=center_import.pk).update(processed_rows=done, total_rows=total)

    try:
        with center_import.file.open("rb") as handle:
            data = handle.read()
        result = center_import_file(
            data=data, filename=center_import.original_name, by=center_import.created_by,
            province=center_import.province, valid_only=center_import.valid_only, progress=progress,
        )
    except Exception:
        logger.exception("Center import %s failed", center_import.pk)
        result = ImportResult(errors=[RowError(None, "", _(
            "Lỗi hệ thống khi nhập tệp; chưa có gì được ghi. Hãy báo quản trị hệ thống."
        ))])
    errors = [error.as_dict() for error in result.reported_errors()]
    if result.error_count > MAX_REPORTED_ERRORS:
        errors.append(RowError(None, "", _("… và %(count)s lỗi khác.") % {
            "count": result.error_count - MAX_REPORTED_ERRORS,
        }).as_dict())
    CenterImport.objects.filter(pk=center_import.pk).update(
        status=CenterImport.Status.DONE if result.written else CenterImport.Status.FAILED,
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
        created=result.created,
        updated=result.updated,
        errors=errors,
        finished_at=timezone.now(),
    )


def center_imports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploaded files of imports finished more than IMPORT_KEEP_DAYS ago (the
    rows stay as the record), and fail imports stuck long past the task time limit,
    e.g. after a worker was killed. Returns the number of files deleted."""
    now = now or timezone.now()
    Status = CenterImport.Status
    stuck_before = now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    CenterImport.objects.filter(
        status__in=[Status.PENDING, Status.RUNNING], created_at__lt=stuck_before,
    ).update(
        status=Status.FAILED, finished_at=now,
        errors=[RowError(None, "", _("Việc nhập bị dừng giữa chừng và đã được hủy; hãy nhập lại tệp.")).as_dict()],
    )
    expired = CenterImport.objects.filter(
        status__in=[Status.DONE, Status.FAILED],
        finished_at__lt=now - datetime.timedelta(days=IMPORT_KEEP_DAYS),
    ).exclude(file="")
    deleted = 0
    for center_import in expired.iterator():
        center_import.file.delete(save=False)
        CenterImport.objects.filter(pk=center_import.pk).update(file="")
        deleted += 1
    return deleted
