"""The hostile-input corpus of kc_sheets: every case is a function that writes one input file.

The cases live in :mod:`tests.corpus.cases_content` (what Raw Data holds) and
:mod:`tests.corpus.cases_files` (the file itself and the workbook's state); the expected outcome
of each is written in ``tests/test_corpus.py`` and listed in ``tests/corpus/README.md``.
The tests generate the files at test time into a temporary folder. To look at them:

    python -m tests.corpus.make_corpus /tmp/kc-corpus     # writes one file per case
    python -m tests.corpus.make_corpus --list             # name, group, command, description
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.corpus import cases_content, cases_files  # noqa: F401  (they register the cases)
from tests.corpus.registry import CASES, Case

CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "two corpus cases share a name"


def build_all(folder: Path) -> dict[str, Path]:
    """Write every case's input file into ``folder``; returns case name -> file."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for item in CASES:
        sub = folder / item.name
        sub.mkdir(exist_ok=True)
        out[item.name] = item.build(sub)
    return out


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] == "--list":
        for item in CASES:
            print(f"{item.name:36} {item.group:11} {item.command:9} {item.about}")
        return 0
    for name, path in build_all(Path(argv[0])).items():
        print(f"{name:36} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
