"""A template description rendered as Google Sheets API requests (same description as the .xlsx).

``create_body`` is the ``spreadsheets.create`` body (tabs, grid sizes, frozen panes, locale);
``layout_requests`` the one ``spreadsheets.batchUpdate`` that puts texts, formats, widths,
merges, drop-downs, charts, protections and the layout stamp (developer metadata) in place.
"""

from __future__ import annotations

import zlib

from kc_sheets import __version__
from kc_sheets.cells import col_letter, parse_ref
from kc_sheets.i18n import Lang, t
from kc_sheets.settings import IDENTITY_SETTINGS, SETTINGS_FIRST_ROW
from kc_sheets.templates.brand import DEFAULT_BRAND, Brand
from kc_sheets.templates.model import Block, Chart, Tab, Template
from kc_sheets.templates.styles import CellStyle, cell_styles

LAYOUT_KEY = "kc_sheets.layout"
LOCALES = {"fr": ("fr_FR", "Europe/Paris"), "en": ("en_US", "Europe/London")}
GRID_ROWS = {"raw": 1000, "quality": 1100}
GRID_COLUMNS = {"raw": 12, "quality": 40, "settings": 16}
SHEETS_FORMATS = {
    "fr": {"int": ("NUMBER", "#,##0"), "money": ("CURRENCY", '#,##0.00" €"'),
           "money0": ("CURRENCY", '#,##0" €"'), "percent": ("PERCENT", "0.0%"),
           "date": ("DATE", "dd/mm/yyyy"), "datetime": ("DATE_TIME", "dd/mm/yyyy hh:mm"),
           "number": ("NUMBER", "#,##0.00"), "seconds": ("NUMBER", "0.0"), "text": ("TEXT", "@")},
    "en": {"int": ("NUMBER", "#,##0"), "money": ("CURRENCY", '"€"#,##0.00'),
           "money0": ("CURRENCY", '"€"#,##0'), "percent": ("PERCENT", "0.0%"),
           "date": ("DATE", "yyyy-mm-dd"), "datetime": ("DATE_TIME", "yyyy-mm-dd hh:mm"),
           "number": ("NUMBER", "#,##0.00"), "seconds": ("NUMBER", "0.0"), "text": ("TEXT", "@")},
}


def layout_value(template: Template, lang: Lang) -> str:
    return f"{template.id}:{template.version}:{lang}:{__version__}"


def sheet_id(tab: Tab) -> int:
    """A stable sheet id per tab (the same in every spreadsheet made from the template)."""
    return 1000 + zlib.crc32(tab.key.encode()) % 1_000_000


def _rgb(hex_colour: str) -> dict:
    return {"rgbColor": {"red": int(hex_colour[0:2], 16) / 255,
                         "green": int(hex_colour[2:4], 16) / 255,
                         "blue": int(hex_colour[4:6], 16) / 255}}


def cell_format(style: CellStyle, fmt: str | None, lang: Lang) -> dict:
    out: dict = {
        "textFormat": {"bold": style.bold, "italic": style.italic,
                       "fontSize": int(round(style.size)), "fontFamily": "Calibri",
                       "foregroundColorStyle": _rgb(style.color)},
        "verticalAlignment": {"top": "TOP", "bottom": "BOTTOM"}.get(style.valign, "MIDDLE"),
        "wrapStrategy": "WRAP" if style.wrap else "OVERFLOW_CELL",
    }
    if style.fill:
        out["backgroundColorStyle"] = _rgb(style.fill)
    if style.align:
        out["horizontalAlignment"] = style.align.upper()
    borders = {}
    if style.border_bottom:
        borders["bottom"] = {"style": "SOLID", "colorStyle": _rgb(style.border_bottom)}
    if style.border_top:
        borders["top"] = {"style": "SOLID", "colorStyle": _rgb(style.border_top)}
    if borders:
        out["borders"] = borders
    if fmt:
        kind, pattern = SHEETS_FORMATS[lang][fmt]
        out["numberFormat"] = {"type": kind, "pattern": pattern}
    return out


def grid_size(tab: Tab) -> tuple[int, int]:
    return GRID_ROWS.get(tab.role, 1000), GRID_COLUMNS.get(tab.role, 26)


def create_body(template: Template, lang: Lang, title: str | None = None,
                brand: Brand = DEFAULT_BRAND) -> dict:
    locale, zone = LOCALES[lang]
    sheets = []
    for index, tab in enumerate(template.tabs):
        rows, cols = grid_size(tab)
        props: dict = {"sheetId": sheet_id(tab), "title": t(tab.title, lang), "index": index,
                       "gridProperties": {"rowCount": rows, "columnCount": cols,
                                          "hideGridlines": not tab.gridlines}}
        sheets.append({"properties": props})
    return {"properties": {"title": title or t(template.title, lang), "locale": locale,
                           "timeZone": zone}, "sheets": sheets}


