"""The feedback form and the dashboard: thin over the modules, with static renderings."""

from __future__ import annotations

from datetime import datetime, timezone

from coopcreds_proto.consultation.feedback import NEW_FIELD, append_feedback, read_feedback
from coopcreds_proto.consultation.sample_feedback import SAMPLE_SEED, generate_workshop_feedback
from coopcreds_proto.definitions.definition import definition_path, load_definition
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.widgets.consultation import ConsultationDashboard, FeedbackForm

CLOCK = lambda: datetime(2026, 3, 12, 14, 0, tzinfo=timezone.utc)


def fill(form: FeedbackForm, **values) -> None:
    defaults = {"organisation": "Elm Street Tenants Co-op", "participant": "Rosa Silva",
                    "role": "member", "sector": "housing", "sphere": "legal", "field": "roles",
                    "stance": "keep", "priority": 4, "comment": "Useful.", "consent": "attributed"}
    defaults.update(values)
    for name, value in defaults.items():
        getattr(form, name).value = value


def test_form_offers_the_definitions_active_fields(tmp_path):
    v01 = load_definition(definition_path("cooperative-membership", "0.1"))
    form = FeedbackForm(tmp_path / "f.jsonl", v01)
    assert "memberOf.sector" in form.field.options
    assert form.field.options[-1] == NEW_FIELD
    form.field.value = NEW_FIELD
    assert form.stance.options == ("add",) and not form.proposed_term.disabled
    form.field.value = "roles"
    assert "add" not in form.stance.options and form.proposed_term.disabled


def test_submit_appends_a_valid_record(tmp_path):
    path = tmp_path / "f.jsonl"
    form = FeedbackForm(path, ["roles", "benefits"], rng=SeededRandom("form"), clock=CLOCK)
    assert "Records: 0" in form.status.value
    fill(form, comment="  Roles matter for\nfederation votes.  ")
    record = form.submit()
    assert record is not None and record.time == "2026-03-12T14:00:00Z"
    assert read_feedback(path) == [record]
    assert record.comment == "Roles matter for\nfederation votes."
    assert form.comment.value == "" and "Records: 1" in form.status.value

    fill(form, field=NEW_FIELD, proposed_term="recognisedBy", proposed_label="Recognised by",
         stance="add", participant="Ben Evans")
    second = form.submit()
    assert second.target == "+recognisedBy"
    assert len(read_feedback(path)) == 2


def test_bad_input_is_shown_and_nothing_is_written(tmp_path):
    path = tmp_path / "f.jsonl"
    form = FeedbackForm(path, ["roles"], rng=SeededRandom("form"), clock=CLOCK)
    fill(form, organisation="   ")
    assert form.submit() is None
    assert "Not saved" in form.status.value and "organisation" in form.status.value
    assert not path.exists()


def test_form_static_rendering(tmp_path):
    form = FeedbackForm(tmp_path / "f.jsonl", ["roles"])
    bundle = form._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Feedback form" in bundle["text/html"] and "attributed" in bundle["text/html"]
    assert bundle["text/plain"] == "Feedback form (2 fields)"


def test_dashboard_refreshes_and_honours_consent(tmp_path):
    path = tmp_path / "f.jsonl"
    records = generate_workshop_feedback(SAMPLE_SEED)
    append_feedback(path, records[:50])
    board = ConsultationDashboard(path)
    assert "50 responses" in board.headline.value
    append_feedback(path, records[50:])
    board.refresh()
    assert f"{len(records)} responses" in board.headline.value
    hidden = {r.participant for r in records if r.consent == "anonymous"} - {
        r.participant for r in records if r.consent == "attributed"}
    page = board._repr_html_()
    for view in board.VIEWS:
        board.view.value = view
        page += board.table.value
    assert hidden and not any(name in page for name in hidden)
    board.view.value = "Spheres"
    assert bytes(board.image.value).startswith(b"\x89PNG") and board.image.layout.display is None
    board.sphere.value = "play"
    assert {r.sphere for r in board.records} == {"play"}


def test_dashboard_lists_bad_lines(tmp_path):
    path = tmp_path / "f.jsonl"
    append_feedback(path, generate_workshop_feedback(SAMPLE_SEED)[:3])
    with open(path, "ab") as fh:
        fh.write(b"not json\n")
    board = ConsultationDashboard(path)
    assert "line 4" in board.headline.value and "1 problem" in board.headline.value
    assert "3 responses" in board.headline.value


def test_dashboard_keeps_a_comments_line_breaks(tmp_path):
    path = tmp_path / "f.jsonl"
    form = FeedbackForm(path, ["roles"], rng=SeededRandom("breaks"), clock=CLOCK)
    fill(form, comment="Keep the name: members\nask for it at the door. <b>really</b>")
    assert form.submit() is not None
    board = ConsultationDashboard(path)
    board.view.value = "Comments"
    shown = board.table.value
    assert "members<br>ask for it" in shown and "\\n" not in shown
    assert "&lt;b&gt;really&lt;/b&gt;" in shown  # a comment's text is never markup
