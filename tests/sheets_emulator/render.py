"""A spreadsheet as spreadsheets.get / create answer it, with optional grid data for ranges."""

from __future__ import annotations

import copy
from typing import Any

from .cells import extended_of, formatted
from .state import Sheet, Spreadsheet

URL = "https://docs.google.com/spreadsheets/d/{}/edit"


def _cell_json(ss: Spreadsheet, sheet: Sheet, cell: dict | None) -> dict:
    if not cell:
        return {}
    out = {k: copy.deepcopy(v) for k, v in cell.items()
           if k not in ("effectiveValue", "formattedValue", "effectiveFormat")}
    value = ss.effective(sheet, cell)
    if value is not None:
        out["effectiveValue"] = extended_of(value)
        out["formattedValue"] = formatted(value, cell, ss.locale)
    if "userEnteredFormat" in cell:
        out["effectiveFormat"] = copy.deepcopy(cell["userEnteredFormat"])
    return out


def grid_data(ss: Spreadsheet, sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> dict:
    data: dict[str, Any] = {}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    row_data: list[dict] = []
    for r, row in sheet.stored_rows(r0, r1):
        stop = min(c1, max(row) + 1)
        values = [_cell_json(ss, sheet, row.get(c)) for c in range(c0, stop)]
        while values and not values[-1]:
            values.pop()
        if not values:
            continue
        while len(row_data) < r - r0:
            row_data.append({})
        row_data.append({"values": values})
    if row_data:
        data["rowData"] = row_data
    data["rowMetadata"] = [sheet.dimension_properties("ROWS", i) for i in range(r0, r1)]
    data["columnMetadata"] = [sheet.dimension_properties("COLUMNS", i) for i in range(c0, c1)]
    return data


def sheet_json(ss: Spreadsheet, sheet: Sheet, blocks: list[tuple[int, int, int, int]] | None) -> dict:
    out: dict[str, Any] = {"properties": copy.deepcopy(sheet.properties)}
    if blocks is not None:
        out["data"] = [grid_data(ss, sheet, *block) for block in blocks]
    for key, value in (("merges", sheet.merges), ("conditionalFormats", sheet.conditional_formats),
                       ("protectedRanges", sheet.protected_ranges), ("charts", sheet.charts),
                       ("bandedRanges", sheet.banded_ranges), ("filterViews", sheet.filter_views),
                       ("developerMetadata", sheet.developer_metadata)):
        if value:
            out[key] = copy.deepcopy(value)
    if sheet.basic_filter:
        out["basicFilter"] = copy.deepcopy(sheet.basic_filter)
    return out


def spreadsheet_json(ss: Spreadsheet, ranges: list[str] | None = None,
                     include_grid_data: bool = False) -> dict:
    """The Spreadsheet resource. With ``ranges`` only the sheets they touch are listed (and their
    data is limited to those ranges when ``include_grid_data``)."""
    wanted: dict[int, list[tuple[int, int, int, int]]] | None = None
    if ranges:
        wanted = {}
        for text in ranges:
            sheet, r0, r1, c0, c1 = ss.resolve(text)
            wanted.setdefault(sheet.sheet_id, []).append((r0, r1, c0, c1))
    sheets = []
    for sheet in sorted(ss.sheets, key=lambda s: s.properties.get("index", 0)):
        if wanted is not None and sheet.sheet_id not in wanted:
            continue
        blocks = None
        if include_grid_data and sheet.is_grid:
            blocks = (wanted[sheet.sheet_id] if wanted is not None
                      else [(0, sheet.row_count, 0, sheet.column_count)])
        sheets.append(sheet_json(ss, sheet, blocks))
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id,
                           "properties": copy.deepcopy(ss.properties), "sheets": sheets}
    if ss.named_ranges:
        out["namedRanges"] = copy.deepcopy(ss.named_ranges)
    if ss.developer_metadata:
        out["developerMetadata"] = copy.deepcopy(ss.developer_metadata)
    out["spreadsheetUrl"] = URL.format(ss.spreadsheet_id)
    return out
