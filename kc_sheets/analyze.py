"""``kc-sheets analyze``: the blocks of a template as CSV files, for scripts and pipelines.

The same engine as Calculate, without a workbook: the input is a file of transactions (.csv,
.xlsx or .parquet), the output one CSV per block named after it (``first_vs_repeat.by_period.csv``)
with stable column names (documented in docs/blocks.md), plus the full quality report.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from kc_sheets.calculate import known_template, quality_blocks, run_analyses
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register, t
from kc_sheets.settings import read_settings
from kc_sheets.transactions import RawTable

register({
    "analyze.not_found": ("fichier introuvable : {path}", "file not found: {path}"),
    "analyze.bad_csv": ("CSV illisible ({detail}). Enregistrez-le en UTF-8 avec une ligne "
                        "d'en-têtes.", "unreadable CSV ({detail}). Save it as UTF-8 with a "
                        "header row."),
    "analyze.bad_choice": ("option --{option} : « {value} » inconnu ({choices}).",
                           "option --{option}: unknown '{value}' ({choices})."),
})


def read_csv(path: Path, lang: Lang = "fr") -> RawTable:
    """A CSV as raw text cells; separator (, ; tab |) and encoding (UTF-8 or Windows) detected."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    sep = max([",", ";", "\t", "|"], key=first.count)
    try:
        frame = pd.read_csv(pd.io.common.StringIO(text), sep=sep, dtype=str,
                            keep_default_na=False, na_values=[], quoting=csv.QUOTE_MINIMAL,
                            header=None, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise KcError("analyze.bad_csv", tab=path.name, lang=lang, detail=str(exc)[:200]) \
            from None
    if frame.empty:
        return RawTable(pd.DataFrame(), (), 2, 1, path.name)
    headers = tuple(str(h).strip() for h in frame.iloc[0].tolist())
    data = frame.iloc[1:].reset_index(drop=True).replace({"": None})
    data.columns = [f"c{i}" for i in range(len(headers))]
    return RawTable(data, headers, 2, 1, path.name)


def read_input(path: Path, lang: Lang = "fr") -> RawTable:
    path = Path(path)
    if not path.is_file():
        raise KcError("analyze.not_found", lang=lang, path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, lang)
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        return RawTable.from_frame(frame, tab=path.name)
    if suffix in (".xlsx", ".xlsm"):
        from kc_sheets.backends.xlsx import XlsxBook

        book = XlsxBook(path, lang)
        names = book.sheet_names()
        return book.read_raw("Raw Data" if "Raw Data" in names else names[0])
    raise KcError("cli.bad_input", lang=lang, name=path.name)


def _check(option: str, value: str, choices: tuple[str, ...], lang: Lang) -> str:
    if value not in choices:
        raise KcError("analyze.bad_choice", lang=lang, option=option, value=value,
                      choices=", ".join(choices))
    return value


def analyze_file(path: Path, template_id: str, out_dir: Path, *, lang: Lang = "fr",
                 period: str = "month", date_order: str = "auto",
                 decimal: str = "comma", options: dict[str, str] | None = None) -> list[Path]:
    """Write every block of the template computed from ``path``; return the files written.

    ``options`` are the template's other settings by key, as typed in the Settings tab
    (``{"rfm_scoring": "thresholds", "rfm_thresholds.recency": "30; 90; 180; 365"}``).
    """
    template = known_template(template_id, lang)
    known = {s.key for s in template.settings if not s.key.startswith("map.")}
    for key in options or {}:
        _check("set", key, tuple(sorted(known - {"period", "date_order", "decimal"})), lang)
    triples = [(0, "template", template.id), (0, "lang", lang),
               (0, "period", _check("period", period, ("month", "quarter", "year"), lang)),
               (0, "date_order", _check("date-order", date_order,
                                        ("auto", "day_first", "month_first"), lang)),
               (0, "decimal", _check("decimal", decimal, ("comma", "point"), lang))]
    triples += [(0, k, v) for k, v in (options or {}).items()]
    settings = read_settings(triples, tab="--set", lang=lang, settings=template.settings)
    raw = read_input(Path(path), lang)
    ingested, blocks = run_analyses(template, raw, settings, t("tab.settings", lang))
    blocks.update(quality_blocks(ingested, lang, limit=None))
    blocks.pop("quality.notes", None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in blocks.items():
        target = out_dir / f"{name}.csv"
        frame.to_csv(target, index=False)
        written.append(target)
    return written
