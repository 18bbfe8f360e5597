"""Workshop widgets: a feedback form for participants and a dashboard for facilitators.

Both are thin: the form builds a record with ``consultation.make_record`` and
appends it with ``append_feedback``; the dashboard shows the tables of
``consultation_report``. Each has a static HTML rendering (``_repr_html_``),
so a notebook stays readable under nbval and in a static HTML export; in a
live notebook the interactive widget shows instead.

Status text goes to ``HTML`` widgets, never to an ``Output`` widget while the
notebook executes (a page server running the notebook can hang on that).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from .. import html_views
from ..consultation.feedback import (
    CONSENTS,
    NEW_FIELD,
    SPHERES,
    STANCES,
    Clock,
    FeedbackError,
    FeedbackRecord,
    append_feedback,
    make_record,
    scan_feedback,
)
from ..consultation.report import (
    comments_html,
    field_sphere_table,
    figure_png,
    plot_field_sphere_heatmap,
    summarise,
)
from ..definitions.definition import CredentialDefinition
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import utc_now
from .styled import widget_bundle

_WIDE = {"description_width": "initial"}
_LAYOUT = w.Layout(width="32em")


def _field_options(fields: CredentialDefinition | Sequence[str]) -> list[str]:
    if isinstance(fields, CredentialDefinition):
        return [path for path, _ in fields.iter_fields(include_dropped=False)]
    return list(fields)


class FeedbackForm:
    """A participant's feedback form that appends each submission to ``path``.

    ``fields`` is a definition (its active field paths are offered) or a list
    of field paths; "new field" is always offered for proposals. Pass a
    ``SeededRandom`` and a fixed ``clock`` for reproducible demos.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fields: CredentialDefinition | Sequence[str],
        *,
        rng: RandomSource = DEFAULT_RANDOM,
        clock: Clock = utc_now,
        source: str = "workshop",
    ) -> None:
        self.path = Path(path)
        self._rng = rng
        self._clock = clock
        self._source = source
        self.last_record: FeedbackRecord | None = None
        text = {"style": _WIDE, "layout": _LAYOUT}
        self.organisation = w.Text(description="Organisation", **text)
        self.participant = w.Text(description="Your name", **text)
        self.role = w.Text(description="Role", placeholder="member, board member, staff...", **text)
        self.sector = w.Text(description="Sector", **text)
        self.sphere = w.Dropdown(description="Sphere", options=list(SPHERES), **text)
        self.field = w.Dropdown(
            description="Field", options=[*_field_options(fields), NEW_FIELD], **text
        )
        self.proposed_term = w.Text(description="Proposed term", placeholder="recognisedBy",
                                    **text)
        self.proposed_label = w.Text(description="Proposed label", **text)
        self.stance = w.Dropdown(description="Stance", options=list(STANCES[:3]), **text)
        self.priority = w.IntSlider(description="Priority", value=3, min=1, max=5, style=_WIDE)
        self.comment = w.Textarea(description="Comment", **text)
        self.consent = w.Dropdown(
            description="In reports, show me as",
            options=[("my name and organisation", "attributed"), ("anonymous", "anonymous")],
            value="anonymous",
            **text,
        )
        self.submit_button = w.Button(description="Submit", button_style="primary")
        self.status = w.HTML(value=self._count_text())
        self.field.observe(self._on_field, names="value")
        self.submit_button.on_click(lambda _button: self.submit())
        self._on_field()
        self.widget = w.VBox(
            [
                self.organisation, self.participant, self.role, self.sector, self.sphere,
                self.field, self.proposed_term, self.proposed_label, self.stance,
                self.priority, self.comment, self.consent, self.submit_button, self.status,
            ]
        )

    # --- behaviour ---------------------------------------------------------------

    def _on_field(self, _change: Any = None) -> None:
        new = self.field.value == NEW_FIELD
        self.proposed_term.disabled = self.proposed_label.disabled = not new
        self.stance.options = ["add"] if new else list(STANCES[:3])

    def _count(self) -> int:
        return len(scan_feedback(self.path, missing_ok=True).records)

    def _count_text(self, saved: bool = False) -> str:
        return html_views.render("widgets/form_status.html", saved=saved, count=self._count())

    def values(self) -> dict[str, Any]:
        """What the form currently says, as ``make_record`` arguments."""
        new = self.field.value == NEW_FIELD
        return {
            "organisation": self.organisation.value.strip(),
            "participant": self.participant.value.strip(),
            "role": self.role.value.strip(),
            "sector": self.sector.value.strip(),
            "sphere": self.sphere.value,
            "field": self.field.value,
            "proposed_term": self.proposed_term.value.strip() if new else None,
            "proposed_label": self.proposed_label.value.strip() if new else None,
            "stance": self.stance.value,
            "priority": self.priority.value,
            "comment": self.comment.value.strip(),
            "consent": self.consent.value,
        }

    def submit(self) -> FeedbackRecord | None:
        """Validate and append the form's record; show the outcome; clear the comment."""
        try:
            record = make_record(
                **self.values(), source=self._source, rng=self._rng, clock=self._clock
            )
        except FeedbackError as exc:
            fields = ", ".join(p.field for p in exc.problems if p.field)
            self.status.value = html_views.render(
                "widgets/form_status.html", refused=str(exc.problems[0].message), fields=fields)
            return None
        append_feedback(self.path, [record])
        self.last_record = record
        self.comment.value = ""
        self.status.value = self._count_text(saved=True)
        return record

    # --- rendering ---------------------------------------------------------------

    @property
    def html(self) -> str:
        """The form as a static HTML fragment (the stylesheet not included)."""
        rows = [
            ("Organisation", "text"),
            ("Your name", "text"),
            ("Role", "text"),
            ("Sector", "text (optional)"),
            ("Sphere", " / ".join(SPHERES)),
            ("Field", " / ".join(self.field.options)),
            ("Proposed term and label", f"for a {NEW_FIELD!r} proposal"),
            ("Stance", " / ".join(STANCES)),
            ("Priority", "1 (low) to 5 (high)"),
            ("Comment", "free text"),
            ("In reports, show me as", " / ".join(CONSENTS)),
        ]
        status = " ".join(html.unescape(_strip_tags(self.status.value)).split())
        return html_views.render("widgets/feedback_form.html", rows=rows, status=status)

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return widget_bundle(self.widget, html=self.html,
                             text=f"Feedback form ({len(self.field.options)} fields)", **kwargs)


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


