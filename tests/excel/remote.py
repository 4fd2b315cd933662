"""xlwings' remote engine as a stand-in for Excel: the payload a client sends, the cells its
actions leave.

The remote engine (``xw.Book(json=payload)``, in ``xlwings.pro``) runs the real Book/Sheet/Range
API without Excel and records what Excel should do (``book.json()["actions"]``). It is licensed
for non-commercial use with ``XLWINGS_LICENSE_KEY=noncommercial``, which only these tests set.

``payload_from_xlsx`` builds the request body as xlwings' Office Scripts client (``xlwings.ts``,
``runPython``) does: every sheet's values from A1 to its last used cell, empty cells as ``""``,
date-formatted cells as ISO strings (``2024-01-05T00:00:00.000Z``), numbers as JSON numbers.

``ExcelGrid`` replays actions the way Excel applies them through ``Range.Value``: in a cell
formatted as Text (``setNumberFormat "@"``), a string is kept as it is, a leading apostrophe
included (Excel does not treat it as a prefix there: recorded as :class:`Apostrophe`, which the
tests forbid); elsewhere a string with a leading apostrophe is text (the apostrophe is not
kept), the date strings xlwings makes from datetimes are dates, and any other string would be
parsed by Excel as if typed: it is recorded as :class:`Reparsed`, which the tests forbid.
Formats other than Text are not modelled.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from kc_sheets.cells import parse_ref

LICENCE_VARIABLE = "XLWINGS_LICENSE_KEY"
_XLWINGS_DATE = re.compile(r"^\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?$")


def remote_xlwings():
    """xlwings with its remote engine registered (licence variable set for this process)."""
    os.environ[LICENCE_VARIABLE] = "noncommercial"
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:   # imported before the variable
        from xlwings.pro import _xlremote

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    return xw


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)     # JSON.stringify(2.0) is "2"
    return value


def payload_from_xlsx(path: Path, version: str, name: str | None = None) -> dict:
    """The JSON body xlwings' Office Scripts client would send for this workbook."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = []
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        values = [[_json_value(v) for v in row] + [""] * (width - len(row)) for row in rows]
        sheets.append({"name": sheet_name, "values": values or [[]], "pictures": [],
                       "tables": []})
    payload = {"client": "Microsoft Office Scripts", "version": version,
               "book": {"name": name or Path(path).name, "active_sheet_index": 0,
                        "selection": "A1"},
               "names": [], "sheets": sheets}
    return json.loads(json.dumps(payload))   # exactly what travels: plain JSON


@dataclass(frozen=True)
class Reparsed:
    """A string Excel would have parsed as typed input (formula, number, date, boolean...)."""

    text: str


@dataclass(frozen=True)
class Apostrophe:
    """A text Excel keeps with a visible leading apostrophe (sent with one to a Text cell)."""

    text: str


def excel_value(value: object, text_cell: bool = False) -> object:
    """What a cell holds after Excel receives ``value`` through ``Range.Value``."""
    if value is None or value == "":
        return None
    if text_cell and isinstance(value, str):
        return Apostrophe(value) if value.startswith("'") else value
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if _XLWINGS_DATE.match(value):
            return dt.datetime.fromisoformat(value)
        return Reparsed(value)
    return value


def _payload_value(value: object) -> object:
    if value == "" or value is None:
        return None
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT.*Z$", value):
        return dt.datetime.fromisoformat(value[:-1])
    return value


