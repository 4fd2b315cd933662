"""The API methods behind the HTTP layer: one function per discovery method, over the store.

Each takes the already validated query and body and returns the response body. Writes work on a
clone of the spreadsheet and commit it at the end, so a refused request changes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any, Callable

from . import batch_update, values_api
from .errors import ApiError, drive_error, invalid, not_found, permission_denied
from .render import spreadsheet_json
from .state import Sheet, Spreadsheet, new_sheet

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Store:
    """Spreadsheets, who may open them, and the ids handed out."""

    def __init__(self, seed: int, cell_limit: int, owner_email: str, schemas: dict):
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.tokens: dict[str, set[str] | None] = {}
        self.token_emails: dict[str, str] = {}
        self.service_accounts: set[str] = set()      # tokens the Apps Script API refuses
        self.script_projects: dict[str, dict] = {}   # scriptId -> project (see script_api)
        self.created: dict[str, str] = {}  # spreadsheet id -> RFC 3339 creation time
        self.rng = random.Random(seed)
        self.cell_limit = cell_limit
        self.owner_email = owner_email
        self.schemas = schemas

    def new_spreadsheet_id(self) -> str:
        while True:
            candidate = "1" + "".join(self.rng.choice(ID_CHARS) for _ in range(43))
            if candidate not in self.spreadsheets:
                return candidate

    def grant(self, token: str, spreadsheet_id: str) -> None:
        allowed = self.tokens.get(token)
        if allowed is not None:
            allowed.add(spreadsheet_id)

    def open(self, token: str, spreadsheet_id: str) -> Spreadsheet:
        """The spreadsheet if it exists (404) and ``token`` may use it (403)."""
        ss = self.spreadsheets.get(spreadsheet_id)
        if ss is None:
            raise not_found()
        allowed = self.tokens.get(token)
        if allowed is not None and spreadsheet_id not in allowed:
            raise permission_denied()
        return ss

    def commit(self, ss: Spreadsheet) -> None:
        self.spreadsheets[ss.spreadsheet_id] = ss

    def build(self, body: dict, spreadsheet_id: str | None = None) -> Spreadsheet:
        """A new spreadsheet from a Spreadsheet resource (spreadsheets.create's body)."""
        props = copy.deepcopy(body.get("properties") or {})
        props.setdefault("title", "Untitled spreadsheet")
        props.setdefault("locale", "en_US")
        props.setdefault("autoRecalc", "ON_CHANGE")
        props.setdefault("timeZone", "Etc/GMT")
        props.setdefault("defaultFormat", {
            "backgroundColor": {"red": 1, "green": 1, "blue": 1},
            "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
            "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
            "textFormat": {"foregroundColor": {}, "fontFamily": "arial", "fontSize": 10,
                           "bold": False, "italic": False, "strikethrough": False,
                           "underline": False}})
        ss = Spreadsheet(spreadsheet_id or self.new_spreadsheet_id(), props)
        specs = body.get("sheets") or [{}]
        for i, spec in enumerate(specs):
            ss.sheets.append(self._sheet_from(ss, spec, i))
        ss.named_ranges = copy.deepcopy(body.get("namedRanges") or [])
        ss.developer_metadata = copy.deepcopy(body.get("developerMetadata") or [])
        ss.check_cell_limit(self.cell_limit, 0)
        return ss

    def _sheet_from(self, ss: Spreadsheet, spec: dict, position: int) -> Sheet:
        p = spec.get("properties") or {}
        grid = p.get("gridProperties") or {}
        taken = {s.sheet_id for s in ss.sheets}
        sheet_id = p.get("sheetId", 0 if position == 0 and 0 not in taken else None)
        while sheet_id is None or sheet_id in taken:
            sheet_id = self.rng.randint(1, 2**31 - 1)
        title = p.get("title") or f"Sheet{position + 1}"
        if title.lower() in (s.title.lower() for s in ss.sheets):
            raise invalid(f'Invalid sheets[{position}]: A sheet with the name "{title}" already '
                          "exists. Please enter another name.")
        sheet = new_sheet(sheet_id, title, position, grid.get("rowCount", 1000),
                          grid.get("columnCount", 26))
        sheet.grid.update({k: v for k, v in grid.items() if k not in ("rowCount", "columnCount")})
        for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
            if key in p:
                sheet.properties[key] = p[key]
        for block in spec.get("data") or []:
            r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
            for i, row in enumerate(block.get("rowData") or []):
                for j, cell in enumerate(row.get("values") or []):
                    stored = {k: v for k, v in cell.items()
                              if k not in ("effectiveValue", "formattedValue", "effectiveFormat")}
                    if stored:
                        if r0 + i >= sheet.row_count or c0 + j >= sheet.column_count:
                            raise ss.beyond_grid(sheet, r0 + i, r0 + i + 1, c0 + j, c0 + j + 1)
                        sheet.set_cell(r0 + i, c0 + j, stored)
        sheet.merges = copy.deepcopy(spec.get("merges") or [])
        sheet.conditional_formats = copy.deepcopy(spec.get("conditionalFormats") or [])
        sheet.protected_ranges = copy.deepcopy(spec.get("protectedRanges") or [])
        sheet.banded_ranges = copy.deepcopy(spec.get("bandedRanges") or [])
        sheet.basic_filter = copy.deepcopy(spec.get("basicFilter"))
        sheet.developer_metadata = copy.deepcopy(spec.get("developerMetadata") or [])
        return sheet


# -- Sheets methods --------------------------------------------------------------------------------

Call = Callable[[Store, str, dict, dict, Any], Any]
METHODS: dict[str, Call] = {}


def method(name: str) -> Callable[[Call], Call]:
    def register(fn: Call) -> Call:
        METHODS[name] = fn
        return fn
    return register


def _major(query: dict, body: dict | None = None) -> str:
    value = (body or {}).get("majorDimension") or query.get("majorDimension") or "ROWS"
    return "COLUMNS" if value == "COLUMNS" else "ROWS"


@method("spreadsheets.create")
def create(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.build(body or {})
    store.commit(ss)
    store.grant(token, ss.spreadsheet_id)
    store.created[ss.spreadsheet_id] = _now()
    return spreadsheet_json(ss)


@method("spreadsheets.get")
def get(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"])
    return spreadsheet_json(ss, query.get("ranges"), query.get("includeGridData", False))


@method("spreadsheets.batchUpdate")
def batch(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"])
    work, replies = batch_update.apply(ss, body or {}, store.rng, store.schemas, store.cell_limit,
                                       store.owner_email)
    store.commit(work)
    out = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
    if (body or {}).get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = spreadsheet_json(work, body.get("responseRanges"),
                                                     body.get("responseIncludeGridData", False))
    return out


@method("spreadsheets.values.get")
def values_get(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"])
    return values_api.read(ss, path["range"], query.get("valueRenderOption", "FORMATTED_VALUE"),
                           query.get("dateTimeRenderOption", "SERIAL_NUMBER"), _major(query))


@method("spreadsheets.values.batchGet")
def values_batch_get(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"])
    ranges = query.get("ranges") or []
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if ranges:
        out["valueRanges"] = [values_api.read(
            ss, text, query.get("valueRenderOption", "FORMATTED_VALUE"),
            query.get("dateTimeRenderOption", "SERIAL_NUMBER"), _major(query)) for text in ranges]
    return out


def _echo(ss: Spreadsheet, response: dict, query: dict) -> dict:
    """includeValuesInResponse: add updatedData read back from updatedRange."""
    if query.get("includeValuesInResponse") and "updatedRange" in response:
        response["updatedData"] = values_api.read(
            ss, response["updatedRange"], query.get("responseValueRenderOption", "FORMATTED_VALUE"),
            query.get("responseDateTimeRenderOption", "SERIAL_NUMBER"))
    return response


def _check_body_range(path_range: str, body: dict) -> None:
    given = body.get("range")
    if given is not None and given != path_range:
        raise invalid(f"Requested range [{path_range}] doesn't match the range in the request "
                      f"body [{given}].")


@method("spreadsheets.values.update")
def values_update(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"]).clone()
    body = body or {}
    _check_body_range(path["range"], body)
    response = values_api.write(ss, path["range"], body.get("values"),
                                query.get("valueInputOption"), _major(query, body))
    store.commit(ss)
    return _echo(ss, response, query)


@method("spreadsheets.values.append")
def values_append(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"]).clone()
    body = body or {}
    _check_body_range(path["range"], body)
    response = values_api.append(ss, path["range"], body.get("values"),
                                 query.get("valueInputOption"), _major(query, body),
                                 query.get("insertDataOption", "OVERWRITE"), store.cell_limit)
    store.commit(ss)
    _echo(ss, response["updates"], query)
    return response


@method("spreadsheets.values.batchUpdate")
def values_batch_update(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"]).clone()
    body = body or {}
    option = body.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise invalid("'valueInputOption' is required but not specified")
    responses = []
    for i, data in enumerate(body.get("data") or []):
        if "range" not in data:
            raise invalid(f"Invalid data[{i}]: Range must be specified.")
        responses.append(values_api.write(ss, data["range"], data.get("values"), option,
                                          _major({}, data)))
    store.commit(ss)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if responses:
        echo = {"includeValuesInResponse": body.get("includeValuesInResponse"),
                "responseValueRenderOption": body.get("responseValueRenderOption"),
                "responseDateTimeRenderOption": body.get("responseDateTimeRenderOption")}
        echo = {k: v for k, v in echo.items() if v is not None}
        for response in responses:
            _echo(ss, response, echo)
        counted = [r for r in responses if "updatedCells" in r]
        out.update(totalUpdatedRows=sum(r["updatedRows"] for r in counted),
                   totalUpdatedColumns=sum(r["updatedColumns"] for r in counted),
                   totalUpdatedCells=sum(r["updatedCells"] for r in counted),
                   totalUpdatedSheets=len({r["updatedRange"].rsplit("!", 1)[0] for r in counted}),
                   responses=responses)
    return out


@method("spreadsheets.values.clear")
def values_clear(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"]).clone()
    cleared = values_api.clear(ss, path["range"])
    store.commit(ss)
    return {"spreadsheetId": ss.spreadsheet_id, "clearedRange": cleared}


@method("spreadsheets.values.batchClear")
def values_batch_clear(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = store.open(token, path["spreadsheetId"]).clone()
    cleared = [values_api.clear(ss, text) for text in (body or {}).get("ranges") or []]
    store.commit(ss)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if cleared:
        out["clearedRanges"] = cleared
    return out


# -- Drive methods ----------------------------------------------------------------------------------

def _drive_file(store: Store, token: str, file_id: str) -> Spreadsheet:
    ss = store.spreadsheets.get(file_id)
    allowed = store.tokens.get(token)
    if ss is None or (allowed is not None and file_id not in allowed):
        raise drive_error(404, f"File not found: {file_id}.", "notFound", "fileId")
    return ss


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@method("drive.files.create")
def drive_create(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    body = body or {}
    if body.get("mimeType") != SPREADSHEET_MIME:
        raise ApiError(501, "The emulator only creates Google Sheets files.")
    ss = store.build({"properties": {"title": body.get("name") or "Untitled spreadsheet"}})
    store.commit(ss)
    store.grant(token, ss.spreadsheet_id)
    store.created[ss.spreadsheet_id] = _now()
    return {"kind": "drive#file", "id": ss.spreadsheet_id, "name": ss.properties["title"],
            "mimeType": SPREADSHEET_MIME}


@method("drive.files.get")
def drive_get(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = _drive_file(store, token, path["fileId"])
    created = store.created.get(ss.spreadsheet_id, _now())
    return {"kind": "drive#file", "id": ss.spreadsheet_id, "name": ss.properties["title"],
            "mimeType": SPREADSHEET_MIME, "createdTime": created, "modifiedTime": created}


@method("drive.permissions.create")
def drive_share(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = _drive_file(store, token, path["fileId"])
    body = body or {}
    for name in ("type", "role"):
        if not body.get(name):
            raise drive_error(400, f"The permission {name} field is required.", "required",
                              f"permission.{name}")
    if body["type"] not in ("user", "group", "domain", "anyone"):
        raise drive_error(400, f"The permission type is invalid: {body['type']}", "invalid")
    if body["role"] not in ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"):
        raise drive_error(400, f"The permission role is invalid: {body['role']}", "invalid")
    if body["type"] in ("user", "group") and not body.get("emailAddress"):
        raise drive_error(400, "The permission emailAddress field is required.", "required",
                          "permission.emailAddress")
    if body["type"] == "domain" and not body.get("domain"):
        raise drive_error(400, "The permission domain field is required.", "required",
                          "permission.domain")
    if body["role"] == "owner" and not query.get("transferOwnership"):
        raise drive_error(403, "The transferOwnership parameter must be enabled when the "
                          "permission role is 'owner'.", "forbidden", "transferOwnership")
    permission = {"kind": "drive#permission", "id": str(store.rng.randint(10**19, 10**20 - 1)),
                  "type": body["type"], "role": body["role"]}
    for key in ("emailAddress", "domain", "allowFileDiscovery"):
        if key in body:
            permission[key] = body[key]
    ss.permissions.append(permission)
    email = body.get("emailAddress")
    for other, address in store.token_emails.items():
        if email and address.lower() == email.lower():
            store.grant(other, ss.spreadsheet_id)
    return permission


@method("drive.permissions.list")
def drive_permissions(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    ss = _drive_file(store, token, path["fileId"])
    return {"kind": "drive#permissionList", "permissions": copy.deepcopy(ss.permissions)}
