"""A seeded synthetic ecosystem of any size, calibrated on public figures.

The figures it follows and every guess it makes are in :data:`CALIBRATION`
and :data:`ASSUMPTIONS` (and in ``data/ecosystem/README.md``). Members are
generated as *segments with counts* (people who share the same co-ops), so a
million people cost a few tens of thousands of rows; everything is vectorised
with numpy, there is no loop over people.

>>> eco = generate_ecosystem(200, seed=7)
>>> eco.n_coops, eco.n_members == round(200 * PEOPLE_PER_COOP)
(200, True)
>>> generate_ecosystem(200, seed=7).coops.equals(eco.coops)
True
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
import pandas as pd

from ..errors import InputError
from .data import SECTORS, Ecosystem, validate_ecosystem

# --- public figures ------------------------------------------------------------
WORLD_COOPS = 3_000_000  # ICA, "Facts and figures": about 3 million co-operatives
MEMBER_SHARE_OF_PEOPLE = 0.12  # ICA: at least 12% of people are co-op members
WORLD_POPULATION = 8_100_000_000  # UN World Population Prospects 2024: ~8.1-8.2 billion
WORLD_MEMBERSHIPS = 1_000_000_000  # ICA: "more than 1 billion" co-op members (memberships)
PLATFORM_COOPS = 506  # Platform Cooperativism Consortium directory: 506 platform co-ops
PLATFORM_COUNTRIES = 33  # ... in 33 countries

# --- derived from them -----------------------------------------------------------
PEOPLE_PER_COOP = MEMBER_SHARE_OF_PEOPLE * WORLD_POPULATION / WORLD_COOPS  # 324
# memberships per member - 1, read as the share of people in two co-ops.
OVERLAP_SHARE = round(WORLD_MEMBERSHIPS / (MEMBER_SHARE_OF_PEOPLE * WORLD_POPULATION) - 1, 3)
PLATFORM_SHARE = PLATFORM_COOPS / WORLD_COOPS

CALIBRATION = pd.DataFrame(
    [
        ("co-operatives worldwide", WORLD_COOPS, "ICA, Facts and figures (ica.coop)"),
        ("co-op members, share of people", MEMBER_SHARE_OF_PEOPLE, "ICA, Facts and figures"),
        ("co-op memberships worldwide", WORLD_MEMBERSHIPS, "ICA: more than 1 billion members"),
        ("world population", WORLD_POPULATION, "UN World Population Prospects 2024"),
        ("platform co-ops", PLATFORM_COOPS, "Platform Cooperativism Consortium directory"),
        ("countries with platform co-ops", PLATFORM_COUNTRIES, "Platform Cooperativism Consortium"),
        ("people per co-op (derived)", round(PEOPLE_PER_COOP, 1), "12% x population / 3 million"),
        ("share of people in 2 co-ops (derived)", OVERLAP_SHARE, "memberships / members - 1"),
        ("platform co-ops per co-op (derived)", round(PLATFORM_SHARE, 6), "506 / 3 million"),
    ],
    columns=["figure", "value", "source"],
    dtype=object,
)

# --- guesses -------------------------------------------------------------------
SECTOR_WEIGHTS = dict(
    zip(SECTORS, (0.22, 0.12, 0.15, 0.12, 0.05, 0.05, 0.05, 0.04, 0.04, 0.16))
)
REGION_WEIGHTS = {"africa": 0.15, "americas": 0.20, "asia-pacific": 0.45, "europe": 0.20}
COOP_TYPE_OF_SECTOR = {
    "agriculture": "producer",
    "consumer-retail": "consumer",
    "finance": "credit-union",
    "housing": "housing",
    "energy": "consumer",
    "health-care": "multi-stakeholder",
    "tourism": "worker",
    "music-culture": "worker",
    "platform-services": "multi-stakeholder",
    "industry-services": "worker",
}
SIZE_SIGMA = 1.5  # log-normal spread of co-op sizes
APEX_AFFILIATION = 0.85  # share of co-ops in an apex body
INDUSTRY_AFFILIATION = 0.6  # share of co-ops in the industry body
TECH_ADOPTION = 0.5  # share of co-ops that use a technology provider
SAME_REGION = 0.8  # a second membership is in the member's region
COOPS_PER_APEX = 250
COOPS_PER_TECH_PROVIDER = 100
FOUNDED_RANGE = (1900, 2025)

ASSUMPTIONS = pd.DataFrame(
    [
        ("sector shares of co-ops", ", ".join(f"{s} {w:.0%}" for s, w in SECTOR_WEIGHTS.items())),
        ("region shares of co-ops (ICA regions)",
         ", ".join(f"{r} {w:.0%}" for r, w in REGION_WEIGHTS.items())),
        ("co-op type follows sector", "e.g. finance -> credit-union, agriculture -> producer"),
        ("co-op size", f"log-normal, sigma {SIZE_SIGMA}, every co-op has >= 1 member"),
        ("overlapping memberships", "pairs of co-ops only (no one is in 3 or more)"),
        ("second co-op of a member", (f"same region with p={SAME_REGION}; its sector drawn from "
         "the value-flow row of the first co-op's sector")),
        ("apex bodies", (f"one per {COOPS_PER_APEX} co-ops, at least one per region; a co-op "
         f"joins one apex body of its region with p={APEX_AFFILIATION}")),
        ("industry body", f"one, the convenor; co-ops join with p={INDUSTRY_AFFILIATION}"),
        ("technology providers", (f"one per {COOPS_PER_TECH_PROVIDER} co-ops; a co-op uses one "
         f"with p={TECH_ADOPTION}")),
        ("founded", f"uniform over {FOUNDED_RANGE[0]}-{FOUNDED_RANGE[1]}"),
        ("platform co-ops", "in the platform-services sector when one is drawn"),
        ("sector value flows", ("fixed matrix VALUE_FLOWS (share of the row sector's members' "
         "spending that could reach the column sector)")),
    ],
    columns=["assumption (a guess)", "value"],
)


def _value_flows() -> pd.DataFrame:
    """Guessed sector-to-sector spending shares: some in one's own sector, more in
    everyday sectors (retail, finance, housing, energy), and a tourism / music link."""
    base = {
        "agriculture": 0.03, "consumer-retail": 0.20, "finance": 0.08, "housing": 0.22,
        "energy": 0.06, "health-care": 0.07, "tourism": 0.04, "music-culture": 0.03,
        "platform-services": 0.04, "industry-services": 0.05,
    }
    flows = pd.DataFrame({b: [base[b]] * len(SECTORS) for b in SECTORS}, index=list(SECTORS))
    flows.index.name = "sector"
    for sector in SECTORS:  # spending within one's own sector
        flows.at[sector, sector] += 0.08
    for a, b, extra in [
        ("tourism", "music-culture", 0.10), ("music-culture", "tourism", 0.12),
        ("agriculture", "consumer-retail", 0.08), ("platform-services", "industry-services", 0.06),
        ("housing", "energy", 0.06), ("finance", "housing", 0.05),
    ]:
        flows.at[a, b] += extra
    return flows.round(4)


VALUE_FLOWS = _value_flows()

_SECTOR_WORD = {
    "agriculture": "Growers", "consumer-retail": "Stores", "finance": "Credit Union",
    "housing": "Housing", "energy": "Energy", "health-care": "Health",
    "tourism": "Fair Stay", "music-culture": "Music", "platform-services": "Platform",
    "industry-services": "Works",
}
_PLACE = {
    "africa": ["Accra", "Nairobi", "Kigali", "Dakar", "Durban"],
    "americas": ["Quebec", "Oaxaca", "Recife", "Ohio", "Cusco"],
    "asia-pacific": ["Kerala", "Hokkaido", "Cebu", "Otago", "Gujarat"],
    "europe": ["Basque", "Emilia", "Bristol", "Tampere", "Gent"],
}


class _GeneratorSettings(TypedDict):
    """Keyword arguments of :func:`generate_ecosystem` that name a data set."""

    n_coops: int
    seed: int
    overlap: float
    platform_share: float


# The bundled data/ecosystem set: a regional ecosystem of 50 co-ops. It departs
# from the world calibration on purpose in two ways: more people in two co-ops
# (a region's co-ops share members more than the world's) and more platform
# co-ops (so that some appear among 50).
DEFAULT_SET: _GeneratorSettings = {
    "n_coops": 50, "seed": 2026, "overlap": 0.15, "platform_share": 0.1}


def default_set() -> Ecosystem:
    """The bundled default data, regenerated (``save_ecosystem`` it to refresh the files)."""
    return generate_ecosystem(**DEFAULT_SET)


def _check_share(value: float, field: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise InputError("bad-share", f"{field} must be between 0 and 1, got {value!r}", path=field)


def generate_ecosystem(
    n_coops: int,
    n_members: int | None = None,
    *,
    seed: int,
    overlap: float = OVERLAP_SHARE,
    platform_share: float = PLATFORM_SHARE,
) -> Ecosystem:
    """A synthetic ecosystem of ``n_coops`` co-ops and ``n_members`` people (default:
    :data:`PEOPLE_PER_COOP` per co-op), deterministic for a given ``seed``.

    ``overlap`` is the share of people in two co-ops; ``platform_share`` the
    share of co-ops that are platform co-ops.
    """
    if n_coops < 2:
        raise InputError("bad-size", "n_coops must be at least 2", path="n_coops")
    n_members = round(n_coops * PEOPLE_PER_COOP) if n_members is None else int(n_members)
    if n_members < n_coops:
        raise InputError("bad-size", "n_members must be at least n_coops", path="n_members")
    _check_share(overlap, "overlap")
    _check_share(platform_share, "platform_share")
    rng = np.random.default_rng(seed)
    sectors = np.array(SECTORS, dtype=object)
    regions = np.array(list(REGION_WEIGHTS), dtype=object)

    # Co-ops.
    sector_idx = rng.choice(len(sectors), size=n_coops, p=list(SECTOR_WEIGHTS.values()))
    region_idx = rng.choice(len(regions), size=n_coops, p=list(REGION_WEIGHTS.values()))
    platform = rng.random(n_coops) < platform_share
    platform_sector = list(SECTORS).index("platform-services")
    sector_idx[platform] = platform_sector
    founded = rng.integers(FOUNDED_RANGE[0], FOUNDED_RANGE[1] + 1, size=n_coops)
    size_weight = rng.lognormal(0.0, SIZE_SIGMA, size=n_coops)
    width = len(str(n_coops))
    ids = np.array([f"coop-{i:0{width}d}" for i in range(1, n_coops + 1)], dtype=object)
    place_pick = rng.integers(0, 5, size=n_coops)
    names = [
        f"{_PLACE[regions[r]][p]} {_SECTOR_WORD[sectors[s]]} Co-op {i + 1}"
        for i, (r, p, s) in enumerate(zip(region_idx, place_pick, sector_idx))
    ]

    # People: singles and pairs; every co-op keeps at least one single member.
    n_pairs_people = round(overlap * n_members)
    n_pairs_people = min(n_pairs_people, n_members - n_coops)
    p_size = size_weight / size_weight.sum()
    first = rng.choice(n_coops, size=n_pairs_people, p=p_size) if n_pairs_people else np.array([], int)
    second = _second_coops(rng, first, sector_idx, region_idx, size_weight)
    keep = first != second
    lo, hi = np.minimum(first, second)[keep], np.maximum(first, second)[keep]
    pair_keys, pair_counts = np.unique(lo.astype(np.int64) * n_coops + hi, return_counts=True)
    n_singles = n_members - int(pair_counts.sum())
    singles = 1 + rng.multinomial(n_singles - n_coops, p_size)

    single_ids = np.array([f"s-{c}" for c in ids], dtype=object)
    pair_lo, pair_hi = pair_keys // n_coops, pair_keys % n_coops
    pair_ids = np.array([f"p-{i}" for i in range(len(pair_keys))], dtype=object)
    segments = pd.DataFrame(
        {"id": np.concatenate([single_ids, pair_ids]),
         "count": np.concatenate([singles, pair_counts]).astype(np.int64)}
    )
    memberships = pd.DataFrame(
        {"segment_id": np.concatenate([single_ids, pair_ids, pair_ids]),
         "coop_id": np.concatenate([ids, ids[pair_lo], ids[pair_hi]])}
    )
    members = singles + np.bincount(pair_lo, pair_counts, n_coops).astype(np.int64) + np.bincount(
        pair_hi, pair_counts, n_coops
    ).astype(np.int64)
    coops = pd.DataFrame(
        {
            "id": ids, "name": names, "sector": sectors[sector_idx], "region": regions[region_idx],
            "coop_type": [COOP_TYPE_OF_SECTOR[s] for s in sectors[sector_idx]],
            "members": members, "founded": founded.astype(np.int64), "platform": platform,
        }
    )
    bodies, affiliations = _bodies(rng, ids, region_idx, regions, n_coops)
    eco = Ecosystem(
        coops=coops, bodies=bodies, affiliations=affiliations, segments=segments,
        memberships=memberships, value_flows=VALUE_FLOWS.copy(),
        source=f"generate_ecosystem({n_coops}, {n_members}, seed={seed})",
    )
    return validate_ecosystem(eco)


def _second_coops(rng, first, sector_idx, region_idx, size_weight) -> np.ndarray:
    """For each first co-op, a second one: region kept with p=SAME_REGION, sector drawn
    from the value-flow row, then a co-op of that (sector, region) by size (vectorised)."""
    n = len(first)
    if n == 0:
        return first
    n_sec = len(SECTORS)
    n_reg = len(REGION_WEIGHTS)
    flows = VALUE_FLOWS.to_numpy()
    cum = np.cumsum(flows / flows.sum(axis=1, keepdims=True), axis=1)
    sec = np.minimum((cum[sector_idx[first]] < rng.random(n)[:, None]).sum(axis=1), n_sec - 1)
    reg = np.where(
        rng.random(n) < SAME_REGION, region_idx[first], rng.integers(0, n_reg, size=n)
    )
    group = sector_idx * n_reg + region_idx  # group of each co-op
    wanted = sec * n_reg + reg
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    cumw = np.cumsum(size_weight[order])
    start = np.searchsorted(sorted_group, wanted, side="left")
    stop = np.searchsorted(sorted_group, wanted, side="right")
    empty = start == stop
    # An empty (sector, region) group: fall back to any co-op, by size.
    base = np.where(start > 0, cumw[np.maximum(start - 1, 0)], 0.0)
    top = np.where(empty, cumw[-1], cumw[np.maximum(stop - 1, 0)])
    base = np.where(empty, 0.0, base)
    target = base + rng.random(n) * (top - base)
    pos = np.minimum(np.searchsorted(cumw, target, side="right"), len(cumw) - 1)
    return order[pos]


def _bodies(rng, ids, region_idx, regions, n_coops):
    n_apex = max(len(regions), round(n_coops / COOPS_PER_APEX))
    apex_region = np.arange(n_apex) % len(regions)
    apex_ids = [f"apex-{i + 1:02d}" for i in range(n_apex)]
    rows = [
        (apex_ids[i], f"{regions[apex_region[i]].title()} Co-operative Federation {i // len(regions) + 1}",
         "apex", "", regions[apex_region[i]])
        for i in range(n_apex)
    ]
    rows.append(("industry-01", "Co-op Credentials Industry Body", "industry", "", "global"))
    n_tech = max(1, round(n_coops / COOPS_PER_TECH_PROVIDER))
    tech_ids = [f"tech-{i + 1:02d}" for i in range(n_tech)]
    rows += [(t, f"Wallet and Issuer Services {i + 1}", "technology", "platform-services", "global")
             for i, t in enumerate(tech_ids)]
    bodies = pd.DataFrame(rows, columns=["id", "name", "kind", "sector", "region"])

    # Each co-op's apex: one of its region's apex bodies, chosen at random.
    per_region = [np.flatnonzero(apex_region == r) for r in range(len(regions))]
    counts = np.array([len(p) for p in per_region])
    pick = (rng.random(n_coops) * counts[region_idx]).astype(int)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = np.concatenate(per_region)
    apex_of = flat[offsets[region_idx] + pick]
    in_apex = rng.random(n_coops) < APEX_AFFILIATION
    in_industry = rng.random(n_coops) < INDUSTRY_AFFILIATION
    uses_tech = rng.random(n_coops) < TECH_ADOPTION
    tech_of = rng.integers(0, n_tech, size=n_coops)
    apex_arr = np.array(apex_ids, dtype=object)
    tech_arr = np.array(tech_ids, dtype=object)
    affiliations = pd.DataFrame(
        {
            "coop_id": np.concatenate([ids[in_apex], ids[in_industry], ids[uses_tech]]),
            "body_id": np.concatenate(
                [apex_arr[apex_of[in_apex]], np.full(in_industry.sum(), "industry-01", dtype=object),
                 tech_arr[tech_of[uses_tech]]]
            ),
        }
    )
    return bodies, affiliations
