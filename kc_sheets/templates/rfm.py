"""Template ``rfm``: customers scored on recency, frequency and monetary value, in segments."""

from __future__ import annotations

from kc_sheets.analyses import rfm
from kc_sheets.analyses.rfm_segments import FORMER_LABELS
from kc_sheets.i18n import register
from kc_sheets.settings import with_settings
from kc_sheets.templates import common
from kc_sheets.templates.model import (
    Block, Chart, Choice, Column, GlossaryEntry, GridSetting, Heatmap, LabelColours, Setting,
    Tab, Template, Text,
)

register({
    "rfm.title": ("Segmentation RFM", "RFM segmentation"),
    "rfm.summary_text": (
        "Chaque client noté de 1 à 5 sur la récence de son dernier achat, sa fréquence d'achat et "
        "son montant, puis rangé dans un segment (Champions, Fidèles, À risque…) avec l'action "
        "marketing qui lui convient.",
        "Each customer scored 1 to 5 on how recently they bought, how often and how much, then "
        "placed in a segment (Champions, Loyal, At risk…) with the marketing action that suits "
        "it."),
    "tab.rfm": ("RFM", "RFM"),
    "tab.rfm_customers": ("Clients RFM", "RFM customers"),
    "rfm.subtitle": (
        "Segments, grille R × FM et ce que chaque note veut dire. Date d'analyse, notation et "
        "grille des segments se règlent dans « Paramètres ».",
        "Segments, the R x FM grid and what each score means. Analysis date, scoring and the "
        "segment grid are set in 'Settings'."),
    "rfm.customers.subtitle": (
        "Un client par ligne, prêt à filtrer (boutons des en-têtes) et à exporter vers votre outil "
        "d'e-mailing : filtrez un segment, copiez les identifiants.",
        "One customer per row, ready to filter (header buttons) and export to your emailing "
        "tool: filter a segment, copy the IDs."),
    "rfm.h.segments": ("Segments", "Segments"),
    "rfm.h.grid": ("Grille R × FM : nombre de clients par case",
                   "R x FM grid: customers in each cell"),
    "rfm.h.grid_segments": ("Grille R × FM : segment de chaque case (modifiable dans Paramètres)",
                            "R x FM grid: segment of each cell (editable in Settings)"),
    "rfm.h.ranges": ("Ce que veut dire chaque note", "What each score means"),
    "rfm.h.summary": ("En bref", "At a glance"),
    "rfm.chart.title": ("Part des clients et part du CA par segment",
                        "Share of customers and share of revenue by segment"),
    "col.segment": ("Segment", "Segment"),
    "col.share_of_customers": ("Part des clients", "Share of customers"),
    "col.rfm_revenue": ("CA net", "Net revenue"),
    "col.share_of_revenue": ("Part du CA", "Share of revenue"),
    "col.average_recency": ("Récence moyenne (jours)", "Average recency (days)"),
    "col.average_frequency": ("Fréquence moyenne (achats)", "Average frequency (purchases)"),
    "col.average_monetary": ("Montant moyen", "Average monetary"),
    "col.description": ("Qui sont-ils ?", "Who are they?"),
    "col.action": ("Action recommandée", "Recommended action"),
    "col.r_fm": ("R \\ FM", "R \\ FM"),
    "col.fm_1": ("FM 1", "FM 1"), "col.fm_2": ("FM 2", "FM 2"), "col.fm_3": ("FM 3", "FM 3"),
    "col.fm_4": ("FM 4", "FM 4"), "col.fm_5": ("FM 5", "FM 5"),
    "col.criterion": ("Critère", "Criterion"),
    "col.score": ("Note", "Score"),
    "col.min_value": ("De", "From"),
    "col.max_value": ("À", "To"),
    "col.customer_id": ("ID client", "Customer ID"),
    "col.recency_days": ("Récence (jours)", "Recency (days)"),
    "col.frequency": ("Fréquence (achats)", "Frequency (purchases)"),
    "col.monetary": ("Montant (M)", "Monetary (M)"),
    "col.r_score": ("Note R", "R score"),
    "col.f_score": ("Note F", "F score"),
    "col.m_score": ("Note M", "M score"),
    "col.fm_score": ("Note FM", "FM score"),
    "col.first_purchase": ("Premier achat", "First purchase"),
    "col.last_purchase": ("Dernier achat", "Last purchase"),
    "col.segmented_customers": ("Clients segmentés", "Customers segmented"),
    "col.analysis_date": ("Date d'analyse", "Analysis date"),
    "col.scoring": ("Notation", "Scoring"),
    "col.monetary_measure": ("M mesure", "M measures"),
    "col.orders_after": ("Commandes après cette date (exclues)",
                         "Orders after that date (left out)"),
    "col.customers_without_purchase": ("Clients à remboursements seuls",
                                       "Customers with only refunds"),
    "col.note": ("À savoir", "Good to know"),
    "setting.rfm_analysis_date": ("RFM : date d'analyse", "RFM: analysis date"),
    "setting.rfm_analysis_date.help": (
        "La récence est comptée en jours jusqu'à cette date. Vide : le lendemain de la dernière "
        "commande. Les commandes postérieures sont exclues (et comptées dans l'onglet RFM).",
        "Recency is counted in days up to this date. Empty: the day after the last order. Later "
        "orders are left out (and counted on the RFM tab)."),
    "setting.rfm_monetary": ("RFM : le montant M mesure", "RFM: M measures"),
    "setting.rfm_monetary.help": (
        "Le CA net du client (achats moins remboursements) ou son panier moyen (CA net ÷ nombre "
        "d'achats).",
        "The customer's net revenue (purchases minus refunds) or their average order value (net "
        "revenue ÷ number of purchases)."),
    "setting.rfm_scoring": ("RFM : notation", "RFM: scoring"),
    "setting.rfm_scoring.help": (
        "Quintiles : chaque note de 1 à 5 regroupe un cinquième des clients (ex aequo = même "
        "note). Seuils : les quatre limites saisies ci-dessous. La grille des segments est à "
        "droite (colonnes F à K).",
        "Quintiles: each score 1 to 5 holds a fifth of the customers (ties get the same score). "
        "Thresholds: the four cut points typed below. The segment grid is on the right "
        "(columns F to K)."),
    "setting.rfm_thresholds.recency": ("RFM : seuils de récence (jours)",
                                       "RFM: recency thresholds (days)"),
    "setting.rfm_thresholds.recency.help": (
        "Avec la notation par seuils : 4 nombres de jours séparés par « ; ». Au plus le 1er → R = "
        "5, …, au-delà du 4e → R = 1.",
        "With threshold scoring: 4 numbers of days separated by ';'. At most the 1st → R = 5, …, "
        "beyond the 4th → R = 1."),
    "setting.rfm_thresholds.frequency": ("RFM : seuils de fréquence (achats)",
                                         "RFM: frequency thresholds (purchases)"),
    "setting.rfm_thresholds.frequency.help": (
        "Avec la notation par seuils : 4 nombres d'achats. Sous le 1er → F = 1, …, au moins le 4e "
        "→ F = 5.",
        "With threshold scoring: 4 numbers of purchases. Below the 1st → F = 1, …, at least the "
        "4th → F = 5."),
    "setting.rfm_thresholds.monetary": ("RFM : seuils de montant", "RFM: monetary thresholds"),
    "setting.rfm_thresholds.monetary.help": (
        "Avec la notation par seuils : 4 montants. Sous le 1er → M = 1, …, au moins le 4e → M = 5.",
        "With threshold scoring: 4 amounts. Below the 1st → M = 1, …, at least the 4th → M = 5."),
    "setting.rfm_grid": ("Grille des segments RFM (R × FM)", "RFM segment grid (R x FM)"),
    "setting.rfm_grid.help": (
        "Chaque case donne le segment des clients de note R (ligne) et FM (colonne), FM = (F + M) "
        "÷ 2 arrondi au supérieur. Choisissez un segment dans la liste de chaque case.",
        "Each cell gives the segment of customers with score R (row) and FM (column), FM = "
        "(F + M) ÷ 2 rounded half up. Pick a segment from the list in each cell."),
    "rfm.row.5": ("R 5 (récent)", "R 5 (recent)"), "rfm.row.4": ("R 4", "R 4"),
    "rfm.row.3": ("R 3", "R 3"), "rfm.row.2": ("R 2", "R 2"),
    "rfm.row.1": ("R 1 (ancien)", "R 1 (long ago)"),
    "choice.rfm.quintiles": ("Quintiles", "Quintiles"),
    "choice.rfm.thresholds": ("Seuils", "Thresholds"),
    "g.rfm": ("RFM", "RFM"),
    "g.rfm.def": (
        "Récence, Fréquence, Montant : trois notes de 1 à 5 par client (5 = le meilleur), "
        "calculées sur ses commandes jusqu'à la date d'analyse.",
        "Recency, Frequency, Monetary: three scores from 1 to 5 per customer (5 = best), "
        "computed from their orders up to the analysis date."),
    "g.recency": ("Récence (R)", "Recency (R)"),
    "g.recency.def": ("Jours entre le dernier achat du client et la date d'analyse (0 = acheté ce "
                      "jour-là).", "Days from the customer's last purchase to the analysis date "
                      "(0 = bought that day)."),
    "g.frequency": ("Fréquence (F)", "Frequency (F)"),
    "g.frequency.def": ("Nombre d'achats du client (les remboursements ne sont pas des achats).",
                        "The customer's number of purchases (refunds are not purchases)."),
    "g.monetary": ("Montant (M)", "Monetary (M)"),
    "g.monetary.def": (
        "CA net du client : achats moins remboursements jusqu'à la date d'analyse ; ou son panier "
        "moyen si Paramètres le demandent.",
        "The customer's net revenue: purchases minus refunds up to the analysis date; or their "
        "average order value if Settings say so."),
    "g.quintiles": ("Notes par quintiles", "Scores by quintiles"),
    "g.quintiles.def": (
        "Les clients sont rangés du moins bon au meilleur et coupés en cinq groupes égaux : 1 pour "
        "le premier cinquième, …, 5 pour le dernier. Des valeurs égales reçoivent la même note "
        "(tous les clients à un seul achat ont F = 1).",
        "Customers are lined up from the worst value to the best and cut into five equal groups: "
        "1 for the first fifth, …, 5 for the last. Equal values get the same score (every "
        "one-time buyer has F = 1)."),
    "g.fm": ("Note FM", "FM score"),
    "g.fm.def": ("(Note F + note M) ÷ 2, arrondi au supérieur (2,5 → 3). Le segment se lit dans "
                 "la grille R × FM.", "(F score + M score) ÷ 2, rounded half up (2.5 → 3). The "
                 "segment is read in the R x FM grid."),
    "g.segment": ("Segment RFM", "RFM segment"),
    "g.segment.def": (
        "La case (note R, note FM) de la grille de Paramètres donne le segment ; chaque client "
        "est dans un seul segment. Descriptions et actions : onglet RFM.",
        "The (R score, FM score) cell of the Settings grid gives the segment; each customer is "
        "in exactly one segment. Descriptions and actions: RFM tab."),
    "g.analysis_date": ("Date d'analyse", "Analysis date"),
    "g.analysis_date.def": (
        "Date à laquelle la récence est mesurée ; par défaut le lendemain de la dernière "
        "commande. Les commandes postérieures sont exclues du RFM.",
        "Date recency is measured at; by default the day after the last order. Later orders are "
        "left out of RFM."),
})

