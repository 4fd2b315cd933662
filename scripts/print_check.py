"""Print a calculated demo workbook through LibreOffice and read every page.

    python scripts/print_check.py                          # all-in-one, French, 5,000 orders
    python scripts/print_check.py rfm en 20000 --png out/  # and a PNG of every page in out/

Prints the page count of each tab (in print order) and every problem found: a blank page, a page
of repeated headers only, a table continued without its header, a cell shown as ``###``. Exits 1
when there is one. Raw Data is printed too.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from kc_sheets.calculate import known_template
from kc_sheets.apps.demo import demo
from kc_sheets.devtools.libreoffice import pdf_to_png, render_pdf
from kc_sheets.devtools.preview import print_problems, printed_pages, template_headings


def main(argv: list[str]) -> int:
    png = None
    if "--png" in argv:
        at = argv.index("--png")
        png = Path(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    template_id = argv[0] if argv else "all-in-one"
    lang = argv[1] if len(argv) > 1 else "fr"
    rows = int(argv[2]) if len(argv) > 2 else 5_000
    with tempfile.TemporaryDirectory(prefix="kc_print_") as work:
        path = Path(demo(template_id, lang, rows, 42, Path(work)).path)
        pdf = render_pdf(path, Path(work) / "pdf", locale="fr-FR" if lang == "fr" else "en-GB")
        pages = printed_pages(pdf)
        print(f"{path.name}: {len(pages)} pages")
        first = 1
        for tab, group in itertools.groupby(pages, key=lambda page: page[0]):
            count = len(list(group))
            print(f"  pages {first:>3}-{first + count - 1:<3} {count:>3}  {tab}")
            first += count
        problems = print_problems(path, pdf, template_headings(known_template(template_id, lang),
                                                               lang, path))
        for problem in problems:
            print("  PROBLEM", problem)
        if png is not None:
            pngs = pdf_to_png(pdf, png, dpi=70)
            print(f"  {len(pngs)} pictures in {png}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
