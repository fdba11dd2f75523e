"""Read paths of compliance, inspections and complaints, scoped like the registry."""

from __future__ import annotations

import datetime
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

from .models import Complaint, FlagPeriod, FlagsCheck, Inspection, RiskWeight
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


@dataclass
class ComplianceFrame:
    """What the compliance page needs besides its rows: the province whose weights apply,
    the units its filters offer, the weights, and the bell's unread count."""

    province: AdministrativeUnit | None
    provinces: list[AdministrativeUnit]
    communes: list[AdministrativeUnit]
    weights: dict[str, int]
    unread: int | None
    # The last nightly re-derivation of the flags (inspections.flags.flags_check).
    flags_check: FlagsCheck | None = None


def compliance_frame(user, *, province_id: int | None = None) -> ComplianceFrame:
    """One query for everything around the rows of the compliance page: the units the
    filters offer (the user's province and its communes, a local officer's own commune,
    every province for a superuser), and, on the row of the province whose weights apply,
    its risk weights and the user's unread notices (the bell of base.html). The weights
    are the province's (a superuser's chosen one), rule defaults where none is set.

    Keeping this to one query is what holds the page to its budget (session, user, this,
    the rows): the CASE evaluates the subqueries on the province's row only."""
    Level = AdministrativeUnit.Level
    anchor = province_id if user.is_superuser else user.province_id
    if user.is_superuser:
        wanted = Q(level=Level.PROVINCE) | (Q(level=Level.COMMUNE, parent_id=anchor) if anchor else Q(pk__in=[]))
    elif user.role == User.Role.LOCAL_OFFICER:
        wanted = Q(pk=user.province_id) | Q(pk=user.commune_id or 0)
    else:
        wanted = Q(pk=user.province_id or 0) | Q(level=Level.COMMUNE, parent_id=user.province_id or 0)

    def at_anchor(expression):
        return Case(When(pk=anchor or 0, then=expression), default=None, output_field=IntegerField())

    weights = {
        f"w_{rule.code}": at_anchor(Subquery(
            RiskWeight.objects.filter(province_id=anchor, rule=rule.code).values("weight")[:1],
        ))
        for rule in RULES
    }
    unread = unread_notifications(user.pk).order_by().values("recipient").annotate(n=Count("pk")).values("n")
    # The last nightly check of the flags, for the page's freshness line: uncorrelated
    # scalar subqueries, which the database runs once for the whole query.
    last_check = FlagsCheck.objects.order_by("-started_at", "-id")
    check = {f"check_{name}": Subquery(last_check.values(name)[:1])
             for name in ("id", "as_of", "finished_at", "differences")}
    units = list(
        AdministrativeUnit.objects.filter(wanted).annotate(
            **weights, unread=at_anchor(Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))), **check,
        ).order_by("level", *UNIT_ORDERING)
    )
    province = next((unit for unit in units if unit.pk == anchor), None)
    resolved = weights_with_defaults(
        {rule.code: getattr(province, f"w_{rule.code}") for rule in RULES} if province is not None else {},
    )
    flags_check = None
    if units and units[0].check_id is not None:
        first = units[0]
        flags_check = FlagsCheck(pk=first.check_id, as_of=first.check_as_of, finished_at=first.check_finished_at,
                                 differences=first.check_differences)
    return ComplianceFrame(
        flags_check=flags_check,
        province=province,
        provinces=[unit for unit in units if unit.level == Level.PROVINCE],
        communes=[unit for unit in units if unit.level == Level.COMMUNE],
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


# Order of the page read from the maintained flags (compliance_flagged).
FLAGGED_ORDERINGS = {
    "-risk": ("-risk_score", "vi_name", "id"), "risk": ("risk_score", "vi_name", "id"),
    "name": ("vi_name", "id"), "-name": ("-vi_name", "-id"),
    "inspected": ("inspected_first", "vi_name", "id"), "-inspected": ("-inspected_last", "vi_name", "id"),
}


def _reason_value(value):
    """A reason's value as the rules' `why` reads it (dates come back from JSON as text)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def compliance_flagged(user, *, base: QuerySet[Center] | None = None, today: datetime.date | None = None,
                       weights: dict[str, int] | None = None, rules: list[str] | None = None,
                       match_all: bool = False, order: str = "-risk", offset: int = 0,
                       limit: int | None = 50) -> ComplianceResult:
    """One page of the compliance page from the maintained flags (inspections.flags): one
    query, whatever the number of centers, for the rows, their flags, reasons, score and
    the total (a window). The same answer as compliance_search, which evaluates the rules
    instead; the flags are those of the last write or nightly re-derivation."""
    from django.db.models import F, Window
    from django.db.models.functions import Collate

    today = today or timezone.localdate()
    weights = weights if weights is not None else weights_for(user.province_id)
    base = centers_visible_to(user) if base is None else base
    chosen = [RULES_BY_CODE[code] for code in (rules or []) if code in RULES_BY_CODE]
    flags = Q(compliance_flags__flagged=True)
    if chosen:
        combined = Q()
        for rule in chosen:
            flag = Q(**{f"compliance_flags__{rule.field}": True})
            combined = (combined & flag) if match_all else (combined | flag)
        flags &= combined
    score = sum(
        (Case(When(**{f"compliance_flags__{rule.field}": True}, then=Value(int(weights.get(rule.code, 0)))),
              default=Value(0), output_field=IntegerField()) for rule in RULES),
        Value(0),
    )
    last = F("compliance_flags__last_inspection")
    queryset = base.filter(flags).select_related("commune", "province", "compliance_flags").annotate(
        risk_score=score, total=Window(Count("pk")), vi_name=Collate("name", VI_COLLATION),
    ).order_by(*(
        last.asc(nulls_first=True) if key == "inspected_first"
        else last.desc() if key == "-inspected_last" else key
        for key in FLAGGED_ORDERINGS.get(order, FLAGGED_ORDERINGS["-risk"])
    ))
    if limit is not None:
        queryset = queryset[offset:offset + limit]
    elif offset:
        queryset = queryset[offset:]
    rows = list(queryset)
    total = rows[0].total if rows else 0
    if not rows and offset:
        total = None  # past the last page: the caller goes back to page 1
    for center in rows:
        stored = center.compliance_flags
        for rule in RULES:
            setattr(center, rule.field, getattr(stored, rule.field))
        for name, value in stored.reasons.items():
            setattr(center, name, _reason_value(value))
        center.last_inspection = stored.last_inspection
        center.flags = center_flags(center, today, weights)
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
    """One center's current flags and its flag history (for its page)."""
    today = today or timezone.localdate()
    weights = weights_for(center.province_id)
    annotated = compliance_queryset(user, today=today, weights=weights, flagged_only=False).filter(pk=center.pk).first()
    flags = center_flags(annotated, today, weights) if annotated else []
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
