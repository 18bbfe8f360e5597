"""The workshop pack: one self-contained HTML report of a consultation workshop.

The pack is what the facilitator circulates after a workshop: the draft that
was on the table (its definition sheet), what participants said (the feedback
summary tables and charts of ``consultation_report``, the same numbers as the
consultation notebook), what was decided (the workshop's decisions, traced to
feedback, and any adoption votes), what changes in the proposed next version
(each change marked breaking, additive or editorial) and that version's
handout. It opens offline: no script, no external link, style sheet or font;
charts are SVG images inlined as ``data:`` URIs, each with alt text and the
table of its numbers. The same inputs and ``generated_at`` give the same bytes.

Public API
----------
- ``build_pack(definition, feedback, *, generated_at, decisions=None,
  proposal=None, next_version=None, title=None, comments=8) -> WorkshopPack``
  (``.html``, ``.figures``, ``.title``, ``.definition_version``,
  ``.next_version``, ``.records``, ``.generated_at``).
- ``export_pack(out_path, *, feedback_path, definition_version=None,
  next_version=None, decisions=None, slug=..., definitions_dir=None, title=None,
  now=None, overwrite=False, pdf_path=None, chromium=None, pdf_timeout=120)
  -> ExportedPack(html_path, pdf_path, pack)``: reads the
  feedback file and the definition files, writes the HTML (and the PDF)
  atomically, never replacing an existing file unless ``overwrite``.
- ``print_to_pdf(html_path, pdf_path, *, overwrite=False, chromium=None,
  timeout=PDF_TIMEOUT) -> Path``: headless Chromium's print of an HTML file.
- ``figure_svg(fig) -> str``: a matplotlib figure as stable SVG text.
- Chromium itself (finding it, running it offline) is in :mod:`coopcreds_proto.workshop.chromium`.
- ``WorkshopPackError`` (codes ``pack-exists``, ``unknown-version``,
  ``conflicting-inputs``, ``missing-time``); a PDF Chromium cannot print raises
  its ``ChromiumError`` (``chromium-missing``, ``pdf-timeout``, ``pdf-failed``).

>>> from coopcreds_proto.consultation.feedback import read_feedback
>>> from coopcreds_proto.definitions.definition import definition_path, load_definition
>>> from coopcreds_proto.consultation.sample_feedback import sample_decisions, sample_file
>>> v01 = load_definition(definition_path("cooperative-membership", "0.1"))
>>> pack = build_pack(v01, read_feedback(sample_file()), decisions=sample_decisions(),
...                   generated_at="2026-03-12T17:00:00Z")
>>> pack.definition_version, pack.next_version, pack.records
('0.1', '0.2', 254)
>>> [f.name for f in pack.figures]
['support-by-field', 'responses-by-sphere']
>>> pack.html.startswith("<!DOCTYPE html>"), "<script" in pack.html
(True, False)
"""

from __future__ import annotations

import base64
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from .. import html_views
from ..atomic_files import write_atomically
from ..consultation.feedback import FeedbackRecord, read_feedback
from ..consultation.proposals import propose_next_version
from ..consultation.report import field_sphere_table, plot_field_sphere_heatmap, summarise
from ..definitions.artefacts import diff_definitions, sheet_html
from ..definitions.definition import AdoptionDecision, CredentialDefinition, load_definition
from ..definitions.definition import definitions_dir as default_definitions_dir
from ..errors import CoopCredsError
from ..palette import colours
from ..timestamps import as_datetime, format_timestamp
from .chromium import INSTALL_HINT, PDF_TIMEOUT, pdf_of

DEFAULT_SLUG = "cooperative-membership"
TOP_COMMENTS = 8
PRINT_RULES = "workshop/pack_print.css"
"""The rules a printed pack adds to the stylesheet (its page numbers)."""
CHROMIUM_HINT = f"PDF export needs Chromium: {INSTALL_HINT}"
SVG_SALT = "coopcreds-workshop-pack"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
IMPACT_TEXT = {
    "breaking": "Credentials of the old version do not all fit the new one: a verifier must"
    " know which version a credential follows.",
    "additive": "Credentials of the old version still fit the new one; new credentials may"
    " say more.",
    "editorial": "Wording, sensitivity or spheres only: credentials are not affected.",
    "none": "Nothing changes.",
}


