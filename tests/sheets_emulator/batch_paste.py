"""batchUpdate copyPaste: copy a range onto another, values only or everything.

``PASTE_VALUES`` writes the source's effective values (a formula's result, never the formula)
and keeps the destination's formats; ``PASTE_NORMAL`` copies the cells whole (values, formulas,
formats). A destination that is a whole multiple of the source repeats it, as Google documents;
any other destination gets the source once from its top-left corner (even past its end). The
other paste types are validated and recorded, not applied.
"""

from __future__ import annotations

import copy

from .batch_update import Batch, handler
from .cells import extended_of
from .errors import RequestError


@handler("copyPaste")
def copy_paste(b: Batch, req: dict) -> None:
    kind = req.get("pasteType", "PASTE_NORMAL")
    if req.get("pasteOrientation", "NORMAL") != "NORMAL" or kind not in ("PASTE_NORMAL",
                                                                          "PASTE_VALUES"):
        b.ss.recorded.append({"copyPaste": req})
        return
    if "source" not in req or "destination" not in req:
        raise RequestError("source and destination must be specified.")
    source, r0, r1, c0, c1 = b.grid_range(req["source"])
    height, width = r1 - r0, c1 - c0
    if height == 0 or width == 0:
        return
    cells = [[copy.deepcopy(source.cell(r, c)) for c in range(c0, c1)] for r in range(r0, r1)]
    values = [[b.ss.effective(source, cell) for cell in row] for row in cells]
    target_range = dict(req["destination"])
    target = b.sheet(target_range.get("sheetId"))
    d0, e0 = target_range.get("startRowIndex", 0), target_range.get("startColumnIndex", 0)
    d1 = target_range.get("endRowIndex", target.row_count)
    e1 = target_range.get("endColumnIndex", target.column_count)
    rows = height * ((d1 - d0) // height) if d1 - d0 >= height and (d1 - d0) % height == 0 \
        else height
    cols = width * ((e1 - e0) // width) if e1 - e0 >= width and (e1 - e0) % width == 0 \
        else width
    if d0 + rows > target.row_count or e0 + cols > target.column_count:
        raise b.ss.beyond_grid(target, d0, d0 + rows, e0, e0 + cols)
    for i in range(rows):
        for j in range(cols):
            cell, value = cells[i % height][j % width], values[i % height][j % width]
            if kind == "PASTE_NORMAL":
                target.set_cell(d0 + i, e0 + j, copy.deepcopy(cell))
                continue
            old = dict(target.cell(d0 + i, e0 + j) or {})
            old.pop("userEnteredValue", None)
            if value is not None and value != "":
                old["userEnteredValue"] = extended_of(value)
            target.set_cell(d0 + i, e0 + j, old or None)
