"""Amounts and quantities: numbers as is, and texts such as ``1 234,56 €`` or ``(12.50)``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.ingest.parsing.common import (
    INVALID, MISSING, OK, Parsed, _as_floats, _blank_strings, _by_uniques, _kind_of, _mask,
    _split_kinds, _status_series, _strings_of,
)
from kc_sheets.ingest.parsing.objects import typed_column

AMOUNT_LIMIT = 1e13

_CURRENCY = r"(?i)\s|[\x{00a0}\x{202f}\x{2009}'’]|eur(?:os?)?|usd|gbp|chf|cad|aud|jpy|[€$£¥]"
_PLAIN = r"^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"          # 12 12.5 .5 1.234 1e3
_ONE_COMMA = r"^(?:\d+,\d*|,\d+)$"                           # 12,5 1,234
_COMMA_AMBIGUOUS = r"^[1-9]\d{0,2},\d{3}$"                   # 1,234
_POINT_AMBIGUOUS = r"^[1-9]\d{0,2}\.\d{3}$"                  # 1.234
_COMMA_THOUSANDS = r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$"         # 1,234,567.89
_POINT_THOUSANDS = r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$"         # 1.234.567,89


def parse_amounts(series: pd.Series, decimal_comma: bool | None = True) -> Parsed:
    """Amounts as floats: numbers as is, and text such as ``1 234,56 €`` or ``(12.50)``.

    Spaces (also no-break ones) separate thousands; with both ``,`` and ``.`` the last one is
    the decimal separator; ``1,234`` alone is 1.234 with ``decimal_comma`` and 1234 without
    (``None``: decided by the other values of the column, decimal comma by default).
    ``1.234`` is 1.234 unless the column writes thousands with points (``1.234.567,89``).
    Error values, booleans, dates, infinities and sizes from 10^13 up are ``invalid``.

    >>> parse_amounts(pd.Series(["1 234,56 €", "$1,234.50", "(12.50)", True])).values.tolist()
    [1234.56, 1234.5, -12.5, nan]
    """
    series = typed_column(series)
    kind = _kind_of(series)
    if kind == "number":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return _parsed_numbers(values, series.index)
    if kind in ("bool", "datetime"):
        status = np.where(series.isna().to_numpy(), MISSING, INVALID).astype(np.int8)
        values = np.full(len(series), np.nan)
    else:
        values, status = _by_uniques(series, lambda u, counts: _amounts_of_uniques(
            u, decimal_comma), np.nan)
    return Parsed(pd.Series(values, index=series.index, copy=False),
                  _status_series(status, series.index))


def parse_numbers(series: pd.Series) -> Parsed:
    """Quantities: like :func:`parse_amounts` with the decimal separator read from the column.

    >>> parse_numbers(pd.Series(["2", "1,5", 3])).values.tolist()
    [2.0, 1.5, 3.0]
    """
    return parse_amounts(series, decimal_comma=None)


def _plausible(values: np.ndarray) -> np.ndarray:
    """Finite and below 10^13 in size: beyond, floats no longer hold cents (a barcode?)."""
    with np.errstate(invalid="ignore"):
        return np.abs(values) < AMOUNT_LIMIT


def _parsed_numbers(values: np.ndarray, index) -> Parsed:
    missing = np.isnan(values)
    finite = _plausible(values)
    status = np.where(finite, OK, np.where(missing, MISSING, INVALID)).astype(np.int8)
    values = np.where(finite, values, np.nan)
    return Parsed(pd.Series(values, index=index, copy=False), _status_series(status, index))


def _amounts_of_uniques(uniques, decimal_comma):
    n = len(uniques)
    values = np.full(n, np.nan)
    status = np.full(n, INVALID, dtype=np.int8)
    groups = _split_kinds(uniques)
    if len(groups["num"]):
        pos = groups["num"]
        floats = _as_floats(uniques, pos)
        finite = _plausible(floats)
        values[pos] = np.where(finite, floats, np.nan)
        status[pos] = np.where(finite, OK, INVALID)
    if len(groups["str"]):
        pos = groups["str"]
        values[pos], status[pos] = _amount_strings(_strings_of(uniques, pos), decimal_comma)
    return values, status


def _amount_strings(strings: pa.Array, decimal_comma: bool | None):
    text = pc.utf8_trim_whitespace(strings)
    status = np.full(len(text), INVALID, dtype=np.int8)
    status[_blank_strings(strings)] = MISSING
    # "12€50": the euro sign written where the decimal comma goes (French handwriting)
    text = pc.replace_substring_regex(text, r"^([+-]?\d+)\s*€\s*(\d{1,2})$", r"\1.\2")
    body = pc.replace_substring_regex(text, _CURRENCY, "")
    body = pc.replace_substring(body, "\u2212", "-")
    paren = _mask(pc.match_substring_regex(body, r"^\(.*\)$"))
    body = pc.replace_substring_regex(body, r"^\((.*)\)$", r"\1")
    minus = _mask(pc.match_substring_regex(body, r"^-|-$"))
    body = pc.replace_substring_regex(body, r"^[+-]|[+-]$", "")

    def match(pattern: str) -> np.ndarray:
        return _mask(pc.match_substring_regex(body, pattern))

    plain, one_comma = match(_PLAIN), match(_ONE_COMMA)
    comma_amb, point_amb = match(_COMMA_AMBIGUOUS), match(_POINT_AMBIGUOUS)
    comma_k = match(_COMMA_THOUSANDS) & ~one_comma
    point_k = match(_POINT_THOUSANDS) & ~plain
    if decimal_comma is None:
        comma_decimal = (one_comma & ~comma_amb).any() or (point_k & match(",")).any()
        point_decimal = (plain & ~point_amb & match(r"\.")).any() or comma_k.any()
        decimal_comma = bool(comma_decimal or not point_decimal)
    points_are_thousands = bool(point_k.any())
    comma_thousands = one_comma & comma_amb & (not decimal_comma)
    no_commas = pc.replace_substring(body, ",", "")
    no_points = pc.replace_substring(body, ".", "")
    conditions = [plain & ~(point_amb & points_are_thousands), plain, comma_thousands,
                  one_comma, comma_k, point_k]
    choices = [body, no_points, no_commas, pc.replace_substring(body, ",", "."), no_commas,
               pc.replace_substring(no_points, ",", ".")]
    normalized = pa.nulls(len(body), pa.large_string())
    for condition, choice in reversed(list(zip(conditions, choices))):
        normalized = pc.if_else(pa.array(condition), choice.cast(pa.large_string()),
                                normalized)
    readable = _mask(normalized.is_valid())
    numbers = pc.cast(normalized, pa.float64()).to_numpy(zero_copy_only=False)
    numbers = np.where(paren | minus, -numbers, numbers)
    finite = readable & _plausible(numbers)
    status = np.where(finite, OK, status).astype(np.int8)
    return np.where(finite, numbers, np.nan), status
