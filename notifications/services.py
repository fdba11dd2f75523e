"""Exactly-once in-app notices and at-most-once e-mails, with the database as the record.

Three kinds of sending share one Dispatch table and one delivery path (dispatches_deliver):

- reminders: a sweep (reports, conferences) decides which step of a deadline is due,
  claims it here and queues it; the worker rebuilds the message from the object;
- digests: at the escalation step the people above the one who owes (commune officers,
  the Department, a directive's issuer) get one notice and one e-mail per step and
  day listing every object concerned (digests_send), recorded with the sweep's claims;
- notices of events (a report returned, a task assigned, an invitation accepted...):
  the service that makes the change calls notice_send/notices_send in its transaction;
  the notice is in the bell at once and the e-mail is sent by the worker once committed.

E-mail is at most once, and never silently lost:

- each row is claimed (`claimed`, with a lease) before sending; the worker records the
  bell notices of its whole batch in one statement (unique per recipient and key:
  exactly once in the portal), then sends in groups of SEND_GROUP: the group's rows are
  flipped to `sending` in one statement, committed (and flushed to disk) before the
  first of its e-mails is offered to the SMTP server, and marked `sent` in one statement
  after the group. A worker or a database server that dies mid-group leaves the group's
  rows in `sending`: they are never sent again (at most once), so what is lost is at
  most the group in flight; the rows of later groups stay `claimed` and are delivered
  once their lease runs out. One flushed commit per e-mail would cost more than the
  e-mail itself on this kind of disk (several ms); one per group of 25 does not;
- a temporary SMTP failure (4xx, connection refused, timeout, dropped) puts the row in
  `retry` with the e-mail still owed in its payload, `failures` counted and `retry_at`
  after RETRY_DELAYS; dispatches_retry (a minutely beat task) claims the due ones
  again and queues them, so a worker or the broker lost between attempts loses
  nothing (the row waits in the database). A 5xx refusal, or the last temporary
  failure, ends in `failed` with the reason in `detail` (and the log).

Links are stored relative (a path): the portal serves them under whatever host name it
is reached by; e-mails get settings.PORTAL_URL in front (portal_link)."""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from edu_portal.mail import EmailMessage, subject_line

from .models import Dispatch, Notification

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)
# (step, days relative to the due date): 7 and 3 days before, on the day, 1 and 7 days after.
STEPS = (("before-7", -7), ("before-3", -3), ("due", 0), ("after-1", 1), ("after-7", 7))
STEPS_SPAN = datetime.timedelta(days=7)  # candidates are due within this much of today
SEND_BATCH = 200
# Keys read per statement by a sweep's claims, and values per INSERT statement.
CLAIM_CHUNK = 2000
INSERT_VARIABLES = 8000
# The step that also goes to the people above the one who owes (commune officer, issuer...).
ESCALATION_STEP = "after-7"
# E-mails flipped to `sending` and then marked `sent` together: the most a crash can lose.
SEND_GROUP = 25
# The waits after the 1st, 2nd... temporary SMTP failure of an e-mail (greylisting asks
# for a few minutes, a relay down for maintenance for an hour or so); after the last
# one it is `failed`: 6 attempts over about five and a half hours.
RETRY_DELAYS = tuple(datetime.timedelta(minutes=m) for m in (1, 5, 15, 60, 240))


def steps_due(due_date: datetime.date, today: datetime.date) -> list[str]:
    return [step for step, offset in STEPS if due_date + datetime.timedelta(days=offset) <= today]


@dataclass
class SweepResult:
    claimed: list[int]
    passed: int
    planned: list[tuple[Any, str]]
    # Digests of the escalation step recorded (with dry_run: that would be).
    digests: int = 0


