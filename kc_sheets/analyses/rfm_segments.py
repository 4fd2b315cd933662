"""The eleven RFM segments: their place in the default R x FM grid, names, descriptions and the
marketing action each calls for, in French and English (data, kept apart from the scoring)."""

from __future__ import annotations

# key, cells of the default grid (R then FM), French and English: label, description, action
SEGMENTS: tuple[tuple[str, tuple[str, ...], tuple[str, str], tuple[str, str], tuple[str, str]],
                ...] = (
    ("champions", ("55", "54", "45"), ("Champions", "Champions"),
     ("Ont acheté très récemment, achètent souvent et dépensent le plus.",
      "Bought very recently, buy often and spend the most."),
     ("Récompensez-les (avant-premières, programme VIP, cadeaux) et demandez avis et parrainages ;"
      " inutile de leur offrir des remises.",
      "Reward them (early access, VIP programme, gifts) and ask for reviews and referrals; no "
      "need for discounts.")),
    ("loyal", ("53", "44", "35", "34"), ("Fidèles", "Loyal"),
     ("Clients réguliers de bonne valeur, au dernier achat récent ou assez récent.",
      "Regular customers of good value whose last purchase is recent or fairly recent."),
     ("Montée en gamme et ventes croisées, programme de fidélité, contenus personnalisés.",
      "Upsell and cross-sell, a loyalty programme, personalised content.")),
    ("potential_loyalists", ("52", "42", "33", "43"), ("Fidèles potentiels", "Potential loyalists"),
     ("Achat récent, valeur encore moyenne : ils peuvent devenir fidèles.",
      "Recent buyers of average value so far, who could become loyal."),
     ("Recommandations personnalisées après l'achat, offre sur la commande suivante, invitation "
      "au programme de fidélité.",
      "Personalised recommendations after the purchase, an offer on the next order, an invitation "
      "to the loyalty programme.")),
    ("new_customers", ("51",), ("Récemment acquis", "Recently acquired"),
     ("Premier achat très récent, encore peu d'achats et un petit montant.",
      "Very recent first purchase, few purchases and a small amount so far."),
     ("Séquence de bienvenue (2 ou 3 e-mails : remerciement, découverte de la marque, conseils) "
      "qui mène au deuxième achat.",
      "A welcome sequence (2 or 3 emails: thanks, discovering the brand, tips) that leads to a "
      "second purchase.")),
    ("promising", ("41", "31"), ("Prometteurs", "Promising"),
     ("Achat assez récent, mais peu d'achats et un petit montant.",
      "Fairly recent purchase, but few purchases and a small amount."),
     ("Faites-les revenir : offre limitée dans le temps, meilleures ventes, notoriété de la "
      "marque.",
      "Bring them back: a time-limited offer, best sellers, brand awareness.")),
    ("need_attention", ("32", "23", "22"), ("À surveiller", "Need attention"),
     ("Valeur moyenne, dernier achat ni récent ni ancien : ils commencent à décrocher.",
      "Average value, last purchase neither recent nor old: they are starting to drift away."),
     ("Offres ciblées d'après leurs achats passés, rappel de la marque, enquête de satisfaction.",
      "Targeted offers based on their past purchases, brand reminders, a satisfaction survey.")),
    ("about_to_sleep", ("21",), ("En voie d'endormissement", "About to sleep"),
     ("Dernier achat assez ancien, peu d'achats et un petit montant.",
      "Last purchase some time ago, few purchases and a small amount."),
     ("Réactivation simple et peu coûteuse : séquence de 2 e-mails (rappel des produits achetés, "
      "puis une offre).",
      "Simple, low-cost reactivation: a 2-email sequence (a reminder of the products bought, then "
      "an offer).")),
    ("at_risk", ("25", "24", "13"), ("À risque", "At risk"),
     ("Clients de valeur moyenne à forte (note FM de 3 à 5) dont le dernier achat remonte à "
      "longtemps.",
      "Customers of average to high value (FM score 3 to 5) whose last purchase was long ago."),
     ("Séquence de réactivation multicanale personnalisée (e-mail, SMS, courrier, appel), offre "
      "forte, nouveautés.",
      "A personalised multichannel reactivation sequence (email, SMS, mail, phone call), a strong "
      "offer, what is new.")),
    ("cant_lose_them", ("15", "14"), ("À ne pas perdre", "Can't lose them"),
     ("Parmi les meilleurs clients en fréquence et en montant, mais sans achat depuis très "
      "longtemps.",
      "Among the best customers by frequency and amount, but no purchase for a very long time."),
     ("Reconquête prioritaire et multicanale : contact personnel, offre exclusive, demandez-leur "
      "pourquoi ils sont partis.",
      "Priority multichannel win-back: a personal contact, an exclusive offer, ask them why they "
      "left.")),
    ("hibernating", ("12",), ("En hibernation", "Hibernating"),
     ("Dernier achat ancien, peu d'achats et un petit montant.",
      "Old last purchase, few purchases and a small amount."),
     ("Séquence simple de 2 e-mails avec une offre ; sans réponse, réduisez la pression "
      "marketing.",
      "A simple 2-email sequence with an offer; without a response, reduce the marketing "
      "pressure.")),
    ("lost", ("11",), ("Perdus", "Lost"),
     ("Scores les plus bas : dernier achat le plus ancien, peu d'achats, petit montant.",
      "Lowest scores: oldest last purchase, few purchases, small amount."),
     ("Une dernière tentative peu coûteuse (un e-mail de reconquête), puis retirez-les des "
      "campagnes pour protéger la délivrabilité.",
      "One last low-cost attempt (a win-back email), then leave them out of campaigns to protect "
      "deliverability.")),
)
SEGMENT_KEYS: tuple[str, ...] = tuple(s[0] for s in SEGMENTS)          # the business order
# Labels of earlier versions, still read in a Settings grid typed or kept with them ("Nouveaux
# clients" was renamed: the KPI "Nouveaux clients" of the same workbook means something else).
FORMER_LABELS: dict[str, tuple[str, ...]] = {"new_customers": ("Nouveaux clients",
                                                               "New customers")}
DEFAULT_GRID: dict[tuple[int, int], str] = {
    (int(cell[0]), int(cell[1])): key for key, cells, *_ in SEGMENTS for cell in cells}

TEXTS = {f"rfm.segment.{key}{suffix}": pair for key, _, label, description, action in SEGMENTS
         for suffix, pair in (("", label), (".description", description), (".action", action))}
