"""Google Sheets end to end, on the local emulator of the Sheets API (never Google itself).

Every request our code sends is validated by the emulator against Google's discovery document
(`sheets.v4.json`); a request Google would refuse fails the test.
"""

from __future__ import annotations


import warnings

import pandas as pd
import pytest

with warnings.catch_warnings():   # starlette 1.x asks for httpx2, which the test client works without
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from kc_sheets.apps import gsheet
from kc_sheets import sample_data
from kc_sheets.backends.google import urls
from kc_sheets.backends.google.credentials import from_token
from kc_sheets.backends.google.http import client
from kc_sheets.calculate import calculate, month_names
from kc_sheets.errors import KcError
from kc_sheets.apps.server import Service, build_app
from tests.conftest import make_workbook, ten_orders
from tests.support.google import KEY, TOKEN, as_pasted, http, paste


@pytest.mark.slow
def test_create_lays_out_the_template(sheets) -> None:
    created = gsheet.create(http(), "first-vs-repeat", "fr", share=["client@example.com"])
    view = sheets.spreadsheet(created.spreadsheet_id)
    assert view.titles == ["Lisez-moi", "Raw Data", "Paramètres", "CA 1ers vs répétés",
                           "Qualité des données", "Glossaire"]
    assert view.properties["locale"] == "fr_FR"
    assert view.properties["timeZone"] == "Europe/Paris"
    analysis = sheets.sheet(created.spreadsheet_id, "CA 1ers vs répétés")
    assert len(analysis.charts) == 1
    assert analysis.protected_ranges and analysis.protected_ranges[0]["warningOnly"]
    settings = sheets.sheet(created.spreadsheet_id, "Paramètres")
    assert settings.data_validations()
    assert sheets.sheet(created.spreadsheet_id, "Raw Data").frozen_rows == 1
    assert any(p.get("emailAddress") == "client@example.com" for p in view.permissions)
    assert created.requests == 3


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_calculate_equals_the_xlsx_path_within_budget(sheets, tmp_path, lang) -> None:
    frame = sample_data.generate(rows=1500, seed=11, lang=lang)
    api = http(lang)
    created = gsheet.create(api, "first-vs-repeat", lang)
    paste(api, created.spreadsheet_id, frame)
    sheets.reset_counts()
    counted = http(lang)
    result = gsheet.calculate(counted, created.spreadsheet_id)
    print(f"\nGoogle requests for a Calculate ({lang}, {len(frame)} rows): "
          f"{sheets.reads} reads, {sheets.writes} writes")
    assert sheets.reads <= 2 and sheets.writes <= 2
    reference = calculate(make_workbook(tmp_path, frame, lang=lang))
    for name in ("first_vs_repeat.by_period", "first_vs_repeat.totals", "quality.summary",
                 "quality.by_reason"):
        pd.testing.assert_frame_equal(result.blocks[name], reference.blocks[name],
                                      check_dtype=False, obj=name)
    tab = "CA 1ers vs répétés" if lang == "fr" else "First vs repeat"
    values = sheets.values(created.spreadsheet_id, tab)
    by_period = reference.blocks["first_vs_repeat.by_period"]
    assert values[28][1] == "Total"
    assert [r[1] for r in values[29:29 + len(by_period)]] == \
        month_names(by_period["period"], lang).tolist()            # "janv. 2022" in the sheet
    assert values[29][5] == pytest.approx(by_period["first_purchase_revenue"].iloc[0])


