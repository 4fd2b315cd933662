"""``kc-sheets excel quickstart``: a template set up for Excel and xlwings, from its description.

It writes, in one folder and under one identifier-safe name (``kc_first_vs_repeat_fr``...):

- ``NAME.xlsx``: the template, for the xlwings ribbon (its *Run main* imports ``NAME``);
- ``NAME.py``: the companion module whose ``main()`` is :func:`kc_sheets.excel.main`;
- ``xlwings.conf``: the settings xlwings reads beside the workbook (the interpreter);
- ``NAME.xlsm``: the same template grafted onto the workbook ``xlwings quickstart NAME
  --standalone`` generates, with its VBA project (the xlwings module byte for byte) and a
  **Calculer** button on the Read me and analysis tabs: a DrawingML shape whose ``macro``
  attribute is ``[0]!SampleCall``. xlwings' ``SampleCall`` imports the module named after the
  workbook file, which a renamed copy (``kc_rfm_fr (1).xlsm``) breaks; its source is rewritten
  to ``RunPython "from kc_sheets.excel import main; main()"`` (:mod:`.backends.vba_project`).
"""

from __future__ import annotations

import keyword
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer
from lxml import etree

from kc_sheets import __version__
from kc_sheets.xlsx.ooxml_zip import (
    OoxmlPackage, atomic_write_package, normalize_package, rels_name, resolve_target,
)
from kc_sheets.xlsx.vba_project import replace_module_source
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, check_lang, register, t
from kc_sheets.templates.brand import DEFAULT_BRAND
from kc_sheets.templates.model import Template

register({
    "excel.button": ("Calculer", "Calculate"),
    "excel.button.descr": ("Lance le calcul kc_sheets (macro SampleCall)",
                           "Runs the kc_sheets calculation (SampleCall macro)"),
    "excel.bad_name": (
        "nom « {name} » impossible : le nom du classeur sert de nom de module Python. Lettres "
        "sans accent, chiffres et _ seulement, sans commencer par un chiffre (par ex. "
        "« kc_clients_2024 »), et pas un module existant.",
        "name '{name}' cannot be used: the workbook name is a Python module name. Unaccented "
        "letters, digits and _ only, not starting with a digit (e.g. 'kc_customers_2024'), "
        "and not an existing module."),
    "excel.exists": ("{path} existe déjà : choisissez un autre dossier ou ajoutez --force.",
                     "{path} already exists: pick another folder or add --force."),
    "excel.no_xlwings": ("xlwings n'est pas installé : pip install \"kc_sheets[excel]\".",
                         "xlwings is not installed: pip install \"kc_sheets[excel]\"."),
    "excel.missing": (
        "kc_sheets n'est pas installé pour l'interpréteur {python} ({error}). Installez-le "
        "avec : {python} -m pip install \"kc_sheets[excel]\"",
        "kc_sheets is not installed for the interpreter {python} ({error}). Install it with: "
        "{python} -m pip install \"kc_sheets[excel]\""),
    "excel.made": ("Fichiers créés dans {folder} :", "Files written in {folder}:"),
    "excel.next": (
        "Ouvrez {xlsm}, activez les macros, collez vos commandes dans « Raw Data » puis "
        "cliquez sur Calculer. Mise en place : docs/excel.md.",
        "Open {xlsm}, enable macros, paste your orders into 'Raw Data', then click Calculate. "
        "Set-up: docs/excel.md."),
})

excel_app = typer.Typer(no_args_is_help=True, help="Excel (xlwings): a template workbook with "
                        "its Calculer button and ribbon module.")

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DRAWINGML = "http://schemas.openxmlformats.org/drawingml/2006/main"
DRAWING_TYPE = REL_NS + "/drawing"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
MACRO = "SampleCall"            # Module1 of xlwings' quickstart_standalone.xlsm
SAMPLE_CALL = (                 # its source in our .xlsm: the same call whatever the file's name
    'Attribute VB_Name = "Module1"\n'
    "Sub SampleCall()\n"
    '    RunPython "from kc_sheets.excel import main; main()"\n'
    "End Sub\n")
