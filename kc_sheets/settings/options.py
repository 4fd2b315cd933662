"""The Settings tab read into each analysis's typed options (:class:`RfmOptions`,
:class:`RetentionOptions`, :class:`PeriodOptions`), and every message about a value typed
there: "Paramètres, ligne N, colonne C: ...". The analyses never read Settings text: they
receive these objects (``Context.options``), built before any order is read.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kc_sheets.analyses.periods import PeriodOptions, check_period
from kc_sheets.analyses.retention import DEFAULT_WINDOW_MONTHS, RetentionOptions
from kc_sheets.analyses.rfm import CRITERIA, DEFAULT_THRESHOLDS, TEXTS as RFM_TEXTS, RfmOptions
from kc_sheets.analyses.rfm_segments import DEFAULT_GRID, FORMER_LABELS, SEGMENT_KEYS
from kc_sheets.cells import col_letter
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, all_texts, register, t
from kc_sheets.settings import SETTINGS_VALUE_COL
from kc_sheets.ingest.parsing import normalize_header, parse_amounts, parse_dates

register(RFM_TEXTS)          # segment and criterion names, read back in a Settings grid
register({
    "rfm.bad_date": (
        "date d'analyse RFM non reconnue : « {value} ». Saisissez une date (31/12/2024) ou laissez "
        "vide pour le lendemain de la dernière commande.",
        "RFM analysis date not recognised: '{value}'. Type a date (2024-12-31) or leave it empty "
        "for the day after the last order."),
    "rfm.bad_thresholds": (
        "seuils de {criterion} non reconnus : « {value} ». Saisissez 4 nombres séparés par des "
        "points-virgules, par exemple {example}.",
        "{criterion} thresholds not recognised: '{value}'. Type 4 numbers separated by "
        "semicolons, for example {example}."),
    "rfm.bad_grid": (
        "case R {r} / FM {fm} de la grille RFM : « {value} » n'est pas un segment. Choisissez "
        "parmi : {choices}.",
        "RFM grid cell R {r} / FM {fm}: '{value}' is not a segment. Pick one of: {choices}."),
    "retention.bad_window": (
        "fenêtre de rétention « {value} » non reconnue : indiquez un nombre entier de mois, "
        "au moins 1 (12 par défaut).",
        "retention window '{value}' not recognised: type a whole number of months, at least 1 "
        "(12 by default)."),
})

def located_error(error: KcError, settings: object, key: str, lang: Lang) -> KcError:
    """``error`` pointing at the Settings cell of ``key``: tab, row, column C."""
    rows = getattr(settings, "rows", None) or {}
    if error.tab or key not in rows:
        return error
    return KcError(error.key, tab=getattr(settings, "tab", "") or t("tab.settings", lang),
                   row=rows[key], column=col_letter(SETTINGS_VALUE_COL), lang=lang, **error.params)


def period_options(settings: object, lang: Lang = "fr") -> PeriodOptions:
    """The analysis period (month, quarter, year; a drop-down, already checked by Settings)."""
    return PeriodOptions(check_period(getattr(settings, "period", "month") or "month"))


def retention_options(settings: object, lang: Lang = "fr") -> RetentionOptions:
    """The period and ``retention_window_months``, a whole number of months (12 when empty)."""
    return RetentionOptions(period_options(settings, lang).period,
                            window_months(settings, lang))


def window_months(settings: object, lang: Lang = "fr") -> int:
    """``settings.retention_window_months`` as a whole number of months (12 when absent).

    >>> from types import SimpleNamespace
    >>> window_months(SimpleNamespace(retention_window_months="24"))
    24
    """
    value = getattr(settings, "retention_window_months", None)
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_WINDOW_MONTHS
    try:
        months = float(str(value).strip().replace(",", "."))
    except ValueError:
        months = 0.0
    if months < 1 or not months.is_integer():
        raise located_error(KcError("retention.bad_window", lang=lang, value=value), settings,
                            "retention_window_months", lang)
    return int(months)


def rfm_options(settings: object, lang: Lang = "fr") -> RfmOptions:
    """RfmOptions from the attributes ``rfm_analysis_date``, ``rfm_monetary``, ``rfm_scoring``,
    ``rfm_thresholds`` (criterion -> 4 numbers or a text such as "30; 90; 180; 365") and
    ``rfm_grid`` (a mapping (R, FM) -> key, or 5 rows of 5 cells, see :func:`grid_from_cells`)
    of a Settings object, when it has them."""
    def located(key: str, read):
        """``read()``, its error pointing at the Settings row of ``key`` when there is one."""
        try:
            return read()
        except KcError as error:
            raise located_error(error, settings, key, lang) from None

    grid = getattr(settings, "rfm_grid", None)
    if grid is None or isinstance(grid, Mapping):
        grid = dict(grid or DEFAULT_GRID)
    else:                                              # 5 rows of 5 cells (lists, a DataFrame)
        grid = grid_from_cells(np.asarray(grid, dtype=object).tolist(), lang)
    typed = getattr(settings, "rfm_thresholds", None) or {}
    cuts = {c: typed.get(c) for c in CRITERIA}
    return RfmOptions(
        analysis_date=located("rfm_analysis_date", lambda: parse_analysis_date(
            getattr(settings, "rfm_analysis_date", None), lang)),
        monetary=getattr(settings, "rfm_monetary", None) or "revenue",
        scoring=getattr(settings, "rfm_scoring", None) or "quintiles",
        thresholds={c: DEFAULT_THRESHOLDS[c] if v is None or (isinstance(v, str) and not v.strip())
                    else located(f"rfm_thresholds.{c}", lambda v=v, c=c: parse_cut_points(
                        v, c, lang)) for c, v in cuts.items()},
        grid=grid)


def parse_analysis_date(value: object, lang: Lang = "fr") -> pd.Timestamp | None:
    """A date as typed in Settings (a date, 31/12/2024, 2024-12-31, an Excel serial), at
    midnight; None when empty.

    >>> parse_analysis_date("31/12/2024"), parse_analysis_date("")
    (Timestamp('2024-12-31 00:00:00'), None)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = parse_dates(pd.Series([value], dtype=object))
    if parsed.status.iloc[0] != "ok":
        raise KcError("rfm.bad_date", lang=lang, value=value)
    return pd.Timestamp(parsed.values.iloc[0]).normalize()


