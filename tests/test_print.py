"""What a marketer prints: every tab of every template, empty and calculated, French and
English, printed by LibreOffice and read page by page (no blank page, no page of repeated headers
only, no table continued without its header, no cell shown as ###); and the print settings a
Calculate keeps true (print area, hidden empty rows, Raw Data widths)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest

from kc_sheets import sample_data
from kc_sheets.xlsx.raw_writer import fill_raw_data
from kc_sheets.backends.xlsx import set_print_area
from kc_sheets.cells import col_letter
from kc_sheets.calculate import calculate
from kc_sheets.apps.demo import template_with_sample
from kc_sheets.i18n import t
from kc_sheets.devtools.libreoffice import find_soffice, render_pdfs
from kc_sheets.devtools.preview import page_problems, print_problems, printed_pages, template_headings
from kc_sheets.templates import all_templates, get
from kc_sheets.xlsx.render import build
from tests.support.printing import print_areas

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed "
                                   "(scripts/test.sh installs it)")


# --- the page reader finds each fault ---------------------------------------------------------

def test_page_problems_finds_each_fault() -> None:
    repeated = {"T": ({"cohorte", "mois", "0"}, {("2022",), ("2023", "12")})}
    headings = {"T": {"cohorte", "mois", "0", "2022", "2023", "12", "titre"}}
    pages = [("T", ["Titre", "Cohorte  Mois 0", "2022  55,0 %"]),
             ("T", ["Cohorte  Mois 0", "2023  40,0 %"]),     # continued with its header: fine
             ("T", ["Titre"]),                                # a new block: fine
             ("T", []),                                       # footer only
             ("T", ["Cohorte  Mois 0", "2022", "2023   12"]),  # repeated rows and columns only
             ("T", ["Cohorte  Mois 0", "2023   12    0"]),     # a value: fine
             ("T", ["2024  12,0 %"]),                         # continued without its header
             ("T", ["Cohorte  Mois 0", "2025  ###"]),         # too narrow
             ("", ["?"])]                                     # no footer: an empty sheet page
    assert page_problems(pages, repeated, headings) == [
        "page 4 (T): blank page", "page 5 (T): only the repeated headers",
        "page 7 (T): a table continued without its header (2024  12,0 %)",
        "page 8 (T): a cell shows ### (2025  ###)",
        "page 9 (no footer): blank page"]


# --- print settings a Calculate keeps true ------------------------------------------------------

def test_set_print_area_replaces_or_adds_the_name() -> None:
    workbook = (b'<workbook><sheets><sheet name="A" sheetId="1"/><sheet name="B &amp; C" '
                b'sheetId="2"/></sheets><calcPr/></workbook>')
    once = set_print_area(workbook, "B & C", "$A$1:$K$40")
    assert b'<definedNames><definedName name="_xlnm.Print_Area" localSheetId="1">' \
           b"'B &amp; C'!$A$1:$K$40</definedName></definedNames><calcPr/>" in once
    twice = set_print_area(once, "B & C", "$A$1:$K$90")
    assert twice.count(b"Print_Area") == 1 and b"$K$90" in twice
    both = set_print_area(twice, "A", "$A$1:$B$2")
    assert both.count(b"Print_Area") == 2 and b'localSheetId="0">\'A\'!$A$1:$B$2' in both
    assert set_print_area(workbook, "missing", "$A$1:$B$2") == workbook


@pytest.fixture(scope="module")
def calculated(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("print")
    path = template_with_sample(folder / "all.xlsx", "all-in-one", "fr",
                                sample_data.generate(rows=1500, seed=7, lang="fr"))
    return path, calculate(path)


def test_the_print_area_ends_where_the_results_end(calculated) -> None:
    path, result = calculated
    areas = print_areas(path)
    periods = len(result.blocks["first_vs_repeat.by_period"])
    assert areas["CA 1ers vs répétés"].endswith(f"$O${30 + periods - 1}")   # every month
    triangle = result.blocks["cohorts.retention_rate"]
    last_col = 1 + triangle.shape[1]                  # B + every column written
    assert areas["Rétention"] == f"'Rétention'!$A$1:${col_letter(max(last_col, 8))}$" \
                                 f"{12 + len(triangle)}"
    customers = len(result.blocks["rfm.customers"])
    assert areas["Clients RFM"].endswith(f"${6 + customers}")
    assert "Raw Data" not in areas                    # the user's data prints as it is


def test_rows_a_yearly_table_leaves_empty_are_hidden_and_rules_stop_at_the_data(
        calculated) -> None:
    path, result = calculated
    ws = openpyxl.load_workbook(path)["Churn clients"]
    shown = len(result.blocks["churn.customer_churn"])       # cohort years, then all cohorts
    first = 53                                            # the churn table's first data row
    assert not any(ws.row_dimensions[first + i].hidden for i in range(shown))
    assert all(ws.row_dimensions[first + i].hidden for i in range(shown, 16))
    years = result.blocks["churn.customer_churn"].shape[1]
    assert ws.cell(first, 2 + years - 1).border.bottom.style == "thin"
    assert ws.cell(first, 2 + years + 1).border.bottom.style is None   # nothing past the data


def test_the_demo_raw_data_keeps_the_template_widths_and_header(calculated) -> None:
    path, _ = calculated
    ws = openpyxl.load_workbook(path)["Raw Data"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCDE"}
    assert all(w >= 16 for w in widths.values()), widths       # dates (10 characters) fit
    assert ws["A1"].font.bold and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "portrait" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_an_older_workbook_gets_the_tabs_added_since(tmp_path: Path) -> None:
    template = get("all-in-one")
    older = dataclasses.replace(template, tabs=tuple(tab for tab in template.tabs if not tab.new))
    path = fill_raw_data(build(older, tmp_path / "older.xlsx", "fr"),
                         sample_data.generate(rows=300, seed=2, lang="fr"))
    names = openpyxl.load_workbook(path).sheetnames
    assert "Courbes" not in names and "Graphique churn" not in names
    result = calculate(path)
    names = openpyxl.load_workbook(path).sheetnames
    assert "Courbes" in names and "Graphique churn" in names
    assert len(result.blocks["cohorts.retention_curves"]) > 1


# --- every tab printed by LibreOffice -----------------------------------------------------------

@pytest.mark.slow
@needs_soffice
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_tab_of_every_template_prints_cleanly(tmp_path: Path, lang: str) -> None:
    """The five templates empty, and the all-in-one workbook (every result tab of every
    template) calculated on 2,500 sample orders with its Raw Data: every page read."""
    books = {spec.id: build(spec, tmp_path / f"{spec.id}.xlsx", lang) for spec in all_templates()}
    demo = template_with_sample(tmp_path / "demo.xlsx", "all-in-one", lang,
                                sample_data.generate(rows=2500, seed=11, lang=lang))
    calculate(demo)
    books["demo"] = demo
    pdfs = render_pdfs(list(books.values()), tmp_path / "pdf",
                       locale="fr-FR" if lang == "fr" else "en-GB")
    for (name, xlsx), pdf in zip(books.items(), pdfs):
        spec = get("all-in-one" if name == "demo" else name)
        problems = print_problems(xlsx, pdf, template_headings(spec, lang, xlsx),
                                  empty=name != "demo")
        assert problems == [], (name, problems)
        printed = {tab for tab, _ in printed_pages(pdf)}
        assert printed == {t(tab.title, lang) for tab in spec.tabs}, name   # every tab
    text = " ".join(" ".join(lines) for _, lines in printed_pages(pdfs[-1]))
    for chart in ("fvr.chart.title", "rfm.chart.title", "churn.chart.title",
                  "coh.chart.retention_curves", "coh.chart.ltv_curves",
                  "churn.chart.customer_churn"):
        assert " ".join(t(chart, lang).split()[:3]) in text, chart
    quality = openpyxl.load_workbook(demo)[t("tab.quality", lang)]
    assert not quality.sheet_properties.pageSetUpPr.fitToPage       # natural size, not shrunk
    assert quality.page_setup.scale >= 75