PLACEHOLDER_SHEET = "Sheet1"    # its empty sheet; its code name goes to our first tab
_AFTER_DRAWING = ("legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
                  "controls", "webPublishItems", "tableParts", "extLst")
_EMU_PER_CM = 360_000
_LOCALES = {"fr": "fr-FR", "en": "en-US"}


@dataclass
class QuickstartFiles:
    xlsx: Path
    companion: Path
    conf: Path
    xlsm: Path


def workbook_name(template_id: str, lang: Lang) -> str:
    """The default file name: a Python identifier (the ribbon imports the workbook by name)."""
    return f"kc_{template_id.replace('-', '_')}_{lang}"


def check_name(name: str, lang: Lang) -> str:
    taken = set(sys.stdlib_module_names) | {"kc_sheets", "xlwings", "main", "test", "tests"}
    if not name.isidentifier() or not name.isascii() or keyword.iskeyword(name) or name in taken:
        raise KcError("excel.bad_name", lang=lang, name=name)
    return name


def companion_source(name: str, template_id: str, lang: Lang) -> str:
    """The module the xlwings ribbon's Run main imports (``NAME.py``)."""
    missing, button = t("excel.missing", lang), t("excel.button", lang)
    return f'''"""Companion of {name}.xlsx: the xlwings ribbon's Run main imports this module (named
after the workbook) and runs main(). Keep it beside the workbook. ({name}.xlsm's {button}
button calls kc_sheets directly and does not need it.)

Written by kc-sheets excel quickstart (kc_sheets {__version__}, template {template_id}).
"""

try:
    from kc_sheets.excel import main  # noqa: F401
except ImportError as exc:  # kc_sheets missing from the interpreter xlwings runs
    _ERROR = str(exc)

    def main() -> None:
        import sys

        import xlwings as xw

        message = {missing!r}.format(python=sys.executable, error=_ERROR)
        try:
            xw.Book.caller().app.alert(message, title="kc_sheets", mode="critical")
        except Exception:
            print(message, file=sys.stderr)
            raise SystemExit(1)


if __name__ == "__main__":   # from a terminal, with {name}.xlsm open in Excel
    import xlwings as xw

    xw.Book("{name}.xlsm").set_mock_caller()
    main()
'''


def conf_text(interpreter_win: str | None, interpreter_mac: str | None) -> str:
    """``xlwings.conf`` beside the workbooks, in the format xlwings' VBA reads (``Input #``)."""
    lines = [("ADD_WORKBOOK_TO_PYTHONPATH", "True")]
    if interpreter_win:
        lines.append(("INTERPRETER_WIN", interpreter_win))
    if interpreter_mac:
        lines.append(("INTERPRETER_MAC", interpreter_mac))
    return "".join(f'"{key}","{value}"\r\n' for key, value in lines)


def quickstart(directory: Path, template_id: str = "first-vs-repeat", lang: str = "fr", *,
               name: str | None = None, interpreter_win: str | None = None,
               interpreter_mac: str | None = None, force: bool = False) -> QuickstartFiles:
    """Write the four files (see the module docstring) and return their paths."""
    from kc_sheets.calculate import known_template
    from kc_sheets.xlsx.render import build

    lang = check_lang(lang)
    template = known_template(template_id, lang)
    name = check_name(name or workbook_name(template.id, lang), lang)
    if sys.platform == "win32":
        interpreter_win = interpreter_win or sys.executable
    elif sys.platform == "darwin":
        interpreter_mac = interpreter_mac or sys.executable
    directory = Path(directory)
    files = QuickstartFiles(directory / f"{name}.xlsx", directory / f"{name}.py",
                            directory / "xlwings.conf", directory / f"{name}.xlsm")
    for path in vars(files).values():
        if path.exists() and not force:
            raise KcError("excel.exists", lang=lang, path=str(path))
    source = standalone_source(lang)
    directory.mkdir(parents=True, exist_ok=True)
    build(template, files.xlsx, lang)
    files.companion.write_text(companion_source(name, template.id, lang), encoding="utf-8")
    files.conf.write_bytes(conf_text(interpreter_win, interpreter_mac).encode("utf-8"))
    build_xlsm(template, lang, source, files.xlsm)
    return files


