"""The kc_sheets HTTP service behind the Google Sheets "Calculer" button (ASGI, Starlette).

``POST /v1/calculate`` with ``X-KC-Key`` (the shared key, compared in constant time) and
``Authorization: Bearer <the user's Google token>`` (from ``ScriptApp.getOAuthToken()``): the
service reads and writes the spreadsheet with that token, so Google decides who may touch what.
A job that takes longer than ``KC_SHEETS_SYNC_SECONDS`` (default 40 s, under the ~60 s an Apps
Script UrlFetch waits) answers ``202`` and is polled at ``GET /v1/jobs/{id}``. Tokens are never
logged. ``GET /healthz`` answers ``ok``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kc_sheets import __version__
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, number, register, t

log = logging.getLogger("kc_sheets.apps.server")
MAX_BODY = int(os.environ.get("KC_SHEETS_MAX_BODY", "16384"))
JOB_TTL = 3600
KEPT_JOBS = 1000          # finished jobs kept for polling (the oldest are forgotten first)
_ID = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_TEMPLATE = re.compile(r"^[a-z0-9-]{0,40}$")

register({
    "srv.done": ("Calcul terminé : {used} lignes utilisées sur {read} ({aside} écartées, voir "
                 "« Qualité des données ») en {seconds} s.",
                 "Calculation done: {used} rows used out of {read} ({aside} set aside, see "
                 "'Data quality') in {seconds} s."),
    "srv.bad_key": ("clé du service kc_sheets invalide : relancez « kc-sheets gsheet "
                    "install-script » avec la bonne clé.",
                    "invalid kc_sheets service key: run 'kc-sheets gsheet install-script' again "
                    "with the right key."),
    "srv.no_token": ("jeton Google manquant dans la requête.", "Google token missing from the "
                     "request."),
    "srv.bad_request": ("requête invalide : {detail}.", "invalid request: {detail}."),
    "srv.too_large": ("requête trop volumineuse.", "request too large."),
    "srv.busy": ("le service kc_sheets calcule déjà {pending} classeurs : réessayez dans une "
                 "minute.",
                 "the kc_sheets service is already calculating {pending} workbooks: try again "
                 "in a minute."),
    "srv.unknown_job": ("calcul inconnu ou expiré : relancez le calcul.",
                        "unknown or expired calculation: calculate again."),
    "srv.internal": ("erreur interne du service kc_sheets (référence {ref}). Réessayez ; si elle "
                     "persiste, transmettez cette référence.",
                     "internal error of the kc_sheets service (reference {ref}). Try again; if "
                     "it persists, send this reference."),
})

# Google's failures that outlast our own retries answer 502 (the upstream failed): the button
# re-sends a POST only on 429/503, which are the service's own (srv.busy), so one click never
# multiplies the calls to Google (5 at most per request, see RetryPolicy).
_STATUS = {"google.unauthenticated": 401, "google.unauthenticated_user": 401,
           "google.forbidden": 403, "google.not_found": 404, "google.unavailable": 502,
           "google.busy": 502, "google.network": 502, "google.too_large": 413}


@dataclass
class Job:
    id: str
    lang: Lang
    owner: str = ""          # SHA-256 of the caller's token: only the caller may poll the job
    created: float = field(default_factory=time.time)
    future: object = None


def _owner(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_SECRET = re.compile(r"(?i)(bearer\s+)\S+|ya29\.[\w.-]+")


class _NoSecrets(logging.Filter):
    """Whatever a log line says, no token appears in it (defence in depth: the service never
    passes one to a logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _SECRET.search(text):
            record.msg, record.args = _SECRET.sub(lambda m: (m.group(1) or "") + "[token]",
                                                  text), ()
        return True


log.addFilter(_NoSecrets())


class Service:
    """The service's state: its key, its worker threads and the running jobs."""

    def __init__(self, key: str | None = None, sync_seconds: float | None = None,
                 workers: int = 4, max_pending: int | None = None) -> None:
        self.key = key if key is not None else os.environ.get("KC_SHEETS_SERVICE_KEY", "")
        self.sync_seconds = sync_seconds if sync_seconds is not None else float(
            os.environ.get("KC_SHEETS_SYNC_SECONDS", "40"))
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kc-calc")
        # jobs running or waiting for a worker: beyond this, 503 (memory stays bounded: each
        # job holds one spreadsheet's data while it runs)
        self.max_pending = max_pending if max_pending is not None else int(
            os.environ.get("KC_SHEETS_MAX_PENDING", str(workers * 4)))
        self.jobs: dict[str, Job] = {}

    def pending(self) -> int:
        return sum(1 for job in self.jobs.values() if not job.future.done())

    def check_key(self, request: Request) -> bool:
        given = request.headers.get("x-kc-key", "")
        return bool(self.key) and hmac.compare_digest(given.encode(), self.key.encode())


def _error(key: str, status: int, lang: Lang, where: str = "", **params) -> JSONResponse:
    return JSONResponse({"error": {"code": key, "message": t(key, lang, **params),
                                   "where": where}}, status_code=status)


def _kc_error(exc: KcError, lang: Lang) -> JSONResponse:
    return JSONResponse({"error": {"code": exc.key, "message": exc.message(lang),
                                   "where": exc.where(lang)}},
                        status_code=_STATUS.get(exc.key, 422))


def run_calculation(spreadsheet: str, template: str, lang: Lang, token: str) -> dict:
    """The engine on the caller's spreadsheet, with the caller's token."""
    from kc_sheets.backends.google.credentials import from_token
    from kc_sheets.backends.google.http import client
    from kc_sheets.backends.google.sheets import GSheetBook
    from kc_sheets.calculate import calculate_book

    http = client(from_token(token), lang, account="you")
    book = GSheetBook(spreadsheet, http, lang)
    result = calculate_book(book, template_id=template or None, lang=lang)
    result_lang = result.lang
    return {"status": "done", "rows_read": result.rows_read, "rows_used": result.rows_used,
            "rows_set_aside": result.rows_set_aside, "seconds": round(result.seconds, 2),
            "template": result.template, "requests": {"reads": http.log.reads,
                                                      "writes": http.log.writes},
            "message": t("srv.done", result_lang, used=number(result.rows_used, result_lang),
                         read=number(result.rows_read, result_lang),
                         aside=number(result.rows_set_aside, result_lang),
                         seconds=number(result.seconds, result_lang, 1))}


def _job_answer(service: Service, job: Job) -> JSONResponse:
    future = job.future
    if not future.done():
        return JSONResponse({"status": "running", "job": job.id, "poll_after": 3},
                            status_code=202)
    try:
        return JSONResponse(future.result())
    except KcError as exc:
        return _kc_error(exc, job.lang)
    except Exception:  # a bug: log it (never the token), answer with a reference
        ref = uuid.uuid4().hex[:8]
        log.exception("calculation failed (ref %s, job %s)", ref, job.id)
        return _error("srv.internal", 500, job.lang, ref=ref)


def build_app(service: Service | None = None) -> Starlette:
    service = service or Service()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    async def calculate(request: Request) -> JSONResponse:
        lang: Lang = "fr"
        if not service.check_key(request):
            return _error("srv.bad_key", 401, lang)
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            return _error("srv.too_large", 413, lang)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error("srv.too_large", 413, lang)
        try:
            payload = json.loads(body or b"{}")
            assert isinstance(payload, dict)
        except (ValueError, AssertionError):
            return _error("srv.bad_request", 400, lang, detail="JSON")
        lang = payload.get("lang") if payload.get("lang") in ("fr", "en") else "fr"
        spreadsheet = str(payload.get("spreadsheetId", ""))
        template = str(payload.get("template") or "")
        if not _ID.match(spreadsheet):
            return _error("srv.bad_request", 400, lang, detail="spreadsheetId")
        if not _TEMPLATE.match(template):
            return _error("srv.bad_request", 400, lang, detail="template")
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or len(auth) < 20:
            return _error("srv.no_token", 401, lang)
        token = auth[7:].strip()
        pending = service.pending()
        if pending >= service.max_pending:
            answer = _error("srv.busy", 503, lang, pending=pending)
            answer.headers["Retry-After"] = "60"
            return answer
        job = Job(uuid.uuid4().hex, lang, _owner(token))
        loop = asyncio.get_running_loop()
        job.future = loop.run_in_executor(service.pool, run_calculation, spreadsheet, template,
                                          lang, token)
        service.jobs[job.id] = job
        log.info("calculate spreadsheet=%s template=%s job=%s", spreadsheet, template or "-",
                 job.id)
        try:
            await asyncio.wait_for(asyncio.shield(job.future), timeout=service.sync_seconds)
        except asyncio.TimeoutError:
            pass
        except Exception:
            pass
        _forget_old(service)
        return _job_answer(service, job)

    async def job_status(request: Request) -> JSONResponse:
        if not service.check_key(request):
            return _error("srv.bad_key", 401, "fr")
        job = service.jobs.get(request.path_params["job"])
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if job is None or not hmac.compare_digest(_owner(token), job.owner):
            return _error("srv.unknown_job", 404, "fr")     # another caller's job: unknown
        return _job_answer(service, job)

    app = Starlette(routes=[Route("/healthz", healthz),
                            Route("/v1/calculate", calculate, methods=["POST"]),
                            Route("/v1/jobs/{job}", job_status)])
    app.state.service = service
    return app


def _forget_old(service: Service) -> None:
    limit = time.time() - JOB_TTL
    for job_id in [j for j, job in service.jobs.items() if job.created < limit]:
        del service.jobs[job_id]
    finished = [j for j, job in service.jobs.items() if job.future.done()]
    for job_id in finished[:max(0, len(finished) - KEPT_JOBS)]:     # oldest first
        del service.jobs[job_id]


def serve(host: str = "127.0.0.1", port: int = 8080) -> None:  # pragma: no cover - blocking
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    uvicorn.run(build_app(), host=host, port=port, log_level="info", access_log=False)
