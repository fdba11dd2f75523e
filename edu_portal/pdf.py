"""The one place that renders PDFs. Every official document goes through here.

- `render_pdf(template_name, context)` renders a Django template (one that extends
  templates/pdf/state_document.html) and lays it out with WeasyPrint.
- `render_pdf_documents(parts, progress=...)` renders several documents and puts their
  pages into one file, for bulk files such as all the decisions of a commune. Each part
  keeps its own page numbers.
- Sending one: edu_portal.files.private_download(content, filename), as every download.
- `state_date(place, date)` writes the place-and-date line of Decree 30/2020.

WeasyPrint is imported inside the functions. Without Pango the rest of the site still
starts; only a PDF fails.

Resources are local only. A worker has no request and no collectstatic, so documents
are laid out against a virtual base URL, `file:///static/` (STATIC_URL on the file
scheme). The URL fetcher maps each URL under it to the file that
django.contrib.staticfiles' finders find, and reads it. Every other URL is refused:
http(s), ftp, and file:// paths outside the static root. A document never waits on the
network and never reads an arbitrary file. data: URLs are allowed because they carry
their own bytes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import functools
import itertools
import logging
import mimetypes
import posixpath
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation


logger = logging.getLogger(__name__)

# Fetched stylesheets and fonts, per process, keyed by their path and modification time:
# a warm worker lays out a one-page decision without reading print.css and the four
# font files again.
_cached_files: dict[tuple[str, float], bytes] = {}
_cache_lock = threading.Lock()


class RefusedURL(ValueError):
    """A document asked for a resource outside the static files. WeasyPrint logs the
    failure and leaves the resource out. The document is still rendered."""


# Dates


def state_day(date: datetime.date) -> str:
    """ "ngày 05 tháng 3 năm 2026": days 1-9 and the months January and February get a
    leading zero (Decree 30/2020, Appendix I), so nothing can be written in before them."""
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def state_date(place: str, date: datetime.date | None) -> str:
    """The place-and-date line: "Bắc Ninh, ngày 05 tháng 3 năm 2026". Without a date
    (a draft to be dated at signing) the day, month and year are left blank to fill by hand."""
    if date is None:
        line = "ngày      tháng      năm"
    else:
        line = state_day(date)
    return f"{place}, {line}" if place else line


# Unit types as names begin with them, longest first ("thành phố trung ương" is the type of
# the centrally-run cities, whose names already read "Thành phố Hà Nội").
UNIT_TYPES = (
    "thành phố trung ương", "thành phố", "đặc khu", "thị trấn", "thị xã", "tỉnh", "xã", "phường", "huyện", "quận",
)


def _split_unit(unit) -> tuple[str, str]:
    """("thành phố", "Hà Nội") from the unit "Thành phố Hà Nội" of type "thành phố
    trung ương"; ("tỉnh", "Bắc Ninh") from "Bắc Ninh" of type "tỉnh"."""
    name = " ".join((unit.name or "").split())
    lowered = name.lower()
    for unit_type in UNIT_TYPES:
        if lowered.startswith(unit_type + " "):
            return unit_type, name[len(unit_type) + 1:]
    unit_type = (unit.unit_type or "").lower()
    if unit_type == "thành phố trung ương":
        unit_type = "thành phố"
    return unit_type, name


def unit_title(unit) -> str:
    """A unit as the state format writes it: "Tỉnh Bắc Ninh", "Thành phố Hà Nội",
    "Phường Kinh Bắc" (never "Thành phố trung ương Thành phố Hà Nội")."""
    return unit.full_name if unit is not None else ""


# Names a line must not break inside (issue 11: "TỈNH BẮC / GIANG" is read as two words by
# anyone who files the document). The layout may break between them, never within.

