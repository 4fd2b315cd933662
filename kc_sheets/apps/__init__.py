"""Entry points: the command line, the web service Apps Script calls, Google Sheets, the
Excel set-up, analyze (CSV out), the demo."""
