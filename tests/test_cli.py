"""The ``coopcreds`` command line: every subcommand, exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from nacl.pwhash import argon2id

from coopcreds_proto import __version__, cli
from coopcreds_proto.cli import main
from coopcreds_proto.keys import load_key, save_key
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)

REPO = Path(__file__).resolve().parents[1]
VECTORS = Path(__file__).resolve().parent / "vectors"
# The seed of the W3C eddsa-rdfc-2022 test vectors' key pair (tests/vectors/keyPair.json).
W3C_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
W3C_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
CHECK_NAMES = [
    "well_formed",
    "contexts",
    "safe_jsonld",
    "read_as_signed",
    "verification_method",
    "issuer_binding",
    "proof_purpose",
    "proof_timing",
    "signature",
    "validity_period",
    "schema",
    "status",
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(rc: int, out: str, err: str, *expected: str) -> None:
    assert rc == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coopcreds: error: ")
    assert "Traceback" not in err
    for text in expected:
        assert text in lines[0]


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def cheap_encrypted_key_file(path: Path, key, passphrase: str) -> Path:
    # Minimal Argon2id costs keep the test fast; load_key reads them from the file.
    return save_key(
        key,
        path,
        passphrase=passphrase,
        opslimit=argon2id.OPSLIMIT_MIN,
        memlimit=argon2id.MEMLIMIT_MIN,
    )


@pytest.fixture
def actors():
    return sample_actors()


@pytest.fixture
def coop_key_file(tmp_path, actors) -> Path:
    return save_key(actors.coop, tmp_path / "coop-key.json")


@pytest.fixture
def unsigned_file(tmp_path, actors) -> Path:
    return write_json(tmp_path / "unsigned.json", sample_membership_credential(actors))


@pytest.fixture
def signed(actors) -> dict:
    return issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)


@pytest.fixture
def signed_file(tmp_path, signed) -> Path:
    return write_json(tmp_path / "signed.json", signed)


@pytest.fixture
def tampered_file(tmp_path, signed) -> Path:
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["membershipNumber"] = "RFC-00001"
    return write_json(tmp_path / "tampered.json", forged)


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --- general -------------------------------------------------------------------


def test_version(capsys):
    rc, out, _ = run(capsys, "--version")
    assert rc == 0
    assert out.strip() == f"coopcreds {__version__}"


def test_no_command_is_a_usage_error(capsys):
    rc, _, err = run(capsys)
    assert rc == 2
    assert "usage: coopcreds" in err
    assert "Traceback" not in err


def test_unknown_suite_is_a_usage_error(capsys, unsigned_file, coop_key_file):
    rc, _, err = run(
        capsys, "issue", str(unsigned_file), "--key", str(coop_key_file), "--suite", "bbs-2023"
    )
    assert rc == 2
    assert "invalid choice" in err


# --- key new / key show --------------------------------------------------------


def test_key_new_with_w3c_vector_seed(capsys, tmp_path):
    out_file = tmp_path / "vector-key.json"
    rc, out, err = run(capsys, "key", "new", "--seed", W3C_SEED, "--out", str(out_file))
    assert rc == 0, err
    assert out.strip() == W3C_DID
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    vector = json.loads((VECTORS / "keyPair.json").read_text())
    written = json.loads(out_file.read_text())
    assert written["publicKeyMultibase"] == vector["publicKeyMultibase"]
    assert written["secretKeyMultibase"] == vector["privateKeyMultibase"]
    assert load_key(out_file).did == W3C_DID


def test_key_new_with_seed_file(capsys, tmp_path):
    seed_file = tmp_path / "seed.hex"
    seed_file.write_text(W3C_SEED + "\n")
    rc, out, _ = run(
        capsys, "key", "new", "--seed-file", str(seed_file), "--out", str(tmp_path / "k.json")
    )
    assert rc == 0
    assert out.strip() == W3C_DID


def test_key_new_is_random_by_default(capsys, tmp_path):
    dids = []
    for name in ("a.json", "b.json"):
        rc, out, _ = run(capsys, "key", "new", "--out", str(tmp_path / name))
        assert rc == 0
        dids.append(out.strip())
        assert load_key(tmp_path / name).did == out.strip()
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert all(d.startswith("did:key:z6Mk") for d in dids)
    assert dids[0] != dids[1]


def test_key_new_help_warns_about_seeds_on_the_command_line(capsys):
    rc, out, _ = run(capsys, "key", "new", "--help")
    assert rc == 0
    text = " ".join(out.split())
    assert "for test vectors and demos only" in text
    assert "shell history" in text


def test_key_new_refuses_existing_file_unless_forced(capsys, tmp_path):
    out_file = tmp_path / "k.json"
    assert run(capsys, "key", "new", "--out", str(out_file))[0] == 0
    before = out_file.read_bytes()
    rc, out, err = run(capsys, "key", "new", "--seed", W3C_SEED, "--out", str(out_file))
    assert_one_line_error(rc, out, err, "exists already", "--force")
    assert out_file.read_bytes() == before
    rc, out, _ = run(capsys, "key", "new", "--seed", W3C_SEED, "--out", str(out_file), "--force")
    assert rc == 0 and out.strip() == W3C_DID
    assert load_key(out_file).did == W3C_DID


@pytest.mark.parametrize(
    "seed, message",
    [
        ("zz" * 32, "not a hexadecimal string"),  # bad hex
        ("c96ef9ea", "expected 64 hex digits"),  # wrong length
        (W3C_SEED + "00", "expected 64 hex digits"),  # one byte too many
    ],
    ids=["bad-hex", "too-short", "too-long"],
)
def test_key_new_bad_seed(capsys, tmp_path, seed, message):
    out_file = tmp_path / "k.json"
    rc, out, err = run(capsys, "key", "new", "--seed", seed, "--out", str(out_file))
    assert_one_line_error(rc, out, err, message)
    assert seed not in err  # secret material is never echoed
    assert not out_file.exists()


def test_key_new_bad_seed_file(capsys, tmp_path):
    seed_file = tmp_path / "seed.bin"
    seed_file.write_bytes(bytes(range(200, 232)))  # raw bytes, not hex text
    rc, out, err = run(
        capsys, "key", "new", "--seed-file", str(seed_file), "--out", str(tmp_path / "k.json")
    )
    assert_one_line_error(rc, out, err, "64 hexadecimal digits")


def test_seed_and_seed_file_are_exclusive(capsys, tmp_path):
    rc, _, err = run(
        capsys,
        "key",
        "new",
        "--seed",
        W3C_SEED,
        "--seed-file",
        "x",
        "--out",
        str(tmp_path / "k.json"),
    )
    assert rc == 2
    assert "not allowed with" in err


def test_key_new_encrypted_then_show_without_passphrase(capsys, tmp_path):
    pw = tmp_path / "pw.txt"
    pw.write_text("correct horse battery staple\n")
    out_file = tmp_path / "k.json"
    rc, out, _ = run(
        capsys,
        "key",
        "new",
        "--seed",
        W3C_SEED,
        "--out",
        str(out_file),
        "--passphrase-file",
        str(pw),
    )
    assert rc == 0 and out.strip() == W3C_DID
    written = json.loads(out_file.read_text())
    assert "encryptedSecretKey" in written
    assert "secretKeyMultibase" not in written
    rc, out, _ = run(capsys, "key", "show", str(out_file))
    assert rc == 0
    shown = json.loads(out)
    assert shown["controller"] == W3C_DID
    assert "encryptedSecretKey" not in shown


def test_key_show_never_prints_the_secret(capsys, tmp_path, actors):
    key_file = save_key(actors.coop, tmp_path / "k.json")
    secret = actors.coop.secret_key_multibase
    assert secret in key_file.read_text()  # the file does hold it
    rc, out, err = run(capsys, "key", "show", str(key_file))
    assert rc == 0
    shown = json.loads(out)
    assert shown["publicKeyMultibase"] == actors.coop.public_key_multibase
    assert shown["controller"] == actors.coop.did
    assert secret not in out + err
    assert "secretKeyMultibase" not in out and "privateKeyMultibase" not in out


def test_key_show_encrypted_with_passphrase(capsys, tmp_path, actors):
    key_file = cheap_encrypted_key_file(tmp_path / "k.json", actors.coop, "s3cret")
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("s3cret\n")
    bad.write_text("wrong\n")
    rc, out, _ = run(capsys, "key", "show", str(key_file), "--passphrase-file", str(good))
    assert rc == 0
    assert json.loads(out)["controller"] == actors.coop.did
    assert actors.coop.secret_key_multibase not in out
    rc, out, err = run(capsys, "key", "show", str(key_file), "--passphrase-file", str(bad))
    assert_one_line_error(rc, out, err, "wrong passphrase")


# --- did resolve ---------------------------------------------------------------


def test_did_resolve(capsys):
    rc, out, _ = run(capsys, "did", "resolve", W3C_DID)
    assert rc == 0
    doc = json.loads(out)
    assert doc["id"] == W3C_DID
    assert doc["assertionMethod"] == [f"{W3C_DID}#{W3C_DID.removeprefix('did:key:')}"]


# --- issue / verify ------------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issue_verify_round_trip_via_files(capsys, tmp_path, suite):
    key_file = tmp_path / "issuer-key.json"
    rc, out, _ = run(capsys, "key", "new", "--out", str(key_file))
    assert rc == 0
    did = out.strip()
    unsigned = sample_membership_credential()
    unsigned["issuer"]["id"] = did
    unsigned_file = write_json(tmp_path / "unsigned.json", unsigned)

    rc, out, err = run(
        capsys,
        "issue",
        str(unsigned_file),
        "--key",
        str(key_file),
        "--suite",
        suite,
        "--created",
        SAMPLE_CREATED,
    )
    assert rc == 0, err
    signed = json.loads(out)
    assert out.startswith("{\n  ")  # indent 2
    assert signed["proof"]["cryptosuite"] == suite
    assert signed["proof"]["created"] == SAMPLE_CREATED
    assert signed["proof"]["verificationMethod"].startswith(did + "#")
    signed_file = tmp_path / "signed.json"
    signed_file.write_text(out)

    rc, out, _ = run(capsys, "verify", str(signed_file), "--now", SAMPLE_NOW)
    assert rc == 0
    assert out.splitlines()[0] == "VERIFIED"

    rc, out, _ = run(capsys, "verify", str(signed_file), "--json", "--now", SAMPLE_NOW)
    assert rc == 0
    result = json.loads(out)
    assert result["verified"] is True
    assert [c["name"] for c in result["checks"]] == CHECK_NAMES
    assert all(
        set(c) == {"name", "title", "ok", "skipped", "code", "message"} for c in result["checks"]
    )
    assert all(c["code"] is None and not c["skipped"] for c in result["checks"])
    assert suite in next(c["message"] for c in result["checks"] if c["name"] == "signature")

    signed["credentialSubject"]["votingRights"] = False
    write_json(signed_file, signed)
    rc, out, _ = run(capsys, "verify", str(signed_file), "--now", SAMPLE_NOW)
    assert rc == 1
    assert out.splitlines()[0] == "NOT VERIFIED"


def test_issue_with_encrypted_key(capsys, tmp_path, actors, unsigned_file):
    key_file = cheap_encrypted_key_file(tmp_path / "k.json", actors.coop, "pw")
    pw = tmp_path / "pw.txt"
    pw.write_text("pw")
    rc, out, err = run(capsys, "issue", str(unsigned_file), "--key", str(key_file))
    assert_one_line_error(rc, out, err, "give a passphrase")
    rc, out, _ = run(
        capsys,
        "issue",
        str(unsigned_file),
        "--key",
        str(key_file),
        "--passphrase-file",
        str(pw),
        "--created",
        SAMPLE_CREATED,
    )
    assert rc == 0
    assert json.loads(out)["proof"]["verificationMethod"] == actors.coop.verification_method


def test_issue_and_verify_from_stdin(capsys, monkeypatch, actors, coop_key_file):
    data = json.dumps(sample_membership_credential(actors)).encode()
    feed_stdin(monkeypatch, data)
    rc, out, _ = run(capsys, "issue", "-", "--key", str(coop_key_file), "--created", SAMPLE_CREATED)
    assert rc == 0
    feed_stdin(monkeypatch, out.encode())
    rc, out, _ = run(capsys, "verify", "-", "--now", SAMPLE_NOW)
    assert rc == 0 and out.startswith("VERIFIED")
    feed_stdin(monkeypatch, b"not json")
    rc, out, err = run(capsys, "verify", "-")
    assert_one_line_error(rc, out, err, "stdin: not valid JSON")


def test_verify_tampered_text_and_json(capsys, tampered_file):
    rc, out, _ = run(capsys, "verify", str(tampered_file), "--now", SAMPLE_NOW)
    assert rc == 1
    assert "FAIL  Signature" in out
    assert "signature does not match" in out
    rc, out, _ = run(capsys, "verify", str(tampered_file), "--json", "--now", SAMPLE_NOW)
    assert rc == 1
    result = json.loads(out)
    assert result["verified"] is False
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert failed == ["signature"]


def test_verify_uses_now(capsys, signed_file):
    # validUntil is 2027-01-15: a later "now" makes it expired.
    rc, out, _ = run(capsys, "verify", str(signed_file), "--now", "2027-06-01T00:00:00Z")
    assert rc == 1
    assert "expired on 2027-01-15T00:00:00Z" in out


def test_verify_json_object_breaking_the_rules_is_not_verified(capsys, tmp_path):
    # JSON, but with a duplicate key: a failed check (exit 1), not unusable input.
    dup = tmp_path / "dup.json"
    dup.write_text('{"@context": "x", "@context": "y"}')
    rc, out, _ = run(capsys, "verify", str(dup), "--json")
    assert rc == 1
    checks = json.loads(out)["checks"]
    assert checks[0]["name"] == "well_formed" and not checks[0]["ok"]
    assert "duplicate key" in checks[0]["message"]
    # A JSON object that is not a credential at all: also "not verified".
    write_json(dup, {"hello": "world"})
    rc, out, _ = run(capsys, "verify", str(dup))
    assert rc == 1
    assert "FAIL  Well-formed credential" in out


# Bad inputs: each is one line on stderr and exit 2. A case builds the argv in tmp_path.
def _files(tmp_path: Path, signed: dict, coop_key: Path) -> dict[str, str]:
    (tmp_path / "notjson.txt").write_text("this is not JSON\n")
    write_json(tmp_path / "array.json", [1, 2, 3])
    write_json(tmp_path / "shape.json", {"foo": 1})
    write_json(tmp_path / "signed.json", signed)
    unsigned = sample_membership_credential()
    write_json(tmp_path / "unsigned.json", unsigned)
    save_key(sample_actors().outsider, tmp_path / "outsider.json")
    write_json(tmp_path / "notakey.json", {"hello": "world"})
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "credentials-v2.json").write_text("{}")
    return {
        "notjson": str(tmp_path / "notjson.txt"),
        "array": str(tmp_path / "array.json"),
        "shape": str(tmp_path / "shape.json"),
        "signed": str(tmp_path / "signed.json"),
        "unsigned": str(tmp_path / "unsigned.json"),
        "missing": str(tmp_path / "missing.json"),
        "key": str(coop_key),
        "outsider": str(tmp_path / "outsider.json"),
        "notakey": str(tmp_path / "notakey.json"),
        "dir": str(tmp_path),
        "export": str(tmp_path / "export"),
    }


BAD_INPUTS = {
    "verify-not-json": (["verify", "{notjson}"], "not valid JSON"),
    "verify-wrong-shape": (["verify", "{array}"], "not a credential"),
    "verify-missing-file": (["verify", "{missing}"], "No such file or directory"),
    "verify-directory": (["verify", "{dir}"], "Is a directory"),
    "verify-bad-now": (["verify", "{signed}", "--now", "2026-06-01"], "--now:"),
    "verify-now-without-zone": (
        ["verify", "{signed}", "--now", "2026-06-01T12:00:00"],
        "time zone",
    ),
    "issue-not-json": (["issue", "{notjson}", "--key", "{key}"], "not valid JSON"),
    "issue-wrong-shape": (["issue", "{shape}", "--key", "{key}"], "@context"),
    "issue-json-array": (["issue", "{array}", "--key", "{key}"], "JSON object"),
    "issue-missing-file": (["issue", "{missing}", "--key", "{key}"], "No such file"),
    "issue-missing-key": (["issue", "{unsigned}", "--key", "{missing}"], "no such key file"),
    "issue-not-a-key": (["issue", "{unsigned}", "--key", "{notakey}"], "only a public key"),
    "issue-bad-created": (
        ["issue", "{unsigned}", "--key", "{key}", "--created", "yesterday"],
        "--created:",
    ),
    "issue-wrong-issuer-key": (
        ["issue", "{unsigned}", "--key", "{outsider}"],
        "the key belongs to",
    ),
    "issue-already-signed": (["issue", "{signed}", "--key", "{key}"], "already has a proof"),
    "key-show-missing": (["key", "show", "{missing}"], "no such key file"),
    "key-show-not-json": (["key", "show", "{notjson}"], "not JSON"),
    "key-new-missing-passphrase-file": (
        ["key", "new", "--out", "{dir}/k.json", "--passphrase-file", "{missing}"],
        "No such file",
    ),
    "did-resolve-bad": (["did", "resolve", "did:web:example.com"], "did:key"),
    "export-would-overwrite": (["contexts", "export", "{export}"], "different content"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, signed, coop_key_file, case):
    template, message = BAD_INPUTS[case]
    files = _files(tmp_path, signed, coop_key_file)
    argv = [part.format(**files) for part in template]
    rc, out, err = run(capsys, *argv)
    assert_one_line_error(rc, out, err, message)


def test_entry_point_and_exit_codes_in_a_real_process(tmp_path, signed_file, tampered_file):
    """The installed console script and ``python -m coopcreds_proto.cli``, exit codes 0/1/2."""
    script = Path(sys.executable).parent / "coopcreds"
    if not script.exists():
        pytest.skip("console script not installed (pip install -e .)")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def call(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(argv), check=False, capture_output=True, text=True, env=env, timeout=60
        )

    ok = call(str(script), "verify", str(signed_file), "--now", SAMPLE_NOW)
    assert (ok.returncode, ok.stdout.splitlines()[0]) == (0, "VERIFIED"), ok.stderr

    module = (sys.executable, "-m", "coopcreds_proto.cli", "verify")
    bad = call(*module, str(tampered_file), "--now", SAMPLE_NOW)
    assert bad.returncode == 1
    assert bad.stdout.startswith("NOT VERIFIED")

    junk = tmp_path / "junk.txt"
    junk.write_text("<html>not a credential</html>")
    unusable = call(*module, str(junk))
    assert unusable.returncode == 2
    assert unusable.stdout == ""
    assert unusable.stderr.count("\n") == 1
    assert unusable.stderr.startswith("coopcreds: error: ")
    assert "Traceback" not in unusable.stderr


# --- contexts export -----------------------------------------------------------


def test_contexts_export_matches_the_pinned_manifest(capsys, tmp_path):
    manifest = json.loads((REPO / "data" / "contexts" / "manifest.json").read_text())
    pinned = {entry["url"]: entry["sha256"] for entry in manifest["contexts"]}
    target = tmp_path / "bundle"
    rc, out, _ = run(capsys, "contexts", "export", str(target))
    assert rc == 0
    assert "index.json" in out
    index = json.loads((target / "index.json").read_text())
    assert set(index) == set(pinned)
    for url, name in index.items():
        assert name in out
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == pinned[url], url
    # Exporting again over identical files is fine.
    assert run(capsys, "contexts", "export", str(target))[0] == 0


# --- lab and demo --------------------------------------------------------------


def test_lab_execs_jupyterlab_on_the_notebooks(capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_exec", calls.append)
    rc, _, err = run(capsys, "lab", "--", "--no-browser")
    assert rc == 0, err
    [command] = calls
    assert f"--notebook-dir={REPO / 'notebooks'}" in command
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--LabApp.news_url=None" in command
    assert command[-1] == "--no-browser"


def test_lab_without_notebooks_is_a_clear_error(capsys, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(cli, "_exec", calls.append)
    monkeypatch.setattr(cli, "PACKAGE_DIR", tmp_path / "coopcreds_proto")
    rc, out, err = run(capsys, "lab")
    assert_one_line_error(rc, out, err, "no notebooks directory", str(tmp_path / "notebooks"))
    assert calls == []


def test_demo_command(capsys):
    rc, out, _ = run(capsys, "demo")
    assert rc == 0
    assert out.rstrip().splitlines()[-1] == "1 verified, 3 refused"
