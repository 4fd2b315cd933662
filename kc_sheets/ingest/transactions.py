"""The only door for raw data: header mapping, parsing, orders, and the quality report.

``ingest`` takes the Raw Data table as read (one DataFrame column per sheet column, text or typed)
and returns the canonical tables plus a report in which every input row is either used or set
aside with a reason. Rows read = rows used + rows set aside, and the same for revenue.

Orders (lines sharing an order id, see :mod:`kc_sheets.ingest.orders`) and the quality report
(:mod:`kc_sheets.ingest.quality`) have their own modules; their public names are importable from here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from kc_sheets.errors import KcError
from kc_sheets.ingest.fields import FIELDS, FIELDS_BY_KEY, SHOPIFY_SIGNATURE
from kc_sheets.i18n import Lang, count, number, register, t
from kc_sheets.ingest.parsing import (
    INVALID, MISSING, IdCodes, is_blank, normalize_header, parse_amounts, parse_dates, parse_id_codes,
    parse_numbers, text_matches, typed_column,
)
from kc_sheets.cells import EXCEL_EPOCHS, col_index, col_letter
from kc_sheets.ingest.orders import (
    _by_first_appearance, _first_per_group, _order_labels, _take, build_orders,
)
from kc_sheets.ingest.quality import REASONS, Quality, _quality, _raw_texts, raw_text

__all__ = [
    "REASONS", "IngestOptions", "Ingested", "Quality", "RawTable", "build_orders", "ingest",
    "map_columns", "raw_text",
]

register({
    "ingest.no_column": (
        "aucune colonne « {field} » reconnue. En-têtes trouvés : {headers}. Renommez "
        "l'en-tête (par ex. « {example} ») ou indiquez la colonne dans l'onglet "
        "« {settings} », à la ligne {setting_label}.",
        "no '{field}' column recognised. Headers found: {headers}. Rename the header (e.g. "
        "'{example}') or name the column in the '{settings}' tab, row {setting_label}."),
    "ingest.bad_mapping": (
        "la colonne « {value} » n'existe pas dans Raw Data. Indiquez un en-tête de Raw Data "
        "(par ex. « {first} ») ou une lettre de colonne (A, B…), ou videz la cellule.",
        "column '{value}' does not exist in Raw Data. Give a Raw Data header (e.g. '{first}') or "
        "a column letter (A, B…), or clear the cell."),
    "ingest.ambiguous_column": (
        "plusieurs colonnes s'appellent « {header} » (colonnes {letters}) et leurs valeurs "
        "diffèrent : impossible de savoir laquelle est le champ « {field} ». Renommez les "
        "autres, ou indiquez la bonne (sa lettre) dans l'onglet « {settings} », à la ligne "
        "{setting_label}.",
        "several columns are named '{header}' (columns {letters}) and their values differ: "
        "which one is the '{field}' field cannot be told. Rename the others, or give the right "
        "one (its letter) in the '{settings}' tab, row {setting_label}."),
    "ingest.headers_below": (
        "en-têtes lus en ligne {row} : les lignes {first} à {last} au-dessus (titre, lignes "
        "vides) ne sont pas des commandes",
        "headers read on row {row}: rows {first} to {last} above them (a title, blank rows) "
        "are no orders"),
    "ingest.order_total_once": (
        "colonne {column} « {header} » : le total de la commande, répété sur chacune de ses "
        "lignes, est compté une fois par commande (répétitions non comptées : {rows})",
        "column {column} '{header}': the order total, repeated on each of its lines, is "
        "counted once per order (repeats not counted: {rows})"),
    "ingest.refunds_taken_off": (
        "colonne {column} « {header} » : les remboursements sont déduits de {orders}",
        "column {column} '{header}': refunds are taken off {orders}"),
    "ingest.not_sales": (
        "colonne {column} « {header} » : {rows} de commandes annulées, remboursées ou "
        "non payées écartées",
        "column {column} '{header}': {rows} of cancelled, refunded or unpaid orders set "
        "aside"),
    "ingest.guests_by_email": (
        "{rows} de commandes invité (ID client 0, « guest », « invité » ou vide) : "
        "chaque adresse e-mail compte comme un client",
        "{rows} of guest orders (customer ID 0, 'guest', 'invité' or empty): each e-mail "
        "address counts as one customer"),
    "ingest.guests_aside": (
        "{rows} de commandes invité (ID client 0, « guest », « invité ») sans e-mail : "
        "écartées, elles ne sont pas un même client",
        "{rows} of guest orders (customer ID 0, 'guest', 'invité') without an e-mail: set "
        "aside, they are not one same customer"),
    "ingest.empty": (
        "Raw Data est vide. Collez votre export de commandes (avec sa ligne d'en-têtes) en "
        "cellule A1 de l'onglet « Raw Data », puis relancez le calcul.",
        "Raw Data is empty. Paste your order export (with its header row) in cell A1 of the "
        "'Raw Data' tab, then calculate again."),
    "ingest.nothing_usable": (
        "aucune des {rows} lignes n'est exploitable. Motifs principaux : {reasons}. Première "
        "ligne écartée : ligne {first_row} ({first_reason}).",
        "none of the {rows} rows can be used. Main reasons: {reasons}. First row set aside: "
        "row {first_row} ({first_reason})."),
    "ingest.email_as_customer": ("pas de colonne ID client : l'e-mail sert d'identifiant client",
                                 "no customer ID column: the email identifies customers"),
    "ingest.no_order_id": ("pas de colonne ID commande : chaque ligne est une commande",
                           "no order ID column: each row is an order"),
})

_TOTAL_RE = r"(?i)^\s*(sous[- ]?total|sub[- ]?total|grand[- ]total|totaux|total)\b"


@dataclass(frozen=True)
class RawTable:
    """Raw Data as read: ``frame`` columns are the sheet's columns, ``headers`` their texts.

    ``first_row`` is the sheet row number of the first data row (the header is just above),
    ``first_col`` the 1-based sheet column of the frame's first column.
    """

    frame: pd.DataFrame
    headers: tuple[str, ...]
    first_row: int = 2
    first_col: int = 1
    tab: str = "Raw Data"
    date1904: bool = False

    def letter(self, position: int) -> str:
        return col_letter(self.first_col + position)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, tab: str = "Raw Data") -> "RawTable":
        headers = tuple(str(c) for c in frame.columns)
        data = frame.copy()
        data.columns = [f"c{i}" for i in range(len(headers))]
        return cls(data, headers, 2, 1, tab)


@dataclass(frozen=True)
class IngestOptions:
    day_first: bool | None = True
    decimal_comma: bool = True
    mapping: dict[str, str] = field(default_factory=dict)   # field key -> header or letter
    mapping_rows: dict[str, int] = field(default_factory=dict)  # field key -> Settings row
    settings_tab: str = "Paramètres"
    lang: Lang = "fr"
    labels: str = "ingest"   # prefix of the mapping errors' labels ("analyze": --set map.X=...)


@dataclass
class Ingested:
    """The canonical tables.

    ``lines``: one row per used input row (order_id, order_date, customer_id, amount and the
    optional fields that were found, plus ``row``, the sheet row number, and ``order``, the
    position of the line's order in ``orders``).
    ``orders``: one row per order (order_id, order_date, customer_id, amount, is_refund,
    first_row, lines, and the first non-empty optional fields).
    """

    lines: pd.DataFrame | None
    orders: pd.DataFrame
    quality: Quality
    raw: RawTable | None       # None once Calculate has listed the set-aside rows

    def set_aside_table(self, limit: int | None = None, lang: Lang = "fr") -> pd.DataFrame:
        """Set-aside rows with their sheet row number, reason and raw values as text."""
        positions = self.quality.set_aside_rows
        reasons = self.quality.set_aside_reasons
        if limit is not None:
            positions, reasons = positions[:limit], reasons[:limit]
        frame = self.raw.frame.iloc[positions]
        out = pd.DataFrame({
            "row": positions + self.raw.first_row,
            "reason": reasons,
            "reason_label": [t(f"reason.{r}", lang) for r in reasons],
        })
        mapped = dict(zip(self.quality.mapping["field"], self.quality.mapping["column"]))
        columns: dict[str, np.ndarray] = {}
        filled = frame.notna().to_numpy().any(axis=0) if len(frame) else \
            np.zeros(len(self.raw.headers), dtype=bool)
        for position, header in enumerate(self.raw.headers):
            if not header and not filled[position]:
                continue          # a column without header or value (a stray cell far right)
            texts = _raw_texts(frame.iloc[:, position], lang)
            if not header and not texts.astype(bool).any():
                continue
            name = header or self.raw.letter(position)
            if name in out or name in columns:
                name = f"{name} ({self.raw.letter(position)})"
            if mapped.get("order_date") == self.raw.letter(position):
                texts = _serials_as_dates(frame.iloc[:, position], texts, lang)
            columns[name] = texts
        return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)


def _serials_as_dates(values: pd.Series, texts: np.ndarray, lang: Lang = "en") -> np.ndarray:
    """Date cells that arrived as Excel serial numbers (Google Sheets sends them so) shown as
    the dates they are, as the .xlsx path shows them; only serials of 1930-2100, so a stray
    small number stays the number it was."""
    numbers = pd.to_numeric(values.where(values.map(lambda v: isinstance(v, (int, float))
                                                    and not isinstance(v, bool))),
                            errors="coerce")
    ok = (numbers >= 10_959) & (numbers < 73_416)
    if not ok.any():
        return texts
    stamps = EXCEL_EPOCHS[False] + (numbers[ok].to_numpy() * 86_400).round().astype(
        "timedelta64[s]")
    shown = pd.Series(stamps).dt.strftime(
        "%d/%m/%Y %H:%M:%S" if lang == "fr" else "%Y-%m-%d %H:%M:%S").str.replace(
        " 00:00:00", "", regex=False).to_numpy(dtype=object)
    out = texts.copy()
    out[ok.to_numpy()] = shown
    return out


def map_columns(raw: RawTable, options: IngestOptions) -> dict[str, int]:
    """Field key -> position of its column in ``raw.frame``.

    A manual mapping from the Settings tab wins; otherwise the column whose header matches the
    earliest synonym of the field. Each column serves one field at most.
    """
    normalized = [normalize_header(h) for h in raw.headers]
    lang = options.lang
    found: dict[str, int] = {}
    for key, value in options.mapping.items():
        value = "" if value is None else str(value).strip()
        if not value or key not in FIELDS_BY_KEY:
            continue
        wanted = normalize_header(value)
        if wanted in normalized:
            found[key] = normalized.index(wanted)
        elif re.fullmatch(r"[A-Za-z]{1,3}", value) and \
                0 <= col_index(value.upper()) - raw.first_col < len(raw.headers):
            found[key] = col_index(value.upper()) - raw.first_col
        else:
            raise KcError(f"{options.labels}.bad_mapping", tab=options.settings_tab or None,
                          row=options.mapping_rows.get(key), lang=lang, field_key=key,
                          column="C" if options.settings_tab else None,
                          value=value, first=raw.headers[0] if raw.headers else "A")
    taken = set(found.values())
    shopify = SHOPIFY_SIGNATURE <= set(normalized)
    for fld in FIELDS:
        if fld.key in found:
            continue
        synonyms = fld.synonyms + (("name",) if shopify and fld.key == "order_id" else ())
        for synonym in synonyms:
            hits = [i for i, h in enumerate(normalized) if h == synonym and i not in taken]
            if len(hits) > 1 and any(not raw.frame.iloc[:, i].equals(raw.frame.iloc[:, hits[0]])
                                     for i in hits[1:]):
                raise _ambiguous_column_error(raw, fld.key, hits, options)
            if hits:
                found[fld.key] = hits[0]
                taken.add(hits[0])
                break
    return found


# Shop exports that give order-level values on each line item (WooCommerce repeats its
# order_total on every item row; Shopify writes Total, Refunded Amount and Financial Status on
# an order's first line only; PrestaShop has one row per order and its "État").
ORDER_TOTAL_HEADERS = frozenset({"order total", "order total amount", "total de la commande",
                                 "total commande", "montant de la commande"})
REFUND_HEADERS = ("refunded total", "refunded amount", "total refunded", "montant rembourse",
                  "total rembourse", "montant des remboursements")
STATUS_HEADERS = ("financial status", "status", "order status", "etat", "statut",
                  "etat de la commande", "statut de la commande", "statut commande")
NOT_SALES = frozenset({
    "cancelled", "canceled", "annule", "annulee", "annulation", "failed", "echoue", "echouee",
    "echec", "echec de paiement", "erreur de paiement", "pending", "pending payment",
    "en attente de paiement", "voided", "void", "trash", "draft", "checkout draft",
    "refunded", "rembourse", "remboursee", "remboursement", "commande annulee",
    "paiement refuse", "paiement echoue",
})


def _order_level_columns(raw: RawTable, columns: dict[str, int], cells: list[pd.Series],
                         codes: np.ndarray, reason: np.ndarray, revenue: np.ndarray,
                         amount_ok: np.ndarray, options: IngestOptions, set_reason
                         ) -> list[str]:
    """Order-level values of shop exports, so an order counts once and as what was paid:

    * an order total repeated on each line item counts once (the same value on every line),
      and an order whose lines give different totals is set aside (which one was paid?);
    * a refunded-amount column is taken off its order (once per order);
    * an order whose status says cancelled, refunded, failed or unpaid is set aside.

    ``revenue`` is changed in place; returns notes for the data quality tab.
    """
    lang = options.lang
    notes: list[str] = []
    normalized = [normalize_header(h) for h in raw.headers]
    taken = set(columns.values())
    live = reason == 0
    order_level = normalized[columns["amount"]] in ORDER_TOTAL_HEADERS or (
        SHOPIFY_SIGNATURE <= set(normalized) and normalized[columns["amount"]] == "total")
    with_amount = np.flatnonzero(live & amount_ok & (codes >= 0))
    first_amount = np.zeros(len(codes), dtype=bool)
    if order_level and len(with_amount):
        key = pd.DataFrame({"order": codes[with_amount], "amount": revenue[with_amount]})
        distinct = key.groupby("order")["amount"].transform("nunique").to_numpy()
        conflicting = np.isin(codes, np.unique(key["order"].to_numpy()[distinct > 1]))
        set_reason(live & conflicting, "conflicting_amount")
        repeated = with_amount[key.duplicated(["order", "amount"]).to_numpy() & (distinct == 1)]
        revenue[repeated] = 0.0
        if len(repeated):
            notes.append(t("ingest.order_total_once", lang, column=raw.letter(
                columns["amount"]), header=raw.headers[columns["amount"]],
                rows=number(len(repeated), lang)))
    # a refund is taken off the first line of its order that carries an amount
    first_amount[with_amount[~pd.Series(codes[with_amount]).duplicated().to_numpy()]] = True
    status_pos = next((normalized.index(h) for h in STATUS_HEADERS
                       if h in normalized and normalized.index(h) not in taken), None)
    if status_pos is not None:
        status = parse_id_codes(cells[status_pos])
        words = np.array([normalize_header(v).removeprefix("wc ") in NOT_SALES
                          for v in status.texts.to_pylist()] + [False])
        per_order = _first_per_group(codes, status.codes, (status.codes >= 0) & (codes >= 0))
        order_status = _take(per_order, codes, -1)
        not_sale = live & words[order_status]
        # a negative row marked "refunded" is the refund itself (a credit note), kept as such
        credit = live & amount_ok & (revenue < 0) & (codes >= 0)
        not_sale &= ~np.isin(codes, np.unique(codes[credit]))
        if not_sale.any():
            set_reason(not_sale, "cancelled_order")
            notes.append(t("ingest.not_sales", lang, column=raw.letter(status_pos),
                           header=raw.headers[status_pos],
                           rows=count(int(not_sale.sum()), "row", lang)))
    refund_pos = next((normalized.index(h) for h in REFUND_HEADERS
                       if h in normalized and normalized.index(h) not in taken), None)
    if refund_pos is not None:
        refunds = parse_amounts(cells[refund_pos], decimal_comma=options.decimal_comma)
        values = np.abs(refunds.values.to_numpy(dtype=float))
        ok = refunds.ok & (values > 0) & (reason == 0) & (codes >= 0)
        per_order = _first_per_group(np.where(ok, codes, -1), np.where(ok, values, 0.0), ok) \
            if ok.any() else np.zeros(0)
        if len(per_order):
            size = len(per_order)
            on = first_amount & (codes >= 0) & (codes < size)
            taken_off = np.where(on, per_order[np.where(on, codes, 0)], 0.0)
            taken_off = np.clip(taken_off, 0.0, np.maximum(revenue, 0.0))   # at most paid
            revenue -= taken_off
            if taken_off.any():
                notes.append(t("ingest.refunds_taken_off", lang, column=raw.letter(refund_pos),
                               header=raw.headers[refund_pos],
                               orders=count(int((taken_off > 0).sum()), "order", lang)))
    return notes


GUEST_IDS = frozenset({"0", "guest", "guests", "invite", "invites", "invitee", "invitees",
                       "anonymous", "anonyme", "guest checkout", "commande invite"})


def _placeholders(texts: pa.Array) -> np.ndarray:
    """Per id, whether it is a guest placeholder (its normalised form is in ``GUEST_IDS``).

    Plain ASCII letters and digits (most ids) normalise to their lower case, compared in one
    vectorised step; the others (accents, spaces, punctuation) go through normalize_header.

    >>> _placeholders(pa.array(["C12", "Guest", "Invité", "0", None, "a-1"])).tolist()
    [False, True, True, True, False, False]
    """
    import pyarrow.compute as pc

    plain = pc.fill_null(pc.and_(pc.string_is_ascii(texts), pc.utf8_is_alnum(texts)), False)
    out = pc.fill_null(pc.is_in(pc.utf8_lower(texts), value_set=pa.array(sorted(GUEST_IDS))),
                       False).to_numpy(zero_copy_only=False)
    others = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
    if len(others):
        rest = texts.take(pa.array(others)).to_pylist()
        out = out.copy()
        out[others] = [t_ is not None and normalize_header(t_) in GUEST_IDS for t_ in rest]
    return out.astype(bool)


def _guests_apart(customers: IdCodes, email: pd.Series | None, lang: Lang
                  ) -> tuple[IdCodes, list[str]]:
    """Rows whose customer ID is a guest placeholder (0 in WooCommerce, "guest", "invité") are
    no customer: their e-mail stands for the customer where there is one (a guest per
    address), else they have no customer (set aside as guest orders). Never one customer "0".
    """
    placeholder = np.append(_placeholders(customers.texts), False)
    guest = placeholder[customers.codes]
    missing = customers.status == MISSING
    if not guest.any() and (email is None or not missing.any()):
        return customers, []
    codes = np.where(guest, -1, customers.codes)
    status = np.where(guest, np.int8(MISSING), customers.status).astype(np.int8)
    all_texts = customers.texts
    by_mail = np.zeros(len(codes), dtype=bool)
    if email is not None:
        mails = parse_id_codes(email.astype("str").str.strip().str.lower().where(
            ~is_blank(email)))
        by_mail = (guest | missing) & (mails.codes >= 0)
        codes = np.where(by_mail, mails.codes + len(all_texts), codes)
        status = np.where(by_mail, np.int8(0), status).astype(np.int8)
        all_texts = pa.concat_arrays([all_texts.cast(pa.large_string()),
                                      mails.texts.cast(pa.large_string())])
    notes = []
    if by_mail.any():
        notes.append(t("ingest.guests_by_email", lang, rows=count(int(by_mail.sum()), "row", lang)))
    if (guest & ~by_mail).any():
        notes.append(t("ingest.guests_aside", lang, rows=count(int((guest & ~by_mail).sum()), "row", lang)))
    return IdCodes(codes, all_texts, status), notes


HEADER_SEARCH_ROWS = 20     # a title, a date range, blank lines above the headers


def settle_header_row(raw: RawTable, options: IngestOptions) -> tuple[RawTable, list[str]]:
    """Raw Data whose headers are not its first row (a title in A1, a blank row, then the
    headers): the first of its top rows that names a date, an amount and a customer becomes
    the header row, and the rows above it are named in a note. Unchanged otherwise."""
    try:
        check_columns(raw, options)
        return raw, []
    except KcError:
        pass
    top = raw.frame.head(HEADER_SEARCH_ROWS)
    for k in range(len(top)):
        values = top.iloc[k]
        headers = tuple("" if blank else str(v).strip()
                        for v, blank in zip(values.tolist(), is_blank(values.astype(object))))
        if sum(bool(h) for h in headers) < 2:
            continue
        candidate = dataclasses.replace(
            raw, frame=raw.frame.iloc[k + 1:].reset_index(drop=True), headers=headers,
            first_row=raw.first_row + k + 1)
        try:
            check_columns(candidate, options)
        except KcError:
            continue
        return candidate, [t("ingest.headers_below", options.lang, row=candidate.first_row - 1,
                             first=raw.first_row - 1, last=candidate.first_row - 2)]
    return raw, []


def check_columns(raw: RawTable, options: IngestOptions) -> dict[str, int]:
    """:func:`map_columns`, refusing a Raw Data without a date, an amount or a customer (an
    e-mail column stands for the customer)."""
    columns = map_columns(raw, options)
    for key in ("order_date", "amount", "customer_id"):
        if key not in columns and not (key == "customer_id" and "email" in columns):
            raise _missing_column_error(raw, key, options)
    return columns


def _ambiguous_column_error(raw: RawTable, key: str, hits: list[int], options: IngestOptions
                            ) -> KcError:
    import kc_sheets.settings  # noqa: F401  (registers the setting.map.* labels; avoids a cycle)

    lang = options.lang
    letters = (" et " if lang == "fr" else " and ").join(raw.letter(i) for i in hits)
    return KcError(f"{options.labels}.ambiguous_column", tab=raw.tab, row=raw.first_row - 1,
                   lang=lang, field_key=key, field=t(f"field.{key}", lang),
                   header=raw.headers[hits[0]], letters=letters, settings=options.settings_tab,
                   setting_label=t(f"setting.map.{key}", lang))


def _missing_column_error(raw: RawTable, key: str, options: IngestOptions) -> KcError:
    import kc_sheets.settings  # noqa: F401  (registers the setting.map.* labels; avoids a cycle)

    lang = options.lang
    headers = ", ".join(f"{raw.letter(i)} « {h} »" if lang == "fr" else f"{raw.letter(i)} '{h}'"
                        for i, h in enumerate(raw.headers[:12]) if h)
    examples = {"order_date": ("Date d'achat", "Order date"), "amount": ("Montant", "Amount"),
                "customer_id": ("ID client", "Customer ID")}[key]
    return KcError(f"{options.labels}.no_column", tab=raw.tab, row=raw.first_row - 1,
                   lang=lang, field_key=key,
                   field=t(f"field.{key}", lang), headers=headers or "-",
                   example=examples[0 if lang == "fr" else 1], settings=options.settings_tab,
                   setting_label=t(f"setting.map.{key}", lang))


def ingest(raw: RawTable, options: IngestOptions | None = None) -> Ingested:
    """Canonical lines and orders from Raw Data, with the quality report.

    >>> frame = pd.DataFrame({"ID achat": ["A1", "A2"], "Date d'achat": ["31/12/2024", "x"],
    ...                       "Montant": ["12,50 €", "3"], "ID client": [7, 7]})
    >>> result = ingest(RawTable.from_frame(frame))
    >>> result.orders[["order_id", "amount"]].values.tolist(), result.quality.rows_used
    ([['A1', 12.5]], 1)
    """
    options = options or IngestOptions()
    lang = options.lang
    if len(raw.frame) and len(raw.headers):
        raw, header_notes = settle_header_row(raw, options)
    else:
        header_notes = []
    frame = raw.frame
    n = len(frame)
    if n == 0 or len(raw.headers) == 0:
        raise KcError("ingest.empty", tab=raw.tab, lang=lang)
    # object columns (Google Sheets, xlwings) typed once, for every parser that reads them
    cells = [typed_column(frame.iloc[:, pos]) for pos in range(frame.shape[1])]
    blank = np.ones(n, dtype=bool)
    for column in cells:
        blank &= is_blank(column).to_numpy()
    if blank.all():
        raise KcError("ingest.empty", tab=raw.tab, lang=lang)
    columns = check_columns(raw, options)
    notes: list[str] = header_notes
    if "customer_id" not in columns and "email" in columns:
        notes.append(t("ingest.email_as_customer", lang))
    if "order_id" not in columns:
        notes.append(t("ingest.no_order_id", lang))

    col = {key: cells[pos] for key, pos in columns.items()}
    dates = parse_dates(col["order_date"], day_first=options.day_first, date1904=raw.date1904)
    amounts = parse_amounts(col["amount"], decimal_comma=options.decimal_comma)
    date_status = _status(dates)
    amount_status = _status(amounts)
    amount_ok = amount_status == "ok"
    # money is counted in cents, so that lines, orders and the report add up exactly
    revenue_values = np.where(amount_ok, amounts.values.to_numpy(dtype=float), 0.0).round(2)
    customers, guest_notes = _customer_ids(col, lang)
    notes += guest_notes
    cust_codes = customers.codes
    cust_ok = cust_codes >= 0

    reason = np.zeros(n, dtype=np.int8)   # 0: used; k: REASONS[k - 1]

    def set_reason(mask: np.ndarray, code: str) -> None:
        reason[mask & (reason == 0)] = REASONS.index(code) + 1

    set_reason(blank, "blank_row")
    set_reason(_total_rows(col, cells, columns, (date_status != "ok") | ~cust_ok), "total_row")

    # Orders: lines sharing an order id form one order; a row without id is an order alone,
    # numbered after the real ids (never through its "#<row>" label, which could equal a real
    # id: Shopify names its orders "#1001").
    order_ids = parse_id_codes(col["order_id"]) if "order_id" in columns else None
    codes, duplicates = _order_codes(order_ids, frame, dates, amounts)
    set_reason(duplicates, "duplicate_line")
    set_reason(date_status == "invalid", "invalid_date")
    set_reason(date_status == "impossible", "impossible_date")
    set_reason(amount_status == "invalid", "invalid_amount")
    # An error value where an id belongs (a VLOOKUP gone wrong) is no id: never a guest.
    set_reason(customers.status == INVALID, "invalid_id")
    if order_ids is not None:
        set_reason(order_ids.status == INVALID, "invalid_id")

    notes += _order_level_columns(raw, columns, cells, codes, reason, revenue_values, amount_ok,
                                  options, set_reason)

    live = reason == 0
    codes = np.where(live, codes, -1)
    line_date, line_customer = _order_level(codes, live, dates, date_status == "ok",
                                            cust_codes, amount_ok, set_reason)

    used = reason == 0
    rows = np.flatnonzero(used)
    lines = pd.DataFrame({
        "row": (rows + raw.first_row).astype(np.int64),
        "order_id": _order_labels(order_ids, rows, raw.first_row),
        "order_date": line_date[used],
        "customer_id": customers.text_array(line_customer[used]),
        "amount": revenue_values[used],
    })
    _add_other_fields(lines, columns, cells, used, options)
    order_of_line = _by_first_appearance(codes[used])
    orders = build_orders(lines, order_of_line)
    lines["order"] = order_of_line.astype(np.int64)       # the line's order: its row in orders
    purchase = ~orders["is_refund"].to_numpy()[order_of_line]
    customers_count = _count_distinct(line_customer[used][purchase], len(customers.texts))

    quality = _quality(raw, columns, reason, revenue_values, used, orders, customers_count,
                       notes, lang)
    if quality.rows_used == 0:
        raise _nothing_usable(raw, quality, lang)
    return Ingested(lines, orders, quality, raw)


def _order_level(codes: np.ndarray, live: np.ndarray, dates, date_ok: np.ndarray,
                 cust_codes: np.ndarray, amount_ok: np.ndarray, set_reason
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each line's order date and customer: the first of its order's lines that has one; the
    lines of an order without a date, an amount or a customer, and the lines naming another
    customer than their order's, are set aside with that reason."""
    cust_ok = cust_codes >= 0
    date_values = dates.values.to_numpy(dtype="datetime64[ns]")
    order_date = _first_per_group(codes, date_values, date_ok & live)
    order_customer = _first_per_group(codes, cust_codes, cust_ok & live)   # -1: none
    order_has_amount = np.zeros(len(order_date), dtype=bool)
    order_has_amount[codes[live & amount_ok]] = True
    line_date = _take(order_date, codes, np.datetime64("NaT"))
    line_customer = _take(order_customer, codes, -1)
    line_has_customer = live & (line_customer >= 0)
    set_reason(live & np.isnat(line_date), "missing_date")
    set_reason(live & ~_take(order_has_amount, codes, False), "missing_amount")
    set_reason(live & ~line_has_customer, "missing_customer")
    conflict = live & cust_ok & line_has_customer
    conflict[conflict] = cust_codes[conflict] != line_customer[conflict]
    set_reason(conflict, "conflicting_customer")
    return line_date, line_customer


def _customer_ids(col: dict[str, pd.Series], lang: Lang) -> tuple[IdCodes, list[str]]:
    """The customer of each row as integer codes into the distinct ids (rows share a customer
    when they share a code): the customer ID column, guests apart, else the e-mail."""
    if "customer_id" in col:
        return _guests_apart(parse_id_codes(col["customer_id"]), col.get("email"), lang)
    email = col["email"]
    return parse_id_codes(email.astype("str").str.strip().str.lower().where(
        ~is_blank(email))), []


def _total_rows(col: dict[str, pd.Series], cells: list[pd.Series], columns: dict[str, int],
                incomplete: np.ndarray) -> np.ndarray:
    """Rows that are a "Total" line of the export, not an order."""
    total = np.zeros(len(incomplete), dtype=bool)
    for key in ("order_id", "customer_id", "order_date"):
        if key in col:
            total |= text_matches(col[key], _TOTAL_RE)
    if 0 not in {columns.get(k) for k in ("order_id", "customer_id", "order_date")}:
        # "Total" in a first column we do not read (e.g. a product name): only a total row
        # when the row has no date or no customer.
        total |= text_matches(cells[0], _TOTAL_RE) & incomplete
    return total


def _order_codes(order_ids: IdCodes | None, frame: pd.DataFrame, dates, amounts
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The order of each row (lines sharing an order id form one order; a row without id is an
    order alone, numbered after the real ids, never through its "#<row>" label, which could
    equal a real id: Shopify names its orders "#1001"), and the rows that repeat another line
    of their order exactly."""
    n = len(frame)
    if order_ids is None:
        return np.arange(n, dtype=np.intp), np.zeros(n, dtype=bool)
    missing_id = order_ids.codes < 0
    codes = order_ids.codes.copy()
    codes[missing_id] = len(order_ids.texts) + np.arange(int(missing_id.sum()))
    # identical lines share order id, date and amount: compare whole rows only among those
    shared = missing_id | (np.bincount(codes)[codes] > 1)
    sharing = np.flatnonzero(shared)
    key = pd.DataFrame({
        "order": np.where(missing_id, -1, codes)[sharing],
        "date": dates.values.to_numpy(dtype="datetime64[ns]").view(np.int64)[sharing],
        "amount": amounts.values.to_numpy(dtype=float)[sharing]})
    candidates = sharing[key.duplicated(keep=False).to_numpy()]
    return codes, _duplicate_lines(frame, candidates)


def _add_other_fields(lines: pd.DataFrame, columns: dict[str, int], cells: list[pd.Series],
                      used: np.ndarray, options: IngestOptions) -> None:
    """The optional fields (product, category, quantity, country, ...) of the rows used."""
    for key, pos in columns.items():
        if key in ("order_id", "order_date", "amount", "customer_id"):
            continue
        kind = FIELDS_BY_KEY[key].kind
        series = cells[pos]
        if kind == "amount":
            values = parse_amounts(series, decimal_comma=options.decimal_comma).values
        elif kind == "number":
            values = parse_numbers(series).values
        else:
            ids = parse_id_codes(series)
            lines[key] = _id_column(ids, ids.codes[used])
            continue
        lines[key] = values.to_numpy()[used]
    if "email" in lines:
        lines["email"] = lines["email"].str.lower()


def _nothing_usable(raw: RawTable, quality: Quality, lang: Lang) -> KcError:
    """No row could be used: the message names the main reasons and the first row set aside."""
    first = int(quality.set_aside_rows[0])
    top = quality.by_reason.sort_values("rows", ascending=False, kind="stable").head(3)
    reasons = ", ".join(f"{r.label} ({r.rows})" for r in top.itertuples() if r.rows)
    return KcError("ingest.nothing_usable", tab=raw.tab, lang=lang, rows=len(raw.frame),
                   reasons=reasons, first_row=first + raw.first_row,
                   first_reason=t(f"reason.{quality.set_aside_reasons[0]}", lang))


def _duplicate_lines(frame: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """Rows identical to an earlier row, looked for among ``candidates`` (row positions).

    Rows are compared by a hash first; only rows whose hash repeats are compared in full.
    """
    out = np.zeros(len(frame), dtype=bool)
    if not len(candidates):
        return out
    try:
        hashes = pd.util.hash_pandas_object(frame.iloc[candidates], index=False).to_numpy()
        candidates = candidates[pd.Series(hashes).duplicated(keep=False).to_numpy()]
    except TypeError:  # an unhashable cell: compare every candidate in full
        pass
    out[candidates] = frame.iloc[candidates].duplicated(keep="first").to_numpy()
    return out


def _status(parsed) -> np.ndarray:
    return np.asarray(parsed.status, dtype=object)


def _id_column(ids: IdCodes, codes: np.ndarray):
    """A lines column of ids: "str" values, or None objects when there is none at all."""
    if (codes < 0).all():
        return np.full(len(codes), None, dtype=object)
    return ids.text_array(codes)


def _count_distinct(codes: np.ndarray, size: int) -> int:
    """How many distinct codes (0 <= code < size) there are; -1 is not counted."""
    return int(np.count_nonzero(np.bincount(codes[codes >= 0], minlength=size)))
