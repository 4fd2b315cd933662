"""Retention rate, two ways: the basic method (customer counts at the start and end of each
period) and the cohort method (what share of new customers buy again in the next period).

Basic method. A customer "at" a date is an active customer: someone who made at least one
purchase in the window of W months (Settings, default 12) that ends the day before that date.
For a period (a month, quarter or year):

- customers at start = customers with a purchase from the period's first day minus W months to
  the day before the period's first day (March 2024, W = 12: 1 March 2023 - 29 February 2024)
- customers at end = the same on the day after the period's last day (March 2024, W = 12:
  1 April 2023 - 31 March 2024)
- new customers = customers at end who were not customers at start: first-time buyers plus
  reactivated customers (who had bought before, lapsed, and came back)
- retained customers = customers at end - new customers = customers both at start and at end
- retention rate = (customers at end - new customers) / customers at start; empty (shown blank)
  when there are no customers at start. Worked example: 100 at start, 90 at end of which 10 new:
  (90 - 10) / 100 = 80 %.
- churn rate = 1 - retention rate = lost customers / customers at start

Refunds are not purchases: they never make a customer active. In the first W months of the data
the start window reaches back before the first order, so customers at start are undercounted
(``full_window`` is False for those periods).

Cohort method. Retention rate = share of each cohort's customers (customers whose first purchase
falls in the period) who purchase again in the next period (period index 1 of the cohort
analysis), averaged over the cohorts that reached the next period, weighted by cohort size:
all retained customers / all customers of those cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kc_sheets.analyses.contract import Analysis, BlockSpec, Col, options_of
from kc_sheets.analyses.cohorts import MONTHS_PER, CohortCells, check_period, \
    cohort_cells, labels, periods_of, shared_cells, shared_months
from kc_sheets.analyses.cohorts import TEXTS as COHORT_TEXTS
from kc_sheets.analyses.cohorts import WEIGHTED_AVERAGE
from kc_sheets.analyses.labels import Label, objects
from kc_sheets.analyses.periods import Period
from kc_sheets.analyses.reduction import CustomerMonths, customer_months

TEXTS = {
    **COHORT_TEXTS,
    "retention.method.basic": ("Méthode simple", "Basic method"),
    "retention.method.cohort": ("Méthode des cohortes", "Cohort method"),
}

DEFAULT_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class RetentionOptions:
    """The period of the basic method's rows and its activity window, in whole months."""

    period: Period = "month"
    window_months: int = DEFAULT_WINDOW_MONTHS

    def __post_init__(self) -> None:
        check_period(self.period)
        if int(self.window_months) != self.window_months or self.window_months < 1:
            raise ValueError(f"window_months must be a whole number >= 1, not "
                             f"{self.window_months!r}")
BASIC_COLUMNS = (
    "period", "period_start", "period_end", "customers_at_start", "customers_at_end",
    "new_customers", "first_time_customers", "reactivated_customers", "retained_customers",
    "lost_customers", "retention_rate", "churn_rate", "full_window",
)
COHORT_COLUMNS = ("cohort", "cohort_start", "cohort_size", "retained_customers", "retention_rate")
SUMMARY_COLUMNS = ("method", "label", "customers", "retained_customers", "retention_rate")


