"""Trust registry: who may issue what, under which governance framework, and why.

A governance framework (for example an industry body's rulebook, named by a
URL) has *anchors*: the DIDs of its governance authorities. An anchor accredits
parties (apex bodies, co-ops) to issue credential types and, if it says so, to
accredit others in turn. The registry answers two questions and explains both:

- ``authorised(issuer, credential_type, framework, at)``: is there a chain of
  accreditations from an anchor of the framework down to the issuer that
  covers this type (and region, sector) at that time?
- ``recognises(g, h)``: does framework ``g`` recognise framework ``h``?

Rules, each with a reason in the answer:

- the chain starts at an anchor; an accreditation made by anyone else who is
  not accredited is ignored (``accreditor not trusted``);
- each link is valid at the time asked and not revoked; because issuance dates
  are written by the issuer itself, a revocation covers everything by default;
  with ``honour_witnessed=True`` a credential the registry witnessed before the
  revocation is honoured, and the answer says so;
- delegation never widens scope: a link whose types, regions, sectors or
  validity period exceed its accreditor's is ignored
  (``scope widened by delegation``);
- permission to accredit is not permission to issue;
- each accreditation's ``max_chain`` bounds how many links may follow it
  (``chain too long``);
- recognition is not transitive unless the recognising framework says so.

An anchor is not an issuer by virtue of being an anchor: to issue it accredits
itself (accreditor and subject both the anchor), which keeps what it may issue
explicit.

Public API: ``ISSUE``, ``ACCREDIT``, ``Accreditation``, ``Recognition``,
``Witnessed``, ``TrustAnswer``, ``TrustRegistry``.

>>> from datetime import datetime, timezone
>>> t0, t1 = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 1, tzinfo=timezone.utc)
>>> fw = "https://example.org/gf"
>>> acc = Accreditation(id="urn:acc:1", accreditor="did:example:body", subject="did:example:coop",
...     framework=fw, permissions=frozenset({ISSUE}), credential_types=frozenset({"Membership"}),
...     valid_from=t0, valid_until=t1)
>>> reg = TrustRegistry(anchors={fw: frozenset({"did:example:body"})}, accreditations=(acc,))
>>> answer = reg.authorised("did:example:coop", "Membership", fw, datetime(2026, 6, 1, tzinfo=timezone.utc))
>>> answer.trusted, [a.id for a in answer.chain]
(True, ['urn:acc:1'])
>>> reg.authorised("did:example:coop", "Payslip", fw, t0).trusted
False
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from .errors import InputError
from .timestamps import format_timestamp

ISSUE = "issue"
ACCREDIT = "accredit"
_PERMISSIONS = frozenset({ISSUE, ACCREDIT})


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InputError("bad-timestamp", f"{name} must be an aware datetime, got {value!r}",
                         path=name)
    return value


def _frozen(value: Iterable[str] | None, name: str, *, none_ok: bool) -> frozenset[str] | None:
    if value is None:
        if none_ok:
            return None
        raise InputError("bad-accreditation", f"{name} is required", path=name)
    if isinstance(value, str):
        # A bare string would otherwise become a set of its characters.
        raise InputError("bad-accreditation", f"{name} must be a set of strings, not a string",
                         path=name)
    return frozenset(value)


def _names(values: frozenset[str] | None) -> str:
    return "any" if values is None else ", ".join(sorted(values)) or "none"


@dataclass(frozen=True, kw_only=True)
class Accreditation:
    """``accreditor`` authorises ``subject`` under ``framework`` within a scope.

    ``regions``/``sectors`` of ``None`` mean "any"; ``max_chain`` is how many
    further links may follow this one (0: the subject may not accredit anyone).
    """

    id: str
    accreditor: str
    subject: str
    framework: str
    permissions: frozenset[str]
    credential_types: frozenset[str]
    valid_from: datetime
    valid_until: datetime
    regions: frozenset[str] | None = None
    sectors: frozenset[str] | None = None
    max_chain: int = 0

    def __post_init__(self) -> None:
        for name in ("id", "accreditor", "subject", "framework"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InputError("bad-accreditation", f"{name} must be a non-empty string",
                                 path=name)
        perms = _frozen(self.permissions, "permissions", none_ok=False)
        if not perms or not perms <= _PERMISSIONS:
            raise InputError("bad-accreditation",
                             f"permissions must be a non-empty subset of {sorted(_PERMISSIONS)}",
                             path="permissions")
        object.__setattr__(self, "permissions", perms)
        object.__setattr__(self, "credential_types",
                           _frozen(self.credential_types, "credential_types", none_ok=False))
        object.__setattr__(self, "regions", _frozen(self.regions, "regions", none_ok=True))
        object.__setattr__(self, "sectors", _frozen(self.sectors, "sectors", none_ok=True))
        _aware(self.valid_from, "valid_from")
        _aware(self.valid_until, "valid_until")
        if self.valid_until <= self.valid_from:
            raise InputError("bad-accreditation", "valid_until must be after valid_from",
                             path="valid_until")
        if not isinstance(self.max_chain, int) or isinstance(self.max_chain, bool) \
                or self.max_chain < 0:
            raise InputError("bad-accreditation", "max_chain must be an integer >= 0",
                             path="max_chain")

    def describe(self) -> str:
        """One line a board member can read."""
        return (f"{self.accreditor} accredited {self.subject} to {'+'.join(sorted(self.permissions))}"
                f" [{_names(self.credential_types)}] regions: {_names(self.regions)};"
                f" sectors: {_names(self.sectors)};"
                f" {format_timestamp(self.valid_from)} to {format_timestamp(self.valid_until)};"
                f" max_chain {self.max_chain} ({self.id})")


@dataclass(frozen=True)
class Recognition:
    """Framework ``recogniser`` recognises framework ``recognised``.

    With ``transitive=True`` the recogniser also recognises whatever
    ``recognised`` recognises.
    """

    recogniser: str
    recognised: str
    transitive: bool = False

    def describe(self) -> str:
        """One line a board member can read."""
        how = " (and what it recognises)" if self.transitive else ""
        return f"{self.recogniser} recognises {self.recognised}{how}"


@dataclass(frozen=True)
class Witnessed:
    """The registry saw ``issuer``'s credential ``credential_id`` at ``seen_at``."""

    issuer: str
    credential_id: str
    seen_at: datetime

    def __post_init__(self) -> None:
        _aware(self.seen_at, "seen_at")


