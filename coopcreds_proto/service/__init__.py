"""The designated issuer and verifier over HTTP (VC-API)."""

# No modules yet: the room is ready for the service.
__all__: list[str] = []
