"""Template ``cohorts``: acquisition cohorts as triangles, and the retention rate."""

from __future__ import annotations

from kc_sheets.analyses import cohorts, retention
from kc_sheets.cells import col_letter, parse_ref
from kc_sheets.i18n import register
from kc_sheets.settings import with_settings
from kc_sheets.templates import common
from kc_sheets.templates.model import (
    Block, Chart, Column, Fmt, GlossaryEntry, Heatmap, Setting, Tab, Template, Text,
)

register({
    "coh.title": ("Cohortes d'acquisition", "Acquisition cohorts"),
    "coh.summary": (
        "Les clients regroupés par période de premier achat : combien reviennent, combien ils "
        "dépensent, période après période. Rétention, CA par client et panier moyen en triangles.",
        "Customers grouped by the period of their first purchase: how many come back and how "
        "much they spend, period after period. Retention, revenue per customer and order value "
        "as triangles."),
    "tab.coh_master": ("Master analyse", "Master analysis"),
    "coh.master.subtitle": (
        "Les tables calculées que les onglets de cohortes affichent : une ligne par cohorte et "
        "période depuis l'acquisition (filtrable), le bilan par cohorte et la rétention par "
        "période.",
        "The computed tables the cohort tabs display: one row per cohort and period since "
        "acquisition (filterable), the summary by cohort and the retention by period."),
    "coh.h.long": ("Cohorte × période depuis l'acquisition", "Cohort x period since acquisition"),
    "coh.h.summary": ("Bilan par cohorte", "Summary by cohort"),
    "coh.h.basic": ("Rétention par période (méthode simple)", "Retention by period (basic "
                    "method)"),
    "coh.h.retention_summary": ("Taux de rétention : deux méthodes",
                                "Retention rate: two methods"),
    "coh.triangle.note": (
        "Une ligne par cohorte (période du premier achat), une colonne par période écoulée depuis "
        "(0 = la période d'acquisition). Case vide : période pas encore atteinte.",
        "One row per cohort (period of first purchase), one column per period since then (0 = "
        "the acquisition period). Blank cell: period not reached yet."),
    "coh.triangle.note2": (
        "Dernière ligne : moyenne pondérée par la taille des cohortes. Plus la couleur est foncée, "
        "plus la valeur est haute. Mois, trimestre ou année : onglet « Paramètres ».",
        "Last row: average weighted by cohort size. The darker the colour, the higher the value. "
        "Month, quarter or year: 'Settings' tab."),
    "tab.coh.retention_rate": ("Rétention", "Retention"),
    "tab.coh.active_customers": ("Clients actifs", "Active customers"),
    "tab.coh.net_revenue": ("CA cohortes", "Cohort revenue"),
    "tab.coh.net_revenue_per_customer": ("CA par client", "Revenue per customer"),
    "tab.coh.cumulative_net_revenue_per_customer": ("CA cumulé par client",
                                                     "Cumulative revenue per customer"),
    "tab.coh.average_order_value": ("Panier moyen", "Average order value"),
    "tab.coh.orders_per_active_customer": ("Commandes par client", "Orders per customer"),
    "coh.t.retention_rate": ("Taux de rétention par cohorte", "Retention rate by cohort"),
    "coh.t.active_customers": ("Clients actifs par cohorte", "Active customers by cohort"),
    "coh.t.net_revenue": ("CA net par cohorte", "Net revenue by cohort"),
    "coh.t.net_revenue_per_customer": ("CA net par client de la cohorte",
                                       "Net revenue per cohort customer"),
    "coh.t.cumulative_net_revenue_per_customer": (
        "CA net cumulé par client de la cohorte (valeur client)",
        "Cumulative net revenue per cohort customer (customer value)"),
    "coh.t.average_order_value": ("Panier moyen par cohorte", "Average order value by cohort"),
    "coh.t.orders_per_active_customer": ("Commandes par client actif",
                                         "Orders per active customer"),
    "col.period_n": ("{unit} {n}", "{unit} {n}"),
    "col.cohort": ("Cohorte", "Cohort"),
    "col.cohort_start": ("Début de la cohorte", "Cohort start"),
    "col.period_index": ("Périodes depuis l'acquisition", "Periods since acquisition"),
    "col.cohort_size": ("Taille de la cohorte", "Cohort size"),
    "col.active_customers": ("Clients actifs", "Active customers"),
    "col.retention_rate": ("Taux de rétention", "Retention rate"),
    "col.net_revenue_per_customer": ("CA net par client", "Net revenue per customer"),
    "col.cumulative_net_revenue_per_customer": ("CA net cumulé par client",
                                                "Cumulative net revenue per customer"),
    "col.average_order_value": ("Panier moyen", "Average order value"),
    "col.orders_per_active_customer": ("Commandes par client actif",
                                       "Orders per active customer"),
    "col.first_period_net_revenue": ("CA net de la 1re période", "First period net revenue"),
    "col.total_net_revenue": ("CA net total", "Total net revenue"),
    "col.active_in_last_period": ("Actifs dans la dernière période",
                                  "Active in the last period"),
    "col.active_in_last_period_rate": ("Part active dans la dernière période",
                                       "Share active in the last period"),
    "col.period_start": ("Début", "Start"),
    "col.period_end": ("Fin", "End"),
    "col.customers_at_start": ("Clients au début", "Customers at start"),
    "col.customers_at_end": ("Clients à la fin", "Customers at end"),
    "col.first_time_customers": ("Dont tout nouveaux", "Of which first-time"),
    "col.reactivated_customers": ("Dont réactivés", "Of which reactivated"),
    "col.retained_customers": ("Clients conservés", "Customers retained"),
    "col.lost_customers": ("Clients perdus", "Customers lost"),
    "col.churn_rate": ("Taux d'attrition", "Churn rate"),
    "col.full_window": ("Fenêtre complète", "Full window"),
    "col.method": ("Méthode", "Method"),
    "setting.retention_window_months": ("Rétention : fenêtre d'activité (mois)",
                                        "Retention: activity window (months)"),
    "setting.retention_window_months.help": (
        "Méthode simple : un client compte à une date s'il a acheté dans les N mois qui la "
        "précèdent. 12 par défaut ; 3 ou 6 pour des achats fréquents.",
        "Basic method: a customer counts at a date if they bought in the N months before it. 12 "
        "by default; 3 or 6 for frequent purchases."),
    "g.cohort": ("Cohorte d'acquisition", "Acquisition cohort"),
    "g.cohort.def": (
        "Les clients dont le premier achat tombe dans une même période (mois, trimestre ou année "
        "selon Paramètres). Période 0 = la période d'acquisition, 1 la suivante, etc.",
        "Customers whose first purchase falls in the same period (month, quarter or year per "
        "Settings). Period 0 = the acquisition period, 1 the next one, and so on."),
    "g.active_customer": ("Client actif", "Active customer"),
    "g.active_customer.def": ("Client de la cohorte ayant au moins un achat dans la période.",
                              "Cohort customer with at least one purchase in the period."),
    "g.cohort_retention": ("Taux de rétention (méthode des cohortes)",
                           "Retention rate (cohort method)"),
    "g.cohort_retention.def": (
        "Clients actifs de la cohorte ÷ taille de la cohorte ; 100 % en période 0. La moyenne "
        "pondérée donne la part de tous les clients encore actifs N périodes après leur premier "
        "achat. Dans « Taux de rétention : deux méthodes », c'est la période 1 : la part des "
        "nouveaux clients qui rachètent dès la période suivante.",
        "Active cohort customers ÷ cohort size; 100 % in period 0. The weighted average gives "
        "the share of all customers still active N periods after their first purchase. In "
        "'Retention rate: two methods' it is period 1: the share of new customers who buy again "
        "in the very next period."),
    "g.basic_retention": ("Taux de rétention (méthode simple)", "Retention rate (basic method)"),
    "g.basic_retention.def": (
        "(Clients à la fin − nouveaux clients) ÷ clients au début, un client comptant s'il a "
        "acheté dans la fenêtre de Paramètres (12 mois par défaut). Exemple : 100 clients au "
        "début, 90 à la fin dont 10 nouveaux → (90 − 10) ÷ 100 = 80 %.",
        "(Customers at end − new customers) ÷ customers at start, a customer counting if they "
        "bought within the Settings window (12 months by default). Example: 100 customers at "
        "start, 90 at end of which 10 new → (90 − 10) ÷ 100 = 80 %."),
    "g.revenue_per_customer": ("CA net par client de la cohorte", "Net revenue per cohort "
                               "customer"),
    "g.revenue_per_customer.def": (
        "CA net de la cohorte dans la période ÷ taille de la cohorte (tous ses clients, actifs ou "
        "non). Cumulé, c'est la valeur d'un client acquis, période après période.",
        "The cohort's net revenue in the period ÷ cohort size (all its customers, active or "
        "not). Cumulated, it is the value of an acquired customer, period after period."),
    "g.average_order_value": ("Panier moyen", "Average order value"),
    "g.average_order_value.def": ("CA des achats ÷ nombre d'achats.",
                                  "Purchase revenue ÷ number of purchases."),
    "g.weighted_average": ("Moyenne pondérée", "Weighted average"),
    "g.weighted_average.def": (
        "Dernière ligne des triangles : somme (taille × valeur) ÷ somme des tailles, sur les "
        "cohortes qui ont atteint la période.",
        "Last row of the triangles: sum of (size × value) ÷ sum of sizes, over the cohorts that "
        "reached the period."),
})

