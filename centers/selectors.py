"""Read paths of the registry: who sees which centers, and the derived licence state."""

import datetime

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from geo.models import AdministrativeUnit
from geo.text import fold

from .choices import LicenceState
from .models import Center, Director, Staff

EXPIRING_WITHIN_DAYS = 60


def scope_q(user, prefix: str = "") -> Q:
    """The one definition of a user's scope, as a filter on Center (or on a model
    reaching Center through `prefix`, e.g. "center__"). Nothing matches for a user
    without a role or without the unit the role needs."""
    nothing = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return nothing
    if user.is_superuser:
        return Q()
    # An account whose access ended (a director replaced, a center closed 90 days ago:
    # accounts.lifecycle) sees nothing from the next day, before the nightly task
    # deactivates it. A date on the user object: no query.
    ends_on = getattr(user, "access_ends_on", None)
    if ends_on is not None and timezone.localdate() > ends_on:
        return nothing
    Role = User.Role
    if user.role in (Role.DEPARTMENT, Role.INSPECTOR) and user.province_id:
        return Q(**{f"{prefix}province_id": user.province_id})
    if user.role == Role.LOCAL_OFFICER and user.commune_id:
        return Q(**{f"{prefix}commune_id": user.commune_id})
    if user.role == Role.DIRECTOR and user.center_id:
        return Q(**{f"{prefix}pk": user.center_id})
    return nothing


def centers_visible_to(user) -> QuerySet[Center]:
    """Every center the user may see; every registry view, export and download starts here."""
    return Center.objects.filter(scope_q(user))


def communes_visible_to(user) -> QuerySet[AdministrativeUnit]:
    """The communes whose centers the user sees in full: every commune of the province
    for department staff and inspectors, their own for a local officer, all for a
    superuser, none for a director (who sees one center, not a commune)."""
    communes = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
    if not getattr(user, "is_authenticated", False):
        return communes.none()
    if user.is_superuser:
        return communes
    Role = User.Role
    if user.role in (Role.DEPARTMENT, Role.INSPECTOR) and user.province_id:
        return communes.filter(parent_id=user.province_id)
    if user.role == Role.LOCAL_OFFICER and user.commune_id:
        return communes.filter(pk=user.commune_id)
    return communes.none()


def scoped(queryset: QuerySet, user) -> QuerySet:
    """Narrow a queryset of a center's child rows (documents, staff...) to the user's scope."""
    return queryset.filter(scope_q(user, "center__"))


def licence_state_q(state: str, today: datetime.date | None = None) -> Q:
    """The licence-state rule as a filter: none, expired, expiring within 60 days, valid."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    has = Q(current_licence__isnull=False)
    return {
        LicenceState.NONE: Q(current_licence__isnull=True),
        LicenceState.EXPIRED: has & Q(current_licence__valid_until__lt=today),
        LicenceState.EXPIRING: has & Q(current_licence__valid_until__gte=today, current_licence__valid_until__lte=soon),
        LicenceState.VALID: has & (Q(current_licence__valid_until__isnull=True)
                                   | Q(current_licence__valid_until__gt=soon)),
    }[state]


def licence_state_case(today: datetime.date | None = None) -> Case:
    """A center's licence state as one expression; the same rule as licence_state_q."""
    return Case(
        *(When(licence_state_q(state, today), then=Value(state.value)) for state in LicenceState),
        default=Value(LicenceState.NONE.value),
    )


def with_licence_state(queryset: QuerySet[Center], today: datetime.date | None = None) -> QuerySet[Center]:
    """Annotate `licence_state` on each center; the same rule as licence_state_q."""
    return queryset.annotate(licence_state=licence_state_case(today))


def director_recognised_q(today: datetime.date | None = None) -> Q:
    """Centers whose current director holds a recognition decision still within its term."""
    today = today or timezone.localdate()
    recognised = Director.objects.filter(
        center=OuterRef("pk"), ended_on__isnull=True,
    ).exclude(recognition_number="").filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
    return Q(Exists(recognised))


