"""Corpus cases about the content of Raw Data: headers, dates, amounts, error values, rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.corpus.builders import EXCEL_ERRORS, Err, csv_text
from tests.corpus.registry import BASE, EN, FR, book, case, d, text_file

# ----------------------------------------------------------------------------- headers

@case("base_fr", "headers")
def _(tmp):
    """The five hand-checkable orders, French headers (the reference every case departs from)."""
    return book(tmp, "base_fr", [FR] + BASE)


@case("base_en", "headers", lang="en")
def _(tmp):
    """The same five orders in the English template, English headers."""
    return book(tmp, "base_en", [EN] + BASE, lang="en")


@case("headers_wrong", "headers")
def _(tmp):
    """Headers that mean nothing (Foo, Bar, Baz, Qux)."""
    return book(tmp, "headers_wrong", [["Foo", "Bar", "Baz", "Qux"]] + BASE)


@case("headers_wrong_en", "headers", lang="en")
def _(tmp):
    """Headers that mean nothing, English workbook: the refusal is in English."""
    return book(tmp, "headers_wrong_en", [["Foo", "Bar", "Baz", "Qux"]] + BASE, lang="en")


@case("headers_missing_amount", "headers")
def _(tmp):
    """No amount column at all."""
    return book(tmp, "headers_missing_amount",
                [["ID achat", "Date d'achat", "ID client"]] + [[r[0], r[1], r[3]] for r in BASE])


@case("headers_missing_customer", "headers")
def _(tmp):
    """No customer column and no e-mail column."""
    return book(tmp, "headers_missing_customer", [FR[:3]] + [r[:3] for r in BASE])


@case("headers_email_instead_of_customer", "headers")
def _(tmp):
    """No customer ID column, but an e-mail column (mixed case): e-mails identify customers."""
    emails = {"C1": "Alice@Example.com", "C2": "bob@example.com", "C3": "carol@example.com"}
    rows = [r[:3] + [emails[r[3]]] for r in BASE]
    rows[3][3] = "alice@example.com"          # same customer as row 2, other case
    return book(tmp, "headers_email_instead_of_customer", [FR[:3] + ["E-mail"]] + rows)


@case("headers_duplicate_amount", "headers")
def _(tmp):
    """Two columns both headed "Montant" (C and E) holding different values: ambiguous."""
    rows = [r + [r[2] * 2] for r in BASE]
    return book(tmp, "headers_duplicate_amount", [FR + ["Montant"]] + rows)


@case("headers_misspelt", "headers")
def _(tmp):
    """Misspelt headers ("Date d'achta", "Montnat")."""
    return book(tmp, "headers_misspelt", [["ID achat", "Date d'achta", "Montnat", "ID client"]]
                + BASE)


@case("headers_case_accents_apostrophe", "headers")
def _(tmp):
    """Headers in capitals, typographic apostrophe, underscores, trailing spaces."""
    return book(tmp, "headers_case_accents_apostrophe",
                [["ID ACHAT", "DATE D\u2019ACHAT", " montant ttc ", "id_client\n"]] + BASE)


@case("headers_reordered", "headers")
def _(tmp):
    """Columns in another order (customer, amount, order, date)."""
    return book(tmp, "headers_reordered", [[FR[3], FR[2], FR[0], FR[1]]]
                + [[r[3], r[2], r[0], r[1]] for r in BASE])


@case("headers_below_title", "headers")
def _(tmp):
    """A title in A1 (merged over A1:D1), an empty row 2, the headers in row 3."""
    return book(tmp, "headers_below_title",
                [["Export des commandes \u2013 T1 2024"], [], FR] + BASE, merges=["A1:D1"])


@case("headers_pasted_at_b3", "headers")
def _(tmp):
    """The whole table pasted at B3 instead of A1."""
    return book(tmp, "headers_pasted_at_b3", [FR] + BASE, top_left=(3, 2))


@case("raw_data_header_only", "headers")
def _(tmp):
    """A header row and no data."""
    return book(tmp, "raw_data_header_only", [FR])


@case("raw_data_empty", "headers")
def _(tmp):
    """Raw Data completely empty."""
    return book(tmp, "raw_data_empty", [])


# ----------------------------------------------------------------------------- dates
# Each date case: three orders of 100 (January), 20 (February) and 3 (March 2024), one customer
# each, read by ``analyze`` so the month each date landed in can be checked.

DATE_CASES = {
    "dates_iso": ("2024-01-05", "2024-02-10", "2024-03-31"),
    "dates_fr_slash": ("05/01/2024", "10/02/2024", "31/03/2024"),
    "dates_us_order_auto": ("01/05/2024", "02/10/2024", "03/31/2024"),
    "dates_dotted": ("05.01.2024", "10.02.2024", "31.03.2024"),
    "dates_fr_month_names": ("5 janv. 2024", "10 f\u00e9vr. 2024", "31 mars 2024"),
    "dates_en_month_names": ("Jan 5, 2024", "February 10, 2024", "31 March 2024"),
    "dates_iso_time_zone": ("2024-01-05T10:00:00+01:00", "2024-02-10T23:30:00Z",
                            "2024-03-31T08:00:00-05:00"),
    "dates_shopify_style": ("2024-01-05 10:00:00 +0100", "2024-02-10 09:05:10 +0100",
                            "2024-03-31 23:59:00 +0200"),
    "dates_serials_as_text": ("45296", "45332", "45382"),
    "dates_with_time_fr": ("05/01/2024 14:35", "10/02/2024 09:05:10", "31/03/2024 23:59"),
}


def _date_case(name: str, texts: tuple[str, ...]) -> None:
    def build(tmp: Path) -> Path:
        rows = [[f"D{i}", text, amount, f"K{i}"]
                for i, (text, amount) in enumerate(zip(texts, (100, 20, 3)), 1)]
        return text_file(tmp, name, csv_text([FR] + rows).encode("utf-8"))
    build.__doc__ = "Dates written as text: " + ", ".join(texts) + "."
    case(name, "dates", "analyze")(build)


for _name, _texts in DATE_CASES.items():
    _date_case(_name, _texts)


@case("dates_fr_december", "dates", "analyze")
def _(tmp):
    """French abbreviated month with a dot and an accent: "31 déc. 2024" (and "1 déc. 2024")."""
    rows = [["D1", "1 d\u00e9c. 2024", 100, "K1"], ["D2", "31 d\u00e9c. 2024", 20, "K2"]]
    return text_file(tmp, "dates_fr_december", csv_text([FR] + rows).encode("utf-8"))


@case("dates_impossible", "dates")
def _(tmp):
    """Impossible dates (31/02/2024, 2024-13-01, 00/01/2024) in rows 2-4, then two good rows."""
    rows = [["X1", "31/02/2024", 10, "C9"], ["X2", "2024-13-01", 20, "C9"],
            ["X3", "00/01/2024", 30, "C9"], BASE[0], BASE[1]]
    return book(tmp, "dates_impossible", [FR] + rows)


@case("dates_far", "dates")
def _(tmp):
    """Far dates: text 01/01/1900, 31/12/9999, 15/06/2150, a date cell on 1900-01-01 and one on
    9999-12-31 (rows 2-6), then two good rows."""
    rows = [["F1", "01/01/1900", 10, "C9"], ["F2", "31/12/9999", 20, "C9"],
            ["F3", "15/06/2150", 30, "C9"], ["F4", d(1900, 1, 1), 40, "C9"],
            ["F5", d(9999, 12, 31), 50, "C9"], BASE[0], BASE[1]]
    return book(tmp, "dates_far", [FR] + rows)


@case("dates_mixed_cells", "dates")
def _(tmp):
    """Date cells, date-time cells, a serial number cell and three text formats in one column."""
    dates = [d(2024, 1, 5), dt.datetime(2024, 1, 15, 14, 30), 45325, "10/02/2024", "2024-03-03"]
    rows = [[r[0], when, r[2], r[3]] for r, when in zip(BASE, dates)]
    return book(tmp, "dates_mixed_cells", [FR] + rows)


# ----------------------------------------------------------------------------- amounts

def _amount_book(tmp: Path, name: str, amounts: list[object], lang: str = "fr") -> Path:
    rows = [[f"M{i}", d(2024, 1, i), amount, f"C{i}"] for i, amount in enumerate(amounts, 1)]
    return book(tmp, name, [FR if lang == "fr" else EN] + rows, lang=lang)


@case("amounts_fr_text", "amounts")
def _(tmp):
    """French text amounts: 1 234,56 € (no-break space), 1 234,56 (narrow no-break space), 12,5,
    -20,00 €, 1.234,56."""
    return _amount_book(tmp, "amounts_fr_text", ["1\u00a0234,56\u00a0\u20ac", "1\u202f234,56",
                                                 "12,5", "-20,00 \u20ac", "1.234,56"])


@case("amounts_en_text", "amounts", lang="en")
def _(tmp):
    """English text amounts in the English template: $1,234.56, 1,234.56, 12.5, -20.00, USD 10."""
    return _amount_book(tmp, "amounts_en_text", ["$1,234.56", "1,234.56", "12.5", "-20.00",
                                                 "USD 10"], lang="en")


@case("amounts_currency_before_after", "amounts")
def _(tmp):
    """12,50 with the currency before and after: €12,50, 12,50 €, EUR 12,50, 12,50 EUR, 12,50€,
    € 12,50."""
    return _amount_book(tmp, "amounts_currency_before_after",
                        ["\u20ac12,50", "12,50 \u20ac", "EUR 12,50", "12,50 EUR", "12,50\u20ac",
                         "\u20ac 12,50"])


@case("amounts_euro_as_decimal_sign", "amounts")
def _(tmp):
    """French handwriting: 12€50 (= 12,50 €), 3€05 (= 3,05 €), and 100€."""
    return _amount_book(tmp, "amounts_euro_as_decimal_sign", ["12\u20ac50", "3\u20ac05",
                                                              "100\u20ac"])


@case("amounts_parentheses_negative", "amounts")
def _(tmp):
    """Accounting negatives: 100, then (12,50) and (7,50 €) as refunds of the same customer."""
    rows = [["P1", d(2024, 1, 5), 100, "C1"], ["P2", d(2024, 1, 6), "(12,50)", "C1"],
            ["P3", d(2024, 1, 7), "(7,50 \u20ac)", "C1"]]
    return book(tmp, "amounts_parentheses_negative", [FR] + rows)


@case("amounts_empty", "amounts")
def _(tmp):
    """An order with an empty amount (row 7) after the five good ones."""
    return book(tmp, "amounts_empty", [FR] + BASE + [["A6", d(2024, 3, 4), None, "C1"]])


@case("amounts_huge", "amounts")
def _(tmp):
    """Amounts no shop has: 1e20 and 1e300 as numbers, "1e308" and a 24-digit text (rows 7-10)."""
    rows = BASE + [["H1", d(2024, 3, 5), 1e20, "C1"], ["H2", d(2024, 3, 5), 1e300, "C1"],
                   ["H3", d(2024, 3, 5), "1e308", "C1"],
                   ["H4", d(2024, 3, 5), "999 999 999 999 999 999 999 999,00", "C1"]]
    return book(tmp, "amounts_huge", [FR] + rows)


@case("amounts_not_numbers", "amounts")
def _(tmp):
    """Cells that are not amounts: TRUE, "abc", "12,50 pommes", "--" (rows 7-10)."""
    rows = BASE + [["N1", d(2024, 3, 5), True, "C1"], ["N2", d(2024, 3, 5), "abc", "C1"],
                   ["N3", d(2024, 3, 5), "12,50 pommes", "C1"], ["N4", d(2024, 3, 5), "--", "C1"]]
    return book(tmp, "amounts_not_numbers", [FR] + rows)


@case("amounts_zero_orders", "amounts")
def _(tmp):
    """Orders of 0 (a free sample, a 100 % voucher): they are orders with no revenue."""
    return book(tmp, "amounts_zero_orders", [FR] + BASE + [["Z1", d(2024, 3, 6), 0, "C4"],
                                                           ["Z2", d(2024, 3, 7), "0,00 \u20ac",
                                                            "C2"]])


# ----------------------------------------------------------------------------- error values

def _error_book(tmp: Path, name: str, column: int, lang: str = "fr") -> Path:
    rows = []
    for i, code in enumerate(EXCEL_ERRORS, 1):
        row = [f"E{i}", d(2024, 1, 20), 10, "C9"]
        row[column] = Err(code)
        rows.append(row)
    return book(tmp, name, [FR if lang == "fr" else EN] + rows + BASE, lang=lang)


@case("errors_in_amount", "errors")
def _(tmp):
    """Each of the 15 Excel error values as a real error cell in Montant (rows 2-16)."""
    return _error_book(tmp, "errors_in_amount", 2)


@case("errors_in_date", "errors")
def _(tmp):
    """Each Excel error value in the date column (rows 2-16)."""
    return _error_book(tmp, "errors_in_date", 1)


@case("errors_in_customer", "errors")
def _(tmp):
    """Each Excel error value in the customer column (a VLOOKUP gone wrong, rows 2-16)."""
    return _error_book(tmp, "errors_in_customer", 3)


@case("errors_in_order_id", "errors")
def _(tmp):
    """Each Excel error value in the order ID column (rows 2-16)."""
    return _error_book(tmp, "errors_in_order_id", 0)


@case("errors_in_amount_en", "errors", lang="en")
def _(tmp):
    """Error values in Amount, English workbook."""
    return _error_book(tmp, "errors_in_amount_en", 2, lang="en")


@case("errors_in_optional_column", "errors")
def _(tmp):
    """Error values only in the Produit column: every order is still usable."""
    rows = [r + [Err(code)] for r, code in zip(BASE, ("#N/A", "#SPILL!", "#CALC!", "#NAME?",
                                                      "#BUSY!"))]
    return book(tmp, "errors_in_optional_column", [FR + ["Produit"]] + rows)


# ----------------------------------------------------------------------------- rows

@case("rows_blank_in_between", "rows")
def _(tmp):
    """Blank rows between orders: two missing rows, one row of empty texts, one of spaces."""
    rows = [BASE[0], BASE[1], None, None, ["", "", "", ""], ["  ", " ", "", "\u00a0"]] + BASE[2:]
    return book(tmp, "rows_blank_in_between", [FR] + [r or [] for r in rows])


@case("rows_hidden", "rows")
def _(tmp):
    """Rows 3 and 4 hidden (a filter left on): they are still orders."""
    return book(tmp, "rows_hidden", [FR] + BASE, hidden_rows={3, 4})


@case("rows_subtotals", "rows")
def _(tmp):
    """Subtotal rows as exports and people write them: "Sous-total" (row 4), "Subtotal" in the
    product column with no date (row 7), "TOTAL GÉNÉRAL" (row 10)."""
    rows = [BASE[0] + ["x"], BASE[1] + ["y"], ["Sous-total janvier", None, 300, None, None],
            BASE[2] + ["z"], BASE[3] + ["z"], [None, None, 90, None, "Subtotal"],
            BASE[4] + ["w"], [None, None, None, None, None],
            ["TOTAL G\u00c9N\u00c9RAL", None, 450, None, None]]
    return book(tmp, "rows_subtotals", [FR + ["Produit"]] + rows)


@case("rows_merged_cells", "rows")
def _(tmp):
    """Order A1 on two lines (rows 2-3) whose amount (C2:C3) and customer (D2:D3) are merged
    cells: only the first cell of a merge holds the value."""
    rows = [["A1", d(2024, 1, 5), 100, "C1", "Chemise"], ["A1", d(2024, 1, 5), None, None,
                                                          "Cravate"]] + [r + ["-"] for r in BASE[1:]]
    return book(tmp, "rows_merged_cells", [FR + ["Produit"]] + rows, merges=["C2:C3", "D2:D3"])


@case("refunds_larger_than_purchases", "rows")
def _(tmp):
    """C1 buys 50 and is refunded 80; C2 only has a refund of 30; C3 buys 100."""
    rows = [["R1", d(2024, 1, 5), 50, "C1"], ["R2", d(2024, 1, 20), -80, "C1"],
            ["R3", d(2024, 2, 1), -30, "C2"], ["R4", d(2024, 2, 2), 100, "C3"]]
    return book(tmp, "refunds_larger_than_purchases", [FR] + rows)


@case("guests_with_emails", "rows")
def _(tmp):
    """Five guest orders: customer IDs 0, 0, "guest", empty, "invité", each with its own e-mail,
    two of them for 0 €."""
    ids = ["0", 0, "guest", None, "invit\u00e9"]
    amounts = [100, 0, 30, 0, 50]
    rows = [[f"G{i}", d(2024, 1, i), amount, cid, f"guest{i}@example.com"]
            for i, (cid, amount) in enumerate(zip(ids, amounts), 1)]
    return book(tmp, "guests_with_emails", [FR + ["E-mail"]] + rows)


@case("guests_without_emails", "rows")
def _(tmp):
    """Three guest orders with customer ID 0 and no e-mail column (rows 2-4), then two regular
    orders: the guests are no single customer "0"."""
    rows = [["G1", d(2024, 1, 1), 10, 0], ["G2", d(2024, 1, 2), 20, 0],
            ["G3", d(2024, 1, 3), 30, 0], BASE[0], BASE[1]]
    return book(tmp, "guests_without_emails", [FR] + rows)
