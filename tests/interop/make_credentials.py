"""Write the coopcreds side of the interoperability check to a directory.

Writes, into OUT_DIR:

- ``coopcreds-eddsa-rdfc-2022.json`` and ``coopcreds-eddsa-jcs-2022.json``: the
  sample membership credential signed by the sample co-op with each cryptosuite;
- ``sample-unsigned.json``: the same credential unsigned (the JavaScript side
  re-issues these claims under its own did:key);
- ``sample-issuer-key.json``: the sample co-op's key as Multikey JSON with its
  secret (a public demo key from a fixed seed), so the JavaScript side can
  re-sign the credential and compare proofs byte for byte;
- ``coopcreds-vp-eddsa-rdfc-2022.json`` and ``coopcreds-vp-eddsa-jcs-2022.json``: the
  member's presentation of the (rdfc-signed) credential, signed with each
  cryptosuite for ``authentication`` with the sample challenge and domain;
- ``sample-holder-key.json``: the sample member's key (a public demo key), so
  the JavaScript side can re-sign the presentation and sign its own;
- ``meta.json``: the issuer and holder DIDs, the proof creation time, the
  verification time and the presentations' challenge and domain.

Usage: ``python tests/interop/make_credentials.py OUT_DIR``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coopcreds_proto.cryptosuites import CRYPTOSUITES
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)

# The verifier's side of a login: a challenge it issued and its domain (fixed, for the check).
CHALLENGE = "interop-challenge-5f1d2c"
DOMAIN = "https://members.riverside.example"


def _write(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# The Ed25519 suites: the sample co-op and member hold Ed25519 keys, and the
# Digital Bazaar side here checks eddsa (ecdsa-sd-2023 has its own script, sd/).
EDDSA_SUITES = sorted(name for name in CRYPTOSUITES if name.startswith("eddsa-"))


def write_credentials(out_dir: Path) -> list[str]:
    """Sign the sample credential with every EdDSA suite into ``out_dir``; return the file names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    actors = sample_actors()
    unsigned = sample_membership_credential(actors)
    names = []
    signed_rdfc = None
    for suite in EDDSA_SUITES:
        signed = issue(unsigned, actors.coop, cryptosuite=suite, created=SAMPLE_CREATED)
        name = f"coopcreds-{suite}.json"
        _write(out_dir / name, signed)
        names.append(name)
        if suite == "eddsa-rdfc-2022":
            signed_rdfc = signed
    for suite in EDDSA_SUITES:
        vp = present(
            [signed_rdfc],
            actors.member,
            challenge=CHALLENGE,
            domain=DOMAIN,
            created=SAMPLE_NOW,
            cryptosuite=suite,
        )
        name = f"coopcreds-vp-{suite}.json"
        _write(out_dir / name, vp)
        names.append(name)
    _write(out_dir / "sample-unsigned.json", unsigned)
    # The sample keys are published demo keys (see samples.py): never real secrets.
    _write(out_dir / "sample-issuer-key.json", actors.coop.to_multikey(include_secret=True))
    _write(out_dir / "sample-holder-key.json", actors.member.to_multikey(include_secret=True))
    _write(
        out_dir / "meta.json",
        {
            "issuer": actors.coop.did,
            "holder": actors.member.did,
            "created": SAMPLE_CREATED,
            "now": SAMPLE_NOW,
            "challenge": CHALLENGE,
            "domain": DOMAIN,
        },
    )
    return names


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: make_credentials.py OUT_DIR", file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    for name in write_credentials(out_dir):
        print(f"wrote {out_dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