def basic_retention_rate(customers_at_start, customers_at_end, new_customers):
    """(customers at end - new customers) / customers at start; NaN when there is no customer at
    start. Works on numbers and on arrays.

    >>> basic_retention_rate(100, 90, 10)
    0.8
    >>> basic_retention_rate(0, 5, 5)
    nan
    """
    start = np.asarray(customers_at_start, dtype=float)
    kept = np.asarray(customers_at_end, dtype=float) - np.asarray(new_customers, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(start > 0, kept / np.where(start > 0, start, 1), np.nan)
    return float(rate) if rate.ndim == 0 else rate


def basic_by_period(orders: pd.DataFrame, period: Period = "month",
                    window_months: int = DEFAULT_WINDOW_MONTHS,
                    months: CustomerMonths | None = None) -> pd.DataFrame:
    """One row per period (first to last period with an order): the basic method's counts.

    ``months``: the result of ``customer_months(orders)``, when already computed.

    >>> orders = pd.DataFrame({"customer_id": ["x", "y", "x", "z"], "order_date":
    ...     pd.to_datetime(["2023-03-01", "2023-05-01", "2024-02-01", "2024-06-01"]),
    ...     "amount": 10.0, "is_refund": False})
    >>> table = basic_by_period(orders, "year")
    >>> table[["period", "customers_at_start", "customers_at_end", "new_customers",
    ...        "retention_rate"]].values.tolist()
    [['2023', 0, 2, 2, nan], ['2024', 2, 2, 1, 0.5]]
    """
    period = check_period(period)
    length, window = MONTHS_PER[period], int(window_months)
    if window < 1:
        raise ValueError(f"window_months must be at least 1, not {window}")
    months = customer_months(orders) if months is None else months
    if len(months.month) == 0:
        return pd.DataFrame({c: [] for c in BASIC_COLUMNS})
    first = int(months.month.min()) // length
    count = int(months.month.max()) // length - first + 1
    span = count * length                    # months from the first period's start to the end
    bought = months.purchased
    # distinct (customer, month) among purchases, sorted by customer then month
    pairs = np.sort(months.customer[bought] * span + months.month[bought] - first * length)
    customer, m = np.divmod(pairs, span)
    same = np.zeros(len(pairs), dtype=bool)
    same[:-1] = customer[1:] == customer[:-1]
    following = np.where(same, np.roll(m, -1), span + window + length)   # next purchase month

    def active(window_length: int) -> np.ndarray:
        """Customers with a purchase in the window_length months before month x, x = 0..span."""
        start = m + 1                                        # a purchase covers from next month
        stop = np.minimum(np.minimum(m + window_length, following) + 1, span + 1)
        diff = np.bincount(start, minlength=span + 2) - np.bincount(stop, minlength=span + 2)
        return np.cumsum(diff)[:span + 1]

    starts = np.arange(count) * length
    covered = active(window)
    at_start, at_end = covered[starts], covered[starts + length]
    if length <= window:        # both windows make one run of window + length months
        retained = at_start + at_end - active(window + length)[starts + length]
    else:                       # disjoint windows: each purchase month lies in at most one
        retained = _retained_disjoint(customer, m, length, window, count)
    first_time = _first_time(customer, m, same, length, window, count, months.customers)
    new = at_end - retained
    periods = periods_of(first, count, period)
    out = pd.DataFrame({
        "period": objects(labels(periods, period)),
        "period_start": periods.start_time.date,
        "period_end": periods.end_time.date,
        "customers_at_start": at_start,
        "customers_at_end": at_end,
        "new_customers": new,
        "first_time_customers": first_time,
        "reactivated_customers": new - first_time,
        "retained_customers": retained,
        "lost_customers": at_start - retained,
        "retention_rate": basic_retention_rate(at_start, at_end, new),
    }).astype({c: "int64" for c in BASIC_COLUMNS[3:10]})
    out["churn_rate"] = 1 - out["retention_rate"]
    out["full_window"] = starts - window >= int(months.month.min()) - first * length
    return out[list(BASIC_COLUMNS)]


def _retained_disjoint(customer, m, length, window, count) -> np.ndarray:
    """Retained customers when the period is longer than the window (windows do not overlap).

    The window ending at the start of period j covers months [j*length - window, j*length - 1];
    a customer is retained in period p when active in window p and in window p + 1.
    """
    j = m // length + 1
    inside = j * length - m <= window
    width = count + 2
    keys = np.sort(pd.unique(customer[inside] * width + j[inside]))
    follows = np.diff(keys) == 1                   # j and j + 1 for one customer
    return np.bincount(keys[:-1][follows] % width, minlength=count + 1)[:count]


def _first_time(customer, m, same, length, window, count, customers) -> np.ndarray:
    """Per period: customers at end whose first purchase ever falls in the period."""
    starts = np.ones(len(m), dtype=bool)
    starts[1:] = ~same[:-1]
    first_period = np.full(customers, -1, dtype=np.int64)
    first_period[customer[starts]] = m[starts] // length
    own = first_period[customer]
    counted = (m // length == own) & (m >= (own + 1) * length - window)
    is_new = np.zeros(customers, dtype=bool)
    is_new[customer[counted]] = True
    return np.bincount(first_period[is_new], minlength=count)


def cohort_method(orders: pd.DataFrame | CustomerMonths, period: Period = "month",
                  cells: CohortCells | None = None) -> pd.DataFrame:
    """Per cohort that reached the next period: its size, the customers who purchased again in
    the next period, their share; then the weighted average row (all retained / all customers).

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y", "z"], "order_date":
    ...     pd.to_datetime(["2024-01-03", "2024-02-01", "2024-01-05", "2024-02-05"]),
    ...     "amount": 10.0, "is_refund": False})
    >>> cohort_method(orders)[["cohort", "cohort_size", "retained_customers",
    ...                        "retention_rate"]].values.tolist()[0]
    ['2024-01', 2, 1, 0.5]
    """
    cells = cohort_cells(orders, check_period(period)) if cells is None else cells
    n = cells.periods
    rows = np.flatnonzero(cells.cohorts < n - 1)                 # reached index 1
    cohorts = cells.cohorts[rows]
    periods = periods_of(cells.first, n, cells.period)
    size = cells.cohort_size[rows].astype(np.int64)
    retained = cells.active[rows, 1].astype(np.int64) if len(rows) else size * 0
    names = labels(periods, cells.period)
    out = pd.DataFrame({
        "cohort": objects([names[c] for c in cohorts] + [WEIGHTED_AVERAGE]),
        "cohort_start": [periods[c].start_time.date() for c in cohorts] + [None],
        "cohort_size": np.append(size, size.sum()),
        "retained_customers": np.append(retained, retained.sum()),
    })
    out["retention_rate"] = basic_retention_rate(out["cohort_size"], out["retained_customers"], 0)
    return out[list(COHORT_COLUMNS)]


def summary(basic: pd.DataFrame, cohorts: pd.DataFrame) -> pd.DataFrame:
    """One row per method: the customers it starts from, those retained, the rate.

    Basic method: all periods together (sum of retained customers / sum of customers at start).
    Cohort method: the weighted average row of ``cohort_method``.
    """
    base = int(basic["customers_at_start"].sum())
    kept = int(basic["retained_customers"].sum())
    last = cohorts.iloc[-1]
    out = pd.DataFrame({
        "method": ["basic", "cohort"],
        "label": [Label("retention.method.basic"), Label("retention.method.cohort")],
        "customers": [base, int(last["cohort_size"])],
        "retained_customers": [kept, int(last["retained_customers"])],
    })
    out["retention_rate"] = basic_retention_rate(out["customers"], out["retained_customers"], 0)
    return out[list(SUMMARY_COLUMNS)]


def analyse(ctx) -> dict[str, pd.DataFrame]:
    """The retention blocks: the basic method by period, the cohort method, both summed up."""
    orders = ctx.ingested.orders
    options = options_of(ctx, RetentionOptions)
    period, window = options.period, options.window_months
    months = shared_months(ctx)                    # shared with the cohorts and churn analyses
    basic = basic_by_period(orders, period, window, months)
    cohorts = cohort_method(months, period, shared_cells(ctx, period))
    return {
        "retention.basic_by_period": basic,
        "retention.cohort_method": cohorts,
        "retention.summary": summary(basic, cohorts),
    }


# The block contract (docs/blocks.md is generated from it)
BLOCKS = (
    BlockSpec('retention.basic_by_period',
        (Col('period', 'period label'),
         Col('period_start', 'first and last day of the period (dates)'),
         Col('period_end', 'first and last day of the period (dates)'),
         Col('customers_at_start', "customers with a purchase in the W months before the period's first day"),
         Col('customers_at_end', "customers with a purchase in the W months up to the period's last day"),
         Col('new_customers', ('customers at end who were not customers at start: `first_time_customers + '
              'reactivated_customers`')),
         Col('first_time_customers', 'of those, customers whose first purchase ever falls in the period'),
         Col('reactivated_customers', 'of those, customers who had bought before, lapsed and came back'),
         Col('retained_customers', '`customers_at_end - new_customers` (customers both at start and at end)'),
         Col('lost_customers', '`customers_at_start - retained_customers`'),
         Col('retention_rate', ('`(customers_at_end - new_customers) / customers_at_start` (empty when no '
              'customer at start); e.g. 100 at start, 90 at end of which 10 new: 80 %')),
         Col('churn_rate', '`1 - retention_rate` = `lost_customers / customers_at_start`'),
         Col('full_window', 'false in the first W months of the data, where customers at start are undercounted'),),
        about=('One row per period (Settings: month, quarter or year) from the first to the last '
         'period with an order. A customer "at" a date is someone with a purchase in the W '
         'months (Settings, default 12) that end the day before it; refunds never make a '
         'customer active.'),
    ),
    BlockSpec('retention.cohort_method',
        (Col('cohort', 'cohort period label and first day (empty on the last row)'),
         Col('cohort_start', 'cohort period label and first day (empty on the last row)'),
         Col('cohort_size', 'customers of the cohort (last row: of all these cohorts)'),
         Col('retained_customers', 'of those, customers who purchased again in the next period'),
         Col('retention_rate', '`retained_customers / cohort_size`; last row: all retained / all customers'),),
        about=('One row per cohort (customers whose first purchase falls in the period) that has '
         'reached the next period, then a "Weighted average" row.'),
    ),
    BlockSpec('retention.summary',
        (Col('method', '`basic` or `cohort` (code, name in the chosen language)'),
         Col('label', '`basic` or `cohort` (code, name in the chosen language)'),
         Col('customers', ('basic: sum of `customers_at_start` over all periods; cohort: customers of the '
              'cohorts that reached the next period')),
         Col('retained_customers', ('basic: sum of `retained_customers` over all periods; cohort: those who '
              'purchased again in the next period')),
         Col('retention_rate', '`retained_customers / customers`'),),
        about='One row per method.',
        notes=('`churn.layer_cake_by_year` holds the same figures one row per year (`year`), one '
         'column per cohort (named after it): the data of the stacked column chart in the '
         'workbooks.'),
    ),
)

ANALYSIS = Analysis("retention", analyse, BLOCKS, options=(RetentionOptions,), texts=TEXTS)
