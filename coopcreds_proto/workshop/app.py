"""The workshop app: a room of phones gives its views on a draft credential.

An ASGI application (Starlette) whose pages are rendered on the server from
the templates in ``templates/workshop/app/`` and work without JavaScript
(post, redirect, get); a little local script (``static/workshop.js``) shows
when a phone is offline, keeps a double click from sending twice and keeps
the projector live through Server-Sent Events. Everything is served by the
app itself, so it runs on a LAN with no internet.

Who sees what:

- **participants** join with the room's code (typed, or from the QR code's
  link) and get a cookie; they read the draft, give views (receipt, edit,
  withdraw), react to other people's comments, see the results, the sample
  credentials and the member's wallet;
- **the projector** (``/projector``) is read-only: the join code, its QR code
  and the room's views, live;
- **the facilitator** signs in to ``/console`` with a secret printed only in
  their terminal: moderate, decide, preview the next draft, record the vote,
  download the pack, close the round, erase a person.

All state is in the workshop store (:mod:`coopcreds_proto.consultation.store`);
all words in the message catalogue (:mod:`.catalogue`); the checks on hosts,
origins, sizes and rates in :mod:`.guards`. Make it with :func:`make_app`;
serve it with :mod:`.server`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import segno
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from .. import html_views
from ..atomic_files import write_atomically
from ..consultation.feedback import (
    MAX_COMMENT_CHARS,
    MAX_TEXT_CHARS,
    NEW_FIELD,
    SPHERES,
    FeedbackError,
    FeedbackProblem,
    make_record,
)
from ..consultation.proposals import DecisionError
from ..consultation.store import (
    OUTCOMES,
    Erasure,
    Participant,
    ReactionCount,
    Round,
    View,
    WorkshopStore,
    WorkshopStoreError,
    new_token,
)
from ..definitions.artefacts import diff_definitions
from ..definitions.definition import (
    RULES,
    CredentialDefinition,
    list_definition_files,
    load_definition,
)
from ..errors import CoopCredsError
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import utc_now
from ..vc.presentation_request import field_label
from .catalogue import Catalogue, load_catalogue
from .chromium import ChromiumError
from .guards import MAX_BODY_BYTES, AllowedHosts, BodyTooLarge, Guards, RateLimit
from .pack import WorkshopPackError, print_to_pdf
from .room_results import (
    field_counts,
    most_agreed,
    most_divisive,
    rated_comments,
    sphere_counts,
)
from .round_pack import next_draft, pack_from_store
from .wallet_demo import WalletDemo, sample_cards

PARTICIPANT_COOKIE = "cc_p"
BROWSER_COOKIE = "cc_b"
FACILITATOR_COOKIE = "cc_f"
COOKIE_SECONDS = 7 * 24 * 3600
STANCES_SHOWN = ("keep", "change", "drop")
PRIORITIES = ("1", "2", "3", "4", "5")
ROLES = ("member", "staff", "board", "industry-body", "other")
REACT_PAGE = 20
"""At most this many comments to react to on one page (those not reacted to yet first)."""
FORM_KEYS = ("csrf", "form_key")

Log = Callable[[str], None]


def _quiet(line: str) -> None:
    """The default event log: nothing."""


@dataclass(frozen=True)
class WorkshopSettings:
    """How a workshop app runs: where its data is, who may reach it, its limits.

    ``shared_hosts`` are the addresses (besides loopback) requests may name,
    when the workshop is shared on the LAN. ``live_interval`` is how often
    the live channel looks for news, ``live_seconds`` how long one live
    connection lasts before the browser reconnects, ``max_live`` how many may
    be open at once.
    """

    data_dir: Path
    facilitator_secret: str
    store_path: Path | None = None
    shared_hosts: tuple[str, ...] = ()
    join_url: str = ""
    definition: CredentialDefinition | None = None
    title: str = ""
    messages: Path | None = None
    posts_per_minute: float = 120.0
    burst: int = 40
    max_body: int = MAX_BODY_BYTES
    live_interval: float = 0.5
    live_seconds: float = 300.0
    max_live: int = 500
    rng: RandomSource = DEFAULT_RANDOM
    clock: Callable[[], datetime] = utc_now
    log: Log = _quiet
    cookie_key: bytes = field(default=b"", repr=False)


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return parse_qs(text, keep_blank_values=True, max_num_fields=400)


def _one(data: Mapping[str, list[str]], key: str) -> str:
    values = data.get(key) or [""]
    return values[0].replace("\r\n", "\n").strip()


@dataclass(frozen=True)
class RoomNow:
    """The round as it stands after the store's latest write (pages share it until the next)."""

    marker: Any
    room: Round
    views: tuple[View, ...]
    reactions: Mapping[str, ReactionCount]
    people: int


