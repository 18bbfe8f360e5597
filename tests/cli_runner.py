"""Run ``coopcreds`` command lines in forked children with bounded memory and time.

Used by the hostile-input tests: a command given ``/dev/zero`` or a huge file
must refuse it in one line, and one that does not must not take the machine's
memory (or the test's time) with it. Reads a JSON list of cases on stdin, each
``{"argv": [...], "cwd": DIR}``, and writes a JSON list of results to stdout:
``{"rc": exit code or None, "signal": the signal that ended it or None,
"out": stdout, "err": stderr}``. The package is imported once; each case runs
in a fork of this process under ``RLIMIT_AS`` and an alarm.

    python tests/cli_runner.py --memory-mb 1024 --seconds 30 < cases.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import traceback

from coopcreds_proto.cli import main


def _child(argv: list[str], cwd: str, out_fd: int, err_fd: int, memory: int, seconds: int) -> None:
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.stdout = os.fdopen(1, "w", closefd=False)
    sys.stderr = os.fdopen(2, "w", closefd=False)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.alarm(seconds)
    os.chdir(cwd)
    try:
        rc = main(argv)
    except BaseException:  # noqa: BLE001 - what the interpreter would print: a traceback
        traceback.print_exc()
        rc = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc if isinstance(rc, int) else 1)


def run(case: dict, memory: int, seconds: int) -> dict:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _child(case["argv"], case["cwd"], out.fileno(), err.fileno(), memory, seconds)
            finally:
                os._exit(70)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return {
            "rc": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "out": out.read().decode("utf-8", "replace")[:4000],
            "err": err.read().decode("utf-8", "replace")[:4000],
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--seconds", type=int, default=30)
    options = parser.parse_args()
    cases = json.load(sys.stdin)
    memory = options.memory_mb * 1024 * 1024
    results = [run(case, memory, options.seconds) for case in cases]
    json.dump(results, sys.stdout)
