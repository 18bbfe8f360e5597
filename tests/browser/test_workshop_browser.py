"""The workshop app in a real browser: Voilà serving notebooks/workshop/, driven by Chromium.

Fixtures (tests/browser/conftest.py) start ``coopcreds workshop serve --share``
on a free loopback port and give each participant a browser context of their
own. Screenshots go to ``test-artifacts/workshop/``.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from coopcreds_proto.consultation.feedback import MAX_COMMENT_CHARS, read_feedback
from coopcreds_proto.workshop.voila_pages import OUTBOX_DIR, current_definition

try:
    from playwright.sync_api import expect
except ImportError:  # then every test here is skipped, and conftest.py says why
    expect = None

PAGES = ("index.ipynb", "1_draft.ipynb", "2_feedback.ipynb", "3_results.ipynb",
         "4_cards.ipynb", "5_wallet.ipynb")
FIRST_SENTENCES = {
    "index.ipynb": "Choose an activity below",
    "1_draft.ipynb": "Read the current draft",
    "2_feedback.ipynb": "Choose a field of the draft",
    "3_results.ipynb": "Watch the room's views come in",
    "4_cards.ipynb": "Look at what a membership credential says",
    "5_wallet.ipynb": "See a member's credentials",
}


def field_label(path: str) -> str:
    labels = {p: f"{f.label} ({p})" for p, f in current_definition().iter_fields()}
    return labels[path]


def fill_form(page, *, organisation="", name="", role="", comment="", priority="3",
              field="name", stance="keep", sphere=None) -> None:
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Role").fill(role)
    if sphere:
        page.get_by_label("Sphere").select_option(label=sphere)
    page.get_by_label("Field").select_option(label=field_label(field))
    page.get_by_label("Your view").select_option(label=stance)
    page.get_by_label("Priority (1 low to 5 high)").fill(priority)
    page.get_by_label("Comment").fill(comment)


def message_below(page, label: str, text: str):
    """The field's message: it says ``text`` and sits right under the field labelled ``label``."""
    field = page.get_by_label(label)
    message = page.locator(".cc-field-message").filter(has_text=text)
    expect(message).to_be_visible()
    box, below = field.bounding_box(), message.bounding_box()
    assert -4 <= below["y"] - (box["y"] + box["height"]) < 40, (label, box, below)
    assert abs(below["x"] - box["x"]) < 40, (label, box, below)  # under the input itself
    return message


def records(workshop):
    return read_feedback(workshop.feedback_file, missing_ok=True)


# --- the join code ----------------------------------------------------------------------


def _get(url: str):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode(errors="replace")


def test_a_request_without_the_join_code_is_refused(workshop, new_context, screenshot):
    page_url = workshop.page_url("2_feedback.ipynb")
    status, headers, _ = _get(page_url)
    assert status == 302 and headers["Location"].startswith("/login")
    status, headers, _ = _get(page_url + "?token=not-the-code")
    assert status == 302 and headers["Location"].startswith("/login")
    # The kernel API too: refused without the code, merely "not found" with it.
    kernel = workshop.base + "api/kernels/00000000-0000-4000-8000-000000000000"
    assert _get(kernel)[0] == 403
    assert _get(kernel + f"?token={workshop.join_code}")[0] == 404
    status, _, body = _get(page_url + f"?token={workshop.join_code}")
    assert status == 200 and "Give your view" in body

    page = new_context().new_page()
    page.goto(page_url)
    assert "/login" in page.url
    expect(page.locator("body")).not_to_contain_text("Give your view")
    assert page.locator(".cc-workshop").count() == 0
    screenshot(page, "refused-without-join-code")


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _guarded(pid: int) -> bool:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return b"COOPCREDS_NETWORK_GUARD=1" in environ and any(
        e.startswith(b"PYTHONPATH=") and b"kernel_site" in e for e in environ)


