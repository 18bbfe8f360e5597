"""What the workshop said: feedback aggregated with pandas, for facilitators.

Every function takes feedback records (or the long-form frame of
:func:`feedback_frame`) and returns a plain DataFrame (or a matplotlib
figure), so a notebook can show, pivot or export it. Numbers are rounded to
two decimals. Reports honour consent: an anonymous participant's name and
organisation never appear, only their sector.

Stances are scored keep = +1, change = 0, drop = -1 (an ``add`` proposal
counts as support for the new field).

>>> from coopcreds_proto.consultation.sample_feedback import SAMPLE_SEED, generate_workshop_feedback
>>> frame = feedback_frame(generate_workshop_feedback(SAMPLE_SEED))
>>> support_by_field(frame).index[0]
'benefits'
>>> "anonymous" in set(frame["participant"])
True
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import pandas as pd

from .. import html_views
from .feedback import SPHERES, FeedbackRecord

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure

ANONYMOUS = "anonymous"
SCORES = {"keep": 1, "change": 0, "drop": -1, "add": 1}
STANCE_ORDER = ("keep", "change", "drop", "add")
FRAME_COLUMNS = (
    "id",
    "time",
    "organisation",
    "participant",
    "who",
    "role",
    "sector",
    "sphere",
    "target",
    "field",
    "proposed_term",
    "proposed_label",
    "stance",
    "score",
    "priority",
    "comment",
    "consent",
    "source",
)
FIGURE_DPI = 100

# Feedback records, or the table feedback_frame makes of them.
Feedback: TypeAlias = Iterable[FeedbackRecord] | pd.DataFrame


def who(record: FeedbackRecord) -> str:
    """How a record's author is shown: name and organisation, or anonymous with the sector.

    >>> from coopcreds_proto.consultation.feedback import make_record
    >>> from coopcreds_proto.randomness import SeededRandom
    >>> r = make_record(organisation="Elm Street Tenants Co-op", participant="Rosa Silva",
    ...     role="member", sector="housing", sphere="legal", field="roles", stance="keep",
    ...     priority=2, consent="anonymous", rng=SeededRandom("w"), time="2026-03-12T10:00:00Z")
    >>> who(r)
    'Anonymous (housing)'
    """
    if record.consent == "attributed":
        return f"{record.participant}, {record.organisation}"
    return f"Anonymous ({record.sector})" if record.sector else "Anonymous"


def feedback_frame(records: Feedback, *, redact: bool = True) -> pd.DataFrame:
    """One row per record (long form). ``redact`` blanks anonymous authors' names and organisations."""
    if isinstance(records, pd.DataFrame):
        return records
    rows = []
    for r in records:
        hidden = redact and r.consent != "attributed"
        rows.append(
            {
                "id": r.id,
                "time": r.time,
                "organisation": ANONYMOUS if hidden else r.organisation,
                "participant": ANONYMOUS if hidden else r.participant,
                "who": who(r),
                "role": r.role,
                "sector": r.sector,
                "sphere": r.sphere,
                "target": r.target,
                "field": r.field,
                "proposed_term": r.proposed_term,
                "proposed_label": r.proposed_label,
                "stance": r.stance,
                "score": SCORES[r.stance],
                "priority": r.priority,
                "comment": r.comment,
                "consent": r.consent,
                "source": r.source,
            }
        )
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame["priority"] = frame["priority"].astype("int64")
    frame["score"] = frame["score"].astype("int64")
    return frame


def _counts(frame: pd.DataFrame, index: str) -> pd.DataFrame:
    counts = pd.crosstab(frame[index], frame["stance"])
    return counts.reindex(columns=list(STANCE_ORDER), fill_value=0)


def support_by_field(records: Feedback) -> pd.DataFrame:
    """Per field (``+term`` for proposed new fields): responses, stances, support and opposition.

    ``support`` is the share keeping (or adding) the field, ``opposition`` the
    share dropping it, ``net`` the mean score; sorted by responses, most first.
    """
    frame = feedback_frame(records)
    columns = ["responses", *STANCE_ORDER, "support", "opposition", "net", "mean_priority"]
    if frame.empty:
        return pd.DataFrame(columns=columns).rename_axis("field")
    counts = _counts(frame, "target")
    grouped = frame.groupby("target")
    table = counts.copy()
    table.insert(0, "responses", counts.sum(axis=1))
    table["support"] = (counts["keep"] + counts["add"]) / table["responses"]
    table["opposition"] = counts["drop"] / table["responses"]
    table["net"] = grouped["score"].mean()
    table["mean_priority"] = grouped["priority"].mean()
    table = table[columns].round(2)
    table = table.sort_values(["responses", "net"], ascending=[False, False], kind="stable")
    table.index.name = "field"
    table.columns.name = None
    return table


