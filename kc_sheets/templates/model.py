"""A template described as data: tabs, blocks, charts, texts, settings.

Nothing here draws anything. :mod:`kc_sheets.xlsx.render` turns a description into an
.xlsx file, :mod:`kc_sheets.calculate` uses the same description to know where each block goes.
Every ``label`` below is a key of :mod:`kc_sheets.i18n`, never a literal text.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal

from kc_sheets.analyses.contract import Analysis, BlockSpec
from kc_sheets.cells import col_letter, parse_ref
from kc_sheets.i18n import register

Fmt = Literal["text", "int", "money", "money0", "percent", "date", "datetime", "number",
              "seconds"]
Role = Literal["readme", "raw", "settings", "analysis", "quality", "glossary"]


@dataclass(frozen=True)
class Column:
    """One column of a block: the DataFrame column ``key``, shown under ``label``."""

    key: str
    label: str
    fmt: Fmt = "text"
    width: float = 14.0
    wrap: bool = False          # long texts (a segment's description) wrap in their cell
    months: bool = False        # "2022-05" is shown as "mai 2022" / "May 2022" (sheets only)
    centered: bool = False      # short labels in a grid: centred (and wrapped at spaces)

    def style(self, data_style: str) -> str:
        """The named style of the column's cells in a block whose rows use ``data_style``."""
        if data_style != "cell":
            return data_style
        if self.centered:
            return "cell_grid"
        return "cell_wrap" if self.wrap else "cell_text" if self.fmt == "text" else "cell"


@dataclass(frozen=True)
class Block:
    """A result table placed at ``anchor`` (its top-left cell).

    ``layout="table"``: a header row at the anchor (unless ``header=False``), then one row per
    DataFrame row; the first data row carries the styles every written row copies.
    ``layout="fields"``: a fixed list, one row per column: label in the first column, value in the
    second (the DataFrame has one row).
    ``max_rows`` caps what a sheet shows (the CSV of ``kc-sheets analyze`` has every row);
    ``extra_width`` reserves more columns than ``columns`` for blocks whose width depends on the
    data (the set-aside rows show the raw columns).
    ``dynamic_header``: the header row is written with the data (fixed labels, then one label per
    extra column: ``extra_label`` formatted with the column's number and the period unit, e.g.
    "Mois 3", or the column's own name, e.g. a year). ``autofilter``: the header row gets filter
    buttons over every row written (lists meant to be sorted, filtered and exported).
    """

    name: str
    anchor: str
    columns: tuple[Column, ...]
    layout: Literal["table", "fields"] = "table"
    header: bool = True
    style: Literal["table", "total", "stamp", "note"] = "table"
    max_rows: int | None = None
    fixed_rows: int | None = None
    extra_width: int = 0
    dynamic_header: bool = False
    extra_label: str = ""
    extra_fmt: Fmt = "text"
    extra_limit: int | None = None
    omit: tuple[str, ...] = ()           # frame columns a dynamic block does not show
    autofilter: bool = False
    row_height: float | None = None      # points, for rows of wrapped text
    keep: Literal["first", "last"] = "first"   # rows kept when more than ``fixed_rows`` come
    collapse: bool = False   # .xlsx: the ``fixed_rows`` a run leaves empty are hidden (no gap)

    @property
    def anchor_row(self) -> int:
        return parse_ref(self.anchor)[0]

    @property
    def anchor_col(self) -> int:
        return parse_ref(self.anchor)[1]

    @property
    def first_data_row(self) -> int:
        return self.anchor_row + (1 if self.header and self.layout == "table" else 0)

    @property
    def width(self) -> int:
        return 2 if self.layout == "fields" else len(self.columns) + self.extra_width

    def cell(self, key: str, row: int = 0) -> str:
        """The A1 reference of column ``key`` in data row ``row`` (0 = the first): formulas
        take their letters from the keys, so a column added to the block moves them too.

        >>> Block("x", "B29", (Column("a", "l"), Column("b", "l")), header=False).cell("b")
        'C29'
        """
        keys = [c.key for c in self.columns]
        if key not in keys:
            raise TemplateError(f"block {self.name}: no column {key!r} (columns: {keys})")
        return f"{col_letter(self.anchor_col + keys.index(key))}{self.first_data_row + row}"

    @property
    def fixed_height(self) -> int | None:
        """Rows the block uses when its size does not depend on the data."""
        return len(self.columns) if self.layout == "fields" else self.fixed_rows


