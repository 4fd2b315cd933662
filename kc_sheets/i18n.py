"""Every text a user reads, in French and English.

Labels are looked up by a stable key; templates, the quality report and error messages all go
through :func:`t`, so a missing translation is a test failure, not a surprise in front of a user.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")

_TEXTS: dict[str, tuple[str, str]] = {}


def register(texts: dict[str, tuple[str, str]]) -> None:
    """Add labels (key -> (French, English)). A key may only be defined once."""
    for key, pair in texts.items():
        if key in _TEXTS and _TEXTS[key] != pair:
            raise ValueError(f"label {key!r} defined twice")
        if len(pair) != 2 or not all(isinstance(p, str) and p for p in pair):
            raise ValueError(f"label {key!r} needs a French and an English text")
        _TEXTS[key] = pair


def t(key: str, lang: Lang = "fr", **params: object) -> str:
    """The text of ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``.

    >>> register({"demo.hello": ("Bonjour {name}", "Hello {name}")})
    >>> t("demo.hello", "en", name="Ana")
    'Hello Ana'
    """
    try:
        pair = _TEXTS[key]
    except KeyError:
        raise KeyError(f"no label {key!r}") from None
    text = pair[0] if lang == "fr" else pair[1]
    return text.format(**params) if params else text


def all_texts(key: str) -> tuple[str, str]:
    """Both texts of a key (French, English)."""
    return _TEXTS[key]


def keys() -> list[str]:
    return sorted(_TEXTS)


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang  # type: ignore[return-value]


def number(value: float, lang: Lang = "fr", decimals: int = 0, suffix: str = "") -> str:
    """A number as a reader of ``lang`` writes it.

    >>> number(1234567.891, "fr", 2, " €"), number(1234567.891, "en", 2)
    ('1\u202f234\u202f567,89 €', '1,234,567.89')
    """
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text + suffix


_NOUNS = {"row": (("ligne", "lignes"), ("row", "rows")),
          "order": (("commande", "commandes"), ("order", "orders"))}


def count(n: int, noun: str, lang: Lang = "fr") -> str:
    """A count with its noun agreed: "1 ligne", "3 lignes", "1 row".

    >>> count(1, "row"), count(1234, "order", "en")
    ('1 ligne', '1,234 orders')
    """
    one, many = _NOUNS[noun][0 if lang == "fr" else 1]
    return f"{number(n, lang)} {one if abs(n) < 2 else many}"


def render(value: object, lang: Lang = "fr") -> object:
    """A value of a result table as a reader of ``lang`` reads it: a ``Label`` becomes its text
    (its parameters rendered first), a ``Number`` or ``Day`` its written form; anything else is
    returned as it is.

    >>> from kc_sheets.analyses.labels import Day, Label, Number
    >>> register({"demo.spent": ("{who} a dépensé {amount} le {day}",
    ...                          "{who} spent {amount} on {day}")})
    >>> import pandas as pd
    >>> label = Label.of("demo.spent", who="Ana", amount=Number(1234.5, 2),
    ...                  day=Day(pd.Timestamp("2024-01-31")))
    >>> render(label, "fr"), render(label, "en")
    ('Ana a dépensé 1 234,50 le 31/01/2024', 'Ana spent 1,234.50 on 2024-01-31')
    """
    from kc_sheets.analyses.labels import Day, Label, Number

    if isinstance(value, Label):
        return t(value.key, lang, **{k: render(v, lang) for k, v in value.params})
    if isinstance(value, Number):
        return number(value.value, lang, value.decimals)
    if isinstance(value, Day):
        return value.value.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")
    return value


def _has_labels(values) -> bool:
    from kc_sheets.analyses.labels import Day, Label, Number

    return any(isinstance(v, (Label, Number, Day)) for v in values)


def translate_block(frame, lang: Lang = "fr"):
    """``frame`` with every label (in cells and column names) replaced by its text in ``lang``.

    A Categorical column has its categories translated (then becomes text); an object column is
    translated value by distinct value. Columns without labels are left as they are, untouched.
    """
    import numpy as np
    import pandas as pd

    out = None
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            if not _has_labels(column.cat.categories):
                continue
            texts = [render(c, lang) for c in column.cat.categories]
            codes = column.cat.codes.to_numpy()
            if all(isinstance(x, str) for x in texts):     # taken by Arrow: no Python loop
                import pyarrow as pa

                taken = pa.array(texts, pa.large_string()).take(
                    pa.array(codes, mask=codes < 0))
                values = pd.Series(pd.array(taken, dtype="str"), index=frame.index)
            else:
                values = pd.Series(np.array(texts + [None], dtype=object)[codes],
                                   index=frame.index)
        elif column.dtype == object:
            distinct = pd.unique(column)
            if not _has_labels(distinct):
                continue
            texts = {v: render(v, lang) for v in distinct}
            values = column.map(texts)
            if all(isinstance(x, str) or pd.isna(x) for x in texts.values()):
                values = values.astype("str")
        else:
            continue
        out = frame.copy() if out is None else out
        out.isetitem(position, values)
    names = list(frame.columns)
    if _has_labels(names):
        out = frame.copy() if out is None else out
        out.columns = [render(n, lang) for n in names]
    return frame if out is None else out

