"""RFM: who bought recently, who buys often, who spends the most, and what to do with each group.

Each customer with at least one purchase up to the analysis date gets three figures:

- recency (R) = days from the customer's last purchase to the analysis date (0 = bought that day).
  The analysis date is set in Settings; by default it is the day after the last order.
- frequency (F) = number of purchases (orders of zero or more; refunds are not purchases)
- monetary (M) = net revenue: purchases minus refunds. Settings may switch M to the average order
  value = net revenue / number of purchases.

Orders dated after the analysis date are left out, and counted in the summary. A customer whose
only orders up to that date are refunds is not segmented (counted in the summary too).

Each figure becomes a score from 1 to 5 (5 = best: most recent, most frequent, highest amount):

- by quintiles (default): customers are lined up from the worst value to the best and cut into
  five groups of equal size, 1 for the first fifth ... 5 for the last. Customers with the same
  value share the score of the first of them, the lower one. Precisely, with N customers and
  W = the number of customers with a strictly worse value: score = 1 + floor(5 x (W + 0.5) / N),
  the fifth of the line in which the middle of the customer's place falls. So 10 customers with
  10 different values score 1 1 2 2 3 3 4 4 5 5; customers who all bought once all get F = 1.
  With fewer than five customers the scores spread over 1..5: one customer scores 3; two score
  2 and 4; three 1, 3, 5; four 1, 2, 4, 5. All customers equal on a figure: 1 for everyone
  (3 when there is one customer, 2 when there are two).
- by thresholds typed in Settings: four cut points per figure, in any order. A value equal to a
  cut point gets the better score. Recency in days: at most the 1st cut point -> 5, ..., more
  than the 4th -> 1. Frequency and monetary: below the 1st cut point -> 1, ..., at least the 4th
  -> 5.

FM = (F score + M score) / 2, rounded half up (2.5 -> 3). The segment is read in a 5 x 5 grid of
R score (rows) by FM score (columns) that Settings may edit, one segment per cell (default grid:
``DEFAULT_GRID``). Money is rounded to cents before it is scored, so what the sheet shows is what
was scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from kc_sheets.analyses.contract import Analysis, BlockSpec, Col, options_of
from kc_sheets.analyses.reduction import DAY_NS, Reduction, reduce_orders, reduce_until, shared
from kc_sheets.analyses.rfm_scores import fm_scores, quintile_scores, threshold_scores
from kc_sheets.analyses.labels import Day, Label, Number, categorical, objects
from kc_sheets.analyses.rfm_segments import DEFAULT_GRID, SEGMENT_KEYS
from kc_sheets.analyses.rfm_segments import SEGMENTS  # noqa: F401  (part of this module's API)
from kc_sheets.analyses.rfm_segments import TEXTS as SEGMENT_TEXTS

TEXTS = {
    **SEGMENT_TEXTS,
    "rfm.shown.recency": ("{value} j", "{value} d"),
    "rfm.shown.monetary": ("{value} €", "€{value}"),
    "rfm.criterion.recency": ("Récence", "Recency"),
    "rfm.criterion.frequency": ("Fréquence", "Frequency"),
    "rfm.criterion.monetary": ("Montant", "Monetary"),
    "rfm.monetary.revenue": ("CA net", "Net revenue"),
    "rfm.monetary.average_order_value": ("Panier moyen", "Average order value"),
    "rfm.scoring.quintiles": ("Quintiles de la base clients", "Quintiles of the customer base"),
    "rfm.scoring.thresholds": ("Seuils saisis dans Paramètres", "Thresholds typed in Settings"),
    "rfm.note.no_customers": (
        "Aucun client n'a acheté jusqu'à la date d'analyse ({date}) : rien à segmenter.",
        "No customer bought up to the analysis date ({date}): nothing to segment."),
    "rfm.note.orders_after": (
        "{orders} commande(s) datée(s) après la date d'analyse ({date}) ne sont pas prises en "
        "compte (montant net {revenue}).",
        "{orders} order(s) dated after the analysis date ({date}) are left out (net amount "
        "{revenue})."),
    "rfm.note.without_purchase": (
        "{customers} client(s) sans achat jusqu'à la date d'analyse (seulement des "
        "remboursements) ne sont pas segmentés (montant net {revenue}).",
        "{customers} customer(s) with no purchase up to the analysis date (only refunds) are not "
        "segmented (net amount {revenue})."),
    "rfm.note.few_customers": (
        "Seulement {customers} client(s) : les quintiles ont peu de sens sous 5 clients. Saisissez "
        "des seuils dans Paramètres.",
        "Only {customers} customer(s): quintiles mean little below 5 customers. Type thresholds "
        "in Settings."),
    "rfm.note.all_equal": (
        "{criterion} : tous les clients ont la même valeur ({value}), donc le même score "
        "({score}).",
        "{criterion}: every customer has the same value ({value}), hence the same score "
        "({score})."),
    "rfm.note.best_tied": (
        "{criterion} : {share} % des clients ont la meilleure valeur ({value}) ; les quintiles ne "
        "peuvent pas les départager et leur donnent le score {score}. Des seuils saisis dans "
        "Paramètres les distingueraient.",
        "{criterion}: {share}% of customers have the best value ({value}); quintiles cannot tell "
        "them apart and give them score {score}. Thresholds typed in Settings would."),
    "rfm.note.none": (
        "Rien à signaler : toutes les commandes sont avant la date d'analyse, chaque client a au "
        "moins un achat et les notes départagent bien les clients.",
        "Nothing to report: every order is before the analysis date, every customer has a "
        "purchase and the scores tell customers apart."),
}

CRITERIA = ("recency", "frequency", "monetary")
MONETARY_CHOICES = ("revenue", "average_order_value")
SCORING_CHOICES = ("quintiles", "thresholds")
SEGMENT_LABELS = tuple(Label(f"rfm.segment.{k}") for k in SEGMENT_KEYS)
DEFAULT_THRESHOLDS: dict[str, tuple[float, ...]] = {   # examples to adapt to the business
    "recency": (30, 90, 180, 365), "frequency": (2, 3, 5, 10), "monetary": (50, 100, 250, 500)}

CUSTOMERS_COLUMNS = (
    "customer_id", "recency_days", "frequency", "monetary", "revenue", "r_score", "f_score",
    "m_score", "fm_score", "segment", "segment_label", "first_purchase", "last_purchase")
SEGMENTS_COLUMNS = (
    "segment", "segment_label", "customers", "share_of_customers", "revenue", "share_of_revenue",
    "average_recency_days", "average_frequency", "average_monetary", "description", "action")
GRID_COLUMNS = ("r_score", "fm_1", "fm_2", "fm_3", "fm_4", "fm_5")
GRID_CELLS_COLUMNS = ("r_score", "fm_score", "segment", "segment_label", "customers",
                      "share_of_customers", "revenue")
SCORE_RANGES_COLUMNS = ("criterion", "criterion_label", "score", "customers", "min_value",
                        "max_value", "min_shown", "max_shown")
SUMMARY_COLUMNS = (
    "customers", "revenue", "analysis_date", "analysis_date_is_default",
    "orders_after_analysis_date", "revenue_after_analysis_date", "customers_without_purchase",
    "revenue_without_purchase", "scoring", "scoring_label", "monetary", "monetary_label")


@dataclass(frozen=True)
class RfmOptions:
    """What Settings may change. ``analysis_date``: None for the day after the last order.

    ``thresholds``: four cut points per criterion (``recency`` in days, ``frequency``,
    ``monetary``), used when ``scoring == "thresholds"``. ``grid``: (R score, FM score) ->
    segment key, all 25 cells.
    """

    analysis_date: pd.Timestamp | None = None
    monetary: str = "revenue"
    scoring: str = "quintiles"
    thresholds: Mapping[str, Sequence[float]] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    grid: Mapping[tuple[int, int], str] = field(default_factory=lambda: dict(DEFAULT_GRID))

    def __post_init__(self) -> None:
        if self.monetary not in MONETARY_CHOICES:
            raise ValueError(f"monetary must be one of {MONETARY_CHOICES}, not {self.monetary!r}")
        if self.scoring not in SCORING_CHOICES:
            raise ValueError(f"scoring must be one of {SCORING_CHOICES}, not {self.scoring!r}")
        cells = {(r, fm) for r in range(1, 6) for fm in range(1, 6)}
        if set(self.grid) != cells or not set(self.grid.values()) <= set(SEGMENT_KEYS):
            raise ValueError("grid needs the 25 cells (1..5, 1..5), each a key of SEGMENT_KEYS")
        for criterion in CRITERIA:
            cuts = self.thresholds.get(criterion, ())
            if len(cuts) != 4 or not np.isfinite(np.asarray(cuts, dtype=float)).all():
                raise ValueError(f"{criterion} thresholds need 4 numbers, not {cuts!r}")


# --- per customer -------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerAggregates:
    """The orders reduced to one row per customer who bought up to the analysis date
    (``customers``: customer_id, frequency, revenue, first_purchase, last_purchase, in order of
    first appearance), and what was left out."""

    customers: pd.DataFrame
    analysis_date: pd.Timestamp | None
    analysis_date_is_default: bool
    orders_after: int
    revenue_after: float
    customers_without_purchase: int
    revenue_without_purchase: float


def customer_aggregates(orders: pd.DataFrame, analysis_date: pd.Timestamp | None = None,
                        reduce: Callable[[pd.Timestamp | None], Reduction] | None = None
                        ) -> CustomerAggregates:
    """Purchases, net revenue and first and last purchase days per customer, from the
    reduction of the orders dated up to the analysis date; what was left out is the difference
    with the reduction of every order. ``reduce(until)`` gives those reductions (the run's
    shared ones); by default they are computed from ``orders``.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y", "x"],
    ...     "amount": [10.0, -4.0, 5.0, 7.0],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-05", "2024-02-01"]),
    ...     "is_refund": [False, True, False, False]})
    >>> result = customer_aggregates(orders, pd.Timestamp("2024-01-31"))
    >>> result.customers[["customer_id", "frequency", "revenue"]].values.tolist()
    [['x', 1, 6.0], ['y', 1, 5.0]]
    >>> result.orders_after, result.revenue_after
    (1, 7.0)
    """
    if reduce is None:
        cache: dict = {}
        full = reduce_orders(orders)

        def reduce(until):
            return reduce_until(orders, until, full, cache)

    full = reduce(None)
    is_default = analysis_date is None
    if is_default:
        analysis_date = None if full.last_day is None else \
            pd.Timestamp((full.last_day.value // DAY_NS + 1) * DAY_NS)
    else:
        analysis_date = pd.Timestamp(analysis_date).normalize()
    cut = full if analysis_date is None else reduce(analysis_date)
    table = cut.customers
    buyer = table.buyers
    revenue = table.net_revenue.round(2)

    def day(values: np.ndarray) -> np.ndarray:
        return values[buyer].astype("datetime64[D]").astype("datetime64[ns]")

    customers = pd.DataFrame({
        "customer_id": pd.array(table.ids if buyer.all() else table.ids[buyer], dtype="str"),
        "frequency": table.orders[buyer].astype(np.int64),
        "revenue": revenue[buyer],
        "first_purchase": day(table.first_purchase),
        "last_purchase": day(table.last_purchase),
    })
    left_out = float(full.customers.net_revenue.sum() + _unassigned(full)) \
        - float(table.net_revenue.sum() + _unassigned(cut))
    return CustomerAggregates(
        customers, analysis_date, is_default, full.order_count - cut.order_count,
        round(left_out, 2) + 0.0, int((~buyer).sum()), round(float(revenue[~buyer].sum()), 2))


def _unassigned(reduction: Reduction) -> float:
    """Net amount of the orders without a customer id (customer -1 in the months table)."""
    months = reduction.months
    none = months.customer < 0
    return float(months.revenue[none].sum() + months.refunds[none].sum())


def grid_array(grid: Mapping[tuple[int, int], str]) -> np.ndarray:
    """The grid as a 5 x 5 array of positions in SEGMENT_KEYS, indexed [R - 1, FM - 1]."""
    out = np.empty((5, 5), dtype=np.int64)
    for (r, fm), key in grid.items():
        out[r - 1, fm - 1] = SEGMENT_KEYS.index(key)
    return out


def score_customers(aggregates: CustomerAggregates,
                    settings: RfmOptions | None = None) -> pd.DataFrame:
    """The customer list (CUSTOMERS_COLUMNS): R, F, M, scores and segment, by segment in business
    order, then by monetary from the highest, then in order of first appearance."""
    settings = settings or RfmOptions()
    frame = aggregates.customers
    recency = np.zeros(len(frame), dtype=np.int64)
    if aggregates.analysis_date is not None:
        recency = (aggregates.analysis_date.value // DAY_NS
                   - frame["last_purchase"].to_numpy().view(np.int64) // DAY_NS)
    frequency = frame["frequency"].to_numpy()
    revenue = frame["revenue"].to_numpy()
    monetary = revenue if settings.monetary == "revenue" else \
        (revenue / np.maximum(frequency, 1)).round(2)
    if settings.scoring == "quintiles":
        r = quintile_scores(recency, higher_is_better=False)
        f, m = quintile_scores(frequency), quintile_scores(monetary)
    else:
        cuts = settings.thresholds
        r = threshold_scores(recency, cuts["recency"], higher_is_better=False)
        f = threshold_scores(frequency, cuts["frequency"])
        m = threshold_scores(monetary, cuts["monetary"])
    fm = fm_scores(f, m)
    segment = grid_array(settings.grid)[r - 1, fm - 1]
    keys = np.array(SEGMENT_KEYS, dtype=object)
    out = pd.DataFrame({
        "customer_id": frame["customer_id"], "recency_days": recency, "frequency": frequency,
        "monetary": monetary, "revenue": revenue, "r_score": r, "f_score": f, "m_score": m,
        "fm_score": fm, "segment": keys[segment],
        "segment_label": categorical(segment, SEGMENT_LABELS),
        "first_purchase": frame["first_purchase"], "last_purchase": frame["last_purchase"]})
    order = np.argsort(-monetary, kind="stable")
    order = order[np.argsort(segment[order].astype(np.int8), kind="stable")]
    return out.take(order).reset_index(drop=True)


# --- the blocks ---------------------------------------------------------------------------

def _segment_positions(customers: pd.DataFrame) -> np.ndarray:
    codes = pd.Categorical(customers["segment"], categories=list(SEGMENT_KEYS)).codes
    return codes.astype(np.int64)


def _share(part: np.ndarray, whole: float) -> np.ndarray:
    return part / whole if whole else np.zeros(len(part))


def segments_table(customers: pd.DataFrame) -> pd.DataFrame:
    """One row per segment in business order, empty segments included (zeros).

    >>> customers = pd.DataFrame({"segment": ["lost", "champions"], "revenue": [10.0, 30.0],
    ...     "recency_days": [300, 2], "frequency": [1, 4], "monetary": [10.0, 30.0]})
    >>> table = segments_table(customers)
    >>> table[["segment_label", "customers", "share_of_revenue"]].head(1).values.tolist()
    [[Label('rfm.segment.champions'), 1, 0.75]]
    """
    n = len(SEGMENT_KEYS)
    position = _segment_positions(customers)
    count = np.bincount(position, minlength=n)
    revenue = np.bincount(position, weights=customers["revenue"].to_numpy(float),
                          minlength=n).round(2)
    divisor = np.maximum(count, 1)

    def mean(column: str) -> np.ndarray:
        return np.bincount(position, weights=customers[column].to_numpy(float), minlength=n) \
            / divisor

    return pd.DataFrame({
        "segment": SEGMENT_KEYS,
        "segment_label": list(SEGMENT_LABELS),
        "customers": count.astype(np.int64),
        "share_of_customers": _share(count, len(customers)),
        "revenue": revenue,
        "share_of_revenue": _share(revenue, round(float(customers["revenue"].sum()), 2)),
        "average_recency_days": mean("recency_days"),
        "average_frequency": mean("frequency"),
        "average_monetary": mean("monetary").round(2),
        "description": [Label(f"rfm.segment.{k}.description") for k in SEGMENT_KEYS],
        "action": [Label(f"rfm.segment.{k}.action") for k in SEGMENT_KEYS],
    })[list(SEGMENTS_COLUMNS)]


def grid_cells(customers: pd.DataFrame,
               grid: Mapping[tuple[int, int], str] | None = None) -> pd.DataFrame:
    """The 25 cells of the grid as a long table (GRID_CELLS_COLUMNS): R from 5 down to 1, then
    FM from 1 to 5, with the cell's segment, customers, share of customers and net revenue."""
    grid = grid or DEFAULT_GRID
    cell = (customers["r_score"].to_numpy(np.int64) - 1) * 5 + \
        customers["fm_score"].to_numpy(np.int64) - 1
    count = np.bincount(cell, minlength=25)
    revenue = np.bincount(cell, weights=customers["revenue"].to_numpy(float), minlength=25)
    r = np.repeat(np.arange(5, 0, -1), 5)
    fm = np.tile(np.arange(1, 6), 5)
    index = (r - 1) * 5 + fm - 1
    keys = [grid[(int(a), int(b))] for a, b in zip(r, fm)]
    return pd.DataFrame({
        "r_score": r, "fm_score": fm, "segment": keys,
        "segment_label": [Label(f"rfm.segment.{k}") for k in keys],
        "customers": count[index].astype(np.int64),
        "share_of_customers": _share(count[index], len(customers)),
        "revenue": revenue[index].round(2)})


