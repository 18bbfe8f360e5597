"""The designated issuer: the member register and batch issuance with status entries."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["batch", "member_register"]
