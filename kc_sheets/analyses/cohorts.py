"""Acquisition cohorts: what the customers acquired in a month (quarter, year) do afterwards.

A customer's cohort is the period (month, quarter or year) of their first purchase. Period index
0 is that period, 1 the next one, and so on up to the last period with an order. Refunds (orders
with a negative amount) are not purchases: they never make a customer active, but they reduce the
net revenue of their cohort in the period of their date.

For each cohort and each period index since acquisition:

- cohort size = new customers = customers whose first purchase falls in the cohort's period
- active customers = cohort customers with at least one purchase in the period
- retention rate = active customers / cohort size (100 % at index 0)
- revenue = sum of the cohort's purchases in the period; refunds = sum of its refunds there
- net revenue = revenue + refunds (refunds are negative)
- net revenue per customer = net revenue / cohort size (every customer of the cohort, active or not)
- cumulative net revenue per customer = sum of net revenue per customer from index 0 to this one
- average order value = revenue / orders (refunds are not orders)
- orders per active customer = orders / active customers

Periods a cohort has not reached yet (after the last period with an order) are left empty, never
0. The weighted average row averages each column over the cohorts that reached that period
index, weighted by cohort size: for the retention rate it is the share of all those customers
still active. Refunds of a customer who never purchased, or dated before their first purchase
period, belong to no cohort and are left out of these tables (the churn analysis shows them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kc_sheets.analyses.contract import Analysis, BlockSpec, Col, options_of
from kc_sheets.analyses.periods import FREQ, MONTHS_PER, Period, PeriodOptions, check_period, \
    period_label
from kc_sheets.analyses.reduction import CustomerMonths, customer_months, shared
from kc_sheets.analyses.labels import Label, objects
from kc_sheets.analyses.periods import TEXTS as PERIOD_TEXTS
from kc_sheets.analyses.periods import unit_label

TEXTS = {**PERIOD_TEXTS, "cohorts.weighted_average": ("Moyenne pondérée", "Weighted average")}
WEIGHTED_AVERAGE = Label("cohorts.weighted_average")


LONG_COLUMNS = (
    "cohort", "cohort_start", "period_index", "period", "cohort_size", "new_customers",
    "active_customers", "retention_rate", "orders", "revenue", "refunds", "net_revenue",
    "net_revenue_per_customer", "cumulative_net_revenue_per_customer", "average_order_value",
    "orders_per_active_customer",
)
TRIANGLE_METRICS = (
    "active_customers", "retention_rate", "net_revenue", "net_revenue_per_customer",
    "cumulative_net_revenue_per_customer", "average_order_value", "orders_per_active_customer",
)
SUMMARY_COLUMNS = (
    "cohort", "cohort_start", "cohort_size", "first_period_net_revenue", "total_net_revenue",
    "active_in_last_period", "active_in_last_period_rate",
)


def periods_of(first: int, count: int, period: Period) -> pd.PeriodIndex:
    """``count`` consecutive calendar periods from the ordinal ``first``."""
    return pd.PeriodIndex.from_ordinals(np.arange(first, first + count), freq=FREQ[period])


def labels(periods: pd.PeriodIndex, period: Period) -> list:
    """The label of each period (text, or a label for quarters)."""
    return [period_label(p, period) for p in periods]


@dataclass(frozen=True)
class CohortCells:
    """Customer months reduced to cohort x period-index cells.

    Periods are numbered 0 (the first period with an order, ordinal ``first``) to
    ``periods - 1`` (the last one). Matrices have one row per cohort that has customers
    (``cohorts`` holds the period number of each, ascending) and one column per period index;
    a cell the cohort has not reached holds 0 (see ``reached``). ``retained`` (only when asked
    for) counts the customers active at both index k and k - 1. ``outside`` is the net amount,
    per period, of the orders that fall in no cell: refunds of customers who never purchased or
    dated before their cohort, orders without a customer id.
    """

    period: Period
    first: int
    periods: int
    cohorts: np.ndarray            # (rows,) int: period number of each cohort
    cohort_size: np.ndarray        # (rows,) int
    active: np.ndarray             # (rows, periods) int
    orders: np.ndarray             # (rows, periods) int
    revenue: np.ndarray            # (rows, periods) float, purchases
    refunds: np.ndarray            # (rows, periods) float, negative
    outside: np.ndarray            # (periods,) float
    has_outside: bool
    retained: np.ndarray | None = None

    @property
    def reached(self) -> np.ndarray:
        """True where cohort + index <= the last period."""
        return self.cohorts[:, None] + np.arange(self.periods)[None, :] < self.periods


def cohort_cells(orders: pd.DataFrame | CustomerMonths, period: Period = "month",
                 with_retained: bool = False) -> CohortCells:
    """Reduce orders (or their ``customer_months``) to cohort x period-index cells.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "is_refund": False})
    >>> cohort_cells(orders).active.tolist()
    [[1, 1], [1, 0]]
    """
    period = check_period(period)
    months = orders if isinstance(orders, CustomerMonths) else customer_months(orders)
    p = months.month // MONTHS_PER[period]
    if len(p) == 0:
        empty, none = np.zeros((0, 0), dtype=np.int64), np.zeros(0, dtype=np.int64)
        return CohortCells(period, 0, 0, none, none, empty, empty, empty * 1.0, empty * 1.0,
                           none * 1.0, False, empty if with_retained else None)
    first = int(p.min())
    n = int(p.max()) - first + 1
    position = p - first
    bought = months.purchased
    customer = months.customer
    # each customer's cohort; the extra last slot (code -1) and non-buyers keep n: no cohort
    cohort = np.full(months.customers + 1, n, dtype=np.int64)
    np.minimum.at(cohort, customer[bought], position[bought])
    cohorts = np.flatnonzero(np.bincount(cohort, minlength=n + 1)[:n])
    row_of = np.full(n + 1, -1, dtype=np.int64)
    row_of[cohorts] = np.arange(len(cohorts))
    row_cohort = cohort[customer]
    index = position - row_cohort
    in_cell = (row_cohort < n) & (index >= 0)
    cell = (row_of[row_cohort] * n + index)[in_cell]
    shape = (len(cohorts), n)
    size = shape[0] * n

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=weights[in_cell], minlength=size).reshape(shape)

    def cells_of(pairs: np.ndarray) -> np.ndarray:
        """Count (customer, period) pairs, one integer each, by cohort row and index."""
        pair_customer, pair_position = np.divmod(pairs, n)
        c = cohort[pair_customer]
        return np.bincount(row_of[c] * n + pair_position - c, minlength=size).reshape(shape)

    # distinct (customer, period) among purchases (customer months are distinct already)
    pairs = customer[bought] * n + position[bought]
    if period != "month":
        pairs = pd.unique(pairs)
    active = cells_of(pairs)
    retained = None
    if with_retained:
        pairs = np.sort(pairs)
        follows = (np.diff(pairs) == 1) & (pairs[1:] % n != 0)   # same customer, period before
        retained = cells_of(pairs[1:][follows])
    net = months.revenue + months.refunds
    return CohortCells(
        period=period, first=first, periods=n, cohorts=cohorts,
        cohort_size=active[:, 0].copy(), active=active,
        orders=total(months.orders.astype(float)).round().astype(np.int64),
        revenue=total(months.revenue).round(2), refunds=total(months.refunds).round(2),
        outside=np.bincount(position[~in_cell], weights=net[~in_cell], minlength=n).round(2),
        has_outside=bool((~in_cell).any()), retained=retained)


def by_cohort_period(orders: pd.DataFrame, period: Period = "month",
                     cells: CohortCells | None = None) -> pd.DataFrame:
    """One row per cohort and period index reached (the long table every triangle comes from).

    ``cells``: the result of ``cohort_cells(orders, period)``, when already computed.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "is_refund": False})
    >>> table = by_cohort_period(orders)
    >>> table[["cohort", "period_index", "active_customers", "retention_rate"]].values.tolist()
    [['2024-01', 0, 1, 1.0], ['2024-01', 1, 1, 1.0], ['2024-02', 0, 1, 1.0]]
    """
    cells = cohort_cells(orders, period) if cells is None else cells
    n = cells.periods
    keep = cells.reached
    row, k = np.nonzero(keep)                                   # by cohort, then index
    c = cells.cohorts[row]                                      # the cohort's period number
    size = cells.cohort_size[row]
    active, order_count = cells.active[row, k], cells.orders[row, k]
    revenue, refunds = cells.revenue[row, k], cells.refunds[row, k]
    net = (revenue + refunds).round(2)
    per_customer = net / size
    # cumulative per cohort: cumsum along each cohort's row of the matrix, then pick
    running = np.cumsum(np.where(keep, cells.revenue + cells.refunds, 0.0), axis=1)
    cumulative = running[row, k].round(2)
    periods = periods_of(cells.first, n, cells.period)
    names = objects(labels(periods, cells.period))
    starts = np.array(periods.to_timestamp().date if n else [], dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "cohort": names[c] if n else [],
            "cohort_start": starts[c] if n else [],
            "period_index": k.astype(np.int64),
            "period": names[c + k] if n else [],
            "cohort_size": size.astype(np.int64),
            "new_customers": np.where(k == 0, size, 0).astype(np.int64),
            "active_customers": active.astype(np.int64),
            "retention_rate": active / size,
            "orders": order_count.astype(np.int64),
            "revenue": revenue,
            "refunds": refunds,
            "net_revenue": net,
            "net_revenue_per_customer": per_customer,
            "cumulative_net_revenue_per_customer": cumulative / size,
            "average_order_value": np.where(order_count > 0, revenue / order_count, np.nan),
            "orders_per_active_customer": np.where(active > 0, order_count / active, np.nan),
        })
    return out[list(LONG_COLUMNS)]


def triangle(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One row per cohort, one column per period index (``period_0``, ``period_1``...).

    ``table`` is ``by_cohort_period(...)``. Periods a cohort has not reached are NaN (shown
    blank). The last row is the weighted average: per column, sum of cohort size x value / sum
    of cohort size, over the cohorts that reached that index and have a value there; its
    ``new_customers`` is the number of customers of all cohorts.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "is_refund": False})
    >>> triangle(by_cohort_period(orders), "retention_rate").values.tolist()[1:]
    [['2024-02', 1, 1.0, nan], [Label('cohorts.weighted_average'), 2, 1.0, 1.0]]
    """
    if metric not in TRIANGLE_METRICS:
        raise ValueError(f"metric must be one of {', '.join(TRIANGLE_METRICS)}, not {metric!r}")
    row, cohorts = pd.factorize(table["cohort"])                 # in table order: by cohort
    index = table["period_index"].to_numpy()
    width = int(index.max()) + 1 if len(index) else 0
    grid = np.full((len(cohorts), width), np.nan)
    grid[row, index] = table[metric].to_numpy(dtype=float)
    sizes = np.zeros(len(cohorts), dtype=np.int64)
    sizes[row] = table["cohort_size"].to_numpy()
    defined = ~np.isnan(grid)
    weight = (sizes[:, None] * defined).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(weight > 0, np.where(defined, grid * sizes[:, None], 0).sum(axis=0)
                           / weight, np.nan)
    names = list(cohorts)
    if names:                                                    # the weighted average row
        grid = np.vstack([grid, average[None, :]])
        names.append(WEIGHTED_AVERAGE)
        sizes = np.append(sizes, sizes.sum())
    out = pd.DataFrame(grid, columns=[f"period_{i}" for i in range(width)])
    out.insert(0, "cohort", objects(names))
    out.insert(1, "new_customers", sizes)
    return out


