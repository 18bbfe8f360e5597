"""Reading status as a verifier: every refusal with its reason, and the passes."""

from __future__ import annotations

import base64
import copy
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.timestamps import parse_timestamp
from coopcreds_proto.vc import status_check
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.status_check import StatusCache, StatusCheckError
from coopcreds_proto.vc.status_list import (
    StatusList,
    allocate,
    encode_bits,
    new_status_list,
    publish_status_list,
    revoke,
    status_entry,
    status_list_credential,
    suspend,
    unsuspend,
)
from coopcreds_proto.vc.verification import check_status, read_status, verify_credential

VECTORS = Path(__file__).resolve().parent / "vectors" / "status-list"
ACTORS = sample_actors()
REVOCATION_URL = "https://riverside.example/status/revocation/1"
SUSPENSION_URL = "https://riverside.example/status/suspension/1"
LIST_FROM = "2026-05-01T00:00:00Z"


@dataclass
class Issuer:
    """A co-op's two lists, published in a registry, and one credential using both."""

    registry: LocalRegistry
    revocation: StatusList
    suspension: StatusList
    revocation_index: int
    suspension_index: int
    credential: dict

    def publish(self, **options: object) -> None:
        for lst in (self.revocation, self.suspension):
            publish_status_list(lst, ACTORS.coop, self.registry, valid_from=LIST_FROM, **options)


@pytest.fixture()
def coop(tmp_path: Path) -> Issuer:
    registry = LocalRegistry(tmp_path / "registry")
    rng = SeededRandom("status-check-tests")
    revocation, (r,) = allocate(new_status_list(REVOCATION_URL, ACTORS.coop.did), rng)
    suspension, (s,) = allocate(new_status_list(SUSPENSION_URL, ACTORS.coop.did, "suspension"), rng)
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialStatus"] = [status_entry(revocation, r), status_entry(suspension, s)]
    credential = issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)
    issuer = Issuer(registry, revocation, suspension, r, s, credential)
    issuer.publish()
    return issuer


def verify(issuer: Issuer, credential: dict | None = None, **options: object):
    return verify_credential(
        credential or issuer.credential,
        now=options.pop("now", SAMPLE_NOW),
        registry=issuer.registry,
        **options,
    )


def status_of(issuer: Issuer, credential: dict | None = None, **options: object):
    result = verify(issuer, credential, **options)
    return result, result.check("status")


def check(issuer: Issuer, credential: dict, **options: object) -> str:
    options.setdefault("now", SAMPLE_NOW)
    return check_status(credential, registry=issuer.registry, cache=None, **options)


def assert_refused(check_result, code: str, *words: str) -> None:
    assert not check_result.ok and not check_result.skipped
    assert check_result.code == code, check_result.message
    for word in words:
        assert word in check_result.message, check_result.message


# --- passes -------------------------------------------------------------------


def test_a_good_credential_passes_every_check(coop: Issuer) -> None:
    result, status = status_of(coop)
    assert result.verified, str(result)
    assert status.ok
    assert f"not revoked (index {coop.revocation_index} of {REVOCATION_URL})" in status.message
    assert f"not suspended (index {coop.suspension_index} of {SUSPENSION_URL})" in status.message


def test_credentials_without_status_still_pass(coop: Issuer) -> None:
    plain = issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)
    for registry in (coop.registry, None):
        result = verify_credential(plain, now=SAMPLE_NOW, registry=registry)
        assert result.verified
        assert result.check("status").message == "no credentialStatus: nothing to revoke"


def test_without_a_registry_status_fails_closed(coop: Issuer) -> None:
    result = verify_credential(coop.credential, now=SAMPLE_NOW)
    assert not result.verified
    assert [c.name for c in result.failed] == ["status"]
    assert_refused(result.check("status"), "status-not-checked",
                   "status unknown", "no registry to read the status list from")


# --- revoked, suspended -------------------------------------------------------


