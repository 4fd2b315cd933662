"""``kc-sheets``: the terminal entry point. It parses arguments and calls the engine, nothing more.

Every error meant for a user (:class:`KcError`) is printed as one readable message with a
non-zero exit code; an unexpected error prints a short report (``--debug`` shows the traceback).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from kc_sheets import __version__, progress
from kc_sheets.choices import lang_help, template_help
from kc_sheets.errors import KcError
from kc_sheets.i18n import LANGS, check_lang, number, register, t

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="kc_sheets: customer knowledge in the spreadsheets marketing teams use. "
                       "Connaissance client dans vos tableurs.")
templates_app = typer.Typer(no_args_is_help=True, help="List and build the template workbooks.")
app.add_typer(templates_app, name="templates")
gsheet_app = typer.Typer(no_args_is_help=True, help="Google Sheets: create a template, "
                         "calculate it, install its Calculer button.")
app.add_typer(gsheet_app, name="gsheet")


def _mount_excel() -> None:
    from kc_sheets.apps.excel_setup import excel_app

    app.add_typer(excel_app, name="excel", help="Excel: template, companion module and .xlsm "
                  "with a Calculer button (xlwings).")


_mount_excel()
out = Console()
err = Console(stderr=True)
DEBUG = {"on": False}

register({
    "cli.done": ("Calcul terminé", "Calculation done"),
    "cli.rows": ("{used} lignes utilisées sur {read} ({aside} écartées, voir l'onglet "
                 "« Qualité des données »)",
                 "{used} rows used out of {read} ({aside} set aside, see the 'Data quality' tab)"),
    "cli.unexpected": ("erreur inattendue ({kind}: {detail}). Relancez avec --debug et "
                       "signalez-la avec le fichier si possible.",
                       "unexpected error ({kind}: {detail}). Run again with --debug and report "
                       "it, with the file if you can."),
    "cli.bad_lang": ("langue « {value} » inconnue : fr ou en.",
                     "unknown language '{value}': fr or en."),
    "cli.bad_input": ("format d'entrée non pris en charge : {name} (.csv, .xlsx ou .parquet).",
                      "unsupported input format: {name} (.csv, .xlsx or .parquet)."),
    "cli.interrupted": ("interrompu", "interrupted"),
    "cli.sample": ("{rows} lignes · {orders} commandes · {customers} clients · CA {revenue} · "
                   "{refunds} remboursements · {guests} commandes sans client · du {first} au "
                   "{last}",
                   "{rows} rows · {orders} orders · {customers} customers · revenue {revenue} · "
                   "{refunds} refunds · {guests} guest orders · {first} to {last}"),
    "cli.no_service_key": (
        "KC_SHEETS_SERVICE_KEY n'est pas définie : le service refuserait tous les appels. "
        "Définissez une longue clé aléatoire (par ex. python -c \"import secrets; "
        "print(secrets.token_urlsafe(32))\").",
        "KC_SHEETS_SERVICE_KEY is not set: the service would refuse every call. Set a long "
        "random key (e.g. python -c \"import secrets; print(secrets.token_urlsafe(32))\")."),
    "cli.serving": ("Service kc_sheets sur http://{host}:{port} (Ctrl+C pour arrêter)",
                    "kc_sheets service on http://{host}:{port} (Ctrl+C to stop)"),
})

TEMPLATE_HELP = template_help("Template id")
LANG_HELP = lang_help("Language of messages and results")
QUIET = typer.Option(False, "--quiet", "-q", help="No progress display on stderr (it only "
                     "appears on a terminal, after a second or so).")


def _lang(value: str) -> str:
    try:
        return check_lang(value)
    except ValueError:
        raise KcError("cli.bad_lang", lang="en", value=value) from None


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a closed terminal, ``kill``, a stopped service) unwinds like Ctrl+C, so the
    crash-safe writers remove their temporary file and the workbook stays as it was."""
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_error(exc: KcError) -> None:
    prefix = t("error.prefix", exc.lang)
    err.print(f"[bold red]{prefix}[/] : {exc.message()}" if exc.lang == "fr"
              else f"[bold red]{prefix}[/]: {exc.message()}", highlight=False)


