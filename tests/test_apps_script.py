"""The Apps Script button (sheet_templates/apps_script/Code.gs) under Node's test runner.

Code.gs runs unmodified in a Node `vm` context whose globals are fakes of Google's services
(tests/apps_script/google_fakes.js); the tests themselves are tests/apps_script/*.test.js. This
wrapper makes them part of `pytest`: it fails when Node reports a failure or runs no test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NODE_TESTS = ROOT / "tests" / "apps_script"


def test_apps_script_under_node() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the Apps Script tests (tests/apps_script/) need "
                    "`node` >= 18 on the PATH")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(re.match(r"v(\d+)", version.stdout.strip()).group(1))
    assert major >= 18, f"Node {version.stdout.strip()} is too old for `node --test` (need >= 18)"

    tests = sorted(str(p.relative_to(ROOT)) for p in NODE_TESTS.glob("*.test.js"))
    assert tests, "no tests/apps_script/*.test.js found"
    result = subprocess.run([node, "--test", "--test-reporter=tap", *tests], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"Node's test runner failed:\n{output[-6000:]}"
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", result.stdout, re.M)
    assert passed and failed, f"no TAP summary from node --test:\n{output[-3000:]}"
    assert int(failed.group(1)) == 0, output[-6000:]
    assert int(passed.group(1)) > 0, "node --test ran no test"
