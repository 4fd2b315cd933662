"""Corpus cases about the file itself: shop exports, CSV encodings, containers that are not an
.xlsx, hostile texts, and workbooks in a state Calculate must handle (flags, Settings, tabs)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from tests.corpus.builders import (
    Sheet, csv_text, encrypted_stub_bytes, minimal_xlsx, ods_bytes, rewrite_zip, sheet_parts,
    xls_bytes,
)
from tests.corpus.registry import BASE, FR, PAYLOADS, book, case, text_file

# ----------------------------------------------------------------------------- shop exports
# Shopify "Export orders" CSV: one row per line item; order-level fields (Financial Status,
# totals, Paid at...) only on the first row of an order (help.shopify.com, "Order export CSV").
SHOPIFY = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
           "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
           "Discount Code", "Discount Amount", "Shipping Method", "Created at",
           "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
           "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
           "Lineitem fulfillment status", "Billing Name", "Billing City", "Billing Zip",
           "Billing Country", "Shipping Name", "Shipping City", "Shipping Country", "Notes",
           "Cancelled at", "Payment Method", "Refunded Amount", "Vendor", "Outstanding Balance",
           "Id", "Tags", "Risk Level", "Source", "Lineitem discount"]


def _shopify(order: dict, lines: list[tuple[int, str, str]]) -> list[list[object]]:
    rows = []
    for i, (qty, name, price) in enumerate(lines):
        row = dict.fromkeys(SHOPIFY, "")
        row.update({"Name": order["Name"], "Email": order["Email"], "Lineitem quantity": qty,
                    "Lineitem name": name, "Lineitem price": price, "Lineitem sku": name[:3],
                    "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                    "Lineitem fulfillment status": "fulfilled", "Lineitem discount": "0.00"})
        if i == 0:
            row.update(order)
        rows.append([row[h] for h in SHOPIFY])
    return rows


def shopify_rows() -> list[list[object]]:
    """#1001 (two lines, Total 125 on the first only), #1002 fully refunded (80), #1003 partly
    refunded (60, 20 refunded): net revenue 125 + 0 + 40 = 165."""
    common = {"Fulfillment Status": "fulfilled", "Accepts Marketing": "no", "Currency": "EUR",
              "Shipping": "0.00", "Discount Amount": "0.00", "Shipping Method": "Standard",
              "Payment Method": "Shopify Payments", "Outstanding Balance": "0.00",
              "Risk Level": "Low", "Source": "web", "Billing Country": "FR"}
    return ([SHOPIFY]
            + _shopify({**common, "Name": "#1001", "Email": "jane@example.com",
                        "Financial Status": "paid", "Paid at": "2024-01-05 10:02:11 +0100",
                        "Subtotal": "125.00", "Taxes": "20.83", "Total": "125.00",
                        "Created at": "2024-01-05 10:00:00 +0100", "Refunded Amount": "0.00",
                        "Id": "5501"}, [(2, "T-shirt", "25.00"), (1, "Mug", "75.00")])
            + _shopify({**common, "Name": "#1002", "Email": "bob@example.com",
                        "Financial Status": "refunded", "Paid at": "2024-02-10 09:00:00 +0100",
                        "Subtotal": "80.00", "Taxes": "13.33", "Total": "80.00",
                        "Created at": "2024-02-10 08:59:00 +0100", "Refunded Amount": "80.00",
                        "Id": "5502"}, [(1, "Sweat", "80.00")])
            + _shopify({**common, "Name": "#1003", "Email": "jane@example.com",
                        "Financial Status": "partially_refunded",
                        "Paid at": "2024-03-01 18:00:00 +0100", "Subtotal": "60.00",
                        "Taxes": "10.00", "Total": "60.00",
                        "Created at": "2024-03-01 17:58:00 +0100", "Refunded Amount": "20.00",
                        "Id": "5503"}, [(2, "Casquette", "30.00")]))


@case("shopify_orders_csv", "exports", "analyze")
def _(tmp):
    """A Shopify orders export (UTF-8, comma): line items, Total on the first line of an order
    only, a refunded and a partially refunded order (Refunded Amount)."""
    return text_file(tmp, "shopify_orders_csv", csv_text(shopify_rows()).encode("utf-8"))


@case("shopify_orders_pasted", "exports")
def _(tmp):
    """The same Shopify export pasted into Raw Data (texts as Excel keeps them)."""
    return book(tmp, "shopify_orders_pasted", shopify_rows())


# WooCommerce "Customer/Order/Coupon Export", format "Default - One Row per Item": every order
# column (order_total, refunded_total, customer_id...) is repeated on each item row; guests
# have customer_id 0.
WOO = ["order_id", "order_number", "date", "status", "shipping_total", "shipping_tax_total",
       "fee_total", "fee_tax_total", "tax_total", "discount_total", "order_total",
       "refunded_total", "order_currency", "payment_method", "shipping_method", "customer_id",
       "billing_first_name", "billing_last_name", "billing_company", "billing_email",
       "billing_phone", "billing_postcode", "billing_city", "billing_country",
       "shipping_country", "customer_note", "item_id", "item_product_id", "item_name",
       "item_sku", "item_quantity", "item_subtotal", "item_subtotal_tax", "item_total",
       "item_total_tax", "item_refunded", "item_refunded_qty", "item_meta", "shipping_items",
       "fee_items", "tax_items", "coupon_items", "order_notes", "download_permissions"]


def _woo(order_id: int, date: str, status: str, total: str, refunded: str, customer: int,
         email: str, items: list[tuple[str, int, str]]) -> list[list[object]]:
    rows = []
    for n, (name, qty, item_total) in enumerate(items, 1):
        row = dict.fromkeys(WOO, "")
        row.update({"order_id": order_id, "order_number": order_id, "date": date,
                    "status": status, "shipping_total": "0.00", "tax_total": "0.00",
                    "discount_total": "0.00", "order_total": total, "refunded_total": refunded,
                    "order_currency": "EUR", "payment_method": "stripe",
                    "shipping_method": "Colissimo", "customer_id": customer,
                    "billing_first_name": email.split("@")[0].title(), "billing_email": email,
                    "billing_country": "FR", "shipping_country": "FR",
                    "item_id": order_id * 10 + n, "item_product_id": 100 + n,
                    "item_name": name, "item_sku": name[:3].upper(), "item_quantity": qty,
                    "item_subtotal": item_total, "item_total": item_total,
                    "item_refunded": "0.00", "item_refunded_qty": 0,
                    "download_permissions": 0})
        rows.append([row[h] for h in WOO])
    return rows


@case("woocommerce_repeated_total", "exports", "analyze")
def _(tmp):
    """One WooCommerce order of 125 on three item rows (50 + 40 + 35), order_total 125
    repeated on each row."""
    rows = _woo(1001, "2024-01-05 10:00:00", "completed", "125.00", "0.00", 12,
                "marie@example.com", [("Robe", 1, "50.00"), ("Foulard", 1, "40.00"),
                                      ("Broche", 1, "35.00")])
    return text_file(tmp, "woocommerce_repeated_total", csv_text([WOO] + rows).encode("utf-8"))


@case("woocommerce_export", "exports", "analyze")
def _(tmp):
    """A WooCommerce export: order 1001 (125 on three rows), two guest orders (customer_id 0,
    different e-mails: 40 and 30), and order 1004 of 80 fully refunded (refunded_total 80)."""
    rows = (_woo(1001, "2024-01-05 10:00:00", "completed", "125.00", "0.00", 12,
                 "marie@example.com", [("Robe", 1, "50.00"), ("Foulard", 1, "40.00"),
                                       ("Broche", 1, "35.00")])
            + _woo(1002, "2024-01-20 11:00:00", "completed", "40.00", "0.00", 0,
                   "anne@example.com", [("Foulard", 1, "40.00")])
            + _woo(1003, "2024-02-02 12:00:00", "processing", "30.00", "0.00", 0,
                   "paul@example.com", [("Broche", 1, "30.00")])
            + _woo(1004, "2024-02-14 09:00:00", "refunded", "80.00", "80.00", 12,
                   "marie@example.com", [("Sac", 1, "50.00"), ("Ceinture", 1, "30.00")]))
    return text_file(tmp, "woocommerce_export", csv_text([WOO] + rows).encode("utf-8"))


# PrestaShop back office, Orders > Export: the list columns (AdminOrdersController fields_list:
# ID, Reference, New client, Delivery, Customer, Total, Payment, Status, Date) in French,
# ';'-separated, every field quoted; Total formatted as a price, the customer as a name.
PRESTA = ["ID", "R\u00e9f\u00e9rence", "Nouveau client", "Livraison", "Client", "Total",
          "Paiement", "\u00c9tat", "Date"]


@case("prestashop_orders_export", "exports", "analyze")
def _(tmp):
    """A PrestaShop orders export: two orders delivered or paid (125 and 60), one refunded
    ("Remboursé", 80) and one cancelled ("Annulé", 30)."""
    rows = [[1, "XKBKNABJK", "Oui", "France", "J. DUPONT", "125,00 \u20ac", "Carte bancaire",
             "Livr\u00e9", "05/01/2024 10:00:00"],
            [2, "OHSATSERP", "Non", "France", "J. DUPONT", "60,00 \u20ac", "Ch\u00e8que",
             "Paiement accept\u00e9", "10/02/2024 11:00:00"],
            [3, "FFATNOMMJ", "Oui", "Belgique", "M. MARTIN", "80,00 \u20ac",
             "Virement bancaire", "Rembours\u00e9", "01/03/2024 09:00:00"],
            [4, "UOYEVOLIT", "Oui", "France", "A. PETIT", "30,00 \u20ac", "Carte bancaire",
             "Annul\u00e9", "02/03/2024 09:30:00"]]
    text = "".join(";".join(f'"{v}"' for v in row) + "\n" for row in [PRESTA] + rows)
    return text_file(tmp, "prestashop_orders_export", text.encode("utf-8"))


@case("prestashop_sql_manager", "exports", "analyze")
def _(tmp):
    """A PrestaShop SQL manager export of ps_orders (';', amounts as the database stores them:
    125.000000) while the decimal setting is the French comma."""
    rows = [["id_order", "reference", "id_customer", "total_paid_tax_incl", "date_add"],
            [1, "XKBKNABJK", 7, "125.000000", "2024-01-05 10:00:00"],
            [2, "OHSATSERP", 7, "60.000000", "2024-02-10 11:00:00"],
            [3, "FFATNOMMJ", 9, "40.500000", "2024-03-01 09:00:00"]]
    return text_file(tmp, "prestashop_sql_manager", csv_text(rows, sep=";").encode("utf-8"))


# ----------------------------------------------------------------------------- CSV encodings

def _base_text_rows(amount=lambda v: v) -> list[list[object]]:
    return [FR] + [[r[0], r[1].strftime("%d/%m/%Y"), amount(r[2]), r[3]] for r in BASE]


@case("csv_utf8_bom", "csv", "analyze")
def _(tmp):
    """UTF-8 with a byte-order mark (Excel's "CSV UTF-8"), comma separator."""
    return text_file(tmp, "csv_utf8_bom", b"\xef\xbb\xbf" + csv_text(_base_text_rows())
                     .encode("utf-8"))


@case("csv_utf16_tab", "csv", "analyze")
def _(tmp):
    """Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF."""
    return text_file(tmp, "csv_utf16_tab", csv_text(_base_text_rows(), sep="\t")
                     .encode("utf-16"))


@case("csv_windows1252_semicolon", "csv", "analyze")
def _(tmp):
    """Windows-1252 (Excel's "CSV (séparateur: point-virgule)"), ';', amounts "100,00 €",
    accented customer names."""
    rows = _base_text_rows(lambda v: f"{v},00 \u20ac")
    names = {"C1": "H\u00e9l\u00e8ne", "C2": "Fran\u00e7ois", "C3": "Zo\u00e9"}
    rows = [rows[0]] + [r[:3] + [names[r[3]]] for r in rows[1:]]
    return text_file(tmp, "csv_windows1252_semicolon", csv_text(rows, sep=";")
                     .encode("cp1252"))


@case("csv_semicolon_french_amounts", "csv", "analyze")
def _(tmp):
    """UTF-8, ';', quoted French amounts with thousands spaces ("1 234,56")."""
    rows = [FR, ["A1", "05/01/2024", "1 234,56", "C1"], ["A2", "06/01/2024", "0,44", "C2"]]
    return text_file(tmp, "csv_semicolon_french_amounts", csv_text(rows, sep=";")
                     .encode("utf-8"))


@case("csv_empty", "csv", "analyze")
def _(tmp):
    """A CSV of zero bytes."""
    return text_file(tmp, "csv_empty", b"")


@case("csv_header_only", "csv", "analyze")
def _(tmp):
    """A CSV with its header line and nothing else."""
    return text_file(tmp, "csv_header_only", csv_text([FR]).encode("utf-8"))


@case("csv_line_breaks_in_cells", "csv", "analyze")
def _(tmp):
    """Quoted cells holding line breaks; row 3 (unreadable date) carries one into the set-aside
    list."""
    rows = _base_text_rows()
    rows[0] = rows[0] + ["Produit"]
    rows[1] = rows[1] + ["Chemise\nbleue"]
    rows[2] = [rows[2][0], "pas une date", rows[2][2], "C2\r\nbis", "ligne 1\nligne 2"]
    return text_file(tmp, "csv_line_breaks_in_cells", csv_text(rows).encode("utf-8"))


@case("csv_ragged_rows", "csv", "analyze")
def _(tmp):
    """Line 4 has two fields more than the header."""
    text = csv_text(_base_text_rows()).splitlines(keepends=True)
    text[3] = text[3].rstrip("\r\n") + ",extra,more\r\n"
    return text_file(tmp, "csv_ragged_rows", "".join(text).encode("utf-8"))


@case("csv_formula_payloads", "csv", "analyze")
def _(tmp):
    """Formula payloads (=HYPERLINK, +1+1, -2+3, @SUM, =cmd|...) in every text column; row 7 is
    set aside (unreadable date) so the payloads reach quality.set_aside.csv too."""
    header = FR + ["Produit", "Cat\u00e9gorie", "Pays", "Canal"]
    rows = [[p, f"0{i + 1}/01/2024", 10 * (i + 1), p, p, p, p, p]
            for i, p in enumerate(PAYLOADS)]
    rows.append([PAYLOADS[0], PAYLOADS[1], "5", PAYLOADS[4], PAYLOADS[2], PAYLOADS[3], "x", "y"])
    return text_file(tmp, "csv_formula_payloads", csv_text([header] + rows).encode("utf-8"))


@case("csv_map_unrecognised_column", "csv", "analyze", args=("--set", "map.amount=Prix TTC"))
def _(tmp):
    """An amount column headed "Prix TTC", mapped with --set map.amount=Prix TTC."""
    rows = _base_text_rows()
    rows[0] = ["ID achat", "Date d'achat", "Prix TTC", "ID client"]
    return text_file(tmp, "csv_map_unrecognised_column", csv_text(rows).encode("utf-8"))


@case("csv_unrecognised_column", "csv", "analyze")
def _(tmp):
    """The same CSV without --set: the refusal must point to --set, not to a Settings tab."""
    rows = _base_text_rows()
    rows[0] = ["ID achat", "Date d'achat", "Prix TTC", "ID client"]
    return text_file(tmp, "csv_unrecognised_column", csv_text(rows).encode("utf-8"))


@case("analyze_xlsx_raw_data", "csv", "analyze")
def _(tmp):
    """``analyze`` on a workbook: its Raw Data tab is read."""
    return book(tmp, "analyze_xlsx_raw_data", [FR] + BASE)


# ----------------------------------------------------------------------------- containers

def _valid(tmp: Path, name: str) -> bytes:
    return book(tmp, f"{name}-source", [FR] + BASE).read_bytes()


@case("xls_renamed_xlsx", "containers")
def _(tmp):
    """An Excel 97-2003 .xls (OLE2 with a Workbook stream) renamed .xlsx."""
    return text_file(tmp, "xls_renamed_xlsx", xls_bytes(), ".xlsx")


@case("ods_renamed_xlsx", "containers")
def _(tmp):
    """A LibreOffice .ods renamed .xlsx."""
    return text_file(tmp, "ods_renamed_xlsx", ods_bytes(), ".xlsx")


@case("csv_renamed_xlsx", "containers")
def _(tmp):
    """A CSV file renamed .xlsx."""
    return text_file(tmp, "csv_renamed_xlsx", csv_text(_base_text_rows()).encode(), ".xlsx")


@case("zip_truncated", "containers")
def _(tmp):
    """A valid workbook cut at 60 % of its bytes (an interrupted download)."""
    data = _valid(tmp, "zip_truncated")
    return text_file(tmp, "zip_truncated", data[:len(data) * 6 // 10], ".xlsx")


@case("zip_corrupt_member", "containers")
def _(tmp):
    """A workbook whose Raw Data part has damaged compressed bytes (CRC mismatch)."""
    source = book(tmp, "zip_corrupt_member-source", [FR] + BASE)
    part = sheet_parts(source)["Raw Data"]
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size - 2, 60)):
        data[i] ^= 0x5A
    return text_file(tmp, "zip_corrupt_member", bytes(data), ".xlsx")


@case("zip_without_workbook", "containers")
def _(tmp):
    """A zip archive holding a text file, named .xlsx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("notes.txt", "pas un classeur")
    return text_file(tmp, "zip_without_workbook", buffer.getvalue(), ".xlsx")


@case("file_empty_xlsx", "containers")
def _(tmp):
    """A file of zero bytes named .xlsx."""
    return text_file(tmp, "file_empty_xlsx", b"", ".xlsx")


@case("encrypted_workbook", "containers")
def _(tmp):
    """A password-protected workbook, encrypted as Excel does (agile AES, by msoffcrypto)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    source = book(tmp, "encrypted_workbook-source", [FR] + BASE)
    out = io.BytesIO()
    with source.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    return text_file(tmp, "encrypted_workbook", out.getvalue(), ".xlsx")


@case("encrypted_minimal_cfb", "containers")
def _(tmp):
    """The smallest shape of an encrypted workbook: a hand-built OLE2 file with EncryptionInfo
    and EncryptedPackage streams."""
    return text_file(tmp, "encrypted_minimal_cfb", encrypted_stub_bytes(), ".xlsx")


@case("namespace_prefixed_sheet", "containers")
def _(tmp):
    """A valid Raw Data part whose elements carry a namespace prefix (<x:row>, <x:c>)."""
    source = book(tmp, "namespace_prefixed_sheet-source", [FR] + BASE)
    part = sheet_parts(source)["Raw Data"]
    with zipfile.ZipFile(source) as zf:
        xml = zf.read(part).decode("utf-8")
    xml = re.sub(r"<(/?)(?![?!])(?!x:)([A-Za-z]+)", r"<\1x:\2", xml)
    xml = xml.replace(' xmlns="', ' xmlns:x="', 1)
    return rewrite_zip(source, tmp / "namespace_prefixed_sheet.xlsx", {part: xml.encode()})


# ----------------------------------------------------------------------------- texts

@case("text_32767_chars", "texts")
def _(tmp):
    """A product name of 32,767 characters (Excel's cell limit) on a used row and on a row set
    aside (row 7, unreadable date), so it is written back in the data quality tab."""
    long = ("\u00e9" + "x" * 9) * 3276 + "1234567"
    rows = [r + [long] for r in BASE] + [["L1", "pas une date", 10, "C1", long]]
    return book(tmp, "text_32767_chars", [FR + ["Produit"]] + rows)


@case("text_emoji", "texts", template="rfm")
def _(tmp):
    """Emoji in customer IDs ("🦄 Licorne", a ZWJ sequence) and products (RFM template: the
    customer IDs are written back in the RFM customer list)."""
    ids = {"C1": "\U0001F984 Licorne", "C2": "\U0001F469\u200d\U0001F4BB", "C3": "C3 \u2615\ufe0f"}
    rows = [r[:3] + [ids[r[3]], "\u2615\ufe0f Caf\u00e9"] for r in BASE]
    return book(tmp, "text_emoji", [FR + ["Produit"]] + rows, template="rfm")


@case("text_excel_escapes", "texts", template="rfm")
def _(tmp):
    """Customer IDs that look like Excel's own escapes: "_x0041_" and "_x000D_" (RFM template)."""
    ids = {"C1": "_x0041_", "C2": "_x000D_", "C3": "C3"}
    return book(tmp, "text_excel_escapes", [FR] + [r[:3] + [ids[r[3]]] for r in BASE],
                template="rfm")


@case("text_control_characters", "texts", template="rfm")
def _(tmp):
    """Control characters in customer IDs and products (\\x01, vertical tab, escape)."""
    ids = {"C1": "C\x011", "C2": "C\x0b2", "C3": "C\x1b3"}
    rows = [r[:3] + [ids[r[3]], "a\x0bb"] for r in BASE]
    return book(tmp, "text_control_characters", [FR + ["Produit"]] + rows, template="rfm")


@case("formula_payloads_xlsx", "texts", template="all-in-one")
def _(tmp):
    """Formula payloads as text in every text column of the all-in-one template (order,
    customer, product, category, country, channel), plus a set-aside row (row 7) carrying them
    into the data quality tab."""
    header = FR + ["Produit", "Cat\u00e9gorie", "Quantit\u00e9", "Pays", "Canal"]
    rows = [[p, BASE[i][1], BASE[i][2], p, p, p, 1, p, p] for i, p in enumerate(PAYLOADS)]
    rows.append([PAYLOADS[0], PAYLOADS[1], 5, PAYLOADS[4], PAYLOADS[2], PAYLOADS[3], 1,
                 PAYLOADS[0], PAYLOADS[1]])
    return book(tmp, "formula_payloads_xlsx", [header] + rows, template="all-in-one")


@case("stray_cell_column_2000", "texts")
def _(tmp):
    """The five orders plus one stray note far to the right (column 2000, row 1)."""
    return book(tmp, "stray_cell_column_2000", [FR] + BASE, cells={"BXX1": "note"})


@case("stray_cell_xfd1", "texts")
def _(tmp):
    """The five orders plus one stray value in the last column of the sheet (XFD1)."""
    return book(tmp, "stray_cell_xfd1", [FR] + BASE, cells={"XFD1": "x"})


# ----------------------------------------------------------------------------- workbook state

@case("template_flag_on_other_template", "workbook", args=("--template", "rfm"))
def _(tmp):
    """A first-vs-repeat workbook calculated with --template rfm."""
    return book(tmp, "template_flag_on_other_template", [FR] + BASE)


@case("template_flag_missing_column", "workbook", args=("--template", "first-vs-repeat"))
def _(tmp):
    """A plain workbook (Raw Data only) lacking an amount column, with --template."""
    rows = [["ID achat", "Date d'achat", "ID client"]] + [[r[0], r[1], r[3]] for r in BASE]
    return minimal_xlsx(tmp / "template_flag_missing_column.xlsx", {"Raw Data": Sheet(rows)})


@case("not_a_template", "workbook")
def _(tmp):
    """A plain workbook with a good Raw Data but no Settings tab, and no --template."""
    return minimal_xlsx(tmp / "not_a_template.xlsx", {"Raw Data": Sheet([FR] + BASE)})


@case("no_raw_data_tab", "workbook")
def _(tmp):
    """A workbook whose only tab is "Feuil1"."""
    return minimal_xlsx(tmp / "no_raw_data_tab.xlsx", {"Feuil1": Sheet([FR] + BASE)})


@case("renamed_result_tab", "workbook")
def _(tmp):
    """The result tab "CA 1ers vs répétés" renamed "Mes résultats" by the user."""
    return book(tmp, "renamed_result_tab", [FR] + BASE,
                rename={"CA 1ers vs r\u00e9p\u00e9t\u00e9s": "Mes r\u00e9sultats"})


@case("settings_bad_period", "workbook")
def _(tmp):
    """Settings row 8 (analysis period) set to "Hebdomadaire", which is no choice."""
    return book(tmp, "settings_bad_period", [FR] + BASE, settings={8: "Hebdomadaire"})


@case("settings_bad_mapping", "workbook")
def _(tmp):
    """Settings row 13 maps the amount to a column "Prix" that Raw Data does not have."""
    return book(tmp, "settings_bad_mapping", [FR] + BASE, settings={13: "Prix"})


@case("settings_mapping_letter", "workbook")
def _(tmp):
    """An amount column headed "Prix payé", mapped in Settings row 13 by its letter (C)."""
    return book(tmp, "settings_mapping_letter",
                [["ID achat", "Date d'achat", "Prix pay\u00e9", "ID client"]] + BASE,
                settings={13: "C"})


# ----------------------------------------------------------------------------- hostile XML

BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">\n'
                            for i in range(1, 10))
                  + "]>\n")


