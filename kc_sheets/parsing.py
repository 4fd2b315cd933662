"""Reading raw cells: headers, blanks, dates, amounts, quantities and ids.

Every parser takes one column (a pandas Series of any dtype: typed numbers or datetimes, the
"str" dtype, or object with mixed Python values) and returns a :class:`Parsed`: the values and,
per row, a status among ``ok``, ``missing`` (blank cell), ``invalid`` (unreadable text, an error
value such as ``#N/A``, a boolean) and ``impossible`` (a well-formed date that does not exist,
such as 31/02/2024, or outside 1970-2099).

Speed: a column is factorized and only its distinct values are parsed, with vectorised pyarrow
and numpy operations (no Python loop over rows), then spread back by codes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STATUSES: tuple[str, ...] = ("ok", "missing", "invalid", "impossible")
OK, MISSING, INVALID, IMPOSSIBLE = range(4)
_STATUS_OBJECTS = np.array(STATUSES + ("missing",), dtype=object)  # code -1 -> "missing"

ERROR_VALUES: tuple[str, ...] = (
    "#N/A", "#NA", "#VALUE!", "#VALEUR!", "#DIV/0!", "#REF!", "#NAME?", "#NOM?", "#NUM!",
    "#NOMBRE!", "#NULL!", "#NUL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#ERROR!", "#N/D",
)
_ERRORS = pa.array(ERROR_VALUES, type=pa.large_string())

YEAR_MIN, YEAR_MAX = 1970, 2099
AMOUNT_LIMIT = 1e13
_NS_PER_DAY = 86_400 * 10**9
_DAYS_1970_TO_2100 = 47_482
_EXCEL_EPOCH = {False: 25_569, True: 24_107}  # serial of 1970-01-01 (1900 and 1904 systems)
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Parsed:
    """A parsed column: ``values`` (NaN/NaT/None where not ok) and ``status`` per row.

    >>> p = parse_amounts(pd.Series(["12,50 €", "", "#N/A"]))
    >>> p.values.tolist()[0], p.status.tolist()
    (12.5, ['ok', 'missing', 'invalid'])
    """

    values: pd.Series
    status: pd.Series

    @property
    def ok(self) -> np.ndarray:
        """Boolean array: True where the status is ``ok``."""
        return np.asarray(self.status, dtype=object) == "ok"


def normalize_header(text: object) -> str:
    """A header as a comparable name: lower case, no accents, punctuation as single spaces.

    >>> normalize_header("Date d'achat"), normalize_header("N° commande")
    ('date d achat', 'n commande')
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return re.sub(r"[\W_]+", " ", s.lower()).strip()


def is_blank(series: pd.Series) -> pd.Series:
    """True where a cell is None, NaN, NaT, empty or only whitespace.

    >>> is_blank(pd.Series(["a", " ", None, 0])).tolist()
    [False, True, True, False]
    """
    kind = _kind_of(series)
    if kind == "arrow_str":
        return pd.Series(_blank_strings(_arrow_strings(series.array)), index=series.index)
    if kind != "other":
        return series.isna().astype(bool)
    return pd.Series(_string_flags(series, _blank_strings, True), index=series.index)


def text_matches(series: pd.Series, pattern: str) -> np.ndarray:
    """Boolean array: True where a cell is text matching ``pattern`` (RE2 syntax, searched).

    >>> text_matches(pd.Series(["Total", "A1", 3]), r"(?i)^\\s*total").tolist()
    [True, False, False]
    """
    if _kind_of(series) in ("bool", "datetime", "number"):
        return np.zeros(len(series), dtype=bool)
    return _string_flags(series, lambda s: _mask(pc.match_substring_regex(s, pattern)), False)


def _string_flags(series: pd.Series, flag, if_na: bool) -> np.ndarray:
    """A boolean per row from ``flag`` (pyarrow strings -> bool array) over the text cells;
    False for other cells, ``if_na`` for NA."""
    codes, uniques = _factorize(series)
    out = np.zeros(len(uniques) + 1, dtype=bool)
    out[-1] = if_na
    positions = _split_kinds(uniques)["str"]
    if len(positions):
        out[positions] = flag(_strings_of(uniques, positions))
    return out[codes]


# --------------------------------------------------------------------------------------------
# Dates


