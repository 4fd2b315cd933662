"""The block contract: a template places only what its analyses declare, a run keeps the
promise, docs/blocks.md is the declarations, and a new KPI is one function, its declaration and
one placement, shown in .xlsx, Google Sheets (the emulator) and Excel (xlwings' remote engine)
with no other file touched (the recipe of ARCHITECTURE.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kc_sheets.apps import gsheet
from kc_sheets.analyses.contract import Analysis, BlockSpec, BrokenPromise, Col
from kc_sheets.analyses.reduction import shared
from kc_sheets.calculate import calculate, check_placed
from kc_sheets.i18n import register, t
from kc_sheets.settings import COMMON_SETTINGS
from kc_sheets.templates import common, get, register as register_template, unregister
from kc_sheets.templates.blocks_doc import markdown
from kc_sheets.templates.model import Block, Column, Tab, Template, TemplateError, Text
from tests.conftest import make_workbook, ten_orders
from tests.support.google import http, paste

ROOT = Path(__file__).resolve().parents[1]


# --- the recipe: a toy KPI, end to end ------------------------------------------------------

# 1. the analysis function: orders -> a frame whose columns are keys
def orders_per_customer(ctx) -> dict[str, pd.DataFrame]:
    customers = shared(ctx).customers              # the run's reduction, per customer
    value = customers.orders.sum() / max(int(customers.buyers.sum()), 1)
    return {"toy.orders_per_customer": pd.DataFrame({"orders_per_customer": [round(value, 4)]})}


# 2. its declaration
TOY = Analysis("toy", orders_per_customer, (
    BlockSpec("toy.orders_per_customer",
              (Col("orders_per_customer", "purchases / customers who purchased"),),
              about="One row: the average number of purchases per customer."),))

# 3. one placement, in a template of its own (labels registered in both languages)
register({"toy.title": ("Commandes par client", "Orders per customer"),
          "toy.summary": ("Combien de commandes passe un client, en moyenne ?",
                          "How many orders does a customer place, on average?"),
          "tab.toy": ("Commandes par client", "Orders per customer"),
          "toy.col.value": ("Commandes par client", "Orders per customer")})
KPI_CELL = "B7"
TOY_TAB = Tab("toy", "tab.toy", "analysis", blocks=(
    common.stamp_block("B4"),
    Block("toy.orders_per_customer", "B6",
          (Column("orders_per_customer", "toy.col.value", "number", 22),)),
), texts=(Text("B2", "toy.title", "title"),))
TOY_TEMPLATE = Template(
    id="toy-kpi", title="toy.title", summary="toy.summary",
    tabs=(common.readme_tab("toy.title", "toy.summary"), common.raw_tab(),
          common.settings_tab(), TOY_TAB, common.quality_tab(), common.glossary_tab()),
    analyses=(TOY,), settings=COMMON_SETTINGS)



@pytest.fixture
def toy():
    register_template(TOY_TEMPLATE)
    yield TOY_TEMPLATE
    unregister(TOY_TEMPLATE.id)


def expected_value() -> float:
    orders = ten_orders()
    purchases = orders[orders.iloc[:, 2] >= 0]
    return round(len(purchases) / purchases.iloc[:, 3].nunique(), 4)


def test_the_toy_kpi_shows_in_an_xlsx_workbook(toy, tmp_path) -> None:
    path = make_workbook(tmp_path, ten_orders(), template=toy.id)
    result = calculate(path)
    assert result.blocks["toy.orders_per_customer"]["orders_per_customer"].iloc[0] == \
        expected_value()
    sheet = openpyxl.load_workbook(path)[t("tab.toy", "fr")]
    assert sheet["B6"].value == t("toy.col.value", "fr")
    assert sheet[KPI_CELL].value == expected_value()


def test_the_toy_kpi_shows_in_google_sheets(toy, sheets) -> None:
    api = http()
    created = gsheet.create(api, toy.id, "en")
    paste(api, created.spreadsheet_id, ten_orders())
    gsheet.calculate(api, created.spreadsheet_id)
    rows = sheets.values(created.spreadsheet_id, t("tab.toy", "en"))
    assert rows[5][1] == t("toy.col.value", "en")
    assert float(rows[6][1]) == expected_value()


def test_the_toy_kpi_shows_through_xlwings(toy, xw, monkeypatch, tmp_path) -> None:
    from tests.excel.remote import payload_from_xlsx
    from tests.support.excel import run_main

    path = make_workbook(tmp_path, ten_orders(), template=toy.id)
    grid, _ = run_main(xw, monkeypatch, payload_from_xlsx(path, xw.__version__))
    assert grid.cells[t("tab.toy", "fr")][(7, 2)] == expected_value()


# --- what the contract refuses --------------------------------------------------------------

def test_a_template_placing_an_undeclared_block_or_column_is_not_built() -> None:
    unknown_block = dataclasses.replace(TOY_TAB, blocks=(Block("toy.nope", "B6", ()),))
    with pytest.raises(TemplateError, match="toy.nope.*produced by none"):
        dataclasses.replace(TOY_TEMPLATE, tabs=(unknown_block,))
    unknown_column = dataclasses.replace(TOY_TAB, blocks=(Block(
        "toy.orders_per_customer", "B6", (Column("orders", "toy.col.value"),)),))
    with pytest.raises(TemplateError, match=r"columns \['orders'\].*not declared"):
        dataclasses.replace(TOY_TEMPLATE, tabs=(unknown_column,))
    with pytest.raises(TemplateError, match="no column 'nope'"):
        get("first-vs-repeat").tab("fvr").block("first_vs_repeat.totals").cell("nope")


def test_a_run_that_breaks_the_promise_fails_before_writing(tmp_path) -> None:
    broken = dataclasses.replace(TOY, run=lambda ctx: {})
    register_template(dataclasses.replace(TOY_TEMPLATE, analyses=(broken,)))
    try:
        path = make_workbook(tmp_path, ten_orders(), template=TOY_TEMPLATE.id)
        before = path.read_bytes()
        with pytest.raises(BrokenPromise, match="not produced"):
            calculate(path)
        assert path.read_bytes() == before
    finally:
        unregister(TOY_TEMPLATE.id)
    with pytest.raises(BrokenPromise, match="toy.orders_per_customer"):
        check_placed(TOY_TEMPLATE, {"run.stamp": pd.DataFrame({"text": ["x"]})})


def test_every_placed_column_of_the_shipped_templates_is_declared() -> None:
    from kc_sheets.templates import all_templates

    for template in all_templates():
        declared = template.declared()
        for tab, block in template.blocks():
            assert {c.key for c in block.columns} <= set(declared[block.name].keys)


def test_the_committed_blocks_doc_is_the_declarations() -> None:
    committed = (ROOT / "docs" / "blocks.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/blocks.md differs from the declarations: run python -m kc_sheets.templates.blocks_doc")
