"""SmtpEmailBackend writes a plain-text e-mail's bytes itself, with what a batch shares
folded once (edu_portal.mail.WireWriter): the bytes must be exactly Django's
message().as_bytes(), whatever the subject, addresses and body."""

from unittest import mock

import pytest

from edu_portal.mail import EmailMessage, EmailMultiAlternatives, WireWriter

LONG_SUBJECT = ("[Nhắc việc] Báo cáo tình hình hoạt động 6 tháng - 6 tháng cuối năm 2026: còn 3 ngày nữa "
                "đến hạn  và   một dòng rất dài để phải gấp " * 3)
BODY = ("Trung tâm: Trung tâm Ngoại ngữ Ánh Dương\nBáo cáo: Báo cáo 6 tháng\nHạn nộp: 19/12/2026\n\n"
        "https://portal.example.vn/reports/")

CASES = [
    dict(subject="Reminder", body="plain ascii body\nsecond line", to=["gd1@example.edu.vn"]),
    dict(subject="[Nhắc việc] Báo cáo 6 tháng: hôm nay là hạn nộp", body=BODY, to=["GD1@Example.EDU.vn"],
         bcc=["lienhe@example.com", "other@example.org"]),
    dict(subject=LONG_SUBJECT, body=BODY, to=["Nguyễn Văn An <an@example.vn>"]),
    dict(subject="Line\nbreaks\r\nin a subject", body="CRLF\r\nand CR\rand LF\nend\n", to=["a@b.vn", "c@d.vn"]),
    dict(subject="x" * 200, body="." + "a" * 1200 + "\n.dot line\n", to=["a.b+tag@sub.example.vn"]),
    dict(subject="Dòng", body="", to=["x@y.vn"], from_email="Phòng Giáo dục <pgd@example.vn>"),
    dict(subject="Dòng", body="Xin chào", to=[], bcc=["only@bcc.vn"]),
]


def _pair(**fields):
    fields.setdefault("from_email", "Sở GDĐT <no-reply@portal.example.vn>")
    headers = {"Auto-Submitted": "auto-generated"}
    return EmailMessage(headers=dict(headers), **fields), EmailMessage(headers=dict(headers), **fields)


@pytest.fixture
def fixed_headers():
    ids = iter(f"<{n}.fixed@portal.example.vn>" for n in range(100))
    with mock.patch("edu_portal.mail.mail_date", return_value="Sat, 19 Dec 2026 08:00:00 +0700"), \
            mock.patch("edu_portal.mail.make_msgid", side_effect=lambda domain: next(ids)):
        yield


@pytest.mark.parametrize("fields", CASES)
def test_the_written_bytes_are_djangos(settings, fixed_headers, fields):
    settings.PORTAL_URL = "https://portal.example.vn"
    ours, django = _pair(**fields)
    writer = WireWriter()
    written = writer.message_bytes(ours)
    expected = django.message().as_bytes(linesep="\r\n")
    assert written.replace(b"<0.fixed", b"<N.fixed") == expected.replace(b"<1.fixed", b"<N.fixed")
    assert ours.subject == django.subject  # cleaned on the message, as message() does


def test_a_second_message_of_the_batch_reuses_the_folded_headers_and_stays_exact(settings, fixed_headers):
    writer = WireWriter()
    for n in range(3):
        ours, django = _pair(subject="[Nhắc việc] Báo cáo", body=f"Trung tâm {n}", to=[f"gd{n}@example.vn"])
        written = writer.message_bytes(ours)
        expected = django.message().as_bytes(linesep="\r\n")
        assert written.split(b"Message-ID:")[0] == expected.split(b"Message-ID:")[0]
        assert written.split(b"Subject:")[1] == expected.split(b"Subject:")[1]


def test_other_messages_take_djangos_path(settings, fixed_headers):
    writer = WireWriter()
    with_cc = EmailMessage(subject="S", body="B", from_email="a@b.vn", to=["c@d.vn"], cc=["e@f.vn"])
    html = EmailMultiAlternatives(subject="S", body="B", from_email="a@b.vn", to=["c@d.vn"])
    html.attach_alternative("<p>B</p>", "text/html")
    for message in (with_cc, html):
        with mock.patch.object(type(message), "message", wraps=message.message) as django_path:
            writer.message_bytes(message)
        assert django_path.called


@pytest.mark.parametrize("address", [
    "gd1@example.edu.vn", "GD.Nguyen+nhac_viec%1@Sub-Domain.Example.VN", "a@localhost", "x-y@b-c.d",
    "Nguyễn Văn An <an@example.vn>", "\"quoted local\"@example.vn", "an@bücher.vn", "trailing.@example.vn",
    "a..b@example.vn", "user@[127.0.0.1]", "an@" + "d" * 70 + ".vn",
])
def test_addresses_are_sanitised_as_django_does(address):
    from django.core.mail.message import sanitize_address

    try:
        expected = sanitize_address(address, "utf-8")
    except Exception as error:  # noqa: BLE001 - the same refusal is expected
        with pytest.raises(type(error)):
            WireWriter().address(address, "utf-8")
        return
    assert WireWriter().address(address, "utf-8") == expected


@pytest.mark.parametrize("name, value", [
    ("To", "gd1@example.edu.vn"), ("To", "a@b.vn, c@d.vn"), ("To", "x" * 73 + "@b.vn"), ("To", "x" * 74 + "@b.vn"),
    ("Message-ID", "<179659821673.12522.17410902378677574778@portal.example.vn>"), ("X-Test", "two  spaces"),
    ("X-Test", " leading"), ("X-Test", "tab\there"), ("Auto-Submitted", "auto-generated"), ("X-Test", "Tiếng Việt"),
])
def test_headers_are_folded_as_the_generator_folds_them(name, value):
    from django.core.mail.message import forbid_multi_line_headers

    from edu_portal.mail import _WIRE_POLICY

    expected = _WIRE_POLICY.fold_binary(*forbid_multi_line_headers(name, value, "utf-8"))
    assert WireWriter._fold(name, value, "utf-8") == expected
