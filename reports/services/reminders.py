"""Deadline reminders for report obligations: 7 and 3 days before the due date, on it,
1 day after, and 7 days after; at that last step the commune officers and the
Department staff get one digest each (per step and day) listing the centers of their
scope still owing, not one copy per obligation.

The sweep decides which step is due and claims it (notifications.services); the worker
delivers. A sweep that runs late sends only the latest step due and records the earlier
ones as passed, so an outage never ends in a burst. Nothing goes to a center that has
already submitted."""

import datetime
import logging
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import users_with_access
from geo.models import AdministrativeUnit
from geo.text import vi_number, vi_sort_key
from notifications.models import Dispatch
from notifications.services import (
    ESCALATION_STEP,
    STEPS,
    Digest,
    Outgoing,
    SweepResult,
    dispatches_deliver,
    portal_link,
    reminders_claim,
)

from ..choices import ObligationStatus
from ..models import Obligation, ReportPeriod

logger = logging.getLogger(__name__)

# Only obligations still unsent and not yet submitted can need a reminder.
REMINDABLE = (ObligationStatus.OPEN, ObligationStatus.DRAFT)
KEY_PREFIX = "obligation"
# Centers listed per period in a digest: in the bell, and in the e-mail (the rest are on
# the period's "missing centers" page, linked from both).
DIGEST_NOTICE_LINES = 10
DIGEST_MAIL_LINES = 500


def reminder_key(obligation_id: int, step: str) -> str:
    return f"{KEY_PREFIX}:{obligation_id}:{step}"


def parse_key(key: str) -> tuple[int, str]:
    _prefix, obligation_id, step = key.split(":")
    return int(obligation_id), step


def _candidates(today: datetime.date):
    # Effective due date within [today - 7, today + 7] (the span of the steps), by the
    # period's due date or a granted extension.
    low, high = today - datetime.timedelta(days=7), today + datetime.timedelta(days=7)
    return (
        Obligation.objects.filter(first_submitted_at__isnull=True, status__in=REMINDABLE)
        .filter(Q(period__due_date__range=(low, high)) | Q(extended_until__range=(low, high)))
        .select_related("period__report_type", "center")
        .order_by("pk")
    )


def reminders_sweep(*, today: datetime.date | None = None, dry_run: bool = False,
                    listing: bool = False) -> SweepResult:
    """Claim the latest due step of every obligation that needs one and queue delivery;
    record the escalation digests of the obligations reaching the last step.

    The result's `planned` holds the obligations themselves with dry_run or `listing`
    (the send_reminders command prints them); otherwise only their ids (ObligationRef):
    claiming needs each obligation's id and due date, read as rows, and building 20,000
    obligations with their period, report type and center was most of the sweep's time.
    The ones at the escalation step are loaded whole for their digests."""
    today = today or timezone.localdate()
    if dry_run or listing:
        candidates = ((o, o.effective_due_date) for o in _candidates(today).iterator(chunk_size=2000))
        escalate = escalation_digests
    else:
        rows = _candidates(today).values_list("pk", "period__due_date", "extended_until")
        candidates = ((ObligationRef(pk), max(due, extended) if extended else due)
                      for pk, due, extended in rows.iterator(chunk_size=2000))
        escalate = _escalation_digests_of
    return reminders_claim(candidates, today=today, key=reminder_key, queue=_queue, dry_run=dry_run,
                           kind=KEY_PREFIX, escalate=escalate)


class ObligationRef:
    """An obligation known by its id only (what a sweep claims)."""

    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk


def _escalation_digests_of(refs: list[ObligationRef], today: datetime.date) -> list[Digest]:
    obligations = list(
        Obligation.objects.filter(pk__in=[ref.pk for ref in refs]).select_related("period__report_type", "center")
        .order_by("pk")
    )
    return escalation_digests(obligations, today)


def _queue(dispatch_ids: list[int]) -> None:
    from ..tasks import reminders_send_task

    try:
        reminders_send_task.delay(dispatch_ids)
    except Exception:
        # Redis is down: the claims' leases run out and the next sweep takes them again.
        logger.exception("Could not queue %d reminders; the next sweep will retry", len(dispatch_ids))


def _when(step: str) -> str:
    # Worded by the step, not by the clock: a delivery delayed by an outage still says
    # what the step announced.
    days = -dict(STEPS)[step]
    if days > 0:
        return _("còn %(days)d ngày nữa đến hạn") % {"days": days}
    if days == 0:
        return _("hôm nay là hạn nộp")
    return _("đã quá hạn %(days)d ngày") % {"days": -days}


def _subject(period: ReportPeriod, step: str) -> str:
    return _("[Nhắc việc] %(report)s - %(period)s: %(when)s") % {
        "report": period.report_type.title, "period": period.label, "when": _when(step),
    }


def _body(period: ReportPeriod, center_name: str, due: datetime.date) -> str:
    return _(
        "Trung tâm: %(center)s\nBáo cáo: %(report)s\nKỳ báo cáo: %(period)s\nHạn nộp: %(due)s\n"
        "Vui lòng đăng nhập cổng thông tin để nộp báo cáo."
    ) % {"center": center_name, "report": period.report_type.title, "period": period.label,
         "due": due.strftime("%d/%m/%Y")}


