"""Readable rendering: credential cards, DID document tables and credential diffs."""

from __future__ import annotations

import copy

import pytest

from coopcreds_proto.did_key import resolve_did_key
from coopcreds_proto.display.cards import (
    ABSENT,
    Change,
    compare_credentials,
    credential_card,
    did_document_view,
)
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import SAMPLE_CREATED, sample_actors, sample_membership_credential
from coopcreds_proto.wording import short_did


@pytest.fixture(scope="module")
def actors():
    return sample_actors()


@pytest.fixture(scope="module")
def unsigned(actors):
    return sample_membership_credential(actors)


@pytest.fixture(scope="module")
def signed(actors, unsigned):
    return issue(unsigned, actors.coop, created=SAMPLE_CREATED)


# --- credential card ---------------------------------------------------------------


def test_card_text_reads_well(signed, actors):
    text = str(credential_card(signed))
    assert text == repr(credential_card(signed))
    for piece in (
        "Co-operative membership",
        "Riverside Food Co-operative",
        actors.coop.did,  # the text version keeps the full DID
        actors.member.did,
        "Membership number  RFC-00042",
        "Member of          Riverside Food Co-operative Ltd",
        "Voting rights      Yes",
        "Member since       14 March 2019",
        "Roles              member, board director",
        "from 15 January 2026 until 15 January 2027",
        "eddsa-rdfc-2022, created 15 January 2026, 09:00 UTC",
    ):
        assert piece in text, piece
    # No JSON: no braces, no raw keys, no ISO timestamps.
    assert "{" not in text and "membershipNumber" not in text and "2026-01-15T" not in text


def test_card_html_shortens_dids_with_full_title(signed, actors):
    page = credential_card(signed)._repr_html_()
    did = actors.coop.did
    assert f'title="{did}"' in page
    assert f">{short_did(did)}<" in page
    assert f">{did}<" not in page  # shown shortened, not in full
    for piece in (
        "Co-operative membership",
        ">Membership number</th>",
        ">RFC-00042</td>",
        ">Yes<",
        "15 January 2027",
        "eddsa-rdfc-2022",
    ):
        assert piece in page, piece


def test_card_of_unsigned_credential_says_so(unsigned):
    card = credential_card(unsigned)
    assert card.proofs == ()
    assert "not signed" in str(card)
    assert "not signed" in card._repr_html_()


def test_card_escapes_html(unsigned):
    hostile = copy.deepcopy(unsigned)
    hostile["credentialSubject"]["memberName"] = "<script>alert('x')</script>"
    hostile["issuer"]["name"] = "Evil & <b>Co</b>"
    hostile["issuer"]["id"] = "did:example:'onmouseover='alert(1)"
    page = credential_card(hostile)._repr_html_()
    assert "<script>" not in page and "<b>Co</b>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Evil &amp; &lt;b&gt;Co&lt;/b&gt;" in page
    assert 'title="did:example:&#39;onmouseover=&#39;alert(1)"' in page
    # The text version shows the value as written.
    assert "<script>alert('x')</script>" in str(credential_card(hostile))


def test_card_shows_hidden_characters(unsigned):
    sneaky = copy.deepcopy(unsigned)
    sneaky["credentialSubject"]["memberName"] = "Ada\u202eevil\nMember name  Eve"
    text = str(credential_card(sneaky))
    assert "\u202e" not in text and "\\u202e" in text
    assert "\nMember name  Eve" not in text  # a newline cannot forge a row


def test_card_claim_values(unsigned):
    odd = copy.deepcopy(unsigned)
    subject = odd["credentialSubject"]
    subject["votingRights"] = False
    subject["memberOf"] = {"id": "did:example:coop", "name": "Plain Name"}
    subject["shares"] = 3
    subject["notes"] = None
    subject["address"] = {"streetAddress": "1 Main St", "postalCode": "AB1"}
    subject["bio"] = "x" * 500
    claims = dict(credential_card(odd).subjects[0].claims)
    assert claims["Voting rights"] == "No"
    assert claims["Member of"] == "Plain Name"
    assert claims["Shares"] == "3"
    assert claims["Notes"] == "—"
    assert claims["Address"] == "Street address: 1 Main St; Postal code: AB1"
    assert len(claims["Bio"]) <= 120 and "…" in claims["Bio"]
    assert "Id" not in claims and "Type" not in claims


def test_card_is_frozen_and_deterministic(signed):
    card = credential_card(signed)
    assert card == credential_card(copy.deepcopy(signed))
    with pytest.raises(AttributeError):
        card.title = "x"  # type: ignore[misc]


