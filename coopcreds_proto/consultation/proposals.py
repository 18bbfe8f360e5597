"""From workshop feedback and the facilitators' decisions to the next draft.

The workshop decides, field by field, what to do with what participants
said: accept or reject keeping, changing or dropping a field, or adding a
proposed one. :func:`propose_next_version` applies those decisions to a
definition and returns the next draft, whose changelog says what changed and
lists the ids of the feedback records behind each change (rejected proposals
are recorded too, so the draft shows what was heard and not taken up).

>>> from coopcreds_proto.definitions.definition import definition_path, load_definition
>>> from coopcreds_proto.consultation.sample_feedback import SAMPLE_SEED, generate_workshop_feedback
>>> v01 = load_definition(definition_path("cooperative-membership", "0.1"))
>>> feedback = generate_workshop_feedback(SAMPLE_SEED)
>>> v02 = propose_next_version(v01, feedback, {
...     "benefits": Decision("accept", "keep", note="Most wanted field."),
...     "+recognisedBy": Decision("accept", note="Recognition across co-ops.",
...                               changes={"datatype": "iri", "multiple": True}),
... })
>>> v02.version, v02.field("benefits").status, v02.field("recognisedBy").since
('0.2', 'accepted', '0.2')
>>> entry = v02.changelog[-1]
>>> entry.fields, len(entry.feedback) > 0
(('recognisedBy',), True)
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ..definitions.definition import (
    ChangelogEntry,
    CredentialDefinition,
    Field,
    check_definition,
    drop_field,
    next_version,
    with_changelog,
    with_field,
)
from ..errors import InputError
from .feedback import SPHERES, FeedbackRecord

OUTCOMES = ("accept", "reject")
ACTIONS = ("keep", "change", "drop", "add")
# What a decision may change on a field (the term and nested fields stay as they are).
CHANGEABLE = tuple(
    f.name for f in dataclasses.fields(Field) if f.name not in ("term", "fields", "status", "since")
)


class DecisionError(InputError):
    """A decision that cannot be applied; ``path`` names the field or proposal."""


@dataclass(frozen=True)
class Decision:
    """What the workshop decided about one field (or one proposed new field).

    ``outcome`` is ``accept`` or ``reject``; ``action`` what was asked for
    (``keep``, ``change``, ``drop``, ``add``; by default the stance most of
    the feedback took); ``changes`` the new values of a changed or added field
    (``label``, ``description``, ``datatype``, ``sensitivity``, ...); ``parent``
    the path of the object a new field goes into ("" = the member).
    """

    outcome: str
    action: str | None = None
    note: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)
    parent: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise DecisionError(
                "bad-outcome", f"outcome must be accept or reject, not {self.outcome!r}"
            )
        if self.action is not None and self.action not in ACTIONS:
            raise DecisionError(
                "bad-action", f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}"
            )
        unknown = sorted(set(self.changes) - set(CHANGEABLE))
        if unknown:
            raise DecisionError(
                "bad-change", f"cannot change {', '.join(unknown)} (changeable: "
                f"{', '.join(CHANGEABLE)})"
            )


def as_decision(value: Decision | str | Mapping[str, Any], *, target: str = "") -> Decision:
    """A :class:`Decision` from a Decision, ``"accept"``/``"reject"``, or a mapping of its fields."""
    try:
        if isinstance(value, Decision):
            return value
        if isinstance(value, str):
            return Decision(value)
        if isinstance(value, Mapping):
            return Decision(**dict(value))
    except DecisionError as exc:
        raise exc.with_path(target) from None
    except TypeError as exc:
        raise DecisionError("bad-decision", str(exc), path=target) from None
    raise DecisionError("bad-decision", f"not a decision: {value!r}", path=target)


def _bump(version: str) -> str:
    major, _, rest = version.partition(".")
    minor = rest.split(".")[0] if rest else "0"
    return f"{major}.{int(minor) + 1}"


def _action_for(target: str, records: list[FeedbackRecord], decision: Decision) -> str:
    if decision.action is not None:
        return decision.action
    if target.startswith("+"):
        return "add"
    counts = Counter(r.stance for r in records).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        tied = " and ".join(stance for stance, n in counts if n == counts[0][1])
        raise DecisionError(
            "ambiguous-decision",
            f"as many responses ask to {tied} {target}: say which action was decided",
            path=target,
        )
    return counts[0][0]


def _verb(action: str, target: str) -> str:
    return {"keep": f"keep {target}", "change": f"change {target}", "drop": f"drop {target}",
            "add": f"add {target}"}[action]


def propose_next_version(
    definition: CredentialDefinition,
    feedback: Iterable[FeedbackRecord],
    decisions: Mapping[str, Decision | str | Mapping[str, Any]],
    *,
    version: str | None = None,
    date: str | None = None,
) -> CredentialDefinition:
    """The next draft of ``definition`` with ``decisions`` applied, each traced to its feedback.

    ``decisions`` maps a field path (``"membershipNumber"``, ``"memberOf.sector"``)
    or a proposed new field (``"+recognisedBy"``) to a :class:`Decision` (or
    ``"accept"``/``"reject"``). ``version`` defaults to the next minor version,
    ``date`` to the day of the latest feedback. Each decision adds a changelog
    entry naming the field and the ids of the records that asked for the
    action. Raises :class:`DecisionError` for a decision without feedback, an
    unknown field or an ambiguous one; ``DefinitionError`` if the result is not
    a valid definition.
    """
    records = sorted(feedback, key=lambda r: (r.time, r.id))
    if not records:
        raise DecisionError("no-feedback", "there is no feedback to base a new version on")
    version = version or _bump(definition.version)
    date = date or records[-1].time[:10]
    known = {path for path, _ in definition.iter_fields()}
    by_target: dict[str, list[FeedbackRecord]] = {}
    for r in records:
        by_target.setdefault(r.target, []).append(r)

    draft = next_version(
        definition,
        version,
        date,
        change=(
            f"Draft {version} from the consultation on {definition.version}: "
            f"{len(decisions)} decisions on {len(records)} responses."
        ),
    )
    for target, raw in decisions.items():
        decision = as_decision(raw, target=target)
        about = by_target.get(target, [])
        if not about:
            raise DecisionError(
                "no-feedback", f"no feedback is about {target}: nothing to decide", path=target
            )
        is_new = target.startswith("+")
        path = target[1:] if is_new else target
        if not is_new and path not in known:
            raise DecisionError("unknown-definition-field",
                                f"{path} is not a field of v{definition.version}",
                                path=target)
        action = _action_for(target, about, decision)
        if is_new != (action == "add"):
            raise DecisionError(
                "bad-action",
                f"{target}: 'add' is for proposed new fields (+term) only" if not is_new
                else f"{target} is a proposed new field: its action is 'add'",
                path=target,
            )
        behind = tuple(r.id for r in about if r.stance == action)
        if not behind:
            raise DecisionError(
                "no-feedback", f"no feedback asked to {_verb(action, target)}", path=target
            )
        note = f": {decision.note}" if decision.note else ""
        if decision.outcome == "reject":
            text = f"Proposal to {_verb(action, path)} not taken up{note}"
        else:
            draft = _apply(draft, path, action, decision, about, version)
            past = {"keep": "Kept", "change": "Changed", "drop": "Dropped", "add": "Added"}
            text = f"{past[action]} {path}{note}"
        draft = with_changelog(
            draft, ChangelogEntry(version, date, text, fields=(path,), feedback=behind)
        )
    check_definition(draft, source=f"v{version} proposed from feedback")
    return draft


def _apply(
    draft: CredentialDefinition,
    path: str,
    action: str,
    decision: Decision,
    about: list[FeedbackRecord],
    version: str,
) -> CredentialDefinition:
    parent, _, term = path.rpartition(".")
    if action == "drop":
        return drop_field(draft, path, version)
    if action == "add":
        asking = [r for r in about if r.stance == "add"]
        labels = Counter(r.proposed_label for r in asking if r.proposed_label).most_common(1)
        spheres = tuple(s for s in SPHERES if any(r.sphere == s for r in asking))
        values: dict[str, Any] = {
            "label": labels[0][0] if labels else term,
            "description": decision.note or (labels[0][0] if labels else term),
            "datatype": "text",
            "spheres": spheres,
            "rationale": decision.note,
            **decision.changes,
        }
        new = Field(term=term, status="proposed", since=version, **values)
        where = decision.parent or parent
        return with_field(draft, new, parent=where)
    current = draft.field(path)
    if action == "keep":
        updated = replace(current, **{"status": "accepted", "discussion": "", **decision.changes})
    else:
        if not decision.changes:
            raise DecisionError(
                "change-without-changes",
                f"an accepted change to {path} needs the new values (changes={{...}})",
                path=path,
            )
        # A decided field has no open question left, unless the decision sets a new one.
        updated = replace(
            current,
            **{"status": "changed", "since": version, "discussion": "", **decision.changes},
        )
    return with_field(draft, updated, parent=parent)


def changelog_frame(definition: CredentialDefinition, *, version: str | None = None) -> pd.DataFrame:
    """The changelog of ``version`` (default: the definition's own) as a table, with record counts."""
    version = version or definition.version
    rows = [
        {
            "change": e.change,
            "fields": ", ".join(e.fields),
            "feedback records": len(e.feedback),
        }
        for e in definition.changelog
        if e.version == version
    ]
    return pd.DataFrame(rows, columns=["change", "fields", "feedback records"])


def feedback_behind(
    definition: CredentialDefinition, feedback: Iterable[FeedbackRecord], path: str
) -> list[FeedbackRecord]:
    """The feedback records the changelog cites for the field at ``path`` (ids no longer present are skipped)."""
    ids = {i for e in definition.changelog if path in e.fields for i in e.feedback}
    return [r for r in feedback if r.id in ids]

