"""One number style for every table and figure label of the book.

Raw reprs such as `4.1297e+10` are hard to read in a table. Counts of parameters and tokens read as
"41.3 B"; FLOP budgets and other very large or small numbers as "1.0×10²⁴"; everything else as a
plain decimal with a fixed number of significant digits.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_COUNT_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def _non_finite(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return None


def format_number(value: float, digits: int = 4) -> str:
    """`digits` significant digits: plain between 10⁻³ and 10⁵, otherwise as m.mm×10ⁿ."""
    value = float(value)
    special = _non_finite(value)
    if special is not None:
        return special
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        text = f"{value:.{digits}g}"
        return text if "e" not in text else format_scientific(value, digits)
    return format_scientific(value, digits)


def format_compact(value: float, digits: int = 6) -> str:
    """`format_number` without trailing zeros in a mantissa (4.1297×10¹⁰, 7.0×10⁹): the style of
    table cells, where a fixed number of digits would pad round values."""
    text = format_number(value, digits)
    if "×" not in text:
        return text
    mantissa, power = text.split("×")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0")
        mantissa += "0" if mantissa.endswith(".") else ""
    return f"{mantissa}×{power}"


def format_scientific(value: float, digits: int = 2) -> str:
    """m.m×10ⁿ with `digits` significant digits (at least one decimal of the mantissa)."""
    value = float(value)
    special = _non_finite(value)
    if special is not None:
        return special
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{max(digits, 2) - 1}e}".split("e")
    sign = "−" if mantissa.startswith("-") else ""
    return f"{sign}{mantissa.lstrip('-')}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def format_count(value: float, digits: int = 3) -> str:
    """A count of parameters, tokens or runs: 41.3 B, 4.04 T, 760 M, 12.5 K, 87."""
    value = float(value)
    special = _non_finite(value)
    if special is not None:
        return special
    for scale, suffix in _COUNT_SUFFIXES:
        if abs(value) >= scale and abs(value) < 1000 * scale:
            return f"{value / scale:.{digits}g} {suffix}"
    if abs(value) >= 1e15:
        return format_scientific(value, digits)
    return f"{value:.{digits}g}" if value != int(value) else f"{int(value)}"


def format_flops(value: float, digits: int = 2) -> str:
    """A compute budget: 1.0×10²⁴ FLOP."""
    return f"{format_scientific(value, digits)} FLOP"


def format_printed(printed: str) -> str:
    """A number exactly as a paper printed it, in the book's style: e-notation (3.48e+11, 1.7e-5)
    becomes 3.48×10¹¹, 1.7×10⁻⁵ with the printed digits, no more and no fewer; a plain decimal is
    returned as printed."""
    text = printed.strip()
    if "e" not in text.lower():
        return text
    try:
        sign, digits, exponent = Decimal(text).as_tuple()
    except InvalidOperation:
        raise ValueError(f"not a number as printed: {printed!r}") from None
    mantissa = "".join(map(str, digits))
    mantissa = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    power = str(exponent + len(digits) - 1).translate(_SUPERSCRIPT)
    return f"{'−' if sign else ''}{mantissa}×10{power}"
