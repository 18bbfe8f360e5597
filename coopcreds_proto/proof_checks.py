"""The steps every secured document shares, credential or presentation.

``verify_credential`` and ``verify_presentation`` each run an ordered list of
named steps (``checks.run_steps``) over a ``SecuredDocument``: the working
state of one verification, filled in step by step. The proof-level steps are
the same for both (which contexts, whether every claim is signed, whose key
signed, for what purpose, when, and whether the signature holds) and live
here; each is a plain function of the state, testable on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .canonical import canonicalize_rdfc
from .checks import CheckFailed, Step
from .compact_form import check_compact_form, term_index
from .cryptosuites import get_cryptosuite
from .dids import VerificationMethod, dereference_verification_method
from .errors import CoopCredsError, ProofError, require_type
from .loader import OfflineDocumentLoader
from .proofs import check_proof_shape, proofs_of, verify_proof_signature, without_proof
from .purposes import ProofPurpose, proof_label
from .safe_json import Limits, loads_strict
from .safe_jsonld import ExpandedDocument, check_contexts, expand_safely
from .timestamps import format_timestamp, parse_timestamp, shifted
from .verifier_options import VerifierOptions

PROOF_PROPERTY = "https://w3id.org/security#proof"
PROOF_VALUE_PROPERTY = "https://w3id.org/security#proofValue"
DATA_INTEGRITY_PROOF = "https://w3id.org/security#DataIntegrityProof"
RDFC = "eddsa-rdfc-2022"
RDFC_SUITES = (RDFC, "ecdsa-rdfc-2019")  # the suites that sign the RDFC canonical form


def _same(exc: CoopCredsError) -> CoopCredsError:
    return exc


@dataclass
class SecuredDocument:
    """What one verification has learnt so far about a secured document.

    Made from the caller's input and pinned options; each step reads what the
    steps before it found and adds its own finding. ``locate`` rewrites an
    error so that it names the part of the document it points into (a
    presentation names the embedded credential).
    """

    given: Any
    options: VerifierOptions
    purpose: ProofPurpose
    noun: str
    loader: OfflineDocumentLoader = field(init=False)
    moment: datetime = field(init=False)
    locate: Callable[[CoopCredsError], CoopCredsError] = _same
    document: dict = field(default_factory=dict)
    proofs: list[dict] = field(default_factory=list)
    expanded: ExpandedDocument | None = None
    canonical: bytes | None = None
    methods: list[VerificationMethod] = field(default_factory=list)
    # A credential inside a presentation: its checked expansion, read from the
    # presentation's (whose safety checks covered its JSON and its contexts).
    embedded_expansion: ExpandedDocument | None = None

    def __post_init__(self) -> None:
        require_type(self.options, VerifierOptions, "options")
        self.options = self.options.pinned()
        self.loader = self.options.document_loader()
        self.moment = self.options.moment()

    @property
    def limits(self) -> Limits:
        return self.options.limits

    @property
    def clock_skew(self) -> timedelta:
        return self.options.clock_skew


def read_document(state: SecuredDocument) -> dict:
    """The input as a JSON object (parsed strictly when it is text)."""
    given = state.given
    document = loads_strict(given, state.limits) if isinstance(given, (str, bytes)) else given
    state.document = document
    return document


def read_proofs(state: SecuredDocument) -> list[dict]:
    """The document's proofs, each a well-formed ``DataIntegrityProof``; at least one."""
    proofs = proofs_of(state.document)
    if not proofs:
        raise CheckFailed("no-proof", f"the {state.noun} has no proof", path="$.proof")
    if len(proofs) > state.limits.max_proofs:  # each would be verified on its own
        raise ProofError(
            "too-many-proofs",
            f"the {state.noun} has {len(proofs):,} proofs, more than the limit of"
            f" {state.limits.max_proofs}",
            path="$.proof",
        )
    for i, proof in enumerate(proofs):
        check_proof_shape(proof, "$.proof" if len(proofs) == 1 else f"$.proof[{i}]")
    state.proofs = proofs
    return proofs


def known_contexts(state: SecuredDocument) -> str:
    """Every ``@context`` is in the offline bundle (or allowed inline)."""
    if state.embedded_expansion is not None:
        # Inside a presentation whose own check found and checked every @context in it.
        return "every @context is in the offline bundle"
    try:
        check_contexts(
            state.document, state.loader,
            allow_inline_contexts=state.options.allow_inline_contexts,
        )
    except CoopCredsError as exc:
        raise state.locate(exc) from None
    return "every @context is in the offline bundle"


