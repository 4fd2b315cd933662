"""A1 notation: parse ``'Raw Data'!A1:Z``, ``Sheet1!B2:D``, ``'It''s'!A:A``, ``2:5``, a bare sheet
name, and write ranges back the way Google prints them (``'Raw Data'!A1:Z1000``, ``Sheet1!B2``).

Indexes are zero-based and half-open like a GridRange; ``None`` marks an open end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import invalid

MAX_COLUMNS = 18_278  # ZZZ

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d+)?$")
_R1C1 = re.compile(r"^[Rr](\d+)[Cc](\d+)$")
_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOOKS_LIKE_CELL = re.compile(r"(?i)[A-Z]{1,3}\d+|R\d*C\d*")
# What Google takes as an unquoted sheet name before "!" (spaces work; "&", quotes do not).
_UNQUOTED_TITLE = re.compile(r"[\w .\-]+")


@dataclass(frozen=True)
class A1:
    """A parsed range. ``sheet`` is the title or None (first sheet); ``whole_sheet`` marks a
    bare sheet name."""
    sheet: str | None
    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None
    whole_sheet: bool = False


def column_letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def quote_title(title: str) -> str:
    """A sheet title as Google prints it in a range: quoted unless it is a plain identifier."""
    if _PLAIN_TITLE.fullmatch(title) and not _LOOKS_LIKE_CELL.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_sheet(text: str) -> tuple[str | None, str | None, bool]:
    """("title" or None, cell part or None, title was quoted). Raises on malformed quoting."""
    if text.startswith("'"):
        i, title = 1, ""
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if text[i + 1:i + 2] == "'":
                    title += "'"
                    i += 2
                    continue
                rest = text[i + 1:]
                if rest == "":
                    return title, None, True
                if rest.startswith("!"):
                    return title, rest[1:], True
                raise ValueError(text)
            title += ch
            i += 1
        raise ValueError(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        if not _UNQUOTED_TITLE.fullmatch(title):
            raise ValueError(text)
        return title, cells, False
    return None, text, False


def parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """"B2:D" -> (1, None, 1, 4) as (start_row, end_row, start_col, end_col); None if not A1."""
    parts = cells.split(":")
    if len(parts) > 2 or not all(parts):
        return None
    refs = []
    for part in parts:
        r1c1 = _R1C1.match(part)
        if r1c1:
            refs.append((int(r1c1.group(1)), column_letters(int(r1c1.group(2)) - 1)))
            continue
        match = _CELL.match(part)
        if not match or not (match.group(1) or match.group(2)):
            return None
        row = int(match.group(2)) if match.group(2) else None
        if row == 0:
            return None
        refs.append((row, match.group(1)))
    if len(refs) == 1:
        row, col = refs[0]
        if row is None or col is None:
            return None  # "A" or "5" alone is not a range
        c = column_index(col)
        return row - 1, row, c, c + 1
    (row1, col1), (row2, col2) = refs
    if (col1 is None) != (col2 is None) and col1 is None:
        return None  # "5:B7"
    start_row = row1 - 1 if row1 is not None else 0
    end_row = row2 if row2 is not None else None
    start_col = column_index(col1) if col1 is not None else 0
    end_col = column_index(col2) + 1 if col2 is not None else None
    if row1 is None and row2 is not None and col1 is not None:
        return None  # "A:B7"
    if end_row is not None and end_row <= start_row:
        start_row, end_row = end_row - 1, start_row + 1
    if end_col is not None and end_col <= start_col:
        start_col, end_col = end_col - 1, start_col + 1
    if (end_col or start_col) > MAX_COLUMNS:
        return None
    return start_row, end_row, start_col, end_col


def parse(text: str, titles: list[str] | tuple[str, ...] = ()) -> A1:
    """Parse ``text``; ``titles`` are the spreadsheet's sheet titles, used to read a bare name.

    Raises 400 ``Unable to parse range: <text>`` as Google does."""
    try:
        title, cells, quoted = split_sheet(text.strip())
    except ValueError:
        raise invalid(f"Unable to parse range: {text}") from None
    if title is None:
        assert cells is not None
        if cells in titles:
            return A1(cells, whole_sheet=True)
        parsed = parse_cells(cells)
        if parsed is None:
            raise invalid(f"Unable to parse range: {text}")
        return A1(None, *parsed)
    if cells is None:
        return A1(title, whole_sheet=True)
    parsed = parse_cells(cells)
    if parsed is None:
        raise invalid(f"Unable to parse range: {text}")
    return A1(title, *parsed)


def format_range(title: str | None, start_row: int, end_row: int, start_col: int,
                 end_col: int) -> str:
    """Closed, concrete bounds (ends exclusive) -> ``Sheet1!A1:B2`` (or ``Sheet1!A1``)."""
    first = f"{column_letters(start_col)}{start_row + 1}"
    last = f"{column_letters(end_col - 1)}{end_row}"
    cells = first if (end_row - start_row, end_col - start_col) == (1, 1) else f"{first}:{last}"
    return f"{quote_title(title)}!{cells}" if title is not None else cells
