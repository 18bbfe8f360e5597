"""What the value-flow matrix means, once, for the simulation, the metrics and the chord diagram.

``flows[h, t]`` is the share of the spending of a member whose home sector is
``h`` that goes to sector ``t``. Within sector ``t`` it is **split evenly
between the sector's co-ops**: a sector's weight does not grow with its number
of co-ops, only each co-op's slice shrinks. So a member who spends half in a
sector of 2 co-ops and half in a sector of 8 spends a quarter at each of the 2
and a sixteenth at each of the 8; if only the 2 recognise the credential, half
of the member's spending reaches a co-op that recognises it:

>>> flows = np.array([[0.5, 0.5], [0.5, 0.5]])
>>> per_coop = spending_per_coop(flows, np.array([2, 8]))
>>> per_coop[0].tolist()
[0.25, 0.0625]
>>> float(recognised_spending(flows, np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]),
...                           np.array([True, True] + [False] * 8))[0])
0.5

Spending in a sector that has no co-ops reaches no co-op. The chord diagram
(:func:`~.plots.plot_value_flows`) draws :func:`sector_spending`: each sector's
members times their shares, the same matrix in money rather than shares.
"""

from __future__ import annotations

import numpy as np


def spending_per_coop(flows: np.ndarray, coops_per_sector: np.ndarray) -> np.ndarray:
    """``W[h, t]``: the share of a home-sector-``h`` member's spending at *one* co-op of sector ``t``."""
    flows = np.asarray(flows, dtype=float)
    sizes = np.asarray(coops_per_sector, dtype=float)
    return np.divide(flows, sizes[None, :], out=np.zeros_like(flows), where=sizes[None, :] > 0)


def recognised_spending(
    flows: np.ndarray, coop_sector: np.ndarray, recognising: np.ndarray
) -> np.ndarray:
    """Per home sector: the share of a member's spending that goes to co-ops in ``recognising``.

    ``coop_sector``: each co-op's sector index; ``recognising``: a boolean per co-op.
    """
    coop_sector = np.asarray(coop_sector)
    n_s = np.asarray(flows).shape[0]
    sizes = np.bincount(coop_sector, minlength=n_s)
    hits = np.bincount(coop_sector, weights=np.asarray(recognising, dtype=float), minlength=n_s)
    return spending_per_coop(flows, sizes) @ hits


def sector_spending(flows: np.ndarray, members_per_sector: np.ndarray) -> np.ndarray:
    """``S[h, t]``: spending of sector ``h``'s members in sector ``t`` (members x share)."""
    return np.asarray(flows, dtype=float) * np.asarray(members_per_sector, dtype=float)[:, None]
