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
from .agreements import AgreementRule, agreement_rule, bilateral_pairs, count_agreements
from .value_flows import spending_per_coop

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
    ``affinity[s, t]`` is the share of sector ``s``'s members' spending that goes
    to sector ``t``, split evenly between its co-ops (the value-flow matrix, as
    :mod:`.value_flows` defines it). ``affiliations``: (co-op, apex body) index
    pairs, every apex body a co-op belongs to (default: its ``group``); the
    agreements count them.
    """

    coop_ids: tuple[str, ...]
    sector: np.ndarray
    group: np.ndarray
    members: np.ndarray
    affinity: np.ndarray
    sector_names: tuple[str, ...]
    group_names: tuple[str, ...]
    affiliations: np.ndarray | None = None

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
        if self.affiliations is None:
            grouped = np.flatnonzero(self.group >= 0)
            links = np.column_stack([grouped, self.group[grouped]])
        else:
            links = np.asarray(self.affiliations, dtype=np.int64).reshape(-1, 2)
            if len(links) and ((links < 0).any() or links[:, 0].max() >= n
                               or links[:, 1].max() >= len(self.group_names)):
                raise InputError("bad-group-index", "an affiliation index is out of range",
                                 path="affiliations")
        object.__setattr__(self, "affiliations", _frozen(links, np.int64))

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
    coop_index = {coop: i for i, coop in enumerate(coops["id"])}
    apex_links = links[links["body_id"].isin(apex_index) & links["coop_id"].isin(coop_index)]
    apex_links = apex_links.drop_duplicates(["coop_id", "body_id"])
    affiliations = np.column_stack([
        apex_links["coop_id"].map(coop_index).to_numpy(dtype=np.int64),
        apex_links["body_id"].map(apex_index).to_numpy(dtype=np.int64),
    ])
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
        affiliations=affiliations,
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
    else covers; ``partners``: at most this many partners per co-op (None: a
    full mesh). ``agreements``: which agreements the structure signs
    (:class:`~.agreements.AgreementRule`, counted by
    :func:`~.agreements.count_agreements` as for the graph and the costs).
    """

    model: str
    by_group: bool
    within_group: float
    across_groups: float
    ungrouped: float
    bilateral: bool
    partners: float | None
    agreements: AgreementRule


# Built-in rules for the ecosystem models of data/ecosystem/models/ (ids as
# there). rules_for_model() derives the same from a loaded model definition
# (a test checks).
BUILTIN_RULES = {
    "convenor": RecognitionRules("convenor", False, 1.0, 1.0, 1.0, False, 0.0,
                                 AgreementRule(True, False, "none", 0)),
    "federated": RecognitionRules("federated", True, 1.0, 1.0, 0.0, False, 0.0,
                                  AgreementRule(False, True, "pairs", 0)),
    "peer-to-peer": RecognitionRules("peer-to-peer", False, 0.0, 0.0, 0.0, True, None,
                                     AgreementRule(False, False, "none", None)),
    "hybrid": RecognitionRules("hybrid", True, 1.0, 1.0, 1.0, False, 0.0,
                               AgreementRule(True, True, "anchor", 0)),
}


def rules_for_model(model: EcosystemModel) -> RecognitionRules:
    """Recognition rules of an ecosystem model definition (``models.EcosystemModel``).

    Reads the accreditor (grouping by apex body or not), the anchors (a
    convenor above the apex bodies links all groups and covers co-ops without
    one), the body recognition and the bilateral agreements (signed only by
    co-ops that issue their own credentials).
    """
    roles, trust = model.roles, model.trust
    accredited = roles.accreditor != "none"
    by_group = roles.accreditor == "apex-body"
    convenor_above = "convenor" in trust.anchors and (not by_group or trust.max_chain_length >= 2)
    bodies_recognise = trust.body_recognition == "all-pairs"
    agreement = agreement_rule(model)
    partners = None if agreement.partners is None else float(agreement.partners)
    return RecognitionRules(
        model=model.id,
        by_group=by_group,
        within_group=1.0 if accredited else 0.0,
        across_groups=1.0 if (convenor_above or bodies_recognise or not by_group) and accredited
        else 0.0,
        ungrouped=1.0 if convenor_above else 0.0,
        bilateral=agreement.bilateral,
        partners=partners,
        agreements=agreement,
    )


