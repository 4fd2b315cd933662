"""Headless LibreOffice (and poppler) helpers: recomputed CSV values, PDF and PNG renderings.

Every soffice call uses one private user profile per process, created in a temporary
directory. The profile

* forces formula recalculation on load for OOXML and ODF files, so exported values are
  LibreOffice's own results and not the values cached in the file;
* pins the locale to ``LOCALE`` (``en-CA``) so output does not depend on the machine:
  ``.`` as decimal separator, ISO dates (``2024-03-05``, ``2024-03-05 14:30:00``),
  24-hour times, ``TRUE``/``FALSE``.

Calls are serialised by a lock: the profile cannot be shared by two running soffice.
"""

from __future__ import annotations

import atexit
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

__all__ = [
    "CSV_FILTER_OPTIONS",
    "DEFAULT_TIMEOUT",
    "ERROR_VALUES",
    "LOCALE",
    "LibreOfficeError",
    "export_sheets_csv",
    "find_error_values",
    "find_soffice",
    "pdf_text",
    "pdf_to_png",
    "render_pdf",
    "render_pdfs",
    "sheet_names",
]

DEFAULT_TIMEOUT: float = 180.0
"""Seconds allowed for one soffice (or poppler) call."""

LOCALE = "en-CA"
"""Locale of the private profile: decimal point and ISO dates in the CSV export."""

CSV_FILTER_OPTIONS = "44,34,76,1,,0,false,true,false,false,false,-1"
"""Comma, double quote, UTF-8, raw values (token 9 false), each sheet to its own file (-1)."""

ERROR_VALUES = ("#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")
"""Texts that start a spreadsheet error as LibreOffice writes it (``Err:502`` etc.)."""

_CSV_FILTER = f"csv:Text - txt - csv (StarCalc):{CSV_FILTER_OPTIONS}"

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooLocale" oor:op="fuse"><value>en-US</value></prop></item>
</oor:items>
"""

_lock = threading.RLock()
_profiles: dict[str, Path] = {}


class LibreOfficeError(RuntimeError):
    """soffice (or a poppler tool) failed, timed out, or produced nothing usable."""


def find_soffice() -> str | None:
    """Return the path of the soffice/libreoffice binary, or None if not installed.

    ``KC_SHEETS_SOFFICE`` overrides the search.
    """
    override = os.environ.get("KC_SHEETS_SOFFICE")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = [
        "/usr/lib/libreoffice/program/soffice",
        "/opt/libreoffice/program/soffice",
        *sorted(str(p) for p in Path("/opt").glob("libreoffice*/program/soffice")),
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        r"C:\Program Files\LibreOffice\program\soffice.exe",
    ]
    return next((c for c in candidates if Path(c).is_file()), None)


def _profile_dir(locale: str = LOCALE) -> Path:
    """Create (once per process and locale) a private LibreOffice user profile and return it."""
    with _lock:
        if locale not in _profiles:
            root = Path(tempfile.mkdtemp(prefix="kc_sheets_lo_profile_"))
            (root / "user").mkdir()
            (root / "user" / "registrymodifications.xcu").write_text(
                _REGISTRY.format(locale=locale), encoding="utf-8")
            atexit.register(shutil.rmtree, root, True)
            _profiles[locale] = root
        return _profiles[locale]


def _run(cmd: list[str], what: str, timeout: float,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run cmd in its own process group; kill the whole group on timeout."""
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env,
                                start_new_session=(os.name == "posix"))
    except OSError as exc:
        raise LibreOfficeError(f"{what}: cannot start {cmd[0]!r}: {exc}") from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            proc.kill()
        out, err = proc.communicate()
        raise LibreOfficeError(f"{what}: timed out after {timeout:g} s\n"
                               f"stderr: {err.decode(errors='replace').strip()}") from None
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode != 0:
        raise LibreOfficeError(_describe(f"{what}: exit code {proc.returncode}", result))
    return result


def _describe(message: str, result: subprocess.CompletedProcess[bytes]) -> str:
    """Append the process's stderr (and stdout) to an error message."""
    err = result.stderr.decode(errors="replace").strip()
    out = result.stdout.decode(errors="replace").strip()
    return f"{message}\nstderr: {err or '(empty)'}" + (f"\nstdout: {out}" if out else "")


