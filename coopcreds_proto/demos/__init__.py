"""Worked scenarios: forgeries refused, and Stay Fair / Play Fair across co-ops and ecosystem models."""
