"""The member register: CSV import, every problem by row and column, the synthetic sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.issuer.member_register import (
    REGISTER_COLUMNS,
    MemberRecord,
    RegisterError,
    generate_register,
    parse_register,
    read_register,
    register_csv,
    register_problems,
    write_register,
)
from coopcreds_proto.vc.samples import sample_actors

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "registers" / "sample_members.csv"
HEADER = "membership_number,member_did,name,member_since,membership_status,voting_rights,roles\n"
ADA = sample_actors().member.did
BEA = sample_actors().outsider.did


def _problems(text: str, **kw) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.code) for p in register_problems(text, **kw)]


def test_sample_register_is_the_generators_output():
    assert SAMPLE.read_text(encoding="utf-8") == register_csv(generate_register(25))
    records = read_register(SAMPLE)
    assert len(records) == 25
    ada = records[0]
    assert (ada.membership_number, ada.member_did, ada.name) == ("RFC-00042", ADA, "Ada Okafor")
    assert ada.member_since == date(2019, 3, 14)
    assert len({r.member_did for r in records}) == 25
    assert {r.membership_status for r in records} == {"active", "suspended"}
    assert [r.row for r in records] == list(range(2, 27))


def test_a_good_row_becomes_a_typed_record():
    text = HEADER + f"RFC-1,{ADA}, Ada Okafor ,2019-03-14,Active,YES,member; board director\n"
    (record,) = parse_register(text)
    assert record == MemberRecord(
        membership_number="RFC-1", member_did=ADA, member_since=date(2019, 3, 14),
        membership_status="active", voting_rights=True, name="Ada Okafor",
        roles=("member", "board director"), row=2,
    )
    assert record.claims() == {
        "name": "Ada Okafor", "membershipNumber": "RFC-1", "memberSince": "2019-03-14",
        "membershipStatus": "active", "votingRights": True, "roles": ["member", "board director"],
    }
    assert "name" not in record.claims(omit=("name",))
    with pytest.raises(AttributeError):
        record.name = "someone else"  # frozen


def test_a_bad_register_lists_every_problem_by_row_and_column():
    text = HEADER + "\n".join([
        f"RFC-1,{ADA},Ada,2019-03-14,active,yes,member",               # fine
        f"RFC-2,{BEA},Bea,2019-02-30,retired,maybe,member",             # three problems
        f"RFC-1,{BEA}x,,2020-01-01,active,no,",                         # dup number, bad did:key
        "RFC 4,not-a-did,Cy,,active,no,member;member",                  # four problems
        f"RFC-5,{ADA},Dee\u202eevil,2020-01-01,active,no,member",       # dup DID, hidden char
        "RFC-6,did:example:6,Eve,2020-01-01,active",                    # too few cells
    ]) + "\n"
    assert _problems(text) == [
        (3, "member_since", "bad-date"),
        (3, "membership_status", "bad-status"),
        (3, "voting_rights", "bad-boolean"),
        (4, "member_did", "bad-did"),
        (4, "membership_number", "duplicate"),
        (5, "membership_number", "bad-membership-number"),
        (5, "member_did", "bad-did"),
        (5, "member_since", "missing-value"),
        (5, "roles", "duplicate-item"),
        (6, "name", "control-character"),
        (6, "member_did", "duplicate"),
        (7, "", "wrong-cell-count"),
    ]
    with pytest.raises(RegisterError) as caught:
        parse_register(text, source="members.csv")
    err = caught.value
    assert err.code == "bad-register" and len(err.problems) == 12
    assert err.message.startswith("members.csv: 12 problems in the member register, nothing imported")
    assert "row 3, member_since: not a date (YYYY-MM-DD): 2019-02-30" in err.message
    assert "and 7 more" in err.message
    # Hidden characters are shown escaped, never echoed as they are.
    assert "\\u202e" in str(err.problems[9]) and "\u202e" not in str(err.problems[9])
    assert "RFC-1 is also on row 2" in err.problems[4].message


def test_header_problems_stop_before_the_rows():
    text = "membership_number,member_did,member_did,email,member_since,voting_rights\nx\n"
    assert _problems(text) == [
        (1, "email", "unknown-column"),
        (1, "member_did", "duplicate-column"),
        (1, "membership_status", "missing-column"),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty-register"),
        (HEADER, "no-members"),
        (HEADER + '"RFC-1,unterminated\n', "bad-csv"),
        ("a\x00b", "not-csv"),
    ],
)
def test_unusable_files(text, code):
    assert [p.code for p in register_problems(text)] == [code]


def test_future_member_since_is_refused_as_of_a_date():
    text = HEADER + f"RFC-1,{ADA},Ada,2026-07-01,active,yes,\n"
    assert parse_register(text)[0].member_since == date(2026, 7, 1)
    assert _problems(text, as_of=date(2026, 6, 1)) == [(2, "member_since", "future-date")]


def test_reading_files(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + f"RFC-1,{ADA},Ada,2019-03-14,active,1,\n").encode())
    assert read_register(path)[0].voting_rights is True  # a spreadsheet's BOM is fine
    path.write_bytes(b"membership_number\n\xff\n")
    with pytest.raises(RegisterError) as caught:
        read_register(path)
    assert caught.value.problems[0].code == "not-utf8"
    with pytest.raises(InputError) as missing:
        read_register(tmp_path / "nope.csv")
    assert missing.value.code == "register-missing"


def test_write_register_round_trips_and_never_overwrites(tmp_path):
    records = generate_register(5, seed="another co-op")
    path = write_register(records, tmp_path / "r.csv")
    assert [r.member_did for r in read_register(path)] == [r.member_did for r in records]
    with pytest.raises(InputError) as caught:
        write_register(records[:1], path)
    assert caught.value.code == "register-exists"
    assert len(read_register(path)) == 5
    write_register(records[:1], path, overwrite=True)
    assert len(read_register(path)) == 1


def test_columns_match_the_definition():
    from coopcreds_proto.definitions.definition import definition_path, load_definition

    definition = load_definition(definition_path("cooperative-membership", "0.1"))
    terms = {f.term: f for f in definition.active_fields}
    for column in REGISTER_COLUMNS:
        if column.term != "id":
            assert column.term in terms, column
            # A field the credential requires is required in the register too.
            assert column.required or not terms[column.term].required
