"""Trust registry: chains of accreditation, refusals with reasons, recognition."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.trust.registry import (
    ACCREDIT,
    ISSUE,
    Accreditation,
    Recognition,
    TrustAnswer,
    TrustRegistry,
    Witnessed,
)

UTC = timezone.utc
FW = "https://gov.example/coop-framework"
OTHER_FW = "https://gov.example/other-framework"
AUTHORITY = "did:example:industry-body"
APEX = "did:example:apex-music"
COOP = "did:example:coop-indie-music"
SUB = "did:example:coop-local-branch"
FORGER = "did:example:forger"
MEMBERSHIP = "CooperativeMembershipCredential"
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2028, 1, 1, tzinfo=UTC)
AT = datetime(2026, 6, 1, 12, tzinfo=UTC)


def acc(id_: str, accreditor: str, subject: str, **kw: object) -> Accreditation:
    values: dict[str, object] = {
        "id": id_, "accreditor": accreditor, "subject": subject, "framework": FW,
        "permissions": frozenset({ISSUE}), "credential_types": frozenset({MEMBERSHIP}),
        "valid_from": START, "valid_until": END, "regions": None, "sectors": None, "max_chain": 0,
    }
    values.update(kw)
    return Accreditation(**values)  # type: ignore[arg-type]


def apex_link(**kw: object) -> Accreditation:
    values: dict[str, object] = {
        "permissions": frozenset({ISSUE, ACCREDIT}), "max_chain": 1,
        "regions": frozenset({"IE", "FR"}),
    }
    values.update(kw)
    return acc("urn:acc:apex", AUTHORITY, APEX, **values)


def coop_link(**kw: object) -> Accreditation:
    values: dict[str, object] = {"regions": frozenset({"IE"})}
    values.update(kw)
    return acc("urn:acc:coop", APEX, COOP, **values)


def registry(*accs: Accreditation, **kw: object) -> TrustRegistry:
    return TrustRegistry(anchors={FW: frozenset({AUTHORITY})}, accreditations=accs,
                         **kw)  # type: ignore[arg-type]


def ask(reg: TrustRegistry, issuer: str = COOP, **kw: object) -> TrustAnswer:
    values: dict[str, object] = {"region": "IE"}
    values.update(kw)
    return reg.authorised(issuer, MEMBERSHIP, FW, values.pop("at", AT),  # type: ignore[arg-type]
                          **values)  # type: ignore[arg-type]


def reasons(answer: TrustAnswer) -> str:
    return "\n".join(answer.reasons)


# -- the positive chain -------------------------------------------------------


def test_anchor_to_apex_to_coop_issuing_membership_in_region() -> None:
    answer = ask(registry(apex_link(), coop_link()))
    assert answer.trusted
    assert [a.id for a in answer.chain] == ["urn:acc:apex", "urn:acc:coop"]
    assert answer.chain[0].accreditor == AUTHORITY
    assert f"{AUTHORITY} is an anchor of {FW}" in answer.reasons
    text = answer.explain()
    assert text.splitlines()[0] == "TRUSTED"
    assert "urn:acc:coop" in text and "regions: IE" in text
    page = answer._repr_html_()
    assert "Trusted" in page and "urn:acc:apex" in page


def test_explanation_html_is_escaped() -> None:
    odd = acc("urn:acc:<b>", AUTHORITY, COOP)
    page = ask(registry(odd), region=None)._repr_html_()
    assert "&lt;b&gt;" in page and "<b>" not in page


def test_anchor_issues_only_through_an_explicit_self_accreditation() -> None:
    assert not ask(registry(), issuer=AUTHORITY, region=None).trusted
    own = acc("urn:acc:self", AUTHORITY, AUTHORITY)
    answer = ask(registry(own), issuer=AUTHORITY, region=None)
    assert answer.trusted and answer.chain == (own,)


def test_a_failing_accreditation_does_not_hide_a_valid_one() -> None:
    old = coop_link(id="urn:acc:coop-old", valid_until=datetime(2026, 3, 1, tzinfo=UTC))
    answer = ask(registry(apex_link(), old, coop_link()))
    assert answer.trusted and answer.chain[-1].id == "urn:acc:coop"


# -- refusals, each with its reason --------------------------------------------


def test_no_accreditation_and_unknown_framework() -> None:
    reg = registry(apex_link(), coop_link())
    assert "no accreditation of did:example:nobody" in reasons(ask(reg, issuer="did:example:nobody"))
    other = reg.authorised(COOP, MEMBERSHIP, OTHER_FW, AT, region="IE")
    assert not other.trusted and "has no anchors" in reasons(other)


def test_accreditation_under_another_framework_does_not_count() -> None:
    reg = TrustRegistry(anchors={FW: frozenset({AUTHORITY}), OTHER_FW: frozenset({AUTHORITY})},
                        accreditations=(apex_link(), coop_link()))
    answer = reg.authorised(COOP, MEMBERSHIP, OTHER_FW, AT, region="IE")
    assert not answer.trusted and "no accreditation" in reasons(answer)


def test_forged_accreditation_by_non_anchor() -> None:
    forged = acc("urn:acc:forged", FORGER, COOP)
    answer = ask(registry(forged), region=None)
    assert not answer.trusted and answer.chain == ()
    assert "accreditor not trusted" in reasons(answer)
    assert FORGER in reasons(answer)


def test_cycle_without_anchor_terminates_untrusted() -> None:
    a = acc("urn:acc:a", APEX, COOP, permissions=frozenset({ISSUE, ACCREDIT}), max_chain=5)
    b = acc("urn:acc:b", COOP, APEX, permissions=frozenset({ISSUE, ACCREDIT}), max_chain=5)
    answer = ask(registry(a, b), region=None)
    assert not answer.trusted


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (coop_link(valid_until=datetime(2026, 5, 1, tzinfo=UTC)), "urn:acc:coop expired"),
        (coop_link(valid_from=datetime(2026, 7, 1, tzinfo=UTC)), "urn:acc:coop is not yet valid"),
    ],
)
def test_issuer_accreditation_outside_its_validity(link: Accreditation, expected: str) -> None:
    answer = ask(registry(apex_link(), link))
    assert not answer.trusted and expected in reasons(answer)


def test_expired_apex_accreditation_breaks_the_chain() -> None:
    short = apex_link(valid_until=datetime(2026, 5, 1, tzinfo=UTC))
    answer = ask(registry(short, coop_link(valid_until=datetime(2026, 5, 1, tzinfo=UTC))),
                 at=datetime(2026, 5, 1, tzinfo=UTC))
    assert not answer.trusted and "expired" in reasons(answer)


def test_revocation_covers_a_backdated_credential() -> None:
    reg = registry(apex_link(), coop_link()).with_revocation(
        "urn:acc:coop", datetime(2026, 9, 1, tzinfo=UTC))
    # The credential claims issuance in June, before the September revocation: still refused.
    answer = ask(reg, credential_id="urn:cred:1")
    assert not answer.trusted
    assert "urn:acc:coop revoked at 2026-09-01T00:00:00Z" in reasons(answer)
    assert "whatever its stated issuance date" in reasons(answer)


def test_revoking_the_apex_revokes_everything_below() -> None:
    reg = registry(apex_link(), coop_link()).with_revocation("urn:acc:apex", START)
    answer = ask(reg)
    assert not answer.trusted and "urn:acc:apex revoked" in reasons(answer)


def test_witnessed_before_revocation_is_honoured_only_on_request() -> None:
    revoked_at = datetime(2026, 9, 1, tzinfo=UTC)
    reg = (registry(apex_link(), coop_link())
           .with_revocation("urn:acc:coop", revoked_at)
           .with_witnessed(Witnessed(COOP, "urn:cred:early", datetime(2026, 6, 2, tzinfo=UTC)),
                           Witnessed(COOP, "urn:cred:late", datetime(2026, 9, 2, tzinfo=UTC))))
    honoured = ask(reg, credential_id="urn:cred:early", honour_witnessed=True)
    assert honoured.trusted
    assert "witnessed at 2026-06-02T00:00:00Z, before the revocation: honoured" in reasons(honoured)
    assert "honoured" in honoured.explain()
    # Same credential without the policy: the revocation covers it.
    assert not ask(reg, credential_id="urn:cred:early").trusted
    late = ask(reg, credential_id="urn:cred:late", honour_witnessed=True)
    assert not late.trusted and "was not witnessed before the revocation" in reasons(late)
    unseen = ask(reg, credential_id="urn:cred:never", honour_witnessed=True)
    assert not unseen.trusted
    # A witness entry for a different issuer proves nothing about this one.
    other = reg.with_witnessed(Witnessed(APEX, "urn:cred:x", START))
    assert not ask(other, credential_id="urn:cred:x", honour_witnessed=True).trusted


def test_earliest_witness_sighting_counts() -> None:
    reg = (registry(apex_link(), coop_link())
           .with_revocation("urn:acc:coop", datetime(2026, 9, 1, tzinfo=UTC))
           .with_witnessed(Witnessed(COOP, "urn:cred:1", datetime(2026, 10, 1, tzinfo=UTC)),
                           Witnessed(COOP, "urn:cred:1", datetime(2026, 6, 1, tzinfo=UTC))))
    assert ask(reg, credential_id="urn:cred:1", honour_witnessed=True).trusted


@pytest.mark.parametrize(
    ("child", "what"),
    [
        (coop_link(credential_types=frozenset({MEMBERSHIP, "IdentityAssuranceCredential"})),
         "types IdentityAssuranceCredential"),
        (coop_link(regions=frozenset({"IE", "ES"})), "regions ES"),
        (coop_link(regions=None), "regions any"),
        (coop_link(valid_until=datetime(2029, 1, 1, tzinfo=UTC)), "validity period"),
    ],
)
def test_scope_widened_by_delegation_is_ignored(child: Accreditation, what: str) -> None:
    answer = ask(registry(apex_link(), child))
    assert not answer.trusted
    assert "scope widened by delegation" in reasons(answer)
    assert what in reasons(answer)


def test_sector_widening_is_ignored() -> None:
    apex = apex_link(sectors=frozenset({"music"}))
    child = coop_link(sectors=frozenset({"music", "tourism"}))
    answer = ask(registry(apex, child), sector="music")
    assert not answer.trusted and "scope widened by delegation" in reasons(answer)
    assert ask(registry(apex, coop_link(sectors=frozenset({"music"}))), sector="music").trusted


def test_accreditor_acting_as_issuer() -> None:
    apex = apex_link(permissions=frozenset({ACCREDIT}))
    reg = registry(apex, coop_link())
    assert ask(reg).trusted  # it may still accredit the co-op
    answer = ask(reg, issuer=APEX)
    assert not answer.trusted
    assert "permission to accredit is not permission to issue" in reasons(answer)


def test_issuer_without_accredit_permission_cannot_accredit() -> None:
    sub = acc("urn:acc:sub", COOP, SUB, regions=frozenset({"IE"}))
    answer = ask(registry(apex_link(max_chain=2), coop_link(max_chain=1), sub), issuer=SUB)
    assert not answer.trusted
    assert "accreditor not trusted: urn:acc:coop does not let" in reasons(answer)


def test_chain_too_long() -> None:
    coop = coop_link(permissions=frozenset({ISSUE, ACCREDIT}), max_chain=1)
    sub = acc("urn:acc:sub", COOP, SUB, regions=frozenset({"IE"}))
    # The anchor allowed only one link below the apex body; the branch would be the second.
    answer = ask(registry(apex_link(max_chain=1), coop, sub), issuer=SUB)
    assert not answer.trusted
    assert "chain too long: urn:acc:apex allows 1 link(s)" in reasons(answer)
    assert ask(registry(apex_link(max_chain=2), coop, sub), issuer=SUB).trusted


def test_max_chain_zero_stops_further_accreditation() -> None:
    answer = ask(registry(apex_link(max_chain=0), coop_link()))
    assert not answer.trusted and "chain too long" in reasons(answer)


@pytest.mark.parametrize(
    ("region", "expected"),
    [(None, "limited to regions IE and no region was given"), ("FR", "does not cover region FR")],
)
def test_region_outside_accreditation(region: str | None, expected: str) -> None:
    answer = ask(registry(apex_link(), coop_link()), region=region)
    assert not answer.trusted and expected in reasons(answer)


def test_type_outside_accreditation() -> None:
    answer = registry(apex_link(), coop_link()).authorised(COOP, "Payslip", FW, AT, region="IE")
    assert not answer.trusted and "does not cover credential type Payslip" in reasons(answer)


# -- recognition between frameworks --------------------------------------------


G, H, K, L = (f"https://gov.example/{x}" for x in "ghkl")


def test_recognition_direct_and_same_framework() -> None:
    reg = TrustRegistry(recognitions=(Recognition(G, H),))
    direct = reg.recognises(G, H)
    assert direct.trusted and direct.chain == (Recognition(G, H),)
    assert reg.recognises(G, G).trusted
    assert not reg.recognises(H, G).trusted  # recognition has a direction


def test_recognition_is_not_transitive_by_default() -> None:
    reg = TrustRegistry(recognitions=(Recognition(G, H), Recognition(H, K)))
    answer = reg.recognises(G, K)
    assert not answer.trusted
    assert "not transitive unless the recognising framework says so" in reasons(answer)
    unrelated = reg.recognises(G, L)
    assert not unrelated.trusted and "not transitive" not in reasons(unrelated)


def test_transitive_recognition_follows_the_recognisers_flags() -> None:
    reg = TrustRegistry(recognitions=(Recognition(G, H, transitive=True), Recognition(H, K),
                                      Recognition(K, L)))
    answer = reg.recognises(G, K)
    assert answer.trusted and [r.recognised for r in answer.chain] == [H, K]
    assert "recognises" in answer.explain()
    # H -> K is not transitive, so G's trust in H does not reach L.
    assert not reg.recognises(G, L).trusted
    flagged = TrustRegistry(recognitions=(Recognition(G, H, transitive=True),
                                          Recognition(H, K, transitive=True), Recognition(K, L)))
    assert flagged.recognises(G, L).trusted


# -- values and validation ------------------------------------------------------


def test_registry_is_immutable_and_updates_return_new_registries() -> None:
    reg = registry(apex_link(), coop_link())
    revoked = reg.with_revocation("urn:acc:coop", START)
    assert ask(reg).trusted and not ask(revoked).trusted
    with pytest.raises(dataclasses.FrozenInstanceError):
        reg.accreditations = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        reg.revocations["urn:acc:apex"] = START  # type: ignore[index]
    grown = registry(apex_link()).with_accreditations(coop_link())
    assert ask(grown).trusted


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"valid_from": datetime(2026, 1, 1)}, "bad-timestamp"),
        ({"valid_until": START}, "bad-accreditation"),
        ({"permissions": frozenset({"vote"})}, "bad-accreditation"),
        ({"permissions": frozenset()}, "bad-accreditation"),
        ({"credential_types": MEMBERSHIP}, "bad-accreditation"),
        ({"max_chain": -1}, "bad-accreditation"),
        ({"id": ""}, "bad-accreditation"),
    ],
)
def test_bad_accreditations_are_refused(change: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as err:
        coop_link(**change)
    assert err.value.code == code


def test_sets_are_normalised_to_frozensets() -> None:
    link = coop_link(credential_types=[MEMBERSHIP], regions=["IE"])
    assert link.credential_types == frozenset({MEMBERSHIP}) and link.regions == frozenset({"IE"})
    hash(link)  # values can key dicts and sets


def test_duplicate_ids_and_naive_times_are_refused() -> None:
    with pytest.raises(InputError) as err:
        registry(coop_link(), coop_link())
    assert err.value.code == "duplicate-accreditation-id"
    with pytest.raises(InputError):
        registry(coop_link()).with_revocation("urn:acc:coop", datetime(2026, 1, 1))
    with pytest.raises(InputError):
        ask(registry(coop_link()), at=datetime(2026, 1, 1))
    with pytest.raises(InputError):
        Witnessed(COOP, "urn:cred:1", datetime(2026, 1, 1) + timedelta(0))


def test_shared_dead_end_does_not_hide_another_route() -> None:
    # Two apex bodies accredit the co-op; a third body above one of them is
    # unanchored, the other apex body is anchored: the chain goes through the latter.
    loose = acc("urn:acc:loose", FORGER, APEX, permissions=frozenset({ACCREDIT}), max_chain=3,
                regions=frozenset({"IE"}))
    via_loose = acc("urn:acc:a-coop", APEX, COOP, regions=frozenset({"IE"}))
    second = acc("urn:acc:second", AUTHORITY, SUB, permissions=frozenset({ACCREDIT}), max_chain=1,
                 regions=frozenset({"IE"}))
    via_second = acc("urn:acc:b-coop", SUB, COOP, regions=frozenset({"IE"}))
    answer = ask(registry(loose, via_loose, second, via_second))
    assert answer.trusted
    assert [a.id for a in answer.chain] == ["urn:acc:second", "urn:acc:b-coop"]
    # Without the anchored route the reasons say why the other route failed.
    refused = ask(registry(loose, via_loose))
    assert not refused.trusted and "accreditor not trusted" in reasons(refused)


# -- names, dated and typed recognition, trust across frameworks ------------------


def test_names_are_what_the_registry_knows() -> None:
    reg = registry(names={COOP: "Indie Music Co-op", FW: "Co-op Framework"})
    assert reg.name_of(COOP) == "Indie Music Co-op" and reg.name_of(FW) == "Co-op Framework"
    assert reg.name_of(FORGER) is None
    with pytest.raises(TypeError):
        reg.names[FORGER] = "Forged"  # type: ignore[index]
    with pytest.raises(InputError) as err:
        registry(names={COOP: ""})
    assert err.value.code == "bad-name"


def dated(**kw: object) -> Recognition:
    values: dict[str, object] = {"valid_from": START, "valid_until": END}
    values.update(kw)
    return Recognition(G, FW, **values)  # type: ignore[arg-type]


def test_recognition_outside_its_validity_dates_is_refused_with_reason() -> None:
    reg = TrustRegistry(recognitions=(dated(),))
    assert reg.recognises(G, FW, AT).trusted
    early = reg.recognises(G, FW, START - timedelta(days=1))
    assert not early.trusted and "is not yet valid at 2025-12-31" in reasons(early)
    late = reg.recognises(G, FW, END)
    assert not late.trusted and "expired at 2028-01-01" in reasons(late)
    assert reg.recognises(G, FW).trusted  # no time given: dates are not checked


def test_recognition_outside_its_types_is_refused_with_reason() -> None:
    reg = TrustRegistry(recognitions=(dated(credential_types=frozenset({MEMBERSHIP})),))
    assert reg.recognises(G, FW, AT, MEMBERSHIP).trusted
    other = reg.recognises(G, FW, AT, "Payslip")
    assert not other.trusted
    assert f"does not cover type Payslip (covers {MEMBERSHIP})" in reasons(other)


def test_expired_step_on_a_transitive_path_explains_the_refusal() -> None:
    reg = TrustRegistry(recognitions=(Recognition(G, H, transitive=True),
                                      Recognition(H, K, valid_until=START)))
    answer = reg.recognises(G, K, AT)
    assert not answer.trusted and f"recognition of {K} by {H} expired" in reasons(answer)
    assert reg.recognises(G, K, START - timedelta(days=1)).trusted


@pytest.mark.parametrize(
    "change",
    [{"valid_from": datetime(2026, 1, 1)}, {"valid_until": START},
     {"credential_types": MEMBERSHIP}, {"credential_types": frozenset()},
     {"transitive": "yes"}, {"id": ""}],
)
def test_bad_recognitions_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(InputError):
        dated(**change)


def cross(*recs: Recognition) -> TrustRegistry:
    return TrustRegistry(anchors={FW: frozenset({AUTHORITY}), G: frozenset({"did:example:g-body"})},
                         accreditations=(apex_link(), coop_link()), recognitions=recs)


def trust(reg: TrustRegistry, frameworks: tuple[str, ...] = (G,), **kw: object) -> TrustAnswer:
    return reg.trusted(COOP, MEMBERSHIP, frameworks, kw.pop("at", AT),  # type: ignore[arg-type]
                       region="IE", **kw)  # type: ignore[arg-type]


def test_trusted_directly_under_a_verifier_framework() -> None:
    answer = trust(cross(), (K, FW))
    assert answer.trusted and answer.framework == FW
    assert [link.id for link in answer.chain] == ["urn:acc:apex", "urn:acc:coop"]
    assert f"{FW} is one of the verifier's frameworks" in answer.reasons


def test_trusted_through_recognition_shows_the_recognition_first() -> None:
    answer = trust(cross(dated(id="urn:rec:g-fw")))
    assert answer.trusted and answer.framework == FW
    assert isinstance(answer.chain[0], Recognition) and answer.chain[0].id == "urn:rec:g-fw"
    assert [link.id for link in answer.chain[1:]] == ["urn:acc:apex", "urn:acc:coop"]
    assert f"{G} recognises {FW} for {MEMBERSHIP}" in reasons(answer)
    assert answer.explain().splitlines()[1].startswith(f"  1. {G} recognises {FW}")


def test_trust_through_recognition_refused_outside_dates_and_types() -> None:
    late = trust(cross(dated()), at=END + timedelta(days=1))
    assert not late.trusted and f"recognition of {FW} by {G} expired" in reasons(late)
    typed = trust(cross(dated(credential_types=frozenset({"Payslip"}))))
    assert not typed.trusted and f"does not cover type {MEMBERSHIP}" in reasons(typed)


def test_trust_through_recognition_is_not_assumed_transitively() -> None:
    plain = trust(cross(Recognition(G, H), Recognition(H, FW)))
    assert not plain.trusted
    assert "not transitive unless the recognising framework says so" in reasons(plain)
    flagged = trust(cross(Recognition(G, H, transitive=True), Recognition(H, FW)))
    assert flagged.trusted and [r.recognised for r in flagged.chain[:2]] == [H, FW]


def test_untrusted_answer_explains_every_framework_tried() -> None:
    answer = trust(cross(Recognition(G, FW)), (G, K), at=END)  # accreditations expired
    assert not answer.trusted and answer.framework is None and answer.chain == ()
    text = reasons(answer)
    assert f"under {G}: no accreditation of {COOP} under {G}" in text
    assert f"under {K}: framework {K} has no anchors" in text
    assert f"under {FW} (recognised by {G}): urn:acc:coop expired" in text
    nothing = trust(cross(), (G,))
    assert f"{G} does not recognise {FW}" in reasons(nothing)
    stranger = cross().trusted(FORGER, MEMBERSHIP, [FW], AT)
    assert "holds no accreditation under any other framework" in reasons(stranger)


def test_trusted_refuses_a_bare_string_or_no_frameworks() -> None:
    with pytest.raises(InputError):
        cross().trusted(COOP, MEMBERSHIP, FW, AT)
    with pytest.raises(InputError):
        cross().trusted(COOP, MEMBERSHIP, [], AT)


def test_revoked_issuer_trusted_through_recognition_only_if_witnessed() -> None:
    reg = cross(Recognition(G, FW)).with_revocation("urn:acc:coop", START + timedelta(days=30))
    reg = reg.with_witnessed(Witnessed(COOP, "urn:cred:early", START + timedelta(days=2)))
    assert "revoked at" in reasons(trust(reg, credential_id="urn:cred:early"))
    honoured = trust(reg, credential_id="urn:cred:early", honour_witnessed=True)
    assert honoured.trusted and "honoured" in reasons(honoured)
    backdated = trust(reg, credential_id="urn:cred:backdated", honour_witnessed=True)
    assert not backdated.trusted and "was not witnessed before the revocation" in reasons(backdated)
