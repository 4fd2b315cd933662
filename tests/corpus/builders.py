"""Small, readable writers for the hostile inputs of the corpus.

Every file of the corpus is generated from code here (no binary blobs): worksheets from rows of
typed cells (text, numbers, dates, real error cells ``t="e"``, merges, hidden rows, stray cells),
a template copied with its Raw Data replaced, a minimal .xlsx, a minimal OLE2 compound file
(.xls, or an encrypted workbook's ``EncryptionInfo`` + ``EncryptedPackage``), a minimal .ods, and
CSV text in any encoding.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import column_index_from_string, get_column_letter

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "sheet_templates"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)

# Every error value Excel can show, the dynamic-array and data-type ones included.
EXCEL_ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!")


@dataclass(frozen=True)
class Err:
    """A real error cell (``<c t="e"><v>#N/A</v></c>``), as Excel stores a failed formula."""

    code: str


@dataclass
class Sheet:
    """Rows of typed cells from ``top_left`` (1-based row, column), plus sheet features."""

    rows: list[list[object]]
    top_left: tuple[int, int] = (1, 1)
    cells: dict[str, object] = field(default_factory=dict)   # extra cells by reference ("XFD1")
    hidden_rows: set[int] = field(default_factory=set)        # sheet row numbers
    merges: list[str] = field(default_factory=list)           # "C2:C3"


# Cell references through openpyxl, a reference independent of kc_sheets.cells.
col_letter = get_column_letter
col_index = column_index_from_string


def excel_text(text: str) -> str:
    """Text as Excel stores it in XML: a literal ``_xHHHH_`` is escaped as ``_x005F_xHHHH_``,
    control characters as ``_xHHHH_``, then XML-escaped."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)
    return escape(text)


def _cell_xml(ref: str, value: object, styles: dict[str, int]) -> str:
    if value is None:
        return ""
    if isinstance(value, Err):
        return f'<c r="{ref}" t="e"><v>{escape(value.code)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        stamp = value if isinstance(value, dt.datetime) else dt.datetime.combine(
            value, dt.time())
        serial = (stamp - EXCEL_EPOCH) / dt.timedelta(days=1)
        style = styles["datetime" if stamp.time() != dt.time() else "date"]
        return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return (f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{excel_text(str(value))}'
            f"</t></is></c>")


def sheet_xml(sheet: Sheet, styles: dict[str, int]) -> bytes:
    """A worksheet part holding the sheet's cells (rows in order, cells in column order)."""
    by_row: dict[int, dict[int, object]] = {}
    top, left = sheet.top_left
    for r, values in enumerate(sheet.rows):
        for c, value in enumerate(values):
            if value is not None:
                by_row.setdefault(top + r, {})[left + c] = value
    for ref, value in sheet.cells.items():
        letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
        by_row.setdefault(int(digits), {})[col_index(letters)] = value
    rows_xml = []
    for number in sorted(set(by_row) | sheet.hidden_rows):
        cells = "".join(_cell_xml(f"{col_letter(c)}{number}", v, styles)
                        for c, v in sorted(by_row.get(number, {}).items()))
        hidden = ' hidden="1"' if number in sheet.hidden_rows else ""
        rows_xml.append(f'<row r="{number}"{hidden}>{cells}</row>')
    merges = ""
    if sheet.merges:
        merges = (f'<mergeCells count="{len(sheet.merges)}">'
                  + "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merges) + "</mergeCells>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData>{"".join(rows_xml)}'
            f"</sheetData>{merges}</worksheet>").encode("utf-8")


def _add_date_styles(styles: bytes) -> tuple[bytes, dict[str, int]]:
    """styles.xml with two more cell formats (date 14, date-time 22) and their indexes."""
    match = re.search(rb'<cellXfs count="(\d+)">', styles)
    count = int(match.group(1))
    xfs = (b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
           b'<xf numFmtId="22" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>')
    styles = styles.replace(match.group(0), f'<cellXfs count="{count + 2}">'.encode(), 1)
    styles = styles.replace(b"</cellXfs>", xfs + b"</cellXfs>", 1)
    return styles, {"date": count, "datetime": count + 1}


def sheet_parts(path: Path) -> dict[str, str]:
    """Tab name -> worksheet part name, read from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel).group(1)
        target = re.search(r'Target="([^"]+)"', rel).group(1)
        targets[rid] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    out = {}
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', tag).group(1)
        rid = re.search(r'r:id="([^"]+)"', tag).group(1)
        out[_unescape(name)] = targets[rid]
    return out


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def rewrite_zip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy a zip, replacing some members (same order, deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            data = replace.get(info.filename, None)
            zo.writestr(info.filename, zin.read(info) if data is None else data)
    target.write_bytes(buffer.getvalue())
    return target


def template_path(template: str = "first-vs-repeat", lang: str = "fr") -> Path:
    return TEMPLATES / lang / f"{template}.xlsx"


def fill_template(target: Path, sheet: Sheet, template: str = "first-vs-repeat",
                  lang: str = "fr", settings: dict[int, str] | None = None,
                  rename: dict[str, str] | None = None) -> Path:
    """A copy of a built template whose Raw Data holds ``sheet``.

    ``settings``: Settings-tab row -> new text in column C (e.g. {8: "Hebdomadaire"});
    ``rename``: tab renames applied to workbook.xml.
    """
    source = template_path(template, lang)
    parts = sheet_parts(source)
    with zipfile.ZipFile(source) as zf:
        styles, style_ids = _add_date_styles(zf.read("xl/styles.xml"))
        workbook = zf.read("xl/workbook.xml")
        settings_name = "Paramètres" if lang == "fr" else "Settings"
        settings_xml = zf.read(parts[settings_name])
    replace = {parts["Raw Data"]: sheet_xml(sheet, style_ids), "xl/styles.xml": styles}
    for row, text in (settings or {}).items():
        cell = (f'<c r="C{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c>').encode()
        settings_xml, n = re.subn(rf'<c r="C{row}"[^>]*?(?:/>|>.*?</c>)'.encode(), cell,
                                  settings_xml, count=1, flags=re.S)
        assert n == 1, f"no cell C{row} in {settings_name}"
        replace[parts[settings_name]] = settings_xml
    for old, new in (rename or {}).items():
        workbook = workbook.replace(f'name="{escape(old)}"'.encode(),
                                    f'name="{escape(new)}"'.encode())
        replace["xl/workbook.xml"] = workbook
    return rewrite_zip(source, target, replace)


_MIN_STYLES = (f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/>'
               '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill '
               'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
               '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
               '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
               'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" '
               'fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>').encode()


def minimal_xlsx(target: Path, sheets: dict[str, Sheet]) -> Path:
    """The smallest valid .xlsx with these tabs (no kc_sheets template, no Settings)."""
    styles, style_ids = _add_date_styles(_MIN_STYLES)
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1))
    content_types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>")
    root_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>")
    workbook = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>' + "".join(
        f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, 1)) + "</sheets></workbook>")
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">' + "".join(
                f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="{REL_NS}/styles" '
            'Target="styles.xml"/></Relationships>')
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/styles.xml", styles)
        for i, name in enumerate(names, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(sheets[name], style_ids))
    return target


# --------------------------------------------------------------------- OLE2 compound files

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (CFB v3, 512-byte sectors) holding up to 3 streams.

    Sectors: 0 = FAT, 1 = directory, 2 = mini FAT, then the mini stream (streams under 4,096
    bytes, in 64-byte mini sectors), then the larger streams.
    """
    assert 1 <= len(streams) <= 3
    sector, mini = 512, 64
    names = sorted(streams, key=lambda n: (len(n), n.upper()))   # CFB sibling order
    small = [n for n in names if len(streams[n]) < 4096]
    mini_fat, mini_data, starts = [], b"", {}
    for name in small:
        count = max(1, -(-len(streams[name]) // mini))
        starts[name] = len(mini_fat)
        mini_fat += list(range(len(mini_fat) + 1, len(mini_fat) + count)) + [_END]
        mini_data += streams[name].ljust(count * mini, b"\0")
    mini_container = mini_data.ljust(-(-len(mini_data) // sector) * sector, b"\0")
    fat = [_FAT, _END, _END]
    root_start = _END
    if mini_container:
        root_start = len(fat)
        count = len(mini_container) // sector
        fat += list(range(root_start + 1, root_start + count)) + [_END]
    big = b""
    for name in names:
        if name in small:
            continue
        count = -(-len(streams[name]) // sector)
        starts[name] = len(fat)
        fat += list(range(len(fat) + 1, len(fat) + count)) + [_END]
        big += streams[name].ljust(count * sector, b"\0")
    assert len(fat) <= 128 and len(mini_fat) <= 128
    fat += [_FREE] * (128 - len(fat))
    mini_fat += [_FREE] * (128 - len(mini_fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1 if kind else 0)
                + struct.pack("<III", _FREE, right, child) + b"\0" * 16 + b"\0" * 4
                + b"\0" * 16 + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1, _FREE, root_start, len(mini_data))
    for i, name in enumerate(names, 1):
        right = i + 1 if i < len(names) else _FREE
        directory += entry(name, 2, _FREE, right, starts[name], len(streams[name]))
    for _ in range(len(names) + 1, 4):
        directory += entry("", 0, _FREE, _FREE, 0, 0)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    assert len(header) == sector and len(directory) == sector
    return (header + struct.pack("<128I", *fat) + directory + struct.pack("<128I", *mini_fat)
            + mini_container + big)


def xls_bytes() -> bytes:
    """An Excel 97-2003 file as far as a sniffer can tell: a CFB with a BIFF8 'Workbook'."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    eof = struct.pack("<HH", 0x000A, 0)
    return compound_file({"Workbook": bof + eof})


_B64 = "A" * 86 + "=="   # 64 zero bytes, base64
AGILE_INFO = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
    'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
    '<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
    'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
    f'<dataIntegrity encryptedHmacKey="{_B64}" encryptedHmacValue="{_B64}"/><keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/'
    'password"><p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" '
    'hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
    'hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA==" '
    f'encryptedVerifierHashInput="{_B64}" encryptedVerifierHashValue="{_B64}" '
    f'encryptedKeyValue="{_B64}"/></keyEncryptor>'
    "</keyEncryptors></encryption>")


def encrypted_stub_bytes() -> bytes:
    """What Excel writes for a password-protected .xlsx, reduced to its shape: a CFB with an
    agile ``EncryptionInfo`` (version 4.4) and an ``EncryptedPackage`` (size + ciphertext)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + AGILE_INFO.encode("utf-8")
    package = struct.pack("<Q", 2048) + bytes(range(256)) * 8
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def ods_bytes() -> bytes:
    """A minimal OpenDocument spreadsheet (LibreOffice's .ods) with a 'Raw Data' table."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="Raw Data"><table:table-row>'
        + "".join(f'<table:table-cell office:value-type="string"><text:p>{h}</text:p>'
                  "</table:table-cell>" for h in ("ID achat", "Date d'achat", "Montant",
                                                   "ID client"))
        + "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def csv_text(rows: list[list[object]], sep: str = ",", newline: str = "\r\n") -> str:
    """Rows as CSV text, quoted where needed (as Excel and the shop exports write it)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()
