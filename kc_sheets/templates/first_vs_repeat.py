"""Template ``first-vs-repeat``: revenue from first purchases vs repeat purchases."""

from __future__ import annotations

from kc_sheets.analyses import first_vs_repeat
from kc_sheets.cells import col_letter
from kc_sheets.i18n import register
from kc_sheets.settings import COMMON_SETTINGS
from kc_sheets.templates import common
from kc_sheets.templates.model import Block, Chart, Column, GlossaryEntry, Tab, Template, Text

register({
    "fvr.title": ("CA premiers achats vs achats répétés", "First vs repeat purchase revenue"),
    "fvr.summary": (
        "Quelle part du chiffre d'affaires vient des nouveaux clients (leur premier achat), et "
        "quelle part des clients qui reviennent (achats répétés) ? Par mois, trimestre ou année.",
        "How much revenue comes from new customers (their first purchase), and how much from "
        "customers who come back (repeat purchases)? By month, quarter or year."),
    "tab.fvr": ("CA 1ers vs répétés", "First vs repeat"),
    "fvr.chart.title": ("CA premiers achats et achats répétés, part du CA répété",
                        "First and repeat purchase revenue, repeat share"),
    "fvr.kpi.revenue": ("CA des achats (brut)", "Purchase revenue (gross)"),
    "fvr.kpi.repeat_share": ("Part du CA répété", "Repeat revenue share"),
    "fvr.kpi.new": ("Nouveaux clients", "New customers"),
    "fvr.kpi.returning": ("Clients revenus", "Returning customers"),
    "fvr.kpi.net": ("CA net (achats + remboursements)", "Net revenue (purchases + refunds)"),
    "fvr.kpi.refunds": ("Remboursements et avoirs", "Refunds and credit notes"),
    "col.period": ("Période", "Period"),
    "col.new_customers": ("Nouveaux clients", "New customers"),
    "col.returning_customers": ("Clients revenus", "Returning customers"),
    "col.first_purchase_revenue": ("CA premiers achats", "First purchase revenue"),
    "col.repeat_revenue": ("CA achats répétés", "Repeat revenue"),
    "col.revenue": ("CA des achats", "Purchase revenue"),
    "col.first_purchase_share": ("Part CA premiers achats", "First purchase share"),
    "col.repeat_share": ("Part CA répété", "Repeat share"),
    "col.refunds": ("Remboursements", "Refunds"),
    "col.net_revenue": ("CA net", "Net revenue"),
    "g.first_purchase": ("Premier achat", "First purchase"),
    "g.first_purchase.def": (
        "La commande la plus ancienne d'un client. En cas d'égalité de date, celle qui apparaît "
        "en premier dans Raw Data.",
        "A customer's earliest order. When two orders share the same date, the one that comes "
        "first in Raw Data."),
    "g.repeat_purchase": ("Achat répété", "Repeat purchase"),
    "g.repeat_purchase.def": ("Toute commande d'un client après son premier achat.",
                              "Any order of a customer after their first purchase."),
    "g.first_revenue": ("CA premiers achats", "First purchase revenue"),
    "g.first_revenue.def": ("Somme des montants des premiers achats passés dans la période.",
                            "Sum of the amounts of the first purchases made in the period."),
    "g.repeat_revenue": ("CA achats répétés", "Repeat revenue"),
    "g.repeat_revenue.def": ("Somme des montants des achats répétés passés dans la période.",
                             "Sum of the amounts of the repeat purchases made in the period."),
    "g.repeat_share": ("Part du CA répété", "Repeat share"),
    "g.repeat_share.def": ("CA achats répétés ÷ (CA premiers achats + CA achats répétés).",
                           "Repeat revenue ÷ (first purchase revenue + repeat revenue)."),
    "g.new_customers": ("Nouveaux clients", "New customers"),
    "g.new_customers.def": ("Clients dont le premier achat tombe dans la période.",
                            "Customers whose first purchase falls in the period."),
    "g.returning_customers": ("Clients revenus", "Returning customers"),
    "g.returning_customers.def": (
        "Clients ayant au moins un achat répété dans la période (comptés une fois). Sur la ligne "
        "Total, chaque client n'est compté qu'une fois sur toute la durée.",
        "Customers with at least one repeat purchase in the period (counted once). On the Total "
        "row, each customer is counted once over the whole span."),
    "g.net_revenue": ("CA net", "Net revenue"),
    "g.net_revenue.def": ("CA premiers achats + CA achats répétés + remboursements (négatifs).",
                          "First purchase revenue + repeat revenue + refunds (negative)."),
})

