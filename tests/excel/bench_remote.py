"""A Raw Data round trip through xlwings' remote engine, timed by phase.

    python -m tests.excel.bench_remote 100000

Phases: the client's payload parsed into a Book (what xlwings does on a request), read (Raw Data
and Settings through the xlwings backend), compute (ingest + analyses), actions (the blocks
turned into xlwings actions) and the response serialised. The template file and its payload are
made first and not timed; the .xlsx backend's read of the same file is the baseline
(``read_vs_xlsx``). ``scripts/bench.py`` can call :func:`round_trip`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from tests.excel.remote import payload_from_xlsx, remote_xlwings


def round_trip(rows: int, seed: int = 7, template_id: str = "first-vs-repeat") -> dict:
    from kc_sheets import sample_data
    from kc_sheets.xlsx.raw_writer import fill_raw_data
    from kc_sheets.backends.xlwings import XlwingsBook
    from kc_sheets.calculate import RAW_TAB, book_settings, run_analyses, run_blocks, \
        settings_tab_name, tab_writes
    from kc_sheets.templates import get
    from kc_sheets.xlsx.render import build

    xw = remote_xlwings()
    template = get(template_id)
    with tempfile.TemporaryDirectory() as folder:
        path = build(template, Path(folder) / "bench.xlsx", "fr")
        fill_raw_data(path, sample_data.generate(rows, seed, "fr"))
        body = json.dumps(payload_from_xlsx(path, xw.__version__))
        from kc_sheets.backends.xlsx import XlsxBook

        start = time.perf_counter()
        XlsxBook(path).read_raw(RAW_TAB)     # baseline: the .xlsx backend's read (fastexcel)
        baseline = time.perf_counter() - start
    times = {"rows": rows, "payload_mb": round(len(body) / 1e6, 1)}
    start = time.perf_counter()
    book = xw.Book(json=json.loads(body))
    times["book_s"] = time.perf_counter() - start
    backend = XlwingsBook(book)
    start = time.perf_counter()
    settings_tab, tab_lang = settings_tab_name(backend.sheet_names())
    backend.prefetch([RAW_TAB, settings_tab])
    template, settings = book_settings(backend, settings_tab, tab_lang, template)
    raw = backend.read_raw(RAW_TAB)
    times["read_s"] = time.perf_counter() - start
    times["xlsx_read_s"], times["read_vs_xlsx"] = baseline, times["read_s"] / baseline
    start = time.perf_counter()
    ingested, blocks = run_analyses(template, raw, settings, settings_tab)
    times["compute_s"] = time.perf_counter() - start
    start = time.perf_counter()
    import datetime as dt

    blocks.update(run_blocks(template, ingested, settings.lang, 0.0, dt.datetime.now()))
    backend.write(tab_writes(template, blocks, settings.lang, tab_lang, settings.period))
    times["actions_s"] = time.perf_counter() - start
    start = time.perf_counter()
    response = json.dumps(book.json())
    times["response_s"] = time.perf_counter() - start
    times["actions"] = len(book.json()["actions"])
    times["response_kb"] = round(len(response) / 1e3)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in times.items()}


if __name__ == "__main__":
    print(round_trip(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
