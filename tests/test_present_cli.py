"""``coopcreds present`` and ``coopcreds verify`` on presentations (and ``--registry``)."""

from __future__ import annotations

import json

import pytest

from coopcreds_proto.cli import main
from coopcreds_proto.keys import save_key
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import PRESENTATION_CHECKS
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)

DOMAIN = "https://members.riverside.example"
CHALLENGE = "cli-challenge-1"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("present")
    actors = sample_actors()
    vc = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    (root / "vc.json").write_text(json.dumps(vc))
    save_key(actors.member, root / "member-key.json")
    return root, actors


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def make_vp(capsys, files) -> tuple:
    root, _ = files
    code, out, err = run(
        capsys, "present", "--key", root / "member-key.json", "--challenge", CHALLENGE,
        "--domain", DOMAIN, "--created", SAMPLE_NOW, root / "vc.json",
    )
    assert code == 0, err
    path = root / "vp.json"
    path.write_text(out)
    return path, json.loads(out)


def test_present_then_verify(capsys, files) -> None:
    _, actors = files
    path, vp = make_vp(capsys, files)
    assert vp["holder"] == actors.member.did and vp["proof"]["challenge"] == CHALLENGE
    assert actors.member.secret_key_multibase not in path.read_text()
    code, out, err = run(
        capsys, "verify", path, "--challenge", CHALLENGE, "--domain", DOMAIN, "--now", SAMPLE_NOW,
        "--json",
    )
    assert code == 0, out + err
    result = json.loads(out)
    assert result["verified"] is True
    assert [c["name"] for c in result["checks"]] == list(PRESENTATION_CHECKS)
    code, out, _ = run(
        capsys, "verify", path, "--challenge", CHALLENGE, "--domain", DOMAIN, "--now", SAMPLE_NOW
    )
    assert code == 0 and out.startswith("VERIFIED") and "Holder controls the key" in out


def test_verify_presentation_for_another_domain_exits_1(capsys, files) -> None:
    path, _ = make_vp(capsys, files)
    code, out, _ = run(
        capsys, "verify", path, "--challenge", CHALLENGE, "--domain", "https://evil.example",
        "--now", SAMPLE_NOW, "--json",
    )
    assert code == 1
    failed = [c["name"] for c in json.loads(out)["checks"] if not c["ok"]]
    assert failed == ["domain"]


def test_verify_presentation_without_challenge_is_a_usage_error(capsys, files) -> None:
    path, _ = make_vp(capsys, files)
    code, out, err = run(capsys, "verify", path, "--domain", DOMAIN)
    assert code == 2 and out == ""
    assert "is a presentation: give the --challenge and --domain" in err
    assert len(err.strip().splitlines()) == 1


def test_present_refuses_a_holder_that_is_not_the_key(capsys, files) -> None:
    root, actors = files
    code, out, err = run(
        capsys, "present", "--key", root / "member-key.json", "--challenge", CHALLENGE,
        "--domain", DOMAIN, "--holder", actors.outsider.did, root / "vc.json",
    )
    assert code == 2 and out == ""
    assert "is not the DID of the key" in err


def test_present_refuses_an_unsigned_credential(capsys, files, tmp_path) -> None:
    root, actors = files
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(sample_membership_credential(actors)))
    code, _, err = run(
        capsys, "present", "--key", root / "member-key.json", "--challenge", CHALLENGE,
        "--domain", DOMAIN, unsigned,
    )
    assert code == 2 and "not a signed credential" in err


def test_verify_credential_with_a_registry(capsys, files, tmp_path) -> None:
    root, _ = files
    code, out, err = run(
        capsys, "verify", root / "vc.json", "--registry", tmp_path, "--now", SAMPLE_NOW
    )
    assert code == 0, out + err
    assert out.startswith("VERIFIED")
