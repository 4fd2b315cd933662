"""How the results reach a spreadsheet so that a failure never leaves a half-updated tab.

Google applies one ``spreadsheets:batchUpdate`` atomically ("the updates in the request will be
applied together atomically", sheets.v4 discovery document); nothing says the same of several
requests. So the results always land in **one final batchUpdate**:

- **Direct** (the usual case, up to ``max_payload`` bytes, Google's recommended 2 MB): the layout
  refresh when due, the grid sizes, one ``updateCells`` per block (its values, its ``range`` down
  to the end of the block's region: "if the data in rows does not cover the entire requested
  range, the fields matching those set in fields will be cleared", so old rows below go in the
  same request without a single blank sent), the charts and the run marker.
- **Staged** (larger): the values first go into hidden staging sheets (one batchUpdate adds
  them, then ``values:batchUpdate`` pieces of at most 2 MB fill them with RAW values, so no text
  becomes a formula); then the final batchUpdate does what the direct one does with
  ``copyPaste`` (``PASTE_VALUES``) from the staging sheets instead of values, and deletes them.
  Until that last request the result tabs are untouched. Staging sheets a failure leaves behind
  are hidden, named ``kc_sheets staging …``, and deleted by the next Calculate.

Why not per-tab pieces and a rename at the end: a rename swaps sheets, which breaks every
formula, chart and protected range that points at the old tab; pasting values keeps the tab.

A lost answer: the HTTP client sends a failed request again, and a final batch that was applied
but whose answer was lost may then be refused (its staging sheets are gone). So the final batch
sets the run marker (developer metadata ``kc_sheets.run``) to this run's id, and any failure is
checked by reading the marker: this run's id means the results are in place, whole.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

from kc_sheets.backends.google import urls
from kc_sheets.backends.google.http import KcHTTPClient, encode_body
from kc_sheets.errors import KcError
from kc_sheets.i18n import register

register({
    "google.unconfirmed": (
        "Google n'a pas confirmé l'écriture des résultats ({detail}). Les onglets de résultats "
        "contiennent soit les résultats précédents, soit les nouveaux en entier, jamais un "
        "mélange. Relancez le calcul dans quelques minutes pour être sûr.",
        "Google did not confirm that the results were written ({detail}). The result tabs hold "
        "either the previous results or the new ones in full, never a mix. Calculate again in a "
        "few minutes to be sure."),
})

RUN_KEY = "kc_sheets.run"
STAGING_PREFIX = "kc_sheets staging "
MAX_PAYLOAD = 2_000_000     # bytes per request, Google's recommendation
_CELL_BYTES = 30            # the least an updateCells cell with a value costs


@dataclass
class Piece:
    """The values of one rectangle of a result tab (0-based, ends excluded): ``rows`` from
    (``row``, ``col``); every other cell of the rectangle is cleared."""

    sheet_id: int
    row: int
    col: int
    rows: list[list[object]]
    end_row: int
    end_col: int

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def region(self) -> dict:
        return {"sheetId": self.sheet_id, "startRowIndex": self.row, "endRowIndex": self.end_row,
                "startColumnIndex": self.col, "endColumnIndex": self.end_col}


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without their trailing blank cells, and without trailing blank rows."""
    out = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] == "":
            end -= 1
        out.append(row[:end] if end < len(row) else row)
    while out and not out[-1]:
        out.pop()
    return out


def cell_data(value: object) -> dict:
    """A RAW value as ``CellData``: text stays text (``stringValue``, never a formula)."""
    if value == "" or value is None:
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def update_cells(piece: Piece) -> dict:
    body: dict = {"range": piece.region(), "fields": "userEnteredValue"}
    if piece.rows:
        body["rows"] = [{"values": [cell_data(v) for v in row]} if row else {}
                        for row in piece.rows]
    return {"updateCells": body}