def grid_wide(cells: pd.DataFrame, column: str) -> pd.DataFrame:
    """A column of :func:`grid_cells` as the 5 x 5 grid (GRID_COLUMNS): rows R 5..1, columns
    FM 1..5."""
    values = cells[column].to_numpy().reshape(5, 5)
    out = pd.DataFrame(values, columns=list(GRID_COLUMNS[1:]))
    out.insert(0, "r_score", np.arange(5, 0, -1))
    return out


def _shown(criterion: str, value: float) -> str | Label | Number:
    """A bound in its unit: days, purchases or euros ("192 j", "3", "12,60 €")."""
    if np.isnan(value):
        return ""
    if criterion == "recency":
        return Label.of("rfm.shown.recency", value=Number(value, 0))
    if criterion == "frequency":
        return Number(value, 0)
    return Label.of("rfm.shown.monetary", value=Number(value, 2))


def score_ranges(customers: pd.DataFrame) -> pd.DataFrame:
    """For each criterion and score: customers, lowest and highest value (blank when none), so a
    reader sees what "R = 5" means in days."""
    rows = []
    for criterion, value_column, score_column in (
            ("recency", "recency_days", "r_score"), ("frequency", "frequency", "f_score"),
            ("monetary", "monetary", "m_score")):
        values = customers[value_column].to_numpy(float)
        scores = customers[score_column].to_numpy(np.int64)
        for score in range(1, 6):
            chosen = values[scores == score]
            low = chosen.min() if len(chosen) else np.nan
            high = chosen.max() if len(chosen) else np.nan
            rows.append((criterion, Label(f"rfm.criterion.{criterion}"), score, len(chosen),
                         low, high, _shown(criterion, low), _shown(criterion, high)))
    return pd.DataFrame(rows, columns=list(SCORE_RANGES_COLUMNS)).astype(
        {"score": np.int64, "customers": np.int64})


