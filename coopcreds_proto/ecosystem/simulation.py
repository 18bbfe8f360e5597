"""Growth of a co-op credential ecosystem: Bass-style adoption with network effects.

One run simulates, month by month, which co-operatives adopt the credential,
how many of their members hold it in a wallet, how many interactions it is
used for and how many recognition agreements the ecosystem needs.

Co-op adoption (per month, for a co-op that has not adopted yet)::

    P(adopt) = 1 - (1 - p) * (1 - q * I)

with ``p`` the innovation rate, ``q`` the imitation rate and ``I`` the share of
the co-op's economic neighbourhood (other co-ops weighted by the sector
affinity from the value flows) that has adopted *and* whose credentials the
co-op would recognise under the ecosystem model.

Metrics per month (``METRICS``): ``adopted_coops`` and ``adoption_share``;
``wallet_holders``, members of adopted co-ops who hold the credential (they
take it up with probability ``1 - (1 - wi) * (1 - wq * r)``, ``r`` the share of
co-ops that recognise it; as expected values, members being many per co-op);
``interactions``, the wallet holders' cross-co-op transactions that land where
the credential is recognised; ``agreements``, the recognition agreements signed
so far (co-op with body, body with body, and bilateral).

Recognition structure (:class:`RecognitionRules`, derived from the model
definitions in ``data/ecosystem/models/`` by :func:`rules_for_model`):

- ``convenor`` (hub): every participant is recognised everywhere via the convenor;
- ``federated``: recognised within the co-op's federation (apex body) and in the
  federations that recognise it;
- ``peer-to-peer``: recognised only where a bilateral agreement exists;
  agreements are negotiated over time (``agreement_rate`` per adopted co-op per
  month, up to the model's partners per co-op);
- ``hybrid``: apex bodies accredit their co-ops and a convenor above them links
  the federations and covers co-ops without an apex body.

The inner loop works on co-op arrays and on small sector x group matrices, never
on co-ops one by one: cost per month is O(n + S^2 G + S G^2). Bilateral
agreements are tracked per sector pair (a mean-field description: the share of
adopted pairs of two sectors that have an agreement), which is what makes a
2,000-co-op mesh tractable without an n x n matrix.

Every run draws from its own ``numpy.random.Generator`` seeded by
``SeedSequence(seed, spawn_key=(run,))``: run ``k`` gives the same numbers on
any executor, in any order.

>>> eco = synthetic_ecosystem(60, seed=1)
>>> inputs = SimulationInputs.build(eco, "convenor")
>>> out = simulate_run(inputs, GrowthParams(months=12), seed=7, run=0)
>>> out.shape  # (months + 1, len(METRICS))
(13, 5)
>>> bool((np.diff(out[:, METRICS.index("adopted_coops")]) >= 0).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only: the simulation itself needs no pandas
    from .data import Ecosystem
    from .models import EcosystemModel

METRICS = ("adopted_coops", "adoption_share", "wallet_holders", "interactions", "agreements")


def _frozen(array: np.ndarray, dtype: type | np.dtype) -> np.ndarray:
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class EcosystemArrays:
    """What the simulation needs to know about the co-ops, as arrays (one entry per co-op).

    ``sector`` indexes ``sector_names``; ``group`` indexes ``group_names`` (the
    apex body / federation a co-op belongs to) or is -1 for a co-op without one.
    ``affinity[s, t]`` is how much of sector ``s``'s members' spending could reach
    sector ``t`` (the value-flow matrix; only relative sizes matter).
    """

    coop_ids: tuple[str, ...]
    sector: np.ndarray
    group: np.ndarray
    members: np.ndarray
    affinity: np.ndarray
    sector_names: tuple[str, ...]
    group_names: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.coop_ids)
        n_s = len(self.sector_names)
        checks = {
            "sector": (self.sector, np.int64, (n,)),
            "group": (self.group, np.int64, (n,)),
            "members": (self.members, np.int64, (n,)),
            "affinity": (self.affinity, np.float64, (n_s, n_s)),
        }
        for name, (value, dtype, shape) in checks.items():
            arr = np.asarray(value)
            if arr.shape != shape:
                raise InputError(
                    "bad-ecosystem-shape", f"{name} has shape {arr.shape}, expected {shape}",
                    path=name,
                )
            object.__setattr__(self, name, _frozen(arr, dtype))
        if n == 0:
            raise InputError("empty-ecosystem", "the ecosystem has no co-operatives", path="coop_ids")
        if self.sector.min() < 0 or self.sector.max() >= n_s:
            raise InputError("bad-sector-index", "a sector index is out of range", path="sector")
        if self.group.min() < -1 or self.group.max() >= len(self.group_names):
            raise InputError("bad-group-index", "a group index is out of range", path="group")
        if (self.members < 0).any():
            raise InputError("negative-members", "a member count is negative", path="members")
        if (self.affinity < 0).any() or not np.isfinite(self.affinity).all():
            raise InputError("bad-affinity", "affinities must be finite and >= 0", path="affinity")

    @property
    def n_coops(self) -> int:
        return len(self.coop_ids)

    def __repr__(self) -> str:
        return (
            f"EcosystemArrays(n_coops={self.n_coops}, sectors={len(self.sector_names)}, "
            f"groups={len(self.group_names)}, members={int(self.members.sum())})"
        )


def synthetic_ecosystem(
    n_coops: int, *, n_sectors: int = 8, n_groups: int = 6, seed: int,
    unaffiliated_share: float = 0.1,
) -> EcosystemArrays:
    """A synthetic ecosystem as arrays, for tests and benchmarks (no data files needed).

    Sectors and federations have uneven sizes, members per co-op are log-normal
    (median ~200), the value flows favour a co-op's own sector, and
    ``unaffiliated_share`` of the co-ops belong to no federation.

    >>> synthetic_ecosystem(10, seed=3).n_coops
    10
    """
    if n_coops <= 0 or n_sectors <= 0 or n_groups <= 0:
        raise InputError("bad-size", "n_coops, n_sectors and n_groups must be positive")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sector = rng.choice(n_sectors, size=n_coops, p=rng.dirichlet(np.full(n_sectors, 2.0)))
    group = rng.choice(n_groups, size=n_coops, p=rng.dirichlet(np.full(n_groups, 2.0)))
    group[rng.random(n_coops) < unaffiliated_share] = -1
    members = np.maximum(1, rng.lognormal(np.log(200.0), 1.2, size=n_coops)).astype(np.int64)
    affinity = rng.gamma(1.0, 1.0, size=(n_sectors, n_sectors)) + 3.0 * np.eye(n_sectors)
    return EcosystemArrays(
        coop_ids=tuple(f"coop-{i:05d}" for i in range(n_coops)),
        sector=sector, group=group, members=members, affinity=affinity,
        sector_names=tuple(f"sector-{s}" for s in range(n_sectors)),
        group_names=tuple(f"federation-{g}" for g in range(n_groups)),
    )


def ecosystem_arrays(eco: Ecosystem) -> EcosystemArrays:
    """The simulation arrays of an ecosystem loaded from data (``data.Ecosystem``).

    Sector and members come from ``coops``; a co-op's group is the first apex
    body (by id) it is affiliated with, -1 if none; the affinity is the value-flow
    matrix in the order of ``eco.sectors``.
    """
    coops, bodies, links = eco.coops, eco.bodies, eco.affiliations
    sectors = tuple(eco.value_flows.index)
    apex = sorted(bodies.loc[bodies["kind"] == "apex", "id"])
    apex_index = {body: i for i, body in enumerate(apex)}
    first_apex = (
        links[links["body_id"].isin(apex_index)].sort_values(["coop_id", "body_id"])
        .drop_duplicates("coop_id").set_index("coop_id")["body_id"]
    )
    group = coops["id"].map(first_apex).map(apex_index).fillna(-1).to_numpy(dtype=np.int64)
    sector = coops["sector"].map({name: i for i, name in enumerate(sectors)})
    if sector.isna().any():
        bad = coops.loc[sector.isna(), "sector"].iloc[0]
        raise InputError("unknown-sector", f"co-op sector {bad!r} is not in the value flows",
                         path="coops.sector")
    return EcosystemArrays(
        coop_ids=tuple(coops["id"]),
        sector=sector.to_numpy(dtype=np.int64),
        group=group,
        members=coops["members"].to_numpy(dtype=np.int64),
        affinity=eco.value_flows.loc[list(sectors), list(sectors)].to_numpy(dtype=float),
        sector_names=sectors,
        group_names=tuple(apex),
    )


@dataclass(frozen=True)
class RecognitionRules:
    """Where a co-op's credentials are recognised under one ecosystem model.

    ``by_group``: co-ops are accredited by their apex body (grouped by it).
    ``within_group``: recognition between co-ops of the same group (or of the
    whole ecosystem when not ``by_group``): 1 when a body accredits them.
    ``across_groups``: recognition between groups (1 when the bodies recognise
    each other or share a convenor above them). ``ungrouped``: recognition of
    co-ops with no apex body (1 when the convenor issues for them).
    ``bilateral``: co-ops negotiate bilateral agreements for the pairs nothing
    else covers; ``partners``: at most this many agreements per co-op on average
    (None: a full mesh). ``via_body``: each adopting co-op signs one agreement
    with a body; ``body_links``: agreements between bodies: ``none``,
    ``pairs`` (every two active bodies) or ``anchor`` (each active body with the
    convenor).
    """

    model: str
    by_group: bool
    within_group: float
    across_groups: float
    ungrouped: float
    bilateral: bool
    partners: float | None
    via_body: bool
    body_links: str = "none"


# Built-in rules for the ecosystem models of data/ecosystem/models/ (ids as
# there). rules_for_model() derives the same from a loaded model definition.
BUILTIN_RULES = {
    "convenor": RecognitionRules("convenor", False, 1.0, 1.0, 1.0, False, 0.0, True),
    "federated": RecognitionRules("federated", True, 1.0, 1.0, 0.0, False, 0.0, True, "pairs"),
    "peer-to-peer": RecognitionRules("peer-to-peer", False, 0.0, 0.0, 0.0, True, None, False),
    "hybrid": RecognitionRules("hybrid", True, 1.0, 1.0, 1.0, False, 0.0, True, "anchor"),
}


def rules_for_model(model: EcosystemModel) -> RecognitionRules:
    """Recognition rules of an ecosystem model definition (``models.EcosystemModel``).

    Reads the accreditor (grouping by apex body or not), the anchors (a
    convenor above the apex bodies links all groups and covers co-ops without
    one), the body recognition and the bilateral agreements.
    """
    roles, trust = model.roles, model.trust
    accredited = roles.accreditor != "none"
    by_group = roles.accreditor == "apex-body"
    convenor_above = "convenor" in trust.anchors and (not by_group or trust.max_chain_length >= 2)
    bodies_recognise = trust.body_recognition == "all-pairs"
    agreements = trust.bilateral_agreements
    partners = None if agreements == "full-mesh" else float(agreements)
    if by_group:
        body_links = "anchor" if convenor_above else "pairs" if bodies_recognise else "none"
    else:
        body_links = "none"
    return RecognitionRules(
        model=model.id,
        by_group=by_group,
        within_group=1.0 if accredited else 0.0,
        across_groups=1.0 if (convenor_above or bodies_recognise or not by_group) and accredited
        else 0.0,
        ungrouped=1.0 if convenor_above else 0.0,
        bilateral=partners is None or partners > 0,
        partners=partners,
        via_body=accredited,
        body_links=body_links,
    )


@dataclass(frozen=True)
class GrowthParams:
    """Adoption parameters of one scenario (all per month).

    ``innovation`` (p) and ``imitation`` (q): Bass coefficients of co-op adoption.
    ``initial_share``: share of co-ops that have adopted at month 0.
    ``wallet_innovation`` / ``wallet_imitation``: members of an adopted co-op take
    up a wallet with probability ``1 - (1 - wi) * (1 - wq * r)``, with ``r`` the
    share of all co-ops that recognise their credential.
    ``interactions_per_member``: cross-co-op transactions per wallet holder per
    month, spread over sectors as the value flows say; only those landing where
    the credential is recognised count.
    ``agreement_rate``: new bilateral agreements each adopted co-op negotiates per
    month (``p2p`` and ``hybrid`` only).
    ``months``: length of the simulation.

    The default p and q are the averages Sultan, Farley & Lehmann (1990) found
    over 213 Bass-model studies (p = 0.03, q = 0.38 per year), per month; the
    wallet, interaction and agreement rates are assumptions to vary.
    """

    innovation: float = 0.0025
    imitation: float = 0.035
    initial_share: float = 0.01
    wallet_innovation: float = 0.01
    wallet_imitation: float = 0.08
    interactions_per_member: float = 2.0
    agreement_rate: float = 0.5
    months: int = 120

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "months":
                if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                    raise InputError(
                        "bad-months", f"months must be a positive integer, got {value!r}",
                        path=f.name,
                    )
                continue
            if isinstance(value, bool) or not np.isfinite(value):
                raise InputError("bad-number", f"{f.name} must be a finite number", path=f.name)
            if value < 0:
                raise InputError(
                    "negative-rate", f"{f.name} must be >= 0, got {value}", path=f.name
                )
            if f.name in PROBABILITY_FIELDS and value > 1:
                raise InputError(
                    "probability-above-one", f"{f.name} is a probability, got {value} > 1",
                    path=f.name,
                )


PROBABILITY_FIELDS = frozenset(
    {"innovation", "imitation", "initial_share", "wallet_innovation", "wallet_imitation"}
)


@dataclass(frozen=True, eq=False)
class SimulationInputs:
    """An ecosystem seen through one ecosystem model: what the inner loop runs on.

    ``cell`` is each co-op's (sector, recognition group) cell index; ``base`` is
    the group x group recognition the model gives without bilateral agreements.
    """

    rules: RecognitionRules
    n_sectors: int
    n_groups: int
    cell: np.ndarray
    members: np.ndarray
    affinity: np.ndarray
    base: np.ndarray
    # Derived once: each sector's affinity-weighted neighbourhood.
    neighbourhood: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        sizes = np.bincount(self.cell // self.n_groups, minlength=self.n_sectors)
        hood = self.affinity @ sizes
        # A sector with no neighbours at all gets no imitation (not a division by zero).
        object.__setattr__(self, "neighbourhood", _frozen(np.where(hood > 0, hood, np.inf), float))

    @property
    def n_coops(self) -> int:
        return int(self.cell.shape[0])

    @classmethod
    def build(cls, eco: EcosystemArrays, rules: RecognitionRules | str) -> SimulationInputs:
        """The recognition structure of ``rules`` (or a built-in model id) over ``eco``.

        >>> SimulationInputs.build(synthetic_ecosystem(20, seed=1), "federated").n_groups
        7
        """
        if isinstance(rules, str):
            if rules not in BUILTIN_RULES:
                raise InputError(
                    "unknown-model",
                    f"unknown ecosystem model {rules!r} (expected one of "
                    f"{', '.join(BUILTIN_RULES)})",
                    path="model",
                )
            rules = BUILTIN_RULES[rules]
        if rules.by_group:
            # The last group holds the co-ops without an apex body.
            n_g = len(eco.group_names) + 1
            group = np.where(eco.group < 0, n_g - 1, eco.group)
            base = np.full((n_g, n_g), rules.across_groups)
            np.fill_diagonal(base, rules.within_group)
            base[-1, :] = base[:, -1] = rules.ungrouped
        else:
            n_g = 1
            group = np.zeros(eco.n_coops, dtype=np.int64)
            base = np.array([[rules.within_group]])
        return cls(
            rules=rules, n_sectors=len(eco.sector_names), n_groups=n_g,
            cell=_frozen(eco.sector * n_g + group, np.int64),
            members=eco.members, affinity=eco.affinity, base=_frozen(base, np.float64),
        )


def run_seed(seed: int, run: int) -> np.random.Generator:
    """The generator of run ``run`` of a scenario seeded with ``seed`` (independent streams)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run,))))


