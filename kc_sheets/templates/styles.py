"""Cell styles and number formats, shared by every renderer (xlsx today, Google Sheets next).

Number formats are Excel format codes. They are locale-independent in the file: a French Excel or
LibreOffice shows ``#,##0.00 "€"`` as ``1 234,56 €``, an English one as ``1,234.56 €``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kc_sheets.templates.brand import Brand

NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "fr": {
        "text": "@", "int": "#,##0", "money": '#,##0.00\\ "€"', "money0": '#,##0\\ "€"',
        "percent": "0.0\\ %",                     # 67,0 % (French typography)
        "date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "number": "#,##0.00",
        "seconds": "0.0",
    },
    "en": {
        "text": "@", "int": "#,##0", "money": '"€"#,##0.00', "money0": '"€"#,##0',
        "percent": "0.0%",
        "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "number": "#,##0.00",
        "seconds": "0.0",
    },
}
GENERAL = "General"
HEATMAP_LOW, HEATMAP_MID, HEATMAP_HIGH = "FFFFFF", "BDD7EE", "2F75B5"   # lowest, median, highest
SERIES_COLOURS = ("1F3A5F", "E07A1F", "2A9D8F", "8AB17D", "E9C46A", "F4A261", "E76F51",
                  "264653", "9C89B8", "F0A6CA", "B8BEDD", "5B9BD5")


@dataclass(frozen=True)
class CellStyle:
    """A named look: font, fill, borders, alignment (colours as RRGGBB)."""

    bold: bool = False
    italic: bool = False
    size: float = 10.0
    color: str = "222222"
    fill: str | None = None
    wrap: bool = False
    align: str | None = None          # left | center | right
    valign: str = "center"
    border_bottom: str | None = None  # colour of a thin bottom border
    border_top: str | None = None
    indent: int = 0                   # characters of space before a left-aligned text


def cell_styles(brand: Brand) -> dict[str, CellStyle]:
    """Every named style a template uses, in the brand's colours."""
    p, a, light = brand.primary, brand.accent, brand.light
    return {
        "title": CellStyle(bold=True, size=18, color=p, valign="bottom"),
        "subtitle": CellStyle(size=11, color="555555", wrap=False, valign="top"),
        "h2": CellStyle(bold=True, size=12, color=p, border_bottom=p),
        "body": CellStyle(size=10.5, wrap=True, valign="top"),
        "note": CellStyle(italic=True, size=9.5, color="666666", valign="top"),
        "brand": CellStyle(bold=True, size=10, color=a),
        "field_name": CellStyle(bold=True, size=10.5, valign="top"),
        "field_flag": CellStyle(italic=True, size=10, color=a, valign="top"),
        "table_header": CellStyle(bold=True, size=10, color="FFFFFF", fill=p, wrap=True,
                                  align="center"),
        "raw_header": CellStyle(bold=True, size=10, color="FFFFFF", fill="5B6B7F"),
        "kpi_label": CellStyle(size=9.5, color="555555", valign="bottom"),
        "kpi": CellStyle(bold=True, size=16, color=a, align="left"),
        "stamp": CellStyle(italic=True, size=9.5, color="666666"),
        "cell": CellStyle(size=10, border_bottom="D9DEE5"),
        # text one space in from the left: never glued to the number of the column before
        "cell_text": CellStyle(size=10, border_bottom="D9DEE5", align="left", indent=1),
        "cell_wrap": CellStyle(size=9.5, border_bottom="D9DEE5", align="left", wrap=True,
                               valign="top", indent=1),
        "cell_grid": CellStyle(size=9.5, border_bottom="D9DEE5", align="center", wrap=True),
        "total": CellStyle(bold=True, size=10, fill=light, border_top=p, border_bottom=p),
        "setting_value": CellStyle(bold=True, size=10.5, color=p, fill="FFF8E5",
                                   border_bottom="E0C97A"),
        "field_label": CellStyle(size=10, color="444444", border_bottom="D9DEE5"),
    }


TAB_COLOURS = {"primary": lambda b: b.primary, "accent": lambda b: b.accent}
