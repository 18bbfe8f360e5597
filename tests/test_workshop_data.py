"""The synthetic workshop data: reproducible, labelled, shaped like the survey."""

from __future__ import annotations

from collections import Counter
from statistics import mean

from coopcreds_proto.consultation.feedback import read_feedback
from coopcreds_proto.consultation.report import feedback_frame, priority_by_group
from coopcreds_proto.consultation.sample_feedback import (
    FIELD_TOPICS,
    ORGANISATIONS,
    PROPOSALS,
    SAMPLE_SEED,
    generate_workshop_feedback,
    main,
    sample_file,
)
from coopcreds_proto.definitions.definition import definition_path, load_definition


def test_the_committed_sample_is_the_generator_output_for_its_seed(tmp_path):
    out = tmp_path / "sample.jsonl"
    assert main(["--out", str(out)]) == 0
    assert out.read_bytes() == sample_file().read_bytes()
    assert read_feedback(sample_file()) == generate_workshop_feedback(SAMPLE_SEED)


def test_another_seed_gives_other_data():
    assert generate_workshop_feedback("other") != generate_workshop_feedback(SAMPLE_SEED)


def test_labelled_synthetic_and_about_twenty_coops_across_sectors():
    records = generate_workshop_feedback(SAMPLE_SEED)
    assert {r.source for r in records} == {"synthetic"}
    assert len({r.organisation for r in records}) == len(ORGANISATIONS) == 20
    assert {o.sector for o in ORGANISATIONS} >= {
        "media and entertainment", "tourism", "agriculture", "housing", "platform co-ops",
        "co-op of co-ops",
    }
    # Representatives work in pairs: two participants per co-operative.
    per_org = Counter(o for o, _ in {(r.organisation, r.participant) for r in records})
    assert set(per_org.values()) == {2}
    assert set(Counter(r.consent for r in records)) == {"attributed", "anonymous"}


def test_every_respondent_is_concerned_with_privacy():
    records = generate_workshop_feedback(SAMPLE_SEED)
    people = {(r.organisation, r.participant) for r in records}
    concerned = {(r.organisation, r.participant) for r in records
                 if "privacy" in r.comment.lower() or "private" in r.comment.lower()}
    assert concerned == people


def test_cooperation_among_coops_draws_the_most_engagement():
    records = generate_workshop_feedback(SAMPLE_SEED)
    topic = {**FIELD_TOPICS, **{f"+{t}": v[1] for t, v in PROPOSALS.items()}}
    per_topic = Counter(topic[r.target] for r in records)
    assert per_topic.most_common(1)[0][0] == "cooperation"
    per_field = Counter(r.target for r in records)
    assert topic[per_field.most_common(1)[0][0]] == "cooperation"


def test_kyc_matters_most_to_large_and_regulated_coops_housing_first():
    records = generate_workshop_feedback(SAMPLE_SEED)
    kyc = {o.name: o.kyc_matters for o in ORGANISATIONS}
    about = [r for r in records if r.field == "identityAssurance"]
    heavy = [r.priority for r in about if kyc[r.organisation]]
    light = [r.priority for r in about if not kyc[r.organisation]]
    assert heavy and light and mean(heavy) > mean(light) + 1
    by_sector = priority_by_group(feedback_frame(records), field="identityAssurance")
    assert by_sector.index[0] == "housing"


def test_sample_fields_exist_in_the_v01_definition():
    v01 = load_definition(definition_path("cooperative-membership", "0.1"))
    paths = {p for p, _ in v01.iter_fields()}
    assert set(FIELD_TOPICS) <= paths
    assert not set(PROPOSALS) & paths
