"""How a tab prints: one mechanism for every renderer and backend.

A printed result tab has

* a **print area** that ends where its content ends: its texts (with the width their words take
  when they run over empty cells), its charts and the rows and columns each block really fills.
  The template gets the area of its empty layout; each Calculate sets it again from what it wrote
  (.xlsx and xlwings), so no page of empty reserved columns or rows is ever printed and no
  written row is left out;
* **rows repeated** at the top of every page: the header row of its list (the one table whose
  length depends on the data), or the rows the tab names in ``Tab.repeat_rows``;
* **columns repeated** on every page of a wide triangle (its label columns), when the tab is
  not printed one page wide;
* **fit to width, never to page**: one page wide, as many pages down as the rows need;
* **page breaks** before the rows named in ``Tab.page_breaks`` (a block that must not start at
  the foot of a page).

Google Sheets has no print settings in its API (a person prints with File > Print, which fits
the width by default), so only the .xlsx renderer and the xlwings backend use this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from kc_sheets.cells import col_letter, parse_ref
from kc_sheets.i18n import Lang, t
from kc_sheets.templates.model import Block, Tab, Text

ROW_CM = 15 / 72 * 2.54          # a default row: 15 points
NATURAL_SCALE = 75               # % of tabs not printed one page wide
PAGE_CM = 29.7 - 2 * 1.02        # landscape A4 less the side margins (0.4 inch)
DEFAULT_WIDTH = 8.43             # a column without a set width, in characters
TEXT_SIZES = {"title": 18.0, "subtitle": 11.0, "h2": 12.0, "note": 9.5, "stamp": 9.5,
              "kpi": 16.0, "kpi_label": 9.5, "brand": 10.0}
STAMP_CHARS = 105                # "Dernier calcul : 03/12/2026 12:02 · 5 000 lignes lues, …"
WRAPPED = frozenset({"body", "table_header", "cell_wrap"})


def column_cm(width: float) -> float:
    """The printed width of a column of ``width`` characters (Calibri 11, 96 dpi)."""
    return (width * 7 + 5) / 96 * 2.54


@dataclass(frozen=True)
class PrintSetup:
    area: tuple[int, int, int, int] | None     # first row, first column, last row, last column
    title_rows: tuple[int, int] | None
    title_cols: tuple[int, int] | None
    breaks: tuple[int, ...]
    fit_width: bool
    column_breaks: tuple[int, ...] = ()

    @property
    def area_ref(self) -> str | None:
        if self.area is None:
            return None
        r1, c1, r2, c2 = self.area
        return f"${col_letter(c1)}${r1}:${col_letter(c2)}${r2}"


def _widths(tab: Tab) -> dict[int, float]:
    return {parse_ref(f"{letter}1")[1]: width for letter, width in tab.widths}


def _text_last_col(tab: Tab, text: Text, lang: Lang, widths: dict[int, float],
                   chars: int | None = None) -> int:
    """The last column a static text covers: its merged span, or the columns its words run
    over when it does not wrap."""
    row, col = parse_ref(text.cell)
    last = col + text.span - 1
    if chars is None:
        if text.formula or not text.label or text.style in WRAPPED:
            return last
        chars = len(t(text.label, lang, **{k: "0" * 12 for k in ("template", "version",
                                                                     "name")},
                      **dict(text.params)))
    needed = chars * TEXT_SIZES.get(text.style, 10.5) / 11 * 1.05
    covered, c = 0.0, col
    while covered < needed:
        covered += widths.get(c, DEFAULT_WIDTH)
        c += 1
    return max(last, c - 1)


def _chart_box(tab: Tab, chart, widths: dict[int, float]) -> tuple[int, int]:
    """Last row and last column a chart covers (rows of 15 points)."""
    row, col = parse_ref(chart.anchor)
    covered, c = 0.0, col
    while covered < chart.width_cm:
        covered += column_cm(widths.get(c, DEFAULT_WIDTH))
        c += 1
    return row + int(chart.height_cm / ROW_CM + 0.999), c - 1


def block_box(block: Block, rows: int | None = None, cols: int | None = None
              ) -> tuple[int, int]:
    """Last row and last column of a block holding ``rows`` data rows and ``cols`` columns
    (default: its empty layout, one style row and its fixed columns)."""
    if block.layout == "fields":
        return block.anchor_row + len(block.columns) - 1, block.anchor_col + 1
    n = max(rows if rows is not None else 1, 1)
    width = cols if cols is not None else len(block.columns)
    return block.first_data_row + n - 1, block.anchor_col + max(width, 1) - 1


def title_rows(tab: Tab) -> tuple[int, int] | None:
    """Rows printed at the top of every page: ``Tab.repeat_rows``, else the header row shared
    by the tab's lists (tables whose length depends on the data)."""
    if tab.repeat_rows is not None:
        return tab.repeat_rows
    lists = {b.anchor_row for b in tab.blocks
             if b.layout == "table" and b.header and b.fixed_height is None}
    if len(lists) == 1:
        row = lists.pop()
        return row, row
    return None


