"""The terminal under faults and odd requests (issue 10): the operating system's refusals in the
user's words, ``--version``, help that lists the choices, localised messages, and a progress
display on stderr that stays quiet when asked or when not on a terminal."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from kc_sheets import __version__, progress
from kc_sheets.calculate import calculate
from kc_sheets.apps.cli import app
from tests.conftest import make_workbook, ten_orders

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "inattendue" not in result.output
    flat = " ".join(result.output.split())
    for word in words:
        assert word in flat, flat


def cli_process(*args, cwd: Path, obey_permissions: bool = False,
                env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m kc_sheets.apps.cli`` in a real process; with ``obey_permissions``, without the
    capabilities that let root write anywhere (tests run as root: a read-only folder only
    refuses a process that obeys permissions, as every user's does)."""
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
              "--inh-caps=-dac_override,-dac_read_search", "--"] if obey_permissions else []
    return subprocess.run([*prefix, sys.executable, "-m", "kc_sheets.apps.cli", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200",
                               **(env or {})})


@pytest.fixture
def full_disk(tmp_path: Path):
    """A real, tiny, nearly full file system (tmpfs; we run as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"cannot mount a tmpfs (root is needed): {done.stderr}"
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


# --- the version and the help ----------------------------------------------------------------

def test_version_prints_the_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"kc_sheets {__version__}"


@pytest.mark.parametrize("command", [["calculate"], ["demo"], ["analyze"], ["sample-data"],
                                     ["templates", "build"], ["gsheet", "create"]])
def test_help_lists_the_template_ids_and_languages(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    flat = " ".join(result.output.replace("│", " ").split())
    for word in ("first-vs-repeat", "rfm", "cohorts", "churn", "all-in-one", "fr, en"):
        assert word in flat, (command, word)


def test_no_command_shows_the_help() -> None:
    result = invoke()
    assert "Usage" in result.output and "calculate" in result.output


# --- the operating system's refusals -----------------------------------------------------------

def test_out_in_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, ten_orders())
    before = book.read_bytes()
    refused(invoke("calculate", book, "--out", tmp_path / "nope" / "x.xlsx"),
            "le dossier", "nope", "n'existe pas")
    assert book.read_bytes() == before
    assert not (tmp_path / "nope").exists()


def test_out_that_is_a_folder(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, ten_orders())
    refused(invoke("calculate", book, "--out", tmp_path, "--lang", "en"),
            "is a folder, not a file")


def test_analyze_out_that_is_a_file(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    ten_orders().to_csv(orders, index=False)
    taken = tmp_path / "results"
    taken.write_text("my notes")
    refused(invoke("analyze", orders, "--out", taken), "est un fichier", "--out", "dossier")
    assert taken.read_text() == "my notes"


def test_corrupt_parquet_is_named(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    ten_orders().to_parquet(good)
    bad = tmp_path / "orders.parquet"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    refused(invoke("analyze", bad, "--out", tmp_path / "o"), "orders.parquet", "Parquet",
            "endommagé")


def test_csv_named_parquet_says_what_it_is(tmp_path: Path) -> None:
    bad = tmp_path / "orders.parquet"
    ten_orders().to_csv(bad, index=False)
    refused(invoke("analyze", bad, "--out", tmp_path / "o"), "n'est pas un fichier Parquet",
            "CSV")


def test_disk_full_while_writing_csvs(tmp_path: Path, full_disk: Path) -> None:
    orders = tmp_path / "orders.csv"
    pd.concat([ten_orders()] * 200).to_csv(orders, index=False)
    (full_disk / "filler").write_bytes(b"x" * 60_000)         # a few KB left
    result = invoke("analyze", orders, "--out", full_disk / "out")
    refused(result, "plus de place sur le disque", "Libérez de la place")
    leftovers = [p.name for p in full_disk.rglob("*.kc-tmp")]
    assert leftovers == []                          # no half file left behind


def test_disk_full_while_writing_sample_data(full_disk: Path) -> None:
    (full_disk / "filler").write_bytes(b"x" * 60_000)
    result = invoke("sample-data", full_disk / "orders.csv", "--rows", 2000, "--lang", "en")
    refused(result, "no space left on the disk", "orders.csv")
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o555)
    done = cli_process("sample-data", folder / "orders.csv", "--rows", 50, cwd=tmp_path,
                       obey_permissions=True)
    assert done.returncode == 2, done.stderr
    text = " ".join(done.stderr.split())
    assert "accès refusé" in text and "orders.csv" in text and "Traceback" not in text
    assert "kc-tmp" not in text                   # the user's file is named, not our temporary


@pytest.mark.parametrize(("lang", "words"), [("fr", "est en lecture seule"),
                                            ("en", "is read-only")])
def test_a_read_only_workbook_is_not_overwritten(tmp_path: Path, lang: str, words: str
                                                 ) -> None:
    """chmod a-w (Windows' read-only attribute): refused in the workbook's language, byte for
    byte as it was, by root too, and by a process that obeys permissions; --out still works."""
    from tests.conftest import make_workbook, ten_orders

    path = make_workbook(tmp_path, ten_orders(), lang=lang)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    for obey in (False, True):
        done = cli_process("calculate", path, cwd=tmp_path, obey_permissions=obey)
        assert done.returncode == 2, done.stderr
        text = " ".join(done.stderr.split())
        assert words in text and "--out" in text and "Traceback" not in text, text
        assert path.read_bytes() == before
    done = cli_process("calculate", path, "--out", tmp_path / "copy.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == before and (tmp_path / "copy.xlsx").is_file()
    assert os.stat(tmp_path / "copy.xlsx").st_mode & 0o200       # the copy can be calculated
    os.chmod(tmp_path / "copy.xlsx", 0o444)                       # an --out that is read-only
    done = cli_process("calculate", path, "--out", tmp_path / "copy.xlsx", cwd=tmp_path)
    assert done.returncode == 2 and words in " ".join(done.stderr.split())


def test_immutable_file(tmp_path: Path) -> None:
    target = tmp_path / "orders.csv"
    target.write_text("old\n")
    subprocess.run(["chattr", "+i", str(target)], check=True)
    try:
        result = invoke("sample-data", target, "--rows", 50)
        refused(result, "accès refusé", "orders.csv")
        assert target.read_text() == "old\n"
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)


# --- localised messages -------------------------------------------------------------------------

def test_sample_data_summary_is_in_the_language_asked(tmp_path: Path) -> None:
    fr = invoke("sample-data", tmp_path / "fr.csv", "--rows", 200)
    en = invoke("sample-data", tmp_path / "en.csv", "--rows", 200, "--lang", "en")
    assert "commandes" in fr.output and "clients" in fr.output and "orders:" not in fr.output
    assert "orders" in en.output and "customers" in en.output and "commandes" not in en.output


def test_serve_without_key_is_localised(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KC_SHEETS_SERVICE_KEY"}
    done_fr = subprocess.run([sys.executable, "-m", "kc_sheets.apps.cli", "serve"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60,
                             env={**env, "PYTHONPATH": str(ROOT)})
    done_en = subprocess.run([sys.executable, "-m", "kc_sheets.apps.cli", "serve", "--lang", "en"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60,
                             env={**env, "PYTHONPATH": str(ROOT)})
    assert done_fr.returncode == 2 and "n'est pas définie" in done_fr.stderr
    assert done_en.returncode == 2 and "is not set" in done_en.stderr


# --- progress -----------------------------------------------------------------------------------

def test_progress_names_each_phase_on_a_terminal(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, ten_orders(), "all-in-one")
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with progress.reporting(progress.TerminalProgress(console, "fr", delay=0)):
        calculate(book)
    shown = screen.getvalue()
    for phase in ("Lecture du fichier", "Vérification des données", "Analyses",
                  "Écriture des résultats"):
        assert phase in shown
    assert shown.count("✓") >= 4


def test_progress_is_silent_for_a_short_run(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, ten_orders())
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with progress.reporting(progress.TerminalProgress(console, "fr", delay=60)):
        calculate(book)
    assert screen.getvalue() == ""


def test_no_progress_when_not_a_terminal_or_quiet() -> None:
    piped = Console(file=io.StringIO())
    assert progress.for_terminal(piped, "fr") is None
    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert progress.for_terminal(terminal, "fr", quiet=True) is None
    assert progress.for_terminal(terminal, "fr") is not None


def _on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; what the user saw."""
    leader, follower = pty.openpty()
    with contextlib.closing(os.fdopen(leader, "rb", buffering=0)) as screen:
        proc = subprocess.Popen([sys.executable, "-m", "kc_sheets.apps.cli", *args], cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                                env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm",
                                     "COLUMNS": "120", progress.DELAY_ENV: "0"})
        os.close(follower)
        seen = bytearray()
        while True:
            try:
                chunk = screen.read(65536)
            except OSError:             # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=300) == 0, seen.decode(errors="replace")
    return seen.decode(errors="replace")


def test_progress_in_a_real_terminal_and_quiet(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, ten_orders())
    shown = _on_a_terminal(["calculate", str(book)], tmp_path)
    assert "Écriture des résultats" in shown and "Calcul terminé" in shown
    quiet = _on_a_terminal(["calculate", str(book), "--quiet"], tmp_path)
    assert "Écriture des résultats" not in quiet and "Calcul terminé" in quiet
