"""Retention rate (kc_sheets.analyses.retention): the worked example, orders you can check on
paper, random orders against a plain set-based reference (hypothesis), and CDNOW."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.analyses import retention
from kc_sheets.analyses.retention import BASIC_COLUMNS, COHORT_COLUMNS, SUMMARY_COLUMNS, \
    basic_by_period, basic_retention_rate, cohort_method, summary
from kc_sheets.errors import KcError
from kc_sheets.settings.options import window_months
from tests.support.cohorts import TWELVE, context, load_cdnow, random_orders
from tests.support.orders import make_orders
from tests.support.labels import analysed, words

nan = np.nan


def test_worked_example_formula():
    # 100 customers at start, 90 at end of which 10 are new: (90 - 10) / 100 = 80 %
    assert basic_retention_rate(100, 90, 10) == 0.8
    assert np.isnan(basic_retention_rate(0, 12, 12))          # no customer at start: blank
    np.testing.assert_array_equal(basic_retention_rate([100, 0], [90, 3], [10, 3]), [0.8, nan])


def worked_example_orders() -> pd.DataFrame:
    """100 customers buy in 2023; 80 of them buy again in 2024, with 5 first-time buyers and 5
    customers who last bought in 2021 (nobody bought in 2022)."""
    rows = [(f"a{i}", "2023-06-15", f"K{i:03d}", 50.0) for i in range(100)]
    rows += [(f"b{i}", "2024-03-10", f"K{i:03d}", 60.0) for i in range(80)]
    rows += [(f"n{i}", "2024-09-01", f"N{i}", 30.0) for i in range(5)]
    rows += [(f"o{i}", "2021-02-01", f"R{i}", 20.0) for i in range(5)]
    rows += [(f"r{i}", "2024-11-30", f"R{i}", 25.0) for i in range(5)]
    return make_orders([(*row, i + 2) for i, row in enumerate(rows)])


def test_worked_example_on_orders():
    table = words(basic_by_period(worked_example_orders(), "year", 12), "en")
    year = table.set_index("period").loc["2024"]
    assert (year["customers_at_start"], year["customers_at_end"], year["new_customers"]) == \
        (100, 90, 10)
    assert (year["first_time_customers"], year["reactivated_customers"]) == (5, 5)
    assert (year["retained_customers"], year["lost_customers"]) == (80, 20)
    assert year["retention_rate"] == 0.8 and year["churn_rate"] == pytest.approx(0.2)
    assert table["period"].tolist() == ["2021", "2022", "2023", "2024"]   # 2022 kept, no orders
    assert table["customers_at_start"].tolist() == [0, 5, 0, 100]
    assert table["retention_rate"].tolist()[1] == 0.0
    assert np.isnan(table["retention_rate"].tolist()[2])           # nobody bought in 2022


# TWELVE (see tests/test_cohorts.py): purchases by month, refunds left out:
# January A, B; February C, D; March A, C (C's order is 0.00: still a purchase); April B, E.
def test_basic_two_month_window_on_paper():
    table = words(basic_by_period(TWELVE, "month", 2), "en")
    assert tuple(table.columns) == BASIC_COLUMNS
    assert table["period_start"].tolist()[2] == pd.Timestamp("2024-03-01").date()
    assert table["period_end"].tolist()[2] == pd.Timestamp("2024-03-31").date()
    counts = ["customers_at_start", "customers_at_end", "new_customers", "first_time_customers",
              "reactivated_customers", "retained_customers", "lost_customers"]
    assert table[["period", *counts]].values.tolist() == [
        ["2024-01", 0, 2, 2, 2, 0, 0, 0],       # start window Nov-Dec 2023: nobody
        ["2024-02", 2, 4, 2, 2, 0, 2, 0],       # A, B -> A, B, C, D
        ["2024-03", 4, 3, 0, 0, 0, 3, 1],       # window Feb-Mar: B has only a refund: lost
        ["2024-04", 3, 4, 2, 1, 1, 2, 1]]       # B comes back (reactivated), E is new; D lost
    np.testing.assert_allclose(table["retention_rate"], [nan, 1.0, 0.75, 2 / 3])
    np.testing.assert_allclose(table["churn_rate"], [nan, 0.0, 0.25, 1 / 3])
    assert table["full_window"].tolist() == [False, False, True, True]


def test_basic_default_window_on_paper():
    table = words(basic_by_period(TWELVE, "month"), "en")              # 12 months
    assert table[["customers_at_start", "customers_at_end", "new_customers"]].values.tolist() == \
        [[0, 2, 2], [2, 4, 2], [4, 4, 0], [4, 5, 1]]
    assert table["full_window"].tolist() == [False] * 4


def test_basic_quarters_window_shorter_than_period():
    # quarters with a 2-month window: Q1's end window is Feb-Mar (A, C, D; B only bought in
    # January); Q2's end window is May-June: nobody
    table = words(basic_by_period(TWELVE, "quarter", 2), "fr")
    assert table["period"].tolist() == ["2024-T1", "2024-T2"]
    assert table[["customers_at_start", "customers_at_end", "new_customers",
                  "first_time_customers", "retained_customers", "lost_customers"]
                 ].values.tolist() == [[0, 3, 3, 3, 0, 0], [3, 0, 0, 0, 0, 3]]
    np.testing.assert_allclose(table["retention_rate"], [nan, 0.0])


def test_cohort_method_on_paper():
    table = words(cohort_method(TWELVE, "month"), "en")
    assert tuple(table.columns) == COHORT_COLUMNS
    # January {A, B}: nobody buys in February (B's refund is not a purchase); February {C, D}:
    # C's 0.00 order in March; April's cohort has no next month yet
    assert table[["cohort", "cohort_size", "retained_customers"]].values.tolist() == [
        ["2024-01", 2, 0], ["2024-02", 2, 1], ["Weighted average", 4, 1]]
    assert table["retention_rate"].tolist() == [0.0, 0.5, 0.25]
    assert table["cohort_start"].iloc[-1] is None
    quarters = words(cohort_method(TWELVE, "quarter"), "en")
    assert quarters[["cohort_size", "retained_customers", "retention_rate"]].values.tolist() == \
        [[4, 1, 0.25], [4, 1, 0.25]]


def test_summary_and_analyse():
    blocks = analysed(retention, context(TWELVE, period="month", retention_window_months=2))
    assert list(blocks) == ["retention.basic_by_period", "retention.cohort_method",
                            "retention.summary"]
    result = blocks["retention.summary"]
    assert tuple(result.columns) == SUMMARY_COLUMNS
    assert result[["method", "label", "customers", "retained_customers"]].values.tolist() == [
        ["basic", "Basic method", 9, 7], ["cohort", "Cohort method", 4, 1]]
    assert result["retention_rate"].tolist() == [7 / 9, 0.25]
    assert words(summary(blocks["retention.basic_by_period"], blocks["retention.cohort_method"]), "fr")["label"].tolist() == ["Méthode simple", "Méthode des cohortes"]
    default = analysed(retention, context(TWELVE))                       # month, 12 months
    pd.testing.assert_frame_equal(default["retention.basic_by_period"],
                                  words(basic_by_period(TWELVE, "month", 12), "en"))


def test_window_setting():
    assert window_months(context(TWELVE).settings) == 12
    assert window_months(context(TWELVE, retention_window_months="6").settings) == 6
    assert window_months(context(TWELVE, retention_window_months=24.0).settings) == 24
    assert window_months(context(TWELVE, retention_window_months="").settings) == 12
    for bad in ("zero", 0, "2.5", -3):
        with pytest.raises(KcError) as error:
            window_months(context(TWELVE, retention_window_months=bad).settings, "en")
        assert "whole number of months" in str(error.value)


# --- edge cases ------------------------------------------------------------------------------

def test_one_customer_one_order():
    blocks = analysed(retention, context(make_orders([("x", "2024-05-17", "A", 42.0, 2)])))
    basic = blocks["retention.basic_by_period"]
    assert basic[["period", "customers_at_start", "customers_at_end", "new_customers"]
                 ].values.tolist() == [["2024-05", 0, 1, 1]]
    assert np.isnan(basic["retention_rate"].iloc[0])                 # blank, not an error
    assert blocks["retention.cohort_method"][["cohort", "cohort_size"]].values.tolist() == \
        [["Weighted average", 0]]
    assert blocks["retention.summary"]["retention_rate"].isna().all()


def test_only_one_time_buyers():
    orders = make_orders([(f"o{i}", f"2024-0{i}-10", f"C{i}", 10.0, i + 1) for i in range(1, 5)])
    basic = words(basic_by_period(orders, "month", 1), "en")
    assert basic["customers_at_start"].tolist() == [0, 1, 1, 1]
    assert basic["retained_customers"].tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(basic["retention_rate"], [nan, 0.0, 0.0, 0.0])
    assert cohort_method(orders)["retention_rate"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_no_orders():
    blocks = analysed(retention, context(make_orders([])))
    assert blocks["retention.basic_by_period"].empty
    assert list(blocks["retention.basic_by_period"].columns) == list(BASIC_COLUMNS)
    assert blocks["retention.summary"]["customers"].tolist() == [0, 0]


# --- properties: the fast counts against plain sets -----------------------------------------

def reference(orders: pd.DataFrame, period: str, window: int) -> pd.DataFrame:
    """The basic method's counts with Python sets and calendar windows, one period at a time."""
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[period]
    purchases = orders[~orders["is_refund"]]
    first_purchase = purchases.groupby("customer_id")["order_date"].min()
    periods = pd.period_range(orders["order_date"].min(), orders["order_date"].max(), freq=freq)

    def customers_at(date: pd.Timestamp) -> set:
        since = date - pd.DateOffset(months=window)
        dates = purchases["order_date"]
        return set(purchases.loc[(dates >= since) & (dates < date), "customer_id"])

    rows = []
    for p in periods:
        start, end = p.start_time, (p + 1).start_time
        before, after = customers_at(start), customers_at(end)
        new = after - before
        rows.append({"customers_at_start": len(before), "customers_at_end": len(after),
                     "new_customers": len(new), "retained_customers": len(before & after),
                     "first_time_customers": sum(first_purchase[c] >= start for c in new)})
    return pd.DataFrame(rows)


