"""Growth scenarios: an ecosystem model, adoption parameters and the co-ops they run on.

A scenario file (JSON, or YAML with a ``.yaml``/``.yml`` name) holds one
scenario object or ``{"scenarios": [...]}``::

    {
      "name": "convenor-baseline",
      "description": "An industry body convenes from day one.",
      "model": "convenor",
      "years": 10,
      "runs": 50,
      "seed": 2026,
      "ecosystem": {"data": "default"},
      "params": {"innovation": 0.003, "imitation": 0.08, "agreement_rate": 0.5},
      "model_changes": {"bilateral_agreements": 4},
      "sweep": {"model": ["convenor", "peer-to-peer"], "params.imitation": [0.04, 0.08]}
    }

``model`` is an ecosystem model id of ``data/ecosystem/models/`` (``convenor``,
``federated``, ``peer-to-peer``, ``hybrid``); ``params`` are the fields of
:class:`~coopcreds_proto.ecosystem.simulation.GrowthParams` (rates per month;
the probabilities must lie in [0, 1]); ``ecosystem`` is ``{"data": DIR}`` (a
directory of ecosystem CSV files, relative to the scenario file; ``default``
is the bundled set), ``{"generated": {"coops": N, "seed": K}}`` (the calibrated
generator) or ``{"synthetic": {"coops": N, "sectors": S, "federations": F,
"seed": K}}`` (bare arrays); ``model_changes`` overrides trust fields of
the model definition; ``sweep`` expands into one scenario per combination.
Without ``seed`` a fresh one is drawn and kept in the scenario, so every
result can be reproduced.

Every problem is an ``InputError`` naming the file and the field: a
:class:`ScenarioError` when the file does not describe scenarios (a missing,
unknown or mistyped field), else the error of the value itself (an unknown
model, a probability above one):

>>> parse_scenarios({"name": "x", "model": "hub", "seed": 1})
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: <memory>: unknown ecosystem model 'hub' (expected one of convenor, federated, peer-to-peer, hybrid) (at $.model)
>>> parse_scenarios({"name": "x", "model": "convenor", "seed": 1, "params": {"imitation": 1.5}})
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: <memory>: params.imitation is a probability, got 1.5 > 1 (at $.params.imitation)
>>> parse_scenarios({"name": "x", "model": "convenor", "colour": "red"})
Traceback (most recent call last):
...
coopcreds_proto.ecosystem.scenarios.ScenarioError: <memory>: unknown field 'colour' (expected one of name, description, model, years, runs, seed, ecosystem, params, model_changes, sweep) (at $.colour)
"""

from __future__ import annotations

import functools
import itertools
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError
from ..safe_json import loads_strict
from .data import default_data_dir, load_ecosystem
from .generator import generate_ecosystem
from .models import MODEL_IDS, load_model
from .simulation import (
    EcosystemArrays,
    GrowthParams,
    RecognitionRules,
    SimulationInputs,
    ecosystem_arrays,
    rules_for_model,
    synthetic_ecosystem,
)

SCENARIO_FIELDS = (
    "name", "description", "model", "years", "runs", "seed", "ecosystem", "params",
    "model_changes", "sweep",
)
PARAM_FIELDS = tuple(f.name for f in fields(GrowthParams) if f.name != "months")
SYNTHETIC_FIELDS = ("coops", "sectors", "federations", "seed")
MAX_YEARS = 100
MAX_RUNS = 1_000_000
MAX_SCENARIO_FILE_BYTES = 1_000_000


class ScenarioError(InputError):
    """A scenario file that does not describe scenarios (a missing, unknown or mistyped
    field, a value out of its range); ``path`` names the field."""


def model_ids() -> tuple[str, ...]:
    """The ecosystem model ids a scenario may name (from ``data/ecosystem/models``)."""
    return tuple(MODEL_IDS)