def _run(action, lang: str | None = "fr", target: Path | None = None):
    """Run an action; print KcError messages (and the operating system's refusals, in the same
    words) instead of tracebacks. ``target`` is the file the action writes, named when the
    system's error names none (a full disk)."""
    lang = lang if lang in LANGS else "fr"
    try:
        with _terminate_as_interrupt():
            return action()
    except KcError as exc:
        _print_error(exc)
        raise typer.Exit(2)
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print(t("cli.interrupted", lang))
        raise typer.Exit(130)
    except OSError as exc:      # disk full, read-only folder...: the user's to fix, in words
        if DEBUG["on"]:
            traceback.print_exc()
        _print_error(KcError.from_os_error(exc, lang, target))
        raise typer.Exit(2)
    except Exception as exc:  # a bug: say so briefly, never dump a traceback by default
        if DEBUG["on"]:
            traceback.print_exc()
        err.print(f"[bold red]{t('error.prefix', lang)}[/] : "
                  + t("cli.unexpected", lang, kind=type(exc).__name__, detail=str(exc)[:300]),
                  highlight=False)
        raise typer.Exit(70)


def _shown(lang: str | None, quiet: bool):
    """Progress of the block on stderr (see :mod:`kc_sheets.progress`)."""
    return progress.reporting(progress.for_terminal(err, lang if lang in LANGS else "fr",
                                                    quiet))


def _version(value: bool) -> None:
    if value:
        out.print(f"kc_sheets {__version__}", highlight=False)
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(ctx: typer.Context,
         debug: bool = typer.Option(False, "--debug", help="Show tracebacks of unexpected "
                                    "errors."),
         version: bool = typer.Option(False, "--version", help="Print the version and exit.",
                                      callback=_version, is_eager=True)):
    DEBUG["on"] = debug
    if ctx.invoked_subcommand is None:
        out.print(ctx.get_help(), highlight=False)
        raise typer.Exit()


def money(value: float, lang: str) -> str:
    """An amount as the workbook's money format shows it: ``1 234,56 €`` (fr), ``€1,234.56``
    (en), read from the templates' number formats so the terminal and the workbook agree.

    >>> money(-1234.5, "en"), money(1234.5, "fr")
    ('-€1,234.50', '1\u202f234,50 €')
    """
    from kc_sheets.templates.styles import NUMBER_FORMATS

    code = NUMBER_FORMATS[lang]["money"]
    symbol = re.search(r'"([^"]+)"', code).group(1)
    text = number(abs(value), lang, 2)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{text}" if code.startswith('"') else f"{sign}{text} {symbol}"


def percent(share: float, lang: str) -> str:
    """A share as the workbook shows it: ``67,0 %`` (fr), ``67.0%`` (en).

    >>> percent(0.67, "fr"), percent(0.67, "en")
    ('67,0 %', '67.0%')
    """
    return number(share * 100, lang, 1, " %" if lang == "fr" else "%")