def standalone_source(lang: Lang = "fr") -> Path:
    """The .xlsm ``xlwings quickstart NAME --standalone`` copies (VBA module embedded)."""
    try:
        import xlwings
    except ImportError:
        raise KcError("excel.no_xlwings", lang=lang) from None
    return Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"


def build_xlsm(template: Template, lang: Lang, source: Path, out: Path) -> Path:
    """The template's tabs grafted onto xlwings' standalone workbook, with Calculer buttons."""
    from kc_sheets.xlsx.merge_tabs import add_tabs
    from kc_sheets.xlsx.render import build

    work = Path(tempfile.mkdtemp(prefix="kc_xlsm_"))
    try:
        built = build(template, work / "template.xlsx", lang)
        spots = {t(tab.title, lang): button_cell(tab.widths) for tab in template.tabs
                 if tab.role in ("readme", "analysis")}
        add_buttons(built, spots, lang)
        tabs = [t(tab.title, lang) for tab in template.tabs]
        add_tabs(source, built, work / "grafted.xlsm", tabs)
        finish_xlsm(work / "grafted.xlsm", out, tabs)
        normalize_package(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def button_cell(widths: tuple[tuple[str, float], ...]) -> tuple[int, int]:
    """Row 2, first column whose left edge is 75 characters in (right of the tab's title):
    (0-based column, 0-based row) as a drawing anchor counts them."""
    from kc_sheets.cells import col_index

    declared = {col_index(letter): width for letter, width in widths}
    left, col = 0.0, 1
    while left < 75 and col < 60:
        left += declared.get(col, 8.43)
        col += 1
    return col - 1, 1


def _anchor(col: int, row: int, shape_id: int, text: str, descr: str, lang: Lang) -> str:
    esc = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    text, descr = ("".join(esc.get(c, c) for c in s) for s in (text, descr))
    return (
        f'<xdr:oneCellAnchor xmlns:xdr="{XDR}" xmlns:a="{DRAWINGML}"><xdr:from><xdr:col>{col}'
        f'</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row><xdr:rowOff>36000'
        f'</xdr:rowOff></xdr:from><xdr:ext cx="{int(4.2 * _EMU_PER_CM)}" '
        f'cy="{int(0.9 * _EMU_PER_CM)}"/><xdr:sp macro="[0]!{MACRO}" textlink="">'
        f'<xdr:nvSpPr><xdr:cNvPr id="{shape_id}" name="{text}" descr="{descr}"/><xdr:cNvSpPr/>'
        f'</xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></a:xfrm>'
        f'<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr '
        f'val="{DEFAULT_BRAND.accent}"/></a:solidFill><a:ln><a:noFill/></a:ln></xdr:spPr>'
        f'<xdr:txBody>'
        f'<a:bodyPr vertOverflow="clip" horzOverflow="clip" rtlCol="0" anchor="ctr"/>'
        f'<a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="{_LOCALES[lang]}" '
        f'sz="1300" b="1"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
        f'<a:latin typeface="Calibri"/></a:rPr>'
        f'<a:t>{text}</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>'
        f'</xdr:oneCellAnchor>')


def _sheet_parts(pkg: OoxmlPackage) -> dict[str, str]:
    workbook = etree.fromstring(pkg.read("xl/workbook.xml"))
    rels = etree.fromstring(pkg.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): resolve_target("xl/workbook.xml", r.get("Target")) for r in rels}
    return {s.get("name"): targets[s.get(f"{{{REL_NS}}}id")]
            for s in workbook.iter(f"{{{NS}}}sheet")}