def add_sheet_requests(template: Template, lang: Lang, missing: list[Tab]) -> list[dict]:
    """``addSheet`` for tabs a spreadsheet lacks (a user's sheet with only Raw Data)."""
    out = []
    for tab in missing:
        rows, cols = grid_size(tab)
        out.append({"addSheet": {"properties": {
            "sheetId": sheet_id(tab), "title": t(tab.title, lang),
            "gridProperties": {"rowCount": rows, "columnCount": cols,
                               "hideGridlines": not tab.gridlines}}}})
    return out


class _Requests:
    def __init__(self, lang: Lang, brand: Brand) -> None:
        self.lang = lang
        self.brand = brand
        self.styles = cell_styles(brand)
        self.items: list[dict] = []

    def cell(self, sid: int, ref: str, value: dict | None, style: str, fmt: str | None = None,
             span: int = 1) -> None:
        row, col = parse_ref(ref)
        data: dict = {"userEnteredFormat": cell_format(self.styles[style], fmt, self.lang)}
        fields = "userEnteredFormat"
        if value is not None:
            data["userEnteredValue"] = value
            fields += ",userEnteredValue"
        self.items.append({"updateCells": {
            "rows": [{"values": [data]}], "fields": fields,
            "start": {"sheetId": sid, "rowIndex": row - 1, "columnIndex": col - 1}}})
        if span > 1:
            self.items.append({"mergeCells": {"mergeType": "MERGE_ALL", "range": {
                "sheetId": sid, "startRowIndex": row - 1, "endRowIndex": row,
                "startColumnIndex": col - 1, "endColumnIndex": col - 1 + span}}})

    def repeat(self, sid: int, rows: tuple[int, int], cols: tuple[int, int], style: str,
               fmt: str | None) -> None:
        self.items.append({"repeatCell": {
            "range": {"sheetId": sid, "startRowIndex": rows[0] - 1, "endRowIndex": rows[1],
                      "startColumnIndex": cols[0] - 1, "endColumnIndex": cols[1]},
            "cell": {"userEnteredFormat": cell_format(self.styles[style], fmt, self.lang)},
            "fields": "userEnteredFormat"}})


def _text(value: str) -> dict:
    return {"stringValue": value}


def layout_requests(template: Template, lang: Lang, brand: Brand = DEFAULT_BRAND,
                    tabs: list[Tab] | None = None) -> list[dict]:
    """Every request that lays out ``tabs`` (default: all) of the template, in one batch."""
    out = _Requests(lang, brand)
    params = {"template": t(template.title, lang), "version": __version__, "name": brand.name}
    for tab in tabs or list(template.tabs):
        sid = sheet_id(tab)
        rows, _ = grid_size(tab)
        props: dict = {"sheetId": sid, "gridProperties": {}}
        fields = []
        if tab.freeze:
            frow, fcol = parse_ref(tab.freeze)
            props["gridProperties"].update(frozenRowCount=frow - 1, frozenColumnCount=fcol - 1)
            fields += ["gridProperties.frozenRowCount", "gridProperties.frozenColumnCount"]
        if tab.tab_color:
            colour = brand.primary if tab.tab_color == "primary" else brand.accent
            props["tabColorStyle"] = _rgb(colour)
            fields.append("tabColorStyle")
        if fields:
            out.items.append({"updateSheetProperties": {"properties": props,
                                                        "fields": ",".join(fields)}})
        for letter, width in tab.widths:
            index = parse_ref(f"{letter}1")[1] - 1
            out.items.append({"updateDimensionProperties": {
                "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": index,
                          "endIndex": index + 1},
                "properties": {"pixelSize": int(width * 7 + 5)}, "fields": "pixelSize"}})
        for text in tab.texts:
            value = ({"formulaValue": text.formula} if text.formula else
                     _text(t(text.label, lang, **params, **dict(text.params))) if text.label
                     else None)
            out.cell(sid, text.cell, value, text.style, text.fmt if text.formula else None,
                     text.span)
        for block in tab.blocks:
            _block(out, sid, block, rows)
        for chart in tab.charts:
            out.items.append(_chart(tab, chart, sid, rows, lang))
        if tab.role == "settings":
            _settings(out, sid, template, lang)
        elif tab.role == "glossary":
            for i, entry in enumerate(template.glossary):
                out.cell(sid, f"B{6 + i}", _text(t(entry.term, lang)), "field_name")
                out.cell(sid, f"C{6 + i}", _text(t(entry.definition, lang)), "body")
        if tab.role in ("analysis", "quality"):
            out.items.append({"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": sid}, "warningOnly": True,
                "description": t("gs.protected", lang)}}})
    out.items.append({"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": LAYOUT_KEY, "metadataValue": layout_value(template, lang),
        "location": {"spreadsheet": True}, "visibility": "DOCUMENT"}}})
    return out.items


