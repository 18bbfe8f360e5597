"""Credential definitions: a credential type's data model, its generated artefacts and its signed releases."""
