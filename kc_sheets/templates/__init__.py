"""Templates described as data. ``get(id)`` returns one; ``TEMPLATE_IDS`` lists them."""

from __future__ import annotations

from kc_sheets.templates.model import Template


def _registry() -> dict[str, Template]:
    from kc_sheets.templates import all_in_one, churn, cohorts, first_vs_repeat, rfm

    return {t.id: t for t in (first_vs_repeat.TEMPLATE, rfm.TEMPLATE, cohorts.TEMPLATE,
                              churn.TEMPLATE, all_in_one.TEMPLATE)}


def get(template_id: str) -> Template:
    registry = _registry()
    if template_id not in registry:
        raise KeyError(template_id)
    return registry[template_id]


def all_templates() -> list[Template]:
    return list(_registry().values())
