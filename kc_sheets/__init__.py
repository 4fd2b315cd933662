"""kc_sheets: customer knowledge inside the spreadsheets marketing teams already use.

The Python API (imported on first use, so ``import kc_sheets`` stays light)::

    import kc_sheets
    kc_sheets.build_template(kc_sheets.get_template("rfm"), "rfm.xlsx", "fr")
    result = kc_sheets.calculate("rfm.xlsx")          # fills the tabs in place
    kc_sheets.analyze("orders.csv", "rfm", "out/")     # every block as CSV

New analyses declare their blocks with :class:`Analysis`, :class:`BlockSpec` and :class:`Col`;
a template made of them is made known with :func:`register_template` (see ARCHITECTURE.md).
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "calculate": ("kc_sheets.calculate", "calculate"),
    "calculate_book": ("kc_sheets.calculate", "calculate_book"),
    "RunResult": ("kc_sheets.calculate", "RunResult"),
    "analyze": ("kc_sheets.apps.analyze", "analyze_file"),
    "build_template": ("kc_sheets.xlsx.render", "build"),
    "get_template": ("kc_sheets.templates", "get"),
    "all_templates": ("kc_sheets.templates", "all_templates"),
    "register_template": ("kc_sheets.templates", "register"),
    "Template": ("kc_sheets.templates.model", "Template"),
    "Analysis": ("kc_sheets.analyses.contract", "Analysis"),
    "BlockSpec": ("kc_sheets.analyses.contract", "BlockSpec"),
    "Col": ("kc_sheets.analyses.contract", "Col"),
    "KcError": ("kc_sheets.errors", "KcError"),
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        module, attribute = _API[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kc_sheets' has no attribute {name!r}")
