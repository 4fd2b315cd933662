"""Run one corpus case through the ``kc-sheets`` CLI and record what happened.

Cases run in-process through typer's CliRunner (the real command, argument parsing and error
printing included); :func:`run_subprocess` runs ``python -m kc_sheets.apps.cli`` for the few cases
that check the real process (stderr, exit status). The outcome holds the exit code, the printed
text, whether the file changed, and the figures of the data quality report (read back from the
calculated workbook's data quality tab, or from ``quality.summary.csv`` for ``analyze``).
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from tests.corpus.builders import ROOT, sheet_parts
from tests.corpus.registry import Case

SUMMARY_KEYS = ("rows_read", "rows_used", "rows_set_aside", "revenue_read", "revenue_used",
                "revenue_set_aside", "customers", "orders", "refunds")


@dataclass
class Outcome:
    case: str
    exit_code: int
    output: str                       # stdout + stderr, whitespace collapsed
    uncaught: str = ""                # an exception that escaped the CLI (a traceback)
    file_unchanged: bool = True
    raw_data_unchanged: bool | None = None
    summary: dict[str, float] = field(default_factory=dict)
    set_aside: list[tuple[int, str, list[str]]] = field(default_factory=list)  # row, reason, raw
    by_period: dict[str, float] = field(default_factory=dict)   # analyze: period -> net revenue
    out_dir: Path | None = None
    path: Path | None = None
    source: Path | None = None        # a copy of the input as it was before the command


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_data_bytes(path: Path) -> bytes | None:
    """The uncompressed Raw Data part, or None when the file has none (not an .xlsx...)."""
    try:
        part = sheet_parts(path).get("Raw Data")
        if part is None:
            return None
        with zipfile.ZipFile(path) as zf:
            return zf.read(part)
    except Exception:
        return None


def run_case(item: Case, path: Path, work: Path) -> Outcome:
    """Run the case's command on ``path`` in-process and read back its results."""
    from kc_sheets.apps.cli import app

    before, raw_before = sha256(path), raw_data_bytes(path)
    out_dir = work / "out"
    args = [item.command, str(path)]
    if item.command == "analyze":
        args += ["--out", str(out_dir), "--lang", item.lang]
    args += list(item.args)
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    uncaught = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        uncaught = f"{type(result.exception).__name__}: {result.exception}"
    outcome = Outcome(item.name, result.exit_code, " ".join(result.output.split()), uncaught,
                      path=path, out_dir=out_dir)
    outcome.file_unchanged = path.is_file() and sha256(path) == before
    if raw_before is not None:
        outcome.raw_data_unchanged = raw_data_bytes(path) == raw_before
    if result.exit_code == 0:
        if item.command == "analyze":
            _read_csv_outputs(outcome, out_dir)
        else:
            _read_quality_tab(outcome, path, item.lang)
    return outcome


def run_subprocess(item: Case, path: Path, work: Path) -> Outcome:
    """The same through a real ``python -m kc_sheets.apps.cli`` process (PYTHONPATH = this tree)."""
    out_dir = work / "out"
    args = [sys.executable, "-m", "kc_sheets.apps.cli", item.command, str(path)]
    if item.command == "analyze":
        args += ["--out", str(out_dir), "--lang", item.lang]
    args += list(item.args)
    before = sha256(path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=work)
    output = " ".join((done.stdout + done.stderr).split())
    uncaught = "Traceback" if "Traceback (most recent call last)" in done.stderr else ""
    outcome = Outcome(item.name, done.returncode, output, uncaught, path=path, out_dir=out_dir)
    outcome.file_unchanged = sha256(path) == before
    if done.returncode == 0 and item.command == "analyze":
        _read_csv_outputs(outcome, out_dir)
    elif done.returncode == 0:
        _read_quality_tab(outcome, path, item.lang)
    return outcome


def _read_csv_outputs(outcome: Outcome, out_dir: Path) -> None:
    with (out_dir / "quality.summary.csv").open(newline="", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    outcome.summary = {k: _number(row[k]) for k in SUMMARY_KEYS if k in row}
    with (out_dir / "quality.set_aside.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for cells in reader:
            outcome.set_aside.append((int(float(cells[0].lstrip("'"))), cells[2], cells[3:]))
    periods = out_dir / "first_vs_repeat.by_period.csv"
    if periods.is_file():
        with periods.open(newline="", encoding="utf-8") as fh:
            for cells in csv.DictReader(fh):
                outcome.by_period[cells["period"].lstrip("'")] = _number(cells["net_revenue"])


def _number(text: str) -> float:
    text = (text or "").lstrip("'")
    return float(text) if text else float("nan")


def _read_quality_tab(outcome: Outcome, path: Path, lang: str) -> None:
    """The summary figures and set-aside rows, as the data quality tab shows them."""
    import python_calamine

    import kc_sheets.templates.common  # noqa: F401  (registers the labels of those tabs)
    from kc_sheets.i18n import t

    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        t("tab.quality", lang)).to_python(skip_empty_area=False)
    labels = {t(f"col.{k}" if k != "refunds" else "col.refunds_count", lang): k
              for k in SUMMARY_KEYS}
    header_at = None
    for index, row in enumerate(rows):
        if len(row) > 2 and row[1] in labels and outcome.summary.get(labels[row[1]]) is None \
                and isinstance(row[2], (int, float)):
            outcome.summary[labels[row[1]]] = float(row[2])
        if len(row) > 2 and row[1] == t("col.reason", lang) and row[2] == t("col.row", lang):
            header_at = index
    if header_at is None:
        return
    for row in rows[header_at + 1:]:
        if len(row) < 3 or not isinstance(row[2], (int, float)):
            break
        outcome.set_aside.append((int(row[2]), str(row[1]), [str(v) for v in row[3:]]))


def written_text(path: Path, tab: str) -> list[str]:
    """Every text cell of a tab of a calculated workbook (as a reader decodes it)."""
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        tab).to_python(skip_empty_area=False)
    return [v for row in rows for v in row if isinstance(v, str) and v]