@dataclass(frozen=True)
class Chart:
    """A native chart over a table block: stacked columns, plus lines on a secondary axis."""

    block: str
    category: str
    bars: tuple[str, ...]
    title: str
    anchor: str
    lines: tuple[str, ...] = ()
    stacked: bool = True
    width_cm: float = 24.0
    height_cm: float = 9.0
    y_fmt: Fmt = "money"
    line_fmt: Fmt = "percent"
    dynamic: bool = False     # bars = every column after ``category``; titles from the header
    horizontal: bool = False
    kind: Literal["bar", "line"] = "bar"    # line: one curve per series (no secondary axis)
    skip: int = 0             # dynamic: columns after ``category`` that are not series

    @property
    def chart_id(self) -> int:
        """A stable id (Google Sheets needs one to update the chart's series after a run)."""
        return 1 + zlib.crc32(f"{self.block}:{self.anchor}".encode()) % 2_000_000_000


@dataclass(frozen=True)
class Heatmap:
    """A colour scale over a block's values: ``skip`` first columns left out (labels), the rest
    of its reserved width, ``rows`` rows from its first data row; lightest for the lowest value,
    darkest for the highest. Blank cells (periods not reached) stay white."""

    block: str
    skip: int = 0
    rows: int = 1000


@dataclass(frozen=True)
class LabelColours:
    """A fill per label over a block's cells (after ``skip`` label columns): the R x FM grid
    coloured by segment. ``labels``: (label key, RRGGBB fill)."""

    block: str
    labels: tuple[tuple[str, str], ...]
    skip: int = 1


@dataclass(frozen=True)
class Text:
    """A static cell: a label key (or a formula when ``formula`` is set) with a named style."""

    cell: str
    label: str = ""
    style: str = "body"
    formula: str = ""
    fmt: Fmt = "text"
    params: tuple[tuple[str, str], ...] = ()
    span: int = 1      # columns the cell is merged across


@dataclass(frozen=True)
class Choice:
    value: str   # stable value used by the code
    label: str   # label key shown in the drop-down


@dataclass(frozen=True)
class Setting:
    """A row of the Settings tab. ``choices`` become a drop-down list."""

    key: str
    label: str
    help: str
    default: str = ""
    choices: tuple[Choice, ...] = ()
    kind: Literal["choice", "text", "date", "number"] = "choice"


@dataclass(frozen=True)
class GridSetting:
    """An editable grid of the Settings tab (the RFM segment grid): a title at ``anchor``, column
    labels on the next row, then one row per ``row_labels`` entry with a drop-down of
    ``choices`` in each cell. ``default[i][j]`` is the label key of a cell."""

    key: str
    title: str
    help: str
    anchor: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    choices: tuple[str, ...]
    default: tuple[tuple[str, ...], ...]
    former: tuple[tuple[str, str], ...] = ()   # (choice, a label it had before): still read

    @property
    def first_cell(self) -> tuple[int, int]:
        """Row and column of the top-left editable cell."""
        row, col = parse_ref(self.anchor)
        return row + 2, col + 1


