"""The canonical transaction fields and the header names that mean them.

Header matching compares normalised texts (lower case, no accents, punctuation as spaces), so
"Date d'achat", "DATE D ACHAT" and "date_d_achat" are one name. Synonyms are listed by priority:
when several columns could be the amount (Shopify has "Total", "Subtotal", "Lineitem price"), the
column matching the earliest synonym wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from kc_sheets.i18n import register
from kc_sheets.ingest.parsing import normalize_header


@dataclass(frozen=True)
class Field:
    """A canonical field; ``synonyms`` are stored normalised ("date_add" -> "date add")."""

    key: str
    required: bool
    synonyms: tuple[str, ...]
    kind: str = "text"   # text | id | date | amount | number

    def __post_init__(self) -> None:
        normalized = tuple(dict.fromkeys(normalize_header(s) for s in self.synonyms))
        object.__setattr__(self, "synonyms", normalized)


FIELDS: tuple[Field, ...] = (
    Field("order_id", False, (
        "id achat", "id commande", "numero de commande", "n commande", "no commande",
        "num commande", "reference commande", "commande", "order id", "order number", "order no",
        "order", "order name", "id order", "id_order", "order_id", "numero facture", "n facture",
        "facture", "invoice", "invoice number", "invoice id", "transaction id", "id transaction",
        "reference", "ref", "receipt", "ticket", "numero de ticket",
    ), "id"),
    Field("order_date", True, (
        "date d achat", "date achat", "date de commande", "date commande", "date de la commande",
        "date", "order date", "purchase date", "date created", "created at", "date_add",
        "transaction date", "date de transaction", "date de facture", "invoice date", "paid at",
        "date de paiement", "payment date", "jour",
    ), "date"),
    Field("amount", True, (
        "montant", "montant ttc", "montant total", "montant de la commande", "ca", "ca ttc",
        "chiffre d affaires", "total ttc", "total", "amount", "order amount", "order total",
        "order total amount", "total paid", "total_paid", "total paid tax incl",
        "total paid real", "total paye", "revenue", "sales",
        "net sales", "prix total", "montant ht", "total ht", "valeur", "value", "dollar value",
    ), "amount"),
    Field("customer_id", True, (
        "id client", "client", "code client", "numero client", "n client", "reference client",
        "customer id", "customer", "customer_id", "id customer", "id_customer", "customer number",
        "customer user", "customer user id", "user id", "contact id", "id contact",
    ), "id"),
    Field("product", False, (
        "produit", "nom du produit", "libelle produit", "article", "libelle", "designation",
        "product", "product name", "lineitem name", "item name", "item", "nom article", "sku",
        "lineitem sku", "reference produit",
    )),
    Field("category", False, (
        "categorie", "categorie produit", "famille", "famille produit", "rayon", "univers",
        "category", "product category", "product type", "type de produit",
    )),
    Field("quantity", False, (
        "quantite", "qte", "qty", "quantity", "lineitem quantity", "nombre d articles",
        "number of items", "nb articles", "items", "number of cds", "product quantity",
    ), "number"),
    Field("unit_price", False, (
        "prix unitaire", "pu", "prix", "unit price", "lineitem price", "item price", "price",
        "product price", "prix unitaire ttc",
    ), "amount"),
    Field("country", False, (
        "pays", "pays de livraison", "pays de facturation", "code pays", "country",
        "billing country", "shipping country", "country code", "billing country code",
    )),
    Field("city", False, (
        "ville", "ville de livraison", "ville de facturation", "city", "billing city",
        "shipping city",
    )),
    Field("channel", False, (
        "canal", "canal de vente", "canal d acquisition", "channel", "sales channel", "source",
        "source name", "origine",
    )),
    Field("store", False, (
        "magasin", "boutique", "point de vente", "store", "shop", "location", "store name",
    )),
    Field("discount", False, (
        "remise", "montant remise", "reduction", "montant reduction", "discount",
        "discount amount", "total discount", "total discounts", "cart discount",
    ), "amount"),
    Field("email", False, (
        "email", "e mail", "adresse email", "adresse e mail", "courriel", "mail",
        "customer email", "billing email", "billing email address", "email address",
    )),
)

FIELDS_BY_KEY = {f.key: f for f in FIELDS}

register({
    "field.order_id": ("ID commande", "Order ID"),
    "field.order_date": ("Date de commande", "Order date"),
    "field.amount": ("Montant", "Amount"),
    "field.customer_id": ("ID client", "Customer ID"),
    "field.product": ("Produit", "Product"),
    "field.category": ("Catégorie", "Category"),
    "field.quantity": ("Quantité", "Quantity"),
    "field.unit_price": ("Prix unitaire", "Unit price"),
    "field.country": ("Pays", "Country"),
    "field.city": ("Ville", "City"),
    "field.channel": ("Canal", "Channel"),
    "field.store": ("Magasin", "Store"),
    "field.discount": ("Remise", "Discount"),
    "field.email": ("E-mail", "Email"),
})

# Headers that reveal a Shopify orders export, where "Name" (#1001) is the order number.
SHOPIFY_SIGNATURE = {"financial status", "lineitem name"}
