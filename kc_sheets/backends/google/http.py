"""The one HTTP door to Google: gspread's client with a timeout, a bounded retry and clear errors.

gspread 6.2.1 has no default timeout and its back-off client retries a persistent 429 forever;
:class:`KcHTTPClient` waits at most ``timeout`` per call, retries 408/429/5xx and network errors a
bounded number of times with exponential back-off and full jitter, and turns what Google answers
into a :class:`KcError` a user can act on. Every call is counted (reads and writes), so the
request budget of a Calculate can be checked and printed.
"""

from __future__ import annotations

import json as _json
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import gspread
import requests
from google.auth import exceptions as google_exceptions
from google.auth.credentials import Credentials

from kc_sheets.backends.google import urls
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register

register({
    "google.unauthenticated": (
        "Google refuse l'identification du compte de service (clé révoquée ou invalide). "
        "Vérifiez le fichier de clé (KC_SHEETS_GOOGLE_KEY ou --key), puis relancez.",
        "Google refused the service account's credentials (revoked or invalid key). Check the "
        "key file (KC_SHEETS_GOOGLE_KEY or --key), then run again."),
    "google.unauthenticated_user": (
        "Google ne reconnaît plus votre session (jeton expiré). Rechargez la page du classeur "
        "(ou reconnectez-vous à Google), puis cliquez à nouveau sur Calculer.",
        "Google no longer recognises your session (expired token). Reload the spreadsheet's "
        "page (or sign in to Google again), then click Calculate again."),
    "google.forbidden": (
        "pas d'accès à ce classeur Google. Partagez-le (en modification) avec {account}, puis "
        "relancez.",
        "no access to this Google spreadsheet. Share it (as editor) with {account}, then run "
        "again."),
    "google.script_forbidden": (
        "Google refuse l'installation du script ({detail}). Connectez-vous avec votre propre "
        "compte Google (un compte de service ne peut pas installer de script) et activez l'API "
        "Apps Script sur https://script.google.com/home/usersettings, puis relancez.",
        "Google refused to install the script ({detail}). Sign in with your own Google account "
        "(a service account cannot install scripts) and turn on the Apps Script API at "
        "https://script.google.com/home/usersettings, then run again."),
    "google.not_found": (
        "classeur Google introuvable : « {target} ». Vérifiez l'identifiant ou l'adresse (URL) "
        "du classeur.",
        "Google spreadsheet not found: '{target}'. Check the spreadsheet id or URL."),
    "google.busy": (
        "Google limite le nombre de requêtes (quota atteint, code {status}). Réessayez dans "
        "une minute.",
        "Google is limiting requests (quota reached, code {status}). Try again in a minute."),
    "google.unavailable": (
        "Google est momentanément indisponible (erreur {status} de son côté). Réessayez dans "
        "quelques minutes ; vos résultats précédents sont intacts.",
        "Google is temporarily unavailable (error {status} on its side). Try again in a few "
        "minutes; your previous results are intact."),
    "google.too_large": ("requête trop volumineuse pour Google ({detail}).",
                         "request too large for Google ({detail})."),
    "google.rejected": ("Google a refusé la requête ({status}) : {detail}",
                        "Google rejected the request ({status}): {detail}"),
    "google.network": ("Google ne répond pas ({detail}). Vérifiez la connexion et réessayez.",
                       "Google does not answer ({detail}). Check the connection and try again."),
})

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    attempts: int = 5           # calls in all, the first included
    base: float = 1.0           # seconds before the first retry (doubled each time)
    cap: float = 32.0           # longest wait
    timeout: tuple[float, float] = (10.0, 170.0)   # connect, read (Google stops at 180 s)

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        policy = cls()
        if os.environ.get("KC_SHEETS_RETRY_BASE"):
            policy.base = float(os.environ["KC_SHEETS_RETRY_BASE"])
        if os.environ.get("KC_SHEETS_GOOGLE_TIMEOUT"):       # read timeout, seconds
            policy.timeout = (policy.timeout[0], float(os.environ["KC_SHEETS_GOOGLE_TIMEOUT"]))
        return policy

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2 ** attempt))


@dataclass
class CallLog:
    calls: list[tuple[str, str, int]] = field(default_factory=list)   # verb, path, status

    @property
    def reads(self) -> int:
        """Successful calls that read (a GET, or a read sent as POST: batchGetByDataFilter)."""
        return sum(1 for verb, url, status in self.calls if status < 400 and _reads(verb, url))

    @property
    def writes(self) -> int:
        return sum(1 for verb, url, status in self.calls
                   if status < 400 and not _reads(verb, url))


