"""Cells as worksheet XML: values written as values (numbers, dates, booleans) and text as
inline strings, never formulas; escaping as Excel reads it back; long tables built row by row
by Arrow, with no Python step per cell."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd

from kc_sheets.cells import col_letter, serial, serials

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CELL_TEXT = 32767
_KEPT_SPACE = " \t\r\n"
_ESCAPE_LIKE = r"_(x[0-9A-Fa-f]{4}_)"     # text that reads as Excel's _xHHHH_ escape
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]


def escape_text(text: str) -> str:
    """A text as cell XML: cut at Excel's 32,767 characters; "_x0041_" kept as typed (its
    underscore escaped, _x005F_); control characters XML cannot hold written as Excel's
    _xHHHH_ escapes (read back as themselves); &, <, > as entities.

    >>> escape_text("C\x011 & _x0041_")
    'C_x0001_1 &amp; _x005F_x0041_'
    """
    text = re.sub(_ESCAPE_LIKE, r"_x005F_\1", text[:MAX_CELL_TEXT])
    text = _INVALID_XML.sub(lambda m: f"_x{ord(m.group()):04X}_" if m.group() in _CONTROL
                            else "", text)
    text = text.replace("\r", "_x000D_")    # XML readers turn a raw CR into a line feed
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, style: str, text: str) -> str:
    """An inline-string cell; spaces, tabs and line breaks at either end are kept
    (``xml:space="preserve"``)."""
    text = escape_text(text)
    space = ' xml:space="preserve"' if text != text.strip(_KEPT_SPACE) or "\n" in text else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _column_cells(values: pd.Series, first_row: int, col: int, styles: list[str],
                  date1904: bool) -> list[str]:
    """XML of one column's cells, row after row; empty values give styled empty cells.

    Numbers, dates and booleans are formatted by numpy in one pass; only text goes cell by
    cell (it needs escaping)."""
    letter = col_letter(col)
    rows = range(first_row, first_row + len(values))
    kind = values.dtype.kind
    if kind in "fiuM":
        if kind == "M":
            numbers = serials(values.to_numpy(dtype="datetime64[ns]"), date1904)
        else:
            numbers = values.to_numpy()
        texts = numbers.astype(str).tolist()
        present = np.isfinite(numbers).tolist() if kind in "fM" else [True] * len(texts)
        return [f'<c r="{letter}{r}"{s}><v>{v}</v></c>' if ok else f'<c r="{letter}{r}"{s}/>'
                for r, s, v, ok in zip(rows, styles, texts, present)]
    if kind == "b":
        return [f'<c r="{letter}{r}"{s} t="b"><v>{int(v)}</v></c>'
                for r, s, v in zip(rows, styles, values.tolist())]
    out = []
    for r, s, value in zip(rows, styles, values.astype(object).tolist()):
        if isinstance(value, str):
            out.append(_text_cell(f"{letter}{r}", s, value))
        else:
            out.append(_value_cell(f"{letter}{r}", s, value, date1904))
    return out


_XML_SPECIALS = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def row_fragments(frame: pd.DataFrame, first_row: int, first_col: int,
                  styles: list[list[str]], date1904: bool) -> list[bytes]:
    """The XML of every row of ``frame`` (:func:`row_fragment_array`) as bytes, one per row."""
    return row_fragment_array(frame, first_row, first_col, styles, date1904).to_pylist()


def row_fragment_array(frame: pd.DataFrame, first_row: int, first_col: int,
                       styles: list[list[str]], date1904: bool):
    """The XML of every row of ``frame`` (its cells side by side, UTF-8, a pyarrow binary
    array), built by Arrow: the
    same cells as :func:`_column_cells`, without a Python step per cell. Every column adds its
    pieces (literal text, or one value per row) to a single element-wise join."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(frame)
    rows = pc.cast(pa.array(np.arange(first_row, first_row + n)), pa.string())
    pieces: list = []
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        column_styles = styles[i]
        style = column_styles[0] if len(set(column_styles)) == 1 else \
            pa.array(column_styles, type=pa.string())
        cell_start = [f'<c r="{col_letter(first_col + i)}', rows, '"', style]
        kind = values.dtype.kind
        if kind in "fiuM":
            numbers = (serials(values.to_numpy(dtype="datetime64[ns]"), date1904) if kind == "M"
                       else values.to_numpy())
            texts = number_texts(numbers)
            present = np.isfinite(numbers) if kind in "fM" else None
            if present is None or present.all():
                pieces += [*cell_start, "><v>", texts, "</v></c>"]
            else:
                full = pc.binary_join_element_wise("><v>", texts, "</v></c>", "")
                pieces += [*cell_start, pc.if_else(pa.array(present), full, "/>")]
            continue
        if kind == "b":
            texts = pa.array(values.to_numpy().astype(np.int8).astype(str))
            pieces += [*cell_start, ' t="b"><v>', texts, "</v></c>"]
            continue
        text = _arrow_text(values)
        if text is None:                                            # mixed: cell by cell
            pieces.append(pa.array(_column_cells(values, first_row, first_col + i,
                                                 column_styles, date1904), type=pa.string()))
            continue
        text = _escaped(text)
        spaced = pc.match_substring_regex(text, r"^[ \t\r\n]|[ \t\r\n]$|\n")
        tag = pc.if_else(pc.fill_null(spaced, False), '<t xml:space="preserve">', "<t>")
        full = pc.binary_join_element_wise(' t="inlineStr"><is>', tag, text, "</t></is></c>", "")
        pieces += [*cell_start, pc.if_else(pc.is_null(text), "/>", full)]
    if not pieces:
        return pa.array([b""] * n, pa.binary())
    return pc.binary_join_element_wise(*_merged(pieces), "").cast(pa.binary())


