"""The workshop pack: offline, the notebook's numbers, decisions and diff, stable bytes, files."""

from __future__ import annotations

import argparse
import base64
import dataclasses
import re
import subprocess
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coopcreds_proto.cli.workshop_pack import add_pack_command
from coopcreds_proto.consultation import report
from coopcreds_proto.consultation.feedback import FeedbackError, read_feedback
from coopcreds_proto.consultation.sample_feedback import sample_decisions, sample_file
from coopcreds_proto.definitions.artefacts import diff_definitions
from coopcreds_proto.definitions.definition import (
    AdoptionDecision,
    definition_path,
    load_definition,
)
from coopcreds_proto.workshop.chromium import ChromiumError
from coopcreds_proto.workshop.pack import (
    CHROMIUM_HINT,
    WorkshopPackError,
    build_pack,
    export_pack,
    figure_svg,
    print_to_pdf,
)

CHROMIUM = Path("/usr/bin/chromium")
WHEN = "2026-03-12T17:00:00Z"
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="PDF export needs Chromium: apt-get install chromium"
)


# --- reading the HTML back -------------------------------------------------------------


class PackReader(HTMLParser):
    """Every element with its attributes, the style text, and each table's rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self.tables: dict[str, list[tuple[str | None, list[str]]]] = {}
        self.row_classes: dict[tuple[str, str], str] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._key: str | None = None
        self._cell: list[str] | None = None
        self._in_style = False
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "style":
            self._in_style = True
        elif tag == "table":
            self._table = attributes.get("id", "")
            self.tables[self._table] = []
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and self._table is not None and not self._in_thead:
            self._row, self._key = [], attributes.get("data-key")
            if self._key is not None:
                self.row_classes[(self._table, self._key)] = attributes.get("class", "")
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        elif tag == "thead":
            self._in_thead = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append((self._key, self._row))
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_pack(text: str) -> PackReader:
    reader = PackReader()
    reader.feed(text)
    reader.close()
    return reader


def rows(reader: PackReader, table: str) -> dict[str, list[str]]:
    return {key: cells for key, cells in reader.tables[table] if key is not None}


def percent(text: str) -> float:
    return int(text.rstrip("%")) / 100


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records():
    return read_feedback(sample_file())


@pytest.fixture(scope="module")
def v01():
    return load_definition(definition_path("cooperative-membership", "0.1"))


@pytest.fixture(scope="module")
def v02():
    return load_definition(definition_path("cooperative-membership", "0.2"))


@pytest.fixture(scope="module")
def pack(v01, records):
    return build_pack(v01, records, decisions=sample_decisions(), generated_at=WHEN)


@pytest.fixture(scope="module")
def parsed(pack):
    return read_pack(pack.html)


# --- offline -------------------------------------------------------------------------

_FETCHING = {"src", "href", "srcset", "data", "poster", "action", "formaction", "background",
             "xlink:href", "cite", "longdesc", "manifest", "ping"}


def test_pack_opens_offline_no_reference_leaves_the_file(parsed, pack):
    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"script", "link", "iframe", "object", "embed", "base", "video", "audio"}
    for tag, attributes in parsed.elements:
        for name, value in attributes.items():
            if name in _FETCHING:
                # Only links within the pack and inline images.
                assert value.startswith(("#", "data:")), (tag, name, value[:80])
            assert "url(" not in value.replace(" ", "").lower(), (tag, name)
    css = "".join(parsed.styles).lower()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "http" not in css
    # Every link in the document points at a section that exists.
    ids = {a["id"] for _, a in parsed.elements if "id" in a}
    links = [a["href"] for tag, a in parsed.elements if tag == "a"]
    assert links and all(href[1:] in ids for href in links)


def test_every_chart_is_an_inline_image_with_alt_text_and_no_outside_reference(parsed, pack):
    images = [a for tag, a in parsed.elements if tag == "img"]
    assert len(images) == len(pack.figures) == 2
    for attributes, figure in zip(images, pack.figures):
        assert attributes["src"] == figure.data_uri
        assert attributes["src"].startswith("data:image/svg+xml;base64,")
        assert len(attributes["alt"]) > 60  # says what the chart shows, not just its name
        svg = base64.b64decode(attributes["src"].split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and "<!DOCTYPE" not in svg
        for name, value in re.findall(r'\s([\w:-]+)="([^"]*)"', svg):
            if name.startswith("xmlns"):
                continue  # namespace names, never fetched
            if name in ("href", "xlink:href"):
                assert value.startswith(("#", "data:image/png;base64,")), value[:60]
            assert not value.startswith(("http:", "https:", "//")), (name, value)
        assert "url(" not in svg.replace("url(#", "")


def test_alt_text_names_the_fields_with_most_responses(pack, records):
    heatmap = next(f for f in pack.figures if f.name == "responses-by-sphere")
    totals = report.field_sphere_table(records).sum(axis=1).sort_values(ascending=False)
    top = totals.index[0]
    assert f"{top} ({int(totals.iloc[0])})" in heatmap.alt


# --- the notebook's numbers ----------------------------------------------------------


def test_support_table_has_the_numbers_of_consultation_report(parsed, records):
    expected = report.support_by_field(records)  # what notebook 02 shows
    table = parsed.tables["support-by-field"]
    assert [key for key, _ in table] == list(expected.index)
    for key, cells in table:
        row = expected.loc[key]
        counts = [int(c) for c in cells[1:6]]
        assert counts == [row["responses"], row["keep"], row["change"], row["drop"], row["add"]]
        assert percent(cells[6]) == pytest.approx(row["support"])
        assert percent(cells[7]) == pytest.approx(row["opposition"])
        assert float(cells[8]) == pytest.approx(row["net"])
        assert float(cells[9]) == pytest.approx(row["mean_priority"])


def test_headline_sphere_and_disagreement_tables_match_the_report(parsed, pack, records):
    assert report.summarise(records).headline() in pack.html
    spheres = report.field_sphere_table(records)
    shown = rows(parsed, "responses-by-sphere")
    assert list(shown) == list(spheres.index)
    for key, cells in shown.items():
        assert [int(c) for c in cells[1:]] == list(spheres.loc[key])
    spread = report.disagreement(records)
    shown = rows(parsed, "disagreement")
    assert list(shown) == list(spread.index)
    for key, cells in shown.items():
        assert float(cells[5]) == pytest.approx(spread.loc[key, "spread"])
    comments = report.top_comments(records, n=8)
    shown = [cells for _, cells in parsed.tables["top-comments"]]
    assert [c[4] for c in shown] == [" ".join(t.split()) for t in comments["comment"]]
    assert [c[5] for c in shown] == list(comments["who"])


def test_heatmap_is_the_notebooks_figure(pack, records):
    heatmap = next(f for f in pack.figures if f.name == "responses-by-sphere")
    assert heatmap.svg == figure_svg(report.plot_field_sphere_heatmap(records))


def test_anonymous_participants_are_not_named(pack, records):
    hidden = {r.participant for r in records if r.consent == "anonymous"}
    shown = {r.participant for r in records if r.consent == "attributed"}
    assert not any(name in pack.html for name in hidden - shown)


# --- decisions and diff --------------------------------------------------------------


def test_decisions_are_listed_with_the_feedback_behind_them(parsed, v02):
    decided = [c for c in v02.changelog if c.version == "0.2" and c.fields]
    shown = rows(parsed, "workshop-decisions")
    assert list(shown) == [", ".join(c.fields) for c in decided]
    for entry in decided:
        cells = shown[", ".join(entry.fields)]
        assert cells[1] == " ".join(entry.change.split())
        assert int(cells[3]) == len(entry.feedback)
    not_taken = {key for key, cells in shown.items() if cells[2] == "no"}
    assert not_taken == {"federationMembership", "preferredName", "name", "votingRights"}


def test_diff_to_the_next_version_marks_breaking_and_additive(parsed, v01, v02):
    diff = diff_definitions(v01, v02)
    shown = rows(parsed, "diff")
    assert list(shown) == [r["path"] for r in diff.to_records()]
    for record in diff.to_records():
        path = record["path"]
        assert shown[path][2] == record["impact"].capitalize()
        assert parsed.row_classes[("diff", path)] == f"cc-impact-{record['impact']}"
    assert shown["memberSince"][2] == "Breaking"
    assert shown["recognisedBy"][2] == "Additive"


def test_adoption_votes_are_listed(v01, v02, records):
    vote = AdoptionDecision("2026-04-02", "two-thirds", 14, 6, 2, body="General meeting")
    adopted = dataclasses.replace(v02, decisions=(vote,))
    parsed = read_pack(build_pack(v01, records, proposal=adopted, generated_at=WHEN).html)
    (cells,) = rows(parsed, "adoption-votes").values()
    assert cells == ["0.2", "2026-04-02", "General meeting", "14", "6", "2",
                     "at least two thirds of the votes cast", "adopted"]


def test_a_pack_without_decisions_says_so(v02, records):
    pack = build_pack(v02, records, generated_at=WHEN)
    assert pack.next_version is None
    assert "No decisions are recorded yet" in pack.html
    assert 'id="diff"' not in pack.html and 'id="handout"' not in pack.html


def test_decisions_and_a_proposal_together_are_refused(v01, v02, records):
    with pytest.raises(WorkshopPackError) as err:
        build_pack(v01, records, decisions=sample_decisions(), proposal=v02, generated_at=WHEN)
    assert err.value.code == "conflicting-inputs"


# --- determinism ---------------------------------------------------------------------


def test_same_inputs_give_the_same_bytes(pack, v01, records):
    again = build_pack(v01, list(reversed(records)), decisions=sample_decisions(),
                       generated_at=WHEN)
    assert again.html == pack.html
    later = build_pack(v01, records, decisions=sample_decisions(),
                       generated_at="2026-03-13T09:05:00Z")
    assert later.html != pack.html
    assert "13 March 2026, 09:05 UTC" in later.html


def test_the_saved_draft_and_the_decisions_give_the_same_pack(tmp_path, pack):
    from_file = export_pack(tmp_path / "a.html", feedback_path=sample_file(),
                            definition_version="v0.1", now=WHEN)
    from_decisions = export_pack(tmp_path / "b.html", feedback_path=sample_file(),
                                 definition_version="0.1", decisions=sample_decisions(),
                                 now=lambda: datetime(2026, 3, 12, 17, 0, tzinfo=timezone.utc))
    assert from_decisions.pack.next_version == "0.2"
    assert from_file.pack.next_version == "0.2"
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == pack.html


def test_another_process_writes_the_same_bytes(tmp_path, pack):
    out = tmp_path / "pack.html"
    code = (
        "import sys, argparse\n"
        "from coopcreds_proto.cli.workshop_pack import add_pack_command\n"
        "p = argparse.ArgumentParser(); w = p.add_subparsers().add_parser('workshop')\n"
        "add_pack_command(w.add_subparsers())\n"
        "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "workshop", "pack", "--feedback", str(sample_file()),
         "--version", "v0.1", "--out", str(out), "--generated-at", WHEN],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == pack.html


# --- files and errors ----------------------------------------------------------------


def test_export_refuses_to_overwrite_unless_asked(tmp_path):
    out = tmp_path / "pack.html"
    out.write_text("the facilitator's notes")
    with pytest.raises(WorkshopPackError) as err:
        export_pack(out, feedback_path=sample_file(), definition_version="0.1", now=WHEN)
    assert err.value.code == "pack-exists" and str(out) in str(err.value)
    assert out.read_text() == "the facilitator's notes"
    export_pack(out, feedback_path=sample_file(), definition_version="0.1", now=WHEN,
                overwrite=True)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["pack.html"]  # no temporary file left


def test_an_existing_pdf_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "pack.pdf").write_bytes(b"old")
    with pytest.raises(WorkshopPackError) as err:
        export_pack(tmp_path / "pack.html", feedback_path=sample_file(), now=WHEN,
                    pdf_path=tmp_path / "pack.pdf")
    assert err.value.code == "pack-exists"
    assert not (tmp_path / "pack.html").exists()


def _bad_feedback(tmp_path: Path) -> Path:
    lines = sample_file().read_text(encoding="utf-8").splitlines()
    broken = re.sub(r'"priority":\s*\d', '"priority":9', lines[2], count=1)
    assert broken != lines[2]
    path = tmp_path / "feedback.jsonl"
    path.write_text("\n".join([lines[0], lines[1], broken, *lines[3:6]]) + "\n")
    return path


def test_a_bad_feedback_line_is_reported_by_number_and_nothing_is_written(tmp_path):
    feedback = _bad_feedback(tmp_path)
    with pytest.raises(FeedbackError) as err:
        export_pack(tmp_path / "pack.html", feedback_path=feedback, now=WHEN)
    assert err.value.line == 3
    assert "line 3" in str(err.value) and "priority" in str(err.value)
    assert not (tmp_path / "pack.html").exists()


def test_an_unknown_version_names_the_versions_there_are(tmp_path):
    with pytest.raises(WorkshopPackError) as err:
        export_pack(tmp_path / "pack.html", feedback_path=sample_file(),
                    definition_version="0.9", now=WHEN)
    assert err.value.code == "unknown-version"
    assert "0.9" in str(err.value) and "0.1, 0.2" in str(err.value)


# --- the command ---------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coopcreds")
    workshop = parser.add_subparsers(dest="command").add_parser("workshop")
    add_pack_command(workshop.add_subparsers(dest="workshop_command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_command_writes_the_pack_and_says_where(tmp_path, capsys):
    out = tmp_path / "pack.html"
    code = _run(["workshop", "pack", "--feedback", str(sample_file()), "--version", "v0.1",
                 "--out", str(out), "--generated-at", WHEN])
    assert code == 0
    assert f"written to {out} (draft 0.1 -> 0.2, 254 responses)" in capsys.readouterr().out
    assert "What changes from draft 0.1 to draft 0.2" in out.read_text(encoding="utf-8")


def test_command_errors_are_one_line_with_exit_code_2(tmp_path, capsys):
    out = tmp_path / "pack.html"
    out.write_text("keep me")
    assert _run(["workshop", "pack", "--feedback", str(sample_file()), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists already" in err and "Traceback" not in err
    assert out.read_text() == "keep me"
    bad = _bad_feedback(tmp_path)
    code = _run(["workshop", "pack", "--feedback", str(bad), "--out", str(tmp_path / "p.html"),
                 "--force"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "line 3" in err
    assert not (tmp_path / "p.html").exists()


def test_command_through_the_coopcreds_entry_point(tmp_path, capsys):
    from coopcreds_proto import cli

    commands = cli.build_parser()._subparsers._group_actions[0].choices
    if "workshop" not in commands:
        pytest.skip("the workshop command group is not registered in coopcreds_proto.cli yet")
    out = tmp_path / "pack.html"
    argv = ["workshop", "pack", "--feedback", str(sample_file()), "--version", "0.1",
            "--out", str(out), "--generated-at", WHEN]
    assert cli.main(argv) == 0 and out.exists()
    assert cli.main(argv) == 2
    assert "exists already" in capsys.readouterr().err


# --- PDF -----------------------------------------------------------------------------


def test_missing_chromium_says_how_to_install_it(tmp_path):
    page = tmp_path / "pack.html"
    page.write_text("<!DOCTYPE html><p>x</p>")
    with pytest.raises(ChromiumError) as err:
        print_to_pdf(page, tmp_path / "pack.pdf", chromium=str(tmp_path / "no-chromium"))
    assert err.value.code == "chromium-missing"
    assert str(err.value).startswith(CHROMIUM_HINT)
    assert not (tmp_path / "pack.pdf").exists()


def _fake_chromium(tmp_path: Path, body: str) -> str:
    program = tmp_path / "fake-chromium"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return str(program)


def test_a_chromium_that_hangs_is_stopped_and_nothing_is_written(tmp_path):
    page = tmp_path / "pack.html"
    page.write_text("<!DOCTYPE html><p>x</p>")
    hanging = _fake_chromium(tmp_path, "sleep 30 & sleep 30")
    with pytest.raises(ChromiumError) as err:
        print_to_pdf(page, tmp_path / "pack.pdf", chromium=hanging, timeout=0.5)
    assert err.value.code == "pdf-timeout"
    assert not (tmp_path / "pack.pdf").exists()


def test_a_chromium_that_prints_nothing_is_reported(tmp_path):
    page = tmp_path / "pack.html"
    page.write_text("<!DOCTYPE html><p>x</p>")
    broken = _fake_chromium(tmp_path, "echo 'cannot open display' >&2; exit 1")
    with pytest.raises(ChromiumError) as err:
        print_to_pdf(page, tmp_path / "pack.pdf", chromium=broken, timeout=10)
    assert err.value.code == "pdf-failed" and "cannot open display" in str(err.value)
    assert not (tmp_path / "pack.pdf").exists()


@needs_chromium
def test_pdf_of_the_pack_is_a_real_multi_page_pdf(tmp_path):
    done = export_pack(tmp_path / "pack.html", feedback_path=sample_file(),
                       definition_version="0.1", now=WHEN, pdf_path=tmp_path / "pack.pdf",
                       chromium=str(CHROMIUM))
    data = done.pdf_path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages > 5, pages  # a title page, the sheets, the tables and charts, the diff
    assert len(data) > 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.html", "pack.pdf"]
