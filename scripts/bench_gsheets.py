"""Benchmark of a Google Sheets Calculate against the local Sheets API emulator (never Google).

    python scripts/bench_gsheets.py                      # 1,000, 100,000 and 1,000,000 rows
    python scripts/bench_gsheets.py --rows 1000 100000   # chosen sizes

For each size: a spreadsheet made by ``gsheet.create(http, "first-vs-repeat", "fr")``, Raw Data
seeded straight into the emulator's state with 4 columns of ``sample_data.generate(rows=N,
seed=1)`` (order id, date as a serial number, amount, customer id), then one
``gsheet.calculate`` with the layout in place. It prints the Sheets requests of the Calculate (the
emulator's read and write counters, after ``reset_counts()``), the bytes each request sent and
received, and the wall time, next to a baseline run in the same process: one bare
``values:batchGet`` of Raw Data through the same client.

Why 4 columns: Google caps a spreadsheet at 10,000,000 cells, counted on the grid (rows x
columns of every tab), so 1,000,000 rows x 10 columns cannot exist in Google Sheets; the Raw
Data grid is also narrowed from the template's 26 columns to 4 (one ``deleteDimension``, not in
the Calculate's counts), since 1,000,000 x 26 would not fit either.

Times are the emulator's, on this machine: the emulator runs in this process (a thread) and is
Python, so "HTTP s" includes its own work, not Google's latency. Request counts and payload sizes
are what Google would receive. A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kc_sheets.apps import gsheet  # noqa: E402
from kc_sheets import sample_data  # noqa: E402
from kc_sheets.backends.google import urls  # noqa: E402
from kc_sheets.backends.google.credentials import from_token  # noqa: E402
from kc_sheets.backends.google.http import client  # noqa: E402
from kc_sheets.backends.google.sheets import MAX_PAYLOAD, quote  # noqa: E402
from tests.sheets_emulator import SheetsEmulator  # noqa: E402

SIZES = (1_000, 100_000, 1_000_000)
COLUMNS = 4
GOOGLE_CELL_LIMIT = 10_000_000
BUDGET = (2, 2)    # reads, writes of a Calculate on <= 100k rows with the layout in place
RAW = "Raw Data"


@dataclass
class Traffic:
    """Every HTTP exchange of one client: (verb, path, bytes sent, bytes received, seconds)."""
    calls: list[tuple[str, str, int, int, float]] = field(default_factory=list)

    def wrap(self, http) -> None:
        send = http.session.request

        def timed(*args, **kwargs):
            start = time.perf_counter()
            response = send(*args, **kwargs)   # content is read before this returns
            body = response.request.body or b""
            self.calls.append((response.request.method, response.request.path_url.split("?")[0],
                               len(body), len(response.content), time.perf_counter() - start))
            return response

        http.session.request = timed

    def since(self, mark: int) -> list[tuple[str, str, int, int, float]]:
        return self.calls[mark:]


def seed(emulator: SheetsEmulator, http, spreadsheet: str, rows: int) -> None:
    """Raw Data: a 4-column grid of rows + 1 lines, filled straight into the emulator's state."""
    orders = sample_data.generate(rows=rows, seed=1).iloc[:, :COLUMNS]
    serial = ((orders.iloc[:, 1] - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)).tolist()
    customer = orders.iloc[:, 3].astype(object).where(orders.iloc[:, 3].notna(), "").tolist()
    values = [list(orders.columns)] + [list(r) for r in zip(
        orders.iloc[:, 0].tolist(), serial, orders.iloc[:, 2].astype(float).tolist(), customer)]
    meta = http.request("get", urls.spreadsheet(spreadsheet)).json()
    props = next(s["properties"] for s in meta["sheets"] if s["properties"]["title"] == RAW)
    grid = props["gridProperties"]
    requests = [{"deleteDimension": {"range": {
        "sheetId": props["sheetId"], "dimension": "COLUMNS", "startIndex": COLUMNS,
        "endIndex": grid["columnCount"]}}}]
    if len(values) > grid["rowCount"]:
        requests.append({"appendDimension": {"sheetId": props["sheetId"], "dimension": "ROWS",
                                             "length": len(values) - grid["rowCount"]}})
    http.request("post", urls.batch_update(spreadsheet), json={"requests": requests})
    emulator.write_values(spreadsheet, f"{quote(RAW)}!A1", values)


