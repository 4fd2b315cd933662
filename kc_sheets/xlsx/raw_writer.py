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

from kc_sheets.xlsx.ooxml_zip import OoxmlPackage, atomic_write_package
from kc_sheets.xlsx.cell_xml import escape_text
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


WIDTH_SAMPLE = 5_000      # rows measured to size a column
MAX_WIDTH = 45.0


def column_widths(frame: pd.DataFrame, template: dict[int, float] | None = None) -> list[float]:
    """Widths (characters) that show each column whole: the template's width, or wider for
    longer values (measured on the first rows; dates need 10 characters, 16 with a time)."""
    widths = []
    head = frame.head(WIDTH_SAMPLE)
    for i, name in enumerate(frame.columns):
        values = head[name]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            timed = values.notna().any() and (values.dropna().dt.normalize() != values.dropna()
                                              ).any()
            longest = 19 if timed else 10
        else:
            texts = values.dropna().astype(str)
            longest = int(texts.str.len().max()) if len(texts) else 0
        longest = max(longest, len(str(name)))
        widths.append(min(MAX_WIDTH, max((template or {}).get(i + 1, 8.43), longest * 1.1 + 2)))
    return widths


def _cols_xml(widths: list[float]) -> str:
    return "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:.2f}" customWidth="1"/>'
                              for i, w in enumerate(widths, start=1)) + "</cols>"


def template_widths(sheet: bytes) -> dict[int, float]:
    """Column number -> width of a worksheet's ``<cols>``."""
    widths = {}
    for match in re.finditer(rb'<col\b([^>]*)/>', sheet):
        attrs = match.group(1)
        low, high, width = (re.search(rb'\b%s="([^"]*)"' % key, attrs) for key in
                            (b"min", b"max", b"width"))
        if low and high and width:
            for c in range(int(low.group(1)), min(int(high.group(1)), 200) + 1):
                widths[c] = float(width.group(1))
    return widths


_PRINT_PARTS = (rb"<printOptions\b[^>]*/>", rb"<pageMargins\b[^>]*/>", rb"<pageSetup\b[^>]*/>",
                rb"<headerFooter\b[^>]*?(?:/>|>.*?</headerFooter>)")


def print_settings(sheet: bytes) -> tuple[str, str]:
    """The template's ``<sheetPr>`` (fit to width) and its print elements (margins, page
    set-up, footer), kept when the tab's cells are replaced."""
    pr = re.search(rb"<sheetPr\b[^>]*?(?:/>|>.*?</sheetPr>)", sheet, re.S)
    parts = [re.sub(rb'\sr:id="[^"]*"', b"", m.group(0)) for pattern in _PRINT_PARTS
             for m in [re.search(pattern, sheet, re.S)] if m]    # (no printer settings part)
    return (pr.group(0).decode("utf-8") if pr else "",
            b"".join(parts).decode("utf-8"))


def sheet_xml(frame: pd.DataFrame, date_style: int,
              strings: SharedStrings | None = None, widths: list[float] | None = None,
              header_style: int | None = None, printing: tuple[str, str] = ("", "")) -> bytes:
    """A worksheet part holding ``frame`` with its column names as the header row (in
    ``header_style``), its columns ``widths`` wide."""
    if len(frame) + 1 > MAX_ROWS:
        raise ValueError(f"{len(frame)} rows do not fit in a sheet ({MAX_ROWS - 1} at most)")
    letters = [col_letter(i + 1) for i in range(frame.shape[1])]
    style = f' s="{header_style}"' if header_style else ""
    header = "".join(f'<c r="{letter}1"{style} t="inlineStr"><is><t>{escape_text(str(name))}'
                     f"</t></is></c>" for letter, name in zip(letters, frame.columns))
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
            f'{printing[0]}<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (_cols_xml(widths) if widths else "") + f'<sheetData><row r="1">{header}</row>')
    tail = f"</sheetData>{printing[1]}</worksheet>"
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
        old = pkg.read(part)
    strings = None
    if sst is not None:
        strings = SharedStrings(len(re.findall(rb"<si[ >/]", sst)))
    first = re.search(rb'<c\b[^>]*\br="A1"[^>]*>', old)
    header_style = re.search(rb'\bs="(\d+)"', first.group(0)) if first else None
    replace = {part: sheet_xml(frame, date_style, strings,
                               column_widths(frame, template_widths(old)),
                               int(header_style.group(1)) if header_style else None,
                               print_settings(old)),
               "xl/styles.xml": styles}
    if strings is not None:
        replace["xl/sharedStrings.xml"] = strings.extend(sst)
    target = Path(out) if out else workbook
    atomic_write_package(workbook, target, replace)
    return target
