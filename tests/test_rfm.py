"""RFM (kc_sheets.analyses.rfm) on ten customers you can score on paper, on the edge cases of
issue 5, on random orders (hypothesis) and on the CDNOW master file."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.analyses import rfm
from kc_sheets.analyses.rfm import (
    CUSTOMERS_COLUMNS, DEFAULT_GRID, GRID_CELLS_COLUMNS, GRID_COLUMNS, SCORE_RANGES_COLUMNS,
    SEGMENT_KEYS, SEGMENTS_COLUMNS, SUMMARY_COLUMNS, RfmOptions, fm_scores, quintile_scores, rfm_blocks, threshold_scores,
)
from kc_sheets.errors import KcError
from tests.support.cohorts import context
from kc_sheets.settings.options import grid_from_cells, parse_analysis_date, parse_cut_points, \
    rfm_options
from kc_sheets.i18n import all_texts
from tests.support.labels import analysed, words

ANALYSIS = pd.Timestamp("2024-07-01")      # the day after the last order of TEN


def make_orders(rows) -> pd.DataFrame:
    """Orders as ingest builds them, from (customer_id, date, amount)."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame.insert(0, "order_id", [f"o{i}" for i in range(len(frame))])
    frame = frame.astype({"order_id": "str", "customer_id": "str", "amount": "float64"})
    frame["order_date"] = pd.to_datetime(frame["order_date"]).astype("datetime64[ns]")
    frame["first_row"] = np.arange(len(frame), dtype=np.int64) + 2
    frame["lines"] = 1
    frame["is_refund"] = frame["amount"] < 0
    return frame


def days_before(days: int) -> pd.Timestamp:
    return ANALYSIS - pd.Timedelta(days=days)


# Ten customers (recency in days before 2024-07-01, purchases, net revenue), and K:
#   A   1 day   6 purchases   900      B   1 day   5 purchases   220 (250 bought, 30 refunded)
#   C  10 days  3 purchases   250      D  10 days  3 purchases   250 (C and D are equal)
#   E  30 days  2 purchases   200      F  60 days  1 purchase    150
#   G  90 days  1 purchase    100      H 200 days  1 purchase     40
#   I 300 days  2 purchases    50 (one order of 0)               J 400 days  1 purchase 20
#   K: only a refund (-30): not a purchasing customer.
# With 10 customers, score = 1 + (number of customers with a strictly worse value) // 2.
TEN = make_orders(
    [("A", days_before(d), a) for d, a in ((100, 100), (80, 100), (60, 100), (40, 100),
                                           (20, 200), (1, 300))]
    + [("B", days_before(d), 50) for d in (50, 40, 30, 20, 1)] + [("B", days_before(5), -30)]
    + [(c, days_before(d), a) for c in ("C", "D") for d, a in ((90, 50), (50, 100), (10, 100))]
    + [("E", days_before(60), 120), ("E", days_before(30), 80), ("F", days_before(60), 150),
       ("G", days_before(90), 100), ("H", days_before(200), 40), ("I", days_before(310), 50),
       ("I", days_before(300), 0), ("J", days_before(400), 20), ("K", days_before(3), -30)])

#            recency  F  M     R  F  M  FM  segment
EXPECTED = {
    "A": (1, 6, 900.0, 5, 5, 5, 5, "champions"),
    "B": (1, 5, 220.0, 5, 5, 4, 5, "champions"),           # FM = 4.5 -> 5
    "C": (10, 3, 250.0, 4, 4, 4, 4, "loyal"),
    "D": (10, 3, 250.0, 4, 4, 4, 4, "loyal"),
    "E": (30, 2, 200.0, 3, 3, 3, 3, "potential_loyalists"),
    "F": (60, 1, 150.0, 3, 1, 3, 2, "need_attention"),
    "G": (90, 1, 100.0, 2, 1, 2, 2, "need_attention"),     # FM = 1.5 -> 2
    "H": (200, 1, 40.0, 2, 1, 1, 1, "about_to_sleep"),
    "I": (300, 2, 50.0, 1, 3, 2, 3, "at_risk"),           # FM = 2.5 -> 3 (not 2)
    "J": (400, 1, 20.0, 1, 1, 1, 1, "lost"),
}


