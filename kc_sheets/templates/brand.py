"""Branding: who distributes a template (name, colours, logo, contact line).

A consultant who hands templates to clients puts their own name on them with a small TOML file::

    name = "Cabinet Martin Data"
    contact = "contact@martin-data.fr · 01 23 45 67 89"
    primary = "#1F3A5F"     # titles, table headers
    accent = "#E07A1F"      # key figures, tab colours
    logo = "logo.png"       # optional, relative to the TOML file

Every field is optional; the defaults are kc_sheets' own colours.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from kc_sheets.errors import KcError
from kc_sheets.i18n import register

register({
    "brand.bad_file": ("fichier de marque illisible ({detail}). Voir docs/brand.example.toml.",
                       "unreadable brand file ({detail}). See docs/brand.example.toml."),
    "brand.bad_colour": ("couleur « {value} » invalide pour « {setting} » : écrivez-la comme #1F3A5F.",
                         "invalid colour '{value}' for '{setting}': write it as #1F3A5F."),
    "brand.no_logo": ("logo introuvable : {path}", "logo not found: {path}"),
})

_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


@dataclass(frozen=True)
class Brand:
    name: str = "kc_sheets"
    contact: str = ""
    primary: str = "1F3A5F"
    accent: str = "E07A1F"
    light: str = "EEF2F7"
    logo: Path | None = None

    @property
    def is_default(self) -> bool:
        return self == Brand()


DEFAULT_BRAND = Brand()


def load_brand(path: Path | str | None) -> Brand:
    """The brand described by a TOML file (the default brand when ``path`` is None)."""
    if path is None:
        return DEFAULT_BRAND
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KcError("brand.bad_file", detail=f"{path}: {exc}") from None
    brand = DEFAULT_BRAND
    for key in ("name", "contact"):
        if key in data:
            brand = replace(brand, **{key: str(data[key])})
    for key in ("primary", "accent", "light"):
        if key in data:
            match = _HEX.match(str(data[key]).strip())
            if not match:
                raise KcError("brand.bad_colour", setting=key, value=data[key])
            brand = replace(brand, **{key: match.group(1).upper()})
    if data.get("logo"):
        logo = (path.parent / str(data["logo"])).resolve()
        if not logo.is_file():
            raise KcError("brand.no_logo", path=str(logo))
        brand = replace(brand, logo=logo)
    return brand