LONG_COLUMNS = (
    Column("cohort", "col.cohort", "text", 11),
    Column("period", "col.period", "text", 10),
    Column("period_index", "col.period_index", "int", 13),
    Column("cohort_size", "col.cohort_size", "int", 11),
    Column("active_customers", "col.active_customers", "int", 11),
    Column("retention_rate", "col.retention_rate", "percent", 11),
    Column("orders", "col.orders", "int", 11),
    Column("revenue", "col.revenue", "money", 13),
    Column("refunds", "col.refunds", "money", 16),
    Column("net_revenue", "col.net_revenue", "money", 13),
    Column("net_revenue_per_customer", "col.net_revenue_per_customer", "money", 12),
    Column("cumulative_net_revenue_per_customer", "col.cumulative_net_revenue_per_customer",
           "money", 13),
    Column("average_order_value", "col.average_order_value", "money", 12),
    Column("orders_per_active_customer", "col.orders_per_active_customer", "number", 12),
)
SUMMARY_COLUMNS = (
    Column("cohort", "col.cohort", "text", 11),
    Column("cohort_size", "col.cohort_size", "int", 11),
    Column("first_period_net_revenue", "col.first_period_net_revenue", "money", 14),
    Column("total_net_revenue", "col.total_net_revenue", "money", 14),
    Column("active_in_last_period", "col.active_in_last_period", "int", 13),
    Column("active_in_last_period_rate", "col.active_in_last_period_rate", "percent", 13),
)
BASIC_COLUMNS = (
    Column("period", "col.period", "text", 11),
    Column("customers_at_start", "col.customers_at_start", "int", 11),
    Column("customers_at_end", "col.customers_at_end", "int", 11),
    Column("new_customers", "col.new_customers", "int", 11),
    Column("retained_customers", "col.retained_customers", "int", 11),
    Column("lost_customers", "col.lost_customers", "int", 11),
    Column("retention_rate", "col.retention_rate", "percent", 11),
    Column("churn_rate", "col.churn_rate", "percent", 11),
)
RETENTION_SUMMARY_COLUMNS = (
    Column("label", "col.method", "text", 14),
    Column("customers", "col.customers", "int"),
    Column("retained_customers", "col.retained_customers", "int"),
    Column("retention_rate", "col.retention_rate", "percent"),
)
TRIANGLE_FORMATS: dict[str, Fmt] = {
    "retention_rate": "percent", "active_customers": "int", "net_revenue": "money0",
    "net_revenue_per_customer": "money", "cumulative_net_revenue_per_customer": "money",
    "average_order_value": "money", "orders_per_active_customer": "number",
}
TRIANGLE_COLUMNS = 60          # periods formatted and coloured in advance (5 years by month)
TRIANGLE_ROWS = 400