def safe_jsonld(state: SecuredDocument) -> str:
    """Every term is defined, so every claim is signed; the canonical form is computed here."""
    try:
        expanded = state.embedded_expansion
        if expanded is None:
            expanded = expand_safely(
                state.document, state.loader,
                allow_inline_contexts=state.options.allow_inline_contexts, limits=state.limits,
            )
        state.expanded = expanded
        state.canonical = canonical_unsecured(
            state.document, expanded.expanded, state.proofs, state.loader, state.limits,
            allow_inline_contexts=state.options.allow_inline_contexts,
        )
    except CoopCredsError as exc:
        raise state.locate(exc) from None
    if expanded.vocab_terms:
        names = ", ".join(expanded.vocab_terms)
        return f"signed as written; defined only by an @vocab fallback: {names}"
    return "every term is defined, every claim is signed"


def read_as_signed(state: SecuredDocument) -> str:
    """The JSON the other checks read is the signed graph, written the one canonical way."""
    assert state.expanded is not None
    try:
        if not state.expanded.compact:  # else read in compact form (compact_expansion)
            check_compact_form(
                state.document, state.expanded.expanded, term_index(state.document, state.loader)
            )
    except CoopCredsError as exc:
        raise state.locate(exc) from None
    return "every key and value is read as it was signed"


def resolve_methods(state: SecuredDocument, *, signing_in: bool = False) -> str:
    """Every proof's verification method resolves to a key in force when it signed.

    ``signing_in``: a key retired or declared compromised cannot sign in from
    that date on, whatever ``created`` says (a holder chooses ``created``
    freely, unlike an issuer whose signature others relied on).
    """
    methods: list[VerificationMethod] = []
    notes: list[str] = []
    count = len(state.proofs)
    trust_before = state.options.trust_signatures_before_key_revocation and not signing_in
    for i, proof in enumerate(state.proofs):
        method = dereference_verification_method(proof["verificationMethod"], state.loader)
        try:
            note = key_in_force(
                method, proof.get("created"), trust_signatures_before_key_revocation=trust_before
            )
        except CoopCredsError as exc:
            label = proof_label(i, count).removesuffix(": ")
            raise (exc.with_context(label) if label else exc) from None
        if signing_in:
            for name, moment_of in (("revoked", method.revoked), ("retired", method.expires)):
                if moment_of is not None and state.moment >= moment_of:
                    raise CheckFailed(
                        "key-revoked" if name == "revoked" else "key-expired",
                        f"key {method.id} was {name} on {format_timestamp(moment_of)};"
                        " it cannot sign in any more",
                        path="$.proof.verificationMethod",
                    )
        if note:
            notes.append(note)
        methods.append(method)
    state.methods = methods
    return "; ".join([*sorted({m.id for m in methods}), *sorted(set(notes))])


def key_in_force(
    method: VerificationMethod,
    created: str | None,
    *,
    trust_signatures_before_key_revocation: bool = False,
) -> str | None:
    """Whether a proof ``created`` then may be trusted under ``method``'s key history.

    Returns ``None`` for a key with neither ``expires`` nor ``revoked``, else a
    one-line note of why the proof is still trusted; raises ``CheckFailed``
    ('key-expired', 'key-revoked', 'proof-created-missing') with the reason
    otherwise. As Controlled Identifiers 1.0 says, proofs created at or after
    ``expires`` or ``revoked`` are not verified; a revoked (compromised) key's
    earlier proofs are trusted only if the verifier's policy says so.
    """
    if method.expires is None and method.revoked is None:
        return None
    key = method.id
    if method.revoked is not None and not trust_signatures_before_key_revocation:
        raise CheckFailed(
            "key-revoked",
            f"key {key} was revoked (compromised) on {format_timestamp(method.revoked)};"
            " signatures it made are no longer trusted",
            path="$.proof.verificationMethod",
        )
    if created is None:
        ended = method.revoked or method.expires
        assert ended is not None
        raise CheckFailed(
            "proof-created-missing",
            f"key {key} was {'revoked' if method.revoked else 'retired'} on"
            f" {format_timestamp(ended)} and the proof has no"
            " created time to show it was made before",
            path="$.proof.created",
        )
    moment = parse_timestamp(created)
    notes = []
    if method.revoked is not None:
        revoked = format_timestamp(method.revoked)
        if moment >= method.revoked:
            raise CheckFailed(
                "key-revoked",
                f"key {key} was revoked (compromised) on {revoked}; this proof was created"
                f" {format_timestamp(moment)}, after it",
                path="$.proof.created",
            )
        notes.append(
            f"key {key} signed this on {format_timestamp(moment)}, before its revocation"
            f" (compromise) on {revoked}: accepted by policy"
        )
    if method.expires is not None:
        expires = format_timestamp(method.expires)
        if moment >= method.expires:
            raise CheckFailed(
                "key-expired",
                f"key {key} was retired on {expires}; this proof was created"
                f" {format_timestamp(moment)}, after it",
                path="$.proof.created",
            )
        notes.append(
            f"key {key} signed this on {format_timestamp(moment)}, before its retirement on"
            f" {expires}"
        )
    return "; ".join(notes)


