"""The VBA module source rewrite of the .xlsm (MS-OVBA compression, in place in the OLE file),
checked against oletools' own decompression and VBA reader."""

from __future__ import annotations

import random
import zipfile

import pytest

pytest.importorskip("xlwings")
from oletools.olevba import VBA_Parser, decompress_stream  # noqa: E402

from kc_sheets.xlsx.vba_project import (  # noqa: E402
    compress, decompress, module_source, replace_module_source,
)
from kc_sheets.apps.excel_setup import SAMPLE_CALL, standalone_source  # noqa: E402


@pytest.mark.parametrize("size", [0, 1, 3, 200, 4096, 5000])
def test_compression_round_trips_and_oletools_reads_it(size) -> None:
    rng = random.Random(size)
    words = [b"Sub ", b"End Sub\r\n", b"RunPython ", b'"x"', b" = ", b"mymodule"]
    data = b"".join(rng.choice(words) for _ in range(size))[:size]
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data
    if size >= 200:
        assert len(packed) < len(data)


def test_the_module_source_is_replaced_and_nothing_else(tmp_path) -> None:
    with zipfile.ZipFile(standalone_source()) as z:
        project = z.read("xl/vbaProject.bin")
    assert "mymodule = Left(ThisWorkbook.Name" in module_source(project, "Module1")
    new = replace_module_source(project, "Module1", SAMPLE_CALL)
    assert len(new) == len(project)
    source = module_source(new, "Module1")
    assert source.startswith(SAMPLE_CALL.replace("\n", "\r\n"))
    assert source.count("\r\n") == SAMPLE_CALL.count("\n") + 1      # one comment line more
    assert source.splitlines()[-1].startswith("'")
    (tmp_path / "vbaProject.bin").write_bytes(new)
    modules = {name: code for _, _, name, code in
               VBA_Parser(str(tmp_path / "vbaProject.bin")).extract_macros()}
    assert modules["Module1.bas"] == source
    assert modules["xlwings.bas"] == module_source(project, "xlwings")
    with pytest.raises(ValueError, match="compressed bytes"):
        rng = random.Random(1)
        noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(400))
        replace_module_source(project, "Module1", SAMPLE_CALL + "' " + noise + "\n")