# Bodies whose name is one unit of meaning, whatever their length.
_BODY_NAMES = (
    "ủy ban nhân dân", "uỷ ban nhân dân", "hội đồng nhân dân", "sở giáo dục và đào tạo",
    "phòng giáo dục và đào tạo", "bộ giáo dục và đào tạo", "phòng văn hóa - xã hội",
)
# Administrative unit types, two-word ones first; the name follows the type.
_NAME_TYPES = ("thành phố", "đặc khu", "thị trấn", "thị xã", "tỉnh", "xã", "phường", "huyện", "quận")
_TOKEN = re.compile(r"\s+|[^\s]+")
_NAME_END = ",;:.()[]/"


def _is_name_word(word: str, all_caps: bool) -> bool:
    """A word of a proper name: capitalised in running text ("Bắc", "Giang", "5"); in an
    upper-case line (a header) any word is."""
    word = word.strip("()")
    if not word or word[0] in _NAME_END:
        return False
    return all_caps or word[0].isupper() or word[0].isdigit()


def nobreak_parts(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, keep) pairs whose concatenation is `text`: the parts with keep
    True are names to set on one line (a template puts them in <span class="nb">). Kept
    together: the names of bodies ("Ủy ban nhân dân", "Sở Giáo dục và Đào tạo") and of
    administrative units with their type ("tỉnh Bắc Giang", "TỈNH BẮC GIANG", "phường
    Kinh Bắc", "tỉnh Bà Rịa - Vũng Tàu"); in an upper-case (header) line also the names of
    bodies ("ỦY BAN NHÂN DÂN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"). Everything else may break."""
    text = text or ""
    tokens = _TOKEN.findall(text)
    letters = [c for c in text if c.isalpha()]
    all_caps = bool(letters) and all(c.isupper() for c in letters)
    words = [(i, t) for i, t in enumerate(tokens) if not t.isspace()]
    keep = [False] * len(tokens)
    position = 0
    while position < len(words):
        matched = 0
        lowered = [t.lower() for _, t in words[position:position + 6]]
        # A body's name is kept whole in a header line only: in a justified paragraph a
        # long unbreakable phrase would open wide gaps in the line before it.
        for phrase in _BODY_NAMES if all_caps else ():
            size = len(phrase.split())
            if " ".join(lowered[:size]).rstrip(",;:.") == phrase:
                matched = size
                break
        if not matched:
            for unit_type in _NAME_TYPES:
                size = len(unit_type.split())
                if " ".join(lowered[:size]) != unit_type:
                    continue
                # The name: up to five capitalised words, "Bà Rịa - Vũng Tàu" included;
                # it ends at punctuation.
                name, cursor = 0, position + size
                while cursor < len(words) and name < 6:
                    word = words[cursor][1]
                    if word == "-" and cursor + 1 < len(words) and _is_name_word(words[cursor + 1][1], all_caps):
                        cursor += 1
                        continue
                    if not _is_name_word(word, all_caps):
                        break
                    name += 1
                    cursor += 1
                    if word[-1] in _NAME_END:
                        break
                if name:
                    matched = cursor - position
                break
        if matched:
            first, last = words[position][0], words[position + matched - 1][0]
            for index in range(first, last + 1):
                keep[index] = True
            position += matched
        else:
            position += 1
    parts: list[tuple[str, bool]] = []
    for token, kept in zip(tokens, keep, strict=True):
        if parts and parts[-1][1] == kept:
            parts[-1] = (parts[-1][0] + token, kept)
        else:
            parts.append((token, kept))
    return parts


# The header's agency column: 40 % of the 165 mm text width (print.css), in points.
AGENCY_COLUMN_PT = 0.40 * 165 * 72 / 25.4


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, int], int]:
    """(advance width of each character in font units, units per em) of the bundled
    Liberation Serif, as print.css sets the header."""
    from fontTools.ttLib import TTFont

    path = finders.find(f"fonts/LiberationSerif-{'Bold' if bold else 'Regular'}.ttf")
    font = TTFont(path, lazy=True)
    metrics, cmap = font["hmtx"].metrics, font.getBestCmap()
    return {code: metrics[name][0] for code, name in cmap.items()}, font["head"].unitsPerEm


def text_width(text: str, *, size: float = 12, bold: bool = False) -> float:
    """The width in points of `text` set in the bundled serif at `size`."""
    advances, per_em = _advances(bold)
    default = per_em // 2
    return sum(advances.get(ord(char), default) for char in text) * size / per_em


@functools.lru_cache(maxsize=2048)
def header_lines(
    text: str, *, size: float = 12, bold: bool = False, width: float = AGENCY_COLUMN_PT
) -> tuple[str, ...]:
    """An upper-case header name ("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG") cut into the lines it
    is printed on: as many words a line as fit the agency column, never inside a name
    nobreak_parts keeps together. Set line by line, the name's box is as wide as its
    longest line, so the rule under it is measured against that line (Appendix I, II.2.b)."""
    text = " ".join((text or "").upper().split())
    items: list[str] = []
    for part, keep in nobreak_parts(text):
        if keep:
            items.append(part.strip())
        else:
            items += part.split()
    # A hyphen binds its neighbours: "NGỮ - TIN" never breaks.
    while "-" in items[1:-1]:
        at = items.index("-", 1)
        items[at - 1:at + 2] = [" ".join(items[at - 1:at + 2])]
    if not items:
        return ()
    # As few lines as the column allows, then the most even cut among those: no line
    # break inside a two-syllable word ("GIÁO / DỤC") nor between the last two words,
    # which are the proper name ("TRUNG TÂM TIN HỌC / HOÀNG TÍN").
    count = 1
    while not _cuts(items, count, size, bold, width):
        count += 1
        if count > len(items):
            return tuple(items)
    # One line more is taken only when it spares a bad break.
    candidates = _cuts(items, count, size, bold, width) + _cuts(items, count + 1, size, bold, width)

    def cost(lines):
        bad, widest = _cut_cost(lines, size, bold)
        return bad, len(lines), widest

    return tuple(min(candidates, key=cost))


# Two-syllable words of the names printed in headers: a line never ends inside one.
_COMPOUNDS = frozenset({
    "TRUNG TÂM", "CÔNG TY", "GIÁO DỤC", "ĐÀO TẠO", "TIN HỌC", "NGOẠI NGỮ", "HÒA NHẬP", "HOÀ NHẬP",
    "PHÁT TRIỂN", "HỖ TRỢ", "ĐẠI HỌC", "CAO ĐẲNG", "TRUNG CẤP", "NGHỀ NGHIỆP", "THƯỜNG XUYÊN", "CỔ PHẦN",
    "NHÂN DÂN", "HỌC TẬP", "CỘNG ĐỒNG", "KIỂM TRA", "TRÁCH NHIỆM", "HỮU HẠN", "ỦY BAN", "UỶ BAN",
})


def _cuts(items: list[str], count: int, size: float, bold: bool, width: float) -> list[list[str]]:
    """Every way to set `items` on `count` lines that each fit `width`."""
    found = []
    for breaks in itertools.combinations(range(1, len(items)), count - 1):
        bounds = (0, *breaks, len(items))
        lines = [" ".join(items[a:b]) for a, b in itertools.pairwise(bounds)]
        if all(text_width(line, size=size, bold=bold) <= width for line in lines):
            found.append(lines)
    return found


def _cut_cost(lines: list[str], size: float, bold: bool) -> tuple[int, float]:
    """(bad breaks, unevenness): a break inside a two-syllable word, at a hyphen
    ("NGOẠI NGỮ - TIN HỌC") or inside the final proper name first, then the widest line."""
    bad = 0
    for upper, lower in itertools.pairwise(lines):
        pair = f"{upper.split()[-1]} {lower.split()[0]}"
        if pair in _COMPOUNDS or upper.endswith("-") or lower.startswith("-") or upper.endswith(" VÀ") \
                or lower.startswith("VÀ "):
            bad += 1
    if len(lines) > 1 and len(lines[-1].split()) == 1:
        bad += 1  # the proper name's last syllable alone
    return bad, max(text_width(line, size=size, bold=bold) for line in lines)


def unit_in_text(unit) -> str:
    """A unit inside a sentence or an address (Decree 30/2020, Appendix II, III.1): the
    type in lower case before its name, "phường Kinh Bắc", "tỉnh Bắc Ninh"; upper case
    when the name is a number ("Phường 5", "Quận 1") and in "Thành phố Hồ Chí Minh"."""
    title = unit_title(unit)
    if not title:
        return ""
    _unit_type, bare = _split_unit(unit)
    if bare.isdigit() or title == "Thành phố Hồ Chí Minh" or title == bare:
        return title
    return title[:1].lower() + title[1:]


def place_name(unit) -> str:
    """The place on the date line: the unit's name without its type ("Bắc Ninh",
    "Hà Nội", "Kinh Bắc"). A unit named by a number keeps its type ("Phường 5")."""
    if unit is None:
        return ""
    unit_type, bare = _split_unit(unit)
    return unit_title(unit) if bare.isdigit() else bare


# Resources


def static_base_url() -> str:
    """The virtual base URL documents are laid out against: STATIC_URL on the file scheme."""
    prefix = urlsplit(settings.STATIC_URL).path or "/static/"
    return "file://" + (prefix if prefix.endswith("/") else prefix + "/")


def static_file_for(url: str) -> str | None:
    """The file behind a URL under the static base, as the staticfiles finders find it
    (app and project static directories, without collectstatic), or None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    prefix = urlsplit(static_base_url()).path
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    relative = posixpath.normpath(path[len(prefix):])
    if relative in ("", ".") or relative.startswith(("../", "/")) or relative == "..":
        return None
    found = finders.find(relative)
    return str(found) if found else None


