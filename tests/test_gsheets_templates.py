"""The rfm, cohorts, churn and all-in-one templates end to end on the Sheets API emulator.

Each spreadsheet is made with ``gsheet.create`` (the layout: colour scales, basic filters, charts
with fixed ids, horizontal bars, the RFM grid of drop-downs, row heights), orders are pasted into
Raw Data, then Calculate runs through the Google backend and every block it wrote is compared,
cell by cell, with the same template calculated through the .xlsx path. The emulator validates
every request body against Google's discovery document, so a request Google would refuse fails.

Laying a template out is the slow part (the emulator applies ~500 000 cell formats for the
cohort triangles), so each (template, language) spreadsheet is made and calculated once per
module and shared by the tests that only read it; tests that change one drop it afterwards.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pandas as pd
import pytest

from kc_sheets.apps import gsheet
from kc_sheets import sample_data
from kc_sheets.backends.google import urls
from kc_sheets.backends.xlsx import XlsxBook
from kc_sheets.calculate import RunResult, calculate, known_template
from kc_sheets.cells import col_letter
from kc_sheets.errors import KcError
from kc_sheets.i18n import t
from kc_sheets.templates import churn as churn_template
from kc_sheets.templates import rfm as rfm_template
from kc_sheets.templates.model import Block, Template
from tests.conftest import make_workbook
from tests.sheets_emulator import SheetsEmulator
from tests.support.google import http, paste

TEMPLATES = ("rfm", "cohorts", "churn", "all-in-one")
HEAVY = {("cohorts", "en"), ("all-in-one", "fr"), ("all-in-one", "en")}   # 10-13 s each
ROWS, SEED = 600, 3          # 2022-2024: three yearly cohorts
EPOCH = dt.datetime(1899, 12, 30)
NOT_COMPARED = ("run.stamp", "run.details")      # the run's time and duration


@dataclass
class Run:
    emulator: SheetsEmulator  # one per spreadsheet: a laid-out template holds ~1 GB in it
    spreadsheet_id: str
    frame: pd.DataFrame
    result: RunResult
    reference: RunResult      # the same data and template through the .xlsx path
    reads: int
    writes: int
    methods: list[str]        # the Sheets methods Calculate called, in order
    batch_kinds: list[str]    # the kinds of request in its spreadsheets.batchUpdate, if any
    layout: dict              # spreadsheets.get after create (charts, colour scales, filters)


class Runs:
    """``runs.use(template, lang)``: the spreadsheet made, filled and calculated once, on its own
    emulator (``KC_SHEETS_GOOGLE_API_BASE`` points at it while in use)."""

    SHARED = {("churn", "fr"), ("rfm", "fr"), ("rfm", "en")}   # read again by later tests

    def __init__(self, folders: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
        self.folders = folders
        self.monkeypatch = monkeypatch
        self.cache: dict[tuple[str, str], Run] = {}

    def get(self, template_id: str, lang: str) -> Run:
        key = (template_id, lang)
        if key not in self.cache:
            emulator = SheetsEmulator(tokens=("test-token",))
            self.monkeypatch.setenv("KC_SHEETS_GOOGLE_API_BASE", emulator.start())
            try:
                self.cache[key] = _make_run(emulator, self.folders, template_id, lang)
            except BaseException:
                emulator.stop()
                raise
        run = self.cache[key]
        self.monkeypatch.setenv("KC_SHEETS_GOOGLE_API_BASE", run.emulator.base_url)
        return run

    @contextmanager
    def use(self, template_id: str, lang: str, *, changes: bool = False) -> Iterator[Run]:
        """The run, released afterwards unless a later test reads it unchanged."""
        try:
            yield self.get(template_id, lang)
        finally:
            if changes or (template_id, lang) not in self.SHARED:
                self.release(template_id, lang)

    def release(self, template_id: str, lang: str) -> None:
        run = self.cache.pop((template_id, lang), None)
        if run is not None:
            run.emulator.stop()
            gc.collect()      # the emulator and its server refer to each other

    def close(self) -> None:
        for key in list(self.cache):
            self.release(*key)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    # A laid-out template is ~500 000 cells (the cohort triangles' formats) in the emulator: the
    # garbage collector, scanning a heap that big again and again, would double the time. It is
    # off for this module; releasing a run collects what it held.
    was_enabled = gc.isenabled()
    gc.disable()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KC_SHEETS_RETRY_BASE", "0.01")
        made = Runs(tmp_path_factory, patch)
        try:
            yield made
        finally:
            made.close()
            if was_enabled:
                gc.enable()


LAYOUT_FIELDS = ("sheets(properties(sheetId,title),charts(chartId,spec(basicChart(chartType,"
                 "headerCount,series))),conditionalFormats(ranges,gradientRule,booleanRule),"
                 "basicFilter(range))")


def _make_run(em: SheetsEmulator, folders: pytest.TempPathFactory, template_id: str,
              lang: str) -> Run:
    started = time.perf_counter()
    frame = sample_data.generate(rows=ROWS, seed=SEED, lang=lang)
    api = http(lang)
    created = gsheet.create(api, template_id, lang)
    layout = api.request("get", urls.spreadsheet(created.spreadsheet_id),
                         params={"fields": LAYOUT_FIELDS}).json()
    paste(api, created.spreadsheet_id, frame)
    _all_accepted(em)
    em.reset_counts()
    made = time.perf_counter()
    result = gsheet.calculate(http(lang), created.spreadsheet_id)
    calculated = time.perf_counter()
    reads, writes = em.reads, em.writes
    methods = [r.method.removeprefix("spreadsheets.") for r in em.requests]
    batch_kinds = [next(iter(request)) for r in em.calls("spreadsheets.batchUpdate")
                   for request in r.body["requests"]]
    _all_accepted(em)
    reference = calculate(make_workbook(folders.mktemp(f"{template_id}-{lang}"), frame,
                                        template_id, lang))
    print(f"\n{template_id}/{lang}: create and paste {made - started:.1f} s, Calculate "
          f"{calculated - made:.1f} s ({reads} reads, {writes} writes: {', '.join(methods)}), "
          f".xlsx {time.perf_counter() - calculated:.1f} s")
    return Run(em, created.spreadsheet_id, frame, result, reference, reads, writes, methods,
               batch_kinds, layout)


def _all_accepted(em: SheetsEmulator) -> None:
    refused = [(r.method, r.status, r.response) for r in em.requests if r.status != 200]
    assert not refused, refused


def _template_params():
    return [pytest.param(template_id, lang, id=f"{template_id}-{lang}",
                         marks=[pytest.mark.slow] if (template_id, lang) in HEAVY else [])
            for template_id in TEMPLATES for lang in ("fr", "en")]


# ------------------------------------------------------------------ comparing with the .xlsx path

def _plain(value: object) -> object:
    """A cell value as both paths can hold it: dates as serial numbers, numbers as floats."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (value - EPOCH) / dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return float((dt.datetime(value.year, value.month, value.day) - EPOCH).days)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _same(google: object, xlsx: object) -> bool:
    a, b = _plain(google), _plain(xlsx)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return type(a) is type(b) and a == b


