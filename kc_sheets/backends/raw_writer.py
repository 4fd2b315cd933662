"""Fill the Raw Data tab of a workbook with a table, fast (demo, sample data, benchmarks).

This is how a user's paste looks in the file: text cells, numbers, and dates as date-formatted
serial numbers. The sheet XML is generated column by column with vectorised string operations,
so a 1,048,575-row table is written in seconds (openpyxl would need minutes).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from kc_sheets.backends.ooxml_zip import OoxmlPackage, atomic_write_package
from kc_sheets.backends.sheet_xml import escape_text
from kc_sheets.backends.xlsx import XlsxBook
from kc_sheets.cells import col_letter, serials

MAX_ROWS = 1_048_576


def _date_style(styles: bytes) -> tuple[bytes, int]:
    """styles.xml with one more cell format (built-in date format 14), and its index."""
    match = re.search(rb'<cellXfs count="(\d+)">', styles)
    if not match:
        raise ValueError("styles.xml has no cellXfs")
    count = int(match.group(1))
    xf = b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
    styles = styles.replace(match.group(0), f'<cellXfs count="{count + 1}">'.encode(), 1)
    styles = styles.replace(b"</cellXfs>", xf + b"</cellXfs>", 1)
    return styles, count


def _column_xml(values: pd.Series, letter: str, date_style: int,
                text_only: bool = False, strings: "SharedStrings | None" = None) -> pd.Series:
    """One XML cell per row (empty string for an empty cell)."""
    rows = pd.Series(np.arange(2, len(values) + 2)).astype(str)
    ref = f'<c r="{letter}' + rows
    kind = values.dtype.kind
    if kind == "M":
        ns = values.to_numpy(dtype="datetime64[ns]")
        text = pd.Series(serials(ns)).map(repr)
        out = ref + f'" s="{date_style}"><v>' + text + "</v></c>"
        return out.where(~np.isnat(ns), "")
    if kind in "iuf":
        numbers = pd.Series(values.to_numpy(dtype=float))
        text = numbers.map(lambda v: repr(int(v)) if v.is_integer() else repr(v))
        out = ref + '"><v>' + text + "</v></c>"
        return out.where(np.isfinite(numbers.to_numpy()), "")
    objects = values.astype(object)
    if kind == "O" and not text_only:
        is_number = objects.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                                and not isinstance(v, bool)).to_numpy(dtype=bool)
        is_date = objects.map(lambda v: isinstance(v, (dt.date, np.datetime64))).to_numpy(
            dtype=bool)
        if is_number.any() or is_date.any():
            out = _column_xml(objects.where(~is_number & ~is_date, None), letter, date_style,
                              text_only=True, strings=strings)
            if is_number.any():
                numbers = pd.to_numeric(objects.where(is_number, np.nan), errors="coerce")
                out = out.where(~is_number, _column_xml(numbers.astype(float), letter,
                                                        date_style))
            if is_date.any():
                dates = pd.to_datetime(objects.where(is_date, None), errors="coerce")
                out = out.where(~is_date, _column_xml(dates, letter, date_style))
            return out
    missing = objects.isna().to_numpy()
    codes, uniques = pd.factorize(objects.where(~missing, "").astype(str))
    if strings is None:
        text = pd.Series([escape_text(u) for u in uniques], dtype=object).take(codes)
        text = text.reset_index(drop=True)
        out = ref + '" t="inlineStr"><is><t xml:space="preserve">' + text + "</t></is></c>"
    else:
        index = pd.Series([str(strings.add(u)) for u in uniques], dtype=object).take(codes)
        out = ref + '" t="s"><v>' + index.reset_index(drop=True) + "</v></c>"
    empty = np.asarray([u == "" for u in uniques], dtype=bool)[codes] if len(codes) else missing
    return out.where(~missing & ~empty, "")


class SharedStrings:
    """Texts appended to a workbook's shared string table (how Excel stores text cells)."""

    def __init__(self, existing: int) -> None:
        self.start = existing
        self.index: dict[str, int] = {}

    def add(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = self.start + len(self.index)
        return self.index[text]

    def extend(self, sst: bytes) -> bytes:
        items = "".join(f'<si><t xml:space="preserve">{escape_text(s)}</t></si>'
                        for s in self.index).encode("utf-8")
        total = self.start + len(self.index)
        sst = re.sub(rb'count="\d+"', f'count="{total}"'.encode(), sst, count=1)
        sst = re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{total}"'.encode(), sst, count=1)
        if sst.rstrip().endswith(b"/>"):     # an empty table: <sst .../>
            sst = re.sub(rb"\s*/>\s*$", b">" + items + b"</sst>", sst.rstrip())
            return sst
        return sst.replace(b"</sst>", items + b"</sst>", 1)


def sheet_xml(frame: pd.DataFrame, date_style: int,
              strings: SharedStrings | None = None) -> bytes:
    """A worksheet part holding ``frame`` with its column names as the header row."""
    if len(frame) + 1 > MAX_ROWS:
        raise ValueError(f"{len(frame)} rows do not fit in a sheet ({MAX_ROWS - 1} at most)")
    letters = [col_letter(i + 1) for i in range(frame.shape[1])]
    header = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>{escape_text(str(name))}</t></is>'
                     f"</c>" for letter, name in zip(letters, frame.columns))
    body = pd.Series([""] * len(frame), dtype=object)
    for letter, name in zip(letters, frame.columns):
        body = body + _column_xml(frame[name].reset_index(drop=True), letter, date_style,
                                  strings=strings)
    numbers = pd.Series(np.arange(2, len(frame) + 2)).astype(str)
    rows = '<row r="' + numbers + '">' + body + "</row>"
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<sheetData><row r="1">{header}</row>')
    tail = "</sheetData></worksheet>"
    return (head + "".join(rows.tolist()) + tail).encode("utf-8")


def fill_raw_data(workbook: Path | str, frame: pd.DataFrame, out: Path | str | None = None,
                  tab: str = "Raw Data") -> Path:
    """Replace the content of ``tab`` with ``frame`` (header row + one row per frame row)."""
    workbook = Path(workbook)
    book = XlsxBook(workbook)
    part = book._require(tab)
    with OoxmlPackage(workbook) as pkg:
        styles, date_style = _date_style(pkg.read("xl/styles.xml"))
        sst = pkg.read("xl/sharedStrings.xml") if pkg.has("xl/sharedStrings.xml") else None
    strings = None
    if sst is not None:
        strings = SharedStrings(len(re.findall(rb"<si[ >/]", sst)))
    replace = {part: sheet_xml(frame, date_style, strings), "xl/styles.xml": styles}
    if strings is not None:
        replace["xl/sharedStrings.xml"] = strings.extend(sst)
    target = Path(out) if out else workbook
    atomic_write_package(workbook, target, replace)
    return target
