"""Template ``churn``: revenue and customers by yearly acquisition cohort, and the layer cake."""

from __future__ import annotations

from dataclasses import replace

from kc_sheets.analyses import churn, retention
from kc_sheets.i18n import register
from kc_sheets.settings import with_settings
from kc_sheets.templates import cohorts as cohorts_template
from kc_sheets.templates import common
from kc_sheets.templates.model import (
    Block, Chart, Column, Fmt, GlossaryEntry, Heatmap, Tab, Template, Text,
)

register({
    "churn.title": ("Churn par cohorte annuelle", "Churn by yearly cohort"),
    "churn.summary": (
        "Le chiffre d'affaires de chaque année découpé par année d'acquisition des clients : ce "
        "que chaque cohorte rapporte encore, ce qu'elle garde d'une année sur l'autre, et combien "
        "de ses clients partent.",
        "Each year's revenue split by the year customers were acquired: what each cohort still "
        "brings in, what it keeps from one year to the next, and how many of its customers "
        "leave."),
    "tab.churn_revenue": ("Churn CA", "Revenue churn"),
    "tab.churn_customers": ("Churn clients", "Customer churn"),
    "churn.revenue.subtitle": (
        "Lignes : année du premier achat (cohorte). Colonnes : année civile. Case vide : la "
        "cohorte n'existait pas encore.",
        "Rows: year of first purchase (cohort). Columns: calendar year. Blank cell: the cohort "
        "did not exist yet."),
    "churn.customers.subtitle": (
        "Rétention client = clients actifs en N et en N-1 ÷ clients actifs en N-1 ; attrition = "
        "1 − rétention. Dernière ligne : toutes les cohortes déjà là l'année précédente.",
        "Customer retention = customers active in N and N-1 ÷ customers active in N-1; churn = "
        "1 − retention. Last row: every cohort already there the year before."),
    "churn.chart.title": ("CA net par année et par cohorte d'acquisition (layer cake)",
                          "Net revenue by year and acquisition cohort (layer cake)"),
    "churn.h.net_revenue": ("CA net par cohorte et par année", "Net revenue by cohort and year"),
    "churn.h.net_revenue_share": ("Part de chaque cohorte dans le CA de l'année",
                                  "Each cohort's share of the year's revenue"),
    "churn.h.net_revenue_retention": ("Rétention du CA (CA de N ÷ CA de N-1)",
                                      "Revenue retention (revenue in N ÷ revenue in N-1)"),
    "churn.h.active_customers": ("Clients actifs par cohorte et par année",
                                 "Active customers by cohort and year"),
    "churn.h.customer_retention": ("Rétention client", "Customer retention"),
    "churn.h.customer_churn": ("Attrition client (churn)", "Customer churn"),
    "churn.h.layer_cake": ("Données du graphique : CA net par année (lignes) et cohorte "
                           "(colonnes)", "Chart data: net revenue by year (rows) and cohort "
                           "(columns)"),
    "churn.h.by_cohort_year": ("Détail : une ligne par cohorte et par année",
                               "Detail: one row per cohort and year"),
    "col.year": ("Année", "Year"),
    "col.years_since_acquisition": ("Années depuis l'acquisition", "Years since acquisition"),
    "col.net_revenue_share": ("Part du CA de l'année", "Share of the year's revenue"),
    "col.net_revenue_retention": ("Rétention du CA", "Revenue retention"),
    "col.customer_retention": ("Rétention client", "Customer retention"),
    "col.customer_churn": ("Attrition client", "Customer churn"),
    "g.yearly_cohort": ("Cohorte annuelle", "Yearly cohort"),
    "g.yearly_cohort.def": ("Les clients dont le premier achat a eu lieu la même année civile.",
                            "Customers whose first purchase took place in the same calendar "
                            "year."),
    "g.revenue_retention": ("Rétention du CA", "Revenue retention"),
    "g.revenue_retention.def": (
        "CA net d'une cohorte l'année N ÷ son CA net l'année N-1. Au-dessus de 100 % : la cohorte "
        "dépense plus que l'année précédente.",
        "A cohort's net revenue in year N ÷ its net revenue in year N-1. Above 100 %: the cohort "
        "spends more than the year before."),
    "g.customer_retention": ("Rétention client (annuelle)", "Customer retention (yearly)"),
    "g.customer_retention.def": (
        "Clients d'une cohorte actifs en N et en N-1 ÷ clients de la cohorte actifs en N-1.",
        "Cohort customers active in both N and N-1 ÷ cohort customers active in N-1."),
    "g.churn": ("Attrition (churn)", "Churn"),
    "g.churn.def": ("1 − rétention client : la part des clients actifs en N-1 qui n'ont rien "
                    "acheté en N.", "1 − customer retention: the share of customers active in "
                    "N-1 who bought nothing in N."),
    "g.layer_cake": ("Layer cake", "Layer cake"),
    "g.layer_cake.def": (
        "Graphique en colonnes empilées : le CA de chaque année découpé par cohorte. Les couches "
        "anciennes qui s'amincissent montrent le churn ; chaque nouvelle couche, l'acquisition.",
        "Stacked column chart: each year's revenue split by cohort. Old layers getting thinner "
        "show churn; each new layer, acquisition."),
})

