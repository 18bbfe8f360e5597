"""From feedback and decisions to the next draft, with changelog entries traced to records."""

from __future__ import annotations

import pytest

from coopcreds_proto.consultation.feedback import (
    NEW_FIELD,
    erase_participant,
    make_record,
    read_feedback,
    write_feedback,
)
from coopcreds_proto.consultation.proposals import (
    Decision,
    DecisionError,
    changelog_frame,
    feedback_behind,
    propose_next_version,
)
from coopcreds_proto.consultation.sample_feedback import SAMPLE_SEED, generate_workshop_feedback
from coopcreds_proto.definitions.definition import DefinitionError, definition_path, load_definition
from coopcreds_proto.randomness import SeededRandom


@pytest.fixture(scope="module")
def v01():
    return load_definition(definition_path("cooperative-membership", "0.1"))


@pytest.fixture(scope="module")
def feedback():
    return generate_workshop_feedback(SAMPLE_SEED)


DECISIONS = {
    "benefits": Decision("accept", "keep", note="The most wanted field."),
    "membershipNumber": Decision("accept", "drop", note="Internal only; a privacy risk."),
    "name": Decision("accept", "change", note="Optional, the member chooses.",
                     changes={"label": "Name shown (optional)", "sensitivity": "personal"}),
    "+recognisedBy": Decision("accept", note="Recognition across co-ops.",
                              changes={"datatype": "iri", "multiple": True,
                                       "sensitivity": "public"}),
    "+preferredName": "reject",
    "votingRights": Decision("reject", "drop", note="Needed for federation votes."),
}


def test_next_version_applies_decisions(v01, feedback):
    v02 = propose_next_version(v01, feedback, DECISIONS)
    assert (v02.version, v02.status, v02.date) == ("0.2", "draft", "2026-03-12")
    assert v02.field("benefits").status == "accepted"
    assert v02.field("benefits").discussion == ""
    assert v02.field("membershipNumber").status == "dropped"
    name = v02.field("name")
    assert (name.status, name.label, name.since) == ("changed", "Name shown (optional)", "0.2")
    new = v02.field("recognisedBy")
    assert (new.status, new.since, new.datatype, new.multiple) == ("proposed", "0.2", "iri", True)
    assert new.label == "Recognised by (other co-ops)"  # from the proposals' label
    assert set(new.spheres) <= {"work", "play"}
    assert v02.field("votingRights") == v01.field("votingRights")
    with pytest.raises(KeyError):
        v02.field("preferredName")
    # v0.1 is untouched (values are immutable).
    assert v01.field("membershipNumber").status != "dropped"


def test_every_changelog_entry_points_back_to_its_feedback(v01, feedback):
    v02 = propose_next_version(v01, feedback, DECISIONS)
    entries = [e for e in v02.changelog if e.version == "0.2" and e.fields]
    assert [e.fields[0] for e in entries] == [
        "benefits", "membershipNumber", "name", "recognisedBy", "preferredName", "votingRights"]
    by_id = {r.id: r for r in feedback}
    for entry in entries:
        assert entry.feedback, entry
        cited = [by_id[i] for i in entry.feedback]
        path = entry.fields[0]
        assert all(r.target in (path, f"+{path}") for r in cited)
    drop = next(e for e in entries if e.fields == ("membershipNumber",))
    assert {by_id[i].stance for i in drop.feedback} == {"drop"}
    assert len(drop.feedback) == sum(
        1 for r in feedback if r.field == "membershipNumber" and r.stance == "drop")
    rejected = next(e for e in entries if e.fields == ("votingRights",))
    assert "not taken up" in rejected.change and "federation votes" in rejected.change
    assert [r.id for r in feedback_behind(v02, feedback, "membershipNumber")] == list(drop.feedback)
    table = changelog_frame(v02)
    assert len(table) == len(entries) + 1
    assert table["feedback records"].iloc[2] == len(drop.feedback)


def test_result_round_trips_through_the_definition_file(v01, feedback, tmp_path):
    from coopcreds_proto.definitions.definition import save_definition

    v02 = propose_next_version(v01, feedback, DECISIONS)
    path = save_definition(v02, tmp_path / "v0.2.yaml")
    assert load_definition(path) == v02


