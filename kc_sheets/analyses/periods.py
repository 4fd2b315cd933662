"""Calendar periods (month, quarter, year): labels and continuous ranges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from kc_sheets.analyses.labels import Label

TEXTS = {"unit.month": ("Mois", "Month"), "unit.quarter": ("Trim.", "Quarter"),
         "unit.year": ("Année", "Year"),       # "Mois 3": triangle headers and curves
         "unit.n": ("{unit} {n}", "{unit} {n}"),
         "period.quarter": ("{year}-T{quarter}", "{year}-Q{quarter}")}

Period = Literal["month", "quarter", "year"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "year")
FREQ = {"month": "M", "quarter": "Q", "year": "Y"}      # pandas' Period frequency of each
MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}


def check_period(period: str) -> Period:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    return period  # type: ignore[return-value]


@dataclass(frozen=True)
class PeriodOptions:
    """The period results are grouped by (Settings: month, quarter or year)."""

    period: Period = "month"

    def __post_init__(self) -> None:
        check_period(self.period)


def period_index(dates: pd.Series, period: Period) -> pd.PeriodIndex:
    """The calendar period of each date."""
    return pd.PeriodIndex(pd.DatetimeIndex(dates), freq=FREQ[period])


def period_range(periods: pd.PeriodIndex, period: Period) -> pd.PeriodIndex:
    """Every period from the first to the last, gaps included (an empty month is a row of 0)."""
    if len(periods) == 0:
        return pd.PeriodIndex([], freq=FREQ[period])
    return pd.period_range(periods.min(), periods.max(), freq=FREQ[period])


def period_label(p: pd.Period, period: Period) -> str | Label:
    """'2024-01' for a month, '2024' for a year; a quarter is a label, '2024-T1' in French and
    '2024-Q1' in English.

    >>> period_label(pd.Period("2024-02", "M"), "quarter")
    Label('period.quarter', quarter=1, year=2024)
    """
    if period == "month":
        return f"{p.year}-{p.month:02d}"
    if period == "quarter":
        return Label.of("period.quarter", year=p.year, quarter=p.quarter)
    return str(p.year)


def unit_label(period: Period, n: int) -> Label:
    """'Mois 3' / 'Month 3': the n-th period since acquisition."""
    return Label.of("unit.n", unit=Label(f"unit.{period}"), n=n)