YEAR_TABLE_ROWS = 16       # cohort years shown (and the Total / All cohorts rows)
YEAR_COLUMNS = 16          # calendar years formatted in advance (and Total)


def _table(name: str, anchor: str, fmt: Fmt) -> Block:
    return Block(name, anchor, (Column("cohort", "col.cohort", "text"),
                                Column("new_customers", "col.new_customers", "int")),
                 dynamic_header=True, extra_width=YEAR_COLUMNS, extra_fmt=fmt,
                 fixed_rows=YEAR_TABLE_ROWS, keep="last", collapse=True)


def _stack(tab_key: str, title: str, subtitle: str, first_row: int,
           tables: tuple[tuple[str, Fmt], ...], tail: Block, tail_title: str,
           charts: tuple[Chart, ...] = (), head: tuple[Block, ...] = (),
           head_texts: tuple[Text, ...] = ()) -> Tab:
    """Yearly tables one under the other, each with its title, then ``tail``, a list of any
    length, moved below them (its own anchor is a placeholder)."""
    blocks = [common.stamp_block("B4"), *head]
    texts = [Text("B2", title, "title"), Text("B3", subtitle, "subtitle"), *head_texts]
    heatmaps = []
    row = first_row
    for metric, fmt in tables:
        texts.append(Text(f"B{row}", f"churn.h.{metric.split('.')[-1]}", "h2", span=5))
        blocks.append(_table(metric, f"B{row + 1}", fmt))
        if fmt == "percent":
            heatmaps.append(Heatmap(metric, skip=2, rows=YEAR_TABLE_ROWS))
        row += YEAR_TABLE_ROWS + 4
    texts.append(Text(f"B{row}", tail_title, "h2", span=5))
    blocks.append(replace(tail, anchor=f"B{row + 1}"))
    return Tab(tab_key, f"tab.{tab_key}", "analysis", blocks=tuple(blocks), texts=tuple(texts),
               charts=charts, heatmaps=tuple(heatmaps),
               # the tables start below the chart; the detailed list on a page of its own
               page_breaks=((first_row,) if charts else ()) + (row,),
               widths=(("A", 3.0), ("B", 22.0), ("C", 13.0)) + tuple(
                   (chr(68 + i), 12.5) for i in range(YEAR_COLUMNS)), tab_color="primary")


CAKE = Block("churn.layer_cake_by_year", "B1", (Column("year", "col.year", "text"),),
             dynamic_header=True, extra_width=YEAR_COLUMNS, extra_fmt="money0")
REVENUE_TABLES: tuple[tuple[str, Fmt], ...] = (
    ("churn.net_revenue", "money0"), ("churn.net_revenue_share", "percent"),
    ("churn.net_revenue_retention", "percent"))
REVENUE = _stack("churn_revenue", "tab.churn_revenue", "churn.revenue.subtitle", 27,
                 REVENUE_TABLES, CAKE, "churn.h.layer_cake",
                 charts=(Chart("churn.layer_cake_by_year", "year", (), "churn.chart.title", "B6",
                               dynamic=True, width_cm=24.0, height_cm=10.0, y_fmt="money0"),))
