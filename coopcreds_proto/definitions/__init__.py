"""Credential definitions: a credential type's data model, its generated artefacts and its signed releases."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["artefacts", "definition", "release"]
