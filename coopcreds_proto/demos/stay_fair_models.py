"""The Stay Fair / Play Fair visit under each ecosystem model: who issues, who is trusted.

The same festival visit (Sam presents their membership credential at Stay
Fair) is run under each model of ``data/ecosystem/models``:
:func:`~coopcreds_proto.ecosystem.trust_registry_for_model.registry_for_model` builds the model's
accreditations and recognitions over a small ecosystem of the scenario's
co-ops and bodies (:func:`festival_ecosystem`); every one of them is signed
by its author and loaded verified with
:func:`~coopcreds_proto.trust.accreditation.load_trust`. Sam's credential is issued
by the model's issuer for the music co-op (``ModelTrust.issuer_for``) and Stay
Fair trusts the model's frameworks for it (``ModelTrust.frameworks``).

>>> import tempfile
>>> from coopcreds_proto.demos.stay_fair import build_world
>>> with tempfile.TemporaryDirectory() as tmp:
...     table = compare_models(build_world(tmp), ["convenor", "peer-to-peer"])
>>> table[["model", "issuer", "decision"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'model': 'Industry-body convenor', 'issuer': 'Co-op Industry Body', 'decision': 'granted'},
 {'model': 'Peer-to-peer bilateral', 'issuer': 'Indie Music Co-operative', 'decision': 'refused'}]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd

from ..ecosystem.data import Ecosystem, validate_ecosystem
from ..ecosystem.models import MODEL_IDS, EcosystemModel, load_model, model_to_dict, parse_model
from ..ecosystem.trust_registry_for_model import ModelTrust, registry_for_model
from ..errors import InputError
from ..trust.accreditation import issue_accreditation, issue_recognition, load_trust
from ..trust.registry import Recognition
from ..trust.revocation_log import RevocationLog
from ..vc.credentials import issuer_id
from .stay_fair import (
    ACCREDITED,
    APEX_OF,
    BODIES,
    COOPS,
    FESTIVAL,
    ISSUED,
    VERIFIERS,
    Visit,
    World,
    counter,
    in_names,
    membership_credential,
    visit,
)

UTC = timezone.utc
AGREEMENT_UNTIL = datetime(2028, 1, 1, tzinfo=UTC)


def festival_ecosystem() -> Ecosystem:
    """The three co-ops, the industry body and two apex federations, as an ``Ecosystem``.

    >>> festival_ecosystem().n_coops
    3
    """
    coops = pd.DataFrame(
        [{"id": c, "name": n, "sector": s, "region": "scotland", "coop_type": t, "members": m,
          "founded": 2010 + i, "platform": False}
         for i, (c, (n, s, t, m)) in enumerate(COOPS.items())])
    bodies = pd.DataFrame([{"id": b, "name": n, "kind": k, "sector": s, "region": "scotland"}
                           for b, (n, k, s) in BODIES.items()])
    affiliations = pd.DataFrame({"coop_id": list(APEX_OF), "body_id": list(APEX_OF.values())})
    segments = pd.DataFrame({"id": [f"s-{c}" for c in COOPS],
                             "count": [m for *_, m in COOPS.values()]})
    memberships = pd.DataFrame({"segment_id": [f"s-{c}" for c in COOPS], "coop_id": list(COOPS)})
    sectors = [s for _, s, _, _ in COOPS.values()]
    flows = pd.DataFrame([[0.4, 0.3, 0.3]] * 3, index=pd.Index(sectors, name="sector"),
                         columns=sectors)
    return validate_ecosystem(Ecosystem(coops, bodies, affiliations, segments, memberships, flows,
                                        source="stay-fair festival"))


def festival_model(model_id: str) -> EcosystemModel:
    """Model ``model_id`` as defined in ``data/ecosystem/models``, with the scenario's names
    (``did:web:{party}.example``, framework ``https://{party}.example/governance``).

    In peer-to-peer, the festival starts before any bilateral agreement is signed
    (``bilateral_agreements`` 0); ``model_outcome(..., agreement=True)`` adds one.
    """
    if model_id not in MODEL_IDS:
        raise InputError("unknown-model", f"no model {model_id!r}; there are"
                         f" {', '.join(MODEL_IDS)}", path="model")
    data = model_to_dict(load_model(model_id))
    data["governance"].update(did="did:web:{party}.example",
                              framework="https://{party}.example/governance")
    if data["topology"] == "mesh":
        data["trust"]["bilateral_agreements"] = 0
    return parse_model(data, source=f"{model_id} (festival names)")


@dataclass(frozen=True)
class ModelOutcome:
    """Sam at Stay Fair during the festival under one ecosystem model.

    ``issuer`` is the DID that signed Sam's credential in this model,
    ``frameworks`` those Stay Fair trusts, ``trust_chain`` the decision
    report's trust-chain line (the chain found, or why there is none) and
    ``visit`` the whole visit with its decision.
    """

    model: str
    model_name: str
    agreement: bool
    issuer: str
    issuer_name: str
    frameworks: tuple[str, ...]
    trust_chain: str
    visit: Visit = field(repr=False)

    @property
    def granted(self) -> bool:
        return self.visit.decision.granted

    @property
    def reason(self) -> str:
        """The benefit granted, or the first reason for refusing, in registry names."""
        decision = self.visit.decision
        if decision.granted and decision.benefit is not None:
            return decision.benefit.describe()
        return decision.reasons[0] if decision.reasons else "the policy was not met"

    def row(self) -> dict:
        """One row of ``compare_models``, parties named as the model's registry knows them."""
        label = self.model_name + (" + Stay Fair / Indie Music agreement" if self.agreement
                                   else "")
        names = self.visit.trust.registry.names
        chain = in_names(self.trust_chain, names) if self.granted else "no chain found"
        return {"model": label, "issuer": self.issuer_name, "trust chain": chain,
                "decision": "granted" if self.granted else "refused",
                "reason": in_names(self.reason, names)}


def _model_trust_credentials(world: World, trust: ModelTrust,
                             agreement: bool) -> dict[str, dict]:
    """Every accreditation and recognition the model implies, signed by its author."""
    reg = trust.registry
    docs: dict[str, dict] = {}
    for acc in reg.accreditations:
        docs[acc.id] = issue_accreditation(acc, world.key_of(acc.accreditor), now=ACCREDITED)
    recognitions = list(reg.recognitions)
    if agreement:
        mine, theirs = (trust.frameworks[c][-1] for c in ("stayfair", "indiemusic"))
        recognitions += [Recognition(a, b, valid_from=ACCREDITED,
                                     valid_until=AGREEMENT_UNTIL,
                                     credential_types=frozenset({trust.credential_type}),
                                     id=f"urn:coopcreds:agreement:{a}:{b}")
                         for a, b in ((mine, theirs), (theirs, mine))]
    for rec in recognitions:
        anchor = min(reg.anchors.get(rec.recogniser, frozenset()))
        docs[rec.id or rec.recogniser] = issue_recognition(rec, world.key_of(anchor),
                                                           now=ACCREDITED)
    return docs


def model_outcome(world: World, model_id: str, *, agreement: bool = False,
                  at: datetime = FESTIVAL) -> ModelOutcome:
    """Sam's festival visit to Stay Fair under ecosystem model ``model_id``.

    The model's registry (``registry_for_model`` over ``festival_ecosystem``)
    is signed as credentials and loaded verified; Sam's membership credential
    is issued by ``issuer_for["indiemusic"]`` and Stay Fair trusts
    ``frameworks["stayfair"]``. With ``agreement`` (peer-to-peer), Stay Fair
    and the music co-op sign a bilateral recognition first.
    """
    model = festival_model(model_id)
    trust = registry_for_model(model, festival_ecosystem(), at=ACCREDITED,
                               convenor="industrybody")
    if agreement and model.topology != "mesh":
        raise InputError("agreement-needs-peer-to-peer", "a bilateral agreement is added only"
                         " in the peer-to-peer model", path="agreement")
    docs = _model_trust_credentials(world, trust, agreement)
    load = load_trust(docs, anchors=trust.registry.anchors, names=trust.registry.names,
                      now=ACCREDITED, registry=world.registry, revocation_log=RevocationLog())
    issuer = trust.issuer_for["indiemusic"]
    issuer_key = world.keys[issuer]
    credential = membership_credential(issuer_key, world.member.did,
                                       self_name=_name_of(issuer), issued=ISSUED,
                                       seed=f"model/{model_id}")
    frameworks = trust.frameworks["stayfair"]
    policy = dataclasses.replace(VERIFIERS["stayfair"].policy, frameworks=frameworks)
    seen = visit(world, counter("stayfair", at=at), credentials=[credential], policy=policy,
                 trust=load)
    chain = next(r.reason for r in seen.report.rows if r.section == "Trust chain")
    return ModelOutcome(model.id, model.name, agreement, issuer_id(credential) or "",
                        _name_of(issuer), frameworks, chain, seen)


def _name_of(party: str) -> str:
    return {**{c: v[0] for c, v in COOPS.items()}, **{b: v[0] for b, v in BODIES.items()}}[party]


def compare_models(world: World, models: Iterable[str] = ("convenor", "federated",
                                                          "peer-to-peer", "hybrid"),
                   *, agreement: bool = False, at: datetime = FESTIVAL) -> pd.DataFrame:
    """One row per model: who issued, the trust chain, granted or refused, and why."""
    rows = [model_outcome(world, m, agreement=agreement and festival_model(m).topology == "mesh",
                          at=at).row() for m in models]
    return pd.DataFrame(rows, columns=["model", "issuer", "trust chain", "decision", "reason"])


__all__ = ["AGREEMENT_UNTIL", "ModelOutcome", "compare_models", "festival_ecosystem",
           "festival_model", "model_outcome"]
