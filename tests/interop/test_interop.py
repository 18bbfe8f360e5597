"""Run the optional JavaScript interoperability check when Node and its packages are present.

Skipped (never failed) when ``node`` or ``tests/interop/node_modules`` is
missing, so the test suite never depends on Node; install the packages once
with ``bash tests/interop/run.sh`` to enable it. It does not touch the network:
``npm`` is not run here and the JavaScript document loader is offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (HERE / "node_modules").is_dir(),
        reason="tests/interop/node_modules is missing (run: bash tests/interop/run.sh)",
    ),
]


def test_interop_with_digital_bazaar_libraries() -> None:
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "COOPCREDS_INTEROP_NO_INSTALL": "1",
        "PYTHON": sys.executable,
        "COOPCREDS": str(bin_dir / "coopcreds"),
    }
    done = subprocess.run(
        ["bash", str(HERE / "run.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "INTEROP PASS" in output
    assert "FAIL" not in output.split("== summary", 1)[-1]
