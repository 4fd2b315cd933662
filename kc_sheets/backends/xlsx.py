"""The .xlsx backend: a fast read of Raw Data, and writes that touch only the tabs we own.

Reading uses fastexcel (Rust, calamine) for Raw Data and python-calamine for small tabs. Writing
never loads the workbook into openpyxl: the parts of the tabs that receive blocks (and their
charts) are rewritten, every other part of the zip (Raw Data above all) is copied as its raw
compressed bytes, through a temporary file that replaces the original only when complete.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import logging
import os
import re
import tempfile
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from lxml import etree

from kc_sheets.xlsx.ooxml_zip import (
    OoxmlPackage, atomic_write_package, rels_name, resolve_target,
)
from kc_sheets.backends.protocol import TabWrite
from kc_sheets.xlsx.sheet_xml import NS, SheetEditor
from kc_sheets.cells import parse_ref, repoint_ranges
from kc_sheets.errors import KcError
from kc_sheets.i18n import number, register
from kc_sheets.templates import printing
from kc_sheets.ingest.transactions import RawTable

register({
    "xlsx.not_found": ("fichier introuvable : {path}", "file not found: {path}"),
    "xlsx.not_xlsx": (
        "« {path} » n'est pas un classeur .xlsx. Ouvrez-le dans Excel, LibreOffice ou Google "
        "Sheets et enregistrez-le au format .xlsx, puis relancez.",
        "'{path}' is not an .xlsx workbook. Open it in Excel, LibreOffice or Google Sheets, "
        "save it as .xlsx, then run again."),
    "xlsx.unreadable": ("classeur illisible ou endommagé ({detail}). Ouvrez-le et "
                        "réenregistrez-le au format .xlsx.",
                        "unreadable or damaged workbook ({detail}). Open it and save it again "
                        "as .xlsx."),
    "xlsx.empty_file": (
        "« {path} » est vide (0 octet) : son enregistrement ou sa copie s'est sans doute "
        "interrompu. Ouvrez la dernière version enregistrée (ou une sauvegarde), enregistrez-la "
        "au format .xlsx, puis relancez.",
        "'{path}' is empty (0 bytes): saving or copying it was probably interrupted. Open the "
        "last saved version (or a backup), save it as .xlsx, then run again."),
    "xlsx.is_xls": (
        "« {path} » est un classeur Excel 97-2003 (.xls) nommé .xlsx. Ouvrez-le dans Excel ou "
        "LibreOffice et enregistrez-le au format .xlsx (Classeur Excel), puis relancez.",
        "'{path}' is an Excel 97-2003 workbook (.xls) named .xlsx. Open it in Excel or "
        "LibreOffice, save it as .xlsx (Excel Workbook), then run again."),
    "xlsx.is_ods": (
        "« {path} » est un classeur OpenDocument (.ods, LibreOffice) nommé .xlsx. Ouvrez-le "
        "dans LibreOffice ou Excel et enregistrez-le au format .xlsx, puis relancez.",
        "'{path}' is an OpenDocument spreadsheet (.ods, LibreOffice) named .xlsx. Open it in "
        "LibreOffice or Excel, save it as .xlsx, then run again."),
    "xlsx.is_text": (
        "« {path} » est un fichier texte (CSV) nommé .xlsx. Ouvrez-le dans Excel ou LibreOffice "
        "et enregistrez-le au format .xlsx, ou lisez-le tel quel avec « kc-sheets analyze ».",
        "'{path}' is a text file (CSV) named .xlsx. Open it in Excel or LibreOffice and save it "
        "as .xlsx, or read it as it is with 'kc-sheets analyze'."),
    "xlsx.encrypted": (
        "« {path} » est protégé par un mot de passe (chiffré) : il ne peut pas être lu. "
        "Ouvrez-le dans Excel, retirez le mot de passe (Fichier > Informations > Protéger le "
        "classeur > Chiffrer avec mot de passe, videz le champ), enregistrez, puis relancez.",
        "'{path}' is protected by a password (encrypted): it cannot be read. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook > Encrypt with Password, clear "
        "it), save, then run again."),
    "xlsx.truncated": (
        "« {path} » est incomplet (fichier tronqué : copie, téléchargement ou enregistrement "
        "interrompu). Reprenez une copie complète, ou ouvrez-le dans Excel, qui propose de le "
        "réparer, et enregistrez-le, puis relancez.",
        "'{path}' is incomplete (truncated file: an interrupted copy, download or save). Take "
        "a complete copy, or open it in Excel, which offers to repair it, and save it, then "
        "run again."),
    "xlsx.damaged": (
        "« {path} » est endommagé : une de ses parties est illisible ({detail}). Ouvrez-le "
        "dans Excel, qui propose de le réparer, et enregistrez-le, ou reprenez une sauvegarde, "
        "puis relancez. Rien n'a été modifié.",
        "'{path}' is damaged: one of its parts cannot be read ({detail}). Open it in Excel, "
        "which offers to repair it, and save it, or take a backup, then run again. Nothing was "
        "changed."),
    "xlsx.bomb": (
        "« {path} » a un contenu suspect : sa partie « {part} » se décompresse en {size} Mo "
        "(taux {ratio} pour 1), ce qu'aucun tableur n'écrit (forme d'une « bombe zip »). Il "
        "n'a pas été lu. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau, puis "
        "relancez.",
        "'{path}' looks suspicious: its part '{part}' inflates to {size} MB (a ratio of "
        "{ratio} to 1), which no spreadsheet writes (the shape of a zip bomb). It was not "
        "read. Open it in Excel or LibreOffice, save it again, then run again."),
    "xlsx.dtd": (
        "« {path} » a un contenu suspect : sa partie « {part} » déclare une DTD (<!DOCTYPE>, "
        "<!ENTITY>), ce qu'aucun tableur n'écrit (expansion d'entités, lecture de fichiers). "
        "Il n'a pas été lu. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau, "
        "puis relancez.",
        "'{path}' looks suspicious: its part '{part}' declares a DTD (<!DOCTYPE>, <!ENTITY>), "
        "which no spreadsheet writes (entity expansion, file reading). It was not read. Open "
        "it in Excel or LibreOffice, save it again, then run again."),
    "xlsx.read_only": (
        "« {path} » est en lecture seule : rien n'a été calculé ni modifié. Retirez la "
        "lecture seule (propriétés du fichier), ou écrivez les résultats dans une copie avec "
        "--out COPIE.xlsx, puis relancez.",
        "'{path}' is read-only: nothing was calculated or changed. Remove the read-only "
        "attribute (the file's properties), or write the results to a copy with --out "
        "COPY.xlsx, then run again."),
    "xlsx.busy": (
        "un autre calcul de « {path} » est en cours. Attendez qu'il se termine, puis relancez "
        "(rien n'a été modifié).",
        "another Calculate of '{path}' is running. Wait for it to finish, then run again "
        "(nothing was changed)."),
    "xlsx.changed_during": (
        "« {path} » a été enregistré ou remplacé pendant le calcul : les résultats, calculés "
        "sur l'ancien Raw Data, n'ont pas été écrits (rien n'a été modifié). Relancez le calcul "
        "une fois le classeur enregistré.",
        "'{path}' was saved or replaced during Calculate: the results, computed from the old "
        "Raw Data, were not written (nothing was changed). Run Calculate again once the "
        "workbook is saved."),
    "xlsx.no_tab": ("onglet « {name} » introuvable. Onglets présents : {tabs}.",
                    "tab '{name}' not found. Tabs present: {tabs}."),
})

logging.getLogger("fastexcel").setLevel(logging.ERROR)   # its dtype guesses are not news

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_SUFFIXES = (".xlsx", ".xlsm")


_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError)


def _in_words(method):
    """A damaged zip member (bad CRC, broken deflate stream) met while reading or writing is
    the user's damaged file, said so, not an unexpected error."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _DAMAGE as exc:
            raise KcError("xlsx.damaged", lang=self.lang, path=self.source_name,
                          detail=str(exc)[:120]) from None
    return wrapper


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files of this workbook's writes left by killed runs (``.<name>.*.kc-tmp``).
    Called under the workbook's lock (see :func:`workbook_lock`), so none is a live write."""
    directory = out.parent if str(out.parent) else Path(".")
    try:
        stale = list(directory.glob(f".{glob.escape(out.name)}.*.kc-tmp"))
    except OSError:
        return
    for leftover in stale:
        try:
            leftover.unlink()
        except OSError:
            pass


