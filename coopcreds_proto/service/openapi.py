"""The service's endpoints described once: for the OpenAPI document and the HTML endpoint page.

>>> [e.path for e in ENDPOINTS if e.method == "POST"][:2]
['/issuers/{name}/credentials/issue', '/issuers/{name}/{cryptosuite}/credentials/issue']
>>> doc = openapi_document(())
>>> doc["openapi"], sorted(doc["paths"]["/credentials/verify"])
('3.1.0', ['post'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .. import html_views
from .config import IssuerInstance

try:
    VERSION = version("coopcreds")
except PackageNotFoundError:  # pragma: no cover - running from a copy that is not installed
    VERSION = "unknown"


@dataclass(frozen=True)
class Endpoint:
    """One route: method, path, what it does, and the token scope it needs (if any)."""

    method: str
    path: str
    summary: str
    access: str
    request: str | None = None
    response: str | None = None


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/issuers/{name}/credentials/issue",
             "Issue a credential with the instance's first cryptosuite (VC-API).",
             "token with issue:{name}", "IssueCredentialRequest", "IssueCredentialResponse"),
    Endpoint("POST", "/issuers/{name}/{cryptosuite}/credentials/issue",
             "Issue a credential with one of the instance's cryptosuites.",
             "token with issue:{name}", "IssueCredentialRequest", "IssueCredentialResponse"),
    Endpoint("POST", "/credentials/verify",
             "Verify a credential: named checks, status read from the published lists.",
             "open (a token with verify if the configuration asks)",
             "VerifyCredentialRequest", "VerificationResult"),
    Endpoint("POST", "/presentations/verify",
             "Verify a presentation for a challenge and domain; a challenge this service "
             "issued is used up.",
             "open (a token with verify if the configuration asks)",
             "VerifyPresentationRequest", "VerificationResult"),
    Endpoint("POST", "/challenges", "A fresh single-use challenge for presentations.",
             "open", "ChallengeRequest", "Challenge"),
    Endpoint("POST", "/credentials/status",
             "Revoke, suspend or lift the suspension of a credential by its id.",
             "token with status:{issuer}", "UpdateStatusRequest", "StatusChange"),
    Endpoint("GET", "/issuers/{name}/status-lists/{purpose}/{number}",
             "A published status list credential (BitstringStatusListCredential).",
             "open", None, "VerifiableCredential"),
    Endpoint("GET", "/issuers/{name}/did.json", "The issuer instance's DID document.",
             "open", None, "DidDocument"),
    Endpoint("GET", "/openapi.json", "This description (OpenAPI 3.1).", "open"),
    Endpoint("GET", "/", "A page listing the endpoints and issuer instances.", "open"),
)

_OBJECT = {"type": "object"}
SCHEMAS: dict[str, Any] = {
    "IssueCredentialRequest": {
        "type": "object", "required": ["credential"],
        "properties": {
            "credential": _OBJECT,
            "options": {"type": "object", "properties": {
                "credentialId": {"type": "string"},
                "created": {"type": "string", "format": "date-time"},
                "mandatoryPointers": {"type": "array", "items": {"type": "string"}},
            }},
        },
    },
    "IssueCredentialResponse": {"type": "object", "properties": {"verifiableCredential": _OBJECT}},
    "VerifyCredentialRequest": {
        "type": "object", "required": ["verifiableCredential"],
        "properties": {"verifiableCredential": _OBJECT, "options": _OBJECT},
    },
    "VerifyPresentationRequest": {
        "type": "object", "required": ["verifiablePresentation"],
        "properties": {"verifiablePresentation": _OBJECT, "options": {
            "type": "object", "properties": {"challenge": {"type": "string"},
                                             "domain": {"type": "string"}}}},
    },
    "VerificationResult": {
        "type": "object",
        "properties": {"verified": {"type": "boolean"}, "dataModel": {"type": ["string", "null"]},
                       "checks": {"type": "array", "items": _OBJECT},
                       "errors": {"type": "array", "items": _OBJECT},
                       "warnings": {"type": "array", "items": _OBJECT}},
    },
    "ChallengeRequest": {"type": "object", "properties": {"domain": {"type": "string"}}},
    "Challenge": {"type": "object", "properties": {
        "challenge": {"type": "string"}, "domain": {"type": "string"},
        "issued": {"type": "string"}, "expires": {"type": "string"}}},
    "UpdateStatusRequest": {
        "type": "object", "required": ["credentialId", "credentialStatus"],
        "properties": {
            "credentialId": {"type": "string"},
            "credentialStatus": {"type": "array", "items": {
                "type": "object", "required": ["type", "statusPurpose", "status"],
                "properties": {"type": {"const": "BitstringStatusListEntry"},
                               "statusPurpose": {"enum": ["revocation", "suspension"]},
                               "status": {"type": "boolean"}}}},
        },
    },
    "StatusChange": {"type": "object", "properties": {
        "credentialId": {"type": "string"}, "statusPurpose": {"type": "string"},
        "statusListCredential": {"type": "string"}, "statusListIndex": {"type": "string"},
        "status": {"type": "boolean"}}},
    "VerifiableCredential": _OBJECT,
    "DidDocument": _OBJECT,
    "Error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "a stable code: coopcreds errors CODE"},
        "message": {"type": "string"}, "path": {"type": ["string", "null"]}}},
}


def openapi_document(issuers: Sequence[IssuerInstance]) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the service, naming its issuer instances."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        operation: dict[str, Any] = {"summary": endpoint.summary,
                                     "description": f"Access: {endpoint.access}."}
        if "token" in endpoint.access:
            operation["security"] = [{"bearer": []}]
        if endpoint.request:
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{endpoint.request}"}}}}
        ok: dict[str, Any] = {"description": "done"}
        if endpoint.response:
            ok["content"] = {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{endpoint.response}"}}}
        error = {"description": "refused, with a stable code", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        operation["responses"] = {"200": ok, "400": error}
        if "{" in endpoint.path:
            operation["parameters"] = [
                {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
                for part in endpoint.path.split("/") if part.startswith("{")]
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "coopcreds issuer and verifier (VC-API)", "version": VERSION,
                 "description": "Issuer instances: " + (
                     ", ".join(f"{i.name} ({', '.join(i.cryptosuites)})" for i in issuers)
                     or "none")},
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def endpoint_page(issuers: Sequence[IssuerInstance]) -> str:
    """The HTML page listing the endpoints and the issuer instances (with the stylesheet)."""
    return html_views.rich_output(
        "service/endpoints.html", endpoints=ENDPOINTS,
        issuers=[(i.name, i.did, ", ".join(i.cryptosuites), i.status_list_base or "none")
                 for i in issuers])
