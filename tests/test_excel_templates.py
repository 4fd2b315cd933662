"""The rfm, cohorts, churn and all-in-one templates through xlwings (Excel's path), compared
with the .xlsx path on the same workbook.

Without Excel, the workbook is xlwings' remote engine (``tests/excel/remote.py``): the payload a
client sends, then the cells its actions leave. These templates have what first-vs-repeat lacks:
blocks as wide as the data (cohort triangles with "Mois 0", "Mois 1"... columns, churn tables
with one column per year), fixed-height blocks, a customer list, and the RFM segment grid that
the Settings tab holds and the backend reads back through ``read_rows``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("xlwings")

import openpyxl  # noqa: E402

from kc_sheets import sample_data  # noqa: E402
from kc_sheets.analyses import rfm as rfm_analysis  # noqa: E402
from kc_sheets.xlsx.raw_writer import fill_raw_data  # noqa: E402
from kc_sheets.calculate import RunResult, calculate, tab_writes  # noqa: E402
from kc_sheets.cells import col_letter, parse_ref  # noqa: E402
from kc_sheets.i18n import t  # noqa: E402
from kc_sheets.templates import get  # noqa: E402
from kc_sheets.templates.model import Block, Tab  # noqa: E402
from kc_sheets.xlsx.render import build  # noqa: E402
from tests.excel.remote import ExcelGrid, payload_from_xlsx, xlsx_cells  # noqa: E402
from tests.support.excel import alerts, differences, run_main  # noqa: E402

TEMPLATES = ("rfm", "cohorts", "churn", "all-in-one")
ROWS, SEED = 500, 5


# --- helpers -----------------------------------------------------------------------------------

def filled_workbook(tmp_path: Path, template_id: str, lang: str, name: str = "book.xlsx") -> Path:
    """The template's .xlsx with sample orders in Raw Data (headers in the template's language)."""
    path = build(get(template_id), tmp_path / name, lang)
    fill_raw_data(path, sample_data.generate(rows=ROWS, seed=SEED, lang=lang))
    return path


def run_both(xw, monkeypatch, path: Path) -> tuple[ExcelGrid, list[dict], dict, RunResult]:
    """main() on the workbook through the remote engine, and calculate() on a copy of it."""
    reference = Path(shutil.copy(path, path.with_name(f"reference-{path.name}")))
    grid, actions = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    result = calculate(reference)
    return grid, actions, xlsx_cells(reference), result


def stamped_cells(template_id: str, lang: str) -> set[tuple[str, tuple[int, int]]]:
    """Cells holding the run's date and duration, in every tab of the template (they differ
    between two runs). ``tests.test_excel.run_cells`` knows first-vs-repeat's French tabs only."""
    out = set()
    for tab, block in get(template_id).blocks():
        if block.name.startswith("run."):
            rows = range(block.anchor_row, block.anchor_row + len(block.columns))
            col = block.anchor_col + (1 if block.layout == "fields" else 0)
            out |= {(t(tab.title, lang), (r, col)) for r in rows}
    return out


def template_differences(grid: ExcelGrid, reference: dict, template_id: str, lang: str) -> list:
    skip = stamped_cells(template_id, lang)
    return [d for d in differences(grid, reference) if (d[0], d[1]) not in skip]


def find_block(template_id: str, name: str) -> tuple[Tab, Block]:
    return next((tab, block) for tab, block in get(template_id).blocks() if block.name == name)


def table_rows(grid: ExcelGrid, template_id: str, lang: str, name: str) -> list[dict]:
    """A table block as the grid holds it: one dict per data row (column key -> value), down to
    the first row whose first cell is empty (or the block's fixed height)."""
    tab, block = find_block(template_id, name)
    cells = grid.cells[t(tab.title, lang)]
    last = block.first_data_row + (block.fixed_height or 100_000)
    out = []
    for row in range(block.first_data_row, last):
        if cells.get((row, block.anchor_col)) is None:
            break
        out.append({c.key: cells.get((row, block.anchor_col + i))
                    for i, c in enumerate(block.columns)})
    return out


