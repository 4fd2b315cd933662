"""The Apps Script API v1 calls ``kc-sheets gsheet install-script`` makes, over the same store.

- ``script.projects.create`` (``POST /v1/projects``, body ``{"title", "parentId"}``) makes a
  project, bound to the spreadsheet ``parentId`` when given, holding Google's default manifest.
- ``script.projects.updateContent`` (``PUT /v1/projects/{scriptId}/content``, body
  ``{"files": [...]}``) replaces every file of the project.

Bodies and query parameters are checked against ``script.v1.json`` by the HTTP layer, like Sheets
bodies; the other Apps Script methods are routed and answered 501. Rules kept from Google:

- only a user may call the API: a token marked ``add_token(..., service_account=True)`` gets
  403 PERMISSION_DENIED (Google's "User has not enabled the Apps Script API" answer, which is
  also what a user who has not turned the API on gets);
- the parent must exist (404) and be open to the token (403); a bound project can be edited by
  whoever can open its spreadsheet, a standalone one by its creator only;
- the content must hold one manifest named ``appsscript`` of type JSON whose top-level keys are
  manifest fields, and file names must be unique per type.

Not emulated: the Apps Script API setting itself (see above), the failure Google reports for a
spreadsheet never edited, versions, deployments, getContent and scripts.run.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .errors import ApiError, invalid, not_found, permission_denied
from .service import ID_CHARS, Store, _now, method

# The sentence Google sends (403 PERMISSION_DENIED, reason "forbidden") when the Apps Script API
# is called by a user who has not turned it on at script.google.com/home/usersettings, and, as
# reported, when it is called by a service account (which cannot turn it on). Taken from public
# reports (googleworkspace/python-samples#79 in 2019, google/clasp#1051 for a service account in
# 2025); not verified by us against the live API, so the exact wording may differ today.
API_DISABLED = (
    "User has not enabled the Apps Script API. Enable it by visiting "
    "https://script.google.com/home/usersettings then retry. If you enabled this API recently, "
    "wait a few minutes for the action to propagate to our systems and retry."
)
# As clasp users report it for a push without appsscript.json (wording unverified by us).
NO_MANIFEST = "Project contents must include a manifest file named appsscript."
# Google answers a bad manifest with the generic sentence (google/clasp#586).
BAD_ARGUMENT = "Request contains an invalid argument."
# Top-level fields of the manifest reference (developers.google.com/apps-script/manifest).
MANIFEST_FIELDS = {"addOns", "chat", "dataStudio", "dependencies", "exceptionLogging",
                   "executionApi", "gmail", "oauthScopes", "runtimeVersion", "sheets", "timeZone",
                   "urlFetchWhitelist", "webapp"}
RUNTIME_VERSIONS = {"V8", "STABLE", "DEPRECATED_ES5"}
_FUNCTION = re.compile(r"^\s*(?:async\s+)?function\s+([A-Za-z_$][\w$]*)\s*\(", re.MULTILINE)


def disabled() -> ApiError:
    return ApiError(403, API_DISABLED, errors=[
        {"message": API_DISABLED, "domain": "global", "reason": "forbidden"}])


def _user(store: Store, token: str) -> dict:
    email = store.token_emails.get(token, store.owner_email)
    return {"email": email, "name": email.split("@")[0], "domain": email.split("@")[-1]}


def _new_script_id(store: Store) -> str:
    while True:  # Apps Script ids are 57 characters starting with "1"
        candidate = "1" + "".join(store.rng.choice(ID_CHARS) for _ in range(56))
        if candidate not in store.script_projects and candidate not in store.spreadsheets:
            return candidate


def _project_json(project: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in project.items() if k not in ("files", "creatorToken")}


def _file_json(project: dict, file: dict) -> dict:
    out = {**file, "lastModifyUser": project["lastModifyUser"]}
    if file["type"] == "SERVER_JS":
        names = _FUNCTION.findall(file.get("source", ""))
        out["functionSet"] = {"values": [{"name": name} for name in names]}
    return copy.deepcopy(out)


def _editable(store: Store, token: str, script_id: str) -> dict:
    project = store.script_projects.get(script_id)
    if project is None:
        raise not_found()
    if "parentId" in project:
        store.open(token, project["parentId"])
    elif project["creatorToken"] != token:
        raise permission_denied()
    return project


def _check_manifest(source: str) -> None:
    try:
        manifest = json.loads(source)
    except ValueError:
        raise invalid(BAD_ARGUMENT) from None
    if (not isinstance(manifest, dict) or set(manifest) - MANIFEST_FIELDS
            or not isinstance(manifest.get("timeZone", ""), str)
            or manifest.get("runtimeVersion", "V8") not in RUNTIME_VERSIONS
            or not isinstance(manifest.get("oauthScopes", []), list)
            or not all(isinstance(s, str) for s in manifest.get("oauthScopes", []))):
        raise invalid(BAD_ARGUMENT)


@method("script.projects.create")
def create(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    if token in store.service_accounts:
        raise disabled()
    body = body or {}
    now = _now()
    project: dict[str, Any] = {"scriptId": _new_script_id(store),
                               "title": body.get("title") or "Untitled project"}
    time_zone = "Etc/GMT"
    if body.get("parentId"):
        parent = store.open(token, body["parentId"])
        project["parentId"] = parent.spreadsheet_id
        time_zone = parent.properties.get("timeZone", time_zone)
    user = _user(store, token)
    project.update(createTime=now, updateTime=now, creator=user, lastModifyUser=user,
                   creatorToken=token)
    manifest = {"timeZone": time_zone, "dependencies": {}, "exceptionLogging": "STACKDRIVER",
                "runtimeVersion": "V8"}
    project["files"] = [{"name": "appsscript", "type": "JSON",
                         "source": json.dumps(manifest, indent=2),
                         "createTime": now, "updateTime": now}]
    store.script_projects[project["scriptId"]] = project
    return _project_json(project)


@method("script.projects.updateContent")
def update_content(store: Store, token: str, path: dict, query: dict, body: Any) -> dict:
    if token in store.service_accounts:
        raise disabled()
    project = _editable(store, token, path["scriptId"])
    files = (body or {}).get("files") or []
    seen: set[tuple[str, str]] = set()
    for file in files:
        key = (file.get("name") or "", file.get("type") or "ENUM_TYPE_UNSPECIFIED")
        if not key[0] or key[1] == "ENUM_TYPE_UNSPECIFIED" or key in seen:
            raise invalid(BAD_ARGUMENT)   # wording unverified for these two cases
        seen.add(key)
    manifests = [f for f in files if f.get("name") == "appsscript" and f.get("type") == "JSON"]
    if not manifests:
        raise invalid(NO_MANIFEST)
    _check_manifest(manifests[0].get("source", ""))
    now = _now()
    created = {(f["name"], f["type"]): f["createTime"] for f in project["files"]}
    project["files"] = [{"name": f["name"], "type": f["type"], "source": f.get("source", ""),
                         "createTime": created.get((f["name"], f["type"]), now),
                         "updateTime": now} for f in files]
    project["updateTime"] = now
    project["lastModifyUser"] = _user(store, token)
    return {"scriptId": project["scriptId"],
            "files": [_file_json(project, f) for f in project["files"]]}


def snapshot(store: Store) -> list[dict]:
    """Every project, oldest first, as :meth:`SheetsEmulator.script_projects` returns them."""
    return [copy.deepcopy(p) for p in store.script_projects.values()]
