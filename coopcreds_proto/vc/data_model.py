"""The VC Data Model 2.0's rules for a credential or a presentation, as written in JSON.

Each rule is a MUST of the W3C specification, with a stable code (``RULES``:
the code, the section it comes from and the rule in a sentence).
``check_credential`` and ``check_presentation`` apply them in order and raise
``InputError`` for the first rule broken: its code, the JSON path of the value
that breaks it and a sentence saying what is expected. The issuer applies
them before signing (``credentials.issue``) and the verifier as its first
check (``well_formed``), so a document that breaks one is neither signed nor
accepted.

The rules read the document as written: compact JSON-LD with the VC 2.0
context's terms (``id``, ``type``, ``issuer``...). What the terms mean, and
whether every one is defined, is for the JSON-LD checks (``safe_jsonld``).

Credentials of the VC Data Model 1.1 (first ``@context``
``https://www.w3.org/2018/credentials/v1``), which other issuers still
produce, are read by the 1.1 rules (``issuanceDate`` required,
``expirationDate``, ``credentialStatus`` and ``credentialSchema`` with an
``id`` and a ``type``...); ``data_model_of`` says which model a document
follows. The workbench issues VC 2.0 only.

An enveloped credential inside a presentation (``EnvelopedVerifiableCredential``:
a credential secured with JOSE or COSE, carried in a ``data:`` URL) is checked
for the shape of its envelope. The workbench verifies Data Integrity proofs
only, so verifying what is inside the envelope is refused, by name
(``enveloped-unsupported``), as is an enveloped presentation.

>>> credential = {"@context": [VC_V2_CONTEXT], "type": ["VerifiableCredential"],
...               "issuer": "did:example:coop", "credentialSubject": {"id": "did:example:ada"},
...               "evidence": {"id": "https://coop.example/minutes/7"}}
>>> check_credential(credential)
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: an evidence entry must say what kind of evidence it is: it needs a type (at $.evidence)
>>> credential["evidence"]["type"] = "BoardMinutes"
>>> check_credential(credential)  # conforms: nothing to say
>>> rule("bad-evidence").section
'Evidence'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import InputError
from ..timestamps import parse_timestamp
from ..urls import url_problem
from .related_resources import read_digest_multibase, read_sri

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
DATA_MODELS = {VC_V2_CONTEXT: "2.0", VC_V1_CONTEXT: "1.1"}
VC_TYPE = "VerifiableCredential"
VP_TYPE = "VerifiablePresentation"
ENVELOPED_VC_TYPE = "EnvelopedVerifiableCredential"
ENVELOPED_VP_TYPE = "EnvelopedVerifiablePresentation"
SPECIFICATION = "https://www.w3.org/TR/vc-data-model-2.0/"
SPECIFICATION_V1 = "https://www.w3.org/TR/vc-data-model-1.1/"
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*(\s*;.*)?$")
_DIRECTIONS = ("ltr", "rtl")


def is_url(value: Any) -> bool:
    """True for a string that is a usable absolute URL (see :mod:`coopcreds_proto.urls`)."""
    return url_problem(value) is None


@dataclass(frozen=True)
class Rule:
    """One rule of the data model: its error code, the specification's section, the rule."""

    code: str
    section: str
    statement: str
    version: str = "2.0"

    @property
    def url(self) -> str:
        """The section of the specification the rule comes from."""
        anchor = self.section.lower().replace(" ", "-")
        return f"{SPECIFICATION if self.version == '2.0' else SPECIFICATION_V1}#{anchor}"


