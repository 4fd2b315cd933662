"""Churn from revenue by yearly cohort: which generation of customers makes each year's revenue?

A customer's cohort is the calendar year of their first purchase. Revenue here is net revenue:
purchases plus refunds (negative), each in the year of its date. Every calendar year from the
first order to the last is a column, a year without any order included (a column of 0).

- net revenue of a cohort in a year = sum of its customers' orders and refunds dated that year
- share of the year's revenue = cohort's net revenue in the year / all net revenue of the year
- revenue retention (year N) = cohort's net revenue in N / its net revenue in N-1; empty in the
  cohort's first year and where revenue in N-1 is 0 or less
- active customers = cohort customers with at least one purchase in the year (a refund does not
  make a customer active)
- customer retention (year N) = customers active in N who were also active in N-1 / customers
  active in N-1; empty in the cohort's first year and where nobody was active in N-1
- churn = 1 - customer retention
- "All cohorts": the same ratios over every cohort that existed in N-1 (the customer base
  without the year's new customers)

Years before a cohort's first year are left empty (shown blank), never 0. Refunds of customers
who never purchased, or dated before their customer's first purchase year, belong to no cohort:
they make the "Outside cohorts" row, so that the columns always add up to the year's net revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kc_sheets.analyses.contract import Analysis, BlockSpec, Col
from kc_sheets.analyses.cohorts import CohortCells, cohort_cells, labels, periods_of, \
    shared_cells
from kc_sheets.analyses.labels import Label

TEXTS = {
    "churn.outside_cohorts": ("Hors cohorte", "Outside cohorts"),
    "churn.total": ("Total", "Total"),
    "churn.all_cohorts": ("Toutes cohortes", "All cohorts"),
}
OUTSIDE, TOTAL, ALL_COHORTS = (Label("churn.outside_cohorts"), Label("churn.total"),
                               Label("churn.all_cohorts"))

BY_COHORT_YEAR_COLUMNS = (
    "cohort", "year", "years_since_acquisition", "new_customers", "active_customers",
    "retained_customers", "net_revenue", "net_revenue_share", "net_revenue_retention",
    "customer_retention", "customer_churn",
)
LAYER_CAKE_COLUMNS = ("year", "cohort", "net_revenue")


def yearly_cells(orders: pd.DataFrame) -> CohortCells:
    """Orders reduced to yearly cohort x year cells, with retained customers."""
    return cohort_cells(orders, "year", with_retained=True)


def _calendar(cells: CohortCells, matrix: np.ndarray) -> np.ndarray:
    """A cohort x index matrix as cohort x calendar year; years before the cohort are NaN."""
    out = np.full(matrix.shape, np.nan)
    row, k = np.nonzero(cells.reached)
    out[row, cells.cohorts[row] + k] = matrix[row, k]
    return out


def _ratio(numerator: np.ndarray, denominator: np.ndarray, positive: bool = False) -> np.ndarray:
    ok = (denominator > 0) if positive else (denominator != 0)
    ok &= ~np.isnan(numerator) & ~np.isnan(denominator)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, numerator / np.where(ok, denominator, 1), np.nan) + 0.0  # no -0.0


class YearlyCohorts:
    """The yearly matrices (cohort x calendar year, NaN before the cohort's first year),
    computed once and shared by every block; pass it as ``years`` to skip the computation."""

    def __init__(self, orders: pd.DataFrame, cells: CohortCells | None = None):
        self.cells = cells = yearly_cells(orders) if cells is None else cells
        n = cells.periods
        self.names = labels(periods_of(cells.first, n, "year"), "year")  # "2024": no words
        self.cohorts = cells.cohorts
        self.size = cells.cohort_size
        self.net = _calendar(cells, (cells.revenue + cells.refunds).round(2))
        self.active = _calendar(cells, cells.active.astype(float))
        self.retained = _calendar(cells, cells.retained.astype(float))
        self.year_total = (np.nansum(self.net, axis=0) + cells.outside).round(2)
        self.has_outside = cells.has_outside
        # the same matrix shifted one year right: value in N-1, NaN in the cohort's first year
        self.previous_net = _shift(self.net)
        self.previous_active = _shift(self.active)

    def frame(self, rows: np.ndarray, names: list[str], sizes) -> pd.DataFrame:
        out = pd.DataFrame(rows.reshape(len(names), len(self.names)), columns=self.names)
        out.insert(0, "cohort", names)
        out.insert(1, "new_customers", np.asarray(sizes, dtype=np.int64))
        return out

    def cohort_names(self) -> list[str]:
        return [self.names[c] for c in self.cohorts]

    def all_cohorts(self, numerator: np.ndarray, denominator: np.ndarray,
                    positive: bool = False) -> np.ndarray:
        """Ratio of column sums over the cohorts that existed in N-1 (NaN cells left out)."""
        exists = ~np.isnan(denominator)
        top = np.where(exists, numerator, 0.0).sum(axis=0)
        bottom = np.where(exists, denominator, 0.0).sum(axis=0)
        out = _ratio(top, bottom, positive)
        out[~exists.any(axis=0)] = np.nan
        return out


def _shift(matrix: np.ndarray) -> np.ndarray:
    out = np.full_like(matrix, np.nan)
    out[:, 1:] = matrix[:, :-1]
    return out


def net_revenue(orders: pd.DataFrame,
                years: YearlyCohorts | None = None) -> pd.DataFrame:
    """Net revenue by cohort (rows) and calendar year (columns named by the year), then the
    "Outside cohorts" row when some orders belong to no cohort, then the Total row; the
    ``total`` column sums each row.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2022-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "is_refund": False})
    >>> net_revenue(orders).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['2022', 1, 10.0, 0.0, 20.0, 30.0], ['2024', 1, nan, nan, 5.0, 5.0],
     [Label('churn.total'), 2, 10.0, 0.0, 25.0, 35.0]]
    """
    y = YearlyCohorts(orders) if years is None else years
    rows, names, sizes = [y.net], y.cohort_names(), list(y.size)
    if y.has_outside:
        rows.append(y.cells.outside[None, :])
        names.append(OUTSIDE)
        sizes.append(0)
    rows.append(y.year_total[None, :])
    names.append(TOTAL)
    sizes.append(int(y.size.sum()))
    out = y.frame(np.vstack(rows), names, sizes)
    out["total"] = np.nansum(np.vstack(rows), axis=1).round(2)
    return out


def net_revenue_share(orders: pd.DataFrame,
                      years: YearlyCohorts | None = None) -> pd.DataFrame:
    """Each row of ``net_revenue`` divided by the year's net revenue (empty when it is 0).

    >>> orders = pd.DataFrame({"customer_id": ["x", "y"], "order_date":
    ...     pd.to_datetime(["2023-01-03", "2024-02-05"]), "amount": [10.0, 30.0],
    ...     "is_refund": False})
    >>> net_revenue_share(orders)[["cohort", "2024", "total"]].values.tolist()
    [['2023', 0.0, 0.25], ['2024', 1.0, 0.75], [Label('churn.total'), 1.0, 1.0]]
    """
    y = YearlyCohorts(orders) if years is None else years
    table = net_revenue(orders, y)
    totals = table.iloc[-1]
    for column in [*y.names, "total"]:
        table[column] = _ratio(table[column].to_numpy(dtype=float),
                               np.full(len(table), float(totals[column])))
    return table


def net_revenue_retention(orders: pd.DataFrame,
                          years: YearlyCohorts | None = None) -> pd.DataFrame:
    """Per cohort and year N: net revenue in N / net revenue in N-1 (empty in the cohort's first
    year and where revenue in N-1 is 0 or less), then the "All cohorts" row.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2023-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 5.0, 30.0], "is_refund": False})
    >>> net_revenue_retention(orders).values.tolist()
    [['2023', 1, nan, 0.5], ['2024', 1, nan, nan], [Label('churn.all_cohorts'), 2, nan, 0.5]]
    """
    y = YearlyCohorts(orders) if years is None else years
    rows = _ratio(y.net, y.previous_net, positive=True)
    everyone = y.all_cohorts(y.net, y.previous_net, positive=True)
    return y.frame(np.vstack([rows, everyone[None, :]]),
                   [*y.cohort_names(), ALL_COHORTS], [*y.size, y.size.sum()])


def active_customers(orders: pd.DataFrame,
                     years: YearlyCohorts | None = None) -> pd.DataFrame:
    """Customers of each cohort who purchased in each year, then the Total row."""
    y = YearlyCohorts(orders) if years is None else years
    total = np.nansum(y.active, axis=0)
    return y.frame(np.vstack([y.active, total[None, :]]),
                   [*y.cohort_names(), TOTAL], [*y.size, y.size.sum()])


def customer_retention(orders: pd.DataFrame,
                       years: YearlyCohorts | None = None, churn: bool = False) -> pd.DataFrame:
    """Per cohort and year N: customers active in N and N-1 / customers active in N-1 (or
    churn = 1 - that), then the "All cohorts" row.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y", "z"], "order_date":
    ...     pd.to_datetime(["2023-01-03", "2024-02-01", "2023-02-05", "2024-03-01"]),
    ...     "amount": [10.0, 5.0, 30.0, 1.0], "is_refund": False})
    >>> customer_retention(orders).values.tolist()
    [['2023', 2, nan, 0.5], ['2024', 1, nan, nan], [Label('churn.all_cohorts'), 3, nan, 0.5]]
    """
    y = YearlyCohorts(orders) if years is None else years
    rows = _ratio(y.retained, y.previous_active)
    everyone = y.all_cohorts(y.retained, y.previous_active)
    values = np.vstack([rows, everyone[None, :]])
    return y.frame(1 - values if churn else values,
                   [*y.cohort_names(), ALL_COHORTS], [*y.size, y.size.sum()])


def by_cohort_year(orders: pd.DataFrame,
                   years: YearlyCohorts | None = None) -> pd.DataFrame:
    """The long table: one row per cohort and calendar year from the cohort's first year on."""
    y = YearlyCohorts(orders) if years is None else years
    row, year = np.nonzero(~np.isnan(y.net))                      # by cohort, then year
    names = np.array(y.names, dtype=object)
    retention = _ratio(y.retained, y.previous_active)[row, year]
    return pd.DataFrame({
        "cohort": names[y.cohorts[row]] if len(row) else [],
        "year": names[year] if len(row) else [],
        "years_since_acquisition": (year - y.cohorts[row]).astype(np.int64),
        "new_customers": y.size[row].astype(np.int64),
        "active_customers": y.active[row, year].astype(np.int64),
        "retained_customers": y.retained[row, year].astype(np.int64),
        "net_revenue": y.net[row, year],
        "net_revenue_share": _ratio(y.net[row, year], y.year_total[year]),
        "net_revenue_retention": _ratio(y.net, y.previous_net, positive=True)[row, year],
        "customer_retention": retention,
        "customer_churn": 1 - retention,
    })[list(BY_COHORT_YEAR_COLUMNS)]


