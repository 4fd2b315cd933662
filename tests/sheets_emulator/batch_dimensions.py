"""batchUpdate requests on rows and columns: insert, append, delete, resize, properties."""

from __future__ import annotations

from . import fields as masks
from .batch_update import Batch, handler
from .cells import formatted
from .errors import RequestError
from .state import Sheet


# -- dimensions -------------------------------------------------------------------------------------

def _dimension_range(b: Batch, dr: dict | None) -> tuple[Sheet, str, int, int]:
    dr = dr or {}
    sheet = b.sheet(dr.get("sheetId"))
    dimension = dr.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestError("dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    start, end = dr.get("startIndex", 0), dr.get("endIndex", size)
    if start < 0 or end < start:
        raise RequestError(f"Invalid dimension range: startIndex {start}, endIndex {end}.")
    if end > size:
        rows = (start, end, 0, 1) if dimension == "ROWS" else (0, 1, start, end)
        raise b.ss.beyond_grid(sheet, *rows)
    return sheet, dimension, start, end


@handler("updateDimensionProperties")
def update_dimension_properties(b: Batch, req: dict) -> None:
    if "dataSourceSheetRange" in req:
        b.ss.recorded.append({"updateDimensionProperties": req})
        return
    sheet, dimension, start, end = _dimension_range(b, req.get("range"))
    tree = b.mask(req.get("fields"), "DimensionProperties")
    meta = sheet.row_metadata if dimension == "ROWS" else sheet.column_metadata
    for i in range(start, end):
        meta[i] = masks.apply(meta.get(i, {}), req.get("properties") or {}, tree)


@handler("appendDimension")
def append_dimension(b: Batch, req: dict) -> None:
    sheet = b.sheet(req.get("sheetId"))
    length = req.get("length", 0)
    if length <= 0:
        raise RequestError("length must be > 0")
    key = "rowCount" if req.get("dimension") == "ROWS" else "columnCount"
    if req.get("dimension") not in ("ROWS", "COLUMNS"):
        raise RequestError("dimension must be ROWS or COLUMNS.")
    sheet.grid[key] = sheet.grid.get(key, 0) + length


@handler("insertDimension")
def insert_dimension(b: Batch, req: dict) -> None:
    dr = req.get("range") or {}
    sheet, dimension, start, end = _dimension_range(b, {**dr, "endIndex": dr.get("startIndex", 0)})
    end = dr.get("endIndex", start)
    if end <= start:
        raise RequestError("endIndex must be greater than startIndex.")
    inherit = req.get("inheritFromBefore", False)
    if inherit and start == 0:
        raise RequestError("Cannot inherit properties from before the first row or column.")
    sheet.insert(dimension, start, end - start)
    source = start - 1 if inherit else end
    if dimension == "ROWS" and source < sheet.row_count and sheet.rows.get(source):
        formats = {c: cell["userEnteredFormat"] for c, cell in sheet.rows[source].items()
                   if "userEnteredFormat" in cell}
        for r in range(start, end):
            for c, fmt in formats.items():
                sheet.set_cell(r, c, {"userEnteredFormat": fmt})


@handler("deleteDimension")
def delete_dimension(b: Batch, req: dict) -> None:
    sheet, dimension, start, end = _dimension_range(b, req.get("range"))
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    if start == 0 and end >= size:
        noun = "rows" if dimension == "ROWS" else "columns"
        raise RequestError(f"You can't delete all the {noun} on the sheet.")
    frozen_key = "frozenRowCount" if dimension == "ROWS" else "frozenColumnCount"
    frozen = sheet.grid.get(frozen_key, 0)
    if frozen > start:
        sheet.grid[frozen_key] = frozen - (min(frozen, end) - start)
    sheet.delete(dimension, start, end)


@handler("autoResizeDimensions")
def auto_resize_dimensions(b: Batch, req: dict) -> None:
    if "dataSourceSheetDimensions" in req:
        b.ss.recorded.append({"autoResizeDimensions": req})
        return
    sheet, dimension, start, end = _dimension_range(b, req.get("dimensions"))
    for i in range(start, end):
        if dimension == "ROWS":
            size = 21
        else:
            longest = max((len(formatted(b.ss.effective(sheet, row.get(i)), row.get(i) or {}, b.ss.locale))
                           for _, row in sheet.stored_rows(0, sheet.row_count) if i in row), default=0)
            size = max(21, 7 * longest + 10)
        meta = sheet.row_metadata if dimension == "ROWS" else sheet.column_metadata
        meta[i] = {**meta.get(i, {}), "pixelSize": size}