def field_sphere_table(records: Feedback, *, value: str = "responses") -> pd.DataFrame:
    """Fields by spheres: how many responses (``value="responses"``) or the mean score (``"net"``)."""
    frame = feedback_frame(records)
    if value not in ("responses", "net"):
        raise ValueError("value must be 'responses' or 'net'")
    if frame.empty:
        return pd.DataFrame(columns=list(SPHERES)).rename_axis("field")
    if value == "responses":
        table = pd.crosstab(frame["target"], frame["sphere"])
        table = table.reindex(columns=list(SPHERES), fill_value=0).astype("int64")
    else:
        table = frame.pivot_table(index="target", columns="sphere", values="score", aggfunc="mean")
        table = table.reindex(columns=list(SPHERES)).round(2)
    order = frame["target"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    table = table.reindex(order.index)
    table.index.name = "field"
    table.columns.name = "sphere"
    return table


def plot_field_sphere_heatmap(
    records: Feedback, *, value: str = "responses", title: str | None = None
) -> Figure:
    """A heatmap of :func:`field_sphere_table` (a matplotlib ``Figure``, no global pyplot state)."""
    # heavy: matplotlib, only to draw (the feedback summary command draws nothing)
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    table = field_sphere_table(records, value=value)
    fig = Figure(figsize=(6.0, 0.38 * max(len(table), 3) + 1.4), dpi=FIGURE_DPI)
    ax = fig.add_subplot()
    data = table.to_numpy(dtype=float) if len(table) else [[0.0] * len(SPHERES)]
    # Net support spans -1..1; response counts scale to the data (imshow sets the norm's range).
    norm = Normalize(vmin=-1, vmax=1) if value == "net" else Normalize()
    image = ax.imshow(data, cmap="RdBu" if value == "net" else "Greens", norm=norm,
                      aspect="auto")
    ax.set_xticks(range(len(SPHERES)), [s.capitalize() for s in SPHERES])
    ax.set_yticks(range(len(table)), list(table.index))
    for (i, j), cell in _cells(table):
        # Light text on the darkest cells, so every number stays readable.
        shade = float(norm(float(cell)))
        dark = abs(shade - 0.5) > 0.3 if value == "net" else shade > 0.6
        ax.text(j, i, cell, ha="center", va="center", fontsize=8,
                color="white" if dark else "black")
    fig.colorbar(image, ax=ax, label="mean score" if value == "net" else "responses")
    ax.set_title(title or ("Responses by field and sphere" if value == "responses"
                           else "Support (+1) or opposition (-1) by field and sphere"))
    fig.tight_layout()
    return fig


def _cells(table: pd.DataFrame) -> Iterable[tuple[tuple[int, int], str]]:
    for i, row in enumerate(table.itertuples(index=False)):
        for j, cell in enumerate(row):
            if cell is None or (isinstance(cell, float) and math.isnan(cell)):
                continue
            yield (i, j), f"{cell:g}"


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (for widgets and files)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def show_figure(fig: Figure) -> None:
    """Display the figure in Jupyter as a PNG image and nothing else (no text to compare)."""
    from IPython.display import display  # heavy: IPython, only to show a figure in Jupyter

    display({"image/png": figure_png(fig)}, raw=True)


def disagreement(records: Feedback, *, min_responses: int = 3) -> pd.DataFrame:
    """Fields ranked by how much participants disagree (the spread of their stances).

    ``spread`` is the standard deviation of the scores (0: all agree; 1: half
    keep, half drop); ``entropy`` the evenness of keep/change/drop (0 to 1).
    Proposed new fields (only ``add``) are left out; so are fields with fewer
    than ``min_responses`` responses.
    """
    frame = feedback_frame(records)
    frame = frame[frame["stance"] != "add"]
    columns = ["responses", "keep", "change", "drop", "spread", "entropy"]
    if frame.empty:
        return pd.DataFrame(columns=columns).rename_axis("field")
    counts = _counts(frame, "target")[["keep", "change", "drop"]]
    table = counts.copy()
    table.insert(0, "responses", counts.sum(axis=1))
    table["spread"] = frame.groupby("target")["score"].std(ddof=0)
    shares = counts.div(table["responses"], axis=0)
    logs = shares.where(shares > 0, 1.0).map(math.log)
    table["entropy"] = -(shares * logs).sum(axis=1) / math.log(3)
    table = table[table["responses"] >= min_responses][columns].round(2)
    table = table.sort_values(["spread", "responses"], ascending=[False, False], kind="stable")
    table.index.name = "field"
    table.columns.name = None
    return table


def top_comments(
    records: Feedback,
    *,
    n: int = 5,
    field: str | None = None,
    sphere: str | None = None,
) -> pd.DataFrame:
    """The ``n`` highest-priority comments (earliest first among equals), authors shown per consent."""
    frame = feedback_frame(records)
    frame = frame[frame["comment"].astype(str).str.len() > 0]
    if field is not None:
        frame = frame[frame["target"] == field]
    if sphere is not None:
        frame = frame[frame["sphere"] == sphere]
    frame = frame.sort_values(["priority", "time", "id"], ascending=[False, True, True])
    columns = ["field", "sphere", "stance", "priority", "who", "comment"]
    # The report names a proposal "+term": the target, not the raw "new field".
    out = frame.head(n).drop(columns=["field"]).rename(columns={"target": "field"})[columns]
    return out.reset_index(drop=True)


def comments_html(comments: pd.DataFrame) -> str:
    """The comments table as HTML, text left-aligned and a comment's line breaks kept.

    pandas' ``to_html`` shows a line break inside a cell as a literal ``\\n``;
    here each cell is escaped and its line breaks become ``<br>``.

    >>> frame = pd.DataFrame({"who": ["Anonymous"], "comment": ["Keep it.\\nAsk at the door."]})
    >>> "Keep it.<br>Ask at the door." in comments_html(frame)
    True
    """
    return html_views.render(
        "consultation/comments.html", columns=[str(c) for c in comments.columns],
        rows=[[str(v).split("\n") for v in row] for row in comments.itertuples(index=False)])


def priority_by_group(records: Feedback, *, field: str, by: str = "sector") -> pd.DataFrame:
    """For one field: responses, mean priority and net score per ``by`` group (sector, sphere, ...)."""
    frame = feedback_frame(records)
    frame = frame[frame["target"] == field]
    columns = ["responses", "mean_priority", "net"]
    if frame.empty:
        return pd.DataFrame(columns=columns).rename_axis(by)
    grouped = frame.groupby(by)
    table = pd.DataFrame(
        {
            "responses": grouped.size(),
            "mean_priority": grouped["priority"].mean(),
            "net": grouped["score"].mean(),
        }
    ).round(2)
    return table.sort_values(["mean_priority", "responses"], ascending=False, kind="stable")


def records_for(records: Iterable[FeedbackRecord], target: str) -> list[FeedbackRecord]:
    """The records about ``target`` (a field path or ``+term``), in time order."""
    return sorted((r for r in records if r.target == target), key=lambda r: (r.time, r.id))


@dataclass(frozen=True)
class ConsultationSummary:
    """Headline numbers and tables of a consultation, as text and HTML (names per consent)."""

    records: int
    participants: int
    organisations: int
    anonymous: int
    support: pd.DataFrame
    disagreement: pd.DataFrame
    comments: pd.DataFrame

    def headline(self) -> str:
        return (
            f"{self.records} responses from {self.participants} participants "
            f"of {self.organisations} organisations ({self.anonymous} anonymous responses)"
        )

    def __str__(self) -> str:
        parts = [
            self.headline(),
            "",
            "Support by field",
            self.support.to_string(),
            "",
            "Where participants disagree most",
            self.disagreement.to_string(),
            "",
            "Top comments",
        ]
        for row in self.comments.itertuples(index=False):
            parts.append(f"  [{row.priority}] {row.field} ({row.sphere}, {row.stance}): "
                         f"{row.comment} - {row.who}")
        return "\n".join(parts)

    @property
    def html(self) -> str:
        """The summary as an HTML fragment (every value escaped; the stylesheet not included)."""
        return html_views.render(
            "consultation/summary.html", headline=self.headline(),
            support=html_views.trusted_html(self.support.to_html()),
            disagreement=html_views.trusted_html(self.disagreement.to_html()),
            comments=comments_html(self.comments))

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)

def summarise(records: Iterable[FeedbackRecord], *, top: int = 5) -> ConsultationSummary:
    """The summary of a list of records (what ``coopcreds feedback summary`` prints)."""
    items = list(records)
    frame = feedback_frame(items)
    return ConsultationSummary(
        records=len(items),
        # Counted on the real values: anonymity hides names in reports, not in counts.
        participants=len({(r.organisation, r.participant) for r in items}),
        organisations=len({r.organisation for r in items}),
        anonymous=sum(1 for r in items if r.consent == "anonymous"),
        support=support_by_field(frame),
        disagreement=disagreement(frame),
        comments=top_comments(frame, n=top),
    )
