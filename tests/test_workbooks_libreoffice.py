"""Real client check: LibreOffice opens, recomputes and prints templates and calculated workbooks.

Every number LibreOffice shows after recomputing must equal what Python wrote, with no error
value anywhere (#REF!, #NAME?, #VALUE!, #DIV/0!, Err:5xx).
"""

from __future__ import annotations

import os
import signal
import zipfile
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kc_sheets.devtools import cdnow
from kc_sheets import sample_data
from kc_sheets.calculate import calculate, month_names
from kc_sheets.i18n import t
from kc_sheets.devtools.libreoffice import export_sheets_csv, find_error_values, find_soffice
from kc_sheets.devtools.preview import page_texts, render_png
from tests.conftest import DATA, make_workbook, part_bytes, part_of

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed "
                                 "(scripts/test.sh installs it)")]
ROOT = Path(__file__).resolve().parents[1]


def number(text: str) -> float:
    return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_shipped_templates_open_without_errors(tmp_path: Path, lang: str) -> None:
    for path in sorted((ROOT / "sheet_templates" / lang).glob("*.xlsx")):
        sheets = export_sheets_csv(path, tmp_path / path.stem)
        assert list(sheets)[0] == t("tab.readme", lang)
        assert find_error_values(sheets) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_calculated_workbook_values_equal_python(tmp_path: Path, lang: str) -> None:
    frame = sample_data.generate(rows=3000, seed=7, lang=lang)
    path = make_workbook(tmp_path, frame, lang=lang)
    result = calculate(path)
    sheets = export_sheets_csv(path, tmp_path / "csv")
    assert find_error_values(sheets) == []
    tab = sheets[t("tab.fvr", lang)]
    by_period = result.blocks["first_vs_repeat.by_period"]
    totals = result.blocks["first_vs_repeat.totals"].iloc[0]
    header_row = 28 - 1
    assert tab[header_row][1] == t("col.period", lang)
    total_row = tab[header_row + 1]
    assert total_row[1] == "Total"
    assert number(total_row[5]) == pytest.approx(totals["first_purchase_revenue"], abs=0.005)
    rows = tab[header_row + 2: header_row + 2 + len(by_period)]
    assert [r[1] for r in rows] == month_names(by_period["period"], lang).tolist()
    columns = ["orders", "new_customers", "returning_customers", "first_purchase_revenue",
               "repeat_revenue", "revenue", "first_purchase_share", "repeat_share", "refunds",
               "net_revenue"]
    for row, (_, expected) in zip(rows, by_period.iterrows()):
        for offset, key in enumerate(columns, start=2):
            if pd.isna(expected[key]):
                assert row[offset] == ""
            else:
                assert number(row[offset]) == pytest.approx(expected[key], abs=0.005), key
    # Key figures are formulas over the Total row: LibreOffice's recomputed values.
    # Gross revenue + refunds = net revenue, then the repeat share, new and returning customers.
    kpis = tab[7 - 1]
    assert number(kpis[1]) == pytest.approx(totals["revenue"], abs=0.005)
    assert number(kpis[3]) == pytest.approx(totals["refunds"], abs=0.005)
    assert number(kpis[5]) == pytest.approx(totals["net_revenue"], abs=0.005)
    assert number(kpis[1]) + number(kpis[3]) == pytest.approx(number(kpis[5]), abs=0.005)
    assert number(kpis[7]) == pytest.approx(totals["repeat_share"], abs=0.001)
    assert number(kpis[9]) == totals["new_customers"]
    assert number(kpis[11]) == totals["returning_customers"]
    quality = sheets[t("tab.quality", lang)]
    assert number(quality[7 - 1][2]) == result.rows_read == len(frame)


def test_calculated_workbook_renders_with_its_chart(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, sample_data.generate(rows=2000, seed=3))
    calculate(path)
    pngs = render_png(path, tmp_path / "png", dpi=50)
    pages = page_texts(tmp_path / "png" / f"{path.stem}.pdf")
    analysis = next(i for i, text in enumerate(pages) if "CA premiers achats et achats" in text)
    assert "janv. 2022" in pages[analysis] and "Total" in pages[analysis]     # month names
    assert pngs[analysis].stat().st_size > 20_000   # the chart is drawn, not an empty frame
    assert not any("Raw Data" == text.strip() for text in pages)