def _print_run(result) -> None:
    lang = result.lang
    out.print(f"[bold green]{t('cli.done', lang)}[/] · {result.path} · {result.template} · "
              f"{result.seconds:.1f} s", highlight=False)
    out.print(t("cli.rows", lang, used=number(result.rows_used, lang),
                read=number(result.rows_read, lang), aside=number(result.rows_set_aside, lang)),
              highlight=False)
    table = result.blocks.get("first_vs_repeat.totals")
    if table is not None and len(table):
        row = table.iloc[0]
        grid = Table(show_header=False, box=None, padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column(justify="right")
        share = row["repeat_share"]
        for key, value in (
                ("orders", number(row["orders"], lang)),
                ("new_customers", number(row["new_customers"], lang)),
                ("first_purchase_revenue", money(row["first_purchase_revenue"], lang)),
                ("repeat_revenue", money(row["repeat_revenue"], lang)),
                ("repeat_share", "-" if share != share else percent(share, lang)),
                ("refunds", money(row["refunds"], lang)),
                ("net_revenue", money(row["net_revenue"], lang))):
            grid.add_row(t(f"col.{key}", lang), value)
        out.print(grid)
    segments = result.blocks.get("rfm.segments")
    if segments is not None and segments["customers"].sum():
        grid = Table(title=t("rfm.title", lang), show_header=True, box=None, padding=(0, 2),
                     title_justify="left")
        grid.add_column(t("col.segment", lang), style="bold")
        grid.add_column(t("col.customers", lang), justify="right")
        grid.add_column(t("col.share_of_revenue", lang), justify="right")
        for row in segments[segments["customers"] > 0].itertuples(index=False):
            grid.add_row(row.segment_label, number(row.customers, lang),
                         percent(row.share_of_revenue, lang))
        out.print(grid)
    cohorts = result.blocks.get("retention.summary")
    if cohorts is not None and len(cohorts):
        for row in cohorts.itertuples(index=False):
            rate = "-" if row.retention_rate != row.retention_rate else percent(
                row.retention_rate, lang)
            out.print(f"{t('col.retention_rate', lang)} · {row.label} : {rate}"
                      if lang == "fr" else
                      f"{t('col.retention_rate', lang)} · {row.label}: {rate}", highlight=False)


def _out_file(output: Path, lang: str | None) -> None:
    """Refuse an ``--out`` file whose folder is missing (or is a file) before any work."""
    parent = output.parent if str(output.parent) else Path(".")
    problem = errno.EISDIR if output.is_dir() else (
        None if parent.is_dir() else errno.ENOTDIR if parent.exists() else errno.ENOENT)
    if problem is not None:
        raise KcError.from_os_error(OSError(problem, os.strerror(problem), str(output)),
                                    lang if lang in LANGS else "fr")


@app.command()
def calculate(
    file: Path = typer.Argument(..., help="The .xlsx workbook (it is updated in place)."),
    template: Optional[str] = typer.Option(None, "--template", "-t", help="Add this "
                                           "template's tabs if the workbook lacks them. "
                                           + TEMPLATE_HELP),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of added tabs (default: "
                                       "the workbook's). " + lang_help("Languages")),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file "
                                          "instead of updating FILE (its folder must exist)."),
    quiet: bool = QUIET,
):
    """Calculate a workbook: read Raw Data and Settings, fill the result tabs."""
    from kc_sheets.calculate import calculate as run

    def action():
        language = _lang(lang) if lang else None
        if output is not None:
            _out_file(output, lang)
        with _shown(lang, quiet):
            result = run(file, template_id=template, lang=language, out=output)
        _print_run(result)

    _run(action, lang or "fr", output or file)


@app.command()
def demo(
    template: str = typer.Option("first-vs-repeat", "--template", "-t", help=TEMPLATE_HELP),
    lang: str = typer.Option("fr", "--lang", help=LANG_HELP),
    rows: int = typer.Option(5000, "--rows", help="Rows of sample data."),
    seed: int = typer.Option(42, "--seed"),
    output: Path = typer.Option(Path("kc_out"), "--out", "-o", help="Folder to write into "
                                "(created if needed)."),
    quiet: bool = QUIET,
):
    """Fill a template with built-in sample data and calculate it (no account needed)."""
    from kc_sheets.apps.demo import demo as run_demo

    def action():
        language = _lang(lang)
        with _shown(language, quiet):
            result = run_demo(template, language, rows, seed, output)
        _print_run(result)

    _run(action, lang, output)


def _sample_line(summary: dict, lang: str) -> str:
    def day(value) -> str:
        if value is None:
            return "-"
        return value.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")

    return t("cli.sample", lang, rows=number(summary["rows"], lang),
             orders=number(summary["orders"], lang),
             customers=number(summary["customers"], lang),
             revenue=money(summary["revenue"], lang), refunds=number(summary["refunds"], lang),
             guests=number(summary["guest_orders"], lang), first=day(summary["first_date"]),
             last=day(summary["last_date"]))


@app.command("sample-data")
def sample_data_command(
    output: Path = typer.Argument(..., help="File to write: .csv, .xlsx or .parquet."),
    rows: int = typer.Option(5000, "--rows"),
    seed: int = typer.Option(42, "--seed"),
    lang: str = typer.Option("fr", "--lang", help="Headers, CSV style and messages. "
                             + lang_help("Languages")),
    template: str = typer.Option("first-vs-repeat", "--template", "-t",
                                 help="For .xlsx: the template whose Raw Data is filled. "
                                 + TEMPLATE_HELP),
    quiet: bool = QUIET,
):
    """Write realistic synthetic transactions (seeded) for trying and testing."""
    from kc_sheets.apps.demo import write_sample

    def action():
        language = _lang(lang)
        with _shown(language, quiet):
            summary = write_sample(output, rows, seed, language, template)
        out.print(f"{output} · {_sample_line(summary, language)}", highlight=False)

    _run(action, lang, output)


