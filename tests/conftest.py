"""Shared fixtures: template workbooks filled with small, hand-checkable Raw Data."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kc_sheets.xlsx.raw_writer import fill_raw_data
from kc_sheets.backends.xlsx import XlsxBook
from kc_sheets.templates import get
from kc_sheets.xlsx.render import build
from tests.sheets_emulator import SheetsEmulator
from tests.support import google

DATA = Path(__file__).parent / "data"


def ten_orders() -> pd.DataFrame:
    """Ten orders you can add up on paper (French Cartelis headers).

    Customer A: 100 (Jan 5), 50 (Feb 10), 30 (Feb 20)      -> first 100, repeat 80
    Customer B: 200 (Jan 15), refund -20 (Feb 1)            -> first 200, refund -20
    Customer C: 40 (Feb 3), 60 (Mar 3)                      -> first 40, repeat 60
    Customer D: 10 (Mar 30)                                 -> first 10
    Customer E: 70 (Mar 31), 5 (Mar 31, later row)          -> first 70, repeat 5

    January: first 300; February: first 40, repeat 80, refunds -20; March: first 80, repeat 65.
    """
    rows = [
        ("A1", dt.datetime(2024, 1, 5), 100.0, "A"),
        ("A2", dt.datetime(2024, 1, 15), 200.0, "B"),
        ("A3", dt.datetime(2024, 2, 1), -20.0, "B"),
        ("A4", dt.datetime(2024, 2, 3), 40.0, "C"),
        ("A5", dt.datetime(2024, 2, 10), 50.0, "A"),
        ("A6", dt.datetime(2024, 2, 20), 30.0, "A"),
        ("A7", dt.datetime(2024, 3, 3), 60.0, "C"),
        ("A8", dt.datetime(2024, 3, 30), 10.0, "D"),
        ("A9", dt.datetime(2024, 3, 31), 70.0, "E"),
        ("A10", dt.datetime(2024, 3, 31), 5.0, "E"),
    ]
    return pd.DataFrame(rows, columns=["ID achat", "Date d'achat", "Montant", "ID client"])


def make_workbook(tmp_path: Path, frame: pd.DataFrame, template: str = "first-vs-repeat",
                  lang: str = "fr", name: str = "book.xlsx") -> Path:
    path = build(get(template), tmp_path / name, lang)
    fill_raw_data(path, frame)
    return path


def part_of(path: Path, tab: str) -> str:
    return XlsxBook(path)._require(tab)


def part_bytes(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part)


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, ten_orders())



@pytest.fixture
def sheets(monkeypatch):
    """The Sheets API emulator on 127.0.0.1, the client's environment pointed at it."""
    with SheetsEmulator(tokens=("test-token", google.TOKEN)) as emulator:
        monkeypatch.setenv("KC_SHEETS_GOOGLE_API_BASE", emulator.base_url)
        monkeypatch.setenv("KC_SHEETS_RETRY_BASE", "0.01")
        yield emulator


@pytest.fixture(scope="module")
def xw():
    """xlwings' remote engine (the open-source part: its JSON protocol, no Excel needed)."""
    pytest.importorskip("xlwings")
    from tests.excel.remote import remote_xlwings

    return remote_xlwings()
