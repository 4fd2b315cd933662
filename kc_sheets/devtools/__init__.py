"""Tools for tests and scripts that users never call: LibreOffice rendering, page
reading, the CDNOW data set."""
