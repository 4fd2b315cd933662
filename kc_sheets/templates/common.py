"""Tabs every transaction template shares: Read me, Raw Data, Settings, Data quality, Glossary."""

from __future__ import annotations

from kc_sheets.cells import col_letter
from kc_sheets.ingest.fields import FIELDS
from kc_sheets.ingest.quality import REASONS

NOTE_ROWS = 8          # data quality notes: one per row, F23:F30
from kc_sheets.i18n import register
from kc_sheets.templates.model import Block, Column, GlossaryEntry, Tab, Text

register({
    "tab.readme": ("Lisez-moi", "Read me"),
    "tab.raw": ("Raw Data", "Raw Data"),
    "tab.settings": ("Paramètres", "Settings"),
    "tab.quality": ("Qualité des données", "Data quality"),
    "tab.glossary": ("Glossaire", "Glossary"),
    "readme.how": ("Mode d'emploi", "How to use it"),
    "readme.step1": (
        "1. Exportez vos commandes (Shopify, WooCommerce, PrestaShop, CRM, caisse…) et collez-les "
        "avec leur ligne d'en-têtes en cellule A1 de l'onglet « Raw Data ».",
        "1. Export your orders (Shopify, WooCommerce, PrestaShop, CRM, till…) and paste them, "
        "header row included, in cell A1 of the 'Raw Data' tab."),
    "readme.step2": (
        "2. Vérifiez l'onglet « Paramètres » (période d'analyse ; colonnes si leurs en-têtes ne "
        "sont pas reconnus).",
        "2. Check the 'Settings' tab (analysis period; columns whose headers are not "
        "recognised)."),
    "readme.step3": (
        "3. Cliquez sur Calculer : menu « Connaissance client » dans Google Sheets, bouton ou "
        "ruban xlwings dans Excel, ou « kc-sheets calculate fichier.xlsx » dans un terminal.",
        "3. Click Calculate: 'Customer knowledge' menu in Google Sheets, button or xlwings "
        "ribbon in Excel, or 'kc-sheets calculate file.xlsx' in a terminal."),
    "readme.step4": (
        "4. Lisez les résultats, puis l'onglet « Qualité des données » : chaque ligne de Raw Data "
        "y est comptée, utilisée ou écartée avec son motif.",
        "4. Read the results, then the 'Data quality' tab: every Raw Data row is counted there, "
        "used or set aside with its reason."),
    "readme.columns": ("Colonnes attendues dans Raw Data", "Columns expected in Raw Data"),
    "readme.required": ("obligatoire", "required"),
    "readme.optional": ("facultatif", "optional"),
    "readme.columns.intro": (
        "Les en-têtes usuels sont reconnus en français et en anglais (par ex. « ID achat », "
        "« Date d'achat », « Montant », « ID client », ou ceux des exports Shopify, WooCommerce, "
        "PrestaShop).",
        "Usual headers are recognised in French and English (e.g. 'Order ID', 'Order date', "
        "'Amount', 'Customer ID', or those of Shopify, WooCommerce and PrestaShop exports)."),
    "readme.col.order_id": ("une ligne par commande, ou plusieurs lignes (articles) par commande",
                            "one row per order, or several rows (items) per order"),
    "readme.col.order_date": ("date ou date et heure ; 31/12/2024, 2024-12-31, date Excel…",
                              "date or date and time; 31/12/2024, 2024-12-31, Excel date…"),
    "readme.col.amount": ("montant de la commande ; négatif = remboursement ou avoir",
                          "order amount; negative = refund or credit note"),
    "readme.col.customer_id": ("identifiant client (à défaut, l'e-mail)",
                               "customer identifier (or else the email)"),
    "readme.privacy": (
        "Vos données restent dans ce classeur : le calcul lit Raw Data sans jamais la modifier et "
        "n'écrit que dans les onglets de résultats.",
        "Your data stays in this workbook: the calculation reads Raw Data without ever changing "
        "it and only writes to the result tabs."),
    "readme.made_with": ("Modèle {template} · kc_sheets {version}",
                         "Template {template} · kc_sheets {version}"),
    "settings.title": ("Paramètres", "Settings"),
    "settings.intro": (
        "Modifiez les valeurs de la colonne C, puis relancez le calcul. Les listes déroulantes "
        "indiquent les choix possibles.",
        "Change the values in column C, then calculate again. Drop-down lists show the possible "
        "choices."),
    "settings.col.setting": ("Paramètre", "Setting"),
    "settings.col.value": ("Valeur", "Value"),
    "settings.col.help": ("Aide", "Help"),
    "quality.title": ("Qualité des données", "Data quality"),
    "quality.subtitle": (
        "Chaque ligne de Raw Data est utilisée ou écartée avec son motif : lignes lues = lignes "
        "utilisées + lignes écartées, et de même pour le chiffre d'affaires.",
        "Every Raw Data row is either used or set aside with its reason: rows read = rows used + "
        "rows set aside, and the same for revenue."),
    "quality.h.summary": ("Bilan", "Summary"),
    "quality.h.mapping": ("Colonnes reconnues", "Columns recognised"),
    "quality.h.reasons": ("Lignes écartées par motif", "Rows set aside by reason"),
    "quality.h.run": ("Dernier calcul", "Last calculation"),
    "quality.h.set_aside": ("Premières lignes écartées (1 000 au plus)",
                            "First rows set aside (1,000 at most)"),
    "col.rows_read": ("Lignes lues", "Rows read"),
    "col.rows_used": ("Lignes utilisées", "Rows used"),
    "col.rows_set_aside": ("Lignes écartées", "Rows set aside"),
    "col.revenue_read": ("CA lu", "Revenue read"),
    "col.revenue_used": ("CA utilisé", "Revenue used"),
    "col.revenue_set_aside": ("CA écarté", "Revenue set aside"),
    "col.customers": ("Clients", "Customers"),
    "col.orders": ("Commandes", "Orders"),
    "col.refunds_count": ("Remboursements / avoirs", "Refunds / credit notes"),
    "col.field": ("Donnée", "Field"),
    "col.column": ("Colonne", "Column"),
    "col.header": ("En-tête dans Raw Data", "Header in Raw Data"),
    "col.reason": ("Motif", "Reason"),
    "col.rows": ("Lignes", "Rows"),
    "col.revenue_amount": ("CA", "Revenue"),
    "col.row": ("Ligne", "Row"),
    "col.notes": ("Remarques", "Notes"),
    "col.calculated_at": ("Date du calcul", "Calculated at"),
    "col.template": ("Modèle", "Template"),
    "col.version": ("Version de kc_sheets", "kc_sheets version"),
    "col.duration": ("Durée (secondes)", "Duration (seconds)"),
    "col.stamp": ("Dernier calcul", "Last calculation"),
    "stamp.never": (
        "Pas encore calculé : collez vos commandes dans Raw Data puis cliquez sur Calculer.",
        "Not calculated yet: paste your orders in Raw Data, then click Calculate."),
    "stamp.text": ("Dernier calcul : {date} · {rows} lignes lues, {used} utilisées · {seconds} s · "
                   "kc_sheets {version}",
                   "Last calculation: {date} · {rows} rows read, {used} used · {seconds} s · "
                   "kc_sheets {version}"),
    "glossary.title": ("Glossaire", "Glossary"),
    "glossary.subtitle": ("Chaque indicateur, et la façon dont il est calculé.",
                          "Every indicator, and how it is calculated."),
    "glossary.col.term": ("Terme", "Term"),
    "glossary.col.definition": ("Définition et calcul", "Definition and calculation"),
    "g.order": ("Commande", "Order"),
    "g.order.def": (
        "Les lignes de Raw Data qui partagent un ID commande forment une commande (un export ligne "
        "par article devient une commande) ; sa date et son client sont ceux de sa première ligne "
        "renseignée, son montant la somme des lignes. Sans colonne ID commande, chaque ligne est "
        "une commande.",
        "Raw Data rows sharing an order ID form one order (an export with one row per item "
        "becomes one order); its date and customer are those of its first filled row, its amount "
        "the sum of its rows. Without an order ID column, each row is an order."),
    "g.refund": ("Remboursement / avoir", "Refund / credit note"),
    "g.refund.def": (
        "Commande de montant négatif. Compte dans le CA net de sa période mais n'est pas un achat "
        "(ni premier achat, ni achat répété).",
        "Order with a negative amount. Counts in the net revenue of its period but is not a "
        "purchase (neither first nor repeat)."),
    "g.set_aside": ("Ligne écartée", "Row set aside"),
    "g.set_aside.def": (
        "Ligne de Raw Data non utilisée (vide, total, doublon, date ou montant illisible, client "
        "manquant…). Le motif et la ligne sont listés dans « Qualité des données ».",
        "Raw Data row not used (blank, total, duplicate, unreadable date or amount, missing "
        "customer…). The reason and the row are listed in 'Data quality'."),
})