class WorkshopPackError(CoopCredsError):
    """A pack that cannot be made or written; ``path`` names the file or version."""


@dataclass(frozen=True)
class PackFigure:
    """One chart of the pack: its anchor name, title, alt text and SVG text."""

    name: str
    title: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


@dataclass(frozen=True, repr=False)
class WorkshopPack:
    """A built pack: the HTML document and the figures it shows."""

    title: str
    html: str
    figures: tuple[PackFigure, ...]
    definition_version: str
    next_version: str | None
    records: int
    generated_at: str

    def __repr__(self) -> str:
        to = f" -> {self.next_version}" if self.next_version else ""
        return (f"<WorkshopPack {self.title!r}: draft {self.definition_version}{to},"
                f" {self.records} responses, {len(self.html)} characters>")


@dataclass(frozen=True)
class ExportedPack:
    """What ``export_pack`` wrote: the HTML file, the PDF (or None), and the pack."""

    html_path: Path
    pdf_path: Path | None
    pack: WorkshopPack


# --- small helpers -------------------------------------------------------------------


def _human_time(moment: datetime) -> str:
    stamp = format_timestamp(moment)  # UTC, whole seconds
    year, month, day = int(stamp[:4]), int(stamp[5:7]), int(stamp[8:10])
    return f"{day} {_MONTHS[month - 1]} {year}, {stamp[11:16]} UTC"


def _demote(fragment: str) -> str:
    """Headings one level down (h2 -> h3), so a sheet sits under the pack's own h2."""
    return re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", fragment)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> str:
    if _missing(value):
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _share(value: Any) -> str:
    return "–" if _missing(value) else f"{round(value * 100)}%"


def _signed(value: Any) -> str:
    if _missing(value):
        return "–"
    return "0" if value == 0 else f"{value:+g}"


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    format: Callable[[Any], str] = _number
    numeric: bool = True


def _table(
    frame: pd.DataFrame,
    columns: Sequence[_Column],
    *,
    table_id: str,
    caption: str,
    row_header: tuple[str, Callable[[Any], dict[str, str]]] | None = None,
    narrow: bool = False,
) -> dict[str, Any]:
    """An accessible table (``workshop/pack_parts.html``): a caption, column headers,
    and (optionally) row headers naming fields."""
    rows = [{"key": str(key), "head": row_header[1](key) if row_header else None,
             "cells": [(c.format(row[c.key]), c.numeric) for c in columns]}
            for key, row in frame.iterrows()]
    return {"id": table_id, "caption": caption, "narrow": narrow, "rows": rows,
            "columns": [(c.header, c.numeric) for c in columns],
            "row_header": row_header[0] if row_header else None}


# --- charts --------------------------------------------------------------------------


