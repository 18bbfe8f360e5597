"""Strict JSON: what the workbench accepts before any JSON-LD processing.

Python's ``json`` module quietly keeps the last of two duplicate keys and reads
``NaN`` and ``Infinity``; a signed document must be unambiguous, so here both
are errors. Size, nesting and value-count limits stop a huge input before it
costs anything, and control characters that canonical N-Quads would escape
differently between implementations are refused.

>>> loads_strict('{"a": 1}')
{'a': 1}
>>> loads_strict('{"a": 1, "a": 2}')
Traceback (most recent call last):
...
coopcreds_proto.errors.UnsafeJsonLdError: duplicate key 'a' (at $.a)
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import InputError, UnsafeJsonLdError

# Characters that RDFC-1.0 canonical N-Quads writes as \b, \f or \uXXXX but
# PyLD writes raw: refused, so a signature never depends on that difference.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (JSON allows the escape "\ud800") is not Unicode text: it
# cannot be encoded as UTF-8, so nothing with one in it can be hashed.
_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # either of the two
# Integers every JSON implementation reads exactly (I-JSON, RFC 7493); beyond
# them RFC 8785 refuses and PyLD turns integers into (rounded) doubles.
MAX_SAFE_INTEGER = 2**53 - 1


@dataclass(frozen=True)
class Limits:
    """Bounds on what a document may cost to check and canonicalize."""

    max_bytes: int = 1_000_000
    max_depth: int = 32
    max_values: int = 10_000
    # Items of one array: JSON-LD processing grows faster than linearly with them.
    max_items: int = 1_000
    # Proofs of one document (a proof set or chain): each is verified on its own.
    max_proofs: int = 16
    max_blank_nodes: int = 256
    # Largest group of blank nodes that look alike: their permutations are tried.
    max_blank_node_group: int = 6
    # Hash N-Degree Quads calls allowed per blank node (RDFC-1.0 §4.4 work bound).
    max_deep_iterations_per_blank_node: int = 4
    # PyLD's node map compares each new value of a property with the values the
    # node holds already: n values of one property of one node cost about n²/2
    # comparisons. This bounds the sum of n² (about 0.4 s of work at the limit).
    max_node_map_work: int = 1_000_000


DEFAULT_LIMITS = Limits()


class _Pairs(list):
    """An object's key/value pairs as parsed, kept so duplicates can be located."""


def _reject_constant(name: str) -> Any:
    raise UnsafeJsonLdError("non-finite-number", f"{name} is not allowed in JSON", path="$")


