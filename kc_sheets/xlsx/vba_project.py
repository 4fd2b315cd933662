"""Replace the source of one VBA module in a ``vbaProject.bin``, in place.

The button of the .xlsm runs xlwings' ``SampleCall``, whose source imports a Python module named
after the workbook file: a copy renamed ``kc_rfm_fr (1).xlsm`` (what a browser does to a second
download) gives ``import kc_rfm_fr (1)``, a syntax error. So its source is rewritten to call
kc_sheets whatever the file is called.

A VBA project is an OLE compound file. Each module stream holds a performance cache (compiled
p-code) then, from the ``MODULEOFFSET`` of the ``dir`` stream, the source compressed as MS-OVBA
2.4.1 says. xlwings' project has ``_VBA_PROJECT`` version 0xFFFF, which tells Excel the cache is
not for it, so Excel compiles the module from its source (MS-OVBA 2.3.4.1); LibreOffice always
reads the source. olefile rewrites a stream in place only at its size, so the new source is
followed by a comment line whose length makes the compressed source exactly as long as the old.
"""

from __future__ import annotations

import io
import struct

CHUNK = 4096


# ------------------------------------------------------------------ MS-OVBA 2.4.1 compression

def _copy_token_split(position: int) -> tuple[int, int]:
    """(offset bits, length bits) of a copy token at ``position`` bytes into its chunk."""
    bits = max((position - 1).bit_length(), 4)
    return bits, 16 - bits


def decompress(data: bytes) -> bytes:
    """A CompressedContainer's decompressed bytes."""
    if not data or data[0] != 1:
        raise ValueError("not a VBA compressed container")
    out = bytearray()
    i = 1
    while i < len(data):
        header = struct.unpack_from("<H", data, i)[0]
        size = (header & 0x0FFF) + 3
        end = min(i + size, len(data))
        chunk_start = len(out)
        i += 2
        if not header & 0x8000:                       # stored raw
            out += data[i:i + CHUNK]
            i += CHUNK
            continue
        while i < end:
            flags = data[i]
            i += 1
            for bit in range(8):
                if i >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[i])
                    i += 1
                    continue
                token = struct.unpack_from("<H", data, i)[0]
                i += 2
                offset_bits, length_bits = _copy_token_split(len(out) - chunk_start)
                length = (token & (0xFFFF >> offset_bits)) + 3
                offset = (token >> length_bits) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as a CompressedContainer (greedy longest match, as the spec's algorithm)."""
    out = bytearray([1])
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        body = bytearray()
        i = 0
        while i < len(chunk):
            flag_at = len(body)
            body.append(0)
            flags = 0
            for bit in range(8):
                if i >= len(chunk):
                    break
                offset_bits, length_bits = _copy_token_split(i)
                best_len, best_off = 0, 0
                maximum = min((0xFFFF >> offset_bits) + 3, len(chunk) - i)
                for candidate in range(i - 1, max(-1, i - (1 << offset_bits) - 1), -1):
                    length = 0
                    while length < maximum and chunk[candidate + length] == chunk[i + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, i - candidate
                if best_len >= 3:
                    body += struct.pack("<H", (best_off - 1) << length_bits | (best_len - 3))
                    flags |= 1 << bit
                    i += best_len
                else:
                    body.append(chunk[i])
                    i += 1
            body[flag_at] = flags
        if len(body) > CHUNK:                        # incompressible: stored raw
            if len(chunk) < CHUNK:
                raise ValueError("an incompressible last chunk cannot be stored raw")
            out += struct.pack("<H", 0x3000 | (CHUNK - 1)) + chunk
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


# ------------------------------------------------------------------ the project

def _module_offsets(dir_stream: bytes) -> dict[str, int]:
    """Each module's stream name and the offset of its source (MS-OVBA 2.3.4.2)."""
    out: dict[str, int] = {}
    i, stream = 0, None
    while i + 6 <= len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, i)
        i += 6
        if rid == 0x0009:                 # PROJECTVERSION: its size field says 4, it holds 6
            size = 6
        body = dir_stream[i:i + size]
        i += size
        if rid == 0x001A:
            stream = body.decode("latin-1")
        elif rid == 0x0031 and stream is not None:
            out[stream] = struct.unpack("<I", body)[0]
    return out


def module_source(project: bytes, module: str) -> str:
    import olefile

    with olefile.OleFileIO(project) as ole:
        offset = _module_offsets(decompress(ole.openstream("VBA/dir").read()))[module]
        return decompress(ole.openstream(f"VBA/{module}").read()[offset:]).decode("cp1252")


def replace_module_source(project: bytes, module: str, source: str) -> bytes:
    """``project`` with ``module``'s source replaced (CRLF line ends; the compressed size is
    kept with a trailing comment line). Raises ValueError when the source does not fit."""
    import olefile

    with olefile.OleFileIO(project) as ole:
        if ole.openstream("VBA/_VBA_PROJECT").read()[2:4] != b"\xff\xff":
            raise ValueError("the VBA project carries compiled code for one Excel version")
        offset = _module_offsets(decompress(ole.openstream("VBA/dir").read()))[module]
        stream = ole.openstream(f"VBA/{module}").read()
    room = len(stream) - offset
    text = source.replace("\r\n", "\n").replace("\n", "\r\n").rstrip("\r\n") + "\r\n"
    packed = _padded(text.encode("cp1252"), room)
    buffer = io.BytesIO(project)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        ole.write_stream(f"VBA/{module}", stream[:offset] + packed)
    return buffer.getvalue()


def _padded(source: bytes, room: int) -> bytes:
    """``source`` and a comment line, compressed to exactly ``room`` bytes."""
    if len(compress(source)) > room:
        raise ValueError(f"the new source needs more than {room} compressed bytes")
    filler = (b"kc_sheets: this macro calls kc_sheets.excel.main() itself, so a renamed copy of "
              b"the workbook works too (written by kc-sheets excel quickstart; this line keeps "
              b"the module's stream at its size, see kc_sheets/xlsx/vba_project.py)")
    for lead in range(0, 4):
        for n in range(0, len(filler)):
            packed = compress(source + b"'" + b" " * lead + filler[:n] + b"\r\n")
            if len(packed) == room:
                return packed
            if len(packed) > room:
                break
    raise ValueError(f"no padding gives {room} compressed bytes")
