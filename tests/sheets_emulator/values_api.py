"""spreadsheets.values.*: read, write, append and clear ranges as the Sheets API does.

Reads trim trailing empty rows and cells (and omit ``values`` entirely when nothing is there);
writes never grow the grid (``Range (...) exceeds grid limits``) except ``append``, which adds
rows; RAW stores strings as strings, USER_ENTERED parses them as if typed.
"""

from __future__ import annotations

from typing import Any

from .a1 import column_letters, format_range
from .cells import input_value, python_number, render, written
from .errors import invalid
from .state import Sheet, Spreadsheet


def _cell_value(ss: Spreadsheet, sheet: Sheet, cell: dict | None, option: str, dt_option: str) -> Any:
    if not cell:
        return ""
    entered = cell.get("userEnteredValue")
    if entered is None:
        return ""
    if option == "UNFORMATTED_VALUE" and "formulaValue" not in entered:
        if "numberValue" in entered:
            fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat")
            if not (dt_option == "FORMATTED_STRING" and fmt):
                return python_number(float(entered["numberValue"]))
        elif "stringValue" in entered:
            return entered["stringValue"]
        elif "boolValue" in entered:
            return entered["boolValue"]
    return render(ss.effective(sheet, cell), cell, option, dt_option, ss.locale)


def read(ss: Spreadsheet, text: str, option: str = "FORMATTED_VALUE",
         dt_option: str = "SERIAL_NUMBER", major: str = "ROWS") -> dict:
    """A ValueRange for ``text``."""
    sheet, r0, r1, c0, c1 = ss.resolve(text)
    major = "COLUMNS" if major == "COLUMNS" else "ROWS"
    result: dict[str, Any] = {"range": format_range(sheet.title, r0, r1, c0, c1),
                              "majorDimension": major}
    rows: list[tuple[int, list]] = []
    for r, row in sheet.stored_rows(r0, r1):
        stop = min(c1, max(row) + 1)
        values = [_cell_value(ss, sheet, row.get(c), option, dt_option) for c in range(c0, stop)]
        while values and values[-1] == "":
            values.pop()
        if values:
            rows.append((r, values))
    if not rows:
        return result
    if major == "ROWS":
        out: list[list] = [[] for _ in range(rows[-1][0] - r0 + 1)]
        for r, values in rows:
            out[r - r0] = values
    else:
        width = max(len(values) for _, values in rows)
        out = []
        for j in range(width):
            column = [(r, values[j]) for r, values in rows if j < len(values) and values[j] != ""]
            if not column:
                out.append([])
                continue
            filled = [""] * (column[-1][0] - r0 + 1)
            for r, value in column:
                filled[r - r0] = value
            out.append(filled)
        while out and not out[-1]:
            out.pop()
    result["values"] = out
    return result


def _matrix(values: Any, major: str) -> list[list]:
    rows = [list(row) for row in values or []]
    if major != "COLUMNS":
        return rows
    width = max((len(col) for col in rows), default=0)
    return [[col[i] if i < len(col) else None for col in rows] for i in range(width)]


