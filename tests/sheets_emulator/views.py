"""Read-only snapshots of the emulator's state for test assertions."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .a1 import parse_cells
from .state import Sheet, Spreadsheet


@dataclass(frozen=True)
class SheetView:
    """One sheet as the emulator holds it (a deep copy: changing it changes nothing)."""
    properties: dict
    merges: list[dict]
    charts: list[dict]
    conditional_formats: list[dict]
    protected_ranges: list[dict]
    banded_ranges: list[dict]
    basic_filter: dict | None
    developer_metadata: list[dict]
    row_metadata: dict[int, dict]
    column_metadata: dict[int, dict]
    cells: dict[tuple[int, int], dict]

    @classmethod
    def of(cls, sheet: Sheet) -> "SheetView":
        cells = {(r, c): copy.deepcopy(cell) for r, row in sheet.rows.items() for c, cell in row.items()}
        return cls(copy.deepcopy(sheet.properties), copy.deepcopy(sheet.merges),
                   copy.deepcopy(sheet.charts), copy.deepcopy(sheet.conditional_formats),
                   copy.deepcopy(sheet.protected_ranges), copy.deepcopy(sheet.banded_ranges),
                   copy.deepcopy(sheet.basic_filter), copy.deepcopy(sheet.developer_metadata),
                   copy.deepcopy(sheet.row_metadata), copy.deepcopy(sheet.column_metadata), cells)

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def grid(self) -> dict:
        return self.properties.get("gridProperties", {})

    @property
    def row_count(self) -> int:
        return self.grid.get("rowCount", 0)

    @property
    def column_count(self) -> int:
        return self.grid.get("columnCount", 0)

    @property
    def frozen_rows(self) -> int:
        return self.grid.get("frozenRowCount", 0)

    @property
    def frozen_columns(self) -> int:
        return self.grid.get("frozenColumnCount", 0)

    def cell(self, a1: str) -> dict:
        """The CellData stored at ``a1`` ("B2"), or {}."""
        parsed = parse_cells(a1)
        if parsed is None:
            raise ValueError(a1)
        return self.cells.get((parsed[0], parsed[2]), {})

    def data_validations(self) -> dict[tuple[int, int], dict]:
        """{(row, col): DataValidationRule} for every validated cell (zero-based)."""
        return {key: cell["dataValidation"] for key, cell in self.cells.items()
                if "dataValidation" in cell}

    def column_width(self, index: int) -> int:
        return self.column_metadata.get(index, {}).get("pixelSize", 100)

    def hidden_columns(self) -> list[int]:
        return sorted(i for i, m in self.column_metadata.items() if m.get("hiddenByUser"))


@dataclass(frozen=True)
class SpreadsheetView:
    spreadsheet_id: str
    properties: dict
    sheets: list[SheetView]
    named_ranges: list[dict]
    developer_metadata: list[dict]
    permissions: list[dict]
    recorded_requests: list[dict]  # batchUpdate requests validated but not applied

    @classmethod
    def of(cls, ss: Spreadsheet) -> "SpreadsheetView":
        return cls(ss.spreadsheet_id, copy.deepcopy(ss.properties),
                   [SheetView.of(s) for s in sorted(ss.sheets, key=lambda s: s.properties["index"])],
                   copy.deepcopy(ss.named_ranges), copy.deepcopy(ss.developer_metadata),
                   copy.deepcopy(ss.permissions), copy.deepcopy(ss.recorded))

    @property
    def titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    def sheet(self, title: str) -> SheetView:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise KeyError(title)