def reminders_claim(candidates: Iterable[tuple[Any, datetime.date]], *, today: datetime.date,
                    key: Callable[[int, str], str], queue: Callable[[list[int]], None],
                    dry_run: bool = False, kind: str = "",
                    escalate: Callable[[list[Any], datetime.date], list["Digest"]] | None = None) -> SweepResult:
    """The sweep both reminder kinds share: for each (object, due date) take the latest
    step due, record the earlier ones as passed (a sweep that runs late sends one
    reminder, not a burst), claim the steps and queue their delivery in batches once the
    claims are committed. With dry_run, only say what would be sent.

    The copies of the escalation step for the people above (commune officers, the
    Department, a directive's issuer) are not sent per object: `escalate` turns the
    objects whose escalation step this sweep claimed for the first time into one Digest
    per person, recorded in the same transaction as the claims (digests_send), so each
    object is in exactly one digest however often the sweep runs."""
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
        planned = [(i, s) for i, s in planned if key(i.pk, s) not in taken]
        escalated = [item for item, step in planned if step == ESCALATION_STEP]
        digests = len(escalate(escalated, today)) if escalate and escalated else 0
        return SweepResult(claimed=[], passed=0, planned=planned, digests=digests)
    digests = 0
    with transaction.atomic():
        passed = dispatches_pass(overtaken, detail="overtaken by a later step")
        held = dispatches_claim(wanted)
        claimed = sorted(d.pk for d in held)
        if escalate is not None:
            # attempts == 1: inserted by this call. A claim taken again after its lease ran
            # out was put in a digest when it was first claimed.
            first = {d.key: d.pk for d in held if d.attempts == 1}
            escalated = [item for item, step in planned
                         if step == ESCALATION_STEP and key(item.pk, step) in first]
            if escalated:
                part = min(first[key(item.pk, ESCALATION_STEP)] for item in escalated)
                digests = digests_send(escalate(escalated, today), kind=kind, step=ESCALATION_STEP, day=today,
                                       part=part)
        for start in range(0, len(claimed), SEND_BATCH):
            batch = claimed[start:start + SEND_BATCH]
            transaction.on_commit(lambda batch=batch: queue(batch))
    return SweepResult(claimed=claimed, passed=passed, planned=planned, digests=digests)


