"""Use cases behind ``kc-sheets demo`` and ``kc-sheets sample-data``: sample data, written out."""

from __future__ import annotations

from pathlib import Path

from kc_sheets import sample_data
from kc_sheets.backends.raw_writer import fill_raw_data
from kc_sheets.calculate import RunResult, calculate, known_template
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang
from kc_sheets.templates.render_xlsx import build


def template_with_sample(path: Path, template_id: str, lang: Lang, frame) -> Path:
    """The template built at ``path`` with ``frame`` pasted in its Raw Data (not calculated)."""
    build(known_template(template_id, lang), path, lang)
    return fill_raw_data(path, frame)


def demo(template_id: str, lang: Lang, rows: int, seed: int, folder: Path) -> RunResult:
    """A template filled with sample orders and calculated, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{known_template(template_id, lang).id}-{lang}.xlsx"
    frame = sample_data.generate(rows=rows, seed=seed, lang=lang)
    return calculate(template_with_sample(path, template_id, lang, frame))


def write_sample(path: Path, rows: int, seed: int, lang: Lang, template_id: str) -> dict:
    """Sample orders as .csv (French style for fr), .parquet, or a template's Raw Data (.xlsx).

    Returns the sample's description (rows, customers, orders, revenue, dates).
    """
    frame = sample_data.generate(rows=rows, seed=seed, lang=lang)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".xlsx"):
        raise KcError("cli.bad_input", lang=lang, name=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv" and lang == "fr":
        frame.to_csv(path, sep=";", decimal=",", index=False, date_format="%d/%m/%Y")
    elif suffix == ".csv":
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        template_with_sample(path, template_id, lang, frame)
    return sample_data.describe(frame)
