"""Exactly-once in-app notices and at-most-once e-mails, with the database as the record.

Callers (reports, later conferences) decide *what* is due; this module decides whether
it may be sent now and records that it was."""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Dispatch, Notification

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)
# (step, days relative to the due date): 7 and 3 days before, on the day, 1 and 7 days after.
STEPS = (("before-7", -7), ("before-3", -3), ("due", 0), ("after-1", 1), ("after-7", 7))
STEPS_SPAN = datetime.timedelta(days=7)  # candidates are due within this much of today
SEND_BATCH = 200
# The step that also goes to the people above the one who owes (commune officer, issuer...).
ESCALATION_STEP = "after-7"
# Sends are recorded in one UPDATE per this many e-mails (they stay `sending` until then).
MARK_SENT_EVERY = 25


def steps_due(due_date: datetime.date, today: datetime.date) -> list[str]:
    return [step for step, offset in STEPS if due_date + datetime.timedelta(days=offset) <= today]


@dataclass
class SweepResult:
    claimed: list[int]
    passed: int
    planned: list[tuple[Any, str]]


def reminders_claim(candidates: Iterable[tuple[Any, datetime.date]], *, today: datetime.date,
                    key: Callable[[int, str], str], queue: Callable[[list[int]], None],
                    dry_run: bool = False) -> SweepResult:
    """The sweep both reminder kinds share: for each (object, due date) take the latest
    step due, record the earlier ones as passed (a sweep that runs late sends one
    reminder, not a burst), claim the steps and queue their delivery in batches once the
    claims are committed. With dry_run, only say what would be sent."""
    wanted: list[str] = []
    overtaken: list[str] = []
    planned: list[tuple[Any, str]] = []
    for item, due_date in candidates:
        due = steps_due(due_date, today)
        if not due:
            continue
        wanted.append(key(item.pk, due[-1]))
        overtaken += [key(item.pk, step) for step in due[:-1]]
        planned.append((item, due[-1]))
    if dry_run:
        taken = set(Dispatch.objects.filter(key__in=wanted).exclude(status=Dispatch.Status.CLAIMED)
                    .values_list("key", flat=True))
        return SweepResult(claimed=[], passed=0, planned=[(i, s) for i, s in planned if key(i.pk, s) not in taken])
    with transaction.atomic():
        passed = dispatches_pass(overtaken, detail="overtaken by a later step")
        claimed = [d.pk for d in dispatches_claim(wanted)]
        for start in range(0, len(claimed), SEND_BATCH):
            batch = claimed[start:start + SEND_BATCH]
            transaction.on_commit(lambda batch=batch: queue(batch))
    return SweepResult(claimed=claimed, passed=passed, planned=planned)


def dispatches_claim(keys: Iterable[str], *, now: datetime.datetime | None = None) -> list[Dispatch]:
    """Claim reminder steps for sending; returns the ones this call holds.

    New keys are inserted as `claimed`; an old claim whose lease ran out (its task was
    lost with the broker, or the worker died before starting) is taken again. Each call
    stamps its own lease time, so of two sweeps racing for the same keys each ends up
    holding a disjoint set, and a step taken, sent or passed is never returned."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    now = now or timezone.now()
    lease = now + LEASE
    Dispatch.objects.bulk_create(
        [Dispatch(key=key, status=Dispatch.Status.CLAIMED, lease_until=lease, attempts=1) for key in keys],
        ignore_conflicts=True, batch_size=1000,
    )
    expired = Dispatch.objects.filter(key__in=keys, status=Dispatch.Status.CLAIMED, lease_until__lt=now)
    expired.update(lease_until=lease, attempts=F("attempts") + 1)
    return list(Dispatch.objects.filter(key__in=keys, status=Dispatch.Status.CLAIMED, lease_until=lease))


def dispatches_pass(keys: Iterable[str], *, detail: str = "") -> int:
    """Record steps that will never be sent (overtaken by a later step, or no longer due).
    Existing rows are left alone: a step sent or being sent stays so."""
    rows = [Dispatch(key=key, status=Dispatch.Status.PASSED, detail=detail[:255]) for key in keys]
    return len(Dispatch.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000))


def dispatch_cancel(dispatch: Dispatch, *, detail: str) -> None:
    Dispatch.objects.filter(pk=dispatch.pk, status=Dispatch.Status.CLAIMED).update(
        status=Dispatch.Status.PASSED, detail=detail[:255], lease_until=None,
    )


def dispatch_deliver(
    dispatch: Dispatch, *, recipients: Iterable, subject: str, body: str, link: str,
    connection=None, sent: list[int] | None = None,
) -> bool:
    """Create the in-app notices and send the e-mail for a claimed step. Returns False
    when another worker already took it.

    With `sent`, the step's id is appended there instead of being marked sent at once, so
    that a batch records its sends in one statement (dispatches_mark_sent); until then it
    stays `sending`, which is never sent again either."""
    recipients = [user for user in recipients if user is not None]
    with transaction.atomic():
        started = Dispatch.objects.filter(pk=dispatch.pk, status=Dispatch.Status.CLAIMED).update(
            status=Dispatch.Status.SENDING,
        )
        if started != 1:
            return False
        Notification.objects.bulk_create(
            [Notification(recipient=user, key=dispatch.key, subject=subject, body=body, link=link) for user in recipients],
            ignore_conflicts=True,
        )
    addresses = sorted({user.email for user in recipients if user.email})
    if addresses:
        message = EmailMessage(
            subject=subject, body=f"{body}\n\n{link}".strip(), from_email=settings.DEFAULT_FROM_EMAIL,
            to=addresses[:1], bcc=addresses[1:], connection=connection,
        )
        try:
            message.send()
        except Exception:  # the notice is in the portal; this one e-mail is lost, not retried
            logger.exception("Reminder e-mail %s could not be sent", dispatch.key)
            Dispatch.objects.filter(pk=dispatch.pk).update(detail="e-mail failed")
            return True
    if sent is None:
        dispatches_mark_sent([dispatch.pk])
    else:
        sent.append(dispatch.pk)
    return True


def dispatches_mark_sent(pks: list[int]) -> None:
    if pks:
        Dispatch.objects.filter(pk__in=pks, status=Dispatch.Status.SENDING).update(
            status=Dispatch.Status.SENT, sent_at=timezone.now(), lease_until=None,
        )


def notification_mark_read(*, user, pk: int | None = None) -> int:
    """Mark one (or, with pk None, every) unread notice of the user as read."""
    unread = unread_notifications(user.pk)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def unread_notifications(user_id):
    """A user's unread notices: the bell's count, "mark all read", and pages that fold
    the count into a query of their own (user_id may be an OuterRef)."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)


def unread_count(user) -> int:
    return unread_notifications(user.pk).count()
