"""Excel through xlwings: the backend on a live workbook, main() for the ribbon and the button,
and the quickstart files.

Without Excel, the workbook is xlwings' remote engine (``tests/excel/remote.py``): the payload a
client sends, then the cells its actions leave, compared with the .xlsx path on the same data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import olefile
import pandas as pd
import pytest

from kc_sheets import sample_data
from kc_sheets.xlsx.raw_writer import fill_raw_data
from kc_sheets.backends.xlwings import (
    COM_ERRORS, XlwingsBook, _normalise_column, cell_value, series_formula, text_value,
)
from kc_sheets.calculate import calculate
from kc_sheets.devtools.libreoffice import (
    DEFAULT_TIMEOUT, _soffice, export_sheets_csv, find_error_values, find_soffice,
)
from kc_sheets.apps.excel_setup import SAMPLE_CALL, check_name, conf_text, excel_app, quickstart
from kc_sheets.errors import KcError
from kc_sheets.i18n import t
from kc_sheets.templates import get
from kc_sheets.xlsx.render import build
from tests.conftest import make_workbook, ten_orders
from tests.support.excel import alerts, differences, run_main
from tests.support.printing import print_areas
from tests.excel.remote import (
    payload_from_xlsx, xlsx_cells,
)

pytest.importorskip("xlwings")
FVR, QUALITY = "CA 1ers vs répétés", "Qualité des données"
TRICKY = ['=HYPERLINK("http://example.com","clic")', "00123", "TRUE", "12%", "2024-01-31",
          "+33 6 12 34 56 78", "=1+2"]


def orders_with_tricky_text(rows: int = 300) -> pd.DataFrame:
    """Sample orders, plus rows set aside whose raw values Excel would love to re-parse."""
    frame = sample_data.generate(rows, 3, "fr").astype(object)
    columns = list(frame.columns)   # order id, date, amount, customer id, product, category...
    extra = [[TRICKY[0], None, 10.0, "00123", "2024-01-31"],                # no date
             ["00123", None, 5.0, "=1+2", "31/02/2024"],
             ["TRUE", dt.datetime(2024, 1, 9), "12%", "+33 6 12 34 56 78"],  # bad amount
             ["A-77", dt.datetime(2024, 5, 5), 50.0, "00123"]]               # used
    extra = [dict(zip(columns, row)) for row in extra]
    return pd.concat([frame, pd.DataFrame(extra, columns=columns, dtype=object)],
                     ignore_index=True)


# --- values as Excel receives them -------------------------------------------------------------

def test_text_is_quoted_numbers_and_dates_are_not() -> None:
    assert [text_value(s) for s in TRICKY] == ["'" + s for s in TRICKY]
    assert cell_value("") is None and cell_value(float("nan")) is None
    assert cell_value(np.int64(3)) == 3 and type(cell_value(np.int64(3))) is int
    assert cell_value(np.bool_(True)) is True
    assert cell_value(pd.Timestamp("2024-01-05 10:00", tz="Europe/Paris")) == \
        dt.datetime(2024, 1, 5, 10, 0)
    assert cell_value(dt.date(2024, 1, 5)) == dt.datetime(2024, 1, 5)
    assert cell_value("x" * 40_000) == "'" + "x" * 32_767


def test_raw_values_are_normalised_per_column() -> None:
    class ComTime(dt.datetime):   # pywintypes.datetime: a tz-aware datetime subclass
        pass

    values = np.array(["", "2024-01-05T00:00:00.000Z", "00123", None, 4.5,
                       -2146826246, 7, ComTime(2024, 2, 1, 9, 30, tzinfo=dt.timezone.utc)],
                      dtype=object)
    out = _normalise_column(values)
    assert out.tolist() == [None, dt.datetime(2024, 1, 5), "00123", None, 4.5, "#N/A", 7,
                            dt.datetime(2024, 2, 1, 9, 30)]
    assert type(out[7]) is dt.datetime and set(COM_ERRORS.values()) >= {"#N/A", "#REF!"}


def test_chart_series_follow_the_rows_written() -> None:
    formula = "=SERIES(\"CA\",'CA 1ers'!$B$30:$B$30,'CA 1ers'!$F$30:$F$30,1)"
    assert series_formula(formula, "CA 1ers", {30: 12}) == \
        "=SERIES(\"CA\",'CA 1ers'!$B$30:$B$41,'CA 1ers'!$F$30:$F$41,1)"
    assert series_formula(formula, "Other", {30: 12}) == formula
    assert series_formula(formula, "CA 1ers", {31: 12}) == formula


# --- main() through the remote engine ----------------------------------------------------------

def test_main_puts_the_same_values_in_the_same_cells_as_the_xlsx_path(
        xw, monkeypatch, tmp_path: Path) -> None:
    path = make_workbook(tmp_path, orders_with_tricky_text())
    reference = shutil.copy(path, tmp_path / "reference.xlsx")
    grid, actions = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    calculate(reference)
    assert differences(grid, xlsx_cells(Path(reference))) == []
    assert grid.reparsed() == [] and grid.apostrophes() == []
    assert grid.cells[FVR][(29, 2)] == "Total" and grid.cells[FVR][(29, 3)] > 250  # orders
    # every result tab's print area is the one the .xlsx path sets: where the results end
    expected = {tab: ref.split("!", 1)[1] for tab, ref in print_areas(Path(reference)).items()}
    assert grid.print_areas == expected and FVR in expected
    funcs = [a["func"] for a in actions]
    assert funcs[:2] == ["setScreenUpdating", "setCalculation"]
    assert actions[0]["args"] == [False] and actions[1]["args"] == ["Manual"]
    restored = funcs.index("setCalculation", 2)
    assert funcs[restored:restored + 2] == ["setCalculation", "setScreenUpdating"]
    assert all(f in ("alert", "activateSheet") for f in funcs[restored + 2:])
    assert [a["args"][3] for a in actions if a["func"] == "alert"] == ["info"]


def test_ids_and_raw_text_stay_text(xw, monkeypatch, tmp_path: Path) -> None:
    path = make_workbook(tmp_path, orders_with_tricky_text(50))
    grid, actions = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    # Every text goes with an apostrophe, or as it is into a cell formatted as Text just
    # before (where an apostrophe would stay visible): the raw values of set-aside rows, ids
    assert grid.reparsed() == [] and grid.apostrophes() == []
    formats = [a for a in actions if a["func"] == "setNumberFormat"]
    assert formats and all(a["args"] == ["@"] for a in formats)
    first_format = actions.index(formats[0])
    assert all(actions.index(a) > first_format for a in actions if a["func"] == "setValues"
               and a["sheet_position"] == formats[0]["sheet_position"]
               and a["start_row"] >= formats[0]["start_row"])          # the format comes first
    set_aside = {k: v for k, v in grid.cells[QUALITY].items() if k[0] >= 33 and k[1] >= 4}
    assert set(TRICKY) <= set(set_aside.values())
    assert all(type(v) is str for v in set_aside.values())   # raw values: text, never parsed
    assert not any(v.startswith("'") for v in set_aside.values())


def test_the_check_catches_unquoted_text(xw, monkeypatch, tmp_path: Path) -> None:
    import kc_sheets.backends.xlwings as backend

    path = make_workbook(tmp_path, orders_with_tricky_text(20))
    payload = payload_from_xlsx(path, xw.__version__)
    # without the apostrophe, the labels and headers of General cells would be parsed
    with monkeypatch.context() as patch:
        patch.setattr(backend, "text_value", lambda text: text or None)
        grid, _ = run_main(xw, patch, payload)
    assert grid.reparsed() and grid.apostrophes() == []
    # without the Text format set first, the raw values would be parsed
    with monkeypatch.context() as patch:
        original = backend._plan_block
        patch.setattr(backend, "_plan_block", lambda *a: dataclasses.replace(
            original(*a), text_cells=()))
        grid, _ = run_main(xw, patch, payload)
    assert {text for _, _, text in grid.reparsed()} >= set(TRICKY) - {"2024-01-31"}
    assert dt.datetime(2024, 1, 31) in grid.cells[QUALITY].values()   # became a date
    # and with an apostrophe in a Text cell, Excel would show it
    with monkeypatch.context() as patch:
        patch.setattr(backend, "plain_text_value", backend.cell_value)
        grid, _ = run_main(xw, patch, payload)
    assert {text for _, _, text in grid.apostrophes()} >= {"'" + t for t in TRICKY}


def test_rows_of_a_longer_previous_run_are_cleared(xw, monkeypatch, tmp_path: Path) -> None:
    big = make_workbook(tmp_path, sample_data.generate(400, 5, "fr"), name="big.xlsx")
    small = make_workbook(tmp_path, ten_orders(), name="small.xlsx")
    grid, _ = run_main(xw, monkeypatch, payload_from_xlsx(big, xw.__version__))
    raw = {s["name"]: s["values"] for s in payload_from_xlsx(small, xw.__version__)["sheets"]}
    grid, actions = run_main(xw, monkeypatch, grid.payload(xw.__version__,
                                                           {"Raw Data": raw["Raw Data"]}))
    assert any(a["func"] == "rangeClear" for a in actions)
    calculate(big)
    fill_raw_data(big, ten_orders())
    calculate(big)
    assert differences(grid, xlsx_cells(big)) == []
    assert max(r for (r, c) in grid.cells[FVR] if c == 2) == 32   # Total + three months


@pytest.mark.parametrize("lang, start", [
    ("fr", "Erreur : Onglet « Raw Data » : Raw Data est vide. Collez"),
    ("en", "Error: Tab 'Raw Data': Raw Data is empty. Paste")])
def test_a_user_error_is_a_message_box_in_the_workbook_language(
        xw, monkeypatch, tmp_path: Path, lang: str, start: str) -> None:
    path = build(get("first-vs-repeat"), tmp_path / "empty.xlsx", lang)   # headers only
    grid, actions = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    [(message, title, mode)] = alerts(actions)
    assert message.startswith(start) and mode == "critical" and "kc_sheets" in title
    assert [a["func"] for a in actions] == ["alert"]     # nothing written


def test_a_bug_is_reported_without_traceback_and_settings_are_restored(
        xw, monkeypatch, tmp_path: Path) -> None:
    import kc_sheets.backends.xlwings as backend

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(backend, "_copy_styles", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = make_workbook(tmp_path, ten_orders())
    _, actions = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    [(message, _, mode)] = alerts(actions)
    assert message.startswith("Erreur : erreur inattendue (RuntimeError : disk on fire)")
    assert str(tmp_path / "kc_sheets-excel.log") in message and "Traceback" not in message
    log = (tmp_path / "kc_sheets-excel.log").read_text()
    assert "Traceback" in log and "RuntimeError: disk on fire" in log
    funcs = [a["func"] for a in actions]
    assert funcs[-3:] == ["setCalculation", "setScreenUpdating", "alert"]
    assert actions[-3]["args"] == ["Automatic"] and actions[-2]["args"] == [True]


def test_a_workbook_without_the_template_gets_an_excel_answer(xw, monkeypatch) -> None:
    payload = {"client": "Microsoft Office Scripts", "version": xw.__version__,
               "book": {"name": "orders.xlsx", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": [{"name": "Raw Data", "values": [["ID", "Date"]],
                                        "pictures": [], "tables": []}]}
    _, actions = run_main(xw, monkeypatch, payload)
    [(message, _, _)] = alerts(actions)
    assert "kc-sheets excel quickstart" in message and "--template" not in message


def test_read_raw_keeps_sheet_positions(xw) -> None:
    payload = {"client": "VBA", "version": xw.__version__,
               "book": {"name": "b.xlsx", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": [{"name": "Raw Data", "pictures": [], "tables": [],
                                        "values": [["", "", ""], ["", "ID", "Date"],
                                                   ["", "00123", "2024-03-01T00:00:00.000Z"],
                                                   ["", None, ""]]}]}
    raw = XlwingsBook(xw.Book(json=payload)).read_raw("Raw Data")
    assert (raw.first_row, raw.first_col, raw.headers) == (3, 2, ("ID", "Date"))
    assert raw.frame.iloc[0].tolist() == ["00123", dt.datetime(2024, 3, 1)]


# --- quickstart --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return quickstart(tmp_path_factory.mktemp("quickstart"), "first-vs-repeat", "fr",
                      interpreter_win=r"C:\Python312\python.exe")


def test_quickstart_writes_identifier_named_files(made, tmp_path: Path) -> None:
    assert made.xlsx.name == "kc_first_vs_repeat_fr.xlsx" and made.xlsm.stem == made.xlsx.stem
    assert made.companion.name == f"{made.xlsx.stem}.py" and made.xlsx.stem.isidentifier()
    assert made.conf.read_bytes() == (b'"ADD_WORKBOOK_TO_PYTHONPATH","True"\r\n'
                                      b'"INTERPRETER_WIN","C:\\Python312\\python.exe"\r\n')
    assert conf_text(None, None) == '"ADD_WORKBOOK_TO_PYTHONPATH","True"\r\n'
    for bad in ("1st", "clients 2024", "clé", "calendar", "class", "kc_sheets"):
        with pytest.raises(KcError):
            check_name(bad, "fr")
    with pytest.raises(KcError, match="--force"):
        quickstart(made.xlsx.parent, "first-vs-repeat", "fr")


def import_companion(made, monkeypatch):
    """Import NAME as RunPython does: the workbook's folder on sys.path, NAME from its name."""
    name = made.xlsm.name[:made.xlsm.name.rindex(".")]     # SampleCall's Left(..., InStrRev)
    monkeypatch.syspath_prepend(str(made.xlsm.parent))     # ADD_WORKBOOK_TO_PYTHONPATH
    monkeypatch.setitem(sys.modules, name, None)           # removed again after the test
    del sys.modules[name]
    return importlib.import_module(name)


