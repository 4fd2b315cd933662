"""The CDNOW data set (Fader & Hardie): real purchases whose published facts are our tests.

The customers who first bought at the online music retailer CDNOW in January-March 1997,
followed until 30 June 1998. Each line is one purchase (several lines on one day are kept as
they are). Files: ``CDNOW_master.txt`` (23,570 customers, 69,659 lines, header line) and
``CDNOW_sample.txt`` (a 1/10 sample: 2,357 customers, 6,919 lines, no header); see
``tests/data/README.md``.

Both loaders return the Raw Data columns of our French template, so the frames go straight into
the analyses (or a workbook): "ID client" (text, leading zeros kept: "00001"), "Date d'achat"
(date), "Quantité" (number of CDs) and "Montant" (dollars). There is no order id: each line is
an order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ("ID client", "Date d'achat", "Quantité", "Montant")
SAMPLE_ID = "ID client échantillon"


def load_master(path: str | Path) -> pd.DataFrame:
    """The master file: one row per purchase line, in file order.

    >>> frame = load_master("tests/data/CDNOW_master.txt")  # doctest: +SKIP
    >>> frame.loc[0, "ID client"], frame.loc[0, "Montant"], len(frame)  # doctest: +SKIP
    ('00001', np.float64(11.77), 69659)
    """
    raw = pd.read_csv(path, sep=r"\s+", header=0,
                      names=["customer", "date", "quantity", "amount"],
                      dtype={"customer": "str", "date": "str", "quantity": "int64",
                             "amount": "float64"})
    return _canonical(raw)


def load_sample(path: str | Path) -> pd.DataFrame:
    """The 1/10 sample: the master columns plus "ID client échantillon" (its own id, 1..2357).

    "ID client" is the master customer id, so sample rows can be matched with master rows.

    >>> frame = load_sample("tests/data/CDNOW_sample.txt")  # doctest: +SKIP
    >>> frame.loc[0, SAMPLE_ID], frame.loc[0, "ID client"], len(frame)  # doctest: +SKIP
    ('0001', '00004', 6919)
    """
    raw = pd.read_csv(path, sep=r"\s+", header=None,
                      names=["customer", "sample_customer", "date", "quantity", "amount"],
                      dtype={"customer": "str", "sample_customer": "str", "date": "str",
                             "quantity": "int64", "amount": "float64"})
    frame = _canonical(raw)
    frame[SAMPLE_ID] = raw["sample_customer"].astype("str")
    return frame


def _canonical(raw: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        COLUMNS[0]: raw["customer"].astype("str"),
        COLUMNS[1]: pd.to_datetime(raw["date"], format="%Y%m%d").astype("datetime64[ns]"),
        COLUMNS[2]: raw["quantity"].astype("int64"),
        COLUMNS[3]: raw["amount"].astype("float64"),
    })
