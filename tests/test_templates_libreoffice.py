"""The RFM, cohorts, churn and all-in-one templates in a real client: LibreOffice opens the
calculated workbooks, recomputes them, and every cell of every block shows what Python computed,
with no error value anywhere; the CDNOW master file end to end; edge cases."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kc_sheets.devtools import cdnow
from kc_sheets import sample_data
from kc_sheets.calculate import calculate, tab_writes
from kc_sheets.i18n import t
from kc_sheets.devtools.libreoffice import export_sheets_csv, find_error_values, find_soffice
from kc_sheets.templates import get
from tests.conftest import DATA, make_workbook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed "
                                 "(scripts/test.sh installs it)")]
NEW_TEMPLATES = ("rfm", "cohorts", "churn", "all-in-one")


def shown_equals(text: str, value: object) -> bool:
    """Whether LibreOffice's CSV text of a cell is the value Python wrote."""
    text = text.strip()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return text == ""
    if isinstance(value, (pd.Timestamp, dt.date, np.datetime64)):
        return text[:10] == str(pd.Timestamp(value).date())
    if isinstance(value, (bool, np.bool_)):
        return text.upper() in ("TRUE", "FALSE", "VRAI", "FAUX")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if text.endswith("%"):
            return abs(float(text[:-1]) / 100 - float(value)) <= 0.0005 + 1e-9
        return abs(float(text) - float(value)) <= 0.005 + 1e-9 * abs(float(value))
    return text == str(value).strip()


def mismatches(path: Path, result, sheets: dict[str, list[list[str]]], lang: str) -> list:
    """Every cell of every block whose shown value differs from Python's (first 20)."""
    template = get(result.template)
    out = []

    def cell(tab: str, row: int, col: int) -> str:
        rows = sheets[tab]
        return rows[row - 1][col - 1] if row - 1 < len(rows) and col - 1 < len(
            rows[row - 1]) else ""

    for write in tab_writes(template, result.blocks, lang):
        for block_write in write.blocks:
            block, frame = block_write.block, block_write.frame
            if block.name in ("run.stamp", "run.details"):
                continue
            if block.layout == "fields":
                for i, column in enumerate(block.columns):
                    if column.key in frame.columns:
                        value = frame[column.key].iloc[0]
                        shown = cell(write.tab, block.anchor_row + i, block.anchor_col + 1)
                        if not shown_equals(shown, value):
                            out.append((write.tab, block.name, column.key, shown, value))
                continue
            if block_write.header is not None:
                for j, label in enumerate(block_write.header):
                    shown = cell(write.tab, block.anchor_row, block.anchor_col + j)
                    if shown != str(label):
                        out.append((write.tab, block.name, "header", shown, label))
            rows = frame if block.fixed_height is None else frame.head(block.fixed_height)
            for i, record in enumerate(rows.itertuples(index=False)):
                for j, value in enumerate(record):
                    shown = cell(write.tab, block.first_data_row + i, block.anchor_col + j)
                    if not shown_equals(shown, value):
                        out.append((write.tab, block.name, i, j, shown, value))
    return out[:20]


@pytest.mark.parametrize("template_id, lang", [
    ("rfm", "fr"), ("cohorts", "fr"), ("churn", "en"), ("all-in-one", "fr"),
    ("all-in-one", "en")])
def test_every_block_shows_what_python_computed(tmp_path: Path, template_id: str,
                                                lang: str) -> None:
    frame = sample_data.generate(rows=2500, seed=11, lang=lang)
    path = make_workbook(tmp_path, frame, template_id, lang)
    result = calculate(path)
    sheets = export_sheets_csv(path, tmp_path / "csv")
    assert find_error_values(sheets) == []
    assert mismatches(path, result, sheets, lang) == []
    assert list(sheets) == [t(tab.title, lang) for tab in get(template_id).tabs]


