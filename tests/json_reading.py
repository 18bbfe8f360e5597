"""What a program reading a JSON document sees: the oracle of the read-as-signed tests.

Key order, set order, contexts and one-element arrays aside, every key, value
and JSON type. Two documents with the same reading are the same to every check
that reads JSON; a graph-preserving rewrite whose reading differs must be refused.
"""

from __future__ import annotations

from typing import Any


def json_reading(value: Any) -> Any:
    """A comparable form of what a program reading ``value`` sees."""
    if isinstance(value, dict):
        items = ((k, json_reading(v)) for k, v in value.items() if k != "@context")
        return ("object", tuple(sorted(items)))
    if isinstance(value, list):
        if len(value) == 1:
            return json_reading(value[0])
        return ("array", tuple(sorted((json_reading(v) for v in value), key=repr)))
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    return (type(value).__name__, value)
