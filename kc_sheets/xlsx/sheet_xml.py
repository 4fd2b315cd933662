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
import math
import re
from typing import Iterator
from dataclasses import dataclass

import pandas as pd

from kc_sheets.backends.protocol import BlockWrite
from kc_sheets.cells import col_letter, parse_ref
from kc_sheets.xlsx.cell_xml import Run, _column_cells, _text_cell, _value_cell, \
    row_fragment_array

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_LAST_ROW = 1_048_576


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


FRAGMENT_ROWS = 2000


class SheetEditor:
    """One worksheet part; blocks are written into it, then it is serialised.

    The part is handled as text: rows are found once, and a row's cells are only parsed when a
    block needs them, so a second Calculate on a sheet of 500,000 rows does not build an XML
    tree of millions of cells. Rows of a long block below its style row that hold nothing but
    the block's own cells are dropped whole (their cells take the style row's look again)."""

    def __init__(self, xml: bytes, date1904: bool = False) -> None:
        text = xml.decode("utf-8")
        self.date1904 = date1904
        found = _SHEET_DATA.search(text)
        if found is None:                                    # no sheetData: add an empty one
            at = text.rindex("</worksheet>")
            text = text[:at] + "<sheetData/>" + text[at:]
            found = _SHEET_DATA.search(text)
        self.head, self.tail = text[:found.start()] + "<sheetData>", "</sheetData>" + text[
            found.end():]
        self.raw: dict[int, str] = {}             # row -> its cells' XML, not parsed yet
        self.attrs: dict[int, str] = {}           # row -> attributes other than r and spans
        row_number = 0
        for match in _ROW_XML.finditer(found.group(1) or ""):
            attrs, body = match.group(1), match.group(2) or ""
            number = _ROW_NUMBER.search(attrs)
            row_number = int(number.group(1)) if number else row_number + 1
            self.attrs[row_number] = _ROW_DROPPED_ATTRS.sub("", attrs)
            self.raw[row_number] = body
        self.row_numbers = sorted(self.raw)
        self.cells: dict[int, dict[int, str]] = {}          # parsed rows: column -> cell XML
        self.new_cells: dict[int, dict[int, str]] = {}   # row -> first column -> cell(s) XML
        self.widest = 0                     # last column of the multi-cell fragments written
        self.runs: list[Run] = []          # long tables: rows written as one Arrow array
        self.autofilter: str | None = None

    def _parsed(self, row: int, region: Region | None = None) -> dict[int, str]:
        """The row's cells by column. With ``region``: a row whose cells all lie in the
        region's columns is dropped unparsed (an empty dict)."""
        cells = self.cells.get(row)
        if cells is not None:
            return cells
        body = self.raw.pop(row, "")
        if region is not None and body:
            first, last = _FIRST_REF.search(body), _LAST_REF.search(body)
            if (first and last and region.first_col <= _col(first.group(1)) <= region.last_col
                    and region.first_col <= _col(last.group(1)) <= region.last_col):
                self.cells[row] = {}
                return self.cells[row]
        cells = {}
        col = 0
        for match in _CELL_XML.finditer(body):
            cell = match.group(0)
            ref = _REF.search(match.group(1))
            if ref and ref.group(2) == str(row):
                col = _col(ref.group(1))
            else:                                 # no reference, or another row's: rebuild it
                col = _col(ref.group(1)) if ref else col + 1
                new_ref = f' r="{col_letter(col)}{row}"'
                cell = (cell.replace(ref.group(0), new_ref, 1) if ref
                        else cell.replace("<c", "<c" + new_ref, 1))
            cells[col] = cell
        self.cells[row] = cells
        return cells

    def style_at(self, row: int, col: int) -> str | None:
        cell = self._parsed(row).get(col) if row in self.raw or row in self.cells else None
        return _style_of(cell) if cell is not None else None

    def write_block(self, write: BlockWrite) -> int:
        """Clear the block's region and write its values; returns the number of data rows."""
        block = write.block
        region = block_region(write)
        style_row = block.first_data_row
        keep_styles = block.first_data_row + (block.fixed_height or 1) - 1
        snapshot: dict[tuple[int, int], str] = {}
        by_col: dict[int, dict[int, str]] = {}
        for r in self._rows_in(region):
            cells = self._parsed(r, region if r > keep_styles else None)
            for c, cell in cells.items():
                if region.first_col <= c <= region.last_col:
                    style = _style_of(cell)
                    if style is not None:
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
        rows_for_style = max(n, 1)   # rows a run leaves empty keep no rule (nor gap)
        first_extra = block.anchor_col + len(block.columns)
        all_styles = []
        for i in range(frame.shape[1]):
            col = block.anchor_col + i
            base = (snapshot.get((style_row, col)) or snapshot.get((style_row, first_extra))
                    or snapshot.get((style_row, last_fixed_col)))
            styles = [_attr(base)] * rows_for_style
            for r, style in by_col.get(col, {}).items():
                if 0 <= r - style_row < rows_for_style:
                    styles[r - style_row] = _attr(style)
            all_styles.append(styles)
            for k in range(n, rows_for_style):   # keep the style row styled
                self._put(style_row + k, col, f'<c r="{col_letter(col)}{style_row + k}"'
                                              f'{styles[k]}/>')
        new_cells = self.new_cells
        if n >= FRAGMENT_ROWS and frame.shape[1]:   # long tables: one XML fragment per row,
            fragments = row_fragment_array(        # kept together as one run of rows
                frame.iloc[:n], style_row, block.anchor_col,
                [styles[:n] for styles in all_styles], self.date1904)
            self.runs.append(Run(style_row, block.anchor_col,
                                  block.anchor_col + frame.shape[1] - 1, fragments))
        else:
            for i, styles in enumerate(all_styles):
                col = block.anchor_col + i
                cells = _column_cells(frame.iloc[:n, i], style_row, col, styles, self.date1904)
                for row, xml in zip(range(style_row, style_row + n), cells):
                    row_cells = new_cells.get(row)
                    if row_cells is None:
                        row_cells = new_cells[row] = {}
                    row_cells[col] = xml
        # Reserved columns this run leaves empty: only the first keeps its style (the look of
        # any extra column a later run writes), so no rule runs past the table.
        first_unused = block.anchor_col + frame.shape[1]
        first_extra = block.anchor_col + len(block.columns)
        for col in range(first_unused, region.last_col + 1):
            for k in range(rows_for_style):
                style = _attr(snapshot.get((style_row + k, col)))
                if style and (col == first_extra or col <= last_fixed_col):
                    self._put(style_row + k, col, f'<c r="{col_letter(col)}{style_row + k}"'
                                                  f'{style}/>')
        if block.collapse and block.fixed_height is not None:
            self._collapse(style_row, max(n, 1), block.fixed_height)
        if block.autofilter:
            self._stretch_autofilter(block, n)
        return n

    def _collapse(self, first: int, shown: int, height: int) -> None:
        """Hide the rows of a fixed block this run leaves empty; show the others again."""
        for r in range(first, first + height):
            attrs = re.sub(r'\shidden="[^"]*"', "", self.attrs.get(r, ""))
            if r >= first + shown:
                attrs += ' hidden="1"'
                if r not in self.raw and r not in self.cells:
                    self.raw[r] = ""
                    bisect.insort(self.row_numbers, r)
            self.attrs[r] = attrs

    def _stretch_autofilter(self, block, rows: int) -> None:
        """The filter buttons cover the header and every row written."""
        last = col_letter(block.anchor_col + block.width - 1)
        self.autofilter = f"{block.anchor}:{last}{block.first_data_row + max(rows, 1) - 1}"

    def _rows_in(self, region: Region) -> list[int]:
        """Numbers of the sheet's existing rows inside the region's rows."""
        start = bisect.bisect_left(self.row_numbers, region.first_row)
        stop = len(self.row_numbers) if region.last_row is None else bisect.bisect_right(
            self.row_numbers, region.last_row)
        return self.row_numbers[start:stop]

    def _materialize(self, run: Run) -> None:
        """A run's rows as ordinary new cells (a later write shares its rows)."""
        self.runs = [r for r in self.runs if r is not run]
        for row, xml in zip(range(run.first_row, run.first_row + len(run.fragments)),
                            run.fragments.to_pylist()):
            self.new_cells.setdefault(row, {})[run.first_col] = xml
        self.widest = max(self.widest, run.last_col)

    def _clear(self, region: Region) -> None:
        for run in list(self.runs):
            if run.first_row <= (region.last_row or SHEET_LAST_ROW) and \
                    region.first_row <= run.last_row and run.first_col <= region.last_col and \
                    region.first_col <= run.last_col:
                self._materialize(run)
        for row in self._rows_in(region):      # to_bytes writes the cells left in self.cells
            cells = self._parsed(row)
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
        return b"".join(self.chunks())

    def chunks(self, rows_per_chunk: int = 2000) -> Iterator[bytes]:
        """The worksheet XML in pieces (the head, ``rows_per_chunk`` rows at a time, the tail),
        for the zip writer to compress as they come: a sheet of 500,000 rows is never held
        whole as XML. Each row's cells are let go once it is out. The editor is used up."""
        for run in list(self.runs):               # a run alone in its rows stays a run
            rows = range(run.first_row, run.last_row + 1)
            if not (set(rows).isdisjoint(self.raw) and set(rows).isdisjoint(self.cells)
                    and set(rows).isdisjoint(self.new_cells)
                    and all(not self.attrs.get(r, "").strip() for r in rows
                            if r in self.attrs)):
                self._materialize(run)
        runs = sorted(self.runs, key=lambda run: run.first_row)
        self.runs = []
        max_col = max([1, *(run.last_col for run in runs)])
        last_row = max([1, *(run.last_row for run in runs)])
        plan: list[tuple[int, str, object]] = []   # (row, attrs, body bytes or cells by column)
        all_rows = sorted(set(self.row_numbers) | {r for r, c in self.new_cells.items() if c})
        for number in all_rows:                     # first: what each row holds, the extent
            attrs = self.attrs.get(number, "")
            new = self.new_cells.pop(number, None)
            if number in self.raw and not new:            # untouched: copied as it was
                body = self.raw.pop(number)
                if body:
                    last = _LAST_REF.search(body)
                    max_col = max(max_col, _col(last.group(1)) if last else 1)
                elif not attrs.strip():
                    continue
                plan.append((number, attrs, body))
                last_row = max(last_row, number)
                continue
            if number in self.raw or number in self.cells:   # cells kept beside the new ones
                kept = self._parsed(number)
                self.cells.pop(number, None)
                if new:
                    kept.update(new)
            else:                                           # a new row: nothing to merge
                kept = new or {}
            if not kept and not attrs.strip():
                continue
            if kept:
                max_col = max(max_col, max(kept), self.widest)
            plan.append((number, attrs, kept))
            last_row = max(last_row, number)
        yield re.sub(r'<dimension ref="[^"]*"/>',
                     f'<dimension ref="A1:{col_letter(max_col)}{last_row}"/>', self.head,
                     count=1).encode()
        parts: list[bytes] = []
        for index, (number, attrs, content) in enumerate(plan):
            while runs and runs[0].first_row < number:      # a run's rows come before
                if parts:
                    yield b"".join(parts)
                    parts = []
                yield from runs.pop(0).chunks(rows_per_chunk)
            if isinstance(content, str):
                parts.append(f'<row r="{number}"{attrs}>{content}</row>'.encode())
            else:
                parts.append(f'<row r="{number}"{attrs}>'.encode() + b"".join(
                    content[c] if isinstance(content[c], bytes) else content[c].encode()
                    for c in sorted(content)) + b"</row>")
            plan[index] = None                      # let the row's cells go
            if len(parts) >= rows_per_chunk:
                yield b"".join(parts)
                parts = []
        if parts:
            yield b"".join(parts)
        for run in runs:
            yield from run.chunks(rows_per_chunk)
        tail = self.tail
        if self.autofilter:
            tail = re.sub(r'(<autoFilter\b[^>]*\bref=")[^"]*"', rf'\g<1>{self.autofilter}"',
                          tail, count=1)
        yield tail.encode()


_SHEET_DATA = re.compile(r"<sheetData\b[^>]*?(?:/>|>(.*?)</sheetData>)", re.S)
_ROW_XML = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_ROW_DROPPED_ATTRS = re.compile(r'\s(?:r|spans)="[^"]*"')
_CELL_XML = re.compile(r"<c\b([^>]*?)(?:/>|>.*?</c>)", re.S)
_REF = re.compile(r'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_FIRST_REF = re.compile(r'<c\b[^>]*?\br="([A-Z]+)\d+"')
_LAST_REF = re.compile(r'.*<c\b[^>]*?\br="([A-Z]+)\d+"', re.S)
_COLUMNS: dict[str, int] = {}


def _col(letters: str) -> int:
    """Column number of its letters (cached: a sheet has few distinct columns)."""
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = parse_ref(f"{letters}1")[1]
    return col


def _style_of(cell: str) -> str | None:
    head = cell[:cell.find(">") + 1]
    found = _STYLE.search(head)
    return found.group(1) if found else None


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _attr(style: str | None) -> str:
    return f' s="{style}"' if style else ""




