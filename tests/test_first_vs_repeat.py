"""First vs repeat revenue (kc_sheets.analyses.first_vs_repeat) on orders you can add up on paper,
on random orders (hypothesis) and on the CDNOW master file."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.analyses import first_vs_repeat
from kc_sheets.analyses.first_vs_repeat import BY_PERIOD_COLUMNS, by_period, \
    find_first_purchases, mark_first_purchases, totals
from tests.support.cohorts import context
from tests.support.orders import cdnow_orders, make_orders
from tests.support.labels import analysed, words

SUMMED = ("orders", "new_customers", "first_purchase_revenue", "repeat_revenue", "revenue",
          "refunds", "net_revenue")




# Ten orders. January: A buys twice (100 then 30), B once (50). February: nothing.
# March: C buys twice on the same day, row 5 (20) before row 6 (80): the 20 is C's first
# purchase; B is refunded 50 and buys again (40). April: D's only order is a refund (-25);
# A buys again (60); E buys for the first time (15.50).
TEN = make_orders([
    ("o1", "2024-01-05", "A", 100.00, 2),
    ("o2", "2024-01-20", "B", 50.00, 3),
    ("o3", "2024-01-20", "A", 30.00, 4),
    ("o4", "2024-03-02", "C", 80.00, 6),
    ("o5", "2024-03-02", "C", 20.00, 5),
    ("o6", "2024-03-15", "B", -50.00, 7),
    ("o7", "2024-03-28", "B", 40.00, 8),
    ("o8", "2024-04-03", "D", -25.00, 9),
    ("o9", "2024-04-10", "A", 60.00, 10),
    ("o10", "2024-04-30", "E", 15.50, 11),
])


def row(frame: pd.DataFrame, period: str) -> dict:
    return frame.set_index("period").loc[period].to_dict()


def test_mark_first_purchases():
    marked = mark_first_purchases(TEN)
    assert "o6" not in set(marked["order_id"]) and "o8" not in set(marked["order_id"])
    firsts = marked.loc[marked["is_first"], "order_id"].tolist()
    assert firsts == ["o1", "o2", "o5", "o10"]                    # o5 wins the tie on row
    assert marked["order_id"].tolist() == ["o1", "o3", "o9", "o2", "o7", "o5", "o4", "o10"]


def test_by_month_on_paper():
    result = by_period(TEN, "month")
    assert tuple(result.columns) == BY_PERIOD_COLUMNS
    assert result["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert result["period_start"].tolist() == [pd.Timestamp(f"2024-0{m}-01").date()
                                               for m in (1, 2, 3, 4)]
    january = row(result, "2024-01")
    assert (january["orders"], january["new_customers"], january["returning_customers"]) == \
        (3, 2, 1)
    assert (january["first_purchase_revenue"], january["repeat_revenue"], january["revenue"]) == \
        (150.0, 30.0, 180.0)
    assert january["first_purchase_share"] == pytest.approx(150 / 180)
    assert january["repeat_share"] == pytest.approx(30 / 180)
    assert (january["refunds"], january["net_revenue"]) == (0.0, 180.0)

    february = row(result, "2024-02")                            # an empty month is a row of 0
    for key in SUMMED + ("returning_customers",):
        assert february[key] == 0, key
    assert np.isnan(february["first_purchase_share"]) and np.isnan(february["repeat_share"])

    march = row(result, "2024-03")
    assert (march["orders"], march["new_customers"], march["returning_customers"]) == (3, 1, 2)
    assert (march["first_purchase_revenue"], march["repeat_revenue"]) == (20.0, 120.0)
    assert (march["refunds"], march["net_revenue"]) == (-50.0, 90.0)

    april = row(result, "2024-04")                               # D's refund: not a customer
    assert (april["orders"], april["new_customers"], april["returning_customers"]) == (2, 1, 1)
    assert (april["first_purchase_revenue"], april["repeat_revenue"]) == (15.5, 60.0)
    assert (april["refunds"], april["net_revenue"]) == (-25.0, 50.5)
    assert april["repeat_share"] == pytest.approx(60 / 75.5)


def test_totals_on_paper():
    total = totals(TEN).iloc[0].to_dict()
    assert total["period"] == "Total" and total["period_start"] is None
    assert (total["orders"], total["new_customers"], total["returning_customers"]) == (8, 4, 3)
    assert (total["first_purchase_revenue"], total["repeat_revenue"], total["revenue"]) == \
        (185.5, 210.0, 395.5)
    assert (total["refunds"], total["net_revenue"]) == (-75.0, 320.5)
    assert total["repeat_share"] == pytest.approx(210 / 395.5)
    assert tuple(totals(TEN).columns) == BY_PERIOD_COLUMNS


def test_quarter_and_year_labels():
    quarters = words(by_period(TEN, "quarter"), "fr")
    assert quarters["period"].tolist() == ["2024-T1", "2024-T2"]
    assert words(by_period(TEN, "quarter"), "en")["period"].tolist() == ["2024-Q1", "2024-Q2"]
    q1 = row(quarters, "2024-T1")
    assert (q1["orders"], q1["new_customers"], q1["returning_customers"]) == (6, 3, 3)
    assert (q1["first_purchase_revenue"], q1["repeat_revenue"], q1["net_revenue"]) == \
        (170.0, 150.0, 270.0)
    year = words(by_period(TEN, "year"), "en")
    assert year["period"].tolist() == ["2024"]
    expected = totals(TEN).drop(columns=["period", "period_start"])
    pd.testing.assert_frame_equal(year.drop(columns=["period", "period_start"]), expected)


def test_row_order_does_not_matter():
    shuffled = TEN.sample(frac=1, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(by_period(shuffled), by_period(TEN))
    pd.testing.assert_frame_equal(totals(shuffled), totals(TEN))


def test_one_customer_one_order():
    orders = make_orders([("x", "2024-05-17", "A", 42.0, 2)])
    result = by_period(orders)
    assert len(result) == 1 and result["period"].tolist() == ["2024-05"]
    one = row(result, "2024-05")
    assert (one["orders"], one["new_customers"], one["returning_customers"]) == (1, 1, 0)
    assert (one["first_purchase_share"], one["repeat_share"], one["net_revenue"]) == \
        (1.0, 0.0, 42.0)


def test_one_period_equals_totals():
    orders = make_orders([("a", "2024-06-01", "A", 10.0, 2), ("b", "2024-06-02", "A", 5.0, 3),
                          ("c", "2024-06-30", "B", 7.25, 4), ("d", "2024-06-30", "B", -7.25, 5)])
    month = by_period(orders).drop(columns=["period", "period_start"])
    pd.testing.assert_frame_equal(month, totals(orders).drop(columns=["period", "period_start"]))
    assert month["net_revenue"].tolist() == [15.0]


def test_a_customer_whose_only_order_is_a_refund():
    orders = make_orders([("a", "2024-01-10", "A", 10.0, 2), ("r", "2024-03-05", "Z", -4.0, 3)])
    result = by_period(orders)
    assert result["period"].tolist() == ["2024-01", "2024-02", "2024-03"]  # refund month kept
    march = row(result, "2024-03")
    assert (march["orders"], march["new_customers"], march["refunds"], march["net_revenue"]) == \
        (0, 0, -4.0, -4.0)
    total = totals(orders).iloc[0]
    assert (total["new_customers"], total["orders"], total["net_revenue"]) == (1, 1, 6.0)


def test_no_orders():
    empty = make_orders([])
    assert by_period(empty).empty and list(by_period(empty).columns) == list(BY_PERIOD_COLUMNS)
    assert totals(empty)[list(SUMMED)].iloc[0].tolist() == [0] * len(SUMMED)


# --- properties on random orders ------------------------------------------------------------

ORDER = st.tuples(st.integers(0, 800),                         # day after 2023-01-01
                  st.sampled_from(["A", "B", "C", "D", "E", "00042", "42"]),
                  st.integers(-20_000, 50_000))                # cents


@st.composite
def random_orders(draw):
    rows = draw(st.lists(ORDER, min_size=1, max_size=40))
    position = draw(st.permutations(range(len(rows))))
    start = pd.Timestamp("2023-01-01")
    return make_orders([(f"o{i}", start + pd.Timedelta(days=day), customer, cents / 100,
                         position[i] + 2) for i, (day, customer, cents) in enumerate(rows)])


@settings(max_examples=150, deadline=None)
@given(random_orders(), st.sampled_from(["month", "quarter", "year"]))
def test_properties(orders, period):
    result = by_period(orders, period)
    total = totals(orders).iloc[0]
    purchases = orders[~orders["is_refund"]]
    revenue = (result["first_purchase_revenue"] + result["repeat_revenue"]).sum()
    assert revenue == pytest.approx(purchases["amount"].sum(), abs=1e-6)
    assert result["new_customers"].sum() == purchases["customer_id"].nunique()
    assert total["new_customers"] == purchases["customer_id"].nunique()
    assert result["orders"].sum() == len(purchases)
    for key in SUMMED:
        assert result[key].sum() == pytest.approx(total[key], abs=1e-6), key
    assert (result["returning_customers"] <= result["orders"] - result["new_customers"]).all()
    positive = result[result["revenue"] > 0]
    for key in ("first_purchase_share", "repeat_share"):
        assert positive[key].between(0, 1).all(), key
    assert np.allclose(positive["first_purchase_share"] + positive["repeat_share"], 1.0)
    assert result["period"].is_unique and result["period_start"].is_monotonic_increasing
    periods = pd.PeriodIndex(pd.DatetimeIndex(orders["order_date"]), freq=period[0].upper())
    assert len(result) == periods.max().ordinal - periods.min().ordinal + 1  # gaps included


# --- the fast marking (integer codes, one lexsort) against a plain reference ----------------

@st.composite
def crowded_orders(draw):
    """Few days and few customers, so that same-day ties and repeat purchases are common."""
    rows = draw(st.lists(st.tuples(st.integers(0, 70), st.sampled_from(["A", "B", "C", "00042",
                                                                        "42", "é"]),
                                   st.integers(-5_000, 20_000)), min_size=1, max_size=60))
    position = draw(st.permutations(range(len(rows))))
    start = pd.Timestamp("2024-01-25")
    return make_orders([(f"o{i}", start + pd.Timedelta(days=day), customer, cents / 100,
                         position[i] + 2) for i, (day, customer, cents) in enumerate(rows)])


def reference_first_positions(orders: pd.DataFrame) -> set[int]:
    """Row positions of each customer's first purchase: earliest (date, first_row), by hand."""
    best: dict[str, tuple] = {}
    for position, (customer, date, first_row, refund) in enumerate(zip(
            orders["customer_id"], orders["order_date"], orders["first_row"], orders["is_refund"])):
        if not refund and (customer not in best or (date, first_row) < best[customer][0]):
            best[customer] = ((date, first_row), position)
    return {position for _, position in best.values()}


