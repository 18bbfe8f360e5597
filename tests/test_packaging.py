"""What a built wheel ships: every package folder, the package data, py.typed.

``pyproject.toml`` lists the packages (discovery cannot map the top-level
``data/`` folder to ``coopcreds_proto.data``), so these tests keep the list and
the package data in step with the tree. ``.ci/wheel-smoke`` builds the wheel
and checks the installed result from outside the checkout.
"""

from __future__ import annotations

import importlib.resources
import os
import stat
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
PACKAGE_DIRS = SETUPTOOLS.get("package-dir", {})


def _folder(package: str) -> Path:
    """The source folder setuptools builds ``package`` from."""
    parts = package.split(".")
    for i in range(len(parts), 0, -1):
        mapped = PACKAGE_DIRS.get(".".join(parts[:i]))
        if mapped is not None:
            return ROOT / mapped / Path(*parts[i:])
    return ROOT / Path(*parts)


def _package_folders() -> set[str]:
    found = set()
    for init in (ROOT / "coopcreds_proto").rglob("__init__.py"):
        if "__pycache__" not in init.parts:
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found | {"coopcreds_proto.data"}


def _shipped_data() -> set[Path]:
    shipped = set()
    for package, patterns in SETUPTOOLS["package-data"].items():
        for pattern in patterns:
            shipped |= {p for p in _folder(package).glob(pattern) if p.is_file()}
    return shipped


def _data_files() -> set[Path]:
    files = set()
    for top in (ROOT / "coopcreds_proto", ROOT / "data"):
        for path in top.rglob("*"):
            parts = path.relative_to(ROOT).parts
            if (path.is_file() and path.suffix not in (".py", ".pyc")
                    and "__pycache__" not in parts
                    and not any(p.startswith(".") for p in parts)):
                files.add(path)
    return files


def test_the_package_list_names_every_package_folder() -> None:
    listed = set(SETUPTOOLS["packages"])
    assert listed == _package_folders()
    for package in listed:
        assert (_folder(package) / "__init__.py").is_file(), package


def test_the_package_data_ships_every_data_file() -> None:
    missing = sorted(str(p.relative_to(ROOT)) for p in _data_files() - _shipped_data())
    assert missing == []


def test_py_typed_is_shipped() -> None:
    assert (ROOT / "coopcreds_proto" / "py.typed").is_file()
    assert "py.typed" in SETUPTOOLS["package-data"]["coopcreds_proto"]


def test_package_data_is_found_through_importlib_resources() -> None:
    contexts = importlib.resources.files("coopcreds_proto.data") / "contexts"
    assert (contexts / "manifest.json").is_file()


def test_the_wheel_smoke_script_is_wired_into_ci_and_make() -> None:
    script = ROOT / ".ci" / "wheel-smoke"
    assert script.is_file() and os.stat(script).st_mode & stat.S_IXUSR
    assert ".ci/wheel-smoke" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "wheel-smoke:" in (ROOT / "Makefile").read_text(encoding="utf-8")