@app.command()
def analyze(
    input: Path = typer.Argument(..., help="Transactions: .csv (or .tsv, .txt: any separator "
                                 "and encoding Excel writes), .xlsx (its Raw Data tab, or first "
                                 "tab) or .parquet."),
    template: str = typer.Option("first-vs-repeat", "--template", "-t", help=TEMPLATE_HELP),
    output: Path = typer.Option(Path("kc_out/blocks"), "--out", "-o", help="Folder for the "
                                "CSVs (created if needed)."),
    period: str = typer.Option("month", "--period", help="month, quarter or year."),
    lang: str = typer.Option("fr", "--lang", help=LANG_HELP),
    date_order: str = typer.Option("auto", "--date-order", help="auto, day_first or "
                                   "month_first (dates written as text)."),
    decimal: str = typer.Option("auto", "--decimal", help="auto, comma or point (amounts "
                                "written as text; auto: point in a comma-separated file, "
                                "else comma)."),
    set_: list[str] = typer.Option([], "--set", help="Another setting of the template, "
                                   "KEY=VALUE as in its Settings tab, e.g. rfm_scoring=thresholds, "
                                   "retention_window_months=6, or a column: map.amount=Prix "
                                   "(a header or a letter; fields: map.order_id, "
                                   "map.order_date, map.amount, map.customer_id...). "
                                   "Repeatable."),
    quiet: bool = QUIET,
):
    """Compute a template's blocks from a file and write each block as a CSV (for pipelines)."""
    from kc_sheets.apps.analyze import analyze_file

    def action():
        language = _lang(lang)
        options = dict(item.split("=", 1) if "=" in item else (item, "") for item in set_)
        with _shown(language, quiet):
            written = analyze_file(input, template, output, lang=language, period=period,
                                   date_order=date_order, decimal=decimal, options=options)
        for path in written:
            out.print(str(path), highlight=False)

    _run(action, lang, output)


@templates_app.command("list")
def templates_list(lang: str = typer.Option("fr", "--lang", help=LANG_HELP)):
    """List the templates, with their id and title."""
    from kc_sheets.templates import all_templates

    def action():
        language = _lang(lang)
        table = Table("id", "titre" if language == "fr" else "title", show_header=True)
        for spec in all_templates():
            table.add_row(spec.id, t(spec.title, language))
        out.print(table)

    _run(action, lang)


@templates_app.command("build")
def templates_build(
    lang: Optional[str] = typer.Option(None, "--lang", help=lang_help("Language (default: "
                                                                      "every one)")),
    output: Path = typer.Option(Path("sheet_templates"), "--out", "-o"),
    brand: Optional[Path] = typer.Option(None, "--brand", help="TOML file with your name, "
                                         "colours, logo and contact line."),
    template: Optional[str] = typer.Option(None, "--template", "-t",
                                           help="Only this one. " + TEMPLATE_HELP),
):
    """Build the template workbooks into OUT/<lang>/<id>.xlsx."""
    from kc_sheets.calculate import known_template
    from kc_sheets.templates import all_templates
    from kc_sheets.templates.brand import load_brand
    from kc_sheets.xlsx.render import build

    def action():
        langs = [_lang(lang)] if lang else list(LANGS)
        specs = [known_template(template)] if template else all_templates()
        look = load_brand(brand)
        for language in langs:
            for spec in specs:
                path = build(spec, output / language / f"{spec.id}.xlsx", language, look)
                out.print(str(path), highlight=False)

    _run(action, lang or "fr", output)


CREDENTIALS = typer.Option(None, "--credentials", "-c", help="Service-account key or OAuth "
                           "client JSON (default: GOOGLE_APPLICATION_CREDENTIALS).")


def _google(credentials: Optional[Path], lang: str, user: bool = False):
    from kc_sheets.backends.google import credentials as creds
    from kc_sheets.backends.google.http import client

    found, account = creds.load(credentials, lang=lang, user=user)
    return client(found, lang, account=account)


