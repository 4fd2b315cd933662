"""Dates and datetimes from any cell type: datetime cells, Excel serials and date texts."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kc_sheets.cells import serials
from kc_sheets.ingest.parsing.common import (
    IMPOSSIBLE, INVALID, MISSING, OK, Parsed, _as_floats, _blank_strings, _by_uniques,
    _kind_of, _mask, _split_kinds, _status_series, _strings_of, _values_of,
)
from kc_sheets.ingest.parsing.objects import typed_column

YEAR_MIN, YEAR_MAX = 1970, 2099
_NS_PER_DAY = 86_400 * 10**9
_DAYS_1970_TO_2100 = 47_482
# Serial of 1970-01-01 in the 1900 and 1904 systems (25,569 and 24,107).
_EXCEL_EPOCH = {system: int(serials(np.array(["1970-01-01"], "datetime64[ns]"), system)[0])
                for system in (False, True)}
_NAT = np.iinfo(np.int64).min


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
    series = typed_column(series)
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
    named = _mask(pc.match_substring_regex(text, r"\p{L}{3}"))
    if named.any():
        text = _month_names_as_iso(text, named)
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


_MONTHS = {
    name: month for month, names in enumerate((
        ("janvier", "janv", "jan", "january"), ("fevrier", "fevr", "fev", "feb", "february"),
        ("mars", "mar", "march"), ("avril", "avr", "apr", "april"), ("mai", "may"),
        ("juin", "jun", "june"), ("juillet", "juil", "jul", "july"),
        ("aout", "aug", "august"), ("septembre", "sept", "sep", "september"),
        ("octobre", "oct", "october"), ("novembre", "nov", "november"),
        ("decembre", "dec", "december")), 1) for name in names}
_WEEKDAY = (r"(?:(?:lun|mar|mer|jeu|ven|sam|dim)[a-z]*|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)"
            r"\.?,?\s+")
_DAY_MONTH_YEAR = re.compile(rf"^(?:{_WEEKDAY})?(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+"
                             r"(?P<m>[a-z]+)\.?,?\s+(?P<y>\d{4})(?P<rest>.*)$")
_MONTH_DAY_YEAR = re.compile(rf"^(?:{_WEEKDAY})?(?P<m>[a-z]+)\.?\s+(?P<d>\d{{1,2}})"
                             r"(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?P<rest>.*)$")


def _month_names_as_iso(text: pa.Array, named: np.ndarray) -> pa.Array:
    """Dates written with a month name ("5 janv. 2024", "31 déc. 2024", "January 5, 2024",
    "lundi 5 février 2024 10:00") as ISO texts ("2024-01-05 10:00"): the name settles which
    number is the day. Other texts are left as they are."""
    values = text.to_pylist()
    for i in np.flatnonzero(named):
        plain = unicodedata.normalize("NFKD", values[i].lower())
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        found = _DAY_MONTH_YEAR.match(plain) or _MONTH_DAY_YEAR.match(plain)
        if found and found.group("m") in _MONTHS:
            rest = re.sub(r"\b(utc|gmt|z)\b", lambda m: m.group().upper(), found.group("rest"))
            values[i] = (f"{found.group('y')}-{_MONTHS[found.group('m')]:02d}-"
                         f"{int(found.group('d')):02d}{rest}")
    return pa.array(values, type=pa.large_string())


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
