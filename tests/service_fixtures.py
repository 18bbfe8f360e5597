"""A service configured in a temporary folder, for the service tests and benchmark.

``make_service_folder(folder)`` writes the sample co-op's key, a configuration
with one issuer instance (``riverside``, both EdDSA suites, status lists) and
returns the configuration file. The key is the sample co-op's public demo key.
"""

from __future__ import annotations

from pathlib import Path

from coopcreds_proto.keys import save_key
from coopcreds_proto.vc.samples import sample_actors

STATUS_BASE = "https://riverside.coop.example/issuers/riverside/status-lists"
DOMAIN = "https://riverside.coop.example"


def make_service_folder(folder: Path, *, extra: str = "", issuer_extra: str = "") -> Path:
    """Write a key and a service configuration into ``folder``; return the configuration's path."""
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "riverside-key.json"
    if not key_file.exists():
        save_key(sample_actors().coop, key_file)
    config = folder / "service.yaml"
    config.write_text(
        f"domain: {DOMAIN}\n{extra}"
        "issuers:\n"
        "  - name: riverside\n"
        "    key_file: riverside-key.json\n"
        f"    status_list_base: {STATUS_BASE}\n{issuer_extra}"
    )
    return config


def unsigned_member_credential(number: int = 1) -> dict:
    """An unsigned credential of the sample co-op for member ``number`` (examples context)."""
    actors = sample_actors()
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleMembershipCredential"],
        "issuer": actors.coop.did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"did:example:member-{number}", "name": f"Member {number}"},
    }
