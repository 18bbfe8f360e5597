"""Test-suite configuration: no network, in the tests and in notebook kernels.

The workbench must work offline, so during the test run any attempt to reach a
non-loopback address fails loudly instead of silently timing out or, worse,
succeeding on a developer's machine (see ``tests/network_guard.py``).

The guard is installed in ``pytest_configure`` (so it also covers collection).
Notebook kernels started by nbval are separate processes: ``pytest_configure``
puts ``tests/kernel_site`` on their ``PYTHONPATH`` and sets
``COOPCREDS_NETWORK_GUARD=1``, so their ``sitecustomize`` installs the same
guard (nbval talks to them over loopback, which is allowed).
"""

from __future__ import annotations

import os
from pathlib import Path

from network_guard import install_network_guard, uninstall_network_guard

KERNEL_SITE = Path(__file__).parent / "kernel_site"
_saved_env: dict[str, str | None] = {}


def pytest_configure(config):
    install_network_guard()
    for name in ("PYTHONPATH", "COOPCREDS_NETWORK_GUARD"):
        _saved_env[name] = os.environ.get(name)
    paths = [str(KERNEL_SITE), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    os.environ["COOPCREDS_NETWORK_GUARD"] = "1"


def pytest_unconfigure(config):
    uninstall_network_guard()
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
