"""A1 cell references: column letters and row numbers (1-based)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_letter(n: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    if n < 1:
        raise ValueError(f"column number must be >= 1, not {n}")
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """'B12' -> (12, 2)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


_RANGE_REF = re.compile(r"(?P<sheet>'(?:[^']|'')*'|[^'!,()=<>]+)!\$(?P<c1>[A-Z]+)\$(?P<r1>\d+)"
                        r"(?::\$(?P<c2>[A-Z]+)\$(?P<r2>\d+))?")


def repoint_ranges(text: str, tab: str, blocks: dict[int, int]) -> str:
    """Absolute ranges of ``tab`` starting at a block's first data row, stretched to the rows
    written (``blocks``: first data row -> row count); other ranges are left alone.

    >>> repoint_ranges("=SERIES(,'T x'!$B$30:$B$30,'T x'!$F$30,1)", "T x", {30: 3})
    "=SERIES(,'T x'!$B$30:$B$32,'T x'!$F$30:$F$32,1)"
    """
    def fix(match: re.Match) -> str:
        sheet = match.group("sheet")
        name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        start = int(match.group("r1"))
        if name != tab or start not in blocks:
            return match.group(0)
        col2 = match.group("c2") or match.group("c1")
        quoted = "'" + name.replace("'", "''") + "'"
        return f"{quoted}!${match.group('c1')}${start}:${col2}${start + max(blocks[start], 1) - 1}"

    return _RANGE_REF.sub(fix, text)


# --------------------------------------------------------------------------- Excel dates

_DAY_NS = 86_400_000_000_000
EXCEL_EPOCHS = {False: np.datetime64("1899-12-30", "ns"), True: np.datetime64("1904-01-01", "ns")}


def serials(values: np.ndarray, date1904: bool = False) -> np.ndarray:
    """Excel serial numbers (days since 1899-12-30, or 1904-01-01) of datetime64 values.

    NaT gives NaN.

    >>> serials(np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]")).tolist()
    [45292.0, nan]
    """
    ns = np.asarray(values, dtype="datetime64[ns]")
    out = (ns - EXCEL_EPOCHS[date1904]).astype("int64") / _DAY_NS
    out[np.isnat(ns)] = np.nan
    return out


def serial(value: object, date1904: bool = False) -> float | None:
    """The Excel serial number of one date or datetime (time zones dropped); None for NaT."""
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return float(serials(np.array([stamp.to_datetime64()]), date1904)[0])
