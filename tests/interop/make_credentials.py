"""Write the coopcreds side of the interoperability check to a directory.

Writes, into OUT_DIR:

- ``coopcreds-eddsa-rdfc-2022.json`` and ``coopcreds-eddsa-jcs-2022.json``: the
  sample membership credential signed by the sample co-op with each cryptosuite;
- ``sample-unsigned.json``: the same credential unsigned (the JavaScript side
  re-issues these claims under its own did:key);
- ``sample-issuer-key.json``: the sample co-op's key as Multikey JSON with its
  secret (a public demo key from a fixed seed), so the JavaScript side can
  re-sign the credential and compare proofs byte for byte;
- ``meta.json``: the issuer DID, the proof creation time and the verification time.

Usage: ``python tests/interop/make_credentials.py OUT_DIR``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coopcreds_proto.credentials import issue
from coopcreds_proto.cryptosuites import CRYPTOSUITES
from coopcreds_proto.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)


def _write(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_credentials(out_dir: Path) -> list[str]:
    """Sign the sample credential with every suite into ``out_dir``; return the file names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    actors = sample_actors()
    unsigned = sample_membership_credential(actors)
    names = []
    for suite in sorted(CRYPTOSUITES):
        signed = issue(unsigned, actors.coop, cryptosuite=suite, created=SAMPLE_CREATED)
        name = f"coopcreds-{suite}.json"
        _write(out_dir / name, signed)
        names.append(name)
    _write(out_dir / "sample-unsigned.json", unsigned)
    # The sample keys are published demo keys (see samples.py): never real secrets.
    _write(out_dir / "sample-issuer-key.json", actors.coop.to_multikey(include_secret=True))
    _write(
        out_dir / "meta.json",
        {"issuer": actors.coop.did, "created": SAMPLE_CREATED, "now": SAMPLE_NOW},
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