class ConsultationDashboard:
    """The aggregated feedback of a file (or a list of records), for facilitators.

    Views: support by field, the fields-by-spheres heatmap, disagreement and
    top comments, filtered by sphere. *Refresh* re-reads the file; bad lines
    are listed with their line numbers above the tables, never skipped
    silently.
    """

    VIEWS = ("Support", "Spheres", "Disagreement", "Comments")

    def __init__(
        self,
        source: str | os.PathLike[str] | Sequence[FeedbackRecord],
        *,
        top: int = 5,
    ) -> None:
        self._path: Path | None = None
        self._records: list[FeedbackRecord] = []
        if isinstance(source, (str, os.PathLike)):
            self._path = Path(source)
        else:
            self._records = list(source)
        self._problems: list[str] = []
        self._top = top
        self.view = w.ToggleButtons(options=list(self.VIEWS), description="Show")
        self.sphere = w.Dropdown(options=["all", *SPHERES], description="Sphere", style=_WIDE)
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.headline = w.HTML()
        self.table = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(display="none"))
        self.view.observe(lambda _c: self._render(), names="value")
        self.sphere.observe(lambda _c: self._render(), names="value")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.widget = w.VBox(
            [w.HBox([self.view, self.sphere, self.refresh_button]), self.headline,
             self.table, self.image]
        )
        self.refresh()

    @property
    def records(self) -> list[FeedbackRecord]:
        """The records shown (after the sphere filter)."""
        if self.sphere.value == "all":
            return list(self._records)
        return [r for r in self._records if r.sphere == self.sphere.value]

    def refresh(self) -> None:
        """Re-read the file (when the dashboard watches one) and redraw."""
        if self._path is not None:
            scan = scan_feedback(self._path, missing_ok=True)
            self._records = list(scan.records)
            self._problems = [str(p) for p in scan.problems]
        self._render()

    def _problems_html(self) -> str:
        return html_views.render("widgets/dashboard_headline.html", problems=self._problems)

    def _render(self) -> None:
        summary = summarise(self.records, top=self._top)
        self.headline.value = html_views.render(
            "widgets/dashboard_headline.html", problems=self._problems,
            headline=summary.headline())
        view = self.view.value
        self.image.layout.display = "none"
        if view == "Support":
            self.table.value = summary.support.to_html()
        elif view == "Disagreement":
            self.table.value = summary.disagreement.to_html()
        elif view == "Comments":
            self.table.value = comments_html(summary.comments)
        else:
            self.table.value = field_sphere_table(self.records).to_html()
            if self.records:
                self.image.value = figure_png(plot_field_sphere_heatmap(self.records))
                self.image.layout.display = None

    @property
    def html(self) -> str:
        """Every view of the dashboard as a static HTML fragment (the stylesheet not included)."""
        summary = summarise(self.records, top=self._top)
        return html_views.render(
            "widgets/dashboard.html", problems=self._problems_html(), summary=summary.html,
            spheres=html_views.trusted_html(field_sphere_table(self.records).to_html()))

    def _repr_html_(self) -> str:
        return html_views.with_stylesheet(self.html)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return widget_bundle(self.widget, html=self.html,
                             text=f"Consultation dashboard ({len(self.records)} responses)",
                             **kwargs)