def run_marker(existing: list[dict], run_id: str) -> list[dict]:
    """Requests that set the spreadsheet's run marker to ``run_id`` (one marker is kept)."""
    if not existing:
        return [{"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": RUN_KEY, "metadataValue": run_id, "location": {"spreadsheet": True},
            "visibility": "DOCUMENT"}}}]
    lookups = [{"developerMetadataLookup": {"metadataId": m["metadataId"]}} for m in existing]
    return [{"updateDeveloperMetadata": {"dataFilters": lookups[:1], "developerMetadata": {
        "metadataValue": run_id}, "fields": "metadataValue"}}] + [
        {"deleteDeveloperMetadata": {"dataFilter": lookup}} for lookup in lookups[1:]]


def markers(meta: dict) -> list[dict]:
    return [m for m in meta.get("developerMetadata", []) if m.get("metadataKey") == RUN_KEY]


def staging_sheets(meta: dict) -> list[int]:
    """Staging sheets a failed run left behind."""
    return [s["properties"]["sheetId"] for s in meta.get("sheets", [])
            if s["properties"]["title"].startswith(STAGING_PREFIX)]


@dataclass
class Staging:
    """The hidden sheet that holds one result tab's values; ``at[i]``: first row of piece i."""

    sheet_id: int
    title: str
    pieces: list[Piece] = field(default_factory=list)
    at: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return max(1, sum(len(p.rows) for p in self.pieces))

    @property
    def columns(self) -> int:
        return max([1] + [p.width for p in self.pieces])

    def add_request(self) -> dict:
        return {"addSheet": {"properties": {
            "sheetId": self.sheet_id, "title": self.title, "hidden": True,
            "gridProperties": {"rowCount": self.rows, "columnCount": self.columns}}}}

    def paste_requests(self) -> list[dict]:
        """Each piece's values copied from here into its tab (values only: formats stay)."""
        out = []
        for piece, top in zip(self.pieces, self.at):
            height, width = len(piece.rows), max(1, piece.width)
            out.append({"copyPaste": {
                "source": {"sheetId": self.sheet_id, "startRowIndex": top,
                           "endRowIndex": top + height, "startColumnIndex": 0,
                           "endColumnIndex": width},
                "destination": {"sheetId": piece.sheet_id, "startRowIndex": piece.row,
                                "endRowIndex": piece.row + height,
                                "startColumnIndex": piece.col,
                                "endColumnIndex": piece.col + width},
                "pasteType": "PASTE_VALUES", "pasteOrientation": "NORMAL"}})
        return out


def stagings(pieces: list[Piece], taken: set[int], run_id: str) -> list[Staging]:
    """One staging sheet per result tab that gets values, with sheet ids not in ``taken``."""
    by_sheet: dict[int, Staging] = {}
    number = int(run_id[:8], 16)
    for piece in pieces:
        if not piece.rows:
            continue
        staging = by_sheet.get(piece.sheet_id)
        if staging is None:
            sid = 1_500_000_000 + (number + len(by_sheet)) % 500_000_000
            while sid in taken:
                sid += 1
            taken.add(sid)
            staging = by_sheet[piece.sheet_id] = Staging(
                sid, f"{STAGING_PREFIX}{run_id[:8]} {len(by_sheet) + 1}")
        staging.at.append(sum(len(p.rows) for p in staging.pieces))
        staging.pieces.append(piece)
    return list(by_sheet.values())


