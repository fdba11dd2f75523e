"""Vietnamese text: folding for search that ignores diacritics and case, and the
Vietnamese alphabetical order of names.

Vietnamese "đ/Đ" has no Unicode decomposition, so NFD (and PostgreSQL's unaccent)
leaves it alone: it is mapped to "d" by hand.
"""

import functools
import re
import unicodedata


def nfc(value: str) -> str:
    """Normalise text to NFC: files from Windows or macOS may carry decomposed accents."""
    return unicodedata.normalize("NFC", value) if value else value


def vi_number(value: int | None) -> str:
    """An integer as Vietnamese writes it, thousands grouped with dots: 10000000 ->
    "10.000.000" (mail, notices and PDFs are in Vietnamese whatever the reader's language)."""
    return f"{int(value):,}".replace(",", ".") if value not in (None, "") else ""


def fold(value: str | None) -> str:
    """Lower-case ASCII form of a Vietnamese string: "Đông Ngoại ngữ" -> "dong ngoai ngu"."""
    if not value:
        return ""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


# Vietnamese alphabetical order ------------------------------------------------------
#
# One definition of the order of names, the same as PostgreSQL's ICU collation "vi-x-icu"
# (CLDR's Vietnamese tailoring of the Unicode Collation Algorithm):
#
#   - primary: the letters a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x
#     y z (ă, â, đ, ê, ô, ơ, ư are letters of their own), after digits, after
#     punctuation, after white space (nothing is ignored: "An Bình" < "Anh");
#   - secondary: the tones, in CLDR's order for vi: none < huyền < hỏi < ngã < sắc < nặng
#     ("&̀<<̉<<̃<<́<<̣"), then other accents of foreign names;
#   - tertiary: lower case before upper case;
#   - then code points, as PostgreSQL breaks ties of a deterministic collation by bytes.
#
# The key is used by every Python-side sort and, through the collation function registered
# on every SQLite connection under the same name (geo.collation), by SQLite's ORDER BY, so
# lists, selects, exports and PDFs agree on both databases. tests/geo/test_collation.py
# checks it against PostgreSQL on generated names made of every Vietnamese letter and tone
# in both cases, digits, spaces and the punctuation listed below; other symbols and other
# scripts are placed by code point, which is only close to ICU's order for them.