CURVE_COHORTS = 6        # cohorts drawn as curves: the latest that reached CURVE_MIN_PERIODS
CURVE_MIN_PERIODS = 4
CURVE_METRICS = {"retention_curves": ("retention_rate", 1),      # (triangle, first period)
                 "ltv_curves": ("cumulative_net_revenue_per_customer", 0)}


def curves(triangle_frame: pd.DataFrame, period: str = "month",
           cohorts: int = CURVE_COHORTS, first: int = 0) -> pd.DataFrame:
    """A triangle turned into curves: one row per period since acquisition ("Mois 0", …), one
    column per cohort (the latest ``cohorts`` that reached ``CURVE_MIN_PERIODS`` periods, oldest
    first), then the weighted average of all cohorts; from period ``first`` on (the retention
    curves start at period 1: period 0 is 100 % for every cohort and would flatten the rest).

    >>> tri = pd.DataFrame({"cohort": ["2024-01", "2024-02", "Average"],
    ...     "new_customers": [2, 1, 3], "period_0": [1.0, 1.0, 1.0], "period_1": [0.5, None, 0.5]})
    >>> curves(tri).columns.tolist(), curves(tri).values.tolist()[1][1:]
    (['period', '2024-01', 'Average'], [0.5, 0.5])
    """
    periods = [c for c in triangle_frame.columns if str(c).startswith("period_")]
    body = triangle_frame.iloc[:-1] if len(triangle_frame) else triangle_frame
    reached = body[periods].notna().sum(axis=1).to_numpy() if len(body) else np.zeros(0)
    chosen = body[reached >= min(CURVE_MIN_PERIODS, len(periods))].tail(cohorts)
    shown = periods[first:]
    out = pd.DataFrame({"period": objects(unit_label(period, i)
                                          for i in range(first, len(periods)))})
    for _, row in chosen.iterrows():
        out[row["cohort"]] = row[shown].to_numpy(dtype=float)
    if len(triangle_frame):
        last = triangle_frame.iloc[-1]
        out[last["cohort"]] = last[shown].to_numpy(dtype=float)
    return out


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per cohort: size, net revenue of its first period and in total, and how many of
    its customers are still active in the last period with an order (its last index reached).

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "is_refund": False})
    >>> summary(by_cohort_period(orders))[["cohort", "total_net_revenue", "active_in_last_period"]
    ...                                   ].values.tolist()
    [['2024-01', 30.0, 1], ['2024-02', 5.0, 1]]
    """
    grouped = table.groupby("cohort", sort=False)
    last = grouped.tail(1).set_index("cohort")
    firsts = table[table["period_index"] == 0].set_index("cohort")
    out = pd.DataFrame({
        "cohort": firsts.index.to_numpy(dtype=object),
        "cohort_start": firsts["cohort_start"].to_numpy(dtype=object),
        "cohort_size": firsts["cohort_size"].to_numpy(dtype=np.int64),
        "first_period_net_revenue": firsts["net_revenue"].to_numpy(dtype=float),
        "total_net_revenue": grouped["net_revenue"].sum().reindex(firsts.index).round(2)
        .to_numpy(dtype=float),
        "active_in_last_period": last["active_customers"].reindex(firsts.index)
        .to_numpy(dtype=np.int64),
    })
    out["active_in_last_period_rate"] = out["active_in_last_period"] / out["cohort_size"]
    return out[list(SUMMARY_COLUMNS)]


def shared_months(ctx) -> CustomerMonths:
    """The run's customer months (``reduction.shared(ctx).months``): cohorts, retention and
    churn start from the same reduction as every other analysis."""
    return shared(ctx).months


def shared_cells(ctx, period: Period, with_retained: bool = False) -> CohortCells:
    """``cohort_cells`` of the run's orders by ``period``, computed once per Calculate."""
    cache = getattr(ctx, "cache", None)
    key = ("cohort_cells", period, with_retained)
    if cache is None or key not in cache:
        cells = cohort_cells(shared_months(ctx), period, with_retained=with_retained)
        if cache is None:
            return cells
        cache[key] = cells
    return cache[key]