@gsheet_app.command("create")
def gsheet_create(
    template: str = typer.Option("first-vs-repeat", "--template", "-t", help=TEMPLATE_HELP),
    lang: str = typer.Option("fr", "--lang", help=LANG_HELP),
    title: Optional[str] = typer.Option(None, "--title"),
    share: list[str] = typer.Option([], "--share", help="E-mail to share with (as editor); "
                                    "repeat for several."),
    brand: Optional[Path] = typer.Option(None, "--brand"),
    credentials: Optional[Path] = CREDENTIALS,
    service_url: Optional[str] = typer.Option(None, "--service-url", help="Also install the "
                                              "Calculer button calling this service."),
    service_key: str = typer.Option("", "--service-key", envvar="KC_SHEETS_SERVICE_KEY"),
):
    """Create a spreadsheet laid out as a template (French locale and time zone by default)."""
    from kc_sheets.apps import gsheet
    from kc_sheets.templates.brand import load_brand

    def action():
        language = _lang(lang)
        http = _google(credentials, language, user=bool(service_url))
        created = gsheet.create(http, template, language, title=title, share=share,
                                brand=load_brand(brand))
        out.print(created.url, highlight=False, soft_wrap=True)
        if service_url:
            gsheet.install_script(http, created.spreadsheet_id, service_url=service_url,
                                  service_key=service_key, template_id=template, lang=language)
            out.print("Apps Script: ok", highlight=False)
        for failure in created.share_failed:
            _print_error(failure)
        if created.share_failed:
            raise typer.Exit(2)

    _run(action, lang)


@gsheet_app.command("calculate")
def gsheet_calculate(
    spreadsheet: str = typer.Argument(..., help="Spreadsheet id or URL."),
    template: Optional[str] = typer.Option(None, "--template", "-t", help="Add this "
                                           "template's tabs if the spreadsheet lacks them. "
                                           + TEMPLATE_HELP),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of added tabs (default: "
                                       "the spreadsheet's). " + lang_help("Languages")),
    credentials: Optional[Path] = CREDENTIALS,
    quiet: bool = QUIET,
):
    """Calculate a Google spreadsheet (read Raw Data and Settings, fill the result tabs)."""
    from kc_sheets.apps import gsheet

    def action():
        language = _lang(lang) if lang else None
        http = _google(credentials, language or "fr")
        with _shown(lang, quiet):
            result = gsheet.calculate(http, spreadsheet, template_id=template, lang=language)
        _print_run(result)
        out.print(f"Google: {http.log.reads} lecture(s)/read(s), {http.log.writes} "
                  f"écriture(s)/write(s)", highlight=False)

    _run(action, lang or "fr")


@gsheet_app.command("install-script")
def gsheet_install_script(
    spreadsheet: str = typer.Argument(..., help="Spreadsheet id or URL."),
    service_url: str = typer.Option(..., "--service-url", help="URL of your kc_sheets service."),
    service_key: str = typer.Option(..., "--service-key", envvar="KC_SHEETS_SERVICE_KEY"),
    template: str = typer.Option("", "--template", "-t", help=TEMPLATE_HELP),
    lang: str = typer.Option("fr", "--lang", help=LANG_HELP),
    credentials: Optional[Path] = CREDENTIALS,
):
    """Bind the Calculer button's Apps Script to a spreadsheet (needs your own Google sign-in)."""
    from kc_sheets.apps import gsheet

    def action():
        language = _lang(lang)
        http = _google(credentials, language, user=True)
        script = gsheet.install_script(http, spreadsheet, service_url=service_url,
                                       service_key=service_key, template_id=template,
                                       lang=language)
        out.print(f"Apps Script {script}: ok", highlight=False)

    _run(action, lang)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host"),
          port: int = typer.Option(8080, "--port", envvar="PORT"),
          lang: str = typer.Option("fr", "--lang", help="Language of these messages. "
                                   + lang_help("Languages"))):
    """Run the HTTP service the Google Sheets button calls (KC_SHEETS_SERVICE_KEY required)."""
    from kc_sheets.apps.server import serve as run_server

    def action():
        language = _lang(lang)
        if not os.environ.get("KC_SHEETS_SERVICE_KEY"):
            err.print(f"[bold red]{t('error.prefix', language)}[/]"
                      f"{' :' if language == 'fr' else ':'} {t('cli.no_service_key', language)}",
                      highlight=False)
            raise typer.Exit(2)
        err.print(t("cli.serving", language, host=host, port=port), highlight=False)
        run_server(host, port)

    _run(action, lang)


def run() -> None:  # pragma: no cover - console script shim
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
