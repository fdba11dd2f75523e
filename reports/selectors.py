"""Read paths of periodic reporting that carry rules: who sees which periods and
obligations, what waits for review, what changed between two versions, and the
completeness and timeliness of a period.

Every queryset starts from the user's scope (centers.selectors.scope_q): a department's
staff and inspectors see their province, a local officer their commune, a director their
own center.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.choices import CenterKind
from centers.selectors import scope_q
from geo.collation import unit_ordering

from .choices import ExtensionStatus, FieldKind, ObligationStatus
from .models import Attachment, ExtensionRequest, Obligation, ReportField, ReportPeriod, Review, SubmissionVersion

AWAITING_REVIEW = (ObligationStatus.SUBMITTED, ObligationStatus.RESUBMITTED)
NUMERIC_KINDS = (FieldKind.INTEGER, FieldKind.DECIMAL)


def _local_tz() -> zoneinfo.ZoneInfo:
    # Due dates are dates in the Department's time zone, whatever a request activated.
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# Scope


def user_province_id(user) -> int | None:
    """The province whose report types the user follows (a local officer: their commune's)."""
    if user.province_id:
        return user.province_id
    if user.commune_id:
        return user.commune.parent_id
    if user.center_id:
        return user.center.province_id
    return None


def periods_visible_to(user) -> QuerySet[ReportPeriod]:
    """The periods of the report types of the user's province (all of them for a superuser)."""
    periods = ReportPeriod.objects.select_related("report_type")
    if not getattr(user, "is_authenticated", False):
        return periods.none()
    if user.is_superuser:
        return periods
    province_id = user_province_id(user)
    if province_id is None:
        return periods.none()
    return periods.filter(report_type__province_id=province_id)


def obligations_visible_to(user) -> QuerySet[Obligation]:
    """Every obligation of a center in the user's scope."""
    return Obligation.objects.filter(scope_q(user, "center__"))


def default_period(user, today: datetime.date | None = None) -> ReportPeriod | None:
    """The period a dashboard opens on: the latest one already past its due date, or
    (before any is due) the next one."""
    today = today or timezone.localdate()
    periods = periods_visible_to(user)
    past = periods.filter(due_date__lt=today).order_by("-due_date", "-pk").first()
    return past or periods.order_by("due_date", "pk").first()


# Review


def _latest_version(field_name: str):
    return Subquery(
        SubmissionVersion.objects.filter(obligation=OuterRef("pk")).order_by("-number").values(field_name)[:1]
    )


def review_queue(user) -> QuerySet[Obligation]:
    """Submitted and resubmitted obligations in the user's scope, oldest submission first,
    with what a queue row shows (one query for the page, whatever its length)."""
    return (
        obligations_visible_to(user)
        .filter(status__in=AWAITING_REVIEW)
        .select_related("center__commune", "period__report_type")
        .annotate(latest_number=_latest_version("number"), latest_submitted_at=_latest_version("submitted_at"))
        .order_by("latest_submitted_at", "pk")
    )


def obligation_for_review(user, pk: int) -> Obligation:
    """One obligation for its review page, or 404 outside the user's scope."""
    queryset = obligations_visible_to(user).select_related("center__commune", "period__report_type")
    return get_object_or_404(queryset, pk=pk)


class Timeliness:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


def obligation_timeliness(obligation: Obligation) -> str:
    """On time, late or missing for one obligation: Obligation.is_on_time, the same rule
    as timeliness_counts() (local date of the first submission against the due date or
    the later extension)."""
    if obligation.first_submitted_at is None:
        return Timeliness.MISSING
    return Timeliness.ON_TIME if obligation.is_on_time else Timeliness.LATE


def obligation_versions(obligation: Obligation) -> list[SubmissionVersion]:
    """The obligation's versions, newest first, with their review, submitter and attachments."""
    return list(
        obligation.versions.select_related("submitted_by", "review__reviewer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("-number")
    )


def display_value(spec: dict | None, value: Any) -> str:
    """A stored value as people read it: dates dd/mm/yyyy, yes/no in words, blanks as "—"."""
    if value is None or value == "":
        return "—"
    kind = (spec or {}).get("kind")
    if kind == FieldKind.BOOLEAN or isinstance(value, bool):
        return _("Có") if value in (True, "true", "True", "1", 1) else _("Không")
    if kind == FieldKind.DATE and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if kind == FieldKind.DECIMAL:
        # Stored exact, as a string with a point; written the Vietnamese way.
        return str(value).replace(".", ",")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class FieldValue:
    """One answered field of a version, labelled from the version's own frozen schema."""

    code: str
    label: str
    value: str
    comment: str = ""


@dataclass(frozen=True)
class FieldChange:
    """One field compared between two versions."""

    code: str
    label: str
    old: str
    new: str
    changed: bool
    added: bool = False
    removed: bool = False


def version_values(version: SubmissionVersion, comments: dict[str, str] | None = None) -> list[FieldValue]:
    """The version's values in the order of the fields it answered; `comments` (a review's
    field comments) are attached to their field."""
    comments = comments or {}
    return [
        FieldValue(
            spec["code"], spec.get("label") or spec["code"], display_value(spec, version.values.get(spec["code"])),
            comments.get(spec["code"], ""),
        )
        for spec in version.schema
    ]


def version_diff(previous: SubmissionVersion | None, current: SubmissionVersion) -> list[FieldChange]:
    """Field by field, what `current` changed compared with `previous` (None: the first
    version, nothing to compare). Each side is labelled and read with its own frozen
    schema, so a field renamed or dropped since is still shown as it was answered."""
    if previous is None:
        return []
    old_specs = {spec["code"]: spec for spec in previous.schema}
    new_specs = {spec["code"]: spec for spec in current.schema}
    changes = []
    for code, spec in new_specs.items():
        old_spec = old_specs.get(code)
        new = display_value(spec, current.values.get(code))
        if old_spec is None:
            changes.append(FieldChange(code, spec.get("label") or code, "—", new, changed=new != "—", added=True))
            continue
        old = display_value(old_spec, previous.values.get(code))
        changes.append(FieldChange(code, spec.get("label") or code, old, new, changed=old != new))
    for code, spec in old_specs.items():
        if code not in new_specs:
            old = display_value(spec, previous.values.get(code))
            changes.append(FieldChange(code, spec.get("label") or code, old, "—", changed=old != "—", removed=True))
    return changes


@dataclass(frozen=True)
class ReviewNotes:
    """What the Department asked a center to correct: the general reason and one comment
    per field concerned (labelled from the version that was returned)."""

    review: Review
    reason: str
    fields: list[FieldValue]

    @property
    def reviewer(self):
        return self.review.reviewer

    @property
    def reviewed_at(self):
        return self.review.reviewed_at

    @property
    def comments_by_code(self) -> dict[str, str]:
        return {item.code: item.comment for item in self.fields}


def obligation_review_notes(obligation: Obligation) -> ReviewNotes | None:
    """The reviewer's notes for a returned obligation (None when it is not returned):
    the director's page shows each comment beside the field it is about. Two queries."""
    if obligation.status != ObligationStatus.RETURNED:
        return None
    review = (
        Review.objects.filter(version__obligation=obligation, decision=Review.Decision.RETURNED)
        .select_related("version", "reviewer")
        .order_by("-version__number")
        .first()
    )
    if review is None:
        return None
    specs = {spec["code"]: spec for spec in review.version.schema}
    order = {code: index for index, code in enumerate(specs)}
    fields = [
        FieldValue(code, (specs.get(code) or {}).get("label") or code,
                   display_value(specs.get(code), review.version.values.get(code)), comment)
        for code, comment in sorted(review.field_comments.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    return ReviewNotes(review=review, reason=review.reason, fields=fields)


def extension_requests_pending(user) -> QuerySet[ExtensionRequest]:
    """Pending requests for more time from the centers in the user's scope, oldest first."""
    return (
        ExtensionRequest.objects.filter(scope_q(user, "obligation__center__"), status=ExtensionStatus.PENDING)
        .select_related("obligation__center__commune", "obligation__period__report_type", "requested_by")
        .order_by("requested_at", "pk")
    )


def extension_requests_decided(user, limit: int = 20) -> QuerySet[ExtensionRequest]:
    """The latest decisions, for reference under the pending list."""
    return (
        ExtensionRequest.objects.filter(scope_q(user, "obligation__center__"))
        .exclude(status=ExtensionStatus.PENDING)
        .select_related("obligation__center", "obligation__period__report_type", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


# Completeness and timeliness


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class CompletenessRow:
    """The counts of one group (a center kind, a commune, or the whole scope).

    on_time + late + missing = owed; returned counts the submitted obligations currently
    sent back for correction (they stay on time or late by their first submission)."""

    key: str
    label: str
    owed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def submitted_rate(self) -> float | None:
        return percent(self.submitted, self.owed)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.owed)

    @property
    def late_rate(self) -> float | None:
        return percent(self.late, self.owed)

    @property
    def missing_rate(self) -> float | None:
        return percent(self.missing, self.owed)

    @property
    def returned_rate(self) -> float | None:
        return percent(self.returned, self.owed)

    def add(self, other: CompletenessRow) -> None:
        for name in ("owed", "on_time", "late", "missing", "returned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Completeness:
    period: ReportPeriod
    total: CompletenessRow
    by_kind: list[CompletenessRow] = field(default_factory=list)
    by_commune: list[CompletenessRow] = field(default_factory=list)

    def chart_data(self) -> dict:
        """What static/js/dashboard.js draws, passed through json_script."""
        def series(rows):
            return {
                "labels": [row.label for row in rows],
                "on_time": [row.on_time for row in rows],
                "late": [row.late for row in rows],
                "missing": [row.missing for row in rows],
            }

        return {
            "legend": {"on_time": _("Đúng hạn"), "late": _("Trễ hạn"), "missing": _("Chưa nộp")},
            "by_kind": series(self.by_kind),
            "by_commune": series(self.by_commune),
        }


def timeliness_counts(period: ReportPeriod) -> dict:
    """Conditional counts over obligations of `period`, for .aggregate() or .annotate().

    On time: first submitted (local date) no later than the due date, or than the granted
    extension when that is later. Late: submitted after both. Missing: nothing submitted.
    Returned: currently sent back for correction."""
    submitted = Q(first_submitted_at__isnull=False)
    within_extension = Q(extended_until__isnull=False, submitted_on__lte=F("extended_until"))
    after_extension = Q(extended_until__isnull=True) | Q(submitted_on__gt=F("extended_until"))
    return {
        "owed": Count("pk"),
        "on_time": Count("pk", filter=submitted & (Q(submitted_on__lte=period.due_date) | within_extension)),
        "late": Count("pk", filter=submitted & Q(submitted_on__gt=period.due_date) & after_extension),
        "missing": Count("pk", filter=Q(first_submitted_at__isnull=True)),
        "returned": Count("pk", filter=Q(status=ObligationStatus.RETURNED)),
    }


def _period_obligations(period: ReportPeriod, user) -> QuerySet[Obligation]:
    # The local date of the first submission: a report sent at 23:30 in Hà Nội on the due
    # date is on time, though it is already the next day in UTC.
    tz = _local_tz()
    return (
        obligations_visible_to(user)
        .filter(period=period)
        .alias(submitted_on=TruncDate("first_submitted_at", tzinfo=tz))
    )


def completeness(period: ReportPeriod, user) -> Completeness:
    """Owed, on time, late, missing and returned for one period, per center kind and per
    commune, within the user's scope. Two grouped queries with conditional aggregation,
    whatever the number of centers; the totals are the sum of the kind rows."""
    counts = timeliness_counts(period)
    obligations = _period_obligations(period, user)
    kind_labels = dict(CenterKind.choices)
    by_kind = [
        CompletenessRow(key=row["center__kind"], label=str(kind_labels.get(row["center__kind"], row["center__kind"])),
                        **{count: row[count] for count in counts})
        for row in obligations.values("center__kind").annotate(**counts).order_by("center__kind")
    ]
    # In the order the registry lists kinds (language centers first), not alphabetically by code.
    kind_order = {kind: index for index, kind in enumerate(CenterKind.values)}
    by_kind.sort(key=lambda row: kind_order.get(row.key, len(kind_order)))
    by_commune = []
    commune_rows = (
        obligations.values("center__commune_id", "center__commune__name", "center__commune__unit_type")
        .annotate(**counts)
        .order_by(*unit_ordering("center__commune__"))
    )
    for row in commune_rows:
        name, unit_type = row["center__commune__name"], row["center__commune__unit_type"] or ""
        # As AdministrativeUnit.full_name writes it: "Phường Kinh Bắc".
        typed = not unit_type or name.lower().startswith(unit_type.lower())
        label = name if typed else f"{unit_type.capitalize()} {name}"
        by_commune.append(CompletenessRow(key=str(row["center__commune_id"]), label=label,
                                          **{count: row[count] for count in counts}))
    total = CompletenessRow(key="", label=_("Tổng cộng"))
    for row in by_kind:
        total.add(row)
    return Completeness(period=period, total=total, by_kind=by_kind, by_commune=by_commune)


def missing_obligations(period: ReportPeriod, user) -> QuerySet[Obligation]:
    """The obligations of the period still without any submission, in the user's scope:
    the drill-down from a "missing" count (served by the partial index on unsubmitted rows)."""
    return (
        obligations_visible_to(user)
        .filter(period=period, first_submitted_at__isnull=True)
        .select_related("center__commune")
        .order_by(*unit_ordering("center__commune__"), "center__name", "pk")
    )


# The period's values, summed over centers


def _to_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


@dataclass
class ValueTotal:
    code: str
    label: str
    kind: str
    total: Decimal = Decimal(0)
    accepted: Decimal = Decimal(0)
    by_kind: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class ValueTotals:
    """The numeric fields of a period summed over the latest version of every submitted
    report in scope (and over the accepted ones only)."""

    period: ReportPeriod
    reports: int
    accepted_reports: int
    kinds: list[tuple[str, str]]
    fields: list[ValueTotal]


def _numeric_specs(period: ReportPeriod, schemas: Iterable[list[dict]]) -> list[tuple[str, str, str]]:
    """(code, label, kind) of the numeric fields: the type's current fields first, in their
    order, then any numeric field answered under an older definition."""
    specs: dict[str, tuple[str, str, str]] = {}
    current = ReportField.objects.filter(report_type_id=period.report_type_id, kind__in=NUMERIC_KINDS)
    for report_field in current.order_by("order", "pk"):
        specs[report_field.code] = (report_field.code, report_field.label, report_field.kind)
    for schema in schemas:
        for spec in schema:
            if spec.get("kind") in NUMERIC_KINDS and spec["code"] not in specs:
                specs[spec["code"]] = (spec["code"], spec.get("label") or spec["code"], spec["kind"])
    return list(specs.values())


def period_value_totals(period: ReportPeriod, user) -> ValueTotals:
    """Sum each numeric field over the centers of the user's scope, for the Department's
    own report upward. Reads the latest version of each obligation (two queries)."""
    latest = SubmissionVersion.objects.filter(obligation=OuterRef("obligation")).order_by("-number").values("pk")[:1]
    versions = list(
        SubmissionVersion.objects.filter(scope_q(user, "obligation__center__"), obligation__period=period)
        .filter(pk=Subquery(latest))
        .values_list("values", "schema", "obligation__status", "obligation__center__kind")
    )
    specs = _numeric_specs(period, (schema for _values, schema, _status, _kind in versions))
    kind_labels = dict(CenterKind.choices)
    kinds_seen = sorted({kind for *_rest, kind in versions}, key=lambda k: list(kind_labels).index(k)
                        if k in kind_labels else len(kind_labels))
    totals = [ValueTotal(code, label, kind, by_kind={k: Decimal(0) for k in kinds_seen}) for code, label, kind in specs]
    accepted_reports = 0
    for values, _schema, status, center_kind in versions:
        accepted = status == ObligationStatus.ACCEPTED
        accepted_reports += accepted
        for item in totals:
            number = _to_number(values.get(item.code))
            if number is None:
                continue
            item.total += number
            item.by_kind[center_kind] += number
            if accepted:
                item.accepted += number
    return ValueTotals(
        period=period, reports=len(versions), accepted_reports=accepted_reports,
        kinds=[(kind, str(kind_labels.get(kind, kind))) for kind in kinds_seen], fields=totals,
    )
