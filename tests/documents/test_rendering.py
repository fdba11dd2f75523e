"""edu_portal.pdf: local resources only, documents merged page by page, page numbers."""

import socket
import urllib.request

import pytest

from edu_portal import pdf
from tests.documents import pdftools


@pytest.fixture
def templates(settings, tmp_path):
    """Write test templates beside the portal's own (the PDF base is found as usual)."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    def write(name: str, source: str) -> str:
        (tmp_path / name).write_text(source, encoding="utf-8")
        return name

    return write


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or a URL with urllib fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access during PDF rendering: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return attempts


LETTER = """{% extends "pdf/state_document.html" %}{% block body %}BODY{% endblock %}"""


def test_only_static_files_are_read_and_everything_else_is_refused(templates, no_network, settings):
    body = """
      <img src="http://example.com/x.png" alt="">
      <img src="https://example.com/y.png" alt="">
      <img src="file:///etc/passwd" alt="">
      <img src="/static/../../etc/hostname" alt="">
      <img src="ftp://example.com/z.png" alt="">
      <img src="/static/favicon.svg" alt="">
      <img src="favicon.svg" alt="">
      <img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" alt="">
      <p>Văn bản có ảnh</p>"""
    name = templates("images.html", LETTER.replace("BODY", body))
    fetcher = pdf.url_fetcher()
    data = pdf.render_pdf(name, {"number": "1/TB-SGDĐT"}, fetcher=fetcher)

    assert no_network == []
    assert "Văn bản có ảnh" in pdftools.flat(data)
    assert sorted(fetcher.refused) == sorted([
        "http://example.com/x.png", "https://example.com/y.png", "file:///etc/passwd",
        "file:///etc/hostname", "ftp://example.com/z.png",
    ])
    assert "file:///static/favicon.svg" in fetcher.fetched
    assert "file:///static/css/print.css" in fetcher.fetched
    # The fonts are read once per process (the first document loads them), and embedded.
    assert {font.name.split("+")[1] for font in pdftools.fonts(data)} <= {
        "Portal-Serif", "Portal-Serif-Bold", "Portal-Serif-Italic", "Portal-Serif-Bold-Italic"}


def test_a_file_url_inside_the_static_root_is_read_through_the_finders_only(settings):
    assert pdf.static_file_for("file:///static/css/print.css").endswith("static/css/print.css")
    assert pdf.static_file_for("file:///static/css/../fonts/LiberationSerif-Bold.ttf").endswith(
        "LiberationSerif-Bold.ttf")
    assert pdf.static_file_for("file:///static/no-such-file.css") is None
    assert pdf.static_file_for("file:///static/../edu_portal/settings.py") is None
    assert pdf.static_file_for("file://evil.example/static/css/print.css") is None
    assert pdf.static_file_for("http://127.0.0.1/static/css/print.css") is None


def test_a_stylesheet_from_another_host_is_refused(templates, no_network):
    name = templates("linked.html", LETTER.replace("BODY", "<p>Nội dung</p>").replace(
        "{% block body %}", '{% block extra_style %}<link rel="stylesheet" href="https://cdn.example.com/a.css">'
        "{% endblock %}{% block body %}"))
    fetcher = pdf.url_fetcher()
    pdf.render_pdf(name, {}, fetcher=fetcher)
    assert fetcher.refused == ["https://cdn.example.com/a.css"]
    assert no_network == []


def test_several_documents_are_merged_each_with_its_own_page_numbers(templates):
    long_body = "".join(f"<p>Đoạn văn số {n} của văn bản dài, đủ để sang trang.</p>" for n in range(80))
    short = templates("short.html", LETTER.replace("BODY", "<p>Văn bản ngắn</p>"))
    long = templates("long.html", LETTER.replace("BODY", long_body))
    seen = []
    data = pdf.render_pdf_documents(
        [(long, {"number": "1/QĐ-SGDĐT"}), (short, {"number": "2/QĐ-SGDĐT"})],
        progress=lambda done, total: seen.append((done, total)),
    )
    pages = int(pdftools.info(data)["Pages"])
    assert pages >= 3
    assert seen == [(1, 2), (2, 2)]
    # The long document: no number on its first page, "2" centred at the top of its second.
    assert pdftools.page_number_at_top(data, 1) is None
    assert pdftools.page_number_at_top(data, 2) == "2"
    # The short one starts again at its own first page, without a number.
    assert pdftools.page_number_at_top(data, pages) is None
    assert "Số: 2/QĐ-SGDĐT" in pdftools.flat(data, first=pages, last=pages)


def test_layout_progress_is_reported_page_by_page(templates):
    body = "".join(f"<p>Đoạn {n}: nội dung báo cáo.</p>" for n in range(120))
    name = templates("pages.html", LETTER.replace("BODY", body))
    pages = []
    data = pdf.render_pdf(name, {}, on_page=pages.append)
    total = int(pdftools.info(data)["Pages"])
    assert total >= 3
    assert pages == list(range(1, total + 1))


def test_the_document_is_in_vietnamese_whatever_the_page_language(templates):
    from django.utils import translation

    name = templates("kind.html", LETTER.replace("BODY", "<p>{{ kind.label }}</p>"))
    from centers.choices import CenterKind

    with translation.override("en"):
        data = pdf.render_pdf(name, {"kind": CenterKind.LANGUAGE})
    assert "Trung tâm ngoại ngữ" in pdftools.flat(data)