@settings(max_examples=200, deadline=None)
@given(crowded_orders(), st.sampled_from(["month", "quarter", "year"]))
def test_fast_marking_equals_reference(orders, period):
    first = find_first_purchases(orders)
    positions = np.flatnonzero(first.is_purchase)[first.is_first]
    assert set(positions.tolist()) == reference_first_positions(orders)
    assert first.is_purchase.tolist() == (~orders["is_refund"]).tolist()

    # customer counts per period, recounted on the text ids
    result = by_period(orders, period)
    marked = orders.loc[first.is_purchase].assign(is_first=first.is_first)
    p = marked["order_date"].dt.to_period(period[0].upper()).dt.start_time.dt.strftime("%Y-%m-%d")
    start = result.set_index(result["period_start"].astype(str))
    for is_first, key in ((True, "new_customers"), (False, "returning_customers")):
        counts = marked[marked["is_first"] == is_first].groupby(p)["customer_id"].nunique()
        expected = counts.reindex(start.index, fill_value=0).to_numpy()
        assert start[key].to_numpy().tolist() == expected.tolist(), key

    # the marking computed once in analyse() gives the blocks by_period and totals give alone
    ctx = context(orders, "en", period=period)
    blocks = analysed(first_vs_repeat, ctx)
    pd.testing.assert_frame_equal(blocks["first_vs_repeat.by_period"], words(by_period(orders, period), "en"))
    pd.testing.assert_frame_equal(blocks["first_vs_repeat.totals"], words(totals(orders), "en"))


