"""The pages of the workshop app (``notebooks/workshop/``), one function per page.

Each page notebook is a title, one sentence on what to do, and one call such
as ``feedback_page()``. The functions build the widgets from the package, in
large type for a projector; if anything goes wrong the page shows a plain
message (the details go to the server log), never a traceback.

Where the data lives comes from the environment the workshop server sets
(:data:`~coopcreds_proto.workshop.voila_server.DATA_ENV`,
:data:`~coopcreds_proto.workshop.voila_server.FEEDBACK_ENV`); see :class:`WorkshopSettings`.

>>> settings = WorkshopSettings.from_env({"COOPCREDS_WORKSHOP_DATA": "/srv/ws"})
>>> str(settings.feedback_file)
'/srv/ws/feedback.jsonl'
>>> problem = FeedbackProblem("missing-field", "organisation is missing", "organisation")
>>> friendly_message(problem, {})
'Please fill in “Organisation”.'
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import segno

from .. import html_views
from ..atomic_files import write_atomically
from ..consultation.feedback import (
    MAX_COMMENT_CHARS,
    MAX_TEXT_CHARS,
    NEW_FIELD,
    SPHERES,
    Clock,
    FeedbackError,
    FeedbackProblem,
    FeedbackRecord,
    append_feedback,
    make_record,
)
from ..definitions.artefacts import definition_loader, example_credential, sheet_html
from ..definitions.definition import CredentialDefinition, list_definition_files, load_definition
from ..display.cards import credential_card
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import utc_now
from ..trust.registry import TrustRegistry
from ..vc.credentials import issue
from ..vc.presentation_request import PresentationRequest, consent_summary, derive_for_request
from ..vc.samples import SAMPLE_CREATED, SAMPLE_NOW, sample_actors, sample_membership_credential
from ..vc.verification import verify_credential
from ..vc.wallet import Wallet
from ..widgets.consultation import ConsultationDashboard, FeedbackForm
from .voila_server import (
    DATA_ENV,
    DEFAULT_DATA_DIR,
    FEEDBACK_ENV,
    FEEDBACK_FILE_NAME,
    START_PAGE,
    new_join_code,
)

DEFINITION_SLUG = "cooperative-membership"
REFRESH_SECONDS = 2.0
OUTBOX_DIR = "shared-with-coops"
"""Where the wallet page hands shared presentations to the asking co-op (in the data folder)."""

LABELS = {
    "organisation": "Organisation",
    "participant": "Your name",
    "role": "Role",
    "sector": "Sector (optional)",
    "sphere": "Sphere",
    "field": "Field",
    "proposed_term": "Proposed term",
    "proposed_label": "Proposed label",
    "stance": "Your view",
    "priority": "Priority (1 low to 5 high)",
    "comment": "Comment",
    "consent": "In reports, show me as",
}
SPHERE_LABELS = {
    "legal": "legal: reduce mutual risk, meet obligations",
    "work": "work: benefit together",
    "play": "play: enjoy doing this together",
}
@dataclass(frozen=True)
class WorkshopSettings:
    """Where a workshop keeps its data: the data directory and the feedback file."""

    data_dir: Path
    feedback_file: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkshopSettings:
        """From the server's environment; default ``./workshop-data/feedback.jsonl``."""
        env = os.environ if env is None else env
        data_dir = Path(env.get(DATA_ENV) or Path.cwd() / DEFAULT_DATA_DIR)
        feedback = env.get(FEEDBACK_ENV)
        return cls(data_dir, Path(feedback) if feedback else data_dir / FEEDBACK_FILE_NAME)


# --- every page -----------------------------------------------------------------------


def _log_failure(what: str) -> None:
    # The kernel's own stderr goes to the server log; sys.stderr would show on the page.
    print(f"workshop page: {what} failed", file=sys.__stderr__)
    traceback.print_exc(file=sys.__stderr__)


def problem_box(message: str) -> w.HTML:
    """A plain message in place of a page (or part of one) that could not be shown."""
    return w.HTML(html_views.render("workshop/problem_box.html", message=message))