def grid_cell(template_id: str, r_score: int, fm_score: int) -> tuple[int, int]:
    """Row and column, in the Settings tab, of the RFM grid cell for (R, FM)."""
    [spec] = get(template_id).grids
    first_row, first_col = spec.first_cell
    return (first_row + spec.row_labels.index(f"rfm.row.{r_score}"),
            first_col + spec.col_labels.index(f"col.fm_{fm_score}"))


def set_settings_cell(path: Path, lang: str, row: int, col: int, value: object) -> None:
    book = openpyxl.load_workbook(path)
    book[t("tab.settings", lang)].cell(row=row, column=col, value=value)
    book.save(path)


def segment_label(key: str, lang: str) -> str:
    return t(f"rfm.segment.{key}", lang)


# --- 1. every new template: the same values in the same cells as the .xlsx path -----------------

@pytest.mark.parametrize("template_id, lang", [(tid, "fr") for tid in TEMPLATES] + [
    (tid, "en") for tid in TEMPLATES])
def test_templates_put_the_same_values_in_the_same_cells_as_the_xlsx_path(
        xw, monkeypatch, tmp_path: Path, template_id: str, lang: str) -> None:
    template = get(template_id)
    grid, actions, reference, result = run_both(
        xw, monkeypatch, filled_workbook(tmp_path, template_id, lang))
    assert [mode for _, _, mode in alerts(actions)] == ["info"]
    assert template_differences(grid, reference, template_id, lang) == []
    assert grid.reparsed() == [] and grid.apostrophes() == []

    # Not two empty results agreeing: every block got rows, and the headers of blocks as wide as
    # the data sit on the anchor row, fixed labels first, then one per extra column.
    writes = tab_writes(template, result.blocks, result.lang, lang, "month")
    wide = 0
    for tab_write in writes:
        cells = grid.cells[tab_write.tab]
        for write in tab_write.blocks:
            block, frame = write.block, write.frame
            if block.layout != "table" or block.name.startswith("run."):
                continue
            if frame.head(1).astype(object).replace("", None).notna().any(axis=None):
                first = [cells.get((block.first_data_row, block.anchor_col + i))
                         for i in range(frame.shape[1])]
                assert any(v is not None for v in first), (tab_write.tab, block.name)
            if write.header is None:
                continue
            written = [cells.get((block.anchor_row, block.anchor_col + i))
                       for i in range(len(write.header) + 1)]
            assert written == list(write.header) + [None], (tab_write.tab, block.name)
            wide += len(write.header) > len(block.columns)
    assert wide >= 1      # at least the set-aside rows' raw columns (5 rows are set aside)
    if template_id in ("cohorts", "all-in-one"):
        tab, block = find_block(template_id, "cohorts.retention_rate")
        cells = grid.cells[t(tab.title, lang)]
        month = "Mois" if lang == "fr" else "Month"
        assert [cells.get((block.anchor_row, block.anchor_col + 2 + i)) for i in range(3)] == [
            f"{month} 0", f"{month} 1", f"{month} 2"]
        assert cells[(block.first_data_row, block.anchor_col + 2)] == 1   # 100 % in period 0
    if template_id in ("churn", "all-in-one"):
        tab, block = find_block(template_id, "churn.net_revenue")
        cells = grid.cells[t(tab.title, lang)]
        years = [cells.get((block.anchor_row, block.anchor_col + 2 + i)) for i in range(5)]
        assert years == ["2022", "2023", "2024", "Total", None]   # sample orders: 2022-2024
    if template_id in ("rfm", "all-in-one"):
        customers = table_rows(grid, template_id, lang, "rfm.customers")
        assert len(customers) == result.blocks["rfm.customers"].shape[0] > 100


# --- 2. the RFM grid of the Settings tab, read back through the backend --------------------------

