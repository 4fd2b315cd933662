"""Object columns, as Google Sheets (JSON) and xlwings (COM) give them: Python ints, floats,
texts, booleans and datetimes, mixed.

Looking at each value in Python is slow (and hashing a million mixed objects is too), so object
columns are handled by the Python type of their values, each distinct type looked at once:
:func:`typed_column` turns a column whose values are all of one kind into the typed column that
parses the same, and :func:`_factorize_by_type` factorizes a mixed column with its texts and its
numbers apart, vectorised.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_ARROW_STR = pd.StringDtype("pyarrow", na_value=np.nan)
_EXACT_INTS = 2.0 ** 53   # every integer smaller in size is exactly a float


class _BoolCell:
    """Stands for a boolean cell in a mixed column, so that True is not merged with 1."""

    def __init__(self, value: bool) -> None:
        self.value = value


_TRUE_CELL, _FALSE_CELL = _BoolCell(True), _BoolCell(False)


def typed_column(series: pd.Series) -> pd.Series:
    """An object column whose cells are all of one kind, as the typed column that parses the
    same: text -> "str", numbers -> int64 or float64, dates and datetimes -> datetime64[ns].

    Typed, a column is parsed with vectorised operations rather than value by value. Mixed
    columns (numbers and text, booleans…) and columns that typing would change (time zones,
    years datetime64[ns] cannot hold, integers from 2**53 up among floats or blanks) are
    returned as they are, as are columns that are not object.

    >>> typed_column(pd.Series(["A1", None], dtype=object)).dtype
    <StringDtype(na_value=nan)>
    >>> typed_column(pd.Series([1, None, 2.5], dtype=object)).dtype
    dtype('float64')
    >>> typed_column(pd.Series(["A1", 7], dtype=object)).dtype
    dtype('O')
    """
    if series.dtype != object or not len(series):
        return series
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    try:
        if inferred == "string":
            return series.astype(_ARROW_STR)
        if inferred in ("integer", "floating", "mixed-integer-float"):
            return _typed_numbers(series, inferred)
        if inferred in ("datetime", "date", "datetime64"):
            return series.astype("datetime64[ns]")   # refuses time zones and far years
    except (TypeError, ValueError, OverflowError):
        pass
    return series


def _typed_numbers(series: pd.Series, inferred: str) -> pd.Series:
    """Numbers as int64 (integers without blanks) or float64 (when no integer changes)."""
    if inferred == "integer" and not series.isna().any():
        return series.astype(np.int64)    # OverflowError past int64
    floats = series.astype(float)
    if inferred != "floating" and not _exact_floats(floats.to_numpy()):
        return series
    return floats


def _exact_floats(floats: np.ndarray) -> bool:
    """Whether floats made from integers are those integers (NaN aside): all below 2**53."""
    with np.errstate(invalid="ignore"):
        return bool((np.isnan(floats) | (np.abs(floats) < _EXACT_INTS)).all())


def _separate_booleans(series: pd.Series) -> pd.Series:
    """Replace True/False in a mixed object column by markers (factorize merges True and 1)."""
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if not inferred.startswith("mixed"):
        return series
    values = series.to_numpy(dtype=object)
    flags = _of_types(values, lambda kind: issubclass(kind, (bool, np.bool_)), bool)
    if not flags.any():
        return series
    values = values.copy()
    values[flags] = np.where(values[flags].astype(bool), _TRUE_CELL, _FALSE_CELL)
    return pd.Series(values, index=series.index, dtype=object)


def _kind_of_type(kind: type) -> str:
    """The kind ("bool", "str", "num", "datetime" or "other") of the values of a Python type."""
    if issubclass(kind, (bool, np.bool_, _BoolCell)):
        return "bool"
    if issubclass(kind, str):
        return "str"
    if issubclass(kind, (int, float, np.integer, np.floating, Decimal)):
        return "num"
    if issubclass(kind, (dt.date, np.datetime64)):
        return "datetime"
    return "other"


class _PerType(dict):
    """``of_type(kind)`` by Python type, each computed the first time its type is met."""

    def __init__(self, of_type) -> None:
        super().__init__()
        self.of_type = of_type

    def __missing__(self, kind: type):
        value = self[kind] = self.of_type(kind)
        return value


def _of_types(objects: np.ndarray, of_type, dtype) -> np.ndarray:
    """``of_type(type(v))`` for each object ``v``, computed once per distinct type.

    >>> _of_types(np.array([1, "a", 2.5, "b"], dtype=object), lambda k: k is str, bool).tolist()
    [False, True, False, True]
    """
    per_type = _PerType(of_type)
    return np.fromiter(map(per_type.__getitem__, map(type, objects)), dtype=dtype,
                       count=len(objects))


_BLANK, _TEXT, _NUMBER, _OTHER, _UNKNOWN = range(5)
_NUMBER_TYPES = (int, float, np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
                 np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
# hashable values that equal no text and no number (booleans are apart from 1 and 0 here)
_OTHER_TYPES = (bool, np.bool_, _BoolCell, dt.datetime, pd.Timestamp, dt.date, dt.time)


def _group_of_type(kind: type) -> int:
    if kind is type(None) or kind is type(pd.NA) or kind is type(pd.NaT):
        return _BLANK
    if kind is str:
        return _TEXT
    if kind in _NUMBER_TYPES:
        return _NUMBER
    return _OTHER if kind in _OTHER_TYPES else _UNKNOWN


def _factorize_by_type(values: np.ndarray):
    """Codes and distinct values of a mixed object array, with its texts, its numbers and its
    other values factorized apart, vectorised: the codes and the distinct values (each the first
    of its equals) of ``pd.factorize``, except that booleans are never merged with 1 and 0.

    None, to let pandas do it, when a value is of another type (Decimal, numpy datetimes…), a
    text pyarrow cannot hold, or a number a float does not hold exactly.

    >>> codes, uniques = _factorize_by_type(
    ...     np.array(["a", 1, None, 1.0, "a", True, 2.5], dtype=object))
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, -1, 1, 0, 2, 3], ['a', 1, True, 2.5])
    """
    n = len(values)
    group = _of_types(values, _group_of_type, np.int8)
    if (group == _UNKNOWN).any():
        return None
    codes = np.full(n, -1, dtype=np.intp)
    firsts = []   # per group, the position of the first row of each of its codes
    offset = 0
    for g in (_TEXT, _NUMBER, _OTHER):
        rows = np.flatnonzero(group == g)
        if not len(rows):
            continue
        local = _factorize_group(values[rows], g)
        if local is None:
            return None
        # codes are numbered by first appearance: a row is the first of its code when its code
        # is above every code before it
        new = local > np.concatenate([[-1], np.maximum.accumulate(local)[:-1]])
        firsts.append(rows[new])
        seen = local >= 0
        codes[rows[seen]] = local[seen] + offset
        offset += int(new.sum())
    first = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.intp)
    order = np.argsort(first, kind="stable")   # all groups together, by first appearance
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    valid = codes >= 0
    codes[valid] = rank[codes[valid]]
    return codes, values[first[order]]


def _factorize_group(values: np.ndarray, group: int) -> np.ndarray | None:
    """Codes, by first appearance (-1 for NaN), of texts, numbers or other values."""
    if group == _TEXT:
        try:
            strings = pa.array(values, type=pa.large_string())
        except (pa.ArrowException, UnicodeError):
            return None
        return pc.dictionary_encode(strings).indices.to_numpy().astype(np.intp)
    if group == _NUMBER:
        try:
            floats = values.astype(float)
        except OverflowError:
            return None
        if not _exact_floats(floats):
            return None
        return pd.factorize(floats, use_na_sentinel=True)[0].astype(np.intp)
    return pd.factorize(values, use_na_sentinel=True)[0].astype(np.intp)
