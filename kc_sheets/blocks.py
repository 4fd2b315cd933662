"""The blocks the engine itself produces on every run, beside the analyses' own: the data
quality tables (:mod:`kc_sheets.ingest.quality`, written by :func:`kc_sheets.calculate.quality_blocks`)
and the run stamp. Declared like an analysis's blocks, so templates place them by the same
contract and docs/blocks.md documents them.
"""

from __future__ import annotations

from kc_sheets.analyses.contract import Analysis, BlockSpec, Col

QUALITY_BLOCKS = (
    BlockSpec('quality.by_reason',
        (Col('reason'),
         Col('label'),
         Col('rows'),
         Col('revenue'),),
        about=('One row per reason, in a fixed order: `reason` (code), `label` (in the chosen '
         'language), `rows`, `revenue`. Codes: `blank_row`, `total_row`, `duplicate_line`, '
         '`invalid_date`, `impossible_date`, `invalid_amount`, `missing_date`, '
         '`missing_amount`, `missing_customer`, `conflicting_customer`.'),
    ),
    BlockSpec('quality.mapping',
        (Col('field'),
         Col('label'),
         Col('column'),
         Col('header'),),
        about=('Which Raw Data column was recognised for each field: `field` (`order_id`, '
         '`order_date`, `amount`, `customer_id`, `product`, `category`, `quantity`, '
         '`unit_price`, `country`, `city`, `channel`, `store`, `discount`, `email`), `label`, '
         '`column` (letter) and `header` (the header text found).'),
    ),
    BlockSpec('quality.notes',
        (Col('text', 'one note per row'),),
        about=('What the reader should know (e.g. "no order ID column: each row is an order"; '
               'which tabs show fewer rows than were computed).'),
    ),
    BlockSpec('quality.set_aside',
        (Col('row'),
         Col('reason'),
         Col('reason_label'),),
        about=('Every row set aside (the workbook shows the first 1,000): `row` (its row number in '
         'the sheet or file, header = row 1), `reason` (code), `reason_label`, then every Raw '
         'Data column as the text that was in the cell.'),
    ),
    BlockSpec('quality.summary',
        (Col('rows_read', 'data rows of Raw Data (the header row excluded)'),
         Col('rows_used', 'rows that make up orders'),
         Col('rows_set_aside', 'rows not used, each listed in `quality.set_aside` with its reason'),
         Col('revenue_read', 'sum of every readable amount in Raw Data'),
         Col('revenue_used', 'sum of the amounts of the rows used (net of refunds)'),
         Col('revenue_set_aside', 'sum of the readable amounts of the rows set aside'),
         Col('customers', 'distinct customers with at least one purchase'),
         Col('orders', 'purchases (orders with a positive or zero amount)'),
         Col('refunds', 'orders with a negative amount (refunds, credit notes)'),),
        about=('One row. Always `rows_read = rows_used + rows_set_aside` and `revenue_read = '
         'revenue_used + revenue_set_aside`.'),
    ),
)

RUN_BLOCKS = (
    BlockSpec('run.details',
        (Col('calculated_at', 'date and time of the run'),
         Col('template', 'template id'),
         Col('version', 'kc_sheets version'),
         Col('duration_s', 'seconds the run took'),
         Col('rows_read', 'data rows of Raw Data'),),
        about='One row: when and how the workbook was calculated (the data quality tab).',
    ),
    BlockSpec('run.stamp',
        (Col('text', 'date, rows read and used, duration, version'),),
        about='One line atop every result tab: when it was calculated, from what.',
    ),
)


QUALITY = Analysis("quality", None, QUALITY_BLOCKS,
                   "Data quality: what was read, used and set aside (every template).")
RUN = Analysis("run", None, RUN_BLOCKS, "The run stamp (every template, workbooks only).")
ENGINE = (QUALITY, RUN)
