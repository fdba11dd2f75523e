"""Text folding for search that ignores diacritics and case.

Vietnamese "đ/Đ" has no Unicode decomposition, so NFD (and PostgreSQL's unaccent)
leaves it alone: it is mapped to "d" by hand.
"""

import unicodedata


def nfc(value: str) -> str:
    """Normalise text to NFC: files from Windows or macOS may carry decomposed accents."""
    return unicodedata.normalize("NFC", value) if value else value


def fold(value: str | None) -> str:
    """Lower-case ASCII form of a Vietnamese string: "Đông Ngoại ngữ" -> "dong ngoai ngu"."""
    if not value:
        return ""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
