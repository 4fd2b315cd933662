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

import numpy as np
import pandas as pd

from kc_sheets.analyses.periods import Period, period_index, period_label, period_range

BY_PERIOD_COLUMNS = (
    "period", "period_start", "orders", "new_customers", "returning_customers",
    "first_purchase_revenue", "repeat_revenue", "revenue", "first_purchase_share",
    "repeat_share", "refunds", "net_revenue",
)


def mark_first_purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchases (refunds left out) sorted by customer and date, with ``is_first``.

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> mark_first_purchases(orders)[["order_id", "is_first"]].values.tolist()
    [['b', True], ['a', False], ['c', True]]
    """
    purchases = orders.loc[~orders["is_refund"]]
    purchases = purchases.sort_values(["customer_id", "order_date", "first_row"], kind="stable")
    first = ~purchases["customer_id"].duplicated(keep="first")
    return purchases.assign(is_first=first.to_numpy())


def by_period(orders: pd.DataFrame, period: Period = "month", lang: str = "fr") -> pd.DataFrame:
    """One row per period (gaps included) with first vs repeat revenue and customer counts.

    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-01", "2024-02-05"]),
    ...     "amount": [10.0, 20.0, 5.0], "first_row": [2, 3, 4], "is_refund": False})
    >>> by_period(orders)[["period", "first_purchase_revenue", "repeat_revenue"]].values.tolist()
    [['2024-01', 10.0, 0.0], ['2024-02', 5.0, 20.0]]
    """
    purchases = mark_first_purchases(orders)
    refunds = orders.loc[orders["is_refund"]]
    all_periods = period_index(orders["order_date"], period)
    index = period_range(all_periods, period)
    p = period_index(purchases["order_date"], period)
    first = purchases["is_first"].to_numpy()
    amount = purchases["amount"].to_numpy()
    frame = pd.DataFrame({"p": p, "first": first, "amount": amount,
                          "customer_id": purchases["customer_id"].to_numpy()})
    grouped = frame.groupby("p", sort=True)
    out = pd.DataFrame(index=index)
    out["orders"] = grouped.size()
    out["new_customers"] = frame[frame["first"]].groupby("p")["customer_id"].nunique()
    out["returning_customers"] = frame[~frame["first"]].groupby("p")["customer_id"].nunique()
    out["first_purchase_revenue"] = frame[frame["first"]].groupby("p")["amount"].sum()
    out["repeat_revenue"] = frame[~frame["first"]].groupby("p")["amount"].sum()
    out["refunds"] = refunds.groupby(period_index(refunds["order_date"], period))["amount"].sum() \
        if len(refunds) else 0.0
    out = out.fillna(0)
    for key in ("orders", "new_customers", "returning_customers"):
        out[key] = out[key].astype("int64")
    for key in ("first_purchase_revenue", "repeat_revenue", "refunds"):
        out[key] = out[key].astype(float).round(2)
    _derive(out)
    out.insert(0, "period", [period_label(q, period, lang) for q in out.index])
    out.insert(1, "period_start", out.index.to_timestamp().date if len(out) else [])
    return out.reset_index(drop=True)[list(BY_PERIOD_COLUMNS)]


def totals(orders: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The totals row: sums over all periods; customers counted once each."""
    purchases = mark_first_purchases(orders)
    first = purchases["is_first"]
    out = pd.DataFrame({
        "orders": [len(purchases)],
        "new_customers": [int(purchases.loc[first, "customer_id"].nunique())],
        "returning_customers": [int(purchases.loc[~first, "customer_id"].nunique())],
        "first_purchase_revenue": [round(float(purchases.loc[first, "amount"].sum()), 2)],
        "repeat_revenue": [round(float(purchases.loc[~first, "amount"].sum()), 2)],
        "refunds": [round(float(orders.loc[orders["is_refund"], "amount"].sum()), 2)],
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
    return {
        "first_vs_repeat.by_period": by_period(orders, ctx.settings.period, ctx.lang),
        "first_vs_repeat.totals": totals(orders, ctx.lang),
    }