def test_revoked(coop: Issuer) -> None:
    coop.revocation = revoke(coop.revocation, coop.revocation_index)
    coop.publish()
    result, status = status_of(coop)
    assert not result.verified and [c.name for c in result.failed] == ["status"]
    assert_refused(status, "status-revoked", "revoked", str(coop.revocation_index))
    assert status.message.startswith("revoked")


def test_suspended_then_unsuspended_passes_again(coop: Issuer) -> None:
    coop.suspension = suspend(coop.suspension, coop.suspension_index)
    coop.publish()
    _, status = status_of(coop)
    assert_refused(status, "status-suspended", "suspended", str(coop.suspension_index))
    coop.suspension = unsuspend(coop.suspension, coop.suspension_index)
    coop.publish()  # a new list: a new digest, so the cached one is not used
    result, status = status_of(coop)
    assert result.verified and "not suspended" in status.message


# --- status unknown -----------------------------------------------------------


def test_status_list_missing(coop: Issuer) -> None:
    coop.registry.path_for(SUSPENSION_URL).unlink()
    _, status = status_of(coop)
    assert_refused(status, "status-list-missing", "status unknown", "no status list", SUSPENSION_URL)


def test_forged_list_fails_its_own_proof(coop: Issuer) -> None:
    # Clear a revocation by swapping in an all-zero list under the old proof.
    coop.revocation = revoke(coop.revocation, coop.revocation_index)
    coop.publish()
    path = coop.registry.path_for(REVOCATION_URL)
    document = json.loads(path.read_text())
    document["credentialSubject"]["encodedList"] = encode_bits(bytes(16384))
    path.write_text(json.dumps(document))
    _, status = status_of(coop)
    assert_refused(status, "status-list-unverifiable", "status unknown", "does not verify",
                   "signature")


def test_list_published_by_the_wrong_issuer(coop: Issuer) -> None:
    forged = StatusList(REVOCATION_URL, ACTORS.outsider.did, "revocation",
                        coop.revocation.bits, coop.revocation.allocated)
    publish_status_list(forged, ACTORS.outsider, coop.registry, valid_from=LIST_FROM)
    _, status = status_of(coop)
    assert_refused(status, "status-list-wrong-issuer", "status unknown",
                   f"published by {ACTORS.outsider.did}", f"not by the issuer {ACTORS.coop.did}")
    # A trust registry may authorise another publisher for this issuer.
    allowed = {(ACTORS.outsider.did, ACTORS.coop.did)}
    result, status = status_of(
        coop, authorised_status_issuers=lambda publisher, issuer: (publisher, issuer) in allowed
    )
    assert result.verified and status.ok


def _with_entries(coop: Issuer, *entries: dict) -> dict:
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialStatus"] = list(entries)
    return issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)


def test_purpose_mismatch(coop: Issuer) -> None:
    entry = status_entry(coop.revocation, coop.revocation_index)
    entry["statusPurpose"] = "suspension"  # but the list is a revocation list
    _, status = status_of(coop, _with_entries(coop, entry))
    assert_refused(status, "status-purpose-mismatch", "status unknown",
                   "purpose is suspension", "for revocation")


def test_index_out_of_range(coop: Issuer) -> None:
    entry = status_entry(coop.revocation, coop.revocation_index)
    entry["statusListIndex"] = "131072"
    _, status = status_of(coop, _with_entries(coop, entry))
    assert_refused(status, "status-index-out-of-range", "status unknown", "index 131072",
                   "131,072 entries")


