"""The choices a command-line option accepts, listed in its help from the registries (never
typed twice): template ids and languages."""

from __future__ import annotations

from kc_sheets.i18n import LANGS


def template_ids() -> list[str]:
    from kc_sheets.templates import all_templates

    return [spec.id for spec in all_templates()]


def template_help(text: str = "Template") -> str:
    """``text`` followed by the template ids, e.g. "Template: first-vs-repeat, rfm, …"."""
    return f"{text}: {', '.join(template_ids())}."


def lang_help(text: str = "Language") -> str:
    """``text`` followed by the languages, e.g. "Language: fr, en."."""
    return f"{text}: {', '.join(LANGS)}."
