"""Rendering for people: credential cards and decision reports as text, HTML and tables."""
