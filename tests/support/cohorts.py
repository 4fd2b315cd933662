"""Orders for the cohort, retention and churn tests: a context an analysis accepts, random
orders (hypothesis), the CDNOW master file."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from hypothesis import strategies as st

from tests.support.orders import cdnow_orders as shared_cdnow_orders
from tests.support.orders import make_orders

def context(orders: pd.DataFrame, lang: str = "en", **settings_values) -> SimpleNamespace:
    """What an analysis receives, its options read from ``settings_values`` as Settings are."""
    from kc_sheets.settings.options import READERS

    settings = SimpleNamespace(**settings_values)
    return SimpleNamespace(ingested=SimpleNamespace(orders=orders), lang=lang, settings=settings,
                           options={kind: read(settings, lang) for kind, read in READERS.items()})


ORDER = st.tuples(st.integers(0, 900),                         # day after 2022-11-01
                  st.sampled_from(["A", "B", "C", "D", "E", "00042", "42"]),
                  st.integers(-20_000, 50_000))                # cents, 0 included


@st.composite
def random_orders(draw, min_size=1):
    rows = draw(st.lists(ORDER, min_size=min_size, max_size=40))
    position = draw(st.permutations(range(len(rows))))
    start = pd.Timestamp("2022-11-01")
    return make_orders([(f"o{i}", start + pd.Timedelta(days=day), customer, cents / 100,
                         position[i] + 2) for i, (day, customer, cents) in enumerate(rows)])


def load_cdnow() -> pd.DataFrame:
    return shared_cdnow_orders()



TWELVE = make_orders([
    ("o1", "2024-01-05", "A", 100.00, 2),
    ("o2", "2024-01-15", "B", 50.00, 3),
    ("o3", "2024-01-20", "A", 30.00, 4),
    ("o4", "2024-02-03", "B", -20.00, 5),
    ("o5", "2024-02-10", "C", 80.00, 6),
    ("o6", "2024-02-10", "C", 20.00, 7),
    ("o7", "2024-02-25", "D", 70.00, 8),
    ("o8", "2024-03-05", "C", 0.00, 9),
    ("o9", "2024-03-10", "A", 60.00, 10),
    ("o10", "2024-03-20", "Z", -10.00, 11),
    ("o11", "2024-04-02", "B", 40.00, 12),
    ("o12", "2024-04-30", "E", 15.50, 13),
])

