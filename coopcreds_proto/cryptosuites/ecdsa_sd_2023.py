"""ecdsa-sd-2023: selective disclosure with ECDSA P-256 (W3C vc-di-ecdsa §3.4).

The issuer signs once, a *base proof*: every statement (canonical N-Quad) of
the credential that is not mandatory gets its own signature by a key made for
this proof alone, and the issuer's key signs the proof configuration, that
key and the hash of the mandatory statements (those the ``mandatory
pointers`` select). Blank nodes are labelled by an HMAC of their canonical
label, under a key that travels in the base proof to the holder only.

The holder *derives* a disclosure from the base proof and JSON pointers: the
document keeps the mandatory claims and the chosen ones, and the derived proof
carries the issuer's signature, the signatures of the disclosed statements
and the labels of its blank nodes. Any verifier checks it against the
issuer's key; it cannot learn the claims left out. The same base signature is
in every disclosure, so disclosures of one credential are linkable.

A base proof value starts with the CBOR tag bytes ``d9 5d 00``, a derived one
with ``d9 5d 01``; a verifier refuses a base proof (``sd-base-proof``: it is
the holder's, and reveals everything) and deriving refuses a derived proof
(``sd-not-a-base-proof``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cbor2

from ..errors import InputError, ProofError
from ..keys import EcdsaKey, EcdsaPublicKey, PublicKey, SigningKey
from ..multibase import P256_PUB
from ..randomness import DEFAULT_RANDOM, RandomSource
from .base import CanonicalizationInput
from .ecdsa_rdfc_2019 import EcdsaRdfc2019
from .sd_primitives import (
    Grouped,
    canonical_id_map,
    canonicalize_and_group,
    hmac_label_map_factory,
    label_map_factory,
    label_replacement_canonicalize,
    parse_pointer,
    select_json_ld,
    to_quads,
)

NAME = "ecdsa-sd-2023"
BASE_HEADER = b"\xd9\x5d\x00"
DERIVED_HEADER = b"\xd9\x5d\x01"
HMAC_KEY_LENGTH = 32
SIGNATURE_LENGTH = 64
PROOF_PUBLIC_KEY_LENGTH = len(P256_PUB) + 33
# A proofValue is at most this many characters (a statement's signature is 64
# bytes: room for 10,000 statements, the most a document may hold).
MAX_PROOF_VALUE_CHARS = 1_000_000


@dataclass(frozen=True)
class BaseProofValue:
    """What a base proof carries (the holder's secret: it reveals every claim)."""

    base_signature: bytes
    public_key: bytes  # the proof-scoped key: multicodec 0x8024 + compressed point
    hmac_key: bytes
    signatures: tuple[bytes, ...]
    mandatory_pointers: tuple[str, ...]

    def __repr__(self) -> str:
        return (f"BaseProofValue({len(self.signatures)} signatures,"
                f" mandatory={list(self.mandatory_pointers)})")


@dataclass(frozen=True)
class DerivedProofValue:
    """What a derived proof carries: enough to verify the disclosed statements only."""

    base_signature: bytes
    public_key: bytes
    signatures: tuple[bytes, ...]
    label_map: dict[str, str]  # c14nN -> u<base64url HMAC>
    mandatory_indexes: tuple[int, ...]


@dataclass(frozen=True)
class Disclosure:
    """What deriving computed: the revealed document (without proof) and the proof value,
    with the counts a consent screen shows."""

    reveal_document: dict
    proof_value: DerivedProofValue
    mandatory_count: int
    disclosed_count: int
    total_count: int
    # The whole document's groups, and which of the base signatures were kept
    # (indexes among the non-mandatory statements).
    grouped: Grouped = field(repr=False)
    signature_indexes: tuple[int, ...] = field(repr=False)


def _b64url_decode(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ProofError(
            "bad-proof-value", f"{what} is not base64url", path="$.proof.proofValue"
        ) from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(proof_value: Any) -> tuple[bytes, Any]:
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise ProofError(
            "bad-proof-value",
            f"an {NAME} proofValue is multibase base64url (starting with 'u')",
            path="$.proof.proofValue",
        )
    if len(proof_value) > MAX_PROOF_VALUE_CHARS:
        raise ProofError(
            "bad-proof-value", f"proofValue of {len(proof_value):,} characters is too long",
            path="$.proof.proofValue",
        )
    raw = _b64url_decode(proof_value[1:], "proofValue")
    header, body = raw[:3], raw[3:]
    if header not in (BASE_HEADER, DERIVED_HEADER):
        raise ProofError(
            "bad-proof-value", f"not an {NAME} proof value (header 0x{header.hex()})",
            path="$.proof.proofValue",
        )
    try:
        decoded = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, MemoryError):
        raise ProofError(
            "bad-proof-value", f"the {NAME} proofValue is not valid CBOR",
            path="$.proof.proofValue",
        ) from None
    return header, decoded


def _bad(what: str) -> ProofError:
    return ProofError("bad-proof-value", f"{NAME} proofValue: {what}", path="$.proof.proofValue")


def _bytes_list(value: Any, length: int, what: str) -> tuple[bytes, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, bytes) and len(v) == length for v in value
    ):
        raise _bad(f"{what} must be a list of {length}-byte strings")
    return tuple(value)