def _block_cells(block: Block, frame: pd.DataFrame) -> tuple[range, range]:
    """Rows and columns (1-based) of a block as written: header, data rows, one row below."""
    if block.layout == "fields":
        return (range(block.anchor_row, block.anchor_row + len(block.columns)),
                range(block.anchor_col, block.anchor_col + 2))
    rows = len(frame) if block.max_rows is None else min(len(frame), block.max_rows)
    if block.fixed_rows is not None:
        rows = min(rows, block.fixed_rows)
    width = max(block.width, frame.shape[1])
    return (range(block.anchor_row, block.first_data_row + rows + 1),
            range(block.anchor_col, block.anchor_col + width))


def _at(rows: list[list], r: int, c: int) -> object:
    return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else ""


def _compare_frames(run: Run) -> None:
    for name, expected in run.reference.blocks.items():
        if name in NOT_COMPARED:
            continue
        got = run.result.blocks[name]
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=name)
    assert set(run.result.blocks) == set(run.reference.blocks)


def _compare_sheet(run: Run, template: Template, lang: str) -> int:
    """Every block's cells in the Google sheet against the calculated .xlsx; the cells seen."""
    book = XlsxBook(run.reference.path)
    seen = 0
    for tab in template.tabs:
        blocks = [b for b in tab.blocks if b.name not in NOT_COMPARED]
        if not blocks:
            continue
        title = t(tab.title, lang)
        google, xlsx = run.emulator.values(run.spreadsheet_id, title), book.read_rows(title)
        for block in blocks:
            rows, cols = _block_cells(block, run.reference.blocks[block.name])
            wrong = []
            for r in rows:
                for c in cols:
                    g, x = _at(google, r, c), _at(xlsx, r, c)
                    seen += 1
                    if not _same(g, x):
                        wrong.append(f"{col_letter(c)}{r}: Google {g!r}, xlsx {x!r}")
            assert not wrong, f"{title} / {block.name}: " + "; ".join(wrong[:5])
    return seen


