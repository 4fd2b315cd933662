"""Texts in result tables, as keys: analyses never translate, the edge does.

A cell (or a column name) that a reader reads as words holds a :class:`Label`: an i18n key and
its parameters. Numbers and dates inside a sentence are :class:`Number` and :class:`Day`, so the
reader's language decides how they are written (``1 234,50`` or ``1,234.50``; ``31/01/2024`` or
``2024-01-31``). Calculate and ``kc-sheets analyze`` translate every block once it is computed
(``i18n.translate_block``); the texts themselves are plain data (``TEXTS`` of each analysis
module, registered with its :class:`~kc_sheets.analyses.contract.Analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Label:
    """The text of ``key`` with ``params`` (name, value) pairs filled in (values may be labels,
    :class:`Number` or :class:`Day` themselves).

    >>> Label.of("rfm.note.few_customers", customers=3)
    Label('rfm.note.few_customers', customers=3)
    """

    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Label:
        return cls(key, tuple(sorted(params.items())))

    def __repr__(self) -> str:
        return f"Label({', '.join([repr(self.key), *(f'{k}={v!r}' for k, v in self.params)])})"


@dataclass(frozen=True)
class Number:
    """A number written the reader's way, with ``decimals`` decimals."""

    value: float
    decimals: int = 0


@dataclass(frozen=True)
class Day:
    """A day written the reader's way."""

    value: pd.Timestamp


def objects(values) -> np.ndarray:
    """``values`` (texts, numbers, labels) as an object column, as they are.

    >>> objects(["2024-01", Label("churn.total")]).tolist()
    ['2024-01', Label('churn.total')]
    """
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def categorical(codes: np.ndarray, labels) -> pd.Categorical:
    """A long column of few distinct labels (``labels[code]`` for each code) as a Categorical:
    translating it translates its categories only (the RFM segment of half a million customers
    costs eleven lookups)."""
    return pd.Categorical.from_codes(codes, categories=list(labels))