def test_cdnow_master_end_to_end(tmp_path: Path) -> None:
    frame = cdnow.load_master(DATA / "CDNOW_master.txt")
    path = make_workbook(tmp_path, frame)
    raw_before = part_bytes(path, part_of(path, "Raw Data"))
    result = calculate(path)
    assert result.rows_read == 69_659 and result.rows_set_aside == 0
    assert result.customers == 23_570
    totals = result.blocks["first_vs_repeat.totals"].iloc[0]
    by_period = result.blocks["first_vs_repeat.by_period"].set_index("period")
    assert totals["new_customers"] == 23_570
    assert by_period.loc[["1997-01", "1997-02", "1997-03"], "new_customers"].tolist() == [
        7_846, 8_476, 7_248]
    assert (by_period.loc["1997-04":, "first_purchase_revenue"] == 0).all()
    assert totals["revenue"] == pytest.approx(2_500_315.63, abs=0.01)
    assert part_bytes(path, part_of(path, "Raw Data")) == raw_before
    sheets = export_sheets_csv(path, tmp_path / "csv")
    assert find_error_values(sheets) == []
    quality = sheets["Qualité des données"]
    assert number(quality[13 - 1][2]) == 23_570   # Clients
    assert len(sheets["Raw Data"]) == 69_660


def test_killed_calculate_leaves_the_previous_file(tmp_path: Path) -> None:
    """Kill -9 a Calculate at several moments: the file is always the old one or the new one."""
    path = make_workbook(tmp_path, sample_data.generate(rows=150_000, seed=5))
    original = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    outcomes = set()
    for delay in (0.5, 1.0, 1.5, 2.0, 3.0):
        path.write_bytes(original)
        process = subprocess.Popen([sys.executable, "-m", "kc_sheets.apps.cli", "calculate",
                                    str(path)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        data = path.read_bytes()
        if data == original:
            outcomes.add("unchanged")
        else:
            outcomes.add("calculated")
            check = tmp_path / "check.xlsx"
            check.write_bytes(data)
            assert calculate(check).rows_read == 150_000   # a complete, valid workbook
    assert "unchanged" in outcomes
    path.write_bytes(original)
    assert calculate(path).rows_read == 150_000
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".kc-tmp")]
    assert leftovers == []        # the next run removed what killed runs left


def test_template_tabs_grafted_into_a_users_workbook(tmp_path: Path) -> None:
    """The user's own content survives; LibreOffice opens the result and shows our numbers."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image as SheetImage
    from PIL import Image

    from tests.conftest import ten_orders

    Image.new("RGB", (80, 30), (10, 120, 60)).save(tmp_path / "pic.png")
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Mes notes"
    notes["A1"] = "à garder"
    notes["A1"].comment = Comment("commentaire", "moi")
    notes.add_image(SheetImage(str(tmp_path / "pic.png")), "C3")
    raw = wb.create_sheet("Raw Data")
    for row in [list(ten_orders().columns)] + ten_orders().values.tolist():
        raw.append(row)
    path = tmp_path / "client.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    calculate(path, template_id="first-vs-repeat", lang="en")
    with zipfile.ZipFile(path) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    rewritten = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                 "xl/styles.xml"}
    for name, data in before.items():
        if name not in rewritten:
            assert after[name] == data, name      # every other part of the user's file
    sheets = export_sheets_csv(path, tmp_path / "csv")
    assert find_error_values(sheets) == []
    assert sheets["Mes notes"][0][0] == "à garder"
    tab = sheets["First vs repeat"]
    assert tab[28][1:8] == ["Total", "9", "5", "3", "420", "145", "565"]
    pngs = render_png(path, tmp_path / "png", dpi=40, locale="en-GB")
    assert len(pngs) >= 4
