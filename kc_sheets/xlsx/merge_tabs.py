"""Add a template's tabs to a user's workbook without rewriting anything the user has.

``kc-sheets calculate export.xlsx --template ID`` must not lose a thing from the user's file
(pictures, pivot tables, comments, formats openpyxl does not know). So the template is built on
its own, and its tabs are grafted into the user's package: their sheet parts (and the drawings,
charts and pictures they use) are copied under fresh part names, their cell formats appended to
the user's styles.xml and renumbered, their shared strings turned into inline strings. Every part
of the user's workbook other than workbook.xml, its relationships, the content types and
styles.xml is copied byte for byte.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path, PurePosixPath

from lxml import etree

from kc_sheets.xlsx.ooxml_zip import (
    OoxmlPackage, atomic_write_package, rels_name, resolve_target,
)
from kc_sheets.xlsx.cell_xml import _INVALID_XML
from kc_sheets.xlsx.sheet_xml import NS

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = REL_NS + "/worksheet"
_STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
                "dxfs")


def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


class _Names:
    """Fresh part names that collide with nothing in the user's package."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def fresh(self, part: str) -> str:
        path = PurePosixPath(part)
        stem = re.sub(r"\d+$", "", path.stem)
        n = 1
        while True:
            candidate = f"{path.parent}/{stem}{n}{path.suffix}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
            n += 1


