"""The print areas an .xlsx file defines, by tab."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

def print_areas(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    sheets = re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', workbook)
    return {sheets[int(i)]: ref for i, ref in re.findall(
        r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)">([^<]*)<', workbook)}

