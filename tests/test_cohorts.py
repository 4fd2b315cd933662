"""Acquisition cohorts (kc_sheets.analyses.cohorts) on a dozen orders you can check on paper, on
random orders (hypothesis, against a plain pandas reference) and on the CDNOW master file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.analyses import cohorts
from kc_sheets.analyses.cohorts import LONG_COLUMNS, SUMMARY_COLUMNS, TRIANGLE_METRICS, \
    by_cohort_period, cohort_cells, customer_months, summary, triangle

from tests.support.cohorts import TWELVE, context, load_cdnow, random_orders
from tests.support.orders import make_orders  # noqa: F401 - used here and by test_churn, test_retention
from tests.support.labels import analysed, words

nan = np.nan


# Twelve orders in 2024. January: A buys twice (100, 30), B once (50) -> cohort January {A, B}.
# February: B is refunded 20 (not a purchase: B is not active in February); C buys twice on one
# day (80, 20), D once (70) -> cohort February {C, D}. March: A buys 60; C places a 0.00 order
# (a purchase: C is active); Z's only order is a refund of 10 (no cohort). April: B buys 40;
# E buys for the first time (15.50) -> cohort April {E}. Nobody is acquired in March.
TOTAL_NET = 435.5


def cell(table: pd.DataFrame, cohort: str, index: int) -> dict:
    rows = table[(table["cohort"] == cohort) & (table["period_index"] == index)]
    assert len(rows) == 1, (cohort, index)
    return rows.iloc[0].to_dict()


def test_customer_months_on_paper():
    months = customer_months(TWELVE)
    assert len(months.month) == 10        # A in January and C in February: one row for two orders
    frame = pd.DataFrame({"customer": months.customer, "month": months.month,
                          "orders": months.orders, "revenue": months.revenue,
                          "refunds": months.refunds})
    assert frame["orders"].sum() == 10 and frame["revenue"].sum() == 465.5
    assert frame["refunds"].sum() == -30.0 and months.customers == 6


def test_long_table_on_paper():
    table = words(by_cohort_period(TWELVE, "month"), "en")
    assert tuple(table.columns) == LONG_COLUMNS
    assert list(zip(table["cohort"], table["period_index"], table["period"])) == [
        ("2024-01", 0, "2024-01"), ("2024-01", 1, "2024-02"), ("2024-01", 2, "2024-03"),
        ("2024-01", 3, "2024-04"), ("2024-02", 0, "2024-02"), ("2024-02", 1, "2024-03"),
        ("2024-02", 2, "2024-04"), ("2024-04", 0, "2024-04")]   # no March cohort
    assert table["cohort_start"].iloc[0] == pd.Timestamp("2024-01-01").date()

    jan0 = cell(table, "2024-01", 0)
    assert (jan0["cohort_size"], jan0["new_customers"], jan0["active_customers"]) == (2, 2, 2)
    assert (jan0["orders"], jan0["revenue"], jan0["refunds"], jan0["net_revenue"]) == \
        (3, 180.0, 0.0, 180.0)
    assert (jan0["retention_rate"], jan0["net_revenue_per_customer"],
            jan0["cumulative_net_revenue_per_customer"]) == (1.0, 90.0, 90.0)
    assert (jan0["average_order_value"], jan0["orders_per_active_customer"]) == (60.0, 1.5)

    jan1 = cell(table, "2024-01", 1)               # only B's refund: nobody active
    assert (jan1["new_customers"], jan1["active_customers"], jan1["retention_rate"]) == (0, 0, 0)
    assert (jan1["orders"], jan1["revenue"], jan1["refunds"], jan1["net_revenue"]) == \
        (0, 0.0, -20.0, -20.0)
    assert (jan1["net_revenue_per_customer"], jan1["cumulative_net_revenue_per_customer"]) == \
        (-10.0, 80.0)
    assert np.isnan(jan1["average_order_value"]) and np.isnan(jan1["orders_per_active_customer"])

    jan2, jan3 = cell(table, "2024-01", 2), cell(table, "2024-01", 3)
    assert (jan2["active_customers"], jan2["retention_rate"], jan2["net_revenue"]) == (1, .5, 60.)
    assert jan2["cumulative_net_revenue_per_customer"] == 110.0
    assert (jan3["active_customers"], jan3["net_revenue"], jan3["average_order_value"]) == \
        (1, 40.0, 40.0)
    assert jan3["cumulative_net_revenue_per_customer"] == 130.0

    feb0 = cell(table, "2024-02", 0)
    assert (feb0["cohort_size"], feb0["active_customers"], feb0["orders"]) == (2, 2, 3)
    assert (feb0["net_revenue"], feb0["net_revenue_per_customer"]) == (170.0, 85.0)
    assert feb0["average_order_value"] == pytest.approx(170 / 3)
    feb1 = cell(table, "2024-02", 1)               # C's 0.00 order: active, basket of 0
    assert (feb1["active_customers"], feb1["retention_rate"], feb1["orders"]) == (1, 0.5, 1)
    assert (feb1["net_revenue"], feb1["average_order_value"]) == (0.0, 0.0)
    assert feb1["cumulative_net_revenue_per_customer"] == 85.0
    feb2 = cell(table, "2024-02", 2)
    assert (feb2["active_customers"], feb2["retention_rate"], feb2["net_revenue"]) == (0, 0., 0.)

    apr0 = cell(table, "2024-04", 0)
    assert (apr0["cohort_size"], apr0["net_revenue"], apr0["average_order_value"]) == \
        (1, 15.5, 15.5)
    # Z's refund belongs to no cohort: the cohorts hold all net revenue but that refund
    assert table["net_revenue"].sum() == TOTAL_NET + 10
    assert table["new_customers"].sum() == 5


def test_triangles_on_paper():
    table = words(by_cohort_period(TWELVE, "month"), "en")
    retention = words(triangle(table, "retention_rate"), "en")
    assert list(retention.columns) == ["cohort", "new_customers", "period_0", "period_1",
                                       "period_2", "period_3"]
    assert retention["cohort"].tolist() == ["2024-01", "2024-02", "2024-04", "Weighted average"]
    assert retention["new_customers"].tolist() == [2, 2, 1, 5]
    values = retention.drop(columns=["cohort", "new_customers"]).to_numpy()
    # periods not reached are NaN (shown blank), never 0
    np.testing.assert_array_equal(values, [[1, 0, .5, .5], [1, .5, 0, nan], [1, nan, nan, nan],
                                           [1, .25, .25, .5]])

    aov = words(triangle(table, "average_order_value"), "en").iloc[-1]
    assert aov["period_0"] == pytest.approx((2 * 60 + 2 * 170 / 3 + 15.5) / 5)
    assert (aov["period_1"], aov["period_2"], aov["period_3"]) == (0.0, 60.0, 40.0)  # NaN left out

    cumulative = words(triangle(table, "cumulative_net_revenue_per_customer"), "en")
    np.testing.assert_array_equal(cumulative["period_1"], [80.0, 85.0, nan, (2 * 80 + 2 * 85) / 4])
    assert words(triangle(table, "retention_rate"), "fr")["cohort"].iloc[-1] == "Moyenne pondérée"
    with pytest.raises(ValueError):
        words(triangle(table, "mystery"), "en")


def test_summary_on_paper():
    result = summary(words(by_cohort_period(TWELVE, "month"), "en"))
    assert tuple(result.columns) == SUMMARY_COLUMNS
    assert result[["cohort", "cohort_size", "first_period_net_revenue", "total_net_revenue",
                   "active_in_last_period"]].values.tolist() == [
        ["2024-01", 2, 180.0, 260.0, 1], ["2024-02", 2, 170.0, 170.0, 0],
        ["2024-04", 1, 15.5, 15.5, 1]]
    assert result["active_in_last_period_rate"].tolist() == [0.5, 0.0, 1.0]


def test_quarter_and_year():
    quarters = words(by_cohort_period(TWELVE, "quarter"), "fr")
    assert list(zip(quarters["cohort"], quarters["period_index"])) == \
        [("2024-T1", 0), ("2024-T1", 1), ("2024-T2", 0)]
    q1 = cell(quarters, "2024-T1", 0)
    assert (q1["cohort_size"], q1["orders"], q1["revenue"], q1["refunds"], q1["net_revenue"]) == \
        (4, 8, 410.0, -20.0, 390.0)
    q1_next = cell(quarters, "2024-T1", 1)                      # B comes back in April
    assert (q1_next["active_customers"], q1_next["retention_rate"]) == (1, 0.25)
    assert words(by_cohort_period(TWELVE, "quarter"), "en")["cohort"].iloc[0] == "2024-Q1"
    year = words(by_cohort_period(TWELVE, "year"), "en")
    assert year[["cohort", "cohort_size", "orders", "net_revenue"]].values.tolist() == \
        [["2024", 5, 10, 445.5]]


def test_analyse_blocks():
    blocks = analysed(cohorts, context(TWELVE, period="quarter"))
    assert list(blocks) == ["cohorts.by_cohort_period", *[f"cohorts.{m}" for m in
                                                          TRIANGLE_METRICS],
                            "cohorts.retention_curves", "cohorts.ltv_curves", "cohorts.summary"]
    curves = blocks["cohorts.retention_curves"]          # periods down, cohorts across
    triangle = blocks["cohorts.retention_rate"]
    assert curves["period"].tolist() == [f"Quarter {i}"                 # from period 1 on
                                         for i in range(1, triangle.shape[1] - 2)]
    assert curves.columns[-1] == triangle["cohort"].iloc[-1]          # the weighted average
    for cohort in curves.columns[1:-1]:
        row = triangle.set_index("cohort").loc[cohort].iloc[2:].to_numpy(dtype=float)
        np.testing.assert_array_equal(curves[cohort].to_numpy(), row)
    assert blocks["cohorts.by_cohort_period"]["cohort"].iloc[0] == "2024-Q1"
    default = analysed(cohorts, context(TWELVE))                   # no period in Settings: month
    pd.testing.assert_frame_equal(default["cohorts.by_cohort_period"],
                                  words(by_cohort_period(TWELVE, "month"), "en"))
    with pytest.raises(ValueError):
        analysed(cohorts, context(TWELVE, period="week"))


def test_row_order_does_not_matter():
    shuffled = TWELVE.sample(frac=1, random_state=5).reset_index(drop=True)
    pd.testing.assert_frame_equal(by_cohort_period(shuffled), by_cohort_period(TWELVE))


# --- edge cases ------------------------------------------------------------------------------

def test_one_customer_one_order():
    blocks = analysed(cohorts, context(make_orders([("x", "2024-05-17", "A", 42.0, 2)])))
    table = blocks["cohorts.by_cohort_period"]
    assert table[["cohort", "period_index", "cohort_size", "retention_rate", "net_revenue",
                  "average_order_value"]].values.tolist() == [["2024-05", 0, 1, 1.0, 42.0, 42.0]]
    assert blocks["cohorts.retention_rate"].values.tolist() == \
        [["2024-05", 1, 1.0], ["Weighted average", 1, 1.0]]
    assert blocks["cohorts.summary"]["active_in_last_period"].tolist() == [1]


def test_one_period():
    orders = make_orders([("a", "2024-06-01", "A", 10.0, 2), ("b", "2024-06-02", "A", 5.0, 3),
                          ("c", "2024-06-30", "B", 7.25, 4), ("d", "2024-06-30", "B", -7.25, 5)])
    table = by_cohort_period(orders)
    assert table[["cohort", "cohort_size", "active_customers", "orders", "revenue", "refunds",
                  "net_revenue", "average_order_value", "orders_per_active_customer"]
                 ].values.tolist() == [["2024-06", 2, 2, 3, 22.25, -7.25, 15.0, 22.25 / 3, 1.5]]


def test_only_one_time_buyers():
    orders = make_orders([(f"o{i}", f"2024-0{i}-10", f"C{i}", 10.0 * i, i + 1)
                          for i in range(1, 5)])
    table = by_cohort_period(orders)
    later = table[table["period_index"] > 0]
    assert len(later) == 6 and (later["active_customers"] == 0).all()
    assert (later["retention_rate"] == 0).all() and later["average_order_value"].isna().all()
    rates = words(triangle(table, "retention_rate"), "en")
    assert rates.iloc[-1].tolist()[1:] == [4, 1.0, 0.0, 0.0, 0.0]


def test_a_year_with_no_orders():
    orders = make_orders([("a", "2021-03-01", "A", 10.0, 2), ("b", "2023-03-01", "A", 5.0, 3),
                          ("c", "2023-04-01", "B", 7.0, 4)])
    table = by_cohort_period(orders, "year")
    assert list(zip(table["cohort"], table["period_index"], table["active_customers"],
                    table["net_revenue"])) == [("2021", 0, 1, 10.0), ("2021", 1, 0, 0.0),
                                               ("2021", 2, 1, 5.0), ("2023", 0, 1, 7.0)]


def test_refund_before_first_purchase_and_only_refunds():
    orders = make_orders([("r", "2024-01-10", "A", -5.0, 2), ("a", "2024-02-01", "A", 20.0, 3),
                          ("z", "2024-02-03", "Z", -3.0, 4)])
    table = by_cohort_period(orders)
    assert table[["cohort", "period_index", "cohort_size", "net_revenue"]].values.tolist() == \
        [["2024-02", 0, 1, 20.0]]
    cells = cohort_cells(orders)
    assert cells.outside.tolist() == [-5.0, -3.0] and cells.has_outside


def test_no_orders():
    blocks = analysed(cohorts, context(make_orders([])))
    assert blocks["cohorts.by_cohort_period"].empty
    assert list(blocks["cohorts.by_cohort_period"].columns) == list(LONG_COLUMNS)
    assert blocks["cohorts.retention_rate"].empty and blocks["cohorts.summary"].empty


# --- properties on random orders, against a plain pandas reference ---------------------------


LENGTH = {"month": 1, "quarter": 3, "year": 12}


def ordinals(dates: pd.Series, period: str) -> pd.Series:
    """Calendar periods as integers (pandas' Period ordinals), the slow obvious way."""
    return (dates.dt.year * 12 + dates.dt.month - 1 - 1970 * 12) // LENGTH[period]


def reference(orders: pd.DataFrame, period: str) -> pd.DataFrame:
    """Active customers and net revenue by (cohort, index) with cohort as a period ordinal."""
    frame = orders.assign(p=ordinals(orders["order_date"], period))
    cohort = frame[~frame["is_refund"]].groupby("customer_id")["p"].min().to_dict()
    frame = frame[frame["customer_id"].isin(list(cohort))]
    frame = frame.assign(c=[cohort[c] for c in frame["customer_id"]])
    frame = frame.assign(k=frame["p"] - frame["c"])
    frame = frame[frame["k"] >= 0]
    buying = frame[~frame["is_refund"]]
    return pd.DataFrame({
        "active_customers": buying.groupby(["c", "k"])["customer_id"].nunique(),
        "net_revenue": frame.groupby(["c", "k"])["amount"].sum(),
    }).fillna({"active_customers": 0})


@settings(max_examples=150, deadline=None)
@given(random_orders(), st.sampled_from(["month", "quarter", "year"]))
def test_properties(orders, period):
    table = words(by_cohort_period(orders, period), "en")
    purchases = orders[~orders["is_refund"]]
    first = table[table["period_index"] == 0]
    # cohort sizes add up to the purchasing customers; period 0 keeps 100 % of each cohort
    assert first["cohort_size"].sum() == purchases["customer_id"].nunique()
    assert table["new_customers"].sum() == purchases["customer_id"].nunique()
    assert (first["retention_rate"] == 1.0).all()
    assert table["retention_rate"].between(0, 1).all()
    assert table["orders"].sum() == len(purchases)
    assert table["revenue"].sum() == pytest.approx(purchases["amount"].sum(), abs=1e-6)
    cells = cohort_cells(orders, period)
    assert table["net_revenue"].sum() + cells.outside.sum() == \
        pytest.approx(orders["amount"].sum(), abs=1e-6)

    # the same numbers as the slow reference
    expected = reference(orders, period)
    got = table.assign(c=ordinals(pd.to_datetime(table["cohort_start"]), period).to_numpy()
                       ).set_index(["c", "period_index"])
    for (c, k), row in expected.iterrows():
        assert got.loc[(c, k), "active_customers"] == row["active_customers"]
        assert got.loc[(c, k), "net_revenue"] == pytest.approx(row["net_revenue"], abs=1e-6)
    assert got["active_customers"].sum() == expected["active_customers"].sum()

    # triangles: blank exactly where the period is not reached, weighted average row last
    if first.empty:                                   # only refunds: no cohort, empty triangles
        assert all(words(triangle(table, m), "en").empty for m in TRIANGLE_METRICS)
        return
    last = int(ordinals(orders["order_date"], period).max())
    for metric in TRIANGLE_METRICS:
        grid = words(triangle(table, metric), "en")
        assert grid["cohort"].iloc[-1] == "Weighted average"
        assert grid["new_customers"].iloc[-1] == first["cohort_size"].sum()
        values = grid.drop(columns=["cohort", "new_customers"]).to_numpy(dtype=float)[:-1]
        starts = ordinals(pd.to_datetime(first["cohort_start"]), period).to_numpy()
        for i, start in enumerate(starts):
            reached = last - start + 1
            if metric not in ("average_order_value", "orders_per_active_customer"):
                assert not np.isnan(values[i, :reached]).any(), metric
            assert np.isnan(values[i, reached:]).all(), metric
    average = words(triangle(table, "retention_rate"), "en").iloc[-1]
    assert average["period_0"] == 1.0
    rates = average.drop(["cohort", "new_customers"]).to_numpy(dtype=float)
    assert ((rates >= 0) & (rates <= 1)).all()


# --- CDNOW: three monthly cohorts, January-March 1997 ----------------------------------------

@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    return load_cdnow()


def test_cdnow_monthly_cohorts(cdnow_orders):
    blocks = analysed(cohorts, context(cdnow_orders, period="month"))
    result = blocks["cohorts.summary"]
    assert result["cohort"].tolist() == ["1997-01", "1997-02", "1997-03"]
    assert result["cohort_size"].tolist() == [7_846, 8_476, 7_248]
    assert result["cohort_size"].sum() == 23_570
    assert round(result["total_net_revenue"].sum(), 2) == 2_500_315.63
    table = blocks["cohorts.by_cohort_period"]
    assert table["orders"].sum() == 69_659
    assert table.groupby("cohort")["period_index"].max().tolist() == [17, 16, 15]  # to 1998-06
    retention = blocks["cohorts.retention_rate"]
    assert retention["cohort"].tolist() == ["1997-01", "1997-02", "1997-03", "Weighted average"]
    assert retention["period_0"].tolist() == [1.0] * 4
    assert np.isnan(retention.loc[1, "period_17"]) and np.isnan(retention.loc[2, "period_16"])
    assert not np.isnan(retention.loc[0, "period_17"])
    assert retention.iloc[:, 3:].stack().dropna().between(0, 1).all()
    quarters = analysed(cohorts, context(cdnow_orders, period="quarter"))["cohorts.summary"]
    assert quarters[["cohort", "cohort_size"]].values.tolist() == [["1997-Q1", 23_570]]
