"""Google's error answers: the JSON envelope, its status names and the sentences Google writes.

Sheets v4 answers ``{"error": {"code", "message", "status"[, "details"]}}``; Drive v3 adds an
``errors`` array. A few answers come from Google's front end rather than the API and are HTML,
not JSON (an unknown path, a 413, a 502): clients must cope with both.
"""

from __future__ import annotations

import json
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

BAD_TOKEN = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
UNREGISTERED_CALLER = (
    "Method doesn't allow unregistered callers (callers without established identity). Please use "
    "API Key or other form of API consumer identity to call this API."
)
NO_PERMISSION = "The caller does not have permission"
NOT_FOUND = "Requested entity was not found."
CELL_LIMIT = (
    "This action would increase the number of cells in the workbook above the limit of "
    "{limit} cells."
)


class ApiError(Exception):
    """An error answer. ``html`` set means the front end answers (HTML body, no JSON)."""

    def __init__(self, code: int, message: str, status: str | None = None,
                 details: list | None = None, headers: dict | None = None,
                 html: str | None = None, errors: list | None = None, raw: Any = None):
        super().__init__(message)
        self.raw = raw
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details
        self.headers = headers or {}
        self.html = html
        self.errors = errors

    def body(self) -> Any:
        if self.raw is not None:
            return self.raw
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            error["errors"] = self.errors
        error["status"] = self.status
        if self.details:
            error["details"] = self.details
        return {"error": error}


class RequestError(Exception):
    """A semantic refusal inside one batchUpdate request; the dispatcher prefixes
    ``Invalid requests[i].kind: ``. ``code`` lets a few of them be 404 or 403."""

    def __init__(self, message: str, code: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code


def invalid(message: str, field: str | None = None) -> ApiError:
    """400 INVALID_ARGUMENT; ``field`` adds the google.rpc.BadRequest detail Google attaches to
    payload (proto parsing) errors."""
    details = None
    if field is not None:
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field, "description": message}]}]
    return ApiError(400, message, details=details)


def bad_fields_mask(path: str) -> ApiError:
    return ApiError(400, "Request contains an invalid argument.", details=[{
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": path, "description": (
            f"Error expanding 'fields' parameter. Cannot find matching fields for path '{path}'.")}],
    }])


def unauthenticated() -> ApiError:
    return ApiError(401, BAD_TOKEN, headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
                    details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                              "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                              "metadata": {"service": "sheets.googleapis.com",
                                           "method": "google.apps.sheets.v4.SpreadsheetsService"}}])


def anonymous(verb: str) -> ApiError:
    """No credential at all: a GET is an unregistered caller (403), anything else 401."""
    if verb == "GET":
        return ApiError(403, UNREGISTERED_CALLER, details=[{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "CONSUMER_INVALID",
            "domain": "googleapis.com", "metadata": {"service": "sheets.googleapis.com"}}])
    return ApiError(401, MISSING_CREDENTIALS,
                    headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
                    details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                              "reason": "CREDENTIALS_MISSING", "domain": "googleapis.com",
                              "metadata": {"service": "sheets.googleapis.com"}}])


def permission_denied() -> ApiError:
    return ApiError(403, NO_PERMISSION)


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def drive_error(code: int, message: str, reason: str, location: str | None = None) -> ApiError:
    entry: dict[str, Any] = {"message": message, "domain": "global", "reason": reason}
    if location:
        entry.update(location=location, locationType="parameter")
    return ApiError(code, message, errors=[entry])


def quota_exceeded(kind: str) -> ApiError:
    """429 as Google writes it; ``kind`` is "Read" or "Write"."""
    metric = f"{kind} requests"
    limit = f"{kind} requests per minute per user"
    message = (f"Quota exceeded for quota metric '{metric}' and limit '{limit}' of service "
               "'sheets.googleapis.com' for consumer 'project_number:123456789012'.")
    return ApiError(429, message, details=[
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
         "domain": "googleapis.com",
         "metadata": {"quota_limit": f"{kind}RequestsPerMinutePerUser",
                      "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                      "quota_location": "global", "quota_limit_value": "60",
                      "consumer": "projects/123456789012", "service": "sheets.googleapis.com"}},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [
            {"description": "Request a higher quota limit.",
             "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
    ])


def front_end_html(code: int, headline: str, text: str) -> ApiError:
    """An answer written by Google's front end: an HTML page, not JSON."""
    page = ("<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
            f"  <title>Error {code} ({headline})!!1</title>\n"
            f"  <p><b>{code}.</b> <ins>That’s an error.</ins>\n"
            f"  <p>{text}  <ins>That’s all we know.</ins>\n")
    return ApiError(code, text, html=page)


def injected(code: int, kind: str) -> ApiError:
    """The error a test asked for, in the shape Google sends for that status."""
    if code == 429:
        return quota_exceeded(kind)
    if code == 401:
        return unauthenticated()
    if code == 403:
        return permission_denied()
    if code == 404:
        return not_found()
    if code == 413:
        return front_end_html(413, "Request Entity Too Large",
                              "Your client issued a request that was too large.")
    if code == 502:
        return front_end_html(502, "Server Error", "The server encountered a temporary error and "
                              "could not complete your request.<p>Please try again in 30 seconds.")
    messages = {
        400: "Request contains an invalid argument.",
        408: "Request timed out.",
        409: "The operation was aborted.",
        500: "Internal error encountered.",
        503: "The service is currently unavailable.",
        504: "The service is currently unavailable.",
    }
    return ApiError(code, messages.get(code, f"Injected error {code}."))


def encode(value: Any, pretty: bool) -> bytes:
    """JSON bytes as Google sends them: two-space indented with a final newline by default."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if pretty and len(text) < 262_144:
        text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8")