def simulate_run(inputs: SimulationInputs, params: GrowthParams, *, seed: int, run: int) -> np.ndarray:
    """One seeded run: an array of shape ``(months + 1, len(METRICS))``, row 0 = month 0."""
    # The loop runs 120 times per run and 1,000s of runs per sweep: its cost is
    # the number of numpy calls, so constants are folded in before it starts.
    rng = run_seed(seed, run)
    rules = inputs.rules
    n, n_s, n_g = inputs.n_coops, inputs.n_sectors, inputs.n_groups
    cell, members, affinity = inputs.cell, inputs.members.astype(float), inputs.affinity
    group_of = cell % n_g
    base_t, not_base_t = inputs.base.T, (1.0 - inputs.base).T
    inv_hood = (1.0 / inputs.neighbourhood)[:, None]
    p = params.innovation
    q_eff = (1.0 - p) * params.imitation  # 1-(1-p)(1-qI) = p + (1-p) q I
    wp = params.wallet_innovation
    wq_eff = (1.0 - wp) * params.wallet_imitation / n  # per recognising co-op
    ipm = params.interactions_per_member
    bilateral = rules.bilateral
    # Bilateral agreements per sector pair, a symmetric matrix (diagonal: pairs
    # within a sector); only p2p-like models use them.
    agreements = np.zeros((n_s, n_s))
    density = np.zeros((n_s, n_s))
    diagonal = np.eye(n_s, dtype=bool)
    upper = np.triu(np.ones((n_s, n_s), dtype=bool))
    rows, cols = np.nonzero(upper)
    # Bodies that sign agreements: every group but the "no apex body" one.
    bodies = np.arange(n_g) < n_g - 1 if rules.by_group else np.zeros(n_g, dtype=bool)
    body_links = rules.body_links if rules.via_body else "none"

    adopted = rng.random(n) < params.initial_share
    wallets = np.zeros(n)
    out = np.empty((params.months + 1, len(METRICS)))
    for t in range(params.months + 1):
        counts = np.bincount(cell, weights=adopted, minlength=n_s * n_g).reshape(n_s, n_g)
        per_group = counts.sum(axis=0)
        # Recognised, adopted neighbourhood of every cell: what the model gives
        # (convenor, federations) plus the bilateral agreements for the rest.
        recognised = affinity @ counts @ base_t
        if bilateral:
            per_sector = counts.sum(axis=1)
            pairs = per_sector[:, None] * per_sector
            pairs[diagonal] = per_sector * (per_sector - 1) / 2
            np.divide(agreements, pairs, out=density, where=pairs > 0)
            recognised += (affinity * density) @ counts @ not_base_t
            recognising = (per_group @ base_t + density @ counts @ not_base_t).ravel()[cell]
        else:
            recognising = (per_group @ base_t)[group_of]
        influence = (recognised * inv_hood).ravel()[cell]

        n_adopted = per_group.sum()
        n_agreements = agreements[upper].sum()
        if rules.via_body:
            n_agreements += n_adopted
            if body_links != "none":
                active = float((bodies & (per_group > 0)).sum())
                n_agreements += active * (active - 1) / 2 if body_links == "pairs" else active
        out[t] = (n_adopted, n_adopted / n, wallets.sum(), ipm * (wallets @ influence),
                  n_agreements)
        if t == params.months:
            break

        newly = rng.random(n) < p + q_eff * influence
        # Members are many per co-op: their wallet uptake is the expected value
        # (a binomial draw per co-op would cost more than the rest of the month
        # and add only noise of relative size 1/sqrt(members)).
        wallets += (members - wallets) * (wp + wq_eff * recognising) * adopted
        if bilateral:
            cap = np.inf if rules.partners is None else rules.partners * n_adopted / 2
            signed = _negotiate(rng, affinity, per_sector, density, pairs, agreements,
                                params.agreement_rate, upper, cap)
            agreements[rows, cols] += signed
            if signed.any():
                agreements[cols, rows] = agreements[rows, cols]
        adopted |= newly
    return out