def test_the_server_and_its_kernels_run_under_the_network_guard(
    workshop, new_context, open_page
):
    open_page(new_context(), "index.ipynb")  # a page view starts a kernel
    kernels = [pid for pid in _descendants(workshop.process.pid)
               if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert kernels and _guarded(workshop.process.pid)
    assert all(_guarded(pid) for pid in kernels)


# --- every page ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_each_page_says_what_to_do_and_shows_no_code_or_traceback(
    name, workshop, new_context, open_page, screenshot
):
    page = open_page(new_context(), name)
    text = page.locator("body").inner_text()
    assert FIRST_SENTENCES[name] in text
    # The browser tab says which activity it is, not a file name.
    assert page.title().endswith("Co-op Credentials workshop"), page.title()
    for forbidden in ("Traceback", "Error", "Exception", "Warning", "coopcreds_proto",
                      "import ", "There was an error"):
        assert forbidden not in text, (name, forbidden)
    code = ".jp-CodeCell .jp-InputArea:visible, .jp-CodeMirrorEditor:visible, pre code:visible"
    assert page.locator(code).count() == 0
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0
    screenshot(page, f"page-{Path(name).stem}")


def test_the_start_page_links_lead_to_the_activities_once_the_code_was_given(
    workshop, new_context, open_page
):
    page = open_page(new_context(), "index.ipynb")
    page.get_by_role("link", name="Give your view").click()
    expect(page.get_by_role("button", name="Submit")).to_be_visible(timeout=60_000)
    assert "token=" not in page.url  # the code was remembered for the session


# --- feedback from two participants, seen live on the dashboard -----------------------------


def test_two_participants_submit_and_the_dashboard_shows_both_without_a_restart(
    workshop, new_context, open_page, screenshot
):
    before = len(records(workshop))
    dashboard = open_page(new_context(), "3_results.ipynb")
    count = dashboard.locator(".cc-count")
    expect(count).to_contain_text(f"{before} response")

    answers = [
        {"organisation": "Riverside Food Co-operative", "name": "Ada Okafor", "role": "member",
         "comment": "Keep the name: members\nask for it at the door.", "priority": "4"},
        {"organisation": "Elm Street Tenants Co-op", "name": "Lars Jensen", "role": "secretary",
         "comment": "Our tenants rarely need the legal name.", "priority": "2", "stance": "drop",
         "sphere": "work: benefit together"},
    ]
    for i, answer in enumerate(answers):
        form = open_page(new_context(), "2_feedback.ipynb")
        fill_form(form, **answer)
        form.get_by_role("button", name="Submit").click()
        expect(form.get_by_text("Saved. Thank you!")).to_be_visible()
        expect(form.get_by_label("Comment")).to_have_value("")
        screenshot(form, f"feedback-submitted-{i + 1}")

    saved = records(workshop)[before:]
    assert [(r.organisation, r.participant, r.comment, r.priority) for r in saved] == [
        (a["organisation"], a["name"], a["comment"], int(a["priority"])) for a in answers
    ]
    assert [(r.stance, r.sphere) for r in saved] == [("keep", "legal"), ("drop", "work")]
    assert len({r.id for r in saved}) == 2

    # The dashboard was opened before the submissions: it updates by itself.
    expect(count).to_contain_text(f"{before + 2} responses so far", timeout=20_000)
    dashboard.get_by_role("button", name="Comments").click()
    for answer in answers:
        expect(dashboard.locator(".widget-html").filter(
            has_text=answer["comment"].split("\n")[0])).to_be_visible()
    screenshot(dashboard, "dashboard-two-submissions")

    dashboard.get_by_role("button", name="Export workshop pack").click()
    expect(dashboard.get_by_text("Workshop pack written")).to_be_visible(timeout=60_000)
    packs = list(workshop.data_dir.glob("workshop-pack-*.html"))
    assert len(packs) == 1
    pack = packs[0].read_text(encoding="utf-8")
    assert all(answer["comment"].split("\n")[0] in pack for answer in answers)
    assert not re.search(r"(?:src|href)=[\"']https?:", pack)  # opens offline