class ExcelGrid:
    """The cells of a workbook: the payload's, then changed by xlwings actions."""

    def __init__(self, payload: dict) -> None:
        self.names = [s["name"] for s in payload["sheets"]]
        self.cells: dict[str, dict[tuple[int, int], object]] = {}
        for sheet in payload["sheets"]:
            cells = {}
            for r, row in enumerate(sheet["values"], start=1):
                for c, value in enumerate(row, start=1):
                    value = _payload_value(value)
                    if value is not None:
                        cells[(r, c)] = value
            self.cells[sheet["name"]] = cells
        self.other: list[dict] = []
        self.text_format: dict[str, set[tuple[int, int]]] = {n: set() for n in self.names}
        self.print_areas: dict[str, str | None] = {}

    def apply(self, actions: list[dict]) -> None:
        for action in actions:
            func = action["func"]
            if func == "setValues":
                self._set(action)
            elif func in ("rangeClear", "rangeClearContents"):
                self._clear(action)
            elif func == "copyRange":
                self._copy(action)
            elif func == "setNumberFormat":
                self._format(action)
            elif func == "setPrintArea":
                self.print_areas[self.names[action["sheet_position"]]] = action["args"][0]
            else:
                self.other.append(action)

    def _box(self, action: dict) -> tuple[str, int, int, int, int]:
        return (self.names[action["sheet_position"]], action["start_row"] + 1,
                action["start_column"] + 1, action["row_count"], action["column_count"])

    def _format(self, action: dict) -> None:
        sheet, top, left, rows, cols = self._box(action)
        box = {(r, c) for r in range(top, top + rows) for c in range(left, left + cols)}
        if action["args"] in ("@", ["@"]):
            self.text_format[sheet] |= box
        else:
            self.text_format[sheet] -= box

    def _set(self, action: dict) -> None:
        sheet, top, left, _, _ = self._box(action)
        cells, text = self.cells[sheet], self.text_format[sheet]
        for i, row in enumerate(action["values"]):
            for j, value in enumerate(row):
                held = excel_value(value, (top + i, left + j) in text)
                if held is None:
                    cells.pop((top + i, left + j), None)
                else:
                    cells[(top + i, left + j)] = held

    def _clear(self, action: dict) -> None:
        sheet, top, left, rows, cols = self._box(action)
        cells = self.cells[sheet]
        for key in [k for k in cells if top <= k[0] < top + rows and left <= k[1] < left + cols]:
            del cells[key]
        if action["func"] == "rangeClear":              # formats too
            self.text_format[sheet] = {k for k in self.text_format[sheet] if not (
                top <= k[0] < top + rows and left <= k[1] < left + cols)}

    def _copy(self, action: dict) -> None:
        """Range.Copy Destination: the source tiles the destination (values and formats)."""
        sheet, top, left, rows, cols = self._box(action)
        target = self.names[action["args"][0]]
        first, last = (action["args"][1].replace("$", "").split(":") + [None])[:2]
        (r1, c1), (r2, c2) = parse_ref(first), parse_ref(last or first)
        source, dest = self.cells[sheet], self.cells[target]
        formats, target_formats = self.text_format[sheet], self.text_format[target]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                origin = (top + (r - r1) % rows, left + (c - c1) % cols)
                if origin in formats:
                    target_formats.add((r, c))
                else:
                    target_formats.discard((r, c))
                value = source.get(origin)
                if value is None:
                    dest.pop((r, c), None)
                else:
                    dest[(r, c)] = value

    def payload(self, version: str, sheets: dict[str, list[list[object]]] | None = None,
                name: str = "book.xlsx") -> dict:
        """The payload a client would send now (``sheets`` replaces some tabs' values)."""
        out = []
        for sheet_name, cells in self.cells.items():
            values = (sheets or {}).get(sheet_name)
            if values is None:
                rows = max((r for r, _ in cells), default=0)
                cols = max((c for _, c in cells), default=0)
                values = [[_json_value(cells.get((r, c), "")) for c in range(1, cols + 1)]
                          for r in range(1, rows + 1)]
            out.append({"name": sheet_name, "values": values or [[]], "pictures": [],
                        "tables": []})
        return json.loads(json.dumps({
            "client": "Microsoft Office Scripts", "version": version,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": out}))

    def reparsed(self) -> list[tuple[str, tuple[int, int], str]]:
        return [(sheet, key, value.text) for sheet, cells in self.cells.items()
                for key, value in cells.items() if isinstance(value, Reparsed)]

    def apostrophes(self) -> list[tuple[str, tuple[int, int], str]]:
        """Texts that Excel would show with their leading apostrophe."""
        return [(sheet, key, value.text) for sheet, cells in self.cells.items()
                for key, value in cells.items() if isinstance(value, Apostrophe)]


def xlsx_cells(path: Path) -> dict[str, dict[tuple[int, int], object]]:
    """Every non-empty cell of an .xlsx file, as calamine reads it (dates as datetimes)."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    out = {}
    for name in workbook.sheet_names:
        cells = {}
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    value = dt.datetime(value.year, value.month, value.day)
                cells[(r, c)] = value
        out[name] = cells
    return out


def same(a: object, b: object) -> bool:
    """Cell values equal as a reader sees them (1 == 1.0; floats to 1e-9)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b
