"""Trust registry: who may issue what, under which governance framework, and why.

A governance framework (for example an industry body's rulebook, named by a
URL) has *anchors*: the DIDs of its governance authorities. An anchor accredits
parties (apex bodies, co-ops) to issue credential types and, if it says so, to
accredit others in turn. The registry answers two questions and explains both:

- ``authorised(issuer, credential_type, framework, at)``: is there a chain of
  accreditations from an anchor of the framework down to the issuer that
  covers this type (and region, sector) at that time?
- ``recognises(g, h, at, credential_type)``: does framework ``g`` recognise
  framework ``h`` (at that time, for that type)?

``trusted(issuer, credential_type, frameworks, at)`` combines both for a
verifier: the issuer is trusted if it is authorised under one of the
verifier's frameworks, or under a framework one of them recognises.

Rules, each with a reason in the answer:

- the chain starts at an anchor; an accreditation made by anyone else who is
  not accredited is ignored (``accreditor not trusted``);
- each link is valid at the time asked and not revoked; because issuance dates
  are written by the issuer itself, a revocation covers everything by default;
  with ``honour_witnessed=True`` a credential the registry witnessed strictly
  before the revocation is honoured, and the answer says so; one witnessed at
  or after it never is;
- a revocation's time (``revocations``) is when it was first seen, as recorded
  once in a ``revocation_log.RevocationLog`` by ``accreditation.load_trust``:
  never the status list's ``validFrom``, which moves forward each time the list
  is published again (a later time would honour credentials witnessed after
  the revocation);
- delegation never widens scope: a link whose types, regions, sectors or
  validity period exceed its accreditor's is ignored
  (``scope widened by delegation``);
- permission to accredit is not permission to issue;
- each accreditation's ``max_chain`` bounds how many links may follow it
  (``chain too long``);
- recognition is not transitive unless the recognising framework says so, and
  holds only within its validity dates and credential types.

An anchor is not an issuer by virtue of being an anchor: to issue it accredits
itself (accreditor and subject both the anchor), which keeps what it may issue
explicit.

Public API: ``ISSUE``, ``ACCREDIT``, ``Accreditation``, ``Recognition``,
``Witnessed``, ``TrustAnswer`` (``trusted``, ``chain``, ``reasons``,
``framework``), ``TrustRegistry`` (``authorised``, ``recognises``, ``trusted``,
``name_of``, ``with_*``). Walks over the recognitions are memoised per registry
(it is immutable), so repeated queries stay well under a millisecond.

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
>>> other = "https://example.org/other"
>>> reg = replace(reg, recognitions=(Recognition(other, fw),), names={fw: "Example rulebook"})
>>> answer = reg.trusted("did:example:coop", "Membership", [other], datetime(2026, 6, 1, tzinfo=timezone.utc))
>>> answer.trusted, answer.framework, reg.name_of(answer.framework)
(True, 'https://example.org/gf', 'Example rulebook')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from .. import html_views
from ..errors import InputError
from ..timestamps import format_timestamp

if TYPE_CHECKING:  # pragma: no cover - typing only
    from _typeshed import DataclassInstance

ISSUE = "issue"
ACCREDIT = "accredit"
_PERMISSIONS = frozenset({ISSUE, ACCREDIT})


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InputError("bad-timestamp", f"{name} must be an aware datetime, got {value!r}",
                         path=name)
    return value


def _frozen(value: Iterable[str] | None, name: str, *, none_ok: bool,
            code: str = "bad-accreditation") -> frozenset[str] | None:
    if value is None:
        if none_ok:
            return None
        raise InputError(code, f"{name} is required", path=name)
    if isinstance(value, str):
        # A bare string would otherwise become a set of its characters.
        raise InputError(code, f"{name} must be a set of strings, not a string", path=name)
    return frozenset(value)


def _names(values: frozenset[str] | None) -> str:
    return "any" if values is None else ", ".join(sorted(values)) or "none"


def _stable_repr(self: DataclassInstance) -> str:
    """The dataclass repr, with sets sorted: the same text in every process.

    A frozenset's order follows string hashing, which changes from one Python
    process to the next; a notebook's committed output must not.
    """
    def shown(value: object) -> str:
        if isinstance(value, frozenset):
            return "frozenset({" + ", ".join(repr(v) for v in sorted(value)) + "})"
        return repr(value)

    parts = ", ".join(f"{f.name}={shown(getattr(self, f.name))}"
                      for f in fields(self) if f.repr)
    return f"{type(self).__name__}({parts})"


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

    __repr__ = _stable_repr

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
    ``recognised`` recognises. ``valid_from``/``valid_until`` (aware, either
    may be ``None`` for open-ended) bound when it holds; ``credential_types``
    of ``None`` means every type. ``id`` names the agreement (its credential).

    >>> from datetime import datetime, timezone
    >>> rec = Recognition("https://g.example", "https://h.example",
    ...                   credential_types=frozenset({"Membership"}))
    >>> rec.refusal(datetime(2026, 1, 1, tzinfo=timezone.utc), "Payslip")
    'recognition of https://h.example by https://g.example does not cover type Payslip (covers Membership)'
    """

    recogniser: str
    recognised: str
    transitive: bool = False
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    credential_types: frozenset[str] | None = None
    id: str | None = None

    __repr__ = _stable_repr

    def __post_init__(self) -> None:
        for name in ("recogniser", "recognised"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InputError("bad-recognition", f"{name} must be a non-empty string",
                                 path=name)
        if not isinstance(self.transitive, bool):
            raise InputError("bad-recognition", "transitive must be true or false",
                             path="transitive")
        for name in ("valid_from", "valid_until"):
            if getattr(self, name) is not None:
                _aware(getattr(self, name), name)
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise InputError("bad-recognition", "valid_until must be after valid_from",
                             path="valid_until")
        types = _frozen(self.credential_types, "credential_types", none_ok=True,
                        code="bad-recognition")
        if types is not None and not types:
            raise InputError("bad-recognition",
                             "credential_types must be omitted (any type) or name at least one",
                             path="credential_types")
        object.__setattr__(self, "credential_types", types)
        if self.id is not None and (not isinstance(self.id, str) or not self.id):
            raise InputError("bad-recognition", "id must be a non-empty string", path="id")

    def refusal(self, at: datetime | None, credential_type: str | None) -> str | None:
        """Why this recognition does not hold at ``at`` for ``credential_type`` (``None``: it does).

        ``at``/``credential_type`` of ``None`` skip that check.
        """
        what = f"recognition of {self.recognised} by {self.recogniser}"
        if at is not None:
            if self.valid_from is not None and at < self.valid_from:
                return (f"{what} is not yet valid at {format_timestamp(at)}"
                        f" (from {format_timestamp(self.valid_from)})")
            if self.valid_until is not None and at >= self.valid_until:
                return f"{what} expired at {format_timestamp(self.valid_until)}"
        if credential_type is not None and self.credential_types is not None \
                and credential_type not in self.credential_types:
            return (f"{what} does not cover type {credential_type}"
                    f" (covers {_names(self.credential_types)})")
        return None

    def describe(self) -> str:
        """One line a board member can read."""
        how = " (and what it recognises)" if self.transitive else ""
        extra = ""
        if self.credential_types is not None:
            extra += f" for [{_names(self.credential_types)}]"
        if self.valid_from is not None:
            extra += f" from {format_timestamp(self.valid_from)}"
        if self.valid_until is not None:
            extra += f" until {format_timestamp(self.valid_until)}"
        if self.id is not None:
            extra += f" ({self.id})"
        return f"{self.recogniser} recognises {self.recognised}{how}{extra}"


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
    """A trust decision, the chain behind it and its reasons.

    The chain lists recognition links first (if any), then accreditations from
    the anchor down. ``framework`` is the framework the chain ends under
    (``None`` when not trusted).
    """

    trusted: bool
    chain: tuple[Link, ...]
    reasons: tuple[str, ...]
    framework: str | None = None

    def explain(self) -> str:
        """Plain-text lines: the verdict, the chain, then the reasons."""
        lines = ["TRUSTED" if self.trusted else "NOT TRUSTED"]
        lines += [f"  {i}. {link.describe()}" for i, link in enumerate(self.chain, 1)]
        lines += [f"  - {reason}" for reason in self.reasons]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "trust/trust_answer.html", trusted=self.trusted,
            chain=[link.describe() for link in self.chain], reasons=self.reasons)

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


