"""Template ``all-in-one``: every transaction analysis in one workbook, one Raw Data, one
Calculate (first vs repeat, RFM, acquisition cohorts, churn by yearly cohort, retention)."""

from __future__ import annotations

from kc_sheets.i18n import register
from kc_sheets.settings import with_settings
from kc_sheets.templates import churn, cohorts, common, first_vs_repeat, rfm
from kc_sheets.templates.model import Template

register({
    "all.title": ("Connaissance client : toutes les analyses", "Customer knowledge: every "
                  "analysis"),
    "all.summary": (
        "Premiers achats vs achats répétés, segmentation RFM, cohortes d'acquisition, churn par "
        "cohorte annuelle et taux de rétention, calculés ensemble depuis le même onglet Raw Data.",
        "First vs repeat purchases, RFM segmentation, acquisition cohorts, churn by yearly cohort "
        "and retention rate, calculated together from the same Raw Data tab."),
})

PARTS = (first_vs_repeat.TEMPLATE, rfm.TEMPLATE, cohorts.TEMPLATE, churn.TEMPLATE)


def _unique(items, key):
    seen, out = set(), []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return tuple(out)


TEMPLATE = Template(
    id="all-in-one",
    title="all.title",
    summary="all.summary",
    tabs=(common.readme_tab("all.title", "all.summary"), common.raw_tab(),
          common.settings_tab())
    + _unique((tab for part in PARTS for tab in part.tabs_with_role("analysis")),
              lambda tab: tab.key)
    + (common.quality_tab(), common.glossary_tab()),
    analyses=_unique((a for part in PARTS for a in part.analyses), lambda a: a.name),
    settings=with_settings(rfm.SETTINGS, cohorts.SETTINGS),
    glossary=_unique((g for part in PARTS for g in part.glossary), lambda g: g.term),
    grids=rfm.TEMPLATE.grids,
)
