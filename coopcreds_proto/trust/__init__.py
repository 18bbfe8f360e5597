"""Trust across co-ops: the trust registry, accreditations, recognition, verifier policies, identity assurance, onboarding."""