def layer_cake(orders: pd.DataFrame,
               years: YearlyCohorts | None = None) -> pd.DataFrame:
    """Net revenue by calendar year and cohort, for a stacked area or column chart.

    One row per year and cohort (and "Outside cohorts" when some orders belong to none), every
    cohort in every year: 0 before the cohort's first year, so each layer starts from nothing.
    The rows of a year add up to its net revenue; all rows to the total net revenue.

    >>> orders = pd.DataFrame({"customer_id": ["x", "y"], "order_date":
    ...     pd.to_datetime(["2023-01-03", "2024-02-05"]), "amount": [10.0, 30.0],
    ...     "is_refund": False})
    >>> layer_cake(orders).values.tolist()
    [['2023', '2023', 10.0], ['2023', '2024', 0.0], ['2024', '2023', 0.0], ['2024', '2024', 30.0]]
    """
    y = YearlyCohorts(orders) if years is None else years
    rows, names = [np.nan_to_num(y.net)], y.cohort_names()
    if y.has_outside:
        rows.append(y.cells.outside[None, :])
        names.append(OUTSIDE)
    values = np.vstack(rows)                                      # cohort x year
    return pd.DataFrame({
        "year": np.repeat(np.array(y.names, dtype=object), len(names)),
        "cohort": np.tile(np.array(names, dtype=object), len(y.names)),
        "net_revenue": values.T.reshape(-1),
    })[list(LAYER_CAKE_COLUMNS)]


