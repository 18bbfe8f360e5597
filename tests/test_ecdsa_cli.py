"""The command line with ECDSA keys and selective disclosure."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from coopcreds_proto.cli import main
from coopcreds_proto.cryptosuites.ecdsa_sd_2023 import parse_base_proof_value
from coopcreds_proto.keys import EcdsaKey, load_key, save_key
from coopcreds_proto.multibase import decode_multibase_base58btc
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)

ECDSA = Path(__file__).parent / "vectors" / "vc-di-ecdsa"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(rc: int, out: str, err: str, *expected: str) -> None:
    assert rc == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("coopcreds: error: "), err
    for text in expected:
        assert text in lines[0]


def test_key_new_p256_is_random_and_private(capsys, tmp_path: Path) -> None:
    dids = []
    for name in ("a.json", "b.json"):
        rc, out, err = run(capsys, "key", "new", "--type", "p256", "--out", str(tmp_path / name))
        assert rc == 0, err
        key = load_key(tmp_path / name)
        assert isinstance(key, EcdsaKey) and key.did == out.strip()
        assert out.startswith("did:key:zDn")
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
        dids.append(out.strip())
    assert dids[0] != dids[1]


def test_key_new_p256_from_the_vector_secret(capsys, tmp_path: Path) -> None:
    pair = json.loads((ECDSA / "p256KeyPair.json").read_text())
    secret = decode_multibase_base58btc(pair["secretKeyMultibase"])[2:].hex()
    out_file = tmp_path / "k.json"
    rc, out, err = run(capsys, "key", "new", "--type", "p256", "--seed", secret,
                       "--out", str(out_file))
    assert rc == 0, err
    assert out.strip() == "did:key:" + pair["publicKeyMultibase"]
    rc, out, err = run(capsys, "key", "show", str(out_file))
    assert rc == 0 and json.loads(out)["publicKeyMultibase"] == pair["publicKeyMultibase"]
    assert pair["secretKeyMultibase"] not in out


def test_key_new_p256_bad_seed_is_one_line(capsys, tmp_path: Path) -> None:
    rc, out, err = run(capsys, "key", "new", "--type", "p256", "--seed", "00" * 32,
                       "--out", str(tmp_path / "k.json"))
    one_line_error(rc, out, err, "not a valid P-256 scalar")
    assert not (tmp_path / "k.json").exists()


def _issue_sd(capsys, tmp_path: Path, *extra: str) -> Path:
    key = EcdsaKey.generate(SeededRandom("cli/coop"))
    save_key(key, tmp_path / "coop.json")
    unsigned = sample_membership_credential(sample_actors())
    unsigned["issuer"]["id"] = key.did
    (tmp_path / "unsigned.json").write_text(json.dumps(unsigned))
    rc, out, err = run(capsys, "issue", str(tmp_path / "unsigned.json"), "--key",
                       str(tmp_path / "coop.json"), "--suite", "ecdsa-sd-2023",
                       "--created", SAMPLE_CREATED, *extra)
    assert rc == 0, err
    (tmp_path / "signed.json").write_text(out)
    return tmp_path / "signed.json"


def test_issue_derive_verify(capsys, tmp_path: Path) -> None:
    signed_file = _issue_sd(capsys, tmp_path)
    signed = json.loads(signed_file.read_text())
    assert signed["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    base = parse_base_proof_value(signed["proof"]["proofValue"])
    assert base.mandatory_pointers == ("/issuer", "/validFrom", "/validUntil", "/type")
    # The base proof is the holder's: verify refuses it (exit 1), naming why.
    rc, out, _ = run(capsys, "verify", str(signed_file), "--now", SAMPLE_NOW)
    assert rc == 1 and "derived (disclosure) proof" in out
    rc, out, err = run(capsys, "derive", str(signed_file), "--reveal",
                       "/credentialSubject/membershipStatus", "/credentialSubject/memberOf/sector")
    assert rc == 0, err
    disclosed = json.loads(out)
    assert set(disclosed["credentialSubject"]) == {"id", "type", "membershipStatus", "memberOf"}
    (tmp_path / "disclosed.json").write_text(out)
    rc, out, _ = run(capsys, "verify", str(tmp_path / "disclosed.json"), "--now", SAMPLE_NOW)
    assert rc == 0 and "derived: 12 signed statements disclosed" in out


def test_issue_with_chosen_mandatory_pointers(capsys, tmp_path: Path) -> None:
    signed_file = _issue_sd(capsys, tmp_path, "--mandatory", "/issuer",
                            "/credentialSubject/memberName")
    base = parse_base_proof_value(json.loads(signed_file.read_text())["proof"]["proofValue"])
    assert base.mandatory_pointers == ("/issuer", "/credentialSubject/memberName")
    rc, out, err = run(capsys, "derive", str(signed_file), "--reveal", "/validFrom")
    assert rc == 0, err
    assert json.loads(out)["credentialSubject"]["memberName"] == "Ada Okafor"


def test_derive_refusals_are_one_line(capsys, tmp_path: Path) -> None:
    signed_file = _issue_sd(capsys, tmp_path)
    rc, out, err = run(capsys, "derive", str(signed_file), "--reveal", "/credentialSubject/nope")
    one_line_error(rc, out, err, "does not match the document")
    rc, out, err = run(capsys, "derive", str(signed_file), "--reveal", "credentialSubject")
    one_line_error(rc, out, err, "does not start with '/'")
    eddsa = issue(sample_membership_credential(sample_actors()), sample_actors().coop,
                  created=SAMPLE_CREATED)
    (tmp_path / "eddsa.json").write_text(json.dumps(eddsa))
    rc, out, err = run(capsys, "derive", str(tmp_path / "eddsa.json"), "--reveal", "/issuer")
    one_line_error(rc, out, err, "only a credential with one ecdsa-sd-2023 proof")
    rc, out, err = run(capsys, "issue", str(tmp_path / "unsigned.json"), "--key",
                       str(tmp_path / "coop.json"), "--suite", "ecdsa-rdfc-2019",
                       "--mandatory", "/issuer")
    one_line_error(rc, out, err, "mandatory pointers are for ecdsa-sd-2023")