def check_key_binding(
    methods: Sequence[VerificationMethod], controller: str | None, relationship: str, *, role: str
) -> str:
    """Every proof's key belongs to ``controller`` (the issuer or holder, by
    ``role``) and is listed under ``relationship`` in its DID document."""
    for i, method in enumerate(methods):
        label = proof_label(i, len(methods))
        if method.controller != controller:
            why = f"{label}signed by a key of {method.controller}, not of the {role} {controller}"
            if role == "holder":
                raise CheckFailed("holder-mismatch", why, path="$.holder")
            raise CheckFailed("issuer-mismatch", why, path="$.issuer")
        if relationship not in method.relationships:
            raise CheckFailed(
                "key-not-authorised",
                f"{label}{controller} does not list the key under {relationship}",
                path="$.proof.verificationMethod",
            )
    return f"{controller} controls the key and lists it under {relationship}"


def proof_purpose(state: SecuredDocument) -> str:
    """Every proof was made for the verifier's purpose (``proofPurpose``)."""
    return state.purpose.check_term(state.proofs)


def proof_timing(state: SecuredDocument) -> str:
    """No proof was created in the future or has expired (within the clock skew)."""
    return check_proof_timing(state.proofs, state.moment, state.clock_skew)


def check_proof_timing(proofs: Sequence[dict], moment: datetime, clock_skew: timedelta) -> str:
    """No proof was created in the future or has expired (within ``clock_skew``)."""
    for i, proof in enumerate(proofs):
        label = proof_label(i, len(proofs))
        if "created" in proof and parse_timestamp(proof["created"]) > shifted(moment, clock_skew):
            raise CheckFailed(
                "created-in-future",
                f"{label}proof created {proof['created']}, in the future",
                path="$.proof.created",
            )
        if "expires" in proof and parse_timestamp(proof["expires"]) < shifted(moment, -clock_skew):
            raise CheckFailed(
                "proof-expired", f"{label}proof expired {proof['expires']}", path="$.proof.expires"
            )
    created = [p["created"] for p in proofs if "created" in p]
    return f"created {', '.join(created)}" if created else "no proof times to check"


def signature(state: SecuredDocument) -> str:
    """Every proof's signature holds over the document."""
    expanded = state.expanded.expanded if state.expanded is not None else None
    config = None
    if state.expanded is not None and state.expanded.compact and len(state.proofs) == 1:
        config = _proof_configuration_expansion(state.expanded.expanded, state.proofs[0])
    return check_signatures(
        state.document, state.proofs, state.methods, what=state.noun,
        loader=state.loader, limits=state.limits, canonical_unsecured=state.canonical,
        allow_inline_contexts=state.options.allow_inline_contexts,
        expanded_unsecured=_expansion_without_proof(expanded) if expanded is not None else None,
        expanded_proof_config=config,
    )


def lone_graph_node(value: Any) -> dict | None:
    """The one node of an expanded graph object ``{"@graph": [node]}`` (else None)."""
    if not (isinstance(value, dict) and value.keys() == {"@graph"}):
        return None
    nodes = value["@graph"]
    if not (isinstance(nodes, list) and len(nodes) == 1 and isinstance(nodes[0], dict)):
        return None
    return nodes[0]