def raw_tab() -> Tab:
    headers = ("ID achat", "Date d'achat", "Montant", "ID client", "Produit", "Catégorie",
               "Quantité", "Pays", "Canal")
    texts = tuple(Text(f"{chr(65 + i)}1", f"raw.h{i}", "raw_header") for i in range(len(headers)))
    register({f"raw.h{i}": (h, en) for i, (h, en) in enumerate(zip(headers, (
        "Order ID", "Order date", "Amount", "Customer ID", "Product", "Category", "Quantity",
        "Country", "Channel")))})
    return Tab("raw", "tab.raw", "raw", texts=texts, freeze="A2", gridlines=True,
               repeat_rows=(1, 1), landscape=False,
               widths=tuple((chr(65 + i), 16.0) for i in range(len(headers))))


def readme_tab(title: str, summary: str) -> Tab:
    texts = [Text("B2", title, "title"), Text("B3", summary, "subtitle"),
             Text("B5", "readme.how", "h2", span=3)]
    texts += [Text(f"B{6 + i}", f"readme.step{i + 1}", "body", span=3) for i in range(4)]
    texts += [Text("B11", "readme.columns", "h2", span=3),
              Text("B12", "readme.columns.intro", "body", span=3)]
    for i, f in enumerate(FIELDS[:4]):
        texts += [Text(f"B{13 + i}", f"field.{f.key}", "field_name"),
                  Text(f"C{13 + i}", "readme.required" if f.required else "readme.optional",
                       "field_flag"),
                  Text(f"D{13 + i}", f"readme.col.{f.key}", "body")]
    texts += [Text("B18", "readme.optional_fields", "body", span=3),
              Text("B20", "readme.privacy", "note", span=3),
              Text("B21", "readme.made_with", "note", span=3)]
    return Tab("readme", "tab.readme", "readme", texts=tuple(texts),
               widths=(("A", 3.0), ("B", 26.0), ("C", 14.0), ("D", 80.0)), tab_color="accent")


