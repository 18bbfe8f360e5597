"""``coopcreds definition ...``: outputs and exit codes (0 ok, 1 problems, 2 unusable)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopcreds_proto.cli import main
from coopcreds_proto.definitions.definition import (
    Field,
    definition_path,
    load_definition,
    next_version,
    save_definition,
    with_field,
)
from coopcreds_proto.keys import save_key
from coopcreds_proto.vc.samples import SAMPLE_NOW, sample_actors

V01 = str(definition_path("cooperative-membership", "0.1"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken(tmp_path) -> Path:
    text = Path(V01).read_text(encoding="utf-8").replace(
        "  - term: membershipClass", "  - term: id\n    label: Id\n    description: x\n"
        "    datatype: enum\n  - term: membershipClass")
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_exit_codes(capsys, broken, tmp_path):
    code, out, _ = run(capsys, "definition", "validate", V01)
    assert code == 0 and "valid (CooperativeMembershipCredential 0.1" in out
    code, out, _ = run(capsys, "definition", "validate", str(broken))
    assert code == 1
    assert "id: 'id' is reserved" in out and "[enum-without-values]" in out
    assert out.strip().endswith("2 problem(s)")
    (tmp_path / "notyaml.yaml").write_text("fields: [oops", encoding="utf-8")
    code, out, err = run(capsys, "definition", "validate", str(tmp_path / "notyaml.yaml"))
    assert code == 2 and out == "" and "not valid YAML at line" in err
    code, _, err = run(capsys, "definition", "validate", str(tmp_path / "missing.yaml"))
    assert code == 2 and "no such file" in err


def test_other_commands_refuse_a_broken_definition_in_one_line(capsys, broken):
    for command in ("show", "context", "schema", "example", "sheet"):
        code, out, err = run(capsys, "definition", command, str(broken))
        assert code == 2 and out == ""
        assert err.count("\n") == 1
        assert "2 problems in the definition; first: id: 'id' is reserved" in err


def test_generators_print_the_artefacts(capsys):
    code, out, _ = run(capsys, "definition", "context", V01)
    assert code == 0 and json.loads(out)["@context"]["@protected"] is True
    code, out, _ = run(capsys, "definition", "schema", V01)
    assert json.loads(out)["$schema"].endswith("2020-12/schema")
    code, out, _ = run(capsys, "definition", "example", V01)
    assert json.loads(out)["type"][-1] == "CooperativeMembershipCredential"
    code, out, _ = run(capsys, "definition", "sheet", "--html", V01)
    # A file of its own: the stylesheet inline first, then the sheet.
    assert code == 0 and out.startswith("<style>")
    assert out.count("<style>") == 1 and '<div class="cc-view cc-sheet">' in out
    code, out, _ = run(capsys, "definition", "show", V01)
    assert "identityAssurance.verifiedOn" in out and "discuss" in out


def test_diff(capsys, tmp_path):
    v01 = load_definition(V01)
    v02 = with_field(next_version(v01, "0.9", "2026-03-10"),
                     Field("recognisedBy", "Recognised by", "d", "iri", since="0.9"))
    save_definition(v02, tmp_path / "v0.9.yaml")
    code, out, _ = run(capsys, "definition", "diff", V01, str(tmp_path / "v0.9.yaml"))
    assert code == 0 and "added `recognisedBy` (additive)" in out
    code, out, _ = run(capsys, "definition", "diff", "--json", V01, str(tmp_path / "v0.9.yaml"))
    assert json.loads(out)["impact"] == "additive"


def test_adopt_and_verify_release(capsys, tmp_path):
    key_file = tmp_path / "convenor.json"
    save_key(sample_actors().coop, key_file)
    out_dir = tmp_path / "release"
    args = ["definition", "adopt", V01, "--key", str(key_file), "--for", "14",
            "--against", "5", "--abstain", "2", "--rule", "two-thirds", "--date", "2026-03-01",
            "--voter", "Riverside Food Co-op", "--created", "2026-03-01T18:00:00Z",
            "--out", str(out_dir)]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "adopted CooperativeMembershipCredential 0.1: 14 for" in out
    assert load_definition(out_dir / "v0.1.yaml").status == "adopted"
    code, out, _ = run(capsys, "definition", "verify-release", str(out_dir / "release.json"),
                       "--definition", str(out_dir / "v0.1.yaml"), "--now", SAMPLE_NOW)
    assert code == 0 and out.startswith("RELEASE VERIFIED")
    code, out, _ = run(capsys, "definition", "verify-release", str(out_dir / "release.json"),
                       "--definition", V01, "--now", SAMPLE_NOW)
    assert code == 1 and "definitionDigest does not match" in out
    code, out, _ = run(capsys, "verify", str(out_dir / "release.json"), "--now", SAMPLE_NOW)
    assert code == 0


def test_adopt_refuses_a_failed_vote_and_writes_nothing(capsys, tmp_path):
    key_file = tmp_path / "convenor.json"
    save_key(sample_actors().coop, key_file)
    code, _, err = run(capsys, "definition", "adopt", V01, "--key", str(key_file), "--for", "6",
                       "--against", "5", "--rule", "two-thirds", "--date", "2026-03-01",
                       "--out", str(tmp_path / "out"))
    assert code == 2 and "the rule needs at least two thirds" in err
    assert not (tmp_path / "out").exists()
    code, _, err = run(capsys, "definition", "adopt", V01, "--key", str(key_file), "--for", "x",
                       "--against", "5", "--rule", "majority", "--date", "2026-03-01",
                       "--out", str(tmp_path / "out"))
    assert code == 2 and not (tmp_path / "out").exists()


def test_publish_into_the_working_directory_and_adopt_from_it(capsys, tmp_path, monkeypatch):
    from coopcreds_proto.loader import contexts_dir

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "published-contexts"
    code, out, _ = run(capsys, "definition", "publish", V01)
    assert code == 0 and "already published (same bytes)" in out and "workbench's bundle" in out
    assert not folder.exists()  # the package bundles 0.1: nothing to write
    v09 = next_version(load_definition(V01), "0.9", "2026-03-10")
    save_definition(v09, tmp_path / "v0.9.yaml")
    code, out, _ = run(capsys, "definition", "publish", "v0.9.yaml")
    assert code == 0 and "/membership/v0.9: published as" in out
    assert "in published-contexts" in out and (folder / "manifest.json").is_file()
    changed = with_field(v09, Field("nickname", "Nickname", "What they like to be called.",
                                    "text", since="0.9"))
    save_definition(changed, tmp_path / "changed" / "v0.9.yaml")
    code, _, err = run(capsys, "definition", "publish", "changed/v0.9.yaml")
    assert code == 2 and "never changes" in err
    key_file = tmp_path / "convenor.json"
    save_key(sample_actors().coop, key_file)
    vote = ["--key", str(key_file), "--for", "14", "--against", "5", "--rule", "two-thirds",
            "--date", "2026-03-01", "--created", "2026-03-01T18:00:00Z"]
    # adopt reads ./published-contexts: the published 0.9 differs from this file.
    code, _, err = run(capsys, "definition", "adopt", "changed/v0.9.yaml", *vote, "--out", "no")
    assert code == 2 and "differs" in err and not (tmp_path / "no").exists()
    code, _, err = run(capsys, "definition", "adopt", "v0.9.yaml", *vote, "--out", "release")
    assert code == 0, err
    code, out, _ = run(capsys, "definition", "verify-release", "release/release.json",
                       "--definition", "release/v0.9.yaml", "--now", SAMPLE_NOW,
                       "--contexts-dir", str(folder))
    assert code == 0 and out.startswith("RELEASE VERIFIED")
    code, _, err = run(capsys, "definition", "adopt", "v0.9.yaml", *vote, "--out", "again",
                       "--contexts-dir", "missing")
    assert code == 2 and "not a context bundle" in err
    code, _, err = run(capsys, "definition", "publish", "v0.9.yaml",
                       "--contexts-dir", str(contexts_dir()))
    assert code == 2 and "never written" in err

def test_issue_and_verify_read_the_published_contexts(capsys, tmp_path, monkeypatch):
    """A credential of a version published in ./published-contexts issues and verifies from
    the command line; elsewhere (no such folder) its context is unknown and it does not."""
    monkeypatch.chdir(tmp_path)
    v09 = next_version(load_definition(V01), "0.9", "2026-03-10")
    save_definition(v09, tmp_path / "v0.9.yaml")
    assert run(capsys, "definition", "publish", "v0.9.yaml")[0] == 0
    code, example, err = run(capsys, "definition", "example", "v0.9.yaml")
    assert code == 0, err
    unsigned = json.loads(example)
    unsigned.pop("proof", None)
    assert any(str(c).endswith("/v0.9") for c in unsigned["@context"])
    (tmp_path / "unsigned.json").write_text(json.dumps(unsigned))
    key_file = tmp_path / "coop.json"
    save_key(sample_actors().coop, key_file)
    code, signed, err = run(capsys, "issue", "unsigned.json", "--key", str(key_file),
                            "--created", "2026-03-11T09:00:00Z")
    assert code == 0, err
    (tmp_path / "signed.json").write_text(signed)
    code, out, _ = run(capsys, "verify", "signed.json", "--now", SAMPLE_NOW)
    assert code == 0 and out.startswith("VERIFIED")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = run(capsys, "verify", "../signed.json", "--now", SAMPLE_NOW)
    assert code == 1 and "/v0.9" in out
    code, out, _ = run(capsys, "verify", "../signed.json", "--now", SAMPLE_NOW,
                       "--contexts-dir", "../published-contexts")
    assert code == 0
    code, _, err = run(capsys, "verify", "../signed.json", "--contexts-dir", "missing")
    assert code == 2 and len(err.strip().splitlines()) == 1
