"""Ids (order, customer) as text: 123, "123", 123.0 and " 123 " are all "123"."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.parsing.common import (
    _ERRORS, INVALID, MISSING, OK, Parsed, _blank_strings, _by_uniques, _mask, _split_kinds,
    _status_series, _strings_of, _values_of,
)


def parse_ids(series: pd.Series) -> Parsed:
    """Ids as text: 123, "123", 123.0 and " 123 " are all "123"; blank is None.

    Whole numbers are written without decimals (exact for large integers), other numbers as
    Python writes them ("12.5"), text is kept as typed, only stripped. Error values (#N/A) and
    booleans are ``invalid`` (None).

    >>> parse_ids(pd.Series([123, "123", 123.0, " 123 ", None, 12.5])).values.tolist()
    ['123', '123', '123', '123', None, '12.5']
    """
    texts, status = _by_uniques(series, lambda u, counts: _ids_of_uniques(u), None)
    return Parsed(pd.Series(texts, index=series.index, dtype=object, copy=False),
                  _status_series(status, series.index))


def _ids_of_uniques(uniques):
    n = len(uniques)
    texts = np.full(n, None, dtype=object)
    status = np.full(n, INVALID, dtype=np.int8)
    groups = _split_kinds(uniques)
    if len(groups["str"]):
        pos = groups["str"]
        strings = _strings_of(uniques, pos)
        text = pc.utf8_trim_whitespace(strings)
        blank = _blank_strings(strings)
        error = _mask(pc.is_in(pc.utf8_upper(text), value_set=_ERRORS))
        kept = ~blank & ~error
        values = text.to_numpy(zero_copy_only=False)
        maybe_float = _mask(pc.and_(pc.ends_with(text, "0"), pc.match_substring(text, ".")))
        if maybe_float.any():  # "123.0" (an id that went through a float) -> "123"
            values[maybe_float] = pc.replace_substring_regex(
                text.filter(pa.array(maybe_float)), r"^(\d+)\.0+$", r"\1") \
                .to_numpy(zero_copy_only=False)
        texts[pos] = np.where(kept, values, None)
        status[pos] = np.where(kept, OK, np.where(blank, MISSING, INVALID))
    objects = _values_of(uniques) if len(groups["str"]) < n else None
    if len(groups["num"]):
        pos = groups["num"]
        texts[pos] = _number_ids(objects[pos])
        status[pos] = np.where(pd.isna(texts[pos]), INVALID, OK)
    if len(groups["datetime"]):
        pos = groups["datetime"]
        texts[pos] = [pd.Timestamp(v).isoformat(sep=" ").removesuffix(" 00:00:00")
                      for v in objects[pos]]
        status[pos] = OK
    for p in groups["other"]:
        texts[p], status[p] = str(objects[p]).strip() or None, OK
    return texts, status


def _number_ids(numbers: np.ndarray) -> np.ndarray:
    """Numbers -> id texts: whole numbers without decimals, exactly; None for inf."""
    kind = pd.api.types.infer_dtype(numbers, skipna=False)
    if kind == "integer":
        try:
            ints = numbers.astype(np.int64)
        except OverflowError:
            return np.array([str(int(v)) for v in numbers], dtype=object)
        return pa.array(ints).cast(pa.string()).to_numpy(zero_copy_only=False)
    if kind != "floating":
        return np.array([_number_id(v) for v in numbers], dtype=object)
    floats = np.asarray(numbers, dtype=float)
    whole = np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < 2**63)
    out = np.full(len(floats), None, dtype=object)
    if whole.any():
        out[whole] = pa.array(floats[whole].astype(np.int64)).cast(pa.string()) \
            .to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~whole & np.isfinite(floats)):
        out[i] = _number_id(numbers[i])
    return out


def _number_id(value) -> str | None:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    value = float(value)
    if not np.isfinite(value):
        return None
    return str(int(value)) if value.is_integer() else repr(value)