def _check_layout(run: Run, template: Template, lang: str) -> None:
    """What create laid out: charts by their fixed ids, colour scales, filters, the RFM grid."""
    sheets = {s["properties"]["title"]: s for s in run.layout["sheets"]}
    for tab in template.tabs:
        sheet = sheets[t(tab.title, lang)]
        charts = {c["chartId"]: c["spec"]["basicChart"] for c in sheet.get("charts", [])}
        assert set(charts) == {c.chart_id for c in tab.charts}, tab.key
        for chart in tab.charts:
            assert charts[chart.chart_id]["chartType"] == (
                "LINE" if chart.kind == "line" else "BAR" if chart.horizontal else
                "COMBO" if chart.lines else "COLUMN")
        rules = sheet.get("conditionalFormats", [])
        scales = [r for r in rules if "gradientRule" in r]
        assert len(scales) == len(tab.heatmaps), tab.key
        fills = [r for r in rules if "booleanRule" in r]      # the grid coloured by segment
        assert len(fills) == sum(len({t(label, x) for x in ("fr", "en")})
                                 for spec in tab.colours for label, _ in spec.labels), tab.key
        for rule in scales:
            assert rule["gradientRule"]["midpoint"]["type"] == "PERCENTILE"
            assert rule["gradientRule"]["midpoint"]["value"] == "50"
        filtered = [b for b in tab.blocks if b.autofilter]
        assert ("basicFilter" in sheet) == bool(filtered), tab.key
        if filtered:
            assert sheet["basicFilter"]["range"]["startRowIndex"] == filtered[0].anchor_row - 1
    api = http(lang)
    for grid in template.grids:                         # the RFM grid: 5 x 5 drop-downs
        first_row, first_col = grid.first_cell
        last_row, last_col = first_row + len(grid.row_labels) - 1, first_col + len(
            grid.col_labels) - 1
        cells = _grid_data(api, run, t("tab.settings", lang),
                           f"{col_letter(first_col)}{first_row}:{col_letter(last_col)}{last_row}",
                           "rowData(values(userEnteredValue,dataValidation))")["rowData"]
        assert [len(row["values"]) for row in cells] == [len(grid.col_labels)] * len(
            grid.row_labels)
        for i, row in enumerate(cells):
            for j, cell in enumerate(row["values"]):
                rule = cell["dataValidation"]
                assert rule["strict"] and rule["condition"]["type"] == "ONE_OF_LIST"
                assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == [
                    t(c, lang) for c in grid.choices]
                assert cell["userEnteredValue"] == {"stringValue": t(grid.default[i][j], lang)}
        assert cells[0]["values"][4]["userEnteredValue"] == {
            "stringValue": t("rfm.segment.champions", lang)}                  # R 5 / FM 5
    for tab in template.tabs:                           # taller rows for wrapped texts
        for block in tab.blocks:
            if block.row_height and block.fixed_rows:
                first, last = block.first_data_row, block.first_data_row + block.fixed_rows - 1
                heights = _grid_data(api, run, t(tab.title, lang), f"A{first}:A{last + 1}",
                                     "rowMetadata(pixelSize)")["rowMetadata"]
                assert [h["pixelSize"] for h in heights] == [
                    int(block.row_height * 4 / 3)] * block.fixed_rows + [21]


def _grid_data(api, run: Run, tab: str, cells: str, fields: str) -> dict:
    """One range's grid data through spreadsheets.get (a copy of the whole emulated spreadsheet
    would take seconds)."""
    answer = api.request("get", urls.spreadsheet(run.spreadsheet_id), params={
        "ranges": [f"'{tab}'!{cells}"], "includeGridData": "true",
        "fields": f"sheets(data({fields}))"}).json()
    return answer["sheets"][0]["data"][0]


# ------------------------------------------------------------------ tests

