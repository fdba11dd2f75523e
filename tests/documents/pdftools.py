"""Read a PDF back with poppler-utils (pdftotext, pdffonts, pdfinfo), as a person would
check a printed document: its text, its fonts, its page size and where the words lie."""

import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

MM = 72 / 25.4  # points per millimetre
A4 = (595.276, 841.89)
# Nghị định 30/2020 margins as set in static/css/print.css: top, right, bottom, left (mm).
MARGINS_MM = (20, 15, 20, 30)


def _run(tool: str, data: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run([tool, *args, str(path), *([] if tool in ("pdffonts", "pdfinfo") else ["-"])],
                                capture_output=True, check=True)
        return result.stdout.decode("utf-8")


def text(data: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False,
         body_only: bool = False) -> str:
    """The text; `body_only` leaves out the top margin of every page (the page numbers)."""
    args = ["-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if body_only:
        top = int(MARGINS_MM[0] * MM)
        args += ["-x", "0", "-y", str(top), "-W", str(int(A4[0])), "-H", str(int(A4[1]) - top)]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return _run("pdftotext", data, *args)


def flat(data: bytes, **kwargs) -> str:
    """The text with every run of white space made one space: lines broken by the
    layout still match as phrases."""
    return " ".join(text(data, **kwargs).split())


def number_of(data: bytes) -> str:
    """What follows "Số:" on page 1, as laid out: "12/QĐ-SGDĐT", or "/BC-SGDĐT" for a
    number left blank for the clerk (whose gap pdftotext's reading order would split)."""
    return number_of_page(data, 1)


def number_of_page(data: bytes, page: int) -> str:
    for line in text(data, first=page, last=page, layout=True).splitlines():
        if "Số:" in line:
            return line.split("Số:", 1)[1].split()[0]
    raise AssertionError("no 'Số:' line")


def lines(data: bytes, **kwargs) -> list[str]:
    """The lines as laid out (-layout), white space collapsed: a table row reads as one
    line, "Tổng cộng 36 12 6 18 ...", where the reading order would split its cells."""
    return [" ".join(line.split()) for line in text(data, layout=True, **kwargs).splitlines() if line.strip()]


def info(data: bytes) -> dict[str, str]:
    rows = {}
    for line in _run("pdfinfo", data).splitlines():
        key, _, value = line.partition(":")
        rows[key.strip()] = value.strip()
    return rows


@dataclass
class Font:
    name: str
    type: str
    embedded: bool


def fonts(data: bytes) -> list[Font]:
    lines = _run("pdffonts", data).splitlines()[2:]
    found = []
    for line in lines:
        # name, type (may hold spaces), encoding, emb, sub, uni, object, generation
        match = re.match(r"^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        assert match, line
        found.append(Font(match[1], match[2].strip(), match[4] == "yes"))
    return found


@dataclass
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def words(data: bytes, page: int) -> list[Word]:
    """The words of one page with their boxes, in points from the top left corner."""
    html = _run("pdftotext", data, "-bbox", "-enc", "UTF-8", "-f", str(page), "-l", str(page))
    found = []
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    for x_min, y_min, x_max, y_max, word in re.findall(pattern, html):
        found.append(Word(unescape(word), float(x_min), float(y_min), float(x_max), float(y_max)))
    return found


def assert_inside_margins(data: bytes, page: int = 1, tolerance: float = 0.5) -> None:
    top, right, bottom, left = (m * MM for m in MARGINS_MM)
    width, height = A4
    page_words = words(data, page)
    assert page_words, "no text on the page"
    for word in page_words:
        assert word.x_min >= left - tolerance, word
        assert word.x_max <= width - right + tolerance, word
        assert word.y_min >= top - tolerance, word
        assert word.y_max <= height - bottom + tolerance, word


def assert_state_format(data: bytes) -> None:
    """What every official document shares: A4, fonts embedded, national title and motto
    on page 1, text inside the margins."""
    assert info(data)["Page size"].startswith("595.276 x 841.89 pts (A4)")
    found = fonts(data)
    assert found
    for font in found:
        assert font.embedded, font
        assert font.type != "Type 3", font
        assert "Portal-Serif" in font.name, font  # the bundled Liberation Serif, never a system font
    first = flat(data, first=1, last=1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "Độc lập - Tự do - Hạnh phúc" in first
    assert_inside_margins(data, page=1)


def page_number_at_top(data: bytes, page: int) -> str | None:
    """The text centred in the top margin of a page (the page number), or None."""
    top = MARGINS_MM[0] * MM
    left, right = MARGINS_MM[3] * MM, A4[0] - MARGINS_MM[1] * MM
    centre = (left + right) / 2
    in_margin = [w for w in words(data, page) if w.y_max <= top]
    if not in_margin:
        return None
    assert len(in_margin) == 1, in_margin
    word = in_margin[0]
    assert abs((word.x_min + word.x_max) / 2 - centre) < 3, word  # centred on the text block
    return word.text


def assert_in_order(data: bytes, phrases: list[str]) -> None:
    """Each phrase is in the document's text (white space collapsed), each after the one
    before it: the parts a form requires, in the order it requires them."""
    whole = flat(data)
    position = 0
    for phrase in phrases:
        found = whole.find(" ".join(phrase.split()), position)
        assert found >= 0, f"{phrase!r} missing after {whole[max(0, position - 80):position]!r}"
        position = found + len(phrase)


def after_closing(data: bytes, closing: str = "./.") -> str:
    """What the text holds after the last closing formula, white space collapsed (page
    numbers, in the top margin, left out)."""
    whole = flat(data, body_only=True)
    assert closing in whole, f"no closing {closing!r}"
    return whole.rsplit(closing, 1)[1].strip()


def assert_only_signature_after_closing(data: bytes, allowed: list[str], closing: str = "./.") -> None:
    """After the closing formula, nothing but what `allowed` lists (the signature's lines,
    "Nơi nhận:" and the recipient lines): the portal's own notes never follow it."""
    rest = after_closing(data, closing)
    for part in sorted(allowed, key=len, reverse=True):
        part = " ".join(part.split())
        if part:
            rest = rest.replace(part, " ")
    assert not rest.split(), f"after {closing!r}: {' '.join(rest.split())!r}"
