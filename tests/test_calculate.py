"""Calculate on .xlsx files: results, Raw Data untouched, values never formulas, idempotence."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kc_sheets.calculate import calculate
from kc_sheets.errors import KcError
from tests.conftest import make_workbook, part_bytes, part_of, ten_orders

FVR = "CA 1ers vs répétés"
QUALITY = "Qualité des données"


def table(path: Path, tab: str, first_row: int, columns: int, first_col: int = 2) -> list[list]:
    ws = openpyxl.load_workbook(path)[tab]
    rows = []
    for row in ws.iter_rows(min_row=first_row, min_col=first_col,
                            max_col=first_col + columns - 1, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(list(row))
    return rows


def test_ten_orders_by_month(small_book: Path) -> None:
    result = calculate(small_book)
    assert (result.rows_read, result.rows_used, result.rows_set_aside) == (10, 10, 0)
    rows = table(small_book, FVR, 29, 11)
    # Period, orders, new, returning, first rev, repeat rev, revenue, first share, repeat
    # share, refunds, net revenue; the Total row comes first.
    total, jan, feb, mar = rows
    assert total[:7] == ["Total", 9, 5, 3, 420, 145, 565]
    assert total[9:] == [-20, 545]
    assert jan[:7] == ["janv. 2024", 2, 2, 0, 300, 0, 300]      # periods by their month names
    assert feb[:7] == ["févr. 2024", 3, 1, 1, 40, 80, 120]
    assert feb[9:] == [-20, 100]
    assert mar[:7] == ["mars 2024", 4, 2, 2, 80, 65, 145]
    assert mar[8] == pytest.approx(65 / 145)


def test_quality_tab_accounts_for_every_row(tmp_path: Path) -> None:
    frame = ten_orders().astype(object)
    frame.loc[len(frame)] = ["A11", "31/02/2024", 12.0, "F"]          # impossible date
    frame.loc[len(frame)] = ["A12", dt.datetime(2024, 3, 1), 8.0, None]  # guest order
    frame.loc[len(frame)] = ["Total", None, 1000.0, None]             # a total row
    path = make_workbook(tmp_path, frame)
    result = calculate(path)
    assert (result.rows_read, result.rows_used, result.rows_set_aside) == (13, 10, 3)
    ws = openpyxl.load_workbook(path)[QUALITY]
    summary = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(7, 16)}
    assert summary["Lignes lues"] == 13
    assert summary["Lignes utilisées"] == 10
    assert summary["Lignes écartées"] == 3
    assert summary["CA lu"] == pytest.approx(summary["CA utilisé"] + summary["CA écarté"])
    set_aside = table(path, QUALITY, 35, 6)
    assert [r[1] for r in set_aside] == [12, 13, 14]     # sheet row numbers
    assert "impossible" in set_aside[0][0].lower()
    assert set_aside[0][2:6] == ["A11", "31/02/2024", "12", "F"]


def test_raw_data_is_byte_identical(small_book: Path) -> None:
    part = part_of(small_book, "Raw Data")
    with zipfile.ZipFile(small_book) as zf:
        before = zf.getinfo(part).CRC, zf.read(part)
    calculate(small_book)
    calculate(small_book)
    with zipfile.ZipFile(small_book) as zf:
        assert (zf.getinfo(part).CRC, zf.read(part)) == before


def test_formula_looking_values_stay_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://example.com","x")'
    frame = ten_orders().astype(object)
    frame.loc[len(frame)] = ["A11", "not a date", 5.0, formula]
    frame.loc[len(frame)] = ["=1+1", dt.datetime(2024, 3, 2), 5.0, "=SUM(A1:A3)"]
    path = make_workbook(tmp_path, frame)
    calculate(path)
    quality = part_bytes(path, part_of(path, QUALITY)).decode()
    assert "<f>" not in quality and "<f " not in quality
    ws = openpyxl.load_workbook(path)[QUALITY]
    values = [c.value for row in ws.iter_rows(min_row=35, max_row=42) for c in row]
    assert formula in values
    assert all(ws.cell(r, c).data_type != "f" for r in range(1, 60) for c in range(1, 20))


def test_second_run_on_less_data_clears_stale_rows(tmp_path: Path) -> None:
    frame = ten_orders()
    path = make_workbook(tmp_path, frame)
    calculate(path)
    assert len(table(path, FVR, 30, 11)) == 3
    from kc_sheets.xlsx.raw_writer import fill_raw_data
    fill_raw_data(path, frame.iloc[:2])
    calculate(path)
    assert [r[0] for r in table(path, FVR, 30, 11)] == ["janv. 2024"]


def _values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    skip = {"Dernier calcul", "Last calculation"}
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(tuple(skip)):
                    continue
                if ws.title == QUALITY and cell.column == 11 and 7 <= cell.row <= 11:
                    continue  # run details: date and duration change on every run
                out[(ws.title, cell.coordinate)] = cell.value
    return out


def test_calculate_is_idempotent(small_book: Path) -> None:
    calculate(small_book)
    first = _values(small_book)
    calculate(small_book)
    assert _values(small_book) == first


def test_periods_quarter_and_year(small_book: Path) -> None:
    wb = openpyxl.load_workbook(small_book)
    ws = wb["Paramètres"]
    row = next(r for r in range(6, 40) if ws.cell(r, 1).value == "period")
    ws.cell(row, 3).value = "Trimestre"
    wb.save(small_book)
    calculate(small_book)
    assert [r[0] for r in table(small_book, FVR, 30, 11)] == ["2024-T1"]
    ws = openpyxl.load_workbook(small_book)["Paramètres"]


def test_english_template(tmp_path: Path) -> None:
    frame = ten_orders().rename(columns={"ID achat": "Order ID", "Date d'achat": "Order date",
                                         "Montant": "Amount", "ID client": "Customer ID"})
    path = make_workbook(tmp_path, frame, lang="en")
    result = calculate(path)
    assert result.lang == "en"
    rows = table(path, "First vs repeat", 29, 11)
    assert rows[0][:7] == ["Total", 9, 5, 3, 420, 145, 565]


@pytest.mark.parametrize("problem", ["no_raw", "empty", "not_xlsx", "no_column", "bad_setting"])
def test_refusals_leave_the_file_unchanged(tmp_path: Path, problem: str) -> None:
    path = make_workbook(tmp_path, ten_orders())
    if problem == "no_raw":
        wb = openpyxl.load_workbook(path)
        wb["Raw Data"].title = "Données"
        wb.save(path)
    elif problem == "empty":
        from kc_sheets.xlsx.raw_writer import fill_raw_data
        fill_raw_data(path, ten_orders().iloc[:0][[]])
    elif problem == "not_xlsx":
        path = tmp_path / "orders.xlsx"
        path.write_text("ID;Date;Montant\n1;2024-01-01;12\n")
    elif problem == "no_column":
        from kc_sheets.xlsx.raw_writer import fill_raw_data
        fill_raw_data(path, ten_orders().rename(columns={"Montant": "Prix total TTC bis"}))
    elif problem == "bad_setting":
        wb = openpyxl.load_workbook(path)
        ws = wb["Paramètres"]
        row = next(r for r in range(6, 40) if ws.cell(r, 1).value == "period")
        ws.cell(row, 3).value = "Semaine"
        wb.save(path)
    before = path.read_bytes()
    with pytest.raises(KcError) as info:
        calculate(path)
    message = info.value.message()
    assert path.read_bytes() == before
    expected = {"no_raw": "Raw Data", "empty": "Raw Data", "not_xlsx": ".xlsx",
                "no_column": "ligne 1", "bad_setting": "ligne"}[problem]
    assert expected in message
    if problem == "bad_setting":
        assert "Paramètres" in message and "colonne C" in message and "Semaine" in message


def test_template_option_adds_tabs_to_a_plain_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Raw Data"
    for row in [list(ten_orders().columns)] + ten_orders().values.tolist():
        ws.append(row)
    wb.create_sheet("Mes notes")["A1"] = "à garder"
    path = tmp_path / "client.xlsx"
    wb.save(path)
    with pytest.raises(KcError, match="--template"):
        calculate(path)
    raw_before = part_bytes(path, part_of(path, "Raw Data"))
    result = calculate(path, template_id="first-vs-repeat")
    assert part_bytes(path, part_of(path, "Raw Data")) == raw_before   # even the first time
    assert result.rows_used == 10
    wb = openpyxl.load_workbook(path)
    assert wb["Mes notes"]["A1"].value == "à garder"
    assert {"Raw Data", FVR, QUALITY, "Paramètres"} <= set(wb.sheetnames)
    raw = part_bytes(path, part_of(path, "Raw Data"))
    calculate(path)
    assert part_bytes(path, part_of(path, "Raw Data")) == raw


amounts = st.one_of(st.floats(-50, 500, allow_nan=False).map(lambda v: round(v, 2)),
                    st.sampled_from(["12,50 €", "abc", None, "1 000,00"]))
rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", None]),
                          st.dates(dt.date(2023, 1, 1), dt.date(2024, 12, 31)),
                          amounts), min_size=1, max_size=25)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_property_accounting_and_idempotence(tmp_path_factory, rows) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    frame = pd.DataFrame([(f"O{i}", pd.Timestamp(d), a, c) for i, (c, d, a) in enumerate(rows)],
                         columns=["ID achat", "Date d'achat", "Montant", "ID client"])
    path = make_workbook(tmp, frame)
    try:
        result = calculate(path)
    except KcError:
        return  # nothing usable: refused with a message, file unchanged (tested above)
    assert result.rows_read == len(frame) == result.rows_used + result.rows_set_aside
    totals = result.blocks["first_vs_repeat.totals"].iloc[0]
    by_period = result.blocks["first_vs_repeat.by_period"]
    assert totals["first_purchase_revenue"] + totals["repeat_revenue"] == pytest.approx(
        by_period["revenue"].sum(), abs=0.01)
    assert result.blocks["quality.summary"].iloc[0]["revenue_read"] == pytest.approx(
        result.revenue_used + result.blocks["quality.summary"].iloc[0]["revenue_set_aside"],
        abs=0.01)
    first = _values(path)
    calculate(path)
    assert _values(path) == first


def test_excel_error_values_are_reported_as_such(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Raw Data"
    ws.append(["ID achat", "Date d'achat", "Montant", "ID client"])
    ws.append(["A1", dt.datetime(2024, 1, 5), 10.0, "X"])
    ws.append(["A2", dt.datetime(2024, 1, 6), "#N/A", "Y"])
    ws["C3"].data_type = "e"
    ws.append(["A3", dt.datetime(2024, 1, 7), 5.0, "Z"])
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    result = calculate(path, template_id="first-vs-repeat")
    assert (result.rows_used, result.rows_set_aside) == (2, 1)
    set_aside = result.blocks["quality.set_aside"]
    assert set_aside.iloc[0]["reason"] == "invalid_amount"
    assert set_aside.iloc[0]["Montant"] == "#N/A"


def test_language_setting_changes_texts_not_tab_names(small_book: Path) -> None:
    wb = openpyxl.load_workbook(small_book)
    ws = wb["Paramètres"]
    row = next(r for r in range(6, 40) if ws.cell(r, 1).value == "lang")
    ws.cell(row, 3).value = "en"
    wb.save(small_book)
    result = calculate(small_book)
    assert result.lang == "en"
    ws = openpyxl.load_workbook(small_book)[FVR]
    assert ws["B4"].value.startswith("Last calculation")


def test_set_aside_dates_read_as_text_show_as_typed(tmp_path: Path) -> None:
    frame = ten_orders().astype(object)
    frame.loc[len(frame)] = ["A11", "pas une date", 5.0, None]
    path = make_workbook(tmp_path, frame)
    result = calculate(path)
    shown = result.blocks["quality.set_aside"]["Date d'achat"].tolist()
    assert shown == ["pas une date"]
    frame.loc[len(frame)] = ["A12", dt.datetime(2024, 3, 5), 5.0, None]   # guest order
    path = make_workbook(tmp_path, frame, name="b.xlsx")
    shown = calculate(path).blocks["quality.set_aside"]["Date d'achat"].tolist()
    assert shown == ["pas une date", "05/03/2024"]   # as a French sheet shows it


def test_chart_series_point_at_the_rows_written(small_book: Path) -> None:
    import re

    calculate(small_book)
    chart = part_bytes(small_book, "xl/charts/chart1.xml").decode()
    assert re.findall(r"<f>([^<]*)</f>", chart)[:2] == [
        "'CA 1ers vs répétés'!$B$30:$B$32", "'CA 1ers vs répétés'!$F$30:$F$32"]
    assert "Cache>" not in chart
