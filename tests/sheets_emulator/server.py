"""``SheetsEmulator``: a local HTTP server speaking the Sheets v4 API (and Drive's share/create,
and the Apps Script API's project create/updateContent, see :mod:`.script_api`).

    with SheetsEmulator() as emulator:            # serves http://127.0.0.1:<free port>
        sid = emulator.create_spreadsheet("Client", sheets={"Raw Data": [["id", "amount"]]})
        client = gspread.authorize(Credentials(token="test-token"),
                                   http_client=emulator.http_client_class())
        client.open_by_key(sid).worksheet("Raw Data").get_all_values()

Every request is routed and validated with Google's discovery documents (paths, query
parameters, body schemas) before it reaches :mod:`.service`.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import fields as masks
from . import script_api  # noqa: F401  (registers the Apps Script methods)
from . import values_api
from .discovery import Method, api
from .errors import (ApiError, anonymous, bad_fields_mask, encode, front_end_html, injected, invalid,
                     unauthenticated)
from .schema import SchemaError, validate_query
from .service import METHODS, Store
from .views import SheetView, SpreadsheetView

READ_METHODS = {"spreadsheets.get", "spreadsheets.values.get", "spreadsheets.values.batchGet",
                "spreadsheets.getByDataFilter", "spreadsheets.values.batchGetByDataFilter",
                "spreadsheets.developerMetadata.get", "spreadsheets.developerMetadata.search"}


@dataclass
class RecordedRequest:
    method: str | None          # "spreadsheets.values.batchGet", "drive.permissions.create"
    verb: str                   # "GET", "POST", ...
    path: str                   # decoded path, e.g. "/v4/spreadsheets/1abc/values/Raw Data!A1"
    query: dict[str, list[str]]
    body: Any                   # parsed JSON (None when there was no body)
    status: int = 0
    response: Any = None
    ignored_fields: list[str] = field(default_factory=list)  # unknown members Drive ignored
    authenticated: bool = False
    size: int = 0               # bytes of the body as sent

    @property
    def kind(self) -> str | None:
        """"read", "write" (Sheets quota buckets) or None (Drive, Apps Script, unrouted,
        unauthenticated)."""
        if (not self.authenticated or self.method is None
                or self.method.startswith(("drive.", "script."))):
            return None
        return "read" if self.method in READ_METHODS else "write"


@dataclass
class _Rule:
    status: int | None
    seconds: float
    times: int | None
    method: str | None
    body: Any = None
    hits: int = field(default=0)
    kind: str = "inject"        # "inject", "delay" or "drop"
    skip: int = 0               # matching requests let through before the rule applies
    applied: bool = False       # drop: after the request was applied (its answer is lost)

    def matches(self, name: str | None) -> bool:
        if self.method is None:
            return True
        return name is not None and (name == self.method or name.endswith("." + self.method))


class SheetsEmulator:
    """A fake Google Sheets API on 127.0.0.1. See the module docstring for an example."""

    def __init__(self, tokens: tuple[str, ...] | list[str] = ("test-token",), *, seed: int = 0,
                 cell_limit: int = 10_000_000, max_body_bytes: int | None = None,
                 owner_email: str = "owner@example.com", host: str = "127.0.0.1", port: int = 0):
        self.api = api()
        self.store = Store(seed, cell_limit, owner_email, self.api.sheets["schemas"])
        for token in tokens:
            self.store.tokens[token] = None
        self.max_body_bytes = max_body_bytes
        self.requests: list[RecordedRequest] = []
        self._rules: list[_Rule] = []
        self._busy = 0
        self._lock = threading.RLock()
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        """Serve in a background thread; returns the base URL ``http://127.0.0.1:<port>``."""
        if self._server is None:
            handler = type("Handler", (_Handler,), {"emulator": self})
            self._server = ThreadingHTTPServer((self._host, self._port), handler)
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                            daemon=True,
                                            name="sheets-emulator")
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> "SheetsEmulator":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SheetsEmulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def http_client_class(self, base_class: type | None = None) -> type:
        """A ``gspread.HTTPClient`` subclass (or of ``base_class``, e.g. your own retrying
        client) sending every request, Sheets and Drive, here instead of Google."""
        import gspread

        base = self.base_url

        class EmulatorHTTPClient(base_class or gspread.HTTPClient):  # type: ignore[misc,valid-type]
            def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any):  # type: ignore[override]
                for prefix in ("https://sheets.googleapis.com", "https://www.googleapis.com",
                               "https://script.googleapis.com"):
                    if endpoint.startswith(prefix):
                        endpoint = base + endpoint[len(prefix):]
                return super().request(method, endpoint, *args, **kwargs)

        return EmulatorHTTPClient

    # -- test controls ---------------------------------------------------------------------------
    def add_token(self, token: str, spreadsheets: list[str] | None = None,
                  email: str | None = None, service_account: bool = False) -> None:
        """Accept ``token``; on every spreadsheet (None) or only on those listed and those it
        creates. With ``email``, sharing a file with that address (Drive) grants the token.
        ``service_account=True``: the Apps Script API refuses it (403), as Google does."""
        with self._lock:
            self.store.tokens[token] = None if spreadsheets is None else set(spreadsheets)
            if email:
                self.store.token_emails[token] = email
            if service_account:
                self.store.service_accounts.add(token)
            else:
                self.store.service_accounts.discard(token)

    def remove_token(self, token: str) -> None:
        """Make ``token`` invalid (as an expired token is): 401 from now on."""
        with self._lock:
            self.store.tokens.pop(token, None)

    def inject(self, status: int, times: int = 1, method: str | None = None,
               body: Any = None, skip: int = 0) -> None:
        """Answer the next ``times`` matching requests with ``status`` in Google's shape (429 ->
        RESOURCE_EXHAUSTED quota message, 500, 503, 502/413 as HTML...). ``method`` matches a
        method name or its suffix ("values.batchGet"); ``body`` replaces the answer's JSON;
        ``skip`` matching requests are answered normally first (a fault at position ``skip``)."""
        with self._lock:
            self._rules.append(_Rule(status, 0.0, times, method, body, skip=skip))

    def delay(self, seconds: float, method: str | None = None, times: int | None = None,
              skip: int = 0) -> None:
        """Wait ``seconds`` before handling matching requests (all, or ``times`` of them, after
        ``skip``): a client that gives up first sees a timeout, and the request is still applied
        afterwards, as Google does. ``delay(0)`` removes every delay."""
        with self._lock:
            if seconds <= 0:
                self._rules = [r for r in self._rules if r.kind != "delay"]
            else:
                self._rules.append(_Rule(None, seconds, times, method, kind="delay", skip=skip))

    def drop(self, times: int = 1, method: str | None = None, skip: int = 0,
             applied: bool = False) -> None:
        """Close the connection of the next ``times`` matching requests (after ``skip``)
        without an answer: before handling them, or (``applied``) after, so the request took
        effect and only its answer is lost."""
        with self._lock:
            self._rules.append(_Rule(None, 0.0, times, method, kind="drop", skip=skip,
                                     applied=applied))

    def clear_faults(self) -> None:
        """Remove every injected error, delay and drop."""
        with self._lock:
            self._rules.clear()

    def idle(self, timeout: float = 30.0) -> None:
        """Wait until no request is being handled (a delayed one applies late)."""
        deadline = time.monotonic() + timeout
        while self._busy and time.monotonic() < deadline:
            time.sleep(0.02)

    def calls(self, method: str | None = None, status: int | None = None) -> list[RecordedRequest]:
        """Logged requests, optionally those of one method (or suffix) and/or status."""
        with self._lock:
            return [r for r in self.requests
                    if (method is None or (r.method and (r.method == method or r.method.endswith("." + method))))
                    and (status is None or r.status == status)]

    @property
    def reads(self) -> int:
        """Authenticated Sheets read requests received, whatever their answer (an injected 429
        counts): spreadsheets.get, values.get, values.batchGet and the other readers."""
        return sum(1 for r in list(self.requests) if r.kind == "read")

    @property
    def writes(self) -> int:
        """Authenticated Sheets requests of every other method (those that can change state)."""
        return sum(1 for r in list(self.requests) if r.kind == "write")

    def reset_counts(self) -> None:
        """Forget the request log (and so reset ``reads`` and ``writes``)."""
        with self._lock:
            self.requests.clear()

    # -- state access ------------------------------------------------------------------------------
    def create_spreadsheet(self, title: str = "Untitled spreadsheet",
                           sheets: dict[str, list[list]] | None = None, *, locale: str = "en_US",
                           time_zone: str = "Etc/GMT", spreadsheet_id: str | None = None,
                           value_input: str = "RAW") -> str:
        """Seed a spreadsheet directly (no request logged). ``sheets`` maps titles to rows of
        values, written as ``value_input`` (RAW or USER_ENTERED). Returns its id."""
        with self._lock:
            specs = []
            for name, rows in (sheets or {"Sheet1": []}).items():
                height = max(1000, len(rows))
                width = max(26, max((len(r) for r in rows), default=0))
                specs.append({"properties": {"title": name, "gridProperties": {
                    "rowCount": height, "columnCount": width}}})
            ss = self.store.build({"properties": {"title": title, "locale": locale,
                                                  "timeZone": time_zone}, "sheets": specs},
                                  spreadsheet_id)
            for name, rows in (sheets or {}).items():
                if rows:
                    values_api.write(ss, f"'{name.replace(chr(39), chr(39) * 2)}'!A1", rows,
                                     value_input)
            self.store.commit(ss)
            self.store.created[ss.spreadsheet_id] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                                  time.gmtime())
            return ss.spreadsheet_id

    def copy_spreadsheet(self, spreadsheet_id: str) -> str:
        """A copy of a spreadsheet under a new id (no request logged), as Drive's "Make a copy"
        gives: for tests that need many spreadsheets laid out alike."""
        with self._lock:
            twin = self.store.spreadsheets[spreadsheet_id].clone()
            twin.spreadsheet_id = self.store.new_spreadsheet_id()
            for allowed in self.store.tokens.values():
                if allowed is not None and spreadsheet_id in allowed:
                    allowed.add(twin.spreadsheet_id)
            self.store.commit(twin)
            self.store.created[twin.spreadsheet_id] = self.store.created.get(spreadsheet_id, "")
            return twin.spreadsheet_id

    def write_values(self, spreadsheet_id: str, range_: str, rows: list[list],
                     value_input: str = "RAW") -> dict:
        """Write rows from the anchor of ``range_`` straight into the state (no request
        logged), as ``values.update`` would: refused beyond the grid. For seeding big data."""
        with self._lock:
            ss = self.store.spreadsheets[spreadsheet_id].clone()
            answer = values_api.write(ss, range_, rows, value_input)
            self.store.commit(ss)
            return answer

    def values(self, spreadsheet_id: str, range_: str,
               render: str = "UNFORMATTED_VALUE") -> list[list]:
        """Rows of a range or sheet ("Raw Data", "'Raw Data'!A1:C"), trimmed like values.get."""
        with self._lock:
            ss = self.store.spreadsheets[spreadsheet_id]
            text = range_
            if ss.sheet_by_title(range_) is not None and ss.sheet_by_title(range_).title == range_:
                text = "'" + range_.replace("'", "''") + "'"
            return values_api.read(ss, text, render).get("values", [])

    def sheet(self, spreadsheet_id: str, title: str) -> SheetView:
        """A snapshot of one sheet: properties, merges, charts, conditional formats,
        protected ranges, banding, filter, metadata, dimension sizes and cells."""
        return self.spreadsheet(spreadsheet_id).sheet(title)

    def properties(self, spreadsheet_id: str) -> dict[str, dict]:
        """Each sheet's properties by title, in order (cheap: no cell is copied)."""
        with self._lock:
            return {s.title: copy.deepcopy(s.properties)
                    for s in self.store.spreadsheets[spreadsheet_id].sheets}

    def spreadsheet(self, spreadsheet_id: str) -> SpreadsheetView:
        with self._lock:
            return SpreadsheetView.of(self.store.spreadsheets[spreadsheet_id])

    def script_projects(self) -> list[dict]:
        """Apps Script projects made through the API, oldest first (copies): ``scriptId``,
        ``title``, ``parentId`` (absent when standalone), ``creatorToken`` and ``files`` (each
        ``name``, ``type``, ``source``)."""
        with self._lock:
            return script_api.snapshot(self.store)

    # -- request handling ------------------------------------------------------------------------------
    def _rule(self, name: str | None, kind: str) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.kind == kind and rule.matches(name):
                    if rule.skip:
                        rule.skip -= 1
                        continue
                    rule.hits += 1
                    if rule.times is not None and rule.hits >= rule.times:
                        self._rules.remove(rule)
                    return rule
        return None

    def handle(self, verb: str, target: str, headers: Any, body: bytes | None
               ) -> tuple[int, dict, bytes] | None:
        """The answer to one request (None: the connection is closed without one)."""
        split = urlsplit(target)
        query = parse_qs(split.query, keep_blank_values=True)
        method, raw_params, path_known = self.api.match(verb, split.path)
        dropped = None
        record = RecordedRequest(method.name if method else None, verb, unquote(split.path), query,
                                 None)
        record.size = len(body or b"")
        try:
            if body is not None and self.max_body_bytes is not None and len(body) > self.max_body_bytes:
                raise front_end_html(413, "Request Entity Too Large",
                                     "Your client issued a request that was too large.")
            if method is None:
                if split.path.startswith("/v4/"):
                    raise front_end_html(400, "Bad Request", "Your client has issued a malformed "
                                         "or illegal request.")
                raise front_end_html(404, "Not Found", f"The requested URL <code>{split.path}"
                                     "</code> was not found on this server.")
            delay = self._rule(method.name, "delay")
            if delay is not None:
                time.sleep(delay.seconds)
            dropped = self._rule(method.name, "drop")
            if dropped is not None and not dropped.applied:
                record.status = 0
                with self._lock:
                    self.requests.append(record)
                return None
            payload, body_error = self._parse_body(method, body, record)
            token = self._authenticate(verb, headers, query)
            record.authenticated = True
            rule = self._rule(method.name, "inject")
            if rule is not None:
                error = injected(rule.status, "Read" if method.name in READ_METHODS else "Write")
                if rule.body is not None:
                    error.html, error.raw = None, rule.body
                raise error
            if body_error is not None:
                raise body_error
            status, response = 200, self._call(method, token, raw_params, query, payload,
                                                    record)
        except ApiError as error:
            status, response = error.code, error
        record.status = status
        with self._lock:
            self.requests.append(record)
        if method is not None and dropped is not None:      # applied; the answer is lost
            return None
        if isinstance(response, ApiError):
            record.response = response.body()
            headers_out = {"Content-Type": "application/json; charset=UTF-8", **response.headers}
            if response.html is not None:
                return status, {"Content-Type": "text/html; charset=UTF-8"}, response.html.encode()
            return status, headers_out, encode(response.body(), True)
        record.response = response
        pretty = (query.get("prettyPrint") or ["true"])[0].lower() != "false"
        return status, {"Content-Type": "application/json; charset=UTF-8"}, encode(response, pretty)

    def _parse_body(self, method: Method, body: bytes | None,
                    record: RecordedRequest) -> tuple[Any, ApiError | None]:
        """(parsed JSON body, the error to answer once the caller is authenticated)."""
        if not body:
            return ({} if method.request else None), None
        try:
            parsed = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError) as error:
            return None, invalid(f"Invalid JSON payload received. Unexpected token.\n{error}")
        record.body = parsed
        return parsed, None

    def _authenticate(self, verb: str, headers: Any, query: dict) -> str:
        header = headers.get("Authorization")
        token = None
        if header is not None:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise unauthenticated()
            token = value.strip()
        else:
            token = (query.get("access_token") or query.get("oauth_token") or [None])[0]
        if token is None:
            raise anonymous(verb)
        with self._lock:
            if token not in self.store.tokens:
                raise unauthenticated()
        return token

    def _call(self, method: Method, token: str, raw_params: dict, query: dict, payload: Any,
              record: RecordedRequest) -> Any:
        params = {k: unquote(v) for k, v in raw_params.items()}
        try:
            checked = validate_query(method.params, self.api.global_params(method.api), query,
                                     self.api.validators[method.api].package)
            if method.request and payload is not None:
                validator = self.api.validators[method.api]
                validator.ignored = []
                payload = validator.validate(method.request, payload)
                record.ignored_fields = list(validator.ignored)
        except SchemaError as error:
            raise invalid(error.message, error.field) from None
        if checked.get("alt", "json") != "json":
            raise invalid(f'Unsupported alt type "{checked["alt"]}" for non byte stream request.')
        impl = METHODS.get(method.name)
        if impl is None:
            raise ApiError(501, f"Method not implemented by the emulator: {method.id}")
        with self._lock:
            response = impl(self.store, token, params, checked, payload)
        mask = checked.get("fields")
        if mask is not None and method.response:
            schemas = self.api.documents[method.api]["schemas"]
            try:
                tree = masks.parse(mask) if mask else {}
                masks.check(tree, method.response, schemas)
            except masks.MaskError as error:
                raise bad_fields_mask(error.path) from None
            response = masks.select(response, tree) if mask else {}
        return response


def _no_constant(name: str) -> Any:
    """Google's JSON parser has no NaN or Infinity (Python's json.dumps writes them)."""
    raise ValueError(f"Unexpected token: {name}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator: SheetsEmulator

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        with self.emulator._lock:
            self.emulator._busy += 1
        try:
            answer = self.emulator.handle(self.command, self.path, self.headers, body)
        finally:
            with self.emulator._lock:
                self.emulator._busy -= 1
        if answer is None:                       # a dropped connection
            self.close_connection = True
            return
        status, headers, payload = answer
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):   # the client gave up (a timeout)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


def emulator_fixture(scope: str = "function", **options: Any):
    """A pytest fixture yielding a started :class:`SheetsEmulator` (stopped afterwards).

    In a test module or conftest: ``sheets = emulator_fixture()`` then ``def test_x(sheets): ...``.
    ``options`` go to the constructor (tokens, cell_limit, max_body_bytes, seed...)."""
    import pytest

    @pytest.fixture(scope=scope)
    def fixture():
        with SheetsEmulator(**options) as emulator:
            yield emulator

    return fixture
