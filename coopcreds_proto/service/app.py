"""The issuer and verifier as one Starlette app speaking the VC-API.

``create_app(config)`` gives the ASGI app; ``coopcreds service serve`` runs it
with uvicorn (several worker processes share the one database). Each
endpoint calls the library's public API with the library's defaults
(``issue``, ``verify_credential``, ``verify_presentation``, the status lists
of ``vc.status_list``), so the service decides exactly as the library does.

Every refusal is JSON ``{"code", "message", "path"}`` with a stable code and
an HTTP status (:mod:`coopcreds_proto.service.errors`); an unexpected failure
is ``internal-error`` (500), its traceback in the server's log, never in the
answer. A request body is read at most ``max_request_bytes`` far.

>>> import tempfile, pathlib, httpx, asyncio
>>> from coopcreds_proto.service.config import load_config
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "service.yaml").write_text("issuers: []\\n")
>>> app = create_app(load_config(folder / "service.yaml"))
>>> async def ask():
...     transport = httpx.ASGITransport(app=app)
...     async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
...         return await client.post("/credentials/verify", content=b"not json")
>>> answer = asyncio.run(ask())
>>> answer.status_code, answer.json()["code"]
(400, 'not-json')
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..checks import Check
from ..cryptosuites import get_cryptosuite
from ..database import open_database
from ..definitions.artefacts import definition_loader
from ..definitions.definition import definition_path, load_definition
from ..did_key import resolve_did_key
from ..errors import CoopCredsError
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, utc_now
from ..vc.challenges import ChallengeError
from ..vc.disclosure import SD_SUITE
from ..vc.presentations import verify_presentation
from ..vc.verification import VerificationResult, verify_credential
from ..verifier_options import VerifierOptions
from .challenges import consume_challenge, is_issued, issue_challenge
from .config import (
    CONFIG_VARIABLE,
    LOG_LEVEL_VARIABLE,
    IssuerInstance,
    ServiceConfig,
    load_config,
)
from .errors import ServiceError, http_status
from .issuance import Signer, change_status, issue_recorded, published_list
from .openapi import endpoint_page, openapi_document
from .schema import SERVICE_SCHEMA
from .tokens import check_token, require_scope

Clock = Callable[[], datetime]
log = logging.getLogger("coopcreds.service")


@dataclass
class ServiceState:
    """What every request of one worker process shares: configuration, database, keys."""

    config: ServiceConfig
    db: sqlite3.Connection
    signers: dict[str, Signer]
    registry: LocalRegistry
    clock: Clock
    rng: RandomSource

    def verifier_options(self) -> VerifierOptions:
        """The library's options of the configured profile, reading the published documents."""
        return VerifierOptions.profile(self.config.verifier_profile, registry=self.registry,
                                       now=self.clock())


def signer_for(instance: IssuerInstance) -> Signer:
    """The key and loader of ``instance`` (its definition's context served by the loader)."""
    loader = OfflineDocumentLoader.default()
    if instance.definition is not None:
        slug, version = instance.definition.split("/", 1)
        loader = definition_loader(load_definition(definition_path(slug, version)), loader)
    return Signer(instance, instance.load_key(), loader)


