"""From a Raw Data table to canonical orders: fields, parsing, transactions, data quality."""
