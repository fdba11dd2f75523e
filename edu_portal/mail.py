"""Every e-mail the portal sends goes through these classes.

They set what Django leaves to the machine or gets wrong:

- Subject: one line, trimmed, doubled blanks collapsed, at most SUBJECT_MAX characters
  (an ellipsis marks the cut), set as an email.header.Header that knows its name. Django
  5.2 encodes a non-ASCII subject into encoded-words before the header is folded; the
  folding then cannot fit the first word after "Subject: " and starts the header with a
  line break ("Subject: \\n =?utf-8?b?...?="), which mail readers show as a leading space.
- Message-ID: at the portal's domain (MAIL_MESSAGE_ID_DOMAIN, else the host of
  PORTAL_URL), not the machine's name, which is "localhost" in many containers and gets
  mail marked as spam.
- Date: the moment the message is built for sending, in the portal's time zone with its
  offset ("+0700"); Django's default writes UTC as "-0000", i.e. "zone unknown".
- From: DEFAULT_FROM_EMAIL unless the caller names a sender.

SmtpEmailBackend is Django's SMTP backend that also reports the recipients the server
refused while accepting the message for the others (Django drops that answer), so that
a greylisted address is retried instead of lost (notifications.services)."""

import datetime
import smtplib
import zoneinfo
from email.header import Header
from email.message import Message
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address
from django.utils import timezone

SUBJECT_MAX = 150


def subject_line(text, limit: int = SUBJECT_MAX) -> str:
    """A subject on one line: no leading or trailing blanks, no doubled ones, at most
    `limit` characters with "…" where it was cut (a newline would be refused by Django,
    a leading space shows as a gap in the inbox, a 300-character subject is unreadable)."""
    line = " ".join(str(text).split())
    if len(line) <= limit:
        return line
    return line[:limit - 1].rstrip() + "…"


def local_host(host: str) -> bool:
    """localhost, a name without a dot or an address literal: not a public host name."""
    host = host.strip("[]").lower()
    return not host or host == "localhost" or "." not in host or host.replace(".", "").isdigit()


def message_id_domain() -> str:
    """MAIL_MESSAGE_ID_DOMAIN when set, else the host of PORTAL_URL; "localhost" while that
    is an address literal (development only: notifications.W002 warns in production)."""
    configured = (getattr(settings, "MAIL_MESSAGE_ID_DOMAIN", "") or "").strip().strip(".")
    if configured:
        return configured
    host = (urlsplit(settings.PORTAL_URL).hostname or "").strip(".")
    return "localhost" if local_host(host) else host


def mail_date(moment: datetime.datetime | None = None) -> str:
    """An RFC 5322 date in the portal's time zone, e.g. "Sat, 26 Dec 2026 08:00:00 +0700"."""
    moment = moment or timezone.now()
    return format_datetime(moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)))


class _PortalHeadersMixin:
    def message(self):
        # Cleaned first: a newline in a subject built from data would be refused by Django.
        self.subject = subject_line(self.subject)
        msg = super().message()  # Django's checks (no newline in other headers) still apply
        headers = {name.lower() for name in self.extra_headers}
        # message() runs when the backend sends: the Date is the sending time, a retry's
        # its own.
        if "date" not in headers:
            del msg["Date"]
            msg["Date"] = mail_date()
        if "message-id" not in headers:
            del msg["Message-ID"]
            msg["Message-ID"] = make_msgid(domain=message_id_domain())
        subject = self.subject
        del msg["Subject"]
        # Message.__setitem__, not Django's: its re-encoding is what breaks the folding.
        Message.__setitem__(
            msg, "Subject", Header(subject, "us-ascii" if subject.isascii() else "utf-8", header_name="Subject"),
        )
        return msg


class EmailMessage(_PortalHeadersMixin, mail.EmailMessage):
    pass


class EmailMultiAlternatives(_PortalHeadersMixin, mail.EmailMultiAlternatives):
    pass


class SmtpEmailBackend(smtp.EmailBackend):
    """Django's SMTP backend (settings.EMAIL_BACKEND when EMAIL_HOST is set) that keeps the
    server's refusals of some recipients: after send(), `message.refused_recipients` maps
    each refused address, as given, to (code, reply). A refusal of all recipients still
    raises smtplib.SMTPRecipientsRefused."""

    def _send(self, email_message):
        email_message.refused_recipients = {}
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        given = {sanitize_address(address, encoding): address for address in email_message.recipients()}
        message = email_message.message()
        try:
            refused = self.connection.sendmail(from_email, list(given), message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        email_message.refused_recipients = {given.get(address, address): answer for address, answer in refused.items()}
        return True


def templated_message(prefix: str, context: dict, *, to: list[str], cc: list[str] | None = None,
                      connection=None) -> EmailMessage:
    """A plain-text e-mail from `<prefix>_subject.txt` and `<prefix>_email.txt`, in the
    portal's language (the recipient's is not known), from DEFAULT_FROM_EMAIL."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"{prefix}_subject.txt", context).splitlines())
        body = render_to_string(f"{prefix}_email.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to=to, cc=cc or [], connection=connection)