@dataclass(frozen=True)
class Tab:
    key: str
    title: str                 # label key of the tab name
    role: Role
    blocks: tuple[Block, ...] = ()
    charts: tuple[Chart, ...] = ()
    texts: tuple[Text, ...] = ()
    heatmaps: tuple[Heatmap, ...] = ()
    colours: tuple[LabelColours, ...] = ()
    widths: tuple[tuple[str, float], ...] = ()
    freeze: str | None = None
    gridlines: bool = False
    tab_color: str | None = None
    fit_width: bool = True      # printed one page wide (False: wide tables run over pages)
    repeat_rows: tuple[int, int] | None = None   # printed atop every page (default: see printing)
    page_breaks: tuple[int, ...] = ()            # rows that start a new printed page
    column_breaks: tuple[str, ...] = ()          # columns that start a new page across
    landscape: bool = True
    new: bool = False      # added in a later version: an older workbook gets it at Calculate

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name)

    def heatmap_range(self, spec: Heatmap) -> tuple[int, int, int, int]:
        """First row, first column, last row, last column a colour scale covers."""
        block = self.block(spec.block)
        return (block.first_data_row, block.anchor_col + spec.skip,
                block.first_data_row + spec.rows - 1, block.anchor_col + block.width - 1)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str


class TemplateError(ValueError):
    """A template that places what nothing produces: raised when the template is built."""


@dataclass(frozen=True)
class Template:
    """A template: its stable ``id``, its tabs and the analyses that fill its blocks.

    Building one checks the block contract: every block it places is declared by one of its
    ``analyses`` (or by the engine: data quality, run stamp), every column it shows, charts
    and colour scales included, is a declared column of that block.
    """

    id: str
    title: str
    summary: str
    tabs: tuple[Tab, ...]
    analyses: tuple[Analysis, ...]
    settings: tuple[Setting, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    version: int = 1
    grids: tuple[GridSetting, ...] = ()

    def __post_init__(self) -> None:
        check_contract(self)
        for analysis in self.analyses:         # the texts of the labels its analyses produce
            register(analysis.texts)

    def declared(self) -> dict[str, BlockSpec]:
        """Every block the template's analyses and the engine produce, by name."""
        from kc_sheets.blocks import ENGINE

        return {spec.name: spec for analysis in (*self.analyses, *ENGINE)
                for spec in analysis.blocks}

    def tab(self, key: str) -> Tab:
        for tab in self.tabs:
            if tab.key == key:
                return tab
        raise KeyError(key)

    def tabs_with_role(self, *roles: Role) -> list[Tab]:
        return [tab for tab in self.tabs if tab.role in roles]

    def blocks(self) -> list[tuple[Tab, Block]]:
        return [(tab, block) for tab in self.tabs for block in tab.blocks]


def check_contract(template: Template) -> None:
    """:class:`TemplateError` naming the tab, block and column a template places but no
    analysis declares."""
    declared = template.declared()
    where = f"template {template.id}"

    def spec_of(tab: Tab, name: str) -> BlockSpec:
        if name not in declared:
            raise TemplateError(f"{where}, tab {tab.key}: block {name!r} is produced by none of "
                                f"the template's analyses ({', '.join(a.name for a in template.analyses)})")
        return declared[name]

    def check_keys(tab: Tab, spec: BlockSpec, keys, what: str) -> None:
        unknown = [k for k in keys if k not in spec.keys]
        if unknown:
            raise TemplateError(f"{where}, tab {tab.key}: {what} {unknown} of block {spec.name} "
                                f"not declared (declared: {list(spec.keys)})")

    for tab in template.tabs:
        for block in tab.blocks:
            check_keys(tab, spec_of(tab, block.name), [c.key for c in block.columns], "columns")
        for chart in tab.charts:
            spec = spec_of(tab, chart.block)
            check_keys(tab, spec, [chart.category] + ([] if chart.dynamic else
                                                      [*chart.bars, *chart.lines]), "chart series")
        names = {b.name for b in tab.blocks}
        for spec_ in (*tab.heatmaps, *tab.colours):
            if spec_.block not in names:
                raise TemplateError(f"{where}, tab {tab.key}: colours over block {spec_.block!r}, "
                                    f"which the tab does not place")