def parse_cut_points(value: object, criterion: str = "monetary",
                     lang: Lang = "fr") -> tuple[float, ...]:
    """Four cut points, typed as numbers or as one text ("30; 90; 180; 365", "1 000;2 500,50").

    >>> parse_cut_points("365; 30; 90; 180", "recency"), parse_cut_points([2, 3, 5, 10])
    ((30.0, 90.0, 180.0, 365.0), (2.0, 3.0, 5.0, 10.0))
    """
    if isinstance(value, str):
        pieces = [p for p in value.replace("|", ";").split(";") if p.strip()]
        if len(pieces) == 1:                          # "30 90 180 365", "30, 90, 180, 365"
            pieces = [p.rstrip(",") for p in value.split()]
    elif isinstance(value, Iterable):
        pieces = list(value)
    else:
        pieces = [value]
    parsed = parse_amounts(pd.Series(pieces, dtype=object), decimal_comma=None)
    if len(pieces) != 4 or (parsed.status != "ok").any():
        raise KcError("rfm.bad_thresholds", lang=lang, value=value,
                      criterion=t(f"rfm.criterion.{criterion}", lang).lower(),
                      example="; ".join(f"{c:g}" for c in DEFAULT_THRESHOLDS[criterion]))
    return tuple(sorted(float(v) for v in parsed.values))


def grid_from_cells(rows: Sequence[Sequence[object]], lang: Lang = "fr") -> dict[tuple[int, int],
                                                                                 str]:
    """The grid typed in Settings: 5 rows (R 5 at the top down to R 1) of 5 cells (FM 1 to 5),
    each a segment key or its French or English label (case and accents ignored)."""
    names = {normalize_header(n): key for key in SEGMENT_KEYS
             for n in (key, *all_texts(f"rfm.segment.{key}"), *FORMER_LABELS.get(key, ()))}
    grid = {}
    for i, r in enumerate(range(5, 0, -1)):
        row = list(rows[i]) if i < len(rows) else []
        for fm in range(1, 6):
            value = row[fm - 1] if fm <= len(row) else None
            key = names.get(normalize_header(value if value is not None else ""))
            if key is None:
                raise KcError("rfm.bad_grid", lang=lang, r=r, fm=fm, value=value or "",
                              choices=", ".join(t(f"rfm.segment.{k}", lang) for k in SEGMENT_KEYS))
            grid[(r, fm)] = key
    return grid



READERS = {PeriodOptions: period_options, RetentionOptions: retention_options,
           RfmOptions: rfm_options}


def read_options(analyses: Iterable, settings: object, lang: Lang = "fr") -> dict[type, object]:
    """The options every analysis of ``analyses`` takes (its ``options`` class), read from
    ``settings``; a value that cannot be read is a :class:`KcError` naming its cell."""
    out: dict[type, object] = {}
    for analysis in analyses:
        for kind in getattr(analysis, "options", ()) or ():
            if kind not in out:
                out[kind] = READERS[kind](settings, lang)
    return out
