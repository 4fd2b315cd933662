"""Synthetic order exports that look like a real retail brand's, for demos, benchmarks and tests.

``generate(rows, seed)`` returns one row per order, fully determined by the seed:

- customers follow a BG/NBD-like process: each has a purchase rate (Gamma-distributed, so most
  buy rarely and a few often) and, after every purchase, a chance to drop out for good (Beta-
  distributed), so there are many one-time buyers and a few loyal big spenders;
- customers are acquired all along the period with a growth trend (+30 % a year);
- every order date follows the calendar: November/December peaks (Black Friday, Christmas),
  a summer dip, busier Saturdays, quiet 25 December and 1 January;
- each order is one product (with its category and list price, +3 % a year) in a quantity;
  product mix follows the season (sandals in summer, scarves and gift boxes in winter);
- discounts are more frequent during the sales (January, July) and Black Friday, and on first
  orders (welcome code); ``Montant`` is the amount paid after the discount;
- about 2 % of rows are refunds (negative amount and quantity), each for an earlier order of the
  same customer; about 1 % are guest orders with an empty (missing) customer id;
- customer ids are "CL00042"-style, except store loyalty cards which are purely numeric text
  ("200017"); order ids are "C000123", numbered by date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS = {
    "fr": ("ID achat", "Date d'achat", "Montant", "ID client", "Produit", "Catégorie", "Quantité",
           "Pays", "Canal", "Remise"),
    "en": ("Order ID", "Order date", "Amount", "Customer ID", "Product", "Category", "Quantity",
           "Country", "Channel", "Discount"),
}

# product (fr, en), category (fr, en), list price, popularity, seasonal profile
CATALOGUE = (
    ("T-shirt coton bio", "Organic cotton T-shirt", "Vêtements", "Clothing", 24.90, 10, "all"),
    ("Pull en laine", "Wool sweater", "Vêtements", "Clothing", 69.90, 6, "winter"),
    ("Jean droit", "Straight-leg jeans", "Vêtements", "Clothing", 79.90, 6, "all"),
    ("Veste imperméable", "Rain jacket", "Vêtements", "Clothing", 119.00, 3, "all"),
    ("Robe d'été", "Summer dress", "Vêtements", "Clothing", 59.90, 4, "summer"),
    ("Baskets en cuir", "Leather sneakers", "Chaussures", "Shoes", 99.00, 5, "all"),
    ("Bottines", "Ankle boots", "Chaussures", "Shoes", 139.00, 2, "winter"),
    ("Sandales", "Sandals", "Chaussures", "Shoes", 45.00, 3, "summer"),
    ("Bonnet", "Beanie", "Accessoires", "Accessories", 19.90, 4, "winter"),
    ("Écharpe", "Scarf", "Accessoires", "Accessories", 29.90, 4, "winter"),
    ("Sac cabas", "Tote bag", "Accessoires", "Accessories", 39.00, 5, "all"),
    ("Ceinture en cuir", "Leather belt", "Accessoires", "Accessories", 35.00, 3, "all"),
    ("Bougie parfumée", "Scented candle", "Maison", "Home", 18.50, 8, "gift"),
    ("Plaid", "Throw blanket", "Maison", "Home", 49.00, 3, "winter"),
    ("Coussin", "Cushion", "Maison", "Home", 25.00, 4, "all"),
    ("Mug en céramique", "Ceramic mug", "Maison", "Home", 12.90, 6, "all"),
    ("Crème hydratante", "Moisturising cream", "Beauté", "Beauty", 29.50, 6, "all"),
    ("Eau de parfum", "Eau de parfum", "Beauté", "Beauty", 75.00, 3, "gift"),
    ("Coffret cadeau", "Gift box", "Beauté", "Beauty", 55.00, 1, "gift"),
)
PROFILES = {  # product popularity by month, January first
    "all": (1.0,) * 12,
    "summer": (0.5, 0.5, 0.8, 1.2, 1.8, 2.2, 2.0, 1.6, 0.8, 0.5, 0.4, 0.4),
    "winter": (1.8, 1.4, 0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.7, 1.3, 1.8, 2.0),
    "gift": (0.6, 0.9, 0.7, 0.7, 1.2, 0.9, 0.6, 0.6, 0.7, 0.9, 1.8, 3.5),
}
COUNTRIES = (("France", "France", 0.80), ("Belgique", "Belgium", 0.08),
             ("Suisse", "Switzerland", 0.05), ("Canada", "Canada", 0.03),
             ("Luxembourg", "Luxembourg", 0.02), ("Allemagne", "Germany", 0.01),
             ("Espagne", "Spain", 0.01))
NO_STORE_COUNTRIES = (3, 5, 6)  # Canada, Germany, Spain: no store, web instead
CHANNELS = (("Site web", "Website", 0.45), ("Magasin", "Store", 0.30),
            ("Application", "App", 0.15), ("Marketplace", "Marketplace", 0.10))
GUEST_CHANNELS = (0.35, 0.50, 0.0, 0.15)
STORE = 1

MONTH_FACTOR = (0.95, 0.80, 0.90, 0.92, 0.95, 0.95, 0.82, 0.70, 0.90, 0.98, 1.35, 1.65)
WEEKDAY_FACTOR = (0.90, 0.92, 0.98, 0.98, 1.05, 1.25, 0.92)  # Monday first
DISCOUNT_BY_MONTH = (0.35, 0.12, 0.10, 0.10, 0.12, 0.18, 0.35, 0.15, 0.10, 0.12, 0.30, 0.20)
DISCOUNT_RATES = ((0.10, 0.35), (0.15, 0.20), (0.20, 0.25), (0.30, 0.15), (0.50, 0.05))

RATE_SHAPE, RATE_SCALE_DAYS = 0.55, 110.0   # purchase rate per day ~ Gamma(0.55, 1/110)
DROPOUT_A, DROPOUT_B = 0.9, 2.0             # dropout after each purchase ~ Beta(0.9, 2.0)
ACQUISITION_GROWTH = 0.30                   # new customers per day grow 30 % a year
PRICE_GROWTH = 0.03                         # list prices +3 % a year
REFUND_SHARE, GUEST_SHARE, LOYALTY_CARD_SHARE = 0.02, 0.01, 0.35


def generate(rows: int = 5000, seed: int = 42, lang: str = "fr", start: str = "2022-01-01",
             end: str = "2024-12-31") -> pd.DataFrame:
    """``rows`` orders (one row each) between ``start`` and ``end``, sorted by date.

    Columns (French headers, or English with ``lang="en"``): ID achat, Date d'achat (date
    only), Montant (euros, cents), ID client (text, missing for guests), Produit, Catégorie,
    Quantité, Pays, Canal, Remise (euros, 0 when none). The same seed gives the same frame.

    >>> frame = generate(rows=3, seed=1)
    >>> list(frame.columns[:4]), len(frame)
    (['ID achat', "Date d'achat", 'Montant', 'ID client'], 3)
    >>> frame["ID achat"].tolist()
    ['C000001', 'C000002', 'C000003']
    """
    if lang not in COLUMNS:
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    if rows < 0:
        raise ValueError(f"rows must be 0 or more, not {rows}")
    days = pd.date_range(start, end, freq="D")
    if len(days) == 0:
        raise ValueError(f"end ({end}) is before start ({start})")
    rng = np.random.default_rng(seed)
    n_days = len(days)
    season = _season(days)
    growth = np.exp(np.log1p(ACQUISITION_GROWTH) * np.arange(n_days) / 365.25)
    acquisition_cum = np.cumsum(season * growth)

    n_refunds = int(round(rows * REFUND_SHARE))
    n_purchases = rows - n_refunds - int(round(rows * GUEST_SHARE))
    customer, day = _customer_purchases(rng, n_purchases, season, acquisition_cum)
    n_customers = int(customer.max()) + 1 if len(customer) else 0
    is_first = np.ones(len(customer), dtype=bool)
    is_first[1:] = customer[1:] != customer[:-1]
    first_day = day[is_first]

    # customer traits: spend level, country, preferred channel, loyalty card
    spend = rng.gamma(2.0, 0.5, n_customers)
    country_of = rng.choice(len(COUNTRIES), n_customers, p=_weights(COUNTRIES))
    preferred = rng.choice(len(CHANNELS), n_customers, p=_weights(CHANNELS))
    preferred[np.isin(country_of, NO_STORE_COUNTRIES) & (preferred == STORE)] = 0
    loyalty_card = (preferred == STORE) & (rng.random(n_customers) < LOYALTY_CARD_SHARE)
    n = len(day)
    country = country_of[customer]
    channel = np.where(rng.random(n) < 0.75, preferred[customer],
                       rng.choice(len(CHANNELS), n, p=_weights(CHANNELS)))
    product, quantity, discount, amount = _lines(rng, days, day, spend[customer], is_first)

    # refunds: a later row for an earlier order of the same customer (whole order or one item)
    # (refunds that would fall after the end are not in the export yet: other orders are drawn)
    eligible = np.flatnonzero(day < n_days - 1)
    candidates = rng.choice(eligible, min(len(eligible), 3 * n_refunds + 10), replace=False)
    delay = rng.geometric(1 / 12, len(candidates))
    in_range = np.flatnonzero(day[candidates] + delay < n_days)[:n_refunds]
    picked, delay = candidates[in_range], delay[in_range]
    n_refunds = len(picked)
    one_item = (quantity[picked] > 1) & (rng.random(n_refunds) < 0.4)
    refund_qty = np.where(one_item, 1, quantity[picked])
    refund_amount = -np.round(amount[picked] * refund_qty / quantity[picked], 2)

    # guest orders (no customer id), also filling refunds that had no earlier order to refund
    n_guests = rows - n_purchases - n_refunds
    guest_day = _sample_days(rng, n_guests, acquisition_cum)
    guest_country = rng.choice(len(COUNTRIES), n_guests, p=_weights(COUNTRIES))
    guest_channel = rng.choice(len(CHANNELS), n_guests, p=np.array(GUEST_CHANNELS))
    guest = _lines(rng, days, guest_day, np.ones(n_guests), np.zeros(n_guests, dtype=bool))

    day = np.concatenate([day, day[picked] + delay, guest_day])
    customer = np.concatenate([customer, customer[picked], np.full(n_guests, -1)])
    product = np.concatenate([product, product[picked], guest[0]])
    quantity = np.concatenate([quantity, -refund_qty, guest[1]])
    discount = np.concatenate([discount, np.zeros(n_refunds), guest[2]])
    amount = np.concatenate([amount, refund_amount, guest[3]])
    country = np.concatenate([country, country[picked], guest_country])
    channel = np.concatenate([channel, channel[picked], guest_channel])
    channel[np.isin(country, NO_STORE_COUNTRIES) & (channel == STORE)] = 0

    shuffled = rng.permutation(len(day))                # same-day orders in random order
    order = shuffled[np.argsort(day[shuffled], kind="stable")]
    customer_ids = _customer_ids(first_day, loyalty_card)
    names = COLUMNS[lang]
    k = 0 if lang == "fr" else 1
    frame = pd.DataFrame({
        names[0]: _strings(_padded("C", np.arange(1, rows + 1), 6)),
        names[1]: days.to_numpy()[day[order]].astype("datetime64[ns]"),
        names[2]: amount[order],
        names[3]: _strings(pc.take(customer_ids, pa.array(customer[order] + 1))),
        names[4]: _take([p[k] for p in CATALOGUE], product[order]),
        names[5]: _take([p[2 + k] for p in CATALOGUE], product[order]),
        names[6]: quantity[order].astype(np.int64),
        names[7]: _take([c[k] for c in COUNTRIES], country[order]),
        names[8]: _take([c[k] for c in CHANNELS], channel[order]),
        names[9]: discount[order],
    })
    return frame


def describe(frame: pd.DataFrame) -> dict:
    """A one-line summary of a generated frame (French or English headers).

    >>> describe(generate(rows=100, seed=3))["rows"]
    100
    """
    lang = "fr" if COLUMNS["fr"][0] in frame.columns else "en"
    order_id, date, amount, customer = COLUMNS[lang][:4]
    dates = frame[date]
    return {
        "rows": len(frame),
        "orders": int(frame[order_id].nunique()),
        "customers": int(frame[customer].nunique(dropna=True)),
        "revenue": round(float(frame[amount].sum()), 2),
        "refunds": int((frame[amount] < 0).sum()),
        "guest_orders": int(frame[customer].isna().sum()),
        "first_date": dates.min().date() if len(frame) else None,
        "last_date": dates.max().date() if len(frame) else None,
    }


def _customer_purchases(rng, needed, season, acquisition_cum):
    """Purchases of simulated customers: (customer index, day index), sorted by customer, time.

    Customers are independent, so taking them in simulation order until ``needed`` purchases
    are reached is an unbiased sample; the last customer is cut after their earliest purchases.
    """
    season_cum = np.cumsum(season)
    owners, days, n_customers, per_customer = [], [], 0, 1.5
    total = 0
    while total < needed:
        n = int((needed - total) / per_customer * 1.05) + 16
        owner, day = _simulate(rng, n, season, season_cum, acquisition_cum)
        owners.append(owner + n_customers)
        days.append(day)
        n_customers += n
        total += len(day)
        per_customer = max(len(day) / n, 0.5)
    if not owners:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    owner = np.concatenate(owners)[:needed]
    day = np.concatenate(days)[:needed]
    return owner, day


def _simulate(rng, n, season, season_cum, acquisition_cum):
    """BG/NBD-like purchases of ``n`` new customers: (customer index, day index) by customer.

    Time runs in 'seasonal days' (busy days are longer) and is mapped back to calendar days.
    After each purchase a customer either drops out for good (probability ``dropout``) or buys
    again after an exponential wait of mean 1 / ``rate``. Only purchases before the end are drawn:
    one round per purchase rank, over the customers still buying.
    """
    n_days = len(season)
    first_day = _sample_days(rng, n, acquisition_cum)
    time = season_cum[first_day] - season[first_day] * (1 - rng.random(n))
    rate = rng.gamma(RATE_SHAPE, 1 / RATE_SCALE_DAYS, n)
    purchases = rng.geometric(rng.beta(DROPOUT_A, DROPOUT_B, n))
    owners, times = [np.arange(n)], [time]
    active = np.flatnonzero(purchases > 1)
    time = time[active]
    rank = 1
    while len(active):
        time = time + rng.exponential(1.0, len(active)) / rate[active]
        inside = time < season_cum[-1]
        active, time = active[inside], time[inside]
        owners.append(active)
        times.append(time)
        rank += 1
        again = purchases[active] > rank
        active, time = active[again], time[again]
    owner = np.concatenate(owners)
    by_customer = np.argsort(owner, kind="stable")
    owner = owner[by_customer]
    day = np.searchsorted(season_cum, np.concatenate(times)[by_customer], side="right")
    day = np.maximum(np.minimum(day, n_days - 1), first_day[owner])
    return owner, day


def _lines(rng, days, day, level, is_first):
    """Product, quantity, discount and amount paid of each order.

    Big spenders (``level`` > 1) buy more items and pricier products; a first order is more
    often discounted (welcome code), and so is any order during the sales and Black Friday.
    """
    n = len(day)
    month = days.month.to_numpy()[day] - 1
    premium = rng.random(n) < np.clip(0.25 * level, 0.0, 0.8)
    product = _choose_products(rng, month, premium)
    quantity = 1 + np.minimum(rng.poisson(0.3 * level), 9)
    price = np.array([p[4] for p in CATALOGUE])[product] * (1 + PRICE_GROWTH) ** (day / 365.25)
    gross = np.round(price, 2) * quantity
    chance = np.array(DISCOUNT_BY_MONTH)[month] + 0.25 * is_first
    rates = np.array([r for r, _ in DISCOUNT_RATES])
    rate = rates[rng.choice(len(rates), n, p=np.array([w for _, w in DISCOUNT_RATES]))]
    discount = np.where(rng.random(n) < chance, np.round(gross * rate, 2), 0.0)
    return product, quantity, discount, np.round(gross - discount, 2)


def _sample_days(rng, n, cumulative):
    """``n`` day indexes drawn with probability proportional to the daily weights."""
    u = rng.random(n) * cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)


def _season(days: pd.DatetimeIndex) -> np.ndarray:
    """Relative busyness of each day (month, weekday, Black Friday, bank holidays)."""
    month, weekday, dom = days.month.to_numpy(), days.day_of_week.to_numpy(), days.day.to_numpy()
    factor = np.array(MONTH_FACTOR)[month - 1] * np.array(WEEKDAY_FACTOR)[weekday]
    factor[(month == 11) & (weekday == 4) & (dom >= 23) & (dom <= 29)] *= 3.0
    factor[((month == 12) & (dom == 25)) | ((month == 1) & (dom == 1))] *= 0.3
    return factor / factor.mean()


def _choose_products(rng, month, premium):
    """A product per order: popularity by month, price-weighted for premium buyers.

    One searchsorted over the 24 (month, premium) cumulative distributions laid end to end.
    """
    popularity = np.array([p[5] for p in CATALOGUE], dtype=float)
    price = np.array([p[4] for p in CATALOGUE])
    profile = np.array([PROFILES[p[6]] for p in CATALOGUE]).T           # 12 x products
    weights = np.concatenate([profile * popularity, profile * popularity * price])  # 24 x P
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    group = month + 12 * premium
    laid = (cum + np.arange(24)[:, None]).ravel()
    laid[len(CATALOGUE) - 1::len(CATALOGUE)] = np.arange(1, 25)
    pick = np.searchsorted(laid, group + rng.random(len(month)), side="right")
    return np.minimum(pick - group * len(CATALOGUE), len(CATALOGUE) - 1)


def _customer_ids(first_day: np.ndarray, loyalty_card: np.ndarray) -> pa.Array:
    """Ids numbered by order of acquisition, with a null in front for guests (take ``c + 1``).

    Loyalty-card holders get a numeric card number ("200001"...), the others "CL00001"...
    """
    n = len(first_day)
    by_acquisition = np.lexsort((np.arange(n), first_day))
    rank = np.empty(n, dtype=np.int64)
    rank[by_acquisition] = np.arange(n)
    card = loyalty_card[by_acquisition]
    web_number = np.cumsum(~card)[rank]
    card_number = 200000 + np.cumsum(card)[rank]
    web = _padded("CL", web_number, max(5, len(str(n))))
    ids = pc.if_else(pa.array(loyalty_card), pc.cast(pa.array(card_number), pa.string()), web)
    return pa.concat_arrays([pa.nulls(1, pa.string()), ids])


def _padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()),
                        width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _take(values: list[str], codes: np.ndarray) -> pd.Series:
    return _strings(pc.take(pa.array(values, pa.string()), pa.array(codes)))


def _strings(array: pa.Array) -> pd.Series:
    return pd.Series(array, dtype="str")


def _weights(table) -> np.ndarray:
    w = np.array([row[-1] for row in table], dtype=float)
    return w / w.sum()


