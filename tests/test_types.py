"""Type hints are contracts: mypy finds no error in the package, and the contracts hold.

- mypy, configured by ``[tool.mypy]`` in ``pyproject.toml`` (as ``make lint``
  runs it), reports no error in ``coopcreds_proto``; a failure shows mypy's
  report.
- The contracts callers rely on are what mypy sees: ``as_datetime`` is
  ``Optional`` only when asked to be, a key's ``controller`` and ``id`` are
  strings, a ``TrustRegistry`` and a ``TrustLoad`` are both a ``TrustSource``
  (and an object that is not one is refused), a key is a ``SigningKey``.
- The configuration silences only what it must: missing imports only for the
  third-party modules named, each of which really ships no type hints; no
  blanket ``# type: ignore`` in the package (an ignore names its error code and
  says why).

That the package ships ``py.typed`` is checked with the wheel's contents
(``test_packaging.py``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import textwrap
from pathlib import Path

import pytest
from mypy import api

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (mypy itself needs tomli there)
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "coopcreds_proto"
PYPROJECT = ROOT / "pyproject.toml"


@pytest.fixture(scope="module")
def mypy_config() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["mypy"]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One cache for the module's runs (the second one reuses what the first checked),
    # outside the checkout.
    return tmp_path_factory.mktemp("mypy-cache")


def run_mypy(cache_dir: Path, *paths: str) -> tuple[int, str]:
    """mypy's exit status and report, run from the project's root with its configuration.

    With no ``paths``, mypy checks the ``files`` of the configuration (the package),
    as ``make lint`` does.
    """
    args = ["--config-file", str(PYPROJECT), "--cache-dir", str(cache_dir), *paths]
    # From the root, as make lint runs it: the package is found there (an editable
    # install's import hook is invisible to mypy) and `files` is relative to it.
    here = Path.cwd()
    try:
        os.chdir(ROOT)
        stdout, stderr, status = api.run(args)
    finally:
        os.chdir(here)
    return status, stdout + stderr


def test_mypy_finds_no_error_in_the_package(cache_dir: Path) -> None:
    status, report = run_mypy(cache_dir)
    assert status == 0, f"mypy found type errors:\n{report}"
    assert "Success: no issues found" in report, report


# Each line that must be refused ends with "# error"; reveal_type lines say what
# mypy must see ("# is <type>").
CONTRACTS = '''
from datetime import datetime

from coopcreds_proto.keys import Ed25519Key, SigningKey
from coopcreds_proto.timestamps import as_datetime
from coopcreds_proto.trust.accreditation import TrustLoad
from coopcreds_proto.trust.registry import TrustRegistry, TrustSource
from coopcreds_proto.vc.presentation_request import NameSource


def contracts(key: Ed25519Key, registry: TrustRegistry, load: TrustLoad) -> None:
    reveal_type(as_datetime("2026-01-15T09:00:00Z"))  # is datetime.datetime
    reveal_type(as_datetime(None))  # is datetime.datetime
    reveal_type(as_datetime(None, default_now=False))  # is datetime.datetime | None
    moment: datetime = as_datetime(None, default_now=False)  # error
    reveal_type(key.controller)  # is str
    reveal_type(key.id)  # is str
    signer: SigningKey = key
    source: TrustSource = registry
    source = load
    names: NameSource = load
    not_a_source: TrustSource = object()  # error
    not_a_signer: SigningKey = key.public_key  # error
'''


def test_the_type_contracts_hold(cache_dir: Path, tmp_path: Path) -> None:
    snippet = tmp_path / "contracts.py"
    snippet.write_text(textwrap.dedent(CONTRACTS), encoding="utf-8")
    lines = snippet.read_text(encoding="utf-8").splitlines()
    status, report = run_mypy(cache_dir, str(snippet))

    found: dict[int, list[str]] = {}
    said_on = re.compile(r"^.*contracts\.py:(\d+): (error|note): (.*)$", re.MULTILINE)
    for match in said_on.finditer(report):
        found.setdefault(int(match.group(1)), []).append(f"{match.group(2)}: {match.group(3)}")
    for number, line in enumerate(lines, 1):
        said = found.get(number, [])
        if line.endswith("# error"):
            assert any(s.startswith("error:") for s in said), (line, report)
        elif "# is " in line:
            expected = line.rsplit("# is ", 1)[1]
            assert said == [f'note: Revealed type is "{expected}"'], (line, report)
        else:
            assert said == [], (line, report)
    assert status == 1  # the lines marked "# error", and nothing else


def _ships_types(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, f"{module} is not installed"
    return (Path(spec.origin).parent / "py.typed").is_file()


def test_missing_imports_are_ignored_only_for_named_untyped_modules(mypy_config: dict) -> None:
    assert "ignore_missing_imports" not in mypy_config  # never for every module
    overrides = [o for o in mypy_config.get("overrides", []) if o.get("ignore_missing_imports")]
    assert len(overrides) == 1
    modules = overrides[0]["module"]
    assert all("*" not in m or m.endswith(".*") for m in modules)
    for module in {m.removesuffix(".*") for m in modules}:
        # A module that ships type hints now must be checked: drop it from the list.
        assert not _ships_types(module), f"{module} ships py.typed: remove it from the list"


def test_mypy_checks_the_package_for_the_oldest_supported_python(mypy_config: dict) -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={mypy_config['python_version']}"
    assert mypy_config["files"] == ["coopcreds_proto"]
    assert mypy_config["warn_unused_ignores"] is True
    assert mypy_config["check_untyped_defs"] is True


_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def test_every_type_ignore_names_its_error_code_and_says_why() -> None:
    bad = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _IGNORE.search(line)
            if match and not (match.group("codes") and match.group("rest").strip(" #")):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bad, "a # type: ignore must name its code and say why:\n" + "\n".join(bad)