def _xml(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_buttons(path: Path, spots: dict[str, tuple[int, int]], lang: Lang) -> None:
    """Add a button shape (macro ``[0]!SampleCall``) to each tab of ``spots``, in place."""
    replace: dict[str, bytes] = {}
    with OoxmlPackage(path) as pkg:
        parts = _sheet_parts(pkg)
        content_types = etree.fromstring(pkg.read("[Content_Types].xml"))
        taken = set(pkg.names())
        for tab, (col, row) in spots.items():
            part = parts[tab]
            rels_part = rels_name(part)
            rels = etree.fromstring(pkg.read(rels_part)) if pkg.has(rels_part) else \
                etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
            drawing = next((resolve_target(part, r.get("Target")) for r in rels
                            if r.get("Type") == DRAWING_TYPE), None)
            if drawing is None:
                drawing = next(f"xl/drawings/drawing{n}.xml" for n in range(1, 1000)
                               if f"xl/drawings/drawing{n}.xml" not in taken)
                taken.add(drawing)
                etree.SubElement(content_types, f"{{{CT_NS}}}Override",
                                 PartName="/" + drawing, ContentType=DRAWING_CT)
                replace[rels_part], replace[part] = _link_drawing(pkg.read(part), rels, drawing)
                root = etree.Element(f"{{{XDR}}}wsDr", nsmap={"xdr": XDR, "a": DRAWINGML})
            else:
                root = etree.fromstring(replace.get(drawing) or pkg.read(drawing))
            ids = [int(e.get("id")) for e in root.iter(f"{{{XDR}}}cNvPr")
                   if str(e.get("id", "")).isdigit()]
            root.append(etree.fromstring(_anchor(col, row, max(ids, default=1) + 1,
                                                 t("excel.button", lang),
                                                 t("excel.button.descr", lang), lang)))
            replace[drawing] = _xml(root)
        replace["[Content_Types].xml"] = _xml(content_types)
    atomic_write_package(path, path, replace)


def _link_drawing(sheet_xml: bytes, rels: etree._Element, drawing: str) -> tuple[bytes, bytes]:
    """The sheet's relationships and XML with a ``<drawing>`` pointing at ``drawing``."""
    rid = next(f"rId{n}" for n in range(1, 1000) if f"rId{n}" not in {r.get("Id") for r in rels})
    etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=DRAWING_TYPE,
                     Target="/" + drawing)
    sheet = etree.fromstring(sheet_xml)
    element = etree.Element(f"{{{NS}}}drawing", nsmap={"r": REL_NS})
    element.set(f"{{{REL_NS}}}id", rid)
    later = [c for c in sheet if etree.QName(c).localname in _AFTER_DRAWING]
    later[0].addprevious(element) if later else sheet.append(element)
    return _xml(rels), _xml(sheet)


