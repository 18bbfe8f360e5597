"""A trust registry from an ecosystem model: the same definition the network graphs use.

:func:`registry_for_model` reads an :class:`~coopcreds_proto.ecosystem.models.EcosystemModel`
(its topology, trust rules and ``governance`` block) over an
:class:`~coopcreds_proto.ecosystem.data.Ecosystem` and builds the accreditations,
anchors and recognitions it implies:

- **convenor** (hub): the industry body anchors one framework, accredits itself
  to issue, and issues on behalf of every participating co-op; every co-op
  trusts that framework.
- **federated**: each apex body anchors its own framework and accredits its
  co-ops to issue; with ``body_recognition: all-pairs`` each apex framework
  recognises every other (transitively only if ``transitive_recognition``);
  a co-op trusts its own apex bodies' frameworks.
- **peer-to-peer** (mesh): each co-op anchors its own framework, accredits
  itself, and recognises its partners' frameworks by bilateral agreement.
- **hybrid**: the convenor anchors a framework and accredits the apex bodies
  to accredit; apex bodies accredit their co-ops under both the convenor's and
  their own framework; the convenor issues for co-ops without an apex body.

Bilateral agreements in any model become co-op framework recognitions, paired
by the same rule as the graph. :func:`~coopcreds_proto.ecosystem.graph.build_graph`
wires the same model into edges; a test checks both say the same.

>>> from datetime import datetime, timezone
>>> from coopcreds_proto.ecosystem import load_ecosystem, load_model
>>> eco = load_ecosystem()
>>> trust = registry_for_model(load_model("convenor"), eco, at=datetime(2026, 1, 1, tzinfo=timezone.utc))
>>> trust.dids["coop-01"]
'did:web:coop-01.coopcreds.example'
>>> trust.recognised("coop-01", "coop-02", datetime(2026, 6, 1, tzinfo=timezone.utc)).trusted
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from ..errors import InputError
from ..trust.registry import (
    ACCREDIT,
    ISSUE,
    Accreditation,
    Recognition,
    TrustAnswer,
    TrustRegistry,
)
from .data import Ecosystem
from .graph import (
    apex_bodies_of,
    bilateral_partners,
    needed_convenor,
    participating,
    pick_convenor,
)
from .models import DEFAULT_GOVERNANCE, FULL_MESH, EcosystemModel


@dataclass(frozen=True)
class ModelTrust:
    """A model's trust registry and who is who in it.

    ``dids``: party id (co-op or body) -> DID; ``frameworks``: participating
    co-op -> the frameworks it trusts as a verifier; ``issuer_for``: co-op ->
    the party that issues its members' credentials (absent: nobody does).
    """

    model_id: str
    registry: TrustRegistry
    dids: Mapping[str, str]
    frameworks: Mapping[str, tuple[str, ...]]
    issuer_for: Mapping[str, str]
    credential_type: str

    def recognised(self, member_of: str, at_coop: str, at: datetime) -> TrustAnswer:
        """Is a member credential of co-op ``member_of`` trusted at co-op ``at_coop`` at ``at``?"""
        issuer = self.issuer_for.get(member_of)
        if issuer is None:
            return TrustAnswer(False, (), ((f"nobody issues member credentials for {member_of}"
                                           f" in the {self.model_id} model"),))
        frameworks = self.frameworks.get(at_coop, ())
        if not frameworks:
            return TrustAnswer(False, (), ((f"{at_coop} trusts no governance framework in the"
                                           f" {self.model_id} model"),))
        return self.registry.trusted(self.dids[issuer], self.credential_type, frameworks, at)


class _Builder:
    """Collects anchors, accreditations and recognitions with unique ids."""

    def __init__(self, model: EcosystemModel, at: datetime) -> None:
        self.gov = model.governance or DEFAULT_GOVERNANCE
        self.types = frozenset(self.gov.credential_types)
        self.start = at
        self.until = at + timedelta(days=self.gov.accreditation_days)
        self.rec_until = at + timedelta(days=self.gov.recognition_days)
        self.anchors: dict[str, set[str]] = {}
        self.accs: dict[str, Accreditation] = {}
        self.recs: dict[tuple[str, str], Recognition] = {}

    def framework(self, party: str) -> str:
        fw = self.gov.framework_of(party)
        self.anchors.setdefault(fw, set()).add(self.gov.did_of(party))
        return fw

    def accredit(self, by: str, subject: str, fw: str, permissions: frozenset[str],
                 max_chain: int = 0) -> None:
        acc_id = f"urn:coopcreds:accreditation:{fw}:{by}:{subject}"
        self.accs.setdefault(acc_id, Accreditation(
            id=acc_id, accreditor=self.gov.did_of(by), subject=self.gov.did_of(subject),
            framework=fw, permissions=permissions, credential_types=self.types,
            valid_from=self.start, valid_until=self.until, max_chain=max_chain))

    def recognise(self, g: str, h: str, transitive: bool) -> None:
        self.recs.setdefault((g, h), Recognition(
            g, h, transitive, valid_from=self.start, valid_until=self.rec_until,
            credential_types=self.types, id=f"urn:coopcreds:recognition:{g}:{h}"))


def registry_for_model(
    model: EcosystemModel,
    eco: Ecosystem,
    *,
    at: datetime,
    participants: Iterable[str] | None = None,
    convenor: str | None = None,
) -> ModelTrust:
    """The trust registry ``model`` implies over ``eco``; accreditations and
    recognitions are valid from ``at`` for the model's ``governance`` periods.

    ``participants`` and ``convenor`` mean what they mean for ``build_graph``.
    """
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InputError("bad-timestamp", f"at must be an aware datetime, got {at!r}", path="at")
    chosen = participating(eco, participants)
    picked = pick_convenor(eco, convenor)
    topology = model.topology
    # Hub and hybrid models are convened by an industry body; the others have none.
    hub = needed_convenor(model, picked) if topology in ("hub", "hybrid") else None
    b = _Builder(model, at)
    apexes = list(eco.bodies_of_kind("apex")["id"])
    apex_of = apex_bodies_of(eco)
    frameworks: dict[str, list[str]] = {c: [] for c in chosen}
    issuer_for: dict[str, str] = {}
    below = max(model.trust.max_chain_length - 1, 0)

    if hub is not None:
        hub_fw = b.framework(hub)
        b.accredit(hub, hub, hub_fw, frozenset({ISSUE}))  # an anchor issues only if accredited
        for coop in chosen:
            frameworks[coop].append(hub_fw)
            if topology == "hub" or not apex_of.get(coop):
                issuer_for[coop] = hub
    if topology in ("federated", "hybrid"):
        for apex in apexes:
            apex_fw = b.framework(apex)
            if hub is not None:
                b.accredit(hub, apex, hub_fw, frozenset({ACCREDIT}), max_chain=below)
        for coop in chosen:
            for apex in apex_of.get(coop, []):
                apex_fw = b.gov.framework_of(apex)
                b.accredit(apex, coop, apex_fw, frozenset({ISSUE}))
                if hub is not None:
                    b.accredit(apex, coop, hub_fw, frozenset({ISSUE}))
                frameworks[coop].append(apex_fw)
                issuer_for[coop] = coop
        if model.trust.body_recognition == "all-pairs":
            for x in apexes:
                for y in apexes:
                    if x != y:
                        b.recognise(b.gov.framework_of(x), b.gov.framework_of(y),
                                    model.trust.transitive_recognition)
    if topology == "mesh":
        for coop in chosen:
            issuer_for[coop] = coop

    def own_framework(coop: str) -> str:
        fw = b.framework(coop)
        b.accredit(coop, coop, fw, frozenset({ISSUE}))
        if fw not in frameworks[coop]:
            frameworks[coop].append(fw)
        return fw

    if topology == "mesh":
        for coop in chosen:
            own_framework(coop)
    agreements = model.trust.bilateral_agreements
    if agreements:
        issuers = [c for c in chosen if issuer_for.get(c) == c]
        if agreements == FULL_MESH:
            pairs = [(x, y) for i, x in enumerate(issuers) for y in issuers[i + 1:]]
        else:
            # The graph's own pairing rule, so both consumers of the model agree.
            pairs = bilateral_partners(eco, issuers, int(agreements)).tolist()
        for x, y in pairs:
            fx, fy = own_framework(x), own_framework(y)
            b.recognise(fx, fy, False)  # bilateral agreements are never transitive
            b.recognise(fy, fx, False)

    names: dict[str, str] = {}
    for ident, name in [*zip(eco.coops["id"], eco.coops["name"]),
                        *zip(eco.bodies["id"], eco.bodies["name"])]:
        names[b.gov.did_of(ident)] = name
        if b.gov.framework_of(ident) in b.anchors:
            names[b.gov.framework_of(ident)] = f"{name} governance framework"
    registry = TrustRegistry(
        anchors={fw: frozenset(dids) for fw, dids in b.anchors.items()},
        accreditations=tuple(b.accs.values()), recognitions=tuple(b.recs.values()), names=names)
    parties = [*eco.coops["id"], *eco.bodies["id"]]
    return ModelTrust(
        model_id=model.id,
        registry=registry,
        dids=MappingProxyType({p: b.gov.did_of(p) for p in parties}),
        frameworks=MappingProxyType({c: tuple(fws) for c, fws in frameworks.items()}),
        issuer_for=MappingProxyType(issuer_for),
        credential_type=b.gov.credential_types[0],
    )


__all__ = ["ModelTrust", "registry_for_model"]