def parse_dates(series: pd.Series, day_first: bool | None = True,
                date1904: bool = False) -> Parsed:
    """Dates and datetimes (naive, wall time) from any cell type.

    Accepts datetime/date objects, Excel serial numbers (also as text; ``date1904`` for Mac
    workbooks), ``31/12/2024``, ``31/12/24``, ``31-12-2024``, ``31.12.2024``, ``2024-12-31``,
    ``2024/12/31``, an optional time (``14:05``, ``14:05:11``, AM/PM) and a time zone suffix,
    which is dropped (``2024-12-31 14:05:11 +0100`` -> 14:05:11). ``day_first=None``: day first
    unless some value of the column rules it out (12/31/2024).

    >>> parse_dates(pd.Series(["31/12/2024", 45292, "31/02/2024"])).status.tolist()
    ['ok', 'ok', 'impossible']
    """
    kind = _kind_of(series)
    if kind == "datetime":
        ns, status = _datetime_column(series)
    elif kind == "number":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        ns, status = _serials_to_ns(values, date1904)
    elif kind == "bool":
        ns = np.full(len(series), _NAT, dtype=np.int64)
        status = np.where(series.isna().to_numpy(), MISSING, INVALID).astype(np.int8)
    else:
        ns, status = _by_uniques(series, lambda u, counts: _dates_of_uniques(
            u, counts, day_first, date1904), _NAT)
    values = pd.Series(ns.view("datetime64[ns]"), index=series.index, copy=False)
    return Parsed(values, _status_series(status, series.index))


def _dates_of_uniques(uniques, counts, day_first, date1904):
    n = len(uniques)
    ns = np.full(n, _NAT, dtype=np.int64)
    status = np.full(n, INVALID, dtype=np.int8)
    groups = _split_kinds(uniques)
    if len(groups["str"]):
        pos = groups["str"]
        ns[pos], status[pos] = _date_strings(_strings_of(uniques, pos), counts[pos], day_first,
                                             date1904)
    if len(groups["num"]):
        pos = groups["num"]
        ns[pos], status[pos] = _serials_to_ns(_as_floats(uniques, pos), date1904)
    if len(groups["datetime"]):
        pos = groups["datetime"]
        ns[pos], status[pos] = _datetime_objects(_values_of(uniques)[pos])
    return ns, status


def _datetime_column(series: pd.Series):
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    raw = series.to_numpy()
    missing = np.isnat(raw)
    ok = (raw >= np.datetime64(f"{YEAR_MIN}-01-01")) & \
        (raw < np.datetime64(f"{YEAR_MAX + 1}-01-01"))
    ns = np.where(ok, raw, np.datetime64("NaT")).astype("datetime64[ns]").view(np.int64)
    return ns, np.where(ok, OK, np.where(missing, MISSING, IMPOSSIBLE)).astype(np.int8)


def _datetime_objects(objects: np.ndarray):
    """Python/pandas datetime and date objects -> int64 ns (time kept, time zone dropped)."""
    naive = [v.replace(tzinfo=None) if getattr(v, "tzinfo", None) is not None else v
             for v in objects]
    years = np.array([v.astype("datetime64[Y]").astype(int) + 1970
                      if isinstance(v, np.datetime64) else v.year for v in naive])
    inside = (years >= YEAR_MIN) & (years <= YEAR_MAX)
    ns = np.full(len(objects), _NAT, dtype=np.int64)
    if inside.any():
        kept = [v for v, keep in zip(naive, inside) if keep]
        ns[inside] = pd.to_datetime(pd.Series(kept, dtype=object), errors="coerce") \
            .to_numpy().astype("datetime64[ns]").view(np.int64)
    status = np.where(inside, OK, IMPOSSIBLE).astype(np.int8)
    return ns, status


