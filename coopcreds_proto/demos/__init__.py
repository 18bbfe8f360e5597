"""Worked scenarios: forgeries refused, Stay Fair / Play Fair across co-ops and ecosystem models,
and the festival discount with selective disclosure."""

# The room's modules; import what you need from each (the room imports none of them).
__all__ = ["festival_disclosure", "forgeries", "stay_fair", "stay_fair_models"]
