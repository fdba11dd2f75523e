"""Read paths of compliance, inspections and complaints, scoped like the registry."""

from __future__ import annotations

import copy
import datetime
import functools
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from centers.models import Center
from centers.selectors import centers_visible_to, scope_q, search_q
from geo.collation import UNIT_ORDERING
from geo.models import AdministrativeUnit
from geo.text import VI_COLLATION
from notifications.services import unread_notifications

from .models import CenterFlags, Complaint, FlagPeriod, FlagsCheck, Inspection, RiskWeight
from .rules import RULES, RULES_BY_CODE, Rule, annotate_details, annotate_rules


def weights_with_defaults(set_by_staff: dict[str, int | None]) -> dict[str, int]:
    """Every rule's weight: the one staff set, else the rule's default."""
    return {rule.code: set_by_staff[rule.code] if set_by_staff.get(rule.code) is not None else rule.default_weight
            for rule in RULES}


def weights_for(province_id: int | None) -> dict[str, int]:
    """The province's weights, the rule's default where staff set none (one query)."""
    if not province_id:
        return weights_with_defaults({})
    return weights_with_defaults(dict(RiskWeight.objects.filter(province_id=province_id).values_list("rule", "weight")))


@dataclass(frozen=True, slots=True)
class UnitChoice:
    """A unit the compliance filters offer: its id and name, all they show."""

    pk: int
    name: str


@dataclass
class ComplianceFrame:
    """What the compliance page needs besides its rows: the province whose weights apply,
    the units its filters offer, the weights, and the bell's unread count."""

    province: AdministrativeUnit | None
    provinces: list[UnitChoice]
    communes: list[UnitChoice]
    weights: dict[str, int]
    unread: int | None
    # The last nightly re-derivation of the flags (inspections.flags.flags_check).
    flags_check: FlagsCheck | None = None


# Stand-ins for the values of compile-time-built frame queries: ids no table holds, each
# found again among the compiled query's parameters and replaced by the request's value.
_ANCHOR, _USER, _PROVINCE, _COMMUNE = -7_000_000_101, -7_000_000_102, -7_000_000_103, -7_000_000_104
_UNIT_FIELDS = [field.attname for field in AdministrativeUnit._meta.concrete_fields]
_FRAME_EXTRA = [*(f"w_{rule.code}" for rule in RULES), "unread", "check_id", "check_as_of", "check_finished_at",
                "check_differences"]


def _frame_queryset(shape: str, has_anchor: bool):
    """The frame's query for a kind of user ("super", "local", "staff"), with stand-ins
    for the ids (see compliance_frame)."""
    Level = AdministrativeUnit.Level
    anchor = _ANCHOR if has_anchor else None
    if shape == "super":
        wanted = Q(level=Level.PROVINCE) | (Q(level=Level.COMMUNE, parent_id=anchor) if anchor else Q(pk__in=[]))
    elif shape == "local":
        wanted = Q(pk=_PROVINCE) | Q(pk=_COMMUNE)
    else:
        wanted = Q(pk=_PROVINCE) | Q(level=Level.COMMUNE, parent_id=_PROVINCE)

    def at_anchor(expression):
        return Case(When(pk=anchor or 0, then=expression), default=None, output_field=IntegerField())

    weights = {
        f"w_{rule.code}": at_anchor(Subquery(
            RiskWeight.objects.filter(province_id=anchor, rule=rule.code).values("weight")[:1],
        ))
        for rule in RULES
    }
    unread = unread_notifications(_USER).order_by().values("recipient").annotate(n=Count("pk")).values("n")
    # The last nightly check of the flags, for the page's freshness line: uncorrelated
    # scalar subqueries, which the database runs once for the whole query.
    last_check = FlagsCheck.objects.order_by("-started_at", "-id")
    check = {f"check_{name}": Subquery(last_check.values(name)[:1])
             for name in ("id", "as_of", "finished_at", "differences")}
    return AdministrativeUnit.objects.filter(wanted).annotate(
        **weights, unread=at_anchor(Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))), **check,
    ).order_by("level", *UNIT_ORDERING).values_list(*_UNIT_FIELDS, *_FRAME_EXTRA)


