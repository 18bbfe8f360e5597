"""Cost models: who pays for issuers, verifiers and registries, and how agreements grow.

Two views of the same rules. :func:`cost_breakdown` counts what a wired graph
actually runs (issuers, verifiers, registries, agreements) and prices it with
the model's cost parameters; :func:`scaling_table` uses closed forms to show how
the counts and costs grow with the number of co-ops: agreements grow linearly
for a hub (one per co-op) and quadratically for a full mesh (one per pair).

Running costs are shared among the participating co-ops: equally, or in
proportion to their members (``costs.sharing``). All cost parameters are
guesses, listed in the model files; compare models, not absolute euros.

>>> from coopcreds_proto.ecosystem.models import load_model
>>> hub, mesh = load_model("convenor"), load_model("peer-to-peer")
>>> [agreements_for(hub, n) for n in (10, 20, 40)]
[10, 20, 40]
>>> [agreements_for(mesh, n) for n in (10, 20, 40)]
[45, 190, 780]
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .agreements import agreement_rule, count_agreements
from .graph import ACCREDITS, APEX_BODY, COOPERATIVE
from .metrics import agreements_needed
from .models import EcosystemModel


def _participants(G: nx.MultiDiGraph) -> list[str]:
    return [n for n, d in G.nodes(data=True) if d.get("kind") == COOPERATIVE and d.get("participating")]


def infrastructure_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    """Issuers, verifiers, registries and agreements that the wired graph ``G`` runs."""
    model: EcosystemModel = G.graph["model"]
    coops = _participants(G)
    issuers = sum(1 for _, d in G.nodes(data=True) if d.get("issuer"))
    verifiers = 1 if model.roles.verifier == "convenor" else len(coops)
    if model.roles.registry == "convenor":
        registries = 1
    elif model.roles.registry == "apex-body":
        registries = len({u for u, v, k in G.edges(keys=True) if k == ACCREDITS
                          and G.nodes[u].get("kind") == APEX_BODY})
    else:
        registries = len(coops)
    return {
        "coops": len(coops),
        "issuers": issuers,
        "verifiers": verifiers,
        "registries": registries,
        "agreements": agreements_needed(G),
    }


def price(model: EcosystemModel, counts: dict[str, int]) -> dict[str, float]:
    """Yearly running and one-off setup costs of ``counts`` (issuers, verifiers, registries,
    agreements, co-ops) with ``model``'s cost parameters, in total and per co-op."""
    c = model.costs
    running = (
        counts["issuers"] * c.issuer_per_year
        + counts["verifiers"] * c.verifier_per_year
        + counts["registries"] * c.registry_per_year
        + counts["agreements"] * c.agreement_per_year
    )
    setup = counts["agreements"] * c.agreement_once + counts["coops"] * c.onboarding_once
    n = max(counts["coops"], 1)
    return {
        "running_per_year": running,
        "setup_once": setup,
        "running_per_coop": round(running / n, 2),
        "first_year_per_coop": round((running + setup) / n, 2),
    }


def cost_breakdown(G: nx.MultiDiGraph) -> dict[str, float]:
    """Counts and costs of the wired graph: totals and the equal share per co-op."""
    counts = infrastructure_counts(G)
    return {**counts, **price(G.graph["model"], counts)}


def cost_per_coop(G: nx.MultiDiGraph) -> pd.DataFrame:
    """Each participating co-op's share of the yearly running costs.

    Shared equally or by members (the model's ``costs.sharing``). Columns: coop,
    members, share, running_per_year.
    """
    model: EcosystemModel = G.graph["model"]
    coops = _participants(G)
    members = np.array([G.nodes[c]["members"] for c in coops], dtype=float)
    if model.costs.sharing == "by-members" and members.sum() > 0:
        share = members / members.sum()
    else:
        share = np.full(len(coops), 1.0 / max(len(coops), 1))
    running = cost_breakdown(G)["running_per_year"]
    return pd.DataFrame(
        {"coop": coops, "members": members.astype(int), "share": share,
         "running_per_year": share * running}
    )


def counts_for(model: EcosystemModel, n_coops: int, *, n_apex: int = 4) -> dict[str, int]:
    """Closed-form counts for ``n_coops`` co-ops, all participating and (federated,
    hybrid) all in one of ``n_apex`` apex bodies."""
    n, b = n_coops, n_apex
    top = model.topology
    issuers = 1 if model.roles.issuer == "convenor" else n + (1 if top == "hybrid" else 0)
    verifiers = 1 if model.roles.verifier == "convenor" else n
    registries = {"convenor": 1, "apex-body": b, "cooperative": n}[model.roles.registry]
    # Each co-op in one apex body (federated, hybrid), every apex body with co-ops.
    grouped = top in ("federated", "hybrid")
    agreements = count_agreements(
        agreement_rule(model), participants=n, apex_links=n if grouped else 0,
        active_apex=min(b, n) if grouped else 0,
        issuers=n if model.roles.issuer == "cooperative" else 0,
    )
    return {"coops": n, "issuers": issuers, "verifiers": verifiers, "registries": registries,
            "agreements": agreements}


def agreements_for(model: EcosystemModel, n_coops: int, *, n_apex: int = 4) -> int:
    """Agreements to negotiate for ``n_coops`` co-ops under ``model`` (closed form)."""
    return counts_for(model, n_coops, n_apex=n_apex)["agreements"]


def onboarding_cost(model: EcosystemModel, n_coops: int, *, n_apex: int = 4) -> float:
    """First-year cost to the network of adding one more co-op to ``n_coops``:
    its onboarding, the new agreements and any infrastructure it adds."""
    def first_year(n: int) -> float:
        priced = price(model, counts_for(model, n, n_apex=n_apex))
        return priced["running_per_year"] + priced["setup_once"]

    return round(first_year(n_coops + 1) - first_year(n_coops), 2)


def scaling_table(
    models: list[EcosystemModel] | dict[str, EcosystemModel],
    sizes: list[int],
    *,
    n_apex: int = 4,
) -> pd.DataFrame:
    """Long-form table (model, coops, agreements, running_per_coop, onboarding_next)."""
    items = models.values() if isinstance(models, dict) else models
    rows = []
    for model in items:
        for n in sizes:
            counts = counts_for(model, n, n_apex=n_apex)
            priced = price(model, counts)
            rows.append(
                {
                    "model": model.id,
                    "coops": n,
                    "agreements": counts["agreements"],
                    "running_per_coop": priced["running_per_coop"],
                    "first_year_per_coop": priced["first_year_per_coop"],
                    "onboarding_next": onboarding_cost(model, n, n_apex=n_apex),
                }
            )
    return pd.DataFrame(rows)