def test_second_run_on_less_data_clears_stale_rows_and_stays_idempotent(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    gsheet.calculate(api, created.spreadsheet_id)
    first = sheets.values(created.spreadsheet_id, "CA 1ers vs répétés")
    gsheet.calculate(api, created.spreadsheet_id)
    again = sheets.values(created.spreadsheet_id, "CA 1ers vs répétés")
    assert first[4:] == again[4:]          # row 4 is the run stamp
    api.request("post", urls.values_batch_update(created.spreadsheet_id), json={
        "valueInputOption": "RAW", "data": [{"range": "'Raw Data'!A4:D11",
                                             "values": [[""] * 4] * 8}]})
    gsheet.calculate(api, created.spreadsheet_id)
    rows = sheets.values(created.spreadsheet_id, "CA 1ers vs répétés")
    assert [r[1] for r in rows[29:]] == ["janv. 2024"]


def test_formula_looking_values_stay_text(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    frame = ten_orders().astype(object)
    formula = '=HYPERLINK("http://example.com","x")'
    frame.loc[len(frame)] = ["A11", "pas une date", 5.0, formula]
    paste(api, created.spreadsheet_id, frame)
    gsheet.calculate(api, created.spreadsheet_id)
    shown = sheets.values(created.spreadsheet_id, "Qualité des données", render="FORMULA")
    assert any(formula in row for row in shown)
    cell = next(row.index(formula) for row in shown if formula in row)
    assert cell >= 0
    assert not any(isinstance(v, str) and v.startswith("=") and v != formula
                   for row in shown for v in row[:3])


@pytest.mark.slow
def test_template_tabs_added_to_a_plain_spreadsheet(sheets) -> None:
    spreadsheet = sheets.create_spreadsheet("Export", sheets={"Raw Data": as_pasted(ten_orders())},
                                            locale="fr_FR")
    api = http()
    with pytest.raises(KcError, match="--template"):
        gsheet.calculate(api, spreadsheet)
    result = gsheet.calculate(api, spreadsheet, template_id="first-vs-repeat")
    assert result.rows_used == 10
    assert "CA 1ers vs répétés" in sheets.spreadsheet(spreadsheet).titles


def test_retries_survive_injected_errors(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    sheets.inject(429, times=2, method="values.batchGet")
    sheets.inject(503, times=1, method="values.batchUpdate")
    result = gsheet.calculate(api, created.spreadsheet_id)
    assert result.rows_used == 10
    sheets.inject(503, times=10, method="values.batchGet")
    with pytest.raises(KcError) as info:
        gsheet.calculate(api, created.spreadsheet_id)
    assert "Réessayez" in info.value.message()


def test_auth_errors_are_explained(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    with pytest.raises(KcError, match="introuvable"):
        gsheet.calculate(api, "1" * 44)
    sheets.add_token("other-token", spreadsheets=[])
    stranger = client(from_token("other-token"), "en", account="kc@example.iam.gserviceaccount.com")
    with pytest.raises(KcError) as info:
        gsheet.calculate(stranger, created.spreadsheet_id)
    assert "kc@example.iam.gserviceaccount.com" in info.value.message("en")
    with pytest.raises(KcError, match="invalid Google spreadsheet id"):
        gsheet.calculate(client(from_token("x"), "en"), "not an id", lang="en")


def test_service_runs_the_engine_with_the_callers_token(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    app = build_app(Service(key=KEY, sync_seconds=30))
    with TestClient(app) as web:
        assert web.get("/healthz").json()["status"] == "ok"
        body = {"spreadsheetId": created.spreadsheet_id, "template": "", "lang": "fr"}
        headers = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
        answer = web.post("/v1/calculate", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows_used"] == 10
        assert "10 lignes utilisées sur 10" in answer.json()["message"]
        assert answer.json()["requests"]["reads"] <= 2
        assert web.post("/v1/calculate", json=body, headers={**headers, "X-KC-Key": "no"}
                        ).status_code == 401
        assert web.post("/v1/calculate", json={**body, "spreadsheetId": "../etc"},
                        headers=headers).status_code == 400
        assert web.post("/v1/calculate", content=b"x" * 20000, headers=headers
                        ).status_code == 413
        sheets.remove_token(TOKEN)
        denied = web.post("/v1/calculate", json=body, headers=headers)
        assert denied.status_code in (401, 403) and "Google" in denied.json()["error"]["message"]


@pytest.mark.slow
def test_long_jobs_answer_202_then_poll(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    sheets.delay(1.0, method="values.batchGet", times=1)
    app = build_app(Service(key=KEY, sync_seconds=0.1))
    headers = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as web:
        answer = web.post("/v1/calculate", headers=headers, json={
            "spreadsheetId": created.spreadsheet_id, "template": "", "lang": "en"})
        assert answer.status_code == 202
        job = answer.json()["job"]
        import time
        for _ in range(100):
            status = web.get(f"/v1/jobs/{job}", headers=headers)
            if status.status_code != 202:
                break
            time.sleep(0.1)
        assert status.status_code == 200 and status.json()["status"] == "done"
        assert web.get("/v1/jobs/nope", headers=headers).status_code == 404


@pytest.mark.slow
def test_button_click_runs_menu_service_and_sheets_end_to_end(sheets, tmp_path) -> None:
    """Code.gs under Node -> the kc_sheets service over HTTP -> the Sheets API emulator."""
    import json
    import shutil
    import socket
    import subprocess
    import threading
    import time

    import uvicorn

    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(Service(key=KEY)), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        config = gsheet.script_files(f"http://127.0.0.1:{port}", KEY, "", "fr")[2]["source"]
        (tmp_path / "Config.gs").write_text(config, encoding="utf-8")
        run = subprocess.run(["node", "tests/apps_script/e2e_click.js",
                              str(tmp_path / "Config.gs"), created.spreadsheet_id],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        seen = json.loads(run.stdout)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert seen["requests"][0] == ["post", "/v1/calculate"]
    assert "10 lignes utilisées sur 10" in json.dumps(seen["alerts"], ensure_ascii=False)
    values = sheets.values(created.spreadsheet_id, "CA 1ers vs répétés")
    assert values[28][1:8] == ["Total", 9, 5, 3, 420, 145, 565]


def test_outdated_layout_is_refreshed_once(sheets, monkeypatch) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    gsheet.calculate(api, created.spreadsheet_id)
    monkeypatch.setattr("kc_sheets.backends.google.layout.__version__", "9.9.9")
    sheets.reset_counts()
    gsheet.calculate(http(), created.spreadsheet_id)
    assert sheets.writes == 1                      # the layout goes with the values
    analysis = sheets.sheet(created.spreadsheet_id, "CA 1ers vs répétés")
    assert len(analysis.charts) == 1 and len(analysis.protected_ranges) == 1
    assert [m["metadataValue"] for m in sheets.spreadsheet(created.spreadsheet_id)
            .developer_metadata].count("first-vs-repeat:1:fr:9.9.9") == 1
    sheets.reset_counts()
    gsheet.calculate(http(), created.spreadsheet_id)
    assert sheets.writes == 1


@pytest.mark.slow
def test_kc_sheets_serve_starts_and_answers_healthz(tmp_path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, KC_SHEETS_SERVICE_KEY=KEY)
    command = [sys.executable, "-m", "kc_sheets.apps.cli", "serve", "--port", str(port)]
    refused = subprocess.run(command, env={k: v for k, v in env.items()
                                           if k != "KC_SHEETS_SERVICE_KEY"},
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "KC_SHEETS_SERVICE_KEY" in refused.stderr
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200 and b'"ok"' in r.read()
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("kc-sheets serve did not answer /healthz")
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert TOKEN not in output


def test_requests_are_sent_as_compact_json_as_they_are_measured(sheets) -> None:
    import json

    api = http()
    created = gsheet.create(api, "rfm", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    sheets.reset_counts()
    gsheet.calculate(http(), created.spreadsheet_id)
    sent = [r for r in sheets.calls() if r.body is not None]
    assert sent
    for request in sent:
        compact = json.dumps(request.body, separators=(",", ":"), ensure_ascii=False)
        assert request.size == len(compact.encode("utf-8")), request.method


def test_a_tab_that_grew_shrinks_back_and_is_not_padded_with_blanks(sheets) -> None:
    """3,000 customers, then 10: the RFM list's tab keeps the template's grid, so the second
    Calculate sends a few kilobytes, not the blanks of 3,000 rows."""
    from kc_sheets import sample_data

    api = http()
    created = gsheet.create(api, "rfm", "fr")
    big = sample_data.generate(rows=6000, seed=2)
    paste(api, created.spreadsheet_id, big)
    gsheet.calculate(api, created.spreadsheet_id)
    grown = sheets.sheet(created.spreadsheet_id, "Clients RFM").properties["gridProperties"]
    assert grown["rowCount"] > 1000
    api.request("post", urls.values_batch_update(created.spreadsheet_id), json={
        "valueInputOption": "RAW", "data": [{"range": "'Raw Data'!A12:L6001",
                                             "values": [[""] * 12] * 5990}]})
    paste(api, created.spreadsheet_id, ten_orders())
    sheets.reset_counts()
    gsheet.calculate(http(), created.spreadsheet_id)
    after = sheets.sheet(created.spreadsheet_id, "Clients RFM").properties["gridProperties"]
    assert after["rowCount"] == 1000
    assert sum(r.size for r in sheets.calls()) < 600_000
    rows = sheets.values(created.spreadsheet_id, "Clients RFM")
    assert len([r for r in rows if any(v not in ("", None) for v in r)]) < 40


def test_results_that_would_pass_ten_million_cells_are_refused_before_computing(sheets) -> None:
    """A spreadsheet already near Google's 10,000,000 cells (a wide Raw Data grid) and 3,000
    customers: refused after reading, before any write, with how many customers fit."""
    from kc_sheets import sample_data

    api = http()
    created = gsheet.create(api, "rfm", "fr")
    paste(api, created.spreadsheet_id, sample_data.generate(rows=6000, seed=4))
    meta = sheets.spreadsheet(created.spreadsheet_id)
    used = sum(s.properties["gridProperties"]["rowCount"]
               * s.properties["gridProperties"]["columnCount"] for s in meta.sheets)
    raw = sheets.sheet(created.spreadsheet_id, "Raw Data").properties
    grid = raw["gridProperties"]
    room = 10_000_000 - used - 2_000                       # a little room is left
    api.request("post", urls.batch_update(created.spreadsheet_id), json={"requests": [{
        "appendDimension": {"sheetId": raw["sheetId"], "dimension": "COLUMNS",
                            "length": room // grid["rowCount"]}}]})
    before = sheets.values(created.spreadsheet_id, "Clients RFM")
    sheets.reset_counts()
    with pytest.raises(KcError) as refused:
        gsheet.calculate(http(), created.spreadsheet_id)
    message = refused.value.message("fr")
    assert "10\u202f000\u202f000 cellules" in message and "environ" in message
    assert "Rien n'a été modifié" in message and ".xlsx" in message
    assert sheets.writes == 0
    assert sheets.values(created.spreadsheet_id, "Clients RFM") == before


def test_the_request_counts_reported_are_the_requests_sent(sheets) -> None:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders())
    gsheet.calculate(api, created.spreadsheet_id)
    sheets.reset_counts()
    client_ = http()
    gsheet.calculate(client_, created.spreadsheet_id)
    assert (client_.log.reads, client_.log.writes) == (sheets.reads, sheets.writes)
    assert (sheets.reads, sheets.writes) == (2, 1)


def test_an_older_spreadsheet_gets_the_tabs_added_since(sheets) -> None:
    """A spreadsheet made before the churn chart tab existed (here: that tab deleted) gets it,
    laid out with its chart, at its next Calculate."""
    api = http()
    created = gsheet.create(api, "churn", "fr")

    def titles() -> list[str]:           # (the emulator's full view copies every cell: slow)
        answer = api.request("get", urls.spreadsheet(created.spreadsheet_id),
                             params={"fields": "sheets(properties(sheetId,title))"}).json()
        return [s["properties"]["title"] for s in answer["sheets"]]

    meta = api.request("get", urls.spreadsheet(created.spreadsheet_id),
                       params={"fields": "sheets(properties(sheetId,title))"}).json()
    chart_tab = next(s["properties"]["sheetId"] for s in meta["sheets"]
                     if s["properties"]["title"] == "Graphique churn")
    api.request("post", urls.batch_update(created.spreadsheet_id),
                json={"requests": [{"deleteSheet": {"sheetId": chart_tab}}]})
    assert "Graphique churn" not in titles()
    paste(api, created.spreadsheet_id, sample_data.generate(rows=400, seed=5, lang="fr"))
    result = gsheet.calculate(http(), created.spreadsheet_id)
    assert "Graphique churn" in titles()
    answer = api.request("get", urls.spreadsheet(created.spreadsheet_id), params={
        "ranges": ["'Graphique churn'!A1"], "fields": "sheets(charts(chartId))"}).json()
    assert len(answer["sheets"][0]["charts"]) == 1
    rows = sheets.values(created.spreadsheet_id, "Graphique churn")
    churn = result.blocks["churn.customer_churn_chart"]
    assert rows[26][1:3] == ["Cohorte", "Nouveaux clients"]
    assert [r[1] for r in rows[27:27 + len(churn)]] == churn["cohort"].tolist()