def _read_static(path: str) -> bytes:
    stat = Path(path).stat()
    key = (path, stat.st_mtime)
    data = _cached_files.get(key)
    if data is None:
        data = Path(path).read_bytes()
        with _cache_lock:
            _cached_files[key] = data
    return data


def _decode_data_url(url: str) -> tuple[bytes, str]:
    """(bytes, content type) of a data: URL (RFC 2397)."""
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise RefusedURL("Malformed data: URL")
    is_base64 = header.lower().endswith(";base64")
    media_type = header[: -len(";base64")] if is_base64 else header
    raw = unquote_to_bytes(payload)
    try:
        body = base64.b64decode(raw, validate=False) if is_base64 else raw
    except binascii.Error as error:
        raise RefusedURL("Malformed data: URL") from error
    return body, media_type or "text/plain;charset=US-ASCII"


@functools.cache
def _fetcher_class():
    """WeasyPrint's URLFetcher, narrowed to the static files and data: URLs (built on
    first use, so that importing this module does not import WeasyPrint)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFileResponse(URLFetcherResponse):
        def __init__(self, url, body, content_type, real_path):
            super().__init__(url, body, {"Content-Type": content_type})
            self._real_path = real_path

        @property
        def path(self):
            # WeasyPrint may re-read a raster image from its path when writing the PDF:
            # give it the real file, not the virtual URL's path.
            return self._real_path

    class StaticFilesFetcher(URLFetcher):
        def __init__(self):
            # urllib is never used: no protocol is allowed to the parent class.
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.fetched: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                body, content_type = _decode_data_url(url)
                return URLFetcherResponse(url[:64], body, {"Content-Type": content_type})
            path = static_file_for(url)
            if path is None:
                self.refused.append(url)
                logger.warning("PDF: refused to fetch %s (only static files are read)", url[:200])
                raise RefusedURL(f"Not a static file: {url[:200]}")
            self.fetched.append(url)
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return StaticFileResponse(url, _read_static(path), content_type, path)

    return StaticFilesFetcher


def url_fetcher():
    """A new fetcher for one document. It keeps the URLs it read and the ones it refused."""
    return _fetcher_class()()


# Rendering


@functools.cache
def _font_config():
    """One WeasyPrint font configuration per process. It holds the @font-face fonts of
    print.css once they are loaded."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