def _check_common(base_signature: Any, public_key: Any) -> None:
    if not isinstance(base_signature, bytes) or len(base_signature) != SIGNATURE_LENGTH:
        raise _bad("the base signature must be 64 bytes")
    if (not isinstance(public_key, bytes) or len(public_key) != PROOF_PUBLIC_KEY_LENGTH
            or not public_key.startswith(P256_PUB)):
        raise _bad("the proof-scoped key must be a P-256 Multikey (35 bytes)")


def parse_base_proof_value(proof_value: Any) -> BaseProofValue:
    """The parts of a base proof value; ``sd-not-a-base-proof`` for a derived one."""
    header, decoded = _decode(proof_value)
    if header != BASE_HEADER:
        raise ProofError(
            "sd-not-a-base-proof",
            "this is a derived (disclosure) proof: only the issuer's base proof can be derived"
            " from",
            path="$.proof.proofValue",
        )
    if not isinstance(decoded, list) or len(decoded) != 5:
        raise _bad("a base proof value is a list of 5 items")
    base_signature, public_key, hmac_key, signatures, pointers = decoded
    _check_common(base_signature, public_key)
    if not isinstance(hmac_key, bytes) or len(hmac_key) != HMAC_KEY_LENGTH:
        raise _bad("the HMAC key must be 32 bytes")
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise _bad("the mandatory pointers must be strings")
    return BaseProofValue(
        base_signature, public_key, hmac_key,
        _bytes_list(signatures, SIGNATURE_LENGTH, "signatures"), tuple(pointers),
    )


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    """The parts of a derived proof value; ``sd-base-proof`` for a base one."""
    header, decoded = _decode(proof_value)
    if header != DERIVED_HEADER:
        raise ProofError(
            "sd-base-proof",
            "this is the issuer's base proof, which only its holder should have: a verifier"
            " needs a derived (disclosure) proof (coopcreds derive)",
            path="$.proof.proofValue",
        )
    if not isinstance(decoded, list) or len(decoded) != 5:
        raise _bad("a derived proof value is a list of 5 items")
    base_signature, public_key, signatures, compressed, indexes = decoded
    _check_common(base_signature, public_key)
    if not isinstance(compressed, dict) or not all(
        isinstance(k, int) and not isinstance(k, bool) and k >= 0
        and isinstance(v, bytes) and len(v) == 32
        for k, v in compressed.items()
    ):
        raise _bad("the label map must map numbers to 32-byte labels")
    if not isinstance(indexes, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes
    ):
        raise _bad("the mandatory indexes must be whole numbers")
    label_map = {f"c14n{k}": "u" + _b64url(v) for k, v in compressed.items()}
    return DerivedProofValue(
        base_signature, public_key, _bytes_list(signatures, SIGNATURE_LENGTH, "signatures"),
        label_map, tuple(indexes),
    )


def serialize_base_proof_value(value: BaseProofValue) -> str:
    payload = [value.base_signature, value.public_key, value.hmac_key,
               list(value.signatures), list(value.mandatory_pointers)]
    return "u" + _b64url(BASE_HEADER + cbor2.dumps(payload))