def figure_svg(fig: Figure) -> str:
    """``fig`` as SVG text that is the same on every run: fixed id salt, no date,
    text drawn as paths (no font needed), no XML prolog or DTD link."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg",
                    metadata={"Date": None, "Creator": None, "Type": None, "Format": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _field_words(targets: Sequence[str], values: Sequence[Any], fmt: Callable[[Any], str]) -> str:
    return ", ".join(f"{t} ({fmt(v)})" for t, v in zip(targets, values))


def _support_figure(support: pd.DataFrame) -> PackFigure:
    fields = list(support.index)
    n = max(len(fields), 1)
    fig = Figure(figsize=(7.5, 0.34 * n + 1.6), dpi=100)
    ax = fig.add_subplot()
    responses = support["responses"].replace(0, 1) if len(support) else support["responses"]
    colour = colours("support")
    parts = (
        ("keep or add", (support["keep"] + support["add"]) / responses, colour["keep"], ""),
        ("change", support["change"] / responses, colour["change"], "//"),
        ("drop", support["drop"] / responses, colour["drop"], "xx"),
    )
    left = [0.0] * len(fields)
    rows = list(range(len(fields)))
    for label, shares, colour, hatch in parts:
        values = list(shares)
        ax.barh(rows, values, left=left, color=colour, hatch=hatch, edgecolor="white",
                linewidth=0.6, label=label)
        for i, v in enumerate(values):
            if v >= 0.08:  # a label only where it fits, on a light box over any hatching
                ax.text(left[i] + v / 2, i, f"{round(v * 100)}%", ha="center", va="center",
                        fontsize=7.5, color="black",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.9})
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(rows, fields)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("share of the responses about the field")
    ax.set_title("What participants asked for, field by field", pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False,
              fontsize=8.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    top = support.sort_values("support", ascending=False, kind="stable").head(3)
    against = support[support["opposition"] > 0]
    against = against.sort_values("opposition", ascending=False, kind="stable").head(3)
    alt = ("Bar chart: for each field, the share of responses asking to keep (or add), change"
           " or drop it. Highest support: "
           + _field_words(list(top.index), list(top["support"]), _share) + ".")
    if len(against):
        alt += (" Most asked to drop: "
                + _field_words(list(against.index), list(against["opposition"]), _share) + ".")
    alt += " The numbers are in the table 'Support by field'."
    return PackFigure("support-by-field", "What participants asked for, field by field",
                      alt, figure_svg(fig))


def _sphere_figure(records: Sequence[FeedbackRecord], table: pd.DataFrame) -> PackFigure:
    totals = table.sum(axis=1).sort_values(ascending=False, kind="stable").head(3)
    per_sphere = table.sum(axis=0)
    alt = ("Heatmap of responses by field (rows) and sphere (columns: legal, work, play)."
           " Most responses: " + _field_words(list(totals.index), list(totals), _number) + "."
           " Responses per sphere: "
           + ", ".join(f"{s} {int(v)}" for s, v in per_sphere.items()) + "."
           " The numbers are in the table 'Responses by field and sphere'.")
    return PackFigure("responses-by-sphere", "Responses by field and sphere", alt,
                      figure_svg(plot_field_sphere_heatmap(list(records))))


# --- sections ------------------------------------------------------------------------


def _field_cell(definition: CredentialDefinition) -> Callable[[Any], dict[str, str]]:
    labels = {path: f.label for path, f in definition.iter_fields()}

    def cell(target: Any) -> dict[str, str]:
        return {"target": str(target), "label": labels.get(str(target), "")}

    return cell


def _feedback_section(definition: CredentialDefinition, records: Sequence[FeedbackRecord],
                      comments: int) -> tuple[dict[str, Any], tuple[PackFigure, ...]]:
    summary = summarise(records, top=comments)
    support = summary.support
    spheres = field_sphere_table(records)
    field = ("Field", _field_cell(definition))
    support_fig = _support_figure(support)
    sphere_fig = _sphere_figure(records, spheres)
    section = {
        "headline": summary.headline(),
        "support_figure": support_fig,
        "support": _table(support, [
            _Column("responses", "Responses"), _Column("keep", "Keep"),
            _Column("change", "Change"), _Column("drop", "Drop"), _Column("add", "Add"),
            _Column("support", "Support", _share), _Column("opposition", "Opposition", _share),
            _Column("net", "Net score", _signed), _Column("mean_priority", "Mean priority"),
        ], table_id="support-by-field", caption="Support by field", row_header=field),
        "sphere_figure": sphere_fig,
        "spheres": _table(spheres, [_Column(s, s.capitalize()) for s in spheres.columns],
                          table_id="responses-by-sphere", caption="Responses by field and sphere",
                          row_header=field, narrow=True),
        "disagreement": _table(summary.disagreement, [
            _Column("responses", "Responses"), _Column("keep", "Keep"),
            _Column("change", "Change"), _Column("drop", "Drop"),
            _Column("spread", "Spread"), _Column("entropy", "Evenness"),
        ], table_id="disagreement", caption="Where participants disagree most",
            row_header=field),
        "comments": _table(summary.comments, [
            _Column("field", "Field", str, False), _Column("sphere", "Sphere", str, False),
            _Column("stance", "Asks to", str, False), _Column("priority", "Priority"),
            _Column("comment", "Comment", str, False), _Column("who", "Who", str, False),
        ], table_id="top-comments", caption=f"Top {comments} comments"),
    }
    return section, (support_fig, sphere_fig)


def _decisions_section(definition: CredentialDefinition,
                       proposal: CredentialDefinition | None) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if proposal is not None:
        entries = [c for c in proposal.changelog if c.version == proposal.version]
        decided = [c for c in entries if c.fields]
        section["opening"] = [" ".join(c.change.split()) for c in entries if not c.fields]
        frame = pd.DataFrame(
            [{"decision": " ".join(c.change.split()), "fields": ", ".join(c.fields),
              "taken": "no" if c.change.startswith("Proposal to ") else "yes",
              "behind": len(c.feedback)} for c in decided],
            columns=["decision", "fields", "taken", "behind"],
            index=[", ".join(c.fields) for c in decided])
        section["table"] = _table(frame, [
            _Column("fields", "Field", str, False),
            _Column("decision", "Decision", str, False),
            _Column("taken", "Taken up", str, False),
            _Column("behind", "Responses behind it"),
        ], table_id="workshop-decisions",
            caption=f"Decisions for draft {proposal.version}")
    votes = [(definition.version, d) for d in definition.decisions]
    if proposal is not None:
        votes += [(proposal.version, d) for d in proposal.decisions]
    section["votes"] = _votes_table(votes) if votes else None
    section["versions"] = " or ".join(
        v for v in (definition.version, proposal.version if proposal else None) if v)
    return section


def _votes_table(votes: list[tuple[str, AdoptionDecision]]) -> dict[str, Any]:
    frame = pd.DataFrame(
        [{"version": v, "date": d.date, "body": d.body or "–", "for": d.votes_for,
          "against": d.votes_against, "abstentions": d.abstentions, "rule": d.rule_text,
          "result": "adopted" if d.passed else "not adopted"} for v, d in votes],
        index=[f"{v}@{d.date}" for v, d in votes])
    return _table(frame, [
        _Column("version", "Version", str, False), _Column("date", "Date", str, False),
        _Column("body", "Decided by", str, False), _Column("for", "For"),
        _Column("against", "Against"), _Column("abstentions", "Abstaining"),
        _Column("rule", "Rule", str, False), _Column("result", "Result", str, False),
    ], table_id="adoption-votes", caption="Adoption votes")


def _changes_section(definition: CredentialDefinition,
                     proposal: CredentialDefinition | None) -> dict[str, Any] | None:
    if proposal is None:
        return None
    diff = diff_definitions(definition, proposal)
    records = diff.to_records()
    counts = [(k, sum(1 for r in records if r["impact"] == k))
              for k in ("breaking", "additive", "editorial")]
    return {"old": diff.old_version, "new": diff.new_version, "impact": diff.impact,
            "records": records, "counts": counts}


# --- building ------------------------------------------------------------------------


def build_pack(
    definition: CredentialDefinition,
    feedback: Iterable[FeedbackRecord],
    *,
    generated_at: datetime | str,
    decisions: Mapping[str, Any] | None = None,
    proposal: CredentialDefinition | None = None,
    next_version: str | None = None,
    title: str | None = None,
    comments: int = TOP_COMMENTS,
    summary: Sequence[str] = (),
    appendix: Sequence[Mapping[str, str]] | None = None,
) -> WorkshopPack:
    """The workshop pack of a consultation on ``definition`` (nothing is written).

    Parameters
    ----------
    definition : the draft that was on the table (the feedback is about it).
    feedback : the feedback records (``consultation.read_feedback``).
    generated_at : when the pack is made (an aware ``datetime`` or a timestamp
        such as ``"2026-03-12T17:00:00Z"``); shown in the pack, never read from
        the clock here, so the same inputs give the same bytes.
    decisions : the workshop's decisions (``proposals.Decision`` by field
        path or ``+term``); the next draft is then proposed from them with
        ``proposals.propose_next_version`` (version ``next_version``, default
        the next minor version).
    proposal : the proposed next version, already made (instead of ``decisions``).
    title : the pack's title (default: "Workshop pack: <name>, draft <version>").
    comments : how many top comments to list.
    summary : sentences shown first, before the draft (a live round's summary).
    appendix : every comment, each a mapping of ``field``, ``sphere``, ``stance``,
        ``priority``, ``comment``, ``who`` and ``note`` (a moderation note), listed
        in an appendix.

    Without ``decisions`` or ``proposal`` the pack has no decisions or diff.
    """
    if decisions is not None and proposal is not None:
        raise WorkshopPackError("conflicting-inputs", "give the workshop's decisions or an"
                                " already proposed version, not both")
    records = sorted(feedback, key=lambda r: (r.time, r.id))
    moment = as_datetime(generated_at, default_now=False)
    if moment is None:
        raise WorkshopPackError("missing-time", "generated_at is required (when the pack is"
                                " made)", path="generated_at")
    if decisions is not None:
        proposal = propose_next_version(definition, records, decisions, version=next_version)
    d = definition
    title = title or f"Workshop pack: {d.name}, draft {d.version}"
    stamp = format_timestamp(moment)
    feedback_section, figures = _feedback_section(d, records, comments)
    toc = [("summary", "Summary")] if summary else []
    toc += [("draft", f"The draft on the table: version {d.version}"),
           ("feedback", "What participants said"), ("decisions", "What was decided"),
           ("changes", "What changes next")]
    if proposal is not None:
        toc.append(("handout", f"Handout for the next workshop: draft {proposal.version}"))
    if appendix is not None:
        toc.append(("appendix", "Appendix: every comment"))
    document = html_views.render(
        "workshop/pack.html", style=html_views.style_element(PRINT_RULES), title=title, d=d,
        proposal=proposal, stamp=stamp, made_on=_human_time(moment), records=len(records),
        toc=toc, sheet=_sheet(d), feedback=feedback_section,
        decisions=_decisions_section(d, proposal), changes=_changes_section(d, proposal),
        impact_text=IMPACT_TEXT, next_sheet=_sheet(proposal) if proposal is not None else "",
        summary=list(summary), appendix=appendix)
    return WorkshopPack(
        title=title,
        html=document + "\n",
        figures=figures,
        definition_version=d.version,
        next_version=proposal.version if proposal is not None else None,
        records=len(records),
        generated_at=stamp,
    )


def _sheet(definition: CredentialDefinition) -> str:
    """The definition sheet, its headings one level down (under the pack's own h2)."""
    return html_views.trusted_html(_demote(sheet_html(definition, stylesheet=False)))


# --- exporting -----------------------------------------------------------------------


def _version(text: str) -> str:
    return text[1:] if text[:1] in ("v", "V") else text


def _version_files(folder: Path) -> dict[str, Path]:
    def key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in p.stem[1:].split(".") if x.isdigit())

    return {p.stem[1:]: p for p in sorted(folder.glob("v*.yaml"), key=key)}


def _definition_file(folder: Path, files: Mapping[str, Path], version: str, slug: str) -> Path:
    if version not in files:
        known = ", ".join(files) or "none"
        raise WorkshopPackError("unknown-version", f"there is no version {version} of {slug}"
                                f" in {folder} (versions: {known})", path=str(folder))
    return files[version]


def _refuse_existing(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise WorkshopPackError("pack-exists", f"{path} exists already: choose another file,"
                                " or replace it explicitly (--force, overwrite=True)",
                                path=str(path))


def _write(path: Path, data: bytes, overwrite: bool) -> Path:
    try:
        return write_atomically(path, data, overwrite=overwrite)
    except FileExistsError:  # created meanwhile by someone else
        raise WorkshopPackError("pack-exists", f"{path} exists already", path=str(path)) from None


def export_pack(
    out_path: str | os.PathLike[str],
    *,
    feedback_path: str | os.PathLike[str],
    definition_version: str | None = None,
    next_version: str | None = None,
    decisions: Mapping[str, Any] | None = None,
    slug: str = DEFAULT_SLUG,
    definitions_dir: str | os.PathLike[str] | None = None,
    title: str | None = None,
    now: datetime | str | Callable[[], datetime] | None = None,
    overwrite: bool = False,
    pdf_path: str | os.PathLike[str] | None = None,
    chromium: str | None = None,
    pdf_timeout: float = PDF_TIMEOUT,
) -> ExportedPack:
    """Build the pack from files and write it to ``out_path`` (and ``pdf_path``).

    Parameters
    ----------
    out_path : the HTML file to write.
    feedback_path : the feedback file (JSON Lines); a bad line is reported
        with its number (``consultation.FeedbackError``) and nothing is written.
    definition_version : the draft the feedback is about ("0.1" or "v0.1");
        default: the latest version of ``slug``.
    next_version : the proposed next version. With ``decisions``, the version
        number of the draft proposed from them; without, a version file of
        ``slug`` to compare with. Default: proposed from ``decisions``, or else
        the version after ``definition_version`` if there is one.
    decisions : the workshop's decisions (``proposals.Decision`` by field path
        or ``+term``), as the dashboard collected them.
    slug, definitions_dir : which definition, and where its version files are
        (default: the bundled ``data/definitions``).
    title : the pack's title.
    now : when the pack is made (a ``datetime``, a timestamp or a clock
        function; default: the current time).
    overwrite : replace existing files (otherwise an existing ``out_path`` or
        ``pdf_path`` is refused, code ``pack-exists``, before any work).
    pdf_path : also print the pack to this PDF with headless Chromium.
    chromium, pdf_timeout : the Chromium program (default: found on PATH) and
        how many seconds printing may take.

    Both files are written atomically, the HTML only once the PDF is printed.
    """
    out = Path(out_path)
    pdf = Path(pdf_path) if pdf_path is not None else None
    if pdf is not None and pdf.resolve() == out.resolve():
        raise WorkshopPackError("conflicting-inputs", "the PDF and the HTML need different"
                                " files", path=str(out))
    for target in (out, pdf):
        if target is not None:
            _refuse_existing(target, overwrite)
    moment = as_datetime(now() if callable(now) else now)
    records = read_feedback(feedback_path)
    folder = Path(definitions_dir) if definitions_dir is not None else default_definitions_dir()
    folder = folder / slug
    files = _version_files(folder)
    if not files:
        raise WorkshopPackError("unknown-version", f"no version files of {slug} in {folder}",
                                path=str(folder))
    versions = list(files)
    version = _version(definition_version) if definition_version else versions[-1]
    definition = load_definition(_definition_file(folder, files, version, slug))
    proposal = None
    wanted = _version(next_version) if next_version else None
    if decisions is None:
        if wanted is None and versions.index(version) + 1 < len(versions):
            wanted = versions[versions.index(version) + 1]
        if wanted is not None:
            proposal = load_definition(_definition_file(folder, files, wanted, slug))
    pack = build_pack(definition, records, generated_at=moment, decisions=decisions,
                      proposal=proposal, next_version=wanted if decisions else None,
                      title=title)
    data = pack.html.encode("utf-8")
    printed = None
    if pdf is not None:
        with tempfile.TemporaryDirectory(prefix="coopcreds-pack-") as tmp:
            page = Path(tmp) / "pack.html"
            page.write_bytes(data)
            printed = pdf_of(page, chromium=chromium, timeout=pdf_timeout)
    _write(out, data, overwrite)
    if pdf is not None and printed is not None:
        _write(pdf, printed, overwrite)
    return ExportedPack(out, pdf, pack)


# --- PDF -----------------------------------------------------------------------------


def print_to_pdf(
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    chromium: str | None = None,
    timeout: float = PDF_TIMEOUT,
) -> Path:
    """Print the HTML file to ``pdf_path`` with headless Chromium (offline, written atomically).

    Raises ``ChromiumError``: ``chromium-missing`` ("PDF export needs
    Chromium: apt-get install chromium"), ``pdf-timeout``, ``pdf-failed``; or
    ``WorkshopPackError``: ``pack-exists`` (``pdf_path`` exists and not ``overwrite``).
    """
    pdf = Path(pdf_path)
    _refuse_existing(pdf, overwrite)
    data = pdf_of(Path(html_path), chromium=chromium, timeout=timeout)
    return _write(pdf, data, overwrite)
