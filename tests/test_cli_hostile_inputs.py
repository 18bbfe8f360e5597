"""Every ``coopcreds`` command refuses an unreadable input in one line, exit 2.

Each file a command reads is, in turn, ``/dev/zero`` (endless), a sparse file
of 4 GiB and a FIFO nobody writes to. The command must answer with one line on
stderr and exit 2: never a traceback, a MemoryError or a hang. Commands run in
forked children (``tests/cli_runner.py``) with 1.5 GiB of address space and 30
seconds each, so a command that does read without bound fails the test, not
the machine.

Also here: ``--registry`` naming a missing folder is refused where the
registry is only read and created where a command publishes into it; a
year-9999 ``--now``; a key named in the JSON-LD refusal; ``--allow-open-key-file``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coopcreds_proto.cli import build_parser, main
from coopcreds_proto.keys import save_key
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present
from coopcreds_proto.vc.samples import SAMPLE_CREATED, sample_actors, sample_membership_credential
from coopcreds_proto.vc.status_list import (
    allocate,
    new_status_list,
    publish_status_list,
    save_status_list,
    status_entry,
)

REPO = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).resolve().parent / "cli_runner.py"
ACTORS = sample_actors()
LIST_URL = "https://riverside.example/status/hostile/1"
BODY_LIST_URL = "https://body.example/status/accreditations"
FRAMEWORK = "https://body.example/framework"
HOSTILE = ("zero", "huge", "fifo")


def _write_json(path: Path, document: object) -> str:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Valid inputs for every command, and the three hostile sources."""
    root = tmp_path_factory.mktemp("hostile-cli")
    files: dict[str, str] = {"root": str(root)}
    files["key"] = str(save_key(ACTORS.coop, root / "coop-key.json"))
    files["member_key"] = str(save_key(ACTORS.member, root / "member-key.json"))
    unsigned = sample_membership_credential(ACTORS)
    signed = issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)
    files["unsigned"] = _write_json(root / "unsigned.json", unsigned)
    files["signed"] = _write_json(root / "signed.json", signed)
    shown = present([signed], ACTORS.member, challenge="c-1", domain="https://coop.example",
                    created="2026-06-01T12:00:00Z")
    files["presentation"] = _write_json(root / "presentation.json", shown)
    registry = LocalRegistry(root / "registry")
    files["registry"] = str(registry.root)
    status_list, (index,) = allocate(new_status_list(LIST_URL, ACTORS.coop.did),
                                     SeededRandom("h"))
    publish_status_list(status_list, ACTORS.coop, registry, valid_from="2026-05-01T00:00:00Z")
    files["state"] = str(save_status_list(status_list, root / "state.json"))
    with_status = issue({**unsigned, "credentialStatus": status_entry(status_list, index)},
                        ACTORS.coop, created=SAMPLE_CREATED)
    files["with_status"] = _write_json(root / "with-status.json", with_status)
    files["definition"] = str(shutil.copy(
        REPO / "data/definitions/cooperative-membership/v0.1.yaml", root / "v0.1.yaml"))
    files["feedback"] = str(shutil.copy(REPO / "data/consultation/sample_feedback.jsonl",
                                        root / "feedback.jsonl"))
    files["register"] = str(shutil.copy(REPO / "data/registers/sample_members.csv",
                                        root / "members.csv"))
    files["policy"] = str(shutil.copy(REPO / "data/policies/stay-fair-play-fair.json",
                                      root / "policy.json"))
    files["passphrase"] = str(root / "passphrase.txt")
    Path(files["passphrase"]).write_text("correct horse\n")
    files["trust"] = str(root / "trust")
    # A trust directory with an accreditation whose revocation entry is in the
    # body's own list, so that `trust revoke` reaches its key and state files.
    files["body_state"] = str(root / "body-state.json")
    for argv in (
        ["trust", "anchor", "--trust", files["trust"], "--framework", FRAMEWORK,
         "--anchor", ACTORS.coop.did],
        ["status", "new", BODY_LIST_URL, "--state", files["body_state"], "--key", files["key"],
         "--registry", files["registry"], "--now", "2026-01-01T00:00:00Z"],
        ["trust", "accredit", "--trust", files["trust"], "--key", files["key"], "--subject",
         ACTORS.member.did, "--framework", FRAMEWORK, "--type", "CooperativeMembershipCredential",
         "--from", "2026-01-01", "--until", "2027-01-01", "--id", "urn:uuid:acc-1",
         "--state", files["body_state"], "--registry", files["registry"],
         "--now", "2026-01-02T00:00:00Z"],
    ):
        assert main(argv) == 0, argv
    files["zero"] = "/dev/zero"
    huge = root / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(4 * 1024**3)  # sparse: 4 GiB of nothing, no disk used
    files["huge"] = str(huge)
    files["fifo"] = str(root / "fifo")
    os.mkfifo(files["fifo"])
    return files