class WorkshopApp:
    """The app's state and pages; :attr:`asgi` is what a server runs."""

    def __init__(self, settings: WorkshopSettings, store: WorkshopStore,
                 definition: CredentialDefinition, round_id: str) -> None:
        self.settings = settings
        self.store = store
        self.definition = definition
        self.round_id = round_id
        self.t: Catalogue = load_catalogue(settings.messages)
        self.log = settings.log
        self._key = settings.cookie_key or settings.rng.bytes(32)
        self._facilitator = hmac.new(self._key, b"facilitator:" + settings.facilitator_secret
                                     .encode(), hashlib.sha256).hexdigest()
        self.labels = self._field_labels(definition)
        self._live: tuple[Any, Markup] | None = None
        self._now: RoomNow | None = None
        self._live_event: tuple[Markup, str] | None = None
        self.live_connections = 0
        self._wallet: WalletDemo | None = None
        self._cards: list[Any] | None = None
        self.env = html_views.environment()
        routes = [
            Route("/", self.home), Route("/join", self.join, methods=["GET", "POST"]),
            Route("/draft", self.draft), Route("/give", self.give, methods=["GET", "POST"]),
            Route("/mine", self.mine), Route("/mine/forget", self.forget, methods=["POST"]),
            Route("/views/{key}", self.receipt),
            Route("/views/{key}/edit", self.edit, methods=["GET", "POST"]),
            Route("/views/{key}/withdraw", self.withdraw, methods=["POST"]),
            Route("/react", self.react, methods=["GET", "POST"]),
            Route("/results", self.results), Route("/cards", self.cards),
            Route("/wallet", self.wallet, methods=["GET", "POST"]),
            Route("/projector", self.projector), Route("/projector/live", self.projector_live),
            Route("/events", self.events), Route("/qr.svg", self.qr),
            Route("/console", self.console), Route("/console/login", self.console_login,
                                                   methods=["POST"]),
            Route("/console/moderate", self.console_moderate, methods=["POST"]),
            Route("/console/decide", self.console_decide, methods=["POST"]),
            Route("/console/preview", self.console_preview),
            Route("/console/vote", self.console_vote, methods=["POST"]),
            Route("/console/pack", self.console_pack, methods=["POST"]),
            Route("/console/close", self.console_close, methods=["POST"]),
            Route("/console/erase", self.console_erase, methods=["POST"]),
            Route("/static/coopcreds.css", self.stylesheet),
            Route("/static/workshop.js", self.script),
        ]
        inner = Starlette(routes=routes, exception_handlers={404: self.not_found,
                                                             405: self.not_found})
        guarded = Guards(inner, hosts=AllowedHosts(settings.shared_hosts),
                         rate=RateLimit(settings.posts_per_minute, settings.burst),
                         max_body=settings.max_body,
                         client_cookies=(BROWSER_COOKIE, PARTICIPANT_COOKIE),
                         on_refusal=self.log, messages=self.t)
        self.asgi = _Contained(guarded, self)

    # --- small helpers ---------------------------------------------------------------------

    @staticmethod
    def _field_labels(definition: CredentialDefinition) -> dict[str, str]:
        labels: dict[str, str] = {}
        for path, f in definition.iter_fields(include_dropped=False):
            parent = path.rpartition(".")[0]
            labels[path] = f"{labels[parent]}: {f.label}" if parent in labels else f.label
        return labels

    def label(self, target: str) -> str:
        if target.startswith("+"):
            return self.t("field.proposed", term=target[1:])
        return self.labels.get(target, target)

    def now(self) -> RoomNow:
        """The round now, read once per change of the store."""
        marker = self.store.change_marker()
        if self._now is None or self._now.marker != marker:
            self._now = RoomNow(marker, self.store.round(self.round_id),
                                tuple(self.store.current_views(self.round_id)),
                                self.store.reactions(self.round_id),
                                len(self.store.participants(self.round_id)))
        return self._now

    @property
    def room(self) -> Round:
        return self.store.round(self.round_id)

    def csrf_for(self, browser: str) -> str:
        return hmac.new(self._key, b"csrf:" + browser.encode(), hashlib.sha256).hexdigest()

    def new_form_key(self) -> str:
        return new_token(self.settings.rng, 16)

    def participant(self, request: Request) -> Participant | None:
        person = self.store.participant_by_token(request.cookies.get(PARTICIPANT_COOKIE, ""))
        return person if person is not None and person.round_id == self.round_id else None

    def is_facilitator(self, request: Request) -> bool:
        return hmac.compare_digest(request.cookies.get(FACILITATOR_COOKIE, ""), self._facilitator)

    def page(self, request: Request, template: str, *, status: int = 200,
             **context: Any) -> HTMLResponse:
        browser = request.cookies.get(BROWSER_COOKIE, "")
        fresh = not browser or len(browser) != 32
        if fresh:
            browser = new_token(self.settings.rng, 16)
        person = context.pop("person", None)
        html = self.env.get_template(f"workshop/app/{template}").render(
            t=self.t, csrf=self.csrf_for(browser), person=person, room=self.room,
            facilitator=self.is_facilitator(request), label=self.label, **context)
        response = HTMLResponse(html, status_code=status)
        if fresh:
            response.set_cookie(BROWSER_COOKIE, browser, max_age=COOKIE_SECONDS, httponly=True,
                                samesite="lax")
        _no_store(response)
        return response

    async def posted(self, request: Request) -> dict[str, list[str]] | None:
        """The form posted, or None when its CSRF token is not this browser's."""
        data = _form(await request.body())
        browser = request.cookies.get(BROWSER_COOKIE, "")
        if not browser or not hmac.compare_digest(_one(data, "csrf"), self.csrf_for(browser)):
            return None
        return data

    def refused_form(self, request: Request) -> HTMLResponse:
        return self.page(request, "message.html", status=403, title=self.t("csrf.title"),
                         text=self.t("csrf.text"))

    def to_join(self) -> RedirectResponse:
        return RedirectResponse("/join", status_code=303)

    # --- errors ----------------------------------------------------------------------------

    async def not_found(self, request: Request, exc: Exception) -> HTMLResponse:
        return self.page(request, "message.html", status=404, title=self.t("missing.title"),
                         text=self.t("missing.text"))

    def problem_text(self, problem: FeedbackProblem, values: Mapping[str, str]) -> str:
        name = problem.field or ""
        label = self.t(f"label.{name}") if f"label.{name}" in self.t else name
        if problem.code in ("missing-field", "unknown-sphere", "unknown-stance",
                            "unknown-consent") and not values.get(name):
            return self.t("error.missing", label=label)
        if problem.code == "too-long":
            limit = MAX_COMMENT_CHARS if name == "comment" else MAX_TEXT_CHARS
            return self.t("error.too_long", label=label, limit=f"{limit:,}",
                          typed=f"{len(values.get(name, '')):,}")
        if problem.code == "bad-priority":
            return self.t("error.priority")
        if problem.code == "bad-term":
            return self.t("error.term")
        if problem.code == "invisible-character":
            return self.t("error.invisible", label=label)
        if problem.code == "bad-stance":
            return self.t("error.stance_new") if values.get("field") == NEW_FIELD else \
                self.t("error.stance_add")
        if problem.code == "unexpected-field":
            return self.t("error.only_new")
        return self.t("error.choose", label=label)

    def errors_of(self, exc: FeedbackError, values: Mapping[str, str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for problem in exc.problems:
            name = {"participant": "name"}.get(problem.field or "", problem.field or "form")
            errors.setdefault(name, self.problem_text(problem, values))
        return errors

    # --- joining ---------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            if self.is_facilitator(request):
                return RedirectResponse("/console", status_code=303)
            return self.to_join()
        views = self.store.current_views(self.round_id, participant_id=person.id)
        return self.page(request, "home.html", title=self.t("home.title"), person=person,
                         views=views)

    async def join(self, request: Request) -> Response:
        values = {"code": request.query_params.get("code", "")[:32]}
        errors: dict[str, str] = {}
        if request.method == "POST":
            data = await self.posted(request)
            if data is None:
                return self.refused_form(request)
            values = {k: _one(data, k) for k in ("code", "consent", "name", "organisation",
                                                  "role", "sector")}
            room = self.room
            code = "".join(values["code"].upper().split())
            if not room.open:
                errors["form"] = self.t("join.closed")
            elif not code:
                errors["code"] = self.t("error.missing", label=self.t("label.code"))
            elif not hmac.compare_digest(code, room.join_code):
                errors["code"] = self.t("join.wrong_code")
            if values["role"] and values["role"] not in ROLES:
                errors["role"] = self.t("error.choose", label=self.t("label.role"))
            if not values["role"]:
                errors["role"] = self.t("error.missing", label=self.t("label.role"))
            if not errors:
                try:
                    person, token = self.store.join(
                        self.round_id, consent=values["consent"], name=values["name"],
                        organisation=values["organisation"], role=values["role"],
                        sector=values["sector"])
                except FeedbackError as exc:
                    errors.update(self.errors_of(exc, {**values, "participant": values["name"]}))
                else:
                    self.log(f"joined: a participant ({person.consent})")
                    response = RedirectResponse("/", status_code=303)
                    response.set_cookie(PARTICIPANT_COOKIE, token, max_age=COOKIE_SECONDS,
                                        httponly=True, samesite="lax")
                    return response
        elif self.participant(request) is not None:
            return RedirectResponse("/", status_code=303)
        return self.page(request, "join.html", status=400 if errors else 200,
                         title=self.t("join.title"), values=values, errors=errors, roles=ROLES)

    # --- the draft -------------------------------------------------------------------------

    async def draft(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None and not self.is_facilitator(request):
            return self.to_join()
        return self.page(request, "draft.html", title=self.t("draft.title"), person=person,
                         d=self.definition, fields=self._handout(self.definition))

    def _handout(self, definition: CredentialDefinition) -> list[dict[str, Any]]:
        labels = self._field_labels(definition)
        return [{"path": path, "anchor": "field-" + path.replace(".", "-"),
                 "label": labels[path], "depth": path.count("."), "f": f}
                for path, f in definition.iter_fields(include_dropped=False)]

    # --- giving a view ---------------------------------------------------------------------

    def _view_values(self, data: Mapping[str, list[str]]) -> dict[str, str]:
        return {k: _one(data, k) for k in ("field", "sphere", "stance", "priority", "comment",
                                            "proposed_term", "proposed_label", "form_key")}

    def _check_view(self, values: Mapping[str, str]) -> dict[str, str]:
        errors = {}
        if values["field"] and values["field"] != NEW_FIELD and values["field"] not in self.labels:
            errors["field"] = self.t("error.choose", label=self.t("label.field"))
        return errors

    def _store_view(self, person: Participant, values: dict[str, str], *,
                    view_key: str | None = None) -> tuple[View | None, dict[str, str]]:
        errors = self._check_view(values)
        priority: Any = int(values["priority"]) if values["priority"] in PRIORITIES else (
            values["priority"] or None)
        stance = "add" if values["field"] == NEW_FIELD and values["stance"] in ("", "add") \
            else values["stance"]
        arguments = {"sphere": values["sphere"], "field": values["field"], "stance": stance,
                     "priority": priority, "comment": values["comment"],
                     "proposed_term": values["proposed_term"] or None,
                     "proposed_label": values["proposed_label"] or None}
        if errors:  # the field is not the draft's: the other answers are still checked
            try:
                make_record(organisation="-", participant="-", role="-", consent="anonymous",
                            **{**arguments, "field": next(iter(self.labels))})
            except FeedbackError as exc:
                return None, {**self.errors_of(exc, values), **errors}
            return None, errors
        try:
            if view_key is None:
                view, saved = self.store.give_view(person.id, form_key=values["form_key"],
                                                   **arguments)
            else:
                view, saved = self.store.edit_view(person.id, view_key,
                                                   form_key=values["form_key"], **arguments)
        except FeedbackError as exc:
            found = self.errors_of(exc, values)
            return None, {**found, **errors}
        except WorkshopStoreError as exc:
            return None, {"form": self.store_message(exc)}
        if saved:
            self.log(f"view {'edited' if view_key else 'saved'}: {view.target} ({view.stance})")
        return view, {}

    def store_message(self, exc: WorkshopStoreError) -> str:
        key = f"store.{exc.code}"
        return self.t(key) if key in self.t else exc.message

    def _view_form(self, request: Request, person: Participant, values: Mapping[str, str],
                   errors: Mapping[str, str], *, action: str, title: str,
                   view: View | None = None) -> HTMLResponse:
        return self.page(request, "give.html", status=400 if errors else 200, title=title,
                         person=person, values=values, errors=errors, action=action,
                         fields=list(self.labels.items()), spheres=SPHERES,
                         stances=STANCES_SHOWN, priorities=PRIORITIES, new_field=NEW_FIELD,
                         view=view, max_comment=MAX_COMMENT_CHARS, max_text=MAX_TEXT_CHARS)

    async def give(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            return self.to_join()
        if request.method == "POST":
            data = await self.posted(request)
            if data is None:
                return self.refused_form(request)
            values = self._view_values(data)
            view, errors = self._store_view(person, values)
            if view is not None:
                return RedirectResponse(f"/views/{quote(view.view_key)}?saved=1",
                                        status_code=303)
        else:
            values = {"field": request.query_params.get("field", "")[:200]
                      if request.query_params.get("field", "") in self.labels else "",
                      "form_key": self.new_form_key()}
            errors = {}
        return self._view_form(request, person, values, errors, action="/give",
                               title=self.t("give.title"))

    def _own_view(self, person: Participant, key: str) -> View | None:
        view = self.store.current_view(key)
        return view if view is not None and view.participant_id == person.id else None

    async def receipt(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            return self.to_join()
        view = self._own_view(person, request.path_params["key"])
        if view is None:
            return await self.not_found(request, KeyError())
        return self.page(request, "receipt.html", title=self.t("receipt.title"), person=person,
                         view=view, saved=request.query_params.get("saved") == "1",
                         withdraw_key=self.new_form_key())

    async def edit(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            return self.to_join()
        key = request.path_params["key"]
        view = self._own_view(person, key)
        if view is None or view.kind == "withdrawn":
            return await self.not_found(request, KeyError())
        if request.method == "POST":
            data = await self.posted(request)
            if data is None:
                return self.refused_form(request)
            values = self._view_values(data)
            saved, errors = self._store_view(person, values, view_key=key)
            if saved is not None:
                return RedirectResponse(f"/views/{quote(key)}?saved=1", status_code=303)
        else:
            values = {"field": view.field, "sphere": view.sphere, "stance": view.stance,
                      "priority": str(view.priority), "comment": view.comment,
                      "proposed_term": view.proposed_term or "",
                      "proposed_label": view.proposed_label or "",
                      "form_key": self.new_form_key()}
            errors = {}
        return self._view_form(request, person, values, errors, action=f"/views/{quote(key)}/edit",
                               title=self.t("edit.title"), view=view)

    async def withdraw(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            return self.to_join()
        data = await self.posted(request)
        if data is None:
            return self.refused_form(request)
        key = request.path_params["key"]
        try:
            _, saved = self.store.withdraw_view(person.id, key, form_key=_one(data, "form_key"))
        except WorkshopStoreError as exc:
            return self.page(request, "message.html", status=400, person=person,
                             title=self.t("withdraw.failed"), text=self.store_message(exc))
        if saved:
            self.log("view withdrawn")
        return RedirectResponse(f"/views/{quote(key)}", status_code=303)

    async def mine(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            return self.to_join()
        return self.page(request, "mine.html", title=self.t("mine.title"), person=person,
                         errors={},
                         views=self.store.current_views(self.round_id, participant_id=person.id))

    # --- reactions and results -------------------------------------------------------------

    def _filters(self, request: Request) -> tuple[str, str]:
        target = request.query_params.get("field", "")
        sphere = request.query_params.get("sphere", "")
        return (target if target in self.labels or target.startswith("+") else "",
                sphere if sphere in SPHERES else "")

    @staticmethod
    def _filtered(views: list[View], target: str, sphere: str) -> list[View]:
        return [v for v in views if (not target or v.target == target)
                and (not sphere or v.sphere == sphere)]

    async def react(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None:
            return self.to_join()
        message = ""
        if request.method == "POST":
            data = await self.posted(request)
            if data is None:
                return self.refused_form(request)
            key = _one(data, "view_key")
            try:
                if self.store.react(person.id, key, _one(data, "reaction"),
                                    form_key=_one(data, "form_key")):
                    self.log(f"reaction: {_one(data, 'reaction')}")
            except WorkshopStoreError as exc:
                message = self.store_message(exc)
            else:
                back = request.query_params.get("field", "")
                suffix = f"?field={quote(back)}" if back else ""
                return RedirectResponse(f"/react{suffix}#view-{quote(key)}", status_code=303)
        target, sphere = self._filters(request)
        now = self.now()
        mine = self.store.my_reactions(person.id)
        offered = [v for v in self._filtered(list(now.views), target, sphere)
                   if v.comment and not v.hidden and v.participant_id != person.id]
        # Those not reacted to yet first; a page holds at most REACT_PAGE of them.
        offered.sort(key=lambda v: v.view_key in mine)
        views = offered[:REACT_PAGE]
        counts = now.reactions
        comments = rated_comments(now.views, counts)
        return self.page(request, "react.html", status=400 if message else 200,
                         title=self.t("react.title"), person=person, views=views,
                         more=len(offered) - len(views), mine=mine, counts=counts,
                         message=message, target=target, sphere=sphere,
                         targets=self._targets(), spheres=SPHERES,
                         agreed=most_agreed(comments), divisive=most_divisive(comments),
                         form_key=self.new_form_key)

    def _targets(self) -> list[tuple[str, str]]:
        asked = {v.target for v in self.now().views}
        return [(t, self.label(t)) for t in list(self.labels) + sorted(
            t for t in asked if t.startswith("+")) if t in asked]

    async def results(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None and not self.is_facilitator(request):
            return self.to_join()
        target, sphere = self._filters(request)
        now = self.now()
        views, counts = list(now.views), now.reactions
        shown = self._filtered(views, target, sphere)
        return self.page(request, "results.html", title=self.t("results.title"), person=person,
                         fields=field_counts(shown, self.labels), spheres=sphere_counts(shown),
                         comments=[v for v in shown if v.comment], counts=counts,
                         target=target, sphere=sphere, targets=self._targets(),
                         sphere_names=SPHERES, total=len(views))

    # --- credentials -----------------------------------------------------------------------

    async def cards(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None and not self.is_facilitator(request):
            return self.to_join()
        if self._cards is None:
            self._cards = await run_in_threadpool(sample_cards, self.definition)
        return self.page(request, "cards.html", title=self.t("cards.title"), person=person,
                         cards=self._cards, d=self.definition)

    async def wallet(self, request: Request) -> Response:
        person = self.participant(request)
        if person is None and not self.is_facilitator(request):
            return self.to_join()
        if self._wallet is None:
            self._wallet = await run_in_threadpool(WalletDemo, self.settings.rng)
        demo = self._wallet
        outcome, sent = "", None
        if request.method == "POST":
            data = await self.posted(request)
            if data is None:
                return self.refused_form(request)
            choice = _one(data, "choice")
            if choice == "share":
                presentation = await run_in_threadpool(demo.share)
                outbox = self.settings.data_dir / "shared-with-coops"
                outbox.mkdir(parents=True, exist_ok=True)
                name = f"presentation-{hashlib.sha256(json.dumps(presentation, sort_keys=True).encode()).hexdigest()[:16]}.json"
                write_atomically(outbox / name, json.dumps(presentation, indent=2),
                                 overwrite=True)
                outcome, sent = "shared", presentation
            elif choice == "decline":
                outcome = "declined"
        return self.page(request, "wallet.html", title=self.t("wallet.title"), person=person,
                         demo=demo, summary=demo.summary, outcome=outcome,
                         sent=_sent_claims(sent) if sent else None)

    # --- the projector and live updates ----------------------------------------------------

    def live_fragment(self) -> Markup:
        """The projector's live part, made once per change of the store."""
        now = self.now()
        if self._live is not None and self._live[0] == now.marker:
            return self._live[1]
        views = list(now.views)
        comments = rated_comments(views, now.reactions)
        html = Markup(self.env.get_template("workshop/app/live.html").render(
            t=self.t, label=self.label, people=now.people,
            views=len(views), fields=field_counts(views, self.labels),
            spheres=sphere_counts(views), agreed=most_agreed(comments),
            divisive=most_divisive(comments)))
        self._live = (now.marker, html)
        return html

    def live_event(self) -> str:
        """The live fragment as one Server-Sent Event, made once per change for every screen."""
        fragment = self.live_fragment()
        if self._live_event is None or self._live_event[0] is not fragment:
            lines = str(fragment).splitlines() or [""]
            self._live_event = (fragment, "event: update\n"
                                + "".join(f"data: {x}\n" for x in lines) + "\n")
        return self._live_event[1]

    def _may_watch(self, request: Request) -> bool:
        return self.is_facilitator(request) or self.participant(request) is not None

    async def projector(self, request: Request) -> Response:
        if not self._may_watch(request):
            return self.to_join()
        return self.page(request, "projector.html", title=self.t("projector.title"),
                         live=self.live_fragment(), join_url=self.join_url(request))

    async def projector_live(self, request: Request) -> Response:
        if not self._may_watch(request):
            return self.to_join()
        return HTMLResponse(self.live_fragment(), headers={"Cache-Control": "no-store"})

    def join_url(self, request: Request) -> str:
        base = self.settings.join_url or f"{request.url.scheme}://{request.url.netloc}/join"
        return f"{base}?code={self.room.join_code}"

    async def qr(self, request: Request) -> Response:
        if not self._may_watch(request):
            return self.to_join()
        buffer = io.BytesIO()
        segno.make(self.join_url(request), error="m").save(buffer, kind="svg", scale=8,
                                                           border=2, xmldecl=False)
        return Response(buffer.getvalue(), media_type="image/svg+xml",
                        headers={"Cache-Control": "no-store"})

    async def events(self, request: Request) -> Response:
        if not self._may_watch(request):
            return PlainTextResponse(self.t("live.refused"), status_code=403)
        if self.live_connections >= self.settings.max_live:
            return PlainTextResponse(self.t("live.busy"), status_code=503,
                                     headers={"Retry-After": "5"})
        settings = self.settings

        async def stream() -> Any:
            self.live_connections += 1
            try:
                started = last_sent = time.monotonic()
                last = None
                yield "retry: 2000\n\n"
                while time.monotonic() - started < settings.live_seconds:
                    marker = self.store.change_marker()
                    if marker != last:
                        last = marker
                        yield self.live_event()
                        last_sent = time.monotonic()
                    elif time.monotonic() - last_sent > 15:
                        yield ": still here\n\n"
                        last_sent = time.monotonic()
                    await asyncio.sleep(settings.live_interval)
            finally:
                self.live_connections -= 1

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    # --- the facilitator's console ---------------------------------------------------------

    def _console_page(self, request: Request, *, errors: Mapping[str, str] | None = None,
                      values: Mapping[str, str] | None = None, notice: str = "",
                      status: int = 200) -> HTMLResponse:
        views = list(self.now().views)
        by_target: dict[str, list[View]] = {}
        for v in views:
            by_target.setdefault(v.target, []).append(v)
        proposal, problem = next_draft(self.store, self.round_id, self.definition)
        return self.page(request, "console.html", status=status, title=self.t("console.title"),
                         views=views, by_target=by_target, targets=self._targets(),
                         decisions=self.store.decisions(self.round_id),
                         log=self.store.moderation_log(self.round_id),
                         votes=self.store.votes(self.round_id), outcomes=OUTCOMES,
                         rules=list(RULES), errors=errors or {}, values=values or {},
                         notice=notice, proposal=proposal, problem=problem,
                         people=len(self.store.participants(self.round_id)),
                         packs=self.store.packs(self.round_id), form_key=self.new_form_key,
                         join_url=self.join_url(request))

    async def console(self, request: Request) -> Response:
        if not self.is_facilitator(request):
            return self.page(request, "console_login.html", title=self.t("console.login"),
                             errors={})
        return self._console_page(request, notice=self.t(f"console.done.{request.query_params.get('done', '')}") if f"console.done.{request.query_params.get('done', '')}" in self.t else "")

    async def console_login(self, request: Request) -> Response:
        data = await self.posted(request)
        if data is None:
            return self.refused_form(request)
        secret = _one(data, "secret")
        if not hmac.compare_digest(secret.encode(), self.settings.facilitator_secret.encode()):
            self.log("refused a console sign-in with a wrong secret")
            return self.page(request, "console_login.html", status=403,
                             title=self.t("console.login"),
                             errors={"secret": self.t("console.wrong_secret")})
        response = RedirectResponse("/console", status_code=303)
        response.set_cookie(FACILITATOR_COOKIE, self._facilitator, max_age=COOKIE_SECONDS,
                            httponly=True, samesite="strict")
        self.log("facilitator signed in")
        return response

    async def _console_form(self, request: Request) -> dict[str, list[str]] | Response:
        if not self.is_facilitator(request):
            return PlainTextResponse(self.t("console.only"), status_code=403)
        data = await self.posted(request)
        if data is None:
            return self.refused_form(request)
        return data

    def _done(self, what: str) -> RedirectResponse:
        return RedirectResponse(f"/console?done={what}", status_code=303)

    async def console_moderate(self, request: Request) -> Response:
        data = await self._console_form(request)
        if isinstance(data, Response):
            return data
        key, action, reason = (_one(data, k) for k in ("view_key", "action", "reason"))
        try:
            self.store.moderate(key, action, reason)
        except WorkshopStoreError as exc:
            return self._console_page(request, status=400, errors={
                f"reason-{key}": self.store_message(exc)}, values={f"reason-{key}": reason})
        self.log(f"comment {'hidden' if action == 'hide' else 'shown again'} by the facilitator")
        return self._done("moderated")

    async def console_decide(self, request: Request) -> Response:
        data = await self._console_form(request)
        if isinstance(data, Response):
            return data
        target, outcome, reason, label = (_one(data, k) for k in ("target", "outcome", "reason",
                                                                  "label"))
        answers = [a for a in data.get("answers", []) if a]
        values = {"target": target, "outcome": outcome, "reason": reason, "label": label}
        errors: dict[str, str] = {}
        if target not in dict(self._targets()):
            errors["target"] = self.t("error.missing", label=self.t("label.target"))
        if outcome not in OUTCOMES:
            errors["outcome"] = self.t("error.missing", label=self.t("label.outcome"))
        if not reason:
            errors["reason"] = self.t("error.missing", label=self.t("label.reason"))
        if outcome == "change" and not label:
            errors["label"] = self.t("console.change_needs_label")
        if not errors:
            about = [v.view_key for v in self.store.current_views(self.round_id)
                     if v.target == target]
            trial = self.store.decisions(self.round_id)
            problem = _decision_problem(self, target, outcome, label, trial)
            if problem:
                errors["outcome"] = problem
            else:
                try:
                    self.store.decide(self.round_id, target, outcome, reason,
                                      answers=answers or about, label=label)
                except WorkshopStoreError as exc:
                    errors["form"] = self.store_message(exc)
        if errors:
            return self._console_page(request, status=400, errors=errors, values=values)
        self.log(f"decision: {outcome} {target}")
        return self._done("decided")

    async def console_preview(self, request: Request) -> Response:
        if not self.is_facilitator(request):
            return self.page(request, "console_login.html", title=self.t("console.login"),
                             errors={})
        proposal, problem = next_draft(self.store, self.round_id, self.definition)
        diff = diff_definitions(self.definition, proposal).to_records() if proposal else []
        return self.page(request, "preview.html", title=self.t("preview.title"),
                         proposal=proposal, problem=problem, diff=diff,
                         fields=self._handout(proposal) if proposal else [])

    async def console_vote(self, request: Request) -> Response:
        data = await self._console_form(request)
        if isinstance(data, Response):
            return data
        values = {k: _one(data, k) for k in ("version", "rule", "votes_for", "votes_against",
                                              "abstentions", "body")}
        errors: dict[str, str] = {}
        counts: dict[str, int] = {}
        for key in ("votes_for", "votes_against", "abstentions"):
            text = values[key] or ("0" if key == "abstentions" else "")
            if not text.isdigit() or len(text) > 6:
                errors[key] = self.t("error.count")
            else:
                counts[key] = int(text)
        if values["rule"] not in RULES:
            errors["rule"] = self.t("error.missing", label=self.t("label.rule"))
        proposal, _ = next_draft(self.store, self.round_id, self.definition)
        version = proposal.version if proposal else self.definition.version
        if not errors:
            self.store.record_vote(self.round_id, version, rule=values["rule"],
                                   body=values["body"], **counts)
            self.log(f"adoption vote recorded on {version}")
            return self._done("voted")
        return self._console_page(request, status=400, errors=errors, values=values)

    async def console_pack(self, request: Request) -> Response:
        data = await self._console_form(request)
        if isinstance(data, Response):
            return data
        kind = _one(data, "format")
        packs = self.settings.data_dir / "packs"
        packs.mkdir(parents=True, exist_ok=True)
        stamp = self.settings.clock()
        name = f"workshop-pack-{stamp.strftime('%Y%m%d-%H%M%S')}"
        try:
            html_path = packs / f"{name}.html"
            pack = await run_in_threadpool(pack_from_store, self.store, self.round_id,
                                           self.definition, generated_at=stamp)
            write_atomically(html_path, pack.html, overwrite=True)
            self.store.record_pack(self.round_id, html_path)
            if kind == "pdf":
                pdf_path = packs / f"{name}.pdf"
                await run_in_threadpool(print_to_pdf, html_path, pdf_path, overwrite=True)
                self.store.record_pack(self.round_id, pdf_path)
                body, media, filename = pdf_path.read_bytes(), "application/pdf", pdf_path.name
            else:
                body, media, filename = pack.html.encode(), "text/html; charset=utf-8", \
                    html_path.name
        except (WorkshopPackError, ChromiumError, DecisionError, CoopCredsError) as exc:
            self.log(f"pack not made: {exc.code}")
            return self._console_page(request, status=400, errors={"pack": str(exc)})
        self.log(f"pack exported: {filename}")
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store"})

    async def console_close(self, request: Request) -> Response:
        data = await self._console_form(request)
        if isinstance(data, Response):
            return data
        if _one(data, "confirm") != "yes":
            return self._console_page(request, status=400,
                                      errors={"confirm": self.t("console.close_confirm")})
        self.store.close_round(self.round_id)
        self.log("round closed")
        return self._done("closed")

    async def console_erase(self, request: Request) -> Response:
        data = await self._console_form(request)
        if isinstance(data, Response):
            return data
        name, organisation = _one(data, "erase_name"), _one(data, "erase_organisation")
        if not name:
            return self._console_page(request, status=400, errors={
                "erase_name": self.t("error.missing", label=self.t("label.erase_name"))})
        erasure = self.store.erase_person(name, organisation or None)
        await self._remake_packs(erasure)
        notice = self.t("console.erased", people=erasure.participants,
                        views=erasure.views_removed, packs=len(erasure.packs_removed),
                        exports=len(erasure.exports_remade))
        if erasure.exports_changed:
            notice += " " + self.t("console.erased_changed_exports",
                                   paths=", ".join(erasure.exports_changed))
        return self._console_page(request, notice=notice)

    async def _remake_packs(self, erasure: Erasure) -> None:
        """Make the HTML packs an erasure removed again, without the erased person."""
        remade = 0
        for path in erasure.packs_removed:
            if path.endswith(".html"):
                pack = await run_in_threadpool(pack_from_store, self.store, self.round_id,
                                               self.definition, generated_at=self.settings.clock())
                write_atomically(path, pack.html, overwrite=True)
                self.store.record_pack(self.round_id, path)
                remade += 1
        self.log(f"erasure: {erasure.participants} people, {erasure.views_removed} view records,"
                 f" {len(erasure.packs_removed)} packs removed, {remade} made again,"
                 f" {len(erasure.exports_remade)} exports written again,"
                 f" {len(erasure.exports_changed)} changed exports left as they are")

    async def forget(self, request: Request) -> Response:
        """A participant erases themself: every view, reaction and their place in packs."""
        person = self.participant(request)
        if person is None:
            return self.to_join()
        data = await self.posted(request)
        if data is None:
            return self.refused_form(request)
        if _one(data, "confirm") != "yes":
            return self.page(request, "mine.html", status=400, title=self.t("mine.title"),
                             person=person, errors={"confirm": self.t("console.close_confirm")},
                             views=self.store.current_views(self.round_id,
                                                            participant_id=person.id))
        await self._remake_packs(self.store.erase_participants([person.id]))
        response = self.page(request, "message.html", title=self.t("forget.done_title"),
                             text=self.t("forget.done"))
        response.delete_cookie(PARTICIPANT_COOKIE)
        return response

    # --- static files ----------------------------------------------------------------------

    async def stylesheet(self, request: Request) -> Response:
        """The one stylesheet of the app: the workbench's, then the app's own rules."""
        own = (resources.files(__package__) / "static" / "workshop.css").read_text("utf-8")
        return Response(html_views.stylesheet() + "\n" + own, media_type="text/css",
                        headers={"Cache-Control": "max-age=300"})

    async def script(self, request: Request) -> Response:
        text = (resources.files(__package__) / "static" / "workshop.js").read_text("utf-8")
        return Response(text, media_type="text/javascript",
                        headers={"Cache-Control": "max-age=300"})


def _decision_problem(app: WorkshopApp, target: str, outcome: str, label: str,
                      earlier: list[Any]) -> str:
    """Why this decision cannot make a next draft (nobody asked for it), or ""."""
    asked = {v.stance for v in app.store.current_views(app.round_id) if v.target == target}
    needed = {"adopt": "add" if target.startswith("+") else "keep", "change": "change",
              "drop": "drop"}.get(outcome)
    if needed and needed not in asked:
        return app.t("console.nobody_asked", action=app.t(f"stance.{needed}"),
                     field=app.label(target))
    if target.startswith("+") and outcome in ("change", "drop"):
        return app.t("console.new_field_outcome")
    return ""


def _sent_claims(presentation: Mapping[str, Any]) -> list[str]:
    """The subject claims (not id or type) of every credential in a presentation."""
    claims: list[str] = []
    for credential in presentation.get("verifiableCredential", []):
        subject = credential.get("credentialSubject", {}) if isinstance(credential, dict) else {}
        for key in subject:
            if key not in ("id", "type"):
                claims.append(field_label(key))
    return claims


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self';"
        " script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self';"
        " base-uri 'none'")


class _Contained:
    """The outermost layer: a failure inside the app is one line in the log and a plain page,
    never a traceback on the terminal or in the browser."""

    def __init__(self, app: Any, workshop: WorkshopApp) -> None:
        self.app = app
        self.workshop = workshop

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracked(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except BodyTooLarge:
            if not started:
                await _plain(tracked, 413, self.workshop.t("guard.size"))
        except Exception as exc:  # noqa: BLE001 - the server must keep serving the room
            self.workshop.log(f"error on {scope.get('path', '?')}: {type(exc).__name__}")
            if not started and scope.get("type") == "http":
                await _plain(tracked, 500, self.workshop.t("error.server"))


async def _plain(send: Any, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def make_app(settings: WorkshopSettings) -> WorkshopApp:
    """The workshop app over the store in ``settings.data_dir`` (created if missing).

    The round is the store's open one, or a new one on ``settings.definition``.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = WorkshopStore.open(settings.store_path or settings.data_dir / "workshop.sqlite",
                               rng=settings.rng, clock=settings.clock)
    room = store.current_round()
    definition = settings.definition
    if room is None:
        if definition is None:
            definition = load_definition(list_definition_files("cooperative-membership")[-1])
        room = store.open_round(settings.title or definition.name, definition.slug,
                                definition.version)
    elif definition is None or definition.version != room.draft_version:
        files = [f for f in list_definition_files(room.slug)
                 if f.stem == f"v{room.draft_version}"]
        if not files:
            raise WorkshopStoreError("unknown-round", f"the open round is about draft"
                                     f" {room.draft_version} of {room.slug}, which this workbench"
                                     " does not have", path=room.id)
        definition = load_definition(files[-1])
    return WorkshopApp(settings, store, definition, room.id)
