"""Exactly-once in-app notices and at-most-once e-mails, with the database as the record.

Two kinds of sending share one Dispatch table and one delivery path (dispatch_deliver):

- reminders: a sweep (reports, conferences) decides which step of a deadline is due,
  claims it here and queues it; the worker rebuilds the message from the object;
- notices of events (a report returned, a task assigned, an invitation accepted...):
  the service that makes the change calls notice_send/notices_send in its transaction;
  the notice is in the bell at once and the e-mail is sent by the worker once committed.

Links are stored relative (a path): the portal serves them under whatever host name it
is reached by; e-mails get settings.PORTAL_URL in front (portal_link)."""

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from edu_portal.mail import EmailMessage

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


def portal_link(link: str) -> str:
    """The absolute address of a portal path, for e-mails (a worker has no request).

    Behind a path prefix (PORTAL_URL "https://host/cong"), a path reversed in a request
    already carries it ("/cong/reports/1/") and one reversed in a worker does not: both
    end up once under the prefix."""
    if not link.startswith("/") or link.startswith("//"):
        return link
    base = settings.PORTAL_URL.rstrip("/")
    prefix = urlsplit(base).path
    if prefix and (link == prefix or link.startswith(prefix + "/")):
        link = link[len(prefix):] or "/"
    return base + link


def mail_domain() -> str:
    """The portal's host name (from PORTAL_URL), for Message-IDs: not the machine's own
    name, which is often "localhost" in a container and gets mail marked as spam."""
    from .checks import local_host

    host = urlsplit(settings.PORTAL_URL).hostname or ""
    return "localhost" if local_host(host) else host  # an address literal is development only


def mail_addresses(users: Iterable = (), addresses: Iterable[str] = ()) -> list[str]:
    """The e-mail addresses of `users` and `addresses`, each once whatever its case
    (the first spelling is kept), in a stable order."""
    unique: dict[str, str] = {}
    for address in [getattr(user, "email", "") for user in users if user is not None] + list(addresses):
        address = (address or "").strip()
        if address:
            unique.setdefault(address.casefold(), address)
    return [unique[folded] for folded in sorted(unique)]


def mail_subject(subject: str) -> str:
    """One line, without leading or trailing blanks (a newline would be refused by
    Django, a leading space shows as a gap in the inbox)."""
    return " ".join(str(subject).split())


