"""What every parser shares: :class:`Parsed`, the statuses, blanks, headers, error values, and
the factorize machinery (parse the distinct values of a column, then spread them back by codes;
object columns are typed or factorized by type first, see :mod:`kc_sheets.ingest.parsing.objects`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.ingest.parsing.objects import (
    _factorize_by_type, _kind_of_type, _of_types, _separate_booleans, typed_column,
)

STATUSES: tuple[str, ...] = ("ok", "missing", "invalid", "impossible")
OK, MISSING, INVALID, IMPOSSIBLE = range(4)
_STATUS_OBJECTS = np.array(STATUSES + ("missing",), dtype=object)  # code -1 -> "missing"

ERROR_VALUES: tuple[str, ...] = (
    "#N/A", "#NA", "#VALUE!", "#VALEUR!", "#DIV/0!", "#REF!", "#NAME?", "#NOM?", "#NUM!",
    "#NOMBRE!", "#NULL!", "#NUL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#ERROR!", "#N/D",
    # the dynamic-array and data-type errors of Excel 365, in English and in French
    "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
    "#TIMEOUT!", "#PROPAGATION!", "#CHAMP!", "#BLOQUÉ!", "#CONNEXION!", "#OCCUPÉ!",
    "#INCONNU!", "#EXTERNE!",
)
_ERRORS = pa.array(ERROR_VALUES, type=pa.large_string())


@dataclass(frozen=True)
class Parsed:
    """A parsed column: ``values`` (NaN/NaT/None where not ok) and ``status`` per row.

    >>> from kc_sheets.ingest.parsing import parse_amounts
    >>> p = parse_amounts(pd.Series(["12,50 €", "", "#N/A"]))
    >>> p.values.tolist()[0], p.status.tolist()
    (12.5, ['ok', 'missing', 'invalid'])
    """

    values: pd.Series
    status: pd.Series

    @property
    def ok(self) -> np.ndarray:
        """Boolean array: True where the status is ``ok``."""
        return np.asarray(self.status, dtype=object) == "ok"


def normalize_header(text: object) -> str:
    """A header as a comparable name: lower case, no accents, punctuation as single spaces.

    >>> normalize_header("Date d'achat"), normalize_header("N° commande")
    ('date d achat', 'n commande')
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return re.sub(r"[\W_]+", " ", s.lower()).strip()


def is_blank(series: pd.Series) -> pd.Series:
    """True where a cell is None, NaN, NaT, empty or only whitespace.

    >>> is_blank(pd.Series(["a", " ", None, 0])).tolist()
    [False, True, True, False]
    """
    series = typed_column(series)
    kind = _kind_of(series)
    if kind == "arrow_str":
        return pd.Series(_blank_strings(_arrow_strings(series.array)), index=series.index)
    if kind != "other":
        return series.isna().astype(bool)
    return pd.Series(_string_flags(series, _blank_strings, True), index=series.index)


def text_matches(series: pd.Series, pattern: str) -> np.ndarray:
    """Boolean array: True where a cell is text matching ``pattern`` (RE2 syntax, searched).

    >>> text_matches(pd.Series(["Total", "A1", 3]), r"(?i)^\\s*total").tolist()
    [True, False, False]
    """
    series = typed_column(series)
    kind = _kind_of(series)
    if kind in ("bool", "datetime", "number"):
        return np.zeros(len(series), dtype=bool)
    if kind == "arrow_str":   # matching every cell is quicker than finding the distinct ones
        return _mask(pc.match_substring_regex(_arrow_strings(series.array), pattern))
    return _string_flags(series, lambda s: _mask(pc.match_substring_regex(s, pattern)), False)


def _string_flags(series: pd.Series, flag, if_na: bool) -> np.ndarray:
    """A boolean per row from ``flag`` (pyarrow strings -> bool array) over the text cells;
    False for other cells, ``if_na`` for NA."""
    if series.dtype == object:   # mixed (not typed): flag every text cell, no need to factorize
        values = series.to_numpy(dtype=object)
        out = np.where(pd.isna(values), if_na, False)
        texts = _of_types(values, lambda kind: issubclass(kind, str), bool)
        if texts.any():
            out[texts] = flag(pa.array(values[texts], type=pa.large_string()))
        return out
    codes, uniques = _factorize(series)
    out = np.zeros(len(uniques) + 1, dtype=bool)
    out[-1] = if_na
    positions = _split_kinds(uniques)["str"]
    if len(positions):
        out[positions] = flag(_strings_of(uniques, positions))
    return out[codes]


# --------------------------------------------------------------------------------------------
# Shared machinery


