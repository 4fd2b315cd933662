"""A template described as data: tabs, blocks, charts, texts, settings.

Nothing here draws anything. :mod:`kc_sheets.templates.render_xlsx` turns a description into an
.xlsx file, :mod:`kc_sheets.calculate` uses the same description to know where each block goes.
Every ``label`` below is a key of :mod:`kc_sheets.i18n`, never a literal text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from kc_sheets.cells import parse_ref

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


@dataclass(frozen=True)
class Tab:
    key: str
    title: str                 # label key of the tab name
    role: Role
    blocks: tuple[Block, ...] = ()
    charts: tuple[Chart, ...] = ()
    texts: tuple[Text, ...] = ()
    widths: tuple[tuple[str, float], ...] = ()
    freeze: str | None = None
    gridlines: bool = False
    tab_color: str | None = None


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str


@dataclass(frozen=True)
class Template:
    """A template: its stable ``id``, its tabs and the analyses that fill its blocks."""

    id: str
    title: str
    summary: str
    tabs: tuple[Tab, ...]
    analyses: tuple[Callable, ...]
    settings: tuple[Setting, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    version: int = 1

    def tab(self, key: str) -> Tab:
        for tab in self.tabs:
            if tab.key == key:
                return tab
        raise KeyError(key)

    def tabs_with_role(self, *roles: Role) -> list[Tab]:
        return [tab for tab in self.tabs if tab.role in roles]

    def blocks(self) -> list[tuple[Tab, Block]]:
        return [(tab, block) for tab in self.tabs for block in tab.blocks]
