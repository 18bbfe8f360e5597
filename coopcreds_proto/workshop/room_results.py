"""What the room says, counted: per field and per sphere, and where the room agrees and splits.

Plain counts over the views that count now (no tables library, so a page or a
projector update costs little), each with the words a screen reader says in
place of the bar.

>>> from coopcreds_proto.consultation.store import View, ReactionCount
>>> def view(key, field, stance, sphere="work"):
...     return View(key, key, "given", "p", "r", "0.1", sphere, field, None, None, stance, 3,
...                 "because", "2026-03-12T10:00:00Z")
>>> views = [view("a", "memberSince", "keep"), view("b", "memberSince", "drop"),
...          view("c", "memberSince", "keep", "legal")]
>>> [(row.target, row.keep, row.drop, row.words) for row in field_counts(views, {})]
[('memberSince', 2, 1, '3 views: keep 2, change 0, drop 1')]
>>> [(s.sphere, s.views) for s in sphere_counts(views)]
[('legal', 1), ('work', 2), ('play', 0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..consultation.feedback import SPHERES
from ..consultation.store import ReactionCount, View


@dataclass(frozen=True)
class FieldCount:
    """How many views ask to keep, change or drop one field (or propose it, for a new one)."""

    target: str
    label: str
    keep: int = 0
    change: int = 0
    drop: int = 0
    add: int = 0

    @property
    def views(self) -> int:
        return self.keep + self.change + self.drop + self.add

    def share(self, stance: str) -> int:
        """The percentage of this field's views that take ``stance`` (whole numbers)."""
        return round(100 * getattr(self, stance) / self.views) if self.views else 0

    @property
    def words(self) -> str:
        if self.add:
            return f"{self.views} views: {self.add} propose it"
        return (f"{self.views} view{'s' * (self.views != 1)}: keep {self.keep},"
                f" change {self.change}, drop {self.drop}")


@dataclass(frozen=True)
class SphereCount:
    sphere: str
    views: int
    share: int


@dataclass(frozen=True)
class RatedComment:
    """A comment with the room's reactions."""

    view: View
    reactions: ReactionCount


def field_counts(views: Iterable[View], labels: Mapping[str, str]) -> list[FieldCount]:
    """One row per field asked about, in the order of ``labels`` (the draft's), then new ones."""
    counts: dict[str, dict[str, int]] = {}
    for v in views:
        row = counts.setdefault(v.target, {})
        row[v.stance] = row.get(v.stance, 0) + 1
    order = [t for t in labels if t in counts] + sorted(t for t in counts if t not in labels)
    return [FieldCount(t, labels.get(t, t.lstrip("+")), **counts[t]) for t in order]


def sphere_counts(views: Sequence[View]) -> list[SphereCount]:
    total = len(views)
    out = []
    for sphere in SPHERES:
        n = sum(1 for v in views if v.sphere == sphere)
        out.append(SphereCount(sphere, n, round(100 * n / total) if total else 0))
    return out


def rated_comments(views: Iterable[View], reactions: Mapping[str, ReactionCount]
                   ) -> list[RatedComment]:
    """Every visible comment with its reactions."""
    return [RatedComment(v, reactions.get(v.view_key, ReactionCount(v.view_key)))
            for v in views if v.comment and not v.hidden]


def most_agreed(comments: Sequence[RatedComment], n: int = 3, *, min_votes: int = 1
                ) -> list[RatedComment]:
    """The comments most of the room agrees with (at least ``min_votes`` agree or disagree)."""
    voted = [c for c in comments if c.reactions.votes >= min_votes and c.reactions.agree]
    return sorted(voted, key=lambda c: (-c.reactions.agreement, -c.reactions.votes,
                                        c.view.time))[:n]


def most_divisive(comments: Sequence[RatedComment], n: int = 3, *, min_votes: int = 2
                  ) -> list[RatedComment]:
    """The comments the room splits on most evenly."""
    voted = [c for c in comments if c.reactions.votes >= min_votes and c.reactions.division > 0]
    return sorted(voted, key=lambda c: (-c.reactions.division, -c.reactions.votes,
                                        c.view.time))[:n]
