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
from kc_sheets.templates.model import Block, Chart, GridSetting, Tab, Template
from kc_sheets.templates.styles import (
    HEATMAP_HIGH, HEATMAP_LOW, HEATMAP_MID, SERIES_COLOURS, CellStyle, cell_styles,
)

LAYOUT_KEY = "kc_sheets.layout"
LOCALES = {"fr": ("fr_FR", "Europe/Paris"), "en": ("en_US", "Europe/London")}
GRID_ROWS = {"raw": 1000, "quality": 1100}
GRID_COLUMNS = {"raw": 12, "quality": 40, "settings": 40}
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
    """Rows and columns of a new tab: enough for its blocks' reserved widths and heatmaps."""
    cols = max([GRID_COLUMNS.get(tab.role, 26)]
               + [b.anchor_col + b.width - 1 for b in tab.blocks]
               + [parse_ref(f"{letter}1")[1] for letter, _ in tab.widths]
               + [parse_ref(x.cell)[1] + x.span - 1 for x in tab.texts])
    return GRID_ROWS.get(tab.role, 1000), cols


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
            out.items.append({"addChart": {"chart": {
                "chartId": chart.chart_id, "spec": chart_spec(tab, chart, sid, rows, lang),
                "position": _chart_position(chart, sid)}}})
        for heatmap in tab.heatmaps:
            r1, c1, r2, c2 = tab.heatmap_range(heatmap)
            out.items.append({"addConditionalFormatRule": {"index": 0, "rule": {
                "ranges": [{"sheetId": sid, "startRowIndex": r1 - 1, "endRowIndex": r2,
                            "startColumnIndex": c1 - 1, "endColumnIndex": c2}],
                "gradientRule": {
                    "minpoint": {"colorStyle": _rgb(HEATMAP_LOW), "type": "MIN"},
                    "midpoint": {"colorStyle": _rgb(HEATMAP_MID), "type": "PERCENTILE",
                                 "value": "50"},
                    "maxpoint": {"colorStyle": _rgb(HEATMAP_HIGH), "type": "MAX"}}}}})
        for spec in tab.colours:              # the R x FM grid coloured by segment
            block = tab.block(spec.block)
            cells = {"sheetId": sid, "startRowIndex": block.first_data_row - 1,
                     "endRowIndex": block.first_data_row - 1 + (block.fixed_height or 1),
                     "startColumnIndex": block.anchor_col - 1 + spec.skip,
                     "endColumnIndex": block.anchor_col - 1 + block.width}
            for label, fill in spec.labels:
                for text in dict.fromkeys(t(label, language) for language in ("fr", "en")):
                    out.items.append({"addConditionalFormatRule": {"index": 0, "rule": {
                        "ranges": [cells], "booleanRule": {
                            "condition": {"type": "TEXT_EQ",
                                          "values": [{"userEnteredValue": text}]},
                            "format": {"backgroundColorStyle": _rgb(fill)}}}}})
        for block in tab.blocks:
            if block.autofilter:
                out.items.append({"setBasicFilter": {"filter": {"range": {
                    "sheetId": sid, "startRowIndex": block.anchor_row - 1, "endRowIndex": rows,
                    "startColumnIndex": block.anchor_col - 1,
                    "endColumnIndex": block.anchor_col - 1 + block.width}}}})
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
    if block.row_height and block.fixed_rows:
        out.items.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "ROWS", "startIndex": first - 1,
                      "endIndex": last},
            "properties": {"pixelSize": int(block.row_height * 4 / 3)}, "fields": "pixelSize"}})
    for i, column in enumerate(block.columns):
        out.repeat(sid, (first, last), (col + i, col + i), column.style(data_style), column.fmt)
    if block.extra_width:
        last_col = col + len(block.columns) - 1
        style = "cell_text" if block.extra_fmt == "text" else data_style
        out.repeat(sid, (first, last), (last_col + 1, last_col + block.extra_width), style,
                   block.extra_fmt)
        out.repeat(sid, (block.anchor_row, block.anchor_row),
                   (last_col + 1, last_col + block.extra_width), "table_header", None)
    if block.name == "run.stamp":
        out.cell(sid, block.anchor, _text(t("stamp.never", out.lang)), "stamp")


def _chart_position(spec: Chart, sid: int) -> dict:
    row, col = parse_ref(spec.anchor)
    return {"overlayPosition": {
        "anchorCell": {"sheetId": sid, "rowIndex": row - 1, "columnIndex": col - 1},
        "widthPixels": int(spec.width_cm * 37.8), "heightPixels": int(spec.height_cm * 37.8)}}