SEGMENT_COLUMNS = (      # columns C to G also hold the R x FM grid: wide enough for a segment name
    Column("segment_label", "col.segment", "text", 34),
    Column("customers", "col.customers", "int", 16),
    Column("share_of_customers", "col.share_of_customers", "percent", 16),
    Column("revenue", "col.rfm_revenue", "money0", 16),
    Column("share_of_revenue", "col.share_of_revenue", "percent", 16),
    Column("average_recency_days", "col.average_recency", "number", 16),
    Column("average_frequency", "col.average_frequency", "number", 12),
    Column("average_monetary", "col.average_monetary", "money", 13),
    Column("description", "col.description", "text", 42, wrap=True),
    Column("action", "col.action", "text", 60, wrap=True),
)
GRID_COLUMNS = (Column("r_score", "col.r_fm", "int"),) + tuple(
    Column(f"fm_{i}", f"col.fm_{i}", "int") for i in range(1, 6))
GRID_SEGMENT_COLUMNS = (Column("r_score", "col.r_fm", "int"),) + tuple(
    Column(f"fm_{i}", f"col.fm_{i}", "text", centered=True) for i in range(1, 6))
SUMMARY_COLUMNS = (
    Column("customers", "col.segmented_customers", "int"),
    Column("revenue", "col.rfm_revenue", "money"),
    Column("analysis_date", "col.analysis_date", "date"),
    Column("scoring_label", "col.scoring", "text"),
    Column("monetary_label", "col.monetary_measure", "text"),
    Column("orders_after_analysis_date", "col.orders_after", "int"),
    Column("customers_without_purchase", "col.customers_without_purchase", "int"),
)
RANGE_COLUMNS = (
    Column("criterion_label", "col.criterion", "text"), Column("score", "col.score", "int"),
    Column("customers", "col.customers", "int"), Column("min_shown", "col.min_value", "text"),
    Column("max_shown", "col.max_value", "text"),
)
CUSTOMER_COLUMNS = (
    Column("customer_id", "col.customer_id", "text", 18),
    Column("segment_label", "col.segment", "text", 22),
    Column("recency_days", "col.recency_days", "int", 11),
    Column("frequency", "col.frequency", "int", 11),
    Column("monetary", "col.monetary", "money", 13),
    Column("revenue", "col.rfm_revenue", "money", 13),
    Column("r_score", "col.r_score", "int", 8), Column("f_score", "col.f_score", "int", 8),
    Column("m_score", "col.m_score", "int", 8), Column("fm_score", "col.fm_score", "int", 8),
    Column("first_purchase", "col.first_purchase", "date", 13),
    Column("last_purchase", "col.last_purchase", "date", 13),
)