Link = Accreditation | Recognition


@dataclass(frozen=True)
class TrustAnswer:
    """A trust decision, the chain behind it (anchor first) and its reasons."""

    trusted: bool
    chain: tuple[Link, ...]
    reasons: tuple[str, ...]

    def explain(self) -> str:
        """Plain-text lines: the verdict, the chain, then the reasons."""
        lines = ["TRUSTED" if self.trusted else "NOT TRUSTED"]
        lines += [f"  {i}. {link.describe()}" for i, link in enumerate(self.chain, 1)]
        lines += [f"  - {reason}" for reason in self.reasons]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1b7f3b" if self.trusted else "#b3261e"
        head = "Trusted" if self.trusted else "Not trusted"
        chain = "".join(f"<li>{html.escape(link.describe())}</li>" for link in self.chain)
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in self.reasons)
        return (f"<div><strong style='color:{colour}'>{head}</strong>"
                + (f"<ol>{chain}</ol>" if chain else "")
                + (f"<ul>{reasons}</ul>" if reasons else "") + "</div>")


def _within(child: Accreditation, parent: Accreditation) -> list[str]:
    """What ``child`` claims beyond ``parent`` (empty when it stays within)."""
    wider = []
    if not child.credential_types <= parent.credential_types:
        wider.append("types " + _names(child.credential_types - parent.credential_types))
    for name in ("regions", "sectors"):
        mine, theirs = getattr(child, name), getattr(parent, name)
        if theirs is not None and (mine is None or not mine <= theirs):
            wider.append(f"{name} {_names(mine if mine is None else mine - theirs)}")
    if child.valid_from < parent.valid_from or child.valid_until > parent.valid_until:
        wider.append("validity period")
    return wider


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class TrustRegistry:
    """Anchors, accreditations, revocations, recognitions and a witness log.

    Immutable: ``with_accreditations``/``with_revocation`` return new registries.
    ``anchors`` maps a framework to its governance authority DIDs;
    ``revocations`` maps an accreditation id to when it was revoked.
    """

    anchors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    accreditations: tuple[Accreditation, ...] = ()
    revocations: Mapping[str, datetime] = field(default_factory=dict)
    recognitions: tuple[Recognition, ...] = ()
    witnessed: tuple[Witnessed, ...] = ()
    _by_subject: Mapping[tuple[str, str], tuple[Accreditation, ...]] = field(
        init=False, repr=False, compare=False)
    _recognised: Mapping[str, tuple[Recognition, ...]] = field(
        init=False, repr=False, compare=False)
    _seen: Mapping[tuple[str, str], datetime] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        anchors = {fw: frozenset(_frozen(dids, f"anchors[{fw}]", none_ok=False) or ())
                   for fw, dids in self.anchors.items()}
        object.__setattr__(self, "anchors", MappingProxyType(anchors))
        object.__setattr__(self, "accreditations", tuple(self.accreditations))
        for rid, when in self.revocations.items():
            _aware(when, f"revocations[{rid}]")
        object.__setattr__(self, "revocations", MappingProxyType(dict(self.revocations)))
        object.__setattr__(self, "recognitions", tuple(self.recognitions))
        object.__setattr__(self, "witnessed", tuple(self.witnessed))
        # Index by (framework, subject): a query walks from the issuer up to an anchor.
        by_subject: dict[tuple[str, str], list[Accreditation]] = {}
        seen_ids: set[str] = set()
        for acc in self.accreditations:
            if not isinstance(acc, Accreditation):
                raise InputError("bad-accreditation", f"not an Accreditation: {acc!r}")
            if acc.id in seen_ids:
                raise InputError("duplicate-accreditation-id",
                                 f"accreditation id {acc.id} is used twice", path=acc.id)
            seen_ids.add(acc.id)
            by_subject.setdefault((acc.framework, acc.subject), []).append(acc)
        object.__setattr__(self, "_by_subject", MappingProxyType(
            {k: tuple(sorted(v, key=lambda a: a.id)) for k, v in by_subject.items()}))
        recognised: dict[str, list[Recognition]] = {}
        for rec in self.recognitions:
            recognised.setdefault(rec.recogniser, []).append(rec)
        object.__setattr__(self, "_recognised", MappingProxyType(
            {k: tuple(v) for k, v in recognised.items()}))
        seen: dict[tuple[str, str], datetime] = {}
        for w in self.witnessed:
            key = (w.issuer, w.credential_id)
            # The earliest sighting is what proves the credential predates a revocation.
            if key not in seen or w.seen_at < seen[key]:
                seen[key] = w.seen_at
        object.__setattr__(self, "_seen", MappingProxyType(seen))

    def with_accreditations(self, *accreditations: Accreditation) -> TrustRegistry:
        """A new registry with these accreditations added."""
        return replace(self, accreditations=self.accreditations + tuple(accreditations))

    def with_revocation(self, accreditation_id: str, revoked_at: datetime) -> TrustRegistry:
        """A new registry in which ``accreditation_id`` is revoked from ``revoked_at``."""
        return replace(self, revocations={**self.revocations, accreditation_id: revoked_at})

    def with_witnessed(self, *entries: Witnessed) -> TrustRegistry:
        """A new registry whose issuance log also holds ``entries``."""
        return replace(self, witnessed=self.witnessed + tuple(entries))

    def authorised(
        self,
        issuer: str,
        credential_type: str,
        framework: str,
        at: datetime,
        *,
        region: str | None = None,
        sector: str | None = None,
        credential_id: str | None = None,
        honour_witnessed: bool = False,
    ) -> TrustAnswer:
        """Was ``issuer`` authorised to issue ``credential_type`` under ``framework`` at ``at``?"""
        _aware(at, "at")
        anchors = self.anchors.get(framework, frozenset())
        if not anchors:
            return TrustAnswer(False, (), (f"framework {framework} has no anchors",))
        reasons: list[str] = []
        candidates = self._by_subject.get((framework, issuer), ())
        if not candidates:
            return TrustAnswer(False, (), (f"no accreditation of {issuer} under {framework}",))
        for acc in candidates:
            why = self._issue_scope(acc, credential_type, region, sector)
            if why:
                reasons.append(why)
                continue
            ok, notes = self._link_ok(acc, at, issuer, credential_id, honour_witnessed)
            if not ok:
                reasons.extend(notes)
                continue
            chain = self._up(acc, (acc,), anchors, at, issuer, credential_id,
                             honour_witnessed, reasons, set())
            if chain is not None:
                found, honoured = chain
                return TrustAnswer(True, found, _dedupe(
                    [*notes, *honoured,
                     f"{found[0].accreditor} is an anchor of {framework}",
                     f"{issuer} may issue {credential_type} under {framework}"]))
        return TrustAnswer(False, (), _dedupe(reasons))

    def _issue_scope(self, acc: Accreditation, credential_type: str, region: str | None,
                     sector: str | None) -> str | None:
        if ISSUE not in acc.permissions:
            return (f"{acc.id} grants {acc.subject} only accredit: "
                    "permission to accredit is not permission to issue")
        if credential_type not in acc.credential_types:
            return f"{acc.id} does not cover credential type {credential_type}"
        for name, asked in (("region", region), ("sector", sector)):
            allowed = getattr(acc, name + "s")
            if allowed is None:
                continue
            if asked is None:
                return f"{acc.id} is limited to {name}s {_names(allowed)} and no {name} was given"
            if asked not in allowed:
                return f"{acc.id} does not cover {name} {asked}"
        return None

    def _link_ok(self, acc: Accreditation, at: datetime, issuer: str,
                 credential_id: str | None, honour_witnessed: bool) -> tuple[bool, list[str]]:
        """Valid at ``at`` and not revoked (or honoured); returns notes for the answer."""
        if at < acc.valid_from:
            return False, [f"{acc.id} is not yet valid at {format_timestamp(at)}"]
        if at >= acc.valid_until:
            return False, [f"{acc.id} expired at {format_timestamp(acc.valid_until)}"]
        revoked_at = self.revocations.get(acc.id)
        if revoked_at is None:
            return True, []
        stamp = format_timestamp(revoked_at)
        if honour_witnessed and credential_id is not None:
            seen = self._seen.get((issuer, credential_id))
            if seen is not None and seen < revoked_at:
                return True, [(f"{acc.id} was revoked at {stamp}, but credential {credential_id}"
                              f" was witnessed at {format_timestamp(seen)}, before the"
                              " revocation: honoured")]
            return False, [(f"{acc.id} revoked at {stamp}; credential {credential_id} was not"
                           " witnessed before the revocation")]
        # The issuance date is the issuer's own claim, so a revocation cannot be
        # limited to credentials "issued" after it.
        return False, [(f"{acc.id} revoked at {stamp} (covers every credential, whatever its"
                       " stated issuance date)")]

    def _up(self, link: Accreditation, below: tuple[Accreditation, ...], anchors: frozenset[str],
            at: datetime, issuer: str, credential_id: str | None, honour_witnessed: bool,
            reasons: list[str], dead_ends: set[tuple[str, int]],
            ) -> tuple[tuple[Accreditation, ...], list[str]] | None:
        """Find links from an anchor down to ``below`` (``below[0]`` is ``link``)."""
        if link.accreditor in anchors:
            return below, []
        # Whether a link leads up to an anchor depends only on the link and how many
        # links hang below it, so a dead end is never walked twice (shared ancestors).
        key = (link.id, len(below))
        if key in dead_ends:
            return None
        parents = self._by_subject.get((link.framework, link.accreditor), ())
        if not parents:
            reasons.append(f"accreditor not trusted: {link.accreditor} (who made {link.id}) is"
                           f" neither an anchor of {link.framework} nor accredited under it")
            return None
        on_path = {a.id for a in below}
        cut_cycle = False
        for parent in parents:
            if parent.id in on_path:
                cut_cycle = True  # a cycle leads to no anchor along this path
                continue
            if ACCREDIT not in parent.permissions:
                reasons.append(f"accreditor not trusted: {parent.id} does not let"
                               f" {parent.subject} accredit others")
                continue
            if parent.max_chain < len(below):
                reasons.append(f"chain too long: {parent.id} allows {parent.max_chain} link(s)"
                               f" below it, the chain to {issuer} needs {len(below)}")
                continue
            wider = _within(link, parent)
            if wider:
                reasons.append(f"scope widened by delegation: {link.id} grants more than"
                               f" {parent.id} holds ({'; '.join(wider)}); ignored")
                continue
            ok, notes = self._link_ok(parent, at, issuer, credential_id, honour_witnessed)
            if not ok:
                reasons.extend(notes)
                continue
            found = self._up(parent, (parent, *below), anchors, at, issuer, credential_id,
                             honour_witnessed, reasons, dead_ends)
            if found is not None:
                return found[0], [*notes, *found[1]]
        if not cut_cycle:  # a cut cycle is a dead end for this path only
            dead_ends.add(key)
        return None

    def recognises(self, g: str, h: str) -> TrustAnswer:
        """Does framework ``g`` recognise framework ``h``?

        A path g -> ... -> h counts only if every step but the last is
        transitive (set by the recognising framework of that step).
        """
        if g == h:
            return TrustAnswer(True, (), (f"{g} is the framework itself",))
        # BFS over frameworks reachable through transitive steps only.
        parent: dict[str, Recognition | None] = {g: None}
        queue = deque([g])
        while queue:
            node = queue.popleft()
            for rec in self._recognised.get(node, ()):
                if rec.recognised == h:
                    chain = [rec]
                    back = parent[node]
                    while back is not None:
                        chain.append(back)
                        back = parent[back.recogniser]
                    chain.reverse()
                    return TrustAnswer(True, tuple(chain), (f"{g} recognises {h}",))
                if rec.transitive and rec.recognised not in parent:
                    parent[rec.recognised] = rec
                    queue.append(rec.recognised)
        if self._reachable_ignoring_transitivity(g, h):
            return TrustAnswer(False, (), (
                (f"{g} does not recognise {h}: a path of recognitions exists, but recognition is"
                " not transitive unless the recognising framework says so"),))
        return TrustAnswer(False, (), (f"{g} does not recognise {h}",))

    def _reachable_ignoring_transitivity(self, g: str, h: str) -> bool:
        seen, queue = {g}, deque([g])
        while queue:
            for rec in self._recognised.get(queue.popleft(), ()):
                if rec.recognised == h:
                    return True
                if rec.recognised not in seen:
                    seen.add(rec.recognised)
                    queue.append(rec.recognised)
        return False


__all__ = ["ACCREDIT", "ISSUE", "Accreditation", "Recognition", "TrustAnswer", "TrustRegistry",
           "Witnessed"]
