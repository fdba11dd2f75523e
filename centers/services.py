"""Write paths of the registry, with their rules."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from geo.text import fold

from .choices import DECISION_OF_STATUS, ENDING_KINDS, GRANTING_KINDS, STATUS_OF_DOCUMENT, CenterStatus
from .models import Center, Director, LicenceDocument, StatusChange
from .signals import centers_changed_send, centers_changes_batched

# Three write paths, one per record: a center (center_save, centers_save_many), a licence
# document (licence_document_save, licence_documents_save_many) and a director
# (director_save, director_appoint, directors_appoint_many). Each keeps the center's
# derived columns right before it returns, so no caller has to remember a refresh.


def _search_text(*words: str) -> str:
    return fold(" ".join(w for w in words if w))


def _current_licence(documents: Iterable[tuple]) -> int | None:
    """The latest granting document not ended by a later revocation or dissolution.

    `documents` are (pk, kind, signed_on) tuples."""
    current = None
    for pk, kind, _signed_on in sorted(documents, key=lambda d: (d[2], d[0])):
        if kind in GRANTING_KINDS:
            current = pk
        elif kind in ENDING_KINDS:
            current = None
    return current


REFRESH_BATCH = 1000


def centers_refresh(center_ids: Iterable[int]) -> int:
    """Recompute the derived columns (current licence, search text) of these centers.

    Reads plain tuples and writes only the rows whose values changed, with one
    prepared UPDATE run over the batch: an import of 20,000 centers calls this once,
    and model instances plus bulk_update's CASE expressions cost several times more.
    Returns the number of centers changed.
    """
    ids = list(center_ids)
    changed = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start:start + REFRESH_BATCH]
        documents: dict[int, list[tuple]] = defaultdict(list)
        numbers: dict[int, list[str]] = defaultdict(list)
        for center_id, pk, kind, signed_on, number in LicenceDocument.objects.filter(
            center_id__in=batch
        ).values_list("center_id", "pk", "kind", "signed_on", "number"):
            documents[center_id].append((pk, kind, signed_on))
            numbers[center_id].append(number)
        directors: dict[int, list[str]] = defaultdict(list)
        for center_id, name in Director.objects.filter(center_id__in=batch).values_list("center_id", "full_name"):
            directors[center_id].append(name)
        updates = []
        rows = Center.objects.filter(pk__in=batch).values_list(
            "pk", "code", "name", "street", "address_as_printed", "commune__name", "investor_name",
            "current_licence_id", "search_text",
        )
        for pk, code, name, street, printed, commune, investor, licence_id, text in rows:
            new_licence = _current_licence(documents[pk])
            new_text = _search_text(code, name, street, printed, commune, investor, *directors[pk], *numbers[pk])
            if (new_licence, new_text) != (licence_id, text):
                updates.append((new_licence, new_text, pk))
        if updates:
            _write_derived(updates)
            changed += len(updates)
    # Whatever the caller changed (documents, directors, status, a whole import), the
    # compliance flags of these centers are refreshed in its transaction (inspections.flags).
    centers_changed_send(sender=Center, center_ids=ids)
    return changed


def _write_derived(updates: list[tuple]) -> None:
    """UPDATE (current_licence_id, search_text) by id. On PostgreSQL one statement per
    batch (UPDATE ... FROM VALUES) saves a round trip per row; SQLite is in-process, so
    its executemany is already fast."""
    table = connection.ops.quote_name(Center._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                f"UPDATE {table} AS c SET current_licence_id = v.licence, search_text = v.text "
                "FROM (VALUES %s) AS v(licence, text, id) WHERE c.id = v.id",
                updates, template="(%s::bigint, %s, %s::bigint)", page_size=REFRESH_BATCH,
            )
        else:
            cursor.executemany(f"UPDATE {table} SET current_licence_id = %s, search_text = %s WHERE id = %s", updates)


def center_refresh(center: Center) -> None:
    centers_refresh([center.pk])
    center.refresh_from_db(fields=["current_licence", "search_text"])


# Centers written inside a `centers_refresh_deferred()` block, refreshed once at its end.
_deferred: ContextVar[set[int] | None] = ContextVar("centers_refresh_deferred", default=None)


@contextmanager
def centers_refresh_deferred() -> Iterator[None]:
    """Inside this block the write services below note the centers they touch instead of
    refreshing each; the block refreshes them all at its end, in batches of REFRESH_BATCH.

    For callers that write many centers in one transaction (the import): a refresh per
    service call would read the same documents and directors up to three times. Nested
    blocks join the outermost one. Nothing is refreshed when the block raises (the
    caller's transaction is being rolled back anyway). The compliance flags of the
    centers are refreshed once too, after the derived columns (centers_changes_batched)."""
    if _deferred.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        with centers_changes_batched():
            yield
            centers_refresh(sorted(pending))
    finally:
        _deferred.reset(token)


def _centers_written(center_ids: Iterable[int]) -> None:
    pending = _deferred.get()
    if pending is None:
        centers_refresh(center_ids)
    else:
        pending.update(center_ids)


def _center_written(center: Center) -> None:
    """The refresh for one center, the instance in hand brought up to date too."""
    if _deferred.get() is None:
        center_refresh(center)
    else:
        _deferred.get().add(center.pk)


@transaction.atomic
@centers_changes_batched()  # its rows' flags refreshed once, at the end
def center_save(*, center: Center, update_fields: Iterable[str] | None = None) -> Center:
    """Create or change a center's own record, and its derived columns with it (the
    current licence, the folded search text): the write path for a center typed in a
    form, the admin or the demo.

    `update_fields`, as Model.save takes it, for a change of a few columns."""
    center.save(update_fields=update_fields)
    _center_written(center)
    return center


@transaction.atomic
def centers_save_many(
    *, new: Sequence[Center] = (), changed: Sequence[Center] = (), fields: Sequence[str] = (), history: dict,
) -> list[Center]:
    """center_save for thousands of centers (the import): `new` inserted, the `fields` of
    `changed` updated, with their history rows (`history`: the keyword arguments of
    simple_history's bulk_create_with_history, default_user and default_change_reason).
    Returns the new centers with their ids."""
    if changed:
        # bulk_update writes every listed field of every object; unchanged ones are
        # rewritten with the value they already hold.
        bulk_update_with_history(changed, Center, [*fields, "updated_at"], **history)
    created = bulk_create_with_history(list(new), Center, **history) if new else []
    _centers_written([c.pk for c in (*changed, *created)])
    return created


@transaction.atomic
def center_set_status(
    *, center: Center, status: str, effective_on: datetime.date,
    document: LicenceDocument | None = None, reason: str = "", by=None,
) -> StatusChange | None:
    """Change a center's status and record who, when and on which decision. No-op when unchanged."""
    if center.status == status:
        return None
    change = StatusChange.objects.create(
        center=center, old_status=center.status, new_status=status, effective_on=effective_on,
        document=document, reason=reason, recorded_by=by,
    )
    center.status = status
    center.save(update_fields=["status", "updated_at"])
    # The center's accounts follow: read-only for 90 days after a closure, access back on
    # reopening (accounts.lifecycle; accounts sits below the registry, not above it).
    from accounts.lifecycle import center_status_recorded

    center_status_recorded(center=center, status=status, effective_on=effective_on, by=by)
    return change


@transaction.atomic
@centers_changes_batched()  # its rows' flags refreshed once, at the end
def center_status_change(
    *, center: Center, status: str, effective_on: datetime.date, reason: str = "",
    decision: dict | None = None, by=None,
) -> StatusChange:
    """A status set by department staff on the center's page, with what decides it.

    A suspension, a resumption, a revocation or a dissolution is a decision: `decision`
    holds its fields (number, signed_on, issuer, and optionally signer_title,
    signer_name) and it is recorded as a document of the kind DECISION_OF_STATUS gives,
    tied to the status change. "Operating without a licence" and "not yet licensed" are
    findings of the register, recorded with a reason. Nothing is written when the register
    contradicts the change: ValidationError keyed by the fields concerned.
    """
    today = timezone.localdate()
    kind = DECISION_OF_STATUS.get(status)
    errors: dict[str, str] = {}
    if status == center.status:
        errors["status"] = _("Trung tâm đang ở trạng thái này.")
    elif status == CenterStatus.OPERATING and not center.current_licence_id:
        errors["status"] = _(
            "Trung tâm chưa có giấy phép hiện hành. Hãy ghi quyết định cho phép hoạt động ở mục «Thêm văn bản»: "
            "trạng thái sẽ tự chuyển sang «Đang hoạt động»."
        )
    elif status == CenterStatus.NOT_YET_LICENSED and center.current_licence_id:
        errors["status"] = _("Trung tâm đã có giấy phép hiện hành nên không thể ghi là chưa được cấp phép.")
    if kind is not None and not decision:
        errors["number"] = _("Trạng thái này cần quyết định: hãy ghi số, ngày ký và cơ quan ban hành.")
    if kind is None and decision:
        errors["number"] = _("Trạng thái này không ghi kèm quyết định: hãy để trống các ô quyết định và ghi lý do.")
    if kind is None and not reason.strip():
        errors["reason"] = _("Hãy ghi lý do, ví dụ: kết luận của đoàn kiểm tra ngày ...")
    if effective_on > today:
        errors["effective_on"] = _("Ngày hiệu lực không được ở tương lai: hãy ghi khi quyết định đã có hiệu lực.")
    elif decision and decision.get("signed_on") and effective_on < decision["signed_on"]:
        errors["effective_on"] = _("Ngày hiệu lực không được trước ngày ký quyết định.")
    else:
        latest = center.status_changes.order_by("-effective_on", "-pk").first()
        if latest is not None and effective_on < latest.effective_on:
            errors["effective_on"] = _(
                "Ngày hiệu lực phải từ ngày %(date)s (lần đổi trạng thái gần nhất) trở đi."
            ) % {"date": latest.effective_on.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    document = None
    if kind is not None:
        document = LicenceDocument(center=center, kind=kind, **decision)
        document.full_clean()
        document.save()
    change = center_set_status(
        center=center, status=status, effective_on=effective_on, document=document,
        reason=reason.strip() or (document.get_kind_display() if document else ""), by=by,
    )
    # A revocation or dissolution ends the current licence.
    _center_written(center)
    return change


def _licence_document_recorded(*, document: LicenceDocument, by=None) -> None:
    """Apply what a new or edited document means for its center.

    A suspension, resumption, revocation or dissolution changes the status from its
    date on, unless a later status change is already recorded; the licence and the
    search text are recomputed in every case.
    """
    center = document.center
    status = STATUS_OF_DOCUMENT.get(document.kind)
    if status and document.signed_on <= timezone.localdate():
        later = center.status_changes.filter(effective_on__gt=document.signed_on).exists()
        if not later:
            center_set_status(
                center=center, status=status, effective_on=document.signed_on, document=document,
                reason=document.get_kind_display(), by=by,
            )
    _center_written(center)


@transaction.atomic
@centers_changes_batched()  # its rows' flags refreshed once, at the end
def licence_document_save(*, document: LicenceDocument, by=None) -> LicenceDocument:
    """Create or change a licence document already validated (by a form, or by
    licence_document_create), and apply what it means for its center."""
    document.save()
    _licence_document_recorded(document=document, by=by)
    return document


@transaction.atomic
@centers_changes_batched()  # its rows' flags refreshed once, at the end
def licence_document_create(*, center: Center, by=None, **fields) -> LicenceDocument:
    document = LicenceDocument(center=center, **fields)
    document.full_clean()
    return licence_document_save(document=document, by=by)


@transaction.atomic
def licence_documents_save_many(
    *, new: Sequence[LicenceDocument] = (), changed: Sequence[LicenceDocument] = (),
    fields: Sequence[str] = (), history: dict,
) -> list[LicenceDocument]:
    """licence_document_save for an import's documents, with their history rows. Status
    changes are the import's own (a dated StatusChange per center, center_set_status);
    the centers' derived columns are refreshed here. Returns the new documents."""
    created = bulk_create_with_history(list(new), LicenceDocument, **history) if new else []
    if changed:
        bulk_update_with_history(changed, LicenceDocument, [*fields, "updated_at"], **history)
    _centers_written({d.center_id for d in (*created, *changed)})
    return created


@transaction.atomic
def center_records_delete(*, records: Iterable) -> None:
    """Delete licence documents, directors or other records of centers (the admin), and
    refresh those centers: document numbers and directors' names are in the search text,
    and a deleted licence is no longer the current one."""
    center_ids = set()
    for record in records:
        center_ids.add(record.center_id)
        record.delete()
    _centers_written(center_ids)


@transaction.atomic
@centers_changes_batched()  # its rows' flags refreshed once, at the end
def director_save(*, director: Director, by=None) -> Director:
    """Create or change a director row already validated (the admin's forms). When the
    save enters or corrects the end of a tenure, the director's accounts follow
    (directors_ended); a row that was the current one until now also takes the center's
    older accounts bound to no director."""
    was_ended = (
        Director.objects.filter(pk=director.pk).values_list("ended_on", flat=True).first()
        if director.pk else None
    )
    director.save()
    _center_written(director.center)
    if director.ended_on and director.ended_on != was_ended:
        directors_ended(directors=[director], by=by, adopt_unbound=was_ended is None)
    return director


@transaction.atomic
@centers_changes_batched()  # its rows' flags refreshed once, at the end
def director_appoint(*, center: Center, full_name: str, started_on: datetime.date, by=None, **fields) -> Director:
    """Make someone the current director; the previous one's tenure ends the day before,
    and so does the access of their account (accounts.lifecycle)."""
    previous = center.directors.filter(ended_on__isnull=True).first()
    if previous:
        previous.ended_on = max(started_on - datetime.timedelta(days=1), previous.started_on or started_on)
        previous.save(update_fields=["ended_on", "updated_at"])
    director = Director(center=center, full_name=full_name, started_on=started_on, **fields)
    director.full_clean()
    director.save()
    _center_written(center)
    if previous:
        directors_ended(directors=[previous], by=by)
    return director


@transaction.atomic
def directors_appoint_many(
    *, appointments: Sequence[tuple[Center, str, datetime.date | None, Director | None]], today: datetime.date,
    history: dict,
) -> None:
    """director_appoint for an import, in bulk: (center, full name, start date, current
    director or None) per center. The previous director's tenure ends the day before
    `today`, and their accounts keep access until that last day."""
    if not appointments:
        return
    now = timezone.now()
    ended = []
    for _center, _name, _started_on, previous in appointments:
        if previous is not None:
            previous.ended_on = max(today - datetime.timedelta(days=1), previous.started_on or today)
            previous.updated_at = now
            ended.append(previous)
    if ended:
        # Ended first: the database allows one current director per center.
        bulk_update_with_history(ended, Director, ["ended_on", "updated_at"], **history)
    bulk_create_with_history(
        [Director(center=center, full_name=name, started_on=start) for center, name, start, _previous in appointments],
        Director, **history,
    )
    _centers_written({center.pk for center, *_ in appointments})
    directors_ended(directors=ended, by=history.get("default_user"))


def directors_ended(*, directors: Iterable[Director], by=None, adopt_unbound: bool = True) -> None:
    """The registry ended these directors' tenures (every write path calls this: the
    services above, through them the admin and the import): their accounts keep access
    until the day the tenure ends (accounts.lifecycle)."""
    from accounts.lifecycle import director_tenures_ended

    director_tenures_ended(directors=directors, by=by, adopt_unbound=adopt_unbound)