@pytest.mark.parametrize(
    "change, code",
    [
        ({"statusListIndex": 42}, "status-entry-malformed"),  # a number, not a string
        ({"statusListIndex": "0042"}, "status-entry-malformed"),
        ({"statusListIndex": "-1"}, "status-entry-malformed"),
        ({"id": REVOCATION_URL}, "status-entry-malformed"),  # id equal to the list URL
        ({"statusPurpose": "ownership"}, "status-unsupported"),
        ({"type": "StatusList2021Entry"}, "status-unsupported"),
        ({"statusSize": 2}, "status-entry-malformed"),  # without its statusMessage
        ({"statusSize": 0}, "status-entry-malformed"),
        ({"statusSize": 9}, "status-unsupported"),
        ({"statusSize": 1, "statusMessage": [{"status": "0x0", "message": "ok"}]},
         "status-entry-malformed"),  # 2 values for 1 bit
        ({"statusSize": 1, "statusMessage": [{"status": "0x0", "message": "a"},
                                             {"status": "0x0", "message": "b"}]},
         "status-entry-malformed"),  # a value listed twice
        ({"statusSize": 1, "statusMessage": [{"status": "0", "message": "a"},
                                             {"status": "0x1", "message": "b"}]},
         "status-entry-malformed"),  # not hexadecimal
        ({"statusListCredential": "http://riverside.example/s"}, "status-list-missing"),
        ({"statusListCredential": ["https://riverside.example/s"]}, "status-entry-malformed"),
    ],
)
def test_malformed_or_unsupported_entries_fail_closed(coop: Issuer, change: dict,
                                                      code: str) -> None:
    entry = {**status_entry(coop.revocation, coop.revocation_index), **change}
    with pytest.raises(StatusCheckError) as refused:
        check(coop, {"issuer": ACTORS.coop.did, "credentialStatus": entry})
    assert refused.value.code == code
    assert str(refused.value).startswith("status unknown")


def test_stale_list_past_valid_until(coop: Issuer) -> None:
    coop.publish(valid_until="2026-05-15T00:00:00Z")
    _, status = status_of(coop)
    assert_refused(status, "status-list-stale", "status unknown", "stale",
                   "valid until 2026-05-15T00:00:00Z")
    # The same list, read before it went stale, passes.
    result, status = status_of(coop, now="2026-05-10T00:00:00Z")
    assert result.verified


@pytest.mark.parametrize("published", [
    {"valid_until": "2026-05-15T00:00:00Z"},
    {"ttl": 24 * 3600 * 1000},
])
def test_a_list_read_while_fresh_is_stale_later_though_cached(
    coop: Issuer, published: dict
) -> None:
    coop.publish(**published)
    result, _ = status_of(coop, now="2026-05-01T12:00:00Z")  # read, verified, cached
    assert result.verified
    _, status = status_of(coop)  # the same bytes, later: the clock's checks run again
    assert_refused(status, "status-list-stale", "status unknown", "stale")


def test_stale_list_past_its_ttl(coop: Issuer) -> None:
    coop.publish(ttl=24 * 3600 * 1000)  # one day from validFrom (2026-05-01)
    _, status = status_of(coop)
    assert_refused(status, "status-list-stale", "ttl 86,400,000 ms has passed")
    result, _ = status_of(coop, now="2026-05-01T12:00:00Z")
    assert result.verified


def test_a_list_not_yet_valid_is_refused_even_when_cached(coop: Issuer) -> None:
    assert status_of(coop)[1].ok  # cached now
    _, status = status_of(coop, now="2026-04-01T00:00:00Z")
    assert_refused(status, "status-list-unverifiable", f"not valid until {LIST_FROM}")


def test_a_list_with_its_own_status_is_refused(coop: Issuer) -> None:
    # Recursion guard: a status list must not itself need a status check.
    unsigned = json.loads(coop.registry.path_for(REVOCATION_URL).read_text())
    del unsigned["proof"]
    unsigned["credentialStatus"] = status_entry(coop.revocation, coop.revocation_index)
    coop.registry.publish(REVOCATION_URL, issue(unsigned, ACTORS.coop, created=LIST_FROM), replace=True)
    _, status = status_of(coop)
    assert_refused(status, "status-list-unverifiable", "itself carries credentialStatus")


