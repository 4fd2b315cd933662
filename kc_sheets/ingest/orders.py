"""Orders from lines: rows that share an order id are the lines of one order.

Exports such as Shopify's put the order date, customer and total on the first line only; the
order takes the first non-empty date and customer of its lines and the sum of their amounts.
Without an order id column each row is an order. An order whose amount is negative is a refund
or credit note: it counts in net revenue but is not a purchase.

Groups are integer codes (0, 1, 2… by first appearance); the helpers find each group's first
row by position, which is quicker than grouping text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.ingest.parsing import IdCodes


def _order_labels(order_ids: IdCodes | None, rows: np.ndarray, first_row: int):
    """The order id of each of ``rows`` (positions), as a "str" array; "#<sheet row>" for a
    row without one.

    Only a label: it may equal a real id, so orders are grouped by codes, never by this text.

    >>> from kc_sheets.ingest.parsing import parse_id_codes
    >>> ids = parse_id_codes(pd.Series(["#3", None, "#3"]))
    >>> _order_labels(ids, np.array([0, 1, 2]), 2).tolist()
    ['#3', '#3', '#3']
    """
    if order_ids is None:
        return pd.array(_row_keys(rows + first_row), dtype="str")
    codes = order_ids.codes[rows]
    missing = codes < 0
    texts = order_ids.texts.take(pa.array(codes, mask=missing))
    if missing.any():
        texts = pc.replace_with_mask(texts, pa.array(missing),
                                     _row_keys(rows[missing] + first_row))
    return pd.array(texts, dtype="str")


def _row_keys(rows: np.ndarray) -> pa.Array:
    """Labels "#<sheet row>" of ``rows`` (sheet row numbers), as pyarrow strings."""
    numbers = pa.array(rows.astype(np.int64)).cast(pa.large_string())
    return pc.utf8_replace_slice(numbers, 0, 0, "#")


def _first_positions(codes: np.ndarray, valid: np.ndarray, size: int) -> np.ndarray:
    """For each group code in 0..size-1, the position of its first valid row (-1 if none)."""
    idx = np.flatnonzero(valid)
    first = np.full(size, len(codes), dtype=np.intp)
    np.minimum.at(first, codes[idx], idx)
    first[first == len(codes)] = -1
    return first


def _first_per_group(codes: np.ndarray, values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """For each group code, the first valid value in row order (NaT, or -1 for integer codes,
    where none)."""
    size = codes.max() + 1 if len(codes) and codes.max() >= 0 else 0
    first = _first_positions(codes, valid & (codes >= 0), size)
    missing = np.datetime64("NaT") if values.dtype.kind == "M" else -1
    return _take(values, first, missing)


def _take(per_group: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """Each row's group value (``missing`` where the code is -1)."""
    if len(per_group) == 0:
        out = np.empty(len(codes), dtype=per_group.dtype)
        out[:] = missing
        return out
    out = per_group[np.maximum(codes, 0)]
    out = out.copy()
    out[codes < 0] = missing
    return out


