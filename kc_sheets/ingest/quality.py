"""The quality report of an ingest: every input row is either used or set aside with a reason.

Rows read = rows used + rows set aside, and the same for revenue. Set-aside rows are shown with
their cells as the user would recognise them (:func:`raw_text`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kc_sheets.ingest.fields import FIELDS
from kc_sheets.i18n import register, t

REASONS: tuple[str, ...] = (
    "blank_row", "total_row", "duplicate_line", "cancelled_order", "invalid_date",
    "impossible_date", "invalid_amount", "invalid_id", "conflicting_amount", "missing_date", "missing_amount", "missing_customer", "conflicting_customer",
)

register({
    "reason.blank_row": ("Ligne vide", "Blank row"),
    "reason.total_row": ("Ligne de total ou sous-total", "Total or subtotal row"),
    "reason.duplicate_line": ("Ligne en double (identique à une ligne précédente)",
                              "Duplicated line (same as an earlier line)"),
    "reason.cancelled_order": ("Commande annulée, remboursée ou non payée (statut)",
                               "Cancelled, refunded or unpaid order (status)"),
    "reason.conflicting_amount": ("Total de commande différent selon ses lignes",
                                  "Order total differs between its lines"),
    "reason.invalid_date": ("Date illisible", "Unreadable date"),
    "reason.impossible_date": ("Date impossible (ex. 31/02, ou hors 1970-2099)",
                               "Impossible date (e.g. 31/02, or outside 1970-2099)"),
    "reason.invalid_amount": ("Montant illisible ou erreur (#N/A, #VALEUR!…)",
                              "Unreadable amount or error value (#N/A, #VALUE!…)"),
    "reason.invalid_id": ("ID illisible : valeur d'erreur (#N/A, #REF!…)",
                          "Unreadable ID: error value (#N/A, #REF!…)"),
    "reason.missing_date": ("Date manquante", "Missing date"),
    "reason.missing_amount": ("Montant manquant", "Missing amount"),
    "reason.missing_customer": ("Client manquant (commande invité sans ID client)",
                                "Missing customer (guest order, no customer ID)"),
    "reason.conflicting_customer": ("Plusieurs ID client dans une même commande",
                                    "Several customer IDs in one order"),
})


@dataclass
class Quality:
    rows_read: int
    rows_used: int
    revenue_read: float
    revenue_used: float
    customers: int
    orders: int
    refunds: int
    by_reason: pd.DataFrame          # reason, label, rows, revenue
    mapping: pd.DataFrame            # field, label, column, header
    notes: list[str]
    set_aside_rows: np.ndarray       # positions in the raw frame
    set_aside_reasons: np.ndarray    # reason code per set-aside position

    @property
    def rows_set_aside(self) -> int:
        return self.rows_read - self.rows_used

    @property
    def revenue_set_aside(self) -> float:
        return self.revenue_read - self.revenue_used

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "rows_read": self.rows_read, "rows_used": self.rows_used,
            "rows_set_aside": self.rows_set_aside, "revenue_read": round(self.revenue_read, 2),
            "revenue_used": round(self.revenue_used, 2),
            "revenue_set_aside": round(self.revenue_set_aside, 2),
            "customers": self.customers, "orders": self.orders, "refunds": self.refunds,
        }])


def raw_text(value: object, lang: str | None = None) -> str:
    """A raw cell value as the text a user would recognise (never 'nan').

    With ``lang="fr"`` numbers and dates read as a French spreadsheet shows them (``12,93``,
    ``26/01/2022``); without it, as code reads them.

    >>> raw_text(12.0), raw_text(None), raw_text(True), raw_text(pd.Timestamp("2024-01-31"))
    ('12', '', 'TRUE', '2024-01-31')
    >>> raw_text(12.93, "fr"), raw_text(pd.Timestamp("2024-01-31 10:05"), "fr"), raw_text(True, "fr")
    ('12,93', '31/01/2024 10:05:00', 'VRAI')
    """
    french = lang == "fr"
    if value is None or value is pd.NaT or value is pd.NA or (
            isinstance(value, (float, np.floating)) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return ("VRAI" if value else "FAUX") if french else ("TRUE" if value else "FALSE")
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and \
            abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value)).replace(".", ",") if french else str(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime.datetime):
        if french:
            return value.strftime("%d/%m/%Y %H:%M:%S").removesuffix(" 00:00:00")
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y") if french else value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    return str(value)


_MIDNIGHT = r"^(\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}) 00:00:00$"
_CELL_DATE = r"^(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d)$"    # a date cell, not a typed text


def _raw_texts(series: pd.Series, lang: str | None = None) -> np.ndarray:
    """:func:`raw_text` of each cell, as an object array (typed columns: once per value)."""
    if isinstance(series.dtype, pd.StringDtype):
        # A date cell in a column fastexcel read as text arrives as "2024-01-31 00:00:00".
        texts = series.fillna("")
        if lang == "fr":   # number and date cells of a column read as text, shown the French way
            texts = texts.str.replace(_CELL_DATE, r"\3/\2/\1 \4", regex=True)
            texts = texts.str.replace(r"^(-?\d+)\.(\d+)$", r"\1,\2", regex=True)
        texts = texts.str.replace(_MIDNIGHT, r"\1", regex=True)
        return texts.to_numpy(dtype=object)
    if series.dtype == object or pd.api.types.is_bool_dtype(series.dtype):
        return np.array([raw_text(v, lang) for v in series.tolist()], dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([raw_text(v, lang) for v in uniques.tolist()] + [""], dtype=object)
    return texts[codes]


def _quality(raw, columns, reason, revenue_values, used, orders, customers, notes, lang):
    n = len(reason)
    set_aside = np.flatnonzero(~used)
    set_reasons = np.array(("",) + REASONS, dtype=object)[reason[set_aside]]
    rows_by_reason = pd.Series(set_reasons).value_counts()
    revenue_by_reason = pd.Series(revenue_values[set_aside]).groupby(set_reasons).sum() \
        if len(set_aside) else pd.Series(dtype=float)
    by_reason = pd.DataFrame({
        "reason": list(REASONS),
        "label": [t(f"reason.{r}", lang) for r in REASONS],
        "rows": [int(rows_by_reason.get(r, 0)) for r in REASONS],
        "revenue": [round(float(revenue_by_reason.get(r, 0.0)), 2) for r in REASONS],
    })
    mapping = pd.DataFrame({
        "field": [f.key for f in FIELDS],
        "label": [t(f"field.{f.key}", lang) for f in FIELDS],
        "column": [raw.letter(columns[f.key]) if f.key in columns else "" for f in FIELDS],
        "header": [raw.headers[columns[f.key]] if f.key in columns else "" for f in FIELDS],
    })
    refunds = int(orders["is_refund"].sum())
    return Quality(
        rows_read=n, rows_used=int(used.sum()),
        revenue_read=float(revenue_values.sum()), revenue_used=float(revenue_values[used].sum()),
        customers=customers, orders=len(orders) - refunds,
        refunds=refunds, by_reason=by_reason, mapping=mapping,
        notes=notes, set_aside_rows=set_aside, set_aside_reasons=set_reasons,
    )
