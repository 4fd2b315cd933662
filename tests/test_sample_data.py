"""Synthetic order exports (kc_sheets.sample_data) and the CDNOW loaders (kc_sheets.devtools.cdnow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kc_sheets.devtools import cdnow
from kc_sheets.sample_data import COLUMNS, describe, generate

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate(rows=20_000, seed=7)


def _short(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_axis(["order", "date", "amount", "customer", "product", "category",
                           "quantity", "country", "channel", "discount"], axis=1)


# --- sample_data: shape and types -----------------------------------------------------------

@pytest.mark.parametrize("rows", [0, 1, 2, 7, 49, 50, 101, 5000])
def test_exact_row_count(rows):
    assert len(generate(rows=rows)) == rows


def test_headers_and_types(frame):
    assert tuple(frame.columns) == COLUMNS["fr"]
    assert tuple(generate(rows=10, lang="en").columns) == COLUMNS["en"]
    for name in ("ID achat", "ID client", "Produit", "Catégorie", "Pays", "Canal"):
        assert frame[name].dtype == "str", name
    assert frame["Date d'achat"].dtype.kind == "M"
    assert frame["Montant"].dtype == np.float64 and frame["Remise"].dtype == np.float64
    assert frame["Quantité"].dtype == np.int64


def test_same_seed_same_frame_other_seed_other_frame():
    pd.testing.assert_frame_equal(generate(rows=3000, seed=5), generate(rows=3000, seed=5))
    assert not generate(rows=3000, seed=5).equals(generate(rows=3000, seed=6))


def test_english_is_the_same_data_translated():
    fr, en = generate(rows=2000, seed=3), generate(rows=2000, seed=3, lang="en")
    for name in ("Montant", "ID client", "Quantité", "Remise", "Date d'achat"):
        column = en.columns[COLUMNS["fr"].index(name)]
        pd.testing.assert_series_equal(fr[name], en[column], check_names=False)
    assert set(en["Channel"]) == {"Website", "Store", "App", "Marketplace"}
    assert set(fr["Canal"]) == {"Site web", "Magasin", "Application", "Marketplace"}


def test_dates_are_days_in_range_and_sorted(frame):
    dates = frame["Date d'achat"]
    assert dates.is_monotonic_increasing
    assert (dates == dates.dt.normalize()).all()
    assert dates.min() >= pd.Timestamp("2022-01-01") and dates.max() <= pd.Timestamp("2024-12-31")
    short = generate(rows=300, start="2024-03-01", end="2024-03-31")["Date d'achat"]
    assert short.min() >= pd.Timestamp("2024-03-01") and short.max() <= pd.Timestamp("2024-03-31")


def test_ids(frame):
    f = _short(frame)
    assert f["order"].is_unique and f["order"].str.fullmatch(r"C\d{6}").all()
    assert f["order"].iloc[0] == "C000001"
    ids = f["customer"].dropna()
    assert ids.str.fullmatch(r"CL\d{5}|\d{6}").all()
    assert 0.03 < ids.str.fullmatch(r"\d+").mean() < 0.25       # store loyalty cards


def test_amounts_in_cents_and_discounts(frame):
    f = _short(frame)
    for name in ("amount", "discount"):
        cents = f[name] * 100
        assert np.allclose(cents, cents.round(), atol=1e-6), name
    assert (f["discount"] >= 0).all() and (f.loc[f["amount"] < 0, "discount"] == 0).all()
    assert 0.1 < (f["discount"] > 0).mean() < 0.5
    assert (f.loc[f["amount"] > 0, "quantity"] >= 1).all()


def test_guests_and_refunds(frame):
    f = _short(frame)
    assert f["customer"].isna().sum() == round(0.01 * len(f))
    refunds = f[f["amount"] < 0]
    assert len(refunds) == round(0.02 * len(f))
    assert refunds["customer"].notna().all() and (refunds["quantity"] < 0).all()
    purchases = f[f["amount"] > 0]
    earlier = refunds.merge(purchases, on=["customer", "product"], suffixes=("", "_bought"))
    earlier = earlier[earlier["date_bought"] < earlier["date"]]
    assert set(earlier["order"]) == set(refunds["order"])   # each refunds an earlier purchase


def test_looks_like_a_retail_brand(frame):
    f = _short(frame)
    purchases = f[f["amount"] > 0].dropna(subset=["customer"])
    per_customer = purchases.groupby("customer")["amount"].agg(["size", "sum"])
    assert 0.4 < (per_customer["size"] == 1).mean() < 0.8            # many one-time buyers
    assert per_customer["size"].max() >= 15                          # a few loyal customers
    top = per_customer["sum"].sort_values(ascending=False)
    assert top.iloc[: len(top) // 10].sum() / top.sum() > 0.3        # top 10 % weigh a lot
    by_month = purchases.groupby(purchases["date"].dt.month)["amount"].sum()
    assert by_month[[11, 12]].mean() > 1.4 * by_month[[7, 8]].mean()  # Christmas vs summer
    by_year = purchases.groupby(purchases["date"].dt.year)["amount"].sum()
    assert by_year.is_monotonic_increasing                            # a growing brand
    countries = f["country"].value_counts(normalize=True)
    assert countries.index[0] == "France" and countries.iloc[0] > 0.7
    assert set(countries.index[1:3]) == {"Belgique", "Suisse"}
    assert set(f["category"]) == {"Vêtements", "Chaussures", "Accessoires", "Maison", "Beauté"}


def test_describe(frame):
    summary = describe(frame)
    assert summary["rows"] == summary["orders"] == 20_000
    assert summary["customers"] == frame["ID client"].nunique()
    assert summary["revenue"] == round(float(frame["Montant"].sum()), 2)
    assert summary["guest_orders"] == 200 and summary["refunds"] == 400
    assert summary["first_date"] >= pd.Timestamp("2022-01-01").date()
    assert describe(generate(rows=10, lang="en"))["rows"] == 10
    assert describe(generate(rows=0))["first_date"] is None


def test_one_day_range_has_no_refund_but_the_rows():
    f = generate(rows=200, start="2024-06-01", end="2024-06-01")
    assert len(f) == 200 and (f["Montant"] > 0).all()


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate(lang="de")
    with pytest.raises(ValueError):
        generate(start="2024-02-01", end="2024-01-01")
    with pytest.raises(ValueError):
        generate(rows=-1)


@pytest.mark.slow
def test_a_full_excel_sheet():
    f = generate(rows=1_048_575)
    assert len(f) == 1_048_575 and f["ID achat"].is_unique and f["ID achat"].iloc[-1] == "C1048575"


# --- CDNOW ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def master() -> pd.DataFrame:
    return cdnow.load_master(DATA / "CDNOW_master.txt")


def test_master_facts(master):
    assert tuple(master.columns) == cdnow.COLUMNS
    assert master["ID client"].dtype == "str" and master["Date d'achat"].dtype.kind == "M"
    assert len(master) == 69_659
    assert master["ID client"].nunique() == 23_570
    assert master["ID client"].iloc[0] == "00001"                  # text, leading zeros kept
    assert int(master["Quantité"].sum()) == 167_881
    assert round(float(master["Montant"].sum()), 2) == 2_500_315.63
    assert master["Date d'achat"].min() == pd.Timestamp("1997-01-01")
    assert master["Date d'achat"].max() == pd.Timestamp("1998-06-30")
    assert int((master["Montant"] == 0).sum()) == 80


def test_master_cohorts_are_the_first_quarter_of_1997(master):
    first = master.groupby("ID client")["Date d'achat"].min()
    cohorts = first.dt.to_period("M").astype("str").value_counts().sort_index()
    assert cohorts.to_dict() == {"1997-01": 7_846, "1997-02": 8_476, "1997-03": 7_248}


def test_sample_is_the_master_history_of_its_customers(master):
    sample = cdnow.load_sample(DATA / "CDNOW_sample.txt")
    assert len(sample) == 6_919
    assert sample["ID client"].nunique() == sample[cdnow.SAMPLE_ID].nunique() == 2_357
    assert sample[cdnow.SAMPLE_ID].iloc[0] == "0001" and sample["ID client"].iloc[0] == "00004"
    assert int(sample["Quantité"].sum()) == 16_479
    assert round(float(sample["Montant"].sum()), 2) == 244_091.94
    columns = list(cdnow.COLUMNS)
    history = master[master["ID client"].isin(sample["ID client"])]
    pd.testing.assert_frame_equal(
        history.sort_values(columns).reset_index(drop=True),
        sample[columns].sort_values(columns).reset_index(drop=True))