register({"readme.optional_fields": (
    "Facultatives : produit, catégorie, quantité, prix unitaire, pays, ville, canal, magasin, "
    "remise, e-mail (utilisées par les autres modèles).",
    "Optional: product, category, quantity, unit price, country, city, channel, store, "
    "discount, email (used by the other templates).")})


def settings_tab() -> Tab:
    texts = (Text("B2", "settings.title", "title"), Text("B3", "settings.intro", "subtitle"),
             Text("B5", "settings.col.setting", "table_header"),
             Text("C5", "settings.col.value", "table_header"),
             Text("D5", "settings.col.help", "table_header"))
    return Tab("settings", "tab.settings", "settings", texts=texts, repeat_rows=(5, 5),
               widths=(("A", 2.0), ("B", 36.0), ("C", 26.0), ("D", 72.0), ("E", 3.0),
                       ("F", 14.0), ("G", 17.0), ("H", 17.0), ("I", 17.0), ("J", 17.0),
                       ("K", 17.0)))


SUMMARY_COLUMNS = (
    Column("rows_read", "col.rows_read", "int"), Column("rows_used", "col.rows_used", "int"),
    Column("rows_set_aside", "col.rows_set_aside", "int"),
    Column("revenue_read", "col.revenue_read", "money"),
    Column("revenue_used", "col.revenue_used", "money"),
    Column("revenue_set_aside", "col.revenue_set_aside", "money"),
    Column("customers", "col.customers", "int"), Column("orders", "col.orders", "int"),
    Column("refunds", "col.refunds_count", "int"),
)
RUN_COLUMNS = (
    Column("calculated_at", "col.calculated_at", "datetime"),
    Column("template", "col.template", "text"), Column("version", "col.version", "text"),
    Column("duration_s", "col.duration", "seconds"), Column("rows_read", "col.rows_read", "int"),
)
SET_ASIDE_SHOWN = 1000
SET_ASIDE_RAW_COLUMNS = 30