@pytest.mark.parametrize("template_id, lang", [("rfm", "fr"), ("all-in-one", "en")])
def test_a_changed_rfm_grid_cell_changes_the_segments_through_xlwings(
        xw, monkeypatch, tmp_path: Path, template_id: str, lang: str) -> None:
    old, new = rfm_analysis.DEFAULT_GRID[(5, 5)], "lost"
    assert old == "champions"
    before_path = filled_workbook(tmp_path, template_id, lang, "before.xlsx")
    before, _ = run_main(xw, monkeypatch, payload_from_xlsx(before_path, xw.__version__))

    path = filled_workbook(tmp_path, template_id, lang)
    row, col = grid_cell(template_id, 5, 5)
    settings = t("tab.settings", lang)
    assert before.cells[settings][(row, col)] == segment_label(old, lang)
    set_settings_cell(path, lang, row, col, segment_label(new, lang))
    after, actions, reference, result = run_both(xw, monkeypatch, path)
    assert [mode for _, _, mode in alerts(actions)] == ["info"]
    assert template_differences(after, reference, template_id, lang) == []
    assert result.blocks["rfm.grid_segments"].shape[0] == 5

    # The customers scored R 5 / FM 5, and only they, moved from Champions to Lost.
    old_rows = {c["customer_id"]: c for c in table_rows(before, template_id, lang,
                                                         "rfm.customers")}
    new_rows = {c["customer_id"]: c for c in table_rows(after, template_id, lang,
                                                         "rfm.customers")}
    assert set(old_rows) == set(new_rows)
    moved = {k for k, c in new_rows.items() if (c["r_score"], c["fm_score"]) == (5, 5)}
    assert len(moved) > 0
    for key, customer in new_rows.items():
        expected = segment_label(new, lang) if key in moved else old_rows[key]["segment_label"]
        assert customer["segment_label"] == expected, key
        assert old_rows[key]["segment_label"] == (
            segment_label(old, lang) if key in moved else expected)

    # The segment table counts them in their new segment; the grid of segments shows the cell.
    def counts(grid: ExcelGrid) -> dict[str, int]:
        return {s["segment_label"]: s["customers"]
                for s in table_rows(grid, template_id, lang, "rfm.segments")}

    was, now = counts(before), counts(after)
    assert now[segment_label(new, lang)] == was[segment_label(new, lang)] + len(moved)
    assert now[segment_label(old, lang)] == was[segment_label(old, lang)] - len(moved)
    [r5] = [r for r in table_rows(after, template_id, lang, "rfm.grid_segments")
            if r["r_score"] == 5]
    assert r5["fm_5"] == segment_label(new, lang)
    [r5] = [r for r in table_rows(before, template_id, lang, "rfm.grid_segments")
            if r["r_score"] == 5]
    assert r5["fm_5"] == segment_label(old, lang)


def test_an_unknown_segment_in_the_rfm_grid_is_an_excel_message_naming_the_cell(
        xw, monkeypatch, tmp_path: Path) -> None:
    path = filled_workbook(tmp_path, "rfm", "fr")
    row, col = grid_cell("rfm", 3, 2)
    set_settings_cell(path, "fr", row, col, "Pas un segment")
    _, actions = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    [(message, _, mode)] = alerts(actions)
    assert mode == "critical"
    assert message.startswith(f"Erreur : Onglet « Paramètres », ligne {row}, colonne "
                              f"{col_letter(col)} : valeur « Pas un segment » non reconnue.")
    assert segment_label("champions", "fr") in message
    assert [a["func"] for a in actions] == ["alert"]      # nothing written


# --- formats of the columns a block has only for some data --------------------------------------

def number_formats(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: {(c.row, c.column): c.number_format for row in ws.iter_rows() for c in row}
            for ws in book.worksheets}