@pytest.mark.parametrize(
    ("decisions", "code"),
    [
        ({"nonexistent": "accept"}, "no-feedback"),
        ({"name": Decision("accept", "add")}, "bad-action"),
        ({"+recognisedBy": Decision("accept", "keep")}, "bad-action"),
        ({"name": Decision("accept", "change")}, "change-without-changes"),
        ({"memberOf.sector": Decision("accept", "drop")}, "no-feedback"),
    ],
)
def test_bad_decisions_are_refused(v01, feedback, decisions, code):
    with pytest.raises(DecisionError) as info:
        propose_next_version(v01, feedback, decisions)
    assert info.value.code == code


def test_bad_decision_values():
    with pytest.raises(DecisionError):
        Decision("maybe")
    with pytest.raises(DecisionError):
        Decision("accept", "shred")
    with pytest.raises(DecisionError) as info:
        Decision("accept", "change", changes={"term": "x"})
    assert info.value.code == "bad-change"


def test_unknown_field_and_ambiguous_default_action(v01):
    rng = SeededRandom("p")

    def fb(field, stance, **extra):
        return make_record(organisation="A", participant="B", role="member", sphere="legal",
                           field=field, stance=stance, priority=3, consent="anonymous",
                           rng=rng, time="2026-03-12T10:00:00Z", **extra)

    with pytest.raises(DecisionError) as info:
        propose_next_version(v01, [fb("noSuchField", "keep")], {"noSuchField": "accept"})
    assert info.value.code == "unknown-definition-field"
    tied = [fb("roles", "keep"), fb("roles", "drop")]
    with pytest.raises(DecisionError) as info:
        propose_next_version(v01, tied, {"roles": "accept"})
    assert info.value.code == "ambiguous-decision"
    v02 = propose_next_version(v01, tied, {"roles": Decision("accept", "drop")})
    assert v02.field("roles").status == "dropped"
    # A new field that clashes with the definition's rules is refused by its checks.
    clash = [fb(NEW_FIELD, "add", proposed_term="type")]
    with pytest.raises(DefinitionError):
        propose_next_version(v01, clash, {"+type": "accept"})


def test_erased_participants_do_not_shape_the_next_draft(v01, feedback, tmp_path):
    path = tmp_path / "feedback.jsonl"
    write_feedback(path, feedback)
    proposers = {r.participant for r in feedback if r.target == "+preferredName"}
    for person in proposers:
        erase_participant(path, person)
    remaining = read_feedback(path)
    with pytest.raises(DecisionError) as info:
        propose_next_version(v01, remaining, {"+preferredName": "accept"})
    assert info.value.code == "no-feedback"
    v02 = propose_next_version(v01, remaining, {"benefits": Decision("accept", "keep")})
    cited = {i for e in v02.changelog for i in e.feedback}
    assert cited <= {r.id for r in remaining}


def test_sample_workshop_v02_diff_names_every_change_and_its_example_verifies(v01):
    from coopcreds_proto.consultation.sample_feedback import sample_decisions, sample_file
    from coopcreds_proto.definitions.artefacts import (
        definition_loader,
        diff_definitions,
        example_credential,
    )
    from coopcreds_proto.vc.credentials import issue
    from coopcreds_proto.vc.samples import sample_actors
    from coopcreds_proto.vc.verification import verify_credential

    v02 = propose_next_version(v01, read_feedback(sample_file()), sample_decisions())
    diff = diff_definitions(v01, v02)
    changed = {c.path for c in diff.changes}
    taken_up = {e.fields[0] for e in v02.changelog
                if e.version == "0.2" and e.fields and "not taken up" not in e.change}
    assert taken_up <= changed
    assert diff.breaking  # memberSince became a year
    actors = sample_actors()
    loader = definition_loader(v02)
    signed = issue(example_credential(v02, actors), actors.coop,
                   created="2026-03-20T09:00:00Z", loader=loader)
    assert verify_credential(signed, now="2026-06-01T12:00:00Z", loader=loader).verified
