"""Google Sheets backend: every Google request is built in this package (see urls.py, http.py)."""