def create_app(config: ServiceConfig, *, clock: Clock = utc_now,
               rng: RandomSource = DEFAULT_RANDOM) -> Starlette:
    """The service for ``config``: its database opened (and brought up to date) now."""
    config.database.parent.mkdir(parents=True, exist_ok=True)
    config.registry.mkdir(parents=True, exist_ok=True)
    state = ServiceState(
        config=config,
        db=open_database(config.database, SERVICE_SCHEMA),
        signers={i.name: signer_for(i) for i in config.issuers},
        registry=LocalRegistry(config.registry),
        clock=clock,
        rng=rng,
    )

    def route(path: str, handler: Callable[[ServiceState, Request], Awaitable[Response]],
              method: str) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(state, request)
            except CoopCredsError as exc:
                return refusal(exc)
            except Exception:
                log.exception("internal error on %s %s", request.method, request.url.path)
                return refusal(ServiceError("internal-error",
                                            "the service failed on this request (see its log)"))
        return Route(path, endpoint, methods=[method])

    routes = [
        route("/", _page, "GET"),
        route("/openapi.json", _openapi, "GET"),
        route("/issuers/{name}/credentials/issue", _issue, "POST"),
        route("/issuers/{name}/{cryptosuite}/credentials/issue", _issue, "POST"),
        route("/credentials/verify", _verify_credential, "POST"),
        route("/presentations/verify", _verify_presentation, "POST"),
        route("/challenges", _challenge, "POST"),
        route("/credentials/status", _status, "POST"),
        route("/issuers/{name}/status-lists/{purpose}/{number:int}", _status_list, "GET"),
        route("/issuers/{name}/did.json", _did_document, "GET"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return refusal(ServiceError("method-not-allowed",
                                        f"{request.method} is not allowed on {request.url.path}"))
        return refusal(ServiceError("unknown-endpoint", f"no endpoint {request.url.path}"))

    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.state.service = state
    return app


def refusal(error: CoopCredsError) -> JSONResponse:
    """The JSON answer for a refusal: its code, message and path, with its HTTP status."""
    log.info("refused: %s: %s", error.code, error.message)
    return JSONResponse({"code": error.code, "message": error.message, "path": error.path},
                        status_code=http_status(error))


# --- reading requests ---------------------------------------------------------


async def _json_body(state: ServiceState, request: Request) -> dict[str, Any]:
    limit = state.config.max_request_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    document = loads_strict(bytes(body))
    if not isinstance(document, dict):
        raise ServiceError("wrong-field-type", "the request body must be a JSON object", path="$")
    return document


def _too_large(limit: int) -> ServiceError:
    return ServiceError("request-too-large", f"the request body is over {limit:,} bytes")


def _field(body: dict[str, Any], name: str, kind: type, *, required: bool = True,
           where: str = "$") -> Any:
    value = body.get(name)
    if value is None:
        if required:
            raise ServiceError("missing-request-field", f"{where}.{name} is required",
                               path=f"{where}.{name}")
        return None
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise ServiceError("wrong-field-type",
                           f"{where}.{name} must be a {_KIND_NAMES.get(kind, kind.__name__)}",
                           path=f"{where}.{name}")
    return value


_KIND_NAMES = {dict: "JSON object", list: "JSON array", str: "string", bool: "boolean"}


def _options(body: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = _field(body, "options", dict, required=False) or {}
    return options


def _instance(state: ServiceState, name: str) -> Signer:
    signer = state.signers.get(name)
    if signer is None:
        raise ServiceError("unknown-issuer-instance", f"no issuer instance {name!r}", path=name)
    return signer


def _token(state: ServiceState, request: Request, scope: str) -> str:
    """The id of the request's token, if it may do ``scope`` now."""
    return check_token(state.db, request.headers.get("authorization"), scope,
                       now=state.clock()).id


# --- endpoints ----------------------------------------------------------------


async def _page(state: ServiceState, request: Request) -> Response:
    return HTMLResponse("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                        "<title>coopcreds service</title></head><body>"
                        + endpoint_page(state.config.issuers) + "</body></html>")


async def _openapi(state: ServiceState, request: Request) -> Response:
    return JSONResponse(openapi_document(state.config.issuers))


async def _issue(state: ServiceState, request: Request) -> Response:
    signer = _instance(state, request.path_params["name"])
    name = signer.instance.name
    actor = _token(state, request, f"issue:{name}")
    suite = request.path_params.get("cryptosuite", signer.instance.default_cryptosuite)
    get_cryptosuite(suite)  # unknown-cryptosuite, with the known ones named
    if suite not in signer.instance.cryptosuites:
        raise ServiceError("cryptosuite-not-offered",
                           f"{name} does not offer {suite} (it offers "
                           f"{', '.join(signer.instance.cryptosuites)})", path=suite)
    body = await _json_body(state, request)
    credential = _field(body, "credential", dict)
    options = _options(body)
    credential_id = _field(options, "credentialId", str, required=False, where="$.options")
    created = _field(options, "created", str, required=False, where="$.options")
    pointers = _field(options, "mandatoryPointers", list, required=False, where="$.options")
    if pointers is not None and suite != SD_SUITE:
        raise ServiceError("option-not-for-suite",
                           f"{suite} has no mandatory pointers (a selective-disclosure suite has)",
                           path="$.options.mandatoryPointers")
    if pointers is not None and not all(isinstance(p, str) for p in pointers):
        raise ServiceError("wrong-field-type", "$.options.mandatoryPointers must list JSON"
                           " pointers (strings)", path="$.options.mandatoryPointers")
    issued = issue_recorded(state.db, signer, credential, cryptosuite=suite, now=state.clock(),
                            rng=state.rng, registry=state.registry, created=created,
                            credential_id=credential_id, mandatory_pointers=tuple(pointers or ()),
                            actor=actor)
    # 201 for a credential issued now; 200 for the one a repeated request issued before.
    return JSONResponse({"verifiableCredential": issued.credential},
                        status_code=200 if issued.repeated else 201)


def _verification(result: VerificationResult) -> Response:
    answer = result.to_json()
    answer["errors"] = [{"code": c.code, "message": c.message, "check": c.name}
                        for c in result.failed]
    answer["warnings"] = []
    if not result.verified:
        log.info("not verified: %s", "; ".join(f"{c.name}: {c.code}: {c.message}"
                                                for c in result.failed))
    return JSONResponse(answer, status_code=200 if result.verified else 400)


async def _verify_credential(state: ServiceState, request: Request) -> Response:
    if state.config.verify_requires_token:
        _token(state, request, "verify")
    body = await _json_body(state, request)
    credential = _field(body, "verifiableCredential", dict)
    _options(body)
    return _verification(verify_credential(credential, state.verifier_options()))


async def _verify_presentation(state: ServiceState, request: Request) -> Response:
    if state.config.verify_requires_token:
        _token(state, request, "verify")
    body = await _json_body(state, request)
    presentation = _field(body, "verifiablePresentation", dict)
    options = _options(body)
    challenge = _field(options, "challenge", str, where="$.options")
    domain = _field(options, "domain", str, required=False, where="$.options") \
        or state.config.domain
    result = verify_presentation(presentation, state.verifier_options(), challenge=challenge,
                                 domain=domain)
    if result.verified and is_issued(state.db, challenge):
        # A challenge this service handed out is used once; one it did not is the
        # client's own, checked in the proof only (the library's default).
        try:
            consume_challenge(state.db, challenge, domain, now=state.clock())
        except ChallengeError as exc:
            checks = tuple(Check("challenge", False, str(exc), exc.code, title=c.title)
                           if c.name == "challenge" else c for c in result.checks)
            result = dataclasses.replace(result, verified=False, checks=checks)
    return _verification(result)


async def _challenge(state: ServiceState, request: Request) -> Response:
    body = await _json_body(state, request) if await _has_body(request) else {}
    domain = _field(body, "domain", str, required=False) or state.config.domain
    challenge = issue_challenge(state.db, domain, rng=state.rng, now=state.clock())
    return JSONResponse(challenge.to_json(), status_code=201)


async def _has_body(request: Request) -> bool:
    declared = request.headers.get("content-length")
    return declared != "0" and (declared is not None
                                or "transfer-encoding" in request.headers)


async def _status(state: ServiceState, request: Request) -> Response:
    body = await _json_body(state, request)
    credential_id = _field(body, "credentialId", str)
    entries = _field(body, "credentialStatus", list)
    if len(entries) != 1:
        raise ServiceError("wrong-field-type", "$.credentialStatus must hold exactly one entry",
                           path="$.credentialStatus")
    entry = entries[0]
    if not isinstance(entry, dict):
        raise ServiceError("wrong-field-type", "$.credentialStatus[0] must be a JSON object",
                           path="$.credentialStatus[0]")
    where = "$.credentialStatus[0]"
    kind = _field(entry, "type", str, where=where)
    if kind != "BitstringStatusListEntry":
        raise ServiceError("wrong-field-type", f"{where}.type must be BitstringStatusListEntry",
                           path=f"{where}.type")
    purpose = _field(entry, "statusPurpose", str, where=where)
    value = _field(entry, "status", bool, where=where)
    # The token is checked before the record is looked up, so that an unknown
    # id tells nothing to a caller without a valid token.
    token = check_token(state.db, request.headers.get("authorization"), None, now=state.clock())
    row = state.db.execute("SELECT issuer FROM credential_record WHERE credential_id = ?",
                           (credential_id,)).fetchone()
    if row is None:
        raise ServiceError("unknown-credential", f"no credential {credential_id} is on record",
                           path="$.credentialId")
    signer = _instance(state, row[0])
    require_scope(token, f"status:{signer.instance.name}")
    change = change_status(state.db, signer, credential_id, purpose, value, now=state.clock(),
                           registry=state.registry, actor=token.id)
    return JSONResponse({"credentialId": change.credential_id,
                         "statusPurpose": change.purpose,
                         "statusListCredential": change.status_list,
                         "statusListIndex": str(change.index),
                         "status": change.value,
                         "at": format_timestamp(state.clock())})


async def _status_list(state: ServiceState, request: Request) -> Response:
    signer = _instance(state, request.path_params["name"])
    document = published_list(state.db, signer.instance.name, request.path_params["purpose"],
                              request.path_params["number"])
    return JSONResponse(document, media_type="application/vc+ld+json")


async def _did_document(state: ServiceState, request: Request) -> Response:
    signer = _instance(state, request.path_params["name"])
    did = signer.instance.did
    document = resolve_did_key(did) if did.startswith("did:key:") else state.registry.read(did)
    return JSONResponse(document, media_type="application/did+json")




def app_from_environment() -> Starlette:
    """The app for the configuration named by ``COOPCREDS_SERVICE_CONFIG``.

    uvicorn starts each worker process from an import string; this is the
    factory it calls (``coopcreds service serve`` sets the variable).
    """
    path = os.environ.get(CONFIG_VARIABLE)
    if not path:
        raise ServiceError("internal-error", f"{CONFIG_VARIABLE} names no configuration file")
    level = os.environ.get(LOG_LEVEL_VARIABLE, "WARNING").upper()
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(level if isinstance(logging.getLevelName(level), int) else "WARNING")
    return create_app(load_config(path))