RULES: tuple[Rule, ...] = (
    Rule("not-an-object", "Conformance",
         "A credential or presentation is a JSON object."),
    Rule("first-context", "Contexts",
         f"@context is present and its first item is {VC_V2_CONTEXT}."),
    Rule("bad-context-entry", "Contexts",
         "Every later @context item is a URL or a context object."),
    Rule("bad-type-value", "Types",
         "Every type value is a term or an absolute URL, written as a non-empty string."),
    Rule("not-a-credential", "Types", f"A credential's type includes {VC_TYPE}."),
    Rule("not-a-presentation", "Types", f"A presentation's type includes {VP_TYPE}."),
    Rule("bad-id", "Identifiers", "Every id is one URL."),
    Rule("bad-name-or-description", "Names and Descriptions",
         "A name or description is a string, a language value object (@value with"
         " @language and @direction, nothing else) or a list of them."),
    Rule("bad-issuer", "Issuer",
         "A credential has an issuer: a URL, or an object whose id is a URL."),
    Rule("bad-subject", "Credential Subject",
         "A credential has a credentialSubject: one or more objects, each with a claim."),
    Rule("bad-timestamp", "Validity Period",
         "validFrom and validUntil are xsd:dateTimeStamp strings (a date, a time and a time"
         " zone)."),
    Rule("bad-validity", "Validity Period", "validFrom is not later than validUntil."),
    Rule("bad-status", "Status", "Each credentialStatus entry is an object with a type."),
    Rule("bad-credential-schema", "Data Schemas",
         "Each credentialSchema entry is an object with a type and an id."),
    Rule("bad-refresh-service", "Refreshing",
         "Each refreshService entry is an object with a type."),
    Rule("bad-terms-of-use", "Terms of Use", "Each termsOfUse entry is an object with a type."),
    Rule("bad-evidence", "Evidence", "Each evidence entry is an object with a type."),
    Rule("bad-render-method", "Reserved Extension Points",
         "Each renderMethod entry is an object with a type."),
    Rule("bad-confidence-method", "Reserved Extension Points",
         "Each confidenceMethod entry is an object with a type."),
    Rule("bad-related-resource", "Integrity of Related Resources",
         "Each relatedResource entry is an object with the id of the resource (and a valid"
         " mediaType, if any)."),
    Rule("duplicate-related-resource", "Integrity of Related Resources",
         "No two relatedResource entries have the same id."),
    Rule("related-resource-no-digest", "Integrity of Related Resources",
         "Each relatedResource entry has a digestSRI or a digestMultibase."),
    Rule("sri-malformed", "Integrity of Related Resources",
         "A digestSRI is one or more SRI hash expressions of a supported algorithm."),
    Rule("digest-multibase-malformed", "Integrity of Related Resources",
         "A digestMultibase is one or more multibase-encoded digests."),
    Rule("bad-holder", "Verifiable Presentations",
         "A presentation's holder, if any, is a URL or an object whose id is a URL."),
    Rule("bad-embedded-credential", "Verifiable Presentations",
         "Each verifiableCredential of a presentation is an object, never a string or"
         " a number."),
    Rule("holder-required", "Verifiable Presentations",
         "A presentation with a credential secured only by the presentation's own proof"
         " names its holder."),
    Rule("unsecured-credential", "Verifiable Presentations",
         "A credential in a presentation is secured: by a proof of its own, or by the"
         " presentation's when the holder issued it."),
    Rule("bad-enveloped-credential", "Enveloped Verifiable Credentials",
         f"An enveloped credential has the VC 2.0 @context, the type {ENVELOPED_VC_TYPE}"
         " and a data: URL as its id."),
    Rule("missing-issuance-date", "Issuance Date",
         "A VC 1.1 credential has an issuanceDate, an xsd:dateTime.", "1.1"),
    Rule("bad-status-entry-v1", "Status",
         "A VC 1.1 credentialStatus entry is an object with an id and a type.", "1.1"),
)


def rule(code: str) -> Rule:
    """The rule whose code is ``code`` (``KeyError`` for another code)."""
    if not isinstance(code, str):
        raise TypeError(f"a rule's code is a string, not {type(code).__name__}")
    for entry in RULES:
        if entry.code == code:
            return entry
    raise KeyError(code)


# --- what credentials and presentations share ------------------------------------


def _types(value: Any, path: str) -> list[str]:
    """The type values, each checked to be a non-empty string (``bad-type-value``)."""
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            where = f"{path}[{i}]" if isinstance(value, list) else path
            raise InputError(
                "bad-type-value",
                f"a type must be a term or an absolute URL, written as a string, not {_shown(item)}",
                path=where,
            )
    return items


def data_model_of(document: Any) -> str | None:
    """``2.0`` or ``1.1``: the data model a document's first ``@context`` names (else ``None``)."""
    if not isinstance(document, dict):
        return None
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return DATA_MODELS.get(first) if isinstance(first, str) else None