@dataclass(frozen=True)
class GrowthParams:
    """Adoption parameters of one scenario (all per month).

    ``innovation`` (p) and ``imitation`` (q): Bass coefficients of co-op adoption.
    ``initial_share``: share of co-ops that have adopted at month 0 (rounded to
    whole co-ops, at least one when above zero; which ones is drawn at random).
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
    over 213 Bass-model studies (p = 0.03, q = 0.38 per year), per month
    (p = 0.03 / 12 = 0.0025, q = 0.38 / 12 = 0.0317); the wallet, interaction and
    agreement rates are assumptions to vary.

    Fully mixed (one sector, everyone recognised), co-op adoption is the
    *discrete monthly* Bass map ``F[t+1] = F[t] + (1 - F[t]) (p + (1 - p) q F[t])``,
    not the continuous Bass curve ``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``:
    the map's adopters of month ``t`` react to the share adopted at the start of
    the month, so it runs about half a month behind the curve.
    """

    innovation: float = 0.0025
    imitation: float = 0.0317
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
    the group x group recognition the model gives without bilateral agreements;
    ``affiliations``: (co-op, apex body) index pairs, for counting agreements.
    """

    rules: RecognitionRules
    n_sectors: int
    n_groups: int
    cell: np.ndarray
    members: np.ndarray
    affinity: np.ndarray
    base: np.ndarray
    affiliations: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    # Derived once: the value flows per co-op (.value_flows) and each sector's
    # neighbourhood, the spending that reaches some co-op.
    per_coop: np.ndarray = field(init=False)
    neighbourhood: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        sizes = np.bincount(self.cell // self.n_groups, minlength=self.n_sectors)
        per_coop = spending_per_coop(self.affinity, sizes)
        hood = per_coop @ sizes
        object.__setattr__(self, "per_coop", _frozen(per_coop, float))
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
            affiliations=eco.affiliations if eco.affiliations is not None
            else np.empty((0, 2), dtype=np.int64),
        )


def run_seed(seed: int, run: int) -> np.random.Generator:
    """The adoption stream of run ``run`` of a scenario seeded with ``seed`` (independent streams).

    It draws the same numbers, in the same order, whatever the parameters: one
    uniform per co-op for the co-ops adopting at the start, then one per co-op
    each month. So variants of a scenario that share its seed share their
    random numbers (common random numbers) and differ only by their parameters.
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run,))))


def negotiation_seed(seed: int, run: int, month: int) -> np.random.Generator:
    """The bilateral negotiations' stream of one month of one run: apart from the adoption
    stream and from other months, so that a variant that signs more agreements one
    month does not shift the draws of the next (common random numbers)."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run, 1, month)))
    )


def initial_adopters(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """The co-ops that have adopted at month 0: ``share`` of the ``n`` co-ops, rounded to
    whole co-ops (at least one when ``share`` > 0), chosen at random (``n`` uniforms)."""
    u = rng.random(n)
    k = min(n, max(1, round(share * n))) if share > 0 else 0
    adopted = np.zeros(n, dtype=bool)
    if k:
        adopted[np.argpartition(u, k - 1)[:k]] = True
    return adopted


def recognised_share(inputs: SimulationInputs, adopted: np.ndarray) -> np.ndarray:
    """Each co-op's share of spending (:mod:`.value_flows`) that lands at adopted co-ops
    recognising its credential, by the model's structure alone (no bilateral agreements)."""
    n_s, n_g = inputs.n_sectors, inputs.n_groups
    counts = np.bincount(inputs.cell, weights=adopted, minlength=n_s * n_g).reshape(n_s, n_g)
    recognised = inputs.per_coop @ counts @ inputs.base.T
    return (recognised / inputs.neighbourhood[:, None]).ravel()[inputs.cell]


