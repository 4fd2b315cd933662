"""kc_sheets.devtools.libreoffice: CSV export of recomputed values, error scan, PDF/PNG/text rendering."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kc_sheets.devtools.libreoffice import (
    ERROR_VALUES,
    LibreOfficeError,
    export_sheets_csv,
    find_error_values,
    find_soffice,
    pdf_text,
    pdf_to_png,
    render_pdf,
    sheet_names,
)

needs_soffice = pytest.mark.skipif(find_soffice() is None,
                                   reason="LibreOffice (soffice) is not installed")


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


# --- no soffice needed ------------------------------------------------------------------------

def test_find_error_values_positions() -> None:
    sheets = {
        "A": [["x", "#DIV/0!"], ["Err:502", "ok", "#N/A"]],
        "B": [],
        "C": [["1", "#REF!"], [""], ["#NAME?"]],
    }
    assert find_error_values(sheets) == [
        ("A", 1, 2, "#DIV/0!"), ("A", 2, 1, "Err:502"), ("A", 2, 3, "#N/A"),
        ("C", 1, 2, "#REF!"), ("C", 3, 1, "#NAME?"),
    ]
    assert all(find_error_values({"s": [[v + " tail"]]}) for v in ERROR_VALUES)
    assert find_error_values({"s": [["N/A", " #N/A", "#", "Err", "0"]]}) == []


def test_sheet_names_in_workbook_order(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Qualité des données"
    wb.create_sheet("CA 1ers vs répétés")
    wb.create_sheet("x -> y & <z>")
    path = _save(wb, tmp_path / "names.xlsx")
    assert sheet_names(path) == ["Qualité des données", "CA 1ers vs répétés", "x -> y & <z>"]


# --- soffice ----------------------------------------------------------------------------------

@pytest.mark.slow
@needs_soffice
def test_export_maps_accented_and_spaced_sheet_names(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Qualité des données"
    ws.append(["colonne", "valeur", "date"])
    ws.append(["données", 42, dt.date(2024, 3, 5)])
    ws.append(["été, \"quoted\"", 1.5, None])
    ws["C2"].number_format = "dd/mm/yyyy"
    ws2 = wb.create_sheet("CA 1ers vs répétés")
    ws2["A1"] = "premiers"
    ws2["B1"] = "=SUM(2,3)"
    ws3 = wb.create_sheet("Réf%20x 50%")  # soffice writes this one as "...-Réf x 50%.csv"
    ws3["A1"] = "decoded"
    wb.create_sheet("vide")
    path = _save(wb, tmp_path / "my book.xlsx")

    out = tmp_path / "csv"
    sheets = export_sheets_csv(path, out)

    assert list(sheets) == ["Qualité des données", "CA 1ers vs répétés", "Réf%20x 50%", "vide"]
    assert sheets["Qualité des données"] == [
        ["colonne", "valeur", "date"],
        ["données", "42", "2024-03-05"],  # raw number; ISO date whatever the cell's format
        ["été, \"quoted\"", "1.5", ""],
    ]
    assert sheets["CA 1ers vs répétés"] == [["premiers", "5"]]
    assert sheets["Réf%20x 50%"] == [["decoded"]]
    assert sheets["vide"] == []
    assert (out / "my book-Qualité des données.csv").is_file()
    assert (out / "my book-CA 1ers vs répétés.csv").is_file()
    assert sorted(p.name for p in out.iterdir()) == sorted([
        "my book-Qualité des données.csv", "my book-CA 1ers vs répétés.csv",
        "my book-Réf x 50%.csv", "my book-vide.csv"])  # no temporary folder left behind


@pytest.mark.slow
@needs_soffice
def test_export_refuses_sheet_names_that_collide_after_url_decoding(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "a b"
    wb.active["A1"] = 1
    wb.create_sheet("a%20b")["A1"] = 2
    path = _save(wb, tmp_path / "clash.xlsx")
    with pytest.raises(LibreOfficeError, match="same file"):
        export_sheets_csv(path, tmp_path / "csv")


@pytest.mark.slow
@needs_soffice
def test_export_recalculates_instead_of_using_cached_values(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calc"
    ws["A1"] = 21
    ws["B1"] = "=A1*2"
    source = _save(wb, tmp_path / "source.xlsx")

    # Same workbook with a wrong cached value (999) for B1, and without openpyxl's
    # fullCalcOnLoad flag, so only the profile's "always recalculate" setting can fix it.
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb"(<f>A1\*2</f>)(<v>[^<]*</v>|<v/>)?", rb"\1<v>999</v>", data)
                assert n == 1
            elif item.filename == "xl/workbook.xml":
                data = re.sub(rb"<calcPr[^>]*/>", b"", data)
            zout.writestr(item, data)
    cached = openpyxl.load_workbook(stale, data_only=True)
    assert cached["Calc"]["B1"].value == 999  # the stale value really is in the file

    sheets = export_sheets_csv(stale, tmp_path / "csv")
    assert sheets == {"Calc": [["21", "42"]]}


@pytest.mark.slow
@needs_soffice
def test_division_by_zero_is_reported(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Erreurs à voir"
    ws.append(["ok", 1])
    ws.append(["div", "=1/0"])
    ws.append(["name", "=NOSUCHFUNCTION(1)"])
    ws.append(["num", "=SQRT(-1)"])  # LibreOffice writes Err:502, Excel would show #NUM!
    path = _save(wb, tmp_path / "errors.xlsx")

    errors = find_error_values(export_sheets_csv(path, tmp_path / "csv"))
    assert ("Erreurs à voir", 2, 2, "#DIV/0!") in errors
    assert ("Erreurs à voir", 3, 2, "#NAME?") in errors
    assert ("Erreurs à voir", 4, 2, "Err:502") in errors
    assert len(errors) == 3


@pytest.mark.slow
@needs_soffice
def test_render_pdf_png_and_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Synthèse"
    ws["A1"] = "KCSHEETS-MARKER-1234"
    ws["A2"] = "=6*7"
    path = _save(wb, tmp_path / "report.xlsx")

    pdf = render_pdf(path, tmp_path / "out")
    assert pdf == tmp_path / "out" / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")

    pngs = pdf_to_png(pdf, tmp_path / "png", dpi=40, first_page=1, last_page=1)
    assert len(pngs) == 1
    assert pngs[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert pngs[0].stat().st_size > 100

    text = pdf_text(pdf)
    assert "KCSHEETS-MARKER-1234" in text
    assert "42" in text