# Light fills, greens for the best segments to reds for those being lost (text stays readable).
SEGMENT_FILLS = {
    "champions": "B7E1A1", "loyal": "CDEBC0", "potential_loyalists": "E2F2D8",
    "new_customers": "D6EAF8", "promising": "E8F1FA", "need_attention": "FFF2C2",
    "about_to_sleep": "FFE5B4", "at_risk": "F9CFA8", "cant_lose_them": "F4B6A6",
    "hibernating": "E6E1EC", "lost": "D9D9D9",
}
SEGMENTS_ROW = 17          # header row of the segment table
GRID_ROW = 51              # header row of the grid of counts


ANALYSIS = Tab(
    "rfm", "tab.rfm", "analysis",
    blocks=(
        common.stamp_block("B4"),
        Block("rfm.summary", "B7", SUMMARY_COLUMNS, layout="fields"),
        Block("rfm.notes", "E7", (Column("note", "col.note", "text"),), header=False,
              style="note", fixed_rows=6),
        Block("rfm.segments", f"B{SEGMENTS_ROW}", SEGMENT_COLUMNS,
              fixed_rows=len(rfm.SEGMENT_KEYS), row_height=40),
        Block("rfm.grid", f"B{GRID_ROW}", GRID_COLUMNS, fixed_rows=5),
        Block("rfm.grid_segments", f"B{GRID_ROW + 8}", GRID_SEGMENT_COLUMNS, fixed_rows=5,
              row_height=28),
        Block("rfm.score_ranges", f"B{GRID_ROW + 16}", RANGE_COLUMNS, fixed_rows=15),
    ),
    charts=(Chart("rfm.segments", "segment_label", ("share_of_customers", "share_of_revenue"),
                  "rfm.chart.title", f"B{SEGMENTS_ROW + 13}", stacked=False, horizontal=True,
                  width_cm=24.0, height_cm=9.5, y_fmt="percent"),),
    heatmaps=(Heatmap("rfm.grid", skip=1, rows=5),),
    colours=(LabelColours("rfm.grid_segments", tuple(
        (f"rfm.segment.{key}", SEGMENT_FILLS[key]) for key in rfm.SEGMENT_KEYS)),),
    texts=(
        Text("B2", "rfm.title", "title"), Text("B3", "rfm.subtitle", "subtitle"),
        Text("B6", "rfm.h.summary", "h2", span=2), Text("E6", "col.note", "h2", span=6),
        Text(f"B{SEGMENTS_ROW - 1}", "rfm.h.segments", "h2", span=10),
        Text(f"B{GRID_ROW - 1}", "rfm.h.grid", "h2", span=6),
        Text(f"B{GRID_ROW + 7}", "rfm.h.grid_segments", "h2", span=6),
        Text(f"B{GRID_ROW + 15}", "rfm.h.ranges", "h2", span=5),
    ),
    widths=(("A", 3.0),) + tuple((chr(66 + i), c.width) for i, c in enumerate(SEGMENT_COLUMNS)),
    tab_color="primary", page_breaks=(SEGMENTS_ROW + 12, GRID_ROW - 1),
)