def test_companion_module_is_what_the_ribbon_and_the_button_import(made, monkeypatch) -> None:
    import kc_sheets.excel

    assert import_companion(made, monkeypatch).main is kc_sheets.excel.main


def test_companion_without_kc_sheets_says_how_to_install_it(made, xw, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "kc_sheets.excel", None)    # as if not installed
    companion = import_companion(made, monkeypatch)
    payload = payload_from_xlsx(made.xlsm, xw.__version__)
    _, actions = run_main(xw, monkeypatch, payload, companion.main)
    [(message, _, mode)] = alerts(actions)
    assert message.startswith("kc_sheets n'est pas installé pour l'interpréteur")
    assert f'{sys.executable} -m pip install "kc_sheets[excel]"' in message
    assert mode == "critical"


def test_xlsm_keeps_the_xlwings_vba_project_and_has_calculer_buttons(made) -> None:
    from lxml import etree
    from oletools.olevba import VBA_Parser

    from kc_sheets.apps.excel_setup import _sheet_parts, standalone_source
    from kc_sheets.xlsx.ooxml_zip import OoxmlPackage

    with zipfile.ZipFile(made.xlsm) as ours, zipfile.ZipFile(standalone_source()) as theirs:
        project, original = ours.read("xl/vbaProject.bin"), theirs.read("xl/vbaProject.bin")
        drawings = [ours.read(n).decode() for n in ours.namelist()
                    if n.startswith("xl/drawings/drawing")]
    with olefile.OleFileIO(project) as new, olefile.OleFileIO(original) as old:
        assert new.listdir() == old.listdir()
        changed = [path for path in old.listdir()
                   if new.openstream(path).read() != old.openstream(path).read()]
    assert changed == [["VBA", "Module1"]]        # every other stream byte for byte
    with OoxmlPackage(made.xlsm) as pkg:
        parts = _sheet_parts(pkg)
        first = etree.fromstring(pkg.read(parts["Lisez-moi"]))
    assert list(parts) == [t(tab.title, "fr") for tab in get("first-vs-repeat").tabs] + [
        "_xlwings.conf"]                           # xlwings' empty Sheet1 gave way to our tabs
    assert first.find(f"{{{first.nsmap[None]}}}sheetPr").get("codeName") == "Sheet1"
    modules = {name: code for _, _, name, code in VBA_Parser(str(made.xlsm)).extract_macros()}
    assert modules["Module1.bas"].startswith(SAMPLE_CALL.replace("\n", "\r\n"))
    assert "mymodule" not in modules["Module1.bas"]    # no import named after the file
    assert "Public Function RunPython(PythonCommand As String)" in modules["xlwings.bas"]
    buttons = [d for d in drawings if 'macro="[0]!SampleCall"' in d and "<a:t>Calculer</a:t>" in d]
    assert len(buttons) == 2                      # Read me and the analysis tab


