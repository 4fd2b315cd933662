"""Tests for kc_sheets.ingest.transactions.ingest: mapping, orders, set-aside rows and accounting."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kc_sheets import sample_data
from kc_sheets.errors import KcError
from kc_sheets.ingest.transactions import REASONS, IngestOptions, RawTable, build_orders, ingest

TS = pd.Timestamp
FR = ["ID achat", "Date d'achat", "Montant", "ID client"]

# Ten orders you can add up on paper:
# A: 100 + 50 + 30; B: 200 and a refund of -20; C: 40 + 60; D: 10; E: 70 + 5.
# Revenue 545 (565 of purchases, -20 of refund); 9 purchases; 5 customers; 1 refund.
TEN = [
    ("A1", "05/01/2024", "100,00 €", "A"),
    ("A2", "15/01/2024", "200", "B"),
    ("A3", "01/02/2024", "-20,00 €", "B"),
    ("A4", "03/02/2024", "40", "C"),
    ("A5", "10/02/2024", "50,00", "A"),
    ("A6", "20/02/2024", "30", "A"),
    ("A7", "03/03/2024", "60", "C"),
    ("A8", "30/03/2024", "10", "D"),
    ("A9", "31/03/2024", "70", "E"),
    ("A10", "31/03/2024", "5", "E"),
]


def table(rows, headers=FR) -> RawTable:
    return RawTable.from_frame(pd.DataFrame(rows, columns=headers, dtype=object))


def check_accounting(result) -> None:
    """Every input row is used or set aside exactly once; revenue adds up to the cent."""
    q = result.quality
    n = len(result.raw.frame)
    assert q.rows_read == n == q.rows_used + q.rows_set_aside
    assert q.rows_used == len(result.lines)
    positions = sorted((result.lines["row"] - result.raw.first_row).tolist()
                       + q.set_aside_rows.tolist())
    assert positions == list(range(n))
    assert round(q.revenue_read, 2) == round(q.revenue_used + q.revenue_set_aside, 2)
    assert round(result.lines["amount"].sum(), 2) == round(q.revenue_used, 2)
    assert round(result.orders["amount"].sum(), 2) == round(q.revenue_used, 2)
    # by_reason rounds each reason to the cent: at most half a cent off per reason
    assert abs(q.by_reason["revenue"].sum() - q.revenue_set_aside) <= 0.005 * len(REASONS)
    assert q.by_reason["rows"].sum() == q.rows_set_aside
    assert set(q.set_aside_reasons) <= set(REASONS)


def reasons_by_row(result) -> dict[int, str]:
    q = result.quality
    return dict(zip((q.set_aside_rows + result.raw.first_row).tolist(), q.set_aside_reasons))


def test_ten_orders_french_cartelis_headers():
    result = ingest(table(TEN))
    check_accounting(result)
    q = result.quality
    assert (q.rows_used, q.orders, q.customers, q.refunds) == (10, 9, 5, 1)
    assert q.revenue_used == pytest.approx(545.0)
    orders = result.orders.set_index("order_id")
    assert orders.loc["A1", "order_date"] == TS("2024-01-05")
    assert orders.loc["A3", "is_refund"] and orders.loc["A3", "amount"] == -20.0
    assert orders.groupby("customer_id")["amount"].sum().to_dict() == {
        "A": 180.0, "B": 180.0, "C": 100.0, "D": 10.0, "E": 75.0}
    assert result.lines["row"].tolist() == list(range(2, 12))
    assert q.mapping.set_index("field").loc["amount", ["column", "header"]].tolist() == [
        "C", "Montant"]


def test_english_headers_and_decimal_point():
    rows = [(o, f"2024-{d[3:5]}-{d[:2]}", a.replace(",", ".").replace(" €", ""), c)
            for o, d, a, c in TEN]
    result = ingest(table(rows, ["Order ID", "Order Date", "Amount", "Customer ID"]),
                    IngestOptions(decimal_comma=False, lang="en"))
    check_accounting(result)
    assert result.quality.revenue_used == pytest.approx(545.0)
    assert result.orders["order_date"].min() == TS("2024-01-05")


SHOPIFY = ["Name", "Email", "Financial Status", "Paid at", "Total", "Lineitem name",
           "Lineitem quantity", "Lineitem price"]


def test_shopify_one_order_per_name_with_the_total_of_its_first_line():
    rows = [
        ("#1001", "Ana@Example.com", "paid", "2024-01-05 10:00:00 +0100", "35.00", "Mug", 1,
         "15.00"),
        ("#1001", None, None, None, None, "Tee", 1, "20.00"),
        ("#1002", "bob@example.com", "paid", "2024-01-06 11:30:00 +0100", "12.50", "Mug", 1,
         "12.50"),
        ("#1003", "ana@example.com", "refunded", "2024-02-01 09:00:00 +0100", "-35.00",
         "Mug", 1, "15.00"),
        ("#1004", "ana@example.com", "paid", "2024-02-03 18:45:10 +0100", "42.00", "Cap", 2,
         "21.00"),
        ("#1004", None, None, None, None, "Tee", 1, "0.00"),
    ]
    result = ingest(table(rows, SHOPIFY), IngestOptions(decimal_comma=False))
    check_accounting(result)
    orders = result.orders.set_index("order_id")
    assert orders["amount"].to_dict() == {"#1001": 35.0, "#1002": 12.5, "#1003": -35.0,
                                          "#1004": 42.0}
    assert orders.loc["#1001", "lines"] == 2 and orders.loc["#1004", "quantity"] == 3.0
    assert orders.loc["#1001", "customer_id"] == "ana@example.com"
    assert orders.loc["#1004", "order_date"] == TS("2024-02-03 18:45:10")
    q = result.quality
    assert (q.orders, q.customers, q.refunds) == (3, 2, 1)
    assert any("e-mail" in note for note in q.notes)
    assert result.lines["product"].tolist() == ["Mug", "Tee", "Mug", "Mug", "Cap", "Tee"]


def test_row_without_order_id_never_joins_the_real_order_named_like_its_row():
    # The table starts at sheet row 1000, so the row without a Name is sheet row 1001: its
    # "#1001" label must not join Shopify's real order #1001 (Ana's mug and tee).
    rows = [
        ("#1001", "ana@example.com", "paid", "2024-01-05 10:00:00", "35.00", "Mug", 1, "15.00"),
        (None, "bob@example.com", "paid", "2024-01-06 11:30:00", "12.50", "Mug", 1, "12.50"),
        ("#1001", None, None, None, None, "Tee", 1, "20.00"),
        ("#1002", "cleo@example.com", "paid", "2024-01-07 09:00:00", "8.00", "Cap", 1, "8.00"),
    ]
    raw = dataclasses.replace(table(rows, SHOPIFY), first_row=1000)
    result = ingest(raw, IngestOptions(decimal_comma=False))
    check_accounting(result)
    assert result.quality.rows_used == 4 and result.quality.orders == 3
    orders = result.orders.set_index("customer_id")
    assert orders[["amount", "lines", "first_row"]].values.tolist() == [
        [35.0, 2, 1000], [12.5, 1, 1001], [8.0, 1, 1003]]
    assert orders.loc["ana@example.com", "order_id"] == "#1001"
    assert orders.loc["bob@example.com", "order_id"].startswith("#")


@pytest.mark.parametrize("headers, options", [
    # WooCommerce, "Advanced Order Export" style labels
    (["Order Number", "Order Date", "Order Total", "Customer User ID"], {}),
    # WooCommerce Customer/Order CSV Export, default format (snake case keys)
    (["order_id", "order_date", "order_total", "customer_id"], {}),
    # PrestaShop ps_orders columns
    (["id_order", "date_add", "total_paid", "id_customer"], {}),
])
def test_shop_exports(headers, options):
    rows = [(1001, "2024-01-05 10:00:00", "100.000000", 7),
            (1002, "2024-01-06 10:00:00", "45.500000", 8),
            (1003, "2024-02-06 10:00:00", "4.500000", 7)]
    result = ingest(table(rows, headers), IngestOptions(**options))
    check_accounting(result)
    assert result.quality.revenue_used == pytest.approx(150.0)
    assert result.orders["customer_id"].tolist() == ["7", "8", "7"]
    assert result.orders["order_id"].tolist() == ["1001", "1002", "1003"]


def test_woocommerce_email_as_customer():
    rows = [(1, "01/15/2024 6:29:00", "10.00", "A@x.fr"), (2, "01/16/2024", "5", "a@x.fr")]
    result = ingest(table(rows, ["Order Number", "Order Date", "Order Total",
                                 "Billing Email Address"]), IngestOptions(day_first=None))
    check_accounting(result)
    assert result.orders["customer_id"].tolist() == ["a@x.fr", "a@x.fr"]
    assert result.orders["order_date"].tolist() == [TS("2024-01-15 06:29"), TS("2024-01-16")]


def test_prestashop_total_paid_wins_over_tax_included():
    headers = ["id_order", "reference", "id_customer", "total_paid_tax_incl", "total_paid",
               "date_add"]
    rows = [(1, "XKBKNABJK", 3, "12.000000", "12.500000", "2024-03-01 08:00:00")]
    result = ingest(table(rows, headers))
    check_accounting(result)
    assert result.orders["amount"].tolist() == [12.5]
    assert result.orders["order_id"].tolist() == ["1"]


def test_manual_mapping_by_header_and_letter():
    rows = [("x1", "05/01/2024", "10", "c1"), ("x2", "06/01/2024", "20", "c2")]
    raw = table(rows, ["Ref", "Quand", "Combien", "Qui"])
    mapping = {"order_id": "ref", "order_date": "Quand", "amount": "C", "customer_id": "d"}
    result = ingest(raw, IngestOptions(mapping=mapping))
    check_accounting(result)
    assert result.orders["amount"].tolist() == [10.0, 20.0]
    assert result.quality.mapping.set_index("field").loc["amount", "column"] == "C"


@pytest.mark.parametrize("lang, where", [("fr", "Onglet « Paramètres », ligne 14, colonne C"),
                                         ("en", "Tab 'Settings', row 14, column C")])
def test_bad_mapping_names_the_settings_cell(lang, where):
    raw = table(TEN)
    options = IngestOptions(mapping={"amount": "Prix"}, mapping_rows={"amount": 14},
                            settings_tab="Paramètres" if lang == "fr" else "Settings",
                            lang=lang)
    with pytest.raises(KcError) as info:
        ingest(raw, options)
    assert (info.value.row, info.value.column) == (14, "C")
    assert str(info.value).startswith(where) and "Prix" in str(info.value)


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["Onglet « Raw Data », ligne 1", "Date de commande", "Paramètres"]),
    ("en", ["Tab 'Raw Data', row 1", "Order date", "Settings"]),
])
def test_missing_required_column(lang, expected):
    raw = table([(1, "10", "c")], ["ID achat", "Montant", "ID client"])
    with pytest.raises(KcError) as info:
        ingest(raw, IngestOptions(lang=lang, settings_tab=expected[2]))
    message = str(info.value)
    assert (info.value.tab, info.value.row) == ("Raw Data", 1)
    assert all(part in message for part in expected), message
    assert "A « ID achat »" in message if lang == "fr" else "A 'ID achat'" in message


@pytest.mark.parametrize("frame", [
    pd.DataFrame(columns=FR),
    pd.DataFrame([[None] * 4, ["", " ", None, np.nan]], columns=FR),
    pd.DataFrame(),
])
def test_empty_raw_data(frame):
    with pytest.raises(KcError) as info:
        ingest(RawTable.from_frame(frame))
    assert info.value.key == "ingest.empty" and info.value.tab == "Raw Data"


def test_every_set_aside_reason():
    rows = [
        ("A1", "05/01/2024", "100", "A"),              # 2 used
        (None, None, "  ", None),                       # 3 blank row
        ("Total", None, "999", None),                   # 4 total row
        ("A1", "05/01/2024", "100", "A"),              # 5 duplicated line
        ("A2", "demain", "10", "B"),                    # 6 invalid date
        ("A3", "31/02/2024", "11", "B"),                # 7 impossible date
        ("A4", "06/01/2024", "douze", "B"),             # 8 invalid amount
        ("A5", "06/01/2024", "#N/A", "B"),              # 9 error value
        ("A6", "06/01/2024", "13", None),               # 10 missing customer
        ("A7", "07/01/2024", "20", "C"),                # 11 used
        ("A7", "07/01/2024", "5", "D"),                 # 12 conflicting customer
        ("A8", None, "14", "C"),                        # 13 missing date
        ("A9", "08/01/2024", None, "C"),                # 14 missing amount
        ("Sous-total", None, "1 000", None),            # 15 total row
    ]
    result = ingest(table(rows))
    check_accounting(result)
    assert reasons_by_row(result) == {
        3: "blank_row", 4: "total_row", 5: "duplicate_line", 6: "invalid_date",
        7: "impossible_date", 8: "invalid_amount", 9: "invalid_amount",
        10: "missing_customer", 12: "conflicting_customer", 13: "missing_date",
        14: "missing_amount", 15: "total_row"}
    q = result.quality
    assert result.lines["row"].tolist() == [2, 11]
    assert q.revenue_used == 120.0
    by_reason = q.by_reason.set_index("reason")
    assert by_reason.loc["total_row", ["rows", "revenue"]].tolist() == [2, 1999.0]
    assert by_reason.loc["duplicate_line", "revenue"] == 100.0
    assert by_reason.loc["invalid_amount", "revenue"] == 0.0
    assert round(q.revenue_set_aside, 2) == 1999 + 100 + 10 + 11 + 13 + 5 + 14


def test_a_product_called_total_is_not_a_total_row():
    rows = [("Total Gym", "A1", "05/01/2024", "10", "A"), ("Total", None, None, "10", None)]
    result = ingest(table(rows, ["Produit"] + FR))
    check_accounting(result)
    assert result.lines["product"].tolist() == ["Total Gym"]
    assert reasons_by_row(result) == {3: "total_row"}


def test_multi_line_order_takes_first_date_and_customer_and_sums_amounts():
    rows = [("A1", "05/01/2024", "10", "A"), ("A1", None, "5,5", None),
            ("A1", "06/01/2024", "1", "A"), ("A2", "07/01/2024", "3", "B")]
    result = ingest(table(rows))
    check_accounting(result)
    order = result.orders.set_index("order_id").loc["A1"]
    assert (order["amount"], order["lines"], order["first_row"]) == (16.5, 3, 2)
    assert (order["order_date"], order["customer_id"]) == (TS("2024-01-05"), "A")


def test_refund_counts_in_revenue_not_in_orders_or_customers():
    rows = [("A1", "05/01/2024", "100", "A"), ("R1", "06/01/2024", "(30,00)", "B")]
    result = ingest(table(rows))
    check_accounting(result)
    q = result.quality
    assert (q.orders, q.customers, q.refunds, q.revenue_used) == (1, 1, 1, 70.0)


def test_ids_typed_differently_are_one_customer():
    rows = [("A1", "05/01/2024", 10, 123), ("A2", "06/01/2024", 20, "123"),
            ("A3", "07/01/2024", 30, 123.0), ("A4", "08/01/2024", 40, " 123 ")]
    result = ingest(table(rows))
    check_accounting(result)
    assert result.quality.customers == 1
    assert set(result.orders["customer_id"]) == {"123"}


def test_formula_looking_id_is_kept_as_text():
    formula = '=HYPERLINK("http://x","y")'
    result = ingest(table([("A1", "05/01/2024", 10, formula)]))
    check_accounting(result)
    assert result.orders["customer_id"].tolist() == [formula]
    assert result.set_aside_table().empty


def test_excel_serial_dates_and_1904():
    rows = [("A1", 45292, 10.0, "A"), ("A2", 45292.75, 20.0, "B"), ("A3", "45293", 5, "C")]
    frame = pd.DataFrame(rows, columns=FR, dtype=object)
    result = ingest(RawTable.from_frame(frame))
    check_accounting(result)
    assert result.orders["order_date"].tolist() == [
        TS("2024-01-01"), TS("2024-01-01 18:00"), TS("2024-01-02")]
    mac = RawTable(frame.set_axis([f"c{i}" for i in range(4)], axis=1), tuple(FR),
                   date1904=True)
    mac_result = ingest(mac)
    check_accounting(mac_result)
    assert mac_result.orders["order_date"].iloc[0] == TS("2028-01-02")


def test_typed_columns_as_a_fast_reader_returns_them():
    frame = pd.DataFrame({"ID achat": pd.Series(["A1", "A2", None], dtype="str"),
                          "Date d'achat": pd.to_datetime(["2024-01-05", "2024-01-06", None]),
                          "Montant": [10.0, np.nan, np.nan],
                          "ID client": [7.0, 8.0, np.nan]})
    result = ingest(RawTable.from_frame(frame))
    check_accounting(result)
    assert reasons_by_row(result) == {3: "missing_amount", 4: "blank_row"}
    assert result.orders["customer_id"].tolist() == ["7"]


def test_set_aside_table_gives_rows_and_raw_text():
    rows = TEN[:2] + [("A99", "31/02/2024", 12.0, 5.0), ("A98", dt.datetime(2024, 1, 2), True,
                                                         "Z")]
    result = ingest(table(rows))
    check_accounting(result)
    out = result.set_aside_table(lang="en")
    assert out["row"].tolist() == [4, 5]
    assert out["reason"].tolist() == ["impossible_date", "invalid_amount"]
    assert out["reason_label"].tolist()[1].startswith("Unreadable amount")
    assert out.iloc[0, 3:].tolist() == ["A99", "31/02/2024", "12", "5"]
    assert out.iloc[1, 3:].tolist() == ["A98", "2024-01-02", "TRUE", "Z"]
    assert len(result.set_aside_table(limit=1)) == 1


def test_nothing_usable_is_an_error_naming_the_first_row():
    with pytest.raises(KcError) as info:
        ingest(table([("A1", "jamais", "10", "A"), ("A2", "31/02/2024", "10", "B")]))
    assert info.value.key == "ingest.nothing_usable"
    assert "ligne 2" in str(info.value) and "Date illisible" in str(info.value)


def test_one_line_orders_are_their_lines():
    rows = [(f"A{i}", "05/01/2024", str(10 * i - 25), f"C{i % 3}", "FR" if i % 2 else None)
            for i in range(1, 8)]
    result = ingest(table(rows, FR + ["Pays"]))
    check_accounting(result)
    lines = result.lines
    expected = lines.drop(columns="row").assign(first_row=lines["row"], lines=1)
    expected["is_refund"] = expected["amount"] < 0
    pd.testing.assert_frame_equal(result.orders, expected[result.orders.columns],
                                  check_exact=True)
    assert result.orders["country"].dtype == "str"
    assert result.quality.customers == 3


def reference_orders(lines: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """build_orders written plainly with pandas: group by order, first non-empty, sums."""
    first = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())
    grouped = lines.groupby(codes, sort=False)
    orders = pd.DataFrame({
        "order_id": lines["order_id"].iloc[first].astype("str").to_numpy(),
        "order_date": grouped["order_date"].first().to_numpy(),
        "customer_id": grouped["customer_id"].first().astype("str").to_numpy(),
        "amount": grouped["amount"].sum().round(2).to_numpy(),
        "first_row": grouped["row"].min().to_numpy(),
        "lines": grouped.size().to_numpy(),
    })
    orders["is_refund"] = orders["amount"] < 0
    orders["quantity"] = grouped["quantity"].sum(min_count=1).to_numpy()
    orders["country"] = grouped["country"].first().to_numpy()
    return orders


LINE_VALUES = st.tuples(
    st.sampled_from(["A", "B", "C", "#4", None]),
    st.sampled_from([TS("2024-01-05"), TS("2024-02-01"), pd.NaT]),
    st.sampled_from(["c1", "c2", None]),
    st.sampled_from([10.0, -2.5, 0.1, -0.0, np.nan]),
    st.sampled_from([1.0, -0.0, np.nan]),
    st.sampled_from(["FR", "", None]))


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE_VALUES, min_size=1, max_size=12), st.booleans(),
       st.sampled_from(["str", object]))
def test_build_orders_is_a_grouping_by_order(rows, pass_codes, text_dtype):
    lines = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "amount",
                                        "quantity", "country"])
    lines.insert(0, "row", np.arange(2, len(rows) + 2, dtype=np.int64))
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    for key in ("order_id", "customer_id", "country"):
        lines[key] = lines[key].astype(text_dtype)
    codes = pd.factorize(lines["order_id"])[0]
    orders = build_orders(lines, codes if pass_codes else None)
    pd.testing.assert_frame_equal(orders, reference_orders(lines, codes), check_exact=True)


# ------------------------------------------------------------------------------ properties

GOOD_DATES = ["05/01/2024", "2024-02-03", "2024-03-04 10:11:12", 45300, 45301.5,
              dt.datetime(2024, 4, 5, 6, 7), "31/12/24"]
BAD_DATES = ["demain", "31/02/2024", "#N/A", True, "", None, "1/1/1960"]
GOOD_AMOUNTS = ["10", "12,50 €", "1 234,56", "-5", "(3,00)", 7, 2.25, -1.5, "€8.10"]
BAD_AMOUNTS = ["abc", "#VALEUR!", "#DIV/0!", False, "", None]
CUSTOMERS = ["A", "B", 7, 7.0, "7", " C ", None, ""]


def messy_row(kind: str, draw) -> tuple:
    order = draw(st.sampled_from(["A1", "A2", "A3", 1001, 1002.0, "Total", None]))
    if kind == "blank":
        return (None, draw(st.sampled_from(["", " ", None])), None, None)
    if kind == "junk":
        return tuple(draw(st.sampled_from(["x", "#N/A", "", None, "Sous-total", 0]))
                     for _ in range(4))
    date = draw(st.sampled_from(GOOD_DATES + (BAD_DATES if kind == "bad" else [])))
    amount = draw(st.sampled_from(GOOD_AMOUNTS + (BAD_AMOUNTS if kind == "bad" else [])))
    return (order, date, amount, draw(st.sampled_from(CUSTOMERS)))


@st.composite
def messy_tables(draw):
    rows: list[tuple] = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["good", "good", "bad", "blank", "junk", "copy"]))
        if kind == "copy" and rows:
            rows.append(draw(st.sampled_from(rows)))
        else:
            rows.append(messy_row("good" if kind == "copy" else kind, draw))
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_tables(), st.sampled_from([True, False, None]))
def test_any_messy_table_is_accounted_for(rows, day_first):
    raw = table(rows)
    try:
        result = ingest(raw, IngestOptions(day_first=day_first))
    except KcError as error:
        assert error.key in ("ingest.empty", "ingest.nothing_usable")
        return
    check_accounting(result)
    table_out = result.set_aside_table()
    assert table_out["row"].tolist() == (result.quality.set_aside_rows + 2).tolist()
    assert all(isinstance(v, str) for v in table_out.iloc[:, 3:].to_numpy().ravel())
    lines = result.lines
    assert lines.groupby("order_id")["customer_id"].nunique().max() == 1
    assert lines["order_date"].notna().all() and lines["customer_id"].notna().all()
    assert result.quality.orders + result.quality.refunds == len(result.orders)


def as_google_sheets_gives_it(frame: pd.DataFrame) -> pd.DataFrame:
    """The values the Sheets API returns (UNFORMATTED_VALUE, SERIAL_NUMBER), as an object frame:
    dates as serial numbers, whole numbers as ints, numeric texts as numbers, blanks as None."""
    def cell(value):
        if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return (value - TS("1899-12-30")) / pd.Timedelta(days=1)
        if isinstance(value, (str, bool)):
            return int(value) if isinstance(value, str) and value.isdigit() else value
        return int(value) if float(value).is_integer() else float(value)
    return pd.DataFrame({name: pd.Series([cell(v) for v in frame[name].astype(object)],
                                         dtype=object) for name in frame.columns})


@pytest.mark.parametrize("backend", ["objects", "google"])
def test_object_columns_ingest_like_typed_ones(backend):
    # Google Sheets and xlwings give object columns (mixed Python values); they are typed or
    # factorized by type, never read value by value, and give what the typed columns give.
    frame = sample_data.generate(rows=3000, seed=5)
    for name, rows, junk in (("Montant", [3, 40], ["#N/A", "12,50 €"]),
                             ("Date d'achat", [7, 41], [True, "31/02/2024"])):
        frame[name] = frame[name].astype(object)   # mixed columns too
        frame.loc[rows, name] = junk
    objects = frame.astype(object) if backend == "objects" else as_google_sheets_gives_it(frame)
    typed, mixed = ingest(RawTable.from_frame(frame)), ingest(RawTable.from_frame(objects))
    check_accounting(mixed)
    pd.testing.assert_frame_equal(mixed.lines, typed.lines)
    pd.testing.assert_frame_equal(mixed.orders, typed.orders)
    pd.testing.assert_frame_equal(mixed.quality.by_reason, typed.quality.by_reason)
    assert mixed.quality.by_reason.set_index("reason").loc[
        ["invalid_amount", "invalid_date", "impossible_date"], "rows"].tolist() == [1, 1, 1]


def test_order_level_totals_refunds_and_statuses_count_once_per_order():
    """A WooCommerce-style table: order_total repeated on each item row counts once, an order
    whose rows disagree on its total is set aside, refunded_total is taken off its order once,
    and a cancelled order is set aside; every row is accounted for."""
    headers = ["order_id", "date", "status", "order_total", "refunded_total", "customer_id",
               "item_name"]
    rows = [
        (1, "2024-01-05", "completed", "125.00", "0.00", 12, "Robe"),      # 2 counted: 125
        (1, "2024-01-05", "completed", "125.00", "0.00", 12, "Foulard"),   # 3 repeat: 0
        (1, "2024-01-05", "completed", "125.00", "0.00", 12, "Broche"),    # 4 repeat: 0
        (2, "2024-01-06", "processing", "60.00", "20.00", 13, "Sac"),      # 5 60 - 20
        (2, "2024-01-06", "processing", "60.00", "20.00", 13, "Ceinture"), # 6 repeat: 0
        (3, "2024-01-07", "wc-cancelled", "30.00", "0.00", 14, "Broche"),  # 7 cancelled
        (4, "2024-01-08", "completed", "50.00", "0.00", 15, "Robe"),       # 8 conflicting
        (4, "2024-01-08", "completed", "55.00", "0.00", 15, "Sac"),        # 9 conflicting
    ]
    result = ingest(table(rows, headers), IngestOptions(decimal_comma=False))
    check_accounting(result)
    assert reasons_by_row(result) == {7: "cancelled_order", 8: "conflicting_amount",
                                      9: "conflicting_amount"}
    assert result.lines["amount"].tolist() == [125.0, 0.0, 0.0, 40.0, 0.0]
    assert result.orders["amount"].tolist() == [125.0, 40.0]
    notes = " ".join(result.quality.notes)
    assert "compté une fois par commande (répétitions non comptées : 3)" in notes
    assert "déduits de 1 commande" in notes and "1 commandes" not in notes
    assert "1 ligne de commandes annulées" in notes


def test_a_line_level_amount_takes_its_refund_once_per_order():
    headers = ["Commande", "Date", "Montant", "Montant remboursé", "Client"]
    rows = [("C1", "05/01/2024", "30", "10", "A"), ("C1", "05/01/2024", "20", "10", "A")]
    result = ingest(table(rows, headers))
    check_accounting(result)
    assert result.orders["amount"].tolist() == [40.0]