@settings(max_examples=120, deadline=None)
@given(random_orders(), st.sampled_from(["month", "quarter", "year"]),
       st.sampled_from([1, 2, 3, 5, 12, 18]))
def test_properties(orders, period, window):
    table = words(basic_by_period(orders, period, window), "en")
    expected = reference(orders, period, window)
    pd.testing.assert_frame_equal(table[list(expected.columns)], expected, check_dtype=False)
    rates = table["retention_rate"].to_numpy(dtype=float)
    assert ((rates >= 0) & (rates <= 1) | np.isnan(rates)).all()
    assert (np.isnan(rates) == (table["customers_at_start"] == 0)).all()   # blank only there
    assert (table["new_customers"] == table["first_time_customers"]
            + table["reactivated_customers"]).all()
    assert (table["reactivated_customers"] >= 0).all()

    cohorts = words(cohort_method(orders, period), "en")
    rates = cohorts["retention_rate"].to_numpy(dtype=float)
    assert ((rates >= 0) & (rates <= 1) | np.isnan(rates)).all()
    average = cohorts.iloc[-1]
    assert average["cohort_size"] == cohorts["cohort_size"].iloc[:-1].sum()


# --- CDNOW -----------------------------------------------------------------------------------

def test_cdnow():
    orders = load_cdnow()
    blocks = analysed(retention, context(orders, period="quarter"))
    basic = blocks["retention.basic_by_period"]
    assert basic["period"].tolist() == ["1997-Q1", "1997-Q2", "1997-Q3", "1997-Q4", "1998-Q1",
                                        "1998-Q2"]
    # every customer was acquired in 1997-Q1: nobody new afterwards, except lapsed customers
    assert basic["first_time_customers"].tolist() == [23_570, 0, 0, 0, 0, 0]
    assert basic["customers_at_end"].iloc[0] == 23_570
    assert basic["customers_at_start"].iloc[1] == 23_570
    assert basic["retention_rate"].iloc[1:].between(0, 1).all()
    cohort = blocks["retention.cohort_method"]
    assert cohort["cohort_size"].tolist() == [23_570, 23_570]
    assert 0 < cohort["retention_rate"].iloc[-1] < 1