_render_lock = threading.Lock()


class _PageListener(logging.Handler):
    """Hears WeasyPrint's progress log ("Step 5 - Creating layout - Page 12") and passes
    the page number on: the only way to follow the layout of a long document."""

    def __init__(self, on_page: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record):
        if str(record.msg).startswith("Step 5 - Creating layout - Page") and record.args:
            try:
                self.on_page(int(record.args[0]))
            except Exception:  # progress must never break a document
                logger.exception("PDF: page progress callback failed")


@contextlib.contextmanager
def _progress_log(on_page: Callable[[int], None] | None):
    """During a layout, WeasyPrint's step messages ("Step 5 - Creating layout - Page 12")
    go to `on_page` only, never to the console: at INFO they would add a dozen lines to
    the log for every document. Its warnings and errors (logger "weasyprint") still pass."""
    # By name, not from weasyprint.logger: importing WeasyPrint the first time parses its
    # own stylesheets, which logs steps too.
    PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")  # noqa: N806
    listener = _PageListener(on_page) if on_page is not None else None
    level, propagate = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate
    # Under the render lock: no other document is being laid out meanwhile.
    PROGRESS_LOGGER.propagate = False
    if listener is not None:
        PROGRESS_LOGGER.setLevel(logging.INFO)
        PROGRESS_LOGGER.addHandler(listener)
    try:
        yield
    finally:
        if listener is not None:
            PROGRESS_LOGGER.removeHandler(listener)
        PROGRESS_LOGGER.setLevel(level)
        PROGRESS_LOGGER.propagate = propagate