def by_customer(customers: pd.DataFrame) -> dict[str, tuple]:
    columns = ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
               "fm_score", "segment"]
    return {row[0]: tuple(row[1:]) for row in
            customers[["customer_id", *columns]].itertuples(index=False)}


def segment_row(blocks: dict, key: str) -> dict:
    return blocks["rfm.segments"].set_index("segment").loc[key].to_dict()


# --- on paper -----------------------------------------------------------------------------

def test_ten_customers_on_paper():
    blocks = words(rfm_blocks(TEN), "en")
    customers = blocks["rfm.customers"]
    assert tuple(customers.columns) == CUSTOMERS_COLUMNS
    assert by_customer(customers) == EXPECTED
    assert customers["customer_id"].tolist() == list("ABCDEFGHIJ")   # segment order, then M
    a = customers.iloc[0]
    assert (a["first_purchase"], a["last_purchase"]) == (days_before(100), days_before(1))
    assert a["segment_label"] == "Champions" and a["revenue"] == 900.0

    summary = blocks["rfm.summary"].iloc[0]
    assert tuple(blocks["rfm.summary"].columns) == SUMMARY_COLUMNS
    assert (summary["customers"], summary["revenue"], summary["analysis_date"]) == \
        (10, 2180.0, ANALYSIS)
    assert summary["analysis_date_is_default"]
    assert (summary["orders_after_analysis_date"], summary["customers_without_purchase"],
            summary["revenue_without_purchase"]) == (0, 1, -30.0)            # K's refund
    assert (summary["scoring"], summary["monetary"]) == ("quintiles", "revenue")


def test_segments_on_paper():
    blocks = words(rfm_blocks(TEN), "fr")
    table = blocks["rfm.segments"]
    assert tuple(table.columns) == SEGMENTS_COLUMNS
    assert table["segment"].tolist() == list(SEGMENT_KEYS)          # every segment, in order
    assert table["customers"].tolist() == [2, 2, 1, 0, 0, 2, 1, 1, 0, 0, 1]
    champions = segment_row(blocks, "champions")
    assert champions["segment_label"] == "Champions" and champions["revenue"] == 1120.0
    assert champions["share_of_customers"] == pytest.approx(0.2)
    assert champions["share_of_revenue"] == pytest.approx(1120 / 2180)
    assert (champions["average_recency_days"], champions["average_frequency"],
            champions["average_monetary"]) == (1.0, 5.5, 560.0)
    attention = segment_row(blocks, "need_attention")
    assert (attention["segment_label"], attention["revenue"], attention["average_recency_days"]) \
        == ("À surveiller", 250.0, 75.0)
    empty = segment_row(blocks, "new_customers")                     # empty: zeros, no blank
    assert [empty[k] for k in ("customers", "share_of_customers", "revenue", "share_of_revenue",
                               "average_recency_days", "average_frequency",
                               "average_monetary")] == [0] * 7
    assert empty["description"] and empty["action"]
    assert table["share_of_customers"].sum() == pytest.approx(1.0)
    assert table["share_of_revenue"].sum() == pytest.approx(1.0)