def stamp_block(anchor: str) -> Block:
    return Block("run.stamp", anchor, (Column("text", "col.stamp", "text", 60),), header=False,
                 style="stamp", fixed_rows=1)


def quality_tab() -> Tab:
    blocks = (
        stamp_block("B4"),
        Block("quality.summary", "B7", SUMMARY_COLUMNS, layout="fields"),
        Block("run.details", "J7", RUN_COLUMNS, layout="fields"),
        Block("quality.mapping", "F7", (Column("label", "col.field"),
                                        Column("column", "col.column", width=9),
                                        Column("header", "col.header", width=24)),
              fixed_rows=len(FIELDS)),
        Block("quality.notes", "F23", (Column("text", "col.notes"),), header=False,
              fixed_rows=NOTE_ROWS, style="note"),
        Block("quality.by_reason", "B18", (Column("label", "col.reason", width=44),
                                           Column("rows", "col.rows", "int"),
                                           Column("revenue", "col.revenue_amount", "money")),
              fixed_rows=len(REASONS)),
        Block("quality.set_aside", "B34", (Column("reason_label", "col.reason", width=44),
                                           Column("row", "col.row", "int", 8)),
              max_rows=SET_ASIDE_SHOWN, extra_width=SET_ASIDE_RAW_COLUMNS, dynamic_header=True,
              extra_limit=SET_ASIDE_RAW_COLUMNS, omit=("reason",)),  # the label is shown
    )
    texts = (Text("B2", "quality.title", "title"), Text("B3", "quality.subtitle", "subtitle"),
             Text("B6", "quality.h.summary", "h2"), Text("F6", "quality.h.mapping", "h2"),
             Text("J6", "quality.h.run", "h2"), Text("B17", "quality.h.reasons", "h2"),
             Text("B33", "quality.h.set_aside", "h2"))
    return Tab("quality", "tab.quality", "quality", blocks=blocks, texts=texts,
               widths=(("A", 3.0), ("B", 44.0), ("C", 14.0), ("D", 14.0), ("E", 14.0),
                       ("F", 20.0), ("G", 9.0), ("H", 20.0), ("I", 14.0), ("J", 18.0),
                       ("K", 16.0)) + tuple((col_letter(12 + i), 14.0)
                                            for i in range(SET_ASIDE_RAW_COLUMNS - 8)),
               fit_width=False)   # natural size: the raw columns run onto the pages across


def glossary_tab() -> Tab:
    texts = (Text("B2", "glossary.title", "title"), Text("B3", "glossary.subtitle", "subtitle"),
             Text("B5", "glossary.col.term", "table_header"),
             Text("C5", "glossary.col.definition", "table_header"))
    return Tab("glossary", "tab.glossary", "glossary", texts=texts, repeat_rows=(5, 5),
               widths=(("A", 3.0), ("B", 30.0), ("C", 110.0)))


COMMON_GLOSSARY = (GlossaryEntry("g.order", "g.order.def"),
                   GlossaryEntry("g.refund", "g.refund.def"),
                   GlossaryEntry("g.set_aside", "g.set_aside.def"))