def _block(out: _Requests, sid: int, block: Block, grid_rows: int) -> None:
    col = block.anchor_col
    data_style = {"table": "cell", "total": "total", "stamp": "stamp", "note": "note"}[block.style]
    if block.layout == "fields":
        for i, column in enumerate(block.columns):
            row = block.anchor_row + i
            out.cell(sid, f"{col_letter(col)}{row}", _text(t(column.label, out.lang)),
                     "field_label")
            out.cell(sid, f"{col_letter(col + 1)}{row}", None, "cell", column.fmt)
        return
    if block.header:
        for i, column in enumerate(block.columns):
            out.cell(sid, f"{col_letter(col + i)}{block.anchor_row}",
                     _text(t(column.label, out.lang)), "table_header")
    first = block.first_data_row
    last = first + block.fixed_rows - 1 if block.fixed_rows else grid_rows
    for i, column in enumerate(block.columns):
        style = "cell_text" if data_style == "cell" and column.fmt == "text" else data_style
        out.repeat(sid, (first, last), (col + i, col + i), style, column.fmt)
    if block.extra_width:
        last_col = col + len(block.columns) - 1
        out.repeat(sid, (first, last), (last_col + 1, last_col + block.extra_width), "cell_text",
                   "text")
        out.repeat(sid, (block.anchor_row, block.anchor_row),
                   (last_col + 1, last_col + block.extra_width), "table_header", None)
    if block.name == "run.stamp":
        out.cell(sid, block.anchor, _text(t("stamp.never", out.lang)), "stamp")


def _chart(tab: Tab, spec: Chart, sid: int, grid_rows: int, lang: Lang) -> dict:
    block = next(b for b in tab.blocks if b.name == spec.block)
    keys = [c.key for c in block.columns]

    def source(key: str) -> dict:
        c = block.anchor_col + keys.index(key) - 1
        return {"sourceRange": {"sources": [{
            "sheetId": sid, "startRowIndex": block.first_data_row - 1, "endRowIndex": grid_rows,
            "startColumnIndex": c, "endColumnIndex": c + 1}]}}

    series = [{"series": source(key), "targetAxis": "LEFT_AXIS", "type": "COLUMN"}
              for key in spec.bars]
    series += [{"series": source(key), "targetAxis": "RIGHT_AXIS", "type": "LINE"}
               for key in spec.lines]
    row, col = parse_ref(spec.anchor)
    return {"addChart": {"chart": {
        "spec": {"title": t(spec.title, lang), "basicChart": {
            "chartType": "COMBO", "legendPosition": "BOTTOM_LEGEND",
            "stackedType": "STACKED" if spec.stacked else "NOT_STACKED", "headerCount": 0,
            "axis": [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS"},
                     {"position": "RIGHT_AXIS"}],
            "domains": [{"domain": source(spec.category)}], "series": series}},
        "position": {"overlayPosition": {
            "anchorCell": {"sheetId": sid, "rowIndex": row - 1, "columnIndex": col - 1},
            "widthPixels": int(spec.width_cm * 37.8), "heightPixels": int(spec.height_cm * 37.8)}},
    }}}


def _settings(out: _Requests, sid: int, template: Template, lang: Lang) -> None:
    identity = {"template": template.id, "lang": lang}
    for i, setting in enumerate(IDENTITY_SETTINGS + template.settings):
        row = SETTINGS_FIRST_ROW + i
        out.cell(sid, f"A{row}", _text(setting.key), "body")
        out.cell(sid, f"B{row}", _text(t(setting.label, lang)), "field_name")
        value = None
        if setting.key in identity:
            value = _text(identity[setting.key])
        elif setting.choices:
            default = next(c for c in setting.choices if c.value == setting.default)
            value = _text(t(default.label, lang))
        out.cell(sid, f"C{row}", value, "setting_value", "text")
        out.cell(sid, f"D{row}", _text(t(setting.help, lang)), "body")
        if setting.choices:
            out.items.append({"setDataValidation": {
                "range": {"sheetId": sid, "startRowIndex": row - 1, "endRowIndex": row,
                          "startColumnIndex": 2, "endColumnIndex": 3},
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
                    {"userEnteredValue": t(c.label, lang)} for c in setting.choices]},
                    "strict": True, "showCustomUi": True}}})
    out.items.append({"updateDimensionProperties": {
        "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
        "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})
