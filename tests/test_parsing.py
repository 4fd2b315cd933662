"""Tests for kc_sheets.ingest.parsing: headers, blanks, dates, amounts, quantities and ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kc_sheets.ingest.parsing import (
    ERROR_VALUES, STATUSES, is_blank, normalize_header, parse_amounts, parse_dates,
    parse_id_codes, parse_ids, parse_numbers, text_matches, typed_column,
)
from kc_sheets.ingest.parsing.objects import _factorize_by_type

TS = pd.Timestamp
DTYPES = [object, "str"]


def obj(values) -> pd.Series:
    return pd.Series(values, dtype=object)


# ------------------------------------------------------------------------------ headers


@pytest.mark.parametrize("text, expected", [
    ("Date d'achat", "date d achat"),
    ("DATE_D'ACHAT", "date d achat"),
    ("Date d’achat", "date d achat"),
    ("N° commande", "n commande"),
    ("Nº commande", "no commande"),
    ("E-mail", "e mail"),
    ("  Catégorie   produit ", "categorie produit"),
    ("Quantité (unités)", "quantite unites"),
    ("id_order", "id order"),
    (None, ""),
])
def test_normalize_header(text, expected):
    assert normalize_header(text) == expected


# ------------------------------------------------------------------------------ blanks


def test_is_blank_object_and_str():
    values = ["a", "", "  ", "\u00a0", None, np.nan, 0, 0.0, False, pd.NaT, "0"]
    assert is_blank(obj(values)).tolist() == [
        False, True, True, True, True, True, False, False, False, True, False]
    text = pd.Series(["a", "", " \t", None], dtype="str")
    assert is_blank(text).tolist() == [False, True, True, True]


def test_is_blank_typed_columns_keep_index():
    s = pd.Series([1.0, np.nan], index=[10, 20])
    out = is_blank(s)
    assert out.tolist() == [False, True] and out.index.tolist() == [10, 20]
    assert is_blank(pd.Series(pd.to_datetime(["2024-01-01", None]))).tolist() == [False, True]


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize("text, expected", [
    ("31/12/2024", TS("2024-12-31")),
    ("31/12/24", TS("2024-12-31")),
    ("1/2/2024", TS("2024-02-01")),
    ("31-12-2024", TS("2024-12-31")),
    ("31.12.2024", TS("2024-12-31")),
    ("2024-12-31", TS("2024-12-31")),
    ("2024/12/31", TS("2024-12-31")),
    ("2024-12-31 14:05", TS("2024-12-31 14:05")),
    ("2024-12-31 14:05:11", TS("2024-12-31 14:05:11")),
    ("2024-12-31T14:05:11Z", TS("2024-12-31 14:05:11")),
    ("2024-12-31 14:05:11 +0100", TS("2024-12-31 14:05:11")),
    ("2024-12-31T14:05:11.250-05:00", TS("2024-12-31 14:05:11.250")),
    ("31/12/2024 14:05", TS("2024-12-31 14:05")),
    ("31/12/2024 9:05:07", TS("2024-12-31 09:05:07")),
    (" 31/12/2024 ", TS("2024-12-31")),
    ("45292", TS("2024-01-01")),
    ("45292,5", TS("2024-01-01 12:00")),
    ("20241231", TS("2024-12-31")),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_parse_dates_text(text, expected, dtype):
    parsed = parse_dates(pd.Series([text], dtype=dtype))
    assert parsed.status.tolist() == ["ok"]
    assert parsed.values.iloc[0] == expected
    assert parsed.values.dtype == "datetime64[ns]"


def test_parse_dates_objects_and_serials():
    paris = TS("2024-03-04 05:06:07", tz="Europe/Paris")
    values = [dt.datetime(2024, 1, 2, 3, 4, 5), dt.date(2024, 1, 2), TS("2024-05-06 07:08"),
              paris, np.datetime64("2024-02-29"), 45292, 45292.75, 45657.586932870370]
    parsed = parse_dates(obj(values))
    assert parsed.status.tolist() == ["ok"] * len(values)
    assert parsed.values.tolist() == [
        TS("2024-01-02 03:04:05"), TS("2024-01-02"), TS("2024-05-06 07:08"),
        TS("2024-03-04 05:06:07"), TS("2024-02-29"), TS("2024-01-01"), TS("2024-01-01 18:00"),
        TS("2024-12-31 14:05:11")]


def test_parse_dates_typed_columns():
    floats = parse_dates(pd.Series([45292.0, np.nan, 10.0]))
    assert floats.status.tolist() == ["ok", "missing", "impossible"]
    ints = parse_dates(pd.Series([45292, 45293]))
    assert ints.values.tolist() == [TS("2024-01-01"), TS("2024-01-02")]
    aware = pd.Series(pd.to_datetime(["2024-01-01 10:00", None]).tz_localize("Europe/Paris"))
    parsed = parse_dates(aware)
    assert parsed.values.tolist()[0] == TS("2024-01-01 10:00")
    assert parsed.status.tolist() == ["ok", "missing"]
    old = pd.Series(np.array(["1960-01-01", "2024-01-01"], dtype="datetime64[s]"))
    assert parse_dates(old).status.tolist() == ["impossible", "ok"]
    assert parse_dates(pd.Series([True, False])).status.tolist() == ["invalid", "invalid"]


def test_parse_dates_1904():
    assert parse_dates(pd.Series([45292]), date1904=True).values.iloc[0] == TS("2028-01-02")
    assert parse_dates(obj(["43830"]), date1904=True).values.iloc[0] == TS("2024-01-01")


@pytest.mark.parametrize("dtype", DTYPES)
def test_parse_dates_statuses(dtype):
    values = ["31/02/2024", "2023-02-29", "1/1/1960", "31/12/2100", "32/01/2024",
              "24/12/2024 25:00", "12",  # a serial number: 12 January 1900
              "#N/A", "#VALEUR!", "TRUE", "demain", "2024-12", "", "  ", None]
    parsed = parse_dates(pd.Series(values, dtype=dtype))
    assert parsed.status.tolist() == ["impossible"] * 7 + ["invalid"] * 5 + ["missing"] * 3
    assert parsed.values.isna().all()


def test_parse_dates_booleans_are_not_serial_one():
    parsed = parse_dates(obj([True, 1, 45292, False]))
    assert parsed.status.tolist() == ["invalid", "impossible", "ok", "invalid"]


def test_day_first_and_month_first():
    dates = ["01/02/2024", "03/04/2024"]
    assert parse_dates(obj(dates)).values.tolist() == [TS("2024-02-01"), TS("2024-04-03")]
    assert parse_dates(obj(dates), day_first=False).values.tolist() == [
        TS("2024-01-02"), TS("2024-03-04")]
    assert parse_dates(obj(dates), day_first=None).values.tolist() == [
        TS("2024-02-01"), TS("2024-04-03")]
    # Automatic: one value with a second number > 12 means the column is month first.
    us = parse_dates(obj(["01/02/2024", "12/31/2024 2:05 PM"]), day_first=None)
    assert us.values.tolist() == [TS("2024-01-02"), TS("2024-12-31 14:05")]
    # Day first fixed: the US date does not exist.
    assert parse_dates(obj(["12/31/2024"]), day_first=True).status.tolist() == ["impossible"]


def test_parse_dates_keeps_index():
    parsed = parse_dates(pd.Series(["31/12/2024", None], index=[7, 9]))
    assert parsed.values.index.tolist() == [7, 9] and parsed.status.index.tolist() == [7, 9]


def test_parse_dates_many_distinct_values_use_the_same_rules():
    """A large, mostly distinct column goes through the fast paths: same answers."""
    stamps = pd.date_range("2016-01-01", periods=60_000, freq="37min")
    texts = stamps.strftime("%d/%m/%Y %H:%M").tolist()
    texts[10], texts[20], texts[30] = "31/02/2024 10:00", "n/a", "2024-12-31 14:05:11 +0100"
    parsed = parse_dates(pd.Series(texts, dtype="str"))
    expected = pd.Series(stamps).where(lambda s: s.index != -1)
    expected[[10, 20]] = pd.NaT
    expected[30] = TS("2024-12-31 14:05:11")
    assert (parsed.values.fillna(TS(0)) == expected.fillna(TS(0))).all()
    assert parsed.status[[10, 20, 30]].tolist() == ["impossible", "invalid", "ok"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.datetimes(min_value=dt.datetime(1970, 1, 1),
                             max_value=dt.datetime(2099, 12, 31)), min_size=1, max_size=30),
       st.sampled_from(["%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S+0200",
                        "%d.%m.%Y %H:%M:%S"]))
def test_dates_round_trip(stamps, fmt):
    stamps = [s.replace(microsecond=0) for s in stamps]
    parsed = parse_dates(obj([s.strftime(fmt) for s in stamps]), day_first=True)
    assert parsed.status.tolist() == ["ok"] * len(stamps)
    assert parsed.values.tolist() == [TS(s) for s in stamps]


# ------------------------------------------------------------------------------ amounts


@pytest.mark.parametrize("text, expected", [
    ("1 234,56 €", 1234.56),
    ("1\u00a0234,56 €", 1234.56),
    ("1\u202f234,56", 1234.56),
    ("1234,56", 1234.56),
    ("1,234.56", 1234.56),
    ("1.234,56", 1234.56),
    ("1.234.567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("€12.50", 12.5),
    ("12.50 EUR", 12.5),
    ("$1,234.00", 1234.0),
    ("-12,5", -12.5),
    ("(12.50)", -12.5),
    ("12,5-", -12.5),
    ("−7", -7.0),
    ("12 €", 12.0),
    ("12.500000", 12.5),
    (",5", 0.5),
    ("1e3", 1000.0),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_parse_amounts_text(text, expected, dtype):
    parsed = parse_amounts(pd.Series([text], dtype=dtype))
    assert parsed.status.tolist() == ["ok"]
    assert parsed.values.iloc[0] == pytest.approx(expected)


def test_ambiguous_thousands():
    assert parse_amounts(obj(["1,234"]), decimal_comma=True).values.iloc[0] == 1.234
    assert parse_amounts(obj(["1,234"]), decimal_comma=False).values.iloc[0] == 1234.0
    assert parse_amounts(obj(["$1,234"]), decimal_comma=False).values.iloc[0] == 1234.0
    # A lone "1.234" is a decimal point, unless the column writes thousands with points.
    assert parse_amounts(obj(["1.234"])).values.iloc[0] == 1.234
    assert parse_amounts(obj(["1.234", "1.234.567,8"])).values.tolist() == [1234.0, 1234567.8]


def test_amount_errors_booleans_and_blanks():
    values = list(ERROR_VALUES[:11]) + [True, False, "abc", "12 34,5,6", dt.date(2024, 1, 1),
                                        float("inf"), "", "   ", None, np.nan]
    parsed = parse_amounts(obj(values))
    assert parsed.status.tolist() == ["invalid"] * 17 + ["missing"] * 4
    assert parsed.values.isna().all()


def test_amounts_numbers_pass_through():
    assert parse_amounts(obj([1, 0, 12.5, -3, np.float64(2.25)])).values.tolist() == [
        1.0, 0.0, 12.5, -3.0, 2.25]
    typed = parse_amounts(pd.Series([1.5, np.nan, -2.0]))
    assert typed.status.tolist() == ["ok", "missing", "ok"]
    assert parse_amounts(pd.Series([True])).status.tolist() == ["invalid"]
    # True and 1 are one key for pandas' factorize: they must stay apart.
    assert parse_amounts(obj([1, True, 1.0])).status.tolist() == ["ok", "invalid", "ok"]


def test_parse_numbers_reads_the_decimal_separator_from_the_column():
    assert parse_numbers(obj(["2", "1,5", 3])).values.tolist() == [2.0, 1.5, 3.0]
    assert parse_numbers(obj(["1,234", "1.5"])).values.tolist() == [1234.0, 1.5]
    assert parse_numbers(obj(["1,234", "2,5"])).values.tolist() == [1.234, 2.5]
    assert parse_numbers(pd.Series([1, 2])).values.tolist() == [1.0, 2.0]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.decimals(min_value=-10**7, max_value=10**7, places=2), min_size=1,
                max_size=20))
def test_amounts_round_trip_french_and_english(amounts):
    french = [f"{a:,.2f}".replace(",", "\u202f").replace(".", ",") + " €" for a in amounts]
    english = [f"${a:,.2f}" for a in amounts]
    expected = [float(a) for a in amounts]
    assert parse_amounts(obj(french), decimal_comma=True).values.tolist() == \
        pytest.approx(expected)
    assert parse_amounts(obj(english), decimal_comma=False).values.tolist() == \
        pytest.approx(expected)


# ------------------------------------------------------------------------------ ids


def test_ids_one_customer_however_typed():
    parsed = parse_ids(obj([123, "123", 123.0, " 123 ", np.int64(123), "123.0"]))
    assert parsed.values.tolist() == ["123"] * 6
    assert parsed.values.dtype == object


def test_ids_other_values():
    formula = '=HYPERLINK("http://x","y")'
    values = [12.5, 1234567890123, 1234567890123.0, 2**63 + 1, formula, "00123", "#1001",
              " A-7 ", "", None, np.nan, "#N/A", True]
    parsed = parse_ids(obj(values))
    assert parsed.values.tolist() == [
        "12.5", "1234567890123", "1234567890123", str(2**63 + 1), formula, "00123", "#1001",
        "A-7", None, None, None, None, None]
    assert parsed.status.tolist() == ["ok"] * 8 + ["missing"] * 3 + ["invalid"] * 2


def test_ids_typed_columns():
    assert parse_ids(pd.Series([1, 22, 1234567890123])).values.tolist() == [
        "1", "22", "1234567890123"]
    assert parse_ids(pd.Series([1.0, 2.5, np.nan])).values.tolist() == ["1", "2.5", None]
    text = parse_ids(pd.Series([" a", None, "b "], dtype="str"))
    assert text.values.tolist() == ["a", None, "b"]
    assert text.status.tolist() == ["ok", "missing", "ok"]


def test_ids_many_distinct_values():
    ids = [f"C{i}" for i in range(60_000)] + [None, " C5 "]
    parsed = parse_ids(pd.Series(ids, dtype="str"))
    assert parsed.values.iloc[59_999] == "C59999"
    assert parsed.values.tolist()[-2:] == [None, "C5"]


def check_codes_match_ids(series: pd.Series) -> None:
    """parse_id_codes gives parse_ids' ids: equal ids, equal codes; statuses alike."""
    parsed, ids = parse_ids(series), parse_id_codes(series)
    texts = ids.texts.to_pylist()
    assert [texts[c] if c >= 0 else None for c in ids.codes] == parsed.values.tolist()
    assert [STATUSES[s] for s in ids.status] == parsed.status.tolist()
    named = [c for c in ids.codes if c >= 0]
    assert len(set(named)) == len({texts[c] for c in named})   # one code per id


