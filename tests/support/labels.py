"""Result tables as a reader sees them: the analyses compute labels (keys), Calculate translates
them at the edge; these helpers do the same for tests that read the words."""

from __future__ import annotations

import pandas as pd

from kc_sheets.i18n import translate_block
from kc_sheets.templates import all_templates

all_templates()              # every template loaded: its analyses' texts registered


def words(result, lang: str = "en"):
    """A frame, or a dict of frames, translated into ``lang`` (as Calculate writes them)."""
    if isinstance(result, pd.DataFrame):
        return translate_block(result, lang)
    return {name: translate_block(frame, lang) for name, frame in result.items()}


def analysed(module, ctx) -> dict[str, pd.DataFrame]:
    """``module.analyse(ctx)``, translated into the context's language."""
    return words(module.analyse(ctx), ctx.lang)