def workshop_page(build: Callable[[], w.Widget], *, name: str = "page") -> w.Widget:
    """``build()``'s widget in the workshop style; a plain message if building fails."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            body = build()
        for warning in caught:  # for the server log, not the participants' screen
            print(f"workshop page: {name}: {warning.category.__name__}: {warning.message}",
                  file=sys.__stderr__)
    except Exception as exc:  # noqa: BLE001 - a participant never sees a traceback
        _log_failure(name)
        reason = exc.message if hasattr(exc, "message") else "Something went wrong."
        body = problem_box(str(reason))
    # The page carries the stylesheet once; its large type applies inside cc-workshop.
    parts = [w.HTML(html_views.style_element()), body]
    if name != "start page":
        parts.append(w.HTML(html_views.render("workshop/back_link.html", start_page=START_PAGE)))
    page = w.VBox(parts)
    page.add_class("cc-workshop")
    return page


def _guarded(handler: Callable[[], Any], status: w.HTML, what: str) -> Callable[[Any], None]:
    """A button callback that shows a plain message instead of failing silently."""

    def run(_button: Any) -> None:
        try:
            handler()
        except Exception:  # noqa: BLE001 - shown as a message, details in the server log
            _log_failure(what)
            status.value = html_views.render("workshop/action_failed.html", what=what)

    return run


def current_definition(version: str | None = None) -> CredentialDefinition:
    """The draft shown in the workshop: ``version``, or else the latest one."""
    files = list_definition_files(DEFINITION_SLUG)
    if version is not None:
        files = [f for f in files if f.stem == f"v{version}"]
    if not files:
        raise FeedbackError("no-definition", f"no draft version {version} of {DEFINITION_SLUG}")
    return load_definition(files[-1])


ACTIVITIES = (
    ("1_draft.ipynb", "The draft credential", "read the fields of the current draft"),
    ("2_feedback.ipynb", "Give your view", "keep, change or drop a field, and why"),
    ("3_results.ipynb", "What the room says", "the room's views, live"),
    ("4_cards.ipynb", "Sample credential cards", "what a credential shows"),
    ("5_wallet.ipynb", "The member's wallet", "share or decline when a co-op asks"),
)


def start_page() -> w.Widget:
    """The start page: one link per activity."""

    def build() -> w.Widget:
        return w.HTML(html_views.render("workshop/activities.html", activities=ACTIVITIES))

    return workshop_page(build, name="start page")


# --- the feedback form ------------------------------------------------------------------


def friendly_message(problem: FeedbackProblem, values: Mapping[str, Any]) -> str:
    """What to fix, in plain words, for one problem of the form (``values``: what was typed)."""
    label = LABELS.get(problem.field or "", problem.field or "This answer")
    if problem.code == "missing-field":
        return f"Please fill in “{label}”."
    if problem.code == "too-long":
        limit = MAX_COMMENT_CHARS if problem.field == "comment" else MAX_TEXT_CHARS
        typed = len(str(values.get(problem.field or "", "")))
        return f"“{label}” is too long: at most {limit:,} characters (you wrote {typed:,})."
    if problem.code == "bad-priority":
        return "Choose a priority from 1 (low) to 5 (high)."
    if problem.code == "bad-term":
        return "Write the proposed term as one word of letters and digits, like recognisedBy."
    if problem.code == "invisible-character":
        return f"“{label}” contains an invisible control character: please retype it."
    return problem.message[:1].upper() + problem.message[1:] + "."


def workshop_record(
    values: Mapping[str, Any],
    *,
    rng: RandomSource = DEFAULT_RANDOM,
    clock: Clock = utc_now,
    source: str = "workshop",
) -> FeedbackRecord:
    """A validated record from the form's values; in the workshop a comment is required.

    Raises :class:`FeedbackError` listing every problem, each with its field.
    """
    problems: list[FeedbackProblem] = []
    if not values.get("comment"):
        problems.append(FeedbackProblem("missing-field", "comment is missing", "comment"))
    try:
        record = make_record(**values, source=source, rng=rng, clock=clock)
    except FeedbackError as exc:
        problems.extend(exc.problems)
    if problems:
        raise FeedbackError.from_problems(problems)
    return record


class WorkshopFeedbackForm(FeedbackForm):
    """The participants' form: plain labels, each problem next to its field, typing kept.

    A submission is validated whole before anything is written; a valid one is
    appended to the feedback file in one locked write, then the comment is
    cleared for the next view. Priority is typed (1 to 5), so a wrong number
    is explained rather than silently clamped.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        definition: CredentialDefinition,
        *,
        rng: RandomSource = DEFAULT_RANDOM,
        clock: Clock = utc_now,
        source: str = "workshop",
    ) -> None:
        super().__init__(path, definition, rng=rng, clock=clock, source=source)
        labels = {p: f"{f.label} ({p})" for p, f in definition.iter_fields(include_dropped=False)}
        self.field.options = [
            *[(labels.get(p, p), p) for p in self.field.options if p != NEW_FIELD],
            ("a new field (propose one)", NEW_FIELD),
        ]
        self.sphere.options = [(SPHERE_LABELS.get(s, s), s) for s in SPHERES]
        self.priority = w.IntText(value=3)
        self.comment.layout = w.Layout(width="44em", height="8em")
        self.comment.placeholder = "Why? What would you change?"
        self.inputs: dict[str, w.Widget] = {
            "organisation": self.organisation, "participant": self.participant,
            "role": self.role, "sector": self.sector, "sphere": self.sphere,
            "field": self.field, "proposed_term": self.proposed_term,
            "proposed_label": self.proposed_label, "stance": self.stance,
            "priority": self.priority, "comment": self.comment, "consent": self.consent,
        }
        self.messages = {key: w.HTML() for key in self.inputs}
        for key, widget in self.inputs.items():
            widget.description = LABELS[key]
            widget.style = {"description_width": "14em"}
            if key != "comment":
                widget.layout = w.Layout(width="44em")
            self.messages[key].add_class("cc-field-message")
            if hasattr(widget, "continuous_update"):
                # Send what was typed once, when the field is left: the browser then sends
                # it before the click on Submit. Per-keystroke updates can be held back
                # while the kernel is busy and arrive after the click.
                widget.continuous_update = False
        self.status.value = ""
        self.widget = w.VBox(
            [w.VBox([self.inputs[k], self.messages[k]]) for k in self.inputs]
            + [self.submit_button, self.status]
        )

    def _show_problems(self, problems: Sequence[FeedbackProblem], values: Mapping[str, Any]) -> None:
        shown: set[str] = set()
        general = []
        for problem in problems:
            key = problem.field if problem.field in self.messages else None
            if key is None:
                general.append(friendly_message(problem, values))
            elif key not in shown:
                shown.add(key)
                self.messages[key].value = html_views.render(
                    "workshop/form_status.html", field_problem=friendly_message(problem, values))
        count = len(shown)
        text = f"Not saved yet: please fix the {count} answer{'s' * (count != 1)} marked above."
        if general:
            text += " " + " ".join(general)
        self.status.value = html_views.render("workshop/form_status.html", not_saved=text)

    def submit(self) -> FeedbackRecord | None:
        """Check the answers; show each problem next to its field, or save and say so."""
        for message in self.messages.values():
            message.value = ""
        values = self.values()
        try:
            record = workshop_record(
                values, rng=self._rng, clock=self._clock, source=self._source
            )
        except FeedbackError as exc:
            self._show_problems(exc.problems, values)
            return None
        append_feedback(self.path, [record])
        self.last_record = record
        self.comment.value = ""
        self.status.value = html_views.render("workshop/form_status.html", saved=record.target)
        return record