def analyse(ctx) -> dict[str, pd.DataFrame]:
    """The blocks of the cohorts template: the long table, one triangle per metric, the summary."""
    period = options_of(ctx, PeriodOptions).period
    table = by_cohort_period(ctx.ingested.orders, period, shared_cells(ctx, period))
    blocks = {"cohorts.by_cohort_period": table}
    for metric in TRIANGLE_METRICS:
        blocks[f"cohorts.{metric}"] = triangle(table, metric)
    for name, (metric, first) in CURVE_METRICS.items():
        blocks[f"cohorts.{name}"] = curves(blocks[f"cohorts.{metric}"], period, first=first)
    blocks["cohorts.summary"] = summary(table)
    return blocks


# The block contract (docs/blocks.md is generated from it)
_TRIANGLE_DOC = (("The triangles: one column of `cohorts.by_cohort_period` (the block's name says which) "
     'laid out with one row per cohort and one column per period index.'),
    ('`period_0` ... `period_N`: the value at period index 0 ... N; blank where the cohort has'
     ' not reached that period yet (never 0)'),
    ('Last row, weighted average: per column, `sum of (cohort size x value) / sum of cohort '
     'size`, over the cohorts that reached that period index and have a value there. For the '
     'retention rate it is the share of all those customers still active.'))   # cohorts.active_customers, cohorts.average_order_value, cohorts.cumulative_net_revenue_per_customer, cohorts.net_revenue, cohorts.net_revenue_per_customer, cohorts.orders_per_active_customer, cohorts.retention_rate
