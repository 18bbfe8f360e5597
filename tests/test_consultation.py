"""Feedback records, the append-only store, corrupt lines, erasure and CSV import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcreds_proto.consultation.feedback import (
    NEW_FIELD,
    FeedbackError,
    FeedbackRecord,
    append_feedback,
    erase_participant,
    import_feedback_csv,
    import_into,
    make_record,
    read_feedback,
    record_from_dict,
    scan_feedback,
    write_feedback,
)
from coopcreds_proto.consultation.report import feedback_frame, summarise, top_comments
from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom

T0 = "2026-03-12T10:00:00Z"


def record(**overrides) -> FeedbackRecord:
    values = {
        "organisation": "Riverside Housing Co-operative",
        "participant": "Rosa Silva",
        "role": "board member",
        "sector": "housing",
        "sphere": "legal",
        "field": "identityAssurance",
        "stance": "keep",
        "priority": 5,
        "comment": "Tenancy checks again and again.",
        "consent": "attributed",
        "rng": SeededRandom(repr(sorted(overrides.items()))),
        "time": T0,
    }
    values.update(overrides)
    return make_record(**values)


def as_dict(r: FeedbackRecord) -> dict:
    return r.to_dict()


# --- records ---------------------------------------------------------------------


def test_make_record_uses_injected_randomness_and_clock():
    from datetime import datetime, timezone

    fixed = datetime(2026, 3, 12, 10, 30, 15, 999, tzinfo=timezone.utc)
    a = make_record(organisation="A", participant="B", role="member", sphere="work",
                    field="benefits", stance="keep", priority=3, consent="anonymous",
                    rng=SeededRandom("s"), clock=lambda: fixed)
    b = make_record(organisation="A", participant="B", role="member", sphere="work",
                    field="benefits", stance="keep", priority=3, consent="anonymous",
                    rng=SeededRandom("s"), clock=lambda: fixed)
    c = make_record(organisation="A", participant="B", role="member", sphere="work",
                    field="benefits", stance="keep", priority=3, consent="anonymous",
                    rng=SeededRandom("other"), clock=lambda: fixed)
    assert a == b and a.id != c.id
    assert a.time == "2026-03-12T10:30:15Z"


def test_time_is_normalised_to_utc():
    assert record(time="2026-03-12T11:00:00+01:00").time == "2026-03-12T10:00:00Z"


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("priority", 6, "bad-priority"),
        ("priority", 0, "bad-priority"),
        ("priority", True, "bad-priority"),
        ("priority", "3", "bad-priority"),
        ("stance", "maybe", "unknown-stance"),
        ("sphere", "home", "unknown-sphere"),
        ("consent", "yes", "unknown-consent"),
        ("organisation", "", "missing-field"),
        ("participant", None, "missing-field"),
        ("time", "2026-03-12T10:00:00", "bad-time"),
        ("time", "yesterday", "bad-time"),
        ("field", "not a term", "bad-field"),
        ("comment", "bidi \u202e trick", "invisible-character"),
        ("role", "x" * 201, "too-long"),
    ],
)
def test_bad_values_are_refused_naming_the_field(key, value, code):
    data = as_dict(record())
    data[key] = value
    with pytest.raises(FeedbackError) as info:
        record_from_dict(data)
    assert info.value.code == code
    assert info.value.field == key
    assert isinstance(info.value, InputError)
    assert key in str(info.value)


def test_missing_key_and_unknown_key():
    data = as_dict(record())
    del data["stance"]
    with pytest.raises(FeedbackError) as info:
        record_from_dict(data)
    assert (info.value.code, info.value.field) == ("missing-field", "stance")

    data = as_dict(record())
    data["stanse"] = "keep"
    with pytest.raises(FeedbackError) as info:
        record_from_dict(data)
    assert (info.value.code, info.value.field) == ("unknown-key", "stanse")


def test_every_problem_is_listed():
    data = as_dict(record())
    data.update(priority=9, sphere="home", stance="meh")
    with pytest.raises(FeedbackError) as info:
        record_from_dict(data)
    assert {p.field for p in info.value.problems} == {"priority", "sphere", "stance"}
    assert "2 more problems" in str(info.value)


def test_new_field_proposals():
    r = record(field=NEW_FIELD, stance="add", proposed_term="recognisedBy",
               proposed_label="Recognised by")
    assert r.target == "+recognisedBy"
    with pytest.raises(FeedbackError) as info:
        record(field=NEW_FIELD, stance="add")
    assert info.value.field == "proposed_term"
    with pytest.raises(FeedbackError) as info:
        record(field=NEW_FIELD, stance="keep", proposed_term="x")
    assert info.value.field == "stance"
    with pytest.raises(FeedbackError) as info:
        record(field=NEW_FIELD, stance="add", proposed_term="@id")
    assert (info.value.code, info.value.field) == ("bad-term", "proposed_term")
    with pytest.raises(FeedbackError) as info:
        record(stance="add")
    assert info.value.field == "stance"
    with pytest.raises(FeedbackError) as info:
        record(proposed_term="x")
    assert info.value.field == "proposed_term"


def test_frozen_record_revalidates_on_construction():
    r = record()
    with pytest.raises(FeedbackError):
        FeedbackRecord(**{**as_dict(r), "priority": 7})


# --- the store -------------------------------------------------------------------


def test_append_and_read_round_trip(tmp_path):
    path = tmp_path / "feedback.jsonl"
    first = [record(participant="A"), record(participant="B", comment="two\nlines")]
    assert append_feedback(path, first) == 2
    assert append_feedback(path, [record(participant="C")]) == 1
    got = read_feedback(path)
    assert [r.participant for r in got] == ["A", "B", "C"]
    assert got[1].comment == "two\nlines"
    assert len(path.read_bytes().splitlines()) == 3


def test_append_refuses_non_records(tmp_path):
    with pytest.raises(FeedbackError) as info:
        append_feedback(tmp_path / "f.jsonl", [as_dict(record())])
    assert info.value.code == "not-a-record"
    assert not (tmp_path / "f.jsonl").exists()


def test_missing_file(tmp_path):
    with pytest.raises(FeedbackError) as info:
        read_feedback(tmp_path / "none.jsonl")
    assert info.value.code == "feedback-file-missing"
    assert read_feedback(tmp_path / "none.jsonl", missing_ok=True) == []


def _file_with(tmp_path: Path, middle: bytes) -> Path:
    path = tmp_path / "feedback.jsonl"
    append_feedback(path, [record(participant="A"), record(participant="B")])
    good = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(good[0] + good[1] + middle + record(participant="C").to_json_line().encode())
    return path


@pytest.mark.parametrize(
    ("middle", "code"),
    [
        (b'{"id": "x", "priority": \n', "line-not-json"),
        (b"\n", "blank-line"),
        (b"\xff\xfe\n", "line-not-utf8"),
        (b"[1, 2]\n", "record-not-an-object"),
        (b'{"a": 1, "a": 2}\n', "line-not-json"),
    ],
)
def test_a_corrupt_line_is_reported_with_its_number(tmp_path, middle, code):
    path = _file_with(tmp_path, middle)
    with pytest.raises(FeedbackError) as info:
        read_feedback(path)
    assert info.value.code == code
    assert info.value.line == 3
    assert "line 3" in str(info.value)
    scan = scan_feedback(path)
    assert [r.participant for r in scan.records] == ["A", "B", "C"]
    assert [p.line for p in scan.problems] == [3]


def test_an_invalid_record_line_names_line_and_field(tmp_path):
    bad = as_dict(record(participant="X"))
    bad["priority"] = 6
    path = _file_with(tmp_path, (json.dumps(bad) + "\n").encode())
    with pytest.raises(FeedbackError) as info:
        read_feedback(path)
    assert (info.value.code, info.value.line, info.value.field) == ("bad-priority", 3, "priority")


def test_duplicate_ids_are_reported(tmp_path):
    path = tmp_path / "feedback.jsonl"
    r = record()
    append_feedback(path, [r])
    append_feedback(path, [r])
    with pytest.raises(FeedbackError) as info:
        read_feedback(path)
    assert (info.value.code, info.value.line) == ("duplicate-id", 2)


def test_a_torn_last_line_stays_separate_from_the_next_append(tmp_path):
    path = tmp_path / "feedback.jsonl"
    append_feedback(path, [record(participant="A")])
    with open(path, "ab") as fh:
        fh.write(b'{"id": "torn')  # a crash mid-write
    append_feedback(path, [record(participant="B")])
    scan = scan_feedback(path)
    assert [r.participant for r in scan.records] == ["A", "B"]
    assert [(p.line, p.code) for p in scan.problems] == [(2, "line-not-json")]


def test_write_feedback_never_overwrites_silently(tmp_path):
    path = tmp_path / "feedback.jsonl"
    write_feedback(path, [record()])
    with pytest.raises(FeedbackError) as info:
        write_feedback(path, [])
    assert info.value.code == "feedback-file-exists"
    assert len(read_feedback(path)) == 1


# --- erasure ---------------------------------------------------------------------


def test_erasure_removes_a_participant_from_file_and_reports(tmp_path):
    path = tmp_path / "feedback.jsonl"
    append_feedback(path, [
        record(participant="Rosa Silva", comment="Rosa's private worry"),
        record(participant="Rosa Silva", sphere="work", comment="Rosa again"),
        record(participant="Ben Evans", comment="Ben's point"),
    ])
    before = summarise(read_feedback(path))
    assert "Rosa" in str(before) and "Rosa" in before._repr_html_()

    result = erase_participant(path, "Rosa Silva")
    assert (result.removed, result.remaining) == (2, 1)
    records = read_feedback(path)
    assert [r.participant for r in records] == ["Ben Evans"]
    assert b"Rosa" not in path.read_bytes()
    after = summarise(records)
    assert "Rosa" not in str(after) and "Rosa" not in after._repr_html_()
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind


def test_erasure_can_be_limited_to_an_organisation(tmp_path):
    path = tmp_path / "feedback.jsonl"
    append_feedback(path, [record(organisation="A Co-op"), record(organisation="B Co-op")])
    assert erase_participant(path, "Rosa Silva", organisation="A Co-op").removed == 1
    assert [r.organisation for r in read_feedback(path)] == ["B Co-op"]
    assert erase_participant(path, "Nobody").removed == 0


def test_erasure_refuses_a_file_with_bad_lines(tmp_path):
    path = _file_with(tmp_path, b"garbage\n")
    before = path.read_bytes()
    with pytest.raises(FeedbackError) as info:
        erase_participant(path, "Rosa Silva")
    assert info.value.line == 3
    assert path.read_bytes() == before


# --- consent in reports ------------------------------------------------------------


def test_anonymous_participants_are_not_named_in_reports():
    records = [
        record(participant="Hidden Person", organisation="Secret Co-op", consent="anonymous",
               comment="anonymous view", priority=5),
        record(participant="Open Person", organisation="Open Co-op", priority=4,
               comment="named view"),
    ]
    frame = feedback_frame(records)
    text = frame.to_string() + top_comments(records).to_string() + str(summarise(records))
    assert "Hidden Person" not in text and "Secret Co-op" not in text
    assert "Anonymous (housing)" in text
    assert "Open Person, Open Co-op" in text
    # Counting still sees two participants.
    assert summarise(records).participants == 2


# --- CSV import -------------------------------------------------------------------

HEADER = "organisation,participant,role,sector,sphere,field,stance,priority,comment,time,consent\n"


def test_csv_import_validates_and_generates_ids(tmp_path):
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(
        HEADER
        + 'Elm Street Tenants Co-op,Rosa Silva,member,housing,legal,identityAssurance,keep,5,'
        '"Checks, checks, checks\nevery year",2026-03-01T09:00:00Z,attributed\n'
        + "Green Acre Growers,Ben Evans,member,agriculture,work,benefits,keep,4,,"
        "2026-03-01T10:00:00+01:00,anonymous\n",
        encoding="utf-8",
    )
    records = import_feedback_csv(csv_path)
    assert [r.priority for r in records] == [5, 4]
    assert records[0].comment == "Checks, checks, checks\nevery year"
    assert records[1].time == "2026-03-01T09:00:00Z"
    assert {r.source for r in records} == {"survey"}
    assert records == import_feedback_csv(csv_path)

    store = tmp_path / "feedback.jsonl"
    assert import_into(store, records) == 2
    with pytest.raises(FeedbackError) as info:
        import_into(store, records)  # the same export twice
    assert info.value.code == "duplicate-id"
    assert len(read_feedback(store)) == 2


def test_csv_import_reports_every_bad_row(tmp_path):
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(
        HEADER
        + "A,B,member,housing,legal,roles,keep,3,,2026-03-01T09:00:00Z,attributed\n"
        + "A,C,member,housing,legal,roles,keep,6,,2026-03-01T09:00:00Z,attributed\n"
        + "A,D,member,housing,legal,roles,perhaps,3,,2026-03-01T09:00:00Z,attributed\n"
        + "A,E,member,housing,kitchen,roles,keep,3,,2026-03-01T09:00:00Z,attributed\n"
        + "A,F,member,housing,legal,roles,keep,3,,2026-03-01T09:00:00Z,\n",
        encoding="utf-8",
    )
    with pytest.raises(FeedbackError) as info:
        import_feedback_csv(csv_path)
    found = [(p.row, p.field, p.code) for p in info.value.problems]
    assert found == [
        (3, "priority", "bad-priority"),
        (4, "stance", "unknown-stance"),
        (5, "sphere", "unknown-sphere"),
        (6, "consent", "missing-field"),
    ]
    assert "row 3" in str(info.value)


def test_csv_import_maps_columns_and_reports_missing_ones(tmp_path):
    csv_path = tmp_path / "forum.csv"
    csv_path.write_text(
        "Co-op,Name,Role,Sphere,Field,Stance,Priority,Post,Posted,Consent\n"
        "A,B,member,play,benefits,keep,2,Nice,2026-03-01T09:00:00Z,anonymous\n",
        encoding="utf-8",
    )
    with pytest.raises(FeedbackError) as info:
        import_feedback_csv(csv_path)
    assert info.value.code == "missing-column" and info.value.row == 1
    columns = {"organisation": "Co-op", "participant": "Name", "role": "Role",
               "sphere": "Sphere", "field": "Field", "stance": "Stance",
               "priority": "Priority", "comment": "Post", "time": "Posted",
               "consent": "Consent"}
    [r] = import_feedback_csv(csv_path, columns=columns, source="forum")
    assert (r.comment, r.source, r.consent) == ("Nice", "forum", "anonymous")


def test_csv_import_extra_cells_and_missing_file(tmp_path):
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(
        HEADER + "A,B,member,housing,legal,roles,keep,3,,2026-03-01T09:00:00Z,attributed,extra\n",
        encoding="utf-8",
    )
    with pytest.raises(FeedbackError) as info:
        import_feedback_csv(csv_path)
    assert (info.value.code, info.value.row) == ("bad-csv", 2)
    with pytest.raises(FeedbackError) as info:
        import_feedback_csv(tmp_path / "none.csv")
    assert info.value.code == "csv-file-missing"


# --- round trip (property) ---------------------------------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf"), blacklist_characters="\u2028\u2029"),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(
    organisation=_text, participant=_text, comment=st.one_of(st.just(""), _text),
    sphere=st.sampled_from(["legal", "work", "play"]),
    stance=st.sampled_from(["keep", "change", "drop"]),
    priority=st.integers(1, 5), consent=st.sampled_from(["attributed", "anonymous"]),
)
def test_any_valid_record_survives_the_file(tmp_path_factory, **values):
    r = record(**values)
    path = tmp_path_factory.mktemp("rt") / "f.jsonl"
    append_feedback(path, [r])
    assert read_feedback(path) == [r]