COLUMNS = (
    Column("period", "col.period", "text", 12, months=True),
    Column("orders", "col.orders", "int", 12),
    Column("new_customers", "col.new_customers", "int", 14),
    Column("returning_customers", "col.returning_customers", "int", 14),
    Column("first_purchase_revenue", "col.first_purchase_revenue", "money", 17),
    Column("repeat_revenue", "col.repeat_revenue", "money", 17),
    Column("revenue", "col.revenue", "money", 17),
    Column("first_purchase_share", "col.first_purchase_share", "percent", 14),
    Column("repeat_share", "col.repeat_share", "percent", 13),
    Column("refunds", "col.refunds", "money", 15),
    Column("net_revenue", "col.net_revenue", "money", 17),
)
TABLE_ROW = 28   # header row of the table; the Total row sits just below it

TOTALS = Block("first_vs_repeat.totals", f"B{TABLE_ROW + 1}", COLUMNS, header=False,
               style="total", fixed_rows=1)
total = TOTALS.cell      # "=H29": the Total row's cell of a column, by its key

ANALYSIS = Tab(
    "fvr", "tab.fvr", "analysis",
    blocks=(
        common.stamp_block("B4"),
        TOTALS,
        Block("first_vs_repeat.by_period", f"B{TABLE_ROW + 2}", COLUMNS, header=False),
    ),
    charts=(Chart("first_vs_repeat.by_period", "period",
                  ("first_purchase_revenue", "repeat_revenue"), "fvr.chart.title", "B9",
                  lines=("repeat_share",), width_cm=26.0, height_cm=9.5, y_fmt="money0"),),
    texts=(
        Text("B2", "fvr.title", "title"), Text("B3", "fvr.summary", "subtitle"),
        # gross purchase revenue + refunds (negative) = net revenue, read left to right
        Text("B6", "fvr.kpi.revenue", "kpi_label", span=2),
        Text("B7", formula=f"={total('revenue')}", style="kpi", fmt="money", span=2),
        Text("D6", "fvr.kpi.refunds", "kpi_label", span=2),
        Text("D7", formula=f"={total('refunds')}", style="kpi", fmt="money", span=2),
        Text("F6", "fvr.kpi.net", "kpi_label", span=2),
        Text("F7", formula=f"={total('net_revenue')}", style="kpi", fmt="money", span=2),
        Text("H6", "fvr.kpi.repeat_share", "kpi_label", span=2),
        Text("H7", formula=f'=IF({total("revenue")}=0,"",'
                           f'{total("repeat_revenue")}/{total("revenue")})',
             style="kpi", fmt="percent", span=2),
        Text("J6", "fvr.kpi.new", "kpi_label", span=2),
        Text("J7", formula=f"={total('new_customers')}", style="kpi", fmt="int", span=2),
        Text("L6", "fvr.kpi.returning", "kpi_label"),
        Text("L7", formula=f"={total('returning_customers')}", style="kpi", fmt="int"),
    ) + tuple(Text(total(c.key, row=-1), c.label, "table_header")   # the header row
              for c in COLUMNS),
    widths=(("A", 3.0),) + tuple((col_letter(TOTALS.anchor_col + i), c.width)
                                 for i, c in enumerate(COLUMNS)),
    tab_color="primary", repeat_rows=(TABLE_ROW, TABLE_ROW),
)

TEMPLATE = Template(
    id="first-vs-repeat",
    title="fvr.title",
    summary="fvr.summary",
    tabs=(common.readme_tab("fvr.title", "fvr.summary"), common.raw_tab(),
          common.settings_tab(), ANALYSIS, common.quality_tab(), common.glossary_tab()),
    analyses=(first_vs_repeat.ANALYSIS,),
    settings=COMMON_SETTINGS,
    glossary=(
        GlossaryEntry("g.first_purchase", "g.first_purchase.def"),
        GlossaryEntry("g.repeat_purchase", "g.repeat_purchase.def"),
        GlossaryEntry("g.first_revenue", "g.first_revenue.def"),
        GlossaryEntry("g.repeat_revenue", "g.repeat_revenue.def"),
        GlossaryEntry("g.repeat_share", "g.repeat_share.def"),
        GlossaryEntry("g.new_customers", "g.new_customers.def"),
        GlossaryEntry("g.returning_customers", "g.returning_customers.def"),
        GlossaryEntry("g.net_revenue", "g.net_revenue.def"),
    ) + common.COMMON_GLOSSARY,
)
