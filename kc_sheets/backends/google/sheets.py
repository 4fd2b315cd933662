"""The Google Sheets backend: the backend protocol on a spreadsheet, in few, batched requests.

A Calculate costs two reads (the spreadsheet's tabs, then Raw Data and Settings in one
``values:batchGet``) and one write: every block, the grid sizes, the charts and a layout refresh
when due, in one atomic ``spreadsheets:batchUpdate`` (text as ``stringValue``, so no value is
ever parsed as a formula). Results larger than one request are staged first (:mod:`.writing`).
One more ``spreadsheets:batchUpdate`` adds the template's tabs when a spreadsheet lacks them.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from kc_sheets.backends.google import urls
from kc_sheets.backends.google.http import KcHTTPClient
from kc_sheets.backends.google.writing import MAX_PAYLOAD, Piece, Writer, trimmed
from kc_sheets.backends.google.layout import (
    LAYOUT_KEY, add_sheet_requests, chart_spec, grid_size, layout_requests, layout_value,
    sheet_id,
)
from kc_sheets.backends.protocol import BlockWrite, TabWrite
from kc_sheets.cells import col_letter, parse_ref, serial
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, number, register, t
from kc_sheets.templates.model import Template
from kc_sheets.ingest.transactions import RawTable

register({
    "gs.protected": ("Calculé par kc_sheets : vos modifications seront remplacées au prochain "
                     "calcul.", "Calculated by kc_sheets: your edits are replaced on the next "
                     "calculation."),
    "gs.too_many_cells": (
        "les résultats ne tiennent pas dans Google Sheets, limité à {limit} cellules par "
        "classeur : la liste des {customers} clients en demanderait plus ; il y a de la place "
        "pour environ {fit} clients. Rien n'a été modifié. Calculez ce volume dans un fichier "
        ".xlsx (« kc-sheets calculate », Excel ou LibreOffice), ou gardez une période plus "
        "courte dans Raw Data.",
        "the results do not fit in Google Sheets, limited to {limit} cells per spreadsheet: "
        "the list of {customers} customers would need more; there is room for about {fit} "
        "customers. Nothing was changed. Calculate this volume in an .xlsx file ('kc-sheets "
        "calculate', Excel or LibreOffice), or keep a shorter period in Raw Data."),
    "gs.no_tab": ("onglet « {name} » introuvable dans le classeur Google. Onglets : {tabs}.",
                  "tab '{name}' not found in the Google spreadsheet. Tabs: {tabs}."),
    "gs.bad_id": ("identifiant ou adresse de classeur Google invalide : « {value} ».",
                  "invalid Google spreadsheet id or URL: '{value}'."),
})

CELL_LIMIT = 10_000_000     # cells per spreadsheet, every tab counted
_ID = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_URL_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
META_FIELDS = ("spreadsheetId,properties(title,locale,timeZone),"
               "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
               "charts(chartId),protectedRanges(protectedRangeId),merges),"
               "developerMetadata(metadataId,metadataKey,metadataValue)")


def spreadsheet_id(value: str, lang: Lang = "fr") -> str:
    """The id in an id or a spreadsheet URL; anything else is refused."""
    value = value.strip()
    match = _URL_ID.search(value)
    if match:
        value = match.group(1)
    if not _ID.match(value):
        raise KcError("gs.bad_id", lang=lang, value=value[:120])
    return value


def quote(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def _cell_value(value: object) -> object:
    """A JSON value for RAW input: numbers stay numbers, dates become serial numbers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else ""
    if isinstance(value, (dt.datetime, dt.date, np.datetime64)):
        number = serial(value)
        return "" if number is None else number
    return str(value)


def _frame_rows(frame: pd.DataFrame) -> list[list[object]]:
    columns = [frame.iloc[:, i].astype(object).tolist() for i in range(frame.shape[1])]
    return [[_cell_value(v) for v in row] for row in zip(*columns)] if columns else []