def _check_contexts(document: dict, at: str, *, versions: tuple[str, ...] = ("2.0",)) -> None:
    """``@context`` starts with the VC 2.0 context (or 1.1's, where ``versions`` allows it);
    every later item is a URL or an object."""
    contexts = document.get("@context")
    items = contexts if isinstance(contexts, list) else [contexts]
    if "@context" not in document or not items or DATA_MODELS.get(
        items[0] if isinstance(items[0], str) else "") not in versions:
        raise InputError(
            "first-context",
            f"the first @context must be {VC_V2_CONTEXT}"
            + (f" (or {VC_V1_CONTEXT}, for a VC 1.1 credential)" if "1.1" in versions else "")
            + ("" if "@context" in document else " (there is no @context)"),
            path=f"{at}.@context",
        )
    for i, item in enumerate(items[1:], start=1):
        if not (isinstance(item, dict) or is_url(item)):
            raise InputError(
                "bad-context-entry",
                f"each @context after the first must be a URL or a context object, not"
                f" {_shown(item)}",
                path=f"{at}.@context[{i}]",
            )


def check_envelope(
    document: Any, *, noun: str, required_type: str, at: str = "$",
    versions: tuple[str, ...] = ("2.0",),
) -> None:
    """The rules a VC 2.0 credential and presentation share: a JSON object whose
    first ``@context`` is the VC 2.0 one (or 1.1's, where ``versions`` allows it) and
    whose ``type`` includes ``required_type`` (``noun`` names the document in errors:
    "credential" or "presentation")."""
    if not isinstance(document, dict):
        raise InputError("not-an-object", f"a {noun} must be a JSON object", path=at)
    _check_contexts(document, at, versions=versions)
    types = _types(document["type"], f"{at}.type") if "type" in document else []
    if required_type not in types:
        wanted = f"type must include {required_type}" + (
            "" if "type" in document else " (there is no type)")
        if noun == "credential":
            raise InputError("not-a-credential", wanted, path=f"{at}.type")
        raise InputError("not-a-presentation", wanted, path=f"{at}.type")


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    return f"a {type(value).__name__}" if not isinstance(value, dict) else "an object"


def _check_id(value: Any, path: str, what: str = "an id") -> None:
    if isinstance(value, list):
        raise InputError("bad-id", f"{what} must be a single URL, not a list", path=path)
    if not is_url(value):
        raise InputError("bad-id", f"{what} must be a URL, not {_shown(value)}", path=path)


def _check_own_id(node: dict, path: str) -> None:
    """The object's own ``id``, if any, is one URL. (Ids of the objects inside a claim are
    the JSON-LD checks' business: a relative one is refused there.)"""
    if "id" in node:
        _check_id(node["id"], f"{path}.id")


def _check_text(node: dict, at: str) -> None:
    """``name`` and ``description`` of ``node`` are strings or language value objects."""
    for key in ("name", "description"):
        if key not in node:
            continue
        value = node[key]
        items = value if isinstance(value, list) else [value]
        if not items:
            raise InputError("bad-name-or-description",
                             f"{key} is an empty list: give a string or leave it out",
                             path=f"{at}.{key}")
        for i, item in enumerate(items):
            where = f"{at}.{key}[{i}]" if isinstance(value, list) else f"{at}.{key}"
            if isinstance(item, str):
                continue
            if not isinstance(item, dict) or not isinstance(item.get("@value"), str):
                raise InputError(
                    "bad-name-or-description",
                    f"{key} must be a string or a language value object ({{\"@value\": ...,"
                    f" \"@language\": ...}}), not {_shown(item)}",
                    path=where,
                )
            extra = sorted(str(k) for k in item if k not in ("@value", "@language", "@direction"))
            if extra:
                raise InputError(
                    "bad-name-or-description",
                    f"a language value object holds only @value, @language and @direction,"
                    f" not {', '.join(extra)}",
                    path=f"{where}.{extra[0]}",
                )
            if "@language" in item and not isinstance(item["@language"], str):
                raise InputError("bad-name-or-description",
                                 "@language must be a language tag such as \"en\" or \"cy\"",
                                 path=f"{where}.@language")
            if "@direction" in item and item["@direction"] not in _DIRECTIONS:
                raise InputError("bad-name-or-description",
                                 "@direction must be \"ltr\" or \"rtl\"",
                                 path=f"{where}.@direction")


def _party(value: Any, path: str, code: str, role: str) -> None:
    """An issuer or holder: a URL, or an object whose ``id`` is a URL."""
    if isinstance(value, dict):
        if "id" not in value:
            raise InputError(code, f"{role} is an object without an id: it needs an id URL"
                             " (a DID)", path=f"{path}.id")
        if not is_url(value["id"]):
            raise InputError(code, f"{role}.id must be a URL (a DID), not {_shown(value['id'])}",
                             path=f"{path}.id")
        _check_text(value, path)
    elif not is_url(value):
        raise InputError(code, f"{role} must be a URL (a DID) or an object with an id URL, not"
                         f" {_shown(value)}", path=path)