VI_COLLATION = "vi-x-icu"
# The same name for `db_collation` of a column, quoted: Django's SQLite schema editor
# writes a column's collation as given ("COLLATE vi-x-icu" is a syntax error there), and
# both backends leave a name that is already quoted as it is.
VI_COLUMN_COLLATION = f'"{VI_COLLATION}"'

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_WEIGHT = {letter: 1000 + index for index, letter in enumerate(_ALPHABET)}
# Letters written as a base letter and a mark that makes them letters of their own.
_COMPOSED_LETTERS = {
    ("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư",
}
# Secondary weights: the five tones in CLDR's Vietnamese order, then the accents of the
# root order (breve, circumflex, caron, ring, diaeresis, double acute, dot above, cedilla,
# ogonek, macron) where they do not make a Vietnamese letter.
_MARK_WEIGHT = {
    mark: 1 + index
    for index, mark in enumerate("\u0300\u0309\u0303\u0301\u0323\u0306\u0302\u030c\u030a\u0308\u030b\u0307"
                                 "\u0327\u0328\u0304")
}
_ETH_WEIGHT = 50  # "ð" is a "d" with a secondary difference in the root order
_OTHER_MARK = 100  # any other combining mark, after these, by code point
# White space and punctuation before digits, in the root order (measured on ICU 72); other
# symbols follow them, before the digits.
_SPACE_AND_PUNCTUATION = "\t\n\x0b\x0c\r _-–—,;:!?.…·'‘’\"“”«»()[]{}@*/\\&#%•`^°+<=>|~$"
_PUNCTUATION_WEIGHT = {char: 1 + index for index, char in enumerate(_SPACE_AND_PUNCTUATION)}
_PUNCTUATION_WEIGHT["\u00a0"] = _PUNCTUATION_WEIGHT[" "]  # a no-break space is a space...
_TERTIARY_VARIANT = {"\u00a0"}  # ...with a tertiary difference
_OTHER_SYMBOL = 200
_DIGIT = 500
_OTHER_LETTER = 2000  # letters of other scripts after Latin, by code point


def _char_elements(char: str) -> tuple[list[int], list[int], list[int]]:
    """The primary, secondary and tertiary weights of one character (NFC form)."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    lower = base.lower()
    if len(lower) != 1:  # "İ".lower() is two characters
        lower = base
    tertiary = 1 if (base != lower or char in _TERTIARY_VARIANT) else 0
    secondary = 0
    if lower == "ð":
        lower, secondary = "d", _ETH_WEIGHT
    # A mark joins the base letter into one of the letters ă â ê ô ơ ư unless a mark of
    # the same combining class comes before it (canonical order puts a dot below before
    # the breve of "ặ": still "ă"; "è" + circumflex is not "ề").
    seen_classes: set[int] = set()
    rest = []
    for mark in marks:
        combining = unicodedata.combining(mark)
        letter = _COMPOSED_LETTERS.get((lower, mark))
        if letter and combining not in seen_classes and lower in "aeou":
            lower = letter
        else:
            rest.append(mark)
        seen_classes.add(combining)
    if lower in _LETTER_WEIGHT:
        primary = _LETTER_WEIGHT[lower]
    elif lower in _PUNCTUATION_WEIGHT:
        primary = _PUNCTUATION_WEIGHT[lower]
    elif lower.isdigit():
        primary = _DIGIT + unicodedata.digit(lower, 0)
    elif lower.isalpha():
        primary = _OTHER_LETTER + ord(lower)
    elif unicodedata.category(lower)[0] in "CZ" and not rest:
        return [], [], []  # controls and formatting characters are ignored
    else:
        primary = _OTHER_SYMBOL + ord(lower) / 0x110000
    secondaries = [secondary] + [_MARK_WEIGHT.get(m, _OTHER_MARK + ord(m)) for m in rest]
    return [primary], secondaries, [tertiary] + [0] * len(rest)


@functools.lru_cache(maxsize=65536)
def vi_sort_key(value: str | None) -> tuple:
    """The sort key of a string in Vietnamese order (see above): sorted(names, key=vi_sort_key)."""
    value = value or ""
    primary: list[float] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for char in unicodedata.normalize("NFC", value):
        p, s, t = _char_elements(char)
        primary += p
        secondary += s
        tertiary += t
    return tuple(primary), tuple(secondary), tuple(tertiary), value


def vi_compare(left: str | None, right: str | None) -> int:
    """-1, 0 or 1: the comparison function of the "vi-x-icu" collation on SQLite."""
    a, b = vi_sort_key(left), vi_sort_key(right)
    return (a > b) - (a < b)


# Words of a name are split on ASCII white space only, as the SQL of geo.collation does.
_NAME_SPACE = re.compile(r"[ \t\n\r\f\v]+")


def person_name_parts(full_name: str | None) -> tuple[str, str]:
    """(given name, the rest): Vietnamese names end with the given name, so people sort by
    it first. "Nguyễn Văn An" -> ("An", "Nguyễn Văn"); one word is a given name alone."""
    words = _NAME_SPACE.split((full_name or "").strip(" \t\n\r\f\v"))
    if words == [""]:
        words = []
    if not words:
        return "", ""
    return words[-1], " ".join(words[:-1])


def person_sort_key(full_name: str | None) -> tuple:
    """People in Vietnamese order: by given name, then family and middle names."""
    given, rest = person_name_parts(full_name)
    return vi_sort_key(given), vi_sort_key(rest), vi_sort_key(full_name)


def unit_label(unit) -> str:
    """An administrative unit as people write it: "Tỉnh Bắc Ninh", "Phường Kinh Bắc",
    "Thành phố Hà Nội"; empty for none."""
    return unit.full_name if unit is not None else ""