BY_YEAR_COLUMNS = (
    Column("cohort", "col.cohort", "text"), Column("year", "col.year", "text"),
    Column("years_since_acquisition", "col.years_since_acquisition", "int"),
    Column("new_customers", "col.new_customers", "int"),
    Column("active_customers", "col.active_customers", "int"),
    Column("retained_customers", "col.retained_customers", "int"),
    Column("net_revenue", "col.net_revenue", "money0"),
    Column("net_revenue_share", "col.net_revenue_share", "percent"),
    Column("net_revenue_retention", "col.net_revenue_retention", "percent"),
    Column("customer_retention", "col.customer_retention", "percent"),
    Column("customer_churn", "col.customer_churn", "percent"),
)
CUSTOMERS = _stack(
    "churn_customers", "tab.churn_customers", "churn.customers.subtitle", 11,
    (("churn.active_customers", "int"), ("churn.customer_retention", "percent"),
     ("churn.customer_churn", "percent")),
    Block("churn.by_cohort_year", "B1", BY_YEAR_COLUMNS), "churn.h.by_cohort_year",
    head=(Block("retention.summary", "B7", cohorts_template.RETENTION_SUMMARY_COLUMNS,
                fixed_rows=2),),
    head_texts=(Text("B6", "coh.h.retention_summary", "h2", span=4),))

register({
    "tab.churn_chart": ("Graphique churn", "Churn chart"),
    "churn.chart_tab.title": ("Attrition client par cohorte annuelle",
                              "Customer churn by yearly cohort"),
    "churn.chart_tab.subtitle": (
        "Pour chaque cohorte (année du premier achat), la part des clients actifs l'année "
        "précédente qui n'ont rien acheté dans l'année. Plus la barre est haute, plus la cohorte "
        "perd de clients.",
        "For each cohort (year of first purchase), the share of the customers active the year "
        "before who bought nothing in the year. The higher the bar, the more customers the "
        "cohort loses."),
    "churn.chart.customer_churn": ("Attrition client (churn) par cohorte et par année",
                                   "Customer churn by cohort and year"),
})
CHART_TABLE_ROW = 27
CHART = Tab(
    "churn_chart", "tab.churn_chart", "analysis",
    blocks=(common.stamp_block("B4"),
            replace(_table("churn.customer_churn_chart", f"B{CHART_TABLE_ROW}", "percent"))),
    charts=(Chart("churn.customer_churn_chart", "cohort", (), "churn.chart.customer_churn", "B6",
                  dynamic=True, skip=1, stacked=False, width_cm=24.0, height_cm=10.0,
                  y_fmt="percent"),),
    texts=(Text("B2", "churn.chart_tab.title", "title"),
           Text("B3", "churn.chart_tab.subtitle", "subtitle"),
           Text(f"B{CHART_TABLE_ROW - 1}", "churn.h.customer_churn", "h2", span=5)),
    heatmaps=(Heatmap("churn.customer_churn_chart", skip=2, rows=YEAR_TABLE_ROWS),),
    widths=(("A", 3.0), ("B", 22.0), ("C", 13.0)) + tuple(
        (chr(68 + i), 12.5) for i in range(YEAR_COLUMNS)), tab_color="primary", new=True,
)

GLOSSARY = (
    GlossaryEntry("g.yearly_cohort", "g.yearly_cohort.def"),
    GlossaryEntry("g.revenue_retention", "g.revenue_retention.def"),
    GlossaryEntry("g.customer_retention", "g.customer_retention.def"),
    GlossaryEntry("g.churn", "g.churn.def"),
    GlossaryEntry("g.layer_cake", "g.layer_cake.def"),
    GlossaryEntry("g.basic_retention", "g.basic_retention.def"),
    GlossaryEntry("g.cohort_retention", "g.cohort_retention.def"),
)

TEMPLATE = Template(
    id="churn",
    title="churn.title",
    summary="churn.summary",
    tabs=(common.readme_tab("churn.title", "churn.summary"), common.raw_tab(),
          common.settings_tab(), REVENUE, CUSTOMERS, CHART, cohorts_template.master_tab(),
          common.quality_tab(), common.glossary_tab()),
    analyses=(churn.ANALYSIS, retention.ANALYSIS, cohorts_template.cohorts.ANALYSIS),
    settings=with_settings(cohorts_template.SETTINGS),
    glossary=GLOSSARY + common.COMMON_GLOSSARY,
)