def _negotiate(
    rng: np.random.Generator, affinity: np.ndarray, per_sector: np.ndarray,
    density: np.ndarray, pairs: np.ndarray, agreements: np.ndarray, rate: float,
    upper: np.ndarray, cap: float,
) -> np.ndarray:
    """This month's new bilateral agreements per sector pair (upper triangle); partners by affinity.

    Each adopted co-op of sector s starts ``rate`` negotiations a month, with
    sector t in proportion to affinity x adopted co-ops of t; only pairs without
    an agreement yet can sign. ``cap``: total agreements allowed (partners per co-op).
    """
    weights = affinity * per_sector
    totals = weights.sum(axis=1, keepdims=True)
    started = (rate * per_sector[:, None] / np.where(totals > 0, totals, np.inf)) * weights
    started *= 1.0 - density
    both = started + started.T
    np.fill_diagonal(both, started.diagonal())  # a pair within a sector is started once
    lam = both[upper]
    room = np.maximum(pairs - agreements, 0.0)[upper]
    if np.isinf(cap):
        signed = np.minimum(rng.poisson(lam), room)
    else:
        # Capped (partners per co-op): draw the month's total first, never above the cap.
        expected = lam.sum()
        allowed = int(cap - agreements[upper].sum())
        if expected <= 0 or allowed < 1:
            return np.zeros_like(lam)
        total = min(rng.poisson(expected), allowed)
        signed = np.minimum(rng.multinomial(total, lam / expected).astype(float), room)
    return signed


def simulate_runs(
    inputs: SimulationInputs, params: GrowthParams, *, seed: int, runs: Sequence[int]
) -> np.ndarray:
    """Several runs: an array of shape ``(len(runs), months + 1, len(METRICS))``."""
    return np.stack([simulate_run(inputs, params, seed=seed, run=r) for r in runs]) if runs else (
        np.empty((0, params.months + 1, len(METRICS)))
    )