def title_cols(tab: Tab) -> tuple[int, int] | None:
    """The label columns of a wide triangle, printed on each page across."""
    if tab.fit_width or tab.role != "analysis":
        return None
    first = next((b for b in tab.blocks if b.dynamic_header), None)
    if first is None:
        return None
    return first.anchor_col, first.anchor_col + len(first.columns) - 1


def setup(tab: Tab, lang: Lang, written: Mapping[str, tuple[int, int]] | None = None
          ) -> PrintSetup:
    """The print setup of ``tab``; ``written`` maps a block name to the data rows and columns a
    Calculate wrote (blocks left out keep their empty layout)."""
    area = None
    if tab.role in ("analysis", "quality"):
        widths = _widths(tab)
        last_row, last_col = 1, 1
        # A text running over empty cells is cut at the page's edge: on a tab printed at its
        # natural size it adds no column past the first page (else a page across would hold
        # nothing but the repeated columns).
        first_page, covered = 1, 0.0
        while covered + column_cm(widths.get(first_page, DEFAULT_WIDTH)) <= \
                PAGE_CM * 100 / NATURAL_SCALE:
            covered += column_cm(widths.get(first_page, DEFAULT_WIDTH))
            first_page += 1
        cap = 10_000 if tab.fit_width else first_page - 1
        for text in tab.texts:
            row, col = parse_ref(text.cell)
            last_row = max(last_row, row)
            last_col = max(last_col, col + text.span - 1,
                           min(cap, _text_last_col(tab, text, lang, widths)))
        for chart in tab.charts:
            row, col = _chart_box(tab, chart, widths)
            last_row, last_col = max(last_row, row), max(last_col, col)
        for block in tab.blocks:
            rows, cols = (written or {}).get(block.name, (None, None))
            row, col = block_box(block, rows, cols)
            if block.name == "run.stamp":        # one line of text running over empty cells
                col = max(col, min(cap, _text_last_col(tab, Text(block.anchor, style="stamp"),
                                                       lang, widths, chars=STAMP_CHARS)))
            last_row, last_col = max(last_row, row), max(last_col, col)
        area = (1, 1, last_row, last_col)
    return PrintSetup(area, title_rows(tab), title_cols(tab), tab.page_breaks, tab.fit_width,
                      tuple(parse_ref(f"{c}1")[1] for c in tab.column_breaks))


def written_sizes(tab_write) -> dict[str, tuple[int, int]]:
    """Block name -> (data rows, columns) of a :class:`~kc_sheets.backends.protocol.TabWrite`."""
    sizes = {}
    for write in tab_write.blocks:
        block, frame = write.block, write.frame
        rows = len(frame)
        if block.fixed_height is not None:
            rows = min(rows, block.fixed_height)
        sizes[block.name] = (rows, max(frame.shape[1], len(block.columns)))
    return sizes
