"""The ``kc-sheets`` commands: help, happy paths, and readable refusals (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kc_sheets.apps.cli import app
from tests.conftest import make_workbook, ten_orders

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", [[], ["calculate"], ["demo"], ["analyze"], ["sample-data"],
                                     ["templates"], ["templates", "list"],
                                     ["templates", "build"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_templates_list_and_build(tmp_path: Path) -> None:
    result = invoke("templates", "list", "--lang", "en")
    assert result.exit_code == 0 and "first-vs-repeat" in result.output
    result = invoke("templates", "build", "--lang", "fr", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fr" / "first-vs-repeat.xlsx").is_file()


def test_demo_writes_a_calculated_workbook(tmp_path: Path) -> None:
    result = invoke("demo", "--rows", 800, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Calcul terminé" in result.output
    assert (tmp_path / "demo-first-vs-repeat-fr.xlsx").is_file()


def test_calculate_and_its_summary(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, ten_orders())
    result = invoke("calculate", path)
    assert result.exit_code == 0, result.output
    assert "10" in result.output and "545" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_sample_data_then_analyze(tmp_path: Path, suffix: str) -> None:
    data = tmp_path / f"orders{suffix}"
    result = invoke("sample-data", data, "--rows", 600, "--seed", 3)
    assert result.exit_code == 0, result.output
    out = tmp_path / "blocks"
    result = invoke("analyze", data, "--out", out, "--period", "quarter")
    assert result.exit_code == 0, result.output
    by_period = pd.read_csv(out / "first_vs_repeat.by_period.csv")
    assert list(by_period.columns[:3]) == ["period", "period_start", "orders"]
    assert by_period["period"].iloc[0] == "2022-T1"
    summary = pd.read_csv(out / "quality.summary.csv").iloc[0]
    assert summary["rows_read"] == 600
    assert summary["rows_read"] == summary["rows_used"] + summary["rows_set_aside"]
    set_aside = pd.read_csv(out / "quality.set_aside.csv")
    assert len(set_aside) == summary["rows_set_aside"]
    assert {"row", "reason"} <= set(set_aside.columns)


def test_analyze_csv_with_semicolons_and_french_amounts(tmp_path: Path) -> None:
    data = tmp_path / "export.csv"
    data.write_text("ID achat;Date d'achat;Montant;ID client\n"
                    "A1;05/01/2024;1 234,50 €;00123\n"
                    "A2;06/02/2024;10,00;123\n"
                    "A3;07/02/2024;abc;7\n", encoding="utf-8")
    out = tmp_path / "blocks"
    result = invoke("analyze", data, "--out", out)
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "quality.summary.csv").iloc[0]
    assert (summary["rows_used"], summary["rows_set_aside"]) == (2, 1)
    assert summary["revenue_used"] == pytest.approx(1244.5)
    assert summary["customers"] == 2   # "00123" (text) and "123" are two customers


@pytest.mark.parametrize("args, expected", [
    (["calculate", "missing.xlsx"], "introuvable"),
    (["calculate", "orders.txt"], ".xlsx"),
    (["analyze", "orders.docx"], "format"),
    (["analyze", "orders.txt"], "vide"),
    (["demo", "--template", "nope"], "nope"),
    (["templates", "list", "--lang", "de"], "de"),
    (["analyze", "orders.txt", "--period", "week"], "week"),
])
def test_bad_input_gives_a_message_not_a_traceback(tmp_path: Path, monkeypatch, args,
                                                   expected) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orders.txt").write_text("x")
    (tmp_path / "orders.docx").write_text("x")
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_missing_column_names_tab_row_and_what_to_do(tmp_path: Path) -> None:
    frame = ten_orders().rename(columns={"ID client": "Acheteur"})
    path = make_workbook(tmp_path, frame)
    result = invoke("calculate", path)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "Raw Data" in text and "ligne 1" in text and "ID client" in text
    assert "Paramètres" in text
