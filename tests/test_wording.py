"""Plain-text wording of credential data: labels, types, dates, claim values, shortened DIDs."""

from __future__ import annotations

import pytest

from coopcreds_proto.vc.samples import sample_actors
from coopcreds_proto.wording import (
    claim_value,
    date_in_words,
    short_did,
    shorten,
    type_in_words,
    words_from_camel,
)


@pytest.fixture(scope="module")
def actors():
    return sample_actors()


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("membershipNumber", "Membership number"),
        ("memberOf", "Member of"),
        ("votingRights", "Voting rights"),
        ("legalName", "Legal name"),
        ("holderDID", "Holder DID"),
        ("name", "Name"),
        ("añoDeAlta", "añoDeAlta"),
    ],
)
def test_labels_from_camel_case(name, label):
    assert words_from_camel(name) == label


def test_type_in_words():
    assert type_in_words(["VerifiableCredential", "CooperativeMembershipCredential"]) == (
        "Co-operative membership"
    )
    assert (
        type_in_words(["VerifiableCredential", "UniversityDegreeCredential"]) == "University degree"
    )
    assert type_in_words("VerifiableCredential") == "Verifiable credential"
    assert type_in_words(None) == "Credential"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2026-01-15T00:00:00Z", "15 January 2026"),
        ("2026-01-15T09:00:00Z", "15 January 2026, 09:00 UTC"),
        ("2026-12-31T23:30:00-02:00", "1 January 2027, 01:30 UTC"),
        ("2019-03-14", "14 March 2019"),
        ("not a date", "not a date"),
        ("2026-13-40", "2026-13-40"),
        ("2026-02-31", "2026-02-31"),
    ],
)
def test_dates_in_words(value, words):
    assert date_in_words(value) == words


def test_shortening_keeps_both_ends(actors):
    did = actors.coop.did
    short = shorten(did, 28)
    assert len(short) == 28 and "…" in short
    assert short.startswith("did:key:z6Mk") and short.endswith(did[-5:])
    assert shorten("short", 28) == "short"
    url = short_did(actors.coop.verification_method)
    assert "#" in url and len(url) < len(actors.coop.verification_method)


def test_claim_values_read_as_words():
    assert claim_value({"legalName": "Riverside Ltd", "id": "did:example:1"}) == "Riverside Ltd"
    assert claim_value({"id": "did:example:1"}) == "did:example:1"
    assert claim_value({"type": "Role", "roleName": "member", "since": "2019-03-14"}) == (
        "Role name: member; Since: 14 March 2019"
    )
    assert claim_value(["member", "board director"]) == "member, board director"
    assert claim_value([]) == claim_value({}) == "—"
    assert (claim_value(True), claim_value(False), claim_value(None), claim_value(3)) == (
        "Yes", "No", "—", "3"
    )


def test_hidden_characters_are_shown_as_escapes():
    assert claim_value("Ada\u202eevil\n") == "Ada\\u202eevil\\u000a"
    assert claim_value({"name": "Ada\u2066"}) == "Ada\\u2066"
    assert words_from_camel("ada\u202e") == "ada\\u202e"
