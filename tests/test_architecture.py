"""The import rule of the house, checked: the contracts, no cycle, only genuine deferred imports.

- The import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``)
  are kept, as ``make lint`` checks with ``lint-imports``; and each contract
  really breaks on the import it forbids.
- The package's import graph has no cycle.
- An import inside a function is there only to defer a heavy or optional
  dependency, and says which in a comment, at the end of the import or on the
  line above a run of imports: ``# heavy: pandas, only for the table`` or
  ``# optional: distributed (the dask extra)``. The dependency it names must be
  one the import really brings in and the module does not load already.
- ``import coopcreds_proto.cli`` loads none of that heavy stack, so every
  command starts quickly.

The import graph comes from grimp, the library import-linter builds it with.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import shutil
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import grimp
import networkx as nx
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "coopcreds_proto"
PACKAGE_DIR = ROOT / PACKAGE
PYPROJECT = ROOT / "pyproject.toml"
CONTRACT_TYPES = {"layers": LayersContract, "forbidden": ForbiddenContract}

# Dependencies worth deferring: each takes a large share of a second or more to
# import (or, for distributed and SALib, is an optional extra that may be absent;
# uvicorn is needed only by the servers).
DEFERRABLE = frozenset({
    "pandas", "numpy", "scipy", "networkx", "matplotlib", "ipywidgets", "IPython", "jsonschema",
    "distributed", "uvicorn", "SALib", "jinja2",
})

_DEFERRAL = re.compile(r"#\s*(heavy|optional):\s*(\S.*)")


# --- the contracts ------------------------------------------------------------------


@pytest.fixture(scope="module")
def config() -> dict:
    return read_configuration(str(PYPROJECT))


@pytest.fixture(scope="module")
def contracts(config) -> dict[str, dict]:
    return {options["id"]: options for options in config["contracts_options"]}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)


def _check(config: dict, options: dict, graph: grimp.ImportGraph):
    contract = CONTRACT_TYPES[options["type"]](
        name=options["name"], session_options=config["session_options"], contract_options=options
    )
    return contract.check(copy.deepcopy(graph), verbose=False)


def test_the_import_contracts_are_kept():
    """``lint-imports`` (what ``make lint`` runs) passes; its report is the failure message."""
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or (
        shutil.which("lint-imports")
    )
    assert lint_imports, "lint-imports is missing: pip install -e '.[test]'"
    done = subprocess.run(
        [lint_imports, "--no-cache", "--no-logo", "--config", str(PYPROJECT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("layers", "coopcreds_proto.wording", "coopcreds_proto.display.cards"),  # root -> a room
        ("layers", "coopcreds_proto.cryptosuites.base", "coopcreds_proto.vc.credentials"),
        ("layers", "coopcreds_proto.vc.credentials", "coopcreds_proto.trust.registry"),  # upward
        ("layers", "coopcreds_proto.definitions.definition", "coopcreds_proto.issuer.batch"),
        ("layers", "coopcreds_proto.issuer.batch", "coopcreds_proto.trust.policy"),  # siblings
        ("layers", "coopcreds_proto.ecosystem.graph", "coopcreds_proto.consultation.report"),
        ("layers", "coopcreds_proto.display.cards", "coopcreds_proto.widgets.definition"),
        ("layers", "coopcreds_proto.demos.forgeries", "coopcreds_proto.widgets.ecosystem"),
        ("layers", "coopcreds_proto.workshop.pack", "coopcreds_proto.cli"),
        ("light-core", "coopcreds_proto.trust.registry", "pandas"),
        ("light-core", "coopcreds_proto.keys", "matplotlib"),
        ("light-core", "coopcreds_proto.vc.signin", "ipywidgets"),
        # Indirectly: vc -> ecosystem -> networkx.
        ("light-core", "coopcreds_proto.vc.wallet", "coopcreds_proto.ecosystem.graph"),
    ],
)
def test_each_contract_breaks_on_the_import_it_forbids(
    config, contracts, graph, contract_id, importer, imported
):
    options = contracts[contract_id]
    assert _check(config, options, graph).kept, f"{contract_id} is broken already"
    changed = copy.deepcopy(graph)
    changed.add_import(importer=importer, imported=imported)
    assert not _check(config, options, changed).kept, f"{importer} -> {imported} passed"


def test_the_facade_alone_may_import_upward(config, contracts, graph):
    changed = copy.deepcopy(graph)
    changed.add_import(importer=PACKAGE, imported="coopcreds_proto.cli")
    assert _check(config, contracts["layers"], changed).kept


def test_a_new_module_at_the_root_must_be_given_a_layer(config, contracts, graph):
    changed = copy.deepcopy(graph)
    changed.add_module("coopcreds_proto.somewhere_new")
    assert not _check(config, contracts["layers"], changed).kept


def test_both_contracts_name_the_same_foundation(contracts):
    """The last layer (the root modules and cryptosuites) is what the light-core contract covers."""
    last_layer = contracts["layers"]["layers"][-1]
    foundation = {f"{PACKAGE}.{name.strip()}" for name in re.split(r"[:|]", last_layer)}
    on_disk = {
        f"{PACKAGE}.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE_DIR.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    }
    rooms = {f"{PACKAGE}.{name.strip()}" for layer in contracts["layers"]["layers"][:-1]
             for name in re.split(r"[:|]", layer)}
    assert foundation == on_disk - rooms
    light = set(contracts["light-core"]["source_modules"])
    assert light == foundation | {f"{PACKAGE}.vc", f"{PACKAGE}.trust"}


# --- no cycle ------------------------------------------------------------------------


def test_the_package_has_no_import_cycle(graph):
    edges = nx.DiGraph()
    for module in graph.modules:
        if module != PACKAGE and not module.startswith(PACKAGE + "."):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(PACKAGE) and imported != module:
                edges.add_edge(module, imported)
    cycles = []
    for component in nx.strongly_connected_components(edges):
        if len(component) > 1:
            lines = []
            for a, b in nx.find_cycle(edges.subgraph(component)):
                line = graph.get_import_details(importer=a, imported=b)[0]["line_number"]
                lines.append(f"  {a} -> {b} (line {line})")
            cycles.append("\n".join(lines))
    assert not cycles, "import cycles:\n" + "\n\n".join(cycles)


# --- imports inside functions --------------------------------------------------------


@dataclass(frozen=True)
class ModuleImports:
    """What one module imports when it is imported, and what its functions import later."""

    name: str
    top: frozenset[str]  # project modules and external top-level packages
    deferred: tuple[tuple[ast.stmt, frozenset[str]], ...]  # (statement, what it imports)
    comments: dict[int, str]  # line -> comment text
    lines: tuple[str, ...]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
             known: set[str]) -> frozenset[str]:
    """The project modules and external top-level packages one import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".")
            base = base if is_package else base[:-1]
            base = base[: len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        names = [source] + [f"{source}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        if name.split(".")[0] == PACKAGE:
            if name in known:
                found.add(name)
        else:
            found.add(name.split(".")[0])
    return frozenset(found)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _read(module: str, path: Path, known: set[str]) -> ModuleImports:
    text = path.read_text(encoding="utf-8")
    is_package = path.name == "__init__.py"
    top: set[str] = set()
    deferred: list[tuple[ast.stmt, frozenset[str]]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and not in_function and _is_type_checking(child):
                for other in child.orelse:
                    walk(other, in_function)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                targets = _targets(child, module, is_package, known)
                if in_function:
                    deferred.append((child, targets))
                else:
                    top.update(targets)
            walk(child, in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(ast.parse(text, str(path)), False)
    return ModuleImports(module, frozenset(top), tuple(deferred), _comments(text),
                         tuple(text.splitlines()))


def _comments(text: str) -> dict[int, str]:
    return {
        token.start[0]: token.string
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    }


@pytest.fixture(scope="module")
def modules() -> dict[str, ModuleImports]:
    known = _project_modules()
    return {name: _read(name, path, set(known)) for name, path in known.items()}


def _loads(name: str, modules: dict[str, ModuleImports], seen: set[str] | None = None) -> set[str]:
    """External packages loaded by importing ``name`` (its packages' ``__init__`` included)."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    parts = name.split(".")
    for module in (".".join(parts[:i]) for i in range(1, len(parts) + 1)):
        if module in seen or module not in modules:
            continue
        seen.add(module)
        for target in modules[module].top:
            if target in modules:
                found |= _loads(target, modules, seen)
            else:
                found.add(target)
    return found


def _brings(targets: frozenset[str], modules: dict[str, ModuleImports],
            loaded: set[str]) -> set[str]:
    """The external packages an import statement loads that were not loaded already."""
    found: set[str] = set()
    for target in targets:
        found |= _loads(target, modules) if target in modules else {target}
    return found - loaded


def deferral_problems(modules: dict[str, ModuleImports]) -> list[str]:
    """Every import inside a function that is not a documented, genuine deferral."""
    problems = []
    for imports in modules.values():
        loaded = _loads(imports.name, modules)
        # Imports on consecutive lines form a run; a comment line above it speaks for the
        # imports in it that have no comment of their own.
        runs: list[list[tuple[ast.stmt, frozenset[str]]]] = []
        for node, targets in imports.deferred:
            if runs and runs[-1][-1][0].end_lineno + 1 == node.lineno:
                runs[-1].append((node, targets))
            else:
                runs.append([(node, targets)])
        for run in runs:
            above = run[0][0].lineno - 1
            shared = imports.comments.get(above)
            if shared is not None and not imports.lines[above - 1].lstrip().startswith("#"):
                shared = None  # the end of a line of code, not a comment on the run
            owns = {node.lineno: next((imports.comments[line]
                                       for line in range(node.lineno, node.end_lineno + 1)
                                       if line in imports.comments), None)
                    for node, _ in run}
            shared_brings = set().union(*(_brings(targets, modules, loaded)
                                          for node, targets in run if owns[node.lineno] is None))
            for node, targets in run:
                where = f"{imports.name}:{node.lineno}: {imports.lines[node.lineno - 1].strip()}"
                own = owns[node.lineno]
                brings = _brings(targets, modules, loaded)
                match = _DEFERRAL.match(own or shared or "")
                if match is None:
                    problems.append(f"{where}\n    move it to the top of the module, or say"
                                    " what it defers: '# heavy: pandas, only for ...'")
                    continue
                named = {name for name in DEFERRABLE if re.search(rf"\b{name}\b", match[2])}
                if not named:
                    problems.append(f"{where}\n    names none of {sorted(DEFERRABLE)}")
                elif not brings:
                    problems.append(f"{where}\n    loads nothing new: the module has it already")
                elif not named & (brings if own else shared_brings):
                    problems.append(f"{where}\n    names {sorted(named)}, loads {sorted(brings)}")
    return problems


def test_imports_inside_functions_defer_a_heavy_or_optional_dependency(modules):
    problems = deferral_problems(modules)
    assert not problems, "imports inside functions:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("from .timestamps import utc_now", "move it to the top"),
        ("from .timestamps import utc_now  # heavy: pandas", "loads nothing new"),
        ("import pandas as pd  # heavy: time, a claim about nothing", "names none of"),
        ("import pandas as pd  # heavy: networkx, the wrong one", "names ['networkx']"),
        ("# heavy: matplotlib\n    import pandas as pd", "names ['matplotlib']"),  # the line above
    ],
)
def test_a_needless_or_undocumented_deferral_is_refused(modules, body, complaint):
    name = "coopcreds_proto.wording"  # a light module: pandas is not loaded with it
    source = f"def f():\n    {body}\n"
    fake = ModuleImports(
        name, modules[name].top,
        tuple((node, _targets(node, name, False, set(modules)))
              for node in ast.walk(ast.parse(source))
              if isinstance(node, (ast.Import, ast.ImportFrom))),
        _comments(source), tuple(source.splitlines()),
    )
    problems = [p for p in deferral_problems({**modules, name: fake}) if p.startswith(name)]
    assert len(problems) == 1 and complaint in problems[0], problems


# --- the CLI's fast start --------------------------------------------------------------


def test_the_cli_loads_no_heavy_dependency_until_a_command_needs_it():
    code = (
        "import sys, coopcreds_proto.cli\n"
        f"print(sorted(name for name in {sorted(DEFERRABLE)!r} if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"
