"""Settings of the RFM, cohorts and churn templates, typed in the Settings tab, reach the analyses;
a wrong value is a message naming the tab, row and column, and the workbook is left as it was."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from kc_sheets import sample_data
from kc_sheets.xlsx.raw_writer import fill_raw_data
from kc_sheets.calculate import calculate
from kc_sheets.apps.cli import app
from kc_sheets.errors import KcError
from kc_sheets.i18n import t
from kc_sheets.templates import get
from kc_sheets.xlsx.render import build
from kc_sheets.templates.rfm import GRID_SETTING


def settings_row(ws, key: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def workbook(tmp_path: Path, template: str, values: dict[str, object] | None = None,
             grid: dict[tuple[int, int], str] | None = None, lang: str = "fr",
             frame: pd.DataFrame | None = None) -> Path:
    """A template with sample orders, Settings values typed by key, grid cells (R, FM) changed."""
    path = build(get(template), tmp_path / f"{template}.xlsx", lang)
    book = openpyxl.load_workbook(path)
    ws = book[t("tab.settings", lang)]
    for key, value in (values or {}).items():
        ws.cell(settings_row(ws, key), 3, value)
    first_row, first_col = GRID_SETTING.first_cell
    for (r, fm), label in (grid or {}).items():
        ws.cell(first_row + 5 - r, first_col + fm - 1, label)
    book.save(path)
    fill_raw_data(path, frame if frame is not None else
                  sample_data.generate(rows=800, seed=21, lang=lang))
    return path


def test_defaults_are_written_and_read_back(tmp_path: Path) -> None:
    result = calculate(workbook(tmp_path, "rfm"))
    summary = result.blocks["rfm.summary"].iloc[0]
    assert summary["scoring"] == "quintiles" and summary["monetary"] == "revenue"
    assert bool(summary["analysis_date_is_default"])


def test_thresholds_typed_in_settings_score_customers(tmp_path: Path) -> None:
    path = workbook(tmp_path, "rfm", {"rfm_scoring": "Seuils",
                                      "rfm_thresholds.frequency": "2; 3; 4; 5",
                                      "rfm_thresholds.recency": "30;60;90;120",
                                      "rfm_monetary": "Panier moyen"})
    customers = calculate(path).blocks["rfm.customers"]
    expected_f = 1 + (customers["frequency"].to_numpy()[:, None] >= [2, 3, 4, 5]).sum(axis=1)
    assert customers["f_score"].tolist() == expected_f.tolist()
    expected_r = 5 - (customers["recency_days"].to_numpy()[:, None] > [30, 60, 90, 120]).sum(
        axis=1)
    assert customers["r_score"].tolist() == expected_r.tolist()
    assert (customers["monetary"] - customers["revenue"] / customers["frequency"]).abs().max() \
        < 0.01


def test_an_edited_grid_cell_moves_its_customers(tmp_path: Path) -> None:
    before = calculate(workbook(tmp_path / "a", "rfm")).blocks["rfm.customers"]
    after = calculate(workbook(tmp_path / "b", "rfm", grid={(5, 5): "Fidèles"})
                      ).blocks["rfm.customers"]
    moved = (before.set_index("customer_id")["r_score"] == 5) & (
        before.set_index("customer_id")["fm_score"] == 5)
    assert moved.any()
    segments = after.set_index("customer_id").loc[moved[moved].index, "segment"]
    assert set(segments) == {"loyal"}
    assert (after["segment"] == "champions").sum() == (before["segment"] == "champions").sum() \
        - moved.sum()


def test_analysis_date_leaves_later_orders_out(tmp_path: Path) -> None:
    result = calculate(workbook(tmp_path, "rfm", {"rfm_analysis_date": "30/06/2024"}))
    summary = result.blocks["rfm.summary"].iloc[0]
    assert summary["analysis_date"] == pd.Timestamp("2024-06-30")
    assert summary["orders_after_analysis_date"] > 0
    assert result.blocks["rfm.customers"]["last_purchase"].max() <= pd.Timestamp("2024-06-30")


@pytest.mark.parametrize("template, values, grid, column, words", [
    ("rfm", {"rfm_thresholds.monetary": "50; 100"}, None, "C", ["montant", "50; 100"]),
    ("rfm", {"rfm_analysis_date": "demain"}, None, "C", ["demain"]),
    ("rfm", {"rfm_scoring": "Déciles"}, None, "C", ["Déciles", "Quintiles"]),
    ("rfm", None, {(3, 2): "Super clients"}, "H", ["Super clients", "Champions"]),
    ("cohorts", {"retention_window_months": "douze"}, None, "C", ["douze"]),
])
def test_a_wrong_setting_names_tab_row_and_column(tmp_path: Path, template, values, grid,
                                                  column, words) -> None:
    path = workbook(tmp_path, template, values, grid)
    before = path.read_bytes()
    with pytest.raises(KcError) as caught:
        calculate(path)
    message = str(caught.value)
    assert "Paramètres" in message and f"colonne {column}" in message and "ligne" in message
    for word in words:
        assert word in message
    assert path.read_bytes() == before


def test_retention_window_changes_the_basic_method(tmp_path: Path) -> None:
    twelve = calculate(workbook(tmp_path / "a", "cohorts")).blocks
    three = calculate(workbook(tmp_path / "b", "cohorts", {"retention_window_months": 3})
                      ).blocks
    assert twelve["retention.summary"]["retention_rate"].iloc[0] != \
        three["retention.summary"]["retention_rate"].iloc[0]
    pd.testing.assert_frame_equal(twelve["retention.cohort_method"],
                                  three["retention.cohort_method"])


def test_period_setting_makes_quarterly_cohorts(tmp_path: Path) -> None:
    result = calculate(workbook(tmp_path, "cohorts", {"period": "Trimestre"}))
    triangle = result.blocks["cohorts.retention_rate"]
    assert triangle["cohort"].iloc[0].endswith("T1") or "T" in triangle["cohort"].iloc[0]
    assert triangle["new_customers"].iloc[:-1].sum() == result.customers


def test_analyze_takes_template_settings(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    sample_data.generate(rows=400, seed=2, lang="en").to_csv(orders, index=False)
    out = tmp_path / "blocks"
    result = CliRunner().invoke(app, ["analyze", str(orders), "--template", "rfm", "--lang",
                                      "en", "--out", str(out), "--set", "rfm_scoring=thresholds",
                                      "--set", "rfm_thresholds.frequency=2;3;4;5"])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "rfm.summary.csv")
    assert summary["scoring"].iloc[0] == "thresholds"
    for name in ("rfm.segments", "rfm.customers", "rfm.grid"):
        assert (out / f"{name}.csv").is_file()
    bad = CliRunner().invoke(app, ["analyze", str(orders), "--template", "rfm", "--out",
                                   str(out), "--set", "rfm_colour=blue"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert "rfm_scoring" in bad.output
