"""Pictures of a workbook as a person sees it: each tab printed by LibreOffice, then PNG pages.

Raw Data is hidden in the printed copy (thousands of pages of orders tell nobody anything); the
workbook itself is never changed.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from kc_sheets.backends.ooxml_zip import OoxmlPackage, write_package
from kc_sheets.libreoffice import pdf_text, pdf_to_png, render_pdf


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
