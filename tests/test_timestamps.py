"""Timestamps at the ends of the calendar: parsed or refused cleanly, never an overflow.

The rule (``coopcreds_proto.timestamps``): a moment's UTC time lies between
0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, a timestamp outside it is
``bad-timestamp``, and a tolerance added to a moment saturates at those ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coopcreds_proto.did_web import create_did_web, did_web_document, key_history
from coopcreds_proto.errors import InputError
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.timestamps import (
    EARLIEST,
    LATEST,
    as_datetime,
    format_timestamp,
    parse_timestamp,
    shifted,
)
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential
from coopcreds_proto.vc.verification import verify_credential

OFFSETS = ["Z", "+00:00", "+00:01", "-00:01", "+23:59", "-23:59", "+14:00", "-12:00"]


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "0001-01-01T23:59:59",
                                    "9999-12-31T00:00:00", "9999-12-31T23:59:59"])
def test_the_ends_of_the_calendar_with_any_offset_parse_or_refuse_cleanly(moment, offset):
    text = moment + offset
    try:
        parsed = parse_timestamp(text)
    except InputError as exc:
        assert exc.code == "bad-timestamp"
        assert "the workbench can represent" in exc.message and text in exc.message
        return
    # Whatever parses can be formatted, compared and shifted by a clock skew.
    stamp = format_timestamp(parsed)
    assert parse_timestamp(stamp) == parsed.replace(microsecond=0)
    assert EARLIEST <= parsed <= LATEST
    for skew in (timedelta(minutes=5), -timedelta(minutes=5), timedelta.max, timedelta.min):
        assert EARLIEST <= shifted(parsed, skew) <= LATEST


@pytest.mark.parametrize(("text", "why"), [
    ("9999-12-31T23:59:59-23:59", "after 9999-12-31T23:59:59Z"),
    ("9999-12-31T23:59:59-00:01", "after 9999-12-31T23:59:59Z"),
    ("0001-01-01T00:00:00+23:59", "before 0001-01-01T00:00:00Z"),
    ("0001-01-01T00:00:00+00:01", "before 0001-01-01T00:00:00Z"),
])
def test_a_timestamp_whose_utc_time_leaves_the_calendar_is_refused(text, why):
    with pytest.raises(InputError) as err:
        parse_timestamp(text, path="$.validUntil")
    assert err.value.code == "bad-timestamp"
    assert why in err.value.message and err.value.path == "$.validUntil"


def test_the_last_and_first_moments_in_utc_are_representable():
    assert parse_timestamp("9999-12-31T23:59:59+23:59") < LATEST
    assert parse_timestamp("0001-01-01T00:00:00-23:59") > EARLIEST
    assert format_timestamp(parse_timestamp("9999-12-31T23:59:59.999999999Z")) == \
        "9999-12-31T23:59:59Z"


def test_year_one_is_written_with_four_digits():
    assert format_timestamp(parse_timestamp("0001-01-01T00:00:00Z")) == "0001-01-01T00:00:00Z"
    assert format_timestamp(parse_timestamp("0999-06-01T12:00:00+01:00")) == \
        "0999-06-01T11:00:00Z"


@pytest.mark.parametrize("text", ["2026-06-30T23:59:60Z", "2016-12-31T23:59:60+00:00"])
def test_leap_seconds_are_refused(text):
    with pytest.raises(InputError) as err:
        parse_timestamp(text)
    assert err.value.code == "bad-timestamp" and "second must be in 0..59" in err.value.message


@pytest.mark.parametrize("digits", [1, 3, 6, 7, 9, 12, 40, 100_000])
def test_fractional_seconds_of_any_length_are_read_to_the_microsecond(digits):
    parsed = parse_timestamp(f"2026-01-01T00:00:00.{'9' * digits}Z")
    assert parsed.microsecond == int(("9" * digits + "000000")[:6])


@pytest.mark.parametrize("text", [
    "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00-24:00", "2026-02-30T00:00:00Z",
    "10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
    "1" * 100_000 + "-01-01T00:00:00Z", "2026-01-01T00:00:00." + "1" * 10 + "x",
])
def test_impossible_timestamps_are_refused_in_one_short_message(text):
    with pytest.raises(InputError) as err:
        parse_timestamp(text)
    assert err.value.code == "bad-timestamp"
    assert len(err.value.message) < 300 and "\n" not in err.value.message


def test_shifting_saturates_at_the_ends():
    assert shifted(LATEST, timedelta(minutes=5)) == LATEST
    assert shifted(EARLIEST, -timedelta(minutes=5)) == EARLIEST
    near_end = datetime(9999, 12, 31, 23, 58, tzinfo=timezone.utc)
    assert shifted(near_end, timedelta(minutes=1)) == near_end + timedelta(minutes=1)
    # A moment with a negative offset near the end: its own fields are in range.
    late = parse_timestamp("9999-12-31T00:00:00-01:00")
    assert shifted(late, timedelta(days=1)) == LATEST


def test_datetimes_given_directly_are_checked_too():
    too_late = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59)))
    with pytest.raises(InputError) as err:
        as_datetime(too_late)
    assert err.value.code == "bad-timestamp"
    with pytest.raises(InputError):
        format_timestamp(too_late)
    with pytest.raises(TypeError):
        format_timestamp("2026-01-01T00:00:00Z")  # type: ignore[arg-type]


# --- where moments meet a clock skew: proofs, validity, key history, status ----------

@pytest.mark.parametrize(("now", "valid_until", "failed"), [
    ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", []),
    # 23:59:59+23:59 is 00:00:59 in UTC: long past at 23:59:59Z.
    ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59+23:59", ["expired"]),
    ("9999-12-31T23:59:59+23:59", "9999-12-31T23:59:59+23:59", []),
    ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", ["created-in-future", "not-yet-valid"]),
    ("0001-01-01T00:00:00-23:59", "9999-12-31T23:59:59Z",
     ["created-in-future", "not-yet-valid"]),
])
def test_validity_and_proof_times_at_the_ends_of_the_calendar(now, valid_until, failed):
    actors = sample_actors()
    unsigned = {**sample_membership_credential(actors), "validUntil": valid_until}
    signed = issue(unsigned, actors.coop, created="2026-01-15T09:00:00Z",
                   expires="9999-12-31T23:59:59Z")
    assert [c.code for c in verify_credential(signed, now=now).failed] == failed


def test_a_key_history_with_moments_outside_the_calendar_is_refused_cleanly(tmp_path):
    registry = LocalRegistry(tmp_path)
    did = "did:web:riverside.example"
    key = create_did_web(did, registry, rng=SeededRandom("ends"))
    document = did_web_document(did, registry)
    document["verificationMethod"][0]["expires"] = "9999-12-31T23:59:59-23:59"
    registry.publish(did, document, replace=True)
    with pytest.raises(InputError) as err:
        key_history(did, registry)
    assert err.value.code == "bad-timestamp"
    unsigned = sample_membership_credential(sample_actors())
    unsigned["issuer"]["id"] = did
    signed = issue(unsigned, key, created="2026-02-01T00:00:00Z")
    result = verify_credential(signed, now="2026-06-01T00:00:00Z", registry=registry)
    assert result.failed[0].code == "bad-verification-method-date"


@pytest.mark.parametrize("expires", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_a_key_retired_at_an_end_of_the_calendar_is_judged(tmp_path, expires):
    registry = LocalRegistry(tmp_path)
    did = "did:web:riverside.example"
    key = create_did_web(did, registry, rng=SeededRandom("ends"))
    document = did_web_document(did, registry)
    document["verificationMethod"][0]["expires"] = expires
    registry.publish(did, document, replace=True)
    assert format_timestamp(key_history(did, registry)[0].expires) == expires
    unsigned = sample_membership_credential(sample_actors())
    unsigned["issuer"]["id"] = did
    signed = issue(unsigned, key, created="2026-02-01T00:00:00Z")
    result = verify_credential(signed, now="9999-12-31T23:59:59Z", registry=registry)
    codes = [c.code for c in result.failed]
    assert ("key-expired" in codes) == expires.startswith("0001")


def test_a_time_read_again_is_the_same_and_a_bad_one_is_refused_every_time() -> None:
    first = parse_timestamp("2026-03-01T10:00:00+02:00")
    assert parse_timestamp("2026-03-01T10:00:00+02:00") == first
    assert first.utcoffset() == timedelta(hours=2)
    for path in ("$.validFrom", "$.proof.created"):
        with pytest.raises(InputError) as raised:
            parse_timestamp("2026-02-30T00:00:00Z", path=path)
        assert raised.value.path == path