def _serials_to_ns(values: np.ndarray, date1904: bool):
    """Excel serial numbers (fraction = time of day) or yyyymmdd integers -> int64 ns."""
    missing = np.isnan(values)
    finite = np.isfinite(values)
    safe = np.where(finite, values, 0.0)
    days = safe - _EXCEL_EPOCH[date1904]
    in_range = finite & (days >= 0) & (days < _DAYS_1970_TO_2100)
    ms = np.round(np.where(in_range, days, 0.0) * 86_400_000.0).astype(np.int64)
    ns = np.where(in_range, ms * 1_000_000, _NAT)
    status = np.where(in_range, OK, np.where(missing, MISSING, np.where(finite, IMPOSSIBLE,
                                                                         INVALID)))
    # yyyymmdd written as a number (20241231)
    compact = finite & ~in_range & (safe >= 19_700_101) & (safe <= 20_991_231) & \
        (safe == np.floor(safe))
    if compact.any():
        whole = safe[compact].astype(np.int64)
        days_c, good = _civil_days(whole // 10_000, whole // 100 % 100, whole % 100)
        ns[compact] = np.where(good, days_c * _NS_PER_DAY, _NAT)
        status[compact] = np.where(good, OK, IMPOSSIBLE)
    return ns, status.astype(np.int8)


def _civil_days(y, m, d):
    """Days since 1970-01-01 of (year, month, day) arrays, and whether the date exists."""
    y, m, d = (np.asarray(x, dtype=np.int64) for x in (y, m, d))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    good_m = (m >= 1) & (m <= 12)
    last = month_days[np.where(good_m, m, 1)] + ((m == 2) & leap)
    good = good_m & (d >= 1) & (d <= last) & (y >= YEAR_MIN) & (y <= YEAR_MAX)
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468, good


_TIME = (r"(?:(?:[ T]+|\s*[,à]\s*|\s+a\s+)(?P<H>\d{1,2})[:hH](?P<M>\d{2})"
         r"(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?\s*(?P<P>[AaPp]\.?[Mm]\.?)?"
         r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?$")
_YMD = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME
_DMY = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME
_YMD_PY, _DMY_PY = re.compile(_YMD), re.compile(_DMY)
_NUMERIC_TEXT = r"^\d+(?:[.,]\d+)?$"


def _date_strings(strings: pa.Array, counts: np.ndarray, day_first: bool | None,
                  date1904: bool):
    """Date texts -> int64 ns and status, through :class:`_DateParts`."""
    text = pc.utf8_trim_whitespace(strings)
    n = len(text)
    ns = np.full(n, _NAT, dtype=np.int64)
    status = np.full(n, INVALID, dtype=np.int8)
    status[_blank_strings(strings)] = MISSING
    parts = _DateParts(n)
    todo = (status == INVALID) & ~parts.from_shapes(text)
    if todo.any():
        idx = np.flatnonzero(todo)
        rest = text.filter(pa.array(todo))
        numeric = _mask(pc.match_substring_regex(rest, _NUMERIC_TEXT))
        if numeric.any():
            serial = pc.cast(pc.replace_substring(rest.filter(pa.array(numeric)), ",", "."),
                             pa.float64()).to_numpy(zero_copy_only=False)
            ns[idx[numeric]], status[idx[numeric]] = _serials_to_ns(serial, date1904)
        if not numeric.all():
            parts.from_regex(rest.filter(pa.array(~numeric)), idx[~numeric])
    shaped = parts.kind > 0
    shaped = slice(None) if shaped.all() else np.flatnonzero(shaped)
    ns[shaped], status[shaped] = parts.assemble(counts, day_first, shaped)
    return ns, status


class _DateParts:
    """Year, month/day (in written order), time and AM/PM of date texts, then their ns.

    ``kind`` is 1 for year-first texts (p1 = month, p2 = day) and 2 for day/month texts whose
    order (p1 = first number, p2 = second) is settled by ``day_first`` in :meth:`assemble`.
    """

    NAMES = ("year", "p1", "p2", "hour", "minute", "second", "nanos", "ampm")

    def __init__(self, n: int) -> None:
        self.kind = np.zeros(n, dtype=np.int8)
        for name in self.NAMES:
            setattr(self, name, np.zeros(n, dtype=np.int64))

    def from_shapes(self, text: pa.Array) -> np.ndarray:
        """Fast path: texts whose shape (digits as 0) is a date layout seen in a sample.

        The texts are read as a byte matrix (padded to one width), so each layout costs a few
        numpy operations per character position. Returns the mask of rows handled.
        """
        n = len(text)
        handled = np.zeros(n, dtype=bool)
        layouts = _sampled_layouts(text)
        if not layouts:
            return handled
        width = max(len(shape) for shape, _ in layouts)
        cols, fits = _byte_columns(text, width)
        if cols is None:
            return handled
        digit = (cols - np.uint8(48)) < 10
        for shape, m in layouts:
            ok = fits & ~handled
            for j, char in enumerate(shape.ljust(width)):
                ok &= digit[j] if char == "0" else cols[j] == ord(char)
            rows = np.flatnonzero(ok)
            if not len(rows):
                continue
            if len(rows) == n:
                rows = slice(None)
            handled[rows] = True
            groups = m.groupdict()
            year_first = "a" not in groups
            self.kind[rows] = 1 if year_first else 2
            spans = zip(self.NAMES[:7], ("y", "m" if year_first else "a",
                                         "d" if year_first else "b", "H", "M", "S", "F"))
            for name, group in spans:
                start, end = m.span(group)
                if start < 0 or start == end:
                    continue
                value = np.zeros(len(ok), dtype=np.int64)[rows]
                for j in range(start, end):
                    value = value * 10 + (cols[j][rows] - np.uint8(48))
                getattr(self, name)[rows] = value * 10 ** (9 - (end - start)) \
                    if name == "nanos" else value
            self.ampm[rows] = _ampm_code(groups.get("P") or "")
        return handled

    def from_regex(self, sub: pa.Array, idx: np.ndarray) -> None:
        """Slow path for the texts at ``idx``: the same layouts, read by regular expressions."""
        ymd = pc.extract_regex(sub, _YMD)
        dmy = pc.extract_regex(sub, _DMY)
        is_ymd = _mask(ymd.is_valid())
        is_dmy = _mask(dmy.is_valid()) & ~is_ymd
        if not (is_ymd.any() or is_dmy.any()):
            return
        self.kind[idx] = np.where(is_ymd, 1, np.where(is_dmy, 2, 0))
        fields = zip(self.NAMES[:6], ("y", "m", "d", "H", "M", "S"), ("y", "a", "b", "H", "M",
                                                                        "S"))
        for name, in_ymd, in_dmy in fields:
            getattr(self, name)[idx] = np.where(is_ymd, _int_field(ymd, in_ymd),
                                                _int_field(dmy, in_dmy))
        frac = pc.if_else(pa.array(is_ymd), ymd.field("F"), dmy.field("F"))
        self.nanos[idx] = _int_field_of(pc.utf8_rpad(frac, width=9, padding="0"))
        ampm = pc.utf8_upper(pc.if_else(pa.array(is_ymd), ymd.field("P"), dmy.field("P")))
        self.ampm[idx] = np.where(_mask(pc.starts_with(ampm, "P")), 2,
                                  np.where(_mask(pc.starts_with(ampm, "A")), 1, 0))

    def assemble(self, counts: np.ndarray, day_first: bool | None, rows):
        """int64 ns and status (ok or impossible) of the given rows."""
        dmy = self.kind == 2
        if day_first is None:
            rules_out_day = counts[dmy & (self.p2 > 12) & (self.p1 <= 12)].sum()
            rules_out_month = counts[dmy & (self.p1 > 12) & (self.p2 <= 12)].sum()
            day_first = not rules_out_day > rules_out_month
        k = lambda a: a[rows]  # noqa: E731
        dmy, year, p1, p2 = k(dmy), k(self.year), k(self.p1), k(self.p2)
        year = np.where(dmy & (year < 100), np.where(year < 30, 2000, 1900) + year, year)
        swap = dmy & day_first
        month, day = np.where(swap, p2, p1), np.where(swap, p1, p2)
        hour, ampm = k(self.hour), k(self.ampm)
        good_hour = np.where(ampm > 0, (hour >= 1) & (hour <= 12), hour <= 23)
        hour = np.where((ampm == 2) & (hour < 12), hour + 12,
                        np.where((ampm == 1) & (hour == 12), 0, hour))
        days, good = _civil_days(year, month, day)
        good &= good_hour & (k(self.minute) <= 59) & (k(self.second) <= 59)
        seconds = (hour * 60 + k(self.minute)) * 60 + k(self.second)
        ns = np.where(good, days * _NS_PER_DAY + seconds * 10**9 + k(self.nanos), _NAT)
        return ns, np.where(good, OK, IMPOSSIBLE).astype(np.int8)


def _sampled_layouts(text: pa.Array) -> list[tuple[str, re.Match]]:
    """The date layouts among the shapes (digits as 0) of a sample of the texts."""
    n = len(text)
    if not n:
        return []
    picks = np.unique(np.linspace(0, n - 1, min(n, 2000)).astype(np.int64))
    sample = text.take(pa.array(picks)).to_pylist()
    shapes = Counter(re.sub(r"[0-9]", "0", s) for s in sample if s and s.isascii())
    return [(shape, m) for shape, _ in shapes.most_common(12)
            for m in [_YMD_PY.match(shape) or _DMY_PY.match(shape)] if m]


def _byte_columns(text: pa.Array, width: int):
    """The texts' bytes as a (width, n) uint8 matrix, and which texts fit (ASCII, <= width)."""
    n = len(text)
    lengths = pc.binary_length(text).fill_null(width + 1).to_numpy(zero_copy_only=False)
    fits = (lengths <= width) & _mask(pc.string_is_ascii(text))
    if not fits.all():
        text = pc.if_else(pa.array(fits), text, "")
    if not (lengths[fits] == width).all() or not fits.all():
        text = pc.utf8_rpad(text, width=width, padding=" ")
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64, count=n + 1,
                            offset=text.offset * 8)
    if offsets[-1] - offsets[0] != n * width:
        return None, fits
    matrix = np.frombuffer(text.buffers()[2], dtype=np.uint8)[
        offsets[0]:offsets[0] + n * width].reshape(n, width)
    return np.ascontiguousarray(matrix.T), fits


def _ampm_code(text: str) -> int:
    return {"P": 2, "A": 1}.get(text[:1].upper(), 0)


def _int_field(struct: pa.StructArray, name: str) -> np.ndarray:
    return _int_field_of(struct.field(name))


def _int_field_of(strings: pa.Array) -> np.ndarray:
    """Digits -> int64 (0 where empty or null)."""
    strings = pc.if_else(pc.equal(strings, ""), None, strings)
    return pc.cast(strings, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------------------------
# Amounts and quantities

_CURRENCY = r"(?i)\s|[\x{00a0}\x{202f}\x{2009}'’]|eur(?:os?)?|usd|gbp|chf|cad|aud|jpy|[€$£¥]"
_PLAIN = r"^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"          # 12 12.5 .5 1.234 1e3
_ONE_COMMA = r"^(?:\d+,\d*|,\d+)$"                           # 12,5 1,234
_COMMA_AMBIGUOUS = r"^[1-9]\d{0,2},\d{3}$"                   # 1,234
_POINT_AMBIGUOUS = r"^[1-9]\d{0,2}\.\d{3}$"                  # 1.234
_COMMA_THOUSANDS = r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$"         # 1,234,567.89
_POINT_THOUSANDS = r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$"         # 1.234.567,89


def parse_amounts(series: pd.Series, decimal_comma: bool | None = True) -> Parsed:
    """Amounts as floats: numbers as is, and text such as ``1 234,56 €`` or ``(12.50)``.

    Spaces (also no-break ones) separate thousands; with both ``,`` and ``.`` the last one is
    the decimal separator; ``1,234`` alone is 1.234 with ``decimal_comma`` and 1234 without
    (``None``: decided by the other values of the column, decimal comma by default).
    ``1.234`` is 1.234 unless the column writes thousands with points (``1.234.567,89``).
    Error values, booleans, dates, infinities and sizes from 10^13 up are ``invalid``.

    >>> parse_amounts(pd.Series(["1 234,56 €", "$1,234.50", "(12.50)", True])).values.tolist()
    [1234.56, 1234.5, -12.5, nan]
    """
    kind = _kind_of(series)
    if kind == "number":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return _parsed_numbers(values, series.index)
    if kind in ("bool", "datetime"):
        status = np.where(series.isna().to_numpy(), MISSING, INVALID).astype(np.int8)
        values = np.full(len(series), np.nan)
    else:
        values, status = _by_uniques(series, lambda u, counts: _amounts_of_uniques(
            u, decimal_comma), np.nan)
    return Parsed(pd.Series(values, index=series.index, copy=False),
                  _status_series(status, series.index))


def parse_numbers(series: pd.Series) -> Parsed:
    """Quantities: like :func:`parse_amounts` with the decimal separator read from the column.

    >>> parse_numbers(pd.Series(["2", "1,5", 3])).values.tolist()
    [2.0, 1.5, 3.0]
    """
    return parse_amounts(series, decimal_comma=None)


def _plausible(values: np.ndarray) -> np.ndarray:
    """Finite and below 10^13 in size: beyond, floats no longer hold cents (a barcode?)."""
    with np.errstate(invalid="ignore"):
        return np.abs(values) < AMOUNT_LIMIT


def _parsed_numbers(values: np.ndarray, index) -> Parsed:
    missing = np.isnan(values)
    finite = _plausible(values)
    status = np.where(finite, OK, np.where(missing, MISSING, INVALID)).astype(np.int8)
    values = np.where(finite, values, np.nan)
    return Parsed(pd.Series(values, index=index, copy=False), _status_series(status, index))


def _amounts_of_uniques(uniques, decimal_comma):
    n = len(uniques)
    values = np.full(n, np.nan)
    status = np.full(n, INVALID, dtype=np.int8)
    groups = _split_kinds(uniques)
    if len(groups["num"]):
        pos = groups["num"]
        floats = _as_floats(uniques, pos)
        finite = _plausible(floats)
        values[pos] = np.where(finite, floats, np.nan)
        status[pos] = np.where(finite, OK, INVALID)
    if len(groups["str"]):
        pos = groups["str"]
        values[pos], status[pos] = _amount_strings(_strings_of(uniques, pos), decimal_comma)
    return values, status


def _amount_strings(strings: pa.Array, decimal_comma: bool | None):
    text = pc.utf8_trim_whitespace(strings)
    status = np.full(len(text), INVALID, dtype=np.int8)
    status[_blank_strings(strings)] = MISSING
    body = pc.replace_substring_regex(text, _CURRENCY, "")
    body = pc.replace_substring(body, "\u2212", "-")
    paren = _mask(pc.match_substring_regex(body, r"^\(.*\)$"))
    body = pc.replace_substring_regex(body, r"^\((.*)\)$", r"\1")
    minus = _mask(pc.match_substring_regex(body, r"^-|-$"))
    body = pc.replace_substring_regex(body, r"^[+-]|[+-]$", "")

    def match(pattern: str) -> np.ndarray:
        return _mask(pc.match_substring_regex(body, pattern))

    plain, one_comma = match(_PLAIN), match(_ONE_COMMA)
    comma_amb, point_amb = match(_COMMA_AMBIGUOUS), match(_POINT_AMBIGUOUS)
    comma_k = match(_COMMA_THOUSANDS) & ~one_comma
    point_k = match(_POINT_THOUSANDS) & ~plain
    if decimal_comma is None:
        comma_decimal = (one_comma & ~comma_amb).any() or (point_k & match(",")).any()
        point_decimal = (plain & ~point_amb & match(r"\.")).any() or comma_k.any()
        decimal_comma = bool(comma_decimal or not point_decimal)
    points_are_thousands = bool(point_k.any())
    comma_thousands = one_comma & comma_amb & (not decimal_comma)
    no_commas = pc.replace_substring(body, ",", "")
    no_points = pc.replace_substring(body, ".", "")
    conditions = [plain & ~(point_amb & points_are_thousands), plain, comma_thousands,
                  one_comma, comma_k, point_k]
    choices = [body, no_points, no_commas, pc.replace_substring(body, ",", "."), no_commas,
               pc.replace_substring(no_points, ",", ".")]
    normalized = pa.nulls(len(body), pa.large_string())
    for condition, choice in reversed(list(zip(conditions, choices))):
        normalized = pc.if_else(pa.array(condition), choice.cast(pa.large_string()),
                                normalized)
    readable = _mask(normalized.is_valid())
    numbers = pc.cast(normalized, pa.float64()).to_numpy(zero_copy_only=False)
    numbers = np.where(paren | minus, -numbers, numbers)
    finite = readable & _plausible(numbers)
    status = np.where(finite, OK, status).astype(np.int8)
    return np.where(finite, numbers, np.nan), status


# --------------------------------------------------------------------------------------------
# Ids


def parse_ids(series: pd.Series) -> Parsed:
    """Ids as text: 123, "123", 123.0 and " 123 " are all "123"; blank is None.

    Whole numbers are written without decimals (exact for large integers), other numbers as
    Python writes them ("12.5"), text is kept as typed, only stripped. Error values (#N/A) and
    booleans are ``invalid`` (None).

    >>> parse_ids(pd.Series([123, "123", 123.0, " 123 ", None, 12.5])).values.tolist()
    ['123', '123', '123', '123', None, '12.5']
    """
    texts, status = _by_uniques(series, lambda u, counts: _ids_of_uniques(u), None)
    return Parsed(pd.Series(texts, index=series.index, dtype=object, copy=False),
                  _status_series(status, series.index))


def _ids_of_uniques(uniques):
    n = len(uniques)
    texts = np.full(n, None, dtype=object)
    status = np.full(n, INVALID, dtype=np.int8)
    groups = _split_kinds(uniques)
    if len(groups["str"]):
        pos = groups["str"]
        strings = _strings_of(uniques, pos)
        text = pc.utf8_trim_whitespace(strings)
        blank = _blank_strings(strings)
        error = _mask(pc.is_in(pc.utf8_upper(text), value_set=_ERRORS))
        kept = ~blank & ~error
        values = text.to_numpy(zero_copy_only=False)
        maybe_float = _mask(pc.and_(pc.ends_with(text, "0"), pc.match_substring(text, ".")))
        if maybe_float.any():  # "123.0" (an id that went through a float) -> "123"
            values[maybe_float] = pc.replace_substring_regex(
                text.filter(pa.array(maybe_float)), r"^(\d+)\.0+$", r"\1") \
                .to_numpy(zero_copy_only=False)
        texts[pos] = np.where(kept, values, None)
        status[pos] = np.where(kept, OK, np.where(blank, MISSING, INVALID))
    objects = _values_of(uniques) if len(groups["str"]) < n else None
    if len(groups["num"]):
        pos = groups["num"]
        texts[pos] = _number_ids(objects[pos])
        status[pos] = np.where(pd.isna(texts[pos]), INVALID, OK)
    if len(groups["datetime"]):
        pos = groups["datetime"]
        texts[pos] = [pd.Timestamp(v).isoformat(sep=" ").removesuffix(" 00:00:00")
                      for v in objects[pos]]
        status[pos] = OK
    for p in groups["other"]:
        texts[p], status[p] = str(objects[p]).strip() or None, OK
    return texts, status


def _number_ids(numbers: np.ndarray) -> np.ndarray:
    """Numbers -> id texts: whole numbers without decimals, exactly; None for inf."""
    kind = pd.api.types.infer_dtype(numbers, skipna=False)
    if kind == "integer":
        try:
            ints = numbers.astype(np.int64)
        except OverflowError:
            return np.array([str(int(v)) for v in numbers], dtype=object)
        return pa.array(ints).cast(pa.string()).to_numpy(zero_copy_only=False)
    if kind != "floating":
        return np.array([_number_id(v) for v in numbers], dtype=object)
    floats = np.asarray(numbers, dtype=float)
    whole = np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < 2**63)
    out = np.full(len(floats), None, dtype=object)
    if whole.any():
        out[whole] = pa.array(floats[whole].astype(np.int64)).cast(pa.string()) \
            .to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~whole & np.isfinite(floats)):
        out[i] = _number_id(numbers[i])
    return out


