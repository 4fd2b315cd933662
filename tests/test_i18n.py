"""Every text key the code asks for is registered, in French and in English."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import kc_sheets
from kc_sheets.i18n import _TEXTS
from kc_sheets.templates import all_templates

PACKAGE = Path(kc_sheets.__file__).parent


def all_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages([str(PACKAGE)], "kc_sheets.")
            if not m.name.endswith("__main__")]


def literal_keys() -> dict[str, str]:
    """Key -> where: the first argument of every ``t("...")``, ``KcError("...")`` and
    ``Label("...")`` / ``Label.of("...")`` call written as a literal in the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and _called(node.func) in ("t", "KcError", "Label",
                                                                     "Label.of") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value,
                                 f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _called(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def test_every_key_used_in_the_code_is_registered_in_both_languages() -> None:
    for name in all_modules():
        importlib.import_module(name)          # every module registers its texts
    keys = literal_keys()
    assert len(keys) > 100
    missing = {k: where for k, where in keys.items() if k not in _TEXTS}
    assert missing == {}
    assert all(fr.strip() and en.strip() for fr, en in _TEXTS.values())


def test_every_label_of_every_template_is_registered() -> None:
    for template in all_templates():
        labels = {template.title, template.summary}
        for tab in template.tabs:
            labels.add(tab.title)
            labels |= {t.label for t in tab.texts if t.label}
            for block in tab.blocks:
                labels |= {c.label for c in block.columns}
                labels |= {block.extra_label} - {""}
            labels |= {c.title for c in tab.charts}
        for setting in template.settings:
            labels |= {setting.label, setting.help} | {c.label for c in setting.choices}
        for entry in template.glossary:
            labels |= {entry.term, entry.definition}
        assert sorted(labels - set(_TEXTS)) == [], template.id