def _kind_of(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return "arrow_str"
    return "other"


def _by_uniques(series: pd.Series, parse_uniques, missing_value):
    """Parse the distinct values of a column, then spread them back by codes."""
    codes, uniques = _factorize(series)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    values, status = parse_uniques(uniques, counts)
    values = np.append(values, np.array([missing_value], dtype=values.dtype))
    status = np.append(status, np.int8(MISSING))
    return values[codes], status[codes]   # code -1 (blank) takes the appended last entry


def _factorize(series: pd.Series):
    """Codes (-1 for NA) and distinct values: a pyarrow string array, or an array/Index.

    A column that is mostly distinct (order ids, timestamps) is not factorized: its non-NA
    values are its own "uniques".
    """
    codes, uniques, _ = _factorize_distinct(series)
    return codes, uniques


def _factorize_distinct(series: pd.Series):
    """:func:`_factorize`, plus whether the uniques are truly distinct (False when a mostly
    distinct column was left as it is)."""
    if _kind_of(series) == "arrow_str":
        array = _arrow_strings(series.array)
        if _mostly_distinct(array, len(array), lambda s: pc.count_distinct(
                array.take(pa.array(s))).as_py()):
            return np.where(_mask(array.is_valid()), np.arange(len(array)), -1), array, False
        encoded = pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
        return codes, encoded.dictionary.cast(pa.large_string()), True
    if series.dtype == object:
        factorized = _factorize_by_type(series.to_numpy(dtype=object))
        if factorized is not None:
            return factorized[0], pd.Index(factorized[1], dtype=object), True
        series = _separate_booleans(series)
        values = series.to_numpy(dtype=object)
        if _mostly_distinct(values, len(values), lambda s: len(pd.unique(values[s]))):
            valid = ~pd.isna(values)
            return np.where(valid, np.cumsum(valid) - 1, -1), values[valid], False
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, uniques, True


def _mostly_distinct(values, n: int, count_distinct) -> bool:
    """Whether a random sample suggests more than n/2 distinct values (birthday estimate)."""
    if n < 50_000:
        return False
    k = 4096
    sample = np.sort(np.random.default_rng(0).choice(n, size=k, replace=False))
    repeats = k - count_distinct(sample)
    return repeats < k * k / n   # about n/2 distinct values would give k*k/n repeats


def _split_kinds(uniques) -> dict[str, np.ndarray]:
    """Positions of the strings, numbers, datetimes, booleans and others among uniques."""
    n = len(uniques)
    empty = np.zeros(0, dtype=np.intp)
    out = {"str": empty, "num": empty, "datetime": empty, "bool": empty, "other": empty}
    every = np.arange(n)
    if isinstance(uniques, pa.Array) or isinstance(uniques.dtype, pd.StringDtype):
        return {**out, "str": every}
    for kind, test in (("bool", pd.api.types.is_bool_dtype),
                       ("num", pd.api.types.is_numeric_dtype),
                       ("datetime", pd.api.types.is_datetime64_any_dtype)):
        if test(uniques.dtype):
            return {**out, kind: every}
    objects = np.asarray(uniques, dtype=object)
    inferred = pd.api.types.infer_dtype(objects, skipna=False)
    if inferred == "string":
        return {**out, "str": every}
    if inferred in ("integer", "floating", "mixed-integer-float"):
        return {**out, "num": every}
    names = list(out)
    kinds = _of_types(objects, lambda kind: names.index(_kind_of_type(kind)), np.int8)
    return {name: np.flatnonzero(kinds == i) for i, name in enumerate(names)}


def _strings_of(uniques, positions: np.ndarray) -> pa.Array:
    """The string uniques at ``positions`` as a pyarrow large_string array."""
    if isinstance(uniques, pa.Array):
        return uniques
    if isinstance(uniques.dtype, pd.StringDtype) and uniques.dtype.storage == "pyarrow":
        return _arrow_strings(uniques.array)
    objects = np.asarray(uniques, dtype=object)[positions]
    return pa.array(objects, type=pa.large_string(), from_pandas=True)


def _arrow_strings(values) -> pa.Array:
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _values_of(uniques) -> np.ndarray:
    """Uniques (not a pyarrow array) as numpy: typed when they are, else object."""
    if isinstance(uniques, pd.Index) and uniques.hasnans is False and \
            pd.api.types.is_numeric_dtype(uniques.dtype):
        return uniques.to_numpy(dtype=uniques.dtype.numpy_dtype
                                if hasattr(uniques.dtype, "numpy_dtype") else None)
    return np.asarray(uniques, dtype=object)


def _blank_strings(strings: pa.Array) -> np.ndarray:
    """True where a string is null, empty or only whitespace."""
    empty = pc.equal(pc.binary_length(strings), 0)
    return ~_mask(pc.invert(pc.or_(empty, pc.utf8_is_space(strings))))


def _mask(array) -> np.ndarray:
    """A pyarrow boolean array as a numpy bool array (null -> False)."""
    return array.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _as_floats(uniques, positions: np.ndarray) -> np.ndarray:
    return _values_of(uniques)[positions].astype(float)


def _status_series(codes: np.ndarray, index) -> pd.Series:
    return pd.Series(_STATUS_OBJECTS[codes], index=index, dtype=object, copy=False)
