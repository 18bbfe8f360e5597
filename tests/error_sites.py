"""Where the package makes its errors, found by reading its source (``ast``).

A *site* is a place that constructs an error with a code: a call of a
``CoopCredsError`` subclass, of a class whose ``__init__`` always passes one
code (``RegisterError``: ``bad-register``), of a problem type whose code
becomes its error's code (``FeedbackProblem``, for ``FeedbackError``), of a
check result with a code no exception carries (``Check``: a skipped check, a
policy decision's checks), or of a helper function that passes one of its
parameters on as the code (``_err``, ``_unknown``, ``policy_check``...), in
which case the site is the helper's caller and the code is the literal it
passes (or the parameter's default). A code written as ``"a" if c else "b"``,
or as a module constant bound to a literal, counts as its literals; any other
expression (a variable, an f-string, ``exc.code``, ``type(exc)(...)``) is a
*dynamic* site, which a catalogue cannot follow. A check result that repeats
the code of the error that failed it (``Check(..., exc.code)``) makes no code
of its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_CLASS = "CoopCredsError"
# Types that carry a code without being exceptions: {name: (the class the code
# belongs to, the position of the code argument)}. FeedbackError.from_problems
# raises the first problem's code; a Check's code is the result's own when no
# exception made it. Other problem types (RegisterProblem, a definition's
# Problem) sit inside an error whose own code is fixed.
CODE_CARRIERS = {"FeedbackProblem": ("FeedbackError", 0), "Check": ("Check", 3)}
RESULTS = {"Check"}  # carriers that may repeat another error's code


@dataclass(frozen=True)
class Site:
    """One error made with a literal code: ``error_class`` raised in ``module``."""

    code: str
    error_class: str
    module: str
    line: int


@dataclass(frozen=True)
class DynamicSite:
    """One error whose code is computed: ``expression`` is its source text."""

    module: str
    line: int
    error_class: str
    expression: str


@dataclass(frozen=True)
class Scan:
    """Every site of a source tree, and the error classes it defines (name -> module)."""

    sites: tuple[Site, ...]
    dynamic: tuple[DynamicSite, ...]
    classes: Mapping[str, str]


@dataclass(frozen=True)
class _Maker:
    """Something that makes an error: where its code argument is, and which class it makes."""

    error_class: str
    position: int | None  # positional index of the code argument (None: keyword only)
    keyword: str | None  # its keyword name
    default: ast.expr | None = None  # its default, when the caller may leave it out
    fixed: str | None = None  # a code always passed, whatever the arguments
    repeats: bool = False  # a result that may repeat the code of another error (x.code)


def module_sources(package_dir: Path) -> dict[str, str]:
    """``{dotted module name: source}`` for every ``.py`` file of the package at ``package_dir``."""
    sources = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        sources[".".join(parts)] = path.read_text(encoding="utf-8")
    return sources


def scan(sources: Mapping[str, str]) -> Scan:
    """Every error site in ``sources`` (``{module name: source}``)."""
    trees = {module: ast.parse(text, module) for module, text in sources.items()}
    classes = _error_classes(trees)
    makers: dict[str, _Maker] = {}
    for name, (module, node) in classes.items():
        makers[name] = _class_maker(name, node, classes)
    for carrier, (error_class, position) in CODE_CARRIERS.items():
        makers[carrier] = _Maker(error_class, position, "code", repeats=carrier in RESULTS)
    factories = _factories(trees, makers)
    sites: list[Site] = []
    dynamic: list[DynamicSite] = []
    for module, tree in trees.items():
        local = {**makers, **factories.get(module, {}), **_imported(tree, module, factories)}
        forwarding = _forwarding_calls(tree, local)
        constants = _constants(tree)
        for call in _calls(tree):
            name = _called_name(call)
            if _is_type_call(call):
                dynamic.append(DynamicSite(module, call.lineno, "type(...)", ast.unparse(call)))
                continue
            maker = local.get(name) if name else None
            if maker is None or id(call) in forwarding:
                continue
            if maker.fixed is not None:
                sites.append(Site(maker.fixed, maker.error_class, module, call.lineno))
                continue
            argument = _code_argument(call, maker)
            if argument is None or (isinstance(argument, ast.Constant) and argument.value is None):
                continue  # a result without a code (a passed check)
            if maker.repeats and isinstance(argument, ast.Attribute) and argument.attr == "code":
                continue  # repeats a code made (and scanned) where that error was raised
            codes = _literals(argument, constants)
            if codes is None:
                expression = ast.unparse(argument) if argument is not None else "<missing>"
                dynamic.append(DynamicSite(module, call.lineno, maker.error_class, expression))
            else:
                sites.extend(Site(c, maker.error_class, module, call.lineno) for c in codes)
    defined = {name: module for name, (module, _) in classes.items()}
    for error_class, _ in CODE_CARRIERS.values():
        for module, tree in trees.items():
            if error_class not in defined and any(
                isinstance(n, ast.ClassDef) and n.name == error_class for n in tree.body
            ):
                defined[error_class] = module
    return Scan(
        tuple(sorted(sites, key=lambda s: (s.code, s.module, s.line))),
        tuple(sorted(dynamic, key=lambda d: (d.module, d.line))),
        dict(sorted(defined.items())),
    )


def _error_classes(trees: Mapping[str, ast.Module]) -> dict[str, tuple[str, ast.ClassDef]]:
    defined: dict[str, tuple[str, ast.ClassDef]] = {}
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, (module, node))
    errors = {BASE_CLASS} & set(defined)
    grew = True
    while grew:
        grew = False
        for name, (_, node) in defined.items():
            if name not in errors and any(_base_name(b) in errors for b in node.bases):
                errors.add(name)
                grew = True
    return {name: defined[name] for name in sorted(errors)}


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _class_maker(
    name: str, node: ast.ClassDef, classes: Mapping[str, tuple[str, ast.ClassDef]]
) -> _Maker:
    """How ``name(...)`` takes its code: from its own ``__init__``, else its base's."""
    init = next(
        (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
    )
    if init is None:
        base = next((_base_name(b) for b in node.bases if _base_name(b) in classes), None)
        if base is None:
            return _Maker(name, 0, "code")
        inherited = _class_maker(base, classes[base][1], classes)
        return _Maker(name, inherited.position, inherited.keyword, fixed=inherited.fixed)
    for call in _calls(init):
        if _called_name(call) == "__init__" and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return _Maker(name, None, None, fixed=first.value)
    params = [a.arg for a in init.args.posonlyargs + init.args.args][1:]  # without self
    position = params.index("code") if "code" in params else None
    return _Maker(name, position, "code")


def _factories(
    trees: Mapping[str, ast.Module], makers: Mapping[str, _Maker]
) -> dict[str, dict[str, _Maker]]:
    """``{module: {function name: maker}}`` for functions that pass a parameter on as a code."""
    found: dict[str, dict[str, _Maker]] = {}
    grew = True
    while grew:  # a helper may call another helper
        grew = False
        for module, tree in trees.items():
            local = {**makers, **found.get(module, {}), **_imported(tree, module, found)}
            for function in _plain_functions(tree):
                if function.name in found.get(module, {}):
                    continue
                maker = _as_factory(function, local)
                if maker is not None:
                    found.setdefault(module, {})[function.name] = maker
                    grew = True
    return found


def _as_factory(function: ast.FunctionDef, makers: Mapping[str, _Maker]) -> _Maker | None:
    positional = [a.arg for a in function.args.posonlyargs + function.args.args]
    defaults = dict(zip(reversed(positional), reversed(function.args.defaults)))
    keyword_only = {
        a.arg: d for a, d in zip(function.args.kwonlyargs, function.args.kw_defaults)
    }
    for call in _calls(function):
        maker = makers.get(_called_name(call) or "")
        if maker is None or maker.fixed is not None:
            continue
        argument = _code_argument(call, maker)
        if not isinstance(argument, ast.Name):
            continue
        param = argument.id
        if param in positional:
            return _Maker(maker.error_class, positional.index(param), param, defaults.get(param),
                          repeats=maker.repeats)
        if param in keyword_only:
            return _Maker(maker.error_class, None, param, keyword_only[param],
                          repeats=maker.repeats)
    return None


def _forwarding_calls(tree: ast.Module, makers: Mapping[str, _Maker]) -> set[int]:
    """The calls inside helpers that pass the helper's own parameter on (counted at its callers)."""
    forwarding = set()
    for function in _functions(tree):
        params = {a.arg for a in function.args.posonlyargs + function.args.args
                  + function.args.kwonlyargs}
        for call in _calls(function):
            maker = makers.get(_called_name(call) or "")
            if maker is None or maker.fixed is not None:
                continue
            argument = _code_argument(call, maker)
            if isinstance(argument, ast.Name) and argument.id in params:
                forwarding.add(id(call))
    return forwarding


def _imported(
    tree: ast.Module, module: str, factories: Mapping[str, Mapping[str, _Maker]]
) -> dict[str, _Maker]:
    """The helpers ``module`` imports by name from other modules (``from .x import _err``)."""
    out = {}
    package = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                if alias.name in factories.get(source, {}):
                    out[alias.asname or alias.name] = factories[source][alias.name]
    return out


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node  # type: ignore[misc]


def _plain_functions(tree: ast.AST) -> Iterator[ast.FunctionDef]:
    """The functions that are not methods (a method's callers pass ``self`` unseen)."""
    methods = {id(node) for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef)
               for node in cls.body}
    return (f for f in _functions(tree) if id(f) not in methods)


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_type_call(call: ast.Call) -> bool:
    """``type(x)(...)``: an error of whatever class ``x`` has, with a code the scan cannot see."""
    inner = call.func
    return (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
            and inner.func.id == "type")