def summary(aggregates: CustomerAggregates, customers: pd.DataFrame,
            settings: RfmOptions | None = None) -> pd.DataFrame:
    """One row (SUMMARY_COLUMNS). Net amounts of all orders = revenue + revenue after the
    analysis date + revenue of customers without purchase."""
    settings = settings or RfmOptions()
    return pd.DataFrame([{
        "customers": len(customers),
        "revenue": round(float(customers["revenue"].sum()), 2),
        "analysis_date": aggregates.analysis_date,
        "analysis_date_is_default": aggregates.analysis_date_is_default,
        "orders_after_analysis_date": aggregates.orders_after,
        "revenue_after_analysis_date": aggregates.revenue_after,
        "customers_without_purchase": aggregates.customers_without_purchase,
        "revenue_without_purchase": aggregates.revenue_without_purchase,
        "scoring": settings.scoring, "scoring_label": Label(f"rfm.scoring.{settings.scoring}"),
        "monetary": settings.monetary,
        "monetary_label": Label(f"rfm.monetary.{settings.monetary}"),
    }])[list(SUMMARY_COLUMNS)]


def notes(aggregates: CustomerAggregates, customers: pd.DataFrame,
          settings: RfmOptions | None = None) -> pd.DataFrame:
    """What a reader should know to trust the figures, one sentence per row (column ``note``)."""
    settings = settings or RfmOptions()
    date = Day(aggregates.analysis_date) if aggregates.analysis_date is not None else "-"
    out = []
    if customers.empty:
        out.append(Label.of("rfm.note.no_customers", date=date))
    if aggregates.orders_after:
        out.append(Label.of("rfm.note.orders_after", orders=aggregates.orders_after, date=date,
                            revenue=Number(aggregates.revenue_after, 2)))
    if aggregates.customers_without_purchase:
        out.append(Label.of("rfm.note.without_purchase",
                            customers=aggregates.customers_without_purchase,
                            revenue=Number(aggregates.revenue_without_purchase, 2)))
    if settings.scoring == "quintiles" and 0 < len(customers) < 5:
        out.append(Label.of("rfm.note.few_customers", customers=len(customers)))
    if settings.scoring == "quintiles" and len(customers) > 1:
        out += _tie_notes(customers)
    return pd.DataFrame({"note": objects(out)})


