"""CSV files we write: no raw value becomes a formula, a line break never splits a row, and a
failed write never leaves a truncated file in place.

Formula injection (OWASP "CSV Injection"): a spreadsheet opening a CSV runs a cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula. Every such *text* cell
(and header) is written with a leading single quote, which Excel, LibreOffice and Google Sheets
read as "this is text" and do not show. Numbers we computed (a refund of -12.5 in a numeric
column) stay numbers. A text that is a plain number (``-12``, ``+3,5`` from Raw Data) is written
as it is: a spreadsheet reads it as that number and runs nothing, and a pipeline reading the CSV
gets the value back rather than ``'-12``; anything else after the sign (``-1+1``, ``-A1``,
``+33 6 12``) is quoted.

Rows are written with CRLF line ends (RFC 4180), so the ``csv`` module quotes every field that
holds a line feed *or* a lone carriage return (with ``\\n`` line ends a lone ``\\r`` stays bare
and readers start a new row there).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")
LINE_END = "\r\n"


def neutralise(value: object) -> object:
    """A text cell made safe to open in a spreadsheet; other values unchanged.

    >>> [neutralise(v) for v in ["=1+1", "@SUM(A1)", "-12", "-1+1", "\\tx", "Café", -12.5]]
    ["'=1+1", "'@SUM(A1)", '-12', "'-1+1", "'\\tx", 'Café', -12.5]
    """
    if isinstance(value, str) and value.startswith(TRIGGERS) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text cells and headers neutralised (numeric columns untouched)."""
    out = frame.copy(deep=False)
    out.columns = [neutralise(str(c)) if not isinstance(c, (int, float)) else c
                   for c in frame.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype.kind in "biufcmM":             # numbers, booleans, dates
            continue
        texts = column.map(neutralise, na_action="ignore")
        out.isetitem(position, texts.astype(column.dtype) if column.dtype != object else texts)
    return out


@contextlib.contextmanager
def replacing(path: Path, keep_suffix: bool = False) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it when the block succeeds (and is
    removed when it fails): ``path`` is the old file or the complete new one, never half.

    The temporary file is ``.<name>.<random>.kc-tmp``, plus ``path``'s suffix with
    ``keep_suffix`` (for writers that want ``.xlsx``)."""
    path = Path(path)
    suffix = ".kc-tmp" + (path.suffix if keep_suffix else "")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix,
                                dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _mode(path: Path) -> int:
    """The permission bits of the file replaced, or those a new file gets (umask applied)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_csv(frame: pd.DataFrame, path: Path, **to_csv: object) -> Path:
    """Write ``frame`` as a safe CSV at ``path`` (``to_csv`` options: ``sep``, ``decimal``,
    ``date_format``...); returns ``path``."""
    with replacing(Path(path)) as tmp:
        safe_frame(frame).to_csv(tmp, index=False, lineterminator=LINE_END, encoding="utf-8",
                                 **to_csv)
    return Path(path)