def test_cdnow_master_all_in_one_end_to_end(tmp_path: Path) -> None:
    """The CDNOW master file (69,659 orders of 23,570 customers, Jan 1997 - Jun 1998)."""
    frame = cdnow.load_master(DATA / "CDNOW_master.txt")
    path = make_workbook(tmp_path, frame, "all-in-one", "en")
    result = calculate(path)
    blocks = result.blocks
    assert blocks["rfm.summary"]["customers"].iloc[0] == 23_570
    assert blocks["rfm.segments"]["customers"].sum() == 23_570
    cohorts = blocks["cohorts.summary"].set_index("cohort")["cohort_size"]
    assert cohorts.loc[["1997-01", "1997-02", "1997-03"]].tolist() == [7_846, 8_476, 7_248]
    assert cohorts.sum() == 23_570
    assert blocks["cohorts.retention_rate"]["period_0"].iloc[:-1].eq(1.0).all()
    churn_revenue = blocks["churn.net_revenue"]
    assert churn_revenue["cohort"].tolist() == ["1997", "Total"]
    cake = blocks["churn.layer_cake"]
    assert cake["net_revenue"].sum() == pytest.approx(result.revenue_used, abs=0.01)
    sheets = export_sheets_csv(path, tmp_path / "csv")
    assert find_error_values(sheets) == []
    assert mismatches(path, result, sheets, "en") == []


EDGE_DAY = pd.Timestamp("2024-03-10")


def _orders(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["ID achat", "Date d'achat", "ID client", "Montant"])


EDGE_CASES = {
    "one_customer": _orders([("A1", "2024-01-05", "C1", 20.0), ("A2", "2024-02-05", "C1", 30.0)]),
    "one_period": _orders([(f"A{i}", "2024-01-0{}".format(1 + i % 9), f"C{i % 4}", 10.0 + i)
                           for i in range(12)]),
    "only_one_time_buyers": _orders([(f"A{i}", f"2023-{1 + i % 12:02d}-10", f"C{i}", 15.0 * i)
                                     for i in range(30)]),
    "fewer_customers_than_scores": _orders([("A1", "2024-01-05", "C1", 20.0),
                                            ("A2", "2024-02-05", "C2", 30.0),
                                            ("A3", "2024-02-15", "C3", 40.0)]),
    "zero_amounts_and_refunds": _orders([("A1", "2024-01-05", "C1", 0.0),
                                         ("A2", "2024-02-05", "C2", 0.0),
                                         ("A3", "2024-03-05", "C1", -10.0),
                                         ("A4", "2024-03-06", "C3", 25.0)]),
    "twenty_five_years": _orders([(f"A{y}{i}", f"{y}-03-0{i + 1}", f"C{y - (i % 2) * 3}{i}",
                                   10.0 + i) for y in range(2000, 2025) for i in range(3)]),
    "a_year_without_orders": _orders([("A1", "2021-05-05", "C1", 20.0),
                                      ("A2", "2023-02-05", "C1", 30.0),
                                      ("A3", "2023-02-15", "C2", 40.0)]),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_cases_read_without_error_values(tmp_path: Path, case: str) -> None:
    path = make_workbook(tmp_path, EDGE_CASES[case], "all-in-one", "fr")
    result = calculate(path)
    assert result.blocks["rfm.segments"]["customers"].sum() == result.customers
    sheets = export_sheets_csv(path, tmp_path / "csv")
    assert find_error_values(sheets) == []
    assert mismatches(path, result, sheets, "fr") == []


def test_long_histories_keep_the_latest_cohorts_and_the_total(tmp_path: Path) -> None:
    """25 yearly cohorts do not fit the 16 rows of a churn table: the latest cohorts and the
    Total row are shown, and the data quality notes say so."""
    path = make_workbook(tmp_path, EDGE_CASES["twenty_five_years"], "churn", "fr")
    result = calculate(path)
    sheets = export_sheets_csv(path, tmp_path / "csv")
    tab = sheets["Churn CA"]
    block = get("churn").tab("churn_revenue").block("churn.net_revenue")
    shown = [row[1] for row in tab[block.first_data_row - 1:block.first_data_row - 1 + 16]]
    assert shown[-1] == "Total" and shown[0] == "2010" and len(result.blocks[
        "churn.net_revenue"]) == 26
    notes = " ".join(" ".join(row) for row in sheets["Qualité des données"])
    assert "16 lignes sur 26" in notes
