"""spreadsheets.batchUpdate: all-or-nothing application of Request objects.

The dispatcher applies every request to a clone of the spreadsheet and returns it with the
replies; the caller commits the clone only when nothing raised. A semantic refusal is reported as
Google does: ``Invalid requests[2].addSheet: A sheet with the name "X" already exists...``.
This module holds the sheet, cell and dimension requests; :mod:`.batch_objects` the rest.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from . import fields as masks
from .errors import ApiError, RequestError, invalid
from .state import Sheet, Spreadsheet, new_sheet

Handler = Callable[["Batch", dict], Any]
HANDLERS: dict[str, Handler] = {}
CELL_READ_ONLY = ("effectiveValue", "formattedValue", "effectiveFormat", "textFormatRuns_effective")


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn
    return register


class Batch:
    """One batchUpdate in progress: the working copy and what handlers need."""

    def __init__(self, ss: Spreadsheet, rng: random.Random, schemas: dict, cell_limit: int,
                 owner_email: str):
        self.ss = ss
        self.rng = rng
        self.schemas = schemas
        self.cell_limit = cell_limit
        self.owner_email = owner_email

    # -- ids ----------------------------------------------------------------------------------
    def new_id(self, taken: set[int]) -> int:
        while True:
            candidate = self.rng.randint(1, 2**31 - 1)
            if candidate not in taken:
                return candidate

    def object_ids(self) -> set[int]:
        ids = {s.sheet_id for s in self.ss.sheets}
        for sheet in self.ss.sheets:
            ids.update(c["chartId"] for c in sheet.charts)
        return ids

    # -- lookups --------------------------------------------------------------------------------
    def sheet(self, sheet_id: int | None, noun: str = "grid") -> Sheet:
        sheet = self.ss.sheet_by_id(sheet_id or 0)
        if sheet is None or (noun == "grid" and not sheet.is_grid):
            raise RequestError(f"No {noun} with id: {sheet_id or 0}")
        return sheet

    def grid_range(self, gr: dict | None) -> tuple[Sheet, int, int, int, int]:
        """A GridRange with its open ends closed at the grid's edge."""
        gr = gr or {}
        sheet = self.sheet(gr.get("sheetId"))
        r0, c0 = gr.get("startRowIndex", 0), gr.get("startColumnIndex", 0)
        r1 = gr.get("endRowIndex", sheet.row_count)
        c1 = gr.get("endColumnIndex", sheet.column_count)
        if min(r0, c0, r1, c1) < 0 or r1 < r0 or c1 < c0:
            raise RequestError(f"Invalid range: startIndex must be <= endIndex and non-negative, "
                               f"got {gr}")
        if r1 > sheet.row_count or c1 > sheet.column_count:
            raise self.ss.beyond_grid(sheet, r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))
        return sheet, r0, r1, c0, c1

    def mask(self, mask: str | None, schema: str) -> masks.Tree:
        try:
            return masks.update_mask(mask, schema, self.schemas)
        except ValueError as error:
            raise RequestError(str(error)) from None

    def check_title(self, title: str, ignore: Sheet | None = None) -> None:
        if title.strip() == "":
            raise RequestError("The sheet name cannot be empty.")
        for sheet in self.ss.sheets:
            if sheet is not ignore and sheet.title.lower() == title.lower():
                raise RequestError(f'A sheet with the name "{title}" already exists. '
                                   "Please enter another name.")


def apply(ss: Spreadsheet, body: dict, rng: random.Random, schemas: dict, cell_limit: int,
          owner_email: str = "owner@example.com") -> tuple[Spreadsheet, list[dict]]:
    """Apply ``body["requests"]`` to a clone of ``ss``; return (clone, replies)."""
    from . import batch_dimensions, batch_objects, batch_paste  # noqa: F401  (register handlers)

    requests = body.get("requests") or []
    if not requests:
        raise invalid("Must specify at least one request.")
    batch = Batch(ss.clone(), rng, schemas, cell_limit, owner_email)
    replies = []
    for i, request in enumerate(requests):
        kinds = list(request)
        if not kinds:
            raise invalid(f"Invalid requests[{i}]: No request set.")
        if len(kinds) > 1:
            raise invalid(f"Invalid JSON payload received. Oneof field 'kind' is already set. "
                          f"Cannot set '{kinds[1]}'", f"requests[{i}]")
        kind = kinds[0]
        before = batch.ss.cell_count()
        try:
            fn = HANDLERS.get(kind)
            if fn is None:
                batch.ss.recorded.append({kind: request[kind]})
                reply = None
            else:
                reply = fn(batch, request[kind])
            batch.ss.check_cell_limit(cell_limit, before)
        except RequestError as error:
            raise ApiError(error.code, f"Invalid requests[{i}].{kind}: {error.message}") from None
        except ApiError as error:
            if error.code != 400 or error.message.startswith("Invalid JSON"):
                raise
            raise invalid(f"Invalid requests[{i}].{kind}: {error.message}") from None
        replies.append({kind: reply} if reply is not None else {})
    return batch.ss, replies


# -- sheets ---------------------------------------------------------------------------------------

