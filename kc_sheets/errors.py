"""The one error type a user sees: where (tab, row, column), what was found, what to do."""

from __future__ import annotations

from kc_sheets.i18n import Lang, register, t

register({
    "error.prefix": ("Erreur", "Error"),
    "error.where.tab": ("onglet « {tab} »", "tab '{tab}'"),
    "error.where.row": ("ligne {row}", "row {row}"),
    "error.where.col": ("colonne {col}", "column {col}"),
})


class KcError(Exception):
    """An error meant for the person at the keyboard, in the workbook's language.

    ``key`` names a label whose French and English texts explain what was found and what to do;
    ``params`` fill its placeholders. ``tab``, ``row`` and ``column`` say where.
    """

    def __init__(self, key: str, *, tab: str | None = None, row: int | None = None,
                 column: str | None = None, lang: Lang = "fr", **params: object) -> None:
        self.key = key
        self.tab = tab
        self.row = row
        self.column = column
        self.lang = lang
        self.params = params
        super().__init__(self.message())

    def where(self, lang: Lang | None = None) -> str:
        lang = lang or self.lang
        parts = []
        if self.tab:
            parts.append(t("error.where.tab", lang, tab=self.tab))
        if self.row:
            parts.append(t("error.where.row", lang, row=self.row))
        if self.column:
            parts.append(t("error.where.col", lang, col=self.column))
        return ", ".join(parts)

    def message(self, lang: Lang | None = None) -> str:
        lang = lang or self.lang
        text = t(self.key, lang, **self.params)
        where = self.where(lang)
        return f"{where[:1].upper()}{where[1:]} : {text}" if where and lang == "fr" else (
            f"{where[:1].upper()}{where[1:]}: {text}" if where else text)