def encode_body(body: Any) -> bytes:
    """A JSON body as sent: compact, UTF-8, no NaN (Google's parser has none)."""
    return _json.dumps(body, separators=(",", ":"), ensure_ascii=False,
                       allow_nan=False).encode("utf-8")


def _reads(verb: str, url: str) -> bool:
    return verb.upper() == "GET" or ":batchGet" in url or "getByDataFilter" in url


class KcHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client, redirected by ``KC_SHEETS_GOOGLE_API_BASE``, bounded and counted."""

    policy = RetryPolicy.from_env()
    lang: Lang = "fr"
    account = "le compte de service"

    def __init__(self, auth: Credentials, session: Any = None) -> None:
        super().__init__(auth, session)
        self.policy = RetryPolicy.from_env()
        self.timeout = self.policy.timeout
        self.log = CallLog()

    def request(self, method: str, endpoint: str, params: Any = None, data: Any = None,
                json: Any = None, files: Any = None, headers: Any = None) -> requests.Response:
        url = urls.rewrite(endpoint)
        last: requests.Response | None = None
        body = json
        if json is not None:
            # sent as measured: compact JSON (requests would add a space after each , and :,
            # up to a fifth more bytes than the 2 MB a request is sized for)
            data = encode_body(json)
            headers = {**(headers or {}), "Content-Type": "application/json; charset=utf-8"}
            json = None
        for attempt in range(self.policy.attempts):
            try:
                response = self.session.request(method=method, url=url, json=json,
                                                params=params, data=data, files=files,
                                                headers=headers, timeout=self.timeout)
            except google_exceptions.RefreshError:
                # A 401 with a token that cannot be refreshed (google-auth retries it itself).
                self.log.calls.append((method, url, 401))
                raise self.unauthenticated() from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                self.log.calls.append((method, url, 599))
                if attempt + 1 == self.policy.attempts:
                    raise KcError("google.network", lang=self.lang,
                                  detail=type(exc).__name__) from None
                time.sleep(self.policy.delay(attempt))
                continue
            self.log.calls.append((method, url, response.status_code))
            if response.ok:
                return response
            last = response
            if response.status_code not in RETRY_STATUSES or attempt + 1 == self.policy.attempts:
                break
            retry_after = response.headers.get("Retry-After", "")
            wait = float(retry_after) if retry_after.isdigit() else self.policy.delay(attempt)
            time.sleep(min(wait, self.policy.cap))
        raise self.error(last, endpoint, body)

    def unauthenticated(self) -> KcError:
        """A 401: a service account's key, or the session of the user behind the button."""
        user = self.account == "you"
        return KcError("google.unauthenticated_user" if user else "google.unauthenticated",
                       lang=self.lang)

    def error(self, response: requests.Response, endpoint: str, body: Any = None) -> KcError:
        status = response.status_code
        try:
            detail = response.json().get("error", {}).get("message", "")
        except ValueError:
            detail = response.text[:200]
        script_api = endpoint.startswith(urls.SCRIPT)
        if "/spreadsheets/" in endpoint:
            target = endpoint.rsplit("/spreadsheets/", 1)[-1].split("/")[0].split(":")[0]
        elif isinstance(body, dict) and body.get("parentId"):
            target = body["parentId"]
        else:
            target = endpoint.rsplit("/", 1)[-1]
        if status == 401:
            return self.unauthenticated()
        if status == 403 and script_api:
            return KcError("google.script_forbidden", lang=self.lang, detail=detail)
        if status == 403:
            return KcError("google.forbidden", lang=self.lang, account=self.account)
        if status == 404:
            return KcError("google.not_found", lang=self.lang, target=target)
        if status == 413:
            return KcError("google.too_large", lang=self.lang, detail=detail)
        if status in (408, 429):
            return KcError("google.busy", lang=self.lang, status=status)
        if status in RETRY_STATUSES:
            return KcError("google.unavailable", lang=self.lang, status=status)
        return KcError("google.rejected", lang=self.lang, status=status, detail=detail)


def client(credentials: Credentials, lang: Lang = "fr", account: str | None = None
           ) -> KcHTTPClient:
    """An authorised client (no request is made until one is needed)."""
    http = KcHTTPClient(credentials)
    http.lang = lang
    if account:
        http.account = account
    return http
