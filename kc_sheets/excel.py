"""Calculate from Excel, on the open workbook: the xlwings ribbon and the Calculer button.

The ribbon's **Run main** runs ``import <workbook file name>; <workbook file name>.main()``: the
companion module ``kc-sheets excel quickstart`` writes beside the workbook re-exports
:func:`main`. The **Calculer** button of the quickstart .xlsm runs the same line through the
VBA ``RunPython`` of the xlwings module it embeds. A button in a workbook of your own can call
:func:`calculate_caller` directly::

    RunPython "import kc_sheets.excel; kc_sheets.excel.calculate_caller()"

Whatever happens, the person who clicked gets a message box in the workbook's language: what
was done, or what is wrong and what to do. Never a Python traceback (an unexpected error is
written to a log file whose path the message gives).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import traceback
from pathlib import Path

from kc_sheets.calculate import RunResult, calculate_book, settings_tab_name
from kc_sheets.errors import KcError
from kc_sheets.i18n import Lang, number, register, t

register({
    "excel.title": ("kc_sheets · Connaissance client", "kc_sheets · Customer knowledge"),
    "excel.error_title": ("kc_sheets · Erreur", "kc_sheets · Error"),
    "excel.done": ("Calcul terminé en {seconds} s : {used} lignes de Raw Data utilisées sur "
                   "{read}.", "Calculation done in {seconds} s: {used} Raw Data rows used out "
                   "of {read}."),
    "excel.set_aside": ("{aside} lignes écartées : leur motif est dans l'onglet « {tab} ».",
                        "{aside} rows set aside: their reason is in the '{tab}' tab."),
    "excel.results": ("Résultats : onglet « {tab} ».", "Results: '{tab}' tab."),
    "excel.unexpected": (
        "erreur inattendue ({kind} : {detail}). Le classeur n'a pas été modifié si l'erreur "
        "est survenue avant l'écriture. Le détail technique est dans {log} : envoyez ce "
        "fichier à votre support avec le classeur si possible.",
        "unexpected error ({kind}: {detail}). The workbook was not changed if the error "
        "happened before writing. The technical detail is in {log}: send that file to your "
        "support, with the workbook if you can."),
    "excel.no_caller": (
        "kc_sheets n'a pas trouvé le classeur qui l'appelle ({detail}). Enregistrez le classeur, "
        "puis cliquez de nouveau sur Calculer.",
        "kc_sheets could not find the workbook that called it ({detail}). Save the workbook, "
        "then click Calculate again."),
})

LOG_NAME = "kc_sheets-excel.log"


def main() -> None:
    """The ribbon's *Run main* and the quickstart's Calculer button: calculate the caller."""
    calculate_caller()


def calculate_caller(book=None, *, template_id: str | None = None,
                     now: dt.datetime | None = None) -> RunResult | None:
    """Calculate the workbook that called Python (or ``book``) and tell the user how it went.

    Returns what was done, or None when the user was shown an error instead.
    """
    if book is None:
        book = _caller()
    lang = workbook_lang(book)
    try:
        from kc_sheets.backends.xlwings import XlwingsBook

        result = calculate_book(XlwingsBook(book, lang), template_id=template_id, lang=lang,
                                now=now)
    except KcError as exc:
        if exc.key == "calc.no_template":
            exc = KcError("xlw.no_template", lang=exc.lang)
        show(book, error_text(exc.message(), exc.lang), exc.lang, error=True)
        return None
    except Exception as exc:  # a bug: say so in Excel, keep the traceback in a log file
        log = write_log()
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "-"
        show(book, error_text(t("excel.unexpected", lang, kind=type(exc).__name__,
                                detail=detail, log=log), lang), lang, error=True)
        return None
    show(book, done_message(result, lang), result.lang)
    _activate_results(book, result, lang)
    return result


def done_message(result: RunResult, tab_lang: Lang) -> str:
    """What a successful Calculate tells the user: rows used, rows set aside, where to look.

    Texts are in the Settings language, tab names as the workbook spells them (``tab_lang``).
    """
    from kc_sheets.templates import get

    lang = result.lang
    lines = [t("excel.done", lang, seconds=number(result.seconds, lang, 1),
               used=number(result.rows_used, lang), read=number(result.rows_read, lang))]
    if result.rows_set_aside:
        lines.append(t("excel.set_aside", lang, aside=number(result.rows_set_aside, lang),
                       tab=t("tab.quality", tab_lang)))
    analysis = get(result.template).tabs_with_role("analysis")
    if analysis:
        lines.append(t("excel.results", lang, tab=t(analysis[0].title, tab_lang)))
    return "\n".join(lines)


def error_text(message: str, lang: Lang) -> str:
    """``Erreur : message`` / ``Error: message``."""
    return f"{t('error.prefix', lang)}{' :' if lang == 'fr' else ':'} {message}"


def workbook_lang(book) -> Lang:
    """The language of the workbook's tab names (its Settings tab), French by default."""
    try:
        found = settings_tab_name([sheet.name for sheet in book.sheets])
    except Exception:
        found = None
    return found[1] if found else "fr"


def show(book, message: str, lang: Lang, *, error: bool = False) -> None:
    """A message box in Excel; if Excel cannot show one, the message goes to stderr, which
    xlwings' RunPython shows in a message box when Python ends with an error."""
    title = t("excel.error_title" if error else "excel.title", lang)
    try:
        book.app.alert(message, title=title, mode="critical" if error else "info")
    except Exception:
        print(message, file=sys.stderr)
        if error:
            raise SystemExit(1) from None


def write_log() -> Path:
    """The current exception's traceback, in a log file of the temporary folder."""
    path = Path(tempfile.gettempdir()) / LOG_NAME
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n{traceback.format_exc()}\n")
    except OSError:
        pass
    return path


def _caller():
    import xlwings as xw

    try:
        return xw.Book.caller()
    except Exception as exc:
        print(t("excel.no_caller", "fr", detail=exc) + "\n" + t("excel.no_caller", "en",
                                                                  detail=exc), file=sys.stderr)
        raise SystemExit(1) from None


def _activate_results(book, result: RunResult, tab_lang: Lang) -> None:
    """Show the first analysis tab (the results) once the calculation is done."""
    from kc_sheets.templates import get

    analysis = get(result.template).tabs_with_role("analysis")
    if analysis:
        try:
            book.sheets[t(analysis[0].title, tab_lang)].activate()
        except Exception:   # renamed tab: nothing to show, nothing to fail
            pass
