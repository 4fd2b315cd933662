"""Faults a user can cause on the .xlsx path: SIGTERM, two Calculates at once, a save while
Calculate runs, temporaries left by a killed run. Each leaves the workbook as it was or
complete, and says so in words."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kc_sheets import progress, sample_data
from kc_sheets.calculate import calculate
from kc_sheets.errors import KcError
from tests.conftest import make_workbook, ten_orders

ROOT = Path(__file__).resolve().parents[1]


def test_a_second_calculate_of_the_same_file_is_refused_while_one_runs(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, ten_orders())
    before = path.read_bytes()
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)       # what a running Calculate holds
        with pytest.raises(KcError) as refused:
            calculate(path)
    finally:
        os.close(fd)
    assert refused.value.key == "xlsx.busy"
    assert "autre calcul" in refused.value.message()
    assert path.read_bytes() == before
    assert calculate(path).rows_read == 10                    # free again: it runs


def test_two_real_processes_one_runs_one_is_refused(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, sample_data.generate(rows=60_000, seed=3))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "kc_sheets.apps.cli", "calculate", str(path), "--quiet"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    time.sleep(1.0)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    first_out, first_err = first.communicate(timeout=300)
    codes = sorted([first.returncode, second.returncode])
    assert codes in ([0, 0], [0, 2]), (first_err, second.stderr)
    if second.returncode == 2:
        assert "autre calcul" in second.stderr and "Traceback" not in second.stderr
    assert calculate(path).rows_read == 60_000


def test_a_save_during_calculate_is_not_mixed_with_old_results(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, ten_orders())
    (tmp_path / "other").mkdir()
    saved = make_workbook(tmp_path / "other", ten_orders().head(4)).read_bytes()

    class SaveAtWrite:          # the user presses Ctrl+S just before the results are written
        def phase(self, key, done=None, total=None):
            if key == "write":
                path.write_bytes(saved)

        def close(self, failed=False):
            pass

    with pytest.raises(KcError) as refused, progress.reporting(SaveAtWrite()):
        calculate(path)
    assert refused.value.key == "xlsx.changed_during"
    assert path.read_bytes() == saved                          # the user's save is kept as is


def test_leftovers_of_killed_runs_are_removed_by_the_next_run(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, ten_orders())
    stale = tmp_path / f".{path.name}.abc123.kc-tmp"
    stale.write_bytes(b"half a zip")
    other = tmp_path / ".someone-else.xlsx.abc123.kc-tmp"
    other.write_bytes(b"not ours")
    calculate(path)
    assert not stale.exists() and other.exists()


@pytest.mark.slow
def test_sigterm_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, sample_data.generate(rows=150_000, seed=5))
    original = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    outcomes = set()
    for delay in (0.3, 2.0, 3.5):
        path.write_bytes(original)
        process = subprocess.Popen([sys.executable, "-m", "kc_sheets.apps.cli", "calculate",
                                    str(path), "--quiet"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=300)
        assert "Traceback" not in stderr
        outcomes.add(process.returncode)
        if process.returncode == 130:
            assert "interrompu" in stderr
            assert path.read_bytes() == original
        elif process.returncode == -signal.SIGTERM:          # still starting: nothing written
            assert path.read_bytes() == original
        else:
            assert process.returncode == 0                   # it had finished: complete
        assert [p for p in tmp_path.iterdir() if p.name.endswith(".kc-tmp")] == []
    assert 130 in outcomes           # at least once the handler unwound a running Calculate


def _results(path: Path) -> list[list[object]]:
    """The first-vs-repeat table of a workbook (its monthly rows and total), as calamine reads
    it: proof that a file is whole and holds results."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("CA 1ers vs répétés").to_python(skip_empty_area=False)
    return [row[1:8] for row in rows[28:]]


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_old_file_or_the_complete_new_one(tmp_path: Path
                                                                         ) -> None:
    """A 200,000-row Calculate killed (SIGKILL: no handler runs) at moments spread over the
    computation, then at delays after its temporary file appears (during the save): each time
    the workbook is byte for byte the old one, or the complete new one; the next run removes
    what the killed ones left."""
    path = make_workbook(tmp_path, sample_data.generate(rows=200_000, seed=5))
    original = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "kc_sheets.apps.cli", "calculate", str(path), "--quiet"]

    def temporaries() -> list[Path]:
        return [p for p in tmp_path.iterdir() if p.name.endswith(".kc-tmp")]

    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    whole = time.perf_counter() - started
    reference = _results(path)
    assert reference and reference[0][0] == "Total"
    outcomes = {"old": 0, "new": 0}
    moments = [("after", whole * f) for f in (0.1, 0.3, 0.5, 0.7, 0.85)] + [
        ("save", d) for d in (0.0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8)]
    saves_hit = 0
    for kind, delay in moments:
        path.write_bytes(original)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        if kind == "save":
            deadline = time.perf_counter() + whole * 3
            while not temporaries() and process.poll() is None and (
                    time.perf_counter() < deadline):
                time.sleep(0.002)
            saves_hit += bool(temporaries())
        time.sleep(delay)
        process.kill()
        process.wait(timeout=60)
        now = path.read_bytes()
        if now == original:
            outcomes["old"] += 1
        else:
            outcomes["new"] += 1
            assert _results(path) == reference, (kind, delay)    # complete, readable
    assert outcomes["old"] and saves_hit >= 6, (outcomes, saves_hit)
    assert temporaries(), "no kill landed during a save"            # they are left behind...
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert temporaries() == []                                       # ...and the next run goes
    assert _results(path) == reference
    print(f"\nkill -9 at {len(moments)} moments of a {whole:.1f} s Calculate: {outcomes}")
