"""What the service refuses, with a stable code and the HTTP status it answers with.

Every refusal is a JSON body ``{"code", "message", "path"}``: the codes are the
library's own where the library refused (a bad credential, not JSON, an
unknown cryptosuite) and these where the service did (a missing token, an
unknown issuer instance, a request too large).

>>> error = ServiceError("token-missing", "this endpoint needs a bearer token")
>>> http_status(error)
401
>>> http_status(ServiceError("request-too-large", "over 1 MiB"))
413
"""

from __future__ import annotations

from ..errors import CoopCredsError


class ServiceError(CoopCredsError):
    """A request the issuer or verifier service refuses (see ``http_status``)."""


_STATUS = {
    "token-missing": 401,
    "token-invalid": 401,
    "token-expired": 401,
    "token-revoked": 401,
    "token-not-allowed": 403,
    "unknown-issuer-instance": 404,
    "unknown-credential": 404,
    "unknown-status-list": 404,
    "unknown-endpoint": 404,
    "method-not-allowed": 405,
    "credential-id-exists": 409,
    "request-too-large": 413,
    "internal-error": 500,
}


def http_status(error: CoopCredsError) -> int:
    """The HTTP status a refusal answers with: 400 unless its code says otherwise."""
    return _STATUS.get(error.code, 400)