# Command lines with one FILE slot each ({bad}); {name} are the work files.
COMMANDS = {
    "key show": ["key", "show", "{bad}"],
    "key show --passphrase-file": ["key", "show", "{key}", "--passphrase-file", "{bad}"],
    "key new --seed-file": ["key", "new", "--seed-file", "{bad}", "--out", "{root}/k-{n}.json"],
    "key new --passphrase-file": ["key", "new", "--passphrase-file", "{bad}",
                                  "--out", "{root}/k-{n}.json"],
    "did web new --passphrase-file": ["did", "web", "new", "did:web:h{n}.example", "--registry",
                                      "{registry}", "--out", "{root}/w-{n}.json",
                                      "--passphrase-file", "{bad}"],
    "issue": ["issue", "{bad}", "--key", "{key}"],
    "issue --key": ["issue", "{unsigned}", "--key", "{bad}"],
    "issue --passphrase-file": ["issue", "{unsigned}", "--key", "{key}",
                                "--passphrase-file", "{bad}"],
    "verify": ["verify", "{bad}"],
    "verify --policy": ["verify", "{presentation}", "--challenge", "c-1", "--domain",
                        "https://coop.example", "--policy", "{bad}"],
    "definition validate": ["definition", "validate", "{bad}"],
    "definition show": ["definition", "show", "{bad}"],
    "definition context": ["definition", "context", "{bad}"],
    "definition schema": ["definition", "schema", "{bad}"],
    "definition example": ["definition", "example", "{bad}"],
    "definition sheet": ["definition", "sheet", "{bad}"],
    "definition publish": ["definition", "publish", "{bad}", "--contexts-dir", "{root}/pc-{n}"],
    "definition diff old": ["definition", "diff", "{bad}", "{definition}"],
    "definition diff new": ["definition", "diff", "{definition}", "{bad}"],
    "definition adopt": ["definition", "adopt", "{bad}", "--key", "{key}", "--for", "3",
                         "--against", "1", "--rule", "majority", "--date", "2026-03-01",
                         "--out", "{root}/rel-{n}"],
    "definition adopt --key": ["definition", "adopt", "{definition}", "--key", "{bad}", "--for",
                               "3", "--against", "1", "--rule", "majority", "--date",
                               "2026-03-01", "--out", "{root}/rel-{n}"],
    "definition verify-release": ["definition", "verify-release", "{bad}"],
    "feedback import": ["feedback", "import", "{root}/fb-{n}.jsonl", "{bad}"],
    "feedback check": ["feedback", "check", "{bad}"],
    "feedback summary": ["feedback", "summary", "{bad}"],
    "network report --model": ["network", "report", "--model", "{bad}"],
    "simulate --scenario": ["simulate", "--scenario", "{bad}", "--out", "{root}/sim-{n}.csv",
                            "--no-progress"],
    "present": ["present", "{bad}", "--key", "{member_key}", "--challenge", "c",
                "--domain", "https://coop.example"],
    "present --key": ["present", "{signed}", "--key", "{bad}", "--challenge", "c",
                      "--domain", "https://coop.example"],
    "status new --key": ["status", "new", "https://riverside.example/status/n{n}", "--state",
                         "{root}/s-{n}.json", "--key", "{bad}", "--registry", "{registry}"],
    "status allocate --state": ["status", "allocate", "--state", "{bad}"],
    "status revoke --state": ["status", "revoke", "--state", "{bad}", "--index", "1",
                              "--key", "{key}", "--registry", "{registry}"],
    "status revoke --credential": ["status", "revoke", "--state", "{state}", "--credential",
                                   "{bad}", "--key", "{key}", "--registry", "{registry}"],
    "status check": ["status", "check", "{bad}", "--registry", "{registry}"],
    "issue-batch register": ["issue-batch", "{bad}", "--key", "{key}", "--out",
                             "{root}/out-{n}", "--sample-coop", "--no-progress"],
    "issue-batch --key": ["issue-batch", "{register}", "--key", "{bad}", "--out",
                          "{root}/out-{n}", "--sample-coop", "--no-progress"],
    "issue-batch --coop": ["issue-batch", "{register}", "--key", "{key}", "--out",
                           "{root}/out-{n}", "--coop", "{bad}", "--no-progress"],
    "trust accredit --key": ["trust", "accredit", "--trust", "{trust}", "--key", "{bad}",
                             "--subject", "did:web:coop.example", "--framework", FRAMEWORK,
                             "--type", "T", "--from", "2026-01-01", "--until", "2027-01-01"],
    "trust accredit --state": ["trust", "accredit", "--trust", "{trust}", "--key", "{key}",
                               "--subject", "did:web:coop.example", "--framework", FRAMEWORK,
                               "--type", "T", "--from", "2026-01-01", "--until", "2027-01-01",
                               "--state", "{bad}", "--registry", "{registry}"],
    "trust revoke --state": ["trust", "revoke", "--trust", "{trust}", "--id", "urn:uuid:acc-1",
                             "--state", "{bad}", "--registry", "{registry}", "--key", "{key}"],
    "trust revoke --key": ["trust", "revoke", "--trust", "{trust}", "--id", "urn:uuid:acc-1",
                           "--state", "{body_state}", "--registry", "{registry}",
                           "--key", "{bad}"],
    "recognise --key": ["recognise", "--trust", "{trust}", "--key", "{bad}", "--framework",
                        FRAMEWORK, "--recognises", "https://g.example/fw", "--from",
                        "2026-01-01", "--until", "2027-01-01"],
    "workshop pack --feedback": ["workshop", "pack", "--feedback", "{bad}", "--out",
                                 "{root}/pack-{n}.html"],
}

