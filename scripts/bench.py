"""Benchmark of the .xlsx Calculate path against bare fast reads and an openpyxl round trip.

    python scripts/bench.py            # 1,048,575 rows (Excel's maximum), first-vs-repeat and
                                       # all-in-one
    python scripts/bench.py --quick    # 100,000 rows
    python scripts/bench.py --rows 200000 --repeat 3 --skip-openpyxl
    python scripts/bench.py --template all-in-one --skip-openpyxl   # every analysis at once only

Every measurement runs in its own fresh child process (this file re-run with ``_child``); the
child times only the operation (imports are done before the clock starts) and reports its own
peak resident memory (``ru_maxrss``), so each peak is that measurement's alone. The parent
imports nothing heavy: on Linux a child's ``ru_maxrss`` starts from its parent's resident size
at fork time. The workbook is built once per row count and cached (``--work``). This is a
benchmark, not a test: it always exits 0 and prints "goal met" or "goal missed" per ratio.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXCEL_MAX_ROWS = 1_048_575
QUICK_ROWS = 100_000
TAB = "Raw Data"
GOALS = {  # name: (numerator, denominator or None, bound, "<=" or ">=")
    "Calculate / fastexcel read": ("calculate", "fastexcel", 1.5, "<="),
    "openpyxl round trip / Calculate": ("openpyxl", "calculate", 30.0, ">="),
    "Calculate peak MB": ("calculate", None, 600.0, "<="),
}
LABELS = {
    "fastexcel": "fastexcel read, to_pandas (baseline)",
    "fastexcel_arrow": "fastexcel read, to_arrow (info)",
    "calamine": "python-calamine read, to_python",
    "calculate": "kc_sheets Calculate",
    "phases": "Calculate, timed by phase",
    "openpyxl": "openpyxl load + save",
}


# ------------------------------------------------------------------ child side

def _peak_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _build(path: Path, rows: int, template: str = "first-vs-repeat") -> dict:
    from kc_sheets import sample_data
    from kc_sheets.xlsx.raw_writer import fill_raw_data
    from kc_sheets.templates import get
    from kc_sheets.xlsx.render import build

    started = time.perf_counter()
    tmp = path.with_name(f".{path.name}.building.xlsx")
    build(get(template), tmp, "fr")
    fill_raw_data(tmp, sample_data.generate(rows=rows, seed=1))
    os.replace(tmp, path)
    return {"seconds": time.perf_counter() - started}


def _phases(path: Path) -> dict[str, list[float]]:
    """The sequence of ``calculate.calculate`` on a workbook that has its template, with timers."""
    import datetime as dt

    from kc_sheets.backends.xlsx import XlsxBook
    from kc_sheets.calculate import (
        RAW_TAB, Context, book_settings, ingest_options, quality_blocks, run_blocks,
        settings_tab_name, tab_writes,
    )
    from kc_sheets.i18n import translate_block
    from kc_sheets.ingest.transactions import ingest
    from kc_sheets.settings.options import read_options

    times: dict[str, list[float]] = {}  # phase: [seconds, peak MB of the process so far]
    clock = time.perf_counter()
    started = clock

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = [now - clock, _peak_mb()]
        clock = now

    book = XlsxBook(path, "fr")
    settings_tab, tab_lang = settings_tab_name(book.sheet_names())
    template, settings = book_settings(book, settings_tab, tab_lang)
    lang = settings.lang
    lap("open + read Settings")
    raw = book.read_raw(RAW_TAB)
    lap("read Raw Data (XlsxBook.read_raw)")
    ingested = ingest(raw, ingest_options(settings, settings_tab))
    lap("ingest (transactions.ingest)")
    ctx = Context(ingested, settings, lang, template,
                  options=read_options(template.analyses, settings, lang))
    blocks = {}
    for analysis in template.analyses:
        blocks.update({name: translate_block(frame, lang)
                       for name, frame in analysis(ctx).items()})
        lap(f"analysis {analysis.name}")
    blocks.update(quality_blocks(ingested, lang))
    lap("quality blocks (set-aside list)")
    blocks.update(run_blocks(template, ingested, lang, clock - started, dt.datetime.now()))
    writes = tab_writes(template, blocks, lang, tab_lang, settings.period)
    lap("prepare writes (run_blocks, tab_writes)")
    book.write(writes)
    lap("write (XlsxBook.write)")
    return times


def child(kind: str, source: Path, scratch: Path) -> dict:
    """Run one measurement; returns seconds (operation only) and peak MB of this process."""
    result: dict = {}
    if kind in ("fastexcel", "fastexcel_arrow"):
        import fastexcel
        import pandas  # noqa: F401  (imported before the clock, as Calculate's is)

        started = time.perf_counter()
        sheet = fastexcel.read_excel(str(source)).load_sheet(TAB)
        table = sheet.to_pandas() if kind == "fastexcel" else sheet.to_arrow()
        result["rows"] = len(table)
    elif kind == "calamine":
        from python_calamine import CalamineWorkbook

        started = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(source)).get_sheet_by_name(TAB).to_python()
        result["rows"] = len(rows) - 1
    elif kind in ("calculate", "phases"):
        from kc_sheets.calculate import calculate

        target = scratch / "calculate.xlsx"
        shutil.copyfile(source, target)  # not timed: every run starts from the same file
        started = time.perf_counter()
        if kind == "calculate":
            result["rows"] = calculate(target).rows_read
        else:
            result["phases"] = _phases(target)
    elif kind == "openpyxl":
        import openpyxl

        started = time.perf_counter()
        workbook = openpyxl.load_workbook(source)
        workbook.save(scratch / "openpyxl.xlsx")
        result["rows"] = workbook[TAB].max_row - 1
    else:
        raise SystemExit(f"unknown measurement {kind!r}")
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = _peak_mb()
    return result


# ------------------------------------------------------------------ parent side

def run_child(kind: str, source: Path, scratch: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "_child", kind, str(source), str(scratch)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["exit %d" % proc.returncode])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine_facts() -> list[str]:
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    mem = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        mem = f", {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB RAM"
    packages = ", ".join(f"{p} {version(p)}" for p in (
        "kc_sheets", "pandas", "fastexcel", "python-calamine", "openpyxl", "pyarrow", "numpy"))

    def git(*args: str) -> str:  # read-only: which code was measured
        proc = subprocess.run(["git", "-C", str(Path(__file__).resolve().parent), *args],
                              capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = len(git("status", "--porcelain", "--", "../kc_sheets").splitlines())
    return [f"machine: {platform.machine()}, {os.cpu_count()} cores{mem}, "
            f"{platform.system()} {platform.release()}",
            f"python:  {platform.python_implementation()} {platform.python_version()}",
            f"packages: {packages}",
            f"code: commit {commit}" + (f" + {dirty} modified file(s) in kc_sheets/" if dirty
                                        else "")]


def cached_workbook(work: Path, rows: int, rebuild: bool, template: str = "first-vs-repeat"
                    ) -> Path:
    suffix = "" if template == "first-vs-repeat" else f"-{template}"
    path = work / f"bench-{rows}{suffix}.xlsx"
    if path.exists() and not rebuild:
        print(f"workbook: {path} (cached, {path.stat().st_size / 2**20:.1f} MB)")
        return path
    work.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, __file__, "_build", str(path), str(rows), template],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"building the workbook failed:\n{proc.stderr}")
    built = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"workbook: {path} (built in {built['seconds']:.1f} s, "
          f"{path.stat().st_size / 2**20:.1f} MB)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=EXCEL_MAX_ROWS,
                        help=f"Raw Data rows (default {EXCEL_MAX_ROWS:,})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; best kept")
    parser.add_argument("--skip-openpyxl", action="store_true",
                        help="skip the openpyxl round trip (~4 min at 1M rows)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "kc_sheets_bench",
                        help="folder caching the built workbooks")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached workbook")
    parser.add_argument("--template", action="append",
                        help="template of the workbook Calculate fills, repeatable (default: "
                             "first-vs-repeat and all-in-one, which runs every analysis)")
    parser.add_argument("--excel-remote", type=int, default=0, metavar="ROWS",
                        help="also time a Raw Data round trip through xlwings' remote engine "
                             "(read, compute, actions) at ROWS rows, e.g. 100000")
    args = parser.parse_args(argv)
    rows = QUICK_ROWS if args.quick else args.rows
    print("\n".join(machine_facts()))
    for template in args.template or ["first-vs-repeat", "all-in-one"]:
        measure(args, rows, template)
    zip_copy(args.work)
    if args.excel_remote:
        excel_remote(args.excel_remote)
    return 0


def measure(args, rows: int, template: str) -> None:
    """The measurements and the three ratios of one template's workbook."""
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}, rows: {rows:,}, repeat: {args.repeat}, "
          f"template: {template}")
    source = cached_workbook(args.work, rows, args.rebuild, template)

    kinds = ["fastexcel", "fastexcel_arrow", "calamine", "calculate", "phases"]
    kinds += [] if args.skip_openpyxl else ["openpyxl"]
    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="kc_bench_", dir=args.work) as scratch:
        for kind in kinds:
            for _ in range(max(args.repeat, 1)):
                result = run_child(kind, source, Path(scratch))
                if "error" in result:
                    best.setdefault(kind, result)
                    break
                if kind not in best or result["seconds"] < best[kind]["seconds"]:
                    best[kind] = result

    print(f"\n{'measurement':<40}{'wall s':>10}{'peak MB':>10}")
    for kind in kinds + (["openpyxl"] if args.skip_openpyxl else []):
        label = LABELS[kind]
        if kind not in best:
            print(f"{label:<40}{'skipped (--skip-openpyxl)':>30}")
        elif "error" in best[kind]:
            print(f"{label:<40}  failed: {best[kind]['error']}")
        else:
            print(f"{label:<40}{best[kind]['seconds']:>10.2f}{best[kind]['peak_mb']:>10.0f}")

    print(f"\n{'ratio':<34}{'value':>8}{'goal':>9}   verdict")
    for name, (num, den, bound, sense) in GOALS.items():
        values = [best.get(k, {}) for k in (num, den) if k]
        if any("seconds" not in v for v in values):
            why = "failed" if any("error" in v for v in values) else "skipped"
            print(f"{name:<34}{'n/a':>8}{sense + ' ' + f'{bound:g}':>9}   not measured ({why})")
            continue
        value = (values[0]["seconds"] / values[1]["seconds"] if den
                 else values[0]["peak_mb"])
        met = value <= bound if sense == "<=" else value >= bound
        shown = f"{value:.0f}" if den is None else f"{value:.2f}"
        print(f"{name:<34}{shown:>8}{sense + ' ' + f'{bound:g}':>9}   "
              f"goal {'met' if met else 'missed'}")

    if "phases" in best and "phases" in best["phases"]:
        phases = best["phases"]["phases"]
        total = sum(seconds for seconds, _ in phases.values())
        print(f"\nCalculate phases (best of {args.repeat}){'s':>21}{'share':>9}"
              f"{'peak MB so far':>16}")
        for name, (seconds, peak) in phases.items():
            print(f"  {name:<44}{seconds:>8.2f}{seconds / total:>9.0%}{peak:>16.0f}")
        print(f"  {'total':<44}{total:>8.2f}")


