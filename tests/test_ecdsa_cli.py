"""The command line with ECDSA keys and selective disclosure."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from coopcreds_proto.cli import main
from coopcreds_proto.keys import EcdsaKey, load_key
from coopcreds_proto.multibase import decode_multibase_base58btc

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
