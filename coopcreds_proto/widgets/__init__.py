"""Jupyter widgets over the package: the definition editor, consultation forms, the ecosystem explorer."""