_CURVES_DOC = (('The triangles `cohorts.retention_rate` and `cohorts.cumulative_net_revenue_per_customer`'
     ' turned into curves for a line chart: one row per period since acquisition, one column '
     'per cohort.'),
    ('`2024-01`, ...: the latest 6 cohorts followed for at least 4 periods, oldest first: the '
     "triangle's row, blank where not reached"),
    "")   # cohorts.ltv_curves, cohorts.retention_curves
_TRIANGLE_COLUMNS = (Col('cohort', 'the cohort\'s period label; the last row is "Weighted average"'),
         Col('new_customers', 'cohort size (on the last row: customers of all cohorts)'),)
_CURVE_COLUMNS = (Col('period', ('`Mois 0`, `Mois 1`, ... (`Month 0` in English; `Trim.` / `Quarter`, `Année` / '
              '`Year` by the Settings period); the retention curves start at period 1 (period '
              '0 is always 100 %)')),)
BLOCKS = (
    BlockSpec('cohorts.active_customers', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.average_order_value', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.by_cohort_period',
        (Col('cohort', "the cohort's period label"),
         Col('cohort_start', "first day of the cohort's period (date)"),
         Col('period_index', 'periods since acquisition (0 = the acquisition period)'),
         Col('period', 'label of the calendar period of that row'),
         Col('cohort_size', "customers whose first purchase falls in the cohort's period"),
         Col('new_customers', '`cohort_size` at index 0, else 0'),
         Col('active_customers', 'cohort customers with at least one purchase in the period'),
         Col('retention_rate', '`active_customers / cohort_size` (100 % at index 0)'),
         Col('orders', "the cohort's purchases in the period"),
         Col('revenue', 'sum of those purchases'),
         Col('refunds', "sum of the cohort's refunds in the period (negative)"),
         Col('net_revenue', '`revenue + refunds`'),
         Col('net_revenue_per_customer', '`net_revenue / cohort_size` (every cohort customer, active or not)'),
         Col('cumulative_net_revenue_per_customer', 'sum of `net_revenue_per_customer` from index 0 to this one'),
         Col('average_order_value', '`revenue / orders` (empty when no order)'),
         Col('orders_per_active_customer', '`orders / active_customers` (empty when nobody is active)'),),
        about=('One row per cohort and period since acquisition that the cohort has reached. A '
         "customer's cohort is the period (Settings: month, quarter or year) of their first "
         'purchase; period index 0 is that period, 1 the next one, and so on up to the last '
         'period with an order. Refunds never make a customer active but reduce net revenue in'
         ' the period of their date.'),
        notes=('Refunds of customers who never purchased, or dated before their cohort, belong to no'
         ' cohort and are left out here (see `churn.net_revenue`).'),
    ),
    BlockSpec('cohorts.cumulative_net_revenue_per_customer', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.ltv_curves', _CURVE_COLUMNS, *_CURVES_DOC),
    BlockSpec('cohorts.net_revenue', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.net_revenue_per_customer', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.orders_per_active_customer', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.retention_curves', _CURVE_COLUMNS, *_CURVES_DOC),
    BlockSpec('cohorts.retention_rate', _TRIANGLE_COLUMNS, *_TRIANGLE_DOC),
    BlockSpec('cohorts.summary',
        (Col('cohort', "the cohort's period label and first day"),
         Col('cohort_start', "the cohort's period label and first day"),
         Col('cohort_size', 'new customers of the cohort'),
         Col('first_period_net_revenue', 'net revenue in the acquisition period (index 0)'),
         Col('total_net_revenue', 'net revenue over every period reached'),
         Col('active_in_last_period', 'cohort customers who purchased in the last period with an order'),
         Col('active_in_last_period_rate', '`active_in_last_period / cohort_size`'),),
        about='One row per cohort.',
    ),
)

ANALYSIS = Analysis("cohorts", analyse, BLOCKS, options=(PeriodOptions,), texts=TEXTS)