ID_VALUES = ["A1", " A1", "A1 ", "a1", "1", 1, 1.0, "1.0", "01", 12.5, "", " ", None, np.nan,
             "#N/A", True, "#1001", dt.datetime(2024, 1, 2), "Total"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ID_VALUES), max_size=30))
def test_id_codes_match_ids_on_any_column(values):
    check_codes_match_ids(obj(values))
    texts = [v for v in values if isinstance(v, str) or v is None]
    check_codes_match_ids(pd.Series(texts, dtype="str"))


@pytest.mark.parametrize("order", ["ascending", "descending", "shuffled"])
def test_id_codes_of_many_ids_sorted_or_not(order):
    # mostly distinct ids (not factorized first); sorted ones are numbered without hashing
    ids = [f"#{i}" for i in range(1, 60_000) for _ in range(1 + (i % 50 == 0))] + [None]
    if order == "descending":
        ids = ids[::-1]
    elif order == "shuffled":
        ids = list(np.random.default_rng(0).permutation(np.array(ids, dtype=object)))
    check_codes_match_ids(pd.Series(ids, dtype="str"))


def test_id_codes_without_any_id():
    ids = parse_id_codes(pd.Series([None, " ", "#N/A"], dtype="str"))
    assert ids.codes.tolist() == [-1, -1, -1]
    assert ids.text_array(ids.codes).isna().all()