def build_orders(lines: pd.DataFrame, codes: np.ndarray | None = None) -> pd.DataFrame:
    """One row per order from the used lines (sum of amounts, first non-empty of the rest).

    ``codes`` optionally numbers the orders of ``lines`` by first appearance, as
    ``pd.factorize(lines["order_id"])`` would. Ingest passes them: they keep a row without order
    id apart from a real order whose id equals its "#<row>" label.

    >>> lines = pd.DataFrame({"row": [2, 3, 4], "order_id": ["A", "A", "B"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-06"]),
    ...     "customer_id": ["c1", "c1", "c2"], "amount": [10.0, 2.5, -4.0]})
    >>> build_orders(lines)[["order_id", "amount", "lines", "is_refund"]].values.tolist()
    [['A', 12.5, 2, False], ['B', -4.0, 1, True]]
    """
    if lines.empty:
        return pd.DataFrame({"order_id": pd.Series(dtype="str"),
                             "order_date": pd.Series(dtype="datetime64[ns]"),
                             "customer_id": pd.Series(dtype="str"),
                             "amount": pd.Series(dtype=float),
                             "first_row": pd.Series(dtype="int64"),
                             "lines": pd.Series(dtype="int64"),
                             "is_refund": pd.Series(dtype=bool)})
    if codes is None:
        codes = pd.factorize(lines["order_id"], sort=False)[0]
    codes = _by_first_appearance(np.asarray(codes))
    if codes[-1] == len(lines) - 1 and _typed_as_ingest(lines):
        return _one_line_orders(lines)
    size = int(codes.max()) + 1
    first = _first_positions(codes, np.ones(len(codes), dtype=bool), size)
    grouped = lines.groupby(codes, sort=False)   # groups in code order: first appearance
    customer = _first_non_empty(lines["customer_id"], codes, size, grouped)
    orders = pd.DataFrame({
        "order_id": _column_values(lines["order_id"].iloc[first].astype("str")),
        "order_date": grouped["order_date"].first().to_numpy(),
        "customer_id": _column_values(customer.astype("str")),
        "amount": grouped["amount"].sum().round(2).to_numpy(),
        "first_row": grouped["row"].min().to_numpy(),
        "lines": grouped.size().to_numpy(),
    })
    orders["is_refund"] = orders["amount"] < 0
    for key in ("quantity", "discount"):
        if key in lines:
            orders[key] = grouped[key].sum(min_count=1).to_numpy()
    for key in ("country", "city", "channel", "store", "email"):
        if key in lines:
            orders[key] = _column_values(_first_non_empty(lines[key], codes, size, grouped))
    return orders


def _by_first_appearance(codes: np.ndarray) -> np.ndarray:
    """``codes`` renumbered 0, 1, 2… by first appearance, as ``pd.factorize`` numbers them.

    >>> _by_first_appearance(np.array([5, 5, 2, 5])).tolist(), _by_first_appearance(
    ...     np.array([3, 3, 8, 9])).tolist()
    ([0, 0, 1, 0], [0, 0, 1, 2])
    """
    if not len(codes):
        return codes.astype(np.intp)
    step = np.diff(codes)
    if (step >= 0).all():   # sorted (one line per order, or the lines of an order together)
        return np.concatenate([[0], np.cumsum(step > 0)]).astype(np.intp)
    before = np.maximum.accumulate(codes)
    if codes[0] == 0 and (codes >= 0).all() and (codes[1:] <= before[:-1] + 1).all():
        return codes
    return pd.factorize(codes)[0]


_INGEST_KINDS = {"row": "i", "amount": "f", "quantity": "f", "discount": "f"}


def _typed_as_ingest(lines: pd.DataFrame) -> bool:
    """Whether the numbers of ``lines`` have the dtypes ingest gives them."""
    return all(lines[key].dtype.kind == kind for key, kind in _INGEST_KINDS.items()
               if key in lines)


def _one_line_orders(lines: pd.DataFrame) -> pd.DataFrame:
    """Orders when every order has one line: the lines themselves, as grouping would give them
    (a sum of one amount is that amount, or 0 for NaN; the first value is the value)."""
    amount = lines["amount"].to_numpy()
    orders = pd.DataFrame({
        "order_id": _column_values(lines["order_id"].astype("str")),
        "order_date": lines["order_date"].to_numpy(),
        "customer_id": _column_values(lines["customer_id"].astype("str")),
        "amount": np.where(np.isnan(amount), 0.0, amount).round(2),   # a sum skips NaN
        "first_row": lines["row"].to_numpy(),
        "lines": np.ones(len(lines), dtype=np.int64),
    })
    orders["is_refund"] = orders["amount"] < 0
    for key in ("quantity", "discount"):
        if key in lines:
            orders[key] = lines[key].to_numpy()
    for key in ("country", "city", "channel", "store", "email"):
        if key in lines:
            orders[key] = _column_values(lines[key])
    return orders


def _first_non_empty(series: pd.Series, codes: np.ndarray, size: int, grouped) -> pd.Series:
    """Each group's first non-empty value: ``grouped[series.name].first()``, taken by position
    for text (quicker than grouping text)."""
    if series.dtype != "str":
        return grouped[series.name].first()
    first = _first_positions(codes, series.notna().to_numpy(), size)
    return pd.Series(series.array.take(first, allow_fill=True))


def _column_values(series: pd.Series):
    """What assigning ``series.to_numpy()`` to a column stores, without an object round trip
    for text (object values with text become "str")."""
    if series.dtype == "str" and series.notna().any():
        return series.array
    return series.to_numpy()
