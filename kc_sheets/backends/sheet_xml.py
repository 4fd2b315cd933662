"""Rewrite the cells of blocks inside one worksheet XML part, keeping everything else.

A block owns a rectangle: its columns, from its first data row down to a fixed number of rows,
or to the end of the sheet for tables whose length depends on the data. Writing a block clears
its rectangle (so a run on less data leaves no stale rows) and writes the new values with the
styles the template put there: each written cell takes the style of the cell that was at the same
place, or else of the block's *style row* (its first data row).

Values are written as values, never formulas: text goes in inline strings (``t="inlineStr"``),
so ``=HYPERLINK(...)`` read from Raw Data stays the text ``=HYPERLINK(...)``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lxml import etree

from kc_sheets.backends.protocol import BlockWrite
from kc_sheets.cells import col_letter, parse_ref, serial, serials

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_C = f"{{{NS}}}c"
_ROW = f"{{{NS}}}row"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CELL_TEXT = 32767


@dataclass(frozen=True)
class Region:
    first_row: int
    last_row: int | None   # None: to the end of the sheet
    first_col: int
    last_col: int

    def contains(self, row: int, col: int) -> bool:
        return (row >= self.first_row and (self.last_row is None or row <= self.last_row)
                and self.first_col <= col <= self.last_col)


def block_region(write: BlockWrite) -> Region:
    """The rectangle a block owns (header row included when the header is written)."""
    block = write.block
    first = block.anchor_row if write.header is not None else block.first_data_row
    width = max(block.width, write.frame.shape[1] if block.layout == "table" else 0)
    col = block.anchor_col + (1 if block.layout == "fields" else 0)
    last_col = block.anchor_col + width - 1
    height = block.fixed_height
    last = None if height is None else block.first_data_row + height - 1
    return Region(first, last, col, last_col)


def escape_text(text: str) -> str:
    text = _INVALID_XML.sub("", text)[:MAX_CELL_TEXT]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, style: str, text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape_text(text)}</t></is></c>'


def _column_cells(values: pd.Series, first_row: int, col: int, styles: list[str],
                  date1904: bool) -> list[str]:
    """XML of one column's cells, row after row; empty values give styled empty cells.

    Numbers, dates and booleans are formatted by numpy in one pass; only text goes cell by
    cell (it needs escaping)."""
    letter = col_letter(col)
    rows = range(first_row, first_row + len(values))
    kind = values.dtype.kind
    if kind in "fiuM":
        if kind == "M":
            numbers = serials(values.to_numpy(dtype="datetime64[ns]"), date1904)
        else:
            numbers = values.to_numpy()
        texts = numbers.astype(str).tolist()
        present = np.isfinite(numbers).tolist() if kind in "fM" else [True] * len(texts)
        return [f'<c r="{letter}{r}"{s}><v>{v}</v></c>' if ok else f'<c r="{letter}{r}"{s}/>'
                for r, s, v, ok in zip(rows, styles, texts, present)]
    if kind == "b":
        return [f'<c r="{letter}{r}"{s} t="b"><v>{int(v)}</v></c>'
                for r, s, v in zip(rows, styles, values.tolist())]
    out = []
    for r, s, value in zip(rows, styles, values.astype(object).tolist()):
        if isinstance(value, str):
            out.append(_text_cell(f"{letter}{r}", s, value))
        else:
            out.append(_value_cell(f"{letter}{r}", s, value, date1904))
    return out


def _value_cell(ref: str, style: str, value: object, date1904: bool) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f'<c r="{ref}"{style}><v>{int(value)}</v></c>'
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return f'<c r="{ref}"{style}/>'
        return f'<c r="{ref}"{style}><v>{float(value)!r}</v></c>'
    if isinstance(value, (dt.date, np.datetime64)):
        number = serial(value, date1904)
        return f'<c r="{ref}"{style}/>' if number is None else \
            f'<c r="{ref}"{style}><v>{number!r}</v></c>'
    return _text_cell(ref, style, str(value))


class SheetEditor:
    """One worksheet part, parsed once; blocks are written into it, then it is serialised."""

    def __init__(self, xml: bytes, date1904: bool = False) -> None:
        self.root = etree.fromstring(xml)
        self.date1904 = date1904
        self.sheet_data = self.root.find(f"{{{NS}}}sheetData")
        if self.sheet_data is None:
            self.sheet_data = etree.SubElement(self.root, f"{{{NS}}}sheetData")
        self.rows: dict[int, etree._Element] = {}
        self.cells: dict[int, dict[int, etree._Element]] = {}
        row_number = 0
        columns: dict[str, int] = {}           # "AB" -> 28, parsed once per sheet
        for row in self.sheet_data.iterchildren(_ROW):
            row_number = int(row.get("r") or row_number + 1)
            row.set("r", str(row_number))
            self.rows[row_number] = row
            cells: dict[int, etree._Element] = {}
            col = 0
            for cell in row.iterchildren(_C):
                ref = cell.get("r")
                letters = ref.rstrip("0123456789") if ref else ""
                if letters and ref[len(letters):] == str(row_number):
                    col = columns.get(letters) or columns.setdefault(
                        letters, parse_ref(f"{letters}1")[1])
                else:                            # no reference, or another row's: rebuild it
                    col = parse_ref(ref)[1] if ref else col + 1
                    cell.set("r", f"{col_letter(col)}{row_number}")
                cells[col] = cell
            self.cells[row_number] = cells
        self.row_numbers = sorted(self.cells)
        self.new_cells: dict[int, dict[int, str]] = {}
        self.max_row_written: dict[str, int] = {}

    def style_at(self, row: int, col: int) -> str | None:
        cell = self.cells.get(row, {}).get(col)
        return cell.get("s") if cell is not None else None

    def write_block(self, write: BlockWrite) -> int:
        """Clear the block's region and write its values; returns the number of data rows."""
        block = write.block
        region = block_region(write)
        style_row = block.first_data_row
        snapshot: dict[tuple[int, int], str] = {}
        by_col: dict[int, dict[int, str]] = {}
        for r in self._rows_in(region):
            for c, cell in self.cells[r].items():
                style = cell.get("s")
                if style is not None and region.first_col <= c <= region.last_col:
                    snapshot[(r, c)] = style
                    by_col.setdefault(c, {})[r] = style
        self._clear(region)
        frame = write.frame
        if block.layout == "fields":
            values = frame.iloc[0] if len(frame) else pd.Series(index=frame.columns, dtype=object)
            col = block.anchor_col + 1
            for i, column in enumerate(block.columns):
                row = block.anchor_row + i
                style = _attr(snapshot.get((row, col)))
                value = values.get(column.key) if column.key in values.index else None
                self._put(row, col, _value_cell(f"{col_letter(col)}{row}", style,
                                                _plain(value), self.date1904))
            return 1
        last_fixed_col = block.anchor_col + len(block.columns) - 1
        if write.header is not None:
            for i, label in enumerate(write.header):
                col = block.anchor_col + i
                style = _attr(snapshot.get((block.anchor_row, col))
                              or snapshot.get((block.anchor_row, last_fixed_col)))
                self._put(block.anchor_row, col,
                          _text_cell(f"{col_letter(col)}{block.anchor_row}", style, str(label)))
        n = len(frame)
        if block.fixed_height is not None:
            n = min(n, block.fixed_height)
        rows_for_style = max(n, 1 if block.dynamic_header else block.fixed_height or 1)
        for i in range(frame.shape[1]):
            col = block.anchor_col + i
            base = snapshot.get((style_row, col)) or snapshot.get((style_row, last_fixed_col))
            styles = [_attr(base)] * rows_for_style
            for r, style in by_col.get(col, {}).items():
                if 0 <= r - style_row < rows_for_style:
                    styles[r - style_row] = _attr(style)
            cells = _column_cells(frame.iloc[:n, i], style_row, col, styles, self.date1904)
            new_cells = self.new_cells
            for row, xml in zip(range(style_row, style_row + n), cells):
                row_cells = new_cells.get(row)
                if row_cells is None:
                    row_cells = new_cells[row] = {}
                row_cells[col] = xml
            for k in range(n, rows_for_style):   # keep the style row (and fixed rows) styled
                self._put(style_row + k, col, f'<c r="{col_letter(col)}{style_row + k}"'
                                              f'{styles[k]}/>')
        for col in range(block.anchor_col + frame.shape[1], region.last_col + 1):
            for k in range(rows_for_style):
                style = _attr(snapshot.get((style_row + k, col)))
                if style:
                    self._put(style_row + k, col, f'<c r="{col_letter(col)}{style_row + k}"'
                                                  f'{style}/>')
        if block.autofilter:
            self._stretch_autofilter(block, n)
        return n

    def _stretch_autofilter(self, block, rows: int) -> None:
        """The filter buttons cover the header and every row written."""
        node = self.root.find(f"{{{NS}}}autoFilter")
        if node is not None:
            last = col_letter(block.anchor_col + block.width - 1)
            node.set("ref", f"{block.anchor}:{last}{block.first_data_row + max(rows, 1) - 1}")

    def _rows_in(self, region: Region) -> list[int]:
        """Numbers of the sheet's existing rows inside the region's rows."""
        start = bisect.bisect_left(self.row_numbers, region.first_row)
        stop = len(self.row_numbers) if region.last_row is None else bisect.bisect_right(
            self.row_numbers, region.last_row)
        return self.row_numbers[start:stop]

    def _clear(self, region: Region) -> None:
        for row in self._rows_in(region):      # to_bytes writes the cells left in self.cells
            cells = self.cells[row]
            for col in [c for c in cells if region.first_col <= c <= region.last_col]:
                del cells[col]
        for row, cells in self.new_cells.items():
            if row >= region.first_row and (region.last_row is None or row <= region.last_row):
                for col in [c for c in cells if region.first_col <= c <= region.last_col]:
                    del cells[col]

    def _put(self, row: int, col: int, xml: str) -> None:
        self.new_cells.setdefault(row, {})[col] = xml

    def to_bytes(self) -> bytes:
        """The worksheet XML with the written cells merged in, rows and cells in order."""
        marker = "KC_SHEETS_SHEETDATA_MARKER"
        kept_xml = {number: {c: _cell_xml(el) for c, el in cells.items()}
                    for number, cells in self.cells.items()}
        for row in list(self.sheet_data):
            self.sheet_data.remove(row)
        self.sheet_data.text = marker
        head = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                              standalone=True).decode("utf-8")
        parts: list[str] = []
        max_col = 1
        all_rows = sorted(set(self.rows) | {r for r, c in self.new_cells.items() if c})
        for number in all_rows:
            kept = dict(kept_xml.get(number, {}))
            kept.update(self.new_cells.get(number, {}))
            element = self.rows.get(number)
            attrs = "" if element is None else "".join(
                f' {_attr_name(k)}="{escape_text(v)}"' for k, v in element.attrib.items()
                if k not in ("r", "spans"))
            if not kept and not attrs:
                continue
            if kept:
                max_col = max(max_col, max(kept))
            parts.append(f'<row r="{number}"{attrs}>' + "".join(kept[c] for c in sorted(kept))
                         + "</row>")
        body = "".join(parts)
        head = head.replace(marker, body, 1)
        last_row = all_rows[-1] if all_rows else 1
        head = re.sub(r'<dimension ref="[^"]*"/>',
                      f'<dimension ref="A1:{col_letter(max_col)}{last_row}"/>', head, count=1)
        return head.encode("utf-8")


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _attr(style: str | None) -> str:
    return f' s="{style}"' if style else ""


def _attr_name(name: str) -> str:
    if name.startswith("{"):
        uri, local = name[1:].split("}", 1)
        prefixes = {"http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac": "x14ac",
                    "http://www.w3.org/XML/1998/namespace": "xml"}
        return f"{prefixes.get(uri, 'x14ac')}:{local}"
    return name


_CELL_NS = re.compile(r' xmlns(:\w+)?="[^"]*"')


def _cell_xml(element: etree._Element) -> str:
    text = etree.tostring(element, encoding="unicode", with_tail=False)
    return _CELL_NS.sub("", text)
