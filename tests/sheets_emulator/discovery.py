"""Google's discovery documents, as shipped in google-api-python-client, and the routes they define.

Every path, parameter and body schema the emulator serves comes from ``sheets.v4.json``,
``drive.v3.json`` and ``script.v1.json`` (the Apps Script API); nothing about the API's shape is
written by hand here.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import googleapiclient

from .schema import Validator

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"

# The Drive methods the emulator serves (gspread's share() and create() call these).
DRIVE_METHODS = {"drive.permissions.create", "drive.permissions.list", "drive.files.create",
                 "drive.files.get"}


@functools.cache
def document(name: str) -> dict:
    """``document("sheets.v4")`` -> the parsed discovery document."""
    return json.loads((DOCUMENTS / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Method:
    id: str                      # "sheets.spreadsheets.values.batchGet"
    api: str                     # "sheets", "drive" or "script"
    verb: str                    # "GET", "POST", ...
    path: str                    # "/v4/spreadsheets/{spreadsheetId}/values:batchGet"
    params: dict
    request: str | None          # body schema name
    response: str | None
    regex: re.Pattern = field(repr=False, default=None)  # type: ignore[assignment]
    literal: int = 0             # literal characters in the path, to prefer specific routes

    @property
    def name(self) -> str:
        """Sheets ids without the API prefix (``spreadsheets.values.batchGet``); Drive and
        Apps Script ids keep theirs (``drive.permissions.create``, ``script.projects.create``)."""
        return self.id.split(".", 1)[1] if self.api == "sheets" else self.id


def _compile(path: str) -> tuple[re.Pattern, int]:
    pattern, literal, pos = "", 0, 0
    for match in re.finditer(r"\{\+?(\w+)\}", path):
        text = path[pos:match.start()]
        pattern += re.escape(text)
        literal += len(text)
        name = match.group(1)
        pattern += f"(?P<{name}>.+)" if name == "range" else f"(?P<{name}>[^/:]+)"
        pos = match.end()
    pattern += re.escape(path[pos:])
    literal += len(path) - pos
    return re.compile(f"^{pattern}$"), literal


def _methods(doc: dict, api: str, keep=None) -> list[Method]:
    prefix = "/" + doc.get("servicePath", "")
    found: list[Method] = []

    def walk(resource: dict) -> None:
        for spec in resource.get("methods", {}).values():
            if keep is not None and spec["id"] not in keep:
                continue
            path = prefix + spec.get("flatPath", spec["path"])
            regex, literal = _compile(path)
            found.append(Method(
                id=spec["id"], api=api, verb=spec["httpMethod"], path=path,
                params=spec.get("parameters", {}),
                request=(spec.get("request") or {}).get("$ref"),
                response=(spec.get("response") or {}).get("$ref"),
                regex=regex, literal=literal))
        for child in resource.get("resources", {}).values():
            walk(child)

    walk(doc)
    return found


class Api:
    """Routes and validators for the Sheets v4, Drive v3 and Apps Script v1 methods the
    emulator knows. Every Apps Script method is routed; those not served answer 501."""

    def __init__(self) -> None:
        self.sheets = document("sheets.v4")
        self.drive = document("drive.v3")
        self.script = document("script.v1")
        self.documents = {"sheets": self.sheets, "drive": self.drive, "script": self.script}
        self.methods = (_methods(self.sheets, "sheets") + _methods(self.drive, "drive", DRIVE_METHODS)
                        + _methods(self.script, "script"))
        self.methods.sort(key=lambda m: -m.literal)
        self.validators = {
            "sheets": Validator(self.sheets, "google.apps.sheets.v4"),
            "drive": Validator(self.drive, "google.apps.drive.v3", unknown_fields="ignore"),
            # A OnePlatform API like Sheets: unknown members are refused. The proto package
            # only shows in type errors and is not published; this name is a guess.
            "script": Validator(self.script, "google.apps.script.v1"),
        }

    def global_params(self, api: str) -> dict:
        return self.documents[api]["parameters"]

    def match(self, verb: str, raw_path: str) -> tuple[Method | None, dict, bool]:
        """(method, raw path parameters, whether the path exists under another verb)."""
        path_known = False
        for method in self.methods:
            found = method.regex.match(raw_path)
            if found is None:
                continue
            if method.verb != verb:
                path_known = True
                continue
            return method, found.groupdict(), True
        return None, {}, path_known

    def schema(self, api: str, name: str) -> dict:
        return self.documents[api]["schemas"][name]


@functools.cache
def api() -> Api:
    return Api()
