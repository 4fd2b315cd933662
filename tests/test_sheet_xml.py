"""Long blocks are written as one XML fragment per row, built by Arrow; the cells must be exactly
those the cell-by-cell writer makes, whatever the values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.backends.sheet_xml import _column_cells, row_fragments

TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
    ["=HYPERLINK(\"x\")", " lead", "trail ", "a & b <c>", "line\nbreak", "\x01ctrl", "00123"]))
FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from([0.1, 1e20, -3.0, 12.5]))
MIXED = st.one_of(TEXT, FLOAT, st.integers(-10**6, 10**6),
                  st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 1, 1)))


def slow_rows(frame: pd.DataFrame, styles: list[list[str]]) -> list[str]:
    columns = [_column_cells(frame.iloc[:, i], 7, 3 + i, styles[i], False)
               for i in range(frame.shape[1])]
    return ["".join(column[r] for column in columns) for r in range(len(frame))]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fragments_equal_cell_by_cell(data) -> None:
    n = data.draw(st.integers(1, 12))
    frame = pd.DataFrame({
        "text": data.draw(st.lists(TEXT, min_size=n, max_size=n)),
        "str": pd.array(data.draw(st.lists(TEXT, min_size=n, max_size=n)), dtype="str"),
        "float": data.draw(st.lists(FLOAT, min_size=n, max_size=n)),
        "int": np.array(data.draw(st.lists(st.integers(-10**9, 10**9), min_size=n,
                                            max_size=n)), dtype=np.int64),
        "bool": data.draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "date": pd.to_datetime(pd.Series(data.draw(st.lists(st.one_of(st.none(), st.datetimes(
            dt.datetime(1990, 1, 1), dt.datetime(2030, 1, 1))), min_size=n, max_size=n)),
            dtype="datetime64[ns]")),
        "mixed": pd.Series(data.draw(st.lists(MIXED, min_size=n, max_size=n)), dtype=object),
    })
    styles = [data.draw(st.lists(st.sampled_from(["", ' s="1"', ' s="12"']), min_size=n,
                                 max_size=n)) for _ in frame.columns]
    assert row_fragments(frame, 7, 3, styles, False) == [
        row.encode() for row in slow_rows(frame, styles)]
