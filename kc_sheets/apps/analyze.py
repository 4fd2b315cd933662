"""``kc-sheets analyze``: the blocks of a template as CSV files, for scripts and pipelines.

The same engine as Calculate, without a workbook: the input is a file of transactions (.csv,
.tsv, .txt, .xlsx or .parquet), the output one CSV per block named after it
(``first_vs_repeat.by_period.csv``) with stable column names (documented in docs/blocks.md),
plus the full quality report. The CSVs are safe to open in a spreadsheet (see
:mod:`kc_sheets.csv_out`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from kc_sheets.calculate import ingest_options, known_template, quality_blocks, run_analyses
from kc_sheets.ingest.csv_in import read_text_table
from kc_sheets.csv_out import write_csv
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register
from kc_sheets.progress import report
from kc_sheets.settings import read_settings
from kc_sheets.ingest.transactions import RawTable

register({
    "analyze.not_found": ("fichier introuvable : {path}", "file not found: {path}"),
    "analyze.is_folder": ("« {path} » est un dossier : indiquez le fichier de commandes "
                          "(.csv, .xlsx ou .parquet).",
                          "'{path}' is a folder: give the orders file (.csv, .xlsx or "
                          ".parquet)."),
    "analyze.bad_choice": ("option --{option} : « {value} » inconnu ({choices}).",
                           "option --{option}: unknown '{value}' ({choices})."),
    "analyze.wrong_kind": (
        "« {name} » n'est pas un fichier {expected} : son contenu est {found}. Renommez-le avec "
        "l'extension {suffix}, ou enregistrez-le au format {expected}, puis relancez.",
        "'{name}' is not a {expected} file: its content is {found}. Rename it with the {suffix} "
        "extension, or save it as {expected}, then run again."),
    "analyze.kind.xlsx": ("un classeur Excel (.xlsx)", "an Excel workbook (.xlsx)"),
    "analyze.kind.ods": ("un classeur OpenDocument (.ods)", "an OpenDocument spreadsheet (.ods)"),
    "analyze.kind.ole": ("un ancien classeur Excel (.xls) ou un classeur protégé par mot de passe",
                         "an old Excel workbook (.xls) or a password-protected workbook"),
    "analyze.kind.parquet": ("un fichier Parquet", "a Parquet file"),
    "analyze.kind.text": ("du texte (CSV)", "text (CSV)"),
    "analyze.bad_parquet": (
        "« {name} » n'est pas un fichier Parquet lisible (tronqué ou endommagé : {detail}). "
        "Exportez-le à nouveau, ou exportez vos commandes en CSV.",
        "'{name}' is not a readable Parquet file (truncated or damaged: {detail}). Export it "
        "again, or export your orders as CSV."),
    "analyze.out_is_file": (
        "« {path} » est un fichier : --out attend un dossier, où chaque tableau est écrit en "
        "CSV. Indiquez un dossier (il est créé s'il n'existe pas).",
        "'{path}' is a file: --out takes a folder, where each table is written as a CSV. Give "
        "a folder (it is created if it does not exist)."),
    "analyze.ambiguous_column": (
        "plusieurs colonnes s'appellent « {header} » (colonnes {letters}) et leurs valeurs "
        "diffèrent : impossible de savoir laquelle est le champ « {field} ». Renommez les "
        "autres, ou indiquez la bonne avec l'option --set map.{field_key}=LETTRE.",
        "several columns are named '{header}' (columns {letters}) and their values differ: "
        "which one is the '{field}' field cannot be told. Rename the others, or give the right "
        "one with the option --set map.{field_key}=LETTER."),
    "analyze.no_column": (
        "aucune colonne « {field} » reconnue. En-têtes trouvés : {headers}. Renommez l'en-tête "
        "(par ex. « {example} ») ou indiquez la colonne avec l'option "
        "--set map.{field_key}=EN-TÊTE (ou la lettre de la colonne, A, B…).",
        "no '{field}' column recognised. Headers found: {headers}. Rename the header (e.g. "
        "'{example}') or name the column with the option --set map.{field_key}=HEADER (or "
        "the column letter, A, B…)."),
    "analyze.bad_mapping": (
        "--set map.{field_key}={value} : la colonne « {value} » n'existe pas dans le fichier. "
        "Indiquez un en-tête du fichier (par ex. « {first} ») ou une lettre de colonne (A, B…).",
        "--set map.{field_key}={value}: column '{value}' does not exist in the file. Give a "
        "header of the file (e.g. '{first}') or a column letter (A, B…)."),
})

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = TEXT_SUFFIXES + (".xlsx", ".xlsm", ".parquet")


def read_csv(path: Path, lang: Lang = "fr") -> RawTable:
    """A delimited text file as raw text cells (see :mod:`kc_sheets.ingest.csv_in`)."""
    return read_text_table(Path(path), lang).raw


def content_kind(path: Path) -> str:
    """What a file holds, in the kinds analyze reads: xlsx, ods, ole, parquet or text (anything
    else is left to the CSV reader, which says what it found)."""
    from kc_sheets.backends.xlsx import file_kind

    kind = file_kind(path)
    return kind if kind in ("xlsx", "ods", "ole", "parquet") else "text"


def read_input(path: Path, lang: Lang = "fr") -> RawTable:
    """The transactions of a file, whatever its kind (see :func:`read_table`)."""
    return read_table(path, lang)[0]


def read_table(path: Path, lang: Lang = "fr") -> tuple[RawTable, str | None]:
    """The transactions of a file and, for a text file, its separator."""
    path = Path(path)
    if path.is_dir():
        raise KcError("analyze.is_folder", lang=lang, path=str(path))
    if not path.is_file():
        raise KcError("analyze.not_found", lang=lang, path=str(path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise KcError("cli.bad_input", lang=lang, name=path.name)
    kind = content_kind(path)
    expected = "text" if suffix in TEXT_SUFFIXES else (
        "parquet" if suffix == ".parquet" else "xlsx")
    if kind != expected and not (expected == "xlsx" and kind == "ole"):   # encrypted .xlsx:
        _wrong_kind(path, expected, kind, lang)                            # the backend says so
    if expected == "text":
        table = read_text_table(path, lang)
        return table.raw, table.separator
    if expected == "parquet":
        return _read_parquet(path, lang), None
    from kc_sheets.backends.xlsx import XlsxBook

    book = XlsxBook(path, lang)
    names = book.sheet_names()
    return book.read_raw("Raw Data" if "Raw Data" in names else names[0]), None


def _wrong_kind(path: Path, expected: str, kind: str, lang: Lang) -> None:
    from kc_sheets.i18n import t

    suffix = {"xlsx": ".xlsx", "ods": ".ods", "ole": ".xls", "parquet": ".parquet",
              "text": ".csv"}[kind]
    names = {"text": "CSV", "parquet": "Parquet", "xlsx": ".xlsx"}
    raise KcError("analyze.wrong_kind", lang=lang, name=path.name, expected=names[expected],
                  found=t(f"analyze.kind.{kind}", lang), suffix=suffix)


def _read_parquet(path: Path, lang: Lang) -> RawTable:
    import pyarrow as pa

    try:
        frame = pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise KcError("analyze.bad_parquet", lang=lang, name=path.name,
                      detail=str(exc).split("\n")[0][:160]) from None
    return RawTable.from_frame(frame, tab=path.name)


def _check(option: str, value: str, choices: tuple[str, ...], lang: Lang) -> str:
    if value not in choices:
        raise KcError("analyze.bad_choice", lang=lang, option=option, value=value,
                      choices=", ".join(choices))
    return value


def analyze_file(path: Path, template_id: str, out_dir: Path, *, lang: Lang = "fr",
                 period: str = "month", date_order: str = "auto",
                 decimal: str = "auto", options: dict[str, str] | None = None) -> list[Path]:
    """Write every block of the template computed from ``path``; return the files written.

    ``options`` are the template's other settings by key, as typed in the Settings tab
    (``{"rfm_scoring": "thresholds", "map.amount": "Prix"}``). ``decimal="auto"`` reads
    amounts typed as text with a decimal point in a comma-separated file, else a decimal comma.
    ``out_dir`` is created if needed.
    """
    template = known_template(template_id, lang)
    known = {s.key for s in template.settings}
    for key in options or {}:
        _check("set", key, tuple(sorted(known - {"period", "date_order", "decimal"})), lang)
    _check("period", period, ("month", "quarter", "year"), lang)
    _check("date-order", date_order, ("auto", "day_first", "month_first"), lang)
    _check("decimal", decimal, ("auto", "comma", "point"), lang)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KcError("analyze.out_is_file", lang=lang, path=str(out_dir))
    triples = [(0, "template", template.id), (0, "lang", lang), (0, "period", period),
               (0, "date_order", date_order), (0, "decimal", "comma" if decimal == "auto"
                                                else decimal)]
    triples += [(0, k, v) for k, v in (options or {}).items()]
    settings = read_settings(triples, tab="--set", lang=lang, settings=template.settings)
    report("read")
    raw, sep = read_table(Path(path), lang)
    if decimal == "auto":
        settings.decimal = "point" if sep == "," else "comma"
    ingest = replace(ingest_options(settings, ""), mapping_rows={}, labels="analyze")
    ingested, blocks = run_analyses(template, raw, settings, "", ingest)
    blocks.update(quality_blocks(ingested, lang, limit=None))
    blocks.pop("quality.notes", None)
    report("write")
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_csv(frame, out_dir / f"{name}.csv") for name, frame in blocks.items()]