# --- the parts of a credential ----------------------------------------------------


def _entries(document: dict, name: str, at: str) -> list[tuple[Any, str]]:
    """The values of a property that holds one or more objects, with their paths."""
    value = document[name]
    if isinstance(value, list):
        return [(v, f"{at}.{name}[{i}]") for i, v in enumerate(value)]
    return [(value, f"{at}.{name}")]


def _typed_entries(document: dict, name: str, code: str, what: str, at: str) -> None:
    """Each ``name`` entry is an object with a ``type``; its ids are URLs."""
    if name not in document:
        return
    entries = _entries(document, name, at)
    if not entries:
        raise InputError(code, f"{name} is an empty list: give one or more entries, or leave"
                         " it out", path=f"{at}.{name}")
    for entry, path in entries:
        if not isinstance(entry, dict):
            raise InputError(code, f"{name} must hold objects, each with a type, not"
                             f" {_shown(entry)}", path=path)
        if "type" not in entry:
            raise InputError(code, f"{what}: it needs a type", path=path)
        types = entry["type"]
        if types == [] or not all(
            isinstance(t, str) and t.strip() for t in (types if isinstance(types, list) else [types])
        ):
            raise InputError(code, f"the type of a {name} entry must be a term or an absolute"
                             f" URL (a string), not {_shown(types)}", path=f"{path}.type")
        _check_own_id(entry, path)
        _check_text(entry, path)


def _check_subjects(document: dict, at: str) -> None:
    subject = document.get("credentialSubject")
    items = subject if isinstance(subject, list) else [subject]
    for i, item in enumerate(items):
        where = f"{at}.credentialSubject[{i}]" if isinstance(subject, list) else \
            f"{at}.credentialSubject"
        if not isinstance(item, dict) or not item:
            missing = "credentialSubject" not in document
            raise InputError(
                "bad-subject",
                "a credential needs a credentialSubject" if missing else
                "each credentialSubject must be an object that says something about its"
                f" subject, not {'an empty object' if item == {} else _shown(item)}",
                path=f"{at}.credentialSubject" if missing else where,
            )
    if not items:
        raise InputError("bad-subject", "credentialSubject is an empty list: a credential says"
                         " something about one subject or more", path=f"{at}.credentialSubject")
    for i, item in enumerate(items):
        where = f"{at}.credentialSubject[{i}]" if isinstance(subject, list) else \
            f"{at}.credentialSubject"
        _check_own_id(item, where)
        _check_text(item, where)


def _check_validity(document: dict, at: str) -> None:
    moments: dict[str, datetime] = {}
    for name in ("validFrom", "validUntil"):
        if name in document:
            moments[name] = parse_timestamp(document[name], path=f"{at}.{name}")
    if len(moments) == 2 and moments["validFrom"] > moments["validUntil"]:
        raise InputError(
            "bad-validity",
            f"validFrom ({document['validFrom']}) is after validUntil ({document['validUntil']}):"
            " the credential would never be valid",
            path=f"{at}.validUntil",
        )


def _check_schemas(document: dict, at: str) -> None:
    _typed_entries(document, "credentialSchema", "bad-credential-schema",
                   "a credentialSchema entry must say what kind of schema it is", at)
    if "credentialSchema" not in document:
        return
    for entry, path in _entries(document, "credentialSchema", at):
        if "id" not in entry:
            raise InputError("bad-credential-schema", "a credentialSchema entry needs the id"
                             " (URL) of its schema", path=path)