@dataclass(frozen=True)
class EcosystemSource:
    """Where a scenario's co-ops come from.

    ``kind`` is ``data`` (CSV files in ``data_dir``; ``default`` = the bundled
    set), ``generated`` (the calibrated generator, ``coops`` and ``seed``) or
    ``synthetic`` (bare arrays: ``coops``, ``sectors``, ``federations``, ``seed``;
    quick, for tests and benchmarks).

    >>> EcosystemSource.synthetic(30, seed=4).arrays().n_coops
    30
    """

    kind: str = "data"
    data_dir: str | None = "default"
    coops: int = 0
    sectors: int = 8
    federations: int = 6
    seed: int = 0

    @classmethod
    def synthetic(cls, coops: int, *, sectors: int = 8, federations: int = 6, seed: int) -> (
        EcosystemSource
    ):
        return cls("synthetic", None, coops, sectors, federations, seed)

    @classmethod
    def generated(cls, coops: int, *, seed: int) -> EcosystemSource:
        return cls("generated", None, coops, seed=seed)

    @classmethod
    def data(cls, directory: str = "default") -> EcosystemSource:
        return cls("data", directory)

    def arrays(self) -> EcosystemArrays:
        """The co-ops as simulation arrays (cached: sweeps share one ecosystem)."""
        return _arrays(self)

    def describe(self) -> str:
        if self.kind == "data":
            return f"data {self.data_dir}"
        return f"{self.kind} {self.coops} co-ops, seed {self.seed}"


@functools.lru_cache(maxsize=16)
def _arrays(source: EcosystemSource) -> EcosystemArrays:
    if source.kind == "synthetic":
        return synthetic_ecosystem(
            source.coops, n_sectors=source.sectors, n_groups=source.federations,
            seed=source.seed,
        )
    if source.kind == "generated":
        return ecosystem_arrays(generate_ecosystem(source.coops, seed=source.seed))
    directory = default_data_dir() if source.data_dir == "default" else Path(str(source.data_dir))
    return ecosystem_arrays(load_ecosystem(directory))


@dataclass(frozen=True)
class Scenario:
    """One growth scenario: what to simulate, how often, with which seed.

    >>> s = Scenario("demo", "convenor", GrowthParams(months=24),
    ...              EcosystemSource.synthetic(40, seed=1), runs=3, seed=7)
    >>> s.inputs().n_coops, s.params.months
    (40, 24)
    """

    name: str
    model: str
    params: GrowthParams
    ecosystem: EcosystemSource
    runs: int = 20
    seed: int = field(default_factory=lambda: fresh_seed())
    description: str = ""
    model_changes: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.model not in model_ids():
            raise InputError(
                "unknown-model",
                f"unknown ecosystem model {self.model!r} (expected one of "
                f"{', '.join(model_ids())})",
                path="model",
            )
        if isinstance(self.runs, bool) or not isinstance(self.runs, int) or self.runs < 1:
            raise InputError("bad-runs", f"runs must be a positive integer, got {self.runs!r}",
                             path="runs")

    def rules(self) -> RecognitionRules:
        """The recognition rules of this scenario's model (with its model changes)."""
        return _rules(self.model, self.model_changes)

    def inputs(self) -> SimulationInputs:
        """The arrays the simulation runs on (the ecosystem seen through the model)."""
        return _inputs(self.ecosystem, self.model, self.model_changes)

    def with_params(self, name: str | None = None, **changes: Any) -> Scenario:
        """A copy with some growth parameters changed (validated)."""
        params = _growth_params(replace_dict(self.params, changes), "<memory>", "$.params")
        return replace(self, params=params, name=name or self.name)


def replace_dict(params: GrowthParams, changes: Mapping[str, Any]) -> dict[str, Any]:
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    for key in changes:
        if key not in values:
            raise ScenarioError("unknown-field", f"no growth parameter {key!r}",
                                path=f"$.params.{key}")
    values.update(changes)
    return values


def fresh_seed() -> int:
    """A new random seed (128 bits of OS entropy): kept in the scenario for reproducibility."""
    return secrets.randbits(128)


@functools.lru_cache(maxsize=64)
def _rules(model: str, changes: tuple[tuple[str, Any], ...]) -> RecognitionRules:
    definition = load_model(model)
    if changes:
        definition = definition.with_changes(
            **{k: list(v) if isinstance(v, tuple) else v for k, v in changes}
        )
    return rules_for_model(definition)


@functools.lru_cache(maxsize=64)
def _inputs(
    source: EcosystemSource, model: str, changes: tuple[tuple[str, Any], ...]
) -> SimulationInputs:
    return SimulationInputs.build(source.arrays(), _rules(model, changes))


# --- parsing -----------------------------------------------------------------


def _err(source: str, code: str, path: str, message: str) -> ScenarioError:
    return ScenarioError(code, f"{source}: {message}", path=path)


