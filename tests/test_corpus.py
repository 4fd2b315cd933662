"""The hostile-input corpus (issue 10, deliverable 2): every case with its expected outcome.

Each case's file is generated at test time (``tests/corpus/``) and run through the real
``kc-sheets`` command. Every case must give: exit code 0 (accepted) or 2 (refused), never 1 or
70; no traceback and no "unexpected error"; a refusal names where (tab, row, column) in the
workbook's language and says what to do, and leaves the file byte-identical; an accepted file
keeps Raw Data byte-identical, and its data quality report adds up (rows read = used + set aside,
and the same for revenue) with the figures you can check by hand below.

``KC_CORPUS_REPORT=path.md pytest tests/test_corpus.py`` also writes the table of outcomes
(case, expected, got, problems) and the totals for the closing note.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.corpus.builders import sheet_parts
from tests.corpus.make_corpus import CASES, CASES_BY_NAME
from tests.corpus.outcome import Outcome, run_case, run_subprocess, written_text
from tests.corpus.registry import PAYLOADS

MONTHS = {"2024-01": 100.0, "2024-02": 20.0, "2024-03": 3.0}


@dataclass(frozen=True)
class Expect:
    exits: tuple[int, ...] = (0,)
    says: tuple[str, ...] = ()          # regexes the message must contain (refusals)
    not_says: tuple[str, ...] = ()
    rows_read: int | None = None
    rows_used: int | None = None
    revenue: float | None = None        # revenue used
    customers: int | None = None
    orders: int | None = None
    set_aside: tuple[int, ...] | None = None     # exactly these sheet rows
    aside_includes: tuple[int, ...] = ()         # at least these
    by_period: dict[str, float] = field(default_factory=dict)

    def text(self) -> str:
        parts = [f"exit {'/'.join(map(str, self.exits))}"]
        for name in ("rows_used", "revenue", "customers", "orders"):
            if getattr(self, name) is not None:
                parts.append(f"{name} {getattr(self, name):g}")
        if self.set_aside is not None:
            parts.append(f"aside {list(self.set_aside)}")
        return ", ".join(parts)


def ok(revenue=450.0, used=5, customers=3, orders=5, **more) -> Expect:
    return Expect(rows_used=used, revenue=revenue, customers=customers, orders=orders, **more)


def refused(*says: str, **more) -> Expect:
    return Expect(exits=(2,), says=says, **more)


def dates(by_period=None) -> Expect:
    return Expect(rows_read=3, rows_used=3, revenue=123.0, set_aside=(),
                  by_period=by_period or MONTHS)


ERROR_ROWS = tuple(range(2, 17))
DAMAGED = r"endommag|tronqu|incomplet|corrompu"
TO_DO = r"enregistr|ouvrez|réenregistr"

EXPECTED: dict[str, Expect] = {
    # headers
    "base_fr": ok(rows_read=5, set_aside=()),
    "base_en": ok(rows_read=5, set_aside=()),
    "headers_wrong": refused("Raw Data", r"ligne 1\b", "Date de commande", "Foo", "Paramètres"),
    "headers_wrong_en": refused("Raw Data", r"row 1\b", "Order date", "Foo", "Settings",
                                not_says=("Erreur", "ligne")),
    "headers_missing_amount": refused("Raw Data", r"ligne 1\b", "Montant", "Paramètres"),
    "headers_missing_customer": refused("Raw Data", r"ligne 1\b", "ID client", "Paramètres"),
    "headers_email_instead_of_customer": ok(set_aside=()),
    "headers_duplicate_amount": refused("Raw Data", "Montant", r"\bC\b", r"\bE\b", "Paramètres"),
    "headers_misspelt": refused("Raw Data", r"ligne 1\b", "Date d'achta", "Paramètres"),
    "headers_case_accents_apostrophe": ok(set_aside=()),
    "headers_reordered": ok(set_aside=()),
    "headers_below_title": ok(rows_read=5, set_aside=()),
    "headers_pasted_at_b3": ok(rows_read=5, set_aside=()),
    "raw_data_header_only": refused("Raw Data", r"\bvide\b", "A1"),
    "raw_data_empty": refused("Raw Data", r"\bvide\b", "A1"),
    # dates (analyze: the month each date lands in is checked)
    **{name: dates() for name in (
        "dates_iso", "dates_fr_slash", "dates_us_order_auto", "dates_dotted",
        "dates_fr_month_names", "dates_en_month_names", "dates_iso_time_zone",
        "dates_shopify_style", "dates_serials_as_text", "dates_with_time_fr")},
    "dates_fr_december": Expect(rows_read=2, rows_used=2, revenue=120.0,
                                by_period={"2024-12": 120.0}),
    "dates_impossible": ok(revenue=300.0, used=2, customers=2, orders=2, set_aside=(2, 3, 4)),
    "dates_far": ok(revenue=300.0, used=2, customers=2, orders=2, set_aside=(2, 3, 4, 5, 6)),
    "dates_mixed_cells": ok(set_aside=()),
    # amounts
    "amounts_fr_text": Expect(rows_used=5, revenue=3696.18, set_aside=()),
    "amounts_en_text": Expect(rows_used=5, revenue=2471.62, set_aside=()),
    "amounts_currency_before_after": Expect(rows_used=6, revenue=75.0, set_aside=()),
    "amounts_euro_as_decimal_sign": Expect(rows_used=3, revenue=115.55, set_aside=()),
    "amounts_parentheses_negative": Expect(rows_used=3, revenue=80.0, customers=1,
                                           set_aside=()),
    "amounts_empty": ok(set_aside=(7,)),
    "amounts_huge": ok(set_aside=(7, 8, 9, 10)),
    "amounts_not_numbers": ok(set_aside=(7, 8, 9, 10)),
    "amounts_zero_orders": ok(used=7, customers=4, orders=7, set_aside=()),
    # error values: the rows are set aside with their reason, never the whole file refused
    "errors_in_amount": ok(rows_read=20, set_aside=ERROR_ROWS),
    "errors_in_date": ok(rows_read=20, set_aside=ERROR_ROWS),
    "errors_in_customer": ok(rows_read=20, set_aside=ERROR_ROWS),
    "errors_in_order_id": ok(rows_read=20, set_aside=ERROR_ROWS),
    "errors_in_amount_en": ok(rows_read=20, set_aside=ERROR_ROWS),
    "errors_in_optional_column": ok(set_aside=()),
    # rows
    "rows_blank_in_between": ok(),
    "rows_hidden": ok(rows_read=5, set_aside=()),
    "rows_subtotals": ok(aside_includes=(4, 7, 10)),
    "rows_merged_cells": ok(used=6, set_aside=()),
    "refunds_larger_than_purchases": Expect(rows_used=4, revenue=40.0, customers=2,
                                            set_aside=()),
    "guests_with_emails": ok(revenue=180.0, customers=5, orders=5, set_aside=()),
    "guests_without_emails": Expect(revenue=300.0, customers=2, aside_includes=(2, 3, 4)),
    # shop exports
    "shopify_orders_csv": Expect(rows_read=4, revenue=165.0),
    "shopify_orders_pasted": Expect(rows_read=4, revenue=165.0),
    "woocommerce_repeated_total": Expect(rows_read=3, revenue=125.0, customers=1, orders=1),
    "woocommerce_export": Expect(rows_read=7, revenue=195.0, customers=3),
    "prestashop_orders_export": Expect(rows_read=4, revenue=185.0),
    "prestashop_sql_manager": Expect(rows_used=3, revenue=225.5, customers=2, orders=3,
                                     set_aside=()),
    # CSV encodings
    "csv_utf8_bom": ok(set_aside=()),
    "csv_utf16_tab": ok(set_aside=()),
    "csv_windows1252_semicolon": ok(set_aside=()),
    "csv_semicolon_french_amounts": Expect(rows_used=2, revenue=1235.0, set_aside=()),
    "csv_empty": refused("csv_empty.csv", r"\bvide\b"),
    "csv_header_only": refused("csv_header_only.csv", r"\bvide\b",
                               not_says=("onglet « Raw Data »",)),
    "csv_line_breaks_in_cells": Expect(rows_used=4, revenue=250.0, set_aside=(3,)),
    "csv_ragged_rows": refused("csv_ragged_rows.csv", r"ligne 4\b"),
    "csv_formula_payloads": Expect(rows_used=5, revenue=150.0, set_aside=(7,)),
    "csv_map_unrecognised_column": ok(set_aside=()),
    "csv_unrecognised_column": refused("Prix TTC", "--set", "map.amount",
                                       not_says=("onglet « Paramètres »",)),
    "analyze_xlsx_raw_data": ok(set_aside=()),
    # containers
    "xls_renamed_xlsx": refused(r"\.xls\b|97-2003", r"\.xlsx", TO_DO),
    "ods_renamed_xlsx": refused(r"\.ods\b|OpenDocument", r"\.xlsx", TO_DO),
    "csv_renamed_xlsx": refused(r"\bCSV\b|texte", r"\.xlsx"),
    "zip_truncated": refused(DAMAGED, TO_DO),
    "zip_corrupt_member": refused(DAMAGED, TO_DO),
    "zip_without_workbook": refused(r"\.xlsx", TO_DO),
    "file_empty_xlsx": refused(r"\bvide\b|0 octet"),
    "encrypted_workbook": refused(r"mot de passe", TO_DO),
    "encrypted_minimal_cfb": refused(r"mot de passe", TO_DO),
    "namespace_prefixed_sheet": ok(set_aside=()),
    "xml_entity_expansion": refused(r"endommagé|suspect", TO_DO),
    "xml_external_entity": refused(r"endommagé|suspect", TO_DO),
    "zip_bomb_part": refused(r"endommagé|suspect", TO_DO),
    # texts
    "text_32767_chars": ok(set_aside=(7,)),
    "text_emoji": ok(set_aside=()),
    "text_excel_escapes": ok(set_aside=()),
    "text_control_characters": ok(set_aside=()),
    "formula_payloads_xlsx": ok(customers=5, set_aside=(7,)),
    "stray_cell_column_2000": ok(rows_read=5, set_aside=()),
    "stray_cell_xfd1": ok(rows_read=5, set_aside=()),
    # workbook state: a refusal leaves the file byte-identical, an acceptance keeps Raw Data
    "template_flag_on_other_template": Expect(exits=(0, 2), says=("--template|modèle",)),
    "template_flag_missing_column": refused("Raw Data", r"ligne 1\b", "Montant"),
    "not_a_template": refused("Paramètres", "--template"),
    "no_raw_data_tab": refused("Raw Data", "Feuil1"),
    "renamed_result_tab": Expect(exits=(0, 2), says=("CA 1ers vs répétés",)),
    "settings_bad_period": refused("Paramètres", r"ligne 8\b", r"colonne C\b", "Hebdomadaire",
                                   "Mois"),
    "settings_bad_mapping": refused("Paramètres", r"ligne 13\b", r"colonne C\b", "Prix"),
    "settings_mapping_letter": ok(set_aside=()),
}
SLOW = {"stray_cell_xfd1"}          # > 2 minutes before the fix: kept out of the quick run
SUBPROCESS = {"base_fr", "headers_wrong", "csv_utf8_bom", "zip_corrupt_member"}


# ----------------------------------------------------------------------------- extra checks

def _quality_texts(outcome: Outcome, lang: str = "fr") -> list[str]:
    import kc_sheets.templates.common  # noqa: F401  (registers the tab names)
    from kc_sheets.i18n import t

    return written_text(outcome.path, t("tab.quality", lang))


def _rfm_ids(outcome: Outcome, wanted: list[str]) -> list[str]:
    texts = set(written_text(outcome.path, "Clients RFM"))
    return [f"customer id {w!r} not written back as it was" for w in wanted if w not in texts]


def formula_problems(before: Path, after: Path) -> list[str]:
    """Formulas in a calculated workbook that the template did not have (Raw Data excluded)."""
    found = []
    with zipfile.ZipFile(before) as old, zipfile.ZipFile(after) as new:
        raw = sheet_parts(after).get("Raw Data")
        for part in new.namelist():
            if not part.startswith("xl/worksheets/sheet") or part == raw:
                continue
            then = re.findall(rb"<f\b[^>]*>(.*?)</f>", old.read(part), re.S) \
                if part in old.namelist() else []
            for formula in re.findall(rb"<f\b[^>]*>(.*?)</f>", new.read(part), re.S):
                if formula not in then:
                    found.append(f"{part}: new formula {formula[:60]!r}")
    return found


def csv_injections(folder: Path) -> list[str]:
    """CSV cells that a spreadsheet would run: text starting with = + - @ tab or CR."""
    import csv

    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        try:
                            float(cell)
                        except ValueError:
                            found.append(f"{path.name}: {cell[:40]!r}")
    return found


EXTRA = {
    "text_32767_chars": lambda o: [] if any(len(s) == 32767 for s in _quality_texts(o)) else [
        "the 32,767-character text is not in the data quality tab as it was"],
    "text_emoji": lambda o: _rfm_ids(o, ["\U0001F984 Licorne", "\U0001F469\u200d\U0001F4BB",
                                         "C3 \u2615\ufe0f"]),
    "text_excel_escapes": lambda o: _rfm_ids(o, ["_x0041_", "_x000D_"]),
    "text_control_characters": lambda o: _rfm_ids(o, ["C\x011", "C\x0b2", "C\x1b3"]),
    "csv_line_breaks_in_cells": lambda o: [] if any(
        "ligne 1\nligne 2" in raw for _, _, raws in o.set_aside for raw in raws) else [
        "the line break of row 3 is not kept in quality.set_aside.csv"],
    "csv_formula_payloads": lambda o: csv_injections(o.out_dir),
    "formula_payloads_xlsx": lambda o: formula_problems(o.source, o.path),
}


# ----------------------------------------------------------------------------- the check

def problems_of(outcome: Outcome, expect: Expect, lang: str) -> list[str]:
    found = []
    if outcome.uncaught or "Traceback" in outcome.output:
        found.append(f"traceback ({outcome.uncaught or 'in output'})")
    if re.search(r"inattendue|unexpected", outcome.output, re.I):
        found.append("'unexpected error' for a condition the user caused")
    if outcome.exit_code not in expect.exits:
        found.append(f"exit {outcome.exit_code} (expected {expect.exits}): "
                     f"{outcome.output[:160]}")
    for pattern in expect.not_says:
        if re.search(pattern, outcome.output, re.I):
            found.append(f"message says /{pattern}/")
    if outcome.exit_code == 2:
        if not outcome.file_unchanged:
            found.append("refused, yet the file changed")
        missing = [p for p in expect.says if not re.search(p, outcome.output, re.I)]
        if missing:
            found.append(f"message lacks {missing}: {outcome.output[:200]}")
        if lang == "en" and outcome.output.startswith("Erreur"):
            found.append("English workbook, French message")
    if outcome.exit_code == 0:
        found += _accepted_problems(outcome, expect)
    return found


def _accepted_problems(outcome: Outcome, expect: Expect) -> list[str]:
    found = []
    if outcome.raw_data_unchanged is False:
        found.append("Raw Data changed")
    s = outcome.summary
    if not s or any(math.isnan(v) for v in s.values()):
        return found + ["no data quality summary to read"]
    if s["rows_read"] != s["rows_used"] + s["rows_set_aside"]:
        found.append(f"rows read {s['rows_read']:g} != used + set aside")
    if abs(s["revenue_read"] - s["revenue_used"] - s["revenue_set_aside"]) > 0.005:
        found.append("revenue read != used + set aside")
    if len(outcome.set_aside) != min(s["rows_set_aside"], 1000):
        found.append(f"{s['rows_set_aside']:g} rows set aside, {len(outcome.set_aside)} listed")
    for key, want in (("rows_read", expect.rows_read), ("rows_used", expect.rows_used),
                      ("revenue_used", expect.revenue), ("customers", expect.customers),
                      ("orders", expect.orders)):
        if want is not None and abs(s[key] - want) > 0.005:
            found.append(f"{key} {s[key]:g} (expected {want:g})")
    rows = sorted(r for r, _, _ in outcome.set_aside)
    if expect.set_aside is not None and rows != sorted(expect.set_aside):
        found.append(f"rows set aside {rows} (expected {sorted(expect.set_aside)})")
    if not set(expect.aside_includes) <= set(rows):
        found.append(f"rows set aside {rows} lack {sorted(expect.aside_includes)}")
    for period, want in expect.by_period.items():
        got = outcome.by_period.get(period)
        if got is None or abs(got - want) > 0.005:
            found.append(f"period {period}: {got} (expected {want:g})")
    return found


# Cases that still fail, each named with the defect it shows (issue 10). strict: the day one
# passes, the test fails until it leaves this list, so the list is always the real to-do list.
PENDING: dict[str, str] = {}
PENDING_PROCESS: dict[str, str] = {}


def _marks(name: str, slow: bool = False, pending: dict[str, str] = PENDING) -> list:
    marks = [pytest.mark.slow] if slow else []
    if name in pending:
        marks.append(pytest.mark.xfail(reason=f"issue 10, {pending[name]}", strict=True))
    return marks


RESULTS: list[tuple[str, str, Expect, Outcome, list[str]]] = []


def run_and_check(name: str, tmp_path: Path, subprocess: bool = False) -> list[str]:
    item = CASES_BY_NAME[name]
    path = item.build(tmp_path)
    source = tmp_path / f"{path.stem}-before{path.suffix}"
    source.write_bytes(path.read_bytes())
    outcome = (run_subprocess if subprocess else run_case)(item, path, tmp_path)
    outcome.source = source
    expect = EXPECTED[name]
    found = problems_of(outcome, expect, item.lang)
    if outcome.exit_code == 0 and name in EXTRA:
        found += EXTRA[name](outcome)
    RESULTS.append((f"{name} (process)" if subprocess else name, item.group, expect, outcome,
                    found))
    return found


@pytest.mark.parametrize("name", [
    pytest.param(c.name, marks=_marks(c.name, c.name in SLOW)) for c in CASES])
def test_corpus_case(name: str, tmp_path: Path) -> None:
    found = run_and_check(name, tmp_path)
    assert not found, f"{name}: {CASES_BY_NAME[name].about}\n  - " + "\n  - ".join(found)


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=_marks(n, pending=PENDING_PROCESS)) for n in sorted(SUBPROCESS)])
def test_corpus_case_in_a_real_process(name: str, tmp_path: Path) -> None:
    """A few cases through ``python -m kc_sheets.apps.cli``: real stderr, real exit status."""
    found = run_and_check(name, tmp_path, subprocess=True)
    assert not found, f"{name} (subprocess):\n  - " + "\n  - ".join(found)


def test_every_case_has_an_expectation_and_a_readme_line() -> None:
    names = [c.name for c in CASES]
    assert len(names) >= 60
    assert sorted(EXPECTED) == sorted(names)
    readme = (Path(__file__).parent / "corpus" / "README.md").read_text(encoding="utf-8")
    assert [n for n in names if f"`{n}`" not in readme] == []


# ----------------------------------------------------------------------------- formulas

def test_no_raw_value_becomes_a_formula_in_a_calculated_workbook(tmp_path: Path) -> None:
    """Payloads typed as text in every Raw Data column come back as text, never as <f>."""
    found = run_and_check("formula_payloads_xlsx", tmp_path)
    outcome = RESULTS[-1][3]
    assert outcome.exit_code == 0, found
    assert formula_problems(outcome.source, outcome.path) == []
    texts = {s for tab in ("Clients RFM", "Qualité des données")
             for s in written_text(outcome.path, tab)}
    assert set(PAYLOADS) <= texts | {s.lstrip("'") for s in texts}


def test_csv_outputs_neutralise_formula_payloads(tmp_path: Path) -> None:
    """Every CSV cell starting with = + - @ tab or CR that is not a number gets a leading '."""
    run_and_check("csv_formula_payloads", tmp_path)
    outcome = RESULTS[-1][3]
    assert outcome.exit_code == 0, outcome.output
    assert csv_injections(outcome.out_dir) == []
    aside = (outcome.out_dir / "quality.set_aside.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in aside and "'=cmd|" in aside


# ----------------------------------------------------------------------------- sheet size

EXCEL_ROWS = 1_048_576


def _customers_frame(n: int):
    import numpy as np
    import pandas as pd

    from kc_sheets.templates import get

    block = next(b for _, b in get("rfm").blocks() if b.name == "rfm.customers")
    frame = pd.DataFrame({c.key: np.zeros(n) for c in block.columns})
    frame[block.columns[0].key] = np.arange(n).astype(str)
    return block, frame


def test_more_customers_than_a_sheet_holds_are_cut_to_the_last_row() -> None:
    """1,048,600 distinct customers: the RFM customer list stops at Excel's last row (the cut
    is made where every backend's writes are prepared)."""
    from kc_sheets.calculate import tab_writes
    from kc_sheets.cells import parse_ref
    from kc_sheets.templates import get

    block, frame = _customers_frame(EXCEL_ROWS + 24)
    writes = tab_writes(get("rfm"), {"rfm.customers": frame}, "fr")
    written = next(b for w in writes for b in w.blocks if b.block.name == "rfm.customers")
    first_data_row = parse_ref(block.anchor)[0] + (1 if block.header else 0)
    assert first_data_row + len(written.frame) - 1 == EXCEL_ROWS
    # ... and the data quality notes say so, with both counts.
    from kc_sheets.calculate import _note_cut_tables
    import pandas as pd

    blocks = {"rfm.customers": frame, "quality.notes": pd.DataFrame({"text": [""]})}
    _note_cut_tables(get("rfm"), blocks, "fr", "fr")
    note = blocks["quality.notes"]["text"].iloc[0]
    assert "1 048 600 lignes" in re.sub(r"\s", " ", note), note
    assert "dernière ligne d'Excel" in note


@pytest.mark.slow
def test_more_customers_than_a_sheet_holds_give_a_valid_workbook(tmp_path: Path) -> None:
    """The same through the .xlsx writer: no row past 1,048,576 in the written sheet."""
    import shutil

    from kc_sheets.backends.xlsx import XlsxBook
    from kc_sheets.calculate import tab_writes
    from kc_sheets.templates import get
    from tests.corpus.builders import template_path

    path = tmp_path / "big.xlsx"
    shutil.copy(template_path("rfm"), path)
    _, frame = _customers_frame(EXCEL_ROWS + 24)
    XlsxBook(path).write(tab_writes(get("rfm"), {"rfm.customers": frame}, "fr"))
    part = sheet_parts(path)["Clients RFM"]
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        tail = fh.read()[-4000:]
    last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', tail))
    assert last <= EXCEL_ROWS


# ----------------------------------------------------------------------------- the report

@pytest.fixture(scope="module", autouse=True)
def corpus_report():
    yield
    target = os.environ.get("KC_CORPUS_REPORT")
    if target and RESULTS:
        Path(target).write_text(report(RESULTS), encoding="utf-8")


def _plain(text: str) -> str:
    return re.sub(r"[\x00-\x1f]", "?", text).replace("|", "\\|")


def report(results) -> str:
    """The outcome table and the figures of the closing note (each case counted once)."""
    lines = ["| case | group | expected | got | problems |", "|---|---|---|---|---|"]
    seen: dict[str, tuple] = {}
    for entry in results:
        seen.setdefault(entry[0], entry)
    refusals = clear = tracebacks = rows_lost = injections = 0
    for name, group, expect, outcome, found in seen.values():
        s = outcome.summary
        got = f"exit {outcome.exit_code}"
        if s:
            got += (f", used {s.get('rows_used', 0):g}/{s.get('rows_read', 0):g}, revenue "
                    f"{s.get('revenue_used', 0):g}, customers {s.get('customers', 0):g}")
        lines.append(f"| {name} | {group} | {_plain(expect.text())} | {got} | "
                     + (_plain("; ".join(found))[:300] or "ok") + " |")
        if name.endswith("(process)"):
            continue
        if outcome.exit_code == 2:
            refusals += 1
            clear += not any(p.startswith(("message", "English")) for p in found)
        tracebacks += any(p.startswith("traceback") for p in found)
        if s and not math.isnan(s.get("rows_read", math.nan)):
            rows_lost += int(abs(s["rows_read"] - s["rows_used"] - s["rows_set_aside"]))
        if name in ("formula_payloads_xlsx", "csv_formula_payloads"):
            injections += sum(".csv: " in p or "new formula" in p for p in found)
    tried = sum(not n.endswith("(process)") for n in seen)
    passed = sum(not e[4] for n, e in seen.items() if not n.endswith("(process)"))
    lines += ["", f"Cases tried: {tried} · as expected: {passed} · refusals: {refusals} "
              f"(clear messages: {clear}) · tracebacks: {tracebacks} · rows lost: {rows_lost} "
              f"· formula injections: {injections}"]
    return "\n".join(lines) + "\n"
