"""Templates as data: every label in both languages, deterministic builds, the shipped files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from kc_sheets.i18n import keys, t
from kc_sheets.templates import all_templates, get
from kc_sheets.templates.brand import load_brand
from kc_sheets.xlsx.render import build

ROOT = Path(__file__).resolve().parents[1]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_build_is_deterministic(tmp_path: Path, lang: str) -> None:
    spec = get("first-vs-repeat")
    a = build(spec, tmp_path / "a.xlsx", lang)
    b = build(spec, tmp_path / "b.xlsx", lang)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_shipped_templates_equal_a_fresh_build(tmp_path: Path, lang: str) -> None:
    for spec in all_templates():
        shipped = ROOT / "sheet_templates" / lang / f"{spec.id}.xlsx"
        assert shipped.is_file(), f"run: kc-sheets templates build  (missing {shipped})"
        fresh = build(spec, tmp_path / f"{spec.id}.xlsx", lang)
        assert parts(shipped) == parts(fresh), f"{shipped} is stale: kc-sheets templates build"


def test_every_label_has_french_and_english() -> None:
    for key in keys():
        fr, en = t(key, "fr"), t(key, "en")
        assert fr.strip() and en.strip(), key


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_template_tabs_and_settings(tmp_path: Path, lang: str) -> None:
    spec = get("first-vs-repeat")
    wb = openpyxl.load_workbook(build(spec, tmp_path / "t.xlsx", lang))
    assert wb.sheetnames == [t(tab.title, lang) for tab in spec.tabs]
    assert wb.active.title == t("tab.readme", lang)
    settings = wb[t("tab.settings", lang)]
    keys_in_tab = {settings.cell(r, 1).value: r for r in range(6, 40) if settings.cell(r, 1).value}
    assert settings.cell(keys_in_tab["template"], 3).value == "first-vs-repeat"
    assert settings.cell(keys_in_tab["lang"], 3).value == lang
    assert settings.cell(keys_in_tab["period"], 3).value == t("choice.month", lang)
    lists = {str(dv.sqref): dv.formula1 for dv in settings.data_validations.dataValidation}
    assert f"C{keys_in_tab['period']}" in lists
    assert settings.column_dimensions["A"].hidden
    raw = wb["Raw Data"]
    assert raw.freeze_panes == "A2"
    assert raw["A1"].value == ("ID achat" if lang == "fr" else "Order ID")
    analysis = wb[t("tab.fvr", lang)]
    assert len(analysis._charts) == 1
    glossary = wb[t("tab.glossary", lang)]
    terms = [glossary.cell(r, 2).value for r in range(6, 6 + len(spec.glossary))]
    assert t("g.first_purchase", lang) in terms


def test_brand_file(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 40), (200, 30, 30)).save(tmp_path / "logo.png")
    toml = tmp_path / "brand.toml"
    toml.write_text('name = "Cabinet Martin"\ncontact = "contact@martin.fr"\n'
                    'primary = "#AA3300"\naccent = "#0055AA"\nlogo = "logo.png"\n',
                    encoding="utf-8")
    brand = load_brand(toml)
    wb = openpyxl.load_workbook(build(get("first-vs-repeat"), tmp_path / "b.xlsx", "fr", brand))
    readme = wb["Lisez-moi"]
    assert readme["B1"].value == "Proposé par Cabinet Martin · contact@martin.fr"
    assert len(readme._images) == 1
    assert wb["CA 1ers vs répétés"].sheet_properties.tabColor.rgb.endswith("AA3300")
    assert "Cabinet Martin" in wb["CA 1ers vs répétés"].oddFooter.left.text


def test_bad_brand_file_is_explained(tmp_path: Path) -> None:
    from kc_sheets.errors import KcError

    toml = tmp_path / "brand.toml"
    toml.write_text('primary = "red"\n', encoding="utf-8")
    with pytest.raises(KcError, match="#1F3A5F"):
        load_brand(toml)