def feedback_page(settings: WorkshopSettings | None = None, *, version: str | None = None):
    """The feedback form page, writing to the workshop's feedback file."""

    def build() -> w.Widget:
        s = settings or WorkshopSettings.from_env()
        return WorkshopFeedbackForm(s.feedback_file, current_definition(version)).widget

    return workshop_page(build, name="feedback form")


# --- the live dashboard -------------------------------------------------------------------


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class LiveDashboard:
    """The consultation dashboard, redrawn whenever the feedback file changes.

    A background thread of the page's kernel looks at the file's size and
    modification time every ``interval`` seconds and redraws only when they
    changed, so new submissions appear without reloading (``interval=None``:
    no thread, call :meth:`poll` yourself). The thread ends with the kernel.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        interval: float | None = REFRESH_SECONDS,
        export: Callable[[], str] | None = None,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.dashboard = ConsultationDashboard(self.path)
        self._seen = _stamp(self.path)
        self.count = w.HTML()
        self.export_button = w.Button(
            description="Export workshop pack", icon="download", layout=w.Layout(width="auto"),
            tooltip="Write the workshop pack (an HTML report) to the workshop's data folder",
        )
        self.export_status = w.HTML()
        self._export = export
        self.export_button.on_click(
            _guarded(self.export_pack, self.export_status, "exporting the pack")
        )
        self.export_button.layout.display = None if export else "none"
        self.dashboard.view.style.button_width = "auto"
        self._show_count()
        self.widget = w.VBox(
            [self.count, self.dashboard.widget, w.HBox([self.export_button, self.export_status])]
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if interval is not None:
            self._thread = threading.Thread(
                target=self._watch, args=(interval,), name="coopcreds-live-dashboard",
                daemon=True,
            )
            self._thread.start()

    def _watch(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - keep watching; details in the server log
                _log_failure("refreshing the results")

    def stop(self) -> None:
        """Stop watching the file."""
        self._stop.set()

    def _show_count(self) -> None:
        n = len(self.dashboard._records)
        self.count.value = html_views.render("workshop/dashboard_status.html", count=n)

    def poll(self) -> bool:
        """Refresh if the feedback file changed since the last look; True when it did."""
        with self._lock:
            stamp = _stamp(self.path)
            if stamp == self._seen:
                return False
            self._seen = stamp
            self.dashboard.refresh()
            self._show_count()
            return True

    def export_pack(self) -> None:
        """Write the workshop pack and say where it is."""
        if self._export is None:
            return
        self.export_status.value = html_views.render("workshop/dashboard_status.html")
        where = self._export()
        self.export_status.value = html_views.render("workshop/dashboard_status.html",
                                                     exported=str(where))


def _pack_exporter(settings: WorkshopSettings, clock: Clock = utc_now) -> Callable[[], str]:
    """Export the pack of the workshop's feedback to a new, time-stamped file in the data folder."""

    def export() -> str:
        from .pack import export_pack  # heavy: matplotlib, only when the pack is exported

        moment = clock()
        target = settings.data_dir / f"workshop-pack-{moment:%Y%m%d-%H%M%S}.html"
        done = export_pack(target, feedback_path=settings.feedback_file, now=moment)
        return str(done.html_path)

    return export


