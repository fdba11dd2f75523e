"""Deadline reminders for report obligations: 7 and 3 days before the due date, on it,
1 day after, and 7 days after with a copy to the commune officer and the Department.

The sweep decides which step is due and claims it (notifications.services); the worker
delivers. A sweep that runs late sends only the latest step due and records the earlier
ones as passed, so an outage never ends in a burst. Nothing goes to a center that has
already submitted."""

import datetime
import logging
from collections import defaultdict

from django.core.mail import get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import users_with_access
from notifications.models import Dispatch
from notifications.services import (
    ESCALATION_STEP,
    MARK_SENT_EVERY,
    STEPS,
    SweepResult,
    dispatch_cancel,
    dispatch_deliver,
    dispatches_mark_sent,
    reminders_claim,
)

from ..choices import ObligationStatus
from ..models import Obligation

logger = logging.getLogger(__name__)

# Only obligations still unsent and not yet submitted can need a reminder.
REMINDABLE = (ObligationStatus.OPEN, ObligationStatus.DRAFT)


def reminder_key(obligation_id: int, step: str) -> str:
    return f"obligation:{obligation_id}:{step}"


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


def reminders_sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> SweepResult:
    """Claim the latest due step of every obligation that needs one and queue delivery."""
    today = today or timezone.localdate()
    candidates = ((o, o.effective_due_date) for o in _candidates(today).iterator(chunk_size=2000))
    return reminders_claim(candidates, today=today, key=reminder_key, queue=_queue, dry_run=dry_run)


def _queue(dispatch_ids: list[int]) -> None:
    from ..tasks import reminders_send_task

    try:
        reminders_send_task.delay(dispatch_ids)
    except Exception:
        # Redis is down: the claims' leases run out and the next sweep takes them again.
        logger.exception("Could not queue %d reminders; the next sweep will retry", len(dispatch_ids))


def _recipients(obligations: list[Obligation]) -> dict[int, list[User]]:
    """Directors of each center; at the escalation step also the commune officer and
    the Department staff (loaded once per batch, not per obligation)."""
    center_ids = {o.center_id for o in obligations}
    communes = {o.center.commune_id for o in obligations}
    provinces = {o.center.province_id for o in obligations}
    active = users_with_access()
    directors = defaultdict(list)
    for user in active.filter(role=User.Role.DIRECTOR, center_id__in=center_ids):
        directors[user.center_id].append(user)
    officers = defaultdict(list)
    for user in active.filter(role=User.Role.LOCAL_OFFICER, commune_id__in=communes):
        officers[user.commune_id].append(user)
    staff = defaultdict(list)
    for user in active.filter(role=User.Role.DEPARTMENT, province_id__in=provinces):
        staff[user.province_id].append(user)
    return {"directors": directors, "officers": officers, "staff": staff}


def _message(obligation: Obligation, step: str) -> tuple[str, str, str]:
    period = obligation.period
    due = obligation.effective_due_date
    # Worded by the step, not by the clock: a delivery delayed by an outage still says
    # what the step announced.
    days = -dict(STEPS)[step]
    if days > 0:
        when = _("còn %(days)d ngày nữa đến hạn") % {"days": days}
    elif days == 0:
        when = _("hôm nay là hạn nộp")
    else:
        when = _("đã quá hạn %(days)d ngày") % {"days": -days}
    subject = _("[Nhắc việc] %(report)s - %(period)s: %(when)s") % {
        "report": period.report_type.title, "period": period.label, "when": when,
    }
    body = _(
        "Trung tâm: %(center)s\nBáo cáo: %(report)s\nKỳ báo cáo: %(period)s\nHạn nộp: %(due)s\n"
        "Vui lòng đăng nhập cổng thông tin để nộp báo cáo."
    ) % {
        "center": obligation.center.name, "report": period.report_type.title, "period": period.label,
        "due": due.strftime("%d/%m/%Y"),
    }
    # A portal path: the bell keeps it relative, the e-mail gets PORTAL_URL in front.
    link = reverse("reports:obligation_list")
    return subject, body, link


def reminders_deliver(dispatch_ids: list[int]) -> int:
    """Deliver a batch of claimed steps over one SMTP connection; returns how many went out."""
    dispatches = list(Dispatch.objects.filter(pk__in=dispatch_ids, status=Dispatch.Status.CLAIMED))
    by_obligation = {parse_key(d.key)[0]: d for d in dispatches}
    obligations = list(
        Obligation.objects.filter(pk__in=by_obligation).select_related("period__report_type", "center")
    )
    people = _recipients(obligations)
    delivered = 0
    sent: list[int] = []
    with get_connection() as connection:
        try:
            for obligation in obligations:
                dispatch = by_obligation[obligation.pk]
                _id, step = parse_key(dispatch.key)
                if obligation.first_submitted_at or obligation.status not in REMINDABLE:
                    dispatch_cancel(dispatch, detail="submitted before delivery")
                    continue
                recipients = list(people["directors"][obligation.center_id])
                if step == ESCALATION_STEP:
                    recipients += people["officers"][obligation.center.commune_id]
                    recipients += people["staff"][obligation.center.province_id]
                subject, body, link = _message(obligation, step)
                # The center's registered address too: many centers have no account yet,
                # and the registry's address is the one the Department writes to.
                delivered += dispatch_deliver(
                    dispatch, recipients=recipients, subject=subject, body=body, link=link,
                    addresses=[obligation.center.email], connection=connection, sent=sent,
                )
                if len(sent) >= MARK_SENT_EVERY:
                    dispatches_mark_sent(sent)
                    sent.clear()
        finally:
            dispatches_mark_sent(sent)
    return delivered
