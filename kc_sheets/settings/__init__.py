"""The Settings tab ("Paramètres"): what a user may choose, and how we read it back.

The tab is a table with a hidden first column of stable keys (``period``, ``map.amount``...), the
label in column B and the value in column C. Choices are drop-down lists whose labels are
accepted in French and English, so a workbook keeps working if someone types "Mois" or "Month".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kc_sheets.errors import KcError
from kc_sheets.ingest.fields import FIELDS
from kc_sheets.i18n import Lang, all_texts, register, t
from kc_sheets.ingest.parsing import normalize_header
from kc_sheets.cells import col_letter
from kc_sheets.templates.model import Choice, GridSetting, Setting

SETTINGS_KEY_COL, SETTINGS_LABEL_COL, SETTINGS_VALUE_COL = 1, 2, 3
SETTINGS_FIRST_ROW = 6

register({
    "setting.template": ("Modèle", "Template"),
    "setting.template.help": ("Identifiant du modèle (ne pas modifier).",
                              "Template identifier (do not change)."),
    "setting.lang": ("Langue", "Language"),
    "setting.lang.help": ("Langue des résultats et des messages (fr ou en).",
                          "Language of results and messages (fr or en)."),
    "setting.period": ("Période d'analyse", "Analysis period"),
    "setting.period.help": ("Regroupe les résultats par mois, trimestre ou année.",
                            "Groups results by month, quarter or year."),
    "choice.month": ("Mois", "Month"),
    "choice.quarter": ("Trimestre", "Quarter"),
    "choice.year": ("Année", "Year"),
    "setting.date_order": ("Dates écrites en texte", "Dates written as text"),
    "setting.date_order.help": (
        "Pour les dates saisies en texte comme 03/04/2024 : jour en premier (3 avril), mois en "
        "premier (4 mars), ou automatique (jour en premier sauf si une date l'exclut).",
        "For dates typed as text such as 03/04/2024: day first (3 April), month first (March 4), "
        "or automatic (day first unless some date rules it out)."),
    "choice.auto": ("Automatique", "Automatic"),
    "choice.day_first": ("Jour en premier (31/12/2024)", "Day first (31/12/2024)"),
    "choice.month_first": ("Mois en premier (12/31/2024)", "Month first (12/31/2024)"),
    "setting.decimal": ("Montants écrits en texte", "Amounts written as text"),
    "setting.decimal.help": (
        "Séparateur décimal des montants saisis en texte (1 234,56 ou 1,234.56). Sans effet sur "
        "les nombres déjà reconnus par le tableur.",
        "Decimal separator of amounts typed as text (1 234,56 or 1,234.56). No effect on cells "
        "the spreadsheet already holds as numbers."),
    "choice.comma": ("Virgule décimale (1 234,56)", "Decimal comma (1 234,56)"),
    "choice.point": ("Point décimal (1,234.56)", "Decimal point (1,234.56)"),
    "setting.map.help": (
        "Laissez vide : la colonne est reconnue d'après son en-tête. Sinon, l'en-tête exact ou la "
        "lettre de la colonne dans Raw Data.",
        "Leave empty: the column is recognised from its header. Otherwise, the exact header or "
        "the column letter in Raw Data."),
    "settings.bad_choice": ("valeur « {value} » non reconnue. Choisissez dans la liste : {choices}.",
                            "value '{value}' not recognised. Pick from the list: {choices}."),
})
register({f"setting.map.{f.key}": (f"Colonne « {all_texts('field.' + f.key)[0]} »",
                                   f"'{all_texts('field.' + f.key)[1]}' column") for f in FIELDS})

BASE_SETTINGS: tuple[Setting, ...] = (
    Setting("period", "setting.period", "setting.period.help", "month",
            (Choice("month", "choice.month"), Choice("quarter", "choice.quarter"),
             Choice("year", "choice.year"))),
    Setting("date_order", "setting.date_order", "setting.date_order.help", "auto",
            (Choice("auto", "choice.auto"), Choice("day_first", "choice.day_first"),
             Choice("month_first", "choice.month_first"))),
    Setting("decimal", "setting.decimal", "setting.decimal.help", "comma",
            (Choice("comma", "choice.comma"), Choice("point", "choice.point"))),
)
MAPPING_SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f"map.{f.key}", f"setting.map.{f.key}", "setting.map.help") for f in FIELDS)
COMMON_SETTINGS = BASE_SETTINGS + MAPPING_SETTINGS


def with_settings(*extra: tuple[Setting, ...]) -> tuple[Setting, ...]:
    """A template's Settings rows: the common choices, its own settings, then the column
    mapping (long and rarely needed, so last)."""
    seen: set[str] = set()
    own = tuple(s for group in extra for s in group if not (s.key in seen or seen.add(s.key)))
    return BASE_SETTINGS + own + MAPPING_SETTINGS

IDENTITY_SETTINGS: tuple[Setting, ...] = (
    Setting("template", "setting.template", "setting.template.help"),
    Setting("lang", "setting.lang", "setting.lang.help"),
)


@dataclass
class Settings:
    """What the Settings tab says, with the row each value came from (for error messages)."""

    template_id: str = ""
    lang: Lang = "fr"
    period: str = "month"
    date_order: str = "auto"
    decimal: str = "comma"
    mapping: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    tab: str = ""                # the Settings tab's name, for messages about its cells

    def __getattr__(self, name: str) -> object:
        """Template settings (``rfm_scoring``, ``retention_window_months``...) as attributes;
        a name the template has no setting for is an AttributeError (``getattr(settings,
        name, default)`` gives the default)."""
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    @property
    def day_first(self) -> bool | None:
        return {"auto": None, "day_first": True, "month_first": False}[self.date_order]

    @property
    def decimal_comma(self) -> bool:
        return self.decimal == "comma"


def read_settings(rows: list[tuple[int, str, object]], *, tab: str, lang: Lang = "fr",
                  settings: tuple[Setting, ...] = COMMON_SETTINGS,
                  grids: tuple[GridSetting, ...] = (),
                  cells: list[list[object]] | None = None) -> Settings:
    """Settings from the tab's (row number, key, value) triples; unknown keys are ignored.

    A key ``name.part`` fills ``values[name][part]`` (e.g. the three RFM threshold rows make one
    ``rfm_thresholds`` mapping). ``grids`` are read from ``cells``, the tab's rows.
    """
    by_key = {s.key: s for s in settings + IDENTITY_SETTINGS}
    values: dict[str, tuple[int, str]] = {}
    originals: dict[str, object] = {}
    for row, key, value in rows:
        key = str(key or "").strip()
        if key in by_key:
            text = "" if value is None else str(value).strip()
            if text.endswith(".0") and text[:-2].isdigit():
                text = text[:-2]
            values[key] = (row, text)
            originals[key] = value
    out = Settings(rows={k: r for k, (r, _) in values.items()}, tab=tab)
    if "lang" in values and values["lang"][1] in ("fr", "en"):
        out.lang = values["lang"][1]  # type: ignore[assignment]
    lang = out.lang or lang
    out.template_id = values.get("template", (0, ""))[1]
    for key, spec in by_key.items():
        if key in ("template", "lang"):
            continue
        row, text = values.get(key, (0, ""))
        if key.startswith("map."):
            if text:
                out.mapping[key[4:]] = text
            continue
        if spec.choices:
            value = _choice(spec, text, row, tab, lang) if text else spec.default
        elif spec.kind == "date" and text:
            value = originals[key]                    # a date cell stays a date
        else:
            value = text or spec.default
        if key in Settings.__dataclass_fields__:
            setattr(out, key, value)
        elif "." in key:
            name, part = key.split(".", 1)
            out.values.setdefault(name, {})[part] = value
        else:
            out.values[key] = value
    for grid in grids:
        out.values[grid.key] = read_grid(cells or [], grid, tab, lang)
        out.rows[grid.key] = grid.first_cell[0]
    return out


def read_grid(cells: list[list[object]], spec: GridSetting, tab: str,
              lang: Lang = "fr") -> list[list[str]]:
    """The grid's cells as choice keys; an empty or unknown cell is a clear error (tab, row,
    column, the choices)."""
    names = {normalize_header(n): key for key in spec.choices
             for n in (key.rsplit(".", 1)[-1], *all_texts(key))}
    names.update({normalize_header(label): key for key, label in spec.former})
    first_row, first_col = spec.first_cell
    out = []
    for i in range(len(spec.row_labels)):
        row_cells = cells[first_row - 1 + i] if first_row - 1 + i < len(cells) else []
        keys = []
        for j in range(len(spec.col_labels)):
            index = first_col - 1 + j
            value = row_cells[index] if index < len(row_cells) else None
            text = "" if value is None else str(value).strip()
            key = names.get(normalize_header(text))
            if key is None:
                raise KcError("settings.bad_choice", tab=tab, row=first_row + i,
                              column=col_letter(first_col + j), lang=lang, value=text,
                              choices=", ".join(t(c, lang) for c in spec.choices))
            keys.append(key.rsplit(".", 1)[-1])
        out.append(keys)
    return out


def _choice(spec: Setting, text: str, row: int, tab: str, lang: Lang) -> str:
    wanted = normalize_header(text)
    for choice in spec.choices:
        names = {choice.value, *all_texts(choice.label)}
        if wanted in {normalize_header(n) for n in names}:
            return choice.value
    raise KcError("settings.bad_choice", tab=tab, row=row or None,
                  column=col_letter(SETTINGS_VALUE_COL), lang=lang,
                  value=text, choices=", ".join(t(c.label, lang) for c in spec.choices))