# --- CDNOW: 23,570 customers who all first bought in January-March 1997 ---------------------

@pytest.fixture(scope="module", name="cdnow_orders")
def cdnow_fixture() -> pd.DataFrame:
    return cdnow_orders()


def test_cdnow_by_month(cdnow_orders):
    result = words(by_period(cdnow_orders, "month"), "en")
    assert len(result) == 18 and result["period"].iloc[[0, -1]].tolist() == ["1997-01", "1998-06"]
    assert result["new_customers"].head(3).tolist() == [7_846, 8_476, 7_248]
    assert result["new_customers"].sum() == 23_570
    assert (result["new_customers"].iloc[3:] == 0).all()
    assert (result["first_purchase_revenue"].iloc[3:] == 0).all()
    assert (result["repeat_share"].iloc[3:] == 1).all()
    assert result["orders"].sum() == 69_659
    assert round(result["revenue"].sum(), 2) == 2_500_315.63
    total = words(totals(cdnow_orders), "en").iloc[0]
    assert (total["new_customers"], total["orders"], total["revenue"]) == \
        (23_570, 69_659, 2_500_315.63)
    quarters = words(by_period(cdnow_orders, "quarter"), "en")
    assert quarters["period"].tolist() == ["1997-Q1", "1997-Q2", "1997-Q3", "1997-Q4",
                                           "1998-Q1", "1998-Q2"]
    assert quarters["new_customers"].tolist() == [23_570, 0, 0, 0, 0, 0]
