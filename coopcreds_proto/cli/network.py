"""``coopcreds network report``: the metrics of an ecosystem model, as a table or JSON.

    $ coopcreds network report --model federated
    $ coopcreds network report --model all --data my-ecosystem/ --json
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import InputError
from ._common import EXIT_OK, emit

# The ecosystem stack (pandas, scipy, networkx) is imported when the command
# runs, not when the parser is built, so other commands start quickly.


def network_report(model_name: str, data_dir: str | None = None) -> dict[str, Any]:
    """The report of one model (id or model file) over the data in ``data_dir``."""
    # heavy: pandas, networkx, scipy (the ecosystem stack), only when a report runs
    from ..ecosystem.costs import cost_breakdown
    from ..ecosystem.data import load_ecosystem
    from ..ecosystem.graph import build_graph
    from ..ecosystem.metrics import single_points_of_failure, summary
    from ..ecosystem.models import load_model

    eco = load_ecosystem(data_dir)
    model = load_model(model_name)
    G = build_graph(eco, model)
    spof = single_points_of_failure(G)
    return {
        "model": model.id,
        "model_name": model.name,
        "data": "bundled" if data_dir is None else str(data_dir),
        "metrics": summary(G),
        "costs": cost_breakdown(G),
        "single_points_of_failure": spof[["node", "kind", "dominated_coops",
                                          "cross_lost", "share_lost"]].to_dict("records"),
    }


def _cell(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return f"{int(value):,}" if isinstance(value, int | float) else str(value)


def _table(reports: list[dict[str, Any]]) -> str:
    import pandas as pd  # heavy: pandas, only to lay out the report's table

    rows = {}
    missing = [r for r in reports if "not_reported" in r]
    reports = [r for r in reports if "not_reported" not in r]
    for report in reports:
        rows[report["model"]] = {**report["metrics"], **{
            k: v for k, v in report["costs"].items() if k not in report["metrics"]
        }}
    frame = pd.DataFrame(rows).map(_cell)
    text = frame.to_string() if rows else ""
    for report in reports:
        spof = report["single_points_of_failure"]
        if spof:
            worst = ", ".join(
                f"{r['node']} ({r['share_lost']:.0%})" for r in spof[:5]
            )
            text += f"\n{report['model']}: single points of failure: {worst}"
        else:
            text += f"\n{report['model']}: no single point of failure"
    for report in missing:
        text += f"\n{report['model']}: not reported: {report['not_reported']}"
    return text.lstrip("\n")


def cmd_network_report(args: argparse.Namespace) -> int:
    from ..ecosystem.models import MODEL_IDS  # heavy: pandas, scipy (the ecosystem data)

    if args.model == "all":
        # Each model that the data allows; the others say what they need.
        reports = []
        for name in MODEL_IDS:
            try:
                reports.append(network_report(name, args.data))
            except InputError as exc:
                if exc.code != "model-needs-convenor":
                    raise
                reports.append({"model": name, "not_reported": exc.message, "code": exc.code})
    else:
        reports = [network_report(args.model, args.data)]
    if args.json:
        document: Any = reports if args.model == "all" else reports[0]
        emit(json.dumps(document, indent=2))
    else:
        emit(_table(reports))
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``network report`` to the top-level ``commands``."""
    network = commands.add_parser("network", help="co-op trust network metrics")
    sub = network.add_subparsers(dest="network_command", required=True, metavar="COMMAND")
    report = sub.add_parser(
        "report",
        help="reach, single points of failure, agreements and costs of an ecosystem model",
        description="Build the trust network of an ecosystem model over the ecosystem data "
        "and print its metrics (a table, or JSON with --json).",
    )
    report.add_argument(
        "--model", required=True, metavar="MODEL",
        help="a bundled model (its file name in data/ecosystem/models/, e.g. federated), "
        "'all' for each of them, or a model JSON file",
    )
    report.add_argument(
        "--data", metavar="DIR", default=None,
        help="directory of ecosystem CSV files (default: the bundled 50 co-ops)",
    )
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.set_defaults(func=cmd_network_report)
