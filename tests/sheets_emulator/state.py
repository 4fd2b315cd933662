"""In-memory spreadsheets: properties, sheets, a sparse grid of CellData per sheet, and the objects
a sheet carries (merges, charts, conditional formats, protected ranges, banding, filters,
developer metadata, dimension properties).

``Spreadsheet.clone()`` is cheap (rows are copied on first write), so a batch can be applied to a
clone and committed only when every request succeeded.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Iterator

from . import a1 as a1mod
from .cells import python_number
from .errors import CELL_LIMIT, ApiError, invalid
from .formulas import FormulaError, Unsupported, evaluate

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26


@dataclass
class Sheet:
    properties: dict
    rows: dict[int, dict[int, dict]] = field(default_factory=dict)
    merges: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    conditional_formats: list[dict] = field(default_factory=list)
    protected_ranges: list[dict] = field(default_factory=list)
    banded_ranges: list[dict] = field(default_factory=list)
    basic_filter: dict | None = None
    filter_views: list[dict] = field(default_factory=list)
    developer_metadata: list[dict] = field(default_factory=list)
    row_metadata: dict[int, dict] = field(default_factory=dict)
    column_metadata: dict[int, dict] = field(default_factory=dict)
    _owned: set[int] = field(default_factory=set, repr=False)

    # -- properties ---------------------------------------------------------------------------
    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def grid(self) -> dict:
        return self.properties.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        return self.grid.get("rowCount", 0)

    @property
    def column_count(self) -> int:
        return self.grid.get("columnCount", 0)

    @property
    def is_grid(self) -> bool:
        return self.properties.get("sheetType", "GRID") == "GRID"

    # -- cells ----------------------------------------------------------------------------------
    def cell(self, row: int, col: int) -> dict | None:
        found = self.rows.get(row)
        return found.get(col) if found else None

    def _row_for_write(self, row: int) -> dict[int, dict]:
        if row not in self._owned:
            self.rows[row] = dict(self.rows.get(row, {}))
            self._owned.add(row)
        return self.rows[row]

    def set_cell(self, row: int, col: int, cell: dict | None) -> None:
        target = self._row_for_write(row)
        if cell:
            target[col] = cell
        else:
            target.pop(col, None)
            if not target:
                del self.rows[row]
                self._owned.discard(row)

    def stored_rows(self, r0: int, r1: int) -> Iterator[tuple[int, dict[int, dict]]]:
        """(row index, {col: cell}) for the stored rows in [r0, r1), in order."""
        rows = self.rows
        keys = range(r0, r1) if r1 - r0 <= len(rows) else sorted(k for k in rows if r0 <= k < r1)
        for r in keys:
            row = rows.get(r)
            if row:
                yield r, row

    def clone(self) -> "Sheet":
        twin = copy.copy(self)
        for name in ("properties", "merges", "charts", "conditional_formats", "protected_ranges",
                     "banded_ranges", "basic_filter", "filter_views", "developer_metadata",
                     "row_metadata", "column_metadata"):
            setattr(twin, name, copy.deepcopy(getattr(self, name)))
        twin.rows = dict(self.rows)
        twin._owned = set()
        self._owned = set()
        return twin

    # -- dimensions -----------------------------------------------------------------------------
    def insert(self, dimension: str, start: int, count: int) -> None:
        """Insert ``count`` rows or columns before ``start`` and shift everything after."""
        self._shift(dimension, lambda i: i + count if i >= start else i)
        key = "rowCount" if dimension == "ROWS" else "columnCount"
        self.grid[key] = self.grid.get(key, 0) + count
        for gr in self._ranges():
            _shift_range(gr, dimension, start, count)

    def delete(self, dimension: str, start: int, end: int) -> None:
        count = end - start
        if dimension == "ROWS":
            self.rows = {r: row for r, row in self.rows.items() if not start <= r < end}
        else:
            self.rows = {r: {c: v for c, v in row.items() if not start <= c < end}
                         for r, row in self.rows.items()}
            self.rows = {r: row for r, row in self.rows.items() if row}
        self._owned = set()
        meta = self.row_metadata if dimension == "ROWS" else self.column_metadata
        for i in [i for i in meta if start <= i < end]:
            del meta[i]
        self._shift(dimension, lambda i: i - count if i >= end else i)
        key = "rowCount" if dimension == "ROWS" else "columnCount"
        self.grid[key] = self.grid.get(key, 0) - count
        self.merges = [m for m in self.merges if _cut_range(m, dimension, start, end)]
        self.protected_ranges = [p for p in self.protected_ranges
                                 if "range" not in p or _cut_range(p["range"], dimension, start, end)]
        self.banded_ranges = [b for b in self.banded_ranges if _cut_range(b["range"], dimension, start, end)]
        for rule in self.conditional_formats:
            rule["ranges"] = [r for r in rule.get("ranges", []) if _cut_range(r, dimension, start, end)]
        self.conditional_formats = [r for r in self.conditional_formats if r["ranges"]]
        if self.basic_filter and not _cut_range(self.basic_filter["range"], dimension, start, end):
            self.basic_filter = None

    def _shift(self, dimension: str, move) -> None:
        if dimension == "ROWS":
            self.rows = {move(r): row for r, row in self.rows.items()}
            self.row_metadata = {move(i): v for i, v in self.row_metadata.items()}
        else:
            self.rows = {r: {move(c): v for c, v in row.items()} for r, row in self.rows.items()}
            self.column_metadata = {move(i): v for i, v in self.column_metadata.items()}
        self._owned = set()

    def _ranges(self) -> Iterator[dict]:
        yield from self.merges
        yield from (p["range"] for p in self.protected_ranges if "range" in p)
        yield from (b["range"] for b in self.banded_ranges)
        for rule in self.conditional_formats:
            yield from rule.get("ranges", [])
        if self.basic_filter:
            yield self.basic_filter["range"]

    def dimension_properties(self, dimension: str, index: int) -> dict:
        meta = self.row_metadata if dimension == "ROWS" else self.column_metadata
        default = {"pixelSize": 21 if dimension == "ROWS" else 100}
        return {**default, **meta.get(index, {})}


def _keys(dimension: str) -> tuple[str, str]:
    return ("startRowIndex", "endRowIndex") if dimension == "ROWS" else ("startColumnIndex", "endColumnIndex")


def _shift_range(gr: dict, dimension: str, start: int, count: int) -> None:
    lo, hi = _keys(dimension)
    if gr.get(lo, 0) >= start:
        gr[lo] = gr.get(lo, 0) + count
    if hi in gr and gr[hi] > start:
        gr[hi] += count


def _cut_range(gr: dict, dimension: str, start: int, end: int) -> bool:
    """Remove [start, end) from a GridRange in place; False when nothing of it is left."""
    lo, hi = _keys(dimension)
    a, b = gr.get(lo, 0), gr.get(hi)
    count = end - start

    def moved(i: int) -> int:
        return start if start <= i <= end else (i - count if i > end else i)

    new_a = moved(a)
    new_b = None if b is None else moved(b)
    if new_b is not None and new_b <= new_a:
        return False
    if lo in gr or new_a:
        gr[lo] = new_a
    if new_b is not None:
        gr[hi] = new_b
    return True


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    properties: dict
    sheets: list[Sheet] = field(default_factory=list)
    named_ranges: list[dict] = field(default_factory=list)
    developer_metadata: list[dict] = field(default_factory=list)
    recorded: list[dict] = field(default_factory=list)     # requests validated but not applied
    permissions: list[dict] = field(default_factory=list)  # Drive permissions

    @property
    def locale(self) -> str:
        return self.properties.get("locale", "en_US")

    def clone(self) -> "Spreadsheet":
        return Spreadsheet(self.spreadsheet_id, copy.deepcopy(self.properties),
                           [s.clone() for s in self.sheets], copy.deepcopy(self.named_ranges),
                           copy.deepcopy(self.developer_metadata), list(self.recorded),
                           copy.deepcopy(self.permissions))

    # -- lookup -------------------------------------------------------------------------------
    def titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        lowered = title.lower()
        return next((s for s in self.sheets if s.title.lower() == lowered), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def first_sheet(self) -> Sheet:
        return min(self.sheets, key=lambda s: s.properties.get("index", 0))

    def reindex(self) -> None:
        self.sheets.sort(key=lambda s: s.properties.get("index", 0))
        for i, sheet in enumerate(self.sheets):
            sheet.properties["index"] = i

    def cell_count(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets if s.is_grid)

    def check_cell_limit(self, limit: int, before: int) -> None:
        after = self.cell_count()
        if after > limit and after > before:
            raise ApiError(400, CELL_LIMIT.format(limit=limit))

    # -- ranges --------------------------------------------------------------------------------
    def locate(self, text: str) -> tuple[Sheet, int, int | None, int, int | None]:
        """A1 text (or a named range) -> (sheet, r0, r1, c0, c1); an open end is None.

        Raises 400 ``Unable to parse range: <text>`` for unknown sheets and malformed text."""
        named = next((n for n in self.named_ranges if n.get("name") == text.strip()), None)
        if named is not None:
            gr = named["range"]
            sheet = self.sheet_by_id(gr.get("sheetId", 0))
            if sheet is None:
                raise invalid(f"Unable to parse range: {text}")
            return (sheet, gr.get("startRowIndex", 0), gr.get("endRowIndex"),
                    gr.get("startColumnIndex", 0), gr.get("endColumnIndex"))
        parsed = a1mod.parse(text, self.titles())
        sheet = self.first_sheet() if parsed.sheet is None else self.sheet_by_title(parsed.sheet)
        if sheet is None or not sheet.is_grid:
            raise invalid(f"Unable to parse range: {text}")
        if parsed.whole_sheet:
            return sheet, 0, None, 0, None
        return sheet, parsed.start_row, parsed.end_row, parsed.start_col, parsed.end_col

    def resolve(self, text: str) -> tuple[Sheet, int, int, int, int]:
        """Like :meth:`locate` for reading: open ends closed at the grid's edge, ends past it
        clipped, a start past it refused (``Range (...) exceeds grid limits``)."""
        sheet, r0, r1, c0, c1 = self.locate(text)
        r1 = sheet.row_count if r1 is None else r1
        c1 = sheet.column_count if c1 is None else c1
        if r0 >= sheet.row_count or c0 >= sheet.column_count:
            raise self.beyond_grid(sheet, r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))
        return sheet, r0, min(r1, sheet.row_count), c0, min(c1, sheet.column_count)

    @staticmethod
    def beyond_grid(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> ApiError:
        shown = a1mod.format_range(sheet.title, r0, r1, c0, c1)
        return invalid(f"Range ({shown}) exceeds grid limits. Max rows: {sheet.row_count}, "
                       f"max columns: {sheet.column_count}")

    # -- values ----------------------------------------------------------------------------------
    def effective(self, sheet: Sheet, cell: dict | None, depth: int = 0) -> Any:
        """A cell's value: number, string, bool, None, or ("error", code)."""
        if not cell:
            return None
        entered = cell.get("userEnteredValue")
        if not entered:
            return None
        if "numberValue" in entered:
            return float(entered["numberValue"])
        if "stringValue" in entered:
            return entered["stringValue"]
        if "boolValue" in entered:
            return entered["boolValue"]
        if "errorValue" in entered:
            return ("error", entered["errorValue"].get("message") or "#ERROR!")
        formula = entered.get("formulaValue")
        if formula is None:
            return None
        if depth > 20:
            return ("error", "#REF!")

        def resolve(title: str | None, r0: int, r1: int, c0: int, c1: int) -> list[list[Any]]:
            target = sheet if title is None else self.sheet_by_title(title)
            if target is None:
                raise FormulaError("#REF!")
            out = []
            for r in range(r0, min(r1, r0 + 100_000)):
                out.append([_plain(self.effective(target, target.cell(r, c), depth + 1))
                            for c in range(c0, c1)])
            return out

        try:
            value = evaluate(formula, resolve)
        except Unsupported:
            return formula
        except FormulaError as error:
            return ("error", error.code)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError):
            return ("error", "#VALUE!")
        return "" if value is None else value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        raise FormulaError(value[1])
    return value


def new_sheet(sheet_id: int, title: str, index: int, rows: int = DEFAULT_ROWS,
              columns: int = DEFAULT_COLUMNS) -> Sheet:
    return Sheet({"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
                  "gridProperties": {"rowCount": rows, "columnCount": columns}})


__all__ = ["Sheet", "Spreadsheet", "new_sheet", "python_number"]