def dispatches_claim(keys: Iterable[str], *, now: datetime.datetime | None = None) -> list[Dispatch]:
    """Claim reminder steps for sending; returns the ones this call holds.

    New keys are inserted as `claimed`; an old claim whose lease ran out (its task was
    lost with the broker, or the worker died before starting) is taken again. Each call
    stamps its own lease time, so of two sweeps racing for the same keys each ends up
    holding a disjoint set (an insert that meets a key inserted meanwhile does nothing,
    and a lease is renewed only while it is still run out), and a step taken, sent or
    passed is never returned.

    In groups: the keys already recorded are read in one query per CLAIM_CHUNK, only the
    others are inserted (one statement per chunk), and what this call holds is read
    back by its lease (the partial index of claims). A sweep that finds everything
    recorded already writes nothing."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    now = now or timezone.now()
    lease = _fresh_lease(now)
    recorded = _recorded(keys)
    _dispatches_insert([key for key in keys if key not in recorded], status=Dispatch.Status.CLAIMED, lease=lease,
                       attempts=1)
    expired = [pk for pk, status, until in recorded.values()
               if status == Dispatch.Status.CLAIMED and until is not None and until < now]
    for start in range(0, len(expired), CLAIM_CHUNK):
        Dispatch.objects.filter(
            pk__in=expired[start:start + CLAIM_CHUNK], status=Dispatch.Status.CLAIMED, lease_until__lt=now,
        ).update(lease_until=lease, attempts=F("attempts") + 1)
    wanted = set(keys)
    held = Dispatch.objects.filter(status=Dispatch.Status.CLAIMED, lease_until=lease).values_list(
        "pk", "key", "attempts")
    return [Dispatch(pk=pk, key=key, attempts=attempts, status=Dispatch.Status.CLAIMED, lease_until=lease)
            for pk, key, attempts in held if key in wanted]


def dispatches_pass(keys: Iterable[str], *, detail: str = "") -> int:
    """Record steps that will never be sent (overtaken by a later step, or no longer due).
    Existing rows are left alone: a step sent or being sent stays so."""
    keys = list(dict.fromkeys(keys))
    recorded = _recorded(keys)
    return _dispatches_insert([key for key in keys if key not in recorded], status=Dispatch.Status.PASSED,
                              detail=detail)


def _recorded(keys: list[str]) -> dict[str, tuple[int, str, datetime.datetime | None]]:
    """The rows of the keys already recorded: key -> (id, status, lease)."""
    found = {}
    for start in range(0, len(keys), CLAIM_CHUNK):
        rows = Dispatch.objects.filter(key__in=keys[start:start + CLAIM_CHUNK]).values_list(
            "key", "pk", "status", "lease_until")
        found.update((key, (pk, status, until)) for key, pk, status, until in rows)
    return found


def _dispatches_insert(keys: list[str], *, status: str, lease: datetime.datetime | None = None, attempts: int = 0,
                       detail: str = "") -> int:
    """Insert a row per key, the ones recorded meanwhile (a concurrent sweep) skipped by
    the unique key; returns how many were inserted."""
    now = timezone.now()
    return _insert_ignoring_conflicts(
        Dispatch, ("key", "status", "lease_until", "attempts", "created_at", "detail", "failures"),
        [(key, status, lease, attempts, now, detail[:255], 0) for key in keys],
    )


def _insert_ignoring_conflicts(model, fields: Sequence[str], rows: list[Sequence]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING of plain values (no model instances), a few
    hundred rows per statement; returns how many were inserted. bulk_create builds and
    prepares a model instance per row, which was most of the time of a 20,000-step
    sweep and of a worker's batch, for rows that differ by a key or a recipient."""
    if not rows:
        return 0
    ops = connection.ops
    columns = [model._meta.get_field(name) for name in fields]
    adapt = [ops.adapt_datetimefield_value if column.get_internal_type() == "DateTimeField" else None
             for column in columns]
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(column.column) for column in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, INSERT_VARIABLES // len(columns))
    adapted: dict = {}  # the rows share their few datetimes (now, the lease): adapted once

    def value_of(value, convert):
        if convert is None or value is None:
            return value
        if value not in adapted:
            adapted[value] = convert(value)
        return adapted[value]

    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            params = [value_of(value, convert) for row in chunk for value, convert in zip(row, adapt, strict=True)]
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} "
                           f"ON CONFLICT DO NOTHING", params)
            inserted += max(cursor.rowcount, 0)
    return inserted