def sample_call(xlsm: Path):
    """What the button's SampleCall runs: the Python command its VBA gives RunPython."""
    from oletools.olevba import VBA_Parser

    modules = {name: code for _, _, name, code in VBA_Parser(str(xlsm)).extract_macros()}
    [command] = re.findall(r'RunPython "([^"]*)"', modules["Module1.bas"])
    return lambda: exec(command, {})


def test_the_xlsm_button_macro_runs_kc_sheets(made, xw, monkeypatch, tmp_path: Path) -> None:
    """A copy renamed as a browser names a second download still calculates: the button's
    macro no longer imports a module named after the file."""
    xlsm = Path(shutil.copy(made.xlsm, tmp_path / f"{made.xlsm.stem} (1).xlsm"))
    fill_raw_data(xlsm, ten_orders())
    companion = sample_call(xlsm)
    payload = payload_from_xlsx(xlsm, xw.__version__)
    assert [s["name"] for s in payload["sheets"]][-1] == "_xlwings.conf"
    grid, actions = run_main(xw, monkeypatch, payload, companion)
    assert [grid.cells[FVR][(29, c)] for c in (2, 3, 4)] == ["Total", 9, 5]
    assert alerts(actions)[0][2] == "info"


def defined_names(path: Path) -> list[tuple[str, str | None, str]]:
    """(name, sheet of its scope, reference) of every defined name of a workbook."""
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        workbook = etree.fromstring(z.read("xl/workbook.xml"))
    ns = {"m": workbook.nsmap[None]}
    sheets = [s.get("name") for s in workbook.findall("m:sheets/m:sheet", ns)]
    return sorted((d.get("name"), sheets[int(d.get("localSheetId"))] if d.get("localSheetId")
                   else None, d.text) for d in workbook.iterfind(".//m:definedName", ns))