def _code_argument(call: ast.Call, maker: _Maker) -> ast.expr | None:
    if maker.position is not None and len(call.args) > maker.position:
        return call.args[maker.position]
    for keyword in call.keywords:
        if keyword.arg == maker.keyword:
            return keyword.value
    return maker.default


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's names bound once, at the top level, to a literal string."""
    bound: dict[str, list[ast.expr]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
    return {name: values[0].value for name, values in bound.items()
            if len(values) == 1 and isinstance(values[0], ast.Constant)
            and isinstance(values[0].value, str)}


def _literals(node: ast.expr | None, constants: Mapping[str, str]) -> tuple[str, ...] | None:
    """The codes ``node`` can evaluate to, if each is written out; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Name) and node.id in constants:
        return (constants[node.id],)
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body, constants), _literals(node.orelse, constants)
        if body is not None and orelse is not None:
            return body + orelse
    return None


def codes_by_class(sites: Iterable[Site]) -> dict[str, set[str]]:
    """``{code: {error classes}}`` over ``sites``."""
    out: dict[str, set[str]] = {}
    for site in sites:
        out.setdefault(site.code, set()).add(site.error_class)
    return out


def catalogue_problems(sites: Iterable[Site], catalogue: Mapping[str, Any]) -> list[str]:
    """What is wrong between the ``sites`` found and a ``catalogue`` of ``{code: entry}``.

    Each entry has ``error_class`` and ``raised_in`` (module names). A code must be
    raised by one class only, be catalogued with that class and exactly the
    modules that raise it, and every catalogued code must be raised somewhere.
    """
    found: dict[str, dict[str, set[str]]] = {}
    for site in sites:
        found.setdefault(site.code, {}).setdefault(site.error_class, set()).add(site.module)
    problems = []
    for code, classes in sorted(found.items()):
        modules = set().union(*classes.values())
        if len(classes) > 1:
            named = "; ".join(f"{c} in {', '.join(sorted(m))}" for c, m in sorted(classes.items()))
            problems.append(f"{code}: raised by {len(classes)} classes ({named})")
        entry = catalogue.get(code)
        if entry is None:
            problems.append(f"{code}: raised by {', '.join(sorted(classes))} in"
                            f" {', '.join(sorted(modules))}, but not in the catalogue")
            continue
        for error_class, where in sorted(classes.items()):
            if error_class != entry.error_class:
                problems.append(f"{code}: raised by {error_class} in {', '.join(sorted(where))},"
                                f" catalogued as {entry.error_class}")
        if set(entry.raised_in) != modules:
            problems.append(f"{code}: raised in {', '.join(sorted(modules))}, catalogued as"
                            f" raised in {', '.join(entry.raised_in)}")
    problems += [f"{code}: catalogued, but never raised" for code in sorted(catalogue)
                 if code not in found]
    return problems
