"""scaling_core.formatting: one readable number style."""

from __future__ import annotations

import math

import pytest

from scaling_core.formatting import (
    format_compact,
    format_count,
    format_flops,
    format_number,
    format_printed,
    format_scientific,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (41.297e9, "41.3 B"),
        (4.04e12, "4.04 T"),
        (760e6, "760 M"),
        (12_500, "12.5 K"),
        (87, "87"),
        (-2.5e9, "-2.5 B"),
    ],
)
def test_counts_read_with_a_suffix(value: float, text: str) -> None:
    assert format_count(value) == text


def test_flops_and_scientific() -> None:
    assert format_flops(1e24) == "1.0×10²⁴ FLOP"
    assert format_scientific(5.76e23, 3) == "5.76×10²³"
    assert format_scientific(-3.2e-7, 2) == "−3.2×10⁻⁷"


def test_numbers_are_plain_in_the_readable_range_and_scientific_outside() -> None:
    assert format_number(0.34731, 4) == "0.3473"
    assert format_number(2143.86, 4) == "2144"
    assert format_number(4.1297e10, 4) == "4.130×10¹⁰"
    assert format_number(1.1e-4, 2) == "1.1×10⁻⁴"
    assert format_number(0.0) == "0"


def test_non_finite_values_are_named_not_hidden() -> None:
    assert format_number(math.nan) == "NaN"
    assert format_count(math.inf) == "∞"
    assert format_flops(-math.inf) == "−∞ FLOP"


def test_compact_drops_the_padding_of_round_mantissas_only() -> None:
    assert format_compact(7e9) == "7.0×10⁹"
    assert format_compact(4.1297e10) == "4.1297×10¹⁰"
    assert format_compact(0.347312) == "0.347312"
    assert format_compact(-2.5e-7) == "−2.5×10⁻⁷"


def test_printed_numbers_keep_their_printed_digits_in_the_book_style() -> None:
    assert format_printed("3.48e+11") == "3.48×10¹¹"
    assert format_printed("1.7e-5") == "1.7×10⁻⁵"
    assert format_printed("1.00e5") == "1.00×10⁵"
    assert format_printed("216e3") == "2.16×10⁵"
    assert format_printed("1e9") == "1×10⁹"
    assert format_printed("-2.5E-7") == "−2.5×10⁻⁷"
    assert format_printed("0.000000000049053") == "0.000000000049053"
    assert format_printed("10.6") == "10.6"
    with pytest.raises(ValueError, match="'3.4e'"):
        format_printed("3.4e")