def loads_strict(text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse JSON, refusing duplicate keys, NaN/Infinity, and oversize input."""
    if isinstance(text, (bytearray, memoryview)):
        text = bytes(text)
    if not isinstance(text, (str, bytes)):
        raise TypeError(f"JSON text is a str or bytes, not {type(text).__name__}")
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits, not {type(limits).__name__}")
    if isinstance(text, bytes):
        if len(text) > limits.max_bytes:
            raise _too_large(len(text), limits)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                "not-json", f"not UTF-8 text: {exc.reason} at byte {exc.start}"
            ) from None
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InputError(
            "not-json", f"not Unicode text: a lone surrogate at character {exc.start}"
        ) from None
    if size > limits.max_bytes:
        raise _too_large(size, limits)
    try:
        raw = json.loads(
            text,
            object_pairs_hook=_Pairs,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            "not-json", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise UnsafeJsonLdError("too-deep", "JSON nested too deeply", path="$") from None
    return _build(raw, "$", 0, limits)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as infinity
        raise UnsafeJsonLdError(
            "non-finite-number", f"{text[:20]} is too large for a JSON number", path="$"
        )
    return value


def _parse_int(text: str) -> int:
    # Decided on the digits: int() of thousands of them is slow, and refused past 4300.
    if len(text.lstrip("-")) > len(str(MAX_SAFE_INTEGER)):
        raise _out_of_range("$")
    return int(text)


def _out_of_range(path: str) -> UnsafeJsonLdError:
    return UnsafeJsonLdError(
        "number-out-of-range",
        "integer outside ±(2**53 - 1), where JSON numbers stop being exact",
        path=path,
    )


def _too_large(size: int, limits: Limits) -> UnsafeJsonLdError:
    return UnsafeJsonLdError(
        "too-large", f"document is {size} bytes, over the limit of {limits.max_bytes}", path="$"
    )


def _build(value: Any, path: str, depth: int, limits: Limits) -> Any:
    if depth > limits.max_depth:
        raise UnsafeJsonLdError("too-deep", f"nesting deeper than {limits.max_depth}", path=path)
    if isinstance(value, _Pairs):
        obj: dict[str, Any] = {}
        for key, item in value:
            child = child_path(path, key)
            if key in obj:
                raise UnsafeJsonLdError("duplicate-key", f"duplicate key {key!r}", path=child)
            obj[key] = _build(item, child, depth + 1, limits)
        return obj
    if isinstance(value, list):
        if len(value) > limits.max_items:
            raise _too_many_items(len(value), path, limits)
        return [_build(item, f"{path}[{i}]", depth + 1, limits) for i, item in enumerate(value)]
    return value


def _too_many_items(count: int, path: str, limits: Limits) -> UnsafeJsonLdError:
    return UnsafeJsonLdError(
        "too-many-values",
        f"an array holds {count:,} items, more than the limit of {limits.max_items:,}",
        path=path,
    )


def check_json_value(document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Check an already-parsed document: types, finiteness, limits, control characters.

    Raises ``UnsafeJsonLdError`` with the JSON path of the first problem.
    """
    count = 0
    size = 0
    # Each value with its crumb (parent crumb, key or index): a path is written
    # out only for a problem.
    stack: list[tuple[Any, tuple | None, int]] = [(document, None, 0)]
    while stack:
        value, crumb, depth = stack.pop()
        count += 1
        if count > limits.max_values:
            raise UnsafeJsonLdError(
                "too-many-values", f"more than {limits.max_values} JSON values", path="$"
            )
        if depth > limits.max_depth:
            raise UnsafeJsonLdError(
                "too-deep", f"nesting deeper than {limits.max_depth}", path=_written(crumb)
            )
        kind = type(value)
        if kind is str:
            size += len(value) + 3
            if _BAD_TEXT.search(value):
                _check_text(value, _written(crumb))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise UnsafeJsonLdError(
                        "non-string-key", f"key {key!r} is not a string", path=_written(crumb)
                    )
                size += len(key) + 4
                if _BAD_TEXT.search(key):
                    _check_text(key, _written((crumb, key)))
                stack.append((item, (crumb, key), depth + 1))
        elif isinstance(value, list):
            if len(value) > limits.max_items:
                raise _too_many_items(len(value), _written(crumb), limits)
            stack.extend((item, (crumb, (i,)), depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            size += len(value) + 3
            _check_text(value, _written(crumb))
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise UnsafeJsonLdError(
                    "non-finite-number", f"{value} is not allowed in JSON", path=_written(crumb)
                )
        elif isinstance(value, int) and not isinstance(value, bool):
            if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                raise _out_of_range(_written(crumb))
        elif value is not None and not isinstance(value, (bool, int)):
            raise UnsafeJsonLdError(
                "not-json-value", f"{type(value).__name__} is not a JSON value",
                path=_written(crumb),
            )
        if size > limits.max_bytes:
            raise UnsafeJsonLdError(
                "too-large", f"document is over the limit of {limits.max_bytes} bytes", path="$"
            )


def _written(crumb: tuple | None) -> str:
    """The JSON path of a crumb of ``check_json_value``."""
    return steps_path(crumb_steps(crumb))


def crumb_steps(crumb: tuple | None) -> tuple:
    """The steps (keys, and ``(index,)`` for array items) from the root to a crumb,
    a linked ``(parent crumb, step)`` pair that a walk keeps instead of a path."""
    steps = []
    while crumb is not None:
        if not (isinstance(crumb, tuple) and len(crumb) == 2):
            raise TypeError(f"a crumb is a (parent crumb, step) pair, not {crumb!r:.60}")
        crumb, step = crumb
        steps.append(step)
    return tuple(reversed(steps))


def steps_path(steps: tuple) -> str:
    """The JSONPath of ``steps`` (see ``crumb_steps``): ``$.a[0]['b c']``."""
    if not isinstance(steps, tuple):
        raise TypeError(f"steps are a tuple, not {type(steps).__name__}")
    path = "$"
    for step in steps:
        path = f"{path}[{step[0]}]" if isinstance(step, tuple) else child_path(path, step)
    return path


def _check_text(text: str, path: str) -> None:
    if _SURROGATE.search(text):
        raise UnsafeJsonLdError(
            "lone-surrogate", "a lone surrogate (\\ud800-\\udfff) is not Unicode text", path=path
        )
    found = _CONTROL.search(text)
    if found:
        raise UnsafeJsonLdError(
            "control-character",
            f"control character U+{ord(found.group()):04X} is not allowed in a signed document",
            path=path,
        )


_SIMPLE_KEY = re.compile(r"^[A-Za-z_@][A-Za-z0-9_@]*$")


def child_path(path: str, key: str) -> str:
    """The JSONPath of ``key`` under ``path``: ``$.a`` or ``$['a b']``."""
    return f"{path}.{key}" if _SIMPLE_KEY.match(key) else f"{path}[{json.dumps(key)}]"
