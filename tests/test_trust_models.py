"""The ecosystem models as data the trust registry loads, agreeing with the graphs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import networkx as nx
import pytest

from coopcreds_proto.ecosystem.generator import generate_ecosystem
from coopcreds_proto.ecosystem.graph import (
    ACCREDITS,
    COOPERATIVE,
    ISSUES_FOR,
    RECOGNISES,
    build_graph,
)
from coopcreds_proto.ecosystem.models import (
    DEFAULT_GOVERNANCE,
    MODEL_IDS,
    EcosystemModel,
    load_model,
    model_to_dict,
    parse_model,
)
from coopcreds_proto.ecosystem.trust_registry_for_model import registry_for_model
from coopcreds_proto.errors import InputError
from coopcreds_proto.trust.registry import Recognition

UTC = timezone.utc
START = datetime(2026, 1, 1, tzinfo=UTC)
AT = datetime(2026, 6, 1, tzinfo=UTC)
ECO = generate_ecosystem(40, seed=7)
PARTICIPANTS = list(ECO.coops["id"])[:32]
APEX_OF = {c: b for c, b in zip(ECO.affiliations["coop_id"], ECO.affiliations["body_id"])
           if b.startswith("apex")}


def graph_recognised(G: nx.MultiDiGraph, model: EcosystemModel, member_of: str,
                     at_coop: str) -> bool:
    """The graph's reading: does ``at_coop`` accept credentials for ``member_of``'s members?"""
    issuer = member_of if G.nodes[member_of]["issuer"] else next(
        (u for u, _, k in G.in_edges(member_of, keys=True) if k == ISSUES_FOR), None)
    if issuer is None:
        return False
    trusted = {v for _, v, k in G.out_edges(at_coop, keys=True) if k == RECOGNISES}
    frontier = {x for x in trusted if G.nodes[x]["kind"] != COOPERATIVE}
    while frontier:  # bodies accept each other's accreditations
        step = {v for x in frontier for _, v, k in G.out_edges(x, keys=True)
                if k == RECOGNISES} - trusted
        trusted |= step
        frontier = step if model.trust.transitive_recognition else set()
    accredits = nx.DiGraph([(u, v) for u, v, k in G.edges(keys=True) if k == ACCREDITS])
    for x in trusted:
        if x == issuer:
            return True
        if x in accredits and issuer in nx.single_source_shortest_path_length(
                accredits, x, cutoff=model.trust.max_chain_length):
            return True
    return False


def variants() -> list[EcosystemModel]:
    models = [load_model(m) for m in MODEL_IDS]
    return [*models, load_model("federated").with_changes(bilateral_agreements=2),
            load_model("peer-to-peer").with_changes(bilateral_agreements=3),
            load_model("federated").with_changes(transitive_recognition=True)]


@pytest.mark.parametrize("model", variants(), ids=lambda m: f"{m.id}-{m.trust.bilateral_agreements}")
def test_registry_from_a_model_agrees_with_its_graph(model: EcosystemModel) -> None:
    G = build_graph(ECO, model, participants=PARTICIPANTS)
    trust = registry_for_model(model, ECO, at=START, participants=PARTICIPANTS)
    coops = list(ECO.coops["id"])
    yes = 0
    for a in coops:
        for b in coops:
            if a == b:
                continue
            by_graph = graph_recognised(G, model, a, b)
            answer = trust.recognised(a, b, AT)
            assert answer.trusted == by_graph, (model.id, a, b, answer.explain())
            yes += by_graph
    assert 0 < yes < len(coops) * (len(coops) - 1)  # the comparison is not trivial


def test_convenor_issues_for_everyone_under_its_framework() -> None:
    trust = registry_for_model(load_model("convenor"), ECO, at=START)
    hub = next(iter(ECO.bodies_of_kind("industry")["id"]))
    answer = trust.recognised("coop-01", "coop-02", AT)
    assert answer.trusted and answer.chain[0].subject == trust.dids[hub]
    assert answer.framework == DEFAULT_GOVERNANCE.framework_of(hub)
    assert trust.registry.name_of(trust.dids[hub]) == ECO.bodies.set_index("id").loc[hub, "name"]


def test_federated_chain_starts_with_the_apex_recognition() -> None:
    model = load_model("federated")
    trust = registry_for_model(model, ECO, at=START)
    pairs = [(a, b) for a in trust.issuer_for for b in trust.frameworks
             if a in APEX_OF and b in APEX_OF and trust.frameworks[b]
             and set(trust.frameworks[a]).isdisjoint(trust.frameworks[b])]
    a, b = pairs[0]
    answer = trust.recognised(a, b, AT)
    assert answer.trusted and isinstance(answer.chain[0], Recognition)
    assert not answer.chain[0].transitive
    # The agreements end: the same query a few years on is refused, with the reason.
    late = trust.recognised(a, b, START + timedelta(days=800))
    assert not late.trusted and "expired" in "\n".join(late.reasons)


def test_peer_to_peer_recognition_is_bilateral_and_not_transitive() -> None:
    model = load_model("peer-to-peer").with_changes(bilateral_agreements=2)
    trust = registry_for_model(model, ECO, at=START)
    reg = trust.registry
    # Find x -> y -> z with no agreement between x and z.
    for rec in reg.recognitions:
        onward = [r for r in reg.recognitions if r.recogniser == rec.recognised
                  and r.recognised != rec.recogniser]
        far = [r.recognised for r in onward if not reg.recognises(rec.recogniser, r.recognised,
                                                                  AT).trusted]
        if far:
            answer = reg.recognises(rec.recogniser, far[0], AT)
            assert "not transitive unless the recognising framework says so" in answer.reasons[-1]
            return
    pytest.fail("no chain of two agreements in the generated ecosystem")


def test_hybrid_federations_keep_working_without_the_convenor() -> None:
    trust = registry_for_model(load_model("hybrid"), ECO, at=START)
    hub = next(iter(ECO.bodies_of_kind("industry")["id"]))
    a, b = next((a, b) for a in trust.issuer_for for b in trust.issuer_for
                if a != b and a in APEX_OF and APEX_OF.get(a) == APEX_OF.get(b))
    assert trust.recognised(a, b, AT).framework == DEFAULT_GOVERNANCE.framework_of(hub)
    gone = trust.registry
    for acc in gone.accreditations:
        if acc.accreditor == trust.dids[hub]:
            gone = gone.with_revocation(acc.id, START)
    answer = gone.trusted(trust.dids[a], trust.credential_type, trust.frameworks[b], AT)
    assert answer.trusted and answer.framework == DEFAULT_GOVERNANCE.framework_of(APEX_OF[a])
    assert not gone.trusted(trust.dids[a], trust.credential_type,
                            [DEFAULT_GOVERNANCE.framework_of(hub)], AT).trusted


def test_governance_block_round_trips_and_is_validated() -> None:
    data = model_to_dict(load_model("hybrid"))
    assert data["governance"]["credential_types"] == ["CooperativeMembershipCredential"]
    assert model_to_dict(parse_model(data)) == data
    for field, value in [("framework", "https://fixed.example"), ("did", "web:{party}"),
                         ("credential_types", []), ("accreditation_days", 0)]:
        bad = model_to_dict(load_model("hybrid"))
        bad["governance"][field] = value
        with pytest.raises(InputError) as err:
            parse_model(bad, source="bad.json")
        assert err.value.path == f"governance.{field}"
    del data["governance"]
    assert "governance" not in model_to_dict(parse_model(data))  # optional, not invented


def test_unknown_participant_and_naive_time_are_refused() -> None:
    with pytest.raises(InputError):
        registry_for_model(load_model("convenor"), ECO, at=START, participants=["coop-x"])
    with pytest.raises(InputError):
        registry_for_model(load_model("convenor"), ECO, at=datetime(2026, 1, 1))
