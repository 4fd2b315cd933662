"""The one error type a user sees: where (tab, row, column), what was found, what to do.

:meth:`KcError.from_os_error` is the one translation of an operating-system failure (disk full,
read-only folder, missing folder...) into those words, for the terminal, the service and the
backends alike.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from kc_sheets.i18n import Lang, register, t

register({
    "error.prefix": ("Erreur", "Error"),
    "error.where.tab": ("onglet « {tab} »", "tab '{tab}'"),
    "error.where.row": ("ligne {row}", "row {row}"),
    "error.where.col": ("colonne {col}", "column {col}"),
    # operating-system failures: what happened to which path, and what to do
    "os.at": (" (« {path} »)", " ('{path}')"),
    "os.no_space": (
        "plus de place sur le disque{at}. Libérez de la place ou écrivez ailleurs (option "
        "--out), puis relancez.",
        "no space left on the disk{at}. Free some space or write elsewhere (--out option), then "
        "run again."),
    "os.quota": (
        "quota de disque dépassé{at}. Libérez de la place ou écrivez ailleurs (option --out), "
        "puis relancez.",
        "disk quota exceeded{at}. Free some space or write elsewhere (--out option), then run "
        "again."),
    "os.denied": (
        "accès refusé{at} : le fichier ou son dossier est protégé (lecture seule, verrouillé, "
        "ouvert dans un autre programme, ou sans droit d'écriture pour vous). Fermez-le, retirez "
        "la protection ou écrivez ailleurs (option --out), puis relancez.",
        "permission denied{at}: the file or its folder is protected (read-only, locked, open in "
        "another program, or not writable by you). Close it, remove the protection or write "
        "elsewhere (--out option), then run again."),
    "os.read_only_fs": (
        "le disque est en lecture seule{at} (clé USB verrouillée, partage réseau ou disque "
        "monté en lecture seule). Écrivez sur un autre disque (option --out), puis relancez.",
        "the disk is read-only{at} (locked USB key, network share or disk mounted read-only). "
        "Write to another disk (--out option), then run again."),
    "os.no_folder": (
        "le dossier « {folder} » n'existe pas. Créez-le ou indiquez un dossier existant, puis "
        "relancez.",
        "folder '{folder}' does not exist. Create it or give an existing folder, then run "
        "again."),
    "os.no_file": ("fichier ou dossier introuvable{at}. Vérifiez le chemin, puis relancez.",
                   "file or folder not found{at}. Check the path, then run again."),
    "os.is_folder": (
        "« {path} » est un dossier, pas un fichier. Indiquez un nom de fichier (par ex. "
        "« {path}/resultat.xlsx »).",
        "'{path}' is a folder, not a file. Give a file name (e.g. '{path}/result.xlsx')."),
    "os.not_folder": (
        "« {folder} » est un fichier, pas un dossier : impossible d'écrire dedans{at}. Indiquez "
        "un dossier, ou renommez ce fichier.",
        "'{folder}' is a file, not a folder: nothing can be written inside it{at}. Give a "
        "folder, or rename that file."),
    "os.exists": ("« {path} » existe déjà. Choisissez un autre nom ou supprimez-le, puis "
                  "relancez.",
                  "'{path}' already exists. Pick another name or delete it, then run again."),
    "os.name_too_long": ("nom de fichier trop long{at}. Choisissez un nom ou un dossier plus "
                         "court.",
                         "file name too long{at}. Pick a shorter name or folder."),
    "os.too_many_files": (
        "trop de fichiers ouverts à la fois{at}. Fermez des programmes ou relancez plus tard "
        "(sur un serveur, augmentez la limite « ulimit -n »).",
        "too many files open at once{at}. Close some programs or run again later (on a server, "
        "raise the 'ulimit -n' limit)."),
    "os.busy": ("le fichier est utilisé par un autre programme{at}. Fermez-le, puis relancez.",
                "the file is in use by another program{at}. Close it, then run again."),
    "os.io": (
        "erreur de lecture ou d'écriture du disque{at} (disque débranché, réseau coupé ou "
        "support endommagé). Vérifiez le disque, puis relancez.",
        "the disk failed to read or write{at} (disk unplugged, network down or damaged "
        "medium). Check the disk, then run again."),
    "os.other": ("le système a refusé l'opération{at} : {detail}. Vérifiez le chemin et les "
                 "droits, puis relancez.",
                 "the system refused the operation{at}: {detail}. Check the path and the "
                 "permissions, then run again."),
})

# the crash-safe writers put ".<name>.<random>.kc-tmp" beside the file they replace
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.kc-tmp(?:\.[A-Za-z0-9]+)?$")

_KEYS = {
    errno.ENOSPC: "os.no_space", errno.EDQUOT: "os.quota",
    errno.EACCES: "os.denied", errno.EPERM: "os.denied", errno.EROFS: "os.read_only_fs",
    errno.EISDIR: "os.is_folder", errno.ENOTDIR: "os.not_folder", errno.EEXIST: "os.exists",
    errno.ENAMETOOLONG: "os.name_too_long", errno.EMFILE: "os.too_many_files",
    errno.ENFILE: "os.too_many_files", errno.EBUSY: "os.busy", errno.ETXTBSY: "os.busy",
    errno.EIO: "os.io",
}


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

    @classmethod
    def from_os_error(cls, exc: OSError, lang: Lang = "fr",
                      path: str | os.PathLike | None = None) -> "KcError":
        """The operating system's refusal in the user's words: which path, what to do.

        ``path`` is the file the caller was working on, used when the error names none (a
        full disk fails a ``write`` that has no file name). A crash-safe writer's temporary
        file is named as the file it was replacing.

        >>> KcError.from_os_error(OSError(28, "No space left on device"), "en", "a.xlsx").key
        'os.no_space'
        """
        named = exc.filename if exc.filename is not None else path
        shown = _user_path(named) if named is not None else None
        at = t("os.at", lang, path=shown) if shown else ""
        code = exc.errno
        if code == errno.ENOENT and shown:
            folder = _missing_folder(Path(shown))
            if folder is not None:
                return cls("os.no_folder", lang=lang, folder=str(folder), path=shown, errno=code)
        if code == errno.ENOENT:
            return cls("os.no_file", lang=lang, at=at, path=shown, errno=code)
        if code == errno.ENOTDIR and shown:
            folder = _file_in_the_way(Path(shown))
            if folder is not None:
                return cls("os.not_folder", lang=lang, at=at, folder=str(folder), path=shown,
                           errno=code)
        key = _KEYS.get(code or -1)
        if key in ("os.is_folder", "os.exists") and not shown:
            key = None
        if key is None:
            detail = exc.strerror or type(exc).__name__
            return cls("os.other", lang=lang, at=at, detail=detail, path=shown, errno=code)
        return cls(key, lang=lang, at=at, path=shown, errno=code)

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
        text = t(self.key, lang, **{"tab": self.tab or "-", **self.params})
        where = self.where(lang)
        return f"{where[:1].upper()}{where[1:]} : {text}" if where and lang == "fr" else (
            f"{where[:1].upper()}{where[1:]}: {text}" if where else text)


def _user_path(path: str | os.PathLike | bytes) -> str:
    """The path as the user named it: a crash-safe writer's temporary file becomes the file."""
    text = os.fsdecode(path)
    while found := _TEMP_NAME.match(os.path.basename(text)):    # a temporary of a temporary
        text = os.path.join(os.path.dirname(text), found.group("name"))
    return text


def _missing_folder(path: Path) -> Path | None:
    """The first folder of ``path`` that does not exist (None when its folder exists)."""
    parent = path.parent
    if str(parent) in ("", ".") or parent.is_dir():
        return None
    missing = parent
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    return missing if not missing.exists() else None


def _file_in_the_way(path: Path) -> Path | None:
    """The file that stands where ``path`` needs a folder (``out.csv/blocks/x.csv``)."""
    for folder in path.parents:
        if folder.exists():
            return folder if not folder.is_dir() else None
    return None
