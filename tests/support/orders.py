"""Canonical orders for analysis tests, as ingest builds them (shared by the analysis tests)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from kc_sheets.devtools import cdnow

DATA = Path(__file__).parents[1] / "data"


def make_orders(rows) -> pd.DataFrame:
    """Orders from (order_id, date, customer_id, amount, first_row) tuples."""
    frame = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "amount",
                                        "first_row"])
    frame = frame.astype({"order_id": "str", "customer_id": "str", "amount": "float64",
                          "first_row": "int64"})
    frame["order_date"] = pd.to_datetime(frame["order_date"]).astype("datetime64[ns]")
    frame["is_refund"] = frame["amount"] < 0
    return frame


@lru_cache(maxsize=1)
def _cdnow() -> pd.DataFrame:
    master = cdnow.load_master(DATA / "CDNOW_master.txt")
    return pd.DataFrame({
        "order_id": master.index.astype("str"),
        "order_date": master["Date d'achat"],
        "customer_id": master["ID client"],
        "amount": master["Montant"],
        "first_row": master.index.to_numpy() + 2,
        "is_refund": False,
    })


def cdnow_orders() -> pd.DataFrame:
    """The CDNOW master file as canonical orders (one order per line, no refunds)."""
    return _cdnow().copy()