def test_a_gzip_bomb_list_is_refused(coop: Issuer) -> None:
    unsigned = json.loads(coop.registry.path_for(REVOCATION_URL).read_text())
    del unsigned["proof"]
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = deflate.compress(bytes(64 << 20)) + deflate.flush()  # 64 MiB of zeros, ~65 KB
    unsigned["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(bomb).decode()
    coop.registry.publish(REVOCATION_URL, issue(unsigned, ACTORS.coop, created=LIST_FROM), replace=True)
    with pytest.raises(StatusCheckError) as refused:
        check(coop, coop.credential, max_list_bytes=1 << 20)
    assert refused.value.code == "status-list-malformed", str(refused.value)
    assert "inflates to more than 1,048,576 bytes" in str(refused.value)


def test_a_document_that_is_not_a_status_list(coop: Issuer) -> None:
    coop.registry.publish(REVOCATION_URL, coop.credential, replace=True)
    _, status = status_of(coop)
    assert_refused(status, "status-list-malformed", "not a BitstringStatusListCredential")


# --- reading every entry, caching ---------------------------------------------


def test_read_status_reports_every_entry(coop: Issuer) -> None:
    coop.suspension = suspend(coop.suspension, coop.suspension_index)
    coop.publish()
    results = read_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=None)
    assert [(r.purpose, r.ok, r.set, r.code) for r in results] == [
        ("revocation", True, False, None),
        ("suspension", False, True, "status-suspended"),
    ]
    assert results[0].index == coop.revocation_index and results[0].list_url == REVOCATION_URL


def test_a_cached_list_is_not_verified_again(coop: Issuer, monkeypatch) -> None:
    cache = StatusCache()
    check_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=cache)
    assert len(cache) == 2

    def no_more(*args: object, **kwargs: object) -> object:
        raise AssertionError("the list was verified again")

    monkeypatch.setattr(status_check, "_verify_and_decode", no_more)
    message = check_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=cache)
    assert "not revoked" in message
    # A changed list (new digest) is not served from the cache.
    coop.revocation = revoke(coop.revocation, coop.revocation_index)
    coop.publish()
    with pytest.raises(AssertionError, match="verified again"):
        check_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=cache)


# --- the spec's examples ----------------------------------------------------


def test_spec_examples_verify_once_signed(tmp_path: Path) -> None:
    """The spec's list (all zeros) and credentials, re-issued by the sample co-op."""
    registry = LocalRegistry(tmp_path)
    for n, name in ((3, "revocation"), (4, "suspension")):
        status_list = json.loads(
            (VECTORS / "example-status-list-credential-v2-context-only.json").read_text()
        )
        status_list["id"] = f"https://example.com/credentials/status/{n}"
        status_list["issuer"] = ACTORS.coop.did
        status_list["credentialSubject"]["statusPurpose"] = name
        registry.publish(status_list["id"], issue(status_list, ACTORS.coop))
    for name in ("example-revocable-credential.json",
                 "example-credential-with-revocation-and-suspension-entries.json"):
        unsigned = json.loads((VECTORS / name).read_text())
        unsigned["issuer"] = ACTORS.coop.did
        signed = issue(copy.deepcopy(unsigned), ACTORS.coop)
        result = verify_credential(signed, registry=registry)
        assert result.verified, str(result)
        assert "not revoked (index 94567" in result.check("status").message


# --- the command line ---------------------------------------------------------


