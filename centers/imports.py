"""Importing the registry from a spreadsheet: every row is checked before anything is
written, then the file is written in one transaction with bulk queries.

A row updates the center with the same code in the same province, or adds a new one,
so importing a file twice (or importing the portal's own export) changes nothing the
second time. Empty cells in optional columns leave the stored value as it is: a file
with a few columns filled in never wipes what it does not mention.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import may
from edu_portal.files import FileRefused
from edu_portal.jobs import Heartbeat, JobLost, Recovery, job_claim, job_send, job_update, jobs_recover
from geo.models import AdministrativeUnit
from geo.text import fold, unit_label

from .choices import CenterKind, CenterStatus, DocumentKind
from .excel import (
    COLUMN_BY_KEY,
    DATE_FORMAT,
    EXAMPLE_CODE,
    ParsedRow,
    RowError,
    Table,
    bare_unit_name,
    flag_swapped_date_cells,
    open_table,
    parse_row,
)
from .models import Center, CenterImport, Director, LicenceDocument
from .services import (
    center_set_status,
    centers_refresh_deferred,
    centers_save_many,
    directors_appoint_many,
    licence_documents_save_many,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Id lists passed to `IN (...)` are cut to this size: SQLite caps bound parameters.
ID_CHUNK = 2000
PROGRESS_EVERY = 500
# More errors than this help nobody; the count of the rest is still reported.
MAX_REPORTED_ERRORS = 1000
# What the preview lists row by row (the counts cover every row).
PREVIEW_ADDED = 200
PREVIEW_CHANGES = 500
PREVIEW_WARNINGS = 500
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
    # Rows of the template's example, left out.
    examples: list[int] = field(default_factory=list)
    # What the file would do (center_import_preview), or, with `stale`, what it would do
    # now that the register changed since the preview the user confirmed: then nothing
    # was written.
    preview: dict | None = None
    stale: bool = False

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
    # The values of a matched document before the file's (for the preview).
    document_old: dict = field(default_factory=dict)


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
    before_commit: Callable[[ImportResult], None] | None = None,
    expected_digest: str | None = None,
) -> ImportResult:
    """Import an .xlsx or .csv registry file; see center_import_table."""
    try:
        table = open_table(data, filename)
    except FileRefused as exc:
        return ImportResult(errors=[RowError(None, "", exc.message)])
    return center_import_table(
        table=table, by=by, province=province, valid_only=valid_only, progress=progress,
        before_commit=before_commit, expected_digest=expected_digest,
    )


def center_import_preview_file(
    *, data: bytes, filename: str, by=None, province: AdministrativeUnit | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """The preview of an .xlsx or .csv registry file; see center_import_preview."""
    try:
        table = open_table(data, filename)
    except FileRefused as exc:
        return ImportResult(errors=[RowError(None, "", exc.message)])
    return center_import_preview(table=table, by=by, province=province, progress=progress)


def center_import_preview(
    *, table: Table, by=None, province: AdministrativeUnit | None = None, progress: Progress | None = None,
) -> ImportResult:
    """What importing the table would do, checked exactly as the import checks it, and
    nothing written: the rows to add, the rows to change with each changed field (old
    and new value), the errors, and what deserves a look (a phone number that lost its
    leading 0, a date that reads two ways, the notes of reading the file). `preview`
    holds it, as JSON for CenterImport.preview, with the digest the import compares
    (center_import_table's `expected_digest`). `preview` is None when the file itself
    cannot be read (`errors` says why)."""
    checked, result = _check(table, by=by, province=province, progress=progress)
    if checked is not None:
        result.preview = _preview(checked, result)
    return result


@dataclass
class _Checked:
    """The rows of a table, checked against the register: what each valid row would write."""

    rows: list[ParsedRow]
    plans: list[_Plan]
    notes: list[str]


def _check(table: Table, *, by, province, progress) -> tuple[_Checked | None, ImportResult]:
    """Read and check every row (a fixed number of queries per file); None when the file
    as a whole cannot be imported (the result's errors say why)."""
    if by is not None and not may(by, "registry.manage"):
        raise PermissionDenied
    allowed = _allowed_province(by, province)
    result = ImportResult()
    rows: list[ParsedRow] = []
    total = table.estimated_rows
    try:
        for number, raw in table.rows():
            row = parse_row(number, raw)
            if row.example:
                result.examples.append(number)
                continue
            rows.append(row)
            if progress and len(rows) % PROGRESS_EVERY == 0:
                progress(len(rows), max(total, len(rows)))
    except FileRefused as exc:
        result.errors.append(RowError(None, "", exc.message))
        return None, result
    result.total_rows = len(rows)
    if not rows:
        message = _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
        if result.examples:
            message += " " + _("(Dòng ví dụ của tệp mẫu, mã «%(code)s», không được nhập.)") % {"code": EXAMPLE_CODE}
        result.errors.append(RowError(None, "", message))
        return None, result

    flag_swapped_date_cells(rows)
    plans = _plan(rows, allowed)
    result.errors = sorted((e for row in rows for e in row.errors), key=lambda e: (e.row or 0))
    if progress:
        progress(len(rows), len(rows))
    return _Checked(rows, plans, list(table.notes)), result


def center_import_table(
    *, table: Table, by=None, province: AdministrativeUnit | None = None,
    valid_only: bool = False, progress: Progress | None = None,
    before_commit: Callable[[ImportResult], None] | None = None,
    expected_digest: str | None = None,
) -> ImportResult:
    """Check every row of the table, then write the good ones in one transaction.

    `by` is the user the import acts for: department staff may only import centers of
    their own province; None (the command line without --user) may import any. With
    `province`, rows of any other province are refused too. A row with an error makes
    the whole file refused unless `valid_only`, which writes the rows without errors.
    `before_commit(result)` runs inside the write transaction, after the rows: whatever it
    writes is committed with them, and an exception from it writes nothing.
    The template's example row (code «VÍ DỤ») is never imported. With `expected_digest`
    (the digest of the preview the user confirmed), nothing is written when the file would
    now do something else than that preview showed (someone changed the register in the
    meantime): `stale` is set and `preview` holds the new preview.
    """
    checked, result = _check(table, by=by, province=province, progress=progress)
    if checked is None:
        return result
    plans = checked.plans
    if expected_digest is not None:
        preview = _preview(checked, result)
        if preview["digest"] != expected_digest:
            result.preview, result.stale = preview, True
            return result
    if result.errors and not valid_only:
        return result
    result.skipped = sum(1 for row in checked.rows if row.errors)
    try:
        with transaction.atomic():
            _write(plans, by=by, result=result, reason=_("Nhập từ tệp"))
            result.written = True
            if before_commit is not None:
                before_commit(result)
    except IntegrityError:
        # Another import or an admin edit added the same code meanwhile.
        logger.warning("Center import hit a uniqueness conflict", exc_info=True)
        result.errors.append(RowError(None, "", _(
            "Dữ liệu vừa bị thay đổi đồng thời (một mã trung tâm đã được thêm ở nơi khác). "
            "Chưa có gì được ghi; hãy nhập lại tệp."
        )))
        result.created = result.updated = result.unchanged = 0
        result.written = False
        return result
    except BaseException:
        result.written = False
        raise
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
        # Without a status, a new center operates when the row records its licence, and
        # is not yet licensed otherwise (it is not flagged as operating without one).
        default = CenterStatus.OPERATING if row["licence_number"] else CenterStatus.NOT_YET_LICENSED
        center = Center(
            province=province, commune=commune, code=row["code"].upper(),
            status=row["status"] or default,
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
    if (not plan.is_new and not row["status"] and plan.document_is_new
            and center.status == CenterStatus.NOT_YET_LICENSED):
        # A licence recorded for a center waiting for one: it operates from now on, as
        # when the licence is recorded on the center's page (licence_document_save).
        plan.status = CenterStatus.OPERATING
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
        plan.document_old = {name: getattr(document, name) for name in changed}
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


# The preview


_DOCUMENT_COLUMNS = {"signed_on": "licence_signed_on", "issuer": "licence_issuer", "valid_until": "licence_valid_until"}


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def _label(key: str) -> str:
    return COLUMN_BY_KEY[key].header


def _changes(plan: _Plan, labels: dict, communes: dict[int, str]) -> list[list[str]]:
    """[column header, value now, value from the file] for each change of an existing
    center's row (before _write applies them)."""
    center, row = plan.center, plan.row
    changes = []
    for name in plan.changed_fields:
        if name == "commune":
            changes.append([_label("commune"), communes.get(center.commune_id, ""),
                            unit_label(row.values["commune_unit"])])
        elif name == "kind":
            changes.append([_label("kind"), labels["kind"].get(center.kind, center.kind),
                            labels["kind"].get(row["kind"], row["kind"])])
        else:
            key = CENTER_FIELDS[name]
            changes.append([_label(key), _shown(getattr(center, name)), _shown(row[key])])
    if plan.status:
        changes.append([_label("status"), labels["status"].get(center.status, center.status),
                        labels["status"].get(plan.status, plan.status)])
    if plan.document_is_new:
        document = plan.document
        changes.append([_label("licence_number"), "", _("%(number)s (ngày %(date)s, %(issuer)s)") % {
            "number": document.number, "date": _shown(document.signed_on), "issuer": document.issuer}])
    for name in plan.document_changed:
        changes.append([
            f"{_label(_DOCUMENT_COLUMNS[name])} ({plan.document.number})",
            _shown(plan.document_old.get(name)), _shown(getattr(plan.document, name)),
        ])
    if plan.director:
        current = plan.current_director
        changes.append([_label("director"), current.full_name if current else "", plan.director])
    return changes


def _preview(checked: _Checked, result: ImportResult) -> dict:
    """The preview as JSON (CenterImport.preview), with the digest of everything it
    shows: the same file against a changed register gives another digest.

    Built in Vietnamese whoever asks (the worker has no user's language): the digest of
    the preview and of the confirmed import must not depend on who ran them."""
    with translation.override("vi"):
        return _build_preview(checked, result)


def _build_preview(checked: _Checked, result: ImportResult) -> dict:
    labels = {
        "kind": {value: str(label) for value, label in CenterKind.choices},
        "status": {value: str(label) for value, label in CenterStatus.choices},
    }
    commune_ids = {p.center.commune_id for p in checked.plans if not p.is_new and "commune" in p.changed_fields}
    communes = {unit.pk: unit_label(unit) for unit in AdministrativeUnit.objects.filter(pk__in=commune_ids)}
    digest = hashlib.sha256()
    added, changed = [], []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for plan in checked.plans:
        row = plan.row
        if plan.is_new:
            counts["new"] += 1
            entry = {
                "row": row.number, "code": plan.center.code, "name": plan.center.name,
                "kind": labels["kind"].get(plan.center.kind, ""),
                "status": labels["status"].get(plan.center.status, ""),
                "commune": unit_label(row.values["commune_unit"]), "licence": row["licence_number"],
                "director": row["director"],
            }
            digest.update(json.dumps(["new", entry], ensure_ascii=False).encode())
            if len(added) < PREVIEW_ADDED:
                added.append(entry)
            continue
        changes = _changes(plan, labels, communes)
        if not changes:
            counts["unchanged"] += 1
            continue
        counts["changed"] += 1
        entry = {"row": row.number, "center": plan.center.pk, "code": plan.center.code,
                 "name": plan.center.name, "fields": changes}
        digest.update(json.dumps(["change", entry], ensure_ascii=False).encode())
        if len(changed) < PREVIEW_CHANGES:
            changed.append(entry)
    digest.update(json.dumps([[e.row, e.column] for e in result.errors], ensure_ascii=False).encode())

    warnings = [w for row in checked.rows for w in row.warnings]
    ambiguous = [
        {"row": row.number, "column": _label(key), "text": text, "date": _shown(day),
         "read_as": _("ngày %(day)s tháng %(month)s năm %(year)s") % {"day": day.day, "month": day.month,
                                                                       "year": day.year}}
        for row in checked.rows for key, text, day in row.ambiguous
    ]
    notes = list(checked.notes)
    if result.examples:
        notes.append(_("Dòng %(rows)s là dòng ví dụ của tệp mẫu (mã «%(code)s»): không được nhập.") % {
            "rows": ", ".join(str(n) for n in result.examples), "code": EXAMPLE_CODE})
    error_rows = len({e.row for e in result.errors if e.row is not None})
    return {
        "rows": result.total_rows,
        **counts,
        "error_rows": error_rows,
        # The rows that «Nhập» would write: every row, or without errors the valid ones.
        "writable": counts["new"] + counts["changed"],
        "notes": notes,
        "added": added,
        "changes": changed,
        "warnings": [w.as_dict() for w in warnings[:PREVIEW_WARNINGS]],
        "warning_count": len(warnings),
        "ambiguous": ambiguous[:PREVIEW_WARNINGS],
        "ambiguous_count": len(ambiguous),
        "digest": digest.hexdigest(),
    }


# Writing (inside the caller's transaction)


def _write(plans: list[_Plan], *, by, result: ImportResult, reason: str) -> None:
    now = timezone.now()
    today = timezone.localdate()
    history = {"default_user": by, "default_change_reason": reason, "batch_size": BATCH_SIZE}

    # The services refresh the centers' derived columns and compliance flags once, at the
    # end of the block.
    with centers_refresh_deferred():
        changed_centers = [p for p in plans if not p.is_new and p.changed_fields]
        for plan in changed_centers:
            for name in plan.changed_fields:
                value = plan.row.values["commune_unit"] if name == "commune" else plan.row[CENTER_FIELDS[name]]
                setattr(plan.center, name, value)
            plan.center.updated_at = now
        new_centers = [p for p in plans if p.is_new]
        created = centers_save_many(
            new=[p.center for p in new_centers], changed=[p.center for p in changed_centers],
            fields=sorted({name for p in changed_centers for name in p.changed_fields}), history=history,
        )
        for plan, center in zip(new_centers, created, strict=True):
            plan.center = center

        new_documents, changed_documents = [], []
        for plan in plans:
            if plan.document is None:
                continue
            if plan.document_is_new:
                plan.document.center = plan.center
                new_documents.append(plan)
            elif plan.document_changed:
                plan.document.updated_at = now
                changed_documents.append(plan)
        created = licence_documents_save_many(
            new=[p.document for p in new_documents], changed=[p.document for p in changed_documents],
            fields=sorted({name for p in changed_documents for name in p.document_changed}), history=history,
        )
        for plan, document in zip(new_documents, created, strict=True):
            plan.document = document

        # A new center's director has no known start date.
        directors_appoint_many(
            appointments=[
                (p.center, p.director, None if p.is_new else today, p.current_director) for p in plans if p.director
            ],
            today=today, history=history,
        )

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
        if plan.is_new:
            result.created += 1
        elif plan.changed_fields or plan.status or plan.director or plan.document_is_new or plan.document_changed:
            result.updated += 1
        else:
            result.unchanged += 1


# Background imports (the lease, heartbeat and periodic check of edu_portal.jobs)


def center_import_upload(*, data: bytes, filename: str, by, table: Table) -> CenterImport:
    """Keep an upload privately and make its preview; nothing is written to the register
    until someone confirms it (center_import_confirm). A file of up to IMPORT_ASYNC_ROWS
    rows is previewed at once; a larger one in the worker, the status page following it."""
    if table.estimated_rows > settings.IMPORT_ASYNC_ROWS:
        return center_import_start(data=data, filename=filename, by=by, total_rows=table.estimated_rows)
    center_import = CenterImport.objects.create(
        province=None if by.is_superuser else by.province,
        created_by=by,
        file=ContentFile(data, name=filename),
        original_name=filename[:255],
        stage=CenterImport.Stage.PREVIEW,
        status=CenterImport.Status.RUNNING,
        total_rows=table.estimated_rows,
    )
    result = center_import_preview(table=table, by=by)
    CenterImport.objects.filter(pk=center_import.pk).update(**_outcome(result, stage=CenterImport.Stage.PREVIEW))
    center_import.refresh_from_db()
    return center_import


def center_import_start(*, data: bytes, filename: str, by, total_rows: int) -> CenterImport:
    """Keep a large upload privately and queue its preview once the row is committed;
    the status page then follows it. A broker that cannot be reached marks it failed."""
    center_import = CenterImport.objects.create(
        province=None if by.is_superuser else by.province,
        created_by=by,
        file=ContentFile(data, name=filename),
        original_name=filename[:255],
        stage=CenterImport.Stage.PREVIEW,
        total_rows=total_rows,
        attempts=1,
        queued_at=Now(),
    )
    pk = center_import.pk
    transaction.on_commit(lambda: _queue(pk))
    return center_import


class ImportNotConfirmable(Exception):
    """«Nhập» on a preview that can no longer be imported; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def center_import_confirm(*, center_import: CenterImport, valid_only: bool) -> CenterImport:
    """«Nhập» on a preview: import the kept file, as the preview showed it. A small file is
    imported at once, a large one by the worker (the next attempt of the same job, so a
    late run of the preview can never write over it: edu_portal.jobs).

    Only the first confirmation counts (a second click, or a colleague's, finds the
    preview taken). If the register changed since the preview so that the file would now
    do something else, nothing is written and the row shows the new preview
    (center_import_table's `expected_digest`). Raises ImportNotConfirmable otherwise."""
    Status, Stage = CenterImport.Status, CenterImport.Stage
    pk = center_import.pk
    ready = CenterImport.objects.filter(pk=pk, stage=Stage.PREVIEW, status=Status.DONE).exclude(file="")
    preview = center_import.preview or {}
    if not preview.get("writable"):
        raise ImportNotConfirmable(_("Tệp không có dòng nào để nhập."))
    if preview.get("error_rows") and not valid_only:
        raise ImportNotConfirmable(_("Tệp có dòng lỗi: hãy sửa tệp, hoặc chọn nhập các dòng hợp lệ."))
    large = center_import.total_rows > settings.IMPORT_ASYNC_ROWS
    common = {"stage": Stage.IMPORT, "valid_only": valid_only, "processed_rows": 0, "finished_at": None}
    if large:
        # The job's next attempt: a late run of the preview can no longer write (fencing).
        claimed = ready.update(
            status=Status.PENDING, attempts=F("attempts") + 1, stage_first_attempt=F("attempts") + 1,
            queued_at=Now(), heartbeat_at=None, **common,
        )
    else:
        claimed = ready.update(status=Status.RUNNING, **common)
    if not claimed:
        center_import.refresh_from_db()
        if not center_import.file and center_import.stage == Stage.PREVIEW:
            raise ImportNotConfirmable(_(
                "Tệp đã được xóa (tệp tải lên chỉ được giữ %(days)s ngày, hoặc lần xem trước đã bị hủy); hãy tải "
                "lên lại."
            ) % {"days": IMPORT_KEEP_DAYS})
        raise ImportNotConfirmable(_("Tệp này đã được xác nhận nhập hoặc đã hủy."))
    center_import.refresh_from_db()
    if large:
        attempt = center_import.attempts
        transaction.on_commit(lambda: _queue(pk, attempt))
        return center_import
    try:
        with center_import.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        logger.exception("Center import %s: the kept file cannot be read", pk)
        raise ImportNotConfirmable(_("Không đọc được tệp đã tải lên; hãy tải lên lại.")) from None
    result = center_import_file(
        data=data, filename=center_import.original_name, by=center_import.created_by,
        province=center_import.province, valid_only=valid_only, expected_digest=preview.get("digest"),
    )
    CenterImport.objects.filter(pk=pk).update(**_outcome(result))
    center_import.refresh_from_db()
    return center_import


def center_import_cancel(*, center_import: CenterImport) -> bool:
    """«Hủy» on a preview (ready, or still being made: a worker still making it loses the
    job and stops): nothing was written; the kept file is deleted once this commits.
    False when it is no longer a preview (confirmed meanwhile, or already cancelled)."""
    Status = CenterImport.Status
    cancelled = CenterImport.objects.filter(
        pk=center_import.pk, stage=CenterImport.Stage.PREVIEW,
        status__in=[Status.PENDING, Status.RUNNING, Status.DONE],
    ).update(status=Status.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        return False
    name = center_import.file.name
    storage = center_import.file.storage
    CenterImport.objects.filter(pk=center_import.pk).update(file="")
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    return True


def _queue(pk: int, attempt: int = 1) -> None:
    from .tasks import center_import_run_task

    try:
        job_send(center_import_run_task, CenterImport, pk, attempt)
    except Exception:  # Redis down or refusing: the page must say so at once, not spin
        logger.exception("Could not queue center import %s", pk)
        CenterImport.objects.filter(pk=pk, status=CenterImport.Status.PENDING).update(
            status=CenterImport.Status.FAILED,
            finished_at=timezone.now(),
            errors=[RowError(None, "", _(
                "Không gửi được việc nhập tới hàng đợi xử lý (máy chủ hàng đợi không phản hồi). "
                "Chưa có gì được ghi; hãy thử lại sau ít phút hoặc báo quản trị hệ thống."
            )).as_dict()],
        )


def center_import_run(*, center_import: CenterImport, heartbeat: bool = True) -> None:
    """Run a queued import: claim it (a duplicate message finds it taken), read its file,
    import, and record the outcome and the errors on the row.

    The rows and the "done" are committed in one transaction, on condition that this run
    still holds the job (edu_portal.jobs): a run killed before that commit wrote nothing,
    so the check may hand the job to a new attempt, and a run that lost the job (it was
    only slow) rolls its rows back. Nothing is ever imported twice. `heartbeat`: stamp the
    job's heartbeat from a thread while it runs (off in eager mode)."""
    pk = center_import.pk
    attempt = job_claim(CenterImport, pk, processed_rows=0)
    if attempt is None:
        logger.info("Center import %s already taken", pk)
        return

    def progress(done: int, total: int) -> None:
        if not job_update(CenterImport, pk, attempt, processed_rows=done, total_rows=total):
            raise JobLost

    def finish(result: ImportResult) -> None:
        if not job_update(CenterImport, pk, attempt, **_outcome(result)):
            raise JobLost  # rolls the rows back: another attempt owns the import now

    previewing = center_import.stage == CenterImport.Stage.PREVIEW
    try:
        with Heartbeat(CenterImport, pk, attempt, enabled=heartbeat):
            with center_import.file.open("rb") as handle:
                data = handle.read()
            if previewing:
                # Writes nothing but the row: safe to redo, like the import.
                result = center_import_preview_file(
                    data=data, filename=center_import.original_name, by=center_import.created_by,
                    province=center_import.province, progress=progress,
                )
            else:
                result = center_import_file(
                    data=data, filename=center_import.original_name, by=center_import.created_by,
                    province=center_import.province, valid_only=center_import.valid_only, progress=progress,
                    before_commit=finish, expected_digest=(center_import.preview or {}).get("digest"),
                )
    except JobLost:
        logger.warning("Center import %s (attempt %s) was taken from this run; nothing written", pk, attempt)
        return
    except Exception:
        logger.exception("Center import %s failed", pk)
        result = ImportResult(errors=[RowError(None, "", _(
            "Lỗi hệ thống khi nhập tệp; chưa có gì được ghi. Hãy báo quản trị hệ thống."
        ))])
    if not result.written:
        job_update(CenterImport, pk, attempt, **_outcome(result, stage=center_import.stage))


def _outcome(result: ImportResult, stage: str = CenterImport.Stage.IMPORT) -> dict:
    """The row's final fields for a result: of the import, or of the preview (`stage`).
    An import refused because its preview went stale becomes a preview again, the new one."""
    errors = [error.as_dict() for error in result.reported_errors()]
    if result.error_count > MAX_REPORTED_ERRORS:
        errors.append(RowError(None, "", _("… và %(count)s lỗi khác.") % {
            "count": result.error_count - MAX_REPORTED_ERRORS,
        }).as_dict())
    if stage == CenterImport.Stage.PREVIEW or result.stale:
        return {
            "stage": CenterImport.Stage.PREVIEW,
            "status": CenterImport.Status.DONE if result.preview is not None else CenterImport.Status.FAILED,
            "preview": {**result.preview, "stale": result.stale} if result.preview is not None else {},
            "valid_only": False,
            "total_rows": result.total_rows,
            "processed_rows": result.total_rows,
            "created": 0,
            "updated": 0,
            "errors": errors,
            "finished_at": timezone.now(),
        }
    return {
        "status": CenterImport.Status.DONE if result.written else CenterImport.Status.FAILED,
        "total_rows": result.total_rows,
        "processed_rows": result.total_rows,
        "created": result.created,
        "updated": result.updated,
        "errors": errors,
        "finished_at": timezone.now(),
    }


def center_imports_recover() -> Recovery:
    """The periodic check (centers.tasks.center_imports_check_task): imports whose worker
    died or whose message was lost are queued again from the start (their rows were never
    committed), or failed after JOB_MAX_ATTEMPTS."""
    from .tasks import center_import_run_task

    def failed(attempts: int) -> dict:
        return {"errors": [RowError(None, "", _(
            "Việc nhập bị gián đoạn %(count)s lần (máy xử lý ngừng giữa chừng hoặc hàng đợi mất dữ liệu) "
            "nên đã dừng. Chưa có gì được ghi vào sổ đăng ký; hãy nhập lại tệp, và báo quản trị hệ "
            "thống nếu lỗi lặp lại."
        ) % {"count": attempts}).as_dict()]}

    return jobs_recover(CenterImport, task=center_import_run_task, requeue_fields={"processed_rows": 0},
                        fail_fields=failed)


def center_imports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploaded files of imports finished more than IMPORT_KEEP_DAYS ago (the
    rows stay as the record), and fail imports with no sign of life long past the task
    time limit: a backstop for the periodic check (center_imports_recover), should beat
    have been down. Returns the number of files deleted."""
    now = now or timezone.now()
    Status = CenterImport.Status
    stuck_before = now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    CenterImport.objects.filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=stuck_before),
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stuck_before),
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
