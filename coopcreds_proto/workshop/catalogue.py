"""The workshop app's words: one message catalogue per language, English shipped.

Every text a participant, the projector or the facilitator reads comes from a
catalogue file, ``catalogue/<language>.json`` (a flat object of message ids
and texts, ``{name}`` marking a value). A workshop in another language copies
``en.json``, translates the texts and serves it with ``--messages FILE``; a
message missing from it falls back to English.

>>> t = load_catalogue()
>>> t.language, t("join.title")
('en', 'Join the workshop')
>>> t("results.views", count=3)
'3 views'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from ..bounded_read import read_bounded
from ..errors import InputError

MAX_CATALOGUE_BYTES = 1024 * 1024


class Catalogue:
    """Messages by id; calling it gives a message with its ``{values}`` filled in."""

    def __init__(self, language: str, messages: Mapping[str, str],
                 fallback: Mapping[str, str] | None = None) -> None:
        self.language = language
        self._messages = dict(fallback or {}) | dict(messages)

    def __call__(self, key: str, /, **values: object) -> str:
        text = self._messages.get(key)
        if text is None:
            raise KeyError(f"no message {key!r} in the {self.language} catalogue")
        return text.format(**values) if values else text

    def keys(self) -> set[str]:
        return set(self._messages)

    def __contains__(self, key: object) -> bool:
        return key in self._messages

    def __repr__(self) -> str:
        return f"<Catalogue {self.language}: {len(self._messages)} messages>"


def _parse(text: bytes, source: str) -> tuple[str, dict[str, str]]:
    try:
        data = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError("bad-catalogue", f"{source} is not a JSON message catalogue: {exc}",
                         path=source) from None
    messages = data.get("messages") if isinstance(data, dict) else None
    language = data.get("language") if isinstance(data, dict) else None
    if not isinstance(language, str) or not isinstance(messages, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in messages.items()):
        raise InputError("bad-catalogue", f"{source} must be {{\"language\": ..., \"messages\":"
                         " {id: text}}", path=source)
    return language, messages


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """English, or the catalogue at ``path`` (English filling any message it lacks)."""
    english_bytes = (resources.files(__package__) / "catalogue" / "en.json").read_bytes()
    _, english = _parse(english_bytes, "en.json")
    if path is None:
        return Catalogue("en", english)
    target = Path(path)
    language, messages = _parse(read_bounded(target, MAX_CATALOGUE_BYTES,
                                             what="message catalogue"), str(target))
    return Catalogue(language, messages, fallback=english)