CUSTOMERS = Tab(
    "rfm_customers", "tab.rfm_customers", "analysis",
    blocks=(common.stamp_block("B4"),
            Block("rfm.customers", "B6", CUSTOMER_COLUMNS, autofilter=True)),
    texts=(Text("B2", "tab.rfm_customers", "title"),
           Text("B3", "rfm.customers.subtitle", "subtitle")),
    widths=(("A", 3.0),) + tuple((chr(66 + i), c.width) for i, c in enumerate(CUSTOMER_COLUMNS)),
    freeze="C7", tab_color="primary",
)

_CHOICES = tuple(f"rfm.segment.{key}" for key in rfm.SEGMENT_KEYS)
GRID_SETTING = GridSetting(
    "rfm_grid", "setting.rfm_grid", "setting.rfm_grid.help", "F5",
    row_labels=tuple(f"rfm.row.{r}" for r in range(5, 0, -1)),
    col_labels=tuple(f"col.fm_{fm}" for fm in range(1, 6)),
    choices=_CHOICES,
    default=tuple(tuple(f"rfm.segment.{rfm.DEFAULT_GRID[(r, fm)]}" for fm in range(1, 6))
                  for r in range(5, 0, -1)),
    former=tuple((f"rfm.segment.{key}", label) for key, labels in FORMER_LABELS.items()
                 for label in labels),    # workbooks built before a segment was renamed
)
SETTINGS = (
    Setting("rfm_analysis_date", "setting.rfm_analysis_date", "setting.rfm_analysis_date.help",
            kind="date"),
    Setting("rfm_monetary", "setting.rfm_monetary", "setting.rfm_monetary.help", "revenue",
            tuple(Choice(c, f"rfm.monetary.{c}") for c in rfm.MONETARY_CHOICES)),
    Setting("rfm_scoring", "setting.rfm_scoring", "setting.rfm_scoring.help", "quintiles",
            tuple(Choice(c, f"choice.rfm.{c}") for c in rfm.SCORING_CHOICES)),
) + tuple(Setting(f"rfm_thresholds.{c}", f"setting.rfm_thresholds.{c}",
                  f"setting.rfm_thresholds.{c}.help",
                  "; ".join(f"{v:g}" for v in rfm.DEFAULT_THRESHOLDS[c]), kind="text")
          for c in rfm.CRITERIA)

GLOSSARY = (
    GlossaryEntry("g.rfm", "g.rfm.def"), GlossaryEntry("g.analysis_date", "g.analysis_date.def"),
    GlossaryEntry("g.recency", "g.recency.def"), GlossaryEntry("g.frequency", "g.frequency.def"),
    GlossaryEntry("g.monetary", "g.monetary.def"), GlossaryEntry("g.quintiles", "g.quintiles.def"),
    GlossaryEntry("g.fm", "g.fm.def"), GlossaryEntry("g.segment", "g.segment.def"),
) + tuple(GlossaryEntry(f"rfm.segment.{k}", f"rfm.segment.{k}.description")
          for k in rfm.SEGMENT_KEYS)

TEMPLATE = Template(
    id="rfm",
    title="rfm.title",
    summary="rfm.summary_text",
    tabs=(common.readme_tab("rfm.title", "rfm.summary_text"), common.raw_tab(),
          common.settings_tab(), ANALYSIS, CUSTOMERS, common.quality_tab(),
          common.glossary_tab()),
    analyses=(rfm.ANALYSIS,),
    settings=with_settings(SETTINGS),
    glossary=GLOSSARY + common.COMMON_GLOSSARY,
    grids=(GRID_SETTING,),
)
