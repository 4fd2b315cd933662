"""The one use case: read Raw Data and Settings, ingest, analyse, write the blocks, stamp the run.

Nothing is written until everything has been computed, and the write replaces the workbook in
one step: a failed Calculate leaves the workbook as it was.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kc_sheets import __version__
from kc_sheets.analyses.periods import TEXTS as PERIOD_TEXTS
from kc_sheets.analyses.contract import BrokenPromise
from kc_sheets.backends.protocol import BlockWrite, TabWrite
from kc_sheets.blocks import QUALITY, RUN
from kc_sheets.errors import KcError
from kc_sheets.i18n import LANGS, Lang, number, register, t, translate_block
from kc_sheets.progress import report
from kc_sheets.settings import (
    SETTINGS_FIRST_ROW, SETTINGS_KEY_COL, SETTINGS_VALUE_COL, Settings, read_settings,
)
from kc_sheets.settings.options import read_options
from kc_sheets.templates import get as get_template
from kc_sheets.templates.common import NOTE_ROWS, SET_ASIDE_SHOWN
from kc_sheets.templates.model import Block, Template
from kc_sheets.ingest.transactions import Ingested, IngestOptions, RawTable, ingest

register({
    "calc.no_raw": ("aucun onglet « Raw Data ». Onglets présents : {tabs}. Ajoutez un onglet "
                    "nommé « Raw Data » et collez-y vos commandes (en-têtes en ligne 1).",
                    "no 'Raw Data' tab. Tabs present: {tabs}. Add a tab named 'Raw Data' and "
                    "paste your orders into it (headers in row 1)."),
    "calc.no_template": (
        "ce classeur n'est pas un modèle kc_sheets (pas d'onglet « Paramètres »). Indiquez le "
        "modèle à ajouter, par ex. « --template first-vs-repeat ».",
        "this workbook is not a kc_sheets template (no 'Settings' tab). Name the template to "
        "add, e.g. '--template first-vs-repeat'."),
    "col.total": ("Total", "Total"),
    "calc.cut_table": (
        "Onglet « {tab} » : les tableaux montrent {shown} lignes sur {rows} ({which}) ; la liste "
        "détaillée en bas de l'onglet et « kc-sheets analyze » les ont toutes",
        "'{tab}' tab: the tables show {shown} rows of {rows} ({which}); the detailed list at "
        "the bottom of the tab and 'kc-sheets analyze' have them all"),
    "calc.cut_sheet": (
        "Onglet « {tab} » : {rows} lignes, une feuille en montre {shown} (jusqu'à la dernière "
        "ligne d'Excel, 1 048 576) ; « kc-sheets analyze » les écrit toutes en CSV",
        "'{tab}' tab: {rows} rows, a sheet shows {shown} of them (down to Excel's last row, "
        "1,048,576); 'kc-sheets analyze' writes them all to CSV"),
    "calc.cut.first": ("les premières", "the first ones"),
    "calc.cut.last": ("les plus récentes et le total", "the latest ones and the total"),
    "calc.other_template": (
        "ce classeur est déjà le modèle « {title} » ({current}, onglet « {settings} ») : "
        "« --template {asked} » n'ajoute un modèle qu'à un classeur qui n'en a pas. Relancez "
        "sans --template pour calculer ce modèle, ou créez le modèle {asked} avec "
        "« kc-sheets templates build --template {asked} » et collez-y votre Raw Data (le "
        "modèle all-in-one a toutes les analyses).",
        "this workbook already is the '{title}' template ({current}, '{settings}' tab): "
        "'--template {asked}' only adds a template to a workbook that has none. Run again "
        "without --template to calculate this template, or create the {asked} template with "
        "'kc-sheets templates build --template {asked}' and paste your Raw Data into it (the "
        "all-in-one template has every analysis)."),
    "addtabs.ambiguous_column": (
        "plusieurs colonnes s'appellent « {header} » (colonnes {letters}) et leurs valeurs "
        "diffèrent : impossible de savoir laquelle est le champ « {field} ». Renommez les "
        "autres, puis relancez : le modèle n'a pas été ajouté, rien n'a été modifié.",
        "several columns are named '{header}' (columns {letters}) and their values differ: "
        "which one is the '{field}' field cannot be told. Rename the others, then run again: "
        "the template was not added, nothing was changed."),
    "addtabs.no_column": (
        "aucune colonne « {field} » reconnue. En-têtes trouvés : {headers}. Renommez l'en-tête "
        "(par ex. « {example} »), puis relancez : le modèle n'a pas été ajouté, rien n'a été "
        "modifié.",
        "no '{field}' column recognised. Headers found: {headers}. Rename the header (e.g. "
        "'{example}'), then run again: the template was not added, nothing was changed."),
    "calc.missing_tabs": (
        "onglet de résultats introuvable : {names}. Le calcul y écrit ; rien n'a été modifié. "
        "Onglets présents : {tabs}. S'il a été renommé, rendez-lui son nom ; s'il a été "
        "supprimé, repartez d'un modèle neuf (« kc-sheets templates build ») et collez-y "
        "Raw Data.",
        "result tab not found: {names}. Calculate writes into it; nothing was changed. Tabs "
        "present: {tabs}. If it was renamed, give it its name back; if it was deleted, start "
        "from a new template ('kc-sheets templates build') and paste Raw Data into it."),
    "calc.unknown_template": ("modèle « {template} » inconnu. Modèles disponibles : {known}.",
                              "unknown template '{template}'. Available templates: {known}."),
})

register(PERIOD_TEXTS)       # "Mois 3": the headers of triangle columns

RAW_TAB = "Raw Data"
SHEET_ROWS = 1_048_576          # the last row of an Excel sheet (Google Sheets: 10M cells)


@dataclass
class Context:
    """What an analysis receives: the canonical tables, the settings and the language."""

    ingested: Ingested
    settings: Settings
    lang: Lang
    template: Template
    cache: dict = field(default_factory=dict)   # reductions analyses share within one run
    options: dict = field(default_factory=dict)   # options class -> its value (from Settings)


@dataclass
class RunResult:
    path: Path
    template: str
    lang: Lang
    rows_read: int
    rows_used: int
    rows_set_aside: int
    revenue_used: float
    customers: int
    orders: int
    seconds: float
    blocks: dict[str, pd.DataFrame] = field(default_factory=dict)
    ingested: Ingested | None = None

    def summary(self) -> dict:
        return {"file": str(self.path), "template": self.template, "rows_read": self.rows_read,
                "rows_used": self.rows_used, "rows_set_aside": self.rows_set_aside,
                "revenue_used": round(self.revenue_used, 2), "customers": self.customers,
                "orders": self.orders, "seconds": round(self.seconds, 2)}


def known_template(template_id: str, lang: Lang = "fr") -> Template:
    from kc_sheets.templates import all_templates

    try:
        return get_template(template_id)
    except KeyError:
        raise KcError("calc.unknown_template", lang=lang, template=template_id,
                      known=", ".join(x.id for x in all_templates())) from None


def settings_tab_name(names: list[str]) -> tuple[str, Lang] | None:
    """The Settings tab of a workbook and the language its name is in."""
    for lang in LANGS:
        if t("tab.settings", lang) in names:
            return t("tab.settings", lang), lang
    return None


def settings_triples(rows: list[list[object]]) -> list[tuple[int, str, object]]:
    out = []
    for index, row in enumerate(rows[SETTINGS_FIRST_ROW - 1:], start=SETTINGS_FIRST_ROW):
        key = row[SETTINGS_KEY_COL - 1] if len(row) >= SETTINGS_KEY_COL else None
        value = row[SETTINGS_VALUE_COL - 1] if len(row) >= SETTINGS_VALUE_COL else None
        if key:
            out.append((index, str(key), value))
    return out


def book_settings(book, settings_tab: str, tab_lang: Lang, template: Template | None = None
                  ) -> tuple[Template, Settings]:
    """The template (named in Settings unless given) and every setting it has, grids included."""
    rows = book.read_rows(settings_tab)
    triples = settings_triples(rows)
    if template is None:                  # the template is named in Settings: identity rows only
        identity = read_settings(triples, tab=settings_tab, lang=tab_lang, settings=())
        template = known_template(identity.template_id or "", identity.lang)
    return template, read_settings(triples, tab=settings_tab, lang=tab_lang,
                                   settings=template.settings, grids=template.grids, cells=rows)


def ingest_options(settings: Settings, settings_tab: str) -> IngestOptions:
    """How Raw Data is read, as Settings say (dates, amounts, column mapping and its rows)."""
    return IngestOptions(day_first=settings.day_first, decimal_comma=settings.decimal_comma,
                         mapping=settings.mapping,
                         mapping_rows={k[4:]: r for k, r in settings.rows.items()
                                       if k.startswith("map.")},
                         settings_tab=settings_tab, lang=settings.lang)


def run_analyses(template: Template, raw: RawTable, settings: Settings, settings_tab: str,
                 options: IngestOptions | None = None, checked=None
                 ) -> tuple[Ingested, dict[str, pd.DataFrame]]:
    """Ingest (with ``options``, else as Settings say) and run every analysis of the template;
    returns the result blocks by name."""
    lang = settings.lang
    report("check")
    typed = read_options(template.analyses, settings, lang)    # a bad value: before any work
    ingested = ingest(raw, options or ingest_options(settings, settings_tab))
    if checked is not None:          # the backend's last word before computing (its room)
        checked(ingested)
    ctx = Context(ingested, settings, lang, template, options=typed)
    blocks: dict[str, pd.DataFrame] = {}
    for done, analysis in enumerate(template.analyses):
        report("analyses", done, len(template.analyses))
        # labels become words here, at the edge: the analyses compute keys
        blocks.update({name: translate_block(frame, lang)
                       for name, frame in analysis(ctx).items()})
    blocks.update(quality_blocks(ingested, lang))
    return ingested, blocks


def quality_blocks(ingested: Ingested, lang: Lang, limit: int | None = SET_ASIDE_SHOWN
                   ) -> dict[str, pd.DataFrame]:
    quality = ingested.quality
    return QUALITY.checked({
        "quality.summary": quality.summary(),
        "quality.mapping": quality.mapping,
        "quality.by_reason": quality.by_reason,
        "quality.notes": note_rows(list(quality.notes)),
        "quality.set_aside": ingested.set_aside_table(limit=limit, lang=lang),
    })


def run_blocks(template: Template, ingested: Ingested, lang: Lang, seconds: float,
               now: dt.datetime) -> dict[str, pd.DataFrame]:
    quality = ingested.quality
    text = t("stamp.text", lang, date=now.strftime("%d/%m/%Y %H:%M" if lang == "fr"
                                                   else "%Y-%m-%d %H:%M"),
             rows=number(quality.rows_read, lang), used=number(quality.rows_used, lang),
             seconds=number(seconds, lang, 1),
             version=__version__)
    return RUN.checked({
        "run.stamp": pd.DataFrame({"text": [text]}),
        "run.details": pd.DataFrame([{
            "calculated_at": pd.Timestamp(now.replace(microsecond=0)), "template": template.id,
            "version": __version__, "duration_s": round(seconds, 2),
            "rows_read": quality.rows_read}]),
    })


def tab_writes(template: Template, blocks: dict[str, pd.DataFrame], lang: Lang,
               tab_lang: Lang | None = None, period: str = "month") -> list[TabWrite]:
    """Every block of the template, placed in its tab, with its columns in block order.

    ``tab_lang`` is the language the tabs are named in (the workbook's), ``lang`` the language
    of the texts written (the Settings tab's choice), ``period`` the unit of the "Month 3"
    column headers of cohort triangles.
    """
    writes = []
    for tab in template.tabs:
        if not tab.blocks:
            continue
        entry = TabWrite(t(tab.title, tab_lang or lang), spec=tab)
        for block in tab.blocks:
            if block.name in blocks:
                entry.blocks.append(_block_write(block, blocks[block.name], lang, period))
        writes.append(entry)
    return writes


MONTHS = {"fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                  "oct.", "nov.", "déc."),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")}


def month_names(values: pd.Series, lang: Lang) -> pd.Series:
    """'2022-05' as a reader says it: 'mai 2022' (fr), 'May 2022' (en); other values unchanged.

    >>> month_names(pd.Series(["2022-05", "Total", "2022-T2"]), "fr").tolist()
    ['mai 2022', 'Total', '2022-T2']
    """
    parts = values.astype("str").str.extract(r"^(\d{4})-(\d\d)$")
    ok = parts[0].notna().to_numpy()
    if not ok.any():
        return values
    names = [f"{MONTHS[lang][int(m) - 1]} {y}" for y, m in parts[ok].itertuples(index=False)]
    out = values.astype(object).copy()
    out[ok] = names
    return out


def _block_write(block: Block, frame: pd.DataFrame, lang: Lang,
                 period: str = "month") -> BlockWrite:
    keys = [c.key for c in block.columns]
    months = [c.key for c in block.columns if c.months and c.key in frame.columns]
    if months:
        frame = frame.assign(**{k: month_names(frame[k], lang) for k in months})
    if block.layout == "fields":
        return BlockWrite(block, frame[[k for k in keys if k in frame.columns]])
    if block.max_rows is not None:
        frame = frame.head(block.max_rows)
    if _cut(block, frame):                         # "last": the latest rows and the Total row
        frame = frame.tail(_room(block)) if block.keep == "last" else frame.head(_room(block))
    if block.dynamic_header:
        extra = [c for c in frame.columns if c not in keys and c not in block.omit]
        extra = extra[:block.extra_limit] if block.extra_limit else extra
        header = [t(c.label, lang) for c in block.columns] + [
            extra_header(block, c, lang, period) for c in extra]
        return BlockWrite(block, frame[keys + extra], header)
    return BlockWrite(block, frame[keys])


def extra_header(block: Block, column: object, lang: Lang, period: str = "month") -> str:
    """The header of a column a block has only for some data: "Mois 3" for ``period_3`` (with
    ``extra_label``), "Total" for ``total``, else the column's name (a year, a Raw Data header).
    """
    name = str(column)
    if block.extra_label and name.startswith("period_"):
        return t(block.extra_label, lang, n=name[len("period_"):],
                 unit=t(f"unit.{period}", lang))
    if name == "total":
        return t("col.total", lang)
    return name


def calculate(path: Path | str, *, template_id: str | None = None, lang: Lang | None = None,
              out: Path | str | None = None, now: dt.datetime | None = None) -> RunResult:
    """Calculate an .xlsx workbook in place (or into ``out``) and return what was done.

    ``template_id`` adds that template's tabs to a workbook that lacks them (any workbook with a
    Raw Data tab); ``lang`` is the language of tabs added that way.
    """
    from kc_sheets.backends.xlsx import XlsxBook, check_writable, workbook_lock

    started = time.perf_counter()
    with workbook_lock(Path(path), lang or "fr"):
        book = XlsxBook(Path(path), lang or "fr", out=Path(out) if out else None)
        target = Path(out) if out else Path(path)
        if target.exists():      # refused before any work, in the book's language
            found = settings_tab_name(book.sheet_names())
            check_writable(target, lang or (found[1] if found else "fr"))
        return calculate_book(book, template_id=template_id, lang=lang, now=now,
                              started=started)


def calculate_book(book, *, template_id: str | None = None, lang: Lang | None = None,
                   now: dt.datetime | None = None, started: float | None = None) -> RunResult:
    """The engine on any backend (an .xlsx file, a Google spreadsheet, a live Excel workbook)."""
    started = started if started is not None else time.perf_counter()
    report("read")
    names = book.sheet_names()
    if RAW_TAB not in names:
        raise KcError("calc.no_raw", tab=RAW_TAB, lang=lang or "fr", tabs=", ".join(names))
    found = settings_tab_name(names)
    template = known_template(template_id, lang or "fr") if template_id else None
    if found is not None and template is not None:
        template = _template_of_the_book(book, found, template)
    raw = None
    if found is None or (template and not _has_tabs(template, names, found[1])):
        if template is None:
            raise KcError("calc.no_template", lang=lang or "fr")
        added_lang = lang or (found[1] if found else "fr")
        # Raw Data is checked before the template's tabs are added (a refusal changes nothing)
        # and xlsx files stage the added tabs: the workbook changes only with the final write.
        raw = book.read_raw(RAW_TAB)
        _check_raw_data(raw, added_lang)
        book = book.ensure_tabs(template, added_lang)
        found = settings_tab_name(book.sheet_names())
        assert found is not None
    settings_tab, tab_lang = found
    book.prefetch([RAW_TAB, settings_tab])
    template, settings = book_settings(book, settings_tab, tab_lang, template)
    book, template = _add_new_tabs(book, template, tab_lang)
    _check_result_tabs(book, template, tab_lang, settings.lang)
    book.refresh_layout(template, tab_lang)
    lang = settings.lang
    raw = book.read_raw(RAW_TAB) if raw is None else raw
    room = getattr(book, "check_room", None)
    ingested, blocks = run_analyses(
        template, raw, settings, settings_tab,
        checked=(lambda found: room(template, tab_lang, found)) if room else None)
    raw = None
    ingested.raw = ingested.lines = None      # listed already: free their memory for the write
    now = now or dt.datetime.now()
    seconds = time.perf_counter() - started
    blocks.update(run_blocks(template, ingested, lang, seconds, now))
    check_placed(template, blocks)
    _note_cut_tables(template, blocks, lang, tab_lang)
    report("write")
    written = book.write(tab_writes(template, blocks, lang, tab_lang, settings.period))
    quality = ingested.quality
    return RunResult(written, template.id, lang, quality.rows_read, quality.rows_used,
                     quality.rows_set_aside, quality.revenue_used, quality.customers,
                     quality.orders, time.perf_counter() - started, blocks, ingested)


def check_placed(template: Template, blocks: dict[str, pd.DataFrame]) -> None:
    """Every block the template places was produced (else our bug, before anything is
    written: a tab is never left with a stale table)."""
    missing = [f"{block.name} (tab {tab.key})" for tab, block in template.blocks()
               if block.name not in blocks]
    if missing:
        raise BrokenPromise(f"template {template.id}: placed blocks not produced: "
                            + ", ".join(missing))


def _note_cut_tables(template: Template, blocks: dict[str, pd.DataFrame], lang: Lang,
                     tab_lang: Lang) -> None:
    """Say in the data quality notes which tabs show tables with fewer rows than computed
    (one sentence per tab)."""
    cut: dict[str, tuple[int, int, str]] = {}
    for tab, block in template.blocks():
        frame = blocks.get(block.name)
        if frame is not None and _cut(block, frame):
            key = "full" if block.fixed_rows is None else block.keep
            cut.setdefault(t(tab.title, tab_lang), (_room(block), len(frame), key))
    notes = [t("calc.cut_sheet", lang, tab=name, shown=number(shown, lang),
               rows=number(rows, lang)) if keep == "full" else
             t("calc.cut_table", lang, tab=name, shown=shown, rows=rows,
               which=t(f"calc.cut.{keep}", lang)) for name, (shown, rows, keep) in cut.items()]
    if notes and "quality.notes" in blocks:
        before = [n for n in blocks["quality.notes"]["text"].tolist() if n]
        blocks["quality.notes"] = note_rows(before + notes)


def note_rows(notes: list[str]) -> pd.DataFrame:
    """The data quality notes, one per row of their place (the last row holds the rest)."""
    if len(notes) > NOTE_ROWS:
        notes = notes[:NOTE_ROWS - 1] + [" · ".join(notes[NOTE_ROWS - 1:])]
    return pd.DataFrame({"text": notes or [""]})


def _cut(block: Block, frame: pd.DataFrame) -> bool:
    """Whether a table has more rows than its place in the sheet holds: the fixed number of
    rows laid out for it, or the rows left down to the sheet's last row (1,048,576)."""
    return block.layout == "table" and len(frame) > _room(block)


def _room(block: Block) -> int:
    """How many data rows a table's place holds."""
    room = SHEET_ROWS - block.first_data_row + 1
    return room if block.fixed_rows is None else min(block.fixed_rows, room)


def _add_new_tabs(book, template: Template, tab_lang: Lang):
    """A workbook built by an earlier kc_sheets gets the result tabs added since (``Tab.new``:
    the curves, the churn chart) instead of a refusal; a tab the user renamed is still
    refused by :func:`_check_result_tabs`."""
    names = book.sheet_names()
    missing = [tab for tab in template.tabs if tab.new and t(tab.title, tab_lang) not in names]
    if not missing:
        return book, template
    if getattr(book, "adds_tabs", True):
        return book.ensure_tabs(template, tab_lang), template
    # a live Excel workbook cannot be given tabs: it goes on without them
    return book, dataclasses.replace(template, tabs=tuple(
        tab for tab in template.tabs if tab not in missing))


def _check_result_tabs(book, template: Template, tab_lang: Lang, lang: Lang) -> None:
    """Every tab the template writes is present (before anything is read or written: a
    renamed tab must not leave a half-written workbook)."""
    names = book.sheet_names()
    missing = [t(tab.title, tab_lang) for tab in template.tabs
               if tab.blocks and t(tab.title, tab_lang) not in names]
    if missing:
        quote = "« {} »" if lang == "fr" else "'{}'"
        raise KcError("calc.missing_tabs", lang=lang,
                      names=", ".join(quote.format(n) for n in missing),
                      tabs=", ".join(quote.format(n) for n in names))


def _check_raw_data(raw: RawTable, lang: Lang) -> None:
    """What ingest would refuse in a Raw Data read with the default settings: no rows, no date,
    amount or customer column."""
    from kc_sheets.ingest.transactions import check_columns, settle_header_row

    if len(raw.frame) == 0 or len(raw.headers) == 0:
        raise KcError("ingest.empty", tab=raw.tab, lang=lang)
    options = IngestOptions(settings_tab=t("tab.settings", lang), lang=lang, labels="addtabs")
    check_columns(settle_header_row(raw, options)[0], options)


def _template_of_the_book(book, found: tuple[str, Lang], asked: Template) -> Template:
    """``--template`` on a workbook that already is a template: that template if it is the one
    asked for or holds all its tabs (all-in-one holds rfm), else a refusal naming both."""
    settings_tab, tab_lang = found
    book.prefetch([settings_tab])
    triples = settings_triples(book.read_rows(settings_tab))
    identity = read_settings(triples, tab=settings_tab, lang=tab_lang, settings=())
    if not identity.template_id or identity.template_id == asked.id:
        return asked
    current = known_template(identity.template_id, identity.lang)
    mine = {tab.key for tab in current.tabs}
    if all(tab.key in mine for tab in asked.tabs):
        return current
    raise KcError("calc.other_template", lang=identity.lang, asked=asked.id,
                  current=current.id, title=t(current.title, identity.lang),
                  settings=settings_tab)


def _has_tabs(template: Template, names: list[str], lang: Lang) -> bool:
    return all(t(tab.title, lang) in names for tab in template.tabs)