def _tie_notes(customers: pd.DataFrame) -> list[Label]:
    """Quintiles cannot tell apart customers with the same value: say so when every customer
    shares one value, or when those with the best value share a score below 5."""
    out = []
    for criterion, column, score_column in (("recency", "recency_days", "r_score"),
                                            ("frequency", "frequency", "f_score"),
                                            ("monetary", "monetary", "m_score")):
        values = customers[column].to_numpy(float)
        scores = customers[score_column].to_numpy()
        best = values.min() if criterion == "recency" else values.max()
        at_best = values == best
        params = {"criterion": Label(f"rfm.criterion.{criterion}"),
                  "value": Number(best, 2 if criterion == "monetary" else 0),
                  "score": int(scores[at_best][0])}
        if at_best.all():
            out.append(Label.of("rfm.note.all_equal", **params))
        elif params["score"] < 5:
            out.append(Label.of("rfm.note.best_tied", share=Number(100 * at_best.mean()),
                                **params))
    return out


def rfm_blocks(orders: pd.DataFrame, settings: RfmOptions | None = None,
               reduce: Callable[[pd.Timestamp | None], Reduction] | None = None
               ) -> dict[str, pd.DataFrame]:
    """Every block of the RFM analysis from the canonical orders table (``reduce``: see
    :func:`customer_aggregates`)."""
    settings = settings or RfmOptions()
    aggregates = customer_aggregates(orders, settings.analysis_date, reduce)
    customers = score_customers(aggregates, settings)
    cells = grid_cells(customers, settings.grid)
    return {
        "rfm.segments": segments_table(customers),
        "rfm.grid": grid_wide(cells, "customers").astype(np.int64),
        "rfm.grid_segments": grid_wide(cells, "segment_label"),
        "rfm.grid_cells": cells,
        "rfm.customers": customers,
        "rfm.score_ranges": score_ranges(customers),
        "rfm.summary": summary(aggregates, customers, settings),
        "rfm.notes": notes(aggregates, customers, settings),
    }


