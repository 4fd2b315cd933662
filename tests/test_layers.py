"""The layers of ARCHITECTURE.md hold: what each part of the package may import.

The analyses are checked by importing them in a fresh interpreter and looking at what got
loaded (numpy, pandas and their own modules only); the other rules read each module's import
statements (top-level and inside functions).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import kc_sheets

PACKAGE = Path(kc_sheets.__file__).parent
ANALYSES = sorted(f"kc_sheets.analyses.{p.stem}" for p in (PACKAGE / "analyses").glob("*.py")
                  if p.stem != "__init__")
# Still imported by the analyses: the texts of their labels and notes, translated where they
# are computed. Next step (ARCHITECTURE.md, "What is not done yet"): frames of keys, translated
# when written.
ALLOWED_IN_ANALYSES = {"kc_sheets"}


def loaded_by(modules: list[str]) -> dict[str, list[str]]:
    code = (
        "import json, sys\n"
        "import numpy, pandas\n"
        "before = set(sys.modules)\n"
        f"for name in {modules!r}: __import__(name)\n"
        "new = sorted(set(sys.modules) - before)\n"
        "print(json.dumps({'kc': [m for m in new if m.split('.')[0] == 'kc_sheets'],\n"
        "                  'other': sorted({m.split('.')[0] for m in new} - set(sys.stdlib_module_names)"
        " - {'kc_sheets'})}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_analyses_import_only_numpy_pandas_and_each_other() -> None:
    loaded = loaded_by(ANALYSES)
    assert loaded["other"] == []
    outside = [m for m in loaded["kc"] if not m.startswith("kc_sheets.analyses")
               and m not in ALLOWED_IN_ANALYSES]
    assert outside == []


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("kc_sheets.")}


RULES = {   # part of the package: parts it must not import
    "kc_sheets.ingest": ("kc_sheets.apps", "kc_sheets.backends", "kc_sheets.xlsx",
                         "kc_sheets.templates", "kc_sheets.calculate", "kc_sheets.devtools"),
    "kc_sheets.templates": ("kc_sheets.apps", "kc_sheets.backends", "kc_sheets.calculate",
                            "kc_sheets.devtools"),
    "kc_sheets.settings": ("kc_sheets.apps", "kc_sheets.backends", "kc_sheets.xlsx",
                           "kc_sheets.calculate", "kc_sheets.devtools"),
    "kc_sheets.calculate": ("kc_sheets.apps", "kc_sheets.devtools"),
    "kc_sheets.backends": ("kc_sheets.apps", "kc_sheets.devtools"),
    "kc_sheets.xlsx": ("kc_sheets.apps", "kc_sheets.devtools"),
}


def test_each_layer_imports_only_the_layers_below() -> None:
    broken = []
    for path in PACKAGE.rglob("*.py"):
        module = "kc_sheets." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for part, forbidden in RULES.items():
            if module == part or module.startswith(part + "."):
                broken += [(module, name) for name in imports_of(path)
                           if name.startswith(forbidden)]
    assert broken == []


def test_user_code_never_imports_the_devtools() -> None:
    users = [p for p in PACKAGE.rglob("*.py") if "devtools" not in p.parts]
    assert [(str(p.relative_to(PACKAGE)), n) for p in users for n in imports_of(p)
            if n.startswith("kc_sheets.devtools")] == []