def serialize_derived_proof_value(value: DerivedProofValue) -> str:
    compressed = {
        int(k[len("c14n"):]): _b64url_decode(v[1:], "label")
        for k, v in sorted(value.label_map.items(), key=lambda kv: int(kv[0][len("c14n"):]))
    }
    payload = [value.base_signature, value.public_key, list(value.signatures), compressed,
               list(value.mandatory_indexes)]
    return "u" + _b64url(DERIVED_HEADER + cbor2.dumps(payload))


def _mandatory_pointers(pointers: Sequence[str]) -> tuple[str, ...]:
    for pointer in pointers:
        parse_pointer(pointer)
    return tuple(pointers)


class EcdsaSd2023(EcdsaRdfc2019):
    """ecdsa-sd-2023 with P-256 keys: base proofs, derived proofs, verification."""

    name = NAME
    key_noun = "a P-256 key"

    def check_key(self, key: SigningKey | PublicKey, *, signing: bool = False) -> PublicKey:
        public = super().check_key(key, signing=signing)
        if not isinstance(public, EcdsaPublicKey) or public.curve != "P-256":
            raise ProofError(
                "wrong-key-type", f"{NAME} signs with a P-256 key, not a P-384 one",
                path="$.proof.verificationMethod",
            )
        return public

    def proof_hash(self, config: dict, given: CanonicalizationInput) -> bytes:
        """SHA-256 of the canonical proof configuration."""
        return hashlib.sha256(self.canonicalize_proof_config(config, given)).digest()

    def sign(
        self,
        document: dict,
        config: dict,
        key: SigningKey,
        given: CanonicalizationInput,
        *,
        mandatory_pointers: Sequence[str] = (),
        rng: RandomSource = DEFAULT_RANDOM,
    ) -> dict:
        """The base proof: ``config`` with a base ``proofValue``."""
        self.check_key(key, signing=True)
        pointers = _mandatory_pointers(mandatory_pointers)
        hmac_key = rng.bytes(HMAC_KEY_LENGTH)
        proof_key = EcdsaKey.generate(rng)
        base = create_base_proof_value(
            document, config, key, given, pointers, hmac_key=hmac_key, proof_key=proof_key,
            suite=self,
        )
        proof = {k: v for k, v in config.items() if k != "@context"}
        proof["proofValue"] = serialize_base_proof_value(base)
        return proof

    def verify(
        self,
        document: dict,
        proof: dict,
        config: dict,
        public_key: PublicKey,
        given: CanonicalizationInput,
    ) -> bool:
        self.check_key(public_key)
        derived = parse_derived_proof_value(proof["proofValue"])
        try:
            data = create_verify_data(document, config, derived, given, suite=self)
        except ProofError as exc:
            if exc.code == "sd-label-missing":  # a blank node the issuer never labelled
                return False
            raise
        if len(derived.signatures) != len(data.non_mandatory):
            return False
        if any(i >= data.statement_count for i in derived.mandatory_indexes):
            return False  # a mandatory statement is missing from the document
        if not public_key.verify(data.signed_by_issuer, derived.base_signature):
            return False
        proof_key = EcdsaPublicKey(derived.public_key[len(P256_PUB):])
        return all(
            proof_key.verify(statement.encode("utf-8"), signature)
            for statement, signature in zip(data.non_mandatory, derived.signatures)
        )

    def disclosure_note(self, proof: dict) -> str | None:
        try:
            derived = parse_derived_proof_value(proof.get("proofValue"))
        except ProofError:
            return None
        mandatory = len(derived.mandatory_indexes)
        chosen = len(derived.signatures)
        return (f"derived: {mandatory + chosen} signed statements disclosed ({mandatory} mandatory,"
                f" {chosen} chosen by the holder); the others stay hidden")


@dataclass(frozen=True)
class VerifyData:
    """What a verifier computes from a derived document (vc-di-ecdsa §3.5.8)."""

    proof_hash: bytes
    mandatory_hash: bytes
    non_mandatory: tuple[str, ...]
    signed_by_issuer: bytes  # proof hash || proof-scoped key || mandatory hash
    statement_count: int = 0


