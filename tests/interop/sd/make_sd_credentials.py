"""Write the coopcreds side of the ecdsa-sd-2023 interoperability check to a directory.

Writes, into OUT_DIR: ``issuer-key.json`` (a public demo P-256 key from a fixed
seed, with its secret, so the JavaScript side can issue with it),
``unsigned.json`` (the sample membership credential issued by that key's DID),
``coopcreds-base.json`` (it with a coopcreds base proof, the issuer, validity
and types mandatory), ``coopcreds-derived.json`` (a coopcreds disclosure of
membership status and sector) and ``meta.json`` (the verification time and the
pointers).

Usage: ``python tests/interop/sd/make_sd_credentials.py OUT_DIR``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coopcreds_proto.keys import EcdsaKey
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.disclosure import derive_disclosure, mandatory_pointers_for
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)

REVEAL = ["/credentialSubject/membershipStatus", "/credentialSubject/memberOf/sector"]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    key = EcdsaKey.generate(SeededRandom("interop/coop-p256"))
    unsigned = sample_membership_credential(sample_actors())
    unsigned["issuer"]["id"] = key.did
    mandatory = list(mandatory_pointers_for(unsigned))
    base = issue(unsigned, key, cryptosuite="ecdsa-sd-2023", created=SAMPLE_CREATED,
                 mandatory_pointers=mandatory, rng=SeededRandom("interop/sd"))
    files = {
        "issuer-key.json": key.to_multikey(include_secret=True),
        "unsigned.json": unsigned,
        "coopcreds-base.json": base,
        "coopcreds-derived.json": derive_disclosure(base, REVEAL),
        "meta.json": {"now": SAMPLE_NOW, "created": SAMPLE_CREATED, "reveal": REVEAL,
                      "mandatory": mandatory},
    }
    for name, document in files.items():
        (out / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
