"""The workshop pages' widgets, without a browser: form checks, live dashboard, wallet, errors."""

from __future__ import annotations

from datetime import datetime, timezone

import ipywidgets as w
import pytest

from coopcreds_proto.consultation.feedback import MAX_COMMENT_CHARS, read_feedback
from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.workshop.voila_pages import (
    LiveDashboard,
    WalletConsent,
    WorkshopFeedbackForm,
    WorkshopSettings,
    current_definition,
    workshop_page,
)

CLOCK = datetime(2026, 3, 12, 10, 0, tzinfo=timezone.utc)


def make_form(path) -> WorkshopFeedbackForm:
    return WorkshopFeedbackForm(path, current_definition(), rng=SeededRandom("form"),
                                clock=lambda: CLOCK)


def fill(form: WorkshopFeedbackForm, **values) -> None:
    answers = {"organisation": "Riverside Food Co-operative", "participant": "Ada Okafor",
               "role": "member", "comment": "Needed at the door.", "priority": 4, **values}
    for key, value in answers.items():
        form.inputs[key].value = value


def marked(form: WorkshopFeedbackForm) -> dict[str, str]:
    return {key: m.value for key, m in form.messages.items() if m.value}


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"organisation": ""}, "organisation", "Please fill in “Organisation”"),
        ({"comment": ""}, "comment", "Please fill in “Comment”"),
        ({"comment": "x" * (MAX_COMMENT_CHARS + 1)}, "comment", "you wrote 4,001"),
        ({"priority": 9}, "priority", "from 1 (low) to 5 (high)"),
        ({"priority": 0}, "priority", "from 1 (low) to 5 (high)"),
    ],
)
def test_a_bad_answer_is_marked_at_its_field_kept_and_nothing_is_written(
    tmp_path, values, field, words
):
    path = tmp_path / "feedback.jsonl"
    form = make_form(path)
    fill(form, **values)
    typed = {key: widget.value for key, widget in form.inputs.items()}
    assert form.submit() is None
    assert list(marked(form)) == [field] and words in marked(form)[field]
    assert "Not saved yet" in form.status.value
    assert {key: widget.value for key, widget in form.inputs.items()} == typed
    assert not path.exists()


def test_a_good_answer_is_saved_once_and_the_marks_go(tmp_path):
    path = tmp_path / "feedback.jsonl"
    form = make_form(path)
    fill(form, organisation="")
    form.submit()
    fill(form)
    record = form.submit()
    assert record is not None and not marked(form)
    assert read_feedback(path) == [record]
    assert record.organisation == "Riverside Food Co-operative" and record.priority == 4
    assert form.comment.value == "" and form.organisation.value == record.organisation


def test_the_live_dashboard_notices_new_feedback_in_the_file(tmp_path):
    path = tmp_path / "feedback.jsonl"
    live = LiveDashboard(path, interval=None)
    assert live.poll() is False and "0 responses" in live.count.value
    form = make_form(path)
    fill(form)
    form.submit()
    assert live.poll() is True and "1 response so far" in live.count.value
    assert live.poll() is False


def test_the_export_button_writes_through_the_given_exporter(tmp_path):
    calls = []
    live = LiveDashboard(tmp_path / "f.jsonl", interval=None,
                         export=lambda: calls.append(1) or "/room/pack.html")
    live.export_button.click()
    assert calls == [1] and "/room/pack.html" in live.export_status.value

    def broken() -> str:
        raise OSError("disk full")

    live = LiveDashboard(tmp_path / "f.jsonl", interval=None, export=broken)
    live.export_button.click()
    assert "did not work" in live.export_status.value and "disk full" not in live.export_status.value


def test_declining_shares_nothing_and_sharing_only_the_requested_fields(tmp_path):
    outbox = tmp_path / "outbox"
    wallet = WalletConsent(outbox, rng=SeededRandom("wallet"))
    assert "They will NOT see" in wallet.summary.html
    # The asking co-op's name is the one the trust registry knows, and says so.
    assert wallet.summary.name_confirmed and "not confirmed" not in wallet.summary.html
    wallet.decline_button.click()
    assert wallet.decided == "declined" and wallet.presentation is None
    assert not outbox.exists()
    assert wallet.share_button.disabled
    wallet.again_button.click()
    wallet.share_button.click()
    subject = wallet.presentation["verifiableCredential"][0]["credentialSubject"]
    assert set(subject) - {"id", "type"} == {"memberName", "membershipStatus"}
    assert len(list(outbox.iterdir())) == 1


def test_a_page_that_fails_shows_a_plain_message_not_a_traceback(capfd):
    def build() -> w.Widget:
        raise InputError("no-draft", "the draft file is missing")

    page = workshop_page(build, name="draft")
    shown = " ".join(c.value for c in page.children if isinstance(c, w.HTML))
    assert "the draft file is missing" in shown and "Traceback" not in shown
    assert "Traceback" in capfd.readouterr().err  # the details go to the server log


def test_settings_come_from_the_environment(tmp_path):
    settings = WorkshopSettings.from_env({"COOPCREDS_WORKSHOP_DATA": str(tmp_path),
                                          "COOPCREDS_WORKSHOP_FEEDBACK": str(tmp_path / "x.jsonl")})
    assert settings.data_dir == tmp_path and settings.feedback_file == tmp_path / "x.jsonl"


def test_the_dashboard_button_exports_the_workshop_pack_of_the_room(tmp_path):
    from coopcreds_proto.workshop.voila_pages import _pack_exporter

    settings = WorkshopSettings(tmp_path, tmp_path / "feedback.jsonl")
    form = make_form(settings.feedback_file)
    fill(form, comment="Members ask for it at the door.")
    form.submit()
    live = LiveDashboard(settings.feedback_file, interval=None, export=_pack_exporter(
        settings, clock=lambda: CLOCK))
    live.export_button.click()
    pack = tmp_path / "workshop-pack-20260312-100000.html"
    assert str(pack) in live.export_status.value
    assert "Members ask for it at the door." in pack.read_text(encoding="utf-8")


def _html_values(widget: w.Widget) -> list[str]:
    """The HTML of every ``HTML`` widget in a widget tree."""
    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found += _html_values(child)
    return found


@pytest.mark.parametrize("build", [
    lambda tmp: make_form(tmp / "f.jsonl").widget,
    lambda tmp: LiveDashboard(tmp / "f.jsonl", interval=None).widget,
    lambda tmp: WalletConsent(tmp / "outbox", rng=SeededRandom("wallet")).widget,
])
def test_a_workshop_page_carries_the_stylesheet_once(tmp_path, build):
    page = workshop_page(lambda: build(tmp_path), name="test page")
    styles = [html for html in _html_values(page) if "<style>" in html]
    assert len(styles) == 1 and styles[0].count("<style>") == 1
    assert "cc-workshop" in page._dom_classes