def create_base_proof_value(
    document: dict,
    config: dict,
    key: SigningKey,
    given: CanonicalizationInput,
    mandatory_pointers: Sequence[str],
    *,
    hmac_key: bytes,
    proof_key: EcdsaKey,
    suite: EcdsaSd2023 | None = None,
) -> BaseProofValue:
    """The base proof value of ``document`` (vc-di-ecdsa §3.5.1-3.5.4)."""
    suite = suite or EcdsaSd2023()
    grouped = canonicalize_and_group(
        document, hmac_label_map_factory(hmac_key), {"mandatory": list(mandatory_pointers)},
        given.loader, limits=given.limits, allow_inline_contexts=given.allow_inline_contexts,
    )
    group = grouped.groups["mandatory"]
    mandatory_hash = hashlib.sha256("".join(group.matching.values()).encode("utf-8")).digest()
    proof_hash = suite.proof_hash(config, given)
    public = P256_PUB + proof_key.public_bytes
    signatures = tuple(proof_key.sign(q.encode("utf-8")) for q in group.non_matching.values())
    base_signature = key.sign(proof_hash + public + mandatory_hash)
    return BaseProofValue(base_signature, public, hmac_key, signatures, tuple(mandatory_pointers))


def create_disclosure(
    document: dict,
    proof: dict,
    selective_pointers: Sequence[str],
    given: CanonicalizationInput,
) -> Disclosure:
    """What to reveal of a base-proof credential for ``selective_pointers`` (vc-di-ecdsa
    §3.5.5): the reveal document and its derived proof value."""
    base = parse_base_proof_value(proof.get("proofValue"))
    selective = _mandatory_pointers(selective_pointers)
    combined = [*base.mandatory_pointers, *selective]
    grouped = canonicalize_and_group(
        document, hmac_label_map_factory(base.hmac_key),
        {"mandatory": list(base.mandatory_pointers), "selective": list(selective),
         "combined": combined},
        given.loader, limits=given.limits, allow_inline_contexts=given.allow_inline_contexts,
    )
    mandatory = grouped.groups["mandatory"].matching
    selected = grouped.groups["selective"].matching
    combined_group = grouped.groups["combined"]
    mandatory_indexes = tuple(
        relative for relative, absolute in enumerate(combined_group.matching)
        if absolute in mandatory
    )
    non_mandatory_indexes = [i for i in range(len(grouped.nquads)) if i not in mandatory]
    if len(non_mandatory_indexes) != len(base.signatures):
        raise ProofError(
            "sd-signature-count",
            f"the base proof signs {len(base.signatures)} statements, but the credential has"
            f" {len(non_mandatory_indexes)} that are not mandatory: it was changed after signing",
            path="$.proof.proofValue",
        )
    kept = tuple(j for j, index in enumerate(non_mandatory_indexes) if index in selected)
    signatures = tuple(base.signatures[j] for j in kept)
    reveal = select_json_ld(document, combined)
    if reveal is None:
        raise InputError(
            "sd-nothing-to-disclose",
            "no mandatory or chosen claim: a disclosure must reveal something", path="$",
        )
    canonical = canonical_id_map(combined_group.deskolemized, given.limits)
    verifier_labels = {c14n: grouped.label_map[label] for label, c14n in canonical.items()}
    value = DerivedProofValue(
        base.base_signature, base.public_key, signatures, verifier_labels, mandatory_indexes
    )
    return Disclosure(reveal, value, len(mandatory_indexes), len(signatures),
                      len(grouped.nquads), grouped, kept)


def create_verify_data(
    document: dict,
    config: dict,
    derived: DerivedProofValue,
    given: CanonicalizationInput,
    *,
    suite: EcdsaSd2023 | None = None,
) -> VerifyData:
    """The statements and hashes a derived proof is checked against (vc-di-ecdsa §3.5.8)."""
    suite = suite or EcdsaSd2023()
    proof_hash = suite.proof_hash(config, given)
    quads = to_quads(
        document, given.loader, limits=given.limits,
        allow_inline_contexts=given.allow_inline_contexts,
        expanded=given.expanded_document,
    )
    _, nquads = label_replacement_canonicalize(
        quads, label_map_factory(derived.label_map), given.limits
    )
    wanted = set(derived.mandatory_indexes)
    mandatory = [q for i, q in enumerate(nquads) if i in wanted]
    non_mandatory = tuple(q for i, q in enumerate(nquads) if i not in wanted)
    mandatory_hash = hashlib.sha256("".join(mandatory).encode("utf-8")).digest()
    return VerifyData(proof_hash, mandatory_hash, non_mandatory,
                      proof_hash + derived.public_key + mandatory_hash, len(nquads))
