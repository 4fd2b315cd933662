"""The orders reduced once per Calculate: the aggregates every analysis computes from.

Three tables in columnar form (one numpy array per column), each what one GROUP BY gives:

- ``customers`` (:class:`CustomerTable`): GROUP BY customer. Purchases and their revenue,
  refunds (count and amount), first and last purchase, and the first purchase's amount and Raw
  Data row (two purchases on the earliest date: the one that comes first in Raw Data).
- ``months`` (:class:`CustomerMonths`): GROUP BY customer, calendar month. Purchases, revenue,
  refunds. Quarters and years are sums of months (:meth:`CustomerMonths.by`).
- ``items(key)`` (:class:`CustomerItems`): GROUP BY customer, product (or category), over the
  order lines, when Raw Data has that column. Computed on first use only.

Nothing downstream reads an order: a database holding the orders (DuckDB, BigQuery, Spark) could
run the same GROUP BYs where the data lives (each class says its SQL) and send these tables
only. Customers are numbered 0, 1, 2... in order of first appearance in the orders (ORDER BY
MIN(first_row)); every table refers to them by that number. An order without a customer id
(``ingest`` sets such rows aside, so only hand-made tables have one) belongs to no customer:
it counts in ``months`` under customer -1 and nowhere in ``customers``.

The reduction is cached in the run's context: :func:`shared` gives every analysis the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DAY_NS = 86_400_000_000_000
NAT = np.datetime64("NaT", "ns")
ITEM_KEYS = ("product", "category")


def month_ordinals(dates) -> np.ndarray:
    """Months since January 1970 (0 = 1970-01), one per date: the calendar month as an integer
    (pandas' monthly Period ordinal; a quarter is ``month // 3``, a year ``month // 12``)."""
    values = np.asarray(dates, dtype="datetime64[ns]")
    return values.astype("datetime64[M]").astype(np.int64)


@dataclass(frozen=True)
class CustomerTable:
    """One row per customer (index = customer number)::

        SELECT customer_id,
               COUNT(*) FILTER (WHERE NOT is_refund)      AS orders,
               SUM(amount) FILTER (WHERE NOT is_refund)   AS revenue,
               COUNT(*) FILTER (WHERE is_refund)          AS refund_orders,
               SUM(amount) FILTER (WHERE is_refund)       AS refunds,
               MIN(order_date) FILTER (WHERE NOT is_refund) AS first_purchase,
               MAX(order_date) FILTER (WHERE NOT is_refund) AS last_purchase,
               ARG_MIN(amount, (order_date, first_row)) FILTER (WHERE NOT is_refund)
                                                          AS first_amount,
               MIN((order_date, first_row)).first_row ... AS first_row
        FROM orders WHERE customer_id IS NOT NULL
        GROUP BY customer_id ORDER BY MIN(first_row)

    ``first_purchase`` / ``last_purchase`` are NaT, ``first_amount`` 0 and ``first_row`` -1
    for a customer with refunds only.
    """

    ids: pd.api.extensions.ExtensionArray   # customer_id text, "str" dtype
    orders: np.ndarray           # int64, purchases
    revenue: np.ndarray          # float, sum of the purchases
    refund_orders: np.ndarray    # int64
    refunds: np.ndarray          # float, sum of the refunds (negative)
    first_purchase: np.ndarray   # datetime64[ns]
    last_purchase: np.ndarray    # datetime64[ns]
    first_amount: np.ndarray     # float
    first_row: np.ndarray        # int64, Raw Data row of the first purchase

    def __len__(self) -> int:
        return len(self.orders)

    @property
    def net_revenue(self) -> np.ndarray:
        """Purchases plus refunds, per customer (not rounded)."""
        return self.revenue + self.refunds

    @property
    def buyers(self) -> np.ndarray:
        """Customers with at least one purchase."""
        return self.orders > 0


@dataclass(frozen=True)
class CustomerMonths:
    """One row per customer and month with at least one order, in no particular order::

        SELECT customer, month, COUNT(*) FILTER (WHERE NOT is_refund) AS orders,
               SUM(amount) FILTER (WHERE NOT is_refund) AS revenue,
               SUM(amount) FILTER (WHERE is_refund) AS refunds
        FROM orders GROUP BY customer, month

    ``customer`` is the customer number (-1: orders without a customer id), ``month`` counts
    months from January 1970 (see ``month_ordinals``), ``orders`` the purchases, ``revenue``
    their amounts, ``refunds`` the amounts of the refunds (negative). ``customers`` is the
    number of customers. A coarser grain (quarter, year) comes from :meth:`by`, with ``month``
    then holding that period's ordinal.
    """

    customer: np.ndarray
    month: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    refunds: np.ndarray
    customers: int

    @property
    def purchased(self) -> np.ndarray:
        """Rows where a known customer made a purchase: the customer is active that month."""
        return (self.orders > 0) & (self.customer >= 0)

    def by(self, months_per_period: int) -> CustomerMonths:
        """The same sums by customer and period of ``months_per_period`` months (3: quarters,
        12: years); ``month`` holds the period ordinal (months // months_per_period).

        >>> months = CustomerMonths(np.array([0, 0, 1]), np.array([648, 650, 651]),
        ...     np.array([1, 2, 1]), np.array([10.0, 5.0, 3.0]), np.zeros(3), 2)
        >>> quarters = months.by(3)
        >>> quarters.month.tolist(), quarters.orders.tolist()
        ([216, 217], [3, 1])
        """
        if months_per_period == 1:
            return self
        period = self.month // months_per_period
        if len(period) == 0:
            return self
        low = int(period.min())
        span = int(period.max()) - low + 1
        group, keys = pd.factorize((self.customer + 1) * span + (period - low))
        customer, offset = np.divmod(keys, span)
        size = len(keys)

        def total(values: np.ndarray) -> np.ndarray:
            return np.bincount(group, weights=values, minlength=size)

        return CustomerMonths(customer - 1, offset + low,
                              total(self.orders).round().astype(np.int64),
                              total(self.revenue), total(self.refunds), self.customers)


@dataclass(frozen=True)
class CustomerItems:
    """One row per customer and item (a product, or a category) found in their order lines::

        SELECT customer, item, COUNT(DISTINCT order) AS orders, SUM(quantity) AS units,
               SUM(amount) FILTER (WHERE NOT is_refund) AS revenue,
               SUM(amount) FILTER (WHERE is_refund) AS refunds,
               BOOL_OR(order = the customer's first purchase) AS in_first_order
        FROM lines JOIN orders USING (order) WHERE item IS NOT NULL
        GROUP BY customer, item

    ``item`` numbers ``names`` (first appearance). ``orders`` counts purchases holding the item
    (refunds are not purchases); ``units`` sums the quantity column, or counts the purchase
    lines without one.
    """

    key: str
    names: pd.api.extensions.ExtensionArray
    customer: np.ndarray
    item: np.ndarray
    orders: np.ndarray
    units: np.ndarray
    revenue: np.ndarray
    refunds: np.ndarray
    in_first_order: np.ndarray


@dataclass
class Reduction:
    """The three tables, the span of the order dates and the number of orders reduced."""

    customers: CustomerTable
    months: CustomerMonths
    order_count: int                         # orders, refunds included
    first_day: pd.Timestamp | None           # earliest order date (None: no order)
    last_day: pd.Timestamp | None            # latest order date
    _lines: pd.DataFrame | None = field(default=None, repr=False)
    _line_orders: np.ndarray | None = field(default=None, repr=False)
    _order_customer: np.ndarray | None = field(default=None, repr=False)
    _order_refund: np.ndarray | None = field(default=None, repr=False)
    _order_row: np.ndarray | None = field(default=None, repr=False)
    _items: dict = field(default_factory=dict, repr=False)

    def has_items(self, key: str) -> bool:
        """Whether the lines hold a ``key`` column (``product``, ``category``) to group by."""
        return self._lines is not None and key in self._lines

    def items(self, key: str) -> CustomerItems:
        """The customer x ``key`` table, computed on first use."""
        if key not in ITEM_KEYS:
            raise ValueError(f"key must be one of {ITEM_KEYS}, not {key!r}")
        if not self.has_items(key):
            raise ValueError(f"the order lines have no {key!r} column")
        if key not in self._items:
            self._items[key] = self._group_items(key)
        return self._items[key]

    def _group_items(self, key: str) -> CustomerItems:
        lines = self._lines
        item, names = pd.factorize(lines[key].array)          # -1: no item on that line
        order = self._line_orders
        customer = np.where(order >= 0, self._order_customer[np.maximum(order, 0)], -1)
        keep = (item >= 0) & (customer >= 0)
        order, item, customer = order[keep], item[keep], customer[keep]
        amount = lines["amount"].to_numpy(dtype=float)[keep]
        refund = self._order_refund[order]
        units = np.nan_to_num(lines["quantity"].to_numpy(dtype=float)[keep]) \
            if "quantity" in lines else np.ones(len(order))
        units = np.where(refund, 0.0, units)
        first = self._order_row[order] == self.customers.first_row[customer]
        width = max(len(names), 1)
        group, keys = pd.factorize(customer * width + item)
        size = len(keys)
        # distinct (group, order) among purchases: two lines of one item in an order count once
        span = max(self.order_count, 1)
        pairs = pd.unique(group[~refund].astype(np.int64) * span + order[~refund])
        return CustomerItems(
            key=key, names=pd.array(names, dtype="str"),
            customer=(keys // width).astype(np.int64), item=(keys % width).astype(np.int64),
            orders=np.bincount(pairs // span, minlength=size),
            units=np.bincount(group, weights=units, minlength=size),
            revenue=np.bincount(group[~refund], weights=amount[~refund], minlength=size),
            refunds=np.bincount(group[refund], weights=amount[refund], minlength=size),
            in_first_order=np.bincount(group[first & ~refund], minlength=size) > 0)


def reduce_orders(orders: pd.DataFrame, lines: pd.DataFrame | None = None) -> Reduction:
    """Reduce the canonical orders (and, for the item tables, their lines) once.

    ``orders`` needs customer_id, order_date, amount and is_refund; ``first_row`` (the Raw Data
    row of the order) breaks ties between two first purchases on the same date, else the order
    of the table does. ``lines`` needs ``order`` (the position of its order in ``orders``) and
    amount, plus the columns to group by.

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y", "x"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-03", "2024-02-01", "2024-03-01"]),
    ...     "amount": [10.0, 4.0, 5.0, -2.0], "is_refund": [False, False, False, True]})
    >>> c = reduce_orders(orders).customers
    >>> c.ids.tolist(), c.orders.tolist(), c.first_amount.tolist(), c.refunds.tolist()
    (['x', 'y'], [2, 1], [4.0, 5.0], [-2.0, 0.0])
    """
    codes, uniques = pd.factorize(orders["customer_id"].array)   # -1: no customer id
    size = len(uniques)
    date = orders["order_date"].to_numpy(dtype="datetime64[ns]")
    amount = orders["amount"].to_numpy(dtype=float)
    refund = orders["is_refund"].to_numpy(dtype=bool)
    row = orders["first_row"].to_numpy(dtype=np.int64) if "first_row" in orders \
        else np.arange(len(orders), dtype=np.int64)
    customers = _customer_table(codes, uniques, date, amount, refund, row)
    line_orders = None
    if lines is not None:
        line_orders = lines["order"].to_numpy(dtype=np.int64) if "order" in lines else None
        if line_orders is None:
            lines = None
    return Reduction(
        customers=customers, months=_customer_months(codes, size, date, amount, refund),
        order_count=len(orders),
        first_day=pd.Timestamp(date.min()) if len(date) else None,
        last_day=pd.Timestamp(date.max()) if len(date) else None,
        _lines=lines, _line_orders=line_orders, _order_customer=codes.astype(np.int64),
        _order_refund=refund, _order_row=row)


def _customer_table(codes, uniques, date, amount, refund, row) -> CustomerTable:
    size = len(uniques)
    known = codes >= 0
    purchase = ~refund & known
    back = refund & known
    c, ns = codes[purchase], date[purchase].view(np.int64)
    first = np.full(size, np.iinfo(np.int64).max)
    last = np.full(size, np.iinfo(np.int64).min)
    np.minimum.at(first, c, ns)
    np.maximum.at(last, c, ns)
    # the first purchase: the earliest date, then the first Raw Data row among that date's
    on_first = ns == first[c]
    first_row = np.full(size, np.iinfo(np.int64).max)
    np.minimum.at(first_row, c[on_first], row[purchase][on_first])
    is_first = on_first & (row[purchase] == first_row[c])
    first_amount = np.zeros(size)
    first_amount[c[is_first]] = amount[purchase][is_first]
    orders = np.bincount(c, minlength=size).astype(np.int64)
    buyer = orders > 0
    return CustomerTable(
        ids=pd.array(uniques, dtype="str"),
        orders=orders,
        revenue=np.bincount(c, weights=amount[purchase], minlength=size),
        refund_orders=np.bincount(codes[back], minlength=size).astype(np.int64),
        refunds=np.bincount(codes[back], weights=amount[back], minlength=size),
        first_purchase=np.where(buyer, first, NAT.view(np.int64)).view("datetime64[ns]"),
        last_purchase=np.where(buyer, last, NAT.view(np.int64)).view("datetime64[ns]"),
        first_amount=first_amount,
        first_row=np.where(buyer, first_row, -1))


def _customer_months(codes, customers, date, amount, refund) -> CustomerMonths:
    month = month_ordinals(date)
    if len(month) == 0:
        nothing = np.zeros(0, dtype=np.int64)
        return CustomerMonths(nothing, nothing, nothing, nothing * 1.0, nothing * 1.0, 0)
    low = int(month.min())
    span = int(month.max()) - low + 1
    group, keys = pd.factorize(codes.astype(np.int64) * span + (month - low))
    customer, offset = np.divmod(keys, span)
    size = len(keys)
    return CustomerMonths(
        customer=customer, month=offset + low,
        orders=np.bincount(group[~refund], minlength=size),
        revenue=np.bincount(group[~refund], weights=amount[~refund], minlength=size),
        refunds=np.bincount(group[refund], weights=amount[refund], minlength=size),
        customers=customers)


def customer_months(orders: pd.DataFrame) -> CustomerMonths:
    """Reduce orders to one row per customer and month (``reduce_orders(orders).months``).

    >>> orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "order_date":
    ...     pd.to_datetime(["2024-01-03", "2024-01-31", "2024-02-05"]),
    ...     "amount": [10.0, -4.0, 5.0], "is_refund": [False, True, False]})
    >>> months = customer_months(orders)
    >>> months.orders.tolist(), months.revenue.tolist(), months.refunds.tolist()
    ([1, 1], [10.0, 5.0], [-4.0, 0.0])
    """
    codes, uniques = pd.factorize(orders["customer_id"].array)
    return _customer_months(codes, len(uniques),
                            orders["order_date"].to_numpy(dtype="datetime64[ns]"),
                            orders["amount"].to_numpy(dtype=float),
                            orders["is_refund"].to_numpy(dtype=bool))


def reduction_of(orders: pd.DataFrame | Reduction) -> Reduction:
    """``orders`` reduced, unless it is a reduction already (the analyses' helpers take both)."""
    return orders if isinstance(orders, Reduction) else reduce_orders(orders)


def shared(ctx, until: pd.Timestamp | None = None) -> Reduction:
    """The run's reduction, computed once per Calculate and shared by every analysis.

    ``until``: only the orders dated on or before that day (see :func:`reduce_until`). A
    context without a ``cache`` (a test's) gets it computed on the spot.
    """
    cache = getattr(ctx, "cache", None)
    cache = {} if cache is None else cache
    orders = ctx.ingested.orders
    if "reduction" not in cache:
        cache["reduction"] = reduce_orders(orders, getattr(ctx.ingested, "lines", None))
    return reduce_until(orders, until, cache["reduction"], cache)


def reduce_until(orders: pd.DataFrame, until: pd.Timestamp | None,
                 full: Reduction | None = None, cache: dict | None = None) -> Reduction:
    """The reduction of the orders dated on or before ``until`` (a WHERE before the GROUP BY),
    for an analysis date inside the data: its customers are numbered by first appearance among
    those orders. None, or a day on or after the last order, gives ``full`` (the reduction of
    every order, computed when not given). ``cache`` keeps each day's reduction.

    >>> orders = pd.DataFrame({"customer_id": ["x", "y"], "amount": [10.0, 5.0],
    ...     "order_date": pd.to_datetime(["2024-03-01", "2024-01-05"]), "is_refund": False})
    >>> reduce_until(orders, pd.Timestamp("2024-02-01")).customers.ids.tolist()
    ['y']
    """
    full = reduce_orders(orders) if full is None else full
    if until is None or full.last_day is None:
        return full
    day = pd.Timestamp(until).value // DAY_NS
    if full.last_day.value // DAY_NS <= day:
        return full
    cache = {} if cache is None else cache
    key = ("reduction", day)
    if key not in cache:
        kept = orders["order_date"].to_numpy(dtype="datetime64[ns]").view(np.int64) \
            // DAY_NS <= day
        cache[key] = reduce_orders(orders.loc[kept])
    return cache[key]