def _check_related_resources(document: dict, at: str) -> None:
    if "relatedResource" not in document:
        return
    entries = _entries(document, "relatedResource", at)
    if not entries:
        raise InputError("bad-related-resource", "relatedResource is an empty list: give one"
                         " or more entries, or leave it out", path=f"{at}.relatedResource")
    seen: dict[str, str] = {}
    for entry, path in entries:
        if not isinstance(entry, dict):
            raise InputError(
                "bad-related-resource",
                "each relatedResource must be an object with the id of the resource and its"
                f" digest, not {_shown(entry)}",
                path=path,
            )
        if "id" not in entry:
            raise InputError("bad-related-resource",
                             "a relatedResource needs the id (URL) of the resource it pins",
                             path=path)
        _check_id(entry["id"], f"{path}.id", "a relatedResource's id")
        if entry["id"] in seen:
            raise InputError(
                "duplicate-related-resource",
                f"{entry['id']} is listed twice in relatedResource (also at {seen[entry['id']]}):"
                " each resource is pinned once",
                path=f"{path}.id",
            )
        seen[entry["id"]] = path
        if "mediaType" in entry and not (
            isinstance(entry["mediaType"], str) and _MEDIA_TYPE.match(entry["mediaType"])
        ):
            raise InputError("bad-related-resource",
                             "mediaType must be a media type such as application/ld+json, not"
                             f" {_shown(entry['mediaType'])}", path=f"{path}.mediaType")
        if "digestSRI" not in entry and "digestMultibase" not in entry:
            raise InputError(
                "related-resource-no-digest",
                f"the relatedResource {entry['id']} has no digestSRI or digestMultibase, so it"
                " pins nothing",
                path=path,
            )
        if "digestSRI" in entry:
            read_sri(entry["digestSRI"], path=f"{path}.digestSRI")
        if "digestMultibase" in entry:
            read_digest_multibase(entry["digestMultibase"], path=f"{path}.digestMultibase")


def check_credential(
    document: Any, at: str = "$", *, versions: tuple[str, ...] = ("2.0", "1.1")
) -> None:
    """Apply the credential rules of its data model; ``InputError`` for the first broken one.

    ``at`` is the JSON path of the credential (``$``, or where a presentation
    holds it), which every error's path starts with. ``versions`` are the data
    models accepted (the issuer accepts ``2.0`` only).
    """
    if "1.1" in versions and data_model_of(document) == "1.1":
        _check_credential_v1(document, at)
        return
    if isinstance(document, dict) and _is_enveloped(document, ENVELOPED_VC_TYPE):
        _check_enveloped_credential(document, at)
        raise InputError(
            "enveloped-unsupported",
            "this is an enveloped credential (secured with JOSE or COSE, in a data: URL):"
            " the workbench verifies Data Integrity proofs only",
            path=f"{at}.type",
        )
    check_envelope(document, noun="credential", required_type=VC_TYPE, at=at)
    if "id" in document:
        _check_id(document["id"], f"{at}.id", "the credential's id")
    _check_text(document, at)
    if "issuer" not in document:
        raise InputError("bad-issuer", "a credential needs an issuer (a URL, or an object with"
                         " an id URL)", path=f"{at}.issuer")
    _party(document["issuer"], f"{at}.issuer", "bad-issuer", "issuer")
    _check_subjects(document, at)
    _check_validity(document, at)
    _typed_entries(document, "credentialStatus", "bad-status",
                   "a credentialStatus entry must say how status is published", at)
    _check_schemas(document, at)
    _typed_entries(document, "refreshService", "bad-refresh-service",
                   "a refreshService entry must say what kind of service it is", at)
    _typed_entries(document, "termsOfUse", "bad-terms-of-use",
                   "a termsOfUse entry must say what kind of policy it is", at)
    _typed_entries(document, "evidence", "bad-evidence",
                   "an evidence entry must say what kind of evidence it is", at)
    _typed_entries(document, "renderMethod", "bad-render-method",
                   "a renderMethod entry must say what kind of rendering it is", at)
    _typed_entries(document, "confidenceMethod", "bad-confidence-method",
                   "a confidenceMethod entry must say what kind of method it is", at)
    _check_related_resources(document, at)


def _check_credential_v1(document: dict, at: str) -> None:
    """The VC Data Model 1.1's credential rules (read, never issued)."""
    check_envelope(document, noun="credential", required_type=VC_TYPE, at=at, versions=("1.1",))
    if "id" in document:
        _check_id(document["id"], f"{at}.id", "the credential's id")
    if "issuer" not in document:
        raise InputError("bad-issuer", "a credential needs an issuer (a URL, or an object with"
                         " an id URL)", path=f"{at}.issuer")
    _party(document["issuer"], f"{at}.issuer", "bad-issuer", "issuer")
    if "issuanceDate" not in document:
        raise InputError("missing-issuance-date", "a VC 1.1 credential needs an issuanceDate",
                         path=f"{at}.issuanceDate")
    for name in ("issuanceDate", "expirationDate"):
        if name in document:
            parse_timestamp(document[name], path=f"{at}.{name}")
    _check_subjects(document, at)
    if "credentialStatus" in document:
        for entry, path in _entries(document, "credentialStatus", at):
            if not isinstance(entry, dict) or "id" not in entry or "type" not in entry:
                raise InputError(
                    "bad-status-entry-v1",
                    "a VC 1.1 credentialStatus entry is an object with an id and a type",
                    path=path,
                )
            _check_own_id(entry, path)
    _check_schemas(document, at)
    _typed_entries(document, "refreshService", "bad-refresh-service",
                   "a refreshService entry must say what kind of service it is", at)
    _typed_entries(document, "termsOfUse", "bad-terms-of-use",
                   "a termsOfUse entry must say what kind of policy it is", at)
    _typed_entries(document, "evidence", "bad-evidence",
                   "an evidence entry must say what kind of evidence it is", at)