def dispatches_cancel(pks: list[int], *, detail: str) -> None:
    """Pass claimed steps that will not be sent after all (e.g. submitted before delivery)."""
    Dispatch.objects.filter(pk__in=pks, status=Dispatch.Status.CLAIMED).update(
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


def mail_addresses(users: Iterable = (), addresses: Iterable[str] = ()) -> list[str]:
    """The e-mail addresses of `users` and `addresses`, each once whatever its case
    (the first spelling is kept), in a stable order."""
    unique: dict[str, str] = {}
    for address in [getattr(user, "email", "") for user in users if user is not None] + list(addresses):
        address = (address or "").strip()
        if address:
            unique.setdefault(address.casefold(), address)
    return [unique[folded] for folded in sorted(unique)]


# Delivery: one path for reminder steps, notices, digests and retries


@dataclass
class Outgoing:
    """What a claimed reminder step sends: the bell's notice to `recipients` (accounts)
    and one e-mail to their addresses and `addresses`. `link` is a portal path."""

    recipients: Sequence = ()
    subject: str = ""
    body: str = ""
    link: str = ""
    addresses: Sequence[str] = ()


@dataclass
class SmtpFailure:
    """Why an e-mail was not accepted. `temporary`: worth another attempt later (4xx,
    the server unreachable); `addresses`: the recipients still owed when the server
    refused some and took the others (None: all of them); `connection_lost`: the SMTP
    connection is unusable, so the rest of the batch waits for the retry too."""

    reason: str
    temporary: bool
    addresses: list[str] | None = None
    connection_lost: bool = False


def _reply_text(code, message) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return " ".join(f"{code} {message}".split())


def smtp_failure(error: Exception, *, connecting: bool = False) -> SmtpFailure:
    """Classify an exception raised while sending. Anything that went wrong before a
    message was offered (connecting, TLS, login: `connecting`) is about the server or
    its settings, not the message, so it is retried, as a dropped connection or a 4xx
    answer is; a 5xx answer to the message itself is final; so is an error of ours
    (a bad header), which another attempt would repeat."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = {address: answer for address, answer in error.recipients.items()}
        later = [address for address, (code, _msg) in answers.items() if 400 <= code < 500]
        reason = "; ".join(f"{address}: {_reply_text(*answer)}" for address, answer in answers.items())
        return SmtpFailure(reason=reason, temporary=bool(later), addresses=later or None)
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        lost = connecting or code == 421 or isinstance(error, smtplib.SMTPConnectError)
        return SmtpFailure(reason=_reply_text(code, error.smtp_error), temporary=lost or 400 <= code < 500,
                           connection_lost=lost)
    reason = f"{type(error).__name__}: {error}".strip(" :")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return SmtpFailure(reason=reason, temporary=True, connection_lost=True)
    if isinstance(error, smtplib.SMTPException):  # e.g. no STARTTLS, no SMTPUTF8: the settings or the message
        return SmtpFailure(reason=reason, temporary=connecting, connection_lost=connecting)
    if isinstance(error, OSError):  # refused, reset, timed out, no route, no DNS answer
        return SmtpFailure(reason=reason, temporary=True, connection_lost=True)
    return SmtpFailure(reason=reason, temporary=connecting, connection_lost=connecting)


def retry_delay(failures: int) -> datetime.timedelta | None:
    """The wait after the `failures`-th temporary failure, None when it was the last."""
    if failures <= len(RETRY_DELAYS):
        return RETRY_DELAYS[failures - 1]
    return None


def _record_failure(dispatch: Dispatch, failure: SmtpFailure, *, to: list[str], subject: str, body: str,
                    link: str) -> None:
    """A sending step that did not go out: `retry` with the e-mail still owed kept in
    the payload (the bell's notices exist already, so a retry sends only this), or
    `failed` with the reason. Never silently: each is logged."""
    refused = {address.casefold() for address in failure.addresses or ()}
    owed = [address for address in to if address.casefold() in refused] or list(to)
    failures = dispatch.failures + 1
    delay = retry_delay(failures) if failure.temporary else None
    changes = {
        "failures": failures, "lease_until": None,
        "payload": {"subject": subject, "body": body, "link": link, "to": owed},
    }
    if delay is not None:
        changes.update(status=Dispatch.Status.RETRY, retry_at=timezone.now() + delay,
                       detail=f"lần {failures}: {failure.reason}"[:255])
        logger.warning("E-mail %s not sent (attempt %d), retried in %s: %s", dispatch.key, failures, delay,
                       failure.reason)
    else:
        prefix = f"bỏ sau {failures} lần: " if failure.temporary else ""
        changes.update(status=Dispatch.Status.FAILED, retry_at=None, detail=f"{prefix}{failure.reason}"[:255])
        logger.error("E-mail %s failed for good after %d attempt(s): %s", dispatch.key, failures, failure.reason)
    Dispatch.objects.filter(pk=dispatch.pk, status=Dispatch.Status.SENDING).update(**changes)


def _dispatch_send(dispatch: Dispatch, outgoing: Outgoing, *, mail_connection, sent: list[int],
                   unreachable: SmtpFailure | None = None) -> SmtpFailure | bool:
    """Send the e-mail of a row flipped to `sending` (its bell notices exist already:
    dispatches_deliver records them for the whole batch first, and flips its group).
    Returns True when it went out (or had no address), and the SmtpFailure when it did
    not (the row is then `retry` or `failed`).

    The e-mail goes to the recipients' addresses and `addresses` (e.g. the center's
    registered one), each once: the first in To, the others in Bcc so that nobody learns
    the others' addresses; `link`, a portal path, gets PORTAL_URL in front.

    The row's id is appended to `sent`, and the group's sends are recorded in one
    statement (dispatches_mark_sent); until then it stays `sending`, and a crash before
    the mark leaves it so: never sent again (at most once).

    With `unreachable` (the batch's SMTP connection failed), nothing is attempted: the
    row goes to `retry` with that reason."""
    subject, body, link = outgoing.subject, outgoing.body, outgoing.link
    to = mail_addresses([user for user in outgoing.recipients if user is not None], outgoing.addresses)
    if to:
        if unreachable is not None:
            _record_failure(dispatch, unreachable, to=to, subject=subject, body=body, link=link)
            return unreachable
        message = EmailMessage(
            subject=subject_line(subject), body=f"{body}\n\n{portal_link(link)}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL, to=to[:1], bcc=to[1:], connection=mail_connection,
            # Automatic mail (RFC 3834): no out-of-office replies to a no-reply address.
            headers={"Auto-Submitted": "auto-generated"},
        )
        try:
            message.send()
        except Exception as error:  # BaseException (a worker killed) leaves it `sending`: at most once
            failure = smtp_failure(error)
            if not failure.temporary and not isinstance(error, smtplib.SMTPException):
                logger.exception("E-mail %s could not be built or sent", dispatch.key)
            _record_failure(dispatch, failure, to=to, subject=subject, body=body, link=link)
            return failure
        refused = getattr(message, "refused_recipients", None) or {}
        if refused:
            # The others have it; a greylisted address is owed a retry, a refused one is noted.
            failure = smtp_failure(smtplib.SMTPRecipientsRefused(refused))
            if failure.temporary:
                _record_failure(dispatch, failure, to=to, subject=subject, body=body, link=link)
                return failure
            Dispatch.objects.filter(pk=dispatch.pk).update(detail=f"từ chối: {failure.reason}"[:255])
    sent.append(dispatch.pk)
    return True


def _flip_to_sending(pks: list[int]) -> set[int]:
    """claimed -> sending for a group, committed, and the ids this call flipped (another
    worker may have taken some): Dispatch.objects.filter(pk__in=pks, status=CLAIMED)
    .update(status=SENDING) with RETURNING, which the ORM's update() cannot say."""
    if not pks:
        return set()
    table = connection.ops.quote_name(Dispatch._meta.db_table)
    status = connection.ops.quote_name(Dispatch._meta.get_field("status").column)
    pk = connection.ops.quote_name(Dispatch._meta.pk.column)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {status} = %s WHERE {pk} IN ({', '.join(['%s'] * len(pks))}) AND {status} = %s "
            f"RETURNING {pk}",
            [Dispatch.Status.SENDING.value, *pks, Dispatch.Status.CLAIMED.value],
        )
        return {row[0] for row in cursor.fetchall()}


def dispatches_deliver(dispatch_ids: list[int],
                       build: Callable[[list[Dispatch]], dict[int, Outgoing | str]] | None = None) -> int:
    """Deliver a batch of claimed dispatches over one SMTP connection; returns how many
    went out. The one loop of every kind: a row with a payload (a notice, a digest, a
    retry) sends its payload, its notices being in the bell already; the others are
    built by `build` (a reminder step rebuilt from its obligation or task): it returns
    an Outgoing per row id, or a reason to pass the step (e.g. "submitted before
    delivery"). Without `build`, rows without a payload are not this call's.

    What can be done for the whole batch is: the rows read in one query, the steps to
    pass in one statement per reason, the bell notices of the rebuilt steps in one
    (exactly once: a notice is unique per recipient and key, so a step delivered again
    after its claim ran out adds none), the e-mails over one SMTP connection and their
    e-mails in groups of SEND_GROUP, each flipped to `sending` before and marked `sent`
    after in one statement.

    When the connection fails (the server unreachable, a 421, a dropped line), the rest
    of the batch is not attempted: each goes to `retry` with that reason, so a dead
    server costs one timeout per batch, not one per e-mail."""
    rows = Dispatch.objects.filter(pk__in=dispatch_ids, status=Dispatch.Status.CLAIMED).order_by("pk")
    if build is None:
        rows = rows.filter(payload__isnull=False)
    dispatches = list(rows)
    if not dispatches:
        return 0
    fresh = [dispatch for dispatch in dispatches if dispatch.payload is None]
    built = build(fresh) if fresh else {}
    items: list[tuple[Dispatch, Outgoing]] = []
    passed: dict[str, list[int]] = defaultdict(list)
    for dispatch in dispatches:
        if dispatch.payload is not None:
            payload = dispatch.payload
            items.append((dispatch, Outgoing(addresses=payload.get("to", ()), subject=payload.get("subject", ""),
                                             body=payload.get("body", ""), link=payload.get("link", ""))))
            continue
        outgoing = built.get(dispatch.pk, "nothing to deliver")
        if isinstance(outgoing, str):
            passed[outgoing].append(dispatch.pk)
        else:
            items.append((dispatch, outgoing))
    for detail, pks in passed.items():
        dispatches_cancel(pks, detail=detail)
    now = timezone.now()
    _insert_ignoring_conflicts(
        Notification, ("recipient", "key", "subject", "body", "link", "created_at"),
        [(user.pk, dispatch.key, outgoing.subject, outgoing.body, outgoing.link, now)
         for dispatch, outgoing in items if dispatch.payload is None
         for user in outgoing.recipients if user is not None],
    )
    delivered, sent = 0, []
    mail_connection = get_connection()
    opened, unreachable = False, None
    try:
        for start in range(0, len(items), SEND_GROUP):
            group = items[start:start + SEND_GROUP]
            flipped = _flip_to_sending([dispatch.pk for dispatch, _outgoing in group])
            for dispatch, outgoing in group:
                if dispatch.pk not in flipped:
                    continue  # another worker took it after this batch read it
                if not opened and unreachable is None and mail_addresses(outgoing.recipients, outgoing.addresses):
                    # One connection for the batch, opened when the first e-mail needs it.
                    opened = True
                    try:
                        mail_connection.open()
                    except Exception as error:
                        unreachable = smtp_failure(error, connecting=True)
                        _close_quietly(mail_connection)
                outcome = _dispatch_send(dispatch, outgoing, mail_connection=mail_connection, sent=sent,
                                         unreachable=unreachable)
                if isinstance(outcome, SmtpFailure):
                    if outcome.connection_lost and unreachable is None:
                        unreachable = outcome
                        _close_quietly(mail_connection)
                else:
                    delivered += outcome
            dispatches_mark_sent(sent)
            sent.clear()
    finally:
        dispatches_mark_sent(sent)
        _close_quietly(mail_connection)
    return delivered


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a connection already broken cannot say QUIT; it is dropped all the same
        if hasattr(connection, "connection"):
            connection.connection = None


def dispatches_mark_sent(pks: list[int]) -> None:
    """Record e-mails the server accepted, in one statement."""
    if pks:
        with transaction.atomic():
            Dispatch.objects.filter(pk__in=pks, status=Dispatch.Status.SENDING).update(
                status=Dispatch.Status.SENT, sent_at=timezone.now(), lease_until=None, retry_at=None,
            )


def dispatches_retry(*, now: datetime.datetime | None = None) -> int:
    """Claim the e-mails whose retry is due and queue their delivery (the minutely beat
    task). Each is taken from `retry` to `claimed` with a new lease in one conditional
    update, so two sweeps never both take one; a task lost with the broker leaves the
    claim to run out and notices_requeue queues it again. Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        Dispatch.objects.filter(status=Dispatch.Status.RETRY, retry_at__lte=now)
        .order_by("retry_at", "pk").values_list("pk", flat=True)[:10_000]
    )
    if not due:
        return 0
    lease = now + LEASE
    with transaction.atomic():
        Dispatch.objects.filter(pk__in=due, status=Dispatch.Status.RETRY).update(
            status=Dispatch.Status.CLAIMED, lease_until=lease, retry_at=None, attempts=F("attempts") + 1,
        )
        ids = list(Dispatch.objects.filter(pk__in=due, status=Dispatch.Status.CLAIMED, lease_until=lease)
                   .order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), SEND_BATCH):
            batch = ids[start:start + SEND_BATCH]
            transaction.on_commit(lambda batch=batch: _notices_queue(batch))
    return len(ids)


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
    link: a portal path ("/reports/12/"), never an absolute URL.
    mail_body: the e-mail's text when it says more than the bell (a digest's full
    list); the bell's `body` otherwise."""

    key: str
    users: Sequence = ()
    subject: str = ""
    body: str = ""
    link: str = ""
    addresses: Sequence[str] = field(default_factory=tuple)
    mail_body: str = ""


def notice_send(*, key: str, users: Iterable, subject: str, body: str, link: str,
                addresses: Iterable[str] = ()) -> bool:
    """Record a notice of an event once, show it in the users' bells and e-mail it.

    Call it from the service that makes the change, inside its transaction: the Dispatch
    row keyed by `key` and the in-app Notification rows are written with the change (and
    rolled back with it); the e-mail to the users' addresses and `addresses` (each
    address once, whatever its case) is queued to Celery once the transaction commits,
    and delivered by the worker through dispatches_deliver, like reminders: at most once.
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
    return len(_notices_record(notices))


def _notices_record(notices: Iterable[Notice]) -> set[str]:
    """notices_send, returning the keys recorded by this call."""
    notices = list({notice.key: notice for notice in notices}.values())
    if not notices:
        return set()
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
        notice.subject = subject_line(notice.subject, subject_length)
        rows.append(Dispatch(
            key=notice.key, status=Dispatch.Status.CLAIMED, lease_until=lease, attempts=1,
            payload={"subject": notice.subject, "body": notice.mail_body or notice.body, "link": notice.link,
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
            return {notice.key for notice in recorded}
        for start in range(0, len(ids), SEND_BATCH):
            batch = ids[start:start + SEND_BATCH]
            transaction.on_commit(lambda batch=batch: _notices_queue(batch))
    return {notice.key for notice in recorded}


# Digests of escalations


@dataclass
class Digest:
    """One person's digest of a reminder step: the objects of their scope that reached
    it (built by the app that owns them), `body` for the bell and `mail_body` for the
    e-mail (the longer list)."""

    user: Any
    subject: str
    body: str
    mail_body: str
    link: str


def digest_key(kind: str, step: str, day: datetime.date, user_id: int) -> str:
    """The record of one person's digest of one step on one day, e.g.
    "digest:obligation:after-7:2026-12-26:42"."""
    return f"digest:{kind}:{step}:{day.isoformat()}:{user_id}"


def digests_send(digests: Iterable[Digest], *, kind: str, step: str, day: datetime.date, part: int) -> int:
    """Record each person's digest (a notice in the bell, one e-mail), keyed by
    (person, kind, step, day): exactly once in the portal and at most once by e-mail.

    A later sweep of the same day that reaches the step for more objects (an obligation
    created after the morning's sweep) cannot add them to a digest already recorded:
    they go in a follow-up under the day's key plus `part`, the smallest Dispatch id
    this sweep claimed for them (claims are disjoint, so two sweeps never share it).
    Returns how many digests were recorded."""
    notices = [
        Notice(key=digest_key(kind, step, day, digest.user.pk), users=[digest.user], subject=digest.subject,
               body=digest.body, mail_body=digest.mail_body, link=digest.link)
        for digest in digests
    ]
    recorded = _notices_record(notices)
    late = [replace(notice, key=f"{notice.key}:{part}") for notice in notices if notice.key not in recorded]
    if late:
        recorded |= _notices_record(late)
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


def _fresh_lease(now: datetime.datetime | None = None) -> datetime.datetime:
    """A lease time the previous call of this process did not use: two calls within the
    same microsecond get distinct ones. Only a near tie is bumped: after the clock was
    set back (NTP), the lease follows the clock rather than the old, later value."""
    global _last_lease
    lease = (now or timezone.now()) + LEASE
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
    """Send the e-mails of a batch of claimed notices, digests and retries (the rows with
    a payload: their bell notices exist already) over one SMTP connection; returns how
    many were delivered (a row another worker took is skipped)."""
    return dispatches_deliver(dispatch_ids)


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