def test_grid_on_paper():
    blocks = words(rfm_blocks(TEN), "en")
    grid = blocks["rfm.grid"]
    assert tuple(grid.columns) == GRID_COLUMNS and grid["r_score"].tolist() == [5, 4, 3, 2, 1]
    assert grid.set_index("r_score").loc[5].tolist() == [0, 0, 0, 0, 2]       # A and B
    assert grid.set_index("r_score").loc[1].tolist() == [1, 0, 1, 0, 0]       # J, then I
    assert int(grid.drop(columns="r_score").to_numpy().sum()) == 10
    labels = blocks["rfm.grid_segments"].set_index("r_score")
    assert labels.loc[5, "fm_1"] == "Recently acquired" and labels.loc[1, "fm_5"] == "Can't lose them"
    cells = blocks["rfm.grid_cells"]
    assert tuple(cells.columns) == GRID_CELLS_COLUMNS and len(cells) == 25
    assert cells[["r_score", "fm_score"]].iloc[[0, -1]].values.tolist() == [[5, 1], [1, 5]]
    at_risk = cells[(cells["r_score"] == 1) & (cells["fm_score"] == 3)].iloc[0]
    assert (at_risk["segment"], at_risk["customers"], at_risk["revenue"]) == ("at_risk", 1, 50.0)
    assert (cells["customers"].to_numpy().reshape(5, 5) ==
            grid.drop(columns="r_score").to_numpy()).all()


def test_score_ranges_on_paper():
    ranges = words(rfm_blocks(TEN), "en")["rfm.score_ranges"]
    assert tuple(ranges.columns) == SCORE_RANGES_COLUMNS and len(ranges) == 15
    recency = ranges[ranges["criterion"] == "recency"].set_index("score")
    assert recency.loc[5, ["customers", "min_value", "max_value"]].tolist() == [2, 1, 1]
    assert recency.loc[1, ["customers", "min_value", "max_value"]].tolist() == [2, 300, 400]
    frequency = ranges[ranges["criterion"] == "frequency"].set_index("score")
    assert frequency["customers"].tolist() == [4, 0, 2, 2, 2]         # nobody scores F = 2
    assert np.isnan(frequency.loc[2, "min_value"])                   # blank, not an error


