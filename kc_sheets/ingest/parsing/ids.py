"""Ids (order, customer) as text: 123, "123", 123.0 and " 123 " are all "123".

``parse_ids`` gives each row its id text; ``parse_id_codes`` gives each row an integer code into
the distinct ids (pyarrow strings), which is what ingest uses on a million rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.ingest.parsing.common import (
    _ERRORS, INVALID, MISSING, OK, Parsed, _blank_strings, _by_uniques, _factorize_distinct,
    _mask, _split_kinds, _status_series, _strings_of, _values_of,
)
from kc_sheets.ingest.parsing.objects import typed_column


def parse_ids(series: pd.Series) -> Parsed:
    """Ids as text: 123, "123", 123.0 and " 123 " are all "123"; blank is None.

    Whole numbers are written without decimals (exact for large integers), other numbers as
    Python writes them ("12.5"), text is kept as typed, only stripped. Error values (#N/A) and
    booleans are ``invalid`` (None).

    >>> parse_ids(pd.Series([123, "123", 123.0, " 123 ", None, 12.5])).values.tolist()
    ['123', '123', '123', '123', None, '12.5']
    """
    texts, status = _by_uniques(typed_column(series), lambda u, counts: _ids_of_uniques(u),
                                None)
    return Parsed(pd.Series(texts, index=series.index, dtype=object, copy=False),
                  _status_series(status, series.index))


@dataclass(frozen=True)
class IdCodes:
    """A column of ids as integer codes: rows with the same id have the same code.

    ``codes``: per row, the position of its id in ``texts``, or -1 where the row has no usable
    id (blank, error value, boolean). ``texts``: the ids (a pyarrow large_string array, each id
    once; an entry no code points to may be null). ``status``: per row, OK, MISSING or INVALID.

    >>> ids = parse_id_codes(pd.Series([" A7", 12.0, None, "A7", "12", "#N/A"]))
    >>> ids.codes.tolist(), ids.texts.to_pylist(), ids.status.tolist()
    ([0, 1, -1, 0, 1, -1], ['A7', '12'], [0, 0, 1, 0, 0, 2])
    >>> ids.text_array(np.array([1, -1])).tolist()
    ['12', nan]
    """

    codes: np.ndarray
    texts: pa.Array
    status: np.ndarray

    def text_array(self, codes: np.ndarray):
        """The ids at ``codes`` as a pandas "str" array (NaN where the code is -1)."""
        return pd.array(self.texts.take(pa.array(codes, mask=codes < 0)), dtype="str")


def parse_id_codes(series: pd.Series) -> IdCodes:
    """:func:`parse_ids` as integer codes into the distinct ids, without one Python string
    per row: grouping, comparing and counting ids is done on the codes.

    A value :func:`parse_ids` reads as ok but as no text (an object whose text is blank) is
    MISSING here.
    """
    codes, uniques, distinct = _factorize_distinct(typed_column(series))
    texts, status, merged = _id_texts(uniques)
    if distinct and not merged:   # distinct values give distinct ids: they are the codes
        ids = np.where(status == OK, np.arange(len(status)), -1)
    else:
        ids, texts = _sorted_id_codes(texts) or _hashed_id_codes(texts)
        status = np.where((ids < 0) & (status == OK), np.int8(MISSING), status)
    return IdCodes(np.append(ids, -1)[codes], texts,
                   np.append(status, np.int8(MISSING)).astype(np.int8)[codes])


def _hashed_id_codes(texts: pa.Array) -> tuple[np.ndarray, pa.Array]:
    encoded = pc.dictionary_encode(texts)
    ids = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return ids, encoded.dictionary


def _sorted_id_codes(texts: pa.Array) -> tuple[np.ndarray, pa.Array] | None:
    """Codes of ids found without hashing when they are sorted (nulls aside), as exports often
    are: by length then text ("999" before "1000"), ascending or descending. Equal ids are then
    neighbours, and each run of equal ids is one id. None when they are not sorted.

    >>> ids, texts = _sorted_id_codes(pa.array(["#9", "#10", None, "#10", "#11"]))
    >>> ids.tolist(), texts.to_pylist()
    ([0, 1, -1, 1, 2], ['#9', '#10', '#11'])
    >>> _sorted_id_codes(pa.array(["#9", "#10", "#9"])) is None
    True
    """
    valid = _mask(texts.is_valid())
    kept = texts.filter(pa.array(valid))
    if len(kept) < 2:
        return None
    before, after = kept[:-1], kept[1:]
    length = pc.binary_length(kept).to_numpy(zero_copy_only=False)
    longer = np.sign(np.diff(length))
    greater = np.where(longer == 0, _mask(pc.greater(after, before)).astype(np.int8)
                       - _mask(pc.less(after, before)), longer)   # -1, 0 (equal) or 1
    if (greater < 0).any() and (greater > 0).any():
        return None
    new = np.concatenate([[True], greater != 0])
    ids = np.full(len(texts), -1, dtype=np.intp)
    ids[valid] = np.cumsum(new) - 1
    return ids, kept.filter(pa.array(new))


def _id_texts(uniques):
    """Id texts of distinct values: (pyarrow large_string, null where not ok; status codes;
    whether two distinct values may have given the same text)."""
    if len(_split_kinds(uniques)["str"]) == len(uniques):
        return _text_ids(_strings_of(uniques, np.arange(len(uniques))))
    texts, status = _ids_of_uniques(uniques)
    return pa.array(texts, type=pa.large_string(), from_pandas=True), status, True


def _text_ids(strings: pa.Array):
    """Ids of texts: (ids, null where not ok; status codes; whether any text was changed)."""
    text = pc.utf8_trim_whitespace(strings)
    blank = _blank_strings(strings)
    error = _mask(pc.is_in(pc.utf8_upper(text), value_set=_ERRORS))
    kept = ~blank & ~error
    changed = pc.any(pc.not_equal(pc.binary_length(text), pc.binary_length(strings))).as_py()
    maybe_float = _mask(pc.and_(pc.ends_with(text, "0"), pc.match_substring(text, ".")))
    if maybe_float.any():  # "123.0" (an id that went through a float) -> "123"
        where = pa.array(maybe_float)
        text = pc.replace_with_mask(text, where, pc.replace_substring_regex(
            text.filter(where), r"^(\d+)\.0+$", r"\1"))
        changed = True
    ids = pc.if_else(pa.array(kept), text, pa.scalar(None, pa.large_string()))
    status = np.where(kept, OK, np.where(blank, MISSING, INVALID)).astype(np.int8)
    return ids, status, bool(changed)


def _ids_of_uniques(uniques):
    n = len(uniques)
    texts = np.full(n, None, dtype=object)
    status = np.full(n, INVALID, dtype=np.int8)
    groups = _split_kinds(uniques)
    if len(groups["str"]):
        pos = groups["str"]
        ids, status[pos], _ = _text_ids(_strings_of(uniques, pos))
        texts[pos] = ids.to_numpy(zero_copy_only=False)
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
