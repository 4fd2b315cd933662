"""xlwings' remote engine as the tests drive it: open a workbook payload as the caller, run
main(), replay the actions on a grid."""

from __future__ import annotations

from kc_sheets.i18n import t
from kc_sheets.templates import get
from tests.excel.remote import ExcelGrid, same

def run_main(xw, monkeypatch, payload: dict, call=None) -> tuple[ExcelGrid, list[dict]]:
    """Open ``payload`` as the calling workbook, run main() (or ``call``), replay the actions."""
    from kc_sheets import excel

    book = xw.Book(json=payload)
    monkeypatch.setattr(xw.Book, "_mock_caller", book, raising=False)
    (call or excel.main)()
    actions = book.json()["actions"]
    grid = ExcelGrid(payload)
    grid.apply(actions)
    return grid, actions


def run_cells() -> set[tuple[str, tuple[int, int]]]:
    """Cells holding the run's date and duration (they differ between two runs)."""
    out = set()
    for tab, block in get("first-vs-repeat").blocks():
        if block.name.startswith("run."):
            rows = range(block.anchor_row, block.anchor_row + len(block.columns))
            col = block.anchor_col + (1 if block.layout == "fields" else 0)
            out |= {(t(tab.title, "fr"), (r, col)) for r in rows}
    return out


def differences(grid: ExcelGrid, reference: dict) -> list:
    skip = run_cells()
    return [(sheet, key, grid.cells[sheet].get(key), cells.get(key))
            for sheet, cells in reference.items()
            for key in sorted(set(cells) | set(grid.cells[sheet]))
            if (sheet, key) not in skip and not same(grid.cells[sheet].get(key), cells.get(key))]


def alerts(actions: list[dict]) -> list[tuple[str, str, str]]:
    return [(a["args"][0], a["args"][1], a["args"][3]) for a in actions if a["func"] == "alert"]

