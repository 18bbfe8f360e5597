"""The ecosystem models, defined once as data (``data/ecosystem/models/*.json``).

Each model says who issues, verifies, accredits and runs the trust registry,
which nodes are trust anchors, how long an accreditation chain may be, how
bodies recognise each other, how many bilateral agreements co-ops make, and
the cost parameters. :func:`coopcreds_proto.ecosystem.graph.build_graph` wires
a model over an :class:`~coopcreds_proto.ecosystem.data.Ecosystem`; a trust
registry can load the same definitions.

>>> sorted(MODEL_IDS)
['convenor', 'federated', 'hybrid', 'peer-to-peer']
>>> hub = load_model("convenor")
>>> hub.topology, hub.roles.issuer, hub.trust.max_chain_length
('hub', 'convenor', 1)

Fields (JSON)
-------------
``id``, ``name``, ``summary``; ``topology``: ``hub`` | ``federated`` | ``mesh`` | ``hybrid``;
``roles``: ``issuer`` (convenor | cooperative), ``verifier`` (convenor | cooperative),
``registry`` (convenor | apex-body | cooperative), ``accreditor`` (convenor | apex-body | none);
``trust``: ``anchors`` (list of convenor | apex-body | cooperative), ``max_chain_length``
(accreditation hops, 0-5), ``body_recognition`` (none | all-pairs: bodies accept each
other's accreditations), ``transitive_recognition`` (bool), ``bilateral_agreements``
(``full-mesh`` or partners per co-op, an integer >= 0); ``costs``: ``currency``,
``issuer_per_year``, ``verifier_per_year``, ``registry_per_year``, ``agreement_once``,
``agreement_per_year``, ``onboarding_once`` (numbers >= 0), ``sharing`` (equal | by-members);
optional ``governance`` (what a trust registry needs, see
:mod:`coopcreds_proto.ecosystem.trust_registry_for_model`): ``framework`` and ``did`` (templates in which
``{party}`` is replaced by a co-op or body id: the governance framework URL a party
anchors and the party's DID), ``credential_types`` (the types accredited, a non-empty
list), ``accreditation_days`` and ``recognition_days`` (validity, whole days >= 1).

>>> load_model("federated").governance.framework
'https://{party}.coopcreds.example/governance'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bounded_read import read_bounded
from ..errors import InputError
from .data import default_data_dir

MODEL_IDS = ("convenor", "federated", "peer-to-peer", "hybrid")
MAX_MODEL_FILE_BYTES = 1_000_000
TOPOLOGIES = ("hub", "federated", "mesh", "hybrid")
ISSUERS = ("convenor", "cooperative")
VERIFIERS = ("convenor", "cooperative")
REGISTRIES = ("convenor", "apex-body", "cooperative")
ACCREDITORS = ("convenor", "apex-body", "none")
ANCHORS = ("convenor", "apex-body", "cooperative")
BODY_RECOGNITION = ("none", "all-pairs")
SHARING = ("equal", "by-members")
COST_FIELDS = (
    "issuer_per_year",
    "verifier_per_year",
    "registry_per_year",
    "agreement_once",
    "agreement_per_year",
    "onboarding_once",
)
FULL_MESH = "full-mesh"
PARTY = "{party}"


@dataclass(frozen=True)
class Roles:
    """Who issues member credentials, verifies them, runs the registry, accredits."""

    issuer: str
    verifier: str
    registry: str
    accreditor: str


@dataclass(frozen=True)
class TrustRules:
    """Anchors, chain length, recognition between bodies and between co-ops."""

    anchors: tuple[str, ...]
    max_chain_length: int
    body_recognition: str
    transitive_recognition: bool
    bilateral_agreements: int | str  # partners per co-op, or FULL_MESH


@dataclass(frozen=True)
class CostParameters:
    """Running and negotiation costs of a model (per year or once, in ``currency``)."""

    currency: str
    issuer_per_year: float
    verifier_per_year: float
    registry_per_year: float
    agreement_once: float
    agreement_per_year: float
    onboarding_once: float
    sharing: str


@dataclass(frozen=True)
class Governance:
    """What a trust registry needs: framework and DID templates, types, validity."""

    framework: str
    did: str
    credential_types: tuple[str, ...]
    accreditation_days: int
    recognition_days: int

    def framework_of(self, party: str) -> str:
        """The governance framework URL that ``party`` anchors."""
        return self.framework.replace(PARTY, party)

    def did_of(self, party: str) -> str:
        """The DID of ``party`` (a co-op or body id)."""
        return self.did.replace(PARTY, party)


DEFAULT_GOVERNANCE = Governance(
    framework="https://{party}.coopcreds.example/governance",
    did="did:web:{party}.coopcreds.example",
    credential_types=("CooperativeMembershipCredential",),
    accreditation_days=365,
    recognition_days=730,
)


@dataclass(frozen=True)
class EcosystemModel:
    """One ecosystem model as loaded from its JSON definition."""

    id: str
    name: str
    summary: str
    topology: str
    roles: Roles
    trust: TrustRules
    costs: CostParameters
    source: str = "<memory>"
    governance: Governance | None = None

    def with_changes(self, **trust_or_costs: Any) -> EcosystemModel:
        """A copy with some trust or cost fields changed (e.g. ``bilateral_agreements=4``)."""
        data = model_to_dict(self)
        for key, value in trust_or_costs.items():
            if key in data["trust"]:
                data["trust"][key] = value
            elif key in data["costs"]:
                data["costs"][key] = value
            else:
                raise InputError("model-bad-field", f"no trust or cost field {key!r}", path=key)
        return parse_model(data, source=self.source)


def models_dir() -> Path:
    """The bundled model definitions (``data/ecosystem/models``)."""
    return default_data_dir() / "models"


def _bad(source: str, field: str, message: str) -> InputError:
    return InputError("model-bad-field", f"{source}: field {field!r}: {message}", path=field)


def _get(data: Any, field: str, source: str) -> Any:
    node = data
    for part in field.split("."):
        if not isinstance(node, dict) or part not in node:
            raise _bad(source, field, "missing")
        node = node[part]
    return node


def _choice(data: Any, field: str, allowed: tuple[str, ...], source: str) -> str:
    value = _get(data, field, source)
    if value not in allowed:
        raise _bad(source, field, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _number(data: Any, field: str, source: str, *, low: float = 0.0, high: float | None = None) -> float:
    value = _get(data, field, source)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(source, field, f"expected a number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise _bad(source, field, f"expected a number {bounds}, got {value!r}")
    return value


def _text(data: Any, field: str, source: str) -> str:
    value = _get(data, field, source)
    if not isinstance(value, str) or not value.strip():
        raise _bad(source, field, "expected a non-empty string")
    return value


def _template(data: Any, field: str, prefix: str, source: str) -> str:
    value = _text(data, field, source)
    if PARTY not in value or not value.startswith(prefix) or any(c.isspace() for c in value):
        raise _bad(source, field, f"expected a template starting {prefix!r} containing {PARTY}")
    return value


def _days(data: Any, field: str, source: str) -> int:
    value = _get(data, field, source)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(source, field, f"expected whole days >= 1, got {value!r}")
    return value


def parse_governance(data: Any, source: str) -> Governance | None:
    """The optional ``governance`` block of a model definition (``None`` if absent)."""
    if not isinstance(data, dict) or "governance" not in data:
        return None
    types = _get(data, "governance.credential_types", source)
    if not isinstance(types, list) or not types \
            or not all(isinstance(t, str) and t.strip() for t in types):
        raise _bad(source, "governance.credential_types", "expected a non-empty list of names")
    return Governance(
        framework=_template(data, "governance.framework", "https://", source),
        did=_template(data, "governance.did", "did:", source),
        credential_types=tuple(types),
        accreditation_days=_days(data, "governance.accreditation_days", source),
        recognition_days=_days(data, "governance.recognition_days", source),
    )


def parse_model(data: Any, *, source: str = "<memory>") -> EcosystemModel:
    """Validate a model definition (a dict as in the JSON files) and build it."""
    if not isinstance(data, dict):
        raise InputError("model-not-object", f"{source}: a model definition is a JSON object")
    anchors = _get(data, "trust.anchors", source)
    if not isinstance(anchors, list) or not anchors or any(a not in ANCHORS for a in anchors):
        raise _bad(source, "trust.anchors", f"expected a non-empty list of {', '.join(ANCHORS)}")
    agreements = _get(data, "trust.bilateral_agreements", source)
    if agreements != FULL_MESH and (
        isinstance(agreements, bool) or not isinstance(agreements, int) or agreements < 0
    ):
        raise _bad(
            source, "trust.bilateral_agreements", f"expected {FULL_MESH!r} or an integer >= 0"
        )
    transitive = _get(data, "trust.transitive_recognition", source)
    if not isinstance(transitive, bool):
        raise _bad(source, "trust.transitive_recognition", "expected true or false")
    chain = _number(data, "trust.max_chain_length", source, high=5)
    if chain != int(chain):
        raise _bad(source, "trust.max_chain_length", "expected a whole number")
    return EcosystemModel(
        id=_text(data, "id", source),
        name=_text(data, "name", source),
        summary=_text(data, "summary", source),
        topology=_choice(data, "topology", TOPOLOGIES, source),
        roles=Roles(
            issuer=_choice(data, "roles.issuer", ISSUERS, source),
            verifier=_choice(data, "roles.verifier", VERIFIERS, source),
            registry=_choice(data, "roles.registry", REGISTRIES, source),
            accreditor=_choice(data, "roles.accreditor", ACCREDITORS, source),
        ),
        trust=TrustRules(
            anchors=tuple(anchors),
            max_chain_length=int(chain),
            body_recognition=_choice(data, "trust.body_recognition", BODY_RECOGNITION, source),
            transitive_recognition=transitive,
            bilateral_agreements=agreements,
        ),
        costs=CostParameters(
            currency=_text(data, "costs.currency", source),
            sharing=_choice(data, "costs.sharing", SHARING, source),
            **{name: float(_number(data, f"costs.{name}", source)) for name in COST_FIELDS},
        ),
        source=source,
        governance=parse_governance(data, source),
    )


def model_to_dict(model: EcosystemModel) -> dict[str, Any]:
    """The JSON-ready definition of ``model`` (inverse of :func:`parse_model`)."""
    data = {
        "id": model.id,
        "name": model.name,
        "summary": model.summary,
        "topology": model.topology,
        "roles": dict(vars(model.roles)),
        "trust": {**vars(model.trust), "anchors": list(model.trust.anchors)},
        "costs": dict(vars(model.costs)),
    }
    if model.governance is not None:
        data["governance"] = {**vars(model.governance),
                              "credential_types": list(model.governance.credential_types)}
    return data


def load_model(name_or_path: str | os.PathLike[str]) -> EcosystemModel:
    """Load a bundled model by id (``convenor``, ``federated``, ``peer-to-peer``, ``hybrid``)
    or a model file by path. Unknown ids raise InputError ``model-unknown``."""
    text_name = str(name_or_path)
    path = Path(text_name)
    if text_name in MODEL_IDS or (not path.suffix and not path.exists()):
        path = models_dir() / f"{text_name}.json"
        if not path.is_file():
            raise InputError(
                "model-unknown",
                f"unknown ecosystem model {text_name!r} (known: {', '.join(MODEL_IDS)})",
                path="model",
            )
    if not path.is_file():
        raise InputError("model-file-missing", f"no model file {path}", path=str(path))
    try:
        data = json.loads(read_bounded(path, MAX_MODEL_FILE_BYTES, what="model file"))
    except json.JSONDecodeError as exc:
        raise InputError("not-json", f"{path.name}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    return parse_model(data, source=path.name)


def load_models() -> dict[str, EcosystemModel]:
    """All bundled models by id, in the order of :data:`MODEL_IDS`."""
    return {model_id: load_model(model_id) for model_id in MODEL_IDS}
