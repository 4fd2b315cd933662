"""kc_sheets: customer knowledge inside the spreadsheets marketing teams already use."""

__version__ = "0.1.0"
