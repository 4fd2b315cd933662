"""The block contract: what an analysis promises to produce.

An analysis is a function of the run's context that returns result tables ("blocks") by name.
Its :class:`Analysis` declaration names each block and the columns it always has, with what they
mean. Templates place blocks by these names and columns by these keys; a template that places
a block or a column nobody declares fails when it is built, and a run whose analysis does not
keep its promise fails before anything is written. ``docs/blocks.md`` is generated from the
declarations (``python -m kc_sheets.templates.blocks_doc``).

This module imports nothing but the standard library and pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import pandas as pd


@dataclass(frozen=True)
class Col:
    """A column every frame of the block has: its stable ``key`` and what it means."""

    key: str
    meaning: str = ""


@dataclass(frozen=True)
class BlockSpec:
    """A block an analysis produces: its ``name``, its ``columns`` in order (the frame may hold
    more, data-dependent ones, described by ``extra``: "one column per year"), and ``about``,
    what a row is (Markdown, for docs/blocks.md); ``notes`` follow the column table."""

    name: str
    columns: tuple[Col, ...]
    about: str = ""
    extra: str = ""
    notes: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


def options_of(context, kind: type):
    """The run's options of class ``kind`` (``context.options``, read from Settings before the
    analyses run), or its defaults when the context has none (a test's, a notebook's).

    >>> from types import SimpleNamespace
    >>> from kc_sheets.analyses.periods import PeriodOptions
    >>> options_of(SimpleNamespace(), PeriodOptions)
    PeriodOptions(period='month')
    """
    found = getattr(context, "options", None) or {}
    return found.get(kind) or kind()


class BrokenPromise(AssertionError):
    """An analysis did not produce what it declares: a bug of ours, never the user's data."""


@dataclass(frozen=True)
class Analysis:
    """An analysis: its ``name``, the function ``run(context) -> {block name: frame}`` and the
    blocks it declares. ``run`` is None for blocks the engine itself produces (data quality, the
    run stamp)."""

    name: str
    run: Callable[..., Mapping[str, pd.DataFrame]] | None
    blocks: tuple[BlockSpec, ...]
    about: str = ""
    options: tuple[type, ...] = ()   # the typed options it reads (kc_sheets.settings.options)
    texts: Mapping[str, tuple[str, str]] = field(default_factory=dict)   # its labels' texts

    def block(self, name: str) -> BlockSpec | None:
        return next((b for b in self.blocks if b.name == name), None)

    def __call__(self, context) -> dict[str, pd.DataFrame]:
        """Run the analysis and check its promise: every declared block, with its columns."""
        if self.run is None:
            raise BrokenPromise(f"{self.name}: the engine produces these blocks, not a function")
        return self.checked(dict(self.run(context)))

    def checked(self, produced: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``produced`` if it holds exactly the declared blocks, each with the declared columns
        (extra columns allowed after them), else :class:`BrokenPromise` naming what is wrong.

        >>> spec = Analysis("toy", None, (BlockSpec("toy.kpi", (Col("value"),)),))
        >>> list(spec.checked({"toy.kpi": pd.DataFrame({"value": [1]})}))
        ['toy.kpi']
        >>> spec.checked({"toy.kpi": pd.DataFrame({"other": [1]})})
        Traceback (most recent call last):
        ...
        kc_sheets.analyses.contract.BrokenPromise: toy.kpi: columns ['value'] declared, missing ['value']
        """
        declared = {b.name for b in self.blocks}
        missing = sorted(declared - set(produced))
        unknown = sorted(set(produced) - declared)
        if missing or unknown:
            raise BrokenPromise(f"{self.name}: blocks not produced {missing}, produced but not "
                                f"declared {unknown}")
        for spec in self.blocks:
            frame = produced[spec.name]
            absent = [k for k in spec.keys if k not in frame.columns]
            if absent:
                raise BrokenPromise(f"{spec.name}: columns {list(spec.keys)} declared, missing "
                                    f"{absent}")
        return produced