def _number_id(value) -> str | None:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    value = float(value)
    if not np.isfinite(value):
        return None
    return str(int(value)) if value.is_integer() else repr(value)


# --------------------------------------------------------------------------------------------
# Shared machinery


class _BoolCell:
    """Stands for a boolean cell in a mixed column, so that True is not merged with 1."""

    def __init__(self, value: bool) -> None:
        self.value = value


_TRUE_CELL, _FALSE_CELL = _BoolCell(True), _BoolCell(False)


def _kind_of(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return "arrow_str"
    return "other"


def _by_uniques(series: pd.Series, parse_uniques, missing_value):
    """Parse the distinct values of a column, then spread them back by codes."""
    codes, uniques = _factorize(series)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    values, status = parse_uniques(uniques, counts)
    values = np.append(values, np.array([missing_value], dtype=values.dtype))
    status = np.append(status, np.int8(MISSING))
    return values[codes], status[codes]   # code -1 (blank) takes the appended last entry


def _factorize(series: pd.Series):
    """Codes (-1 for NA) and distinct values: a pyarrow string array, or an array/Index.

    A column that is mostly distinct (order ids, timestamps) is not factorized: its non-NA
    values are its own "uniques".
    """
    if _kind_of(series) == "arrow_str":
        array = _arrow_strings(series.array)
        if _mostly_distinct(array, len(array), lambda s: pc.count_distinct(
                array.take(pa.array(s))).as_py()):
            return np.where(_mask(array.is_valid()), np.arange(len(array)), -1), array
        encoded = pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
        return codes, encoded.dictionary.cast(pa.large_string())
    if series.dtype == object:
        series = _separate_booleans(series)
        values = series.to_numpy(dtype=object)
        if _mostly_distinct(values, len(values), lambda s: len(pd.unique(values[s]))):
            valid = ~pd.isna(values)
            return np.where(valid, np.cumsum(valid) - 1, -1), values[valid]
    return pd.factorize(series, use_na_sentinel=True)


def _mostly_distinct(values, n: int, count_distinct) -> bool:
    """Whether a random sample suggests more than n/2 distinct values (birthday estimate)."""
    if n < 50_000:
        return False
    k = 4096
    sample = np.sort(np.random.default_rng(0).choice(n, size=k, replace=False))
    repeats = k - count_distinct(sample)
    return repeats < k * k / n   # about n/2 distinct values would give k*k/n repeats


def _separate_booleans(series: pd.Series) -> pd.Series:
    """Replace True/False in a mixed object column by markers (factorize merges True and 1)."""
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if not inferred.startswith("mixed"):
        return series
    values = series.to_numpy(dtype=object)
    try:  # only values equal to 0 or 1 can be booleans
        suspects = np.flatnonzero(np.asarray((values == 1) | (values == 0), dtype=bool))
    except TypeError:
        suspects = np.arange(len(values))
    is_bool = np.frompyfunc(lambda v: isinstance(v, (bool, np.bool_)), 1, 1)
    flags = np.zeros(len(values), dtype=bool)
    flags[suspects] = is_bool(values[suspects]).astype(bool)
    if not flags.any():
        return series
    values = values.copy()
    values[flags] = np.where(values[flags].astype(bool), _TRUE_CELL, _FALSE_CELL)
    return pd.Series(values, index=series.index, dtype=object)


def _split_kinds(uniques) -> dict[str, np.ndarray]:
    """Positions of the strings, numbers, datetimes, booleans and others among uniques."""
    n = len(uniques)
    empty = np.zeros(0, dtype=np.intp)
    out = {"str": empty, "num": empty, "datetime": empty, "bool": empty, "other": empty}
    every = np.arange(n)
    if isinstance(uniques, pa.Array) or isinstance(uniques.dtype, pd.StringDtype):
        return {**out, "str": every}
    for kind, test in (("bool", pd.api.types.is_bool_dtype),
                       ("num", pd.api.types.is_numeric_dtype),
                       ("datetime", pd.api.types.is_datetime64_any_dtype)):
        if test(uniques.dtype):
            return {**out, kind: every}
    objects = np.asarray(uniques, dtype=object)
    inferred = pd.api.types.infer_dtype(objects, skipna=False)
    if inferred == "string":
        return {**out, "str": every}
    if inferred in ("integer", "floating", "mixed-integer-float"):
        return {**out, "num": every}
    kinds = np.array([_kind_of_value(v) for v in objects], dtype=object)
    return {k: np.flatnonzero(kinds == k) for k in out}


def _kind_of_value(v: object) -> str:
    if isinstance(v, (bool, np.bool_, _BoolCell)):
        return "bool"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (int, float, np.integer, np.floating, Decimal)):
        return "num"
    if isinstance(v, (dt.date, np.datetime64)):
        return "datetime"
    return "other"


