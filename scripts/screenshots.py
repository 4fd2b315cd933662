"""Render the README pictures from real calculated workbooks (LibreOffice headless + pdftoppm).

    python scripts/screenshots.py            # writes docs/img/*.png

Each picture is a page of a demo workbook exactly as LibreOffice prints it after recomputing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

from kc_sheets import sample_data
from kc_sheets.calculate import calculate
from kc_sheets.apps.demo import template_with_sample
from kc_sheets.i18n import t
from kc_sheets.devtools.preview import page_texts, render_png
from kc_sheets.templates import all_templates

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"


def shoot(template_id: str, lang: str, tabs: list[tuple[str, str]], work: Path,
          rows: int = 20_000, dpi: int = 90,
          crop: dict[str, tuple[float, float, float, float]] | None = None) -> list[Path]:
    """Pages of a calculated demo workbook; ``crop``: picture name -> (left, top, right,
    bottom) as fractions of the page, for tabs wider than a readable page."""
    spec = next(s for s in all_templates() if s.id == template_id)
    path = template_with_sample(work / f"{spec.id}-{lang}.xlsx", spec.id, lang,
                                sample_data.generate(rows=rows, seed=42, lang=lang))
    calculate(path)
    pngs = render_png(path, work / f"png-{spec.id}-{lang}", dpi=dpi,
                      locale="fr-FR" if lang == "fr" else "en-GB")
    texts = page_texts(work / f"png-{spec.id}-{lang}" / f"{path.stem}.pdf")
    written = []
    for name, marker in tabs:
        text = t(marker, lang)
        index = next(i for i, page in enumerate(texts)
                     if " ".join(page.split()).startswith(" ".join(text.split()))
                     or (marker.endswith("chart.title") and text in " ".join(page.split())))
        target = OUT / f"{template_id}-{lang}-{name}.png"
        if crop and name in crop:
            with Image.open(pngs[index]) as page:
                w, h = page.size
                left, top, right, bottom = crop[name]
                page.crop((int(left * w), int(top * h), int(right * w), int(bottom * h))
                          ).save(target, optimize=True)
        else:
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
        # the pages of `kc-sheets demo --template all-in-one` (its 5,000 sample orders)
        for target in shoot("all-in-one", "fr", [("rfm", "rfm.title"),
                                                 ("retention", "coh.t.retention_rate"),
                                                 ("curves", "coh.curves.title"),
                                                 ("churn", "churn.chart_tab.title")],
                            work, rows=5_000, dpi=150,
                            crop={"retention": (0.03, 0.10, 0.97, 0.97),
                                  "rfm": (0.03, 0.12, 0.97, 0.95),
                                  "curves": (0.03, 0.08, 0.97, 0.97),
                                  "churn": (0.03, 0.08, 0.97, 0.97)}):
            print(target.relative_to(ROOT))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