def analyse(ctx) -> dict[str, pd.DataFrame]:
    """The blocks of the RFM template (settings read from ``ctx.settings.rfm_*`` when present);
    when there is nothing to warn about, the notes say so (a reader sees the list was checked).
    """
    blocks = rfm_blocks(ctx.ingested.orders, options_of(ctx, RfmOptions),
                        lambda until: shared(ctx, until))
    if blocks["rfm.notes"].empty:
        blocks["rfm.notes"] = pd.DataFrame({"note": objects([Label("rfm.note.none")])})
    return blocks


# The block contract (docs/blocks.md is generated from it)
_GRID_DOC = (('The 5 x 5 grid: one row per R score from 5 (top) down to 1, one column per FM score. '
     '`rfm.grid` holds the number of customers in each cell, `rfm.grid_segments` the segment '
     'name of each cell.'),
    '',
    "")   # rfm.grid, rfm.grid_segments
_GRID_COLUMNS = (Col('r_score', 'recency score of the row (5 = bought most recently)'),
         Col('fm_1', 'the cell for FM score 1'),
         Col('fm_2', 'the cell for FM score 2'),
         Col('fm_3', 'the cell for FM score 3'),
         Col('fm_4', 'the cell for FM score 4'),
         Col('fm_5', 'the cell for FM score 5'),)
