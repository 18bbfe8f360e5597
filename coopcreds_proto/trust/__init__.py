"""Trust across co-ops: the trust registry, accreditations, recognition, verifier policies, identity assurance, onboarding."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["accreditation", "identity_assurance", "onboarding", "policy",
           "recognition", "registry", "revocation_log"]