def _build(dispatches: list[Dispatch]) -> dict[int, Outgoing | str]:
    """Each claimed step's reminder to the center's director(s) and its registered
    address (the escalation's copies are digests, recorded by the sweep).

    Read as rows, with the batch's few periods loaded once and each (period, step)
    subject and the link written once: the batch's 200 obligations differ only by their
    center and due date."""
    by_obligation = {parse_key(d.key)[0]: d for d in dispatches}
    rows = list(Obligation.objects.filter(pk__in=by_obligation).values_list(
        "pk", "period_id", "center_id", "center__name", "center__email", "status", "first_submitted_at",
        "extended_until",
    ))
    periods = ReportPeriod.objects.select_related("report_type").in_bulk({row[1] for row in rows})
    directors = defaultdict(list)
    for user in users_with_access().filter(role=User.Role.DIRECTOR, center_id__in={row[2] for row in rows}):
        directors[user.center_id].append(user)
    # A portal path: the bell keeps it relative, the e-mail gets PORTAL_URL in front.
    link = reverse("reports:obligation_list")
    subjects: dict[tuple[int, str], str] = {}
    built: dict[int, Outgoing | str] = {}
    for pk, period_id, center_id, center_name, center_email, status, submitted_at, extended_until in rows:
        dispatch = by_obligation[pk]
        if submitted_at or status not in REMINDABLE:
            built[dispatch.pk] = "submitted before delivery"
            continue
        period, step = periods[period_id], parse_key(dispatch.key)[1]
        if (period_id, step) not in subjects:
            subjects[period_id, step] = _subject(period, step)
        due = max(period.due_date, extended_until) if extended_until else period.due_date
        # The center's registered address too: many centers have no account yet, and the
        # registry's address is the one the Department writes to.
        built[dispatch.pk] = Outgoing(recipients=directors[center_id], subject=subjects[period_id, step],
                                      body=_body(period, center_name, due), link=link, addresses=[center_email])
    return built


def reminders_deliver(dispatch_ids: list[int]) -> int:
    """Deliver a batch of claimed steps over one SMTP connection; returns how many went out."""
    return dispatches_deliver(dispatch_ids, build=_build)


# Digests of the escalation step



def escalation_digests(obligations: list[Obligation], today: datetime.date) -> list[Digest]:
    """One digest per commune officer (the centers of their commune) and per Department
    staff member (the centers of their province) for the obligations that reached the
    escalation step, grouped by period."""
    communes = {o.center.commune_id for o in obligations}
    provinces = {o.center.province_id for o in obligations}
    active = users_with_access(today)
    readers: dict[int, tuple[User, list[Obligation]]] = {}
    officers = defaultdict(list)
    for user in active.filter(role=User.Role.LOCAL_OFFICER, commune_id__in=communes).order_by("pk"):
        officers[user.commune_id].append(user)
    staff = defaultdict(list)
    for user in active.filter(role=User.Role.DEPARTMENT, province_id__in=provinces).order_by("pk"):
        staff[user.province_id].append(user)
    for obligation in obligations:
        for user in officers[obligation.center.commune_id] + staff[obligation.center.province_id]:
            readers.setdefault(user.pk, (user, []))[1].append(obligation)
    units = dict(AdministrativeUnit.objects.filter(pk__in=communes).values_list("pk", "name"))
    return [_digest(user, items, today, units) for user, items in readers.values()]


def _digest(user: User, obligations: list[Obligation], today: datetime.date, units: dict[int, str]) -> Digest:
    days = dict(STEPS)[ESCALATION_STEP]
    periods = defaultdict(list)
    for obligation in obligations:
        periods[obligation.period].append(obligation)
    ordered = sorted(periods.items(), key=lambda pair: (pair[0].due_date, vi_sort_key(pair[0].report_type.title),
                                                         pair[0].pk))
    subject = _("[Nhắc việc] %(count)s báo cáo đã quá hạn %(days)d ngày chưa nộp (%(day)s)") % {
        "count": vi_number(len(obligations)), "days": days, "day": today.strftime("%d/%m/%Y"),
    }
    intro = _(
        "Đến ngày %(day)s, các trung tâm dưới đây vẫn chưa nộp báo cáo dù đã quá hạn %(days)d ngày "
        "(mỗi trung tâm đã được nhắc riêng):"
    ) % {"day": today.strftime("%d/%m/%Y"), "days": days}
    bell, mail = [intro], [intro]
    for period, items in ordered:
        heading = _("%(report)s - %(period)s, hạn nộp %(due)s: %(count)s trung tâm") % {
            "report": period.report_type.title, "period": period.label, "due": period.due_date.strftime("%d/%m/%Y"),
            "count": vi_number(len(items)),
        }
        lines = [_center_line(o, units) for o in
                 sorted(items, key=lambda o: (vi_sort_key(units.get(o.center.commune_id)), vi_sort_key(o.center.name),
                                              o.center.code))]
        missing = reverse("reports:dashboard_missing", args=[period.pk])
        bell += ["", heading, *_capped(lines, DIGEST_NOTICE_LINES)]
        mail += ["", heading, *_capped(lines, DIGEST_MAIL_LINES),
                 _("Danh sách đầy đủ: %(url)s") % {"url": portal_link(missing)}]
    link = reverse("reports:dashboard_missing", args=[ordered[0][0].pk]) if len(ordered) == 1 \
        else reverse("reports:dashboard")
    return Digest(user=user, subject=subject, body="\n".join(bell), mail_body="\n".join(mail), link=link)


def _center_line(obligation: Obligation, units: dict[int, str]) -> str:
    center = obligation.center
    line = f"- {center.code} {center.name}, {units.get(center.commune_id, '')}".rstrip(", ")
    if obligation.extended_until:
        line += " " + _("(gia hạn đến %(date)s)") % {"date": obligation.extended_until.strftime("%d/%m/%Y")}
    return line


def _capped(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], _("… và %(more)s trung tâm khác") % {"more": vi_number(len(lines) - limit)}]
