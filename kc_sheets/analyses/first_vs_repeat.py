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
from kc_sheets.analyses.periods import Period, PeriodOptions, period_index, period_label, period_range

BY_PERIOD_COLUMNS = (
    "period", "period_start", "orders", "new_customers", "returning_customers",
    "first_purchase_revenue", "repeat_revenue", "revenue", "first_purchase_share",
    "repeat_share", "refunds", "net_revenue",
)


@dataclass(frozen=True)
class FirstPurchases:
    """Which orders are purchases and which purchase is each customer's first.

    Arrays are aligned with the purchases (refunds left out) in the orders' own row order, so
    nothing is reordered. ``customer`` holds integer codes (-1 for a missing id); ``customers`` is
    the number of distinct codes.
    """

    is_purchase: np.ndarray   # bool, one per order
    customer: np.ndarray      # int, one per purchase
    is_first: np.ndarray      # bool, one per purchase
    customers: int


def find_first_purchases(orders: pd.DataFrame) -> FirstPurchases:
    """Each customer's first purchase: earliest date, then first in Raw Data (``first_row``).

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> find_first_purchases(orders).is_first.tolist()
    [False, True, True]
    """
    is_purchase = ~orders["is_refund"].to_numpy(dtype=bool)
    customer, uniques = pd.factorize(orders["customer_id"].array[is_purchase])
    date = orders["order_date"].to_numpy(dtype="datetime64[ns]")[is_purchase].view(np.int64)
    first_row = orders["first_row"].to_numpy()[is_purchase]
    order = np.lexsort((first_row, date, customer))      # by customer, then date, then row
    sorted_customer = customer[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = sorted_customer[1:] != sorted_customer[:-1]
    is_first = np.zeros(len(order), dtype=bool)
    is_first[order[starts]] = True
    return FirstPurchases(is_purchase, customer, is_first, len(uniques))


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


def by_period(orders: pd.DataFrame, period: Period = "month", lang: str = "fr",
              first: FirstPurchases | None = None) -> pd.DataFrame:
    """One row per period (gaps included) with first vs repeat revenue and customer counts.

    ``first``: the result of ``find_first_purchases(orders)``, when already computed.

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> by_period(orders)[["period", "first_purchase_revenue", "repeat_revenue"]].values.tolist()
    [['2024-01', 10.0, 0.0], ['2024-02', 5.0, 20.0]]
    """
    first = find_first_purchases(orders) if first is None else first
    all_periods = period_index(orders["order_date"], period)
    index = period_range(all_periods, period)
    # period of each order as 0, 1, 2... from the first period
    p = all_periods.asi8 - index[0].ordinal if len(index) else np.zeros(0, dtype=np.int64)
    n = len(index)
    purchase_p = p[first.is_purchase]
    amount = orders["amount"].to_numpy(dtype=float)
    purchase_amount = amount[first.is_purchase]
    is_first, customer = first.is_first, first.customer
    has_id = customer >= 0                                 # a missing id is not a customer
    repeat = ~is_first & has_id
    # distinct (period, customer) pairs among repeat purchases, as one integer each
    pairs = pd.unique(purchase_p[repeat] * first.customers + customer[repeat])
    refund_p = p[~first.is_purchase]
    out = pd.DataFrame({
        "orders": np.bincount(purchase_p, minlength=n),
        "new_customers": np.bincount(purchase_p[is_first & has_id], minlength=n),  # one first each
        "returning_customers": np.bincount(pairs // max(first.customers, 1), minlength=n),
        "first_purchase_revenue": _sums(purchase_p[is_first], purchase_amount[is_first], n),
        "repeat_revenue": _sums(purchase_p[~is_first], purchase_amount[~is_first], n),
        "refunds": _sums(refund_p, amount[~first.is_purchase], n),
    }, index=index).astype({"orders": "int64", "new_customers": "int64",
                            "returning_customers": "int64"})
    _derive(out)
    out.insert(0, "period", [period_label(q, period, lang) for q in out.index])
    out.insert(1, "period_start", out.index.to_timestamp().date if len(out) else [])
    return out.reset_index(drop=True)[list(BY_PERIOD_COLUMNS)]


def _sums(p: np.ndarray, amount: np.ndarray, n: int) -> np.ndarray:
    """Sum of the amounts per period, rounded to cents."""
    return np.bincount(p, weights=amount, minlength=n).round(2)


def totals(orders: pd.DataFrame, lang: str = "fr",
           first: FirstPurchases | None = None) -> pd.DataFrame:
    """The totals row: sums over all periods; customers counted once each.

    ``first``: the result of ``find_first_purchases(orders)``, when already computed.
    """
    first = find_first_purchases(orders) if first is None else first
    amount = orders["amount"].to_numpy(dtype=float)
    purchase_amount = amount[first.is_purchase]
    is_first, customer = first.is_first, first.customer
    has_id = customer >= 0
    returning = np.zeros(first.customers, dtype=bool)
    returning[customer[~is_first & has_id]] = True
    out = pd.DataFrame({
        "orders": [int(first.is_purchase.sum())],
        "new_customers": [int((is_first & has_id).sum())],
        "returning_customers": [int(returning.sum())],
        "first_purchase_revenue": [round(float(purchase_amount[is_first].sum()), 2)],
        "repeat_revenue": [round(float(purchase_amount[~is_first].sum()), 2)],
        "refunds": [round(float(amount[~first.is_purchase].sum()), 2)],
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
    """The blocks of the first-vs-repeat template."""
    orders = ctx.ingested.orders
    first = find_first_purchases(orders)                   # once, for both blocks
    return {
        "first_vs_repeat.by_period": by_period(orders, options_of(ctx, PeriodOptions).period,
                                               ctx.lang, first),
        "first_vs_repeat.totals": totals(orders, ctx.lang, first),
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

ANALYSIS = Analysis("first_vs_repeat", analyse, BLOCKS, options=(PeriodOptions,))