def test_quintiles_on_ties():
    assert quintile_scores(range(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores(range(100)).tolist() == [s for s in range(1, 6) for _ in range(20)]
    # equal values share the lower score: six one-time buyers all get F = 1
    assert quintile_scores([1, 1, 1, 1, 1, 1, 2, 2, 3, 7]).tolist() == \
        [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert quintile_scores([9, 9, 9, 9, 9, 9, 9, 1, 2, 3]).tolist() == [2] * 7 + [1, 1, 2]
    # fewer customers than scores
    assert quintile_scores([42]).tolist() == [3]
    assert quintile_scores([5, 1]).tolist() == [4, 2]
    assert quintile_scores([1, 2, 3]).tolist() == [1, 3, 5]
    assert quintile_scores([1, 2, 3, 4]).tolist() == [1, 2, 4, 5]
    assert quintile_scores([7, 7]).tolist() == [2, 2] and quintile_scores([7] * 9).tolist() == \
        [1] * 9
    assert quintile_scores([]).tolist() == []


def test_recency_is_reversed():
    days = [400, 300, 200, 90, 60, 30, 10, 10, 1, 1]
    assert quintile_scores(days, higher_is_better=False).tolist() == \
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert threshold_scores([1, 30, 31, 400], [30, 90, 180, 365], higher_is_better=False) \
        .tolist() == [5, 5, 4, 1]


def test_fm_rounds_half_up():
    assert fm_scores([2, 3, 1, 5, 4, 1], [3, 4, 2, 4, 5, 1]).tolist() == [3, 4, 2, 5, 5, 1]
    f, m = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    expected = [int(Fraction(int(a) + int(b), 2) + Fraction(1, 2)) for a, b in
                zip(f.ravel(), m.ravel())]
    assert fm_scores(f.ravel(), m.ravel()).tolist() == expected


def test_thresholds_mode_on_paper():
    typed = {"recency": "365; 7; 90; 30", "frequency": "2;3;5;10",
             "monetary": [50, 100, 250, 500]}
    ctx = context(TEN, "en", rfm_scoring="thresholds", rfm_thresholds=typed)
    blocks = analysed(rfm, ctx)
    scores = {c: v[3:6] for c, v in by_customer(blocks["rfm.customers"]).items()}
    # a value equal to a cut point gets the better score (E: 30 days -> 4; C: 250 -> 4)
    assert scores == {"A": (5, 4, 5), "B": (5, 4, 3), "C": (4, 3, 4), "D": (4, 3, 4),
                      "E": (4, 2, 3), "F": (3, 1, 3), "G": (3, 1, 3), "H": (2, 1, 1),
                      "I": (2, 2, 2), "J": (1, 1, 1)}
    summary = blocks["rfm.summary"].iloc[0]
    assert (summary["scoring"], summary["scoring_label"]) == \
        ("thresholds", "Thresholds typed in Settings")
    assert blocks["rfm.notes"]["note"].tolist() == [   # no quintile notes, K's refund only
        "1 customer(s) with no purchase up to the analysis date (only refunds) are not segmented "
        "(net amount -30.00)."]


def test_average_order_value_mode():
    blocks = words(rfm_blocks(TEN, RfmOptions(monetary="average_order_value")), "en")
    customers = by_customer(blocks["rfm.customers"])
    aov = {c: v[2] for c, v in customers.items()}
    assert aov == {"A": 150.0, "B": 44.0, "C": 83.33, "D": 83.33, "E": 100.0, "F": 150.0,
                   "G": 100.0, "H": 40.0, "I": 25.0, "J": 20.0}
    m_scores = {c: v[5] for c, v in customers.items()}
    assert m_scores == {"J": 1, "I": 1, "H": 2, "B": 2, "C": 3, "D": 3, "E": 4, "G": 4,
                        "A": 5, "F": 5}
    assert blocks["rfm.segments"]["revenue"].sum() == pytest.approx(2180.0)  # still net revenue
    assert blocks["rfm.summary"].iloc[0]["monetary_label"] == "Average order value"


def test_default_grid_covers_every_cell_once():
    cells = [(r, fm) for r in range(1, 6) for fm in range(1, 6)]
    assert sorted(DEFAULT_GRID) == cells
    listed = [cell for _, cells_of, *_ in rfm.SEGMENTS for cell in cells_of]
    assert len(listed) == 25 and len(set(listed)) == 25
    assert set(DEFAULT_GRID.values()) == set(SEGMENT_KEYS)          # every segment can occur
    assert DEFAULT_GRID[(5, 5)] == "champions" and DEFAULT_GRID[(1, 1)] == "lost"
    assert DEFAULT_GRID[(1, 5)] == "cant_lose_them" and DEFAULT_GRID[(5, 1)] == "new_customers"


def test_every_segment_text_in_both_languages():
    for key in SEGMENT_KEYS:
        for suffix in ("", ".description", ".action"):
            french, english = all_texts(f"rfm.segment.{key}{suffix}")
            assert french.strip() and english.strip()
    assert all_texts("rfm.segment.cant_lose_them")[0] == "À ne pas perdre"
    assert "2" in all_texts("rfm.segment.about_to_sleep.action")[1]      # 2-email sequence
    assert "multichannel" in all_texts("rfm.segment.at_risk.action")[1]


def test_grid_typed_in_settings():
    rows = [[DEFAULT_GRID[(r, fm)] for fm in range(1, 6)] for r in range(5, 0, -1)]
    rows[0][0] = "Nouveaux clients"                                 # a French label
    rows[4][4] = "can't LOSE them"                                  # English, any case
    rows[2][2] = "champions"                                        # a change: R3 FM3
    grid = grid_from_cells(rows)
    assert grid[(5, 1)] == "new_customers" and grid[(1, 5)] == "cant_lose_them"
    assert grid[(3, 3)] == "champions"
    blocks = words(rfm_blocks(TEN, RfmOptions(grid=grid)), "en")
    assert by_customer(blocks["rfm.customers"])["E"][-1] == "champions"
    rows[1][3] = "Dormeurs"
    with pytest.raises(KcError) as error:
        grid_from_cells(rows, "en")
    assert "R 4 / FM 4" in str(error.value) and "Dormeurs" in str(error.value)
    with pytest.raises(ValueError):
        RfmOptions(grid={(5, 5): "champions"})


def test_settings_typed_by_a_user():
    assert parse_analysis_date("30/06/2024") == pd.Timestamp("2024-06-30")
    assert parse_analysis_date(None) is None and parse_analysis_date("  ") is None
    assert parse_cut_points("1 000 ; 250,5 ; 50 ; 100") == (50.0, 100.0, 250.5, 1000.0)
    with pytest.raises(KcError, match="31/12/2024"):
        parse_analysis_date("demain")
    with pytest.raises(KcError, match="30; 90; 180; 365"):
        parse_cut_points("30;90;180", "recency")
    with pytest.raises(ValueError):
        RfmOptions(scoring="deciles")
    # what a Settings reader may hand over: a 5 x 5 table, an Excel serial, empty cells
    table = pd.DataFrame([[DEFAULT_GRID[(r, fm)] for fm in range(1, 6)] for r in range(5, 0, -1)])
    read = rfm_options(SimpleNamespace(rfm_grid=table, rfm_analysis_date=45474,
                                             rfm_thresholds={"recency": "", "frequency": None}))
    assert read.grid == DEFAULT_GRID and read.analysis_date == pd.Timestamp("2024-07-01")
    assert read.thresholds == rfm.DEFAULT_THRESHOLDS


# --- edge cases from issue 5 -------------------------------------------------------------

def assert_readable(blocks: dict) -> None:
    """Scores within 1..5, a segment for everyone, no NaN where a reader expects a figure."""
    customers = blocks["rfm.customers"]
    for column in ("r_score", "f_score", "m_score", "fm_score"):
        assert customers[column].between(1, 5).all(), column
    assert customers["segment"].isin(SEGMENT_KEYS).all()
    assert customers[["segment", "segment_label", "recency_days", "monetary"]].notna().all().all()
    assert not blocks["rfm.segments"].drop(columns=["description", "action"]).isna().any().any()
    assert not blocks["rfm.grid"].isna().any().any()
    assert blocks["rfm.segments"]["customers"].sum() == len(customers)


def test_one_customer():
    blocks = words(rfm_blocks(make_orders([("A", "2024-05-17", 42.0)])), "en")
    assert_readable(blocks)
    assert by_customer(blocks["rfm.customers"]) == \
        {"A": (1, 1, 42.0, 3, 3, 3, 3, "potential_loyalists")}
    assert blocks["rfm.summary"].iloc[0]["analysis_date"] == pd.Timestamp("2024-05-18")
    assert any("Only 1 customer" in n for n in blocks["rfm.notes"]["note"])


def test_only_one_time_buyers():
    orders = make_orders([(c, f"2024-0{i + 1}-10", 10.0 * (i + 1)) for i, c in enumerate("ABCDE")])
    blocks = words(rfm_blocks(orders), "en")
    assert_readable(blocks)
    assert (blocks["rfm.customers"]["f_score"] == 1).all()
    notes = blocks["rfm.notes"]["note"].tolist()
    assert notes == ["Frequency: every customer has the same value (1), hence the same score (1)."]


def test_fewer_customers_than_scores():
    orders = make_orders([("A", "2024-01-10", 10.0), ("B", "2024-02-10", 20.0),
                          ("B", "2024-03-10", 20.0)])
    blocks = words(rfm_blocks(orders), "fr")
    assert_readable(blocks)
    assert by_customer(blocks["rfm.customers"]) == {
        "B": (1, 2, 40.0, 4, 4, 4, 4, "loyal"), "A": (61, 1, 10.0, 2, 2, 2, 2, "need_attention")}
    assert any("Seulement 2 client(s)" in n for n in blocks["rfm.notes"]["note"])


def test_money_is_scored_in_cents():
    orders = make_orders([("X", "2024-01-10", 0.1), ("X", "2024-01-10", 0.2),
                          ("Y", "2024-01-10", 0.3), ("Z", "2024-01-10", 0.31)])
    customers = rfm_blocks(orders)["rfm.customers"].set_index("customer_id")
    assert customers.loc["X", "monetary"] == 0.3 == customers.loc["Y", "monetary"]  # 0.1 + 0.2
    assert customers.loc["X", "m_score"] == customers.loc["Y", "m_score"] == 1


def test_orders_after_the_analysis_date():
    orders = pd.concat([TEN, make_orders([("A", "2024-07-05", 80.0), ("Z", "2024-07-02", 60.0),
                                          ("C", "2024-08-01", -25.0)])], ignore_index=True)
    blocks = words(rfm_blocks(orders, RfmOptions(analysis_date=pd.Timestamp("2024-07-01 17:30"))), "en")
    assert_readable(blocks)
    pd.testing.assert_frame_equal(blocks["rfm.customers"], words(rfm_blocks(TEN), "en")
                                  ["rfm.customers"])
    summary = blocks["rfm.summary"].iloc[0]
    assert (summary["analysis_date"], summary["analysis_date_is_default"]) == (ANALYSIS, False)
    assert (summary["orders_after_analysis_date"], summary["revenue_after_analysis_date"]) == \
        (3, 115.0)
    assert "3 order(s) dated after the analysis date (2024-07-01) are left out (net amount " \
        "115.00)." in blocks["rfm.notes"]["note"].tolist()
    # an order on the analysis date itself counts (recency 0)
    same_day = rfm_blocks(TEN, RfmOptions(analysis_date="2024-06-30"))["rfm.customers"]
    assert same_day.set_index("customer_id").loc["A", "recency_days"] == 0


def test_analysis_date_before_every_order():
    blocks = words(rfm_blocks(TEN, RfmOptions(analysis_date=pd.Timestamp("2020-01-01"))), "fr")
    assert_readable(blocks)
    assert blocks["rfm.customers"].empty
    assert tuple(blocks["rfm.customers"].columns) == CUSTOMERS_COLUMNS
    assert blocks["rfm.segments"]["customers"].sum() == 0
    assert (blocks["rfm.segments"]["share_of_revenue"] == 0).all()
    assert blocks["rfm.summary"].iloc[0]["orders_after_analysis_date"] == len(TEN)
    assert blocks["rfm.notes"]["note"].iloc[0].startswith("Aucun client")


def test_zero_amount_orders():
    orders = make_orders([("A", "2024-01-10", 0.0), ("A", "2024-02-10", 0.0),
                          ("B", "2024-03-10", 0.0), ("C", "2024-03-11", 15.0)])
    blocks = words(rfm_blocks(orders), "en")
    assert_readable(blocks)
    customers = by_customer(blocks["rfm.customers"])
    assert customers["A"][1:3] == (2, 0.0) and customers["B"][1:3] == (1, 0.0)  # purchases
    zero = rfm_blocks(make_orders([("A", "2024-01-10", 0.0), ("B", "2024-01-11", 0.0)]))
    assert_readable(zero)
    assert (zero["rfm.segments"]["share_of_revenue"] == 0).all()               # not 0 / 0


def test_refunds_only_customer():
    orders = make_orders([("A", "2024-01-10", 30.0), ("Z", "2024-01-12", -20.0),
                          ("Z", "2024-01-13", -5.0)])
    blocks = words(rfm_blocks(orders), "en")
    assert_readable(blocks)
    assert blocks["rfm.customers"]["customer_id"].tolist() == ["A"]
    summary = blocks["rfm.summary"].iloc[0]
    assert (summary["customers"], summary["revenue"], summary["customers_without_purchase"],
            summary["revenue_without_purchase"]) == (1, 30.0, 1, -25.0)
    assert any("1 customer(s) with no purchase" in n for n in blocks["rfm.notes"]["note"])


def test_best_value_shared_by_many():
    orders = make_orders([(c, "2024-06-30", 10.0 + i) for i, c in enumerate("ABCDEFG")]
                         + [("H", "2024-01-01", 5.0), ("I", "2024-01-02", 5.0),
                            ("J", "2024-01-03", 5.0)])
    blocks = words(rfm_blocks(orders), "en")
    assert (blocks["rfm.customers"].set_index("customer_id").loc[list("ABCDEFG"), "r_score"]
            == 2).all()
    assert any(n.startswith("Recency: 70% of customers have the best value (1)")
               for n in blocks["rfm.notes"]["note"])


def test_no_orders():
    blocks = rfm_blocks(make_orders([]))
    assert_readable(blocks)
    assert blocks["rfm.summary"].iloc[0]["customers"] == 0
    assert blocks["rfm.summary"].iloc[0]["analysis_date"] is None


def test_row_order_does_not_matter():
    shuffled = TEN.sample(frac=1, random_state=5).reset_index(drop=True)
    a, b = rfm_blocks(TEN), rfm_blocks(shuffled)
    for name in a:
        if name == "rfm.customers":
            key = ["customer_id"]
            pd.testing.assert_frame_equal(a[name].sort_values(key).reset_index(drop=True),
                                          b[name].sort_values(key).reset_index(drop=True))
        else:
            pd.testing.assert_frame_equal(a[name], b[name])


def test_analyse_with_plain_settings():
    ctx = context(TEN, "fr", period="month")
    blocks = analysed(rfm, ctx)
    assert set(blocks) == {"rfm.segments", "rfm.grid", "rfm.grid_segments", "rfm.grid_cells",
                           "rfm.customers", "rfm.score_ranges", "rfm.summary", "rfm.notes"}
    assert by_customer(blocks["rfm.customers"]) == EXPECTED


# --- properties on random orders ----------------------------------------------------------

ORDER = st.tuples(st.integers(0, 400),                          # day after 2023-01-01
                  st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "00042", "42", "é"]),
                  st.sampled_from([0, 0, 100, 2_500, 9_999]) | st.integers(-20_000, 50_000))


@st.composite
def random_case(draw):
    rows = draw(st.lists(ORDER, min_size=1, max_size=50))
    start = pd.Timestamp("2023-01-01")
    orders = make_orders([(c, start + pd.Timedelta(days=d), cents / 100) for d, c, cents in rows])
    date = draw(st.none() | st.integers(-5, 420).map(lambda d: start + pd.Timedelta(days=d)))
    cuts = {c: draw(st.lists(st.integers(0, 600), min_size=4, max_size=4))
            for c in ("recency", "frequency")}
    cuts["monetary"] = draw(st.lists(st.integers(-200, 900), min_size=4, max_size=4))
    return orders, RfmOptions(analysis_date=date,
                               monetary=draw(st.sampled_from(rfm.MONETARY_CHOICES)),
                               scoring=draw(st.sampled_from(rfm.SCORING_CHOICES)),
                               thresholds=cuts)


@settings(max_examples=200, deadline=None)
@given(random_case())
def test_properties(case):
    orders, rfm_settings = case
    blocks = words(rfm_blocks(orders, rfm_settings), "en")
    assert_readable(blocks)
    customers = blocks["rfm.customers"]
    summary = blocks["rfm.summary"].iloc[0]
    date = summary["analysis_date"]
    kept = orders[orders["order_date"] <= date]
    buyers = set(kept.loc[~kept["is_refund"], "customer_id"])
    # each purchasing customer in exactly one segment; segment sizes add up to the customer count
    assert customers["customer_id"].is_unique and set(customers["customer_id"]) == buyers
    assert blocks["rfm.segments"]["customers"].sum() == len(customers) == summary["customers"]
    assert blocks["rfm.grid_cells"]["customers"].sum() == len(customers)
    # revenue in segments adds up to the net revenue of purchasing customers
    net = kept.loc[kept["customer_id"].isin(buyers), "amount"].sum()
    assert blocks["rfm.segments"]["revenue"].sum() == pytest.approx(net, abs=1e-6)
    # and every order is either there, after the analysis date, or a non-buyer's refund
    assert summary["revenue"] + summary["revenue_after_analysis_date"] + \
        summary["revenue_without_purchase"] == pytest.approx(orders["amount"].sum(), abs=1e-6)
    assert summary["orders_after_analysis_date"] == len(orders) - len(kept)
    # per customer, recomputed by hand
    for row in customers.itertuples(index=False):
        mine = kept[kept["customer_id"] == row.customer_id]
        bought = mine[~mine["is_refund"]]
        assert row.frequency == len(bought)
        assert row.revenue == pytest.approx(mine["amount"].sum(), abs=1e-6)
        assert row.last_purchase == bought["order_date"].max().normalize()
        assert row.recency_days == (date - row.last_purchase).days >= 0
        assert row.fm_score == (row.f_score + row.m_score + 1) // 2
        assert row.segment == rfm_settings.grid[(row.r_score, row.fm_score)]
    # scores follow the values: never a lower score for a better value
    for value, score, sign in (("recency_days", "r_score", -1), ("frequency", "f_score", 1),
                               ("monetary", "m_score", 1)):
        ordered = customers.assign(v=sign * customers[value]).sort_values(["v", score])
        assert ordered[score].is_monotonic_increasing, score
        assert (customers.groupby(value)[score].nunique() == 1).all(), score  # ties: one score


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-5, 30) | st.floats(-1e6, 1e6), min_size=0, max_size=60),
       st.booleans())
