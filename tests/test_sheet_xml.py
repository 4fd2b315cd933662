"""Long blocks are written as one XML fragment per row, built by Arrow; the cells must be exactly
those the cell-by-cell writer makes, whatever the values."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.xlsx.cell_xml import _column_cells, row_fragments

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


def test_error_cells_are_found_with_any_prefix_and_attribute_order(tmp_path) -> None:
    """Error values (t="e") in sheet XML as writers really produce it: plain, with a namespace
    prefix (<x:c>), attributes in any order, after a formula; a cell without a value never
    borrows the next cell's."""
    import zipfile

    from kc_sheets.backends.xlsx import error_cells

    xml = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<x:sheetData><x:row r="2"><x:c r="A2" t="e"><x:v>#N/A</x:v></x:c>'
           '<x:c t="e" s="3" r="B2"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c>'
           '<x:c r="C2" t="e"/><x:c r="D2"><x:v>5</x:v></x:c></x:row>'
           '<x:row r="3"><c r="E3" t="e"><f t="shared" si="0"/><v>#SPILL!</v></c>'
           '<c r="F3" t="n"><v>1</v></c></x:row></x:sheetData></x:worksheet>')
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    assert error_cells(path, "xl/worksheets/sheet1.xml") == {
        (2, 1): "#N/A", (2, 2): "#DIV/0!", (3, 5): "#SPILL!"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**14, 10**14).map(lambda c: c / 100),
                          st.floats(allow_nan=True, allow_infinity=True)), min_size=1,
                max_size=30))
def test_number_texts_read_back_as_the_same_double(values) -> None:
    """Whole cents are written from integers, everything else by repr: always what repr says."""
    from kc_sheets.xlsx.cell_xml import number_texts

    numbers = np.array(values, dtype=float)
    finite = np.isfinite(numbers)
    texts = number_texts(numbers).to_pylist()
    assert [t for t, ok in zip(texts, finite) if ok] == [repr(float(v)) for v in numbers[finite]]


def test_long_tables_written_as_runs_equal_cell_by_cell(tmp_path, monkeypatch) -> None:
    """The all-in-one workbook calculated with long tables kept as Arrow runs of rows (the
    RFM customer list, the cohort table) is byte for byte the one written cell by cell."""
    import zipfile

    from kc_sheets import sample_data
    from kc_sheets.calculate import calculate
    from kc_sheets.templates import get
    from kc_sheets.xlsx import sheet_xml
    from kc_sheets.xlsx.raw_writer import fill_raw_data
    from kc_sheets.xlsx.render import build

    source = tmp_path / "source.xlsx"
    build(get("all-in-one"), source, "fr")
    fill_raw_data(source, sample_data.generate(rows=12_000, seed=3))
    parts = {}
    fragment_rows = sheet_xml.FRAGMENT_ROWS
    for name, fragment_rows in (("runs", fragment_rows), ("cells", 10**9)):
        monkeypatch.setattr(sheet_xml, "FRAGMENT_ROWS", fragment_rows)
        book = tmp_path / f"{name}.xlsx"
        book.write_bytes(source.read_bytes())
        calculate(book)
        with zipfile.ZipFile(book) as zf:
            parts[name] = {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")}
    assert parts["runs"].keys() == parts["cells"].keys()
    long = [n for n, xml in parts["runs"].items() if xml.count(b"<row ") > 2 * 2000]
    assert len(long) >= 2                      # Raw Data, and at least the RFM customer list
    for name in parts["runs"]:
        # the run stamp (duration, time) differs between two runs: compare the rest
        a, b = (re.sub(rb"Dernier calcul[^<]*", b"", parts[k][name]) for k in ("runs", "cells"))
        if b"Date du calcul" in a:               # the quality tab: its run stamp
            a, b = (re.sub(rb"<v>[0-9.]+</v>", b"", x) for x in (a, b))
        assert a == b, name
