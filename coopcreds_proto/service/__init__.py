"""The designated issuer and verifier over HTTP (VC-API), on an embedded database."""

__all__ = ["app", "audit", "challenges", "config", "errors", "issuance", "openapi", "running",
           "schema", "tokens"]
