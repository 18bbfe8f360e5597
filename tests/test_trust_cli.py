"""``coopcreds trust accredit|revoke|query|anchor`` and ``coopcreds recognise``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopcreds_proto.cli import main
from coopcreds_proto.keys import Ed25519Key, save_key
from coopcreds_proto.randomness import SeededRandom

BODY, COOP, G_BODY = (Ed25519Key.generate(SeededRandom(f"trust-cli/{n}"))
                      for n in ("body", "coop", "g-body"))
FW = "https://body.example/framework"
G = "https://tourism.example/framework"
MEMBERSHIP = "CooperativeMembershipCredential"
LIST_URL = "https://body.example/status/accreditations"


class Workspace:
    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.capsys = root, capsys
        self.trust, self.registry = str(root / "trust"), str(root / "registry")
        self.state = str(root / "acc-status.json")
        self.keys = {name: str(save_key(key, root / f"{name}.json"))
                     for name, key in (("body", BODY), ("coop", COOP), ("g", G_BODY))}

    def run(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        return code, out, err

    def query(self, *extra: str, framework: str = FW) -> tuple[int, str, str]:
        return self.run("trust", "query", "--trust", self.trust, "--registry", self.registry,
                        "--issuer", COOP.did, "--type", MEMBERSHIP, "--framework", framework,
                        "--at", "2026-06-01", "--now", "2026-06-01T00:00:00Z", *extra)

    def accredit(self, *extra: str) -> tuple[int, str, str]:
        return self.run("trust", "accredit", "--trust", self.trust, "--key", self.keys["body"],
                        "--subject", COOP.did, "--framework", FW, "--type", MEMBERSHIP,
                        "--from", "2026-01-01", "--until", "2027-01-01",
                        "--now", "2026-01-01T00:00:00Z", *extra)


@pytest.fixture
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Workspace:
    w = Workspace(tmp_path, capsys)
    assert w.run("status", "new", LIST_URL, "--state", w.state, "--key", w.keys["body"],
                 "--registry", w.registry, "--now", "2026-01-01T00:00:00Z")[0] == 0
    assert w.run("trust", "anchor", "--trust", w.trust, "--framework", FW,
                 "--anchor", BODY.did, "--name", "Body framework")[0] == 0
    return w


def test_accredit_query_revoke(ws: Workspace) -> None:
    code, out, _ = ws.accredit("--id", "urn:acc:coop", "--state", ws.state,
                               "--registry", ws.registry)
    assert code == 0 and "urn:acc:coop written to" in out
    saved = json.loads(next(Path(ws.trust, "accreditations").glob("*.json")).read_text())
    assert saved["credentialStatus"]["statusListCredential"] == LIST_URL
    code, out, _ = ws.query()
    assert code == 0 and out.startswith("TRUSTED") and "urn:acc:coop" in out
    code, out, _ = ws.query("--json")
    report = json.loads(out)
    assert code == 0 and report["trusted"] and report["framework"] == FW
    assert report["frameworkName"] == "Body framework" and report["rejected"] == []
    code, out, _ = ws.run("trust", "query", "--trust", ws.trust, "--registry", ws.registry,
                          "--issuer", COOP.did, "--type", "Payslip", "--framework", FW,
                          "--at", "2026-06-01", "--now", "2026-06-01T00:00:00Z")
    assert code == 1 and "does not cover credential type Payslip" in out
    code, out, _ = ws.run("trust", "revoke", "--trust", ws.trust, "--id", "urn:acc:coop",
                          "--state", ws.state, "--key", ws.keys["body"],
                          "--registry", ws.registry, "--now", "2026-03-01T00:00:00Z")
    assert code == 0 and "revoked" in out
    code, out, _ = ws.query()
    assert code == 1 and out.startswith("NOT TRUSTED")
    assert "urn:acc:coop revoked at 2026-03-01T00:00:00Z" in out
    # The registry's issuance log: a credential seen before the revocation may be honoured.
    code, out, _ = ws.run("trust", "witness", "--trust", ws.trust, "--issuer", COOP.did,
                          "--credential-id", "urn:cred:early", "--at", "2026-02-01")
    assert code == 0 and "witnessed" in out
    code, out, _ = ws.query("--credential-id", "urn:cred:early", "--honour-witnessed")
    assert code == 0 and "before the revocation: honoured" in out
    code, out, _ = ws.query("--credential-id", "urn:cred:backdated", "--honour-witnessed")
    assert code == 1 and "was not witnessed before the revocation" in out
    assert ws.query("--credential-id", "urn:cred:early")[0] == 1  # honouring is opt-in


def test_expired_accreditation_query(ws: Workspace) -> None:
    assert ws.accredit("--id", "urn:acc:coop")[0] == 0
    code, out, _ = ws.run("trust", "query", "--trust", ws.trust, "--registry", ws.registry,
                          "--issuer", COOP.did, "--type", MEMBERSHIP, "--framework", FW,
                          "--at", "2027-02-01", "--now", "2027-02-01T00:00:00Z")
    assert code == 1 and "urn:acc:coop expired at 2027-01-01T00:00:00Z" in out


def test_recognise_then_query_through_it(ws: Workspace) -> None:
    assert ws.accredit()[0] == 0
    assert ws.run("trust", "anchor", "--trust", ws.trust, "--framework", G,
                  "--anchor", G_BODY.did)[0] == 0
    code, out, _ = ws.query(framework=G)
    assert code == 1 and f"{G} does not recognise {FW}" in out
    code, out, _ = ws.run("recognise", "--trust", ws.trust, "--key", ws.keys["g"],
                          "--framework", G, "--recognises", FW, "--type", MEMBERSHIP,
                          "--from", "2026-01-01", "--until", "2026-05-01",
                          "--now", "2026-01-01T00:00:00Z")
    assert code == 0 and f"{G} recognises {FW}" in out
    code, out, _ = ws.query(framework=G)  # asked on 2026-06-01, after the agreement ended
    assert code == 1 and f"recognition of {FW} by {G} expired at 2026-05-01" in out
    assert ws.run("recognise", "--trust", ws.trust, "--key", ws.keys["g"], "--framework", G,
                  "--recognises", FW, "--from", "2026-01-01", "--until", "2028-01-01",
                  "--now", "2026-01-01T00:00:00Z")[0] == 0
    code, out, _ = ws.query("--json", framework=G)
    report = json.loads(out)
    assert code == 0 and report["framework"] == FW
    assert report["chain"][0].startswith(f"{G} recognises {FW}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["recognise", "--key", "{coop}", "--framework", FW, "--recognises", G,
          "--from", "2026-01-01", "--until", "2027-01-01"], "is not an anchor of"),
        (["trust", "accredit", "--key", "{body}", "--subject", "did:example:x",
          "--framework", FW, "--type", MEMBERSHIP, "--from", "2026-01-01",
          "--until", "2027-01-01", "--max-chain", "2"], "--max-chain needs --may-accredit"),
        (["trust", "accredit", "--key", "{coop}", "--subject", "did:example:x",
          "--framework", FW, "--type", MEMBERSHIP, "--from", "2026-01-01",
          "--until", "2027-01-01", "--state", "{state}", "--registry", "{registry}"],
         "revocation must be in its own list"),
        (["trust", "accredit", "--key", "{body}", "--subject", "did:example:x",
          "--framework", FW, "--type", MEMBERSHIP, "--from", "2027-01-01",
          "--until", "2026-01-01"], "valid_until must be after valid_from"),
        (["trust", "query", "--registry", "{registry}", "--issuer", "did:example:x",
          "--type", MEMBERSHIP, "--framework", FW, "--at", "June"], "--at"),
        (["trust", "revoke", "--id", "urn:acc:none", "--state", "{state}", "--key", "{body}",
          "--registry", "{registry}"], "no accreditation urn:acc:none"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(ws: Workspace, argv: list[str], message: str) -> None:
    values = {"coop": ws.keys["coop"], "body": ws.keys["body"], "state": ws.state,
              "registry": ws.registry}
    argv = [a.format(**values) if a.startswith("{") else a for a in argv]
    argv[2:2] = ["--trust", ws.trust] if argv[0] == "trust" else []
    if argv[0] == "recognise":
        argv[1:1] = ["--trust", ws.trust]
    code, out, err = ws.run(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("coopcreds: error: ") and message in err


def test_an_accreditation_is_never_overwritten(ws: Workspace) -> None:
    assert ws.accredit("--id", "urn:acc:same")[0] == 0
    code, _, err = ws.accredit("--id", "urn:acc:same")
    assert code == 2 and "exists already" in err
    code, _, err = ws.run("trust", "anchor", "--trust", ws.trust, "--framework", FW,
                          "--anchor", COOP.did)
    assert code == 2 and "already in" in err
