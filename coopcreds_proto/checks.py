"""Named checks: the one verification model of credentials, presentations and policies.

A verifier runs an ordered list of *steps*. Each step has a name, a title a
board member can read, the steps it needs, and a function that returns a
one-line reason when it passes or raises ``CheckFailed`` (any
``CoopCredsError``) with a stable code when it does not. Running them gives
one ``Check`` per step, always in the same order:

- passed: ``ok`` is true, ``message`` says what was found;
- failed: the step ran and did not pass; ``code`` and ``message`` say why;
- skipped: the step could not run because a step it needs did not pass
  (``code`` is ``not-checked``). A skipped check is not a failure of its own:
  ``failed`` never lists it, and a result is verified only if every check
  passed.

>>> steps = (
...     Step("shape", "Well-formed", (), lambda state: "an object"),
...     Step("signature", "Signature", ("shape",), lambda state: fail()),
...     Step("status", "Status", ("signature",), lambda state: "not revoked"),
... )
>>> def fail():
...     raise CheckFailed("bad-signature", "the signature does not match")
>>> checks = run_steps(steps, state=None)
>>> [(c.name, c.mark) for c in checks]
[('shape', '✓'), ('signature', '✗'), ('status', '–')]
>>> [c.name for c in failed(checks)], checks[2].code
(['signature'], 'not-checked')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .errors import CoopCredsError

S = TypeVar("S")

NOT_CHECKED = "not-checked"


class CheckFailed(CoopCredsError):
    """A named check did not pass (its code and one-line reason)."""


@dataclass(frozen=True)
class Check:
    """One named check: passed, failed or skipped, and why, in one line.

    ``code`` is ``None`` for a passed check, the stable error code for a
    failed one and ``not-checked`` for a skipped one. ``title`` is the name a
    person reads (defaults to ``name``).
    """

    name: str
    ok: bool
    message: str
    code: str | None = None
    skipped: bool = False
    title: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.title:
            object.__setattr__(self, "title", self.name)
        if self.ok and (self.skipped or self.code is not None):
            raise ValueError("a passed check has no code and is not skipped")

    @property
    def failed(self) -> bool:
        """True when the check ran and did not pass (a skipped check did not run)."""
        return not self.ok and not self.skipped

    @property
    def mark(self) -> str:
        """``✓`` passed, ``✗`` failed, ``–`` not checked."""
        return "–" if self.skipped else ("✓" if self.ok else "✗")

    @property
    def state(self) -> str:
        """``passed``, ``failed`` or ``skipped``."""
        return "skipped" if self.skipped else ("passed" if self.ok else "failed")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "ok": self.ok,
            "skipped": self.skipped,
            "code": self.code,
            "message": self.message,
        }


def passed(name: str, message: str, title: str = "") -> Check:
    """A passed check."""
    return Check(name, True, message, title=title)


def failed_check(name: str, code: str, message: str, title: str = "") -> Check:
    """A check that ran and did not pass."""
    return Check(name, False, message, code, title=title)


def skipped(name: str, message: str, title: str = "") -> Check:
    """A check that could not run (``not-checked``)."""
    return Check(name, False, message, NOT_CHECKED, skipped=True, title=title)


def failed(checks: Iterable[Check]) -> tuple[Check, ...]:
    """The checks that ran and did not pass, in order."""
    return tuple(c for c in checks if c.failed)


def find(checks: Iterable[Check], name: str) -> Check:
    """The check called ``name`` (``KeyError`` if there is none)."""
    for c in checks:
        if c.name == name:
            return c
    raise KeyError(name)


@dataclass(frozen=True)
class Step(Generic[S]):
    """A named step of a verifier: ``run(state)`` returns the reason it passed or raises.

    ``needs`` names the steps that must have passed for this one to run.
    """

    name: str
    title: str
    needs: tuple[str, ...]
    run: Callable[[S], str]


def run_steps(steps: Sequence[Step[S]], state: S) -> tuple[Check, ...]:
    """Run ``steps`` in order over ``state``; one ``Check`` per step.

    A step whose prerequisites did not all pass is recorded as skipped, naming
    the first one that did not. Only ``CoopCredsError`` counts as a failed
    check; any other exception is a bug and propagates.
    """
    titles = {s.name: s.title for s in steps}
    done: dict[str, Check] = {}
    for step in steps:
        missing = [n for n in step.needs if not (n in done and done[n].ok)]
        if missing:
            why = f"not checked, because “{titles[missing[0]]}” did not pass"
            done[step.name] = skipped(step.name, why, step.title)
            continue
        try:
            done[step.name] = passed(step.name, step.run(state), step.title)
        except CoopCredsError as exc:
            message = str(exc).splitlines()[0]
            done[step.name] = failed_check(step.name, exc.code, message, step.title)
    return tuple(done[s.name] for s in steps)
