"""The compliance flags, maintained: inspections.models.CenterFlags holds every center's
flags as inspections.rules evaluates them (the rules stay the one definition: this
module only runs them, for some centers or for all, and stores what they answer), so the
compliance page reads a table instead of evaluating ten rules over a province's centers
on every request.

How the table stays right

- In the writer's transaction. Every write that can change a flag refreshes the centers
  it touches before it commits (flags_touch -> flags_refresh), by two means:

  * explicit calls where writes bypass model signals (bulk_create, queryset.update, raw
    SQL): centers.services.centers_refresh, which every write path of the registry ends
    with (forms, the admin, the bulk import), the generation of obligations, the
    reopening of a task, violation_remedied. The apps below inspections do not import
    it (design.md): they send centers.signals.centers_changed, received here. (Tasks
    are assigned in bulk to drafts, which flag nothing: issuing the directive saves it,
    and its signal refreshes the centers of its assignments.)
  * model signals (post_save, post_delete) on every source model: licence documents,
    directors, staff, centers (status), obligations and their periods, directives, tasks
    and assignments, inspections, violations, complaints. They are the net for the admin
    and its inlines, which save rows through forms that call no service, and for any
    future service that forgets: a saved row refreshes its center at once (one
    province's rules for one center: about 40 ms on the national data set). Code that saves many rows wraps
    them in flags_deferred() (centers.signals.centers_changes_batched, which the
    registry's services use) and each center is refreshed once, at the end.

  Signals alone would miss the bulk writes; explicit calls alone would miss the admin.

- The date. Some flags change with no write at all: a report's deadline passes, a
  licence comes within 60 days of its end, a director's term ends. Each row records
  `as_of`, the day its rules were evaluated for; right after midnight the beat entry
  "refresh-compliance-flags" re-derives every center for the new day (flags_check), and
  the page says when that last happened.

- The check. flags_check compares the re-derivation with the table. A center whose
  stored flags differ is evaluated again for its own `as_of`: when the stored flags were
  right for that day, the date moved them ("dated", expected); otherwise a write did not
  refresh them: a "difference". Differences are logged as errors, repaired, and recorded
  in a FlagsCheck row (counts and a sample) that the compliance page shows: inspectors
  see that a fix was needed, and `manage.py flags_check` prints the sample. A record in
  the database, not only a log line: it outlives log rotation and needs no access to
  the server.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from centers.models import Center
from edu_portal import fragments
from centers.signals import centers_changed, centers_changed_send, centers_changes_batched

from .models import CenterFlags, FlagsCheck, Inspection
from .rules import RULES, annotate_details, annotate_rules

logger = logging.getLogger(__name__)

FIELDS = tuple(rule.field for rule in RULES)
# Centers per evaluating query: the rules' IN (...) lists stay short, their plans cheap.
BATCH = 2000
# Centers whose reasons are read per query (a correlated subquery per value and row).
DETAILS_BATCH = 500
WRITE_BATCH = 1000
SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Derived:
    """What the rules say of one center on a day."""

    flags: tuple[bool, ...]
    reasons: dict
    last_inspection: datetime.date | None

    def key(self) -> tuple:
        return self.flags, self.reasons, self.last_inspection


def _jsonable(value):
    if isinstance(value, datetime.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value)
    return value


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@functools.cache
def _reason_names() -> dict[str, list[str]]:
    """Each rule's values its reason reads (its `pre` and `details` annotations): their
    names do not depend on the day."""
    day = datetime.date(2000, 1, 1)
    return {rule.field: [*rule.pre(day), *rule.details(day)] for rule in RULES}


@functools.lru_cache(maxsize=8)
def _details_queryset(today: datetime.date):
    """What the reasons show, for any centers (filtered by the caller): built once a day,
    as building its expressions costs more than running them for one center."""
    wanted = sorted({name for names in _reason_names().values() for name in names})
    return annotate_details(Center.objects.all(), today).order_by().values("pk", *wanted)


# A center id no table holds: the placeholder of the compiled one-center query.
_PLACEHOLDER = -7_000_000_001


@functools.lru_cache(maxsize=256)
def _one_center_sql(today: datetime.date, province_id: int | None, vendor: str) -> tuple[str, tuple, int]:
    """The flags query of one center as SQL, built and compiled once per day and province:
    building the rules' forty expressions costs the ORM more than the database takes to
    run them, and each write refreshes its center. The same query as for many centers,
    with the id as its one varying parameter."""
    query = annotate_rules(Center.objects.filter(pk=_PLACEHOLDER), today, province_id=province_id,
                           details=False).order_by().values_list("pk", *FIELDS)
    sql, params = query.query.sql_with_params()
    (position,) = [index for index, value in enumerate(params) if value == _PLACEHOLDER]
    return sql, tuple(params), position


def _one_center_flags(pk: int, today: datetime.date, province_id: int | None) -> dict[int, tuple[bool, ...]]:
    sql, params, position = _one_center_sql(today, province_id, connection.vendor)
    params = list(params)
    params[position] = pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Booleans (PostgreSQL) or 0/1 (SQLite): bool() reads both.
        return {row[0]: tuple(bool(value) for value in row[1:]) for row in cursor.fetchall()}


def flags_evaluate(center_ids: Iterable[int] | None = None, *, today: datetime.date) -> dict[int, Derived]:
    """Evaluate the rules for these centers (every center when None) on `today`.

    Set-based, as the page used to: per province (the rules' hint that keeps the
    report subqueries to its obligations), one query gives every flag of a batch of
    centers; a second, for the flagged ones only, what their reasons show; a third the
    last inspection of each."""
    centers = Center.objects.all() if center_ids is None else Center.objects.filter(pk__in=list(center_ids))
    by_province: dict[int | None, list[int]] = defaultdict(list)
    for pk, province_id in centers.order_by().values_list("pk", "province_id"):
        by_province[province_id].append(pk)
    flags: dict[int, tuple[bool, ...]] = {}
    for province_id, ids in by_province.items():
        if len(ids) == 1:  # the usual write: one center, its query compiled once a day
            flags.update(_one_center_flags(ids[0], today, province_id))
            continue
        for chunk in _chunks(sorted(ids), BATCH):
            rows = annotate_rules(Center.objects.filter(pk__in=chunk), today, province_id=province_id,
                                  details=False).order_by().values_list("pk", *FIELDS)
            for pk, *values in rows:
                flags[pk] = tuple(bool(value) for value in values)
    names = _reason_names()
    reasons: dict[int, dict] = {}
    flagged = sorted(pk for pk, values in flags.items() if any(values))
    for chunk in _chunks(flagged, DETAILS_BATCH):
        for row in _details_queryset(today).filter(pk__in=chunk):
            values = flags[row["pk"]]
            reasons[row["pk"]] = {
                name: _jsonable(row[name])
                for field, on in zip(FIELDS, values, strict=True) if on for name in names[field]
            }
    inspections = Inspection.objects.filter(carried_out_on__isnull=False)
    if center_ids is not None:
        inspections = inspections.filter(center_id__in=list(flags))
    last = dict(inspections.order_by().values("center_id").annotate(last=Max("carried_out_on"))
                .values_list("center_id", "last"))
    return {pk: Derived(flags=values, reasons=reasons.get(pk, {}), last_inspection=last.get(pk))
            for pk, values in flags.items()}


def _write(derived: dict[int, Derived], *, today: datetime.date) -> None:
    fragments.bump(fragments.REGISTRY)  # the compliance page's cached body shows these rows
    now = timezone.now()
    rows = [
        CenterFlags(center_id=pk, **dict(zip(FIELDS, item.flags, strict=True)), flagged=any(item.flags),
                    reasons=item.reasons, last_inspection=item.last_inspection, as_of=today, refreshed_at=now)
        for pk, item in derived.items()
    ]
    CenterFlags.objects.bulk_create(
        rows, batch_size=WRITE_BATCH, update_conflicts=True, unique_fields=["center"],
        update_fields=[*FIELDS, "flagged", "reasons", "last_inspection", "as_of", "refreshed_at"],
    )


def flags_refresh(center_ids: Iterable[int], *, today: datetime.date | None = None) -> int:
    """Evaluate these centers' flags now and store them (inside the caller's
    transaction). Returns the number of centers stored."""
    ids = sorted({pk for pk in center_ids if pk is not None})
    if not ids:
        return 0
    today = today or timezone.localdate()
    with transaction.atomic():
        # Lock the rows first, then evaluate: a concurrent writer of the same center
        # waits here until this transaction commits, then evaluates with its data seen,
        # instead of overwriting these flags with values computed before it.
        list(CenterFlags.objects.select_for_update().filter(center_id__in=ids).order_by("pk")
             .values_list("pk", flat=True))
        derived = flags_evaluate(ids, today=today)
        _write(derived, today=today)
    return len(derived)


def flags_rebuild(*, today: datetime.date | None = None) -> int:
    """Every center's flags, evaluated and stored (the first fill, generate_load, the demo,
    `manage.py flags_check --rebuild`)."""
    today = today or timezone.localdate()
    derived = flags_evaluate(today=today)
    with transaction.atomic():
        _write(derived, today=today)
    return len(derived)


# A burst of writes refreshes each center once

def flags_deferred():
    """Inside, refreshes are collected and made once per center at the end of the block
    (centers.signals.centers_changes_batched, which the registry's services use too)."""
    return centers_changes_batched()


def flags_touch(center_ids: Iterable[int]) -> None:
    """The data of these centers changed: refresh their flags now (or at the end of the
    enclosing batch)."""
    centers_changed_send(sender=CenterFlags, center_ids=center_ids)


# The nightly re-derivation and check

def _stored(ids: Iterable[int] | None = None, *, lock: bool = False) -> dict[int, tuple[Derived, datetime.date]]:
    rows = CenterFlags.objects.order_by()
    if ids is not None:
        rows = rows.filter(center_id__in=list(ids))
    if lock:
        rows = rows.select_for_update()
    return {
        pk: (Derived(flags=tuple(values[:len(FIELDS)]), reasons=values[len(FIELDS)],
                     last_inspection=values[len(FIELDS) + 1]), values[-1])
        for pk, *values in rows.values_list("center_id", *FIELDS, "reasons", "last_inspection", "as_of")
    }


def _sample(pk: int, stored: Derived | None, derived: Derived) -> list[list]:
    if stored is None:
        return [[pk, "missing", None, [code for code, on in zip(FIELDS, derived.flags, strict=True) if on]]]
    found = [[pk, field, old, new] for field, old, new in zip(FIELDS, stored.flags, derived.flags, strict=True)
             if old != new]
    if stored.reasons != derived.reasons:
        found.append([pk, "reasons", stored.reasons, derived.reasons])
    if stored.last_inspection != derived.last_inspection:
        found.append([pk, "last_inspection", _jsonable(stored.last_inspection), _jsonable(derived.last_inspection)])
    return found


def _settle(ids: list[int], *, today: datetime.date, sample: list) -> tuple[int, int]:
    """Re-read, under lock, the rows that looked different, evaluate them again (a write
    may have committed since the first reading) and store today's flags. Returns
    (dated, differences)."""
    dated = differences = 0
    with transaction.atomic():
        stored = _stored(ids, lock=True)
        fresh = flags_evaluate(ids, today=today)
        changed = [pk for pk in fresh if pk not in stored or stored[pk][0].key() != fresh[pk].key()]
        earlier: dict[datetime.date, list[int]] = defaultdict(list)
        for pk in changed:
            if pk in stored and stored[pk][1] < today:
                earlier[stored[pk][1]].append(pk)
        right_then = set()
        for day, day_ids in earlier.items():
            then = flags_evaluate(day_ids, today=day)
            right_then |= {pk for pk in day_ids if pk in then and then[pk].key() == stored[pk][0].key()}
        for pk in changed:
            if pk in right_then:
                dated += 1
                continue
            differences += 1
            if len(sample) < SAMPLE_SIZE:
                sample.extend(_sample(pk, stored.get(pk, (None,))[0], fresh[pk])[:SAMPLE_SIZE - len(sample)])
        _write({pk: fresh[pk] for pk in changed}, today=today)
    return dated, differences


def flags_check(*, today: datetime.date | None = None) -> FlagsCheck:
    """Re-derive every center's flags for `today`, compare with the table, repair and
    record what differed (see the module's docstring)."""
    today = today or timezone.localdate()
    started = timezone.now()
    fresh = flags_evaluate(today=today)
    stored = _stored()
    changed = sorted(pk for pk, item in fresh.items() if pk not in stored or stored[pk][0].key() != item.key())
    dated = differences = 0
    sample: list = []
    for chunk in _chunks(changed, WRITE_BATCH):
        chunk_dated, chunk_differences = _settle(chunk, today=today, sample=sample)
        dated += chunk_dated
        differences += chunk_differences
    # The others are right for today as they are.
    CenterFlags.objects.filter(as_of__lt=today).update(as_of=today)
    check = FlagsCheck.objects.create(as_of=today, started_at=started, finished_at=timezone.now(),
                                      centers=len(fresh), dated=dated, differences=differences, sample=sample)
    fragments.bump(fragments.REGISTRY)  # the compliance page says when the last check ran
    if differences:
        logger.error("Compliance flags: %d centers differed from the rules on %s and were repaired: %s",
                     differences, today, sample)
    else:
        logger.info("Compliance flags: %d centers re-derived for %s, %d moved with the date, no difference.",
                    len(fresh), today, dated)
    return check


# The net: model signals of every source of the rules

def _center_of(instance) -> list[int]:
    return [instance.center_id]


def _center_itself(instance) -> list[int]:
    return [instance.pk]


def _center_of_violation(instance) -> list[int]:
    center_id = Inspection.objects.filter(pk=instance.inspection_id).values_list("center_id", flat=True).first()
    return [center_id]


def _centers_of_task(instance) -> list[int]:
    from conferences.models import TaskAssignment

    return list(TaskAssignment.objects.filter(task_id=instance.pk, center__isnull=False)
                .values_list("center_id", flat=True))


def _centers_of_directive(instance) -> list[int]:
    from conferences.models import TaskAssignment

    return list(TaskAssignment.objects.filter(task__directive_id=instance.pk, center__isnull=False)
                .values_list("center_id", flat=True))


def _centers_of_period(instance) -> list[int]:
    from reports.models import Obligation

    return list(Obligation.objects.filter(period_id=instance.pk).values_list("center_id", flat=True))


def _sources() -> list[tuple[type, callable, bool]]:
    """(model, the centers one of its rows concerns, whether a deletion matters)."""
    from centers.models import Director, LicenceDocument, Staff
    from conferences.models import Directive, Task, TaskAssignment
    from reports.models import Obligation, ReportPeriod

    from .models import Complaint, Violation

    return [
        (Center, _center_itself, False),
        (LicenceDocument, _center_of, True),
        (Director, _center_of, True),
        (Staff, _center_of, True),
        (Obligation, _center_of, True),
        (ReportPeriod, _centers_of_period, False),  # its obligations go with it, one by one
        (Directive, _centers_of_directive, False),
        (Task, _centers_of_task, False),
        (TaskAssignment, _center_of, True),
        (Inspection, _center_of, True),
        (Violation, _center_of_violation, True),
        (Complaint, _center_of, True),
    ]


def _on_save(centers_of):
    def receiver(sender, instance, raw=False, **kwargs):
        if raw:  # loaddata: the rows are not complete yet
            return
        flags_touch(centers_of(instance))
    return receiver


def _on_delete(centers_of):
    def receiver(sender, instance, origin=None, **kwargs):
        # A center being deleted (one, or a queryset of them) takes its rows and its
        # flags with it: nothing to refresh, and a refresh would write a row for it.
        origin_model = origin._meta.model if hasattr(origin, "_meta") else getattr(origin, "model", None)
        if origin_model is Center:
            return
        flags_touch(centers_of(instance))
    return receiver


def _on_centers_changed(sender, center_ids, **kwargs):
    flags_refresh(center_ids)


def flags_connect() -> None:
    """Called by InspectionsConfig.ready()."""
    for model, centers_of, deletion in _sources():
        post_save.connect(_on_save(centers_of), sender=model, weak=False,
                          dispatch_uid=f"flags_save_{model._meta.label_lower}")
        if deletion:
            post_delete.connect(_on_delete(centers_of), sender=model, weak=False,
                                dispatch_uid=f"flags_delete_{model._meta.label_lower}")
    centers_changed.connect(_on_centers_changed, weak=False, dispatch_uid="flags_centers_changed")


def flags_fill_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """Fill the table on the first migrate that finds it empty while centers exist (the
    installation that gains it, a restored backup): a data migration could not run the
    rules, which use today's models, not the historical ones. Afterwards the writes and
    the nightly check keep it."""
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if CenterFlags._meta.db_table not in tables or Center._meta.db_table not in tables:
        return
    if CenterFlags.objects.using(using).exists() or not Center.objects.using(using).exists():
        return
    count = flags_rebuild()
    logger.info("Compliance flags filled for %d centers.", count)