class TrustSource(Protocol):
    """What deciding on a credential asks of a trust registry: an answer and a name.

    A :class:`TrustRegistry` is one; so is the ``TrustLoad`` of a trust folder
    (``accreditation.load_trust_dir``), whose untrusted answers also name the
    trust credentials it refused.
    """

    def trusted(
        self,
        issuer: str,
        credential_type: str,
        frameworks: Iterable[str],
        at: datetime,
        *,
        region: str | None = None,
        sector: str | None = None,
        credential_id: str | None = None,
        honour_witnessed: bool = False,
    ) -> TrustAnswer:
        """Is ``issuer`` trusted for ``credential_type`` under ``frameworks`` at ``at``?"""
        ...

    def name_of(self, did_or_url: str) -> str | None:
        """The display name the registry knows ``did_or_url`` by, if any."""
        ...


@dataclass(frozen=True)
class TrustRegistry:
    """Anchors, accreditations, revocations, recognitions and a witness log.

    Immutable: ``with_accreditations``/``with_revocation`` return new registries.
    ``anchors`` maps a framework to its governance authority DIDs;
    ``revocations`` maps an accreditation id to when its revocation was first
    seen (a time that never moves: see ``revocation_log``);
    ``names`` maps a DID or framework URL to the display name the registry
    knows it by (not what a credential says about itself).
    """

    anchors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    accreditations: tuple[Accreditation, ...] = ()
    revocations: Mapping[str, datetime] = field(default_factory=dict)
    recognitions: tuple[Recognition, ...] = ()
    witnessed: tuple[Witnessed, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    _by_subject: Mapping[tuple[str, str], tuple[Accreditation, ...]] = field(
        init=False, repr=False, compare=False)
    _recognised: Mapping[str, tuple[Recognition, ...]] = field(
        init=False, repr=False, compare=False)
    _seen: Mapping[tuple[str, str], datetime] = field(init=False, repr=False, compare=False)
    _frameworks_of: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _recognising: Mapping[str, tuple[Recognition, ...]] = field(
        init=False, repr=False, compare=False)
    # Memoised walks over the recognitions (the registry is immutable, so they never go stale).
    _reach_cache: dict[tuple[object, ...], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("anchors", "revocations", "names"):
            if not isinstance(getattr(self, name), Mapping):
                raise TypeError(f"{name} must be a mapping, not {type(getattr(self, name)).__name__}")
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
        frameworks_of: dict[str, dict[str, None]] = {}
        for acc in self.accreditations:
            frameworks_of.setdefault(acc.subject, {})[acc.framework] = None
        object.__setattr__(self, "_frameworks_of", MappingProxyType(
            {k: tuple(v) for k, v in frameworks_of.items()}))
        recognised: dict[str, list[Recognition]] = {}
        recognising: dict[str, list[Recognition]] = {}
        for rec in self.recognitions:
            if not isinstance(rec, Recognition):
                raise InputError("bad-recognition", f"not a Recognition: {rec!r}")
            recognised.setdefault(rec.recogniser, []).append(rec)
            recognising.setdefault(rec.recognised, []).append(rec)
        object.__setattr__(self, "_recognised", MappingProxyType(
            {k: tuple(v) for k, v in recognised.items()}))
        object.__setattr__(self, "_recognising", MappingProxyType(
            {k: tuple(v) for k, v in recognising.items()}))
        object.__setattr__(self, "_reach_cache", {})
        for key, name in self.names.items():
            if not isinstance(key, str) or not isinstance(name, str) or not name:
                raise InputError("bad-name", f"names must map strings to non-empty strings,"
                                 f" got {key!r}: {name!r}", path=f"names[{key}]")
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))
        seen: dict[tuple[str, str], datetime] = {}
        for w in self.witnessed:
            sighting = (w.issuer, w.credential_id)
            # The earliest sighting is what proves the credential predates a revocation.
            if sighting not in seen or w.seen_at < seen[sighting]:
                seen[sighting] = w.seen_at
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

    def with_recognitions(self, *recognitions: Recognition) -> TrustRegistry:
        """A new registry with these recognitions added."""
        return replace(self, recognitions=self.recognitions + tuple(recognitions))

    def name_of(self, did_or_url: str) -> str | None:
        """The display name the registry knows ``did_or_url`` by, if any."""
        return self.names.get(did_or_url)

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
                     f"{issuer} may issue {credential_type} under {framework}"]), framework)
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

    def trusted(
        self,
        issuer: str,
        credential_type: str,
        frameworks: Iterable[str],
        at: datetime,
        *,
        region: str | None = None,
        sector: str | None = None,
        credential_id: str | None = None,
        honour_witnessed: bool = False,
    ) -> TrustAnswer:
        """Does a verifier trusting ``frameworks`` trust ``issuer`` for ``credential_type`` at ``at``?

        Trusted when ``authorised`` holds under one of ``frameworks``, or under
        a framework one of them recognises at ``at`` for ``credential_type``.
        The chain shows the recognition links first, then the accreditations;
        when untrusted the reasons cover every framework tried.
        """
        _aware(at, "at")
        if isinstance(frameworks, str):
            raise InputError("bad-trust-query", "frameworks must be a collection of URLs,"
                             " not a single string", path="frameworks")
        wanted = tuple(dict.fromkeys(frameworks))
        if not wanted:
            raise InputError("bad-trust-query", "name at least one trusted framework",
                             path="frameworks")
        scope: dict[str, Any] = {"region": region, "sector": sector,
                                 "credential_id": credential_id,
                                 "honour_witnessed": honour_witnessed}
        reasons: list[str] = []
        for fw in wanted:
            answer = self.authorised(issuer, credential_type, fw, at, **scope)
            if answer.trusted:
                return replace(answer, reasons=_dedupe(
                    [f"{fw} is one of the verifier's frameworks", *answer.reasons]))
            reasons += [f"under {fw}: {r}" for r in answer.reasons]
        # Only a framework the issuer holds an accreditation under can end a chain,
        # so recognition is followed to those frameworks alone.
        held = [h for h in self._frameworks_of.get(issuer, ()) if h not in wanted]
        if not held:
            reasons.append(f"{issuer} holds no accreditation under any other framework")
        reaches = [(fw, self._reach(fw, at, credential_type)) for fw in wanted]
        unreached = []
        for h in held:
            route = next(((fw, reach.paths[h]) for fw, reach in reaches if h in reach.paths),
                         None)
            if route is None:
                unreached.append(h)
                continue
            fw, links = route
            answer = self.authorised(issuer, credential_type, h, at, **scope)
            if answer.trusted:
                return TrustAnswer(True, links + answer.chain, _dedupe(
                    [f"{fw} is one of the verifier's frameworks",
                     f"{fw} recognises {h} for {credential_type} at {format_timestamp(at)}",
                     *answer.reasons]), h)
            reasons += [f"under {h} (recognised by {fw}): {r}" for r in answer.reasons]
        # Explaining why a framework is not recognised costs more than finding that
        # it is, so it is done only once the answer is known to be "not trusted".
        for h in unreached:
            for fw in wanted:
                reasons += self.recognises(fw, h, at, credential_type).reasons
        return TrustAnswer(False, (), _dedupe(reasons))

    def recognises(self, g: str, h: str, at: datetime | None = None,
                   credential_type: str | None = None) -> TrustAnswer:
        """Does framework ``g`` recognise framework ``h`` (at ``at``, for ``credential_type``)?

        A path g -> ... -> h counts only if every step but the last is
        transitive (set by the recognising framework of that step) and every
        step holds at ``at`` for ``credential_type`` (``None`` skips that check).
        """
        if at is not None:
            _aware(at, "at")
        if g == h:
            return TrustAnswer(True, (), (f"{g} is the framework itself",), h)
        reach = self._reach(g, at, credential_type)
        if h in reach.paths:
            return TrustAnswer(True, reach.paths[h], (f"{g} recognises {h}",), h)
        toward = self._can_reach(h)
        # Only refusals on a way towards h explain this answer.
        why = [reason for rec, reason in reach.skipped if rec.recognised in toward]
        if self._reachable_ignoring_transitivity(g, h, at, credential_type, toward):
            why.append(f"{g} does not recognise {h}: a path of recognitions exists, but"
                       " recognition is not transitive unless the recognising framework says so")
        return TrustAnswer(False, (), _dedupe(why or [f"{g} does not recognise {h}"]))

    def _reach(self, g: str, at: datetime | None, credential_type: str | None) -> _Reach:
        """Every framework ``g`` recognises (with the shortest path) and the refused steps."""
        key = ("reach", g, at, credential_type)
        cached = self._reach_cache.get(key)
        if cached is not None:
            return cached
        paths: dict[str, tuple[Recognition, ...]] = {}
        expand: dict[str, tuple[Recognition, ...]] = {g: ()}
        skipped: list[tuple[Recognition, str]] = []
        queue = deque([g])
        while queue:
            node = queue.popleft()
            below = expand[node]
            for rec in self._recognised.get(node, ()):
                why = rec.refusal(at, credential_type)
                if why is not None:
                    skipped.append((rec, why))
                    continue
                path = (*below, rec)
                paths.setdefault(rec.recognised, path)
                if rec.transitive and rec.recognised not in expand:
                    expand[rec.recognised] = path
                    queue.append(rec.recognised)
        paths.pop(g, None)
        reach = _Reach(MappingProxyType(paths), tuple(skipped))
        self._remember(key, reach)
        return reach

    def _can_reach(self, h: str) -> frozenset[str]:
        """Frameworks with some path of recognitions to ``h`` (ignoring every condition)."""
        key = ("toward", h, None)
        cached = self._reach_cache.get(key)
        if cached is not None:
            return cached
        seen, queue = {h}, deque([h])
        while queue:
            for rec in self._recognising.get(queue.popleft(), ()):
                if rec.recogniser not in seen:
                    seen.add(rec.recogniser)
                    queue.append(rec.recogniser)
        found = frozenset(seen)
        self._remember(key, found)
        return found

    def _remember(self, key: tuple[object, ...], value: object) -> None:
        if len(self._reach_cache) >= 4096:  # bound memory for long-lived registries
            self._reach_cache.clear()
        self._reach_cache[key] = value

    def _reachable_ignoring_transitivity(self, g: str, h: str, at: datetime | None,
                                         credential_type: str | None,
                                         toward: frozenset[str]) -> bool:
        if g not in toward:
            return False
        seen, queue = {g}, deque([g])
        while queue:
            for rec in self._recognised.get(queue.popleft(), ()):
                # Only frameworks from which h can be reached at all are worth walking.
                if rec.recognised not in toward or rec.refusal(at, credential_type) is not None:
                    continue
                if rec.recognised == h:
                    return True
                if rec.recognised not in seen:
                    seen.add(rec.recognised)
                    queue.append(rec.recognised)
        return False


@dataclass(frozen=True)
class _Reach:
    paths: Mapping[str, tuple[Recognition, ...]]
    skipped: tuple[tuple[Recognition, str], ...]


__all__ = ["ACCREDIT", "ISSUE", "Accreditation", "Recognition", "TrustAnswer", "TrustRegistry",
           "TrustSource", "Witnessed"]