@functools.lru_cache(maxsize=16)
def _frame_sql(shape: str, has_anchor: bool, vendor: str) -> tuple[str, tuple, tuple]:
    """The frame's query compiled once per kind of user: building and compiling its
    fifteen subqueries cost the ORM about 6 ms a request, running it well under one.
    Returns the SQL, its parameters, and which stand-in each parameter is (or None)."""
    sql, params = _frame_queryset(shape, has_anchor).query.sql_with_params()
    stand_ins = (_ANCHOR, _USER, _PROVINCE, _COMMUNE)
    return sql, tuple(params), tuple(value if value in stand_ins else None for value in params)


def compliance_frame(user, *, province_id: int | None = None) -> ComplianceFrame:
    """One query for everything around the rows of the compliance page: the units the
    filters offer (the user's province and its communes, a local officer's own commune,
    every province for a superuser), and, on the row of the province whose weights apply,
    its risk weights and the user's unread notices (the bell of base.html). The weights
    are the province's (a superuser's chosen one), rule defaults where none is set.

    Keeping this to one query is what holds the page to its budget (session, user, this,
    the rows): the CASE evaluates the subqueries on the province's row only. The query is
    built once per kind of user (_frame_sql) and run with this user's ids."""
    from django.db import connection

    anchor = province_id if user.is_superuser else user.province_id
    if user.is_superuser:
        shape = "super"
    elif user.role == User.Role.LOCAL_OFFICER:
        shape = "local"
    else:
        shape = "staff"
    sql, params, stand_ins = _frame_sql(shape, bool(anchor), connection.vendor)
    values = {_ANCHOR: anchor or 0, _USER: user.pk, _PROVINCE: user.province_id or 0,
              _COMMUNE: user.commune_id or 0}
    params = [value if stand_in is None else values[stand_in] for value, stand_in in zip(params, stand_ins,
                                                                                           strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        units = cursor.fetchall()
    width = len(_UNIT_FIELDS)
    extra = {name: width + index for index, name in enumerate(_FRAME_EXTRA)}
    province_row = next((row for row in units if row[0] == anchor), None) if anchor else None
    province = None
    if province_row is not None:
        province = AdministrativeUnit.from_db(
            connection.alias, _UNIT_FIELDS, _read("unit", province_row[:width], connection))
        province.unread = province_row[extra["unread"]]
    resolved = weights_with_defaults(
        {rule.code: province_row[extra[f"w_{rule.code}"]] for rule in RULES} if province_row is not None else {},
    )
    flags_check = None
    if units and units[0][extra["check_id"]] is not None:
        first = units[0]
        as_of, finished_at = _read("check",
                                   [first[extra["check_as_of"]], first[extra["check_finished_at"]]], connection)
        flags_check = FlagsCheck(pk=first[extra["check_id"]], as_of=as_of, finished_at=finished_at,
                                 differences=first[extra["check_differences"]])
    level = _UNIT_FIELDS.index("level")
    name = _UNIT_FIELDS.index("name")
    Level = AdministrativeUnit.Level
    return ComplianceFrame(
        flags_check=flags_check,
        province=province,
        provinces=[UnitChoice(row[0], row[name]) for row in units if row[level] == Level.PROVINCE],
        communes=[UnitChoice(row[0], row[name]) for row in units if row[level] == Level.COMMUNE],
        weights=resolved,
        unread=province.unread if province is not None else None,
    )


def compliance_queryset(user, *, today: datetime.date | None = None, weights: dict[str, int] | None = None,
                        rules: list[str] | None = None, match_all: bool = False,
                        flagged_only: bool = True) -> QuerySet[Center]:
    """Centers in the user's scope with each rule's flag and detail, the risk score and
    the last inspection date, filtered by the chosen rules (any or all of them)."""
    today = today or timezone.localdate()
    weights = weights if weights is not None else weights_for(user.province_id)
    last_inspection = Inspection.objects.filter(center=OuterRef("pk"), carried_out_on__isnull=False) \
        .order_by().values("center").annotate(last=Max("carried_out_on")).values("last")
    queryset = annotate_rules(centers_visible_to(user), today, province_id=user.province_id).annotate(
        last_inspection=Subquery(last_inspection),
        risk_score=sum(
            (Case(When(**{rule.field: True}, then=Value(weights.get(rule.code, 0))), default=Value(0),
                  output_field=IntegerField()) for rule in RULES),
            Value(0),
        ),
    )
    chosen = [code for code in (rules or []) if code in RULES_BY_CODE]
    if chosen or flagged_only:
        queryset = queryset.filter(flags_q(chosen, match_all=match_all))
    return queryset


def flags_q(codes: list[str] | None = None, *, match_all: bool = False) -> Q:
    """Centers (annotated by compliance_queryset) flagged by any, or all, of the chosen
    rules; by any rule at all when none is chosen."""
    chosen = [RULES_BY_CODE[code] for code in (codes or []) if code in RULES_BY_CODE]
    if not chosen:
        chosen, match_all = list(RULES), False
    combined = Q()
    for rule in chosen:
        flag = Q(**{rule.field: True})
        combined = (combined & flag) if match_all else (combined | flag)
    return combined


@dataclass
class ComplianceResult:
    total: int
    rows: list  # the page's centers, with flag_<code>, risk_score, last_inspection and details
    weights: dict


# Names in Vietnamese order, said outright: the column's collation is not carried through
# the inner query on every database.
_NAME = f'name COLLATE "{VI_COLLATION}"'
ORDERINGS = {
    "-risk": f"risk_score DESC, {_NAME}, id", "risk": f"risk_score, {_NAME}, id",
    "name": f"{_NAME}, id", "-name": f"{_NAME} DESC, id DESC",
    "inspected": f"last_inspection {{nulls_first}}, {_NAME}, id", "-inspected": f"last_inspection DESC, {_NAME}, id",
}


def compliance_search(user, *, base: QuerySet[Center] | None = None, today: datetime.date | None = None,
                      weights: dict[str, int] | None = None, rules: list[str] | None = None,
                      match_all: bool = False, flagged_only: bool = True, order: str = "-risk",
                      offset: int = 0, limit: int | None = 50) -> ComplianceResult:
    """One page of the compliance search in two queries, whatever the number of centers.

    The first evaluates every rule once per center in an inner query (OFFSET 0 keeps the
    database from inlining it, which would evaluate each rule again for the filter, the
    score and the output); the outer query filters by the chosen rules, scores, sorts,
    counts (a window) and cuts the page. The second adds, for the page's rows only, what
    their reasons show."""
    from django.db import connection

    today = today or timezone.localdate()
    weights = weights if weights is not None else weights_for(user.province_id)
    base = centers_visible_to(user) if base is None else base
    last_inspection = Inspection.objects.filter(center=OuterRef("pk"), carried_out_on__isnull=False) \
        .order_by().values("center").annotate(last=Max("carried_out_on")).values("last")
    fields = [rule.field for rule in RULES]
    inner = annotate_rules(base, today, province_id=user.province_id, details=False) \
        .annotate(last_inspection=Subquery(last_inspection)).order_by() \
        .values("id", "name", "last_inspection", *fields)
    inner_sql, params = inner.query.sql_with_params()
    fence = "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else "OFFSET 0"
    score = " + ".join(f"(CASE WHEN f.{field} THEN {int(weights.get(rule.code, 0))} ELSE 0 END)"
                       for rule, field in zip(RULES, fields, strict=True))
    chosen = [RULES_BY_CODE[code].field for code in (rules or []) if code in RULES_BY_CODE]
    if chosen:
        where = (" AND " if match_all else " OR ").join(f"f.{field}" for field in chosen)
    elif flagged_only:
        where = " OR ".join(f"f.{field}" for field in fields)
    else:
        where = "1 = 1"
    nulls_first = "" if connection.vendor == "sqlite" else "NULLS FIRST"
    ordering = ORDERINGS.get(order, ORDERINGS["-risk"]).format(nulls_first=nulls_first)
    page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    sql = (
        f"SELECT f.id, f.last_inspection, {', '.join('f.' + field for field in fields)}, "
        f"{score} AS risk_score, COUNT(*) OVER () AS total "
        f"FROM ({inner_sql} {fence}) f WHERE ({where}) ORDER BY {ordering}{page}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    total = found[0][-1] if found else 0
    if not found and offset:
        total = None  # past the last page: the caller goes back to page 1
    by_id = {row[0]: row for row in found}
    centers = {c.pk: c for c in annotate_details(
        Center.objects.filter(pk__in=list(by_id)).select_related("commune", "province", "current_licence"), today,
    )} if by_id else {}
    rows = []
    for pk, row in by_id.items():
        center = centers[pk]
        center.last_inspection = _as_date(row[1])
        for index, field in enumerate(fields):
            setattr(center, field, bool(row[2 + index]))
        center.risk_score = row[-2]
        center.flags = center_flags(center, today, weights)
        rows.append(center)
    return ComplianceResult(total=total, rows=rows, weights=weights)


# Order of the page read from the maintained flags (compliance_flagged): (what, descending).
FLAGGED_ORDERINGS = {
    "-risk": (("risk", True), ("name", False), ("id", False)),
    "risk": (("risk", False), ("name", False), ("id", False)),
    "name": (("name", False), ("id", False)),
    "-name": (("name", True), ("id", True)),
    "inspected": (("inspected", False), ("name", False), ("id", False)),
    "-inspected": (("inspected", True), ("name", False), ("id", False)),
}


def _reason_value(value):
    """A reason's value as the rules' `why` reads it (dates come back from JSON as text)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _with_stored_flags(center: Center, flags, reasons: dict, last_inspection) -> None:
    """Give a center its stored flags (flags[rule.field]), the values its reasons show and
    its last inspection, as compliance_queryset annotates them: what center_flags reads."""
    for rule in RULES:
        setattr(center, rule.field, bool(flags[rule.field]))
    for name, value in reasons.items():
        setattr(center, name, _reason_value(value))
    center.last_inspection = last_inspection


def _names(model, alias: str) -> list[str]:
    return [f'{alias}."{field.column}"' for field in model._meta.concrete_fields]


@functools.lru_cache(maxsize=256)
def _flagged_sql(vendor: str, weights: tuple[int, ...], order: str, chosen: tuple[str, ...], match_all: bool,
                 paged: bool, narrow: bool) -> tuple[str, str]:
    """The page's query around the centers' filter, written once per weights, order and
    rules (building it with the ORM cost about 4 ms a request): SQL before and after the
    WHERE of the filtered centers.

    The inner query filters, scores, counts (a window), sorts and cuts the page over the
    centers and their flags alone; the outer one joins the page's rows to what they show
    (the center, its flags and reasons, its commune and province), so the units are read
    for 25 rows, not joined for every flagged center.

    `narrow`: the centers are one province's or fewer (anyone but a superuser). PostgreSQL
    then reads each of their flags rows by its key (a LATERAL subquery it may not flatten)
    instead of scanning the whole country's flags for a hash join: on the national data
    set 2 ms instead of 3 to 8 for the largest province, while for every center of the
    country the scan stays three times faster. SQLite has no LATERAL: the plain join."""
    from .models import CenterFlags

    center, flags, unit = Center._meta.db_table, CenterFlags._meta.db_table, AdministrativeUnit._meta.db_table
    score = " + ".join(f'(CASE WHEN f."{rule.field}" THEN {int(weight)} ELSE 0 END)'
                       for rule, weight in zip(RULES, weights, strict=True))
    fields = [RULES_BY_CODE[code].field for code in chosen]
    where = 'f."flagged"'
    if fields:
        where += " AND (" + (" AND " if match_all else " OR ").join(f'f."{field}"' for field in fields) + ")"

    def ordering(center_alias: str, flags_alias: str, risk: str) -> str:
        columns = {"risk": risk, "name": f'{center_alias}."name" COLLATE "{VI_COLLATION}"',
                   "id": f'{center_alias}."id"', "inspected": f'{flags_alias}."last_inspection"'}
        keys = []
        for key, descending in FLAGGED_ORDERINGS.get(order, FLAGGED_ORDERINGS["-risk"]):
            direction = " DESC" if descending else " ASC"
            if key == "inspected" and not descending and vendor != "sqlite":
                direction += " NULLS FIRST"  # SQLite puts them first already
            keys.append(columns[key] + direction)
        return ", ".join(keys)

    if narrow and vendor == "postgresql":
        join = f'CROSS JOIN LATERAL (SELECT * FROM "{flags}" f0 WHERE f0."center_id" = "{center}"."id" OFFSET 0) f'
    else:
        join = f'INNER JOIN "{flags}" f ON (f."center_id" = "{center}"."id")'
    inner_head = (
        f'SELECT "{center}"."id" AS id, ({score}) AS risk_score, COUNT(*) OVER () AS total '
        f'FROM "{center}" {join} WHERE ('
    )
    inner_tail = f") AND {where} ORDER BY {ordering(chr(34) + center + chr(34), 'f', 'risk_score')}"
    if paged:
        inner_tail += " LIMIT %s OFFSET %s"
    head = (
        f"SELECT {', '.join(_names(Center, 'c'))}, {', '.join(_names(CenterFlags, 'f'))}, p.risk_score, p.total, "
        f"{', '.join(_names(AdministrativeUnit, 'cu'))}, {', '.join(_names(AdministrativeUnit, 'pu'))} "
        f"FROM ({inner_head}"
    )
    tail = (
        f"{inner_tail}) p "
        f'INNER JOIN "{center}" c ON (c."id" = p.id) INNER JOIN "{flags}" f ON (f."center_id" = p.id) '
        f'INNER JOIN "{unit}" cu ON (cu."id" = c."commune_id") INNER JOIN "{unit}" pu ON (pu."id" = c."province_id") '
        f"ORDER BY {ordering('c', 'f', 'p.risk_score')}"
    )
    return head, tail


def _centers_where(base: QuerySet[Center]) -> tuple[str, list]:
    """The WHERE of the filtered centers, on the centers' table by its own name: as it is
    when the filters join nothing (the page's filters), else as an id IN (subquery).
    Raises EmptyResultSet when nothing can match."""
    from django.core.exceptions import FullResultSet

    query = base.query
    table = Center._meta.db_table
    used = {alias for alias in query.alias_map if query.alias_refcount.get(alias)}
    plain = (used <= {table} and not query.annotations and not query.distinct and not query.combinator
             and not query.is_sliced and not query.extra and not query.group_by)
    if plain:
        try:
            sql, params = query.get_compiler(using=base.db).compile(query.where)
        except FullResultSet:
            return "1 = 1", []
        return sql or "1 = 1", list(params)
    sql, params = base.order_by().values("pk").query.sql_with_params()
    return f'"{table}"."id" IN ({sql})', list(params)


# The model fields of the columns read by raw queries, by name (see _read).
_READ_FIELDS = {
    "center": tuple(Center._meta.concrete_fields),
    "flags": tuple(CenterFlags._meta.concrete_fields),
    "unit": tuple(AdministrativeUnit._meta.concrete_fields),
    "check": (FlagsCheck._meta.get_field("as_of"), FlagsCheck._meta.get_field("finished_at")),
}


@functools.lru_cache(maxsize=16)
def _converters(fields: str, vendor: str) -> tuple:
    """Django's converters of the columns of these fields read by a raw query (SQLite's
    dates, datetimes and booleans, the JSON of the reasons), by position: only the
    columns that have any."""
    from django.db import connection
    from django.db.models.expressions import Col

    found = []
    for index, field in enumerate(_READ_FIELDS[fields]):
        col = Col("x", field)
        functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if functions:
            found.append((index, col, tuple(functions)))
    return tuple(found)


def _read(fields: str, values, connection) -> list:
    """Raw values of the columns of _READ_FIELDS[fields], read as the ORM reads them."""
    values = list(values)
    for index, col, functions in _converters(fields, connection.vendor):
        value = values[index]
        for function in functions:
            value = function(value, col, connection)
        values[index] = value
    return values


def compliance_flagged(user, *, base: QuerySet[Center] | None = None, today: datetime.date | None = None,
                       weights: dict[str, int] | None = None, rules: list[str] | None = None,
                       match_all: bool = False, order: str = "-risk", offset: int = 0,
                       limit: int | None = 50) -> ComplianceResult:
    """One page of the compliance page from the maintained flags (inspections.flags): one
    query, whatever the number of centers, for the rows, their flags, reasons, score and
    the total (a window). The same answer as compliance_search, which evaluates the rules
    instead; the flags are those of the last write or nightly re-derivation."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    today = today or timezone.localdate()
    weights = weights if weights is not None else weights_for(user.province_id)
    base = centers_visible_to(user) if base is None else base
    connection = connections[base.db]
    chosen = tuple(code for code in (rules or []) if code in RULES_BY_CODE)
    paged = limit is not None or bool(offset)
    head, tail = _flagged_sql(connection.vendor, tuple(int(weights.get(rule.code, 0)) for rule in RULES),
                              order if order in FLAGGED_ORDERINGS else "-risk", chosen, match_all, paged,
                              not user.is_superuser)
    try:
        where, params = _centers_where(base)
    except EmptyResultSet:
        found = []
    else:
        if paged:
            # No limit but an offset: every row after it (a database integer, as the ORM sends).
            params += [limit if limit is not None else 2**63 - 1 if connection.vendor != "sqlite" else -1, offset]
        with connection.cursor() as cursor:
            cursor.execute(head + where + tail, params)
            found = cursor.fetchall()
    center_fields, flag_fields, unit_fields = _READ_FIELDS["center"], _READ_FIELDS["flags"], _READ_FIELDS["unit"]
    units: dict[int, AdministrativeUnit] = {}

    def unit(values):
        if values[0] not in units:
            units[values[0]] = AdministrativeUnit.from_db(base.db, None, _read("unit", values, connection))
        return units[values[0]]

    rows = []
    for values in found:
        center = Center.from_db(base.db, None, _read("center", values[:len(center_fields)], connection))
        at = len(center_fields)
        stored = dict(zip((field.attname for field in flag_fields),
                          _read("flags", values[at:at + len(flag_fields)], connection), strict=True))
        at += len(flag_fields)
        center.risk_score, center.total = values[at], values[at + 1]
        at += 2
        center.commune = unit(values[at:at + len(unit_fields)])
        center.province = unit(values[at + len(unit_fields):at + 2 * len(unit_fields)])
        _with_stored_flags(center, stored, stored["reasons"], stored["last_inspection"])
        center.flags = center_flags(center, today, weights)
        rows.append(center)
    total = rows[0].total if rows else 0
    if not rows and offset:
        total = None  # past the last page: the caller goes back to page 1
    return ComplianceResult(total=total, rows=rows, weights=weights)


def _as_date(value):
    """SQLite hands a raw date back as text from a raw query."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


@dataclass
class Flag:
    rule: Rule
    why: str
    weight: int


def center_flags(center: Center, today: datetime.date, weights: dict[str, int]) -> list[Flag]:
    """The flags of an annotated center (from compliance_queryset), heaviest first."""
    flags = [Flag(rule=rule, why=rule.why(center, today), weight=weights.get(rule.code, 0))
             for rule in RULES if getattr(center, rule.field, False)]
    return sorted(flags, key=lambda f: -f.weight)


def center_compliance(user, center: Center, today: datetime.date | None = None) -> tuple[list[Flag], list]:
    """One center's current flags, as the maintained table holds them (inspections.flags,
    read as the compliance page reads them), and its flag history (for its page). A
    center outside the user's scope shows no flags."""
    today = today or timezone.localdate()
    weights = weights_for(center.province_id)
    stored = CenterFlags.objects.filter(scope_q(user, "center__"), center_id=center.pk).first()
    flags = []
    if stored is not None:
        shown = copy.copy(center)  # the reasons go on a copy: the caller's center stays as it is
        _with_stored_flags(shown, {rule.field: getattr(stored, rule.field) for rule in RULES}, stored.reasons,
                           stored.last_inspection)
        flags = center_flags(shown, today, weights)
    history = list(FlagPeriod.objects.filter(center=center).order_by("-raised_on", "-id")[:50])
    for period in history:
        rule = RULES_BY_CODE.get(period.rule)
        period.rule_name = rule.name if rule else period.rule
    return flags, history


# Inspections and complaints

def inspections_visible_to(user) -> QuerySet[Inspection]:
    return Inspection.objects.filter(scope_q(user, "center__"))


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Complaints name their senders: the Department's staff and inspectors and the
    commune's officer see them; a director does not."""
    if getattr(user, "role", None) == User.Role.DIRECTOR:
        return Complaint.objects.none()
    return Complaint.objects.filter(scope_q(user, "center__"))


def inspection_get(user, pk: int) -> Inspection:
    return get_object_or_404(inspections_visible_to(user).select_related("center__commune", "province"), pk=pk)


def complaint_get(user, pk: int) -> Complaint:
    return get_object_or_404(complaints_visible_to(user).select_related("center__commune"), pk=pk)


def compliance_search_q(text: str) -> Q:
    return search_q(text) if text and text.strip() else Q()