def _arrow_text(values: pd.Series):
    """A text column as a pyarrow string array (missing values null), or None when it holds
    something else than text (then it is written cell by cell)."""
    import pyarrow as pa

    if values.dtype == "str":                        # Arrow-backed already: no object step
        return pa.array(values.array, type=pa.string(), from_pandas=True)
    objects = values.astype(object).tolist()
    if not all(v is None or type(v) is str for v in objects):
        return None
    return pa.array(objects, type=pa.string())


def _escaped(text):
    """Cell text as XML: cut at Excel's limit, Excel's _xHHHH_ look-alikes and control
    characters escaped, entities; each pass only when some value needs it."""
    import pyarrow.compute as pc

    text = pc.utf8_slice_codeunits(text, 0, MAX_CELL_TEXT)
    if pc.any(pc.match_substring_regex(text, _ESCAPE_LIKE)).as_py():
        text = pc.replace_substring_regex(text, _ESCAPE_LIKE, r"_x005F_\1")
    if pc.any(pc.match_substring_regex(text, _INVALID_XML.pattern)).as_py():
        for char in _CONTROL:
            text = pc.replace_substring(text, char, f"_x{ord(char):04X}_")
        text = pc.replace_substring_regex(text, _INVALID_XML.pattern, "")
    if pc.any(pc.match_substring_regex(text, "[\r&<>]")).as_py():
        text = pc.replace_substring(text, "\r", "_x000D_")
        for old, new in _XML_SPECIALS:
            text = pc.replace_substring(text, old, new)
    return text


def _merged(pieces: list) -> list:
    """Neighbouring literal pieces as one (fewer arguments for the join)."""
    out: list = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def number_texts(numbers: np.ndarray):
    """The ``<v>`` text of each number, as a pyarrow string array (non-finite values: any
    text, the caller writes an empty cell). Integers are cast by Arrow; floats that are whole
    cents (money, day serials) are written from their integer cents, exactly as ``repr`` writes
    them ("12.5", "-0.07", "45321.0") and read back as the same double; any other float goes
    through numpy's shortest round-trip repr.

    >>> number_texts(np.array([12.5, -0.07, 45321.0, -0.0])).to_pylist()
    ['12.5', '-0.07', '45321.0', '-0.0']
    >>> number_texts(np.array([1 / 3])).to_pylist()
    ['0.3333333333333333']
    >>> number_texts(np.array([3, -40])).to_pylist()
    ['3', '-40']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if numbers.dtype.kind in "iu":
        return pc.cast(pa.array(numbers), pa.string())
    numbers = numbers.astype(float, copy=False)
    safe = np.where(np.isfinite(numbers), numbers, 0.0)
    if len(safe) == 0 or np.abs(safe).max() >= 1e13:
        return pa.array(numbers.astype(str))
    cents = np.rint(safe * 100).astype(np.int64)
    if not (cents / 100 == safe).all():                   # not all whole cents
        return pa.array(numbers.astype(str))
    whole, frac = np.divmod(np.abs(cents), 100)
    text = pc.cast(pa.array(whole), pa.string())
    text = pc.if_else(pa.array(np.signbit(safe)), pc.binary_join_element_wise("-", text, ""),
                      text)
    two = pc.utf8_lpad(pc.cast(pa.array(frac), pa.string()), 2, "0")
    decimals = pc.if_else(pa.array(frac % 10 == 0), pc.utf8_slice_codeunits(two, 0, 1), two)
    return pc.binary_join_element_wise(text, ".", decimals, "")   # 45321.0 as repr says


def _value_cell(ref: str, style: str, value: object, date1904: bool) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f'<c r="{ref}"{style}><v>{int(value)}</v></c>'
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return f'<c r="{ref}"{style}/>'
        return f'<c r="{ref}"{style}><v>{float(value)!r}</v></c>'
    if isinstance(value, (dt.date, np.datetime64)):
        number = serial(value, date1904)
        return f'<c r="{ref}"{style}/>' if number is None else \
            f'<c r="{ref}"{style}><v>{number!r}</v></c>'
    return _text_cell(ref, style, str(value))


@dataclass(eq=False)
class Run:
    """Rows of a long table written as one Arrow array of row fragments (one per row, from
    ``first_row`` on, cells of columns ``first_col``..``last_col``): wrapped into ``<row>``
    elements by Arrow when the sheet is written, with no Python step per row."""

    first_row: int
    first_col: int
    last_col: int
    fragments: object                       # pyarrow binary array

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.fragments) - 1

    def chunks(self, rows: int) -> Iterator[bytes]:
        for start in range(0, len(self.fragments), rows):
            cells = self.fragments.slice(start, rows)
            yield _wrapped_rows(self.first_row + start, cells)


def _wrapped_rows(first_row: int, cells) -> bytes:
    """``<row r="N">cells</row>`` for each fragment of ``cells`` (rows from ``first_row``),
    joined end to end, built by Arrow.

    >>> import pyarrow as pa
    >>> _wrapped_rows(7, pa.array([b'<c r="B7"/>', b'<c r="B8"/>']))
    b'<row r="7"><c r="B7"/></row><row r="8"><c r="B8"/></row>'
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = pa.array(np.arange(first_row, first_row + len(cells), dtype=np.int64))
    rows = pc.cast(pc.cast(numbers, pa.string()), pa.binary())
    joined = pc.binary_join_element_wise(b'<row r="', rows, b'">', cells, b"</row>", b"")
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)
    start, stop = offsets[joined.offset], offsets[joined.offset + len(joined)]
    return memoryview(joined.buffers()[2])[start:stop].tobytes()   # the values, end to end