def _number(value: Any, source: str, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _err(source, "bad-type", path, f"{path[2:]} must be a number, got {value!r}")
    return float(value)


def _int(value: Any, source: str, path: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _err(source, "bad-type", path, f"{path[2:]} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise _err(source, "out-of-range", path, f"{path[2:]} must be in [{low}, {high}]")
    return value


def _object(value: Any, source: str, path: str, allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _err(source, "bad-type", path, f"{path[2:] or 'a scenario'} must be an object")
    for key in value:
        if key not in allowed:
            raise _err(source, "unknown-field", f"{path}.{key}",
                       f"unknown field {key!r} (expected one of {', '.join(allowed)})")
    return value


def _growth_params(values: Mapping[str, Any], source: str, path: str) -> GrowthParams:
    """GrowthParams from a mapping, with errors naming the field (e.g. $.params.imitation)."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "months":
            clean[key] = value
            continue
        number = _number(value, source, f"{path}.{key}")
        if number < 0:
            raise InputError("negative-rate", f"{source}: {path[2:]}.{key} must be >= 0, got {value}",
                             path=f"{path}.{key}")
        clean[key] = number
    try:
        return GrowthParams(**clean)
    except InputError as exc:
        message = exc.message.replace(exc.path or "", f"{path[2:]}.{exc.path}", 1)
        raise exc.with_message(f"{source}: {message}").with_path(f"{path}.{exc.path}") from None


def _ecosystem(value: Any, source: str, base_dir: Path | None) -> EcosystemSource:
    spec = _object(value, source, "$.ecosystem", ("data", "generated", "synthetic"))
    if len(spec) != 1:
        raise _err(source, "bad-ecosystem", "$.ecosystem",
                   "ecosystem must have exactly one of 'data', 'generated' or 'synthetic'")
    if "data" in spec:
        directory = spec["data"]
        if not isinstance(directory, str) or not directory:
            raise _err(source, "bad-type", "$.ecosystem.data", "ecosystem.data must be a path")
        if directory != "default" and base_dir is not None and not os.path.isabs(directory):
            directory = str((base_dir / directory).resolve())
        return EcosystemSource.data(directory)
    kind = next(iter(spec))
    allowed = SYNTHETIC_FIELDS if kind == "synthetic" else ("coops", "seed")
    p = f"$.ecosystem.{kind}."
    synth = _object(spec[kind], source, p[:-1], allowed)
    if "coops" not in synth:
        raise _err(source, "scenario-field-missing", p + "coops",
                   f"ecosystem.{kind}.coops is required")
    coops = _int(synth["coops"], source, p + "coops", low=1, high=10_000_000)
    seed = _int(synth.get("seed", 0), source, p + "seed", low=0, high=2**128)
    if kind == "generated":
        return EcosystemSource.generated(coops, seed=seed)
    return EcosystemSource.synthetic(
        coops, seed=seed,
        sectors=_int(synth.get("sectors", 8), source, p + "sectors", low=1, high=1000),
        federations=_int(synth.get("federations", 6), source, p + "federations", low=1,
                         high=100_000),
    )


def _one(data: Any, source: str, base_dir: Path | None) -> list[Scenario]:
    doc = _object(data, source, "$", SCENARIO_FIELDS)
    for required in ("name", "model"):
        if required not in doc:
            raise _err(source, "scenario-field-missing", f"$.{required}", f"{required} is required")
    name = doc["name"]
    if not isinstance(name, str) or not name.strip():
        raise _err(source, "bad-type", "$.name", "name must be a non-empty string")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise _err(source, "bad-type", "$.description", "description must be a string")
    years = _int(doc.get("years", 10), source, "$.years", low=1, high=MAX_YEARS)
    runs = _int(doc.get("runs", 20), source, "$.runs", low=1, high=MAX_RUNS)
    seed = _int(doc["seed"], source, "$.seed", low=0, high=2**128) if "seed" in doc else (
        fresh_seed()
    )
    params_doc = _object(doc.get("params", {}), source, "$.params", PARAM_FIELDS)
    params = _growth_params({**params_doc, "months": 12 * years}, source, "$.params")
    ecosystem = _ecosystem(doc.get("ecosystem", {"data": "default"}), source, base_dir)
    changes_doc = doc.get("model_changes", {})
    if not isinstance(changes_doc, dict):
        raise _err(source, "bad-type", "$.model_changes", "model_changes must be an object")
    # Frozen (lists as tuples) so that scenarios stay hashable and cacheable.
    changes = tuple(sorted(
        (k, tuple(v) if isinstance(v, list) else v) for k, v in changes_doc.items()
    ))

    def build(model: Any, params: GrowthParams, label: str) -> Scenario:
        if not isinstance(model, str) or model not in model_ids():
            raise InputError("unknown-model", f"{source}: unknown ecosystem model {model!r}"
                             f" (expected one of {', '.join(model_ids())})",
                             path="$.model" if not label else "$.sweep.model")
        scenario = Scenario(
            name=f"{name}{label}", model=model, params=params, ecosystem=ecosystem, runs=runs,
            seed=seed, description=description, model_changes=changes,
        )
        try:
            scenario.rules()
        except CoopCredsError as exc:
            where = f"$.model_changes.{exc.path}" if exc.path else "$.model_changes"
            raise exc.with_context(source).with_path(where) from None
        return scenario

    if "sweep" not in doc:
        return [build(doc["model"], params, "")]
    sweep = _object(doc["sweep"], source, "$.sweep",
                    ("model", *(f"params.{f}" for f in PARAM_FIELDS)))
    axes: list[tuple[str, list[Any]]] = []
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise _err(source, "bad-sweep", f"$.sweep.{key}",
                       f"sweep.{key} must be a non-empty list")
        axes.append((key, values))
    out = []
    for combo in itertools.product(*(values for _, values in axes)):
        model, changes_now = doc["model"], {}
        for (key, _), value in zip(axes, combo):
            if key == "model":
                model = value
            else:
                changes_now[key.split(".", 1)[1]] = value
        label = "[" + ",".join(f"{k.split('.')[-1]}={v}" for (k, _), v in zip(axes, combo)) + "]"
        swept = _growth_params(
            {**{f.name: getattr(params, f.name) for f in fields(params)}, **changes_now},
            source, "$.sweep",
        ) if changes_now else params
        out.append(build(model, swept, label))
    return out


def parse_scenarios(
    data: Any, *, source: str = "<memory>", base_dir: str | os.PathLike[str] | None = None
) -> tuple[Scenario, ...]:
    """Scenarios from a parsed document (one object, or ``{"scenarios": [...]}``), sweeps expanded."""
    base = Path(base_dir) if base_dir is not None else None
    if isinstance(data, dict) and "scenarios" in data:
        if set(data) != {"scenarios"} or not isinstance(data["scenarios"], list) or not (
            data["scenarios"]
        ):
            raise _err(source, "bad-type", "$.scenarios",
                       "a scenario list is {\"scenarios\": [...]} with at least one scenario")
        out: list[Scenario] = []
        for i, item in enumerate(data["scenarios"]):
            try:
                out.extend(_one(item, source, base))
            except CoopCredsError as exc:
                path = f"$.scenarios[{i}]" + (exc.path or "$")[1:]
                message = exc.message.replace(f"(at {exc.path})", "")
                raise exc.with_message(message).with_path(path) from None
    else:
        out = _one(data, source, base)
    names = [s.name for s in out]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise InputError("duplicate-scenario", f"{source}: two scenarios are named {duplicate!r}",
                         path="$.name")
    return tuple(out)


def load_scenarios(path: str | os.PathLike[str]) -> tuple[Scenario, ...]:
    """Read a scenario file (JSON, or YAML for ``.yaml``/``.yml``), validated, sweeps expanded."""
    path = Path(path)
    try:
        text = read_bounded(path, MAX_SCENARIO_FILE_BYTES, what="scenario file").decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError("scenario-file-missing", f"no scenario file {str(path)!r}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError("scenario-unreadable", f"{path}: cannot read ({exc})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f"line {line + 1}" if line is not None else None
            raise InputError("not-yaml", f"{path}: not valid YAML", path=where) from None
    else:
        try:
            data = loads_strict(text)
        except CoopCredsError as exc:
            raise exc.with_context(str(path)) from None
    return parse_scenarios(data, source=str(path), base_dir=path.parent)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """The one scenario of a file (error if it holds several)."""
    scenarios = load_scenarios(path)
    if len(scenarios) != 1:
        raise ScenarioError("several-scenarios",
                            f"{path}: holds {len(scenarios)} scenarios, expected one")
    return scenarios[0]


def scenarios_dir() -> Path:
    """The bundled example scenarios (``data/ecosystem/scenarios``)."""
    return Path(str(resources.files("coopcreds_proto.data") / "ecosystem" / "scenarios"))