@case("xml_entity_expansion", "containers")
def _(tmp):
    """Raw Data's part starts with a DTD whose entities expand to a billion "lol" (billion
    laughs) and uses the last one in a cell."""
    source = book(tmp, "xml_entity_expansion-source", [FR] + BASE)
    part = sheet_parts(source)["Raw Data"]
    with zipfile.ZipFile(source) as zf:
        xml = zf.read(part).decode("utf-8")
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)
    body = body.replace("<t xml:space=\"preserve\">C1</t>", "<t>&lol9;</t>", 1)
    return rewrite_zip(source, tmp / "xml_entity_expansion.xlsx",
                       {part: (BILLION_LAUGHS + body).encode()})


@case("xml_external_entity", "containers")
def _(tmp):
    """The workbook part declares an external entity (file:///etc/passwd) and uses it."""
    source = book(tmp, "xml_external_entity-source", [FR] + BASE)
    with zipfile.ZipFile(source) as zf:
        xml = zf.read("xl/workbook.xml").decode("utf-8")
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)
    body = body.replace("<sheets>", "<sheets>&xxe;", 1)
    dtd = ('<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY xxe SYSTEM '
           '"file:///etc/passwd">]>\n')
    return rewrite_zip(source, tmp / "xml_external_entity.xlsx",
                       {"xl/workbook.xml": (dtd + body).encode()})


@case("zip_bomb_part", "containers")
def _(tmp):
    """Raw Data's part inflates to 100 MB (blanks after the rows: a ratio of about 1,000 to
    1), the shape of a zip bomb."""
    source = book(tmp, "zip_bomb_part-source", [FR] + BASE)
    part = sheet_parts(source)["Raw Data"]
    with zipfile.ZipFile(source) as zf:
        xml = zf.read(part)
    at = xml.index(b"</sheetData>")
    bomb = xml[:at] + b" " * 100_000_000 + xml[at:]
    return rewrite_zip(source, tmp / "zip_bomb_part.xlsx", {part: bomb})