def test_the_xlsm_keeps_the_templates_print_titles_and_filter_ranges(tmp_path: Path) -> None:
    """Sheet-scoped names follow their tab into the .xlsm (its tabs are grafted, reordered,
    and xlwings' empty sheet removed); so do they into a workbook given --template."""
    from kc_sheets.apps.excel_setup import build_xlsm, standalone_source

    template = get("all-in-one")
    built = build(template, tmp_path / "all.xlsx", "fr")
    expected = defined_names(built)
    assert {name for name, _, _ in expected} == {"_xlnm.Print_Titles", "_xlnm.Print_Area",
                                               "_xlnm._FilterDatabase"}
    assert all(scope in ref for _, scope, ref in expected)         # each on its own tab
    xlsm = build_xlsm(template, "fr", standalone_source(), tmp_path / "all.xlsm")
    assert defined_names(xlsm) == expected
    # a user's export with other tabs in front: the names still point at their own tabs
    import openpyxl

    from kc_sheets.xlsx.merge_tabs import add_tabs

    export = openpyxl.Workbook()
    export.active.title = "Notes"
    export.create_sheet("Raw Data").append(["ID achat", "Date", "Montant", "ID client"])
    export.save(tmp_path / "export.xlsx")
    tabs = [t(tab.title, "fr") for tab in template.tabs if t(tab.title, "fr") != "Raw Data"]
    add_tabs(tmp_path / "export.xlsx", built, tmp_path / "grafted.xlsx", tabs)
    assert defined_names(tmp_path / "grafted.xlsx") == [    # the user's own Raw Data is kept
        name for name in expected if name[1] != "Raw Data"]


