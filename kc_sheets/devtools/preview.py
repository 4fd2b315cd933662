"""Pictures of a workbook as a person sees it: each tab printed by LibreOffice, then PNG pages.

Raw Data is hidden in the printed copy (thousands of pages of orders tell nobody anything); the
workbook itself is never changed.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from kc_sheets.xlsx.ooxml_zip import OoxmlPackage, write_package
from kc_sheets.devtools.libreoffice import pdf_text, pdf_to_png, render_pdf


def _hide_tabs(src: Path, dst: Path, hide: tuple[str, ...]) -> None:
    with OoxmlPackage(src) as pkg:
        workbook = pkg.read("xl/workbook.xml").decode("utf-8")
    for name in hide:
        escaped = (name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   .replace('"', "&quot;"))
        def hidden(match: re.Match) -> str:
            element = re.sub(r'\sstate="[^"]*"', "", match.group(0))
            return element.replace("<sheet ", '<sheet state="hidden" ', 1)

        workbook = re.sub(rf'<sheet\b[^>]*\bname="{re.escape(escaped)}"[^>]*>', hidden,
                          workbook, count=1)
    workbook = re.sub(r'activeTab="\d+"', 'activeTab="0"', workbook)
    write_package(src, dst, {"xl/workbook.xml": workbook.encode("utf-8")})


def render_png(xlsx: Path, out_dir: Path, *, hide: tuple[str, ...] = ("Raw Data",),
               dpi: int = 70, locale: str = "fr-FR") -> list[Path]:
    """PNG pages of every visible tab (Raw Data hidden), recomputed by LibreOffice."""
    xlsx, out_dir = Path(xlsx), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kc_preview_"))
    try:
        copy = work / xlsx.name
        _hide_tabs(xlsx, copy, hide)
        pdf = render_pdf(copy, work, locale=locale)
        shutil.copy(pdf, out_dir / pdf.name)
        return pdf_to_png(out_dir / pdf.name, out_dir, dpi=dpi)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (form feeds separate pages in pdftotext's output)."""
    return pdf_text(pdf).split("\f")


# ---------------------------------------------------------------- what a printed copy must be

_FOOTER_PAGE = re.compile(r"(\d+)\s*/\s*(\d+)\s*$")


def _ordered_words(text: object) -> list[str]:
    return [w for w in (w.strip("()«»:;,.'\"").lower() for w in str(text).split()) if w]


def _words(text: object) -> set[str]:
    return set(_ordered_words(text))


def printed_pages(pdf: Path) -> list[tuple[str, list[str]]]:
    """Each printed page as (its tab, its content lines): the tab is read from the footer
    (``&A``, the sheet's name), the footer itself is left out. A page without footer has no
    tab ("")."""
    pages = page_texts(pdf)
    if pages and not pages[-1].strip():
        pages = pages[:-1]                    # pdftotext ends with a form feed
    out = []
    for page in pages:
        lines = [line.rstrip() for line in page.splitlines() if line.strip()]
        tab = ""
        if lines and _FOOTER_PAGE.search(lines[-1]):
            parts = re.split(r"\s{2,}", lines[-1].strip())
            tab = parts[1] if len(parts) >= 3 else ""
            lines = lines[:-1]
        out.append((tab, lines))
    return out


def print_problems(xlsx: Path, pdf: Path, allowed: dict[str, set[str]] | None = None,
                   empty: bool = False) -> list[str]:
    """What is wrong with a printed workbook, page by page: a blank page, a page holding nothing
    but the rows and columns repeated on every page, a table continued without its header, a
    cell shown as ``###`` (too narrow for its number).

    A page that is not the first of its tab must start with its repeated header row, or with a
    title or the header of the block it starts (``allowed``: tab name -> the words of its
    titles and headers; the header rows and repeated rows and columns of the workbook are
    always allowed). ``empty``: an uncalculated template, all headers, whose pages are not
    checked for "headers only"."""
    from openpyxl import load_workbook
    from openpyxl.utils import column_index_from_string

    book = load_workbook(xlsx)
    repeated: dict[str, tuple[set[str], set[tuple[str, ...]]]] = {}
    headings: dict[str, set[str]] = {}
    for ws in book.worksheets:
        words: set[str] = set()
        col_lines: set[tuple[str, ...]] = set()
        if ws.print_title_rows:
            first, last = (int(x) for x in ws.print_title_rows.replace("$", "").split(":"))
            for row in ws.iter_rows(min_row=first, max_row=last, values_only=True):
                for value in row:
                    words |= _words(value) if value is not None else set()
        if ws.print_title_cols:
            a, b = ws.print_title_cols.replace("$", "").split(":")
            for row in ws.iter_rows(min_col=column_index_from_string(a),
                                    max_col=column_index_from_string(b), values_only=True):
                col_lines.add(tuple(w for value in row if value is not None
                                    for w in _ordered_words(value)))
        repeated[ws.title] = (words, col_lines)
        headings[ws.title] = words | set().union(set(), *map(set, col_lines)) | (
            allowed or {}).get(ws.title, set())
    return page_problems(printed_pages(pdf), {} if empty else repeated, headings)


def page_problems(pages: list[tuple[str, list[str]]],
                  repeated: dict[str, tuple[set[str], set[tuple[str, ...]]]],
                  headings: dict[str, set[str]]) -> list[str]:
    """:func:`print_problems` on pages already read: (tab, content lines) each; ``repeated``:
    tab -> (the words of its repeated rows, the lines its repeated columns print: one per
    row); ``headings``: tab -> the words a page of it may start with."""
    problems = []
    seen: set[str] = set()
    for number, (tab, lines) in enumerate(pages, start=1):
        where = f"page {number} ({tab or 'no footer'})"
        if not lines or not tab:
            problems.append(f"{where}: blank page")
            continue
        narrow = [line.strip() for line in lines if "###" in line]
        if narrow:
            problems.append(f"{where}: a cell shows ### ({narrow[0][:80]})")
        if tab in seen:
            row_words, col_lines = repeated.get(tab, (set(), set()))
            if tab in repeated and all(_words(line) <= row_words
                                       or tuple(_ordered_words(line)) in col_lines
                                       for line in lines):
                problems.append(f"{where}: only the repeated headers")
            elif not _words(lines[0]) <= headings.get(tab, set()):
                problems.append(f"{where}: a table continued without its header "
                                f"({lines[0].strip()[:80]})")
        seen.add(tab)
    return problems


def template_headings(template, lang: str, xlsx: Path) -> dict[str, set[str]]:
    """Tab name -> the words a printed page of it may start with: its titles and notes, its
    charts' titles and the header row of each of its tables as written in ``xlsx``."""
    from openpyxl import load_workbook

    from kc_sheets.i18n import t

    book = load_workbook(xlsx)
    out: dict[str, set[str]] = {}
    for tab in template.tabs:
        name = t(tab.title, lang)
        words: set[str] = set()
        for text in tab.texts:
            if text.label:
                try:
                    words |= _words(t(text.label, lang, **dict(text.params)))
                except KeyError:        # a text with placeholders filled at build time
                    words |= _words(t(text.label, lang, template="", version="", name=""))
        for chart in tab.charts:
            words |= _words(t(chart.title, lang))
        ws = book[name] if name in book.sheetnames else None
        for block in tab.blocks:
            words |= set().union(set(), *(_words(t(c.label, lang)) for c in block.columns))
            if ws is not None and block.layout == "table" and block.header:
                for row in ws.iter_rows(min_row=block.anchor_row, max_row=block.anchor_row,
                                        values_only=True):
                    for value in row:
                        words |= _words(value) if value is not None else set()
        out[name] = words
    return out
