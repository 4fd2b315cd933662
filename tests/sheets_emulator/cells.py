"""Cell values: what a written value becomes (RAW vs USER_ENTERED) and what a read returns
(UNFORMATTED_VALUE, FORMATTED_VALUE, FORMULA; SERIAL_NUMBER vs FORMATTED_STRING).

A cell is a CellData dict as the API spells it (``userEnteredValue``, ``userEnteredFormat``,
``note``, ``dataValidation``...). Cells are never mutated in place: writers build new dicts, which
is what lets a spreadsheet be cloned cheaply for an all-or-nothing batch.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from typing import Any

from .errors import invalid
from .numfmt import datetime_to_serial, format_date, format_value, separators

_DATE_TYPES = ("DATE", "TIME", "DATE_TIME")
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_LOCAL_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_CURRENCY = "$€£¥"


def _proto_text(value: Any, indent: str = "") -> str:
    """A JSON value in protobuf text format, as Google echoes a refused cell value."""
    inner = indent + "  "
    if isinstance(value, dict):
        body = "".join(f"{inner}fields {{\n{inner}  key: \"{k}\"\n{inner}  value {{\n"
                       f"{_proto_text(v, inner + '    ')}{inner}  }}\n{inner}}}\n"
                       for k, v in value.items())
        return f"{indent}struct_value {{\n{body}{indent}}}\n"
    if isinstance(value, list):
        body = "".join(f"{inner}values {{\n{_proto_text(v, inner + '  ')}{inner}}}\n" for v in value)
        return f"{indent}list_value {{\n{body}{indent}}}\n"
    if isinstance(value, bool):
        return f"{indent}bool_value: {str(value).lower()}\n"
    if isinstance(value, (int, float)):
        return f"{indent}number_value: {value}\n"
    if value is None:
        return f"{indent}null_value: NULL_VALUE\n"
    return f"{indent}string_value: \"{value}\"\n"


def parse_number(text: str, locale: str) -> float | None:
    """A number typed in ``locale`` ("1,234.5" in en_US, "1 234,5" in fr_FR), else None."""
    decimal, group = separators(locale)
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    groups = {group, " "} if group in ("\u202f", "\u00a0", " ") else {group}
    pattern = (rf"[+-]?(\d{{1,3}}(?:[{''.join(map(re.escape, groups))}]\d{{3}})+|\d+)?"
               rf"(?:{re.escape(decimal)}\d+)?(?:[eE][+-]?\d+)?")
    if not re.fullmatch(pattern, s) or not re.search(r"\d", s):
        return None
    for g in groups:
        s = s.replace(g, "")
    return float(s.replace(decimal, "."))


def _date(parts: tuple, kind_has_time: bool) -> float | None:
    year, month, day, hour, minute, second = parts
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                             int(second or 0))
    except ValueError:
        return None
    return datetime_to_serial(moment)


def parse_user_entered(text: str, locale: str) -> tuple[dict | None, dict | None]:
    """(ExtendedValue or None for an empty cell, numberFormat Sheets attaches or None)."""
    if text == "":
        return None, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return {"boolValue": stripped.upper() == "TRUE"}, None
    number = parse_number(stripped, locale)
    if number is not None:
        return {"numberValue": number}, None
    if stripped.endswith("%"):
        number = parse_number(stripped[:-1], locale)
        if number is not None:
            decimals = len(re.split(r"[.,]", stripped[:-1])[1]) if re.search(r"[.,]\d+$", stripped[:-1]) else 0
            pattern = "0." + "0" * decimals + "%" if decimals else "0%"
            return {"numberValue": number / 100}, {"type": "PERCENT", "pattern": pattern}
    for symbol in _CURRENCY:
        if symbol in stripped:
            number = parse_number(stripped.replace(symbol, "").strip(), locale)
            if number is not None:
                decimal, _ = separators(locale)
                pattern = (f'"{symbol}"#,##0.00' if stripped.startswith(symbol)
                           else f'#,##0.00 "{symbol}"')
                return {"numberValue": number}, {"type": "CURRENCY", "pattern": pattern}
    iso = _ISO_DATE.match(stripped)
    if iso:
        serial = _date(iso.groups(), bool(iso.group(4)))
        if serial is not None:
            sep = "-" if "-" in stripped else "/"
            pattern = f"yyyy{sep}mm{sep}dd" + (" hh:mm:ss" if iso.group(4) else "")
            return {"numberValue": serial}, {"type": "DATE_TIME" if iso.group(4) else "DATE",
                                              "pattern": pattern}
    local = _LOCAL_DATE.match(stripped)
    if local:
        first, second, year, *time = local.groups()
        us = locale in ("en_US", "", None)
        month, day = (first, second) if us else (second, first)
        serial = _date((year, month, day, *time), bool(time[0]))
        if serial is not None:
            sep = "." if "." in stripped else "/"
            pattern = (f"M{sep}d{sep}yyyy" if us else f"dd{sep}MM{sep}yyyy")
            pattern += " H:mm:ss" if time[0] else ""
            return {"numberValue": serial}, {"type": "DATE_TIME" if time[0] else "DATE",
                                              "pattern": pattern}
    clock = _TIME.match(stripped)
    if clock and int(clock.group(1)) < 24 and int(clock.group(2)) < 60:
        serial = (int(clock.group(1)) * 3600 + int(clock.group(2)) * 60
                  + int(clock.group(3) or 0)) / 86400
        return {"numberValue": serial}, {"type": "TIME", "pattern": "hh:mm:ss"}
    return {"stringValue": text}, None


def input_value(value: Any, option: str, locale: str, where: str) -> tuple[str, dict | None, dict | None]:
    """Interpret one value of a ValueRange. Returns (action, ExtendedValue, numberFormat) where
    action is "skip" (null: leave the cell), "clear" or "set"."""
    if value is None:
        return "skip", None, None
    if isinstance(value, (dict, list)):
        raise invalid(f"Invalid {where}: {_proto_text(value)}")
    if isinstance(value, bool):
        return "set", {"boolValue": value}, None
    if isinstance(value, numbers.Real):  # int, float and numpy scalars (seeding from Python)
        number = float(value)
        if math.isnan(number):
            return "skip", None, None
        return "set", {"numberValue": value if isinstance(value, (int, float)) else number}, None
    if isinstance(value, dt.datetime):
        return "set", {"numberValue": datetime_to_serial(value.replace(tzinfo=None))}, \
            {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}
    if isinstance(value, dt.date):
        return "set", {"numberValue": float((value - dt.date(1899, 12, 30)).days)}, \
            {"type": "DATE", "pattern": "yyyy-mm-dd"}
    text = str(value)
    if option == "RAW":
        return ("clear", None, None) if text == "" else ("set", {"stringValue": text}, None)
    extended, number_format = parse_user_entered(text, locale)
    if extended is None:
        return "clear", None, None
    return "set", extended, number_format


def written(old: dict | None, extended: dict | None, number_format: dict | None) -> dict | None:
    """The cell after a values write: new value, format kept (a parsed date/percent/currency adds
    its number format when the cell had none)."""
    cell = dict(old) if old else {}
    for key in ("userEnteredValue", "effectiveValue", "formattedValue"):
        cell.pop(key, None)
    if extended is not None:
        cell["userEnteredValue"] = extended
    if number_format is not None:
        fmt = dict(cell.get("userEnteredFormat") or {})
        if "numberFormat" not in fmt:
            fmt["numberFormat"] = number_format
            cell["userEnteredFormat"] = fmt
    return cell or None


def number_format(cell: dict) -> dict | None:
    return (cell.get("userEnteredFormat") or {}).get("numberFormat")


def python_number(value: float) -> int | float:
    """JSON numbers as Google writes them: 3.0 -> 3."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def render(value: Any, cell: dict, option: str, date_option: str, locale: str) -> Any:
    """One cell's value for values.get. ``value`` is the effective value (float, str, bool, None,
    or ("error", "#DIV/0!"))."""
    if option == "FORMULA":
        formula = (cell.get("userEnteredValue") or {}).get("formulaValue")
        if formula is not None:
            return formula
        option = "UNFORMATTED_VALUE"
    if value is None:
        return ""
    if isinstance(value, tuple):
        return value[1]
    if option == "UNFORMATTED_VALUE":
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            fmt = number_format(cell)
            if date_option == "FORMATTED_STRING" and fmt and fmt.get("type") in _DATE_TYPES:
                return format_value(value, fmt, locale)
            return python_number(value)
        return value
    return formatted(value, cell, locale)


def formatted(value: Any, cell: dict, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return value[1]
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_value(float(value), number_format(cell), locale)
    return str(value)


def extended_of(value: Any) -> dict:
    """An effective value as an ExtendedValue (for spreadsheets.get grid data)."""
    if isinstance(value, tuple):
        return {"errorValue": {"type": "ERROR", "message": value[1]}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": python_number(value)}
    return {"stringValue": str(value)}


__all__ = ["input_value", "written", "render", "formatted", "extended_of", "parse_user_entered",
           "format_date", "python_number"]