def _proof_configuration_expansion(expanded: list, proof: dict) -> list | None:
    """The expansion of a document's one proof without its ``proofValue``: its
    configuration's, read from the document's own expansion.

    For a document read in canonical compact form (``compact_expansion``) whose
    proof carries no ``@context`` of its own: the configuration has the
    document's ``@context``, and the proof's terms mean within the document
    what they mean at the top of the configuration (the ``proof`` term has no
    scoped context, and a type-scoped context does not reach a nested node).
    The proof's own ``@context`` and ``previousProof`` are left to
    ``verify_proof_signature``, which then expands the configuration itself; so
    is a proof not of type ``DataIntegrityProof``, whose context alone says
    that ``proofValue`` is ``sec:proofValue``.
    """
    if len(expanded) != 1 or not isinstance(expanded[0], dict):
        return None
    graphs = expanded[0].get(PROOF_PROPERTY)
    if not (isinstance(graphs, list) and len(graphs) == 1):
        return None
    node = lone_graph_node(graphs[0])
    if (node is None or node.get("@type") != [DATA_INTEGRITY_PROOF]
            or PROOF_VALUE_PROPERTY not in node or "proofValue" not in proof
            or len(node) != len(proof.keys() - {"@context"})):
        return None
    return [{k: v for k, v in node.items() if k != PROOF_VALUE_PROPERTY}]


def check_signatures(
    document: dict,
    proofs: Sequence[dict],
    methods: Sequence[VerificationMethod],
    *,
    what: str,
    loader: OfflineDocumentLoader,
    limits: Limits,
    canonical_unsecured: bytes | None = None,
    allow_inline_contexts: bool = False,
    expanded_unsecured: list | None = None,
    expanded_proof_config: list | None = None,
) -> str:
    """Every proof's signature holds over ``document`` (``what`` names it in the reason)."""
    for i, (proof, method) in enumerate(zip(proofs, methods)):
        ok = verify_proof_signature(
            document,
            proof,
            method.public_key,
            loader=loader,
            limits=limits,
            canonical_unsecured=canonical_unsecured,
            allow_inline_contexts=allow_inline_contexts,
            expanded_unsecured=expanded_unsecured,
            expanded_proof_config=expanded_proof_config,
        )
        if not ok:
            raise CheckFailed(
                "bad-signature",
                f"{proof_label(i, len(proofs))}signature does not match: the {what} was changed"
                " after signing, or signed by another key",
                path="$.proof.proofValue",
            )
    suites = sorted({p["cryptosuite"] for p in proofs})
    notes = [n for n in (get_cryptosuite(p["cryptosuite"]).disclosure_note(p) for p in proofs) if n]
    return "; ".join(
        [f"valid {', '.join(suites)} signature{'s' if len(proofs) > 1 else ''}", *notes]
    )


def canonical_unsecured(
    document: dict,
    expanded: list,
    proofs: Sequence[dict],
    loader: OfflineDocumentLoader,
    limits: Limits,
    *,
    allow_inline_contexts: bool = False,
) -> bytes | None:
    """The RDFC canonical form of ``document`` without its proofs, when an
    eddsa-rdfc-2022 proof needs it (else None).

    Computed while checking that the document is safe, so that a dataset too
    costly to canonicalize is refused as unsafe, not mistaken for a bad
    signature; ``expanded`` is the checked expansion of the whole document.
    """
    if not any(p["cryptosuite"] in RDFC_SUITES for p in proofs):
        return None
    unsecured = _expansion_without_proof(expanded)
    if unsecured is None:
        unsecured = expand_safely(
            without_proof(document), loader, allow_inline_contexts=allow_inline_contexts,
            limits=limits,
        ).expanded
    return canonicalize_rdfc(unsecured, loader, limits).encode("utf-8")


def _expansion_without_proof(expanded: list) -> list | None:
    """The expansion of the document without its proofs, derived from the full one."""
    if len(expanded) != 1 or not isinstance(expanded[0], dict):
        return None
    return [{k: v for k, v in expanded[0].items() if k != PROOF_PROPERTY}]


# The steps both verifiers run as they are (each table names them in its order).
KNOWN_CONTEXTS: Step[Any] = Step("contexts", "Known contexts", ("well_formed",), known_contexts)
READ_AS_SIGNED: Step[Any] = Step(
    "read_as_signed", "Read as signed (compact JSON)", ("safe_jsonld",), read_as_signed
)
PROOF_TIMING: Step[Any] = Step(
    "proof_timing", "Proof created/expires", ("read_as_signed",), proof_timing
)
SIGNATURE: Step[Any] = Step("signature", "Signature", ("safe_jsonld", "verification_method"),
                            signature)
SAFE_JSONLD_TITLE = "Safe JSON-LD (every claim is signed)"
VERIFICATION_METHOD_TITLE = "Verification method resolves"