def finish_xlsm(grafted: Path, out: Path, tabs: list[str]) -> None:
    """Template tabs first (xlwings' config sheet last); the empty quickstart sheet removed,
    its VBA code name (``Sheet1``) given to the first tab, so every VBA module keeps a sheet."""
    replace: dict[str, bytes] = {}
    with OoxmlPackage(grafted) as pkg:
        parts = _sheet_parts(pkg)
        workbook = etree.fromstring(pkg.read("xl/workbook.xml"))
        rels = etree.fromstring(pkg.read("xl/_rels/workbook.xml.rels"))
        sheets = workbook.find(f"{{{NS}}}sheets")
        by_name = {s.get("name"): s for s in sheets}
        placeholder = by_name.pop(PLACEHOLDER_SHEET)
        rid = placeholder.get(f"{{{REL_NS}}}id")
        for rel in [r for r in rels if r.get("Id") == rid]:
            rels.remove(rel)
        before = [s.get("name") for s in sheets]
        for sheet in list(sheets):
            sheets.remove(sheet)
        order = tabs + [n for n in by_name if n not in tabs]
        for name in order:
            sheets.append(by_name[name])
        _rescope_defined_names(workbook, before, order)
        views = workbook.find(f"{{{NS}}}bookViews")
        for view in (views if views is not None else []):
            view.set("activeTab", "0")
        first = etree.fromstring(pkg.read(parts[tabs[0]]))
        properties = first.find(f"{{{NS}}}sheetPr")
        if properties is None:
            properties = etree.Element(f"{{{NS}}}sheetPr")
            first.insert(0, properties)
        properties.set("codeName", PLACEHOLDER_SHEET)
        gone = parts[PLACEHOLDER_SHEET]
        content_types = etree.fromstring(pkg.read("[Content_Types].xml"))
        for override in [o for o in content_types if o.get("PartName") == "/" + gone]:
            content_types.remove(override)
        replace.update({"xl/workbook.xml": _xml(workbook), "xl/_rels/workbook.xml.rels":
                        _xml(rels), parts[tabs[0]]: _xml(first),
                        "[Content_Types].xml": _xml(content_types),
                        "xl/vbaProject.bin": replace_module_source(
                            pkg.read("xl/vbaProject.bin"), "Module1", SAMPLE_CALL)})
        delete = {gone, rels_name(gone)}
    atomic_write_package(grafted, out, replace, delete)


def _rescope_defined_names(workbook: etree._Element, before: list[str], after: list[str]
                           ) -> None:
    """Sheet-scoped defined names (print titles, filter ranges) follow their sheet when the
    sheets are reordered (``localSheetId`` is a position); those of a removed sheet go."""
    defined = workbook.find(f"{{{NS}}}definedNames")
    for name in list(defined if defined is not None else []):
        scope = name.get("localSheetId")
        if scope is None:
            continue
        sheet = before[int(scope)] if int(scope) < len(before) else None
        if sheet in after:
            name.set("localSheetId", str(after.index(sheet)))
        else:
            defined.remove(name)


@excel_app.callback()
def excel_group() -> None:
    """Excel (xlwings): a template workbook with its Calculer button and ribbon module."""


@excel_app.command("quickstart")
def quickstart_command(
    directory: Path = typer.Argument(..., help="Folder to write the workbooks into."),
    template: str = typer.Option("first-vs-repeat", "--template", "-t", help="Template id."),
    lang: str = typer.Option("fr", "--lang", help="Language of the workbook: fr or en."),
    name: Optional[str] = typer.Option(None, "--name", help="File name (a Python identifier)."),
    interpreter_win: Optional[str] = typer.Option(
        None, "--interpreter-win", help="python.exe for Windows users (default: this Python "
        "when run on Windows)."),
    interpreter_mac: Optional[str] = typer.Option(
        None, "--interpreter-mac", help="python for macOS users (default: this Python when run "
        "on macOS)."),
    force: bool = typer.Option(False, "--force", help="Replace existing files."),
):
    """Write a template workbook for Excel: .xlsx + companion .py (ribbon), .xlsm (button)."""
    try:
        files = quickstart(directory, template, lang, name=name, interpreter_win=interpreter_win,
                           interpreter_mac=interpreter_mac, force=force)
    except KcError as exc:
        colon = " :" if exc.lang == "fr" else ":"
        typer.echo(f"{t('error.prefix', exc.lang)}{colon} {exc.message()}", err=True)
        raise typer.Exit(2)
    except ValueError as exc:   # unknown language
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    lang = check_lang(lang)
    typer.echo(t("excel.made", lang, folder=files.xlsx.parent))
    for path in (files.xlsm, files.xlsx, files.companion, files.conf):
        typer.echo(f"  {path.name}")
    typer.echo(t("excel.next", lang, xlsm=files.xlsm.name))

