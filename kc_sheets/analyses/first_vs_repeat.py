"""First purchases vs repeat purchases: who brings the revenue, new or returning customers?

A customer's first purchase is their earliest order (ties on the same date: the order that comes
first in Raw Data). Every later order is a repeat purchase. Refunds (orders with a negative
amount) are not purchases: they reduce net revenue in the period of their date.

- first purchase revenue = sum of the amounts of first purchases in the period
- repeat revenue = sum of the amounts of the other purchases in the period
- repeat share = repeat revenue / (first purchase revenue + repeat revenue)
- new customers = customers whose first purchase falls in the period
- returning customers = customers with at least one repeat purchase in the period
- net revenue = first purchase revenue + repeat revenue + refunds
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kc_sheets.analyses.contract import Analysis, BlockSpec, Col, options_of
from kc_sheets.analyses.labels import objects
from kc_sheets.analyses.periods import TEXTS as PERIOD_TEXTS
from kc_sheets.analyses.periods import FREQ, MONTHS_PER, Period, PeriodOptions, check_period, \
    period_label
from kc_sheets.analyses.reduction import Reduction, month_ordinals, reduce_orders, reduction_of, \
    shared

BY_PERIOD_COLUMNS = (
    "period", "period_start", "orders", "new_customers", "returning_customers",
    "first_purchase_revenue", "repeat_revenue", "revenue", "first_purchase_share",
    "repeat_share", "refunds", "net_revenue",
)


@dataclass(frozen=True)
class FirstPurchases:
    """Which orders are purchases and which purchase is each customer's first.

    ``is_first`` is aligned with the purchases (refunds left out) in the orders' own row order,
    so nothing is reordered.
    """

    is_purchase: np.ndarray   # bool, one per order
    is_first: np.ndarray      # bool, one per purchase


def find_first_purchases(orders: pd.DataFrame) -> FirstPurchases:
    """Each customer's first purchase: earliest date, then first in Raw Data (``first_row``), as
    the reduction finds it (``CustomerTable.first_row``).

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> find_first_purchases(orders).is_first.tolist()
    [False, True, True]
    """
    is_purchase = ~orders["is_refund"].to_numpy(dtype=bool)
    codes = pd.factorize(orders["customer_id"].array)[0][is_purchase]  # the reduction's numbers
    first_row = reduce_orders(orders).customers.first_row
    row = orders["first_row"].to_numpy(dtype=np.int64)[is_purchase]
    is_first = (codes >= 0) & (row == first_row[np.maximum(codes, 0)]) if len(first_row) \
        else np.zeros(len(codes), dtype=bool)
    return FirstPurchases(is_purchase, is_first)


def mark_first_purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchases (refunds left out) sorted by customer and date, with ``is_first``.

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> mark_first_purchases(orders)[["order_id", "is_first"]].values.tolist()
    [['b', True], ['a', False], ['c', True]]
    """
    first = find_first_purchases(orders)
    purchases = orders.loc[first.is_purchase].assign(is_first=first.is_first)
    return purchases.sort_values(["customer_id", "order_date", "first_row"], kind="stable")


def by_period(orders: pd.DataFrame | Reduction, period: Period = "month") -> pd.DataFrame:
    """One row per period (gaps included) with first vs repeat revenue and customer counts,
    from the reduction (``orders`` may be one already): customers by period for the orders
    and revenues, each customer's first purchase for the new customers and first revenue.

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> by_period(orders)[["period", "first_purchase_revenue", "repeat_revenue"]].values.tolist()
    [['2024-01', 10.0, 0.0], ['2024-02', 5.0, 20.0]]
    """
    period = check_period(period)
    reduction = reduction_of(orders)
    grain = reduction.months.by(MONTHS_PER[period])        # customer x period
    customers = reduction.customers
    if len(grain.month) == 0:
        return pd.DataFrame({c: [] for c in BY_PERIOD_COLUMNS})
    low = int(grain.month.min())
    n = int(grain.month.max()) - low + 1
    p = grain.month - low
    buyer = customers.buyers
    first_p = np.full(len(customers), -1, dtype=np.int64)  # period of each first purchase
    first_p[buyer] = month_ordinals(customers.first_purchase[buyer]) // MONTHS_PER[period] - low
    known = grain.customer >= 0
    # purchases beyond the first one in the period: the customer returned in that period
    first_here = known & (first_p[np.maximum(grain.customer, 0)] == p)
    returning = known & (grain.orders - first_here > 0)
    first_revenue = np.bincount(first_p[buyer], weights=customers.first_amount[buyer],
                                minlength=n)
    index = pd.PeriodIndex.from_ordinals(np.arange(low, low + n), freq=FREQ[period])
    out = pd.DataFrame({
        "orders": np.bincount(p, weights=grain.orders, minlength=n).round().astype(np.int64),
        "new_customers": np.bincount(first_p[buyer], minlength=n).astype(np.int64),
        "returning_customers": np.bincount(p[returning], minlength=n).astype(np.int64),
        "first_purchase_revenue": first_revenue.round(2) + 0.0,
        "repeat_revenue": (np.bincount(p, weights=grain.revenue, minlength=n)
                           - first_revenue).round(2) + 0.0,
        "refunds": np.bincount(p, weights=grain.refunds, minlength=n).round(2) + 0.0,
    }, index=index)
    _derive(out)
    out.insert(0, "period", objects(period_label(q, period) for q in out.index))
    out.insert(1, "period_start", out.index.to_timestamp().date)
    return out.reset_index(drop=True)[list(BY_PERIOD_COLUMNS)]