def test_status_command_line(tmp_path: Path, capsys) -> None:
    from coopcreds_proto.cli import main
    from coopcreds_proto.keys import save_key

    def run(*argv: str) -> tuple[int, str, str]:
        rc = main(list(argv))
        out, err = capsys.readouterr()
        return rc, out, err

    key, state, registry = tmp_path / "coop-key.json", tmp_path / "rev.json", tmp_path / "reg"
    save_key(ACTORS.coop, key)
    signing = ("--key", str(key), "--registry", str(registry), "--now", LIST_FROM)
    rc, out, _ = run("status", "new", REVOCATION_URL, "--state", str(state), *signing)
    assert rc == 0 and REVOCATION_URL in out and "131,072 entries" in out
    rc, _, err = run("status", "new", REVOCATION_URL, "--state", str(tmp_path / "b.json"), *signing)
    assert rc == 2 and "already published" in err and len(err.splitlines()) == 1

    rc, out, _ = run("status", "allocate", "--state", str(state))
    entry = json.loads(out)
    assert rc == 0 and entry["statusListCredential"] == REVOCATION_URL
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialStatus"] = entry
    vc = tmp_path / "vc.json"
    vc.write_text(json.dumps(issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)))

    rc, out, _ = run("status", "check", str(vc), "--registry", str(registry), "--now", SAMPLE_NOW)
    assert rc == 0 and out.startswith("ok") and "not revoked" in out
    rc, out, _ = run("status", "revoke", "--state", str(state), "--credential", str(vc), *signing)
    assert rc == 0 and f"index {entry['statusListIndex']} revoked" in out
    rc, out, _ = run("status", "check", str(vc), "--registry", str(registry), "--now", SAMPLE_NOW,
                     "--json")
    report = json.loads(out)
    assert rc == 1 and report["ok"] is False
    assert report["entries"][0]["code"] == "status-revoked"
    result = verify_credential(json.loads(vc.read_text()), now=SAMPLE_NOW,
                               registry=LocalRegistry(registry))
    assert result.check("status").code == "status-revoked"

    rc, _, err = run("status", "suspend", "--state", str(state), "--index",
                     entry["statusListIndex"], *signing)
    assert rc == 2 and "suspension list" in err and len(err.splitlines()) == 1
    rc, _, err = run("status", "check", str(vc), "--registry", str(tmp_path / "empty"))
    assert rc == 2 and "no registry folder there" in err  # a missing registry is not empty
    (tmp_path / "empty").mkdir()
    rc, out, _ = run("status", "check", str(vc), "--registry", str(tmp_path / "empty"))
    assert rc == 1 and out.startswith("FAIL  status unknown: no status list is published")


# --- multi-bit entries, refresh and message purposes (lists from other issuers) ---

MESSAGE_URL = "https://riverside.example/status/message/1"
MESSAGES = [
    {"status": "0x0", "message": "in good standing"},
    {"status": "0x1", "message": "dues outstanding"},
    {"status": "0x2", "message": "on leave"},
    {"status": "0x3", "message": "left the co-op"},
]


def _publish_list(registry: LocalRegistry, url: str, purpose: str, bits: bytes) -> None:
    """A list credential as any issuer may publish it, signed by the co-op."""
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ACTORS.coop.did,
        "validFrom": LIST_FROM,
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": encode_bits(bits)},
    }
    registry.publish(url, issue(unsigned, ACTORS.coop, created=LIST_FROM), replace=True)