def director_account_q(state: str, now: datetime.datetime | None = None) -> Q:
    """Centers by the state of their current director's account (the registry list's
    "Tài khoản giám đốc" filter): "active" (a password set), "invited" (an invitation
    still open, no password yet), "none" (neither: inviting would do something). An
    account counts when it is active and bound to the current Director row, or to none
    and with no end to its access (made before accounts followed the registry)."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from accounts.models import Invitation

    now = now or timezone.now()

    def account_q(prefix: str = "") -> Q:
        return Q(**{f"{prefix}role": User.Role.DIRECTOR, f"{prefix}center": OuterRef("pk"),
                    f"{prefix}is_active": True}) & (
            Q(**{f"{prefix}director__isnull": False, f"{prefix}director__ended_on__isnull": True})
            | Q(**{f"{prefix}director__isnull": True, f"{prefix}access_ends_on__isnull": True})
        )

    with_password = User.objects.filter(account_q()).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    open_invitation = Invitation.objects.filter(
        account_q("user__"), user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
    )
    if state == "active":
        return Q(Exists(with_password))
    if state == "invited":
        return ~Q(Exists(with_password)) & Q(Exists(open_invitation))
    return ~Q(Exists(with_password)) & ~Q(Exists(open_invitation))


def foreign_teachers_q() -> Q:
    return Q(Exists(Staff.objects.filter(center=OuterRef("pk"), is_foreign=True, is_active=True)))


def work_permit_expired_q(today: datetime.date | None = None) -> Q:
    """Centers with an active foreign staff member who is neither exempt nor holds a valid permit."""
    today = today or timezone.localdate()
    expired = Staff.objects.filter(
        center=OuterRef("pk"), is_foreign=True, is_active=True, work_permit_exempt=False,
    ).filter(Q(work_permit_valid_until__isnull=True) | Q(work_permit_valid_until__lt=today))
    return Q(Exists(expired))


def search_q(text: str, field: str = "search_text") -> Q:
    """Every word of the query, folded, must appear in the folded search column."""
    q = Q()
    for word in fold(text).split():
        q &= Q(**{f"{field}__contains": word})
    return q


def current_director_prefetch() -> Prefetch:
    return Prefetch(
        "directors", queryset=Director.objects.filter(ended_on__isnull=True), to_attr="current_directors",
    )


def center_list(user, today: datetime.date | None = None) -> QuerySet[Center]:
    """The registry list: scoped, with the joins and annotations a list row shows."""
    queryset = centers_visible_to(user).select_related("province", "commune", "current_licence")
    return with_licence_state(queryset, today).prefetch_related(current_director_prefetch())


def center_get(user, pk: int) -> Center:
    """One center for its detail page, or 404 when it is outside the user's scope."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(center_list(user), pk=pk)


def center_timeline(center: Center) -> list[dict]:
    """Documents, status changes, directors and address changes, newest first."""
    events: list[dict] = []
    for doc in center.documents.all():
        events.append({"date": doc.signed_on, "kind": "document", "object": doc})
    for change in center.status_changes.select_related("document", "recorded_by"):
        events.append({"date": change.effective_on, "kind": "status", "object": change})
    for director in center.directors.all():
        if director.started_on or director.recognition_date:
            events.append({"date": director.started_on or director.recognition_date, "kind": "director",
                           "object": director})
        if director.ended_on:
            events.append({"date": director.ended_on, "kind": "director_end", "object": director})
    previous = None
    for record in center.history.order_by("history_date", "history_id").select_related("history_user", "commune"):
        address = (record.street, record.commune_id)
        if previous is not None and address != previous:
            events.append({
                "date": timezone.localdate(record.history_date), "kind": "address", "object": record,
            })
        previous = address
    return sorted(events, key=lambda e: e["date"], reverse=True)


def center_licence_state(center: Center, today: datetime.date | None = None) -> str:
    """The licence state of one center, from the same rule as the list."""
    if hasattr(center, "licence_state"):
        return center.licence_state
    return with_licence_state(Center.objects.filter(pk=center.pk), today).values_list("licence_state", flat=True)[0]
