"""Churn from revenue by yearly cohort (kc_sheets.analyses.churn) on thirteen orders you can
check on paper, on random orders (hypothesis) and on the CDNOW master file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from kc_sheets.analyses import churn
from kc_sheets.analyses.churn import BY_COHORT_YEAR_COLUMNS, LAYER_CAKE_COLUMNS, by_cohort_year, \
    customer_retention, layer_cake, net_revenue, net_revenue_retention, net_revenue_share
from tests.support.cohorts import context, load_cdnow, random_orders
from tests.support.orders import make_orders
from tests.support.labels import analysed, words

nan = np.nan

# Thirteen orders, 2020-2023, and not one order in 2022.
# A: 100 (2020), 50 (2021), 30 (2023)            -> cohort 2020
# B: 200 (2020), refund -20 (2021)               -> cohort 2020, not active in 2021
# C: 80 and 20 (2021), 60 (2023)                 -> cohort 2021
# D: 40 (2021)                                   -> cohort 2021
# F: refund -5 (Dec 2020), then 10 (Jan 2021)    -> cohort 2021; the refund predates it: outside
# E: 25 (2023)                                   -> cohort 2023
# Z: refund -15 (2023), never a purchase         -> outside cohorts
THIRTEEN = make_orders([
    ("o1", "2020-03-01", "A", 100.0, 2),
    ("o2", "2020-07-01", "B", 200.0, 3),
    ("o3", "2020-12-20", "F", -5.0, 4),
    ("o4", "2021-01-15", "F", 10.0, 5),
    ("o5", "2021-02-01", "B", -20.0, 6),
    ("o6", "2021-04-01", "C", 80.0, 7),
    ("o7", "2021-06-01", "A", 50.0, 8),
    ("o8", "2021-09-01", "C", 20.0, 9),
    ("o9", "2021-11-01", "D", 40.0, 10),
    ("o10", "2023-01-10", "A", 30.0, 11),
    ("o11", "2023-02-01", "Z", -15.0, 12),
    ("o12", "2023-05-01", "C", 60.0, 13),
    ("o13", "2023-08-01", "E", 25.0, 14),
])
YEARS = ["2020", "2021", "2022", "2023"]


def values(frame: pd.DataFrame) -> list[list]:
    return frame[["cohort", "new_customers", *YEARS]].values.tolist()


def assert_rows(frame: pd.DataFrame, expected: list[list]) -> None:
    assert frame["cohort"].tolist() == [row[0] for row in expected]
    assert frame["new_customers"].tolist() == [row[1] for row in expected]
    np.testing.assert_allclose(frame[YEARS].to_numpy(dtype=float),
                               np.array([row[2:] for row in expected], dtype=float))


def test_net_revenue_on_paper():
    table = words(net_revenue(THIRTEEN), "en")
    assert list(table.columns) == ["cohort", "new_customers", *YEARS, "total"]
    assert_rows(table, [
        ["2020", 2, 300.0, 30.0, 0.0, 30.0],             # 2022: a column of 0, not skipped
        ["2021", 3, nan, 150.0, 0.0, 60.0],              # before its first year: blank
        ["2023", 1, nan, nan, nan, 25.0],
        ["Outside cohorts", 0, -5.0, 0.0, 0.0, -15.0],
        ["Total", 6, 295.0, 180.0, 0.0, 100.0]])
    assert table["total"].tolist() == [360.0, 210.0, 25.0, -20.0, 575.0]
    assert table["total"].iloc[-1] == THIRTEEN["amount"].sum()
    assert words(net_revenue(THIRTEEN), "fr")["cohort"].tolist()[-2:] == ["Hors cohorte", "Total"]


def test_share_on_paper():
    table = words(net_revenue_share(THIRTEEN), "en")
    assert_rows(table, [
        ["2020", 2, 300 / 295, 30 / 180, nan, 0.3],      # 2022: no revenue, no share
        ["2021", 3, nan, 150 / 180, nan, 0.6],
        ["2023", 1, nan, nan, nan, 0.25],
        ["Outside cohorts", 0, -5 / 295, 0.0, nan, -0.15],
        ["Total", 6, 1.0, 1.0, nan, 1.0]])
    np.testing.assert_allclose(table["total"], [360 / 575, 210 / 575, 25 / 575, -20 / 575, 1.0])


def test_revenue_retention_on_paper():
    table = words(net_revenue_retention(THIRTEEN), "en")
    assert list(table.columns) == ["cohort", "new_customers", *YEARS]
    assert_rows(table, [
        ["2020", 2, nan, 0.1, 0.0, nan],                 # 2023 / 2022: 2022 is 0 -> blank
        ["2021", 3, nan, nan, 0.0, nan],
        ["2023", 1, nan, nan, nan, nan],
        ["All cohorts", 6, nan, 0.1, 0.0, nan]])


def test_customers_on_paper():
    active = words(churn.active_customers(THIRTEEN), "en")
    assert_rows(active, [["2020", 2, 2, 1, 0, 1], ["2021", 3, nan, 3, 0, 1],
                         ["2023", 1, nan, nan, nan, 1], ["Total", 6, 2, 4, 0, 3]])
    retention = words(customer_retention(THIRTEEN), "en")
    assert_rows(retention, [
        ["2020", 2, nan, 0.5, 0.0, nan],                 # A stays in 2021; B's refund: gone
        ["2021", 3, nan, nan, 0.0, nan],
        ["2023", 1, nan, nan, nan, nan],
        ["All cohorts", 6, nan, 0.5, 0.0, nan]])
    churned = words(customer_retention(THIRTEEN, churn=True), "en")
    assert_rows(churned, [["2020", 2, nan, 0.5, 1.0, nan], ["2021", 3, nan, nan, 1.0, nan],
                          ["2023", 1, nan, nan, nan, nan], ["All cohorts", 6, nan, 0.5, 1.0, nan]])


def test_long_table_on_paper():
    table = words(by_cohort_year(THIRTEEN), "en")
    assert tuple(table.columns) == BY_COHORT_YEAR_COLUMNS
    assert list(zip(table["cohort"], table["year"], table["years_since_acquisition"])) == [
        ("2020", "2020", 0), ("2020", "2021", 1), ("2020", "2022", 2), ("2020", "2023", 3),
        ("2021", "2021", 0), ("2021", "2022", 1), ("2021", "2023", 2), ("2023", "2023", 0)]
    row = table.iloc[1].to_dict()                                # cohort 2020 in 2021
    assert (row["new_customers"], row["active_customers"], row["retained_customers"],
            row["net_revenue"]) == (2, 1, 1, 30.0)
    assert row["net_revenue_share"] == pytest.approx(30 / 180)
    assert (row["net_revenue_retention"], row["customer_retention"], row["customer_churn"]) == \
        (0.1, 0.5, 0.5)
    first_years = table[table["years_since_acquisition"] == 0]
    assert first_years[["net_revenue_retention", "customer_retention"]].isna().all().all()


def test_layer_cake_on_paper():
    cake = words(layer_cake(THIRTEEN), "en")
    assert tuple(cake.columns) == LAYER_CAKE_COLUMNS
    assert len(cake) == 4 * 4                         # every year x (3 cohorts + outside)
    assert cake[cake["year"] == "2021"].values.tolist() == [
        ["2021", "2020", 30.0], ["2021", "2021", 150.0], ["2021", "2023", 0.0],
        ["2021", "Outside cohorts", 0.0]]
    assert cake.groupby("year", sort=False)["net_revenue"].sum().tolist() == \
        [295.0, 180.0, 0.0, 100.0]
    assert cake["net_revenue"].sum() == THIRTEEN["amount"].sum() == 575.0


def test_analyse_blocks():
    blocks = analysed(churn, context(THIRTEEN, lang="fr", period="month"))  # always yearly
    assert list(blocks) == ["churn.by_cohort_year", "churn.net_revenue", "churn.net_revenue_share",
                            "churn.net_revenue_retention", "churn.active_customers",
                            "churn.customer_retention", "churn.customer_churn",
                            "churn.customer_churn_chart", "churn.layer_cake",
                            "churn.layer_cake_by_year"]
    pd.testing.assert_frame_equal(blocks["churn.customer_churn_chart"],
                                  blocks["churn.customer_churn"])       # drawn on its own tab
    pd.testing.assert_frame_equal(blocks["churn.net_revenue"], words(net_revenue(THIRTEEN), "fr"))
    assert blocks["churn.customer_retention"]["cohort"].iloc[-1] == "Toutes cohortes"
    wide = blocks["churn.layer_cake_by_year"]            # the chart's data: the same figures
    long = wide.melt(id_vars="year", var_name="cohort", value_name="net_revenue")
    assert long["net_revenue"].sum() == blocks["churn.layer_cake"]["net_revenue"].sum()
    assert wide["year"].tolist() == blocks["churn.layer_cake"]["year"].unique().tolist()


# --- edge cases ------------------------------------------------------------------------------

def test_one_customer_one_order():
    orders = make_orders([("x", "2024-05-17", "A", 42.0, 2)])
    blocks = analysed(churn, context(orders))
    assert blocks["churn.net_revenue"][["cohort", "new_customers", "2024", "total"]
                                       ].values.tolist() == [["2024", 1, 42.0, 42.0],
                                                             ["Total", 1, 42.0, 42.0]]
    assert blocks["churn.layer_cake"].values.tolist() == [["2024", "2024", 42.0]]
    assert blocks["churn.customer_retention"]["2024"].isna().all()   # no year before: blank


def test_only_one_time_buyers():
    orders = make_orders([(f"o{y}", f"{y}-06-01", f"C{y}", 10.0, y - 2000) for y in
                          (2021, 2022, 2023)])
    retention = words(customer_retention(orders), "en")
    # cohort 2021 in 2023: nobody was active in 2022, so no rate (blank), not 0
    np.testing.assert_array_equal(retention[["2022", "2023"]].to_numpy(dtype=float),
                                  [[0.0, nan], [nan, 0.0], [nan, nan], [0.0, 0.0]])
    assert words(net_revenue_retention(orders), "en")["2022"].tolist()[0] == 0.0


def test_zero_amount_orders():
    orders = make_orders([("a", "2022-01-01", "A", 0.0, 2), ("b", "2023-01-01", "A", 0.0, 3)])
    blocks = analysed(churn, context(orders))
    assert blocks["churn.active_customers"]["2023"].tolist() == [1, 1]
    assert blocks["churn.customer_retention"]["2023"].tolist() == [1.0, 1.0]
    assert np.isnan(blocks["churn.net_revenue_retention"]["2023"]).all()   # 0 in 2022: blank
    assert np.isnan(blocks["churn.net_revenue_share"]["2023"]).all()


def test_no_orders():
    blocks = analysed(churn, context(make_orders([])))
    assert blocks["churn.by_cohort_year"].empty and blocks["churn.layer_cake"].empty
    assert blocks["churn.net_revenue"].values.tolist() == [["Total", 0, 0.0]]


# --- properties on random orders -------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(random_orders())
def test_properties(orders):
    blocks = analysed(churn, context(orders))
    cake = blocks["churn.layer_cake"]
    total = orders["amount"].sum()
    assert cake["net_revenue"].sum() == pytest.approx(total, abs=1e-6)
    by_year = orders.groupby(orders["order_date"].dt.year)["amount"].sum()
    years = [str(y) for y in range(by_year.index.min(), by_year.index.max() + 1)]
    per_year = cake.groupby("year")["net_revenue"].sum()
    assert sorted(per_year.index) == years                       # no year skipped
    for year in years:
        assert per_year[year] == pytest.approx(by_year.get(int(year), 0.0), abs=1e-6)
    table = blocks["churn.net_revenue"]
    assert table["total"].iloc[-1] == pytest.approx(total, abs=1e-6)
    assert list(table.columns) == ["cohort", "new_customers", *years, "total"]

    purchases = orders[~orders["is_refund"]]
    long = blocks["churn.by_cohort_year"]
    first = long[long["years_since_acquisition"] == 0]
    assert first["new_customers"].sum() == purchases["customer_id"].nunique()
    assert (first["active_customers"] == first["new_customers"]).all()
    for column in ("customer_retention", "customer_churn"):
        rates = long[column].dropna()
        assert rates.between(0, 1).all(), column
    for name in ("churn.customer_retention", "churn.customer_churn"):
        rates = blocks[name][years].to_numpy(dtype=float)
        assert ((rates >= 0) & (rates <= 1) | np.isnan(rates)).all(), name
    assert ((long["retained_customers"] <= long["active_customers"])).all()

    # customer retention recounted on the text ids
    year = orders["order_date"].dt.year
    active = {y: set(purchases.loc[year[purchases.index] == y, "customer_id"]) for y in
              range(int(years[0]), int(years[-1]) + 1)}
    everyone = blocks["churn.customer_retention"].iloc[-1]
    for y in range(int(years[0]) + 1, int(years[-1]) + 1):
        before = active[y - 1]
        expected = len(active[y] & before) / len(before) if before else nan
        assert everyone[str(y)] == pytest.approx(expected, nan_ok=True), y


# --- CDNOW: one yearly cohort, 1997 ----------------------------------------------------------

def test_cdnow_layer_cake():
    orders = load_cdnow()
    blocks = analysed(churn, context(orders))
    table = blocks["churn.net_revenue"]
    assert table["cohort"].tolist() == ["1997", "Total"]
    assert table["new_customers"].tolist() == [23_570, 23_570]
    assert round(blocks["churn.layer_cake"]["net_revenue"].sum(), 2) == 2_500_315.63
    long = blocks["churn.by_cohort_year"]
    assert long["year"].tolist() == ["1997", "1998"]
    retention = long["customer_retention"].iloc[1]
    assert 0 < retention < 1 and long["customer_churn"].iloc[1] == pytest.approx(1 - retention)
