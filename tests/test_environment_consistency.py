"""environment.yml (conda route) must list the same dependencies as pyproject.toml.

Every runtime ([project].dependencies) and test ([project.optional-dependencies].test)
requirement must appear in environment.yml's ``dependencies:`` with the same version
specifier, and nothing else may be there besides python, pip and a ``pip:`` section
that installs the project itself (``-e .``) without re-listing dependencies.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*$")


def normalise_name(name: str) -> str:
    """PEP 503-style: lowercase, runs of '-', '_', '.' are equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(req: str) -> tuple[str, str]:
    """'pyld >=3.3, <4 ; marker' -> ('pyld', '<4,>=3.3') (clauses sorted, no spaces)."""
    req = req.split(";", 1)[0]
    m = _REQ.match(req)
    if not m:
        raise ValueError(f"cannot parse requirement {req!r}")
    name, spec = m.groups()
    clauses = sorted(c for c in re.sub(r"\s+", "", spec).split(",") if c)
    return normalise_name(name), ",".join(clauses)


def parse_environment_yml(text: str) -> dict:
    """Tiny parser for the simple environment.yml of this project.

    Handles top-level scalar keys, top-level keys holding a block list, and one
    nested ``- pip:`` block list; comments and blank lines are ignored. Returns
    the same structure as ``yaml.safe_load`` for such a file.
    """
    data: dict = {}
    key = None  # current top-level list key
    nested = None  # current nested list (under "- pip:")
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            k, _, v = body.partition(":")
            k, v = k.strip(), v.strip()
            if v:
                data[k] = _unquote(v)
                key = None
            else:
                data[k] = []
                key = k
            nested = None
            continue
        if not body.startswith("- ") and body != "-":
            raise ValueError(f"unsupported line in environment.yml: {raw!r}")
        item = body[1:].strip()
        if key is None:
            raise ValueError(f"list item outside a list: {raw!r}")
        if nested is not None and indent > nested[0]:
            nested[1].append(_unquote(item))
            continue
        m = re.fullmatch(r"([A-Za-z0-9_-]+):", item)
        if m:
            sub: list = []
            data[key].append({m.group(1): sub})
            nested = (indent, sub)
        else:
            data[key].append(_unquote(item))
            nested = None
    return data


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def load_environment() -> dict:
    text = ENVIRONMENT.read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        return parse_environment_yml(text)
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            pytest.skip("needs tomllib (Python 3.11+) or tomli to read pyproject.toml")
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def environment() -> dict:
    return load_environment()


def _conda_deps(environment: dict) -> tuple[dict[str, str], list]:
    plain: dict[str, str] = {}
    pip_sections: list = []
    for dep in environment.get("dependencies") or []:
        if isinstance(dep, dict):
            pip_sections.append(dep)
            continue
        name, spec = split_requirement(str(dep))
        assert name not in plain, f"environment.yml lists {name!r} twice"
        plain[name] = spec
    return plain, pip_sections


def test_tiny_parser_matches_yaml():
    yaml = pytest.importorskip("yaml")
    text = ENVIRONMENT.read_text(encoding="utf-8")
    assert parse_environment_yml(text) == yaml.safe_load(text)


def test_environment_yml_matches_pyproject(pyproject, environment):
    project = pyproject["project"]
    wanted = dict(
        split_requirement(r)
        for r in project["dependencies"] + project["optional-dependencies"]["test"]
    )
    have, _ = _conda_deps(environment)
    have.pop("pip", None)
    have_python = have.pop("python", None)

    problems = []
    for name, spec in sorted(wanted.items()):
        if name not in have:
            problems.append(f"{name}: missing from environment.yml (pyproject: {spec!r})")
        elif have[name] != spec:
            problems.append(
                f"{name}: version mismatch, pyproject {spec!r} vs environment.yml {have[name]!r}"
            )
    for name in sorted(set(have) - set(wanted)):
        problems.append(f"{name}: in environment.yml but not in pyproject.toml")
    want_python = ",".join(sorted(re.sub(r"\s+", "", project["requires-python"]).split(",")))
    if have_python != want_python:
        problems.append(
            f"python: environment.yml {have_python!r} vs requires-python {want_python!r}"
        )
    assert not problems, "environment.yml out of sync with pyproject.toml:\n" + "\n".join(problems)


def test_environment_yml_pip_section_installs_only_the_project(environment):
    plain, pip_sections = _conda_deps(environment)
    assert "pip" in plain, "environment.yml must list pip"
    assert pip_sections == [{"pip": ["-e ."]}], (
        f"environment.yml pip section must be exactly '- pip: [-e .]', got {pip_sections!r}"
    )
