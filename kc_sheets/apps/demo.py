"""Use cases behind ``kc-sheets demo`` and ``kc-sheets sample-data``: sample data, written out."""

from __future__ import annotations

from pathlib import Path

from kc_sheets import sample_data
from kc_sheets.xlsx.raw_writer import fill_raw_data
from kc_sheets.calculate import RunResult, calculate, known_template
from kc_sheets.csv_out import replacing, write_csv
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register
from kc_sheets.progress import report
from kc_sheets.xlsx.render import build

register({
    "sample.bad_rows": ("--rows {rows} : indiquez un nombre de lignes, 0 ou plus.",
                        "--rows {rows}: give a number of rows, 0 or more."),
})


def template_with_sample(path: Path, template_id: str, lang: Lang, frame) -> Path:
    """The template built at ``path`` with ``frame`` pasted in its Raw Data (not calculated)."""
    build(known_template(template_id, lang), path, lang)
    return fill_raw_data(path, frame)


def _generate(rows: int, seed: int, lang: Lang):
    if rows < 0:
        raise KcError("sample.bad_rows", lang=lang, rows=rows)
    report("generate")
    return sample_data.generate(rows=rows, seed=seed, lang=lang)


def demo(template_id: str, lang: Lang, rows: int, seed: int, folder: Path) -> RunResult:
    """A template filled with sample orders and calculated, in ``folder``."""
    path = Path(folder) / f"demo-{known_template(template_id, lang).id}-{lang}.xlsx"
    frame = _generate(rows, seed, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    report("build")
    return calculate(template_with_sample(path, template_id, lang, frame))


def write_sample(path: Path, rows: int, seed: int, lang: Lang, template_id: str) -> dict:
    """Sample orders as .csv (French style for fr), .parquet, or a template's Raw Data (.xlsx).

    The file is replaced in one step (never left half-written). Returns the sample's
    description (rows, customers, orders, revenue, dates).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".xlsx"):
        raise KcError("cli.bad_input", lang=lang, name=path.name)
    if suffix == ".xlsx":
        known_template(template_id, lang)
    frame = _generate(rows, seed, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    report("write")
    if suffix == ".csv" and lang == "fr":
        write_csv(frame, path, sep=";", decimal=",", date_format="%d/%m/%Y")
    elif suffix == ".csv":
        write_csv(frame, path, date_format="%Y-%m-%d")
    else:
        with replacing(path, keep_suffix=True) as tmp:
            if suffix == ".parquet":
                frame.to_parquet(tmp, index=False)
            else:
                template_with_sample(tmp, template_id, lang, frame)
    return sample_data.describe(frame)