def chart_spec(tab: Tab, spec: Chart, sid: int, grid_rows: int, lang: Lang,
               columns: int | None = None) -> dict:
    """The chart's ``ChartSpec``. A dynamic chart has one series per column after its category
    (``columns``: how many the last run wrote, default every reserved one), titled by the header
    row."""
    block = next(b for b in tab.blocks if b.name == spec.block)
    keys = [c.key for c in block.columns]
    first_row = block.first_data_row - (1 if spec.dynamic else 0)

    def source(c: int) -> dict:
        return {"sourceRange": {"sources": [{
            "sheetId": sid, "startRowIndex": first_row - 1, "endRowIndex": grid_rows,
            "startColumnIndex": c - 1, "endColumnIndex": c}]}}

    category = block.anchor_col + keys.index(spec.category)
    if spec.dynamic:
        last = block.anchor_col + (columns or block.width) - 1
        bar_cols = list(range(category + 1 + spec.skip, last + 1))
    else:
        bar_cols = [block.anchor_col + keys.index(k) for k in spec.bars]
    kind = "LINE" if spec.kind == "line" else "BAR" if spec.horizontal else "COLUMN"
    series = [{"series": source(c), "targetAxis": "BOTTOM_AXIS" if spec.horizontal
               else "LEFT_AXIS", "type": kind,
               "colorStyle": _rgb(SERIES_COLOURS[i % len(SERIES_COLOURS)])}
              for i, c in enumerate(bar_cols)]
    series += [{"series": source(block.anchor_col + keys.index(k)), "targetAxis": "RIGHT_AXIS",
                "type": "LINE"} for k in spec.lines]
    axes = [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS"}]
    if spec.lines:
        axes.append({"position": "RIGHT_AXIS"})
    return {"title": t(spec.title, lang), "basicChart": {
        "chartType": "LINE" if spec.kind == "line" else "BAR" if spec.horizontal else (
            "COMBO" if spec.lines else "COLUMN"),
        "legendPosition": "BOTTOM_LEGEND",
        "stackedType": "STACKED" if spec.stacked else "NOT_STACKED",
        "headerCount": 1 if spec.dynamic else 0, "axis": axes,
        "domains": [{"domain": source(category)}], "series": series}}


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
        elif setting.default:
            value = _text(setting.default)
        out.cell(sid, f"C{row}", value, "setting_value", "text")
        out.cell(sid, f"D{row}", _text(t(setting.help, lang)), "body")
        if setting.choices:
            out.items.append({"setDataValidation": {
                "range": {"sheetId": sid, "startRowIndex": row - 1, "endRowIndex": row,
                          "startColumnIndex": 2, "endColumnIndex": 3},
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
                    {"userEnteredValue": t(c.label, lang)} for c in setting.choices]},
                    "strict": True, "showCustomUi": True}}})
    for grid in template.grids:
        _grid(out, sid, grid, lang)
    out.items.append({"updateDimensionProperties": {
        "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
        "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})


def _grid(out: _Requests, sid: int, grid: GridSetting, lang: Lang) -> None:
    top, left = grid.first_cell[0] - 2, grid.first_cell[1] - 1
    width = len(grid.col_labels)
    out.cell(sid, f"{col_letter(left)}{top}", _text(t(grid.title, lang)), "h2", span=width + 1)
    out.cell(sid, f"{col_letter(left)}{top + 1}", _text(""), "table_header")
    for j, label in enumerate(grid.col_labels):
        out.cell(sid, f"{col_letter(left + 1 + j)}{top + 1}", _text(t(label, lang)),
                 "table_header")
    for i, label in enumerate(grid.row_labels):
        out.cell(sid, f"{col_letter(left)}{top + 2 + i}", _text(t(label, lang)), "field_name")
        for j in range(width):
            out.cell(sid, f"{col_letter(left + 1 + j)}{top + 2 + i}",
                     _text(t(grid.default[i][j], lang)), "setting_value", "text")
    out.items.append({"setDataValidation": {
        "range": {"sheetId": sid, "startRowIndex": top + 1,
                  "endRowIndex": top + 1 + len(grid.row_labels), "startColumnIndex": left,
                  "endColumnIndex": left + width},
        "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
            {"userEnteredValue": t(c, lang)} for c in grid.choices]},
            "strict": True, "showCustomUi": True}}})
    help_row = top + 2 + len(grid.row_labels)
    out.cell(sid, f"{col_letter(left)}{help_row}", _text(t(grid.help, lang)), "body",
             span=width + 1)