def test_text_matches_the_same_on_text_and_object_columns():
    values = ["Total", " sous-total 3", "Totally", "A1", None, "", "TOTAL général"]
    pattern = r"(?i)^\s*(sous[- ]?total|total)\b"
    assert text_matches(pd.Series(values, dtype="str"), pattern).tolist() == \
        text_matches(obj(values), pattern).tolist() == [True, True, False, False, False,
                                                        False, True]


# ------------------------------------------------------------------------------ object columns
# Google Sheets (JSON) and xlwings (COM) give object columns. They are typed when all their
# cells are of one kind, and factorized by Python type when mixed: the same result as cell by
# cell, whatever the mix.

CELL_TEXTS = ["31/12/2024", "2024-01-05 10:00", "45292", "12,50 €", "(12.50)", "1,234", "#N/A",
              "Total", "A7", " A7 ", "123.0", "TRUE", "", " ", "\u00a0", "31/02/2024"]
_DAYS = st.datetimes(min_value=dt.datetime(2023, 12, 30), max_value=dt.datetime(2024, 1, 2))
CELLS = {
    "blank": st.sampled_from([None, np.nan, pd.NA, pd.NaT]),
    "text": st.one_of(st.sampled_from(CELL_TEXTS), st.text(max_size=6)),
    "int": st.one_of(st.integers(-3, 3), st.sampled_from([45292, 20241231, 2**53 + 1, 2**64]),
                     st.integers()),
    "float": st.one_of(st.floats(), st.sampled_from([1.0, 45292.5, 12.5, 1e13, 2.0**53])),
    "numpy": st.one_of(st.integers(-2**63, 2**63 - 1).map(np.int64), st.floats().map(np.float64),
                       st.floats(width=32).map(np.float32), st.booleans().map(np.bool_)),
    "bool": st.booleans(),
    "decimal": st.integers(-10**6, 10**6).map(Decimal),   # whole: Decimal("0.50") == 0.5
    "datetime": st.one_of(_DAYS, _DAYS.map(pd.Timestamp),
                          st.datetimes(min_value=dt.datetime(1600, 1, 1),
                                       max_value=dt.datetime(3000, 1, 1))),
    "aware": _DAYS.map(lambda d: pd.Timestamp(d).tz_localize("Europe/Paris")),
    "date": st.one_of(_DAYS.map(lambda d: d.date()), _DAYS.map(lambda d: np.datetime64(d, "D"))),
}