@pytest.mark.parametrize("template_id", ["cohorts", "churn"])
def test_written_cells_keep_the_template_format_of_their_column(
        xw, monkeypatch, tmp_path: Path, template_id: str) -> None:
    """Every Range.Copy of the xlwings path gives the destination cells the number format the
    template has in the style row of their own column (what the .xlsx path does)."""
    path = filled_workbook(tmp_path, template_id, "fr")
    formats = number_formats(path)
    payload = payload_from_xlsx(path, xw.__version__)
    names = [s["name"] for s in payload["sheets"]]
    _, actions = run_main(xw, monkeypatch, payload)
    wrong = set()
    for action in (a for a in actions if a["func"] == "copyRange"):
        sheet = names[action["sheet_position"]]                  # source: the style row
        assert names[action["args"][0]] == sheet
        top, left = action["start_row"] + 1, action["start_column"] + 1
        first, _, last = action["args"][1].replace("$", "").partition(":")
        (_, c1), (_, c2) = parse_ref(first), parse_ref(last or first)
        for row in range(top, top + action["row_count"]):
            for c in range(c1, c2 + 1):
                pasted = formats[sheet].get((row, left + (c - c1) % action["column_count"]),
                                            "General")
                expected = formats[sheet].get((row, c), "General")
                if pasted != expected:
                    wrong.add((sheet, f"{col_letter(c)}{row}", expected, pasted))
    assert sorted(wrong) == []


# --- defects of the xlwings path (issue 10) ----------------------------------------------------

def test_every_written_row_of_a_table_gets_its_style_row_formats(
        xw, monkeypatch, tmp_path: Path) -> None:
    """The churn tables (as wide as the data, fixed height) kept the template's number
    formats on their first row only: every written row is now covered by a style copy."""
    path = filled_workbook(tmp_path, "churn", "fr")
    payload = payload_from_xlsx(path, xw.__version__)
    names = [s["name"] for s in payload["sheets"]]
    grid, actions = run_main(xw, monkeypatch, payload)
    covered: dict[str, set[int]] = {}
    for action in (a for a in actions if a["func"] == "copyRange"):
        first, _, last = action["args"][1].replace("$", "").partition(":")
        (r1, _), (r2, _) = parse_ref(first), parse_ref(last or first)   # the destination
        covered.setdefault(names[action["args"][0]], set()).update(range(r1, r2 + 1))
    for tab, block in get("churn").blocks():
        if block.layout != "table" or not block.dynamic_header:
            continue
        rows = len(table_rows(grid, "churn", "fr", block.name))
        title = t(tab.title, "fr")
        wanted = set(range(block.first_data_row + 1, block.first_data_row + rows))
        assert wanted <= covered.get(title, set()), (block.name, sorted(wanted - covered[title]))


def test_rows_emptied_with_the_delete_key_are_not_data(xw, monkeypatch, tmp_path: Path) -> None:
    """Excel's used range still covers rows whose cells were deleted: they come back empty
    and are not rows read, nor 'blank rows' set aside."""
    path = filled_workbook(tmp_path, "rfm", "fr")
    payload = payload_from_xlsx(path, xw.__version__)
    raw = next(s for s in payload["sheets"] if s["name"] == "Raw Data")
    width = len(raw["values"][0])
    raw["values"] += [[""] * width for _ in range(530)]          # what Delete leaves behind
    grid, actions = run_main(xw, monkeypatch, payload)
    assert not [a for a in alerts(actions) if a[2] == "critical"]
    summary = {grid.cells["Qualité des données"].get((r, 2)):
               grid.cells["Qualité des données"].get((r, 3)) for r in range(7, 16)}
    reference = calculate(path)                    # the .xlsx path on the same orders
    assert summary["Lignes lues"] == reference.rows_read == ROWS
    assert summary["Lignes écartées"] == reference.rows_set_aside


def test_a_renamed_result_tab_is_refused_before_anything_is_written(
        xw, monkeypatch, tmp_path: Path) -> None:
    path = filled_workbook(tmp_path, "rfm", "fr")
    payload = payload_from_xlsx(path, xw.__version__)
    target = next(s for s in payload["sheets"] if s["name"] == "Clients RFM")
    target["name"] = "Mes clients"
    _, actions = run_main(xw, monkeypatch, payload)
    [(message, _, mode)] = alerts(actions)
    assert mode == "critical" and "Clients RFM" in message and "rien n'a été modifié" in message
    assert [a["func"] for a in actions] == ["alert"]
