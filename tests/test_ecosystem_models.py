"""Ecosystem model definitions, costs and the generator's calibration."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from coopcreds_proto.ecosystem.costs import (
    agreements_for,
    cost_breakdown,
    cost_per_coop,
    counts_for,
    onboarding_cost,
    scaling_table,
)
from coopcreds_proto.ecosystem.data import load_ecosystem, member_incidence
from coopcreds_proto.ecosystem.generator import (
    OVERLAP_SHARE,
    PEOPLE_PER_COOP,
    PLATFORM_SHARE,
    REGION_WEIGHTS,
    SECTOR_WEIGHTS,
    generate_ecosystem,
)
from coopcreds_proto.ecosystem.graph import build_graph
from coopcreds_proto.ecosystem.models import (
    MODEL_IDS,
    load_model,
    load_models,
    model_to_dict,
    models_dir,
    parse_model,
)
from coopcreds_proto.errors import InputError


def test_bundled_models_round_trip():
    for model_id, model in load_models().items():
        assert model.id == model_id
        raw = json.loads((models_dir() / f"{model_id}.json").read_text())
        assert model_to_dict(model) == raw
        assert parse_model(model_to_dict(model)) == parse_model(raw)
    assert set(MODEL_IDS) == {p.stem for p in models_dir().glob("*.json")}


@pytest.mark.parametrize(
    "field, value",
    [("topology", "star"), ("roles.issuer", "anyone"), ("trust.max_chain_length", 9),
     ("costs.issuer_per_year", -1), ("trust.bilateral_agreements", -2),
     ("trust.anchors", []), ("costs.sharing", "random")],
)
def test_bad_model_names_the_field(field, value):
    data = model_to_dict(load_model("federated"))
    section, _, key = field.rpartition(".")
    (data[section] if section else data)[key] = value
    with pytest.raises(InputError) as info:
        parse_model(data, source="bad.json")
    assert info.value.path == field
    assert f"bad.json: field '{field}'" in str(info.value)


def test_unknown_model_and_missing_field():
    with pytest.raises(InputError) as info:
        load_model("star")
    assert info.value.code == "model-unknown"
    data = model_to_dict(load_model("convenor"))
    del data["costs"]["onboarding_once"]
    with pytest.raises(InputError, match="costs.onboarding_once"):
        parse_model(data)


def test_hub_agreements_grow_linearly_mesh_quadratically():
    hub, mesh = load_model("convenor"), load_model("peer-to-peer")
    sizes = [10, 20, 40, 80]
    hub_counts = [agreements_for(hub, n) for n in sizes]
    mesh_counts = [agreements_for(mesh, n) for n in sizes]
    assert hub_counts == sizes  # one agreement per co-op with the convenor
    assert all(b / a > 3.8 for a, b in itertools.pairwise(mesh_counts))
    # Onboarding one more co-op: constant for the hub, growing for the mesh.
    assert onboarding_cost(hub, 10) == onboarding_cost(hub, 500)
    assert onboarding_cost(mesh, 500) > 40 * onboarding_cost(mesh, 10) / 4
    table = scaling_table(load_models(), [10, 100])
    assert set(table["model"]) == set(MODEL_IDS) and len(table) == 8


def test_graph_counts_match_closed_forms_when_everyone_is_affiliated():
    eco = load_ecosystem()
    in_apex = set(eco.affiliations[eco.affiliations["body_id"].str.startswith("apex")]["coop_id"])
    participants = [c for c in eco.coops["id"] if c in in_apex]
    for model in load_models().values():
        G = build_graph(eco, model, participants=participants)
        counts = cost_breakdown(G)
        expected = counts_for(model, len(participants), n_apex=4)
        for key in ("issuers", "verifiers", "registries", "agreements"):
            assert counts[key] == expected[key], (model.id, key)
        shares = cost_per_coop(G)
        assert shares["running_per_year"].sum() == pytest.approx(counts["running_per_year"])


def test_generator_is_deterministic_per_seed():
    a, b, c = (generate_ecosystem(300, seed=s) for s in (11, 11, 12))
    for field in ("coops", "bodies", "affiliations", "segments", "memberships"):
        assert getattr(a, field).equals(getattr(b, field))
    assert not a.memberships.equals(c.memberships)


def test_generator_matches_its_calibration():
    eco = generate_ecosystem(20_000, seed=5)
    assert eco.n_members == round(20_000 * PEOPLE_PER_COOP)
    shares = eco.coops["sector"].value_counts(normalize=True)
    for sector, weight in SECTOR_WEIGHTS.items():
        assert abs(shares.get(sector, 0) - weight) < 0.02, sector
    regions = eco.coops["region"].value_counts(normalize=True)
    for region, weight in REGION_WEIGHTS.items():
        assert abs(regions[region] - weight) < 0.02, region
    inc = member_incidence(eco)
    in_two = inc.counts[np.diff(inc.matrix.indptr) == 2].sum() / eco.n_members
    assert abs(in_two - OVERLAP_SHARE) < 0.15 * OVERLAP_SHARE
    assert PLATFORM_SHARE == pytest.approx(506 / 3_000_000)
    knob = generate_ecosystem(5_000, seed=5, platform_share=0.05)
    assert abs(knob.coops["platform"].mean() - 0.05) < 0.01
    assert (knob.coops.loc[knob.coops["platform"], "sector"] == "platform-services").all()


def test_generator_refuses_bad_settings():
    with pytest.raises(InputError, match="overlap"):
        generate_ecosystem(10, seed=1, overlap=1.5)
    with pytest.raises(InputError, match="n_members"):
        generate_ecosystem(10, 5, seed=1)


def test_bundled_data_is_the_documented_default_set():
    from coopcreds_proto.ecosystem.data import ecosystem_files, load_ecosystem
    from coopcreds_proto.ecosystem.generator import DEFAULT_SET, default_set

    assert ecosystem_files(default_set()) == ecosystem_files(load_ecosystem())
    readme = (models_dir().parent / "README.md").read_text()
    assert f"seed {DEFAULT_SET['seed']}" in readme


def test_running_costs_shared_by_members():
    eco = load_ecosystem()
    G = build_graph(eco, load_model("convenor").with_changes(sharing="by-members"))
    shares = cost_per_coop(G).set_index("coop")
    total = cost_breakdown(G)["running_per_year"]
    biggest = eco.coops.set_index("id")["members"].idxmax()
    members = eco.coops.set_index("id")["members"]
    expected = total * members[biggest] / members.sum()  # memberships, not people
    assert shares.loc[biggest, "running_per_year"] == pytest.approx(expected)
    assert shares["running_per_year"].sum() == pytest.approx(total)