def _layout(html: str, *, fetcher=None, on_page: Callable[[int], None] | None = None):
    """Lay out one HTML document; returns the WeasyPrint Document (its pages).
    `on_page(n)` is called as page n is laid out."""
    # The font configuration is shared, and Pango's font map is not thread-safe: threads
    # of one process lay out one document at a time. Processes still run in parallel.
    with _render_lock, _progress_log(on_page):
        from weasyprint import HTML

        fetcher = fetcher or url_fetcher()
        return HTML(string=html, base_url=static_base_url(), url_fetcher=fetcher).render(
            font_config=_font_config(),
        )


def _write(document) -> bytes:
    with _render_lock, _progress_log(None):
        return document.write_pdf()


def render_html(template_name: str, context: dict[str, Any], *, request=None) -> str:
    """The HTML of a document, before layout. An official document is in Vietnamese
    whatever language the user's pages are in (choice labels, dates)."""
    with translation.override("vi"):
        return render_to_string(template_name, context, request=request)


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request=None,
    fetcher=None,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """Render a Django template to a PDF. `request` only gives the template the
    request's context. Resources are never fetched over the network (see the module
    docstring). `fetcher` lets a test see what was fetched or refused. `on_page(n)`
    follows the layout of a long document, page by page."""
    html = render_html(template_name, context, request=request)
    return _write(_layout(html, fetcher=fetcher, on_page=on_page))


Part = tuple[str, dict[str, Any]]


def render_pdf_documents(
    parts: Iterable[Part] | Sequence[Part],
    *,
    progress: Callable[[int, int], None] | None = None,
    total: int | None = None,
    request=None,
) -> bytes:
    """Render several (template name, context) documents and merge their pages into one
    PDF. Each document keeps its own page numbers. `progress(done, total)` is called
    after each part. `parts` may be a generator (pass `total` then), so a long list never
    holds all of its contexts at once."""
    if total is None:
        parts = list(parts)
        total = len(parts)
    documents = []
    for done, (template_name, context) in enumerate(parts, start=1):
        documents.append(_layout(render_html(template_name, context, request=request)))
        if progress is not None:
            progress(done, total)
    if not documents:
        raise ValueError("render_pdf_documents needs at least one part")
    pages = [page for document in documents for page in document.pages]
    return _write(documents[0].copy(pages))

