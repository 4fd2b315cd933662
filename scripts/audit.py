"""Known vulnerabilities in kc_sheets' dependencies (pip-audit, PyPI's advisory service).

    python scripts/audit.py          # exit 0: none known; 1: some (listed); 3: not checked

Audits the dependencies of pyproject.toml (runtime, and the extras with --extras) as pinned
in this environment. Where PyPI's JSON API cannot be reached (a machine with a local package
mirror only), nothing can be audited: it says so and exits 3, never "no vulnerabilities".
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def requirements(extras: bool) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    if extras:
        specs += [s for group in project.get("optional-dependencies", {}).values() for s in group]
    pinned = {}
    for spec in specs:
        name = re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]
        try:
            pinned[name.lower()] = f"{name}=={metadata.version(name)}"
        except metadata.PackageNotFoundError:
            pinned[name.lower()] = spec
    return sorted(pinned.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", action="store_true", help="also the optional extras")
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write("\n".join(requirements(args.extras)) + "\n")
    run = subprocess.run([sys.executable, "-m", "pip_audit", "-r", req.name, "--no-deps",
                          "--disable-pip", "--format", "json", "--progress-spinner", "off"],
                         capture_output=True, text=True)
    try:
        report = json.loads(run.stdout or "{}")
    except ValueError:
        print(run.stderr.strip() or "pip-audit gave no report", file=sys.stderr)
        return 3
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    found = [(d["name"], d["version"], v["id"], v.get("fix_versions", []))
             for d in deps for v in d.get("vulns", [])]
    for name, version, vuln, fixes in found:
        print(f"{name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release yet'})")
    if found:
        return 1
    if not deps or len(skipped) == len(deps):
        print(f"not audited: PyPI's advisory service could not be reached for any of the "
              f"{len(deps)} dependencies ({skipped[0]['skip_reason'] if skipped else 'none'})",
              file=sys.stderr)
        return 3
    print(f"{len(deps) - len(skipped)} dependencies audited, no known vulnerability"
          + (f"; {len(skipped)} not found on PyPI" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