@pytest.mark.parametrize(("template_id", "lang"), _template_params())
def test_calculate_equals_the_xlsx_path_within_budget(runs, template_id, lang) -> None:
    with runs.use(template_id, lang) as run:
        _check_run(run, template_id, lang)


def _check_run(run: Run, template_id: str, lang: str) -> None:
    template = known_template(template_id)
    _check_layout(run, template, lang)
    dynamic = [c for tab in template.tabs for c in tab.charts if c.dynamic]
    print(f"Google requests for a Calculate ({template_id}/{lang}, {len(run.frame)} rows): "
          f"{run.reads} reads, {run.writes} writes")
    assert run.reads <= 2
    assert run.writes == 1
    # Two reads, then one atomic spreadsheets.batchUpdate: every block's values (updateCells),
    # the layer cake's series (updateChartSpec), the empty rows of the yearly churn tables
    # hidden (updateDimensionProperties) and the run marker.
    assert run.methods == ["get", "values.batchGet", "batchUpdate"]
    assert set(run.batch_kinds) <= {"updateCells", "updateChartSpec", "createDeveloperMetadata",
                                    "updateSheetProperties", "updateDimensionProperties"}
    collapsing = [b for tab in template.tabs for b in tab.blocks if b.collapse]
    assert run.batch_kinds.count("updateDimensionProperties") <= 2 * len(collapsing)
    assert run.batch_kinds.count("updateChartSpec") == len(dynamic)
    assert run.batch_kinds.count("createDeveloperMetadata") == 1
    _compare_frames(run)
    assert _compare_sheet(run, template, lang) > 1000


def test_churn_layer_cake_has_one_series_per_cohort_written(runs) -> None:
    with runs.use("churn", "fr", changes=True) as run:
        _check_yearly_rows_hidden(run)
        _check_layer_cake(run)


def _check_yearly_rows_hidden(run: Run) -> None:
    """The rows a yearly churn table leaves empty are hidden (no gap), as in the .xlsx file."""
    block = churn_template.CUSTOMERS.block("churn.customer_churn")
    shown = len(run.reference.blocks["churn.customer_churn"])
    sheet = run.emulator.sheet(run.spreadsheet_id, "Churn clients")
    first = block.first_data_row - 1
    hidden = {i for i, m in sheet.row_metadata.items() if m.get("hiddenByUser")}
    assert not hidden & set(range(first, first + shown))
    assert set(range(first + shown, first + block.fixed_height)) <= hidden


def _check_layer_cake(run: Run) -> None:
    emulator = run.emulator
    chart = churn_template.REVENUE.charts[0]
    block = churn_template.REVENUE.block(chart.block)
    assert chart.dynamic
    cohorts = [str(c) for c in run.reference.blocks[chart.block].columns if c != "year"]
    assert cohorts == ["2022", "2023", "2024"]
    before = next(s for s in run.layout["sheets"] if s["properties"]["title"] == "Churn CA")
    assert len(before["charts"][0]["spec"]["basicChart"]["series"]) == \
        churn_template.YEAR_COLUMNS                          # created with every reserved column

    def stored() -> dict:
        """The chart as the emulator holds it (the values are read back through the API)."""
        answer = http("fr").request("get", urls.spreadsheet(run.spreadsheet_id), params={
            "ranges": ["'Churn CA'!A1"], "fields": "sheets(charts(chartId,spec))"}).json()
        return next(c for c in answer["sheets"][0]["charts"]
                    if c["chartId"] == chart.chart_id)["spec"]

    def series_columns(spec: dict) -> list[int]:
        return [s["series"]["sourceRange"]["sources"][0]["startColumnIndex"]
                for s in spec["basicChart"]["series"]]

    spec = stored()
    assert len(spec["basicChart"]["series"]) == len(cohorts) == 3
    assert series_columns(spec) == [block.anchor_col + i for i in range(len(cohorts))]
    assert spec["basicChart"]["headerCount"] == 1
    assert spec["basicChart"]["stackedType"] == "STACKED"
    header = emulator.values(run.spreadsheet_id, "Churn CA")[block.anchor_row - 1]
    assert [str(header[c]) for c in series_columns(spec)] == cohorts
    assert spec["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0][
        "startColumnIndex"] == block.anchor_col - 1

    # Orders of 2023 and 2024 only: two cohorts, two series (the stale third one is gone).
    api = http("fr")
    later = run.frame[run.frame["Date d'achat"] >= "2023-01-01"].reset_index(drop=True)
    paste(api, run.spreadsheet_id, later)
    api.request("post", urls.values_batch_update(run.spreadsheet_id), json={
        "valueInputOption": "RAW", "data": [{
            "range": f"'Raw Data'!A{len(later) + 2}:J{len(run.frame) + 1}",
            "values": [[""] * 10] * (len(run.frame) - len(later))}]})
    emulator.reset_counts()
    result = gsheet.calculate(http("fr"), run.spreadsheet_id)
    assert (emulator.reads, emulator.writes) == (2, 1)
    _all_accepted(emulator)
    assert [str(c) for c in result.blocks[chart.block].columns[1:]] == ["2023", "2024"]
    spec = stored()
    assert len(spec["basicChart"]["series"]) == 2
    assert series_columns(spec) == [block.anchor_col, block.anchor_col + 1]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rfm_grid_in_settings_drives_the_segments(runs, lang) -> None:
    with runs.use("rfm", lang, changes=True) as run:
        _check_rfm_grid(run, lang)


