"""The one-per-line parts of a directive: "Kính gửi", "Nơi nhận", the "Căn cứ" lines.

People type them with their own punctuation ("UBND các xã, phường;;", "tỉnh..", "- Như
trên;"). Nghị định 30/2020, Appendix I, II.6.a and II.9.d, fixes the marks: a dash at the
start of each recipient line, ";" at the end of each line but the last, "." after the
last. So each entry is stored bare (no leading dash, no trailing ";", "." or ","), and the
PDF template adds exactly one mark. Existing rows typed before this rule are read through
the same function when printed.
"""

from __future__ import annotations

import re

# A dash or bullet typed at the start of a line: the template writes its own.
_LEADING = re.compile(r"^(?:[-–—•+*]\s*)+")
# Trailing punctuation typed at the end: ";", ".", ",", a typed "./." and spaces.
_TRAILING = re.compile(r"(?:\./\.|[\s;.,])+$")


def entry(line: str) -> str:
    """One entry without its typed bullet and trailing marks."""
    return _TRAILING.sub("", _LEADING.sub("", line.strip())).strip()


def entries(text: str | None) -> list[str]:
    """The non-empty entries of a one-per-line field, bare."""
    found = []
    for line in (text or "").splitlines():
        bare = entry(line)
        if bare:
            found.append(bare)
    return found


def normalised(text: str | None) -> str:
    """The field as stored: one bare entry per line."""
    return "\n".join(entries(text))


def paragraphs(text: str | None) -> list[str]:
    """The non-empty lines of a text, stripped (a body, an article, the closing part)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def ending_with_closing_mark(text: str) -> str:
    """`text` ending with the closing formula "./." (Appendix III: the content of every
    document ends with it), whatever the author typed at the end."""
    bare = _TRAILING.sub("", text.rstrip())
    return f"{bare}./."