def _strings_of(uniques, positions: np.ndarray) -> pa.Array:
    """The string uniques at ``positions`` as a pyarrow large_string array."""
    if isinstance(uniques, pa.Array):
        return uniques
    if isinstance(uniques.dtype, pd.StringDtype) and uniques.dtype.storage == "pyarrow":
        return _arrow_strings(uniques.array)
    objects = np.asarray(uniques, dtype=object)[positions]
    return pa.array(objects, type=pa.large_string(), from_pandas=True)


def _arrow_strings(values) -> pa.Array:
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _values_of(uniques) -> np.ndarray:
    """Uniques (not a pyarrow array) as numpy: typed when they are, else object."""
    if isinstance(uniques, pd.Index) and uniques.hasnans is False and \
            pd.api.types.is_numeric_dtype(uniques.dtype):
        return uniques.to_numpy(dtype=uniques.dtype.numpy_dtype
                                if hasattr(uniques.dtype, "numpy_dtype") else None)
    return np.asarray(uniques, dtype=object)


def _blank_strings(strings: pa.Array) -> np.ndarray:
    """True where a string is null, empty or only whitespace."""
    empty = pc.equal(pc.binary_length(strings), 0)
    return ~_mask(pc.invert(pc.or_(empty, pc.utf8_is_space(strings))))


def _mask(array) -> np.ndarray:
    """A pyarrow boolean array as a numpy bool array (null -> False)."""
    return array.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _as_floats(uniques, positions: np.ndarray) -> np.ndarray:
    return _values_of(uniques)[positions].astype(float)


def _status_series(codes: np.ndarray, index) -> pd.Series:
    return pd.Series(_STATUS_OBJECTS[codes], index=index, dtype=object, copy=False)
