"""Templates described as data. ``get(id)`` returns one; ``all_templates()`` lists them;
``register(template)`` adds one (a plug-in's, a test's) beside the shipped ones."""

from __future__ import annotations

from kc_sheets.templates.model import Template

_EXTRA: dict[str, Template] = {}


def _registry() -> dict[str, Template]:
    from kc_sheets.templates import all_in_one, churn, cohorts, first_vs_repeat, rfm

    shipped = {t.id: t for t in (first_vs_repeat.TEMPLATE, rfm.TEMPLATE, cohorts.TEMPLATE,
                                 churn.TEMPLATE, all_in_one.TEMPLATE)}
    return {**shipped, **_EXTRA}


def register(template: Template) -> Template:
    """Make ``template`` known by its id to every entry point (Calculate reads the id in the
    Settings tab); a shipped template cannot be replaced."""
    from kc_sheets.templates import all_in_one  # noqa: F401  (the shipped ones, loaded)

    if template.id in _registry() and template.id not in _EXTRA:
        raise ValueError(f"template {template.id!r} is a shipped template")
    _EXTRA[template.id] = template
    return template


def unregister(template_id: str) -> None:
    _EXTRA.pop(template_id, None)


def get(template_id: str) -> Template:
    registry = _registry()
    if template_id not in registry:
        raise KeyError(template_id)
    return registry[template_id]


def all_templates(*, shipped_only: bool = True) -> list[Template]:
    """The shipped templates (and, with ``shipped_only=False``, the registered ones)."""
    return [t for t in _registry().values() if not shipped_only or t.id not in _EXTRA]
