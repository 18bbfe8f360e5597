"""Jupyter widgets over the package: the definition editor, consultation forms, the ecosystem explorer."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["consultation", "definition", "ecosystem", "styled"]