def zip_copy(work: Path) -> None:
    """A 30 MB sheet the write does not change is copied as its compressed bytes: the time of
    that package write against a plain copy of the file (same run, same disk)."""
    import zipfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from kc_sheets.xlsx.ooxml_zip import write_package

    work.mkdir(parents=True, exist_ok=True)
    src, dst, plain = work / "zip_big.xlsx", work / "zip_out.xlsx", work / "zip_plain.xlsx"
    row = b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c></row>'
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"".join(
            row % (i, i, i * 7919 % 1000003, i, i % 977) for i in range(1, 420_000)))
        zf.writestr("xl/worksheets/sheet2.xml", b"<worksheet/>")
    started = time.perf_counter()
    shutil.copyfile(src, plain)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    write_package(src, dst, replace={"xl/worksheets/sheet2.xml": b"<worksheet>new</worksheet>"})
    seconds = time.perf_counter() - started
    ratio = seconds / max(baseline, 1e-6)
    print(f"\nraw entry copy: {seconds * 1000:.1f} ms, file copy {baseline * 1000:.1f} ms; "
          f"raw entry copy / file copy {ratio:.1f} (goal <= 20: goal "
          f"{'met' if ratio <= 20 else 'missed'}; a re-compression would be ~100x)")
    for path in (src, dst, plain):
        path.unlink(missing_ok=True)


def excel_remote(rows: int) -> None:
    """xlwings' remote engine (a test-only tool: noncommercial licence, set in that child)."""
    code = ("import json, sys; sys.path.insert(0, '.'); "
            "from tests.excel.bench_remote import round_trip; "
            f"print(json.dumps(round_trip({rows})))")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root)
    if done.returncode != 0:
        print(f"\nxlwings remote engine: failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    times = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nxlwings remote engine, {rows:,} rows (payload {times.get('payload_mb')} MB)")
    for key, value in times.items():
        if key.endswith("_s") or key.startswith("read_vs"):
            print(f"  {key:<44}{value:>8.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "_build":
        print(json.dumps(_build(Path(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:5])))
    else:
        sys.exit(main())