def totals(orders: pd.DataFrame | Reduction) -> pd.DataFrame:
    """The totals row: sums over all periods; customers counted once each (from the reduction,
    which ``orders`` may be already)."""
    reduction = reduction_of(orders)
    customers, months = reduction.customers, reduction.months
    first_revenue = float(customers.first_amount.sum())
    out = pd.DataFrame({
        "orders": [int(months.orders.sum())],
        "new_customers": [int(customers.buyers.sum())],
        "returning_customers": [int((customers.orders >= 2).sum())],
        "first_purchase_revenue": [round(first_revenue, 2) + 0.0],
        "repeat_revenue": [round(float(months.revenue.sum()) - first_revenue, 2) + 0.0],
        "refunds": [round(float(months.refunds.sum()), 2) + 0.0],
    })
    _derive(out)
    out.insert(0, "period", ["Total"])
    out.insert(1, "period_start", [None])
    return out[list(BY_PERIOD_COLUMNS)]


def _derive(out: pd.DataFrame) -> None:
    revenue = out["first_purchase_revenue"] + out["repeat_revenue"]
    out["revenue"] = revenue.round(2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["first_purchase_share"] = np.where(revenue != 0, out["first_purchase_revenue"] / revenue,
                                               np.nan)
        out["repeat_share"] = np.where(revenue != 0, out["repeat_revenue"] / revenue, np.nan)
    out["net_revenue"] = (revenue + out["refunds"]).round(2)


def analyse(ctx) -> dict[str, pd.DataFrame]:
    """The blocks of the first-vs-repeat template, from the run's shared reduction."""
    reduction = shared(ctx)
    return {
        "first_vs_repeat.by_period": by_period(reduction, options_of(ctx, PeriodOptions).period),
        "first_vs_repeat.totals": totals(reduction),
    }


# The block contract (docs/blocks.md is generated from it)
BLOCKS = (
    BlockSpec('first_vs_repeat.by_period',
        (Col('period', 'period label'),
         Col('period_start', 'first day of the period (date)'),
         Col('orders', 'purchases in the period (refunds are not purchases)'),
         Col('new_customers', 'customers whose first purchase falls in the period'),
         Col('returning_customers', 'customers with at least one repeat purchase in the period'),
         Col('first_purchase_revenue', 'sum of the first purchases made in the period'),
         Col('repeat_revenue', 'sum of the other purchases made in the period'),
         Col('revenue', '`first_purchase_revenue + repeat_revenue`'),
         Col('first_purchase_share', '`first_purchase_revenue / revenue` (empty when revenue is 0)'),
         Col('repeat_share', '`repeat_revenue / revenue` (empty when revenue is 0)'),
         Col('refunds', 'sum of refunds and credit notes dated in the period (negative)'),
         Col('net_revenue', '`revenue + refunds`'),),
        about='One row per period from the first to the last order, empty periods included (as zeros).',
        notes=("A customer's first purchase is their earliest order; two orders on the same date are"
         ' ordered as they appear in Raw Data.'),
    ),
    BlockSpec('first_vs_repeat.totals',
        (Col('period'),
         Col('period_start'),
         Col('orders'),
         Col('new_customers'),
         Col('returning_customers'),
         Col('first_purchase_revenue'),
         Col('repeat_revenue'),
         Col('revenue'),
         Col('first_purchase_share'),
         Col('repeat_share'),
         Col('refunds'),
         Col('net_revenue'),),
        about=('The same columns over the whole span, one row with `period = "Total"`. Customers are'
         ' counted once each: `new_customers` is the number of purchasing customers, '
         '`returning_customers` the number of customers who bought at least twice.'),
    ),
)

ANALYSIS = Analysis("first_vs_repeat", analyse, BLOCKS, options=(PeriodOptions,),
                    texts=PERIOD_TEXTS)
