"""E-mail messages whose Subject reads back as written.

Django 5.2 encodes a non-ASCII subject into encoded-words before the header is folded;
the folding then cannot fit the first word after "Subject: " and starts the header with
a line break ("Subject: \\n =?utf-8?b?...?="), which mail readers show as a leading space.
These classes set the Subject as an email.header.Header that knows its name, so the
first encoded-word shares the line with it. Use them for every e-mail the portal sends."""

from email.header import Header
from email.message import Message

from django.core import mail


class _SubjectMixin:
    def message(self):
        msg = super().message()  # Django's checks (no newline in any header) still apply
        subject = " ".join(str(self.subject).split())
        del msg["Subject"]
        # Message.__setitem__, not Django's: its re-encoding is what breaks the folding.
        Message.__setitem__(
            msg, "Subject", Header(subject, "us-ascii" if subject.isascii() else "utf-8", header_name="Subject"),
        )
        return msg


class EmailMessage(_SubjectMixin, mail.EmailMessage):
    pass


class EmailMultiAlternatives(_SubjectMixin, mail.EmailMultiAlternatives):
    pass


def templated_message(prefix: str, context: dict, *, to: list[str], cc: list[str] | None = None,
                      connection=None) -> EmailMessage:
    """A plain-text e-mail from `<prefix>_subject.txt` and `<prefix>_email.txt`, in the
    portal's language (the recipient's is not known), from DEFAULT_FROM_EMAIL."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"{prefix}_subject.txt", context).splitlines())
        body = render_to_string(f"{prefix}_email.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to=to, cc=cc or [], connection=connection)