# --- presentations ------------------------------------------------------------------


def _is_enveloped(document: dict, kind: str) -> bool:
    types = document.get("type")
    listed = types if isinstance(types, list) else [types]
    return kind in listed


def _check_enveloped_credential(entry: dict, path: str) -> None:
    """The envelope of a credential secured with JOSE or COSE (VC 2.0, section 4.13.1)."""
    contexts = entry.get("@context")
    if VC_V2_CONTEXT not in (contexts if isinstance(contexts, list) else [contexts]):
        raise InputError("bad-enveloped-credential",
                         f"an enveloped credential's @context must include {VC_V2_CONTEXT}",
                         path=f"{path}.@context")
    if entry.get("type") not in (ENVELOPED_VC_TYPE, [ENVELOPED_VC_TYPE]):
        raise InputError("bad-enveloped-credential",
                         f"an enveloped credential's type must be {ENVELOPED_VC_TYPE}",
                         path=f"{path}.type")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident.startswith("data:") or "," not in ident:
        raise InputError("bad-enveloped-credential",
                         "an enveloped credential's id must be a data: URL holding the secured"
                         " credential", path=f"{path}.id")


def _holder_id(document: dict) -> Any:
    holder = document.get("holder")
    return holder.get("id") if isinstance(holder, dict) else holder


def check_presentation(document: Any, at: str = "$") -> None:
    """Apply the VC Data Model 2.0's presentation rules, and the credential rules to
    each credential it holds; ``InputError`` for the first broken one."""
    if isinstance(document, dict) and _is_enveloped(document, ENVELOPED_VP_TYPE):
        raise InputError(
            "enveloped-unsupported",
            "this is an enveloped presentation (secured with JOSE or COSE, in a data: URL):"
            " the workbench verifies Data Integrity proofs only",
            path=f"{at}.type",
        )
    check_envelope(document, noun="presentation", required_type=VP_TYPE, at=at,
                   versions=("2.0", "1.1"))
    if "id" in document:
        _check_id(document["id"], f"{at}.id", "the presentation's id")
    _check_text(document, at)
    if "holder" in document:
        _party(document["holder"], f"{at}.holder", "bad-holder", "holder")
    if "verifiableCredential" not in document:
        return
    entries = _entries(document, "verifiableCredential", at)
    if not entries:
        raise InputError("bad-embedded-credential", "verifiableCredential is an empty list:"
                         " give one credential or more, or leave it out",
                         path=f"{at}.verifiableCredential")
    for i, (entry, path) in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError(
                "bad-embedded-credential",
                f"credential {i + 1} must be a JSON object (an embedded credential), not"
                f" {_shown(entry)}",
                path=path,
            )
        if _is_enveloped(entry, ENVELOPED_VC_TYPE) or (
            "type" not in entry and str(entry.get("id", "")).startswith("data:")
        ):
            _check_enveloped_credential(entry, path)
            continue
        check_credential(entry, path)
        if "proof" not in entry:
            _check_self_asserted(document, entry, path, at)


def _check_self_asserted(document: dict, credential: dict, path: str, at: str) -> None:
    """A credential without a proof of its own is secured by the presentation's only if
    the holder issued it, and then the presentation names its holder."""
    if "holder" not in document:
        raise InputError(
            "holder-required",
            "this credential has no proof of its own, so only the presentation's proof secures"
            " it: the presentation must name its holder",
            path=f"{at}.holder",
        )
    issuer = credential["issuer"]
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer != _holder_id(document):
        raise InputError(
            "unsecured-credential",
            f"this credential has no proof and was issued by {issuer}, not by the holder: nothing"
            " secures it",
            path=f"{path}.proof",
        )