def _columns_after(first: str, columns: tuple[Column, ...], gap: int = 1) -> str:
    """The letter of the column ``gap`` columns to the right of a block starting at ``first``."""
    return col_letter(parse_ref(f"{first}1")[1] + len(columns) + gap)


def master_tab() -> Tab:
    summary_col = _columns_after("B", LONG_COLUMNS)
    basic_col = _columns_after(summary_col, SUMMARY_COLUMNS)
    widths = [("A", 3.0)]
    for first, columns in (("B", LONG_COLUMNS), (summary_col, SUMMARY_COLUMNS),
                           (basic_col, BASIC_COLUMNS)):
        start = parse_ref(f"{first}1")[1]
        widths += [(col_letter(start + i), c.width) for i, c in enumerate(columns)]
        widths.append((col_letter(start + len(columns)), 3.0))
    return Tab(
        "coh_master", "tab.coh_master", "analysis",
        blocks=(common.stamp_block("B4"),
                Block("cohorts.by_cohort_period", "B7", LONG_COLUMNS, autofilter=True),
                Block("cohorts.summary", f"{summary_col}7", SUMMARY_COLUMNS),
                Block("retention.basic_by_period", f"{basic_col}7", BASIC_COLUMNS)),
        texts=(Text("B2", "tab.coh_master", "title"),
               Text("B3", "coh.master.subtitle", "subtitle"),
               Text("B6", "coh.h.long", "h2", span=len(LONG_COLUMNS)),
               Text(f"{summary_col}6", "coh.h.summary", "h2", span=len(SUMMARY_COLUMNS)),
               Text(f"{basic_col}6", "coh.h.basic", "h2", span=len(BASIC_COLUMNS))),
        widths=tuple(widths), freeze="A8", tab_color="accent", fit_width=False,
        column_breaks=(summary_col,),        # the list, then the two summaries, across
    )