@st.composite
def object_columns(draw):
    """An object column of one to three kinds of cell (often with blanks), with repeats."""
    kinds = draw(st.lists(st.sampled_from(sorted(CELLS)), min_size=1, max_size=3, unique=True))
    values = draw(st.lists(st.one_of(*[CELLS[k] for k in kinds]), max_size=25))
    if values:
        values += draw(st.lists(st.sampled_from(values), max_size=25))
    return obj(values)


def same_cells(column, cells) -> bool:
    """Equal values, NaN/NaT/None equal to themselves (and 0.0 to -0.0, as numbers)."""
    return all(a == b or (pd.isna(a) and pd.isna(b)) for a, b in zip(column, cells, strict=True))


@settings(max_examples=400, deadline=None)
@given(object_columns())
def test_object_columns_parse_as_their_cells_one_by_one(series):
    one_by_one = [obj([v]) for v in series]
    pattern = r"(?i)^\s*total"
    assert is_blank(series).tolist() == [is_blank(c).iloc[0] for c in one_by_one]
    assert text_matches(series, pattern).tolist() == [text_matches(c, pattern)[0]
                                                      for c in one_by_one]
    for parse in (parse_amounts, lambda s: parse_dates(s, day_first=True), parse_ids):
        parsed, cells = parse(series), [parse(c) for c in one_by_one]
        assert parsed.status.tolist() == [c.status.iloc[0] for c in cells]
        assert same_cells(parsed.values.tolist(), [c.values.iloc[0] for c in cells])
    check_codes_match_ids(series)


