"""Worked scenarios: forgeries refused, and Stay Fair / Play Fair across co-ops and ecosystem models."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["forgeries", "stay_fair", "stay_fair_models"]