class _StyleMerger:
    """Appends the template's formats to the user's styles.xml; maps old cellXfs ids to new."""

    def __init__(self, user: bytes, template: bytes) -> None:
        self.user = etree.fromstring(user)
        self.template = etree.fromstring(template)
        self.xf_map: dict[int, int] = {}
        self.dxf_map: dict[int, int] = {}
        self._merge()

    def _list(self, root: etree._Element, name: str, create: bool = False):
        element = root.find(_q(name))
        if element is None and create:
            element = etree.Element(_q(name))
            order = list(_STYLE_LISTS)
            later = [root.find(_q(n)) for n in order[order.index(name) + 1:]]
            later = [e for e in later if e is not None]
            if later:
                later[0].addprevious(element)
            else:
                root.insert(0, element) if name == "numFmts" else root.append(element)
        return element

    def _append(self, name: str, items: list) -> int:
        target = self._list(self.user, name, create=True)
        offset = len(target)
        for item in items:
            target.append(item)
        target.set("count", str(len(target)))
        return offset

    def _merge(self) -> None:
        t = self.template
        fmt_map: dict[int, int] = {}
        user_fmts = self._list(self.user, "numFmts")
        used = {int(f.get("numFmtId")) for f in user_fmts} if user_fmts is not None else set()
        next_id = max([163, *used]) + 1
        new_fmts = []
        for fmt in (t.find(_q("numFmts")) if t.find(_q("numFmts")) is not None else []):
            old = int(fmt.get("numFmtId"))
            fmt_map[old] = next_id
            fmt.set("numFmtId", str(next_id))
            new_fmts.append(fmt)
            next_id += 1
        if new_fmts:
            self._append("numFmts", new_fmts)
        offsets = {}
        for name in ("fonts", "fills", "borders"):
            items = list(t.find(_q(name))) if t.find(_q(name)) is not None else []
            offsets[name] = self._append(name, items)
        xfs = list(t.find(_q("cellXfs"))) if t.find(_q("cellXfs")) is not None else []
        for xf in xfs:
            fmt = int(xf.get("numFmtId", "0"))
            xf.set("numFmtId", str(fmt_map.get(fmt, fmt)))
            for attr, name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                xf.set(attr, str(int(xf.get(attr, "0")) + offsets[name]))
            xf.set("xfId", "0")
        start = self._append("cellXfs", xfs)
        self.xf_map = {i: start + i for i in range(len(xfs))}
        dxfs = list(t.find(_q("dxfs"))) if t.find(_q("dxfs")) is not None else []
        if dxfs:
            for dxf in dxfs:
                for fmt in dxf.iter(_q("numFmt")):
                    old = int(fmt.get("numFmtId"))
                    fmt.set("numFmtId", str(fmt_map.get(old, old)))
            start = self._append("dxfs", dxfs)
            self.dxf_map = {i: start + i for i in range(len(dxfs))}

    def to_bytes(self) -> bytes:
        return etree.tostring(self.user, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shared_strings(pkg: OoxmlPackage) -> list[str]:
    if not pkg.has("xl/sharedStrings.xml"):
        return []
    root = etree.fromstring(pkg.read("xl/sharedStrings.xml"))
    return ["".join(si.itertext()) for si in root.iter(_q("si"))]


def _graft_sheet(xml: bytes, styles: _StyleMerger, strings: list[str]) -> bytes:
    """The template sheet with renumbered styles and inline strings."""
    root = etree.fromstring(xml)
    for element in root.iter(_q("c"), _q("row")):
        if element.get("s") is not None:
            element.set("s", str(styles.xf_map.get(int(element.get("s")), 0)))
    for col in root.iter(_q("col")):
        if col.get("style") is not None:
            col.set("style", str(styles.xf_map.get(int(col.get("style")), 0)))
    for rule in root.iter(_q("cfRule")):
        if rule.get("dxfId") is not None:
            rule.set("dxfId", str(styles.dxf_map.get(int(rule.get("dxfId")), 0)))
    for cell in root.iter(_q("c")):
        if cell.get("t") == "s":
            value = cell.find(_q("v"))
            text = strings[int(value.text)] if value is not None and value.text else ""
            cell.remove(value)
            cell.set("t", "inlineStr")
            inline = etree.SubElement(cell, _q("is"))
            node = etree.SubElement(inline, _q("t"))
            node.text = _INVALID_XML.sub("", text)
            if text != text.strip():
                node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_tabs(user_path: Path, template_path: Path, out: Path, tabs: list[str]) -> None:
    """Copy ``tabs`` (by name, in that order) from the template workbook into the user's."""
    replace: dict[str, bytes] = {}
    add_order: list[str] = []
    with OoxmlPackage(user_path) as user, OoxmlPackage(template_path) as template:
        names = _Names(set(user.names()))
        content_types = etree.fromstring(user.read("[Content_Types].xml"))
        template_types = etree.fromstring(template.read("[Content_Types].xml"))
        overrides = {o.get("PartName").lstrip("/"): o.get("ContentType")
                     for o in template_types.iter(_q("Override", CT_NS))}
        defaults = {d.get("Extension"): d for d in template_types.iter(_q("Default", CT_NS))}
        user_defaults = {d.get("Extension") for d in content_types.iter(_q("Default", CT_NS))}
        styles = _StyleMerger(user.read("xl/styles.xml"), template.read("xl/styles.xml"))
        strings = _shared_strings(template)
        workbook = etree.fromstring(user.read("xl/workbook.xml"))
        rels = etree.fromstring(user.read("xl/_rels/workbook.xml.rels"))
        t_workbook = etree.fromstring(template.read("xl/workbook.xml"))
        t_rels = {r.get("Id"): resolve_target("xl/workbook.xml", r.get("Target"))
                  for r in etree.fromstring(template.read("xl/_rels/workbook.xml.rels"))}
        t_sheets = {s.get("name"): t_rels[s.get(_q("id", REL_NS))]
                    for s in t_workbook.iter(_q("sheet"))}
        sheets = workbook.find(_q("sheets"))
        used_ids = {int(s.get("sheetId")) for s in sheets}
        used_rids = {r.get("Id") for r in rels}

        def copy_part(part: str) -> str:
            new = names.fresh(part)
            data = template.read(part)
            if part in t_sheets.values():
                data = _graft_sheet(data, styles, strings)
            replace[new] = data
            add_order.append(new)
            extension = PurePosixPath(part).suffix.lstrip(".")
            if part in overrides:
                override = etree.SubElement(content_types, _q("Override", CT_NS))
                override.set("PartName", "/" + new)
                override.set("ContentType", overrides[part])
            elif extension not in user_defaults and extension in defaults:
                content_types.insert(0, defaults[extension])
                user_defaults.add(extension)
            rels_part = rels_name(part)
            if template.has(rels_part):
                part_rels = etree.fromstring(template.read(rels_part))
                for rel in part_rels:
                    if rel.get("TargetMode") == "External":
                        continue
                    rel.set("Target", "/" + copy_part(resolve_target(part, rel.get("Target"))))
                new_rels = rels_name(new)
                replace[new_rels] = etree.tostring(part_rels, xml_declaration=True,
                                                   encoding="UTF-8", standalone=True)
                add_order.append(new_rels)
            return new

        for name in tabs:
            new_part = copy_part(t_sheets[name])
            rid = next(f"rId{n}" for n in range(1, 10_000) if f"rId{n}" not in used_rids)
            used_rids.add(rid)
            rel = etree.SubElement(rels, _q("Relationship", PKG_REL_NS))
            rel.set("Id", rid)
            rel.set("Type", SHEET_TYPE)
            rel.set("Target", "/" + new_part)
            sheet_id = max(used_ids, default=0) + 1
            used_ids.add(sheet_id)
            sheet = etree.SubElement(sheets, _q("sheet"))
            sheet.set("name", name)
            sheet.set("sheetId", str(sheet_id))
            sheet.set(_q("id", REL_NS), rid)
        _copy_defined_names(t_workbook, workbook, tabs)
        replace["xl/workbook.xml"] = etree.tostring(workbook, xml_declaration=True,
                                                    encoding="UTF-8", standalone=True)
        replace["xl/_rels/workbook.xml.rels"] = etree.tostring(
            rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        replace["[Content_Types].xml"] = etree.tostring(
            content_types, xml_declaration=True, encoding="UTF-8", standalone=True)
        replace["xl/styles.xml"] = styles.to_bytes()
    atomic_write_package(user_path, out, replace, add_order=add_order)


def _copy_defined_names(source: etree._Element, target: etree._Element, tabs: list[str]) -> None:
    """The source workbook's defined names of the copied ``tabs`` (print titles, filter
    ranges, named cells) into the target, their sheet scope (``localSheetId``, a position)
    moved to the copied tab's position; a name the target already has is kept as it is."""
    source_names = [s.get("name") for s in source.iter(_q("sheet"))]
    target_names = [s.get("name") for s in target.find(_q("sheets"))]
    defined = target.find(_q("definedNames"))
    have = set() if defined is None else {
        (d.get("name", "").lower(), d.get("localSheetId")) for d in defined}
    copied = []
    for name in source.iter(_q("definedName")):
        scope = name.get("localSheetId")
        if scope is not None:
            index = int(scope)
            if index >= len(source_names) or source_names[index] not in tabs:
                continue
            scope = str(target_names.index(source_names[index]))
        elif not any(f"{tab}!" in (name.text or "") or f"{_quoted(tab)}!" in (name.text or "")
                     for tab in tabs):
            continue
        if (name.get("name", "").lower(), scope) in have:
            continue
        item = copy.deepcopy(name)
        if scope is not None:
            item.set("localSheetId", scope)
        copied.append(item)
    if not copied:
        return
    if defined is None:
        defined = etree.Element(_q("definedNames"))
        after = [c for c in target if etree.QName(c).localname in (
            "sheets", "functionGroups", "externalReferences")]
        after[-1].addnext(defined)
    defined.extend(copied)


def _quoted(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"