def dispatch_deliver(
    dispatch: Dispatch, *, recipients: Iterable, subject: str, body: str, link: str,
    addresses: Iterable[str] = (), connection=None, sent: list[int] | None = None,
) -> bool:
    """Create the in-app notices and send the e-mail for a claimed step. Returns False
    when another worker already took it.

    `link` is a portal path: the notices keep it relative, the e-mail gets it with
    PORTAL_URL in front. The e-mail goes to the recipients' addresses and `addresses`
    (e.g. the center's registered one), each once: the first in To, the others in Bcc
    so that nobody learns the others' addresses.

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
    to = mail_addresses(recipients, addresses)
    if to:
        message = EmailMessage(
            subject=mail_subject(subject), body=f"{body}\n\n{portal_link(link)}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL, to=to[:1], bcc=to[1:], connection=connection,
            # Automatic mail (RFC 3834): no out-of-office replies to a no-reply address.
            headers={"Message-ID": make_msgid(domain=mail_domain()), "Auto-Submitted": "auto-generated"},
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


# Notices of events


@dataclass
class Notice:
    """One notice of an event, for notices_send.

    key: what makes it one event, e.g. "notice:report-returned:<review id>"; a
    second notice with the same key is never recorded, shown or sent again.
    users: the accounts whose bell shows it (their addresses get the e-mail).
    addresses: more addresses for the e-mail only, e.g. the center's registered one.
    link: a portal path ("/reports/12/"), never an absolute URL."""

    key: str
    users: Sequence = ()
    subject: str = ""
    body: str = ""
    link: str = ""
    addresses: Sequence[str] = field(default_factory=tuple)


def notice_send(*, key: str, users: Iterable, subject: str, body: str, link: str,
                addresses: Iterable[str] = ()) -> bool:
    """Record a notice of an event once, show it in the users' bells and e-mail it.

    Call it from the service that makes the change, inside its transaction: the Dispatch
    row keyed by `key` and the in-app Notification rows are written with the change (and
    rolled back with it); the e-mail to the users' addresses and `addresses` (each
    address once, whatever its case) is queued to Celery once the transaction commits,
    and delivered by the worker through dispatch_deliver, like reminders: at most once.
    Calling it again with the same key does nothing and returns False.

    `link` is a path inside the portal (reverse(...), e.g. "/reports/12/"): the bell links to
    it as is, the e-mail with settings.PORTAL_URL in front. Subject and body are plain
    text (escaped on the page), in the portal's language (Vietnamese): the caller
    builds them with gettext under translation.override(settings.LANGUAGE_CODE) if it
    may run in a request in another language."""
    return notices_send([Notice(key=key, users=list(users), subject=subject, body=body, link=link,
                                addresses=list(addresses))]) == 1


def notices_send(notices: Iterable[Notice]) -> int:
    """notice_send for many notices at once (e.g. every assignment of an issued
    directive), in a fixed number of statements per thousand notices. Returns how many
    were recorded now (those whose key was already recorded are skipped)."""
    notices = list({notice.key: notice for notice in notices}.values())
    if not notices:
        return 0
    for notice in notices:
        if len(notice.key) > Dispatch._meta.get_field("key").max_length:
            raise ValueError(f"notice key too long: {notice.key!r}")
        if notice.link and not notice.link.startswith("/"):
            raise ValueError(f"a notice's link is a portal path, not {notice.link!r}")
    lease = _fresh_lease()
    subject_length = Notification._meta.get_field("subject").max_length
    rows = []
    for notice in notices:
        # Each account once, active ones only; the subject on one line, as it fits.
        notice.users = list({user.pk: user for user in notice.users if user is not None and user.is_active}.values())
        notice.subject = mail_subject(notice.subject)[:subject_length]
        rows.append(Dispatch(
            key=notice.key, status=Dispatch.Status.CLAIMED, lease_until=lease, attempts=1,
            payload={"subject": notice.subject, "body": notice.body, "link": notice.link,
                     "to": mail_addresses(notice.users, notice.addresses)},
        ))
    with transaction.atomic():
        Dispatch.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        # The rows this call inserted carry its own lease time; a key recorded before
        # (or by a concurrent call) keeps its row and is skipped.
        held = dict(
            Dispatch.objects.filter(status=Dispatch.Status.CLAIMED, lease_until=lease)
            .values_list("key", "pk")
        )
        recorded = [notice for notice in notices if notice.key in held]
        Notification.objects.bulk_create(
            [Notification(recipient=user, key=notice.key, subject=notice.subject, body=notice.body, link=notice.link)
             for notice in recorded for user in notice.users],
            ignore_conflicts=True, batch_size=1000,
        )
        ids = [held[notice.key] for notice in recorded]
        unmailed = _without_mail.get()
        if unmailed is not None:
            Dispatch.objects.filter(pk__in=ids).update(status=Dispatch.Status.PASSED, lease_until=None,
                                                       detail=unmailed[:255])
            return len(recorded)
        for start in range(0, len(ids), SEND_BATCH):
            batch = ids[start:start + SEND_BATCH]
            transaction.on_commit(lambda batch=batch: _notices_queue(batch))
    return len(recorded)


_without_mail: ContextVar[str | None] = ContextVar("notices_without_mail", default=None)


@contextmanager
def notices_without_mail(reason: str):
    """Inside this block, notices are recorded and put in the bell as usual, but no
    e-mail is queued: their Dispatch rows are `passed` with `reason` as detail, so they
    are never sent later either. For data that tells past events (the demo seed), where
    an e-mail now would announce as new what happened months ago."""
    token = _without_mail.set(reason)
    try:
        yield
    finally:
        _without_mail.reset(token)


_last_lease: datetime.datetime | None = None


def _fresh_lease() -> datetime.datetime:
    """A lease time the previous call of this process did not use: two calls within the
    same microsecond get distinct ones. Only a near tie is bumped: after the clock was
    set back (NTP), the lease follows the clock rather than the old, later value."""
    global _last_lease
    lease = timezone.now() + LEASE
    if _last_lease is not None and datetime.timedelta(0) <= _last_lease - lease < datetime.timedelta(seconds=1):
        lease = _last_lease + datetime.timedelta(microseconds=1)
    _last_lease = lease
    return lease


def _notices_queue(dispatch_ids: list[int]) -> None:
    from .tasks import notices_send_task

    try:
        notices_send_task.delay(dispatch_ids)
    except Exception:
        # Redis is down: the claims' leases run out and notices_requeue queues them again.
        logger.exception("Could not queue %d notices; they will be queued again", len(dispatch_ids))


def notices_deliver(dispatch_ids: list[int]) -> int:
    """Send the e-mails of a batch of claimed notices over one SMTP connection; returns
    how many were delivered (a notice another worker took is skipped)."""
    dispatches = list(
        Dispatch.objects.filter(pk__in=dispatch_ids, status=Dispatch.Status.CLAIMED, payload__isnull=False)
        .order_by("pk")
    )
    if not dispatches:
        return 0
    delivered, sent = 0, []
    with get_connection() as connection:
        try:
            for dispatch in dispatches:
                payload = dispatch.payload
                # The bell's notices were written with the event: only the e-mail is left.
                delivered += dispatch_deliver(
                    dispatch, recipients=(), addresses=payload.get("to", ()), subject=payload.get("subject", ""),
                    body=payload.get("body", ""), link=payload.get("link", ""), connection=connection, sent=sent,
                )
                if len(sent) >= MARK_SENT_EVERY:
                    dispatches_mark_sent(sent)
                    sent.clear()
        finally:
            dispatches_mark_sent(sent)
    return delivered


def notices_requeue(*, now: datetime.datetime | None = None) -> int:
    """Queue again the notices whose delivery task was lost (Redis down when they were
    queued, a worker gone before starting them): their claim's lease ran out. Each
    is taken with a new lease, so two runs never queue the same one; a notice being or
    already sent is never taken. Returns how many were queued."""
    now = now or timezone.now()
    keys = list(
        Dispatch.objects.filter(status=Dispatch.Status.CLAIMED, lease_until__lt=now, payload__isnull=False)
        .order_by("pk").values_list("key", flat=True)[:10_000]
    )
    ids = [dispatch.pk for dispatch in dispatches_claim(keys, now=now)]
    for start in range(0, len(ids), SEND_BATCH):
        _notices_queue(ids[start:start + SEND_BATCH])
    return len(ids)
