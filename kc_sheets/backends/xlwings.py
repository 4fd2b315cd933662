"""The xlwings backend: the backend protocol on a live Excel workbook (an ``xw.Book``).

Reading: each tab is read once, through its used range with xlwings' ``raw`` converter (no
per-cell cleaning in Python). The values are then normalised column by column: empty strings
become empty cells, Windows error codes become their texts (``#N/A``...), the ISO date strings
of xlwings' remote clients become datetimes.

Writing: per block, at most one clear (the rows a longer previous run left below the block),
one copy of the block's *style row* over the rows written (so they carry the template's formats,
as in the .xlsx backend), and one write of all its values. Screen updating is off and
calculation manual while writing; both are restored afterwards, even on error.

Text must stay text. Excel reads every string it receives through ``Range.Value`` as if it were
typed: ``=HYPERLINK(...)`` would become a live formula, ``00123`` the number 123, ``TRUE`` a
boolean, ``2024-01`` a date. Two ways keep it text, each where it is safe:

- **Columns the template formats as Text** (``@``: customer and order ids, periods, the raw
  values of set-aside rows): the written cells are given the Text format again just before the
  values (one request per run of such columns, so a format the user changed cannot let a value
  be parsed), and the text goes as it is. Excel does not parse what a Text cell receives, and
  in a Text cell a leading apostrophe is not a prefix: it would stay visible, part of the value.
- **Every other cell** (General or number formats: headers, labels, mixed columns): a leading
  apostrophe, Excel's own "this is text" prefix, which is not part of the value there.

xlwings passes strings through unchanged on every engine (Windows COM, macOS AppleScript, the
remote clients' ``setValues``). Numbers, booleans and dates are passed as Python values, never as
text (a number in a Text cell stays a number).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.backends.protocol import BlockWrite, TabWrite
from kc_sheets.xlsx.cell_xml import MAX_CELL_TEXT
from kc_sheets.xlsx.sheet_xml import block_region
from kc_sheets.cells import repoint_ranges
from kc_sheets.errors import KcError
from kc_sheets.i18n import register
from kc_sheets.templates import printing
from kc_sheets.ingest.transactions import RawTable

register({
    "xlw.no_tab": ("onglet « {name} » introuvable dans le classeur ouvert. Onglets : {tabs}.",
                   "tab '{name}' not found in the open workbook. Tabs: {tabs}."),
    "xlw.no_template": (
        "ce classeur n'a pas les onglets du modèle. Ouvrez le classeur créé par « kc-sheets "
        "excel quickstart » et collez vos commandes dans son onglet « Raw Data ».",
        "this workbook lacks the template's tabs. Open the workbook made by 'kc-sheets excel "
        "quickstart' and paste your orders into its 'Raw Data' tab."),
    "xlw.too_big": (
        "onglet « {tab} » : {rows} lignes sur {cols} colonnes ne tiennent pas dans une feuille "
        "Excel (au plus {max_rows} lignes à cet endroit). Rien n'a été écrit : réduisez les "
        "données de Raw Data (par ex. une période plus courte).",
        "tab '{tab}': {rows} rows over {cols} columns do not fit in an Excel sheet (at most "
        "{max_rows} rows there). Nothing was written: reduce the Raw Data (e.g. a shorter "
        "period)."),
})
MAX_ROWS, MAX_COLS = 1_048_576, 16_384

# Error values as Windows COM returns them with the raw converter (VT_ERROR codes).
COM_ERRORS = {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?",
              -2146826288: "#NULL!", -2146826252: "#NUM!", -2146826265: "#REF!",
              -2146826273: "#VALUE!"}
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
def text_value(text: str) -> str | None:
    """A string as Excel must receive it to keep it text (None for an empty string).

    >>> text_value("00123"), text_value("=1+1"), text_value("")
    ("'00123", "'=1+1", None)
    """
    text = text[:MAX_CELL_TEXT]
    return "'" + text if text else None


def cell_value(value: object) -> object:
    """A Python value xlwings writes as it is: None, bool, int, float, datetime or quoted text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return None
        return (stamp.tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()
    return text_value(str(value))


def plain_text_value(value: object) -> object:
    """A value for a cell formatted as Text: text as it is (Excel does not parse it there)."""
    if isinstance(value, str):
        return value[:MAX_CELL_TEXT] or None
    if isinstance(value, (int, float, bool, np.number, np.bool_, dt.date, np.datetime64)) or (
            value is None or value is pd.NaT or value is pd.NA):
        return cell_value(value)
    return str(value)[:MAX_CELL_TEXT] or None


def frame_rows(frame: pd.DataFrame, width: int, plain: frozenset[int] = frozenset()
               ) -> list[list[object]]:
    """The frame as rows of cell values, padded with empty cells to ``width`` columns; the
    text of the ``plain`` columns (formatted as Text) goes without an apostrophe."""
    columns = []
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if series.dtype.kind in "iub" and not series.hasnans:
            columns.append(series.tolist())
        elif series.dtype.kind == "f":
            columns.append([v if math.isfinite(v) else None for v in series.tolist()])
        else:
            convert = plain_text_value if i in plain else cell_value
            columns.append([convert(v) for v in series.astype(object).tolist()])
    pad = [None] * max(0, width - len(columns))
    return [list(row) + pad for row in zip(*columns)] if columns else [
        list(pad) for _ in range(len(frame))]


def _normalise_column(values: np.ndarray) -> np.ndarray:
    """Raw cell values of one column as ingest expects them (see the module docstring)."""
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    types = set(kinds)
    if str in types:
        where = np.flatnonzero(kinds == str)
        texts = pa.array(values[where].tolist(), pa.large_string())
        values[where[pc.equal(texts, "").to_numpy(zero_copy_only=False)]] = None
        iso = where[pc.match_substring_regex(texts, _ISO.pattern).to_numpy(zero_copy_only=False)]
        if len(iso):
            stamps = pd.to_datetime(pd.Series(values[iso]), utc=True, format="ISO8601")
            values[iso] = stamps.dt.tz_localize(None).dt.to_pydatetime()
    if int in types:
        errors = np.array([type(v) is int and v in COM_ERRORS for v in values], dtype=bool)
        values[errors] = [COM_ERRORS[v] for v in values[errors]]
    if any(issubclass(t, dt.datetime) for t in types):   # COM: pywintypes, tz-aware
        values[:] = [dt.datetime(v.year, v.month, v.day, v.hour, v.minute, v.second,
                                 v.microsecond) if isinstance(v, dt.datetime) and
                     (type(v) is not dt.datetime or v.tzinfo is not None) else v
                     for v in values]
    return values


def _is_empty(value: object) -> bool:
    return value is None or (type(value) is str and value == "")


def trim_empty(rows: list[list[object]]) -> list[list[object]]:
    """The used range without its trailing empty rows and columns.

    Excel's used range also covers cells that were emptied (the Delete key) or only formatted;
    they come back as None (COM) or "" (remote clients). Like the .xlsx path, which stops at the
    last cell holding a value, they are not data. Empty rows *between* data rows are kept (the
    .xlsx path reads them too, and ingest lists them as blank rows).

    >>> trim_empty([["a", "", None], ["", "b", ""], ["", None, ""], [None, "", ""]])
    [['a', ''], ['', 'b']]
    """
    last_row = next((i for i in range(len(rows) - 1, -1, -1)
                     if not all(map(_is_empty, rows[i]))), -1)
    rows = rows[:last_row + 1]
    width = max((next((j + 1 for j in range(len(r) - 1, -1, -1) if not _is_empty(r[j])), 0)
                 for r in rows), default=0)
    return [r[:width] for r in rows]


class XlwingsBook:
    """An open Excel workbook seen through the backend protocol."""

    def __init__(self, book, lang: str = "fr") -> None:
        self.book = book
        self.lang = lang
        self._values: dict[str, tuple[int, int, list[list[object]]]] = {}
        self._names: list[str] | None = None

    # ------------------------------------------------------------------ reading

    def sheet_names(self) -> list[str]:
        if self._names is None:     # one round trip to Excel; tabs do not change meanwhile
            self._names = [sheet.name for sheet in self.book.sheets]
        return list(self._names)

    def _sheet(self, tab: str):
        names = self.sheet_names()
        if tab not in names:
            raise KcError("xlw.no_tab", lang=self.lang, name=tab, tabs=", ".join(names) or "-")
        return self.book.sheets[tab]

    def prefetch(self, tabs: list[str]) -> None:
        """Read each tab once: its used range, raw values, with where it starts."""
        for tab in tabs:
            if tab in self._values:
                continue
            used = self._sheet(tab).used_range
            values = used.options("raw").value
            if not isinstance(values, (list, tuple)):
                values = [[values]]            # one cell: a scalar (COM, AppleScript)
            elif values and not isinstance(values[0], (list, tuple)):
                values = [values]              # one row: a flat list
            self._values[tab] = (used.row, used.column, trim_empty([list(r) for r in values]))

    def read_rows(self, tab: str) -> list[list[object]]:
        """A small tab as rows of values from A1 (row 1 is index 0), empty cells as None."""
        self.prefetch([tab])
        top, left, rows = self._values[tab]
        pad = [None] * (left - 1)
        return [[] for _ in range(top - 1)] + [
            pad + [None if v == "" else v for v in row] for row in rows]

    def read_raw(self, tab: str) -> RawTable:
        """The tab as a table: first non-empty row = headers, the rows below = data."""
        self.prefetch([tab])
        top, left, rows = self._values[tab]
        self._values.pop(tab)   # the frame below is the only copy kept
        index = next((i for i, r in enumerate(rows)
                      if any(v not in (None, "") for v in r)), None)
        if index is None:
            return RawTable(pd.DataFrame(), (), 2, 1, tab, self._date1904())
        header_row = rows[index]
        offset = next(i for i, v in enumerate(header_row) if v not in (None, ""))
        width = max(len(r) for r in rows[index:]) - offset
        data = np.empty((len(rows) - index - 1, width), dtype=object)
        for i, row in enumerate(rows[index + 1:]):
            if len(row) > offset:
                data[i, :len(row) - offset] = row[offset:]
        columns = {f"c{i}": _normalise_column(data[:, i]) for i in range(width)}
        frame = pd.DataFrame(columns, dtype=object)
        headers = tuple("" if v is None else str(v).strip() for v in header_row[offset:])
        headers += ("",) * (width - len(headers))
        return RawTable(frame, headers, top + index + 1, left + offset, tab, self._date1904())

    def _date1904(self) -> bool:
        try:    # Windows COM; other engines do not say (dates then come as dates anyway)
            return bool(self.book.api.Date1904)
        except Exception:
            return False

    # ------------------------------------------------------------------ writing

    def refresh_layout(self, template, lang: str) -> bool:
        """The open workbook's layout is its template's: nothing to refresh."""
        return False

    adds_tabs = False     # a live workbook's tabs are the user's: none is added

    def ensure_tabs(self, template, lang: str) -> "XlwingsBook":
        raise KcError("xlw.no_template", lang=lang)

    def write(self, writes: list[TabWrite]) -> Path:
        """Write every block; screen updating off and manual calculation meanwhile.

        Everything that can refuse is checked before the first change (every target tab
        exists, every block fits in a sheet): a refused write leaves the workbook as it was."""
        plans = []
        for tab_write in writes:                       # every tab first: no half-written book
            self._sheet(tab_write.tab)
        for tab_write in writes:
            sheet = self._sheet(tab_write.tab)
            used = sheet.used_range
            last_row = used.row + used.shape[0] - 1
            plans.append((sheet, tab_write, [_plan_block(w, last_row, tab_write.tab, self.lang)
                                             for w in tab_write.blocks]))
        app = self.book.app
        screen, calculation = _setting(app, "screen_updating", True), \
            _setting(app, "calculation", "automatic")
        try:
            app.screen_updating = False
            app.calculation = "manual"
            for sheet, tab_write, blocks in plans:
                counts = {plan.name: plan.apply(sheet) for plan in blocks}
                _update_charts(sheet, tab_write, counts)
                _set_print_area(sheet, tab_write, self.lang)
        finally:
            app.calculation = calculation
            app.screen_updating = screen
        return Path(self.book.fullname)


def _set_print_area(sheet, tab_write: TabWrite, lang: str) -> None:
    """The printed pages end where the results end (as the .xlsx backend does)."""
    if tab_write.spec is None:
        return
    area = printing.setup(tab_write.spec, lang, printing.written_sizes(tab_write)).area_ref
    if area is not None:
        sheet.page_setup.print_area = area


def _setting(app, name: str, default: object) -> object:
    try:
        return getattr(app, name)
    except Exception:   # the remote engine cannot read them back
        return default


@dataclass
class BlockPlan:
    """What writing one block does, computed before anything is written."""

    write: BlockWrite
    rows: list[list[object]]
    top: int
    n: int
    clear: tuple[int, int, int, int] | None = None   # rows a longer previous run left
    styled: int = 0                                  # rows given the style row's formats
    text_cells: tuple[tuple[int, int, int, int], ...] = ()   # given the Text format first

    @property
    def name(self) -> str:
        return self.write.block.name

    def apply(self, sheet) -> int:
        """Clear, copy the style row down, write the values; returns the block's data rows."""
        block, region = self.write.block, block_region(self.write)
        if self.clear is not None:
            sheet.range(self.clear[:2], self.clear[2:]).clear()
        if self.styled:
            _copy_styles(sheet, self.write, block.first_data_row, self.styled)
        for top, left, bottom, right in self.text_cells:
            sheet.range((top, left), (bottom, right)).number_format = "@"
        col = region.first_col
        sheet.range((self.top, col)).value = self.rows
        return self.n


def _plan_block(write: BlockWrite, last_row: int, tab: str, lang: str) -> BlockPlan:
    """The cells a block writes, its clear and its style copy (nothing is sent to Excel)."""
    block, frame = write.block, write.frame
    region = block_region(write)
    if block.layout == "fields":
        row = frame.iloc[0] if len(frame) else pd.Series(dtype=object)
        values = [[(plain_text_value if c.fmt == "text" else cell_value)(row.get(c.key))
                   if c.key in row.index else None] for c in block.columns]
        texts = _runs([i for i, c in enumerate(block.columns) if c.fmt == "text"])
        return BlockPlan(write, values, block.anchor_row, 1, text_cells=tuple(
            (block.anchor_row + a, region.first_col, block.anchor_row + b, region.first_col)
            for a, b in texts))
    width = region.last_col - region.first_col + 1
    first = block.first_data_row
    n = len(frame) if block.fixed_height is None else min(len(frame), block.fixed_height)
    height = block.fixed_height if block.fixed_height is not None else max(n, 1)
    if first + height - 1 > MAX_ROWS or region.last_col > MAX_COLS:
        raise KcError("xlw.too_big", lang=lang, tab=tab, rows=n, cols=width,
                      max_rows=MAX_ROWS - first + 1)
    plain = frozenset(i for i in range(width) if _column_format(block, i) == "text")
    rows = frame_rows(frame.iloc[:n], width, plain)
    rows += [[None] * width for _ in range(height - len(rows))]
    text_cells = tuple((first, region.first_col + a, first + height - 1, region.first_col + b)
                       for a, b in _runs(sorted(plain)))
    top = first
    if write.header is not None:
        header = [text_value(str(h)) for h in write.header]
        rows.insert(0, header + [None] * (width - len(header)))
        top = block.anchor_row
    clear, styled = None, 0
    if block.fixed_height is None and last_row >= first + height:
        clear = (first + height, region.first_col, last_row, region.last_col)
    if block.fixed_height is None:
        styled = height
    elif block.dynamic_header:
        # The template styles only the first row of a block as wide as the data (churn
        # tables): every row written takes its formats, as in the .xlsx path.
        styled = max(n, 1)
    return BlockPlan(write, rows, top, n, clear, styled, text_cells)


def _column_format(block, i: int) -> str | None:
    """The template's number format of a block's ``i``-th column (its extra columns' too)."""
    if i < len(block.columns):
        return block.columns[i].fmt
    if i < len(block.columns) + block.extra_width:
        return block.extra_fmt
    return None


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted indexes, as (first, last)."""
    out: list[tuple[int, int]] = []
    for i in indexes:
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _copy_styles(sheet, write: BlockWrite, first: int, height: int) -> None:
    """Give the written rows the formats of the style row, column by column over the block's
    reserved width (a triangle's period columns keep their percent format and colour scale);
    columns written past that width take the last reserved column's."""
    block = write.block
    last_reserved = block.anchor_col + block.width - 1
    last_written = block.anchor_col + write.frame.shape[1] - 1
    last_styled = min(max(last_written, block.anchor_col + len(block.columns) - 1),
                      last_reserved)
    if height > 1:
        sheet.range((first, block.anchor_col), (first, last_styled)).copy(
            sheet.range((first + 1, block.anchor_col), (first + height - 1, last_styled)))
    if last_written > last_reserved:
        sheet.range((first, last_reserved)).copy(
            sheet.range((first, last_reserved + 1), (first + height - 1, last_written)))
        if write.header is not None:
            row = block.anchor_row
            sheet.range((row, last_reserved)).copy(
                sheet.range((row, last_reserved + 1), (row, last_written)))


def series_formula(formula: str, tab: str, blocks: dict[int, int]) -> str:
    """A chart series formula pointed at the rows written (see :func:`repoint_ranges`)."""
    return repoint_ranges(formula, tab, blocks)


def _update_charts(sheet, tab_write: TabWrite, counts: dict[str, int]) -> None:
    """Point the tab's charts at the rows written (Excel desktop; a chart is never worth a
    failed Calculate, so any engine that cannot do it is skipped)."""
    blocks = {w.block.first_data_row: counts.get(w.block.name, 0) for w in tab_write.blocks
              if w.block.layout == "table" and w.block.fixed_height is None}
    if not blocks:
        return
    try:
        charts = list(sheet.charts)
    except Exception:
        return
    for chart in charts:
        try:
            collection = chart.api[1].SeriesCollection()
            for i in range(1, collection.Count + 1):
                series = collection.Item(i)
                series.Formula = series_formula(series.Formula, tab_write.tab, blocks)
        except Exception:
            continue
