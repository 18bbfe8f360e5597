"""Recognition agreements: how many a model's structure signs, counted in one place.

An agreement is one pair of organisations that have agreed to trust each
other's credentials in some way (an accreditation, issuing on someone's behalf,
recognising a body, a bilateral recognition). Under an ecosystem model:

- each participating co-op agrees with the **convenor** (hub and hybrid models),
- and with **each of its apex bodies** (federated and hybrid models);
- apex bodies that have participating co-ops agree **with each other** (every
  two of them, when bodies recognise each other) or **with the convenor** above
  them (hybrid);
- co-ops that issue their own credentials sign **bilateral** agreements: each
  co-op with ``k`` partners (the model's ``bilateral_agreements``), so ``n``
  co-ops sign ``ceil(n k / 2)`` agreements (one co-op has ``k + 1`` partners when
  ``n k`` is odd), or every pair of them for a full mesh.

The graph wires these agreements (:func:`~.graph.build_graph`), the growth
simulation counts the ones the co-ops that adopted so far have signed and the
cost models price them; all three use :func:`count_agreements`.

>>> bilateral_pairs(50, 4), bilateral_pairs(5, 1), bilateral_pairs(10, None)
(100, 3, 45)
>>> rule = AgreementRule(with_convenor=True, with_apex=True, body_links="anchor", partners=0)
>>> count_agreements(rule, participants=50, apex_links=41, active_apex=4)
95
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only: the simulation workers need no pandas
    from .models import EcosystemModel

BODY_LINKS = ("none", "pairs", "anchor")


@dataclass(frozen=True)
class AgreementRule:
    """Which agreements a model's structure needs (see the module docstring).

    ``with_convenor``: each participant with the convenor; ``with_apex``: each
    participant with each of its apex bodies; ``body_links``: ``none``,
    ``pairs`` (every two active apex bodies) or ``anchor`` (each active apex
    body with the convenor); ``partners``: bilateral partners per issuing co-op
    (0: none, ``None``: every other issuing co-op, a full mesh).
    """

    with_convenor: bool
    with_apex: bool
    body_links: str
    partners: int | None

    @property
    def bilateral(self) -> bool:
        """Whether co-ops sign bilateral agreements at all."""
        return self.partners is None or self.partners > 0


def agreement_rule(model: EcosystemModel) -> AgreementRule:
    """The agreements of an ecosystem model definition (``models.EcosystemModel``).

    Bilateral agreements are signed between co-ops that issue their own
    credentials, so a model whose convenor issues for everyone signs none.
    """
    topology = model.topology
    agreements = model.trust.bilateral_agreements
    issuing_coops = model.roles.issuer == "cooperative"
    partners: int | None = None if agreements == "full-mesh" else int(agreements)
    if not issuing_coops:
        partners = 0
    if topology == "hybrid":
        body_links = "anchor"
    elif topology == "federated" and model.trust.body_recognition == "all-pairs":
        body_links = "pairs"
    else:
        body_links = "none"
    return AgreementRule(
        with_convenor=topology in ("hub", "hybrid"),
        with_apex=topology in ("federated", "hybrid"),
        body_links=body_links,
        partners=partners,
    )


def bilateral_pairs(issuers: float, partners: float | None) -> int:
    """Bilateral agreements among ``issuers`` co-ops with ``partners`` each (None: all pairs).

    ``ceil(n k / 2)`` pairs, never more than the ``n (n - 1) / 2`` pairs there are.
    """
    n = int(issuers)
    every = n * (n - 1) // 2
    if partners is None:
        return every
    return min(math.ceil(n * partners / 2), every)


def body_agreements(rule: AgreementRule, active_apex: int) -> int:
    """Agreements between bodies, given how many apex bodies have participating co-ops."""
    if rule.body_links == "pairs":
        return active_apex * (active_apex - 1) // 2
    if rule.body_links == "anchor":
        return active_apex
    return 0


def count_agreements(
    rule: AgreementRule,
    *,
    participants: int,
    apex_links: int,
    active_apex: int,
    bilateral: float | None = None,
    issuers: int | None = None,
) -> int:
    """Agreements signed by ``participants`` co-ops under ``rule``.

    ``apex_links``: (participant, apex body) affiliations; ``active_apex``: apex
    bodies with at least one participant; ``bilateral``: the bilateral agreements
    signed so far (default: all that ``rule`` allows among ``issuers``, which
    defaults to the participants).
    """
    total = body_agreements(rule, active_apex)
    if rule.with_convenor:
        total += participants
    if rule.with_apex:
        total += apex_links
    if rule.bilateral:
        if bilateral is None:
            bilateral = bilateral_pairs(participants if issuers is None else issuers,
                                        rule.partners)
        total += round(bilateral)
    return total


def ring_partners(n: int, partners: int) -> np.ndarray:
    """Index pairs ``(i, j)``, ``i < j``, giving each of ``n`` co-ops in a ring ``partners``
    partners: its ``partners // 2`` nearest on each side, and for an odd number the
    co-op opposite (:func:`bilateral_pairs` of them)."""
    if n < 2 or partners <= 0:
        return np.empty((0, 2), dtype=np.int64)
    if partners >= n - 1:
        i, j = np.triu_indices(n, k=1)
        return np.column_stack([i, j]).astype(np.int64)
    left, right = [], []
    for offset in range(1, partners // 2 + 1):
        left.append(np.arange(n))
        right.append((np.arange(n) + offset) % n)
    if partners % 2:
        half = n // 2 if n % 2 == 0 else (n - 1) // 2
        count = n // 2 if n % 2 == 0 else (n + 1) // 2
        left.append(np.arange(count))
        right.append((np.arange(count) + half) % n)
    a, b = np.concatenate(left), np.concatenate(right)
    pairs = np.unique(np.column_stack([np.minimum(a, b), np.maximum(a, b)]), axis=0)
    return pairs.astype(np.int64)
