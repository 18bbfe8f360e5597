"""The holder's subject: of a credential's subjects, the one a presentation's holder is.

A credential may be about several subjects (a household, a board, a member
and a co-op). When a holder presents it, only the subject whose ``id`` is the
holder's speaks for the holder: its claims may be prefilled, its
identity-assurance level relied on. Never the first subject listed, and never
another subject's: a credential with no subject for the holder gives the
holder nothing. Two subject objects with the holder's ``id`` are one subject
split in two, whose claims could be read either way, so they give nothing
either.

>>> credential = {"credentialSubject": [
...     {"id": "did:example:board", "assuranceLevel": "high"},
...     {"id": "did:example:member", "assuranceLevel": "low"}]}
>>> holder_subject(credential, "did:example:member")["assuranceLevel"]
'low'
>>> holder_subject(credential, "did:example:someone-else") is None
True
"""

from __future__ import annotations

from .credentials import subjects


def holder_subject(credential: dict, holder: str | None) -> dict | None:
    """The one subject of ``credential`` whose ``id`` is ``holder``, or ``None``.

    ``None`` when no subject is the holder's, when several subject objects
    carry the holder's id (a split subject), or when there is no holder.
    """
    if not isinstance(holder, str) or not holder or not isinstance(credential, dict):
        return None
    found = [s for s in subjects(credential) if isinstance(s, dict) and s.get("id") == holder]
    return found[0] if len(found) == 1 else None


__all__ = ["holder_subject"]