@handler("addSheet")
def add_sheet(b: Batch, req: dict) -> dict:
    props = dict(req.get("properties") or {})
    titles = {s.title.lower() for s in b.ss.sheets}
    title = props.get("title")
    if not title:
        n = len(b.ss.sheets) + 1
        while f"sheet{n}" in titles:
            n += 1
        title = f"Sheet{n}"
    b.check_title(title)
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = b.new_id(b.object_ids())
    elif b.ss.sheet_by_id(sheet_id) is not None:
        raise RequestError(f"A sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    sheet = new_sheet(sheet_id, title, 0, grid.get("rowCount", 1000), grid.get("columnCount", 26))
    sheet.grid.update({k: v for k, v in grid.items() if k not in ("rowCount", "columnCount")})
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in props:
            sheet.properties[key] = props[key]
    _check_frozen(sheet)
    index = min(max(props.get("index", len(b.ss.sheets)), 0), len(b.ss.sheets))
    b.ss.reindex()
    b.ss.sheets.insert(index, sheet)
    for i, s in enumerate(b.ss.sheets):
        s.properties["index"] = i
    return {"properties": dict(sheet.properties)}


def _check_frozen(sheet: Sheet) -> None:
    grid = sheet.grid
    if grid.get("frozenRowCount", 0) > grid.get("rowCount", 0):
        raise RequestError("Cannot freeze more rows than the sheet has.")
    if grid.get("frozenColumnCount", 0) > grid.get("columnCount", 0):
        raise RequestError("Cannot freeze more columns than the sheet has.")


@handler("deleteSheet")
def delete_sheet(b: Batch, req: dict) -> None:
    sheet = b.sheet(req.get("sheetId"), noun="sheet")
    if len(b.ss.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    b.ss.sheets.remove(sheet)
    b.ss.named_ranges = [n for n in b.ss.named_ranges
                         if n.get("range", {}).get("sheetId", 0) != sheet.sheet_id]
    b.ss.reindex()


@handler("updateSheetProperties")
def update_sheet_properties(b: Batch, req: dict) -> None:
    src = req.get("properties") or {}
    sheet = b.sheet(src.get("sheetId"), noun="sheet")
    tree = b.mask(req.get("fields"), "SheetProperties")
    old = dict(sheet.properties)
    new = masks.apply(old, src, tree)
    new["sheetId"], new["sheetType"] = old["sheetId"], old.get("sheetType", "GRID")
    new.setdefault("title", "")
    if new["title"] != old["title"]:
        b.check_title(new["title"], ignore=sheet)
    if new.get("hidden") and all(s.properties.get("hidden") for s in b.ss.sheets if s is not sheet):
        raise RequestError("You can't hide all the sheets in a document.")
    target_index = new.pop("index", old["index"])
    new["index"] = old["index"]
    if sheet.is_grid:
        grid = new.setdefault("gridProperties", {})
        grid.setdefault("rowCount", 0)
        grid.setdefault("columnCount", 0)
        if grid["rowCount"] < 1 or grid["columnCount"] < 1:
            raise RequestError("The grid must have at least one row and one column.")
    sheet.properties = new
    if sheet.is_grid:
        _check_frozen(sheet)
        _trim(sheet)
    if target_index != old["index"]:
        others = [s for s in b.ss.sheets if s is not sheet]
        position = target_index if target_index <= old["index"] else target_index - 1
        others.insert(min(max(position, 0), len(others)), sheet)
        b.ss.sheets = others
        for i, s in enumerate(b.ss.sheets):
            s.properties["index"] = i


def _trim(sheet: Sheet) -> None:
    """Drop cells beyond a shrunk grid."""
    rows, cols = sheet.row_count, sheet.column_count
    for r in [r for r in sheet.rows if r >= rows]:
        del sheet.rows[r]
    for r, row in list(sheet.rows.items()):
        if any(c >= cols for c in row):
            kept = {c: v for c, v in row.items() if c < cols}
            sheet.rows[r] = kept
            sheet._owned.add(r)
            if not kept:
                del sheet.rows[r]


@handler("updateSpreadsheetProperties")
def update_spreadsheet_properties(b: Batch, req: dict) -> None:
    tree = b.mask(req.get("fields"), "SpreadsheetProperties")
    b.ss.properties = masks.apply(b.ss.properties, req.get("properties") or {}, tree)


# -- cells ------------------------------------------------------------------------------------------

def _store(sheet: Sheet, r: int, c: int, cell: dict) -> None:
    for key in CELL_READ_ONLY:
        cell.pop(key, None)
    sheet.set_cell(r, c, cell or None)


def _check_value(cell: dict) -> None:
    entered = cell.get("userEnteredValue")
    if entered and len(entered) > 1:
        keys = list(entered)
        raise invalid("Invalid JSON payload received. Oneof field 'value' is already set. "
                      f"Cannot set '{keys[1]}'")


@handler("updateCells")
def update_cells(b: Batch, req: dict) -> None:
    if "start" in req and "range" in req:
        raise invalid("Invalid JSON payload received. Oneof field 'area' is already set. "
                      "Cannot set 'range'")
    tree = b.mask(req.get("fields"), "CellData")
    rows = req.get("rows") or []
    if "range" in req:
        sheet, r0, r1, c0, c1 = b.grid_range(req["range"])
    else:
        start = req.get("start") or {}
        sheet = b.sheet(start.get("sheetId"))
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        height = len(rows)
        width = max((len(row.get("values") or []) for row in rows), default=0)
        r1, c1 = r0 + height, c0 + width
        if r1 > sheet.row_count or c1 > sheet.column_count:
            raise b.ss.beyond_grid(sheet, r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))
    for i in range(r1 - r0):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j in range(c1 - c0):
            if j >= len(values) and "range" not in req:
                break
            source = values[j] if j < len(values) else {}
            _check_value(source)
            old = sheet.cell(r0 + i, c0 + j) or {}
            if not source and "*" not in tree and not any(name in old for name in tree):
                continue                  # clearing what is not there (a region's tail)
            _store(sheet, r0 + i, c0 + j, masks.apply(old, source, tree))


@handler("repeatCell")
def repeat_cell(b: Batch, req: dict) -> None:
    sheet, r0, r1, c0, c1 = b.grid_range(req.get("range"))
    tree = b.mask(req.get("fields"), "CellData")
    source = req.get("cell") or {}
    _check_value(source)
    for r in range(r0, r1):
        for c in range(c0, c1):
            _store(sheet, r, c, masks.apply(sheet.cell(r, c) or {}, source, tree))


@handler("updateBorders")
def update_borders(b: Batch, req: dict) -> None:
    sheet, r0, r1, c0, c1 = b.grid_range(req.get("range"))
    for r in range(r0, r1):
        for c in range(c0, c1):
            sides = {"top": req.get("top") if r == r0 else req.get("innerHorizontal"),
                     "bottom": req.get("bottom") if r == r1 - 1 else req.get("innerHorizontal"),
                     "left": req.get("left") if c == c0 else req.get("innerVertical"),
                     "right": req.get("right") if c == c1 - 1 else req.get("innerVertical")}
            sides = {k: v for k, v in sides.items() if v is not None}
            if not sides:
                continue
            cell = dict(sheet.cell(r, c) or {})
            fmt = dict(cell.get("userEnteredFormat") or {})
            borders = dict(fmt.get("borders") or {})
            for side, border in sides.items():
                if border.get("style") == "NONE":
                    borders.pop(side, None)
                else:
                    borders[side] = border
            fmt["borders"] = borders
            cell["userEnteredFormat"] = fmt
            _store(sheet, r, c, cell)


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _inside(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1] and outer[2] <= inner[2] and inner[3] <= outer[3]


def _bounds(gr: dict) -> tuple[int, int, int, int]:
    return gr["startRowIndex"], gr["endRowIndex"], gr["startColumnIndex"], gr["endColumnIndex"]


@handler("mergeCells")
def merge_cells(b: Batch, req: dict) -> None:
    sheet, r0, r1, c0, c1 = b.grid_range(req.get("range"))
    kind = req.get("mergeType", "MERGE_ALL")
    frozen_rows = sheet.grid.get("frozenRowCount", 0)
    frozen_cols = sheet.grid.get("frozenColumnCount", 0)
    if kind != "MERGE_COLUMNS" and r0 < frozen_rows < r1:
        raise RequestError("You can't merge frozen and non-frozen rows.")
    if kind != "MERGE_ROWS" and c0 < frozen_cols < c1:
        raise RequestError("You can't merge frozen and non-frozen columns.")
    if kind == "MERGE_ALL":
        blocks = [(r0, r1, c0, c1)]
    elif kind == "MERGE_COLUMNS":
        blocks = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    else:
        blocks = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    kept = _merges_outside(sheet, (r0, r1, c0, c1))
    for block in blocks:
        if (block[1] - block[0]) * (block[3] - block[2]) <= 1:
            continue
        kept.append({"sheetId": sheet.sheet_id, "startRowIndex": block[0], "endRowIndex": block[1],
                     "startColumnIndex": block[2], "endColumnIndex": block[3]})
        for r, row in list(sheet.stored_rows(block[0], block[1])):
            for c in [c for c in row if block[2] <= c < block[3] and (r, c) != (block[0], block[2])]:
                cell = {k: v for k, v in row[c].items() if k != "userEnteredValue"}
                sheet.set_cell(r, c, cell or None)
    sheet.merges = kept


@handler("unmergeCells")
def unmerge_cells(b: Batch, req: dict) -> None:
    sheet, r0, r1, c0, c1 = b.grid_range(req.get("range"))
    sheet.merges = _merges_outside(sheet, (r0, r1, c0, c1))


def _merges_outside(sheet, area: tuple[int, int, int, int]) -> list[dict]:
    """The sheet's merges that lie outside ``area``; one cut by its edge is Google's error."""
    kept = []
    for merge in sheet.merges:
        bounds = _bounds(merge)
        if _inside(bounds, area):
            continue
        if _overlaps(bounds, area):
            raise RequestError("You must select all cells in a merged range to merge or unmerge them.")
        kept.append(merge)
    return kept
