"""One community ID or a DID per co-op: what co-ops that compare notes can link."""

from __future__ import annotations

import copy

import pytest

from coopcreds_proto.ecosystem.pairwise import (
    CHOICES,
    KINDS,
    choice_costs,
    compare_choices,
    correlations,
    identifiers_shown,
    linkable,
    sample_views,
)
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential

COOPS = ("Hillside Housing", "Riverside Food", "Valley Energy")
STATUS_LIST = "https://issuer.example/status/1"


def _did(label: str) -> str:
    return Ed25519Key.generate(SeededRandom(f"pairwise/{label}")).did


def _credential(subject: str, credential_id: str, index: int) -> dict:
    credential = sample_membership_credential(sample_actors())
    credential["id"] = credential_id
    credential["credentialSubject"]["id"] = subject
    credential["credentialStatus"] = {
        "id": f"{STATUS_LIST}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": STATUS_LIST,
    }
    return credential


def _presentation(holder: str, credential: dict) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [credential],
        "proof": {"verificationMethod": f"{holder}#{holder.removeprefix('did:key:')}"},
    }


def _shown(choice: str) -> dict[str, list[dict]]:
    """What each co-op was shown, under each of the member's choices."""
    if choice == CHOICES[0]:  # one common ID, one credential
        common = _did("common")
        credential = _credential(common, "urn:uuid:common", 1001)
        return {coop: [_presentation(common, credential)] for coop in COOPS}
    shown = {}
    for n, coop in enumerate(COOPS):
        did = _did(coop)
        if choice == CHOICES[1]:  # a copy per DID, same id and status entry
            credential = _credential(did, "urn:uuid:common", 1001)
        else:  # re-issued per co-op with its own id and status index
            credential = _credential(did, f"urn:uuid:{n}", 2000 + 37 * n)
        shown[coop] = [_presentation(did, credential)]
    return shown


def _links(choice: str) -> dict[str, bool]:
    table = linkable(_shown(choice))
    return dict(zip(table["kind"], table["links"]))


def test_a_common_community_id_links_every_visit() -> None:
    shown = _shown(CHOICES[0])
    assert _links(CHOICES[0]) == dict.fromkeys(KINDS, True)
    table = correlations(shown)
    did_row = table[table["kind"] == "DID"].iloc[0]
    assert did_row["value"] == _did("common") and did_row["coops"] == 3
    assert did_row["seen_by"] == ", ".join(COOPS)
    assert (linkable(shown)["pairs_linked"] == 3).all()


def test_pairwise_dids_with_one_credential_still_link_by_its_id_and_status() -> None:
    links = _links(CHOICES[1])
    assert links == {"DID": False, "credential id": True, "status entry": True, "claims": True}
    values = set(correlations(_shown(CHOICES[1]))["value"])
    assert "urn:uuid:common" in values and f"{STATUS_LIST} index 1001" in values
    assert not any(v.startswith("did:") for v in values)


def test_pairwise_dids_with_credentials_reissued_per_coop_link_only_by_claims() -> None:
    links = _links(CHOICES[2])
    assert links == {"DID": False, "credential id": False, "status entry": False, "claims": True}
    # Claims that differ (a co-op-specific credential) link nothing at all.
    shown = _shown(CHOICES[2])
    for n, (coop, documents) in enumerate(shown.items()):
        documents[0]["verifiableCredential"][0]["credentialSubject"]["membershipNumber"] = str(n)
    assert correlations(shown).empty
    assert not linkable(shown)["links"].any()


def test_one_coop_alone_links_nothing() -> None:
    only = {COOPS[0]: _shown(CHOICES[0])[COOPS[0]] * 2}
    assert correlations(only).empty
    assert linkable(only)["pairs"].tolist() == [0, 0, 0, 0]


def test_what_a_bare_credential_shows() -> None:
    credential = _credential("did:key:z6Mkmember", "urn:uuid:x", 7)
    shown = identifiers_shown(credential)
    kinds = [kind for kind, _ in shown]
    assert kinds == ["credential id", "DID", "claims", "status entry"]
    assert ("status entry", f"{STATUS_LIST} index 7") in shown
    # The list URL alone (shared by every member on it) is not an identifier.
    other = copy.deepcopy(credential)
    other["credentialStatus"]["statusListIndex"] = "8"
    assert set(identifiers_shown(other)) & set(shown) == {
        ("credential id", "urn:uuid:x"),
        ("DID", "did:key:z6Mkmember"),
        (
            "claims",
            dict(shown)["claims"],
        ),
    }


def test_what_each_choice_costs() -> None:
    costs = choice_costs(3).set_index("choice")
    assert costs.loc[CHOICES[0], "DIDs and keys to keep"] == 1
    assert costs.loc[CHOICES[2], "DIDs and keys to keep"] == 3
    assert costs.loc[CHOICES[1], "status entries to revoke"] == 1
    assert costs.loc[CHOICES[2], "status entries to revoke"] == 3
    assert costs["credentials to issue"].tolist() == [1, 3, 3]
    # What the table says is still linkable matches what the analysis finds.
    for choice in CHOICES:
        found = [kind for kind, links in _links(choice).items() if links]
        assert costs.loc[choice, "co-ops can still link by"] == ", ".join(found)
    with pytest.raises(ValueError):
        choice_costs(0)


def test_the_sample_views_and_the_comparison_table_agree() -> None:
    table = compare_choices().set_index("choice")
    assert list(table.index) == list(CHOICES)
    assert table.loc[CHOICES[0], list(KINDS)].tolist() == ["yes"] * 4
    assert table.loc[CHOICES[1], list(KINDS)].tolist() == ["no", "yes", "yes", "yes"]
    assert table.loc[CHOICES[2], list(KINDS)].tolist() == ["no", "no", "no", "yes"]
    for choice in CHOICES:
        found = linkable(sample_views(choice))
        assert [("yes" if v else "no") for v in found["links"]] == table.loc[
            choice, list(KINDS)
        ].tolist()
    # Deterministic: the same seed gives the same views.
    assert sample_views(CHOICES[2]) == sample_views(CHOICES[2])
    assert sample_views(CHOICES[2], seed="other") != sample_views(CHOICES[2])
    with pytest.raises(ValueError):
        sample_views("no choice at all")