def test_quickstart_command(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    app = typer.Typer()
    app.add_typer(excel_app, name="excel")     # as cli.py mounts it: kc-sheets excel ...
    runner = CliRunner()
    result = runner.invoke(app, ["excel", "quickstart", str(tmp_path), "--lang", "en",
                                       "--name", "customers_2024"])
    assert result.exit_code == 0, result.output
    assert "customers_2024.xlsm" in result.output and "Calculate" in result.output
    with zipfile.ZipFile(tmp_path / "customers_2024.xlsm") as xlsm:
        assert any(b"<a:t>Calculate</a:t>" in xlsm.read(n) for n in xlsm.namelist()
                   if n.startswith("xl/drawings/drawing"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "customers_2024.py", "customers_2024.xlsm", "customers_2024.xlsx", "xlwings.conf"]
    again = runner.invoke(app, ["excel", "quickstart", str(tmp_path), "--lang", "en",
                                      "--name", "customers_2024"])
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.slow
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_xlsm_and_binds_the_buttons_to_the_vba_macro(
        made, tmp_path: Path) -> None:
    sheets = export_sheets_csv(made.xlsm, tmp_path / "csv")
    assert list(sheets)[:2] == ["Lisez-moi", "Raw Data"] and find_error_values(sheets) == []
    _soffice(["--convert-to", "ods", "--outdir", str(tmp_path), str(made.xlsm)],
             "ODS export", DEFAULT_TIMEOUT)
    with zipfile.ZipFile(tmp_path / f"{made.xlsm.stem}.ods") as ods:
        content = ods.read("content.xml").decode()
        module = ods.read("Basic/VBAProject/Module1.xml").decode()
    target = "vnd.sun.star.script:VBAProject.Module1.SampleCall?language=Basic"
    assert content.count('script:event-name="dom:click" xlink:href="' + target) == 2
    assert "RunPython" in module and "SampleCall" in module