def _check_rfm_grid(run: Run, lang: str) -> None:
    emulator = run.emulator
    api = http(lang)
    settings_tab = t("tab.settings", lang)
    customers_tab = t(rfm_template.CUSTOMERS.title, lang)
    block = rfm_template.CUSTOMERS.block("rfm.customers")
    keys = [c.key for c in block.columns]
    grid = rfm_template.GRID_SETTING
    first_row, first_col = grid.first_cell
    champions, loyal = t("rfm.segment.champions", lang), t("rfm.segment.loyal", lang)

    def segments() -> dict[str, tuple[str, int, int]]:
        rows = emulator.values(run.spreadsheet_id, customers_tab)[block.first_data_row - 1:]
        col = block.anchor_col - 1
        return {str(r[col + keys.index("customer_id")]): (
            r[col + keys.index("segment_label")], int(r[col + keys.index("r_score")]),
            int(r[col + keys.index("fm_score")])) for r in rows if len(r) > col and r[col] != ""}

    def set_cell(ref: str, value: str) -> None:
        api.request("post", urls.values_batch_update(run.spreadsheet_id), json={
            "valueInputOption": "RAW",
            "data": [{"range": f"'{settings_tab}'!{ref}", "values": [[value]]}]})

    before = segments()
    top = {c for c, (_, r, fm) in before.items() if (r, fm) == (5, 5)}
    assert top and all(before[c][0] == champions for c in top)

    # R 5 (first grid row) / FM 5 (fifth grid column): "Loyal" instead of "Champions".
    r5_fm5 = f"{col_letter(first_col + 4)}{first_row}"
    set_cell(r5_fm5, loyal)
    result = gsheet.calculate(api, run.spreadsheet_id)
    after = segments()
    assert set(after) == set(before)
    assert all(after[c] == (loyal, 5, 5) for c in top)
    assert all(after[c] == before[c] for c in before if c not in top)
    shown = result.blocks["rfm.segments"].set_index("segment")["customers"]
    counted = run.result.blocks["rfm.segments"].set_index("segment")["customers"]
    assert shown["loyal"] == counted["loyal"] + len(top)
    assert shown["champions"] == counted["champions"] - len(top)
    on_grid = emulator.values(run.spreadsheet_id, t(rfm_template.ANALYSIS.title, lang))
    segment_grid = rfm_template.ANALYSIS.block("rfm.grid_segments")
    assert on_grid[segment_grid.first_data_row - 1][segment_grid.anchor_col - 1 + 5] == loyal

    # An unknown name in R 1 / FM 1: the error says where, and nothing is written.
    r1_fm1_row, r1_fm1_col = first_row + 4, col_letter(first_col)
    set_cell(f"{r1_fm1_col}{r1_fm1_row}", "Segment inconnu")
    emulator.reset_counts()
    with pytest.raises(KcError) as info:
        gsheet.calculate(api, run.spreadsheet_id)
    error = info.value
    assert (error.tab, error.row, error.column) == (settings_tab, r1_fm1_row, r1_fm1_col)
    message = error.message()
    assert settings_tab in message and "Segment inconnu" in message
    assert t("error.where.row", lang, row=r1_fm1_row) in message
    assert t("error.where.col", lang, col=r1_fm1_col) in message
    assert emulator.writes == 0
