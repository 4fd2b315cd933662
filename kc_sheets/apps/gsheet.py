"""Google Sheets use cases for consultants: create a template, calculate it, install its button.

Each function takes an authorised :class:`KcHTTPClient` (see ``backends/google``); the CLI only
parses arguments and picks credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kc_sheets.backends.google import urls
from kc_sheets.backends.google.http import KcHTTPClient
from kc_sheets.backends.google.layout import create_body, layout_requests
from kc_sheets.backends.google.sheets import GSheetBook, spreadsheet_id
from kc_sheets.calculate import RunResult, calculate_book, known_template
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register
from kc_sheets.templates.brand import DEFAULT_BRAND, Brand

APPS_SCRIPT_DIR = Path(__file__).resolve().parents[2] / "sheet_templates" / "apps_script"


register({
    "gsheet.layout_failed": (
        "le classeur Google a été créé ({url}) mais sa mise en page a échoué : {detail} "
        "Supprimez-le (ou gardez-le vide), puis relancez la création.",
        "the Google spreadsheet was created ({url}) but laying it out failed: {detail} Delete "
        "it (or leave it empty), then run the creation again."),
    "gsheet.share_failed": (
        "classeur créé ({url}), mais le partage avec {email} a échoué : {detail} Partagez-le "
        "depuis Google Sheets (bouton Partager).",
        "spreadsheet created ({url}), but sharing it with {email} failed: {detail} Share it "
        "from Google Sheets (Share button)."),
})


@dataclass
class Created:
    spreadsheet_id: str
    url: str
    requests: int
    share_failed: tuple[KcError, ...] = ()     # the spreadsheet exists: these shares did not


def create(http: KcHTTPClient, template_id: str, lang: Lang = "fr", *, title: str | None = None,
           share: list[str] | None = None, brand: Brand = DEFAULT_BRAND) -> Created:
    """A new spreadsheet laid out as the template (two requests, plus one per share)."""
    template = known_template(template_id, lang)
    answer = http.request("post", urls.spreadsheets(),
                          json=create_body(template, lang, title, brand)).json()
    new_id = answer["spreadsheetId"]
    url = f"https://docs.google.com/spreadsheets/d/{new_id}/edit"
    try:
        http.request("post", urls.batch_update(new_id),
                     json={"requests": layout_requests(template, lang, brand)})
    except KcError as exc:   # it exists: say where, so it is not lost in the user's Drive
        raise KcError("gsheet.layout_failed", lang=lang, url=url,
                      detail=exc.message(lang)) from None
    failed = []
    for email in share or []:
        try:
            http.request("post", urls.drive_permissions(new_id),
                         params={"sendNotificationEmail": "true"},
                         json={"type": "user", "role": "writer", "emailAddress": email})
        except KcError as exc:
            failed.append(KcError("gsheet.share_failed", lang=lang, url=url, email=email,
                                  detail=exc.message(lang)))
    return Created(new_id, url, len(http.log.calls), tuple(failed))


def calculate(http: KcHTTPClient, spreadsheet: str, *, template_id: str | None = None,
              lang: Lang | None = None) -> RunResult:
    book = GSheetBook(spreadsheet, http, lang or "fr")
    return calculate_book(book, template_id=template_id, lang=lang)


def script_files(service_url: str, service_key: str, template_id: str, lang: Lang) -> list[dict]:
    """The Apps Script project's files: Code.gs, the manifest, and Config.gs (the settings the
    Apps Script API cannot write as script properties; Code.gs reads them as defaults)."""
    code = (APPS_SCRIPT_DIR / "Code.gs").read_text(encoding="utf-8")
    manifest = (APPS_SCRIPT_DIR / "appsscript.json").read_text(encoding="utf-8")
    config = ("// Written by kc-sheets gsheet install-script. Do not share this file: it holds\n"
              "// the key of your kc_sheets service.\n"
              "var KC_CONFIG = " + json.dumps({
                  "KC_SERVICE_URL": service_url.rstrip("/"), "KC_SERVICE_KEY": service_key,
                  "KC_TEMPLATE": template_id, "KC_LANG": lang}, indent=2) + ";\n")
    return [{"name": "appsscript", "type": "JSON", "source": manifest},
            {"name": "Code", "type": "SERVER_JS", "source": code},
            {"name": "Config", "type": "SERVER_JS", "source": config}]


def install_script(http: KcHTTPClient, spreadsheet: str, *, service_url: str, service_key: str,
                   template_id: str = "", lang: Lang = "fr") -> str:
    """Bind an Apps Script project to the spreadsheet and upload the button's code.

    Needs a user's OAuth sign-in (not a service account) with the Apps Script API turned on
    in https://script.google.com/home/usersettings.
    """
    target = spreadsheet_id(spreadsheet, lang)
    project = http.request("post", urls.script_projects(),
                           json={"title": "kc_sheets", "parentId": target}).json()
    script = project["scriptId"]
    http.request("put", urls.script_content(script),
                 json={"files": script_files(service_url, service_key, template_id, lang)})
    return script