def _soffice(args: list[str], what: str, timeout: float,
             locale: str = LOCALE) -> subprocess.CompletedProcess[bytes]:
    """Run one headless soffice command with the private profile (serialised)."""
    binary = find_soffice()
    if binary is None:
        raise LibreOfficeError("LibreOffice not found: install it (soffice) or set KC_SHEETS_SOFFICE")
    env = dict(os.environ)
    if sys.platform.startswith("linux"):
        # With a non-UTF-8 (or missing) locale soffice writes '?' for accented sheet names.
        env["LC_ALL"] = "C.UTF-8"
    with _lock:
        cmd = [binary, f"-env:UserInstallation={_profile_dir(locale).as_uri()}",
               "--headless", "--norestore", "--nolockcheck", *args]
        return _run(cmd, what, timeout, env)


def sheet_names(xlsx: Path) -> list[str]:
    """Sheet names of an .xlsx/.xlsm workbook, in workbook order (read from xl/workbook.xml)."""
    try:
        with zipfile.ZipFile(xlsx) as zf:
            root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise LibreOfficeError(f"{xlsx}: not an OOXML workbook ({exc})") from exc
    return [el.attrib["name"] for el in root.iter()
            if el.tag.endswith("}sheet") and "name" in el.attrib]


def _csv_file_candidates(folder: Path, stem: str, sheet: str, stdout: str) -> list[Path]:
    """Where soffice may have written a sheet's CSV, most likely first.

    soffice URL-decodes the sheet part of the name (``a%20b`` -> ``a b.csv``); invalid
    UTF-8 escapes become raw bytes, which surrogateescape reproduces.
    """
    names = [f"{stem}-{unquote(sheet, errors='surrogateescape')}.csv", f"{stem}-{sheet}.csv"]
    paths = [folder / n for n in dict.fromkeys(names)]
    prefix = f"Writing sheet {sheet} -> "
    for line in stdout.splitlines():
        if line.startswith(prefix):
            paths.append(Path(line[len(prefix):]))
    return paths


