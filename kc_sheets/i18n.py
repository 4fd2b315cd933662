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