CASES = [(name, source) for name in COMMANDS for source in HOSTILE]


@pytest.fixture(scope="module")
def outcomes(work: dict[str, str]) -> dict[tuple[str, str], dict]:
    """Every case run once, in a forked child under memory and time limits."""
    cases = []
    for n, (name, source) in enumerate(CASES):
        argv = [part.format(bad=work[source], n=n, **work) for part in COMMANDS[name]]
        cases.append({"argv": argv, "cwd": work["root"]})
    done = subprocess.run(
        [sys.executable, str(RUNNER), "--memory-mb", "1536", "--seconds", "30"],
        input=json.dumps(cases), capture_output=True, text=True, timeout=1800, check=True,
    )
    return dict(zip(CASES, json.loads(done.stdout)))


# Commands whose answer to a bad file is the list of its problems, one a line:
# a FIFO nobody writes to reads as an empty file, and they list why it is unusable.
LISTS_PROBLEMS = {"definition validate": "1 problem(s)",
                  "feedback import": "the CSV has no column",
                  "issue-batch register": "the file is empty"}


@pytest.mark.parametrize(("name", "source"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_an_unreadable_input_is_refused_in_one_line(outcomes, name, source):
    result = outcomes[(name, source)]
    assert result["signal"] is None, f"ended by signal {result['signal']} (a hang or a crash)"
    lines = result["err"].splitlines()
    assert "Traceback" not in result["err"] and "MemoryError" not in result["err"], result["err"]
    if source == "fifo" and name in LISTS_PROBLEMS:
        assert result["rc"] in (1, 2), result
        assert LISTS_PROBLEMS[name] in result["err"] + result["out"], result
        return
    assert result["rc"] == 2, result
    assert len(lines) == 1 and lines[0].startswith("coopcreds: error: "), result["err"]
    if source != "fifo":  # too large: the file and the limit are named
        assert "is larger than the limit of" in lines[0] or "not a regular file" in lines[0] \
            or "no model file" in lines[0], lines[0]


# --- endless pipes --------------------------------------------------------------


def _coopcreds(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopcreds_proto.cli", *argv], check=False,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_an_endless_stdin_is_read_no_further_than_the_limit(tmp_path):
    for argv in (["verify", "-"], ["issue", "-", "--key", str(tmp_path / "k.json")],
                 ["status", "check", "-", "--registry", str(tmp_path)]):
        with open("/dev/zero", "rb") as endless:
            done = _coopcreds(*argv, stdin=endless)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert "on stdin is larger than the limit of 1,000,000 bytes" in done.stderr


def test_a_fifo_fed_without_end_is_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as pipe:
            while True:
                pipe.write(b"\0" * 65536)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    rc = main(["verify", str(fifo)])
    writer.join(timeout=10)
    assert rc == 2 and not writer.is_alive()


# --- the registry: read where it must exist, created where a command publishes ----


@pytest.mark.parametrize("argv", [
    ["verify", "{signed}", "--registry", "{missing}"],
    ["status", "check", "{signed}", "--registry", "{missing}"],
    ["did", "resolve", "did:web:riverside.example", "--registry", "{missing}"],
    ["did", "web", "keys", "did:web:riverside.example", "--registry", "{missing}"],
    ["did", "web", "add-key", "did:web:riverside.example", "--registry", "{missing}",
     "--out", "{root}/k.json"],
    ["did", "web", "retire-key", "did:web:riverside.example#key-1", "--from", "2026-01-01",
     "--registry", "{missing}"],
    ["trust", "query", "--trust", "{trust}", "--registry", "{missing}", "--issuer",
     "did:web:coop.example", "--type", "T", "--framework", FRAMEWORK],
], ids=lambda argv: " ".join(a for a in argv[:3] if not a.startswith("{")))
def test_a_missing_registry_is_refused_where_it_is_read(work, capsys, tmp_path, argv):
    missing = tmp_path / "no-such-registry"
    rc = main([part.format(missing=missing, **{**work, "root": str(tmp_path)}) for part in argv])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and err.count("\n") == 1
    assert f"--registry {missing}: no registry folder there" in err
    assert not missing.exists() and not (tmp_path / "k.json").exists()


def test_a_missing_registry_is_created_where_a_command_publishes(work, capsys, tmp_path):
    registry = tmp_path / "new-registry"
    assert main(["status", "new", "https://riverside.example/status/9", "--state",
                 str(tmp_path / "s.json"), "--key", work["key"], "--registry", str(registry),
                 "--now", "2026-01-01T00:00:00Z"]) == 0
    assert LocalRegistry(registry).has("https://riverside.example/status/9")
    other = tmp_path / "did-registry"
    assert main(["did", "web", "new", "did:web:new.example", "--registry", str(other),
                 "--out", str(tmp_path / "k.json")]) == 0
    assert LocalRegistry(other).has("did:web:new.example")
    capsys.readouterr()


# --- the ends of the calendar -----------------------------------------------------


def test_now_at_the_end_of_the_calendar_with_a_negative_offset_is_refused(work, capsys):
    for option in ("--now",):
        rc = main(["verify", work["signed"], option, "9999-12-31T23:59:59-23:59"])
        out, err = capsys.readouterr()
        assert rc == 2 and out == "" and err.count("\n") == 1
        assert "--now: '9999-12-31T23:59:59-23:59' is after 9999-12-31T23:59:59Z in UTC" in err


@pytest.mark.parametrize("argv", [
    ["verify", "{signed}", "--now", "{now}"],
    ["verify", "{signed}", "--now", "{now}", "--registry", "{registry}"],
    ["verify", "{presentation}", "--challenge", "c-1", "--domain", "https://coop.example",
     "--now", "{now}"],
    ["verify", "{with_status}", "--now", "{now}", "--registry", "{registry}"],
    ["status", "check", "{with_status}", "--registry", "{registry}", "--now", "{now}"],
    ["trust", "query", "--trust", "{trust}", "--registry", "{registry}", "--issuer",
     "did:web:coop.example", "--type", "T", "--framework", FRAMEWORK, "--now", "{now}"],
    ["definition", "verify-release", "{signed}", "--now", "{now}"],
], ids=lambda argv: " ".join(argv[:2]))
@pytest.mark.parametrize("now", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59+23:59",
                                 "0001-01-01T00:00:00Z", "0001-01-01T00:00:00-23:59"])
def test_a_clock_at_the_ends_of_the_calendar_decides_without_overflow(work, capsys, argv, now):
    rc = main([part.format(now=now, **work) for part in argv])
    out, err = capsys.readouterr()
    assert err == "" and out
    if argv[:2] == ["status", "check"]:  # the list holds until the end of time, not before May
        assert (rc, "FAIL" in out) == ((1, True) if now.startswith("0001") else (0, False))
    else:  # expired, not yet valid, or not trusted: a decision, not an error
        assert rc == 1 and ("NOT" in out or "FAIL" in out)


def test_issuing_at_the_end_of_the_calendar_ends_validity_there(work, capsys, tmp_path):
    out_dir = tmp_path / "issued"
    assert main(["issue-batch", work["register"], "--key", work["key"], "--out", str(out_dir),
                 "--sample-coop", "--no-progress", "--created", "9999-12-31T00:00:00Z"]) == 0
    capsys.readouterr()
    issued = [json.loads(p.read_text()) for p in out_dir.rglob("*.json")
              if "credentialSubject" in p.read_text()]
    assert issued and {c["validUntil"] for c in issued} == {"9999-12-31T23:59:59Z"}


# --- what the JSON-LD checks refuse is named ----------------------------------------


@pytest.mark.parametrize("key", ["@foo", "@Type", "@"])
def test_an_unknown_keyword_is_named(work, capsys, tmp_path, key):
    unsigned = json.loads(Path(work["unsigned"]).read_text())
    unsigned["credentialSubject"][key] = "x"
    rc = main(["issue", _write_json(tmp_path / "u.json", unsigned), "--key", work["key"]])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and err.count("\n") == 1
    assert f"'{key}' is not defined by the document's contexts" in err
    assert f"$.credentialSubject.{key}" in err or f'["{key}"]' in err


# --- key files others may read ---------------------------------------------------------


def test_a_key_file_others_may_read_is_refused_unless_allowed(work, capsys, tmp_path):
    open_key = shutil.copy(work["key"], tmp_path / "open-key.json")
    os.chmod(open_key, 0o644)
    rc = main(["issue", work["unsigned"], "--key", str(open_key)])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and err.count("\n") == 1
    assert f"{open_key} has mode 0644" in err and "--allow-open-key-file" in err
    rc = main(["issue", work["unsigned"], "--key", str(open_key), "--allow-open-key-file"])
    out, err = capsys.readouterr()
    assert rc == 0 and json.loads(out)["proof"]["proofPurpose"] == "assertionMethod"


def test_every_command_that_reads_a_secret_key_accepts_allow_open_key_file():
    def walk(parser, path):
        subs = [a for a in parser._actions if hasattr(a, "choices") and isinstance(a.choices, dict)]
        if not subs:
            yield path, {o for a in parser._actions for o in a.option_strings}
        for action in subs:
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))

    reading_keys = {path: options for path, options in walk(build_parser(), ())
                    if "--key" in options or path == ("key", "show")}
    assert len(reading_keys) >= 12
    missing = [" ".join(path) for path, options in reading_keys.items()
               if "--allow-open-key-file" not in options]
    assert missing == []


@pytest.mark.parametrize("exhausted", [MemoryError, RecursionError])
def test_an_exhausted_resource_is_one_line_too(monkeypatch, capsys, work, exhausted):
    # The last line of defence, behind the bounds above: never a traceback.
    def reads_too_much(*args, **kwargs):
        raise exhausted()

    monkeypatch.setattr("coopcreds_proto.cli.verify_credential", reads_too_much)
    rc = main(["verify", work["signed"]])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and err.count("\n") == 1
    assert "too large or too deeply nested" in err and exhausted.__name__ in err
