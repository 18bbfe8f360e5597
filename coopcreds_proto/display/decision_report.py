"""The decision report: why a co-op granted (or refused) a benefit, as one readable table.

Three sections, one row each: the **trust chain** found for each credential's
issuer (who accredited whom, or why no chain was found), the **policy
checks** (✓ passed, ✗ failed, – not checked, each with its one-line reason),
and the **benefit** granted. Shown as text, as HTML in Jupyter, and as a
long-form pandas DataFrame (``frame()``: one row per line of the report).

Public API: ``ReportRow``, ``DecisionReport`` (``.text``, ``.html``,
``_repr_html_``, ``frame()``), ``decision_report(decision, *, trust=None)``.

>>> from coopcreds_proto.trust.recognition import Decision, policy_check
>>> from coopcreds_proto.vc.presentations import PresentationResult
>>> from coopcreds_proto.trust.policy import Benefit, VerifierPolicy
>>> policy = VerifierPolicy(name="p", verifier="did:example:shop", verifier_name="Shop Co-op",
...     trusted_issuers=("did:example:coop",), accepted_types=("Membership",),
...     benefit=Benefit("access", "the members' lounge"))
>>> decision = Decision(False, None, policy, "did:example:ada", PresentationResult(False, ()), (),
...     (policy_check("presentation", False, "Signature: the signature does not match"),))
>>> print(decision_report(decision).text)
Shop Co-op, policy p: REFUSED
Holder: did:example:ada
Trust chain
  –  No credential issuer was looked up
Policy checks
  ✗  Presentation verified  Signature: the signature does not match
Benefit
  ✗  Benefit                none: Presentation verified: Signature: the signature does not match
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import html_views
from ..trust.recognition import Decision, IssuerTrust
from ..trust.registry import Accreditation, Recognition, TrustSource

SECTIONS = ("Trust chain", "Policy checks", "Benefit")
_MARKS = {True: "✓", False: "✗", None: "–"}


@dataclass(frozen=True)
class ReportRow:
    """One line of the report: its section, what was checked, the outcome (``None``: not checked)."""

    section: str
    check: str
    ok: bool | None
    reason: str

    @property
    def mark(self) -> str:
        return _MARKS[self.ok]


@dataclass(frozen=True, repr=False)
class DecisionReport:
    """A decision as a table; build it with ``decision_report``."""

    title: str
    granted: bool
    holder: str | None
    rows: tuple[ReportRow, ...]

    @property
    def text(self) -> str:
        lines = [f"{self.title}: {'GRANTED' if self.granted else 'REFUSED'}",
                 f"Holder: {self.holder or 'unknown'}"]
        width = max((len(r.check) for r in self.rows if r.section != SECTIONS[0]), default=0)
        for section in SECTIONS:
            lines.append(section)
            for row in (r for r in self.rows if r.section == section):
                if section == SECTIONS[0]:
                    lines.append(f"  {row.mark}  {row.check}" + (f": {row.reason}" if row.reason
                                                                else ""))
                else:
                    lines.append(f"  {row.mark}  {row.check:<{width}}  {row.reason}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    @property
    def html(self) -> str:
        """The report as an HTML fragment (every value escaped; the stylesheet not included)."""
        return html_views.render(
            "display/decision_report.html", title=self.title, granted=self.granted,
            holder=self.holder or "unknown",
            sections=[(section, [r for r in self.rows if r.section == section])
                      for section in SECTIONS])

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)

    def frame(self) -> Any:
        """The report as a long-form DataFrame: section, check, result, ok, reason."""
        import pandas as pd  # heavy: pandas, only for the table (`coopcreds verify` prints text)

        return pd.DataFrame(
            [{"section": r.section, "check": r.check, "result": r.mark, "ok": r.ok,
              "reason": r.reason} for r in self.rows],
            columns=["section", "check", "result", "ok", "reason"])


def _namer(trust: TrustSource | None) -> Callable[[str], str]:
    def name(did: str) -> str:
        known = trust.name_of(did) if trust is not None else None
        return known or did

    return name


def _chain_text(answer: IssuerTrust, name: Callable[[str], str]) -> str:
    steps = []
    for link in answer.answer.chain:
        if isinstance(link, Accreditation):
            steps.append(f"{name(link.accreditor)} accredited {name(link.subject)} ({link.id})")
        elif isinstance(link, Recognition):
            steps.append(f"{name(link.recogniser)} recognises {name(link.recognised)}")
    if steps:
        return " → ".join(steps)
    return answer.reasons[0] if answer.reasons else ""


def decision_report(decision: Decision, *, trust: TrustSource | None = None) -> DecisionReport:
    """The report of ``decision``; ``trust`` (a ``TrustRegistry``) names the parties in chains."""
    name = _namer(trust)
    rows: list[ReportRow] = []
    for answer in decision.trust:
        what = f"{answer.label} for {answer.credential_type}"
        reason = (_chain_text(answer, name) if answer.trusted
                  else (answer.reasons[0] if answer.reasons else "no chain found"))
        rows.append(ReportRow(SECTIONS[0], what, answer.trusted, reason))
    if not decision.trust:
        rows.append(ReportRow(SECTIONS[0], "No credential issuer was looked up", None, ""))
    for check in decision.checks:
        rows.append(ReportRow(SECTIONS[1], check.title, None if check.skipped else check.ok,
                              check.message))
    if decision.granted and decision.benefit is not None:
        rows.append(ReportRow(SECTIONS[2], "Benefit", True, decision.benefit.describe()))
    else:
        why = decision.reasons[0] if decision.reasons else "the policy was not met"
        rows.append(ReportRow(SECTIONS[2], "Benefit", False, f"none: {why}"))
    policy = decision.policy
    return DecisionReport(f"{policy.verifier_name}, policy {policy.name}", decision.granted,
                          decision.holder, tuple(rows))


__all__ = ["SECTIONS", "DecisionReport", "ReportRow", "decision_report"]