def test_quintiles_against_a_plain_reference(values, higher_is_better):
    n = len(values)
    sign = 1 if higher_is_better else -1
    expected = [1 + int(5 * Fraction(2 * sum(sign * u < sign * v for u in values) + 1, 2 * n))
                for v in values]
    assert quintile_scores(values, higher_is_better).tolist() == expected
    if len(set(values)) == n and n % 5 == 0:                        # equal fifths
        assert np.bincount(quintile_scores(values), minlength=6)[1:].tolist() == [n // 5] * 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=30),
       st.lists(st.integers(0, 50), min_size=4, max_size=4))
def test_thresholds_against_a_plain_reference(values, cuts):
    higher = [1 + sum(v >= c for c in cuts) for v in values]
    lower = [5 - sum(v > c for c in cuts) for v in values]
    assert threshold_scores(values, cuts).tolist() == higher
    assert threshold_scores(values, cuts, higher_is_better=False).tolist() == lower


# --- CDNOW: 23,570 customers who first bought in January-March 1997 -----------------------

def test_cdnow_master():
    from tests.support.orders import cdnow_orders

    orders = cdnow_orders()
    blocks = words(rfm_blocks(orders), "en")
    summary = blocks["rfm.summary"].iloc[0]
    assert (summary["customers"], summary["revenue"]) == (23_570, 2_500_315.63)
    assert summary["analysis_date"] == pd.Timestamp("1998-07-01")
    customers = blocks["rfm.customers"]
    assert customers["frequency"].sum() == 69_659
    assert blocks["rfm.segments"]["customers"].sum() == 23_570
    assert round(blocks["rfm.segments"]["revenue"].sum(), 2) == 2_500_315.63
    one_timers = (customers["frequency"] == 1).mean()
    assert one_timers > 0.5 and (customers.loc[customers["frequency"] == 1, "f_score"] == 1).all()
    assert set(customers["r_score"]) == set(range(1, 6))
    assert set(customers["m_score"]) == set(range(1, 6))
    assert_readable(blocks)
