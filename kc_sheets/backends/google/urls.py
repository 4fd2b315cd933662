"""Every Google URL kc_sheets calls, and the one place where they are redirected.

``KC_SHEETS_GOOGLE_API_BASE`` (e.g. ``http://127.0.0.1:8765``) sends every Sheets, Drive and Apps
Script call to that base instead of Google: for emulators in tests and for proxies.
"""

from __future__ import annotations

import os

SHEETS = "https://sheets.googleapis.com"
DRIVE = "https://www.googleapis.com"
SCRIPT = "https://script.googleapis.com"
GOOGLE_HOSTS = (SHEETS, DRIVE, SCRIPT)
ENV_BASE = "KC_SHEETS_GOOGLE_API_BASE"


def base_override() -> str | None:
    value = os.environ.get(ENV_BASE, "").strip().rstrip("/")
    return value or None


def rewrite(url: str) -> str:
    """The URL actually called: Google's, or the same path on the override base."""
    base = base_override()
    if base is None:
        return url
    for host in GOOGLE_HOSTS:
        if url.startswith(host):
            return base + url[len(host):]
    return url


def spreadsheet(spreadsheet_id: str) -> str:
    return f"{SHEETS}/v4/spreadsheets/{spreadsheet_id}"


def spreadsheets() -> str:
    return f"{SHEETS}/v4/spreadsheets"


def values_batch_get(spreadsheet_id: str) -> str:
    return f"{spreadsheet(spreadsheet_id)}/values:batchGet"


def values_batch_update(spreadsheet_id: str) -> str:
    return f"{spreadsheet(spreadsheet_id)}/values:batchUpdate"


def batch_update(spreadsheet_id: str) -> str:
    return f"{spreadsheet(spreadsheet_id)}:batchUpdate"


def drive_permissions(file_id: str) -> str:
    return f"{DRIVE}/drive/v3/files/{file_id}/permissions"


def script_projects() -> str:
    return f"{SCRIPT}/v1/projects"


def script_content(script_id: str) -> str:
    return f"{SCRIPT}/v1/projects/{script_id}/content"
