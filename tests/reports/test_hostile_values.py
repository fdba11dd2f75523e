"""Report answers are read strictly: ASCII digits, a bounded length, no exponent. Anything
else is the field's own Vietnamese message, never an exception or a figure written out
over thousands of characters (issue 9)."""

import pytest
from django.core.exceptions import ValidationError

from reports.validators import clean_value


def _spec(kind: str) -> dict:
    return {"code": "so_hoc_vien", "label": "Số học viên", "kind": kind, "required": True, "min_value": None,
            "max_value": None, "choices": []}


@pytest.mark.parametrize("raw", ["١٢", "１２", "²", "1" * 19, "1" * 5000, "1e3", "12,5", "x" * 10_000, "\x00"])
def test_an_integer_answer_that_is_not_ascii_digits_is_refused_with_its_message(raw):
    with pytest.raises(ValidationError) as refused:
        clean_value(_spec("integer"), raw)
    assert refused.value.messages == ["«Số học viên» phải là số nguyên."]


@pytest.mark.parametrize("raw", ["1e30", "1E+999999", "1e-999999", "0." + "0" * 10_000 + "1", "١٢,٥", "Infinity",
                                 "NaN", "1" * 19])
def test_a_decimal_answer_with_an_exponent_or_too_long_is_refused_with_its_message(raw):
    with pytest.raises(ValidationError) as refused:
        clean_value(_spec("decimal"), raw)
    assert refused.value.messages[0].startswith("«Số học viên» phải là số")


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    ("integer", "1.234", 1234), ("integer", "-5", -5), ("integer", "9" * 18, int("9" * 18)),
    ("decimal", "12,5", "12.5"), ("decimal", ",5", "0.5"), ("decimal", "5.", "5"), ("decimal", "+3", "3"),
    ("decimal", "1.234.567,89", "1234567.89"),
])
def test_ordinary_answers_are_still_read(kind, raw, stored):
    assert clean_value(_spec(kind), raw) == stored
