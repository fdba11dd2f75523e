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
a greylisted address is retried instead of lost (notifications.services). It writes a
plain-text EmailMessage's wire form itself (WireWriter): the same bytes as Django's
message().as_bytes(), with what a batch of reminders shares (the sender, the MIME
headers, each distinct subject) encoded once per connection instead of once per e-mail,
which was most of the worker's time per e-mail."""

import datetime
import re
import smtplib
import zoneinfo
from email import policy as email_policy
from email.header import Header
from email.message import Message
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail.backends import smtp
from django.core.mail.message import SafeMIMEText, forbid_multi_line_headers, sanitize_address
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


# How Django's message().as_bytes(linesep="\r\n") folds headers: compat32, 78 columns.
_WIRE_POLICY = email_policy.compat32.clone(linesep="\r\n")
_NEWLINES = re.compile(r"\r\n|\r|\n")
# Headers EmailMessage.message() sets itself: a caller's own value for one of them takes
# Django's path, as does anything but one plain-text part.
_OWN_HEADERS = {"from", "to", "cc", "reply-to", "subject", "date", "message-id", "content-type", "mime-version",
                "content-transfer-encoding"}
_CACHE_SIZE = 4096
# A plain address (dot-atom local part, ASCII domain labels) that sanitize_address returns
# as it is; any other takes sanitize_address.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*")
# A header value the compat32 folding leaves as it is: printable ASCII words separated by
# single spaces, short enough for one line.
_ONE_LINE_VALUE = re.compile(r"[\x21-\x7e]+( [\x21-\x7e]+)*")
# Django's limit before it quotes-printable-encodes a body (RFC 5322 line length).
_LINE_LIMIT = 998


class WireWriter:
    """The bytes SmtpEmailBackend hands to the server for an EmailMessage: exactly what
    message().as_bytes(linesep="\r\n") gives (tests/notifications/test_mail_wire.py
    compares them), built from the same Django and email-package calls, but with the
    headers a batch shares (the MIME ones, From, Auto-Submitted, each distinct subject
    and Date) folded once per connection. Anything but a single plain-text part (Cc,
    Reply-To, attachments, alternatives, a caller's own Date or Message-ID...) takes
    Django's path unchanged."""

    def __init__(self):
        self._folded: dict = {}
        self._addresses: dict = {}

    def message_bytes(self, email_message) -> bytes:
        if not self._simple(email_message):
            return email_message.message().as_bytes(linesep="\r\n")
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        # As _PortalHeadersMixin.message(): the subject on one line, kept on the message.
        email_message.subject = subject = subject_line(email_message.subject)
        parts, body = self._text_part(email_message.body, email_message.content_subtype, encoding)
        parts.append(self._fold_cached("From", email_message.from_email, encoding))
        if email_message.to:
            parts.append(self._fold("To", ", ".join(str(v) for v in email_message.to), encoding))
        for name, value in email_message.extra_headers.items():
            parts.append(self._fold_cached(name, value, encoding))
        parts.append(self._fold_cached("Date", mail_date(), encoding))
        parts.append(self._fold("Message-ID", make_msgid(domain=message_id_domain()), encoding))
        parts.append(self._subject(subject))
        parts.append(b"\r\n")
        parts.append(body)
        return b"".join(parts)

    def _text_part(self, body, subtype: str, encoding: str) -> tuple[list[bytes], bytes]:
        """The MIME headers and the body's bytes of SafeMIMEText(body, subtype, encoding).
        A UTF-8 body without over-long lines goes out as it is (7bit or 8bit), under MIME
        headers folded once per kind; any other is left to SafeMIMEText."""
        if encoding == "utf-8" and isinstance(body, str) and not any(
            len(line.encode(errors="surrogateescape")) > _LINE_LIMIT for line in body.splitlines()
        ):
            kind = (subtype, body.isascii())
            if kind not in self._folded:
                sample = SafeMIMEText("a" if body.isascii() else "\u00e9", subtype, encoding)
                self._folded[kind] = [self._fold(name, value, encoding) for name, value in sample.raw_items()]
            return list(self._folded[kind]), _NEWLINES.sub("\r\n", body).encode("utf-8", "surrogateescape")
        text = SafeMIMEText(body, subtype, encoding)
        headers = [self._fold_cached(name, value, encoding) for name, value in text.raw_items()]
        # BytesGenerator writes a text part's raw payload (8-bit bytes kept as surrogates)
        # line by line with the line separator.
        return headers, _NEWLINES.sub("\r\n", text._payload).encode("ascii", "surrogateescape")

    def address(self, address: str, encoding: str) -> str:
        """sanitize_address, remembered (the sender is the same for the whole batch)."""
        if _PLAIN_ADDRESS.fullmatch(address):
            return address
        key = (address, encoding)
        if key not in self._addresses:
            if len(self._addresses) >= _CACHE_SIZE:
                self._addresses.clear()
            self._addresses[key] = sanitize_address(address, encoding)
        return self._addresses[key]

    @staticmethod
    def _simple(email_message) -> bool:
        return (type(email_message) is EmailMessage and email_message.content_subtype == "plain"
                and not email_message.attachments and not email_message.cc and not email_message.reply_to
                and not any(str(name).lower() in _OWN_HEADERS for name in email_message.extra_headers))

    @staticmethod
    def _fold(name: str, value, encoding: str) -> bytes:
        # What SafeMIMEText.__setitem__ stores, folded as the generator folds it.
        name, value = forbid_multi_line_headers(name, value, encoding)
        if isinstance(value, str) and len(name) + 2 + len(value) <= _WIRE_POLICY.max_line_length \
                and _ONE_LINE_VALUE.fullmatch(value):
            return f"{name}: {value}\r\n".encode("ascii")
        return _WIRE_POLICY.fold_binary(name, value)

    def _fold_cached(self, name: str, value, encoding: str) -> bytes:
        key = (name, str(value), encoding)
        if key not in self._folded:
            if len(self._folded) >= _CACHE_SIZE:
                self._folded.clear()
            self._folded[key] = self._fold(name, value, encoding)
        return self._folded[key]

    def _subject(self, subject: str) -> bytes:
        key = ("Subject", subject, None)
        if key not in self._folded:
            header = Header(subject, "us-ascii" if subject.isascii() else "utf-8", header_name="Subject")
            self._folded[key] = _WIRE_POLICY.fold_binary("Subject", header)
        return self._folded[key]


class SmtpEmailBackend(smtp.EmailBackend):
    """Django's SMTP backend (settings.EMAIL_BACKEND when EMAIL_HOST is set) that keeps the
    server's refusals of some recipients: after send(), `message.refused_recipients` maps
    each refused address, as given, to (code, reply). A refusal of all recipients still
    raises smtplib.SMTPRecipientsRefused. Messages are written by a WireWriter, which
    lives as long as the backend: send a batch through one backend (one connection)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wire = WireWriter()

    def _send(self, email_message):
        email_message.refused_recipients = {}
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = self.wire.address(email_message.from_email, encoding)
        given = {self.wire.address(address, encoding): address for address in email_message.recipients()}
        message = self.wire.message_bytes(email_message)
        try:
            refused = self.connection.sendmail(from_email, list(given), message)
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