BLOCKS = (
    BlockSpec('rfm.customers',
        (Col('customer_id', 'customer'),
         Col('recency_days', 'days from the last purchase to the analysis date (0 = bought that day)'),
         Col('frequency', 'number of purchases (refunds are not purchases)'),
         Col('monetary', ('the value scored for M: `revenue`, or `revenue / frequency` (average order '
              'value) if Settings say so')),
         Col('revenue', 'net revenue: purchases minus refunds, up to the analysis date'),
         Col('r_score', ('scores 1 to 5 (5 = most recent, most frequent, highest amount), by quintiles of'
              ' the customer base or by the thresholds typed in Settings')),
         Col('f_score', ('scores 1 to 5 (5 = most recent, most frequent, highest amount), by quintiles of'
              ' the customer base or by the thresholds typed in Settings')),
         Col('m_score', ('scores 1 to 5 (5 = most recent, most frequent, highest amount), by quintiles of'
              ' the customer base or by the thresholds typed in Settings')),
         Col('fm_score', '`(f_score + m_score) / 2`, rounded half up (2.5 -> 3)'),
         Col('segment', 'the segment read in the grid at (`r_score`, `fm_score`)'),
         Col('segment_label', 'the segment read in the grid at (`r_score`, `fm_score`)'),
         Col('first_purchase', 'dates of the first and last purchase'),
         Col('last_purchase', 'dates of the first and last purchase'),),
        about=('One row per segmented customer, by segment (business order), then from the highest '
         'monetary value.'),
    ),
    BlockSpec('rfm.grid', _GRID_COLUMNS, *_GRID_DOC),
    BlockSpec('rfm.grid_cells',
        (Col('r_score', 'recency score'),
         Col('fm_score', 'FM score'),
         Col('segment', "the cell's segment (code, name)"),
         Col('segment_label', "the cell's segment (code, name)"),
         Col('customers', 'customers in the cell'),
         Col('share_of_customers', '`customers / all segmented customers`'),
         Col('revenue', "net revenue of the cell's customers"),),
        about='The same 25 cells as a list: R from 5 down to 1, then FM from 1 to 5.',
    ),
    BlockSpec('rfm.grid_segments', _GRID_COLUMNS, *_GRID_DOC),
    BlockSpec('rfm.notes',
        (Col('note'),),
        about=('What the reader should know to trust the figures, one sentence per row (column '
         '`note`): orders after the analysis date, customers with only refunds, fewer than 5 '
         'customers, or many customers tied on the best value so that quintiles cannot tell '
         'them apart.'),
    ),
    BlockSpec('rfm.score_ranges',
        (Col('criterion', '`recency`, `frequency` or `monetary` (code, label)'),
         Col('criterion_label', '`recency`, `frequency` or `monetary` (code, label)'),
         Col('score', '1 to 5'),
         Col('customers', 'customers with that score'),
         Col('min_value', ('lowest and highest value among them (days, purchases or amount; empty when no '
              'customer)')),
         Col('max_value', ('lowest and highest value among them (days, purchases or amount; empty when no '
              'customer)')),
         Col('min_shown', ('the same in their unit, as the sheet shows them: `192 j` / `192 d`, `3`, `12,60'
              ' €` / `€12.60`')),
         Col('max_shown', ('the same in their unit, as the sheet shows them: `192 j` / `192 d`, `3`, `12,60'
              ' €` / `€12.60`')),),
        about=('One row per criterion (recency, frequency, monetary) and score 1 to 5, to show what '
         'a score means (e.g. "R = 5" is 0 to 12 days).'),
    ),
    BlockSpec('rfm.segments',
        (Col('segment', ('segment code (`champions`, `loyal`, `potential_loyalists`, `new_customers`, '
              '`promising`, `need_attention`, `about_to_sleep`, `at_risk`, `cant_lose_them`, '
              '`hibernating`, `lost`)')),
         Col('segment_label', 'segment name in the chosen language'),
         Col('customers', 'customers in the segment'),
         Col('share_of_customers', '`customers / all segmented customers`'),
         Col('revenue', ("net revenue of the segment's customers (purchases minus refunds, up to the "
              'analysis date)')),
         Col('share_of_revenue', '`revenue / net revenue of all segmented customers`'),
         Col('average_recency_days', 'average days since the last purchase'),
         Col('average_frequency', 'average number of purchases'),
         Col('average_monetary', 'average monetary value (net revenue, or average order value if Settings say so)'),
         Col('description', 'who these customers are'),
         Col('action', 'what to do with them'),),
        about=('One row per segment in a fixed business order (Champions first, Lost last), empty '
         'segments included (as zeros). Each customer who bought up to the analysis date '
         '(Settings; by default the day after the last order) has a recency, frequency and '
         'monetary value, each scored 1 to 5 (5 = best); FM = (F score + M score) / 2 rounded '
         'half up, and the segment is read in the R x FM grid.'),
    ),
    BlockSpec('rfm.summary',
        (Col('customers', 'segmented customers'),
         Col('revenue', 'their net revenue'),
         Col('analysis_date', 'the date recency is counted from'),
         Col('analysis_date_is_default', 'true when it is the default (the day after the last order)'),
         Col('orders_after_analysis_date', 'orders dated after the analysis date, left out'),
         Col('revenue_after_analysis_date', 'their net amount'),
         Col('customers_without_purchase', 'customers with only refunds up to the analysis date, not segmented'),
         Col('revenue_without_purchase', 'their net amount'),
         Col('scoring', '`quintiles` or `thresholds` (code, label)'),
         Col('scoring_label', '`quintiles` or `thresholds` (code, label)'),
         Col('monetary', 'what M measures: `revenue` (net revenue) or `average_order_value` (code, label)'),
         Col('monetary_label', 'what M measures: `revenue` (net revenue) or `average_order_value` (code, label)'),),
        about=('One row. Net amount of all orders = `revenue + revenue_after_analysis_date + '
         'revenue_without_purchase`.'),
    ),
)

ANALYSIS = Analysis("rfm", analyse, BLOCKS, options=(RfmOptions,), texts=TEXTS)