def value_bodies(staged: list[Staging], max_payload: int) -> list[dict]:
    """``values:batchUpdate`` bodies (RAW) that fill the staging sheets, each at most
    ``max_payload`` bytes as sent; a piece too large for one body is split by rows."""
    envelope = len(encode_body({"valueInputOption": "RAW", "data": []}))
    bodies: list[list[dict]] = [[]]
    size = envelope
    for staging in staged:
        quoted = "'" + staging.title.replace("'", "''") + "'"
        for piece, top in zip(staging.pieces, staging.at):
            start = 0
            while start < len(piece.rows):
                item = {"range": f"{quoted}!A{top + start + 1}", "majorDimension": "ROWS",
                        "values": []}
                overhead = len(encode_body(item)) + 1          # and its comma in "data"
                if size + overhead + 64 > max_payload and bodies[-1]:
                    bodies.append([])
                    size = envelope
                stop, part_size = start, 0
                while stop < len(piece.rows):
                    row_size = len(encode_body(piece.rows[stop])) + 1
                    if stop > start and size + overhead + part_size + row_size > max_payload:
                        break
                    part_size += row_size
                    stop += 1
                item["values"] = piece.rows[start:stop]
                bodies[-1].append(item)
                size += overhead + part_size
                start = stop
    return [{"valueInputOption": "RAW", "data": data} for data in bodies if data]


class Writer:
    """Sends the results of one Calculate (see the module's docstring)."""

    def __init__(self, http: KcHTTPClient, spreadsheet: str, meta: dict,
                 max_payload: int = MAX_PAYLOAD) -> None:
        self.http = http
        self.id = spreadsheet
        self.meta = meta
        self.max_payload = max_payload
        self.run_id = uuid.uuid4().hex
        self.staged = False

    def send(self, head: list[dict], pieces: list[Piece], tail: list[dict]) -> None:
        """``head`` (layout, grid sizes) then the pieces' values, then ``tail`` (charts), all
        applied in one final batchUpdate."""
        cleanup = [{"deleteSheet": {"sheetId": sid}} for sid in staging_sheets(self.meta)]
        marker = run_marker(markers(self.meta), self.run_id)
        cells = sum(1 for p in pieces for row in p.rows for v in row if v != "")
        if cells * _CELL_BYTES <= self.max_payload:
            body = {"requests": cleanup + head + [update_cells(p) for p in pieces] + tail
                    + marker}
            if len(encode_body(body)) <= self.max_payload:
                self._final(body)
                return
        self.staged = True
        taken = {s["properties"]["sheetId"] for s in self.meta.get("sheets", [])}
        staged = stagings(pieces, taken, self.run_id)
        self._checked({"requests": cleanup + [s.add_request() for s in staged]},
                      lambda meta: {s.sheet_id for s in staged} <= {
                          x["properties"]["sheetId"] for x in meta.get("sheets", [])})
        for body in value_bodies(staged, self.max_payload):
            self.http.request("post", urls.values_batch_update(self.id), json=body)
        clear = [{"updateCells": {"range": p.region(), "fields": "userEnteredValue"}}
                 for p in pieces]
        paste = [request for s in staged for request in s.paste_requests()]
        drop = [{"deleteSheet": {"sheetId": s.sheet_id}} for s in staged]
        self._final({"requests": head + clear + paste + tail + drop + marker})

    def _final(self, body: dict) -> None:
        """The one request that changes the result tabs; a failure is checked on the marker."""
        try:
            self.http.request("post", urls.batch_update(self.id), json=body)
        except KcError as error:
            try:
                meta = self._read()
            except KcError:
                raise KcError("google.unconfirmed", lang=self.http.lang,
                              detail=error.message(self.http.lang)) from None
            if not any(m.get("metadataValue") == self.run_id for m in markers(meta)):
                raise
            # applied, its answer lost: the results are in place, whole

    def _checked(self, body: dict, applied: Callable[[dict], bool]) -> None:
        """A batchUpdate that is not safe to send twice: a failure is checked by reading."""
        try:
            self.http.request("post", urls.batch_update(self.id), json=body)
        except KcError:
            try:
                meta = self._read()
            except KcError:
                meta = {}
            if not applied(meta):
                raise

    def _read(self) -> dict:
        return self.http.request("get", urls.spreadsheet(self.id), params={
            "fields": "sheets(properties(sheetId,title)),"
                      "developerMetadata(metadataId,metadataKey,metadataValue)"}).json()
