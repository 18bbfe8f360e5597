"""The decision report (trust chain, policy checks, benefit) and the card's trust badge."""

from __future__ import annotations

import dataclasses

import pytest
from stay_fair_scenario import (
    DOMAIN,
    FESTIVAL,
    MEMBERSHIP,
    MUSIC,
    ROGUE,
    identity,
    membership,
    presentation,
    registry,
)

from coopcreds_proto.display.cards import credential_card
from coopcreds_proto.display.decision_report import SECTIONS, decision_report
from coopcreds_proto.trust.policy import example_policy_path, load_policy
from coopcreds_proto.trust.recognition import decide, issuer_trust

POLICY = load_policy(example_policy_path("stay-fair-play-fair"))
FRAMEWORKS = POLICY.frameworks


@pytest.fixture(scope="module")
def granted():
    return decide(presentation(membership()), POLICY, trust=registry(), challenge="c-1",
                  domain=DOMAIN, challenges=None, now=FESTIVAL)


@pytest.fixture(scope="module")
def refused():
    return decide(presentation(membership("rogue")), POLICY, trust=registry(), challenge="c-1",
                  domain=DOMAIN, challenges=None, now=FESTIVAL)


def test_granted_report_shows_chain_checks_and_benefit(granted):
    report = decision_report(granted, trust=registry())
    text = report.text
    assert text.splitlines()[0] == ("Stay Fair Tourism Co-operative, policy stay-fair-play-fair:"
                                    " GRANTED")
    assert ("  ✓  Indie Music Co-operative for CooperativeMembershipCredential: Co-op Industry Body"
            " accredited Indie Music Co-operative (urn:acc:music)") in text
    assert "  ✓  Offer period" in text
    assert text.splitlines()[-1].startswith("  ✓  Benefit")
    assert "discount: Fair-stay rate" in text and "(15%)" in text
    assert str(report) == repr(report) == text


def test_refused_report_says_why(refused):
    report = decision_report(refused)
    assert not report.granted
    chain = [r for r in report.rows if r.section == "Trust chain"]
    assert [(r.ok, r.check) for r in chain] == [(False, f"{ROGUE.did} for {MEMBERSHIP}")]
    assert chain[0].reason.startswith("under https://w3id.org/coopcreds/frameworks/co-op-credentials:"
                                      " no accreditation of")
    issuer_row = next(r for r in report.rows if r.check == "Issuer trusted")
    assert issuer_row.mark == "✗"
    skipped = next(r for r in report.rows if r.check == "Required claims present")
    assert skipped.ok is None and skipped.mark == "–"
    benefit = report.rows[-1]
    assert benefit.ok is False and benefit.reason.startswith("none: Issuer trusted: ")


def test_report_frame_is_long_form(granted):
    frame = decision_report(granted).frame()
    assert list(frame.columns) == ["section", "check", "result", "ok", "reason"]
    assert list(frame["section"].unique()) == list(SECTIONS)
    assert len(frame) == 1 + len(granted.checks) + 1
    assert frame.set_index("check").loc["Credential age", "result"] == "✓"


def test_report_html_escapes_and_marks(granted):
    hostile = dataclasses.replace(
        granted, policy=dataclasses.replace(POLICY, verifier_name="<script>x</script>"))
    page = decision_report(hostile)._repr_html_()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert page.count("✓") == len(granted.checks) + 2
    assert "Granted" in page


def test_card_names_the_issuer_as_the_registry_knows_it():
    credential = membership()
    trust = issuer_trust(credential, MEMBERSHIP, trust=registry(), frameworks=FRAMEWORKS,
                         at=POLICY.valid_from)
    card = credential_card(credential, trust=trust)
    text = str(card)
    assert f"Issuer:   Indie Music Co-operative ({MUSIC.did})  [TRUSTED]" in text
    assert "calls itself 'Riverside Food Co-operative'" in text
    assert "Trust:    " in text
    page = card._repr_html_()
    assert "Indie Music Co-operative" in page and ">trusted</span>" in page
    assert "calls itself &ldquo;Riverside Food Co-operative&rdquo;" in page


def test_card_of_an_untrusted_issuer():
    credential = membership("rogue")
    trust = issuer_trust(credential, MEMBERSHIP, trust=registry(), frameworks=FRAMEWORKS,
                         at=POLICY.valid_from)
    card = credential_card(credential, trust=trust)
    assert card.trusted is False and card.registry_name is None
    assert "Issuer:   not known to the trust registry" in str(card)
    assert "[NOT TRUSTED]" in str(card)
    assert ">not trusted</span>" in card._repr_html_()


def test_card_without_trust_is_unchanged():
    credential = identity()
    assert str(credential_card(credential, trust=None)) == str(credential_card(credential))
    assert "TRUSTED" not in str(credential_card(credential))
