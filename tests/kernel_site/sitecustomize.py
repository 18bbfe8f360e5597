"""Installs the test suite's network guard in child Python processes.

The test run puts this directory on ``PYTHONPATH`` and sets
``COOPCREDS_NETWORK_GUARD=1`` (see ``tests/conftest.py``), so notebook kernels
and other subprocesses refuse non-loopback connections just like the tests.
"""

import os
import sys

if os.environ.get("COOPCREDS_NETWORK_GUARD") == "1":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        from network_guard import install_network_guard
    finally:
        del sys.path[0]
    install_network_guard()
