"""What every backend does: read a tab as a table, read a small tab as rows, write blocks.

Calculate talks to a backend only through this protocol, so the same engine fills an .xlsx file,
a Google spreadsheet or a live Excel workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from kc_sheets.templates.model import Block, Tab
from kc_sheets.ingest.transactions import RawTable


@dataclass
class BlockWrite:
    """One block's content: ``frame`` columns in block order (``block.columns`` keys, then any
    extra columns for blocks of variable width, whose names become the header when
    ``header`` is given)."""

    block: Block
    frame: pd.DataFrame
    header: list[str] | None = None


@dataclass
class TabWrite:
    """The blocks of one tab; ``spec`` is the template's description of the tab (its charts)."""

    tab: str
    blocks: list[BlockWrite] = field(default_factory=list)
    spec: Tab | None = None


class Backend(Protocol):
    def sheet_names(self) -> list[str]: ...

    def read_raw(self, tab: str) -> RawTable: ...

    def read_rows(self, tab: str) -> list[list[object]]: ...

    def prefetch(self, tabs: list[str]) -> None:
        """Read several tabs at once where that saves requests (Google); may do nothing."""

    def ensure_tabs(self, template, lang: str) -> "Backend":
        """Add the template's missing tabs; returns the backend to go on with."""

    def refresh_layout(self, template, lang: str) -> bool:
        """Lay the result tabs out again if they are older than this kc_sheets."""

    def write(self, writes: list[TabWrite]) -> object: ...