def test_card_tolerates_odd_shapes():
    card = credential_card(
        {
            "type": "VerifiableCredential",
            "issuer": "did:example:1",
            "credentialSubject": [{"id": "did:example:2", "a": 1}, "text"],
            "proof": ["junk"],
            "validFrom": "garbage",
        }
    )
    assert card.issuer_id == "did:example:1" and card.issuer_name is None
    assert len(card.subjects) == 2 and card.proofs == ("malformed proof",)
    assert card.valid_from == "garbage"
    assert "did:example:2" in str(card) and card.html.startswith("<div")
    with pytest.raises(TypeError):
        credential_card("{}")  # type: ignore[arg-type]


# --- DID document -------------------------------------------------------------------


def test_did_document_view(actors):
    view = did_document_view(resolve_did_key(actors.coop.did))
    names = [name for name, _, _ in view.relationships]
    assert names == [
        "Authentication",
        "Assertion method",
        "Capability invocation",
        "Capability delegation",
    ]
    assert all(key == actors.coop.verification_method for _, _, key in view.relationships)
    assert view.methods == ((actors.coop.verification_method, "Multikey", actors.coop.did),)
    text = str(view)
    assert "Assertion method" in text and "issue credentials" in text
    style, page = view._repr_html_().split("</style>")  # the stylesheet once, then the view
    assert style.startswith("<style>")
    assert "<table>" in page and f'title="{actors.coop.verification_method}"' in page
    assert "publicKeyMultibase" not in page and "{" not in page


# --- differences --------------------------------------------------------------------


def test_diff_finds_changed_added_and_removed(signed):
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["membershipStatus"] = "suspended"
    tampered["credentialSubject"]["discount"] = "50%"
    del tampered["credentialSubject"]["roles"]
    diff = compare_credentials(signed, tampered)
    assert list(diff) == [
        Change("$.credentialSubject.membershipStatus", "active", "suspended"),
        Change("$.credentialSubject.roles", ["member", "board director"], ABSENT),
        Change("$.credentialSubject.discount", ABSENT, "50%"),
    ]
    assert [c.kind for c in diff] == ["changed", "removed", "added"]
    path, before, after = diff[0]
    assert (path, before, after) == ("$.credentialSubject.membershipStatus", "active", "suspended")
    text = str(diff)
    assert "$.credentialSubject.discount" in text and '"suspended"' in text
    page = diff._repr_html_()
    assert "<code>$.credentialSubject.roles</code>" in page and "removed" in page


def test_diff_of_equal_documents_is_empty(signed):
    diff = compare_credentials(signed, copy.deepcopy(signed))
    assert len(diff) == 0 and not list(diff)
    assert str(diff) == "No differences."
    assert diff._repr_html_().endswith('<p class="cc-view">No differences.</p>')


def test_diff_lists_paths_and_types():
    before = {"a": [1, 2, {"x": True}], "odd key": 1, "n": 1}
    after = {"a": [1, 3, {"x": 1}, 4], "odd key": 2, "n": 1.0}
    assert list(compare_credentials(before, after)) == [
        Change("$.a[1]", 2, 3),
        Change("$.a[2].x", True, 1),  # JSON true is not the number 1
        Change("$.a[3]", ABSENT, 4),
        Change('$["odd key"]', 1, 2),
        Change("$.n", 1, 1.0),
    ]
    # A dict replaced by a list is one change at that path.
    assert list(compare_credentials({"p": {"a": 1}}, {"p": [1]})) == [Change("$.p", {"a": 1}, [1])]


def test_diff_escapes_html():
    page = compare_credentials({"k": "a"}, {"k": "<img src=x onerror=alert(1)>"})._repr_html_()
    assert "<img" not in page and "&lt;img" in page


def test_diff_handles_deep_documents():
    deep_a: dict = {}
    deep_b: dict = {}
    node_a, node_b = deep_a, deep_b
    for _ in range(5000):  # deeper than Python's default recursion limit
        node_a["c"] = {}
        node_b["c"] = {}
        node_a, node_b = node_a["c"], node_b["c"]
    node_b["leaf"] = 1
    (change,) = compare_credentials(deep_a, deep_b)
    assert change.kind == "added" and change.path.endswith(".c.leaf")


def test_diff_shows_proof_swap(actors, signed):
    from coopcreds_proto.proofs import ProofOptions, add_proof, without_proof

    resigned = add_proof(
        without_proof(signed), actors.outsider, ProofOptions(created=SAMPLE_CREATED)
    )
    paths = [c.path for c in compare_credentials(signed, resigned)]
    assert paths == ["$.proof.verificationMethod", "$.proof.proofValue"]
