"""A local emulator of the Google Sheets API v4 (and the Drive calls gspread makes, and the Apps
Script API calls install-script makes), for tests.

Requests are validated against Google's discovery documents shipped in google-api-python-client;
state lives in memory. See :class:`SheetsEmulator` for the controls tests use.
"""

from .errors import ApiError
from .server import RecordedRequest, SheetsEmulator, emulator_fixture
from .views import SheetView, SpreadsheetView

__all__ = ["ApiError", "RecordedRequest", "SheetsEmulator", "SheetView", "SpreadsheetView",
           "emulator_fixture"]
