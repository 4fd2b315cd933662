"""Installing the Calculer button: ``gsheet.install_script`` on the local emulator (never Google).

The emulator checks both Apps Script API bodies against Google's ``script.v1.json`` and keeps the
projects it is given, so the three uploaded files can be read back here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner, Result

from kc_sheets.apps import gsheet
from kc_sheets.backends.google.credentials import from_token
from kc_sheets.backends.google.http import client
from kc_sheets.apps.cli import app
from kc_sheets.errors import KcError
from tests.sheets_emulator import SheetsEmulator
from tests.sheets_emulator.script_api import API_DISABLED

APPS_SCRIPT = Path(__file__).resolve().parents[1] / "sheet_templates" / "apps_script"
SERVICE_URL = "https://kc-sheets-abc123-ew.a.run.app"
KEY = "k" * 32
UNKNOWN_ID = "1" + "Z" * 43        # well formed, but no such spreadsheet


@pytest.fixture
def sheets(monkeypatch):
    with SheetsEmulator() as emulator:
        monkeypatch.setenv("KC_SHEETS_GOOGLE_API_BASE", emulator.base_url)
        monkeypatch.setenv("KC_SHEETS_RETRY_BASE", "0.01")
        yield emulator


def http(token: str = "test-token", lang: str = "fr"):
    return client(from_token(token), lang)


def kc_config(source: str) -> dict:
    """The object Config.gs assigns to KC_CONFIG."""
    head, _, rest = source.partition("var KC_CONFIG = ")
    assert head.startswith("//") and rest.endswith(";\n")
    return json.loads(rest[:-2])


def test_install_binds_three_files_to_the_spreadsheet(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    sheets.reset_counts()

    script_id = gsheet.install_script(api, created.spreadsheet_id, service_url=SERVICE_URL + "/",
                                      service_key=KEY, template_id="first-vs-repeat", lang="fr")

    [project] = sheets.script_projects()
    assert project["scriptId"] == script_id
    assert project["parentId"] == created.spreadsheet_id
    assert project["title"] == "kc_sheets"
    files = {f["name"]: f for f in project["files"]}
    assert [(f["name"], f["type"]) for f in project["files"]] == [
        ("appsscript", "JSON"), ("Code", "SERVER_JS"), ("Config", "SERVER_JS")]
    manifest = json.loads(files["appsscript"]["source"])
    assert "https://www.googleapis.com/auth/spreadsheets" in manifest["oauthScopes"]
    assert manifest["timeZone"] == "Europe/Paris"
    assert files["Code"]["source"] == (APPS_SCRIPT / "Code.gs").read_text(encoding="utf-8")
    assert kc_config(files["Config"]["source"]) == {
        "KC_SERVICE_URL": SERVICE_URL, "KC_SERVICE_KEY": KEY,
        "KC_TEMPLATE": "first-vs-repeat", "KC_LANG": "fr"}
    # Two Apps Script calls, both valid against script.v1.json; no Sheets quota spent.
    assert [(r.method, r.status) for r in sheets.requests] == [
        ("script.projects.create", 200), ("script.projects.updateContent", 200)]
    assert (sheets.reads, sheets.writes) == (0, 0)


def test_the_uploaded_code_declares_the_menu_and_the_button(sheets) -> None:
    api = http()
    sid = sheets.create_spreadsheet("Client", locale="fr_FR")
    gsheet.install_script(api, sid, service_url=SERVICE_URL, service_key=KEY, lang="en")
    answer = sheets.calls("projects.updateContent")[0].response
    code = next(f for f in answer["files"] if f["name"] == "Code")
    names = {f["name"] for f in code["functionSet"]["values"]}
    assert {"onOpen", "calculate", "installButton"} <= names
    assert kc_config(sheets.script_projects()[0]["files"][2]["source"])["KC_LANG"] == "en"


def test_malformed_id_is_refused_before_any_request(sheets) -> None:
    with pytest.raises(KcError) as caught:
        gsheet.install_script(http(lang="en"), "my sheet", service_url=SERVICE_URL,
                              service_key=KEY, lang="en")
    assert caught.value.key == "gs.bad_id"
    assert "'my sheet'" in caught.value.message()
    assert sheets.requests == []


@pytest.mark.parametrize("target", [
    UNKNOWN_ID, f"https://docs.google.com/spreadsheets/d/{UNKNOWN_ID}/edit#gid=0"])
def test_unknown_spreadsheet_is_a_clear_not_found(sheets, target) -> None:
    with pytest.raises(KcError) as caught:
        gsheet.install_script(http(lang="en"), target, service_url=SERVICE_URL, service_key=KEY,
                              lang="en")
    assert caught.value.key == "google.not_found"
    assert "Check the spreadsheet id or URL" in caught.value.message()
    assert [(r.method, r.status) for r in sheets.requests] == [("script.projects.create", 404)]
    assert sheets.script_projects() == []


def test_unknown_spreadsheet_message_names_the_id(sheets) -> None:
    with pytest.raises(KcError) as caught:
        gsheet.install_script(http(lang="en"), UNKNOWN_ID, service_url=SERVICE_URL,
                              service_key=KEY, lang="en")
    assert UNKNOWN_ID in caught.value.message()


def test_service_account_is_refused_as_google_does(sheets) -> None:
    sheets.add_token("robot-token", service_account=True)
    sid = sheets.create_spreadsheet("Client")
    with pytest.raises(KcError):
        gsheet.install_script(http("robot-token", "en"), sid, service_url=SERVICE_URL,
                              service_key=KEY, lang="en")
    [call] = sheets.requests
    assert call.status == 403
    assert call.response["error"]["status"] == "PERMISSION_DENIED"
    assert call.response["error"]["message"] == API_DISABLED
    assert sheets.script_projects() == []


def test_service_account_refusal_says_what_to_do(sheets) -> None:
    sheets.add_token("robot-token", service_account=True)
    sid = sheets.create_spreadsheet("Client")
    with pytest.raises(KcError) as caught:
        gsheet.install_script(http("robot-token", "en"), sid, service_url=SERVICE_URL,
                              service_key=KEY, lang="en")
    assert "script.google.com/home/usersettings" in caught.value.message()


def create_with_cli(columns: int) -> Result:
    return CliRunner().invoke(app, [
        "gsheet", "create", "--lang", "fr", "--service-url", SERVICE_URL,
        "--service-key", KEY], env={"KC_SHEETS_GOOGLE_TOKEN": "test-token",
                                    "COLUMNS": str(columns)})


def test_cli_create_installs_the_button(sheets) -> None:
    result = create_with_cli(columns=200)
    assert result.exit_code == 0, result.output
    [project] = sheets.script_projects()
    assert f"https://docs.google.com/spreadsheets/d/{project['parentId']}/edit" in result.output
    assert "Apps Script: ok" in result.output
    assert sheets.spreadsheet(project["parentId"]).properties["locale"] == "fr_FR"
    config = kc_config(project["files"][2]["source"])
    assert config == {"KC_SERVICE_URL": SERVICE_URL, "KC_SERVICE_KEY": KEY,
                      "KC_TEMPLATE": "first-vs-repeat", "KC_LANG": "fr"}


def test_cli_install_script_on_unknown_id_prints_an_error_not_a_traceback(sheets) -> None:
    result = CliRunner().invoke(app, [
        "gsheet", "install-script", UNKNOWN_ID, "--lang", "en", "--service-url", SERVICE_URL,
        "--service-key", KEY], env={"KC_SHEETS_GOOGLE_TOKEN": "test-token"})
    assert result.exit_code == 2
    assert "Google spreadsheet not found" in result.output
    assert "Traceback" not in result.output


def test_cli_create_prints_the_url_on_one_line_in_80_columns(sheets) -> None:
    result = create_with_cli(columns=80)
    assert result.exit_code == 0, result.output
    [project] = sheets.script_projects()
    assert f"https://docs.google.com/spreadsheets/d/{project['parentId']}/edit" in result.output


MANIFEST = {"name": "appsscript", "type": "JSON", "source": "{}"}


@pytest.mark.parametrize("files, status, message", [
    ([MANIFEST, {"name": "Code", "type": "SERVER_JS", "source": ""}], 200, None),
    ([{"name": "Code", "type": "SERVER_JS", "source": ""}], 400,
     "Project contents must include a manifest file named appsscript."),
    ([{**MANIFEST, "source": '{"$schema": "x"}'}], 400, "Request contains an invalid argument."),
    ([MANIFEST, {"name": "Code", "type": "GS"}], 400, "Invalid value at 'files[1].type'"),
    ([{**MANIFEST, "path": "appsscript.json"}], 400, 'Unknown name "path"'),
])
def test_emulator_checks_content_as_google_does(sheets, files, status, message) -> None:
    """The emulator's own refusals, on bodies kc_sheets never sends."""
    sid = sheets.create_spreadsheet("Client")
    auth = {"Authorization": "Bearer test-token"}
    script = requests.post(f"{sheets.base_url}/v1/projects", headers=auth, timeout=10,
                           json={"title": "t", "parentId": sid}).json()["scriptId"]
    answer = requests.put(f"{sheets.base_url}/v1/projects/{script}/content", headers=auth,
                          timeout=10, json={"files": files})
    assert answer.status_code == status
    if message:
        assert message in answer.json()["error"]["message"]


def test_cli_create_still_prints_the_url_when_sharing_fails(sheets) -> None:
    sheets.inject(403, times=1, method="permissions.create")
    result = CliRunner().invoke(app, [
        "gsheet", "create", "--lang", "en", "--share", "anne@example.com"],
        env={"KC_SHEETS_GOOGLE_TOKEN": "test-token", "COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "https://docs.google.com/spreadsheets/d/" in result.output
    assert "sharing it with anne@example.com failed" in result.output
    assert "Share button" in result.output and "Traceback" not in result.output
