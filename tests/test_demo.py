"""The headless demo: its narration, its outcome, and that it fails when the outcome is wrong."""

from __future__ import annotations

import dataclasses
import io

import pytest

from coopcreds_proto.demos import forgeries as demo
from coopcreds_proto.vc.samples import sample_actors
from coopcreds_proto.vc.verification import Check, VerificationResult


@pytest.fixture(scope="module")
def narration() -> tuple[int, str]:
    out = io.StringIO()
    rc = demo.run_demo(out)
    return rc, out.getvalue()


def test_demo_succeeds_with_one_verified_three_refused(narration):
    rc, text = narration
    assert rc == 0
    assert text.rstrip().splitlines()[-1] == "1 verified, 3 refused"
    assert text.count("\nVERIFIED\n") == 1  # the genuine credential's check table
    assert text.count("REFUSED:") == 3


def test_demo_names_the_parties_and_summarises_the_credential(narration):
    _, text = narration
    actors = sample_actors()
    assert actors.coop.did in text
    assert actors.member.did in text
    for line in (
        "Member:             Ada Okafor",
        "Co-operative:       Riverside Food Co-operative Ltd",
        "Membership number:  RFC-00042",
        "Valid from:         2026-01-15T00:00:00Z",
        "Valid until:        2027-01-15T00:00:00Z",
    ):
        assert line in text
    assert '"@context"' not in text  # a summary, not the JSON


def test_demo_shows_each_refusal_with_its_reason(narration):
    _, text = narration
    actors = sample_actors()
    sections = text.split("\n(")[1:]
    assert len(sections) == 3
    changed, added, outsider = sections
    assert "Signature: signature does not match" in changed
    assert "Safe JSON-LD (every claim is signed): 'discount' is not defined" in added
    assert (
        f"Issuer controls the key: signed by a key of {actors.outsider.did}, "
        f"not of the issuer {actors.coop.did}"
    ) in outsider


def test_demo_is_deterministic(narration):
    _, text = narration
    again = io.StringIO()
    assert demo.run_demo(again) == 0
    assert again.getvalue() == text


def test_demo_fails_when_forgeries_are_accepted(monkeypatch):
    def accept_everything(document, **kwargs):
        return VerificationResult(True, (Check("well_formed", True, "looks fine"),))

    monkeypatch.setattr(demo, "verify_credential", accept_everything)
    out = io.StringIO()
    assert demo.run_demo(out) == 1
    assert out.getvalue().rstrip().endswith("4 verified, 0 refused")


def test_demo_fails_when_a_forgery_is_refused_for_the_wrong_reason(monkeypatch):
    wrong = dataclasses.replace(demo.FORGERIES[0], expected_check="issuer_binding")
    monkeypatch.setattr(demo, "FORGERIES", (wrong, *demo.FORGERIES[1:]))
    out = io.StringIO()
    assert demo.run_demo(out) == 1
    assert "expected the check 'Issuer controls the key' to fail" in out.getvalue()
