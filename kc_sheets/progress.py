"""Progress of a long run, told by the engine and shown (or not) by whoever called it.

The engine only calls :func:`report` with the phase it starts (``read``, ``check``,
``analyses``, ``write``...). Nothing is shown unless a caller has installed a reporter with
:func:`reporting`: the terminal does (a spinner on stderr, see :class:`TerminalProgress`), the
HTTP service and the Excel button do not, so the engine stays free of display code.

>>> seen = []
>>> class Collect:
...     def phase(self, key, done=None, total=None): seen.append(key)
...     def close(self, failed=False): pass
>>> with reporting(Collect()):
...     report("read"); report("write")
>>> report("ignored"), seen
(None, ['read', 'write'])
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import time
from typing import Iterator, Protocol

from kc_sheets.i18n import Lang, register, t

register({
    "progress.read": ("Lecture du fichier", "Reading the file"),
    "progress.check": ("Vérification des données", "Checking the data"),
    "progress.analyses": ("Analyses", "Analyses"),
    "progress.write": ("Écriture des résultats", "Writing the results"),
    "progress.generate": ("Création des données d'exemple", "Generating the sample data"),
    "progress.build": ("Construction du modèle", "Building the template"),
})

DELAY_ENV = "KC_SHEETS_PROGRESS_DELAY"   # seconds of silence before the display appears


class Progress(Protocol):
    """Whatever shows progress: told each phase as it starts, then closed once."""

    def phase(self, key: str, done: int | None = None, total: int | None = None) -> None: ...

    def close(self, failed: bool = False) -> None: ...


_current: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "kc_sheets_progress", default=None)


def report(key: str, done: int | None = None, total: int | None = None) -> None:
    """Say that phase ``key`` starts (``done`` of ``total`` steps, when counted). Costs nothing
    when no reporter is installed."""
    current = _current.get()
    if current is not None:
        current.phase(key, done, total)


@contextlib.contextmanager
def reporting(progress: Progress | None) -> Iterator[None]:
    """Send the :func:`report` calls of this block (this thread or task) to ``progress``."""
    token = _current.set(progress)
    failed = True
    try:
        yield
        failed = False
    finally:
        _current.reset(token)
        if progress is not None:
            progress.close(failed)


class TerminalProgress:
    """A spinner with the current phase on stderr, once a run has lasted ``delay`` seconds.

    Phases already finished are then printed as lines with their duration, and each later one
    when it ends; a run shorter than ``delay`` prints nothing at all.
    """

    def __init__(self, console, lang: Lang = "fr", delay: float = 1.0) -> None:
        self.console = console
        self.lang = lang
        self.phases: list[tuple[str, float]] = []     # (phase key, start time)
        self.printed = 0                              # phases already printed as done
        self.status = None
        self.closed = False
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        if delay <= 0:
            self._show()
        else:
            self.timer = threading.Timer(delay, self._show)
            self.timer.daemon = True
            self.timer.start()

    def phase(self, key: str, done: int | None = None, total: int | None = None) -> None:
        with self.lock:
            now = time.perf_counter()
            if not self.phases or self.phases[-1][0] != key:   # else: same phase, a step on
                self.phases.append((key, now))
            if self.status is not None:
                self._print_done(len(self.phases) - 1, now)
                text = t(f"progress.{key}", self.lang)
                self.status.update(f"{text} ({done}/{total})…" if done is not None and total
                                   else f"{text}…")

    def _print_done(self, upto: int, now: float) -> None:
        """Print the phases before position ``upto`` that are not printed yet."""
        while self.printed < upto:
            key, start = self.phases[self.printed]
            end = self.phases[self.printed + 1][1] if self.printed + 1 < len(self.phases) \
                else now
            self.console.print(f"[green]✓[/] {t(f'progress.{key}', self.lang)} · "
                               f"{end - start:.1f} s", highlight=False)
            self.printed += 1

    def _show(self) -> None:
        with self.lock:
            if self.status is not None or self.closed:
                return
            self._print_done(max(len(self.phases) - 1, 0), time.perf_counter())
            key = self.phases[-1][0] if self.phases else "read"
            self.status = self.console.status(f"{t(f'progress.{key}', self.lang)}…",
                                              spinner="dots")
            self.status.start()

    def close(self, failed: bool = False) -> None:
        """Stop the spinner; the last phase is printed as done unless the run ``failed``."""
        with self.lock:
            self.closed = True                       # a timer firing late shows nothing
            if self.timer is not None:
                self.timer.cancel()
            if self.status is not None:
                self.status.stop()
                self._print_done(len(self.phases) - failed, time.perf_counter())


def for_terminal(console, lang: Lang = "fr", quiet: bool = False) -> Progress | None:
    """A :class:`TerminalProgress` when ``console`` is an interactive terminal and not
    ``quiet``; None (nothing shown) when piped, redirected or asked to be quiet."""
    if quiet or not console.is_terminal or console.is_dumb_terminal:
        return None
    try:
        delay = float(os.environ.get(DELAY_ENV, "1"))
    except ValueError:
        delay = 1.0
    return TerminalProgress(console, lang, delay)
