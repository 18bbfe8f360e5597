"""Hostile URLs and DIDs: refused cleanly, with the URL and the reason named, everywhere
a URL is read (credential ids, the local registry, did:web, status lists), never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcreds_proto.cli import main
from coopcreds_proto.errors import CoopCredsError, InputError
from coopcreds_proto.local_registry import LocalRegistry, did_web_url
from coopcreds_proto.urls import MAX_URL_LENGTH, check_url, is_url, url_problem
from coopcreds_proto.vc.credentials import check_credential_shape
from coopcreds_proto.vc.credentials import is_url as credential_is_url
from coopcreds_proto.vc.samples import SAMPLE_NOW, sample_actors, sample_membership_credential
from coopcreds_proto.vc.verification import verify_credential

# (URL, a phrase of the reason it is refused)
HOSTILE = [
    ("https://coop.example:0/x", "port 0 is not from 1 to 65535"),
    ("https://coop.example:65536/x", "port 65536 is not from 1 to 65535"),
    ("https://coop.example:99999/x", "port 99999 is not from 1 to 65535"),
    ("https://coop.example:" + "9" * 40 + "/x", "is not from 1 to 65535"),
    ("https://coop.example:ab/x", "port 'ab' is not a number"),
    ("https://coop.example:-1/x", "is not a number"),
    ("https://coop.example:/x", "empty port"),
    ("https://a@coop.example/x", "user information"),
    ("https://a:b@coop.example/x", "user information"),
    ("https://coop.example@evil.example/", "user information"),
    ("https://[::1/x", "not closed"),
    ("https://[zz]/x", "[zz] is not an IPv6 address"),
    ("https://[::1]x/", "not closed"),
    ("https://[1:2:3:4:5:6:7:8:9]/", "is not an IPv6 address"),
    ("https://coop.example\\evil.example/x", "backslash"),
    ("https://coop.example/a b", "a space"),
    ("https://coop.example/\x00", "U+0000"),
    ("https://coop.example/\n", "U+000A"),
    ("https://coop.example/\x7f", "U+007F"),
    ("https://coop.example/\u2028", "U+2028"),
    ("https:///x", "no host"),
    ("https://", "no host"),
    ("https://:443/", "no host"),
    ("https:coop.example", "needs //host"),
    ("https://%63oop.example/", "host is percent-encoded"),
    ("https://coop.example/%zz", "does not start a percent-escape"),
    ("https://coop.example/%", "does not start a percent-escape"),
    ("https://coop.example/%00", "percent-encodes a control character"),
    ("https://coop.example/%0a", "percent-encodes a control character"),
    ("https://bücher.example/", "not an ASCII name"),
    ("https://-coop.example/", "is not a host name"),
    ("coop.example/x", "does not start with a scheme"),
    ("", "empty"),
    ("did:", "is not a DID"),
    ("did:web:", "is not a DID"),
    ("did:WEB:coop.example", "is not a DID"),
    ("urn:", "nothing after its scheme"),
    ("https://coop.example/" + "a" * MAX_URL_LENGTH, "longer than"),
]

USABLE = [
    "https://coop.example/credentials/1",
    "https://coop.example:8443/status/1",
    "https://[2001:db8::1]:8443/x",
    "https://127.0.0.1/x",
    "http://localhost:8080/",
    "https://coop.example/a%2Fb?q=1#frag",
    "https://coop.example/caf%C3%A9",
    "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:web:coop.example%3A8443:members",
    "did:example:123/path?service=x#key-1",
]


@pytest.mark.parametrize(("url", "why"), HOSTILE)
def test_a_hostile_url_is_refused_with_the_url_and_the_reason(url, why):
    assert not is_url(url) and not credential_is_url(url)
    problem = url_problem(url)
    assert problem is not None and why in problem
    with pytest.raises(InputError) as err:
        check_url(url, path="$.id")
    assert err.value.code == "bad-url" and err.value.path == "$.id"
    assert why in err.value.message
    assert "\n" not in str(err.value) and len(str(err.value)) < 400
    shown = url if url.isprintable() and 0 < len(url) <= 80 else repr(url)[:70]
    assert shown in err.value.message


@pytest.mark.parametrize("url", USABLE)
def test_usable_urls_pass_and_are_split_into_their_parts(url):
    assert is_url(url) and credential_is_url(url)
    assert check_url(url).text == url


def test_the_parts_of_a_url():
    parsed = check_url("HTTPS://Coop.Example:8443/status/1?x=1#f")
    assert (parsed.scheme, parsed.host, parsed.port) == ("https", "coop.example", 8443)
    assert (parsed.path, parsed.query, parsed.fragment) == ("/status/1", "x=1", "f")
    ipv6 = check_url("https://[2001:db8::1]/x")
    assert (ipv6.host, ipv6.port) == ("2001:db8::1", None)
    did = check_url("did:web:coop.example")
    assert (did.scheme, did.host, did.port) == ("did", None, None)


@pytest.mark.parametrize("value", [None, 42, b"https://coop.example/", ["https://x.example/"]])
def test_what_is_not_a_string_is_not_a_url(value):
    assert not is_url(value)
    with pytest.raises(InputError) as err:
        check_url(value)
    assert err.value.code == "bad-url" and "a URL is a string" in err.value.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_url_or_a_clean_refusal(text):
    for candidate in (text, "https://" + text, "did:web:" + text, "https://coop.example:" + text):
        problem = url_problem(candidate)
        if problem is None:
            check_url(candidate)
        else:
            with pytest.raises(InputError):
                check_url(candidate)


# --- where URLs are read --------------------------------------------------------


@pytest.mark.parametrize(("url", "why"), [
    *HOSTILE[:22],
    ("http://coop.example/x", "only https"),
    ("https://coop.example/x?q=1", "query or fragment"),
    ("https://coop.example/a/../b", "is not a plain name"),
    ("https://coop.example/%2e%2e/b", "is not a plain name"),
])
def test_the_local_registry_refuses_a_hostile_url_before_touching_a_file(tmp_path, url, why):
    registry = LocalRegistry(tmp_path)
    for call in (registry.path_for, registry.has, registry.read,
                 lambda u: registry.publish(u, {"id": u})):
        with pytest.raises(InputError) as err:
            call(url)
        assert err.value.code == "bad-registry-url" and why in err.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("did", "code", "why"), [
    ("did:web:coop.example%3A99999", "bad-did-web", "port 99999 is not from 1 to 65535"),
    ("did:web:coop.example%3A65536", "bad-did-web", "port 65536"),
    ("did:web:coop.example%3A0", "bad-did-web", "port 0"),
    ("did:web:coop.example%3Aab", "bad-did-web", "not a valid did:web DID"),
    ("did:web:%5B::1%5D", "bad-did-web", "not a valid did:web DID"),
    ("did:web:a@coop.example", "bad-did-web", "not a valid did:web DID"),
    ("did:web:coop.example:..", "bad-did-web", "not a valid did:web DID"),
    ("did:key:z6Mk", "not-did-web", "not a did:web DID"),
])
def test_did_web_with_a_bad_host_or_port_is_refused_cleanly(tmp_path, did, code, why):
    with pytest.raises(InputError) as err:
        did_web_url(did)
    assert err.value.code == code and why in err.value.message
    with pytest.raises(InputError):
        LocalRegistry(tmp_path).path_for(did)


def test_a_did_web_port_in_range_is_kept():
    assert did_web_url("did:web:coop.example%3A8443") == "https://coop.example:8443/.well-known/did.json"


@pytest.mark.parametrize("did", ["did:web:coop.example%3A99999", "did:web:coop.example%3A0"])
def test_verifying_a_credential_signed_by_a_did_web_with_a_bad_port_fails_a_named_check(tmp_path,
                                                                                        did):
    signed = {
        **sample_membership_credential(sample_actors()),
        "issuer": did,
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                  "verificationMethod": f"{did}#key-1", "proofPurpose": "assertionMethod",
                  "created": "2026-01-15T09:00:00Z", "proofValue": "z" + "2" * 80},
    }
    result = verify_credential(signed, now=SAMPLE_NOW, registry=LocalRegistry(tmp_path))
    assert not result.verified
    assert result.failed[0].code == "bad-did-web" and "is not from 1 to 65535" in result.failed[0].message


@pytest.mark.parametrize("field", ["id", "issuer"])
@pytest.mark.parametrize("url", ["https://coop.example:0/1", "https://a@coop.example/1",
                                 "https://[zz]/1", "https://coop.example\\1"])
def test_a_credential_with_a_hostile_id_or_issuer_is_refused_by_its_shape(field, url):
    credential = {**sample_membership_credential(sample_actors()), field: url}
    with pytest.raises(CoopCredsError) as err:
        check_credential_shape(credential)
    assert err.value.code == ("bad-id" if field == "id" else "bad-issuer")


def test_did_web_commands_refuse_a_bad_port_in_one_line(tmp_path, capsys):
    registry = tmp_path / "registry"
    registry.mkdir()
    for argv in (["did", "web", "new", "did:web:coop.example%3A99999", "--registry",
                  str(registry), "--out", str(tmp_path / "key.json")],
                 ["did", "resolve", "did:web:coop.example%3A0", "--registry", str(registry)]):
        rc = main(argv)
        out, err = capsys.readouterr()
        assert rc == 2 and out == ""
        assert err.count("\n") == 1 and "is not from 1 to 65535" in err and "Traceback" not in err
    assert not (tmp_path / "key.json").exists()
