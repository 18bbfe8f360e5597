"""One community ID or a DID per co-op: what co-ops could link, and what it costs.

A member shows credentials (or presentations) to several co-ops. If those
co-ops compare notes, any value they all saw links the visits to one person:

- the **DID** (the holder, the credential's subject, the key that signed a
  presentation);
- the **credential id** (the same credential shown twice);
- the **status entry** (the same status list URL *and* index; the list URL
  alone is shared by every member on that list, which is the point of it);
- the **claims** themselves (name, membership number, ...): no choice of DID
  hides what the credential says.

A common community ID links everything. Pairwise DIDs (one per co-op) stop the
DID from linking; but each credential must then name that co-op's DID, so
the issuer signs one copy per co-op, and copies that keep one credential id
and one status entry (so that a single bit revokes them all) still link. Only
credentials re-issued per co-op, each with its own id and status index, stop
those too. That costs keys, credentials and status entries, which
:func:`choice_costs` counts. The issuer, who signed every copy, can always
link them.

Public API: ``identifiers_shown(document)``, ``correlations(shown)``,
``linkable(shown)``, ``choice_costs(coops)``, ``sample_views(choice)`` (what
three sample co-ops see under a choice), ``compare_choices()`` (one table: what
each choice lets them link, and its costs), ``CHOICES``, ``KINDS``,
``SAMPLE_COOPS``.

>>> seen = {"Riverside": [{"holder": "did:key:z1"}], "Hillside": [{"holder": "did:key:z1"}]}
>>> correlations(seen)[["kind", "seen_by"]].to_dict("records")
[{'kind': 'DID', 'seen_by': 'Hillside, Riverside'}]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

import pandas as pd

from ..keys import Ed25519Key
from ..randomness import SeededRandom
from ..vc.samples import sample_actors, sample_membership_credential

KINDS = ("DID", "credential id", "status entry", "claims")
CHOICES = (
    "one common community ID",
    "pairwise DIDs, copies sharing one credential id and status entry",
    "pairwise DIDs, credential re-issued per co-op",
)
SAMPLE_COOPS = ("Hillside Housing Co-op", "Riverside Food Co-op", "Valley Energy Co-op")
SAMPLE_STATUS_LIST = "https://issuer.example/status/1"


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _did_of(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, str) and value.startswith("did:"):
        return value.split("#", 1)[0]
    return None


def _credential_identifiers(credential: dict) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(credential.get("id"), str):
        found.append(("credential id", credential["id"]))
    for subject in _as_list(credential.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        did = _did_of(subject)
        if did:
            found.append(("DID", did))
        claims = {k: v for k, v in subject.items() if k != "id"}
        if claims:
            # A short digest: the table shows that the claims match, not them.
            text = json.dumps(claims, sort_keys=True, separators=(",", ":"))
            found.append(("claims", "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]))
    for entry in _as_list(credential.get("credentialStatus")):
        if isinstance(entry, dict) and "statusListCredential" in entry:
            found.append(
                (
                    "status entry",
                    f"{entry['statusListCredential']} index {entry.get('statusListIndex')}",
                )
            )
    return found


def identifiers_shown(document: dict) -> list[tuple[str, str]]:
    """The (kind, value) pairs a credential or presentation shows to whoever receives it.

    >>> identifiers_shown({"id": "urn:uuid:1", "credentialSubject": {"id": "did:key:z1"}})
    [('credential id', 'urn:uuid:1'), ('DID', 'did:key:z1')]
    """
    found: list[tuple[str, str]] = []
    types = _as_list(document.get("type"))
    if (
        "VerifiablePresentation" in types
        or "verifiableCredential" in document
        or "holder" in document
    ):
        holder = _did_of(document.get("holder"))
        if holder:
            found.append(("DID", holder))
        for proof in _as_list(document.get("proof")):
            signer = _did_of(proof.get("verificationMethod")) if isinstance(proof, dict) else None
            if signer:
                found.append(("DID", signer))
        for credential in _as_list(document.get("verifiableCredential")):
            if isinstance(credential, dict):
                found.extend(_credential_identifiers(credential))
    else:
        found.extend(_credential_identifiers(document))
    return list(dict.fromkeys(found))  # once each, in order


def correlations(shown: Mapping[str, Iterable[dict]]) -> pd.DataFrame:
    """Every identifier that two or more co-ops saw: one row per (kind, value).

    ``shown`` maps each co-op to the credentials/presentations shown to it.
    Columns: ``kind``, ``value``, ``seen_by`` (the co-ops, sorted, joined by
    ", ") and ``coops`` (how many).
    """
    seen: dict[tuple[str, str], set[str]] = {}
    for coop, documents in shown.items():
        for document in documents:
            for item in identifiers_shown(document):
                seen.setdefault(item, set()).add(coop)
    order = {k: i for i, k in enumerate(KINDS)}
    linked = sorted(
        ((kind, value, coops) for (kind, value), coops in seen.items() if len(coops) > 1),
        key=lambda item: (order[item[0]], -len(item[2]), item[1]),
    )
    rows = [
        {"kind": kind, "value": value, "seen_by": ", ".join(sorted(coops)), "coops": len(coops)}
        for kind, value, coops in linked
    ]
    return pd.DataFrame(rows, columns=["kind", "value", "seen_by", "coops"])


def linkable(shown: Mapping[str, Iterable[dict]]) -> pd.DataFrame:
    """Per kind of identifier: how many pairs of co-ops it lets link the member.

    One row per kind in ``KINDS``: ``pairs_linked`` out of ``pairs`` and a
    yes/no ``links``.
    """
    shown = {coop: list(documents) for coop, documents in shown.items()}
    per_coop = {
        coop: {item for d in documents for item in identifiers_shown(d)}
        for coop, documents in shown.items()
    }
    pairs = list(combinations(sorted(per_coop), 2))
    rows = []
    for kind in KINDS:
        linked = sum(1 for a, b in pairs if any(k == kind for k, _ in per_coop[a] & per_coop[b]))
        rows.append(
            {"kind": kind, "pairs_linked": linked, "pairs": len(pairs), "links": linked > 0}
        )
    return pd.DataFrame(rows, columns=["kind", "pairs_linked", "pairs", "links"])


def choice_costs(coops: int) -> pd.DataFrame:
    """What each choice costs a member of ``coops`` co-ops, and its issuer.

    One row per choice in ``CHOICES``: DIDs (and keys) the member keeps and
    backs up, credentials the member holds, credentials the issuer signs for
    one membership (and again at each change), status entries to flip to
    revoke it, and what colluding co-ops can still link.
    """
    if not isinstance(coops, int) or coops < 1:
        raise ValueError("coops must be a positive whole number")
    rows = [
        (CHOICES[0], 1, 1, 1, 1, "DID, credential id, status entry, claims"),
        (CHOICES[1], coops, coops, coops, 1, "credential id, status entry, claims"),
        (CHOICES[2], coops, coops, coops, coops, "claims"),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "choice",
            "DIDs and keys to keep",
            "credentials to hold",
            "credentials to issue",
            "status entries to revoke",
            "co-ops can still link by",
        ],
    )


def sample_views(
    choice: str, coops: Sequence[str] = SAMPLE_COOPS, *, seed: str = "coopcreds-demo"
) -> dict[str, list[dict]]:
    """What each co-op is shown when the sample member makes ``choice`` (deterministic).

    Presentations holding the sample membership credential with a status
    entry; only the identifiers matter here, so nothing is signed.
    """
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {CHOICES}")

    def did(label: str) -> str:  # a demo DID, deterministic by design
        return Ed25519Key.generate(SeededRandom(f"{seed}/pairwise/{label}")).did

    def credential(subject: str, number: int, index: int) -> dict:
        document = sample_membership_credential(sample_actors(seed))
        document["id"] = f"urn:uuid:6a1f3c52-8d0e-4b7a-9c21-{number:012d}"
        document["credentialSubject"]["id"] = subject
        document["credentialStatus"] = {
            "id": f"{SAMPLE_STATUS_LIST}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": SAMPLE_STATUS_LIST,
        }
        return document

    def presentation(holder: str, document: dict) -> dict:
        return {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": holder,
            "verifiableCredential": [document],
        }

    views: dict[str, list[dict]] = {}
    common = did("common")
    for n, coop in enumerate(coops):
        if choice == CHOICES[0]:
            views[coop] = [presentation(common, credential(common, 1, 70213))]
        elif choice == CHOICES[1]:
            mine = did(coop)
            views[coop] = [presentation(mine, credential(mine, 1, 70213))]
        else:
            mine = did(coop)
            # Indexes as a status list allocates them: unrelated, one per copy.
            views[coop] = [presentation(mine, credential(mine, 2 + n, 1009 + 48611 * n))]
    return views


def compare_choices(
    coops: Sequence[str] = SAMPLE_COOPS, *, seed: str = "coopcreds-demo"
) -> pd.DataFrame:
    """One row per choice: which identifiers link the member across ``coops``
    (found by :func:`linkable` on :func:`sample_views`), then the costs.

    >>> table = compare_choices()
    >>> table.loc[:, ["choice", "DID", "credential id"]].to_dict("records")[0]
    {'choice': 'one common community ID', 'DID': 'yes', 'credential id': 'yes'}
    """
    costs = choice_costs(len(coops)).drop(columns=["co-ops can still link by"])
    rows = []
    for choice in CHOICES:
        table = linkable(sample_views(choice, coops, seed=seed))
        rows.append(
            {
                "choice": choice,
                **{k: "yes" if v else "no" for k, v in zip(table["kind"], table["links"])},
            }
        )
    return pd.DataFrame(rows).merge(costs, on="choice")
