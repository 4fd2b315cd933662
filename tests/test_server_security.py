"""The HTTP service behind the Google Sheets button, attacked as the internet would: missing
or wrong keys and tokens, oversized and chunked bodies, malformed ids, another caller's job,
tokens in the logs, 20 Calculates at once on loopback, a full queue. Google is the local
emulator (tests/sheets_emulator), never Google itself."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from kc_sheets.apps import gsheet
from kc_sheets.apps.server import Service, build_app
from tests.conftest import ten_orders
from tests.support.google import KEY, TOKEN, http, paste

OTHER_TOKEN = "ya29.another-users-token"


def spreadsheet(rows: int = 10) -> str:
    api = http()
    created = gsheet.create(api, "first-vs-repeat", "fr")
    paste(api, created.spreadsheet_id, ten_orders().head(rows))
    return created.spreadsheet_id


def test_refusals_say_why_and_never_run_the_engine(sheets) -> None:
    sheet_id = spreadsheet()
    body = {"spreadsheetId": sheet_id, "template": "", "lang": "en"}
    good = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
    sheets.reset_counts()
    with TestClient(build_app(Service(key=KEY))) as web:
        def post(headers, **kwargs):
            answer = web.post("/v1/calculate", headers=headers, **kwargs)
            return answer.status_code, answer.json()["error"]["code"]

        assert post({"Authorization": f"Bearer {TOKEN}"}, json=body) == (401, "srv.bad_key")
        assert post({**good, "X-KC-Key": "k" * 31}, json=body) == (401, "srv.bad_key")
        assert post({**good, "X-KC-Key": KEY + "x"}, json=body) == (401, "srv.bad_key")
        assert post({"X-KC-Key": KEY}, json=body) == (401, "srv.no_token")
        assert post({**good, "Authorization": "Basic abcdefghijklmnopqrstu"}, json=body) == (
            401, "srv.no_token")
        assert post({**good, "Authorization": "Bearer x"}, json=body) == (401, "srv.no_token")
        assert post(good, content=b"{" + b" " * 20_000 + b"}") == (413, "srv.too_large")

        def chunks():                                  # no Content-Length: counted as it comes
            for _ in range(40):
                yield b" " * 1024
        assert post(good, content=chunks()) == (413, "srv.too_large")
        assert post({**good, "Content-Length": "abc"}, content=b"{}") in (
            (413, "srv.too_large"), (400, "srv.bad_request"))
        assert post(good, content=b"not json") == (400, "srv.bad_request")
        assert post(good, content=b"[1, 2]") == (400, "srv.bad_request")
        for bad in ("../../etc/passwd", "short", "a" * 101, "abc def ghi jkl mno pqr",
                    "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2up\u00e9", "", None, 12345):
            assert post(good, json={**body, "spreadsheetId": bad}) == (400, "srv.bad_request")
        assert post(good, json={**body, "template": "../rfm"}) == (400, "srv.bad_request")
    assert sheets.reads == sheets.writes == 0        # nothing reached Google


def test_only_the_caller_polls_its_job(sheets) -> None:
    sheet_id = spreadsheet()
    sheets.delay(1.0, method="values.batchGet", times=1)
    good = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
    with TestClient(build_app(Service(key=KEY, sync_seconds=0.1))) as web:
        answer = web.post("/v1/calculate", headers=good, json={
            "spreadsheetId": sheet_id, "template": "", "lang": "fr"})
        assert answer.status_code == 202
        job = answer.json()["job"]
        stranger = {"X-KC-Key": KEY, "Authorization": f"Bearer {OTHER_TOKEN}"}
        assert web.get(f"/v1/jobs/{job}", headers=stranger).status_code == 404
        assert web.get(f"/v1/jobs/{job}", headers={"X-KC-Key": KEY}).status_code == 404
        assert web.get(f"/v1/jobs/{job}", headers={"Authorization": f"Bearer {TOKEN}"}
                       ).status_code == 401
        for _ in range(100):
            status = web.get(f"/v1/jobs/{job}", headers=good)
            if status.status_code != 202:
                break
            time.sleep(0.1)
        assert status.status_code == 200 and status.json()["rows_used"] == 10


def test_no_token_in_any_log_line(sheets, caplog) -> None:
    sheet_id = spreadsheet()
    good = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
    caplog.set_level(logging.DEBUG)                   # every logger, every level
    with TestClient(build_app(Service(key=KEY))) as web:
        body = {"spreadsheetId": sheet_id, "template": "", "lang": "fr"}
        assert web.post("/v1/calculate", headers=good, json=body).status_code == 200
        sheets.remove_token(TOKEN)                    # Google now refuses the token
        refused = web.post("/v1/calculate", headers=good, json=body)
        assert refused.status_code in (401, 403)
        web.post("/v1/calculate", headers={**good, "X-KC-Key": "wrong"}, json=body)
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "calculate spreadsheet=" in logged           # the service does log its work
    assert TOKEN not in logged and "fake-user-token" not in logged
    assert KEY not in logged
    assert TOKEN not in json.dumps(refused.json())


def test_a_token_passed_to_the_log_is_masked(caplog) -> None:
    caplog.set_level(logging.INFO, logger="kc_sheets.apps.server")
    logging.getLogger("kc_sheets.apps.server").info("header was Bearer %s (%s)", TOKEN, "ya29.zz-1")
    assert TOKEN not in caplog.text and "ya29.zz-1" not in caplog.text
    assert "Bearer [token]" in caplog.text


def _serve(service: Service):
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(service), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_twenty_calculates_at_once_without_cross_talk(sheets) -> None:
    """20 spreadsheets of 1 to 10 orders, calculated at the same time through a real uvicorn on
    loopback: each answer and each spreadsheet has its own numbers."""
    import httpx

    sizes = [1 + i % 10 for i in range(20)]
    api = http()
    model = gsheet.create(api, "first-vs-repeat", "fr").spreadsheet_id
    ids = [sheets.copy_spreadsheet(model) for _ in sizes]
    for sheet_id, n in zip(ids, sizes):
        paste(api, sheet_id, ten_orders().head(n))
    server, thread, base = _serve(Service(key=KEY, workers=4, max_pending=20))
    answers: dict[int, dict] = {}

    def click(i: int) -> None:
        with httpx.Client(timeout=120) as web:
            answers[i] = web.post(f"{base}/v1/calculate", headers={
                "X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"},
                json={"spreadsheetId": ids[i], "template": "", "lang": "fr"}).json()

    try:
        threads = [threading.Thread(target=click, args=(i,)) for i in range(20)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=180)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert sorted(answers) == list(range(20))
    for i, n in enumerate(sizes):
        assert answers[i]["rows_used"] == n, answers[i]
        quality = sheets.values(ids[i], "Qualité des données")
        assert any(row[1:3] == ["Lignes lues", n] for row in quality if len(row) > 2), i


@pytest.mark.slow
def test_a_full_queue_answers_503_with_retry_after(sheets) -> None:
    import httpx

    first_id = spreadsheet()
    ids = [first_id] + [sheets.copy_spreadsheet(first_id) for _ in range(2)]
    sheets.delay(2.0, method="values.batchGet", times=2)
    server, thread, base = _serve(Service(key=KEY, workers=1, max_pending=2, sync_seconds=0.2))
    try:
        with httpx.Client(timeout=60) as web:
            headers = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
            first = [web.post(f"{base}/v1/calculate", headers=headers, json={
                "spreadsheetId": i, "template": "", "lang": "en"}) for i in ids[:2]]
            third = web.post(f"{base}/v1/calculate", headers=headers, json={
                "spreadsheetId": ids[2], "template": "", "lang": "en"})
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert [a.status_code for a in first] == [202, 202]
    assert third.status_code == 503 and third.headers["retry-after"] == "60"
    assert "try again in a minute" in third.json()["error"]["message"]


def test_google_quota_is_one_bounded_try_per_click(sheets) -> None:
    """Google answers 429 to everything: the service retries Google a bounded number of times
    and answers 502 (which the button does not re-send), never 'quota' for a 500."""
    from kc_sheets.backends.google.http import RetryPolicy

    sheet_id = spreadsheet()
    sheets.reset_counts()
    sheets.inject(429, times=100)
    good = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
    with TestClient(build_app(Service(key=KEY))) as web:
        answer = web.post("/v1/calculate", headers=good, json={
            "spreadsheetId": sheet_id, "template": "", "lang": "en"})
        assert answer.status_code == 502
        assert "quota reached" in answer.json()["error"]["message"]
        assert len(sheets.calls()) == RetryPolicy().attempts
        sheets.reset_counts()
        sheets._rules.clear()          # the 429s not consumed (a test's own emulator state)
        sheets.inject(500, times=100)
        answer = web.post("/v1/calculate", headers=good, json={
            "spreadsheetId": sheet_id, "template": "", "lang": "en"})
        assert answer.status_code == 502
        message = answer.json()["error"]["message"]
        assert "temporarily unavailable" in message and "quota" not in message


def test_an_expired_user_session_says_reload_not_service_account(sheets) -> None:
    sheet_id = spreadsheet()
    sheets.remove_token(TOKEN)
    good = {"X-KC-Key": KEY, "Authorization": f"Bearer {TOKEN}"}
    with TestClient(build_app(Service(key=KEY))) as web:
        answer = web.post("/v1/calculate", headers=good, json={
            "spreadsheetId": sheet_id, "template": "", "lang": "fr"})
    message = answer.json()["error"]["message"]
    assert answer.status_code == 401, message
    assert "Rechargez la page" in message and "compte de service" not in message


@pytest.mark.slow
def test_no_known_vulnerability_in_the_dependencies() -> None:
    """scripts/audit.py (pip-audit): a known vulnerability fails the suite. Where PyPI's
    advisory service is out of reach (a package mirror only), it says so (exit 3)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, str(root / "scripts" / "audit.py")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 3), run.stdout + run.stderr
    assert ("no known vulnerability" in run.stdout) or ("not audited" in run.stderr)