class GSheetBook:
    """A Google spreadsheet seen through the backend protocol."""

    def __init__(self, spreadsheet: str, http: KcHTTPClient, lang: Lang = "fr") -> None:
        self.lang = lang
        self.id = spreadsheet_id(spreadsheet, lang)
        self.http = http
        self._meta: dict | None = None
        self._values: dict[str, tuple[int, int, list[list[object]]]] = {}
        self._pending_layout: list[dict] = []    # a layout refresh, sent with the results
        self.max_payload = MAX_PAYLOAD
        self.writer: Writer | None = None

    # ------------------------------------------------------------------ reading

    def metadata(self) -> dict:
        if self._meta is None:
            self._meta = self.http.request(
                "get", urls.spreadsheet(self.id), params={"fields": META_FIELDS}).json()
        return self._meta

    def sheets(self) -> dict[str, dict]:
        return {s["properties"]["title"]: s["properties"]
                for s in self.metadata().get("sheets", [])}

    def sheet_names(self) -> list[str]:
        return list(self.sheets())

    def layout(self) -> str | None:
        for item in self.metadata().get("developerMetadata", []):
            if item.get("metadataKey") == LAYOUT_KEY:
                return item.get("metadataValue")
        return None

    def _require(self, tab: str) -> dict:
        sheets = self.sheets()
        if tab not in sheets:
            raise KcError("gs.no_tab", lang=self.lang, name=tab, tabs=", ".join(sheets) or "-")
        return sheets[tab]

    def prefetch(self, tabs: list[str]) -> None:
        """Read several tabs in one ``values:batchGet``."""
        wanted = [tab for tab in tabs if tab not in self._values]
        for tab in wanted:
            self._require(tab)
        if not wanted:
            return
        answer = self.http.request("get", urls.values_batch_get(self.id), params={
            "ranges": [quote(tab) for tab in wanted], "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}).json()
        for tab, value_range in zip(wanted, answer.get("valueRanges", [])):
            start = value_range.get("range", "A1").rsplit("!", 1)[-1].split(":")[0]
            row, col = parse_ref(start) if re.match(r"^[A-Z]+\d+$", start) else (1, 1)
            self._values[tab] = (row, col, value_range.get("values", []))

    def read_rows(self, tab: str) -> list[list[object]]:
        self.prefetch([tab])
        row, col, values = self._values[tab]
        return [[] for _ in range(row - 1)] + [[None] * (col - 1) + list(r) for r in values]

    def read_raw(self, tab: str) -> RawTable:
        self.prefetch([tab])
        row, col, values = self._values[tab]
        index = next((i for i, r in enumerate(values) if any(v != "" for v in r)), None)
        if index is None:
            return RawTable(pd.DataFrame(), (), 2, 1, tab)
        header_row = values[index]
        offset = next(i for i, v in enumerate(header_row) if v != "")
        width = max(len(r) for r in values[index:]) - offset
        headers = tuple(str(v).strip() for v in header_row[offset:]) + ("",) * (
            width - len(header_row) + offset)
        data = [r[offset:] + [None] * (width - len(r) + offset) for r in values[index + 1:]]
        frame = pd.DataFrame(data, columns=[f"c{i}" for i in range(width)], dtype=object)
        frame = frame.replace({"": None})
        return RawTable(frame, headers, row + index + 1, col + offset, tab)

    # ------------------------------------------------------------------ layout

    def ensure_tabs(self, template: Template, lang: Lang) -> "GSheetBook":
        """Add and lay out the template's missing tabs (one ``spreadsheets:batchUpdate``)."""
        present = set(self.sheet_names())
        missing = [tab for tab in template.tabs if t(tab.title, lang) not in present]
        requests = add_sheet_requests(template, lang, missing) + layout_requests(
            template, lang, tabs=missing)
        self.http.request("post", urls.batch_update(self.id), json={"requests": requests})
        self._meta = None
        return self

    def has_layout(self, template: Template, lang: Lang) -> bool:
        return self.layout() == layout_value(template, lang)

    def refresh_layout(self, template: Template, lang: Lang) -> bool:
        """Lay the result tabs out again when the spreadsheet's layout stamp is older than this
        kc_sheets (Raw Data and Settings are left alone). The requests go with the results, in
        the same batch: a refused or failed Calculate changes nothing."""
        if self.has_layout(template, lang):
            return False
        tabs = [tab for tab in template.tabs if tab.role not in ("raw", "settings")]
        titles = {t(tab.title, lang) for tab in tabs}
        requests: list[dict] = []
        for sheet in self.metadata().get("sheets", []):
            if sheet["properties"]["title"] not in titles:
                continue
            sid = sheet["properties"]["sheetId"]
            requests += [{"deleteEmbeddedObject": {"objectId": c["chartId"]}}
                         for c in sheet.get("charts", [])]
            requests += [{"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}}
                         for p in sheet.get("protectedRanges", [])]
            if sheet.get("merges"):
                requests.append({"unmergeCells": {"range": {"sheetId": sid}}})
        requests += [{"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {
            "metadataId": m["metadataId"]}}}} for m in self.metadata().get(
            "developerMetadata", []) if m.get("metadataKey") == LAYOUT_KEY]
        present = set(self.sheet_names())
        requests += layout_requests(template, lang, tabs=[
            tab for tab in tabs if t(tab.title, lang) in present])
        self._pending_layout = requests
        return True

    # ------------------------------------------------------------------ writing

    def check_room(self, template: Template, lang: Lang, ingested) -> None:
        """Before computing: the results must fit in Google's 10,000,000 cells per
        spreadsheet (the RFM customer list grows with the customers), else say how many
        would fit and what to do, rather than fail after the work with Google's words."""
        sheets = self.sheets()
        used = sum(p["gridProperties"]["rowCount"] * p["gridProperties"].get("columnCount", 26)
                   for p in sheets.values())
        customers = int(ingested.quality.customers)
        extra, per_row, where = 0, 0, None
        for tab in template.tabs:
            props = sheets.get(t(tab.title, lang))
            if props is None:
                continue
            rows = props["gridProperties"]["rowCount"]
            cols = props["gridProperties"].get("columnCount", 26)
            for block in tab.blocks:
                if block.name == "rfm.customers":
                    # the tab's new rows, and the list's copy in a staging sheet (.writing)
                    need = max(grid_size(tab)[0], block.first_data_row + customers - 1)
                    extra += max(0, need - rows) * cols + customers * block.width
                    per_row, where = cols + block.width, (rows, cols, block.first_data_row)
        if where is None or used + extra <= CELL_LIMIT:
            return
        rows, cols, first = where
        fit = max(0, (CELL_LIMIT - used + (rows - first + 1) * cols) // per_row)
        raise KcError("gs.too_many_cells", lang=self.lang, tab=tab,
                      customers=number(customers, self.lang), fit=number(fit, self.lang),
                      limit=number(CELL_LIMIT, self.lang))

    def write(self, writes: list[TabWrite]) -> str:
        """Every result in one final ``spreadsheets:batchUpdate`` (see :mod:`.writing`): the
        tabs hold the previous results or the new ones, whole, whatever fails on the way."""
        head = list(self._pending_layout)
        pieces: list[Piece] = []
        tail: list[dict] = []
        for tab_write in writes:
            props = self._require(tab_write.tab)
            sid = props["sheetId"]
            rows = props["gridProperties"]["rowCount"]
            cols = props["gridProperties"].get("columnCount", 26)
            # The grid keeps the template's rows and what this run writes: a tab that once grew
            # (100,000 customers) shrinks back, so later runs do not carry its blank rows.
            base = grid_size(tab_write.spec)[0] if tab_write.spec is not None else rows
            grid_rows = max([base] + [_data_end(w) for w in tab_write.blocks])
            grid_cols = max([cols] + [_right_edge(w) for w in tab_write.blocks])
            if (grid_rows, grid_cols) != (rows, cols):
                head.append({"updateSheetProperties": {"properties": {
                    "sheetId": sid, "gridProperties": {"rowCount": grid_rows,
                                                       "columnCount": grid_cols}},
                    "fields": "gridProperties.rowCount,gridProperties.columnCount"}})
            for block_write in tab_write.blocks:
                pieces += _block_pieces(sid, block_write, grid_rows)
                tail += _collapse_requests(sid, block_write)
            tail += self._chart_updates(tab_write, sid, grid_rows)
        self.writer = Writer(self.http, self.id, self.metadata(), self.max_payload)
        self.writer.send(head, pieces, tail)
        self._pending_layout = []
        self._meta = None
        return f"https://docs.google.com/spreadsheets/d/{self.id}/edit"

    def _chart_updates(self, tab_write: TabWrite, sid: int, grid_rows: int) -> list[dict]:
        """Charts with one series per written column (a layer cake) get exactly those series."""
        spec = tab_write.spec
        if spec is None:
            return []
        widths = {w.block.name: w.frame.shape[1] for w in tab_write.blocks}
        present = {c["chartId"] for sheet in self.metadata().get("sheets", [])
                   if sheet["properties"]["sheetId"] == sid for c in sheet.get("charts", [])}
        if self._pending_layout and sid == sheet_id(spec):
            present |= {chart.chart_id for chart in spec.charts}    # added back by the layout
        return [{"updateChartSpec": {"chartId": chart.chart_id, "spec": chart_spec(
            spec, chart, sid, grid_rows, self.lang, widths[chart.block])}}
            for chart in spec.charts
            if chart.dynamic and chart.block in widths and chart.chart_id in present]


def _collapse_requests(sid: int, write: BlockWrite) -> list[dict]:
    """A fixed table's rows this run leaves empty are hidden, the others shown (no gap between
    the yearly churn tables), as in the .xlsx file."""
    block = write.block
    if not block.collapse or block.fixed_height is None:
        return []
    first = block.first_data_row - 1
    shown = max(1, min(len(write.frame), block.fixed_height))
    out = []
    for start, end, hidden in ((first, first + shown, False),
                               (first + shown, first + block.fixed_height, True)):
        if end > start:
            out.append({"updateDimensionProperties": {
                "range": {"sheetId": sid, "dimension": "ROWS", "startIndex": start,
                          "endIndex": end},
                "properties": {"hiddenByUser": hidden}, "fields": "hiddenByUser"}})
    return out


def _block_pieces(sid: int, write: BlockWrite, grid_rows: int) -> list[Piece]:
    """The rectangles of one block (0-based): its header row when the run writes one, and its
    values down to the end of its region (the rows below are cleared)."""
    block = write.block
    col = block.anchor_col - 1
    if block.layout == "fields":
        values = write.frame.iloc[0] if len(write.frame) else {}
        rows = [[_cell_value(values.get(c.key) if c.key in write.frame.columns else None)]
                for c in block.columns]
        top = block.anchor_row - 1
        return [Piece(sid, top, col + 1, trimmed(rows), top + len(rows), col + 2)]
    width = max(block.width, write.frame.shape[1])
    rows = _frame_rows(write.frame)
    first = block.first_data_row - 1
    if block.fixed_height is not None:
        rows = rows[:block.fixed_height]
        end = first + block.fixed_height
    else:
        end = grid_rows
    out = []
    if write.header is not None:
        out.append(Piece(sid, block.anchor_row - 1, col,
                         trimmed([[str(h) for h in write.header]]), block.anchor_row,
                         col + width))
    if end > first:
        out.append(Piece(sid, first, col, trimmed(rows), end, col + width))
    return out


def _right_edge(write: BlockWrite) -> int:
    """The last sheet column (1-based) a block's values reach."""
    block = write.block
    if block.layout == "fields":
        return block.anchor_col + 1
    return block.anchor_col + max(block.width, write.frame.shape[1]) - 1


def _data_end(write: BlockWrite) -> int:
    """The last sheet row a block's data (not its blank padding) reaches."""
    block = write.block
    if block.layout == "fields":
        return block.anchor_row + len(block.columns) - 1
    if block.fixed_height is not None:
        return block.first_data_row + block.fixed_height - 1
    return block.first_data_row + len(write.frame) - 1