@settings(max_examples=300, deadline=None)
@given(object_columns())
def test_factorize_by_type_is_pandas_factorize_with_booleans_apart(series):
    values = series.to_numpy(dtype=object)
    found = _factorize_by_type(values)
    if found is None:   # a type it leaves to pandas
        return
    codes, uniques = found
    marked = values.copy()   # booleans as objects equal to no number
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)):
            marked[i] = ("bool", bool(v))
    expected_codes, expected_uniques = pd.factorize(marked)
    assert codes.tolist() == expected_codes.tolist()
    assert len(uniques) == len(expected_uniques)
    assert all(u is values[np.flatnonzero(codes == i)[0]] for i, u in enumerate(uniques))


@pytest.mark.parametrize("values, dtype", [
    (["A1", None, " b"], "str"),
    ([1, 2, np.int64(3)], "int64"),
    ([1, None, 2.5], "float64"),
    ([dt.datetime(2024, 1, 2, 3), None, pd.Timestamp("2024-01-03")], "datetime64[ns]"),
    ([dt.date(2024, 1, 2), np.nan], "datetime64[ns]"),
    (["A1", 7], object),                                          # mixed
    ([True, None], object),                                       # booleans
    ([2**53 + 1, None], object),                                  # no exact float
    ([2**64, 1], object),                                         # past int64
    ([pd.Timestamp("2024-01-02", tz="Europe/Paris")], object),    # a time zone
    ([dt.datetime(1600, 1, 1)], object),                          # before datetime64[ns]
    ([Decimal("1.5")], object),
])
def test_typed_column(values, dtype):
    series = obj(values)
    typed = typed_column(series)
    assert typed.dtype == dtype
    if dtype == object:
        assert typed is series
    else:
        assert typed.isna().tolist() == series.isna().tolist()


def test_dates_with_month_names_in_french_and_english():
    from kc_sheets.ingest.parsing import parse_dates

    texts = {"5 janv. 2024": "2024-01-05", "10 févr. 2024": "2024-02-10",
             "31 déc. 2024": "2024-12-31", "1er mai 2024": "2024-05-01",
             "Jan 5, 2024": "2024-01-05", "February 10, 2024": "2024-02-10",
             "31 March 2024": "2024-03-31", "lundi 5 février 2024 à 10:30": "2024-02-05 10:30",
             "Monday, January 8, 2024 10:00 PM": "2024-01-08 22:00", "5 foo 2024": None}
    parsed = parse_dates(pd.Series(list(texts)), day_first=False)   # a name settles the order
    got = [None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")
           for v in parsed.values]
    assert got == list(texts.values())
