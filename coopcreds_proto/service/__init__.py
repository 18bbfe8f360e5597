"""The designated issuer and verifier over HTTP (VC-API)."""