def layer_cake_by_year(cake: pd.DataFrame) -> pd.DataFrame:
    """``layer_cake`` with one row per year and one column per cohort (the chart's data).

    >>> cake = pd.DataFrame({"year": ["2023", "2023", "2024", "2024"],
    ...                      "cohort": ["2023", "2024", "2023", "2024"],
    ...                      "net_revenue": [10.0, 0.0, 5.0, 30.0]})
    >>> layer_cake_by_year(cake).values.tolist()
    [['2023', 10.0, 0.0], ['2024', 5.0, 30.0]]
    """
    if cake.empty:
        return pd.DataFrame({"year": pd.Series([], dtype=object)})
    wide = cake.pivot(index="year", columns="cohort", values="net_revenue")
    wide = wide.reindex(index=pd.unique(cake["year"]), columns=pd.unique(cake["cohort"]))
    wide.columns = [c if isinstance(c, Label) else str(c) for c in wide.columns]
    return wide.reset_index(names="year")


def analyse(ctx) -> dict[str, pd.DataFrame]:
    """The blocks of the churn template (always by calendar year, whatever Settings' period)."""
    orders = ctx.ingested.orders
    years = YearlyCohorts(orders, shared_cells(ctx, "year", with_retained=True))
    cake = layer_cake(orders, years)
    churn = customer_retention(orders, years, churn=True)
    return {
        "churn.by_cohort_year": by_cohort_year(orders, years),
        "churn.net_revenue": net_revenue(orders, years),
        "churn.net_revenue_share": net_revenue_share(orders, years),
        "churn.net_revenue_retention": net_revenue_retention(orders, years),
        "churn.active_customers": active_customers(orders, years),
        "churn.customer_retention": customer_retention(orders, years),
        "churn.customer_churn": churn,
        "churn.customer_churn_chart": churn,       # the same table, under the churn chart
        "churn.layer_cake": cake,
        "churn.layer_cake_by_year": layer_cake_by_year(cake),
    }