def measure(rows: int) -> dict:
    with SheetsEmulator() as emulator:
        os.environ[urls.ENV_BASE] = emulator.base_url
        http = client(from_token("test-token"), "fr")
        traffic = Traffic()
        traffic.wrap(http)
        created = gsheet.create(http, "first-vs-repeat", "fr")
        sid = created.spreadsheet_id
        started = time.perf_counter()
        seed(emulator, http, sid, rows)
        seeding = time.perf_counter() - started
        grid_cells = emulator.store.spreadsheets[sid].cell_count()

        gc.collect()
        mark = len(traffic.calls)
        started = time.perf_counter()
        http.request("get", urls.values_batch_get(sid), params={
            "ranges": [quote(RAW)], "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER"}).json()
        baseline = time.perf_counter() - started
        baseline_calls = traffic.since(mark)

        gc.collect()
        emulator.reset_counts()
        mark = len(traffic.calls)
        started = time.perf_counter()
        result = gsheet.calculate(http, sid)
        wall = time.perf_counter() - started
        calls = traffic.since(mark)
        log = [(r.method, r.status) for r in emulator.requests]
        return {"rows": rows, "reads": emulator.reads, "writes": emulator.writes, "log": log,
                "calls": calls, "wall": wall, "http": sum(c[4] for c in calls),
                "baseline": baseline, "baseline_bytes": baseline_calls[0][3],
                "rows_used": result.rows_used, "set_aside": result.rows_set_aside,
                "grid_cells": grid_cells, "seeding": seeding}


def label(verb: str, path: str) -> str:
    """The API method of a Sheets path: values:batchUpdate, spreadsheets:batchUpdate..."""
    last = path.rsplit("/", 1)[-1]
    if ":" not in last:
        return "spreadsheets.get" if verb == "GET" else f"{verb} {path}"
    head, method = last.split(":", 1)
    return f"values:{method}" if head == "values" else f"spreadsheets:{method}"


def mb(n: int) -> str:
    return f"{n / 1e6:.2f}" if n >= 10_000 else f"{n / 1e6:.3f}"


def report(results: list[dict]) -> None:
    print()
    print("| rows | reads | writes | sent MB | received MB | largest request MB "
          "| Calculate s | of which HTTP s | bare read s | Calculate / read |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        sent = sum(c[2] for c in r["calls"])
        received = sum(c[3] for c in r["calls"])
        largest = max(c[2] for c in r["calls"])
        print(f"| {r['rows']:,} | {r['reads']} | {r['writes']} | {mb(sent)} | {mb(received)} | "
              f"{mb(largest)} | {r['wall']:.2f} | {r['http']:.2f} | {r['baseline']:.2f} | "
              f"{r['wall'] / r['baseline']:.2f} |")
    print()
    for r in results:
        verdict = "held" if (r["reads"], r["writes"]) <= BUDGET else "exceeded"
        scope = "" if r["rows"] <= 100_000 else " (the budget is for <= 100k rows)"
        print(f"{r['rows']:,} rows: budget {BUDGET[0]} reads / {BUDGET[1]} writes {verdict}"
              f"{scope}; rows used {r['rows_used']:,}, set aside {r['set_aside']:,}; "
              f"grid {r['grid_cells']:,} cells of Google's {GOOGLE_CELL_LIMIT:,}; "
              f"seeding {r['seeding']:.1f} s")
        for verb, path, sent, received, seconds in r["calls"]:
            name = label(verb, path)
            flag = "  (over Google's 2 MB recommendation)" if sent > MAX_PAYLOAD else ""
            print(f"    {name:24} sent {mb(sent):>7} MB  received {mb(received):>7} MB"
                  f"  {seconds:6.2f} s{flag}")
        bad = [entry for entry in r["log"] if entry[1] != 200]
        if bad:
            print(f"    refused by the emulator: {bad}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    print(f"Google Sheets Calculate on the local emulator · {platform.machine()}, "
          f"{os.cpu_count()} cores, CPython {platform.python_version()}")
    print(f"Raw Data: {COLUMNS} columns (order id, date as a serial number, amount, customer id) "
          f"of sample_data.generate(rows=N, seed=1). Not 10: Google's limit is "
          f"{GOOGLE_CELL_LIMIT:,} cells per spreadsheet, and 1,000,000 rows x 10 columns is "
          f"already 10,000,000 cells of Raw Data alone; the Raw Data grid is narrowed from 26 "
          f"columns to {COLUMNS} for the same reason.")
    results = []
    for rows in args.rows:
        print(f"... {rows:,} rows", flush=True)
        results.append(measure(rows))
        gc.collect()
    report(results)


if __name__ == "__main__":
    main()
