"""Render a template description to an .xlsx workbook with openpyxl.

Only templates go through openpyxl (they are small). Calculated results are written by
:mod:`kc_sheets.backends.xlsx`, which keeps every style this module puts on a block's first data
row: that row is the *style row* every written row copies.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from kc_sheets import __version__
from kc_sheets.xlsx.ooxml_zip import normalize_package
from kc_sheets.cells import col_letter
from kc_sheets.i18n import Lang, register, t
from kc_sheets.settings import IDENTITY_SETTINGS, SETTINGS_FIRST_ROW
from kc_sheets.templates import printing
from kc_sheets.templates.brand import DEFAULT_BRAND, Brand
from kc_sheets.templates.model import Block, Chart, GridSetting, Heatmap, Tab, Template
from kc_sheets.templates.styles import (
    GENERAL, HEATMAP_HIGH, HEATMAP_LOW, HEATMAP_MID, NUMBER_FORMATS, SERIES_COLOURS, TAB_COLOURS, CellStyle,
    cell_styles,
)

register({
    "brand.by": ("Proposé par {name}", "Provided by {name}"),
    "settings.choices": ("Listes de choix", "Choice lists"),
})

CHOICES_FIRST_COL = 20  # column T: hidden lists behind the Settings drop-downs


class _Styler:
    """Applies named styles to cells, reusing openpyxl style objects."""

    def __init__(self, brand: Brand, lang: Lang) -> None:
        self.styles = cell_styles(brand)
        self.formats = NUMBER_FORMATS[lang]
        self._cache: dict[str, tuple] = {}

    def _objects(self, name: str) -> tuple:
        if name not in self._cache:
            s: CellStyle = self.styles[name]
            font = Font(name="Calibri", bold=s.bold, italic=s.italic, size=s.size, color=s.color)
            fill = PatternFill("solid", fgColor=s.fill) if s.fill else PatternFill()
            align = Alignment(horizontal=s.align, vertical=s.valign, wrap_text=s.wrap,
                              indent=s.indent)
            border = Border(
                bottom=Side("thin", color=s.border_bottom) if s.border_bottom else Side(),
                top=Side("thin", color=s.border_top) if s.border_top else Side())
            self._cache[name] = (font, fill, align, border)
        return self._cache[name]

    def apply(self, cell, name: str, fmt: str | None = None) -> None:
        font, fill, align, border = self._objects(name)
        cell.font, cell.fill, cell.alignment, cell.border = font, fill, align, border
        cell.number_format = self.formats[fmt] if fmt and fmt != "text" else (
            self.formats["text"] if fmt == "text" else GENERAL)


def render(template: Template, lang: Lang = "fr", brand: Brand = DEFAULT_BRAND,
           workbook: Workbook | None = None) -> Workbook:
    """The template as an openpyxl workbook (tabs added to ``workbook`` when one is given).

    A workbook that already has a tab of the same name keeps it (its Raw Data in particular).
    """
    wb = workbook or Workbook()
    fresh = workbook is None
    if fresh:
        wb.remove(wb.active)
    styler = _Styler(brand, lang)
    params = {"template": t(template.title, lang), "version": __version__, "name": brand.name}
    for tab in template.tabs:
        title = t(tab.title, lang)
        if title in wb.sheetnames:
            continue
        ws = wb.create_sheet(title)
        _render_tab(ws, tab, template, lang, brand, styler, params)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.title = t(template.title, lang)
    wb.properties.creator = brand.name
    wb.properties.keywords = f"kc_sheets:{template.id}:{lang}"
    readme = t("tab.readme", lang)
    if readme in wb.sheetnames and fresh:
        wb.active = wb.sheetnames.index(readme)
    return wb


def build(template: Template, path: Path, lang: Lang = "fr", brand: Brand = DEFAULT_BRAND) -> Path:
    """Write the template to ``path`` deterministically (same input, same bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render(template, lang, brand).save(path)
    normalize_package(path)
    return path


def _render_tab(ws: Worksheet, tab: Tab, template: Template, lang: Lang, brand: Brand,
                styler: _Styler, params: dict) -> None:
    ws.sheet_view.showGridLines = tab.gridlines
    if tab.tab_color:
        ws.sheet_properties.tabColor = TAB_COLOURS[tab.tab_color](brand)
    for letter, width in tab.widths:
        ws.column_dimensions[letter].width = width
    for text in tab.texts:
        cell = ws[text.cell]
        if text.formula:
            cell.value = text.formula
        elif text.label:
            cell.value = t(text.label, lang, **params, **dict(text.params))
        styler.apply(cell, text.style, text.fmt if text.formula else None)
        if text.span > 1:
            ws.merge_cells(start_row=cell.row, start_column=cell.column, end_row=cell.row,
                           end_column=cell.column + text.span - 1)
        if text.style == "table_header":
            ws.row_dimensions[cell.row].height = 30
        elif styler.styles[text.style].wrap and cell.value:
            _fit_height(ws, cell, tab, text.span)
    for block in tab.blocks:
        _render_block(ws, block, lang, styler)
    for chart in tab.charts:
        _render_chart(ws, tab, chart, lang, styler)
    for heatmap in tab.heatmaps:
        _render_heatmap(ws, tab, heatmap)
    for colours in tab.colours:
        _render_colours(ws, tab, colours)
    if tab.role == "settings":
        _render_settings(ws, template, lang, styler)
    elif tab.role == "glossary":
        _render_glossary(ws, template, lang, styler)
    elif tab.role == "readme":
        _render_brand(ws, brand, lang, styler)
    if tab.freeze:
        ws.freeze_panes = tab.freeze
    if tab.role == "raw":
        ws.sheet_view.selection[0].activeCell = "A2"
        ws.sheet_view.selection[0].sqref = "A2"
    if tab.role != "raw":
        ws.row_dimensions[2].height = 30
    _page_setup(ws, tab, brand, lang)


def _fit_height(ws: Worksheet, cell, tab: Tab, span: int) -> None:
    """Row height for wrapped text (LibreOffice and Excel do not grow merged rows)."""
    widths = dict(tab.widths)
    chars = sum(widths.get(col_letter(cell.column + i), 10.0) for i in range(span)) * 1.15
    lines = max(1, -(-len(str(cell.value)) // max(int(chars), 1)))
    current = ws.row_dimensions[cell.row].height or 15
    ws.row_dimensions[cell.row].height = max(current, 14.5 * lines + 3)


def _page_setup(ws: Worksheet, tab: Tab, brand: Brand, lang: Lang) -> None:
    """Print settings from :func:`kc_sheets.templates.printing.setup` (one mechanism for the
    template and every Calculate)."""
    spec = printing.setup(tab, lang)
    ws.page_setup.orientation = "landscape" if tab.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = spec.fit_width
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0           # one page wide, as many pages down as needed
    if not spec.fit_width:                  # wide tables: natural size, their labels on each page
        # (at 80 % LibreOffice ended the long Master list on a blank page)
        ws.page_setup.scale = printing.NATURAL_SCALE
    if spec.title_cols is not None:
        ws.print_title_cols = f"{col_letter(spec.title_cols[0])}:{col_letter(spec.title_cols[1])}"
    if spec.title_rows is not None:
        ws.print_title_rows = f"{spec.title_rows[0]}:{spec.title_rows[1]}"
    if spec.area_ref is not None:
        ws.print_area = spec.area_ref.replace("$", "")
    for row in spec.breaks:                 # openpyxl: a break after row ``id``
        ws.row_breaks.append(Break(id=row - 1))
    for col in spec.column_breaks:
        ws.col_breaks.append(Break(id=col - 1))
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    footer = brand.name + (f" · {brand.contact}" if brand.contact else "")
    ws.oddFooter.left.text = footer
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = "&A"          # the tab's name: a loose page says where it is from
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = 8


def _render_block(ws: Worksheet, block: Block, lang: Lang, styler: _Styler) -> None:
    row, col = block.anchor_row, block.anchor_col
    data_style = {"table": "cell", "total": "total", "stamp": "stamp", "note": "note"}[block.style]
    if block.layout == "fields":
        for i, column in enumerate(block.columns):
            label = ws.cell(row + i, col, t(column.label, lang))
            styler.apply(label, "field_label")
            styler.apply(ws.cell(row + i, col + 1), "cell", column.fmt)
        return
    if block.header:
        for i in range(len(block.columns)):
            cell = ws.cell(row, col + i)
            if i < len(block.columns):
                cell.value = t(block.columns[i].label, lang)
            styler.apply(cell, "table_header")
        ws.row_dimensions[row].height = 30
    first = block.first_data_row
    rows = 1      # the style row; the rows a Calculate writes copy it
    if block.row_height:
        for r in range(first, first + (block.fixed_rows or 1)):
            ws.row_dimensions[r].height = block.row_height
    for r in range(first, first + rows):
        for i, column in enumerate(block.columns):  # extra columns copy the last one's style
            styler.apply(ws.cell(r, col + i), column.style(data_style), column.fmt)
    if block.name == "run.stamp":
        ws.cell(first, col, t("stamp.never", lang))
    if block.autofilter:
        ws.auto_filter.ref = f"{col_letter(col)}{row}:{col_letter(col + block.width - 1)}{first}"
    extra_style = "cell_text" if data_style == "cell" and block.extra_fmt == "text" else data_style
    for i in range(len(block.columns), block.width):     # columns only some data fills
        if block.header:
            styler.apply(ws.cell(row, col + i), "table_header")
        for r in range(first, first + rows):
            styler.apply(ws.cell(r, col + i), extra_style, block.extra_fmt)


def _render_heatmap(ws: Worksheet, tab: Tab, spec: Heatmap) -> None:
    r1, c1, r2, c2 = tab.heatmap_range(spec)
    ws.conditional_formatting.add(
        f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}",
        ColorScaleRule(start_type="min", start_color=HEATMAP_LOW, mid_type="percentile",
                       mid_value=50, mid_color=HEATMAP_MID, end_type="max",
                       end_color=HEATMAP_HIGH))


def _render_colours(ws: Worksheet, tab: Tab, spec) -> None:
    """One fill per label (in both languages: the texts follow the Settings language)."""
    block = tab.block(spec.block)
    first, col = block.first_data_row, block.anchor_col + spec.skip
    rows = block.fixed_height or 1
    ref = f"{col_letter(col)}{first}:{col_letter(block.anchor_col + block.width - 1)}" \
          f"{first + rows - 1}"
    for label, fill in spec.labels:
        for text in dict.fromkeys(t(label, lang) for lang in ("fr", "en")):
            quoted = '"' + text.replace('"', '""') + '"'
            ws.conditional_formatting.add(ref, CellIsRule(
                operator="equal", formula=[quoted],
                fill=PatternFill("solid", start_color=fill, end_color=fill, bgColor=fill)))


def _render_chart(ws: Worksheet, tab: Tab, spec: Chart, lang: Lang, styler: _Styler) -> None:
    block = next(b for b in tab.blocks if b.name == spec.block)
    keys = [c.key for c in block.columns]
    first = block.first_data_row
    col = block.anchor_col

    def ref(key: str) -> Reference:
        c = col + keys.index(key)
        return Reference(ws, min_col=c, max_col=c, min_row=first, max_row=first)

    if spec.kind == "line":
        bar = LineChart()
    else:
        bar = BarChart()
        bar.type = "bar" if spec.horizontal else "col"
        bar.grouping = "stacked" if spec.stacked else "clustered"
        if spec.stacked:
            bar.overlap = 100
        bar.gapWidth = 60
    if spec.dynamic:      # one series per column after the category, titled by its header cell
        start = col + keys.index(spec.category) + 1 + spec.skip
        for c in range(start, col + block.width):
            bar.add_data(Reference(ws, min_col=c, max_col=c, min_row=first, max_row=first),
                         titles_from_data=False)
            header = f"'{ws.title}'!${col_letter(c)}${block.anchor_row}"
            bar.series[-1].tx = SeriesLabel(strRef=StrRef(f=header))
    else:
        for key in spec.bars:
            bar.add_data(ref(key), titles_from_data=False)
        for series, key in zip(bar.series, spec.bars):
            series.tx = SeriesLabel(v=t(block.columns[keys.index(key)].label, lang))
    palette = [styler.styles["table_header"].fill, styler.styles["kpi"].color,
               *SERIES_COLOURS[2:]] if not spec.dynamic else list(SERIES_COLOURS)
    for series, colour in zip(bar.series, palette * 6):
        if spec.kind == "line":
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 22000
            series.smooth = False
        else:
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
    categories = ref(spec.category)
    for series in bar.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    bar.title = t(spec.title, lang)
    bar.y_axis.numFmt = NUMBER_FORMATS[lang][spec.y_fmt]
    bar.y_axis.majorGridlines = bar.y_axis.majorGridlines
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.legend.position = "b"
    if spec.horizontal:                  # first row at the top, as in the table
        bar.x_axis.scaling.orientation = "maxMin"
    if spec.lines:
        line = LineChart()
        for key in spec.lines:
            line.add_data(ref(key), titles_from_data=False)
        for series in line.series:
            series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
        for series, key in zip(line.series, spec.lines):
            series.tx = SeriesLabel(v=t(block.columns[keys.index(key)].label, lang))
            series.graphicalProperties.line.solidFill = "2A9D8F"
            series.graphicalProperties.line.width = 28000
            series.smooth = False
        line.y_axis.axId = 200
        line.y_axis.crosses = "max"
        line.y_axis.numFmt = NUMBER_FORMATS[lang][spec.line_fmt]
        line.y_axis.majorGridlines = None
        line.y_axis.delete = False
        line.y_axis.scaling.min = 0
        line.y_axis.scaling.max = 1
        bar += line
    bar.width = spec.width_cm
    bar.height = spec.height_cm
    ws.add_chart(bar, spec.anchor)


def _render_settings(ws: Worksheet, template: Template, lang: Lang, styler: _Styler) -> None:
    row = SETTINGS_FIRST_ROW
    identity = {"template": template.id, "lang": lang}
    choice_col = CHOICES_FIRST_COL
    for setting in IDENTITY_SETTINGS + template.settings:
        ws.cell(row, 1, setting.key)
        styler.apply(ws.cell(row, 2, t(setting.label, lang)), "field_name")
        value = ws.cell(row, 3)
        if setting.key in identity:
            value.value = identity[setting.key]
        elif setting.choices:
            default = next(c for c in setting.choices if c.value == setting.default)
            value.value = t(default.label, lang)
        elif setting.default:
            value.value = setting.default
        styler.apply(value, "setting_value", "date" if setting.kind == "date" else "text")
        styler.apply(ws.cell(row, 4, t(setting.help, lang)), "body")
        lines = -(-len(t(setting.help, lang)) // 80)      # help column: ~80 characters a line
        ws.row_dimensions[row].height = max(18, 14 * lines + 3)
        if setting.choices:
            letter = col_letter(choice_col)
            ws.cell(SETTINGS_FIRST_ROW - 1, choice_col, setting.key)
            for i, choice in enumerate(setting.choices):
                ws.cell(SETTINGS_FIRST_ROW + i, choice_col, t(choice.label, lang))
            last = SETTINGS_FIRST_ROW + len(setting.choices) - 1
            validation = DataValidation(
                type="list", formula1=f"${letter}${SETTINGS_FIRST_ROW}:${letter}${last}",
                allow_blank=False, showDropDown=False, showErrorMessage=True,
                errorTitle=t("settings.col.value", lang),
                error=t("settings.bad_choice", lang, value="", choices=", ".join(
                    t(c.label, lang) for c in setting.choices)).replace("« » ", "").replace(
                        "'' ", ""))
            validation.add(f"C{row}")
            ws.add_data_validation(validation)
            ws.column_dimensions[letter].hidden = True
            choice_col += 1
        row += 1
    for grid in template.grids:
        choice_col = _render_grid(ws, grid, lang, styler, choice_col)
    ws.column_dimensions["A"].hidden = True


def _render_grid(ws: Worksheet, grid: GridSetting, lang: Lang, styler: _Styler,
                 choice_col: int) -> int:
    """An editable grid of drop-downs (its list in a hidden column); returns the next free
    hidden column."""
    top, left = grid.first_cell[0] - 2, grid.first_cell[1] - 1
    styler.apply(ws.cell(top, left, t(grid.title, lang)), "h2")
    for j in range(1, len(grid.col_labels) + 1):
        styler.apply(ws.cell(top, left + j), "h2")
    styler.apply(ws.cell(top + 1, left, ""), "table_header")
    for j, label in enumerate(grid.col_labels):
        styler.apply(ws.cell(top + 1, left + 1 + j, t(label, lang)), "table_header")
    letter = col_letter(choice_col)
    ws.cell(SETTINGS_FIRST_ROW - 1, choice_col, grid.key)
    for i, choice in enumerate(grid.choices):
        ws.cell(SETTINGS_FIRST_ROW + i, choice_col, t(choice, lang))
    ws.column_dimensions[letter].hidden = True
    last = SETTINGS_FIRST_ROW + len(grid.choices) - 1
    validation = DataValidation(type="list", formula1=f"${letter}${SETTINGS_FIRST_ROW}:"
                                f"${letter}${last}", allow_blank=False, showErrorMessage=True,
                                errorTitle=t(grid.title, lang),
                                error=", ".join(t(c, lang) for c in grid.choices)[:250])
    for i, label in enumerate(grid.row_labels):
        r = top + 2 + i
        styler.apply(ws.cell(r, left, t(label, lang)), "field_name")
        for j in range(len(grid.col_labels)):
            cell = ws.cell(r, left + 1 + j, t(grid.default[i][j], lang))
            styler.apply(cell, "setting_value", "text")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[r].height = 30
    validation.add(f"{col_letter(left + 1)}{top + 2}:{col_letter(left + len(grid.col_labels))}"
                   f"{top + 1 + len(grid.row_labels)}")
    ws.add_data_validation(validation)
    help_row = top + 2 + len(grid.row_labels)
    styler.apply(ws.cell(help_row, left, t(grid.help, lang)), "note")
    ws.merge_cells(start_row=help_row, start_column=left, end_row=help_row + 2,
                   end_column=left + len(grid.col_labels))
    ws.cell(help_row, left).alignment = Alignment(wrap_text=True, vertical="top")
    return choice_col + 1


def _render_glossary(ws: Worksheet, template: Template, lang: Lang, styler: _Styler) -> None:
    for i, entry in enumerate(template.glossary):
        row = 6 + i
        styler.apply(ws.cell(row, 2, t(entry.term, lang)), "field_name")
        definition = t(entry.definition, lang)
        styler.apply(ws.cell(row, 3, definition), "body")
        ws.row_dimensions[row].height = 15 * (1 + len(definition) // 120)


def _render_brand(ws: Worksheet, brand: Brand, lang: Lang, styler: _Styler) -> None:
    if brand.is_default:
        return
    line = t("brand.by", lang, name=brand.name) + (f" · {brand.contact}" if brand.contact else "")
    styler.apply(ws.cell(1, 2, line), "brand")
    if brand.logo:
        image = Image(str(brand.logo))
        scale = min(1.0, 60 / max(image.height, 1))
        image.width, image.height = image.width * scale, image.height * scale
        ws.add_image(image, "E2")