def check_writable(path: Path, lang: str = "fr") -> None:
    """Refuse to calculate in place a workbook marked read-only (no write permission, or no
    write bit at all: Windows' read-only attribute, or ``chmod a-w``), before any work. The
    results would otherwise replace it through a rename in its folder, which the file's own
    mode does not prevent."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return                  # XlsxBook says why the file cannot be read
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise KcError("xlsx.read_only", lang=lang, path=path.name)


@contextlib.contextmanager
def workbook_lock(path: Path, lang: str = "fr"):
    """Hold the workbook for one Calculate: a second Calculate of the same file at the same
    time is refused in words (POSIX advisory lock on the file itself; elsewhere, none)."""
    try:
        import fcntl
    except ImportError:          # Windows: Excel's own lock protects an open workbook
        yield
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield                   # XlsxBook says why the file cannot be read
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KcError("xlsx.busy", lang=lang, path=path.name) from None
        yield
    finally:
        os.close(fd)


def _zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except _DAMAGE:
        return []


_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"    # a compound file: .xls, or an encrypted .xlsx


def file_kind(path: Path) -> str:
    """What a file holds, from its first bytes (the one sniffer, for Calculate and analyze):
    ``empty``, ``xlsx`` (a zip), ``ods``, ``ole``, ``parquet``, ``markup`` (XML or HTML saved
    as a spreadsheet), ``text`` or ``other``."""
    with open(path, "rb") as fp:
        head = fp.read(512)
    if not head:
        return "empty"
    if head.startswith(b"PK"):
        return "ods" if b"mimetypeapplication/vnd.oasis.opendocument" in head else "xlsx"
    if head.startswith(OLE2):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf").startswith((b"<?xml", b"<html", b"<!DOCTYPE", b"<table")):
        return "markup"
    return "text" if _looks_like_text(head) else "other"


def _check_content(path: Path, lang: str) -> None:
    """A file named .xlsx that holds something else, named for what it is."""
    kind = file_kind(path)
    if kind == "empty":
        raise KcError("xlsx.empty_file", lang=lang, path=path.name)
    if kind == "ole":
        with open(path, "rb") as fp:
            data = fp.read(64 << 20)
        key = "xlsx.encrypted" if _ENCRYPTED in data else "xlsx.is_xls"
        raise KcError(key, lang=lang, path=path.name)
    if kind == "ods":
        raise KcError("xlsx.is_ods", lang=lang, path=path.name)
    if kind == "xlsx":
        if not zipfile.is_zipfile(path):
            raise KcError("xlsx.truncated", lang=lang, path=path.name)
        return
    raise KcError("xlsx.is_text" if kind == "text" else "xlsx.not_xlsx", lang=lang,
                  path=path.name)


MAX_PART_BYTES = 4 << 30        # no sheet of 1,048,576 rows x a few columns comes near
BOMB_RATIO, BOMB_MIN_BYTES = 500, 64 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)\b")


def _check_container(path: Path, lang: str) -> None:
    """Refuse, before anything is decompressed in full, what no spreadsheet writes: a part
    that inflates a thousandfold (a zip bomb) and XML with a DTD (entity expansion, external
    entities). Memory and time stay bounded whatever the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_PART_BYTES or (
                        info.file_size > BOMB_MIN_BYTES and ratio > BOMB_RATIO):
                    raise KcError("xlsx.bomb", lang=lang, path=path.name, part=info.filename,
                                  size=number(info.file_size / 2**20, lang),
                                  ratio=number(ratio, lang))
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")) and info.file_size:
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if _DTD.search(head):
                        raise KcError("xlsx.dtd", lang=lang, path=path.name, part=info.filename)
    except _DAMAGE:
        return                  # said in words where the part is read (xlsx.damaged)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in head and sum(b < 9 or 13 < b < 32 for b in head) == 0


