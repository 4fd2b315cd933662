"""Tests for kc_sheets.xlsx.ooxml_zip (raw-copy zip writer)."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from kc_sheets.xlsx import ooxml_zip
from kc_sheets.xlsx.ooxml_zip import (
    OoxmlPackage,
    atomic_write_package,
    normalize_package,
    write_package,
)

OLD_TIME = (2001, 2, 3, 4, 5, 6)


# ----------------------------------------------------------------- helpers


def raw_entry(path: Path, name: str) -> tuple[bytes, bytes]:
    """(local header fixed part + name + extra, raw compressed data) of an entry."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        fixed = f.read(30)
        assert fixed[:4] == b"PK\x03\x04"
        n, m = struct.unpack("<HH", fixed[26:30])
        rest = f.read(n + m)
        return fixed + rest, f.read(info.compress_size)


def local_flags_and_extra_len(path: Path, name: str) -> tuple[int, int]:
    header, _ = raw_entry(path, name)
    flags = struct.unpack("<H", header[6:8])[0]
    extra_len = struct.unpack("<H", header[28:30])[0]
    return flags, extra_len


def entries_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def names_of(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


class _Unseekable(io.RawIOBase):
    """Write-only stream without seek: zipfile then uses data descriptors."""

    def __init__(self, buf: io.BytesIO) -> None:
        self.buf = buf

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        return self.buf.write(b)

    def seek(self, *a):  # type: ignore[override]
        raise OSError("not seekable")

    def tell(self):  # type: ignore[override]
        raise OSError("not seekable")

    def flush(self) -> None:
        pass


def make_src(path: Path) -> dict[str, bytes]:
    """A small zip with deflated, stored, extra-field, UTF-8 and comment entries."""
    contents = {
        "[Content_Types].xml": b"<Types>" + b"<Default/>" * 50 + b"</Types>",
        "xl/workbook.xml": b"<workbook>" + b"<sheet/>" * 100 + b"</workbook>",
        "xl/worksheets/sheet1.xml": b"".join(b"<row r='%d'><c>%d</c></row>" % (i, i * i) for i in range(2000)),
        "xl/media/image1.png": bytes(range(256)) * 4,
        "docProps/donn\u00e9es.xml": "<d>\u00e9t\u00e9</d>".encode(),
        "xl/empty.bin": b"",
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.comment = b"archive comment"
        for name, data in contents.items():
            zi = zipfile.ZipInfo(name, date_time=OLD_TIME)
            zi.external_attr = 0o644 << 16
            if name.endswith(".png"):
                zi.compress_type = zipfile.ZIP_STORED
            else:
                zi.compress_type = zipfile.ZIP_DEFLATED
            if name == "xl/workbook.xml":
                # extended-timestamp extra field (in local header and central dir)
                zi.extra = struct.pack("<HHBI", 0x5455, 5, 1, 1_000_000_000)
                zi.comment = b"entry comment"
            zf.writestr(zi, data, compresslevel=9)
    return contents


# ------------------------------------------------------------------ reading


def test_ooxml_package_reading(tmp_path: Path) -> None:
    src = tmp_path / "src.zip"
    contents = make_src(src)
    with OoxmlPackage(src) as pkg:
        assert pkg.names() == list(contents)
        for name, data in contents.items():
            assert pkg.has(name)
            assert pkg.read(name) == data
        assert not pkg.has("nope.xml")
        with pkg.open("xl/worksheets/sheet1.xml") as f:
            assert f.read(10) == contents["xl/worksheets/sheet1.xml"][:10]
        with pytest.raises(KeyError):
            pkg.read("nope.xml")
    with pytest.raises(ValueError):  # closed
        pkg.read("xl/workbook.xml")


# ------------------------------------------------------------ write_package


def test_write_package_replace_delete_add(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    contents = make_src(src)
    src_bytes = src.read_bytes()
    new_wb = b"<workbook>new</workbook>"
    write_package(
        src, dst,
        replace={"xl/workbook.xml": new_wb, "z/added.xml": b"<z/>", "a/added.xml": b"<a/>",
                 "\u00e9/added.xml": b"<e/>"},
        delete={"xl/media/image1.png", "not/there.xml"},
    )
    assert src.read_bytes() == src_bytes  # source untouched
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None
        assert zf.comment == b"archive comment"
    expected_order = [n for n in contents if n != "xl/media/image1.png"] + [
        "a/added.xml", "z/added.xml", "\u00e9/added.xml"]
    assert names_of(dst) == expected_order
    got = entries_of(dst)
    assert got["xl/workbook.xml"] == new_wb
    assert got["z/added.xml"] == b"<z/>"
    assert got["\u00e9/added.xml"] == b"<e/>"
    for name in ("[Content_Types].xml", "xl/worksheets/sheet1.xml", "docProps/donn\u00e9es.xml",
                 "xl/empty.bin"):
        assert got[name] == contents[name]
        assert raw_entry(dst, name)[1] == raw_entry(src, name)[1]  # raw copy, no recompression
        flags, extra_len = local_flags_and_extra_len(dst, name)
        assert extra_len == 0
        assert not flags & 0x08
    # UTF-8 flag on non-ASCII names, not on ASCII ones
    assert local_flags_and_extra_len(dst, "docProps/donn\u00e9es.xml")[0] & 0x800
    assert local_flags_and_extra_len(dst, "\u00e9/added.xml")[0] & 0x800
    assert not local_flags_and_extra_len(dst, "xl/empty.bin")[0] & 0x800
    with zipfile.ZipFile(dst) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.date_time == OLD_TIME
        assert info.external_attr == 0o644 << 16
        assert zf.getinfo("xl/workbook.xml").compress_type == zipfile.ZIP_DEFLATED
        assert zf.getinfo("xl/workbook.xml").date_time == OLD_TIME
        assert zf.getinfo("xl/workbook.xml").comment == b"entry comment"
    # replaced entry compressed with deflate level 6
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert raw_entry(dst, "xl/workbook.xml")[1] == comp.compress(new_wb) + comp.flush()


def test_stored_entries_are_copied_raw(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    contents = make_src(src)
    write_package(src, dst, replace={})
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None
        assert zf.getinfo("xl/media/image1.png").compress_type == zipfile.ZIP_STORED
        assert zf.read("xl/media/image1.png") == contents["xl/media/image1.png"]
    assert entries_of(dst) == contents
    assert names_of(dst) == list(contents)


def test_add_order(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    contents = make_src(src)
    write_package(src, dst, replace={"b.xml": b"b", "a.xml": b"a", "c.xml": b"c",
                                     "xl/workbook.xml": b"<w/>"},
                  add_order=["c.xml", "xl/workbook.xml", "a.xml"])
    assert names_of(dst) == list(contents) + ["c.xml", "a.xml", "b.xml"]
    with pytest.raises(ValueError, match="add_order"):
        write_package(src, dst, replace={"a.xml": b"a"}, add_order=["zzz.xml"])


def test_fixed_time(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    make_src(src)
    fixed = (2024, 1, 1, 0, 0, 0)
    write_package(src, dst, replace={"xl/workbook.xml": b"x", "new.xml": b"n"}, fixed_time=fixed)
    with zipfile.ZipFile(dst) as zf:
        assert {i.date_time for i in zf.infolist()} == {fixed}
    with pytest.raises(ValueError):
        write_package(src, dst, replace={}, fixed_time=(1970, 1, 1, 0, 0, 0))


def test_data_descriptor_source(tmp_path: Path) -> None:
    """Entries written with a data descriptor (bit 3) are copied without one."""
    buf = io.BytesIO()
    with zipfile.ZipFile(_Unseekable(buf), "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xml", b"<a>" * 1000)
        zf.writestr("b.xml", b"<b>" * 1000)
    src, dst = tmp_path / "dd.zip", tmp_path / "dst.zip"
    src.write_bytes(buf.getvalue())
    assert local_flags_and_extra_len(src, "a.xml")[0] & 0x08
    write_package(src, dst, replace={"b.xml": b"<bb/>"})
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None
        assert zf.read("a.xml") == b"<a>" * 1000
        assert zf.read("b.xml") == b"<bb/>"
    assert not local_flags_and_extra_len(dst, "a.xml")[0] & 0x08
    assert raw_entry(dst, "a.xml")[1] == raw_entry(src, "a.xml")[1]
    # the output is exactly the entries, nothing trailing (no data descriptors)
    with zipfile.ZipFile(dst) as zf:
        infos = zf.infolist()
    a_header, a_data = raw_entry(dst, "a.xml")
    assert infos[1].header_offset == len(a_header) + len(a_data)


def test_write_package_refuses_same_file(tmp_path: Path) -> None:
    src = tmp_path / "src.zip"
    make_src(src)
    before = src.read_bytes()
    with pytest.raises(ValueError, match="atomic_write_package"):
        write_package(src, src, replace={})
    assert src.read_bytes() == before


def test_replace_and_delete_conflict(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    make_src(src)
    with pytest.raises(ValueError, match="both replaced and deleted"):
        write_package(src, dst, replace={"xl/workbook.xml": b"x"}, delete={"xl/workbook.xml"})
    assert not dst.exists()


# ------------------------------------------------------------------ refusals


def _patch_central_flags(path: Path, name: bytes, set_bits: int) -> None:
    data = bytearray(path.read_bytes())
    i = data.find(b"PK\x01\x02")  # first central header
    while i != -1:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46:i + 46 + n]) == name:
            flags = struct.unpack_from("<H", data, i + 8)[0]
            struct.pack_into("<H", data, i + 8, flags | set_bits)
        i = data.find(b"PK\x01\x02", i + 4)
    path.write_bytes(bytes(data))


def test_refuses_encrypted(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    make_src(src)
    _patch_central_flags(src, b"xl/workbook.xml", 0x1)
    with pytest.raises(ValueError, match="encrypted"):
        write_package(src, dst, replace={})
    assert not dst.exists()


def test_refuses_zip64_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    with monkeypatch.context() as m:
        m.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 0)  # force a zip64 end record
        with zipfile.ZipFile(src, "w") as zf:
            zf.writestr("a.xml", b"<a/>")
    with zipfile.ZipFile(src) as zf:  # still a valid zip
        assert zf.read("a.xml") == b"<a/>"
    with pytest.raises(ValueError, match="zip64"):
        write_package(src, dst, replace={})


def test_refuses_zip64_entry(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zi = zipfile.ZipInfo("a.xml", date_time=OLD_TIME)
        zi.extra = struct.pack("<HHQ", 0x0001, 8, 4)  # zip64 extended info
        zf.writestr(zi, b"<a/>")
    with pytest.raises(ValueError, match="zip64"):
        write_package(src, dst, replace={})


def test_refuses_other_compression(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.zip", tmp_path / "dst.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("a.xml", b"<a/>")
    with pytest.raises(ValueError, match="compression method"):
        write_package(src, dst, replace={})


# ------------------------------------------------------------------- atomic


def _tmp_leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.endswith(".kc-tmp")]


def test_atomic_write_in_place(tmp_path: Path) -> None:
    src = tmp_path / "book.zip"
    contents = make_src(src)
    os.chmod(src, 0o640)
    atomic_write_package(src, src, replace={"xl/workbook.xml": b"<w/>"}, delete={"xl/empty.bin"})
    got = entries_of(src)
    assert got["xl/workbook.xml"] == b"<w/>"
    assert "xl/empty.bin" not in got
    assert got["xl/worksheets/sheet1.xml"] == contents["xl/worksheets/sheet1.xml"]
    assert _tmp_leftovers(tmp_path) == []
    if os.name == "posix":
        assert (src.stat().st_mode & 0o777) == 0o640


def test_atomic_write_new_dst(tmp_path: Path) -> None:
    src = tmp_path / "src.zip"
    dst = tmp_path / "out" / "dst.zip"
    dst.parent.mkdir()
    contents = make_src(src)
    atomic_write_package(src, dst, replace={})
    assert entries_of(dst) == contents
    assert _tmp_leftovers(dst.parent) == []


@pytest.mark.parametrize("in_place", [False, True])
def test_atomic_write_failure_leaves_dst_untouched(tmp_path: Path, in_place: bool) -> None:
    src = tmp_path / "src.zip"
    make_src(src)
    dst = src if in_place else tmp_path / "dst.zip"
    if not in_place:
        dst.write_bytes(b"previous content")
    before = dst.read_bytes()
    with pytest.raises(TypeError):
        atomic_write_package(src, dst, replace={"xl/worksheets/sheet1.xml": "not bytes"})  # type: ignore[dict-item]
    assert dst.read_bytes() == before
    assert _tmp_leftovers(tmp_path) == []


def test_atomic_write_failure_mid_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after part of the output was written still cleans up."""
    src = tmp_path / "src.zip"
    make_src(src)
    before = src.read_bytes()
    real_copy = ooxml_zip._copy_raw
    calls = {"n": 0}

    def failing_copy(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(ooxml_zip, "_copy_raw", failing_copy)
    with pytest.raises(OSError, match="simulated"):
        atomic_write_package(src, src, replace={})
    assert src.read_bytes() == before
    assert _tmp_leftovers(tmp_path) == []


# ----------------------------------------------------------------- openpyxl


def _openpyxl_book(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Raw Data"
    ws.append(["id", "name", "amount"])
    for i in range(1, 200):
        ws.append([i, f"client {i}", i * 1.5])
    ws2 = wb.create_sheet("Summary")
    ws2["A1"] = "total"
    ws2["B1"] = "=SUM('Raw Data'!C2:C200)"
    wb.save(path)


def test_openpyxl_roundtrip(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    src, dst = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    _openpyxl_book(src)
    with OoxmlPackage(src) as pkg:
        sheet = pkg.read("xl/worksheets/sheet1.xml")
    write_package(src, dst, replace={"xl/worksheets/sheet1.xml": sheet})
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None
        assert zf.read("xl/worksheets/sheet1.xml") == sheet
    assert names_of(dst) == names_of(src)
    wb = openpyxl.load_workbook(dst)
    assert wb.sheetnames == ["Raw Data", "Summary"]
    assert wb["Raw Data"]["B3"].value == "client 2"
    assert wb["Raw Data"].max_row == 200
    assert wb["Summary"]["B1"].value == "=SUM('Raw Data'!C2:C200)"


def test_normalize_package_makes_builds_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _openpyxl_book(a)
    time.sleep(1.1)
    _openpyxl_book(b)
    assert a.read_bytes() != b.read_bytes()  # timestamps differ
    normalize_package(a)
    normalize_package(b)
    assert a.read_bytes() == b.read_bytes()
    with OoxmlPackage(a) as pkg:
        core = pkg.read("docProps/core.xml")
    assert b">2024-01-01T00:00:00Z</dcterms:created>" in core
    assert b">2024-01-01T00:00:00Z</dcterms:modified>" in core
    with zipfile.ZipFile(a) as zf:
        assert zf.testzip() is None
        assert {i.date_time for i in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}
    # idempotent
    before = a.read_bytes()
    normalize_package(a)
    assert a.read_bytes() == before
    assert _tmp_leftovers(tmp_path) == []


# -------------------------------------------------------------------- large


@pytest.mark.slow
def test_a_large_entry_is_copied_raw(tmp_path: Path) -> None:
    """The 30 MB sheet not replaced is copied as its compressed bytes (how fast: the
    benchmark, ``scripts/bench.py``, "raw entry copy / file copy")."""
    src, dst = tmp_path / "big.xlsx", tmp_path / "out.xlsx"
    row = b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c></row>'
    big = b"".join(row % (i, i, i * 7919 % 1000003, i, i % 977) for i in range(1, 420_000))
    assert len(big) > 30_000_000
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", big)
        zf.writestr("xl/worksheets/sheet2.xml", b"<worksheet/>")
    write_package(src, dst, replace={"xl/worksheets/sheet2.xml": b"<worksheet>new</worksheet>"})
    assert raw_entry(dst, "xl/worksheets/sheet1.xml")[1] == raw_entry(src, "xl/worksheets/sheet1.xml")[1]
    with zipfile.ZipFile(dst) as zf:
        assert zf.read("xl/worksheets/sheet1.xml") == big
        assert zf.read("xl/worksheets/sheet2.xml") == b"<worksheet>new</worksheet>"


@pytest.mark.parametrize("rows", [10, 700_000])    # one chunk; past FAST_COMPRESS_FROM
def test_a_part_given_as_chunks_is_streamed_whole(tmp_path: Path, rows: int) -> None:
    """A sheet produced piece by piece (``SheetEditor.chunks``) is compressed as it comes and
    its local header completed afterwards: the zip reads back, CRC checked, equal to the join."""
    src = tmp_path / "src.zip"
    contents = make_src(src)
    pieces = [b"<row r='%d'><c><v>%d</v></c></row>" % (i, i) for i in range(rows)]
    produced = (b"".join(pieces[i:i + 1000]) for i in range(0, rows, 1000))
    dst = tmp_path / "dst.zip"
    atomic_write_package(src, dst, {"xl/worksheets/sheet1.xml": produced,
                                    "xl/new.xml": iter([b"<a>", b"", b"</a>"])})
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None                     # every CRC and size right
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size == sum(map(len, pieces))
    got = entries_of(dst)
    assert got["xl/worksheets/sheet1.xml"] == b"".join(pieces)
    assert got["xl/new.xml"] == b"<a></a>"
    assert got["xl/workbook.xml"] == contents["xl/workbook.xml"]
    for name in ("xl/worksheets/sheet1.xml", "xl/new.xml"):   # local header = central one
        flags, _ = local_flags_and_extra_len(dst, name)
        assert flags & 0x08 == 0                        # no data descriptor needed
        with zipfile.ZipFile(dst) as zf, open(dst, "rb") as fp:
            info = zf.getinfo(name)
            fp.seek(info.header_offset)
            local = struct.unpack("<4sHHHHHIIIHH", fp.read(30))
            assert local[6:9] == (info.CRC, info.compress_size, info.file_size)
    with pytest.raises(TypeError):
        atomic_write_package(src, tmp_path / "bad.zip", {"xl/new.xml": "text"})