def triangle_tab(metric: str, with_retention: bool = False) -> Tab:
    """One triangle of ``cohorts.<metric>`` as a heatmap; the retention tab also shows both
    retention methods side by side."""
    fmt = TRIANGLE_FORMATS[metric]
    row = 12 if with_retention else 7
    # Title, notes, stamp and the retention summary start in column D: the label columns B:C
    # print on every page across, and anything there (or running over them) would be cut.
    blocks = [common.stamp_block("D4"),
              Block(f"cohorts.{metric}", f"B{row}",
                    (Column("cohort", "col.cohort", "text"),
                     Column("new_customers", "col.new_customers", "int")),
                    dynamic_header=True, extra_width=TRIANGLE_COLUMNS, extra_label="col.period_n",
                    extra_fmt=fmt)]
    texts = [Text("D2", f"coh.t.{metric}", "title"), Text("D3", "coh.triangle.note", "subtitle"),
             Text("D5", "coh.triangle.note2", "note")]
    if with_retention:
        blocks.append(Block("retention.summary", "D7", RETENTION_SUMMARY_COLUMNS, fixed_rows=2))
        texts.append(Text("D6", "coh.h.retention_summary", "h2", span=4))
    return Tab(
        f"coh_{metric}", f"tab.coh.{metric}", "analysis", blocks=tuple(blocks),
        texts=tuple(texts),
        heatmaps=(Heatmap(f"cohorts.{metric}", skip=3 if metric == "retention_rate" else 2,
                          rows=TRIANGLE_ROWS),),   # period 0 of retention is always 100 %
        widths=(("A", 3.0), ("B", 21.0), ("C", 13.0)) + tuple(
            (col_letter(3 + i), 20.0 if with_retention and i == 1 else   # the methods' names
             9.5 if fmt in ("percent", "int", "number") else 11.0)
            for i in range(1, TRIANGLE_COLUMNS + 1)),
        freeze=f"D{row + 1}", tab_color="primary", fit_width=False,
    )


register({
    "tab.coh_curves": ("Courbes", "Curves"),
    "coh.curves.title": ("Courbes de rétention et de valeur client",
                         "Retention and customer value curves"),
    "coh.curves.subtitle": (
        "Les {n} dernières cohortes suivies au moins 4 périodes, et la moyenne pondérée de toutes "
        "les cohortes. Les chiffres sont en bas de l'onglet.",
        "The latest {n} cohorts followed for at least 4 periods, and the weighted average of all "
        "cohorts. The figures are at the bottom of the tab."),
    "coh.chart.retention_curves": ("Taux de rétention par période depuis le premier achat",
                                   "Retention rate by period since the first purchase"),
    "coh.chart.ltv_curves": (
        "CA net cumulé par client (valeur client) depuis le premier achat",
        "Cumulative net revenue per customer (customer value) since the first purchase"),
    "coh.h.curves": ("Données des graphiques", "Chart data"),
    "col.period_since": ("Depuis le 1er achat", "Since first purchase"),
    "coh.h.retention_curves": ("Taux de rétention", "Retention rate"),
    "coh.h.ltv_curves": ("CA net cumulé par client", "Cumulative net revenue per customer"),
})
CURVES_ROW = 46                # header row of the two chart-data tables