def dashboard_page(settings: WorkshopSettings | None = None) -> w.Widget:
    """The live results page, with the workshop pack export."""

    def build() -> w.Widget:
        s = settings or WorkshopSettings.from_env()
        return LiveDashboard(s.feedback_file, export=_pack_exporter(s)).widget

    return workshop_page(build, name="results dashboard")


# --- the draft and the cards ---------------------------------------------------------------


def draft_page(*, version: str | None = None) -> w.Widget:
    """The draft credential as its handout, with a choice of version (latest first)."""

    def build() -> w.Widget:
        versions = [f.stem[1:] for f in reversed(list_definition_files(DEFINITION_SLUG))]
        if not versions:
            raise FeedbackError("no-definition", "no draft of the credential is available")
        choice = w.Dropdown(
            description="Draft",
            options=[(f"version {v}" + (" (latest)" if i == 0 else ""), v)
                     for i, v in enumerate(versions)],
            value=version or versions[0],
            style={"description_width": "initial"},
        )
        sheet = w.HTML(sheet_html(current_definition(choice.value), stylesheet=False))

        def show(_change: Any = None) -> None:
            sheet.value = sheet_html(current_definition(choice.value), stylesheet=False)

        choice.observe(show, names="value")
        return w.VBox([choice, sheet])

    return workshop_page(build, name="draft")


def sample_cards() -> list[tuple[str, str]]:
    """(caption, card HTML) for the sample credentials shown in the workshop (fragments:
    the page carries the stylesheet)."""
    actors = sample_actors()
    signed = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    result = verify_credential(signed, now=SAMPLE_NOW)
    draft = current_definition()
    example = example_credential(draft, actors)
    loader = definition_loader(draft)
    example_signed = issue(example, actors.coop, created=SAMPLE_CREATED, loader=loader)
    return [
        ("A membership credential as issued today, checked by a verifier",
         credential_card(signed, result).html),
        (f"The same kind of credential under draft {draft.version}",
         credential_card(example_signed).html),
    ]


def cards_page() -> w.Widget:
    """The sample credential cards page."""

    def build() -> w.Widget:
        parts = [
            w.HTML(html_views.render("workshop/captioned.html", caption=caption,
                                     view=html_views.trusted_html(card)))
            for caption, card in sample_cards()
        ]
        return w.VBox(parts)

    return workshop_page(build, name="credential cards")


# --- the member's wallet ------------------------------------------------------------------


def _qr_svg(text: str) -> str:
    return segno.make(text, error="m", micro=False).svg_inline(scale=4, border=2)


