"""Verifiable Credentials 2.0 on the Data Integrity core: issuing, verifying, status lists, presentations, selective disclosure, wallet, sign-in."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = [
    "challenges", "credentials", "data_model", "disclosure", "holder_subject",
    "presentation_request",
    "presentations",
    "related_resources", "samples", "schema_check", "signin", "status_check", "status_list",
    "verification", "wallet",
]