def curves_tab() -> Tab:
    """The retention curves and the customer value (LTV) curves of the latest cohorts."""
    width = cohorts.CURVE_COHORTS + 1
    right = col_letter(2 + width + 2)

    def table(name: str, anchor: str, fmt: Fmt) -> Block:
        return Block(f"cohorts.{name}", anchor, (Column("period", "col.period_since", "text"),),
                     dynamic_header=True, extra_width=width, extra_fmt=fmt)

    widths = [("A", 3.0), ("B", 12.0)] + [(col_letter(3 + i), 11.0) for i in range(width)]
    widths += [(col_letter(3 + width), 3.0), (right, 12.0)] + [
        (col_letter(parse_ref(f"{right}1")[1] + 1 + i), 11.0) for i in range(width)]
    return Tab(
        "coh_curves", "tab.coh_curves", "analysis",
        blocks=(common.stamp_block("B4"),
                table("retention_curves", f"B{CURVES_ROW}", "percent"),
                table("ltv_curves", f"{right}{CURVES_ROW}", "money")),
        charts=(Chart("cohorts.retention_curves", "period", (), "coh.chart.retention_curves",
                      "B6", dynamic=True, kind="line", width_cm=25.0, height_cm=9.0,
                      y_fmt="percent"),
                Chart("cohorts.ltv_curves", "period", (), "coh.chart.ltv_curves", "B25",
                      dynamic=True, kind="line", width_cm=25.0, height_cm=9.0,
                      y_fmt="money0")),
        texts=(Text("B2", "coh.curves.title", "title"),
               Text("B3", "coh.curves.subtitle", "subtitle",
                    params=(("n", str(cohorts.CURVE_COHORTS)),)),
               Text(f"B{CURVES_ROW - 2}", "coh.h.curves", "h2", span=2 * width + 3),
               Text(f"B{CURVES_ROW - 1}", "coh.h.retention_curves", "h2", span=width + 1),
               Text(f"{right}{CURVES_ROW - 1}", "coh.h.ltv_curves", "h2", span=width + 1)),
        widths=tuple(widths), tab_color="primary", new=True, page_breaks=(24, CURVES_ROW - 2),
    )


def analysis_tabs() -> tuple[Tab, ...]:
    return (triangle_tab("retention_rate", with_retention=True),) + tuple(
        triangle_tab(m) for m in cohorts.TRIANGLE_METRICS if m != "retention_rate") + (
        curves_tab(), master_tab())


SETTINGS = (Setting("retention_window_months", "setting.retention_window_months",
                    "setting.retention_window_months.help", "12", kind="number"),)

GLOSSARY = (
    GlossaryEntry("g.cohort", "g.cohort.def"),
    GlossaryEntry("g.active_customer", "g.active_customer.def"),
    GlossaryEntry("g.cohort_retention", "g.cohort_retention.def"),
    GlossaryEntry("g.basic_retention", "g.basic_retention.def"),
    GlossaryEntry("g.revenue_per_customer", "g.revenue_per_customer.def"),
    GlossaryEntry("g.average_order_value", "g.average_order_value.def"),
    GlossaryEntry("g.weighted_average", "g.weighted_average.def"),
)

TEMPLATE = Template(
    id="cohorts",
    title="coh.title",
    summary="coh.summary",
    tabs=(common.readme_tab("coh.title", "coh.summary"), common.raw_tab(),
          common.settings_tab()) + analysis_tabs() + (common.quality_tab(),
                                                       common.glossary_tab()),
    analyses=(cohorts.ANALYSIS, retention.ANALYSIS),
    settings=with_settings(SETTINGS),
    glossary=GLOSSARY + common.COMMON_GLOSSARY,
)
