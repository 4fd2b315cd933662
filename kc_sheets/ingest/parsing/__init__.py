"""Reading raw cells: headers, blanks, dates, amounts, quantities and ids.

Every parser takes one column (a pandas Series of any dtype: typed numbers or datetimes, the
"str" dtype, or object with mixed Python values) and returns a :class:`Parsed`: the values and,
per row, a status among ``ok``, ``missing`` (blank cell), ``invalid`` (unreadable text, an error
value such as ``#N/A``, a boolean) and ``impossible`` (a well-formed date that does not exist,
such as 31/02/2024, or outside 1970-2099).

Speed: an object column whose cells are all of one kind (text, numbers or datetimes, as Google
Sheets and xlwings give them) is first typed (:func:`typed_column`). A column is factorized and
only its distinct values are parsed, with vectorised pyarrow and numpy operations (no Python
loop over rows; mixed object values are sorted by kind once per distinct Python type), then
spread back by codes. ``parse_id_codes``
keeps ids as those codes (integers into the distinct ids), so that ids are grouped, compared and
counted as integers, and turned into text only once, for the rows that are kept.

Modules, by idea: ``common`` (Parsed, statuses, blanks, headers, error values, the factorize
machinery), ``objects`` (object columns: typing them, factorizing mixed ones by Python type),
``dates``, ``amounts`` (amounts and quantities) and ``ids``.
"""

from kc_sheets.ingest.parsing.common import (
    ERROR_VALUES, IMPOSSIBLE, INVALID, MISSING, OK, STATUSES, Parsed, is_blank,
    normalize_header, text_matches,
)
from kc_sheets.ingest.parsing.amounts import AMOUNT_LIMIT, parse_amounts, parse_numbers
from kc_sheets.ingest.parsing.dates import YEAR_MAX, YEAR_MIN, parse_dates
from kc_sheets.ingest.parsing.ids import IdCodes, parse_id_codes, parse_ids
from kc_sheets.ingest.parsing.objects import typed_column

__all__ = [
    "AMOUNT_LIMIT", "ERROR_VALUES", "IMPOSSIBLE", "INVALID", "MISSING", "OK", "STATUSES",
    "YEAR_MAX", "YEAR_MIN", "IdCodes", "Parsed", "is_blank", "normalize_header",
    "parse_amounts", "parse_dates", "parse_id_codes", "parse_ids", "parse_numbers",
    "text_matches", "typed_column",
]