def _two_bit_values(values: dict[int, int], entries: int = 131_072) -> bytes:
    bits = bytearray(entries * 2 // 8)
    for index, value in values.items():
        for offset, bit in enumerate(((value >> 1) & 1, value & 1)):
            if bit:
                position = index * 2 + offset
                bits[position // 8] |= 0x80 >> (position % 8)
    return bytes(bits)


def _message_entry(index: int, purpose: str = "message", url: str = MESSAGE_URL) -> dict:
    return {"type": "BitstringStatusListEntry", "statusPurpose": purpose,
            "statusListIndex": str(index), "statusListCredential": url,
            "statusSize": 2, "statusMessage": MESSAGES}


def test_message_purpose_reads_a_two_bit_value_and_names_it(coop: Issuer) -> None:
    _publish_list(coop.registry, MESSAGE_URL, "message", _two_bit_values({7: 2, 8: 1}))
    for index, words in ((7, "on leave"), (8, "dues outstanding"), (9, "in good standing")):
        credential = _with_entries(coop, _message_entry(index))
        result, status = status_of(coop, credential)
        # A message informs; it never fails the credential.
        assert result.verified and status.ok, status.message
        assert f"issuer's message: {words} (index {index} of {MESSAGE_URL})" == status.message
    (entry,) = read_status(_with_entries(coop, _message_entry(7)), registry=coop.registry, now=SAMPLE_NOW)
    assert (entry.value, entry.status_message, entry.set) == (2, "on leave", True)


def test_a_two_bit_revocation_entry_fails_on_any_non_zero_value(coop: Issuer) -> None:
    url = "https://riverside.example/status/revocation/2bit"
    _publish_list(coop.registry, url, "revocation", _two_bit_values({5: 3}))
    _, status = status_of(coop, _with_entries(coop, _message_entry(5, "revocation", url)))
    assert_refused(status, "status-revoked", "revoked (index 5", "left the co-op")
    result, status = status_of(coop, _with_entries(coop, _message_entry(6, "revocation", url)))
    assert result.verified and status.message.startswith("not revoked (index 6")


def test_refresh_purpose_informs_without_failing(coop: Issuer) -> None:
    url = "https://riverside.example/status/refresh/1"
    bits = bytearray(131_072 // 8)
    bits[0] = 0x80  # index 0 set
    _publish_list(coop.registry, url, "refresh", bytes(bits))
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "refresh",
             "statusListIndex": "0", "statusListCredential": url}
    result, status = status_of(coop, _with_entries(coop, entry))
    assert result.verified and "a refreshed credential is available" in status.message
    result, status = status_of(coop, _with_entries(coop, {**entry, "statusListIndex": "1"}))
    assert result.verified and "no refresh pending" in status.message


def test_a_list_too_short_for_its_status_size_is_refused(coop: Issuer) -> None:
    # 131,072 bits hold only 65,536 two-bit entries: below the spec's minimum.
    _publish_list(coop.registry, MESSAGE_URL, "message", bytes(131_072 // 8))
    _, status = status_of(coop, _with_entries(coop, _message_entry(1)))
    assert_refused(status, "status-list-malformed", "fewer than 131,072 entries of 2 bits")


# --- hostile lists: another URL, expired proofs, cached lists, extreme times ----


OTHER_URL = "https://riverside.example/status/copied/7"


def test_a_list_read_from_another_url_than_its_id_is_refused(coop: Issuer) -> None:
    # The issuer's genuine, signed revocation list, copied to another URL that
    # a credential points to: it verifies, but it is not the list named there.
    coop.registry.publish(OTHER_URL, coop.registry.read(REVOCATION_URL))
    moved = {**status_entry(coop.revocation, coop.revocation_index),
             "statusListCredential": OTHER_URL}
    credential = _with_entries(coop, moved)
    _, status = status_of(coop, credential)
    assert_refused(status, "status-list-wrong-url", "status unknown", OTHER_URL,
                   f"has the id {REVOCATION_URL}")
    with pytest.raises(StatusCheckError) as err:
        check(coop, credential)
    assert err.value.code == "status-list-wrong-url"


def test_a_list_without_an_id_is_refused(coop: Issuer) -> None:
    signed = coop.registry.read(REVOCATION_URL)
    unsigned = {k: v for k, v in signed.items() if k not in ("id", "proof")}
    coop.registry.publish(REVOCATION_URL, issue(unsigned, ACTORS.coop, created=LIST_FROM),
                          replace=True)
    _, status = status_of(coop)
    assert_refused(status, "status-list-wrong-url", "has no id")


def _publish_with_proof_expiry(coop: Issuer, expires: str) -> None:
    for lst in (coop.revocation, coop.suspension):
        unsigned = status_list_credential(lst, valid_from=LIST_FROM)
        signed = issue(unsigned, ACTORS.coop, created=LIST_FROM, expires=expires)
        coop.registry.publish(lst.url, signed, replace=True)


def test_a_cached_list_is_not_used_once_its_proof_has_expired(coop: Issuer) -> None:
    _publish_with_proof_expiry(coop, "2026-07-01T00:00:00Z")
    cache = StatusCache()
    assert check_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=cache)
    assert len(cache) == 2
    later = "2026-08-01T00:00:00Z"
    with pytest.raises(StatusCheckError) as err:
        check_status(coop.credential, registry=coop.registry, now=later, cache=cache)
    assert err.value.code == "status-list-unverifiable"
    assert "proof expired 2026-07-01T00:00:00Z" in err.value.message
    # Without a cache the answer is the same: the cache never changes a decision.
    with pytest.raises(StatusCheckError) as err:
        check_status(coop.credential, registry=coop.registry, now=later, cache=None)
    assert err.value.code == "status-list-unverifiable"
    # Within the clock skew of the expiry, the cached list is still used.
    assert check_status(coop.credential, registry=coop.registry, now="2026-07-01T00:04:00Z",
                        cache=cache)


def test_a_cache_entry_knows_when_its_list_stops_holding(coop: Issuer) -> None:
    _publish_with_proof_expiry(coop, "2026-07-01T00:00:00Z")
    cache = StatusCache()
    check_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=cache)
    entries = list(cache._items.values())
    assert {e.not_after for e in entries} == {parse_timestamp("2026-07-01T00:00:00Z")}
    assert {e.not_before for e in entries} == {parse_timestamp(LIST_FROM)}
    key = next(iter(cache._items))
    assert cache.get(key, parse_timestamp(SAMPLE_NOW)) is not None
    assert cache.get(key, parse_timestamp("2026-07-02T00:00:00Z")) is None
    assert cache.get(key, parse_timestamp("2026-04-01T00:00:00Z")) is None


def test_a_cached_list_is_not_used_past_its_valid_until(coop: Issuer) -> None:
    coop.publish(valid_until="2026-07-01T00:00:00Z")
    cache = StatusCache()
    assert check_status(coop.credential, registry=coop.registry, now=SAMPLE_NOW, cache=cache)
    key = next(iter(cache._items))
    assert cache.get(key, parse_timestamp("2026-07-02T00:00:00Z")) is None
    with pytest.raises(StatusCheckError) as err:
        check_status(coop.credential, registry=coop.registry, now="2026-07-02T00:00:00Z",
                     cache=cache)
    assert err.value.code == "status-list-stale"


@pytest.mark.parametrize("url", ["https://riverside.example:99999/status/1",
                                 "https://a@riverside.example/status/1",
                                 "https://[zz]/status/1", "https://riverside.example\\status"])
def test_a_hostile_status_list_url_is_a_malformed_entry(coop: Issuer, url: str) -> None:
    entry = {**status_entry(coop.revocation, coop.revocation_index), "statusListCredential": url}
    # Read as written (a signed credential with a backslash is refused earlier,
    # by the JSON-LD checks): the entry is refused before the registry is asked.
    (result,) = read_status({**coop.credential, "credentialStatus": entry},
                            registry=coop.registry, now=SAMPLE_NOW, cache=None)
    assert (result.ok, result.code) == (False, "status-entry-malformed")
    assert "is not a usable URL" in result.message


@pytest.mark.parametrize(("now", "code"), [
    ("9999-12-31T23:59:59Z", None),
    ("9999-12-31T23:59:59+23:59", None),
    ("0001-01-01T00:00:00Z", "status-list-unverifiable"),
    ("0001-01-01T00:00:00-23:59", "status-list-unverifiable"),
])
def test_status_freshness_at_the_ends_of_the_calendar_never_overflows(coop: Issuer, now, code):
    # A ttl of 2**53 - 1 ms (285,000 years) and a list valid to the last second.
    coop.publish(ttl=2**53 - 1, valid_until="9999-12-31T23:59:59Z")
    if code is None:
        assert "not revoked" in check(coop, coop.credential, now=now)
    else:
        with pytest.raises(StatusCheckError) as err:
            check(coop, coop.credential, now=now)
        assert err.value.code == code and "not valid until" in err.value.message