# The block contract (docs/blocks.md is generated from it)
_YEAR_TABLE_DOC = (("Always by calendar year, whatever the period in Settings. A customer's cohort is the "
     'year of their first purchase. One row per cohort, one column per calendar year from the '
     "first order to the last (a year with no order included); years before a cohort's first "
     'year are blank, never 0.'),
    '`2022`, `2023`, ...: the value for that calendar year',
    ('What each block holds in a year N:\n'
     '\n'
     '- `churn.net_revenue`: the cohort\'s purchases plus refunds dated in N. Then an "Outside cohorts"\n'
     '  row (refunds of customers who never purchased or dated before their first year, only when there\n'
     '  are some) and a "Total" row, so each column adds up to the year\'s net revenue.\n'
     "- `churn.net_revenue_share`: each row of `churn.net_revenue` / the year's net revenue (empty when\n"
     '  that is 0).\n'
     "- `churn.net_revenue_retention`: `net revenue in N / net revenue in N-1`; empty in the cohort's\n"
     '  first year and when revenue in N-1 is 0 or less.\n'
     '- `churn.active_customers`: cohort customers with at least one purchase in N; then a "Total" row.\n'
     '- `churn.customer_retention`: `customers active in both N-1 and N / customers active in N-1`;\n'
     "  empty in the cohort's first year and when nobody was active in N-1.\n"
     '- `churn.customer_churn`: `1 - customer retention`; `churn.customer_churn_chart` is the same\n'
     '  table, drawn on the "Graphique churn" / "Churn chart" tab.\n'
     '\n'
     'The ratio blocks end with an "All cohorts" row: the same ratio over the column sums of every\n'
     "cohort that existed in N-1 (the customer base without the year's new customers)."))   # churn.active_customers, churn.customer_churn, churn.customer_churn_chart, churn.customer_retention, churn.net_revenue, churn.net_revenue_retention, churn.net_revenue_share
_LAYER_CAKE_DOC = (('Net revenue by year and cohort, for a stacked area or column chart: one row per year and'
     ' cohort (plus "Outside cohorts" when there are such refunds), every cohort in every '
     "year, 0 before the cohort's first year. The rows of a year add up to its net revenue."),
    "",
    "")   # churn.layer_cake, churn.layer_cake_by_year
_YEAR_TABLE_COLUMNS = (Col('cohort', 'cohort year, or a final row (below)'),
         Col('new_customers', 'cohort size (on the final row: customers of all cohorts; 0 on "Outside cohorts")'),)
BLOCKS = (
    BlockSpec('churn.active_customers', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
    BlockSpec('churn.by_cohort_year',
        (Col('cohort', 'cohort year'),
         Col('year', 'calendar year'),
         Col('years_since_acquisition', '`year - cohort` (0 = the first year)'),
         Col('new_customers', 'cohort size'),
         Col('active_customers', 'cohort customers with a purchase in the year'),
         Col('retained_customers', 'of those, customers also active the year before'),
         Col('net_revenue', "the cohort's purchases plus refunds in the year"),
         Col('net_revenue_share', "`net_revenue / the year's net revenue` (all cohorts and outside cohorts)"),
         Col('net_revenue_retention', ('`net_revenue / net_revenue of the year before` (empty in the first year or when'
              ' that is 0 or less)')),
         Col('customer_retention', ('`retained_customers / active_customers of the year before` (empty in the first '
              'year or when nobody was active)')),
         Col('customer_churn', '`1 - customer_retention`'),),
        about=("The same figures as a list: one row per cohort and calendar year from the cohort's "
         'first year on.'),
    ),
    BlockSpec('churn.customer_churn', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
    BlockSpec('churn.customer_churn_chart', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
    BlockSpec('churn.customer_retention', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
    BlockSpec('churn.layer_cake',
        (Col('year', 'calendar year'),
         Col('cohort', 'cohort year, or "Outside cohorts"'),
         Col('net_revenue', "the cohort's net revenue in the year"),), *_LAYER_CAKE_DOC),
    BlockSpec('churn.layer_cake_by_year',
        (Col('year', 'calendar year'),), *_LAYER_CAKE_DOC),
    BlockSpec('churn.net_revenue', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
    BlockSpec('churn.net_revenue_retention', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
    BlockSpec('churn.net_revenue_share', _YEAR_TABLE_COLUMNS, *_YEAR_TABLE_DOC),
)

ANALYSIS = Analysis("churn", analyse, BLOCKS, texts=TEXTS)
