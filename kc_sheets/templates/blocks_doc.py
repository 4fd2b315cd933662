"""docs/blocks.md, generated from the block declarations (:mod:`kc_sheets.analyses.contract`).

``python -m kc_sheets.templates.blocks_doc`` writes it; a test checks the committed file equals
a fresh generation, so the documented columns are the ones the code promises.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from kc_sheets.analyses.contract import Analysis, BlockSpec
from kc_sheets.blocks import ENGINE
from kc_sheets.i18n import t
from kc_sheets.templates import all_templates

INTRO = """\
# Blocks

*Generated from the block declarations of the analyses by `python -m
kc_sheets.templates.blocks_doc`: do not edit by hand.*

A *block* is a result table with a stable name. Templates place blocks in their tabs; the
`kc-sheets analyze` command writes each block as `<block name>.csv` with the column names below
(stable: scripts and pipelines may rely on them). Amounts are in the currency of Raw Data, rounded
to the cent; shares are fractions (0.25 = 25 %); periods are labelled `2024-01` (month),
`2024-T1` / `2024-Q1` (quarter, French / English) and `2024` (year). (The first vs repeat tab of a
workbook shows months by their names, `janv. 2024` / `Jan 2024`; the CSVs keep `2024-01`.)

```
kc-sheets analyze orders.csv --template first-vs-repeat --period quarter --out blocks/
```

The template's other settings are given with `--set KEY=VALUE`, the keys of its Settings tab
(hidden column A):

```
kc-sheets analyze orders.csv --template rfm --set rfm_scoring=thresholds \\
    --set "rfm_thresholds.recency=30; 90; 180; 365" --set rfm_analysis_date=2024-12-31
kc-sheets analyze orders.csv --template cohorts --period quarter --set retention_window_months=6
```

| key | template | values |
|---|---|---|
| `rfm_analysis_date` | rfm | a date; empty = the day after the last order |
| `rfm_monetary` | rfm | `revenue` (net revenue) or `average_order_value` |
| `rfm_scoring` | rfm | `quintiles` or `thresholds` |
| `rfm_thresholds.recency`, `.frequency`, `.monetary` | rfm | four numbers separated by `;` |
| `retention_window_months` | cohorts, churn | whole number of months (default 12) |

The RFM segment grid is edited in the Settings tab of a workbook (columns F to K: one drop-down
per R x FM cell); `analyze` uses the default grid.
"""


def analyses() -> list[Analysis]:
    """Every analysis of the shipped templates, then the engine's blocks, once each."""
    seen: dict[str, Analysis] = {}
    for template in all_templates():
        for analysis in template.analyses:
            seen.setdefault(analysis.name, analysis)
    return [*seen.values(), *ENGINE]


def placements() -> dict[str, list[str]]:
    """Block name -> where templates place it ("rfm: RFM", ...)."""
    out: dict[str, list[str]] = {}
    for template in all_templates():
        for tab, block in template.blocks():
            where = f"{template.id} ({t(tab.title, 'en')})"
            if where not in out.setdefault(block.name, []):
                out[block.name].append(where)
    return out


def _wrap(text: str) -> str:
    """Prose re-wrapped at 98 columns; texts with lists or paragraphs kept as written."""
    if "\n\n" in text or "\n-" in text:
        return text
    return textwrap.fill(" ".join(text.split()), 98, break_on_hyphens=False,
                         break_long_words=False)


def _doc(spec: BlockSpec) -> tuple:
    return spec.about, spec.extra, spec.notes, spec.columns


def _columns(spec: BlockSpec) -> list[str]:
    if not any(c.meaning for c in spec.columns):
        return [_wrap("Columns: " + ", ".join(f"`{c.key}`" for c in spec.columns)
                      + (f"; then {spec.extra}" if spec.extra else "") + ".")]
    rows, lines = [], ["| column | meaning |", "|---|---|"]
    for col in spec.columns:                  # consecutive columns of one meaning share a row
        if rows and rows[-1][1] == col.meaning:
            rows[-1][0].append(col.key)
        else:
            rows.append(([col.key], col.meaning))
    for keys, meaning in rows:
        lines.append(f"| {', '.join(f'`{k}`' for k in keys)} | {meaning} |")
    if spec.extra:
        key, _, meaning = spec.extra.partition(": ")
        lines.append(f"| {key} | {meaning} |")
    return lines


def markdown() -> str:
    places = placements()
    parts = [INTRO]
    for analysis in analyses():
        parts.append(f"# {analysis.name}\n")
        if analysis.about:
            parts.append(analysis.about + "\n")
        done: set[str] = set()
        for spec in analysis.blocks:
            if spec.name in done:
                continue
            group = [s for s in analysis.blocks if _doc(s) == _doc(spec)]
            done.update(s.name for s in group)
            lines = [f"## {', '.join(s.name for s in group)}", ""]
            if spec.about:
                lines += [_wrap(spec.about), ""]
            lines += _columns(spec) + [""]
            if spec.notes:
                lines += [_wrap(spec.notes), ""]
            where = sorted({p for s in group for p in places.get(s.name, [])})
            lines += [_wrap(("Placed in: " + "; ".join(where) + ".") if where else
                            "CSV only (`kc-sheets analyze`): no template places it."), ""]
            parts.append("\n".join(lines))
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "docs" / "blocks.md"
    path.write_text(markdown(), encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
