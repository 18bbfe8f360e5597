"""A live round's next draft and pack, made from the workshop store with no code.

The facilitator's decisions (adopt, change, drop, defer) become the
consultation's :class:`~coopcreds_proto.consultation.proposals.Decision` per
field, the next draft is proposed from them, the adoption votes recorded in
the console join it, and the pack carries a summary first, the decisions and
every comment in an appendix.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from ..consultation.proposals import Decision, DecisionError, propose_next_version
from ..consultation.store import StoredDecision, WorkshopStore
from ..definitions.definition import AdoptionDecision, CredentialDefinition, DefinitionError
from .pack import WorkshopPack, build_pack

HIDDEN_NOTE = "Hidden by the facilitator: {reason}"


def as_decision(stored: StoredDecision, stances: Counter[str]) -> Decision:
    """The consultation's decision for one stored decision (``stances``: what the views asked)."""
    new = stored.target.startswith("+")
    if stored.outcome == "adopt":
        return Decision("accept", "add" if new else "keep", note=stored.reason)
    if stored.outcome == "change":
        return Decision("accept", "change", note=stored.reason,
                        changes={"label": stored.label} if stored.label else {})
    if stored.outcome == "drop":
        return Decision("accept", "drop", note=stored.reason)
    asked = "add" if new else next(
        (s for s, _ in stances.most_common() if s in ("keep", "change", "drop")), "keep")
    return Decision("reject", asked, note=stored.reason)


def next_draft(store: WorkshopStore, round_id: str, definition: CredentialDefinition
               ) -> tuple[CredentialDefinition | None, str]:
    """The next draft from the round's decisions and votes, or None and why not ("" when no
    decision is recorded yet)."""
    decisions = store.decisions(round_id)
    if not decisions:
        return None, ""
    records = store.records(round_id)
    stances: dict[str, Counter[str]] = {}
    for record in records:
        stances.setdefault(record.target, Counter())[record.stance] += 1
    mapping = {d.target: as_decision(d, stances.get(d.target, Counter())) for d in decisions}
    try:
        proposal = propose_next_version(definition, records, mapping)
    except (DecisionError, DefinitionError) as exc:
        return None, exc.message
    votes = tuple(AdoptionDecision(v.time[:10], v.rule, v.votes_for, v.votes_against,
                                   v.abstentions, body=v.body)
                  for v in store.votes(round_id) if v.version == proposal.version)
    return replace(proposal, decisions=proposal.decisions + votes), ""


def pack_from_store(store: WorkshopStore, round_id: str, definition: CredentialDefinition, *,
                    generated_at: datetime | str) -> WorkshopPack:
    """The pack of a round: summary, draft, what was said, decisions, changes, every comment."""
    room = store.round(round_id)
    records = store.records(round_id)
    views = store.current_views(round_id)
    decisions = store.decisions(round_id)
    proposal, problem = next_draft(store, round_id, definition)
    outcomes = Counter(d.outcome for d in decisions)
    people = len(store.participants(round_id))
    summary = [
        (f"{people} {'person' if people == 1 else 'people'} joined the round"
        f" \u201c{room.title}\u201d on draft {room.draft_version};"
        f" {len(records)} view{'s' * (len(records) != 1)} count"
        f" ({sum(1 for v in views if v.comment)} with a comment)."),
        (f"{len(decisions)} decision{'s' * (len(decisions) != 1)}: "
         + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())) + ".")
        if decisions else "No decision was recorded.",
    ]
    if proposal is not None:
        summary.append(f"The next draft is version {proposal.version}.")
        for vote in proposal.decisions:
            result = "adopted" if vote.passed else "not adopted"
            summary.append(f"Adoption vote on {proposal.version}: {vote.votes_for} for,"
                           f" {vote.votes_against} against, {vote.abstentions} abstaining"
                           f" ({vote.rule_text}): {result}.")
    elif problem:
        summary.append(f"No next draft could be made from the decisions: {problem}.")
    if room.closed_at:
        summary.append(f"The round was closed at {room.closed_at}.")
    labels = {path: f.label for path, f in definition.iter_fields()}
    appendix = [{"field": labels.get(v.target, v.target), "sphere": v.sphere,
                 "stance": v.stance, "priority": str(v.priority), "comment": v.comment,
                 "who": v.shown_as,
                 "note": HIDDEN_NOTE.format(reason=v.hidden_reason) if v.hidden else ""}
                for v in views if v.comment]
    return build_pack(definition, records, generated_at=generated_at, proposal=proposal,
                      title=f"Workshop pack: {room.title}, draft {room.draft_version}",
                      summary=summary, appendix=appendix)
