"""Delimited text files (.csv, .tsv, .txt) as Raw Data: every cell as the text it is.

Encodings: UTF-8 (with or without BOM), UTF-16 LE/BE (Excel's "Unicode text", tab-separated,
always with a BOM; without one it is recognised by its zero bytes), then Windows-1252 (a French
Excel's "CSV (séparateur : point-virgule)"); anything else is refused with what to do, never
decoded into replacement characters. The separator (tab, ``;``, ``,`` or ``|``) is the one the
header line uses most, outside quotes. Values stay text: id ``007`` stays ``007``.

A row with more values than headers is refused with its row number: a separator inside an
unquoted value (``1,234.56`` in a comma file) would shift every later column, a silently wrong
number. Short rows (trailing empty values left out) are padded with empty cells.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register
from kc_sheets.ingest.transactions import RawTable

register({
    "csv.empty_file": (
        "le fichier « {name} » est vide (0 octet). Exportez à nouveau vos commandes, avec une "
        "ligne d'en-têtes puis une ligne par commande.",
        "file '{name}' is empty (0 bytes). Export your orders again, with a header row then one "
        "row per order."),
    "csv.no_rows": (
        "le fichier « {name} » est vide : il n'a que sa ligne d'en-têtes ({headers}) et aucune "
        "commande. Exportez à nouveau en incluant les lignes de données.",
        "file '{name}' is empty: it has only its header row ({headers}) and no orders. Export "
        "it again with its data rows."),
    "csv.blank": ("le fichier « {name} » ne contient que des lignes vides. Exportez à nouveau "
                  "vos commandes, avec une ligne d'en-têtes.",
                  "file '{name}' holds only blank lines. Export your orders again, with a "
                  "header row."),
    "csv.encoding": (
        "le fichier « {name} » n'est ni en UTF-8, ni en UTF-16, ni en Windows-1252 (octet "
        "illisible en position {position}). Enregistrez-le en « CSV UTF-8 » depuis votre "
        "tableur, puis relancez.",
        "file '{name}' is neither UTF-8, UTF-16 nor Windows-1252 (unreadable byte at position "
        "{position}). Save it as 'CSV UTF-8' from your spreadsheet, then run again."),
    "csv.binary": (
        "le fichier « {name} » n'est pas un fichier texte (il contient des octets nuls). "
        "Enregistrez vos commandes au format CSV, puis relancez.",
        "file '{name}' is not a text file (it holds null bytes). Save your orders as CSV, then "
        "run again."),
    "csv.long_row": (
        "{count} valeurs pour {headers} en-têtes (séparateur « {sep} »). Une valeur contient "
        "sans doute le séparateur sans être entre guillemets (par ex. 1,234.56 dans un fichier "
        "séparé par des virgules) : les colonnes suivantes seraient décalées. Entourez cette "
        "valeur de guillemets ou exportez à nouveau le fichier.",
        "{count} values for {headers} headers (separator '{sep}'). A value probably holds the "
        "separator without quotes (e.g. 1,234.56 in a comma-separated file): the next columns "
        "would be shifted. Put that value in quotes or export the file again."),
    "csv.bad_quotes": (
        "guillemets non refermés ({detail}). Corrigez la ligne ou exportez à nouveau le fichier.",
        "unclosed quotes ({detail}). Fix the row or export the file again."),
})

SEPARATORS = ("\t", ";", ",", "|")
_SEP_NAMES = {"\t": "tab", ";": ";", ",": ",", "|": "|"}


@dataclass(frozen=True)
class TextTable:
    raw: RawTable
    separator: str
    encoding: str


def decode(data: bytes, name: str, lang: Lang = "fr") -> tuple[str, str]:
    """The text of a file and the encoding it was in (see the module's docstring)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _strict(data, encoding, name, lang), encoding
    sample = data[:4096]
    if len(sample) >= 4 and b"\0" in sample:
        odd, even = sample[1::2], sample[0::2]
        if odd.count(0) > len(odd) * 0.4 and even.count(0) == 0:
            return _strict(data, "utf-16-le", name, lang), "utf-16-le"
        if even.count(0) > len(even) * 0.4 and odd.count(0) == 0:
            return _strict(data, "utf-16-be", name, lang), "utf-16-be"
        raise KcError("csv.binary", lang=lang, name=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _strict(data, "cp1252", name, lang), "cp1252"


def _strict(data: bytes, encoding: str, name: str, lang: Lang) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise KcError("csv.encoding", lang=lang, name=name, position=exc.start) from None
    if "\0" in text:
        raise KcError("csv.binary", lang=lang, name=name)
    return text


def separator(header_line: str) -> str:
    """The separator the header line uses most outside quotes (tab first on a tie).

    >>> separator('"Montant (€, TTC)";Date;Client'), separator("a,b\\tc\\td")
    (';', '\\t')
    """
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(SEPARATORS, key=lambda s: counts[s])   # max keeps the first of equals


def read_text_table(path: Path, lang: Lang = "fr") -> TextTable:
    """A delimited text file as Raw Data (``tab`` is the file name)."""
    path = Path(path)
    data = path.read_bytes()
    if not data:
        raise KcError("csv.empty_file", lang=lang, name=path.name)
    text, encoding = decode(data, path.name, lang)
    header_line = next((line for line in io.StringIO(text) if line.strip()), None)
    if header_line is None:
        raise KcError("csv.blank", lang=lang, name=path.name)
    sep = separator(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=False)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise KcError("csv.bad_quotes", tab=path.name, lang=lang, detail=str(exc)) from None
    header_row = 1                                         # as a spreadsheet opening it numbers
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)                                     # blank lines above the headers
        header_row += 1
    headers = tuple(cell.strip() for cell in records[0])
    rows = records[1:]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()                                         # blank lines at the end
    if not rows:
        shown = ", ".join(h for h in headers if h)[:200] or "-"
        raise KcError("csv.no_rows", lang=lang, name=path.name, headers=shown)
    width = len(headers)
    for number, row in enumerate(rows, start=header_row + 1):
        if len(row) > width:
            if any(cell.strip() for cell in row[width:]):
                raise KcError("csv.long_row", tab=path.name, row=number, lang=lang,
                              count=len(row), headers=width, sep=_SEP_NAMES[sep])
            del row[width:]                                # trailing empty values only
        elif len(row) < width:
            row.extend([""] * (width - len(row)))
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(width)], dtype=object)
    frame = frame.where(frame != "", None)
    return TextTable(RawTable(frame, headers, header_row + 1, 1, path.name), sep, encoding)