class WalletConsent:
    """The member's wallet: their credential as a card, a co-op's request, share or decline.

    The consent screen says who is asking, why, what they will see and what
    they will not. *Share* has the issuer derive a credential holding only the
    requested fields, presents it for the request's challenge and domain, and
    hands it to the co-op: it is written to ``outbox`` (the co-op's side of
    the demo). *Decline* shares nothing: nothing is derived, signed or written.
    """

    def __init__(
        self,
        outbox: str | os.PathLike[str],
        *,
        rng: RandomSource = DEFAULT_RANDOM,
    ) -> None:
        self.outbox = Path(outbox)
        self._rng = rng
        self._now = SAMPLE_NOW
        self.actors = sample_actors()
        self.credential = issue(
            sample_membership_credential(self.actors), self.actors.coop, created=SAMPLE_CREATED
        )
        self.wallet = Wallet().add_key(self.actors.member).add_credential(self.credential)
        self.request = PresentationRequest(
            verifier=self.actors.outsider.did,
            verifier_name="Stay Fair Tourism Co-operative",
            purpose="a member discount on stays during the co-op festival",
            credential_type="CooperativeMembershipCredential",
            fields=("memberName", "membershipStatus"),
            challenge=new_join_code(rng),  # a fresh random challenge per request
            domain="https://stayfair.example",
        )
        # The ecosystem's trust registry, as the wallet consults it: it knows the
        # co-op asking by this name, so the consent screen can say it is confirmed.
        self.trust = TrustRegistry(names={self.actors.outsider.did: self.request.verifier_name})
        self.summary = consent_summary(self.request, self.credential, trust=self.trust)
        self.presentation: dict | None = None
        self.decided: str | None = None
        card = credential_card(self.credential, verify_credential(self.credential, now=SAMPLE_NOW))
        self.share_button = w.Button(description="Share", button_style="primary",
                                     tooltip="Share only what is listed under 'They will see'")
        self.decline_button = w.Button(description="Decline", tooltip="Share nothing")
        self.again_button = w.Button(description="Show the request again",
                                     layout=w.Layout(display="none", width="auto"))
        self.outcome = w.HTML()
        self.share_button.on_click(_guarded(self.share, self.outcome, "sharing"))
        self.decline_button.on_click(_guarded(self.decline, self.outcome, "declining"))
        self.again_button.on_click(_guarded(self.reset, self.outcome, "starting again"))
        request_json = json.dumps(self.request.to_json(), separators=(",", ":"))
        self.widget = w.VBox([
            w.HTML(html_views.render("workshop/captioned.html", caption="Your credentials",
                                     view=card.html)),
            w.HTML(html_views.render("workshop/captioned.html", caption="A co-operative asks",
                                     view="")),
            w.HBox([
                w.HTML(self.summary.html),
                w.HTML(html_views.render("workshop/wallet_qr.html",
                                         qr_svg=html_views.trusted_html(_qr_svg(request_json)))),
            ]),
            w.HBox([self.share_button, self.decline_button]),
            self.outcome,
            self.again_button,
        ])

    def _decided(self, choice: str) -> None:
        self.decided = choice
        self.share_button.disabled = self.decline_button.disabled = True
        self.again_button.layout.display = None

    def share(self) -> dict:
        """Derive, present and hand over only the requested fields; returns the presentation."""
        derived = derive_for_request(
            self.credential, self.request, key=self.actors.coop, now=self._now, rng=self._rng
        )
        presentation = self.wallet.present(
            self.request.challenge, self.request.domain, credentials=[derived],
            created=self._now,
        )
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"presentation-{self.request.challenge}.json"
        write_atomically(self.outbox / name, json.dumps(presentation, indent=2).encode("utf-8"))
        self.presentation = presentation
        self._decided("shared")
        self.outcome.value = html_views.render(
            "workshop/wallet_outcome.html", verifier=self.summary.verifier_name,
            shown=self.summary.shown)
        return presentation

    def decline(self) -> None:
        """Share nothing, and say so."""
        self.presentation = None
        self._decided("declined")
        self.outcome.value = html_views.render(
            "workshop/wallet_outcome.html", verifier=self.summary.verifier_name)

    def reset(self) -> None:
        """Show the same request again, undecided."""
        self.decided = None
        self.presentation = None
        self.share_button.disabled = self.decline_button.disabled = False
        self.again_button.layout.display = "none"
        self.outcome.value = ""


def wallet_page(settings: WorkshopSettings | None = None) -> w.Widget:
    """The member's wallet page: cards, a co-op's request, the consent screen and its QR code."""

    def build() -> w.Widget:
        s = settings or WorkshopSettings.from_env()
        return WalletConsent(s.data_dir / OUTBOX_DIR).widget

    return workshop_page(build, name="wallet")
