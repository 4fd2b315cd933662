"""Display strings (FORMATTED_VALUE) for numbers, dates and booleans, per number format and locale.

An approximation of Sheets' formatter that covers the patterns templates use: ``0``, ``0.00``,
``#,##0``, ``#,##0.00 "€"``, ``0.0%``, ``0.00E+00``, date and time patterns (``yyyy-mm-dd``,
``dd/mm/yyyy``, ``hh:mm:ss``, ``mmm yyyy``) and the locale defaults for types given without a
pattern. Without a number format a value is shown in Sheets' automatic ("General") format.
"""

from __future__ import annotations

import datetime as dt
import math
import re

EPOCH = dt.datetime(1899, 12, 30)
_DECIMAL_COMMA = {"fr", "de", "es", "it", "pt", "nl", "ru", "pl", "tr", "sv", "da", "nb", "fi",
                  "cs", "sk", "hu", "ro", "id", "el", "uk", "vi"}
_GROUP = {"fr": "\u202f", "de": ".", "es": ".", "it": ".", "pt": ".", "nl": ".", "ru": "\u00a0",
          "pl": "\u00a0", "sv": "\u00a0", "cs": "\u00a0"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def language(locale: str) -> str:
    return (locale or "en_US").split("_")[0].lower()


def separators(locale: str) -> tuple[str, str]:
    """(decimal separator, thousands separator) for a locale such as fr_FR."""
    lang = language(locale)
    if lang in _DECIMAL_COMMA:
        return ",", _GROUP.get(lang, ".")
    return ".", ","


def default_pattern(kind: str, locale: str) -> str:
    lang, us = language(locale), locale in ("en_US", "", None)
    date = "M/d/yyyy" if us else ("dd.MM.yyyy" if lang == "de" else "dd/MM/yyyy")
    time = "h:mm:ss am/pm" if us else "HH:mm:ss"
    return {"DATE": date, "TIME": time, "DATE_TIME": f"{date} {time}",
            "NUMBER": "#,##0.00", "PERCENT": "0.00%", "SCIENTIFIC": "0.00E+00",
            "CURRENCY": '"$"#,##0.00' if us else '#,##0.00 "€"'}.get(kind, "")


def serial_to_datetime(serial: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=serial)


def datetime_to_serial(value: dt.datetime) -> float:
    delta = value - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def general(value: float, locale: str) -> str:
    """Sheets' automatic format: integers plainly, up to ten decimals, exponent when huge."""
    decimal, _ = separators(locale)
    if math.isnan(value) or math.isinf(value):
        return "#NUM!"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e15 or abs(value) < 1e-9:
        mantissa, exponent = f"{value:.2E}".split("E")
        text = f"{mantissa.rstrip('0').rstrip('.')}E{int(exponent):+03d}"
    else:
        digits = max(0, 10 - len(str(int(abs(value)))) + 1)
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _is_date_pattern(pattern: str) -> bool:
    bare = re.sub(r'"[^"]*"|\\.', "", pattern).lower()
    return bool(re.search(r"[dyhs]|m{3,}|am/pm|a/p", bare)) and "0" not in bare


def format_value(value: float, number_format: dict | None, locale: str) -> str:
    """FORMATTED_VALUE of a number under a CellFormat.numberFormat."""
    if not number_format:
        return general(value, locale)
    kind = number_format.get("type", "NUMBER_FORMAT_TYPE_UNSPECIFIED")
    pattern = number_format.get("pattern") or default_pattern(kind, locale)
    if kind == "TEXT" or pattern in ("", "General", "@"):
        return general(value, locale)
    if kind in ("DATE", "TIME", "DATE_TIME") or _is_date_pattern(pattern):
        try:
            return format_date(serial_to_datetime(value), pattern)
        except (OverflowError, ValueError):
            return general(value, locale)
    sections = _split_sections(pattern)
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    text = format_number(abs(value) if len(sections) > 1 and value < 0 else value, section, locale)
    return text


def _split_sections(pattern: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in pattern:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def format_number(value: float, pattern: str, locale: str) -> str:
    decimal, group = separators(locale)
    literal = re.sub(r'"([^"]*)"', lambda m: "\0" * len(m.group(1)), pattern)
    core = re.search(r"[#0?][#0?,]*(\.[#0?]*)?(E[+-]0+)?", literal)
    if core is None:
        return pattern.replace('"', "")
    prefix = _literal(pattern[:core.start()])
    suffix = _literal(pattern[core.end():])
    spec = core.group(0)
    if "%" in literal.replace(spec, ""):
        value *= 100
    integer_part, _, fraction = spec.split("E")[0].partition(".")
    min_decimals = fraction.count("0")
    max_decimals = len(fraction)
    if "E" in spec:
        digits = f"{value:.{max_decimals}E}"
        mantissa, exponent = digits.split("E")
        text = f"{mantissa.replace('.', decimal)}E{int(exponent):+03d}"
        return f"{prefix}{text}{suffix}"
    rounded = f"{abs(value):.{max_decimals}f}"
    whole, _, frac = rounded.partition(".")
    frac = frac.rstrip("0").ljust(min_decimals, "0") if max_decimals > min_decimals else frac
    min_int = integer_part.replace(",", "").count("0")
    if whole == "0" and min_int == 0:
        whole = ""
    whole = whole.rjust(min_int, "0")
    if "," in integer_part and whole:
        whole = f"{int(whole):,}".replace(",", group)
    text = whole + (decimal + frac if frac else "")
    sign = "-" if value < 0 and float(rounded) != 0 else ""
    return f"{sign}{prefix}{text}{suffix}"


def _literal(text: str) -> str:
    text = re.sub(r"\[\$([^-\]]*)(-[^\]]*)?\]", r"\1", text)
    text = re.sub(r'"([^"]*)"', r"\1", text)
    return text.replace("\\", "").replace("_)", "").replace("*", "")


def format_date(moment: dt.datetime, pattern: str) -> str:
    """Render a datetime with a Sheets date pattern (case-insensitive tokens)."""
    tokens = re.findall(r'"[^"]*"|\\.|yyyy|yy|m{1,4}|d{1,4}|h{1,2}|s{1,2}|am/pm|a/p|\.0+|.',
                        pattern, flags=re.IGNORECASE)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low.startswith("m"):
            before = [t.lower() for t in tokens[:i] if t.strip() and t not in ":/-. "]
            after = [t.lower() for t in tokens[i + 1:] if t.strip() and t not in ":/-. "]
            minute = len(low) <= 2 and ((before and before[-1].startswith("h"))
                                        or (after and after[0].startswith("s")))
            if minute:
                out.append(f"{moment.minute:0{len(low)}d}")
            else:
                out.append({1: str(moment.month), 2: f"{moment.month:02d}",
                            3: _MONTHS[moment.month - 1][:3]}.get(len(low), _MONTHS[moment.month - 1]))
        elif low.startswith("d"):
            out.append({1: str(moment.day), 2: f"{moment.day:02d}",
                        3: _DAYS[moment.weekday()][:3]}.get(len(low), _DAYS[moment.weekday()]))
        elif low.startswith("h"):
            hour = moment.hour % 12 or 12 if twelve else moment.hour
            out.append(f"{hour:0{len(low)}d}")
        elif low.startswith("s"):
            out.append(f"{moment.second:0{len(low)}d}")
        elif low == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif low == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif low.startswith(".0"):
            out.append("." + f"{moment.microsecond:06d}"[:len(low) - 1])
        else:
            out.append(token)
    return "".join(out)
