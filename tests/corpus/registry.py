"""The corpus registry: a case is a named function that writes one input file.

Shared here: the :class:`Case` record, the ``@case`` decorator, and the hand-checkable rows every
case departs from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.corpus.builders import Sheet, fill_template


@dataclass(frozen=True)
class Case:
    """One hostile input: how to build it and which command reads it."""

    name: str
    group: str
    command: str                 # "calculate" (a workbook) or "analyze" (any input, CSV out)
    build: Callable[[Path], Path]
    args: tuple[str, ...] = ()
    lang: str = "fr"             # the workbook's language (messages are expected in it)
    template: str = "first-vs-repeat"
    about: str = ""


CASES: list[Case] = []


def case(name: str, group: str, command: str = "calculate", args: tuple[str, ...] = (),
         lang: str = "fr", template: str = "first-vs-repeat"):
    def register(build: Callable[[Path], Path]) -> Callable[[Path], Path]:
        CASES.append(Case(name, group, command, build, args, lang, template,
                          " ".join((build.__doc__ or "").split())))
        return build
    return register


def d(y: int, m: int, day: int) -> dt.date:
    return dt.date(y, m, day)


FR = ["ID achat", "Date d'achat", "Montant", "ID client"]
EN = ["Order ID", "Order date", "Amount", "Customer ID"]
# Five orders you can add up on paper: revenue 450, customers 3 (C1, C2, C3), orders 5.
BASE = [["A1", d(2024, 1, 5), 100, "C1"], ["A2", d(2024, 1, 15), 200, "C2"],
        ["A3", d(2024, 2, 3), 40, "C3"], ["A4", d(2024, 2, 10), 50, "C1"],
        ["A5", d(2024, 3, 3), 60, "C3"]]
PAYLOADS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0")


def book(tmp: Path, name: str, rows: list[list[object]], template: str = "first-vs-repeat",
         lang: str = "fr", **sheet) -> Path:
    settings = sheet.pop("settings", None)
    rename = sheet.pop("rename", None)
    return fill_template(tmp / f"{name}.xlsx", Sheet(rows, **sheet), template, lang,
                         settings=settings, rename=rename)


def text_file(tmp: Path, name: str, data: bytes, suffix: str = ".csv") -> Path:
    path = tmp / f"{name}{suffix}"
    path.write_bytes(data)
    return path