def write(ss: Spreadsheet, text: str, values: Any, option: str, major: str = "ROWS",
          start: tuple[Sheet, int, int] | None = None) -> dict:
    """Write a ValueRange; returns an UpdateValuesResponse (with spreadsheetId)."""
    if option not in ("RAW", "USER_ENTERED"):
        raise invalid("'valueInputOption' is required but not specified" if option in (None, "")
                      else f"Invalid valueInputOption: {option}")
    matrix = _matrix(values, major)
    if start is None:
        sheet, r0, r1, c0, c1 = ss.locate(text)
    else:
        (sheet, r0, c0), r1, c1 = start, None, None
    if r1 is not None and c1 is not None and (r1 - r0, c1 - c0) == (1, 1):
        r1 = c1 = None  # a single cell is an anchor: the data extends from it
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    response: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if height == 0 or width == 0:
        end_r = r1 if r1 is not None else r0 + 1
        end_c = c1 if c1 is not None else c0 + 1
        response["updatedRange"] = format_range(sheet.title, r0, end_r, c0, end_c)
        return response
    if r1 is not None and r0 + height > r1:
        raise invalid(f"Requested writing within range [{text}], but tried writing to row "
                      f"[{r1 + 1}]")
    if c1 is not None and c0 + width > c1:
        raise invalid(f"Requested writing within range [{text}], but tried writing to column "
                      f"[{column_letters(c1)}]")
    if r0 + height > sheet.row_count or c0 + width > sheet.column_count:
        raise ss.beyond_grid(sheet, r0, r0 + height, c0, c0 + width)
    locale = ss.locale
    cells = rows_touched = 0
    columns: set[int] = set()
    for i, row in enumerate(matrix):
        r = r0 + i
        target = None
        for j, value in enumerate(row):
            kind = type(value)
            if value is None:
                continue
            if kind is str and value and option == "RAW":
                action, extended, number_format = "set", {"stringValue": value}, None
            elif kind is int or (kind is float and value == value):  # NaN: see input_value
                action, extended, number_format = "set", {"numberValue": value}, None
            else:
                where = f"values[{j}][{i}]" if major == "COLUMNS" else f"values[{i}][{j}]"
                action, extended, number_format = input_value(value, option, locale, where)
            if target is None:
                target = sheet._row_for_write(r)
            c = c0 + j
            old = target.get(c)
            if old is None and number_format is None:
                new = {"userEnteredValue": extended} if extended is not None else None
            else:
                new = written(old, extended, number_format)
            if new:
                target[c] = new
            else:
                target.pop(c, None)
            cells += 1
            columns.add(j)
        if target is not None:
            rows_touched += 1
            if not target:
                del sheet.rows[r]
                sheet._owned.discard(r)
    response.update(updatedRange=format_range(sheet.title, r0, r0 + height, c0, c0 + width),
                    updatedRows=rows_touched, updatedColumns=len(columns), updatedCells=cells)
    return response


def clear(ss: Spreadsheet, text: str) -> str:
    """Clear values (formats stay); returns the cleared range."""
    sheet, r0, r1, c0, c1 = ss.resolve(text)
    for r, row in list(sheet.stored_rows(r0, r1)):
        for c in [c for c in row if c0 <= c < c1]:
            cell = row[c]
            if "userEnteredValue" in cell:
                rest = {k: v for k, v in cell.items()
                        if k not in ("userEnteredValue", "effectiveValue", "formattedValue")}
                sheet.set_cell(r, c, rest or None)
    return format_range(sheet.title, r0, r1, c0, c1)


def _has_value(row: dict[int, dict] | None, c0: int, c1: int) -> bool:
    return bool(row) and any(c0 <= c < c1 and "userEnteredValue" in cell for c, cell in row.items())


def append(ss: Spreadsheet, text: str, values: Any, option: str, major: str,
           insert_option: str, cell_limit: int) -> dict:
    """values.append: find the table at ``text``, write after its last row."""
    if option not in ("RAW", "USER_ENTERED"):
        raise invalid("'valueInputOption' is required but not specified")
    sheet, r0, r1, c0, c1 = ss.locate(text)
    if r1 is not None and c1 is not None and (r1 - r0, c1 - c0) == (1, 1):
        r1 = c1 = None  # a single cell: the table is found from it, down and to the right
    c_end = sheet.column_count if c1 is None else c1
    r_end = sheet.row_count if r1 is None else min(r1, sheet.row_count)
    first = next((r for r, row in sheet.stored_rows(r0, r_end) if _has_value(row, c0, c_end)), None)
    response: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if first is None:
        at = r0
    else:
        last = first
        while last + 1 < sheet.row_count and _has_value(sheet.rows.get(last + 1), c0, c_end):
            last += 1
        table_c1 = c1
        if table_c1 is None:
            used = {c for r in range(first, last + 1) for c, cell in sheet.rows.get(r, {}).items()
                    if c >= c0 and "userEnteredValue" in cell}
            table_c1 = c0
            while table_c1 in used:
                table_c1 += 1
            table_c1 = max(table_c1, c0 + 1)
        response["tableRange"] = format_range(sheet.title, first, last + 1, c0, table_c1)
        at = last + 1
    matrix = _matrix(values, major)
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    before = ss.cell_count()
    if insert_option == "INSERT_ROWS" and height:
        sheet.insert("ROWS", min(at, sheet.row_count), height)
    elif at + height > sheet.row_count:
        sheet.grid["rowCount"] = at + height
    if c0 + width > sheet.column_count:
        sheet.grid["columnCount"] = c0 + width
    ss.check_cell_limit(cell_limit, before)
    response["updates"] = write(ss, text, matrix, option, "ROWS", start=(sheet, at, c0))
    return response
