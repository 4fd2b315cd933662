"""Render the README pictures from real calculated workbooks (LibreOffice headless + pdftoppm).

    python scripts/screenshots.py            # writes docs/img/*.png

Each picture is a page of a demo workbook exactly as LibreOffice prints it after recomputing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from kc_sheets import sample_data
from kc_sheets.calculate import calculate
from kc_sheets.demo import template_with_sample
from kc_sheets.i18n import t
from kc_sheets.preview import page_texts, render_png
from kc_sheets.templates import all_templates

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"


def shoot(template_id: str, lang: str, tabs: list[tuple[str, str]], work: Path) -> list[Path]:
    spec = next(s for s in all_templates() if s.id == template_id)
    path = template_with_sample(work / f"{spec.id}-{lang}.xlsx", spec.id, lang,
                                sample_data.generate(rows=20_000, seed=42, lang=lang))
    calculate(path)
    pngs = render_png(path, work / f"png-{lang}", dpi=90,
                      locale="fr-FR" if lang == "fr" else "en-GB")
    texts = page_texts(work / f"png-{lang}" / f"{path.stem}.pdf")
    written = []
    for name, marker in tabs:
        text = t(marker, lang)
        index = next(i for i, page in enumerate(texts)
                     if " ".join(page.split()).startswith(" ".join(text.split()))
                     or (marker.endswith("chart.title") and text in " ".join(page.split())))
        target = OUT / f"{template_id}-{lang}-{name}.png"
        shutil.copy(pngs[index], target)
        written.append(target)
    return written


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kc_shots_"))
    try:
        for lang in ("fr", "en"):
            for target in shoot("first-vs-repeat", lang, [("analysis", "fvr.chart.title"),
                                                          ("quality", "quality.title")], work):
                print(target.relative_to(ROOT))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