class XlsxBook:
    """An .xlsx/.xlsm file on disk, opened for reading its tabs and writing blocks."""

    def __init__(self, path: Path | str, lang: str = "fr", out: Path | None = None) -> None:
        self.path = Path(path)
        self.lang = lang
        self.out = out     # where writes go (default: the file itself)
        self._staging: tempfile.TemporaryDirectory | None = None   # tabs added, not yet written
        self.source_name = self.path.name      # the user's file, in messages
        self._source = self.path               # the user's file (a staged copy reads another)
        self._stamp = _stamp(self.path) if self.path.is_file() else None
        if not self.path.is_file():
            raise KcError("xlsx.not_found", lang=lang, path=str(self.path))
        if self.path.suffix.lower() not in _SUFFIXES:
            raise KcError("xlsx.not_xlsx", lang=lang, path=self.path.name)
        _check_content(self.path, lang)
        _check_container(self.path, lang)
        try:
            with OoxmlPackage(self.path) as pkg:
                workbook = etree.fromstring(pkg.read("xl/workbook.xml"))
                rels = etree.fromstring(pkg.read("xl/_rels/workbook.xml.rels"))
                self._names = set(pkg.names())
        except KeyError as exc:
            if "content.xml" in _zip_names(self.path):
                raise KcError("xlsx.is_ods", lang=lang, path=self.path.name) from None
            raise KcError("xlsx.unreadable", lang=lang, detail=str(exc)) from None
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise KcError("xlsx.damaged", lang=lang, path=self.path.name,
                          detail=str(exc)[:120]) from None
        targets = {r.get("Id"): resolve_target("xl/workbook.xml", r.get("Target"))
                   for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
        self._parts: dict[str, str] = {}
        for sheet in workbook.iter(f"{{{NS}}}sheet"):
            rid = sheet.get(f"{{{REL_NS}}}id")
            if rid in targets:
                self._parts[sheet.get("name")] = targets[rid]
        pr = workbook.find(f"{{{NS}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")

    # ------------------------------------------------------------------ reading

    def sheet_names(self) -> list[str]:
        return list(self._parts)

    def has_tab(self, tab: str) -> bool:
        return tab in self._parts

    def _require(self, tab: str) -> str:
        if tab not in self._parts:
            raise KcError("xlsx.no_tab", lang=self.lang, name=tab,
                          tabs=", ".join(self._parts) or "-")
        return self._parts[tab]

    @_in_words
    def read_raw(self, tab: str) -> RawTable:
        """The tab as a table: first non-empty row = headers, the rows below = data."""
        part = self._require(tab)
        first_row, first_col = _first_cell(self.path, part)
        if first_row is None:
            return RawTable(pd.DataFrame(), (), 2, 1, tab, self.date1904)
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Error cells (#N/A...) read as empty in fastexcel; find them meanwhile (zlib and
            # fastexcel both release the GIL, so this costs little on two cores).
            errors = pool.submit(error_cells, self.path, part)
            try:
                frame = _load_frame(self.path, tab)
            except Exception as exc:  # fastexcel raises its own error types
                found = errors.result()
                if not found or "error value" not in str(exc):
                    raise KcError("xlsx.unreadable", lang=self.lang, detail=f"{tab}: {exc}") \
                        from None
                # An error value calamine does not know (#SPILL!, #CALC!, #GETTING_DATA...):
                # read a copy without the error cells; they are put back below, so their rows
                # are set aside with their reason rather than the workbook refused.
                with tempfile.TemporaryDirectory(prefix="kc_read_") as work:
                    copy = _without_error_cells(self.path, part, Path(work) / "raw.xlsx")
                    try:
                        frame = _load_frame(copy, tab)
                    except Exception as again:
                        raise KcError("xlsx.unreadable", lang=self.lang,
                                      detail=f"{tab}: {again}") from None
            found = errors.result()
        headers = tuple("" if str(c).startswith("__UNNAMED__") else str(c).strip()
                        for c in frame.columns)
        if any(re.search(r"_\d+$", h) for h in headers):      # fastexcel's renamed repeats
            written = _header_texts(self.path, part, first_row)
            headers = tuple(written.get(first_col + i, h) if re.search(r"_\d+$", h) else h
                            for i, h in enumerate(headers))
        frame.columns = [f"c{i}" for i in range(len(headers))]
        _put_errors(frame, found, first_row + 1, first_col)
        return RawTable(frame, headers, first_row + 1, first_col, tab, self.date1904)

    @_in_words
    def read_rows(self, tab: str) -> list[list[object]]:
        """A small tab as rows of Python values, from A1 (row 1 is index 0)."""
        import python_calamine

        self._require(tab)
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(self.path))
            sheet = workbook.get_sheet_by_name(tab)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise KcError("xlsx.unreadable", lang=self.lang, detail=f"{tab}: {exc}") from None
        return rows

    # ------------------------------------------------------------------ writing

    def prefetch(self, tabs: list[str]) -> None:
        """Nothing to do: each tab is read on its own, from the file."""

    def refresh_layout(self, template, lang: str) -> bool:
        """A file's layout is the template it was built from: nothing to refresh."""
        return False

    @_in_words
    def ensure_tabs(self, template, lang: str) -> "XlsxBook":
        """Add the template's missing tabs, every existing part copied byte for byte."""
        from kc_sheets.xlsx.merge_tabs import add_tabs
        from kc_sheets.i18n import t
        from kc_sheets.xlsx.render import build

        present = set(self.sheet_names())
        missing = [t(tab.title, lang) for tab in template.tabs if t(tab.title, lang) not in present]
        # Staged in a temporary folder: the user's file changes only with the final write, so a
        # refusal after this point (Settings, Raw Data) leaves it as it was.
        staging = tempfile.TemporaryDirectory(prefix="kc_template_")
        try:
            work = Path(staging.name)
            staged = work / f"staged{self.path.suffix.lower()}"
            add_tabs(self.path, build(template, work / "template.xlsx", lang), staged, missing)
        except OSError as exc:
            staging.cleanup()
            raise KcError.from_os_error(exc, self.lang, tempfile.gettempdir()) from None
        except BaseException:
            staging.cleanup()
            raise
        book = XlsxBook(staged, self.lang, out=self.out or self.path)
        book.source_name, book._source, book._stamp = self.source_name, self._source, self._stamp
        book._staging = staging            # removed once written, or when the book is dropped
        return book

    @_in_words
    def write(self, writes: list[TabWrite], out: Path | None = None) -> Path:
        """Write blocks into their tabs; atomically replaces ``out`` (default: the file itself)."""
        out = Path(out) if out else (self.out or self.path)
        replace: dict[str, object] = {}     # bytes, or a sheet's XML chunks (streamed to the zip)
        delete: set[str] = set()
        with OoxmlPackage(self.path) as pkg:
            for tab_write in writes:
                part = self._require(tab_write.tab)
                editor = SheetEditor(pkg.read(part), self.date1904)
                counts: dict[str, int] = {}
                for block_write in tab_write.blocks:
                    counts[block_write.block.name] = editor.write_block(block_write)
                replace[part] = editor.chunks()    # produced while the zip is written
                for chart in self._charts_of(pkg, part):
                    xml = replace.get(chart) or pkg.read(chart)
                    replace[chart] = _update_chart(xml, tab_write, counts)
            workbook = pkg.read("xl/workbook.xml")
            for tab_write in writes:            # the printed pages end where the results end
                if tab_write.spec is not None:
                    area = printing.setup(tab_write.spec, self.lang,
                                          printing.written_sizes(tab_write)).area_ref
                    if area is not None:
                        workbook = set_print_area(workbook, tab_write.tab, area)
            replace["xl/workbook.xml"] = _full_calc_on_load(workbook)
            if "xl/calcChain.xml" in self._names:
                delete.add("xl/calcChain.xml")
                replace["[Content_Types].xml"] = re.sub(
                    rb'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', b"",
                    pkg.read("[Content_Types].xml"))
                replace["xl/_rels/workbook.xml.rels"] = re.sub(
                    rb'<Relationship[^>]*Target="[^"]*calcChain.xml"[^>]*/>', b"",
                    pkg.read("xl/_rels/workbook.xml.rels"))
        if self._stamp is not None and _stamp(self._source) != self._stamp:
            # saved (or replaced) while we computed: results of the old Raw Data must not be
            # written beside the new one
            raise KcError("xlsx.changed_during", lang=self.lang, path=self.source_name)
        _remove_stale_temporaries(out)
        atomic_write_package(self.path, out, replace, delete)
        if self._staging is not None:
            self._staging.cleanup()
            self._staging = None
        return out

    def _charts_of(self, pkg: OoxmlPackage, part: str) -> list[str]:
        charts: list[str] = []
        for drawing in _targets(pkg, part, "/drawing"):
            charts += _targets(pkg, drawing, "/chart")
        return charts


def _targets(pkg: OoxmlPackage, part: str, type_suffix: str) -> list[str]:
    rels = rels_name(part)
    if not pkg.has(rels):
        return []
    root = etree.fromstring(pkg.read(rels))
    return [resolve_target(part, r.get("Target")) for r in root.iter(f"{{{PKG_REL_NS}}}Relationship")
            if r.get("Type", "").endswith(type_suffix) and r.get("TargetMode") != "External"]


_FORMULA = re.compile(r"<((?:\w+:)?)f>([^<]*)</\1f>")
_CACHE = re.compile(r"<((?:\w+:)?)(numCache|strCache)>.*?</\1\2>", re.S)


_SERIES = re.compile(r"<((?:\w+:)?)ser>.*?</\1ser>", re.S)
_VAL_REF = re.compile(r"<(?:\w+:)?val>.*?<(?:\w+:)?f>[^<]*!\$([A-Z]+)\$(\d+)", re.S)


def _update_chart(xml: bytes, tab_write: TabWrite, counts: dict[str, int]) -> bytes:
    """Point the chart's series at the rows just written; drop series over reserved columns
    the run left empty (a layer cake with fewer cohorts than reserved); drop cached values."""
    blocks = {w.block.first_data_row: counts.get(w.block.name, 0)
              for w in tab_write.blocks if w.block.layout == "table"}
    unused = {}                          # first data row -> (first unused col, last reserved col)
    for w in tab_write.blocks:
        b = w.block
        if b.layout == "table" and w.frame.shape[1] < b.width:
            unused[b.first_data_row] = (b.anchor_col + w.frame.shape[1],
                                        b.anchor_col + b.width - 1)

    def keep(match: re.Match) -> str:
        ref = _VAL_REF.search(match.group(0))
        if ref and int(ref.group(2)) in unused:
            low, high = unused[int(ref.group(2))]
            if low <= parse_ref(f"{ref.group(1)}1")[1] <= high:
                return ""
        return match.group(0)

    def fix(match: re.Match) -> str:
        prefix, formula = match.group(1), match.group(2).replace("&apos;", "'")
        new = repoint_ranges(formula.replace("&amp;", "&"), tab_write.tab, blocks)
        return f"<{prefix}f>{new.replace('&', '&amp;')}</{prefix}f>"

    text = _SERIES.sub(keep, xml.decode("utf-8")) if unused else xml.decode("utf-8")
    text = _FORMULA.sub(fix, text)
    return _CACHE.sub("", text).encode("utf-8")


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def set_print_area(workbook: bytes, tab: str, area: str) -> bytes:
    """workbook.xml with ``area`` (``$A$1:$K$40``) as the print area of ``tab``."""
    names = [m.group(1) for m in re.finditer(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"',
                                             workbook)]
    wanted = _xml_attr(tab).encode("utf-8")
    if wanted not in names:
        return workbook
    index = names.index(wanted)
    formula = _xml_attr("'" + tab.replace("'", "''") + "'!" + area).encode("utf-8")
    existing = re.compile(rb'(<(\w+:|)definedName\b(?=[^>]*\bname="_xlnm.Print_Area")'
                          rb'(?=[^>]*\blocalSheetId="' + str(index).encode() + rb'")[^>]*>)'
                          rb'.*?(</\2definedName>)', re.S)
    if existing.search(workbook):
        return existing.sub(lambda m: m.group(1) + formula + m.group(3), workbook, count=1)
    element = (b'<definedName name="_xlnm.Print_Area" localSheetId="' + str(index).encode()
               + b'">' + formula + b"</definedName>")
    if re.search(rb"</(?:\w+:)?definedNames>", workbook):
        return re.sub(rb"(</(?:\w+:)?definedNames>)", lambda m: element + m.group(1), workbook,
                      count=1)
    if re.search(rb"<(?:\w+:)?definedNames\s*/>", workbook):
        return re.sub(rb"<(?:\w+:)?definedNames\s*/>",
                      lambda m: b"<definedNames>" + element + b"</definedNames>", workbook,
                      count=1)
    return re.sub(rb"(</(?:\w+:)?sheets>(?:\s*<(?:\w+:)?functionGroups[^>]*/>)?"
                  rb"(?:\s*<(?:\w+:)?externalReferences>.*?</(?:\w+:)?externalReferences>)?)",
                  lambda m: m.group(1) + b"<definedNames>" + element + b"</definedNames>",
                  workbook, count=1, flags=re.S)


def _full_calc_on_load(workbook: bytes) -> bytes:
    """Ask Excel to recompute every formula on open (our blocks changed under them)."""
    if re.search(rb"<calcPr\b", workbook):
        if b"fullCalcOnLoad" in workbook:
            return re.sub(rb'fullCalcOnLoad="[^"]*"', b'fullCalcOnLoad="1"', workbook)
        return re.sub(rb"<calcPr\b", b'<calcPr fullCalcOnLoad="1"', workbook, count=1)
    return re.sub(rb"(</sheets>(?:\s*<functionGroups[^>]*/>)?(?:\s*<externalReferences>.*?"
                  rb"</externalReferences>)?(?:\s*<definedNames>.*?</definedNames>)?)",
                  rb'\1<calcPr fullCalcOnLoad="1"/>', workbook, count=1, flags=re.S)


def _load_frame(path: Path, tab: str) -> pd.DataFrame:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    return reader.load_sheet(tab, header_row=0, schema_sample_rows=None).to_pandas()


_ERROR_CELL_WHOLE = re.compile(rb'<c\b([^>]*?)\s+t="e"([^>]*?)(?:/>|>.*?</c>)', re.S)


def _without_error_cells(path: Path, part: str, copy: Path) -> Path:
    """A copy of the workbook whose ``part`` has its error cells emptied (style kept)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED,
                                                       compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = _ERROR_CELL_WHOLE.sub(rb"<c\1\2/>", data)
            dst.writestr(info.filename, data)
    return copy


def _header_texts(path: Path, part: str, row_number: int) -> dict[int, str]:
    """The text cells of one row (the header row) as written: column -> text. fastexcel
    renames a repeated header ("Montant", "Montant_1"); two columns of one name must be seen
    as such (which one is the amount?)."""
    row_tag, cell_tag = f"{{{NS}}}row", f"{{{NS}}}c"
    cells: dict[int, tuple[str, str]] = {}
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        number = 0
        for _, row in etree.iterparse(fh, events=("end",), tag=row_tag):
            number = int(row.get("r") or number + 1)
            if number == row_number:
                for c in row.iter(cell_tag):
                    kind, ref = c.get("t"), c.get("r")
                    if not ref or kind not in ("s", "inlineStr", "str"):
                        continue
                    text = "".join(c.find(f"{{{NS}}}is").itertext()) if kind == "inlineStr" \
                        and c.find(f"{{{NS}}}is") is not None else (c.findtext(f"{{{NS}}}v") or "")
                    cells[parse_ref(ref)[1]] = (kind, text)
                break
            row.clear()
        shared = [int(v) for kind, v in cells.values() if kind == "s" and v.isdigit()]
        strings = _shared_strings(zf, max(shared)) if shared else []
    out = {}
    for col, (kind, text) in cells.items():
        if kind == "s":
            if not text.isdigit() or int(text) >= len(strings):
                continue
            text = strings[int(text)]
        out[col] = text.strip()
    return out


def _shared_strings(zf: zipfile.ZipFile, last: int) -> list[str]:
    """The shared strings up to index ``last`` (read no further)."""
    name = next((n for n in ("xl/sharedStrings.xml", "xl/sharedstrings.xml")
                 if n in zf.namelist()), None)
    if name is None:
        return []
    out: list[str] = []
    with zf.open(name) as fh:
        for _, si in etree.iterparse(fh, events=("end",), tag=f"{{{NS}}}si"):
            out.append("".join(t.text or "" for t in si.iter(f"{{{NS}}}t")
                               if t.getparent().tag != f"{{{NS}}}rPh"))
            si.clear()
            if len(out) > last:
                break
    return out


def _first_cell(path: Path, part: str) -> tuple[int | None, int]:
    """Row and first column of the first row holding a value, reading only the start of the part.

    This is where fastexcel's table starts, so sheet row numbers of data rows can be given in
    messages (a header pasted in B3 makes the first data row 4).
    """
    row_tag, cell_tag = f"{{{NS}}}row", f"{{{NS}}}c"
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        row_number = 0
        for _, row in etree.iterparse(fh, events=("end",), tag=row_tag):
            row_number = int(row.get("r") or row_number + 1)
            cols = [parse_ref(c.get("r"))[1] for c in row.iter(cell_tag)
                    if c.get("r") and (c.find(f"{{{NS}}}v") is not None
                                       or c.find(f"{{{NS}}}is") is not None)]
            if cols:
                return row_number, min(cols)
            row.clear()
    return None, 1


# An error cell, whatever its namespace prefix (<x:c>) and attribute order: its tag, then an
# optional formula, then its value (never reaching into the next cell).
_P = rb'(?:[\w.-]+:)?'
_ERROR_CELL = re.compile(rb'<' + _P + rb'c\b([^>]*\bt="e"[^>]*)>\s*(?:<' + _P + rb'f\b[^>]*(?:/>|>'
                         rb'[^<]*</' + _P + rb'f>)\s*)?<' + _P + rb'v>([^<]*)</' + _P + rb'v>')
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def error_cells(path: Path, part: str) -> dict[tuple[int, int], str]:
    """Cells holding an error value (``#N/A``, ``#VALUE!``...): (row, column) -> error text."""
    found: dict[tuple[int, int], str] = {}
    tail = b""
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 22)
            data = tail + chunk
            if b't="e"' in data:
                end = max(data.rfind(b"</c>") + 4, data.rfind(b":c>") + 3) if chunk else len(data)
                for match in _ERROR_CELL.finditer(data, 0, max(end, 0)):
                    ref = _CELL_REF.search(match.group(1))
                    if ref is None:
                        continue
                    row, col = int(ref.group(2)), parse_ref(f"{ref.group(1).decode()}1")[1]
                    found[(row, col)] = match.group(2).decode("utf-8", "replace")
                tail = data[end:] if chunk else b""
            else:
                tail = data[-256:]
            if not chunk:
                return found


def _put_errors(frame: pd.DataFrame, found: dict[tuple[int, int], str], first_row: int,
                first_col: int) -> None:
    """Write error texts into the frame (so ingest reports them as error values)."""
    for (row, col), text in found.items():
        r, c = row - first_row, col - first_col
        if 0 <= r < len(frame) and 0 <= c < frame.shape[1]:
            if frame.dtypes.iloc[c] != object:
                frame[frame.columns[c]] = frame.iloc[:, c].astype(object)
            frame.iat[r, c] = text
