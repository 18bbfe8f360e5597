"""Rendering for people: credential cards and decision reports as text, HTML and tables."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["cards", "decision_report"]