def simulate_run(inputs: SimulationInputs, params: GrowthParams, *, seed: int, run: int) -> np.ndarray:
    """One seeded run: an array of shape ``(months + 1, len(METRICS))``, row 0 = month 0."""
    # The loop runs 120 times per run and 1,000s of runs per sweep: its cost is
    # the number of numpy calls, so constants are folded in before it starts.
    rng = run_seed(seed, run)
    rules = inputs.rules
    n, n_s, n_g = inputs.n_coops, inputs.n_sectors, inputs.n_groups
    cell, members, per_coop = inputs.cell, inputs.members.astype(float), inputs.per_coop
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
    # Co-ops that issue their own credentials (and so may sign bilateral
    # agreements): grouped models leave out the last group, the co-ops without
    # an apex body.
    issuing_groups = np.arange(n_g) < n_g - 1 if rules.by_group else np.ones(n_g, dtype=bool)
    link_coop, link_body = inputs.affiliations[:, 0], inputs.affiliations[:, 1]
    n_bodies = int(link_body.max()) + 1 if len(link_body) else 0
    agreement_rule = rules.agreements

    adopted = initial_adopters(rng, n, params.initial_share)
    wallets = np.zeros(n)
    out = np.empty((params.months + 1, len(METRICS)))
    for t in range(params.months + 1):
        counts = np.bincount(cell, weights=adopted, minlength=n_s * n_g).reshape(n_s, n_g)
        per_group = counts.sum(axis=0)
        # Recognised, adopted neighbourhood of every cell: what the model gives
        # (convenor, federations) plus the bilateral agreements for the rest.
        recognised = per_coop @ counts @ base_t
        if bilateral:
            per_sector = counts.sum(axis=1)
            pairs = per_sector[:, None] * per_sector
            pairs[diagonal] = per_sector * (per_sector - 1) / 2
            np.divide(agreements, pairs, out=density, where=pairs > 0)
            recognised += (per_coop * density) @ counts @ not_base_t
            recognising = (per_group @ base_t + density @ counts @ not_base_t).ravel()[cell]
        else:
            recognising = (per_group @ base_t)[group_of]
        influence = (recognised * inv_hood).ravel()[cell]

        n_adopted = per_group.sum()
        linked = adopted[link_coop]
        active = np.bincount(link_body, weights=linked, minlength=n_bodies) > 0
        n_agreements = count_agreements(
            agreement_rule, participants=int(n_adopted), apex_links=int(linked.sum()),
            active_apex=int(active.sum()), bilateral=float(agreements[upper].sum()),
        )
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
            issuers = float(per_group[issuing_groups].sum())
            cap = bilateral_pairs(issuers, None if rules.partners is None
                                  else int(rules.partners))
            signed = _negotiate(negotiation_seed(seed, run, t), per_coop, per_sector, density,
                                pairs, agreements, params.agreement_rate, upper, cap)
            agreements[rows, cols] += signed
            if signed.any():
                agreements[cols, rows] = agreements[rows, cols]
        adopted |= newly
    return out


def _negotiate(
    rng: np.random.Generator, per_coop: np.ndarray, per_sector: np.ndarray,
    density: np.ndarray, pairs: np.ndarray, agreements: np.ndarray, rate: float,
    upper: np.ndarray, cap: int,
) -> np.ndarray:
    """This month's new bilateral agreements per sector pair (upper triangle); partners by spending.

    Each adopted co-op of sector s starts ``rate`` negotiations a month, with
    sector t in proportion to its spending there at adopted co-ops (value flows
    per co-op x adopted co-ops of t); only pairs without an agreement yet can
    sign. ``cap``: total agreements allowed (:func:`~.agreements.bilateral_pairs`).
    """
    weights = per_coop * per_sector
    totals = weights.sum(axis=1, keepdims=True)
    started = (rate * per_sector[:, None] / np.where(totals > 0, totals, np.inf)) * weights
    started *= 1.0 - density
    both = started + started.T
    np.fill_diagonal(both, started.diagonal())  # a pair within a sector is started once
    lam = both[upper]
    room = np.maximum(pairs - agreements, 0.0)[upper]
    # Draw the month's total first, never above the cap (partners per co-op).
    expected = lam.sum()
    allowed = int(cap - agreements[upper].sum())
    if expected <= 0 or allowed < 1:
        return np.zeros_like(lam)
    total = min(rng.poisson(expected), allowed)
    return np.minimum(rng.multinomial(total, lam / expected).astype(float), room)


def simulate_runs(
    inputs: SimulationInputs, params: GrowthParams, *, seed: int, runs: Sequence[int]
) -> np.ndarray:
    """Several runs: an array of shape ``(len(runs), months + 1, len(METRICS))``."""
    return np.stack([simulate_run(inputs, params, seed=seed, run=r) for r in runs]) if runs else (
        np.empty((0, params.months + 1, len(METRICS)))
    )
