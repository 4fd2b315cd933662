"""The Sheets API emulator as the tests reach it: a client with a test token, Raw Data pasted
as Google holds a paste."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kc_sheets.backends.google import urls
from kc_sheets.backends.google.credentials import from_token
from kc_sheets.backends.google.http import client

TOKEN = "ya29.fake-user-token"


KEY = "k" * 32


EPOCH = pd.Timestamp("1899-12-30")


def http(lang="fr"):
    return client(from_token("test-token"), lang, account="kc@example.iam.gserviceaccount.com")


def as_pasted(frame: pd.DataFrame) -> list[list]:
    """Raw Data as Google holds a paste: numbers, text, dates as serial numbers."""
    rows = [list(frame.columns)]
    for record in frame.itertuples(index=False):
        row = []
        for value in record:
            if isinstance(value, (pd.Timestamp, dt.datetime)):
                row.append((pd.Timestamp(value) - EPOCH) / pd.Timedelta(days=1))
            elif value is None or (isinstance(value, float) and value != value):
                row.append("")
            else:
                row.append(value.item() if hasattr(value, "item") else value)
        rows.append(row)
    return rows


def paste(api, spreadsheet: str, frame: pd.DataFrame) -> None:
    rows = as_pasted(frame)
    sheet = next(s for s in api.request("get", urls.spreadsheet(spreadsheet)).json()["sheets"]
                 if s["properties"]["title"] == "Raw Data")
    have = sheet["properties"]["gridProperties"]["rowCount"]
    if len(rows) > have:
        api.request("post", urls.batch_update(spreadsheet), json={"requests": [{
            "appendDimension": {"sheetId": sheet["properties"]["sheetId"],
                                "dimension": "ROWS", "length": len(rows) - have}}]})
    api.request("post", urls.values_batch_update(spreadsheet), json={
        "valueInputOption": "RAW", "data": [{"range": "'Raw Data'!A1", "values": rows}]})