def test_the_form_can_be_filled_and_sent_with_the_keyboard_alone(
    workshop, new_context, open_page
):
    before = len(records(workshop))
    page = open_page(new_context(), "2_feedback.ipynb")
    page.get_by_label("Organisation").focus()
    for text in ("Hilltop Credit Union", "Sam Osei", "treasurer"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    focused = ""
    for _ in range(20):  # on to the comment, past the choices
        focused = page.evaluate("document.activeElement.tagName")
        if focused == "TEXTAREA":
            break
        page.keyboard.press("Tab")
    assert focused == "TEXTAREA"
    page.keyboard.type("Typed without a mouse.")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Submit":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved. Thank you!")).to_be_visible()
    saved = records(workshop)[before:]
    assert [(r.organisation, r.participant, r.role, r.comment) for r in saved] == [
        ("Hilltop Credit Union", "Sam Osei", "treasurer", "Typed without a mouse.")
    ]


# --- bad input --------------------------------------------------------------------------------


MEI = {"organisation": "Regional Co-op Federation", "name": "Mei Quispe", "role": "board member"}
BAD_INPUTS = [
    ("missing organisation", {**MEI, "organisation": "", "comment": "Fine as it is."},
     "Organisation", "Please fill in “Organisation”"),
    ("empty comment", {**MEI, "comment": ""},
     "Comment", "Please fill in “Comment”"),
    ("over-long comment", {**MEI, "comment": "x" * (MAX_COMMENT_CHARS + 1)},
     "Comment", f"at most {MAX_COMMENT_CHARS:,} characters"),
    ("priority out of range", {**MEI, "comment": "Important.", "priority": "9"},
     "Priority (1 low to 5 high)", "Choose a priority from 1 (low) to 5 (high)"),
]


def test_bad_input_is_explained_next_to_its_field_keeps_the_typing_and_writes_nothing(
    workshop, new_context, open_page, screenshot
):
    page = open_page(new_context(), "2_feedback.ipynb")
    before = workshop.feedback_file.read_bytes() if workshop.feedback_file.exists() else b""
    for case, answer, label, text in BAD_INPUTS:
        fill_form(page, **answer)
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_text("Not saved yet")).to_be_visible()
        message_below(page, label, text)
        # Only the field at fault is marked.
        expect(page.locator(".cc-field-message").filter(has_text=re.compile(r"\S"))
               ).to_have_count(1)
        for widget_label, key in (("Organisation", "organisation"), ("Your name", "name"),
                                  ("Comment", "comment")):
            expect(page.get_by_label(widget_label)).to_have_value(answer[key])
        expect(page.get_by_label("Priority (1 low to 5 high)")).to_have_value(
            answer.get("priority", "3"))
        after = workshop.feedback_file.read_bytes() if workshop.feedback_file.exists() else b""
        assert after == before, case
        screenshot(page, f"bad-input-{case.replace(' ', '-')}")


# --- the member's wallet ------------------------------------------------------------------------


def test_the_consent_screen_says_who_asks_and_declining_shares_nothing(
    workshop, new_context, open_page, screenshot
):
    outbox = workshop.data_dir / OUTBOX_DIR
    page = open_page(new_context(), "5_wallet.ipynb")
    consent = page.locator(".cc-consent")
    expect(consent).to_contain_text("Stay Fair Tourism Co-operative")
    expect(consent).to_contain_text("They will see")
    expect(consent).to_contain_text("They will NOT see")
    expect(consent).to_contain_text("Your membership number")
    expect(page.locator("figure svg")).to_be_visible()  # the request's QR code
    screenshot(page, "wallet-consent")

    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("Declined. Nothing was shared.")).to_be_visible()
    expect(page.get_by_role("button", name="Share")).to_be_disabled()
    assert not outbox.exists() or not any(outbox.iterdir())
    screenshot(page, "wallet-declined")

    # Sharing, by contrast, hands over a presentation with only the requested fields.
    page.get_by_role("button", name="Show the request again").click()
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_text("received only")).to_be_visible()
    shared = list(outbox.iterdir())
    assert len(shared) == 1
    presentation = json.loads(shared[0].read_text(encoding="utf-8"))
    subject = presentation["verifiableCredential"][0]["credentialSubject"]
    assert sorted(subject) == ["id", "memberName", "membershipStatus", "type"]
    screenshot(page, "wallet-shared")
