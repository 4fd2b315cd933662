"""The shared reduction: each of its tables equals a plain pandas GROUP BY of the orders (or
lines), and every analysis of a run computes from the one reduction of that run."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.analyses.reduction import reduce_orders, reduce_until, shared
from kc_sheets.ingest.transactions import RawTable, ingest
from kc_sheets.sample_data import generate
from kc_sheets.templates import all_templates
from tests.support.cohorts import TWELVE, context, random_orders


def reference_customers(orders: pd.DataFrame) -> pd.DataFrame:
    """GROUP BY customer with pandas, customers by first appearance."""
    purchases = orders[~orders["is_refund"]]
    refunds = orders[orders["is_refund"]]
    first = purchases.sort_values(["order_date", "first_row"]).groupby("customer_id").head(1)
    out = pd.DataFrame(index=pd.unique(orders["customer_id"]))
    out["orders"] = purchases.groupby("customer_id").size()
    out["revenue"] = purchases.groupby("customer_id")["amount"].sum()
    out["refund_orders"] = refunds.groupby("customer_id").size()
    out["refunds"] = refunds.groupby("customer_id")["amount"].sum()
    out["first_purchase"] = purchases.groupby("customer_id")["order_date"].min()
    out["last_purchase"] = purchases.groupby("customer_id")["order_date"].max()
    out["first_amount"] = first.set_index("customer_id")["amount"]
    out["first_row"] = first.set_index("customer_id")["first_row"]
    return out.fillna({"orders": 0, "revenue": 0.0, "refund_orders": 0, "refunds": 0.0,
                       "first_amount": 0.0, "first_row": -1})


@settings(max_examples=150, deadline=None)
@given(random_orders())
def test_customer_table_is_the_group_by(orders):
    table = reduce_orders(orders).customers
    expected = reference_customers(orders)
    assert table.ids.tolist() == expected.index.tolist()
    for column in ("orders", "refund_orders", "first_row"):
        assert getattr(table, column).tolist() == expected[column].astype(int).tolist(), column
    for column in ("revenue", "refunds", "first_amount"):
        np.testing.assert_allclose(getattr(table, column), expected[column], atol=1e-9)
    for column in ("first_purchase", "last_purchase"):
        assert pd.Series(getattr(table, column)).equals(
            expected[column].reset_index(drop=True).astype("datetime64[ns]")), column


@settings(max_examples=100, deadline=None)
@given(random_orders(), st.sampled_from([1, 3, 12]))
def test_customer_periods_are_the_group_by(orders, months_per_period):
    reduction = reduce_orders(orders)
    grain = reduction.months.by(months_per_period)
    ordinal = orders["order_date"].dt.to_period("M").astype("int64").to_numpy() \
        // months_per_period
    codes = pd.factorize(orders["customer_id"])[0]
    frame = orders.assign(code=codes, p=ordinal)
    expected = frame.groupby(["code", "p"]).agg(
        orders=("is_refund", lambda s: int((~s).sum())),
        revenue=("amount", lambda s: s[~frame.loc[s.index, "is_refund"]].sum()),
        refunds=("amount", lambda s: s[frame.loc[s.index, "is_refund"]].sum()))
    got = pd.DataFrame({"code": grain.customer, "p": grain.month, "orders": grain.orders,
                        "revenue": grain.revenue, "refunds": grain.refunds}
                       ).set_index(["code", "p"]).sort_index()
    assert got.index.tolist() == expected.index.tolist()
    assert got["orders"].tolist() == expected["orders"].tolist()
    np.testing.assert_allclose(got["revenue"], expected["revenue"], atol=1e-9)
    np.testing.assert_allclose(got["refunds"], expected["refunds"], atol=1e-9)


def test_reduce_until_is_the_reduction_of_the_orders_up_to_that_day():
    day = pd.Timestamp("2024-02-10")
    cut = reduce_until(TWELVE, day)
    alone = reduce_orders(TWELVE[TWELVE["order_date"] <= day])
    assert cut.customers.ids.tolist() == alone.customers.ids.tolist() == ["A", "B", "C"]
    assert cut.customers.orders.tolist() == alone.customers.orders.tolist() == [2, 1, 2]
    assert cut.customers.refund_orders.tolist() == [0, 1, 0]
    assert cut.order_count == 6
    full = reduce_orders(TWELVE)
    assert reduce_until(TWELVE, pd.Timestamp("2024-04-30"), full) is full   # the last day
    assert reduce_until(TWELVE, None, full) is full


def sample_ingested(rows: int = 3000):
    frame = generate(rows, lang="en")
    return ingest(RawTable(frame, tuple(str(c) for c in frame.columns)))


@pytest.mark.parametrize("key", ["product", "category"])
def test_customer_items_are_the_group_by_of_the_lines(key):
    ingested = sample_ingested()
    reduction = reduce_orders(ingested.orders, ingested.lines)
    assert reduction.has_items(key)
    items = reduction.items(key)
    assert reduction.items(key) is items                          # computed once
    orders, lines = ingested.orders, ingested.lines
    # the line's order: lines["order"] is its row in orders, same id, same customer
    assert (orders["order_id"].to_numpy()[lines["order"]] == lines["order_id"].to_numpy()).all()
    joined = lines.assign(is_refund=orders["is_refund"].to_numpy()[lines["order"]],
                          order_row=orders["first_row"].to_numpy()[lines["order"]])
    first_row = dict(zip(reduction.customers.ids, reduction.customers.first_row))
    joined["in_first"] = joined["order_row"] == joined["customer_id"].map(first_row)
    purchases = joined[~joined["is_refund"]]
    expected = pd.DataFrame({
        "orders": purchases.groupby(["customer_id", key])["order"].nunique(),
        "units": purchases.groupby(["customer_id", key])["quantity"].sum(),
        "revenue": purchases.groupby(["customer_id", key])["amount"].sum(),
        "in_first_order": purchases.groupby(["customer_id", key])["in_first"].any(),
    }).reindex(joined.groupby(["customer_id", key]).size().index)
    expected = expected.fillna({"orders": 0, "units": 0.0, "revenue": 0.0,
                                "in_first_order": False})
    got = pd.DataFrame({
        "customer_id": reduction.customers.ids.take(items.customer),
        key: items.names.take(items.item), "orders": items.orders, "units": items.units,
        "revenue": items.revenue, "in_first_order": items.in_first_order,
    }).set_index(["customer_id", key]).sort_index()
    expected = expected.sort_index()
    assert got.index.tolist() == expected.index.tolist()
    assert got["orders"].tolist() == expected["orders"].astype(int).tolist()
    assert got["in_first_order"].tolist() == expected["in_first_order"].astype(bool).tolist()
    np.testing.assert_allclose(got["units"], expected["units"], atol=1e-9)
    np.testing.assert_allclose(got["revenue"], expected["revenue"], atol=1e-6)
    assert items.in_first_order.any() and not items.in_first_order.all()


def test_items_need_the_column():
    reduction = reduce_orders(TWELVE)
    assert not reduction.has_items("product")
    with pytest.raises(ValueError, match="no 'product' column"):
        reduction.items("product")
    with pytest.raises(ValueError, match="key must be one of"):
        reduction.items("colour")


def test_every_analysis_of_a_run_computes_from_one_reduction(monkeypatch):
    """All templates' analyses, run on one context, reduce the orders once: the cache holds the
    reduction and what is derived from it, nothing else reads the orders to reduce them."""
    import kc_sheets.analyses.reduction as reduction_module

    ingested = sample_ingested(2000)
    calls = []
    real = reduction_module.reduce_orders
    monkeypatch.setattr(reduction_module, "reduce_orders",
                        lambda *a, **k: calls.append(len(a[0])) or real(*a, **k))
    ctx = context(ingested.orders, "fr")
    ctx.ingested = SimpleNamespace(orders=ingested.orders, lines=ingested.lines)
    ctx.cache = {}
    for template in all_templates():
        for analysis in template.analyses:
            analysis(ctx)
    assert calls == [len(ingested.orders)]
    assert shared(ctx) is ctx.cache["reduction"]
    assert set(ctx.cache) - {"reduction"} <= {
        key for key in ctx.cache if isinstance(key, tuple) and key[0] == "cohort_cells"}
