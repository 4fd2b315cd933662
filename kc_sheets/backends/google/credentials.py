"""Google credentials: a service-account key, a user's OAuth sign-in, or a bearer token.

- Service account (consultants, schedulers): a JSON key (``credentials.example.json`` shows its
  shape). The spreadsheet must be shared with the key's ``client_email`` as editor.
- User OAuth (``gsheet create`` and ``gsheet install-script``, which need the user's own Drive
  and the Apps Script API): an OAuth client of type "Desktop app"; the first run opens the
  browser, the token is cached next to it.
- Bearer token (the HTTP service): the token Apps Script sends with each click
  (``ScriptApp.getOAuthToken()``), so Google itself decides what the user may touch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from google.auth.credentials import Credentials
from google.oauth2.credentials import Credentials as UserCredentials

from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, register

SCOPES = ["https://www.googleapis.com/auth/spreadsheets",
          "https://www.googleapis.com/auth/drive.file"]
USER_SCOPES = SCOPES + ["https://www.googleapis.com/auth/script.projects"]
ENV_TOKEN = "KC_SHEETS_GOOGLE_TOKEN"

register({
    "cred.missing": (
        "aucun identifiant Google. Indiquez --credentials FICHIER.json (clé de compte de service "
        "ou client OAuth « Application de bureau »), ou la variable GOOGLE_APPLICATION_CREDENTIALS. "
        "Voir docs/google-sheets.md.",
        "no Google credentials. Give --credentials FILE.json (a service-account key or a "
        "'Desktop app' OAuth client), or set GOOGLE_APPLICATION_CREDENTIALS. See "
        "docs/google-sheets.md."),
    "cred.bad_file": ("fichier d'identifiants Google illisible : {path} ({detail}).",
                      "unreadable Google credentials file: {path} ({detail})."),
})


def from_token(token: str) -> Credentials:
    """Credentials that just carry an access token (never refreshed here)."""
    return UserCredentials(token=token)


def load(path: str | Path | None = None, *, lang: Lang = "fr", user: bool = False
         ) -> tuple[Credentials, str]:
    """Credentials and the account they act as (an e-mail, for messages)."""
    token = os.environ.get(ENV_TOKEN)
    if path is None and token:
        return from_token(token), "token"
    path = path or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not path:
        raise KcError("cred.missing", lang=lang)
    path = Path(path)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KcError("cred.bad_file", lang=lang, path=str(path), detail=str(exc)) from None
    if info.get("type") == "service_account":
        from google.oauth2 import service_account

        try:
            creds = service_account.Credentials.from_service_account_info(
                info, scopes=USER_SCOPES if user else SCOPES)
        except ValueError as exc:
            raise KcError("cred.bad_file", lang=lang, path=str(path), detail=str(exc)) from None
        return creds, info.get("client_email", "")
    if "installed" in info or "web" in info:
        return _user_oauth(path, lang), "you"
    raise KcError("cred.bad_file", lang=lang, path=str(path),
                  detail="type service_account or an OAuth client expected")


def _user_oauth(client_file: Path, lang: Lang) -> Credentials:  # pragma: no cover - browser
    """The installed-app flow; the token is cached beside the client file."""
    from google.auth.transport.requests import Request
    from google_auth_oauthlib.flow import InstalledAppFlow

    cache = client_file.with_name(client_file.stem + ".token.json")
    creds = None
    if cache.is_file():
        creds = UserCredentials.from_authorized_user_file(str(cache), USER_SCOPES)
    if creds and creds.expired and creds.refresh_token:
        creds.refresh(Request())
    if not creds or not creds.valid:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_file), USER_SCOPES)
        creds = flow.run_local_server(port=0)
        cache.write_text(creds.to_json(), encoding="utf-8")
        os.chmod(cache, 0o600)
    return creds