def _read_csv(path: Path) -> list[list[str]]:
    """Rows of a CSV written by soffice; an empty sheet gives []."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [row or [""] for row in csv.reader(fh)]
    return [] if rows == [[""]] else rows


def export_sheets_csv(xlsx: Path, out_dir: Path, *,
                      timeout: float = DEFAULT_TIMEOUT) -> dict[str, list[list[str]]]:
    """Recalculate the workbook in LibreOffice and export every sheet to CSV (one soffice call).

    Files land in out_dir as ``<stem>-<sheet>.csv``; returns {sheet name: rows}, in workbook
    order. Numbers are raw (no thousands separator, at most 15 significant digits), but
    percent-formatted cells keep ``%`` and date cells come out as ISO dates.
    """
    xlsx = Path(xlsx).resolve()
    out_dir = Path(out_dir).resolve()
    if not xlsx.is_file():
        raise FileNotFoundError(xlsx)
    names = sheet_names(xlsx)
    for name in names:
        decoded = unquote(name, errors="surrogateescape")
        if "/" in decoded or "\\" in decoded or "\0" in decoded:
            raise LibreOfficeError(
                f"sheet {name!r} cannot be exported to CSV: LibreOffice URL-decodes sheet names "
                f"in file names, and this one would contain a path separator")
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".kc_csv_", dir=out_dir))
    try:
        result = _soffice(["--convert-to", _CSV_FILTER, "--outdir", str(work), str(xlsx)],
                          f"CSV export of {xlsx.name}", timeout)
        stdout = result.stdout.decode(errors="surrogateescape")
        found: dict[str, Path] = {}
        for name in names:
            path = next((p for p in _csv_file_candidates(work, xlsx.stem, name, stdout)
                         if p.parent == work and p.is_file()), None)
            if path is None:
                produced = sorted(p.name for p in work.iterdir())
                raise LibreOfficeError(_describe(
                    f"CSV export of {xlsx.name}: no file for sheet {name!r} "
                    f"(produced: {produced})", result))
            clash = [other for other, p in found.items() if p == path]
            if clash:
                raise LibreOfficeError(
                    f"CSV export of {xlsx.name}: sheets {clash[0]!r} and {name!r} map to the same "
                    f"file {path.name!r} (LibreOffice URL-decodes %XX in sheet names)")
            found[name] = path
        sheets = {name: _read_csv(path) for name, path in found.items()}
        for path in found.values():
            os.replace(path, out_dir / path.name)
        return sheets
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_pdf(xlsx: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT,
               locale: str = LOCALE) -> Path:
    """Recalculate and print the whole workbook to ``out_dir/<stem>.pdf``; return its path.

    ``locale`` (e.g. ``fr-FR``) sets how numbers and dates are shown, as a user there sees them.
    """
    xlsx = Path(xlsx).resolve()
    out_dir = Path(out_dir)
    if not xlsx.is_file():
        raise FileNotFoundError(xlsx)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{xlsx.stem}.pdf"
    pdf.unlink(missing_ok=True)  # soffice would overwrite it; a stale one must not pass for new
    result = _soffice(["--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)],
                      f"PDF export of {xlsx.name}", timeout, locale)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise LibreOfficeError(_describe(f"PDF export of {xlsx.name}: no {pdf.name} produced",
                                         result))
    return pdf


def render_pdfs(xlsxs: list[Path], out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT,
                locale: str = LOCALE) -> list[Path]:
    """:func:`render_pdf` of several workbooks in one soffice run (one start-up for all)."""
    xlsxs = [Path(x).resolve() for x in xlsxs]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdfs = [out_dir / f"{x.stem}.pdf" for x in xlsxs]
    for pdf in pdfs:
        pdf.unlink(missing_ok=True)
    result = _soffice(["--convert-to", "pdf", "--outdir", str(out_dir), *map(str, xlsxs)],
                      f"PDF export of {len(xlsxs)} workbooks", timeout * len(xlsxs), locale)
    missing = [pdf.name for pdf in pdfs if not pdf.is_file() or pdf.stat().st_size == 0]
    if missing:
        raise LibreOfficeError(_describe(f"PDF export: no {', '.join(missing)} produced", result))
    return pdfs


def _poppler(tool: str) -> str:
    """Path of a poppler-utils tool, or LibreOfficeError."""
    path = shutil.which(tool)
    if path is None:
        raise LibreOfficeError(f"{tool} not found: install poppler-utils")
    return path


def pdf_to_png(pdf: Path, out_dir: Path, dpi: int = 80, first_page: int | None = None,
               last_page: int | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Render PDF pages to ``out_dir/<stem>-<page>.png`` with pdftoppm; return them in page order."""
    pdf = Path(pdf)
    out_dir = Path(out_dir)
    if not pdf.is_file():
        raise FileNotFoundError(pdf)
    cmd = [_poppler("pdftoppm"), "-png", "-r", str(dpi)]
    if first_page is not None:
        cmd += ["-f", str(first_page)]
    if last_page is not None:
        cmd += ["-l", str(last_page)]
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".kc_png_", dir=out_dir))
    try:
        result = _run([*cmd, str(pdf), str(work / pdf.stem)], f"pdftoppm {pdf.name}", timeout)
        page = re.compile(rf"{re.escape(pdf.stem)}-(\d+)\.png")
        pages = sorted((int(m.group(1)), p) for p in work.iterdir()
                       if (m := page.fullmatch(p.name)))
        if not pages:
            raise LibreOfficeError(_describe(f"pdftoppm {pdf.name}: no page rendered", result))
        pngs = []
        for _, p in pages:
            target = out_dir / p.name
            os.replace(p, target)
            pngs.append(target)
        return pngs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pdf_text(pdf: Path, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Text of a PDF, laid out as on the page (pdftotext -layout)."""
    pdf = Path(pdf)
    if not pdf.is_file():
        raise FileNotFoundError(pdf)
    result = _run([_poppler("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                  f"pdftotext {pdf.name}", timeout)
    return result.stdout.decode("utf-8", errors="replace")


def find_error_values(sheets: dict[str, list[list[str]]]) -> list[tuple[str, int, int, str]]:
    """Every cell whose text starts with an ERROR_VALUES entry: (sheet, row, column, value), 1-based."""
    return [(name, r, c, value)
            for name, rows in sheets.items()
            for r, row in enumerate(rows, start=1)
            for c, value in enumerate(row, start=1)
            if value.startswith(ERROR_VALUES)]
